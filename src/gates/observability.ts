// Gate `observability` (docs/rules.md rule 4): every observability toggle ships false,
// because a fresh cluster has no monitoring.coreos.com/v1 CRDs.
//
// Toggles: every boolean of values.yaml at a path ending `<monitor>.enabled` or
// `<monitor>.create`, monitor ∈ serviceMonitor, podMonitor, prometheusRule,
// metrics, prometheus, monitoring, tracing (any case, any depth, the upstream's
// values included); plus the `observability-toggles` input's paths, minus its
// `!path` exclusions (`*` matches one segment).
//
// Cases:
//  1. the default render (shared with the other gates) has no monitoring.coreos.com
//     document and no mention of monitoring.coreos.com at all;
//  2. per toggle: `--set <toggle>=true` with the monitoring API present renders;
//     a serviceMonitor / podMonitor / prometheusRule toggle that then produces no
//     monitoring.coreos.com document is reported as a warning (it may configure an
//     operator instead, e.g. CNPG's enablePodMonitor);
//  3. one render with every toggle `false` and the API present: renders, and
//     produces no monitoring.coreos.com document.
// "Produced by a toggle" = monitoring documents of its case-2 render that the
// case-3 render does not have.
import type { Finding, RenderedDocument, StepResult } from '../types.js'
import type { YamlSource } from '../chart/yaml-source.js'
import type { ToggleOverrides } from '../inputs/inputs.js'
import {
  helmErrorLine,
  nestedYaml,
  parseDottedPath,
  repoFileForSource,
  setPath,
  statusOf,
  templateLocation,
  valueAt,
  walkValues,
  type ValuePath
} from './common.js'
import { skippedStep, wall, type Gate, type RenderOutcome } from './contract.js'
import { planCaseRenders } from './merged-render.js'

export type { RenderOutcome } from './contract.js'

const MONITORING_GROUP = 'monitoring.coreos.com'

/** `--api-versions` flags that make `.Capabilities.APIVersions.Has` see the prometheus-operator API. */
const MONITORING_API_ARGS: readonly string[] = [
  '--api-versions',
  'monitoring.coreos.com/v1',
  '--api-versions',
  'monitoring.coreos.com/v1/ServiceMonitor',
  '--api-versions',
  'monitoring.coreos.com/v1/PodMonitor',
  '--api-versions',
  'monitoring.coreos.com/v1/PrometheusRule'
]

const MONITOR_KEYS = new Set([
  'servicemonitor',
  'podmonitor',
  'prometheusrule',
  'metrics',
  'prometheus',
  'monitoring',
  'tracing'
])
/** Toggles of these keys exist to render a monitoring.coreos.com resource. */
const RESOURCE_KEYS = new Set(['servicemonitor', 'podmonitor', 'prometheusrule'])
const SWITCH_KEYS = new Set(['enabled', 'create'])

export interface Toggle {
  path: ValuePath
  /** As `--set` reads it, e.g. `temporal.server.metrics.serviceMonitor.enabled`. */
  key: string
  /** The value in values.yaml (undefined for an input path values.yaml lacks). */
  default: unknown
  origin: 'values' | 'input'
  /** serviceMonitor/podMonitor/prometheusRule toggles are expected to render a monitoring.coreos.com resource. */
  expectsResource: boolean
}

function isToggleKey(valuePath: ValuePath): { toggle: boolean; expectsResource: boolean } {
  const last = valuePath[valuePath.length - 1]
  const monitor = valuePath[valuePath.length - 2]
  if (typeof last !== 'string' || typeof monitor !== 'string') return { toggle: false, expectsResource: false }
  const m = monitor.toLowerCase()
  return { toggle: SWITCH_KEYS.has(last.toLowerCase()) && MONITOR_KEYS.has(m), expectsResource: RESOURCE_KEYS.has(m) }
}

function matchesPattern(valuePath: ValuePath, pattern: ValuePath): boolean {
  if (pattern.length !== valuePath.length) return false
  return pattern.every((segment, i) => segment === '*' || String(segment) === String(valuePath[i]))
}

