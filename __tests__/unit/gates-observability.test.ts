import { describe, expect, it } from '@jest/globals'
import type { HelmRunResult } from '../../src/helm/helm.js'
import { parseRender } from '../../src/helm/render.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'
import {
  case2Args,
  case3Args,
  changedOperatorResources,
  discoverToggles,
  enablingFlags,
  monitoringReferences,
  observabilityCases,
  observabilityStep,
  type RenderOutcome,
  type Toggle
} from '../../src/gates/observability.js'
import { parseDottedPath, repoFileForSource, setPath, templateLocation, valueAt } from '../../src/gates/common.js'

const VALUES = `temporal:
  server:
    metrics:
      serviceMonitor:
        enabled: false
        interval: 30s
      enabled: true
    replicas:
      - name: a
        prometheus:
          create: false
  web:
    enabled: true
catalystOverlay:
  cnpg:
    podMonitor:
      enabled: false
    monitoring:
      enabled: "false"
  PrometheusRule:
    Enabled: false
  tracing:
    enabled: false
    sampler: 1
  metricsServer:
    enabled: false
  serviceMonitor:
    enabled: false
    create: true
operator:
  monitoring:
    podMonitorEnabled: false
    enablePrometheusRule: false
    metricsEnabled: true
    podMonitorLabels: false
`

