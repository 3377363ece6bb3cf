// Gate `observability` (docs/rules.md rule 4): every observability toggle ships false,
// because a fresh cluster has no monitoring.coreos.com/v1 CRDs.
//
// What breaks a fresh cluster is a *resource* of that API (its apiVersion is
// `monitoring.coreos.com/*`), so that is what is judged. Which values are
// observability toggles is learned from renders, not from key names:
//
// Probed values: every boolean of values.yaml whose key names a monitor
// (`<monitor>.enabled`, `<monitor>.create`, `<monitor>Enabled`, `enable<Monitor>`,
// `create<Monitor>`, monitor ∈ serviceMonitor, podMonitor, prometheusRule, metrics,
// prometheus, monitoring, tracing; any case, any depth, the upstream's values
// included); plus the `observability-toggles` input's paths, minus its `!path`
// exclusions (`*` matches one segment). Each is switched on in a render of its own
// (case 2) together with its enabling flags: every `<parent>.enabled` along its path
// that is false in values.yaml or, below a dependency's key, in that dependency's
// default values (cert-manager's `prometheus.servicemonitor.enabled` needs
// `prometheus.enabled`), as a user opting in would, and with the probed values below
// it that default to true held false (a `<x>.enabled` is judged on its own, not by
// what its sub-toggles render). A probed value is an observability toggle when that
// render has a monitoring.coreos.com resource of its own: one the all-off render
// (case 3) and its enabling flags' own renders do not have; for a value that defaults
// to true, one its render switched off does not have. `metrics.enabled: true` that
// only opens a metrics port is not a toggle.
//
// Cases:
//  1. the default render (shared with the other gates) has no monitoring.coreos.com
//     resource (an error); the group's name elsewhere (an operator's ClusterRole
//     granting it, a CRD's description) is a notice;
//  2. per probed value: switched on with its enabling flags, the monitoring API present,
//     it renders; a toggle that defaults to true is an error. A value named for a
//     monitor resource (serviceMonitor, podMonitor, prometheusRule) that renders none
//     is a warning, unless it changes a custom resource of another API (it configures
//     an operator, e.g. CNPG's enablePodMonitor, which renders the monitor itself: a notice);
//  3. one render with every probed value `false` and the API present: renders, and
//     produces no monitoring.coreos.com resource.
import type { Finding, RenderedDocument, StepResult } from '../types.js'
import type { YamlSource } from '../chart/yaml-source.js'
import type { ToggleOverrides } from '../inputs/inputs.js'
import { parseRenderDetailed, splitRenderBySource } from '../helm/render.js'
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
import { loadDependencyValues } from './dependency-values.js'
import { planCaseRenders, type RenderCase } from './merged-render.js'

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

const MONITOR_KEYS = [
  'servicemonitor',
  'podmonitor',
  'prometheusrule',
  'metrics',
  'prometheus',
  'monitoring',
  'tracing'
]
/** Values named for these exist to render a monitoring.coreos.com resource. */
const RESOURCE_KEYS = new Set(['servicemonitor', 'podmonitor', 'prometheusrule'])
const SWITCH_KEYS = new Set(['enabled', 'create'])
/** `podMonitorEnabled`, `serviceMonitorCreate`, `enablePodMonitor`, `createServiceMonitor` (lower-cased). */
const COMPOUND_KEY = new RegExp(
  `^(?:(?:enable|create)(${MONITOR_KEYS.join('|')})|(${MONITOR_KEYS.join('|')})(?:enabled|create))$`
)

/** A `<parent>.enabled` along a toggle's path. */
export interface EnablingFlag {
  path: ValuePath
  /** As `--set` reads it. */
  key: string
}

export interface Toggle {
  path: ValuePath
  /** As `--set` reads it, e.g. `temporal.server.metrics.serviceMonitor.enabled`. */
  key: string
  /** The value in values.yaml (undefined for an input path values.yaml lacks). */
  default: unknown
  origin: 'values' | 'input'
  /** Named for a monitor resource (serviceMonitor/podMonitor/prometheusRule): expected to render one. */
  expectsResource: boolean
  /** `<parent>.enabled` flags along the path that are false: switched on with it in its opt-in render. */
  enabling: EnablingFlag[]
  /** `<parent>.enabled` along the path that holds no boolean (a list, a string, null): left as it is. */
  notSwitchable: string[]
  /**
   * For a `<x>.enabled`: the probed values below `<x>` that default to true, held false in its renders, so that
   * what it is judged by is what it renders on its own, not what its sub-toggles render.
   */
  heldOff: string[]
}