/** Pure: the toggles of a values tree, with the input's includes and excludes applied. */
export function discoverToggles(values: unknown, overrides: ToggleOverrides = { include: [], exclude: [] }): Toggle[] {
  const found: Toggle[] = []
  walkValues(values, (key, value, at) => {
    if (typeof value !== 'boolean') return
    const here = [...at, key]
    const kind = isToggleKey(here)
    if (kind.toggle)
      found.push({
        path: here,
        key: setPath(here),
        default: value,
        origin: 'values',
        expectsResource: kind.expectsResource
      })
  })
  for (const text of overrides.include) {
    const valuePath = parseDottedPath(text.trim())
    if (valuePath.length === 0) continue
    const key = setPath(valuePath)
    if (found.some((t) => t.key === key)) continue
    found.push({
      path: valuePath,
      key,
      default: valueAt(values, valuePath),
      origin: 'input',
      expectsResource: isToggleKey(valuePath).expectsResource
    })
  }
  const excluded = overrides.exclude.map((text) => parseDottedPath(text.trim())).filter((p) => p.length > 0)
  return found.filter((t) => !excluded.some((pattern) => matchesPattern(t.path, pattern)))
}

export interface MonitoringReference {
  /** `# Source:` of the document, when it has one. */
  source?: string
  kind?: string
  name?: string
  /** 1-based line in the render output (for text references). */
  renderLine?: number
  /** `document` for a monitoring.coreos.com resource, `text` for a mention elsewhere. */
  type: 'document' | 'text'
  excerpt?: string
}

function groupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return ''
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? '' : apiVersion.slice(0, slash)
}

function monitoringDocuments(docs: readonly RenderedDocument[]): RenderedDocument[] {
  return docs.filter((d) => groupOf(d.apiVersion) === MONITORING_GROUP)
}

/**
 * Pure (case 1): monitoring.coreos.com resources of a render, and every other
 * mention of `monitoring.coreos.com` in its text (outside those resources),
 * with the template it came from.
 */
export function monitoringReferences(renderText: string, docs: readonly RenderedDocument[]): MonitoringReference[] {
  const refs: MonitoringReference[] = []
  const docSources = new Set<string>()
  for (const doc of monitoringDocuments(docs)) {
    const ref: MonitoringReference = { type: 'document' }
    if (doc.source !== undefined) {
      ref.source = doc.source
      docSources.add(doc.source)
    }
    if (doc.kind !== undefined) ref.kind = doc.kind
    if (doc.name !== undefined) ref.name = doc.name
    refs.push(ref)
  }
  let source: string | undefined
  const lines = renderText.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (/^---(\s|$)/.test(line)) {
      source = undefined
      continue
    }
    const sourceMatch = /^#\s*Source:\s*(.+?)\s*$/.exec(line)
    if (sourceMatch) {
      source = sourceMatch[1]
      continue
    }
    if (!line.includes(MONITORING_GROUP)) continue
    if (source !== undefined && docSources.has(source)) continue
    const ref: MonitoringReference = { type: 'text', renderLine: i + 1, excerpt: line.trim().slice(0, 200) }
    if (source !== undefined) ref.source = source
    refs.push(ref)
    // One mention per template is enough to point at it.
    if (source !== undefined) docSources.add(source)
  }
  return refs
}

function resourceKey(doc: RenderedDocument): string {
  return `${doc.kind ?? '?'}/${doc.name ?? '?'}${doc.source ? ` (${doc.source})` : ''}`
}

// ------------------------------------------------------------------ step

interface ToggleData {
  path: string
  line?: number
  default: unknown
  origin: 'values' | 'input'
  expectsResource: boolean
  case2: {
    ok: boolean
    /** monitoring.coreos.com kinds the toggle produced (not in the case-3 render). */
    kinds: string[]
    resources: string[]
    /** False when the render is the same as with every toggle off. */
    changesRender?: boolean
    error?: string
  }
  /** The all-off render (case 3) rendered and had no monitoring.coreos.com resource. */
  case3Ok: boolean
}

export interface ObservabilityData {
  toggles: ToggleData[]
  case1: { ok: boolean; references: MonitoringReference[] }
  case3?: { ok: boolean; resources: string[]; error?: string }
}

export interface ObservabilityInput {
  toggles: Toggle[]
  values: YamlSource<Record<string, unknown>>
  chartName: string
  displayChartDir: string
  defaultRender: RenderOutcome
  case2: RenderOutcome[]
  case3?: RenderOutcome
  durationMs: number
}

