// The private work copy of the blueprint chart: the user's tree is never
// written. The version override and an upstream-version override are applied
// to its Chart.yaml; a committed Chart.lock is honoured when it fits Chart.yaml
// (built from and shipped as committed), else findings say why not.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseDocument } from 'yaml'
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
  /** Chart.yaml as it will be packaged (version override and upstream override applied). */
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
  const doc = parseDocument(readFileSync(path.join(source, 'Chart.yaml'), 'utf8'))
  if (options.version) doc.set('version', options.version)
  if (options.upstreamOverride)
    doc.setIn(['dependencies', options.upstreamOverride.index, 'version'], options.upstreamOverride.version)
  const chartYamlText = doc.toString()
  // A Chart.yaml that is a link is replaced by a file, not written through.
  rmSync(path.join(dir, 'Chart.yaml'), { force: true })
  writeFileSync(path.join(dir, 'Chart.yaml'), chartYamlText)
  const dependencies = ((doc.toJS() as { dependencies?: ChartDependency[] } | null)?.dependencies ?? []).map((dep) => ({
    ...dep,
    version: String(dep.version),
    repository: dep.repository ? String(dep.repository) : ''
  }))
  const work: WorkChart = {
    dir,
    sourceDir: source,
    name: chartName,
    version: options.version ?? blueprint.chartYaml.data.version,
    chartYamlText,
    dependencies,
    displayDir: blueprint.chartDir,
    publishing: options.publishing
  }
  const { lock, findings } = await committedLock(blueprint, source, dependencies, options)
  if (lock) work.lock = lock
  return { work, findings }
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