function toggleKind(valuePath: ValuePath): { toggle: boolean; expectsResource: boolean } {
  const last = valuePath[valuePath.length - 1]
  if (typeof last !== 'string') return { toggle: false, expectsResource: false }
  const parent = valuePath[valuePath.length - 2]
  const p = typeof parent === 'string' ? parent.toLowerCase() : ''
  if (SWITCH_KEYS.has(last.toLowerCase()) && MONITOR_KEYS.includes(p))
    return { toggle: true, expectsResource: RESOURCE_KEYS.has(p) }
  const compound = COMPOUND_KEY.exec(last.toLowerCase())
  if (compound) return { toggle: true, expectsResource: RESOURCE_KEYS.has(compound[1] ?? compound[2]) }
  return { toggle: false, expectsResource: false }
}

function matchesPattern(valuePath: ValuePath, pattern: ValuePath): boolean {
  if (pattern.length !== valuePath.length) return false
  return pattern.every((segment, i) => segment === '*' || String(segment) === String(valuePath[i]))
}

/** A value as helm sees it by default: values.yaml, else (below a dependency's key) the dependency's default. */
export type ValueLookup = (valuePath: ValuePath) => unknown

/**
 * Pure: the `<parent>.enabled` flags along a value's path (the value itself left
 * out): false ones are switched on with it; non-booleans are named, never set.
 */
export function enablingFlags(
  valuePath: ValuePath,
  lookup: ValueLookup
): { enabling: EnablingFlag[]; notSwitchable: string[] } {
  const enabling: EnablingFlag[] = []
  const notSwitchable: string[] = []
  const own = setPath(valuePath)
  for (let depth = 1; depth < valuePath.length; depth++) {
    const flag = [...valuePath.slice(0, depth), 'enabled']
    const key = setPath(flag)
    if (key === own) continue
    const value = lookup(flag)
    if (value === false) enabling.push({ path: flag, key })
    else if (value !== undefined && typeof value !== 'boolean') notSwitchable.push(key)
  }
  return { enabling, notSwitchable }
}

/**
 * Pure: the values to probe in a values tree, with the input's includes and
 * excludes applied, and the enabling flags of each (`lookup`: the default values
 * helm sees, values.yaml over the dependencies' defaults; values.yaml alone when not given).
 */
export function discoverToggles(
  values: unknown,
  overrides: ToggleOverrides = { include: [], exclude: [] },
  lookup: ValueLookup = (p) => valueAt(values, p)
): Toggle[] {
  const found: Toggle[] = []
  const add = (valuePath: ValuePath, value: unknown, origin: Toggle['origin']): void => {
    found.push({
      path: valuePath,
      key: setPath(valuePath),
      default: value,
      origin,
      expectsResource: toggleKind(valuePath).expectsResource,
      ...enablingFlags(valuePath, lookup),
      heldOff: []
    })
  }
  walkValues(values, (key, value, at) => {
    if (typeof value !== 'boolean') return
    const here = [...at, key]
    if (toggleKind(here).toggle) add(here, value, 'values')
  })
  for (const text of overrides.include) {
    const valuePath = parseDottedPath(text.trim())
    if (valuePath.length === 0) continue
    if (found.some((t) => t.key === setPath(valuePath))) continue
    add(valuePath, valueAt(values, valuePath), 'input')
  }
  const excluded = overrides.exclude.map((text) => parseDottedPath(text.trim())).filter((p) => p.length > 0)
  const probed = found.filter((t) => !excluded.some((pattern) => matchesPattern(t.path, pattern)))
  for (const toggle of probed)
    toggle.heldOff = probed.filter((t) => t.default === true && isBelow(t.path, toggle.path)).map((t) => t.key)
  return probed
}