describe('discoverToggles', () => {
  const values = parseYamlText<Record<string, unknown>>(VALUES, 'platform/t/chart/values.yaml')

  it('finds boolean <monitor>.enabled / .create and <monitor>Enabled / enable<Monitor> at any depth, case-insensitive, upstream included', () => {
    const toggles = discoverToggles(values.data)
    expect(toggles.map((t) => [t.key, t.default, t.expectsResource])).toEqual([
      ['temporal.server.metrics.serviceMonitor.enabled', false, true],
      ['temporal.server.metrics.enabled', true, false],
      ['temporal.server.replicas[0].prometheus.create', false, false],
      ['catalystOverlay.cnpg.podMonitor.enabled', false, true],
      ['catalystOverlay.PrometheusRule.Enabled', false, true],
      ['catalystOverlay.tracing.enabled', false, false],
      ['catalystOverlay.serviceMonitor.enabled', false, true],
      ['catalystOverlay.serviceMonitor.create', true, true],
      ['operator.monitoring.podMonitorEnabled', false, true],
      ['operator.monitoring.enablePrometheusRule', false, true],
      ['operator.monitoring.metricsEnabled', true, false]
    ])
    // not toggles: web.enabled, a string "false", metricsServer (not a monitor key), podMonitorLabels
    expect(toggles.every((t) => t.origin === 'values')).toBe(true)
  })

  it('adds input paths (with their default when values.yaml has them) and drops exclusions, `*` matching one segment', () => {
    const toggles = discoverToggles(values.data, {
      include: [
        'catalystOverlay.cnpg.monitoring.enabled',
        'extra.grafana.dashboards.enabled',
        'temporal.server.metrics.enabled'
      ],
      exclude: [
        'temporal.server.metrics.enabled',
        'catalystOverlay.*.Enabled',
        'temporal.server.replicas[0].prometheus.create',
        'catalystOverlay.serviceMonitor.create',
        'operator.monitoring.*'
      ]
    })
    expect(toggles.map((t) => [t.key, t.default, t.origin])).toEqual([
      ['temporal.server.metrics.serviceMonitor.enabled', false, 'values'],
      ['catalystOverlay.cnpg.podMonitor.enabled', false, 'values'],
      ['catalystOverlay.tracing.enabled', false, 'values'],
      ['catalystOverlay.serviceMonitor.enabled', false, 'values'],
      ['catalystOverlay.cnpg.monitoring.enabled', 'false', 'input'],
      ['extra.grafana.dashboards.enabled', undefined, 'input']
    ])
  })

  it('names the enabling flags along a path: false ones to switch on, non-booleans left, the value itself never', () => {
    const tree = {
      cm: { prometheus: { enabled: false, servicemonitor: { enabled: false } } },
      cilium: {
        hubble: {
          enabled: true,
          metrics: { enabled: null, serviceMonitor: { enabled: false } },
          relay: { enabled: false, prometheus: { enabled: false, serviceMonitor: { enabled: false, create: false } } }
        }
      }
    }
    const lookup = (p: (string | number)[]): unknown => valueAt(tree, p)
    expect(enablingFlags(['cm', 'prometheus', 'servicemonitor', 'enabled'], lookup)).toEqual({
      enabling: [{ path: ['cm', 'prometheus', 'enabled'], key: 'cm.prometheus.enabled' }],
      notSwitchable: []
    })
    expect(enablingFlags(['cilium', 'hubble', 'metrics', 'serviceMonitor', 'enabled'], lookup)).toEqual({
      enabling: [],
      notSwitchable: ['cilium.hubble.metrics.enabled']
    })
    expect(
      enablingFlags(['cilium', 'hubble', 'relay', 'prometheus', 'serviceMonitor', 'create'], lookup).enabling.map(
        (f) => f.key
      )
    ).toEqual([
      'cilium.hubble.relay.enabled',
      'cilium.hubble.relay.prometheus.enabled',
      'cilium.hubble.relay.prometheus.serviceMonitor.enabled'
    ])
  })

  it('finds enabling flags in the lookup (values.yaml over a dependency default), not only in values.yaml', () => {
    const own = { kc: { metrics: { serviceMonitor: { enabled: false } } } }
    const upstream = { metrics: { enabled: false, serviceMonitor: { enabled: false } } }
    const lookup = (p: (string | number)[]): unknown => valueAt(own, p) ?? valueAt(upstream, p.slice(1))
    expect(discoverToggles(own).map((t) => [t.key, t.enabling.map((f) => f.key)])).toEqual([
      ['kc.metrics.serviceMonitor.enabled', []]
    ])
    expect(discoverToggles(own, undefined, lookup).map((t) => [t.key, t.enabling.map((f) => f.key)])).toEqual([
      ['kc.metrics.serviceMonitor.enabled', ['kc.metrics.enabled']]
    ])
  })

  it('builds the case-2 arguments (enabling flags first) and case-3 arguments with the monitoring API', () => {
    const [toggle] = discoverToggles(values.data)
    const api = [
      '--api-versions',
      'monitoring.coreos.com/v1',
      '--api-versions',
      'monitoring.coreos.com/v1/ServiceMonitor',
      '--api-versions',
      'monitoring.coreos.com/v1/PodMonitor',
      '--api-versions',
      'monitoring.coreos.com/v1/PrometheusRule'
    ]
    expect(case2Args(toggle)).toEqual(['--set', 'temporal.server.metrics.serviceMonitor.enabled=true', ...api])
    const paired = discoverToggles({ a: { metrics: { enabled: false, serviceMonitor: { enabled: false } } } })[1]
    expect(case2Args(paired)).toEqual([
      '--set',
      'a.metrics.enabled=true',
      '--set',
      'a.metrics.serviceMonitor.enabled=true',
      ...api
    ])
    expect(case3Args(discoverToggles(values.data).slice(0, 2)).slice(0, 4)).toEqual([
      '--set',
      'temporal.server.metrics.serviceMonitor.enabled=false',
      '--set',
      'temporal.server.metrics.enabled=false'
    ])
  })

  it('plans a switched-off render for each value that defaults to true, with its enabling flags on', () => {
    const toggles = discoverToggles({
      prometheus: { enabled: false, serviceMonitor: { enabled: true } },
      metrics: { enabled: true }
    })
    expect(toggles.map((t) => t.heldOff)).toEqual([['prometheus.serviceMonitor.enabled'], [], []])
    const { cases, switchedOff } = observabilityCases(toggles)
    expect(cases).toEqual([
      // prometheus.enabled is judged on its own: the default-true monitor below it held off.
      { id: 'case2:0', set: ['prometheus.enabled=true', 'prometheus.serviceMonitor.enabled=false'] },
      { id: 'case2:1', set: ['prometheus.enabled=true', 'prometheus.serviceMonitor.enabled=true'] },
      { id: 'case2:2', set: ['metrics.enabled=true'] },
      {
        id: 'case3',
        set: ['prometheus.enabled=false', 'prometheus.serviceMonitor.enabled=false', 'metrics.enabled=false']
      },
      { id: 'case2-off:1', set: ['prometheus.enabled=true', 'prometheus.serviceMonitor.enabled=false'] },
      { id: 'case2-off:2', set: ['metrics.enabled=false'] }
    ])
    expect([...switchedOff]).toEqual([
      [1, 4],
      [2, 5]
    ])
  })
})

