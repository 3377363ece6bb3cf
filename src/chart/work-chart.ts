// The private work copy of the blueprint chart: the user's tree is never
// written. The version override and an upstream-version override are applied
// to its Chart.yaml; a committed Chart.lock is honoured when it fits Chart.yaml
// (built from and shipped as committed), else findings say why not.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { isDeepStrictEqual } from 'node:util'
import { isMap, isScalar, parseDocument } from 'yaml'
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
   * Chart.yaml as it will be packaged (version override and upstream override applied): `yaml`'s serialization of
   * the committed file, made on first read.
   */
  chartYamlText: string
  /**
   * Set while the work copy's Chart.yaml is a stand-in with the same data (standInChartYaml): the dependency build
   * writes chartYamlText in its place once helm has run, and clears this.
   */
  chartYamlStandIn?: boolean
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
  let edited: { text: string; data: unknown } | undefined
  /** The packaged Chart.yaml, as it always was: one commit gives one archive. */
  const packaged = (): { text: string; data: unknown } => {
    if (!edited) {
      // A key written twice is a finding of its own (chart-inputs.ts), and the run goes on with helm's reading:
      // the later value counts, so a version edit goes to the last `version` key.
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
  const standIn = options.upstreamOverride ? undefined : standInChartYaml(committedText, options.version || undefined)
  // A Chart.yaml that is a link is replaced by a file, not written through.
  rmSync(path.join(dir, 'Chart.yaml'), { force: true })
  writeFileSync(path.join(dir, 'Chart.yaml'), standIn?.text ?? packaged().text)
  const chartData = (standIn ?? packaged()).data as { dependencies?: ChartDependency[] } | null
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
    get chartYamlText() {
      return packaged().text
    },
    ...(standIn ? { chartYamlStandIn: true } : {}),
    dependencies,
    displayDir: blueprint.chartDir,
    publishing: options.publishing
  }
  const { lock, findings } = await committedLock(blueprint, source, dependencies, options)
  if (lock) work.lock = lock
  return { work, findings }
}

/**
 * The work copy's Chart.yaml for the dependency build, without the `yaml` library (its first use, a cold parser, is
 * ~15 ms on the way to the build): the committed text, its top-level `version:` line rewritten when the run packages
 * another version, when the fast reader (helm/render.ts) reads it as exactly the data the packaged Chart.yaml has.
 * Helm's build reads Chart.yaml's data only (the lock's digest too is over the parsed dependencies), so it builds
 * the same; the packaged text replaces it once helm has run (chart/dependencies.ts). Undefined when the data cannot
 * be shown to be the same: the packaged text is then written at once.
 */
export function standInChartYaml(committedText: string, version?: string): { text: string; data: unknown } | undefined {
  const committed = fastParseYaml(committedText)
  if (!committed || !isRecord(committed.value)) return undefined
  if (version === undefined) return { text: committedText, data: committed.value }
  const lines = committedText.split('\n')
  const at = lines.flatMap((line, i) => (/^version[ ]*:/.test(line) ? [i] : []))
  if (at.length !== 1) return undefined
  // A JSON string is a YAML double-quoted scalar: the version stays a string whatever it looks like.
  lines[at[0]] = `version: ${JSON.stringify(version)}`
  const text = lines.join('\n')
  const read = fastParseYaml(text)
  return read && isDeepStrictEqual(read.value, { ...committed.value, version }) ? { text, data: read.value } : undefined
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