/** Whether `valuePath` lies below `<x>` of a flag `<x>.enabled` (deeper than the flag itself). */
function isBelow(valuePath: ValuePath, flag: ValuePath): boolean {
  if (flag[flag.length - 1] !== 'enabled' || valuePath.length <= flag.length) return false
  return flag.slice(0, -1).every((segment, i) => segment === valuePath[i])
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
 * A custom resource of an operator: an API group with a dot outside Kubernetes'
 * own (`*.k8s.io`) and outside monitoring.coreos.com, e.g. `postgresql.cnpg.io`.
 */
function isOperatorResource(apiVersion: string | undefined): boolean {
  const group = groupOf(apiVersion)
  return group.includes('.') && !group.endsWith('.k8s.io') && group !== MONITORING_GROUP
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

/**
 * Pure: the operators' custom resources (isOperatorResource) that differ between
 * two renders of the chart: in `on` and not, as they are there, in `off`.
 */
export function changedOperatorResources(on: string, off: string): string[] {
  const offChunks = new Map<string, number>()
  for (const chunk of splitRenderBySource(off)) offChunks.set(chunk.text, (offChunks.get(chunk.text) ?? 0) + 1)
  const changed: string[] = []
  for (const chunk of splitRenderBySource(on)) {
    const left = offChunks.get(chunk.text) ?? 0
    if (left > 0) offChunks.set(chunk.text, left - 1)
    else changed.push(chunk.text)
  }
  return parseRenderDetailed(changed.join(''))
    .documents.filter((d) => isOperatorResource(d.apiVersion))
    .map((d) => `${d.kind ?? '?'}/${d.name ?? '?'} (${d.apiVersion ?? '?'})`)
}

// ------------------------------------------------------------------ step

interface ToggleData {
  path: string
  line?: number
  default: unknown
  origin: 'values' | 'input'
  expectsResource: boolean
  /** The enabling flags switched on with it in its opt-in render (`<parent>.enabled` that were false). */
  enabling: string[]
  /** `<parent>.enabled` along its path that hold no boolean: left as they are. */
  notSwitchable?: string[]
  /** Probed values below it that default to true, held false in its renders (it is judged on its own). */
  heldOff?: string[]
  /**
   * Learned from the renders: switched on, it renders a monitoring.coreos.com resource of its own (an
   * observability toggle). Undefined when its render failed.
   */
  rendersMonitor?: boolean
  case2: {
    ok: boolean
    /** monitoring.coreos.com kinds the toggle produced (not in the render it is compared with). */
    kinds: string[]
    resources: string[]
    /** False when the render is the same as the one it is compared with (all off; for a default true, itself off). */
    changesRender?: boolean
    /** Operators' custom resources it changes, when it renders no monitor (it configures an operator). */
    configures?: string[]
    error?: string
  }
  /** The all-off render (case 3) rendered and had no monitoring.coreos.com resource. */
  case3Ok: boolean
}

export interface ObservabilityData {
  toggles: ToggleData[]
  /** ok: no monitoring.coreos.com resource (mentions elsewhere are notices). */
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
  /**
   * For a toggle that defaults to true (by index of `toggles`): its render with it switched off (its enabling
   * flags on), which its opt-in render is compared with.
   */
  switchedOff?: ReadonlyMap<number, RenderOutcome>
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

const code = (text: string): string => `\`${text}\``
const list = (keys: readonly string[]): string => keys.map(code).join(', ')

function case1Findings(input: ObservabilityInput, references: readonly MonitoringReference[]): Finding[] {
  return references.map((ref) => {
    const file = repoFileForSource(ref.source, input.chartName, input.displayChartDir)
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
            severity: 'notice',
            message:
              `The default render names ${MONITORING_GROUP} in ${where} (render line ${ref.renderLine}), outside any resource of that API: ` +
              `${ref.excerpt ?? ''}. Not judged: only a resource of the API needs its CRDs (an operator's RBAC rule granting the group is fine).`
          }
    if (file) finding.file = file
    return finding
  })
}

export function observabilityStep(input: ObservabilityInput): StepResult<ObservabilityData> {
  const { values } = input
  const valuesFile = values.displayPath

  // Case 1: the default render.
  const references = monitoringReferences(input.defaultRender.result.stdout, input.defaultRender.documents)
  const findings: Finding[] = case1Findings(input, references)

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
        const file = repoFileForSource(doc.source, input.chartName, input.displayChartDir)
        if (file) finding.file = file
        findings.push(finding)
      }
      case3Data = { ok: monitors.length === 0, resources: monitors.map(resourceKey) }
    }
  }

  // The monitors of each opt-in render, and what each is compared with: the all-off render, or for a toggle
  // that defaults to true its own render switched off; minus what its enabling flags render on their own.
  const monitorsOf = (outcome: RenderOutcome | undefined): Set<string> =>
    new Set(outcome && outcome.result.exitCode === 0 ? monitoringDocuments(outcome.documents).map(resourceKey) : [])
  const indexByKey = new Map(input.toggles.map((t, i) => [t.key, i]))
  const reference = (i: number): RenderOutcome | undefined => input.switchedOff?.get(i) ?? case3
  const own = (i: number): RenderedDocument[] => {
    const outcome = input.case2[i]
    const compared = input.switchedOff?.has(i) ? monitorsOf(input.switchedOff.get(i)) : baseline
    const fromFlags = input.toggles[i].enabling.flatMap((flag) => {
      const j = indexByKey.get(flag.key)
      return j === undefined ? [] : [...monitorsOf(input.case2[j])]
    })
    return monitoringDocuments(outcome.documents).filter(
      (d) => !compared.has(resourceKey(d)) && !fromFlags.includes(resourceKey(d))
    )
  }

  const toggles: ToggleData[] = input.toggles.map((toggle, i) => {
    const line = values.lineOf(toggle.path)
    const at: { file: string; line?: number } = { file: valuesFile }
    if (line !== undefined) at.line = line
    const enabling = toggle.enabling.map((f) => f.key)
    const alongside = [...enabling.map((k) => `${k}=true`), ...toggle.heldOff.map((k) => `${k}=false`)]
    const withFlags = alongside.length > 0 ? ` with ${list(alongside)}` : ''
    const outcome = input.case2[i]
    const data: ToggleData = {
      path: toggle.key,
      default: toggle.default,
      origin: toggle.origin,
      expectsResource: toggle.expectsResource,
      enabling,
      case2: { ok: false, kinds: [], resources: [] },
      case3Ok: case3Data?.ok ?? false
    }
    if (toggle.notSwitchable.length > 0) data.notSwitchable = toggle.notSwitchable
    if (toggle.heldOff.length > 0) data.heldOff = toggle.heldOff
    if (line !== undefined) data.line = line
    if (!outcome) return data
    if (outcome.result.exitCode !== 0) {
      findings.push(
        renderErrorFinding(
          'observability-opt-in',
          `Opting in (--set ${toggle.key}=true${withFlags}, the monitoring API present)`,
          outcome,
          input,
          at
        )
      )
      data.case2.error = helmErrorLine(outcome.result.stderr, outcome.result.stdout)
      return data
    }
    const produced = own(i)
    data.rendersMonitor = produced.length > 0
    data.case2.ok = true
    data.case2.kinds = [...new Set(produced.map((d) => d.kind ?? '?'))].sort()
    data.case2.resources = produced.map(resourceKey)
    const compared = reference(i)
    if (compared && compared.result.exitCode === 0) {
      data.case2.changesRender = outcome.result.stdout !== compared.result.stdout
      if (!data.rendersMonitor && toggle.expectsResource && data.case2.changesRender) {
        const configures = changedOperatorResources(outcome.result.stdout, compared.result.stdout)
        if (configures.length > 0) data.case2.configures = configures
      }
    }
    if (data.rendersMonitor && toggle.default === true) {
      findings.push({
        rule: 'observability-default-off',
        severity: 'error',
        message: `Observability toggle ${toggle.key} defaults to true: switched on (with the monitoring API present) it renders ${list(data.case2.resources)}, and a fresh cluster has no ${MONITORING_GROUP}/v1 CRDs.`,
        fix: `Set \`${toggle.key}: false\`; clusters with the CRDs opt in.`,
        snippet: { language: 'yaml', label: `in ${valuesFile}:`, text: nestedYaml(toggle.path, 'false') },
        ...at
      })
    }
    if (!data.rendersMonitor && toggle.expectsResource) findings.push(noMonitorFinding(toggle, data, withFlags, at))
    return data
  })

  const data: ObservabilityData = {
    toggles,
    case1: { ok: references.every((r) => r.type !== 'document'), references }
  }
  if (case3Data) data.case3 = case3Data
  const step: StepResult<ObservabilityData> = {
    id: 'observability',
    title: 'Observability toggles',
    status: statusOf(findings),
    durationMs: input.durationMs,
    summary: summaryOf(toggles, references, case3Data),
    findings,
    data
  }
  if (toggles.length > 0) step.details = detailsOf(toggles)
  return step
}

