// The blueprint.yaml contract (pure): the catalog entry agrees with the chart it describes. `metadata.name` is the
// chart's name and `spec.version` its version (on a release with version-from-tag: the tag's version, which is what
// is published); `spec.manifests.chart` names the chart folder the run checks; every `spec.depends` blueprint is a
// blueprint of the workspace (else a warning: it may come from elsewhere) whose Chart.yaml version satisfies the
// entry's range. Malformed YAML and wrong types are findings with file:line, never a crash. The step's findings
// name blueprint.yaml's line and the other file's line in the fix.
import type { ChartMetadata } from './blueprint.js'
import { MANIFEST_PATHS, manifestChartDir, type BlueprintManifest } from './blueprint-manifest.js'
import type { YamlSource } from './yaml-source.js'
import type { WorkspaceIndex } from './workspace-index.js'
import type { Finding, StepResult } from '../types.js'
import { ConstraintError, parseConstraint, parseVersion } from '../util/semver.js'

const RULE = 'blueprint-contract'

export interface ContractInput {
  /** The blueprint folder, e.g. `platform/temporal`. */
  dir: string
  /** The chart folder the run checks (the `chart` input). */
  chartDir: string
  chartYaml: YamlSource<ChartMetadata>
  /** blueprint.yaml read; absent when the folder has none (a chart-only blueprint) or it does not parse. */
  manifest?: BlueprintManifest
  /** Why blueprint.yaml could not be read (not valid YAML, too large): the message names file:line. */
  manifestError?: { message: string; hint?: string }
  /** Set on a release with version-from-tag: the version the tag publishes, and the tag. */
  releaseTag?: { version: string; tag: string }
  /** Input version-from-tag (on a pull request: the release tag decides the version, not Chart.yaml). */
  versionFromTag: boolean
  /** The workspace's blueprints, for spec.depends; absent when there are no depends to look up. */
  index?: Pick<WorkspaceIndex, 'byBlueprintName' | 'blueprints'>
}

/** One spec.depends entry as checked: where it was found in the workspace, and the version there. */
interface CheckedDependency {
  blueprint: string
  range?: string
  /** The blueprint folder that provides it, when it is in the workspace. */
  dir?: string
  /** Its Chart.yaml version. */
  version?: string
}

export interface ContractData {
  /** No blueprint.yaml: the blueprint is chart-only and there is no catalog entry to check. */
  chartOnly: boolean
  depends: CheckedDependency[]
}

/** The `blueprint.yaml` step: the contract's findings, or a skipped step for a chart-only blueprint. */
export function blueprintContractStep(input: ContractInput): StepResult<ContractData> {
  const start = performance.now()
  const file = `${input.dir}/blueprint.yaml`
  const step = (status: StepResult['status'], summary: string, findings: Finding[], data: ContractData) => ({
    id: 'blueprint',
    title: 'blueprint.yaml',
    status,
    durationMs: Math.round(performance.now() - start),
    summary,
    findings,
    data
  })
  if (input.manifestError) {
    const at = /^(.+?):(\d+):/.exec(input.manifestError.message)
    return step(
      'failed',
      `${file} cannot be read`,
      [
        {
          rule: RULE,
          severity: 'error',
          message: input.manifestError.message,
          fix: input.manifestError.hint ?? `fix ${file}`,
          file: at?.[1] ?? file,
          line: at ? Number(at[2]) : undefined
        }
      ],
      { chartOnly: false, depends: [] }
    )
  }
  const manifest = input.manifest
  if (!manifest) {
    return step('skipped', 'no blueprint.yaml: a chart-only blueprint, no catalog entry to check', [], {
      chartOnly: true,
      depends: []
    })
  }
  const findings: Finding[] = [
    ...manifest.problems.map((problem): Finding => ({
      rule: RULE,
      severity: 'error',
      message: problem.message,
      fix: problem.fix,
      file: manifest.file,
      line: manifest.lineOf(problem.path)
    })),
    ...nameFindings(input, manifest),
    ...versionFindings(input, manifest),
    ...chartFolderFindings(input, manifest)
  ]
  const depends = dependsFindings(input, manifest, findings)
  const errors = findings.filter((f) => f.severity === 'error').length
  const warnings = findings.filter((f) => f.severity === 'warning').length
  const inWorkspace = depends.filter((d) => d.dir).length
  const dependsText =
    depends.length > 0 ? `; depends: ${inWorkspace} of ${depends.length} in the workspace` : '; no depends'
  const summary =
    errors > 0
      ? `${errors} contract error${errors === 1 ? '' : 's'} in ${manifest.file}`
      : `${manifest.name ?? '(no name)'} ${manifest.version ?? '(no version)'} agrees with ${input.chartYaml.displayPath}${dependsText}`
  return step(errors > 0 ? 'failed' : warnings > 0 ? 'warning' : 'passed', summary, findings, {
    chartOnly: false,
    depends
  })
}