function renderErrorFinding(
  rule: string,
  what: string,
  outcome: RenderOutcome,
  input: ObservabilityInput,
  fallback: { file?: string; line?: number }
): Finding {
  const error = helmErrorLine(outcome.result.stderr, outcome.result.stdout)
  const finding: Finding = { rule, severity: 'error', message: `${what} fails: ${error}` }
  const at = templateLocation(error, input.chartName)
  const file = at ? repoFileForSource(at.source, input.chartName, input.displayChartDir) : undefined
  if (file && at) {
    finding.file = file
    finding.line = at.line
  } else if (fallback.file) {
    finding.file = fallback.file
    if (fallback.line !== undefined) finding.line = fallback.line
  }
  return finding
}

export function observabilityStep(input: ObservabilityInput): StepResult<ObservabilityData> {
  const { values, chartName, displayChartDir } = input
  const findings: Finding[] = []
  const valuesFile = values.displayPath

  // Case 1: the default render.
  const references = monitoringReferences(input.defaultRender.result.stdout, input.defaultRender.documents)
  for (const ref of references) {
    const file = repoFileForSource(ref.source, chartName, displayChartDir)
    const where = ref.source ?? 'the render'
    const finding: Finding =
      ref.type === 'document'
        ? {
            rule: 'observability-default-off',
            severity: 'error',
            message: `The default render has a ${MONITORING_GROUP} resource ${ref.kind ?? '?'}/${ref.name ?? '?'} from ${where}: a fresh cluster has no such CRD.`,
            fix: 'Render it only when its toggle is true (default false) and `.Capabilities.APIVersions.Has "monitoring.coreos.com/v1"`.'
          }
        : {
            rule: 'observability-default-off',
            severity: 'error',
            message: `The default render mentions ${MONITORING_GROUP} in ${where} (render line ${ref.renderLine}): ${ref.excerpt ?? ''}`,
            fix: 'Guard it with an observability toggle that defaults to false.'
          }
    if (file) finding.file = file
    findings.push(finding)
  }

  // Case 3: one render with every toggle off and the API present.
  const case3 = input.case3
  let baseline = new Set<string>()
  let case3Data: ObservabilityData['case3']
  if (case3) {
    if (case3.result.exitCode !== 0) {
      const finding = renderErrorFinding(
        'observability-explicit-off',
        'Rendering with every observability toggle false and the monitoring API present',
        case3,
        input,
        { file: valuesFile }
      )
      findings.push(finding)
      case3Data = { ok: false, resources: [], error: helmErrorLine(case3.result.stderr, case3.result.stdout) }
    } else {
      const monitors = monitoringDocuments(case3.documents)
      baseline = new Set(monitors.map(resourceKey))
      for (const doc of monitors) {
        const finding: Finding = {
          rule: 'observability-explicit-off',
          severity: 'error',
          message: `With every observability toggle false and the monitoring API present, the render still has ${resourceKey(doc)}.`,
          fix: 'Guard the resource with its toggle, not only with `.Capabilities.APIVersions.Has`.'
        }
        const file = repoFileForSource(doc.source, chartName, displayChartDir)
        if (file) finding.file = file
        findings.push(finding)
      }
      case3Data = { ok: monitors.length === 0, resources: monitors.map(resourceKey) }
    }
  }

  const toggles: ToggleData[] = input.toggles.map((toggle, i) => {
    const line = values.lineOf(toggle.path)
    const at: { file: string; line?: number } = { file: valuesFile }
    if (line !== undefined) at.line = line
    if (toggle.default === true) {
      findings.push({
        rule: 'observability-default-off',
        severity: 'error',
        message: `Observability toggle ${toggle.key} defaults to true: a fresh cluster has no ${MONITORING_GROUP}/v1 CRDs.`,
        fix: `Set \`${toggle.key}: false\`; clusters with the CRDs opt in.`,
        snippet: { language: 'yaml', label: `in ${valuesFile}:`, text: nestedYaml(toggle.path, 'false') },
        ...at
      })
    }
    const outcome = input.case2[i]
    const data: ToggleData = {
      path: toggle.key,
      default: toggle.default,
      origin: toggle.origin,
      expectsResource: toggle.expectsResource,
      case2: { ok: false, kinds: [], resources: [] },
      case3Ok: case3Data?.ok ?? false
    }
    if (line !== undefined) data.line = line
    if (!outcome) return data
    if (outcome.result.exitCode !== 0) {
      findings.push(
        renderErrorFinding(
          'observability-opt-in',
          `Opting in (--set ${toggle.key}=true with the monitoring API present)`,
          outcome,
          input,
          at
        )
      )
      data.case2.error = helmErrorLine(outcome.result.stderr, outcome.result.stdout)
      return data
    }
    const produced = monitoringDocuments(outcome.documents).filter((d) => !baseline.has(resourceKey(d)))
    data.case2.ok = true
    data.case2.kinds = [...new Set(produced.map((d) => d.kind ?? '?'))].sort()
    data.case2.resources = produced.map(resourceKey)
    if (case3 && case3.result.exitCode === 0) data.case2.changesRender = outcome.result.stdout !== case3.result.stdout
    if (toggle.expectsResource && produced.length === 0) {
      const unchanged = data.case2.changesRender === false
      findings.push({
        rule: 'observability-opt-in',
        severity: 'warning',
        message:
          `Opting in to ${toggle.key} (with the monitoring API present) renders no ${MONITORING_GROUP} resource` +
          (unchanged
            ? ': the render does not change at all.'
            : ' (it changes the render: it may configure an operator instead).'),
        fix: unchanged
          ? 'Check the template condition that reads this toggle, or list it as `!path` in observability-toggles if it is not a toggle.'
          : 'If the toggle only configures an operator (e.g. CNPG enablePodMonitor), this is expected; otherwise check the template.',
        ...at
      })
    }
    return data
  })

  const data: ObservabilityData = { toggles, case1: { ok: references.length === 0, references } }
  if (case3Data) data.case3 = case3Data
  const status = statusOf(findings)
  const defaultsTrue = toggles.filter((t) => t.default === true).length
  const produced = toggles.filter((t) => t.case2.resources.length > 0).length
  const parts = [`${toggles.length} toggle${toggles.length === 1 ? '' : 's'}`]
  if (defaultsTrue > 0) parts.push(`${defaultsTrue} default true`)
  parts.push(
    references.length === 0
      ? 'default render clean'
      : `default render has ${references.length} monitoring reference${references.length === 1 ? '' : 's'}`
  )
  if (toggles.length > 0) parts.push(`${produced} of ${toggles.length} render a monitoring resource when on`)
  if (case3Data) parts.push(case3Data.ok ? 'all-off clean' : 'all-off not clean')
  return {
    id: 'observability',
    title: 'Observability toggles',
    status,
    durationMs: input.durationMs,
    summary: parts.join(', '),
    findings,
    data
  }
}