/** A value named for a monitor resource that renders none when switched on: a notice when it configures an operator, else a warning. */
function noMonitorFinding(
  toggle: Toggle,
  data: ToggleData,
  withFlags: string,
  at: { file: string; line?: number }
): Finding {
  const opted = `Opting in to ${toggle.key}${withFlags} (the monitoring API present) renders no ${MONITORING_GROUP} resource`
  const configures = data.case2.configures ?? []
  if (configures.length > 0)
    return {
      rule: 'observability-opt-in',
      severity: 'notice',
      message: `${opted}; it changes ${list(configures)}: it configures an operator, which renders the monitor itself. Expected.`,
      ...at
    }
  const notSwitchable =
    toggle.notSwitchable.length > 0
      ? ` Its path also has ${list(toggle.notSwitchable)}, which holds no boolean: the action leaves it as it is.`
      : ''
  return {
    rule: 'observability-opt-in',
    severity: 'warning',
    message:
      `${opted}` + (data.case2.changesRender === false ? ': the render does not change at all.' : '.') + notSwitchable,
    fix:
      'Check the template condition that reads this toggle. If it needs another value to render its monitor, give that value with the `set` input or a `values` file; ' +
      'if it is not an observability toggle, list it as `!path` in observability-toggles.',
    ...at
  }
}