describe('value paths', () => {
  it('escapes keys for --set and parses dotted input paths', () => {
    expect(setPath(['a', 'b.c', 0, 'd'])).toBe('a.b\\.c[0].d')
    expect(parseDottedPath('a.b\\.c[0].d')).toEqual(['a', 'b.c', 0, 'd'])
    expect(parseDottedPath('metrics.enabled')).toEqual(['metrics', 'enabled'])
  })

  it('maps a template of the chart to the repository, not a subchart template', () => {
    expect(repoFileForSource('bp-t/templates/sm.yaml', 'bp-t', 'platform/t/chart')).toBe(
      'platform/t/chart/templates/sm.yaml'
    )
    expect(repoFileForSource('bp-t/charts/temporal/templates/sm.yaml', 'bp-t', 'platform/t/chart')).toBeUndefined()
    expect(repoFileForSource('other/templates/sm.yaml', 'bp-t', 'platform/t/chart')).toBeUndefined()
    expect(templateLocation('execution error at (bp-t/templates/a.yaml:19:56): x is required', 'bp-t')).toEqual({
      source: 'bp-t/templates/a.yaml',
      line: 19
    })
    expect(templateLocation('bp-t/templates/a.yaml:6:15\n  executing', 'bp-t')).toEqual({
      source: 'bp-t/templates/a.yaml',
      line: 6
    })
  })
})

const CLEAN = `---
# Source: bp-t/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    note: plain
`
const WITH_MONITOR = `${CLEAN}---
# Source: bp-t/charts/temporal/templates/server-servicemonitor.yaml
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: temporal-frontend
spec:
  endpoints:
    - port: metrics
---
# Source: bp-t/templates/configmap.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  crds: "needs monitoring.coreos.com/v1"
`

describe('case 1: monitoringReferences', () => {
  it('finds nothing in a clean render', () => {
    expect(monitoringReferences(CLEAN, parseRender(CLEAN))).toEqual([])
  })

  it('finds a monitoring.coreos.com document and a mention elsewhere, with their sources', () => {
    expect(monitoringReferences(WITH_MONITOR, parseRender(WITH_MONITOR))).toEqual([
      {
        type: 'document',
        source: 'bp-t/charts/temporal/templates/server-servicemonitor.yaml',
        kind: 'ServiceMonitor',
        name: 'temporal-frontend'
      },
      {
        type: 'text',
        source: 'bp-t/templates/configmap.yaml',
        renderLine: 25,
        excerpt: 'crds: "needs monitoring.coreos.com/v1"'
      }
    ])
  })

  it('sees a reference even in a document that does not parse as an object of that group', () => {
    const text =
      '---\n# Source: bp-t/templates/x.yaml\n# uses monitoring.coreos.com when present\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n'
    expect(monitoringReferences(text, parseRender(text))).toMatchObject([
      { type: 'text', source: 'bp-t/templates/x.yaml', renderLine: 3 }
    ])
  })
})

function outcome(stdout: string, exitCode = 0, stderr = ''): RenderOutcome {
  const result: HelmRunResult = { args: [], exitCode, stdout, stderr, durationMs: 1 }
  return { result, documents: exitCode === 0 ? parseRender(stdout) : [] }
}

