// Gate `lint`: `helm lint --strict` with the run's values, then once more per
// values file matching `lint-values` (default ci/*-values.yaml). The output of
// Helm 3 and Helm 4 is parsed into findings with the file and line helm names.
//
// Output shapes seen (both helms unless noted):
//   [ERROR] templates/: parse error at (bp-x/templates/cm.yaml:7): function "foo" not defined
//   [ERROR] templates/: template: bp-x/templates/cm.yaml:6:15: executing "…" at <…>: nil pointer …   (helm 3)
//   [ERROR] templates/: bp-x/templates/cm.yaml:6:15                                                  (helm 4,
//     executing "bp-x/templates/cm.yaml" at <…>:                                                      continued on
//       nil pointer evaluating interface {}.x                                                         indented lines)
//   [WARNING] templates/cm.yaml: object name does not conform to Kubernetes naming requirements: …
//   [ERROR] templates/cm.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 7: …   (line of the render, not the template)
//   [ERROR] Chart.yaml: version 'x' is not a valid SemVer
//   [ERROR] values.yaml: unable to parse YAML: … yaml: line 1: …
//   [WARNING] /abs/chart: chart directory is missing these dependencies: temporal
//   [ERROR] : unable to load chart
//   [INFO] Chart.yaml: icon is recommended
// INFO lines become notices. WARNINGs fail the run under --strict, so a WARNING of
// a failed run is an error finding. One warning is never asked for: Helm 4's
// `templates/: directory does not exist` for a pure wrapper, which is linted with an
// empty templates/ folder instead (lint-view.ts says why).
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import type { HelmRunResult } from '../helm/helm.js'
import type { Finding, StepResult } from '../types.js'
import { displayJoin, repoFileForSource, templateLocation } from './common.js'
import { lastLines } from '../util/text.js'
import { segmentMatcher } from '../util/glob.js'
import { helmJob, kubeVersionArgs, wall, type Gate } from './contract.js'
import { lintTarget } from './lint-view.js'

type LintLevel = 'ERROR' | 'WARNING' | 'INFO'

export interface LintMessage {
  level: LintLevel
  /** What helm printed before the first `: ` (e.g. `templates/`, `Chart.yaml`, the chart path); '' when none. */
  location: string
  message: string
  /** Repository path (displayChartDir/…), when the message names a file of the blueprint. */
  file?: string
  line?: number
  /** Rendered template path helm named (e.g. `bp-x/charts/temporal/templates/a.yaml`), also for subcharts. */
  template?: string
}

export interface LintParseOptions {
  chartName: string
  /** Absolute chart folder helm was given (helm echoes it in some messages). */
  chartDir: string
  displayChartDir: string
}

const LEVEL_RE = /^\[(ERROR|WARNING|INFO)\]\s?(.*)$/
const LOCATION_RE = /^([^\s:]*):(?:\s(.*)|$)/

/** Pure parser of `helm lint` output (stdout and stderr together) into messages. */
export function parseLintOutput(output: string, options: LintParseOptions): LintMessage[] {
  const messages: LintMessage[] = []
  let current: { level: LintLevel; location: string; lines: string[] } | undefined
  const flush = (): void => {
    if (current) messages.push(toMessage(current.level, current.location, current.lines.join('\n'), options))
    current = undefined
  }
  for (const raw of output.split(/\r?\n/)) {
    const line = raw.replace(/\s+$/, '')
    const level = LEVEL_RE.exec(line)
    if (level) {
      flush()
      const rest = level[2] ?? ''
      const located = LOCATION_RE.exec(rest)
      current = located
        ? { level: level[1] as LintLevel, location: located[1], lines: [located[2] ?? ''] }
        : { level: level[1] as LintLevel, location: '', lines: [rest] }
      continue
    }
    if (!current) continue
    if (line.trim() === '' || line.startsWith('==> ') || /^(Error: )?\d+ chart\(s\) linted/.test(line)) {
      flush()
      continue
    }
    current.lines.push(line.trim())
  }
  flush()
  return messages
}