function summaryOf(
  toggles: readonly ToggleData[],
  references: readonly MonitoringReference[],
  case3: ObservabilityData['case3']
): string {
  const resources = references.filter((r) => r.type === 'document').length
  const mentions = references.length - resources
  const monitors = toggles.filter((t) => t.rendersMonitor === true)
  const defaultsTrue = monitors.filter((t) => t.default === true).length
  const parts = [`${toggles.length} value${toggles.length === 1 ? '' : 's'} probed`]
  if (defaultsTrue > 0) parts.push(`${defaultsTrue} toggle${defaultsTrue === 1 ? '' : 's'} default true`)
  parts.push(
    resources === 0
      ? 'default render clean'
      : `default render has ${resources} monitoring resource${resources === 1 ? '' : 's'}`
  )
  if (mentions > 0) parts.push(`${mentions} mention${mentions === 1 ? '' : 's'} of ${MONITORING_GROUP} elsewhere`)
  if (toggles.length > 0) {
    const paired = monitors.filter((t) => t.enabling.length > 0).length
    parts.push(
      `${monitors.length} of ${toggles.length} render a monitoring resource when on` +
        (paired > 0 ? ` (${paired} with ${paired === 1 ? 'its' : 'their'} enabling flags)` : '')
    )
  }
  if (case3) parts.push(case3.ok ? 'all-off clean' : 'all-off not clean')
  return parts.join(', ')
}

/** One line per probed value: what its opt-in render set and produced (the flags it switched on said here). */
function detailsOf(toggles: readonly ToggleData[]): string {
  const lines = toggles.map((t) => {
    const set = [
      `${t.path}=true`,
      ...t.enabling.map((k) => `${k}=true`),
      ...(t.heldOff ?? []).map((k) => `${k}=false`)
    ].join(' ')
    const verdict =
      t.case2.error !== undefined
        ? `fails: ${t.case2.error}`
        : t.rendersMonitor
          ? `renders ${t.case2.resources.join(', ')}`
          : t.case2.configures
            ? `no monitoring resource; configures ${t.case2.configures.join(', ')}`
            : `no monitoring resource: not an observability toggle`
    return `--set ${set}: ${verdict}`
  })
  return [`Opt-in renders (case 2), each with the ${MONITORING_GROUP} API present:`, ...lines].join('\n')
}