const at = (source: YamlSource<unknown>, path: readonly (string | number)[]): string => {
  const line = source.lineOf(path)
  return line ? `${source.displayPath}:${line}` : source.displayPath
}

function nameFindings(input: ContractInput, manifest: BlueprintManifest): Finding[] {
  const chartName = input.chartYaml.data.name
  const line = manifest.lineOf(MANIFEST_PATHS.name)
  if (manifest.problems.some((p) => p.path.join('.') === MANIFEST_PATHS.name.join('.'))) return []
  if (manifest.name === undefined) {
    return [
      {
        rule: RULE,
        severity: 'error',
        message: `${manifest.file} has no metadata.name: the catalog cannot name the blueprint (the chart is ${chartName})`,
        fix: `add metadata.name: ${chartName} to ${manifest.file} (the name in ${at(input.chartYaml, ['name'])})`,
        file: manifest.file,
        line: manifest.lineOf(['metadata']) ?? 1
      }
    ]
  }
  if (manifest.name === chartName) return []
  return [
    {
      rule: RULE,
      severity: 'error',
      message: `metadata.name is ${manifest.name}, but the chart is ${chartName}: the catalog names a blueprint the registry does not hold under that name`,
      fix: `make ${manifest.file}:${line ?? 1} metadata.name and ${at(input.chartYaml, ['name'])} name the same (e.g. both ${chartName})`,
      file: manifest.file,
      line
    }
  ]
}

function versionFindings(input: ContractInput, manifest: BlueprintManifest): Finding[] {
  const chartVersion = input.chartYaml.data.version
  const line = manifest.lineOf(MANIFEST_PATHS.version)
  const chartAt = at(input.chartYaml, ['version'])
  if (manifest.problems.some((p) => p.path.join('.') === MANIFEST_PATHS.version.join('.'))) return []
  const tag = input.releaseTag
  // A release with version-from-tag publishes the tag's version: that is what the catalog must advertise.
  const expected = tag ? tag.version : chartVersion
  if (manifest.version === undefined) {
    return [
      {
        rule: RULE,
        severity: 'error',
        message: `${manifest.file} has no spec.version: the catalog advertises no version (the chart packages ${expected})`,
        fix: `add spec.version: ${expected} to ${manifest.file} (${tag ? `the version of tag ${tag.tag}` : `the version in ${chartAt}`})`,
        file: manifest.file,
        line: manifest.lineOf(['spec']) ?? 1
      }
    ]
  }
  if (manifest.version === expected) return []
  const where = `${manifest.file}:${line ?? 1}`
  if (tag) {
    return [
      {
        rule: RULE,
        severity: 'error',
        message:
          `spec.version is ${manifest.version}, but this release publishes ${tag.version} ` +
          `(version-from-tag: the tag ${tag.tag} decides the packaged version, not ${chartAt})`,
        fix: `set spec.version in ${where} to ${tag.version}, the version the tag publishes`,
        file: manifest.file,
        line
      }
    ]
  }
  if (input.versionFromTag) {
    // Not a release: the tag that will publish is not known yet; Chart.yaml's version is only a stand-in.
    return [
      {
        rule: RULE,
        severity: 'warning',
        message:
          `spec.version is ${manifest.version} and ${chartAt} says ${chartVersion}; with version-from-tag the release ` +
          `tag decides the version published, and spec.version must equal it then`,
        fix: `tag the release as ${input.dir}/v${manifest.version}, or set spec.version in ${where} to the version you will tag`,
        file: manifest.file,
        line
      }
    ]
  }
  return [
    {
      rule: RULE,
      severity: 'error',
      message: `spec.version is ${manifest.version}, but ${chartAt} version is ${chartVersion}: the catalog advertises one version and the registry holds another`,
      fix: `bump both together: set ${where} spec.version and ${chartAt} version to the same version (e.g. both ${chartVersion})`,
      file: manifest.file,
      line
    }
  ]
}