function toMessage(level: LintLevel, location: string, message: string, options: LintParseOptions): LintMessage {
  const out: LintMessage = { level, location, message: message.trim() }
  const template = templateLocation(message, options.chartName)
  if (template) {
    out.template = template.source
    const file = repoFileForSource(template.source, options.chartName, options.displayChartDir)
    if (file) {
      out.file = file
      out.line = template.line
    }
    return out
  }
  const file = locationFile(location, options)
  if (file) {
    out.file = file
    // Only Chart.yaml / values.yaml: a YAML line of a template is a line of the render.
    const yamlLine = /\byaml: line (\d+)/.exec(message)
    if (yamlLine && /(^|\/)(Chart|values)\.yaml$/.test(file)) out.line = Number(yamlLine[1])
  }
  return out
}

function locationFile(location: string, options: LintParseOptions): string | undefined {
  if (location === '') return undefined
  const chartDir = options.chartDir.replace(/\/+$/, '')
  // The chart folder itself (e.g. missing dependencies): point at Chart.yaml.
  if (location.replace(/\/+$/, '') === chartDir || location === '.')
    return displayJoin(options.displayChartDir, 'Chart.yaml')
  let relative = location
  if (location.startsWith(`${chartDir}/`)) relative = location.slice(chartDir.length + 1)
  else if (path.isAbsolute(location)) return undefined
  if (relative.endsWith('/') || relative.includes('..') || relative.startsWith('charts/')) return undefined
  return displayJoin(options.displayChartDir, relative)
}

// ------------------------------------------------------------------ values files

/**
 * Files under `root` matching a glob relative to it (`*`, `?` within a segment,
 * `**` any number of folders). Sorted, posix, relative to root. A pattern that
 * leaves the folder (`..`, absolute) matches nothing.
 */
