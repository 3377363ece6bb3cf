import { describe, expect, it } from '@jest/globals'
import type { HelmRunResult } from '../../src/helm/helm.js'
import { parseRender } from '../../src/helm/render.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'
import {
  case2Args,
  case3Args,
  discoverToggles,
  monitoringReferences,
  observabilityStep,
  type RenderOutcome
} from '../../src/gates/observability.js'
import { parseDottedPath, repoFileForSource, setPath, templateLocation } from '../../src/gates/common.js'

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
`

describe('discoverToggles', () => {
  const values = parseYamlText<Record<string, unknown>>(VALUES, 'platform/t/chart/values.yaml')

  it('finds boolean <monitor>.enabled / .create at any depth, case-insensitive, upstream included', () => {
    const toggles = discoverToggles(values.data)
    expect(toggles.map((t) => [t.key, t.default, t.expectsResource])).toEqual([
      ['temporal.server.metrics.serviceMonitor.enabled', false, true],
      ['temporal.server.metrics.enabled', true, false],
      ['temporal.server.replicas[0].prometheus.create', false, false],
      ['catalystOverlay.cnpg.podMonitor.enabled', false, true],
      ['catalystOverlay.PrometheusRule.Enabled', false, true],
      ['catalystOverlay.tracing.enabled', false, false],
      ['catalystOverlay.serviceMonitor.enabled', false, true],
      ['catalystOverlay.serviceMonitor.create', true, true]
    ])
    // not toggles: web.enabled, a string "false", metricsServer (not a monitor key)
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
        'catalystOverlay.serviceMonitor.create'
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

  it('builds the case-2 and case-3 arguments with the monitoring API', () => {
    const [toggle] = discoverToggles(values.data)
    expect(case2Args(toggle)).toEqual([
      '--set',
      'temporal.server.metrics.serviceMonitor.enabled=true',
      '--api-versions',
      'monitoring.coreos.com/v1',
      '--api-versions',
      'monitoring.coreos.com/v1/ServiceMonitor',
      '--api-versions',
      'monitoring.coreos.com/v1/PodMonitor',
      '--api-versions',
      'monitoring.coreos.com/v1/PrometheusRule'
    ])
    expect(case3Args(discoverToggles(values.data).slice(0, 2)).slice(0, 4)).toEqual([
      '--set',
      'temporal.server.metrics.serviceMonitor.enabled=false',
      '--set',
      'temporal.server.metrics.enabled=false'
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

describe('observabilityStep', () => {
  const values = parseYamlText<Record<string, unknown>>(
    'temporal:\n  server:\n    metrics:\n      serviceMonitor:\n        enabled: true\ncnpg:\n  podMonitor:\n    enabled: false\n',
    'platform/t/chart/values.yaml'
  )
  const toggles = discoverToggles(values.data)
  const base = { toggles, values, chartName: 'bp-t', displayChartDir: 'platform/t/chart', durationMs: 3 }

  it('fails a toggle defaulting true at its values.yaml line and a monitoring document in the default render; warns on an opt-in that renders nothing', () => {
    const step = observabilityStep({
      ...base,
      defaultRender: outcome(WITH_MONITOR),
      case2: [
        outcome(WITH_MONITOR),
        outcome(
          `${CLEAN}---\n# Source: bp-t/templates/db.yaml\napiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata:\n  name: db\n`
        )
      ],
      case3: outcome(CLEAN)
    })
    expect(step.status).toBe('failed')
    const errors = step.findings.filter((f) => f.severity === 'error')
    expect(errors.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['observability-default-off', undefined, undefined],
      ['observability-default-off', 'platform/t/chart/templates/configmap.yaml', undefined],
      ['observability-default-off', 'platform/t/chart/values.yaml', 5]
    ])
    expect(errors[0].message).toContain('bp-t/charts/temporal/templates/server-servicemonitor.yaml')
    const warnings = step.findings.filter((f) => f.severity === 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatchObject({ rule: 'observability-opt-in', file: 'platform/t/chart/values.yaml', line: 8 })
    expect(warnings[0].message).toContain('it changes the render')
    expect(step.data!.toggles).toEqual([
      {
        path: 'temporal.server.metrics.serviceMonitor.enabled',
        line: 5,
        default: true,
        origin: 'values',
        expectsResource: true,
        case2: {
          ok: true,
          kinds: ['ServiceMonitor'],
          resources: ['ServiceMonitor/temporal-frontend (bp-t/charts/temporal/templates/server-servicemonitor.yaml)'],
          changesRender: true
        },
        case3Ok: true
      },
      {
        path: 'cnpg.podMonitor.enabled',
        line: 8,
        default: false,
        origin: 'values',
        expectsResource: true,
        case2: { ok: true, kinds: [], resources: [], changesRender: true },
        case3Ok: true
      }
    ])
  })

  it('is only a warning when the sole problem is an opt-in that renders nothing; says when the render does not change', () => {
    const ok = parseYamlText<Record<string, unknown>>('cnpg:\n  podMonitor:\n    enabled: false\n', 'v.yaml')
    const step = observabilityStep({
      ...base,
      values: ok,
      toggles: discoverToggles(ok.data),
      defaultRender: outcome(CLEAN),
      case2: [outcome(CLEAN)],
      case3: outcome(CLEAN)
    })
    expect(step.status).toBe('warning')
    expect(step.findings[0].message).toContain('the render does not change at all')
  })

  it('fails on a case-2 render error and on monitoring resources left with every toggle off', () => {
    const step = observabilityStep({
      ...base,
      toggles: toggles.slice(1),
      defaultRender: outcome(CLEAN),
      case2: [
        outcome('', 1, 'Error: execution error at (bp-t/templates/db.yaml:9:4): cnpg.podMonitor needs cnpg.enabled\n')
      ],
      case3: outcome(WITH_MONITOR)
    })
    expect(step.status).toBe('failed')
    expect(step.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['observability-explicit-off', undefined, undefined],
      ['observability-opt-in', 'platform/t/chart/templates/db.yaml', 9]
    ])
    expect(step.data!.case3).toEqual({
      ok: false,
      resources: ['ServiceMonitor/temporal-frontend (bp-t/charts/temporal/templates/server-servicemonitor.yaml)']
    })
    expect(step.data!.toggles[0].case2.error).toBe(
      'execution error at (bp-t/templates/db.yaml:9:4): cnpg.podMonitor needs cnpg.enabled'
    )
  })

  it('passes a clean chart', () => {
    const ok = parseYamlText<Record<string, unknown>>('sm:\n  serviceMonitor:\n    enabled: false\n', 'v.yaml')
    const step = observabilityStep({
      ...base,
      values: ok,
      toggles: discoverToggles(ok.data),
      defaultRender: outcome(CLEAN),
      case2: [outcome(WITH_MONITOR)],
      case3: outcome(CLEAN)
    })
    expect(step.status).toBe('passed')
    expect(step.findings).toEqual([])
    expect(step.summary).toBe(
      '1 toggle, default render clean, 1 of 1 render a monitoring resource when on, all-off clean'
    )
  })
})
