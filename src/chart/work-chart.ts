// The private work copy of the blueprint chart: the user's tree is never
// written. The version override and an upstream-version override are applied
// to its Chart.yaml; a committed Chart.lock is honoured when it fits Chart.yaml
// (built from and shipped as committed), else findings say why not.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { yamlLibrary } from '../util/yaml-lib.js'
import { fastParseYaml } from '../helm/render.js'
import { isRecord } from '../util/text.js'
import type { Blueprint, ChartDependency } from './blueprint.js'
import { lockFinding, lockMismatches, parseLock, type CommittedLock } from './chart-lock.js'
import type { Finding } from '../types.js'
import { copyChartFolder } from './work-copy.js'

export interface WorkChart {
  /** Absolute path of the work copy. */
  dir: string
  /** Absolute path of the chart in the user's tree (read only). */
  sourceDir: string
  name: string
  version: string
  /**
   * Chart.yaml as the work copy has it and as it will be packaged (version override and upstream override applied):
   * the committed text with only its version line edited (versionEditedChartYaml), else `yaml`'s serialization of
   * the committed file with the overrides set.
   */
  chartYamlText: string
  dependencies: ChartDependency[]
  /** Path of the chart folder relative to the workspace, for findings. */
  displayDir?: string
  /** The committed Chart.lock when it satisfies Chart.yaml: the build uses it and the package ships it. */
  lock?: CommittedLock
  /** A release: a lock that does not fit is an error (else a warning). */
  publishing?: boolean
}

export interface PrepareOptions {
  blueprint: Blueprint
  workRoot: string
  /** Packaged version (input `version` or a tag); undefined keeps Chart.yaml's. */
  version?: string
  /** Set when input upstream-version overrode the pin: the work copy depends on exactly this version. */
  upstreamOverride?: { index: number; version: string }
  /** A release: a committed Chart.lock that does not fit Chart.yaml is an error, not a warning. */
  publishing?: boolean
}
export async function prepareWorkChart(options: PrepareOptions): Promise<{ work: WorkChart; findings: Finding[] }> {
  const { blueprint } = options
  const source = path.resolve(blueprint.workspace, blueprint.chartDir)
  const chartName = blueprint.chartYaml.data.name
  const dir = path.join(options.workRoot, chartName)
  // Synchronous up to the lock: the copy is on the way to the dependency build (see copyChartFolder).
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(options.workRoot, { recursive: true })
  // Downloaded archives are rebuilt; unpacked subcharts under charts/ are the
  // chart's own and are kept. The lock is placed by the build when it is honoured.
  // A real copy, also when the chart or blueprint folder is a link; links leaving the chart are refused.
  copyChartFolder({
    source,
    destination: dir,
    displayDir: blueprint.chartDir,
    exclude: (rel) => rel === 'Chart.lock' || (path.posix.dirname(rel) === 'charts' && rel.endsWith('.tgz'))
  })
  const committedText = readFileSync(path.join(source, 'Chart.yaml'), 'utf8')
  let edited = options.upstreamOverride
    ? undefined
    : versionEditedChartYaml(committedText, options.version || undefined)
  /** The packaged Chart.yaml: one commit gives one archive. */
  const packaged = (): { text: string; data: unknown } => {
    if (!edited) {
      // A key written twice is a finding of its own (chart-inputs.ts), and the run goes on with helm's reading:
      // the later value counts, so a version edit goes to the last `version` key.
      const { isMap, isScalar, parseDocument } = yamlLibrary()
      const doc = parseDocument(committedText, { uniqueKeys: false })
      if (options.version) {
        const pairs = isMap(doc.contents)
          ? doc.contents.items.filter((pair) => isScalar(pair.key) && pair.key.value === 'version')
          : []
        const last = pairs.at(-1)
        if (last) (last as { value: unknown }).value = doc.createNode(options.version)
        else doc.set('version', options.version)
      }
      if (options.upstreamOverride)
        doc.setIn(['dependencies', options.upstreamOverride.index, 'version'], options.upstreamOverride.version)
      edited = { text: doc.toString(), data: doc.toJS() }
    }
    return edited
  }
  // A Chart.yaml that is a link is replaced by a file, not written through.
  rmSync(path.join(dir, 'Chart.yaml'), { force: true })
  writeFileSync(path.join(dir, 'Chart.yaml'), packaged().text)
  const chartData = packaged().data as { dependencies?: ChartDependency[] } | null
  const dependencies = (chartData?.dependencies ?? []).map((dep) => ({
    ...dep,
    version: String(dep.version),
    repository: dep.repository ? String(dep.repository) : ''
  }))
  const work: WorkChart = {
    dir,
    sourceDir: source,
    name: chartName,
    version: options.version ?? blueprint.chartYaml.data.version,
    chartYamlText: packaged().text,
    dependencies,
    displayDir: blueprint.chartDir,
    publishing: options.publishing
  }
  const { lock, findings } = await committedLock(blueprint, source, dependencies, options)
  if (lock) work.lock = lock
  return { work, findings }
}