export async function globFiles(root: string, pattern: string): Promise<string[]> {
  const segments = pattern
    .trim()
    .replace(/^\.\//, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.')
  if (segments.length === 0 || path.isAbsolute(pattern.trim()) || segments.includes('..')) return []
  const found = new Set<string>()
  const walk = async (dir: string, rel: string, index: number): Promise<void> => {
    const segment = segments[index]
    const last = index === segments.length - 1
    let entries: import('node:fs').Dirent[]
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    if (segment === '**') {
      if (!last) await walk(dir, rel, index + 1)
      for (const entry of entries) {
        if (!entry.isDirectory()) {
          if (last) found.add(rel + entry.name)
          continue
        }
        await walk(path.join(dir, entry.name), `${rel}${entry.name}/`, index)
      }
      return
    }
    const matches = segmentMatcher(segment)
    for (const entry of entries) {
      if (!matches(entry.name)) continue
      if (last) {
        if (entry.isFile()) found.add(rel + entry.name)
      } else if (entry.isDirectory()) {
        await walk(path.join(dir, entry.name), `${rel}${entry.name}/`, index + 1)
      }
    }
  }
  await walk(root, '', 0)
  return [...found].sort()
}

const DEFAULT_LINT_VALUES_GLOB = 'ci/*-values.yaml'

export interface LintRunPlan {
  /** `default`, or the values file relative to the chart (e.g. `ci/prod-values.yaml`). */
  label: string
  args: string[]
}

export async function planLint(
  chartDir: string,
  valueArgs: readonly string[],
  lintValuesGlob: string | undefined,
  kubeVersion: readonly string[] = []
): Promise<LintRunPlan[]> {
  const base = ['lint', '--strict', chartDir, ...kubeVersion, ...valueArgs]
  const files = await globFiles(chartDir, lintValuesGlob?.trim() || DEFAULT_LINT_VALUES_GLOB)
  return [
    { label: 'default', args: base },
    ...files.map((file) => ({ label: file, args: [...base, '--values', path.join(chartDir, file)] }))
  ]
}

// ------------------------------------------------------------------ step

interface LintRunData {
  label: string
  args: string[]
  exitCode: number
  durationMs: number
  messages: LintMessage[]
}

export interface LintData {
  runs: LintRunData[]
  /** The chart has no templates/ and its dependencies carry the payload: linted with an empty templates/. */
  pureWrapper?: boolean
}

export function lintStep(
  runs: { plan: LintRunPlan; result: HelmRunResult }[],
  options: LintParseOptions,
  durationMs: number,
  pureWrapper = false
): StepResult<LintData> {
  const data: LintData = { runs: [] }
  if (pureWrapper) data.pureWrapper = true
  const byKey = new Map<string, { finding: Finding; labels: string[] }>()
  const details: string[] = []
  let failedRuns = 0
  for (const { plan, result } of runs) {
    const output = `${result.stdout}\n${result.stderr}`
    // [LEVEL] lines are on stdout; stderr has helm's own error and log lines.
    const messages = [...parseLintOutput(result.stdout, options), ...parseLintOutput(result.stderr, options)]
    data.runs.push({
      label: plan.label,
      args: plan.args,
      exitCode: result.exitCode,
      durationMs: result.durationMs,
      messages
    })
    const failed = result.exitCode !== 0
    if (failed) {
      failedRuns++
      details.push(`$ helm ${plan.args.join(' ')}\n${output.trim()}`)
    }
    for (const m of messages) {
      const severity =
        m.level === 'ERROR' || (m.level === 'WARNING' && failed)
          ? 'error'
          : m.level === 'WARNING'
            ? 'warning'
            : 'notice'
      const key = `${severity}\u0000${m.file ?? ''}\u0000${m.line ?? ''}\u0000${m.message}`
      const existing = byKey.get(key)
      if (existing) {
        if (!existing.labels.includes(plan.label)) existing.labels.push(plan.label)
        continue
      }
      const finding: Finding = {
        rule: 'lint',
        severity,
        message: `helm lint [${m.level}] ${m.location ? `${m.location}: ` : ''}${m.message}`
      }
      if (m.level === 'WARNING' && failed) finding.fix = 'helm lint --strict fails on warnings: fix the warning'
      if (m.file) finding.file = m.file
      if (m.line !== undefined) finding.line = m.line
      byKey.set(key, { finding, labels: [plan.label] })
    }
    // A failed run that printed no [ERROR]/[WARNING] (e.g. a values file helm cannot open).
    if (failed && !messages.some((m) => m.level !== 'INFO')) {
      const finding: Finding = {
        rule: 'lint',
        severity: 'error',
        message: `helm lint failed: ${lastLines(result.stderr || result.stdout, 3)}`
      }
      byKey.set(`run\u0000${plan.label}`, { finding, labels: [plan.label] })
    }
  }
  const findings = [...byKey.values()].map(({ finding, labels }) => {
    if (!(labels.length === 1 && labels[0] === 'default') && labels.length < runs.length) {
      finding.message += ` (with ${labels.map((l) => (l === 'default' ? 'the default values' : l)).join(', ')})`
    }
    return finding
  })
  const errors = findings.filter((f) => f.severity === 'error').length
  const warnings = findings.filter((f) => f.severity === 'warning').length
  const runsText = `${runs.length} lint run${runs.length === 1 ? '' : 's'}`
  const status = failedRuns > 0 ? 'failed' : warnings > 0 ? 'warning' : 'passed'
  const summary =
    (failedRuns > 0
      ? `${failedRuns} of ${runsText} failed: ${errors} error${errors === 1 ? '' : 's'}`
      : `${runsText} passed${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`) +
    (pureWrapper ? ' (no templates/: linted with an empty one, the dependencies carry the payload)' : '')
  const step: StepResult<LintData> = { id: 'lint', title: 'Helm lint', status, durationMs, summary, findings, data }
  if (details.length > 0) step.details = details.join('\n\n')
  return step
}

/**
 * The gate: one `helm lint --strict` per planned run (the default values, then each lint values file), of the
 * work copy, or for a pure wrapper of a view of it with an empty templates/ (lint-view.ts).
 */
export const lintGate: Gate = {
  id: 'lint',
  async plan(pc) {
    const { ctx } = pc
    const target = await lintTarget(ctx.chartDir, path.join(ctx.scriptRoot, 'lint-view', path.basename(ctx.chartDir)))
    const plans = await planLint(target.dir, ctx.valueArgs, ctx.lintValuesGlob, kubeVersionArgs(ctx))
    const runs = plans.map((plan) => ({ plan, job: helmJob(ctx.helm, `lint:${plan.label}`, plan.args) }))
    // A lint renders the chart and then checks it: ~1.3 renders' time in bench/results.md, so it starts before the
    // single renders queued with it (contract.ts Job.weight).
    for (const run of runs) run.job.job.weight = 1.5
    return {
      jobs: runs.map((r) => r.job.job),
      finish() {
        const done = runs.map((r) => ({ plan: r.plan, ...r.job.get() }))
        const options = { chartName: ctx.chartName, chartDir: target.dir, displayChartDir: ctx.displayChartDir }
        return { step: lintStep(done, options, wall(done.map((r) => r.span)), target.pureWrapper) }
      }
    }
  }
}