const doc = (source: string, apiVersion: string, kind: string, name: string, extra = ''): string =>
  `---\n# Source: ${source}\napiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n${extra}`
const SERVICE = doc('bp-t/templates/svc.yaml', 'v1', 'Service', 'web', 'spec:\n  ports:\n    - port: 80\n')
const SERVICE_WITH_METRICS = doc(
  'bp-t/templates/svc.yaml',
  'v1',
  'Service',
  'web',
  'spec:\n  ports:\n    - port: 80\n    - port: 9090\n'
)
const MONITOR = doc('bp-t/templates/sm.yaml', 'monitoring.coreos.com/v1', 'ServiceMonitor', 'web')
const CLUSTER_OFF = doc(
  'bp-t/templates/db.yaml',
  'postgresql.cnpg.io/v1',
  'Cluster',
  'db',
  'spec:\n  monitoring:\n    enablePodMonitor: false\n'
)
const CLUSTER_ON = doc(
  'bp-t/templates/db.yaml',
  'postgresql.cnpg.io/v1',
  'Cluster',
  'db',
  'spec:\n  monitoring:\n    enablePodMonitor: true\n'
)
const ROLE = doc(
  'bp-t/charts/op/templates/rbac.yaml',
  'rbac.authorization.k8s.io/v1',
  'ClusterRole',
  'op',
  'rules:\n  - apiGroups:\n      - monitoring.coreos.com\n    resources: [podmonitors]\n    verbs: [get, create]\n'
)

function stepFor(
  valuesText: string,
  renders: { default: string; case2: string[]; case3: string; off?: [number, string][] }
) {
  const values = parseYamlText<Record<string, unknown>>(valuesText, 'platform/t/chart/values.yaml')
  const toggles: Toggle[] = discoverToggles(values.data)
  return observabilityStep({
    toggles,
    values,
    chartName: 'bp-t',
    displayChartDir: 'platform/t/chart',
    durationMs: 3,
    defaultRender: outcome(renders.default),
    case2: renders.case2.map((text) => outcome(text)),
    case3: outcome(renders.case3),
    switchedOff: new Map((renders.off ?? []).map(([i, text]) => [i, outcome(text)]))
  })
}

describe('changedOperatorResources', () => {
  it('names the custom resources of other APIs that differ, not built-in or monitoring ones', () => {
    expect(changedOperatorResources(SERVICE + CLUSTER_ON, SERVICE + CLUSTER_OFF)).toEqual([
      'Cluster/db (postgresql.cnpg.io/v1)'
    ])
    expect(changedOperatorResources(SERVICE_WITH_METRICS + CLUSTER_OFF + MONITOR, SERVICE + CLUSTER_OFF)).toEqual([])
    expect(changedOperatorResources(SERVICE + CLUSTER_OFF, SERVICE + CLUSTER_OFF)).toEqual([])
  })
})