/** `--set` arguments of case 2 (one toggle on, with its enabling flags) and case 3 (every toggle off), after the run's own values. */
export function case2Args(toggle: Toggle): string[] {
  return [...caseSet(toggle, true).flatMap((s) => ['--set', s]), ...MONITORING_API_ARGS]
}

export function case3Args(toggles: readonly Toggle[]): string[] {
  return [...toggles.flatMap((t) => ['--set', `${t.key}=false`]), ...MONITORING_API_ARGS]
}

/** A value switched on or off, with its enabling flags on and the default-true values below it held off. */
function caseSet(toggle: Toggle, on: boolean): string[] {
  return [
    ...toggle.enabling.map((f) => `${f.key}=true`),
    `${toggle.key}=${on}`,
    ...toggle.heldOff.map((key) => `${key}=false`)
  ]
}

/**
 * Pure: the renders the gate needs: each probed value on (with its enabling flags), every value off, and for a
 * value that defaults to true, itself off (with its enabling flags on). `switchedOff` maps a toggle's index to its
 * case's index.
 */
export function observabilityCases(toggles: readonly Toggle[]): {
  cases: RenderCase[]
  switchedOff: Map<number, number>
} {
  const cases: RenderCase[] = [
    ...toggles.map((toggle, i) => ({ id: `case2:${i}`, set: caseSet(toggle, true) })),
    { id: 'case3', set: toggles.map((t) => `${t.key}=false`) }
  ]
  const switchedOff = new Map<number, number>()
  toggles.forEach((toggle, i) => {
    if (toggle.default !== true) return
    switchedOff.set(i, cases.length)
    cases.push({ id: `case2-off:${i}`, set: caseSet(toggle, false) })
  })
  return { cases, switchedOff }
}

/**
 * The gate: cases 2 and 3 as one merged render when they can be
 * (gates/merged-render.ts), case 1 on the shared default render.
 */
export const observabilityGate: Gate = {
  id: 'observability',
  async plan(pc) {
    const { ctx } = pc
    // Enabling flags below a dependency's key may be set only in its default values.
    const dependencies = await loadDependencyValues(ctx.chartDir)
    const lookup: ValueLookup = (valuePath) => {
      const value = valueAt(ctx.values.data, valuePath)
      const [key, ...rest] = valuePath
      if (value !== undefined || typeof key !== 'string') return value
      return valueAt(dependencies.get(key)?.data, rest)
    }
    const toggles = discoverToggles(ctx.values.data, ctx.toggles, lookup)
    const { cases, switchedOff } = observabilityCases(toggles)
    // Each opt-in render (case 2: one toggle on) is published as it comes in: the schema gate checks its documents.
    const renders = await planCaseRenders(pc, cases, MONITORING_API_ARGS, MONITORING_GROUP, (i, outcome) =>
      i < toggles.length ? pc.optInRenders.publish(outcome) : Promise.resolve()
    )
    return {
      jobs: renders.jobs,
      finish() {
        const defaultRender = pc.defaultRender.get()
        if (defaultRender.result.exitCode !== 0)
          return { step: skippedStep('observability', 'Observability toggles', 'skipped: the default render failed') }
        const case2 = toggles.map((_, i) => renders.get(i))
        const case3 = renders.get(toggles.length)
        const off = new Map([...switchedOff].map(([i, c]) => [i, renders.get(c)]))
        const step = observabilityStep({
          toggles,
          values: ctx.values,
          chartName: ctx.chartName,
          displayChartDir: ctx.displayChartDir,
          defaultRender,
          case2,
          case3,
          switchedOff: off,
          durationMs: wall([
            defaultRender.span,
            case3.span,
            ...case2.map((r) => r.span),
            ...[...off.values()].map((r) => r.span)
          ])
        })
        return { step }
      }
    }
  }
}