function chartFolderFindings(input: ContractInput, manifest: BlueprintManifest): Finding[] {
  if (manifest.chart === undefined) return []
  const line = manifest.lineOf(MANIFEST_PATHS.chart)
  const named = manifestChartDir(input.dir, manifest.chart)
  const checked = input.chartDir.replace(/\\/g, '/').replace(/\/+$/, '')
  if (named === checked) return []
  const relative = checked.startsWith(`${input.dir}/`) ? `./${checked.slice(input.dir.length + 1)}` : undefined
  return [
    {
      rule: RULE,
      severity: 'error',
      message:
        named === undefined
          ? `spec.manifests.chart is ${manifest.chart}, which is not a folder inside ${input.dir}`
          : `spec.manifests.chart names ${named}, but the chart checked (and published) is ${checked}`,
      fix: relative
        ? `set spec.manifests.chart in ${manifest.file}:${line ?? 1} to ${relative}${named ? `, or set the chart input to ${named}` : ''}`
        : `set the chart input to ${named ?? `a folder inside ${input.dir}`}, and spec.manifests.chart in ${manifest.file}:${line ?? 1} to it`,
      file: manifest.file,
      line
    }
  ]
}

function dependsFindings(input: ContractInput, manifest: BlueprintManifest, findings: Finding[]): CheckedDependency[] {
  const others = input.index?.blueprints.filter((bp) => bp.dir !== input.dir) ?? []
  if (manifest.depends.length > 0 && input.index && others.length === 0) {
    // A repository of one blueprint: every name would be "not in the workspace", which says nothing. One notice.
    const names = manifest.depends.map((entry) => entry.blueprint).join(', ')
    findings.push({
      rule: RULE,
      severity: 'notice',
      message: `spec.depends (${names}) is not checked against the workspace: it holds no other blueprint under the discover globs`,
      fix: 'nothing to do in a repository of one blueprint; in a monorepo, set discover-glob to the folders of its blueprints',
      file: manifest.file,
      line: manifest.lineOf(MANIFEST_PATHS.depends)
    })
    return manifest.depends.map((entry) => ({ blueprint: entry.blueprint, range: entry.version }))
  }
  return manifest.depends.map((entry) => checkDependency(input, manifest, entry, findings))
}

function checkDependency(
  input: ContractInput,
  manifest: BlueprintManifest,
  entry: BlueprintManifest['depends'][number],
  findings: Finding[]
): CheckedDependency {
  const line = manifest.lineOf(entry.path)
  const where = `${manifest.file}:${line ?? 1}`
  const checked: CheckedDependency = { blueprint: entry.blueprint, range: entry.version }
  const sibling = input.index?.byBlueprintName(entry.blueprint)
  let range: ReturnType<typeof parseConstraint> | undefined
  if (entry.version !== undefined) {
    try {
      range = parseConstraint(entry.version)
    } catch (error) {
      findings.push({
        rule: RULE,
        severity: 'error',
        message: `spec.depends ${entry.blueprint}: "${entry.version}" is not a version range (${error instanceof ConstraintError ? error.message : String(error)})`,
        fix: `write a range Helm reads at ${where}, e.g. version: "^1" or ">=1.2.0 <2.0.0"`,
        file: manifest.file,
        line
      })
    }
  }
  if (!sibling) {
    findings.push({
      rule: RULE,
      severity: 'warning',
      message: `spec.depends names ${entry.blueprint}, which is no blueprint of this workspace (no folder under the discover globs has that metadata.name or chart name)`,
      fix: `check the name at ${where}; ignore this if ${entry.blueprint} is installed from elsewhere`,
      file: manifest.file,
      line
    })
    return checked
  }
  checked.dir = sibling.dir
  checked.version = sibling.chart?.version
  if (!sibling.chart) {
    findings.push({
      rule: RULE,
      severity: 'warning',
      message: `spec.depends ${entry.blueprint} is ${sibling.dir}, whose chart cannot be read (${sibling.problems[0]?.message ?? 'no Chart.yaml'}): its version is not checked`,
      fix: sibling.problems[0]?.fix ?? `fix ${sibling.chartDir}/Chart.yaml`,
      file: manifest.file,
      line
    })
    return checked
  }
  if (range && entry.version !== undefined) {
    const version = parseVersion(sibling.chart.version)
    if (!version || !range.test(version)) {
      const siblingAt = `${sibling.chart.file}:${sibling.chart.lineOf(['version']) ?? 1}`
      findings.push({
        rule: RULE,
        severity: 'error',
        message: `spec.depends ${entry.blueprint} asks for ${entry.version}, but ${sibling.dir} is at ${sibling.chart.version} (${siblingAt})`,
        fix: `widen the range at ${where} to include ${sibling.chart.version}, or change the version at ${siblingAt}`,
        file: manifest.file,
        line
      })
    }
  }
  return checked
}