/** `--set` arguments of case 2 (one toggle on) and case 3 (every toggle off), after the run's own values. */
export function case2Args(toggle: Toggle): string[] {
  return ['--set', `${toggle.key}=true`, ...MONITORING_API_ARGS]
}

export function case3Args(toggles: readonly Toggle[]): string[] {
  return [...toggles.flatMap((t) => ['--set', `${t.key}=false`]), ...MONITORING_API_ARGS]
}

/**
 * The gate: cases 2 and 3 as one merged render when they can be
 * (gates/merged-render.ts), case 1 on the shared default render.
 */
export const observabilityGate: Gate = {
  id: 'observability',
  async plan(pc) {
    const { ctx } = pc
    const toggles = discoverToggles(ctx.values.data, ctx.toggles)
    const cases = [
      ...toggles.map((toggle, i) => ({ id: `case2:${i}`, set: [`${toggle.key}=true`] })),
      { id: 'case3', set: toggles.map((t) => `${t.key}=false`) }
    ]
    const renders = await planCaseRenders(pc, cases, MONITORING_API_ARGS, MONITORING_GROUP)
    return {
      jobs: renders.jobs,
      finish() {
        const defaultRender = pc.defaultRender.get()
        if (defaultRender.result.exitCode !== 0)
          return { step: skippedStep('observability', 'Observability toggles', 'skipped: the default render failed') }
        const case2 = toggles.map((_, i) => renders.get(i))
        const case3 = renders.get(toggles.length)
        const step = observabilityStep({
          toggles,
          values: ctx.values,
          chartName: ctx.chartName,
          displayChartDir: ctx.displayChartDir,
          defaultRender,
          case2,
          case3,
          durationMs: wall([defaultRender.span, case3.span, ...case2.map((r) => r.span)])
        })
        return { step }
      }
    }
  }
}