describe('observabilityStep', () => {
  it('fails a monitoring resource in the default render; a mention of the group elsewhere (RBAC) is a notice', () => {
    const step = stepFor('sm:\n  serviceMonitor:\n    enabled: false\n', {
      default: SERVICE + MONITOR + ROLE,
      case2: [SERVICE + MONITOR + ROLE],
      case3: SERVICE + ROLE
    })
    expect(step.status).toBe('failed')
    expect(step.findings.map((f) => [f.rule, f.severity, f.file])).toEqual([
      ['observability-default-off', 'error', 'platform/t/chart/templates/sm.yaml'],
      ['observability-default-off', 'notice', undefined]
    ])
    expect(step.findings[1].message).toContain('bp-t/charts/op/templates/rbac.yaml')
    expect(step.findings[1].message).toContain('outside any resource of that API')
    expect(step.data!.case1.ok).toBe(false)

    const rbacOnly = stepFor('sm:\n  serviceMonitor:\n    enabled: false\n', {
      default: SERVICE + ROLE,
      case2: [SERVICE + MONITOR + ROLE],
      case3: SERVICE + ROLE
    })
    expect(rbacOnly.status).toBe('passed')
    expect(rbacOnly.findings.map((f) => f.severity)).toEqual(['notice'])
    expect(rbacOnly.data!.case1.ok).toBe(true)
    expect(rbacOnly.summary).toBe(
      '1 value probed, default render clean, 1 mention of monitoring.coreos.com elsewhere, 1 of 1 render a monitoring resource when on, all-off clean'
    )
  })

  it('does not judge metrics.enabled: true that renders no monitoring resource (a metrics port), and fails a toggle that does', () => {
    // metrics.enabled (true) opens a port; serviceMonitor.enabled (false) renders the monitor.
    const values = 'metrics:\n  enabled: true\n  serviceMonitor:\n    enabled: false\n'
    const clean = stepFor(values, {
      default: SERVICE_WITH_METRICS,
      case2: [SERVICE_WITH_METRICS, SERVICE_WITH_METRICS + MONITOR],
      case3: SERVICE,
      off: [[0, SERVICE]]
    })
    expect(clean.status).toBe('passed')
    expect(clean.findings).toEqual([])
    expect(clean.data!.toggles.map((t) => [t.path, t.default, t.rendersMonitor, t.case2.resources])).toEqual([
      ['metrics.enabled', true, false, []],
      ['metrics.serviceMonitor.enabled', false, true, ['ServiceMonitor/web (bp-t/templates/sm.yaml)']]
    ])
    expect(clean.details).toContain('--set metrics.enabled=true: no monitoring resource: not an observability toggle')

    // The same value rendering a monitor of its own (compared with itself switched off) is an error.
    const monitorOnMetrics = stepFor(values, {
      default: SERVICE_WITH_METRICS,
      case2: [SERVICE_WITH_METRICS + MONITOR, SERVICE_WITH_METRICS + MONITOR],
      case3: SERVICE,
      off: [[0, SERVICE]]
    })
    expect(monitorOnMetrics.status).toBe('failed')
    expect(monitorOnMetrics.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['observability-default-off', 'error', 'platform/t/chart/values.yaml', 2]
    ])
    expect(monitorOnMetrics.findings[0].message).toContain('metrics.enabled defaults to true')
    // serviceMonitor.enabled (no enabling flag to switch: metrics.enabled is already true) renders the monitor too.
    expect(monitorOnMetrics.data!.toggles[1].rendersMonitor).toBe(true)
  })

  it('credits a paired toggle with its own monitor only: what its enabling flag renders alone is the flag’s', () => {
    const values = 'cm:\n  prometheus:\n    enabled: false\n    servicemonitor:\n      enabled: false\n'
    const step = stepFor(values, {
      default: SERVICE,
      case2: [SERVICE_WITH_METRICS, SERVICE_WITH_METRICS + MONITOR],
      case3: SERVICE
    })
    expect(step.status).toBe('passed')
    expect(step.findings).toEqual([])
    expect(step.data!.toggles.map((t) => [t.path, t.enabling, t.rendersMonitor])).toEqual([
      ['cm.prometheus.enabled', [], false],
      ['cm.prometheus.servicemonitor.enabled', ['cm.prometheus.enabled'], true]
    ])
    expect(step.summary).toContain('1 of 2 render a monitoring resource when on (1 with its enabling flags)')
    expect(step.details).toContain(
      '--set cm.prometheus.servicemonitor.enabled=true cm.prometheus.enabled=true: renders ServiceMonitor/web (bp-t/templates/sm.yaml)'
    )
    // A monitor the flag renders on its own is not the paired toggle's.
    const flagRenders = stepFor(values, {
      default: SERVICE,
      case2: [SERVICE + MONITOR, SERVICE + MONITOR],
      case3: SERVICE
    })
    expect(flagRenders.data!.toggles.map((t) => t.rendersMonitor)).toEqual([true, false])
    expect(flagRenders.findings.map((f) => [f.severity, f.message])).toEqual([
      [
        'warning',
        'Opting in to cm.prometheus.servicemonitor.enabled with `cm.prometheus.enabled=true` (the monitoring API present) renders no monitoring.coreos.com resource.'
      ]
    ])
  })

  it('a monitor toggle that configures an operator is a notice; one that changes nothing, or only built-in resources, a warning', () => {
    const values = 'db:\n  podMonitor:\n    enabled: false\n'
    const operator = stepFor(values, {
      default: SERVICE + CLUSTER_OFF,
      case2: [SERVICE + CLUSTER_ON],
      case3: SERVICE + CLUSTER_OFF
    })
    expect(operator.status).toBe('passed')
    expect(operator.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['observability-opt-in', 'notice', 'platform/t/chart/values.yaml', 3]
    ])
    expect(operator.findings[0].message).toContain(
      'it changes `Cluster/db (postgresql.cnpg.io/v1)`: it configures an operator'
    )
    expect(operator.data!.toggles[0].case2).toEqual({
      ok: true,
      kinds: [],
      resources: [],
      changesRender: true,
      configures: ['Cluster/db (postgresql.cnpg.io/v1)']
    })

    const nothing = stepFor(values, { default: SERVICE, case2: [SERVICE], case3: SERVICE })
    expect(nothing.status).toBe('warning')
    expect(nothing.findings[0].message).toContain('the render does not change at all')

    const builtIn = stepFor(values, { default: SERVICE, case2: [SERVICE_WITH_METRICS], case3: SERVICE })
    expect(builtIn.status).toBe('warning')
    expect(builtIn.findings[0].message).not.toContain('does not change')

    const listValue = stepFor('h:\n  metrics:\n    enabled: [dns]\n    serviceMonitor:\n      enabled: false\n', {
      default: SERVICE,
      case2: [SERVICE],
      case3: SERVICE
    })
    expect(listValue.findings[0].message).toContain('Its path also has `h.metrics.enabled`, which holds no boolean')
  })

  it('fails on a case-2 render error (naming the flags it set) and on monitoring resources left with every toggle off', () => {
    const values = 'metrics:\n  enabled: false\n  serviceMonitor:\n    enabled: false\n'
    const step = stepFor(values, {
      default: SERVICE,
      case2: [SERVICE, ''],
      case3: SERVICE + MONITOR
    })
    // replace the failing render
    expect(step.findings.map((f) => [f.rule, f.severity])).toContainEqual(['observability-explicit-off', 'error'])
    const failing = observabilityStep({
      toggles: discoverToggles({ metrics: { enabled: false, serviceMonitor: { enabled: false } } }),
      values: parseYamlText<Record<string, unknown>>(values, 'platform/t/chart/values.yaml'),
      chartName: 'bp-t',
      displayChartDir: 'platform/t/chart',
      durationMs: 1,
      defaultRender: outcome(SERVICE),
      case2: [
        outcome(SERVICE),
        outcome('', 1, 'Error: execution error at (bp-t/templates/sm.yaml:9:4): metrics.port is required\n')
      ],
      case3: outcome(SERVICE + MONITOR)
    })
    expect(failing.status).toBe('failed')
    expect(failing.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['observability-explicit-off', 'platform/t/chart/templates/sm.yaml', undefined],
      ['observability-opt-in', 'platform/t/chart/templates/sm.yaml', 9]
    ])
    expect(failing.findings[1].message).toBe(
      'Opting in (--set metrics.serviceMonitor.enabled=true with `metrics.enabled=true`, the monitoring API present) fails: execution error at (bp-t/templates/sm.yaml:9:4): metrics.port is required'
    )
    expect(failing.data!.case3).toEqual({ ok: false, resources: ['ServiceMonitor/web (bp-t/templates/sm.yaml)'] })
    expect(failing.data!.toggles[1]).toMatchObject({ enabling: ['metrics.enabled'], case2: { ok: false } })
    expect(failing.data!.toggles[1].rendersMonitor).toBeUndefined()
  })
})