/**
 * The committed Chart.yaml with only its top-level `version:` line edited when the run packages another version (a
 * comment after a plain version kept), without the `yaml` library (its first use, a cold parser, is ~15 ms on the
 * way to the build): when the fast reader (helm/render.ts) reads it as exactly the data the packaged Chart.yaml has.
 * The version is written plain, as `yaml` writes it, or quoted where plain would read otherwise (`1.0`, `010`). The
 * user's text stays as it was (no line refolded), which is what a chart test script reads. Undefined when the data
 * cannot be shown to be the same: the `yaml` library's serialization is used then.
 */
export function versionEditedChartYaml(
  committedText: string,
  version?: string
): { text: string; data: unknown } | undefined {
  const committed = fastParseYaml(committedText)
  if (!committed || !isRecord(committed.value)) return undefined
  if (version === undefined) return { text: committedText, data: committed.value }
  const lines = committedText.split('\n')
  const at = lines.flatMap((line, i) => (/^version[ ]*:/.test(line) ? [i] : []))
  if (at.length !== 1) return undefined
  const comment = /^version[ ]*:[ ]*[^\s'"#][^#]*?([ \t]+#.*)$/.exec(lines[at[0]])?.[1] ?? ''
  const wanted = { ...committed.value, version }
  // A JSON string is a YAML double-quoted scalar: the version stays a string whatever it looks like.
  for (const written of [version, JSON.stringify(version)]) {
    lines[at[0]] = `version: ${written}${comment}`
    const text = lines.join('\n')
    const read = fastParseYaml(text)
    if (read && isDeepStrictEqual(read.value, wanted)) return { text, data: read.value }
  }
  return undefined
}

/**
 * The committed Chart.lock, when it satisfies Chart.yaml (it is then honoured:
 * built from and shipped as committed); otherwise findings saying why not.
 * An upstream-version override asks for another upstream on purpose: the lock
 * does not apply to that run, and a mismatch is only a warning.
 */
async function committedLock(
  blueprint: Blueprint,
  source: string,
  dependencies: ChartDependency[],
  options: PrepareOptions
): Promise<{ lock?: CommittedLock; findings: Finding[] }> {
  let text: string
  try {
    text = await readFile(path.join(source, 'Chart.lock'), 'utf8')
  } catch {
    return { findings: [] }
  }
  const lockFile = path.join(blueprint.chartDir, 'Chart.lock')
  const strict = Boolean(options.publishing) && !options.upstreamOverride
  const lock = parseLock(text, lockFile)
  if (!lock)
    return {
      findings: [
        lockFinding(
          `${lockFile} is not a Chart.lock (no YAML with a dependencies list)`,
          lockFile,
          blueprint.chartDir,
          strict
        )
      ]
    }
  const problems = lockMismatches(lock, dependencies, blueprint.chartYaml.displayPath)
  const findings = problems.map((problem) => lockFinding(problem, lockFile, blueprint.chartDir, strict))
  if (options.upstreamOverride) {
    for (const finding of findings)
      finding.message = `${finding.message.replace(/: this run built.*$/, '')}: input upstream-version overrides it for this run`
    return { findings }
  }
  return problems.length ? { findings } : { lock, findings }
}

/** The build's Chart.yaml: the packaged text with the edits, the rest as `yaml` keeps it. */
export function editedChartYaml(text: string, edits: [(string | number)[], string][]): string {
  const doc = yamlLibrary().parseDocument(text)
  for (const [at, value] of edits) doc.setIn(at, value)
  return doc.toString()
}
