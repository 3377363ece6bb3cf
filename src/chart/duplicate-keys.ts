// A key written twice in one mapping of a YAML file the run reads (Chart.yaml, values.yaml, blueprint.yaml, the
// `values` input's files): helm reads such a file, keeping the later value, so the run goes on with that value and
// the duplicate is a finding of its own with the lines of both: a warning when both say the same (nothing is
// lost), an error when they differ (the earlier value is silently lost, in helm too). Pure.
import type { Finding, StepResult } from '../types.js'
import type { Blueprint } from './blueprint.js'
import type { YamlSource } from './yaml-source.js'

/** `a.b.c` for a message (keys as written). */
function dotted(path: readonly (string | number)[]): string {
  return path.map((key) => (typeof key === 'number' ? `[${key}]` : key)).join('.')
}

/** One finding per key written twice in the file (its later line: the value helm keeps). */
export function duplicateKeyFindings(source: Pick<YamlSource, 'displayPath' | 'duplicates'>): Finding[] {
  return (source.duplicates ?? []).map((duplicate): Finding => {
    const key = dotted(duplicate.path)
    const [first, second] = duplicate.lines
    const where = `${source.displayPath} at lines ${first} and ${second}`
    return duplicate.equal
      ? {
          rule: 'yaml-duplicate-key',
          severity: 'warning',
          message: `\`${key}\` is written twice in ${where}, with the same value: helm keeps the later one, nothing is lost.`,
          fix: `delete one of them (line ${first} or ${second})`,
          file: source.displayPath,
          line: second
        }
      : {
          rule: 'yaml-duplicate-key',
          severity: 'error',
          message:
            `\`${key}\` is written twice in ${where}, with different values: helm keeps the later one ` +
            `(\`${duplicate.values[1]}\`, line ${second}) and line ${first}'s (\`${duplicate.values[0]}\`) is lost without a word.`,
          fix: `keep the value you mean and delete the other line (${first} or ${second})`,
          file: source.displayPath,
          line: second
        }
  })
}

/**
 * The `Chart files` step, when a file the run reads writes a key twice (else none: the step table stays as it was).
 * Its errors stop the publish like any failed step.
 */
export function duplicateKeysStep(
  sources: readonly Pick<YamlSource, 'displayPath' | 'duplicates'>[]
): StepResult | undefined {
  const findings = sources.flatMap((source) => duplicateKeyFindings(source))
  if (findings.length === 0) return undefined
  const differing = findings.filter((f) => f.severity === 'error').length
  const files = [...new Set(findings.map((f) => f.file))].join(', ')
  const n = findings.length
  return {
    id: 'chart-files',
    title: 'Chart files',
    status: differing > 0 ? 'failed' : 'warning',
    durationMs: 0,
    summary:
      `${n} key${n === 1 ? '' : 's'} written twice in ${files}` +
      (differing > 0 ? `: ${differing} with different values (helm keeps the later)` : ', with the same values'),
    findings
  }
}

/** The `Chart files` step of a blueprint: Chart.yaml, values.yaml, blueprint.yaml and the `values` input's files. */
export function chartFilesStep(blueprint: Blueprint): StepResult | undefined {
  const { chartYaml, values, blueprintYaml, valuesFiles } = blueprint
  return duplicateKeysStep([chartYaml, values, ...(blueprintYaml ? [blueprintYaml] : []), ...(valuesFiles ?? [])])
}
