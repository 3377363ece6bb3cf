// Real blueprint shapes (issues 22 and 29), end to end with the bundled action
// (dist/index.js) on the users' path: default inputs, the chart's own
// tests/observability-toggle.sh run by the action, real helm 3 and 4, and a
// loopback chart repository serving the stand-in upstream charts of
// __tests__/fixtures/real-shapes (README there). Every blueprint is a pure
// wrapper (no templates/ of its own), as half of the real ones are. For each,
// the action's verdict must agree with the blueprint's own test.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { LintData, ObservabilityData } from '../../src/gates/index.js'
import type { StepResult } from '../../src/types.js'
import {
  chartTestRun,
  failureMessage,
  helmsUnderTest,
  pointChartAt,
  REPO_ROOT,
  runBundledAction,
  type ActionRun
} from '../support/e2e.js'
import { useServers } from '../support/servers.js'

const SHAPES = path.join(REPO_ROOT, '__tests__', 'fixtures', 'real-shapes')
/** The upstream each blueprint wraps, at the version its Chart.yaml pins. */
const UPSTREAMS = { dbop: '0.9.0', kvcache: '2.3.0', certs: '1.6.0', idp: '24.1.0', mesh: '1.17.0' }
type Shape = keyof typeof UPSTREAMS
const upstream = (name: Shape): string => path.join(SHAPES, 'upstreams', name)

function stepOf<D>(run: ActionRun, id: string): StepResult<D> {
  const found = (run.report?.steps ?? []).find((step: { id: string }) => step.id === id)
  if (!found) throw new Error(`no step ${id} in the report: ${failureMessage(run) || run.stderr}`)
  return found as StepResult<D>
}

/** The run passed with nothing to fix, and the blueprint's own test passed under the action too. */
function expectAgreement(run: ActionRun): void {
  expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
  expect(run.annotations.filter((a: { level: string }) => a.level !== 'notice')).toEqual([])
  expect(chartTestRun(run, 'tests/observability-toggle.sh')).toMatchObject({ exitCode: 0 })
  const lint = stepOf<LintData>(run, 'lint')
  expect(lint).toMatchObject({ status: 'passed', findings: [] })
  // Every shape here is a pure wrapper: linted with an empty templates/, dependencies included.
  expect(lint.data!.pureWrapper).toBe(true)
  expect(lint.summary).toBe(
    '1 lint run passed (no templates/: linted with an empty one, the dependencies carry the payload)'
  )
}

/** Per probed value: [path, default, enabling flags switched on, renders a monitor, kinds]. */
function toggleVerdicts(obs: StepResult<ObservabilityData>): unknown[] {
  return obs.data!.toggles.map((t) => [t.path, t.default, t.enabling, t.rendersMonitor, t.case2.kinds])
}

describe.each(helmsUnderTest())('real blueprint shapes with $label', (helm) => {
  const servers = useServers(helm, {
    registry: false,
    repo: {
      chartSource: upstream('dbop'),
      versions: [UPSTREAMS.dbop],
      extraCharts: (['kvcache', 'certs', 'idp', 'mesh'] as const).map((name) => ({
        source: upstream(name),
        versions: [UPSTREAMS[name]]
      }))
    }
  })
  let workspace: string

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(os.tmpdir(), 'bp-shapes-ws-'))
    await cp(path.join(SHAPES, 'platform'), path.join(workspace, 'platform'), { recursive: true })
    // The users' path: each Chart.yaml (and its provenance) names the loopback repository itself.
    for (const name of Object.keys(UPSTREAMS))
      await pointChartAt(
        path.join(workspace, 'platform', name, 'chart'),
        servers.repo.url,
        `https://charts.example.invalid/${name}`
      )
  })
  afterAll(async () => {
    if (workspace) await rm(workspace, { recursive: true, force: true })
  })

  const run = (name: Shape): Promise<ActionRun> =>
    runBundledAction({ helm, workspace, repoUrl: servers.repo.url, inputs: { blueprint: `platform/${name}` } })

  it('an operator wrapper without templates/: lint passes, its ClusterRole naming monitoring.coreos.com is a notice, its PodMonitor a toggle', async () => {
    const result = await run('dbop')
    expectAgreement(result)
    const obs = stepOf<ObservabilityData>(result, 'observability')
    expect(obs.status).toBe('passed')
    expect(obs.data!.case1.ok).toBe(true)
    expect(obs.data!.case1.references).toEqual([
      expect.objectContaining({ type: 'text', source: 'bp-dbop/charts/dbop/templates/rbac.yaml' })
    ])
    expect(obs.findings).toEqual([expect.objectContaining({ rule: 'observability-default-off', severity: 'notice' })])
    expect(obs.findings[0].message).toContain('outside any resource of that API')
    // Besides the schema gate's notice that the opt-in PodMonitor has no CRD here (issue 25), this one notice.
    expect(result.annotations.filter((a: { message: string }) => !a.message.startsWith('API schemas:'))).toEqual([
      expect.objectContaining({
        level: 'notice',
        message: expect.stringContaining('bp-dbop/charts/dbop/templates/rbac.yaml')
      })
    ])
    // The PodMonitor needs --api-versions monitoring.coreos.com/v1/PodMonitor besides its toggle.
    expect(toggleVerdicts(obs)).toEqual([['dbop.monitoring.podMonitorEnabled', false, [], true, ['PodMonitor']]])
    expect(obs.summary).toBe(
      '1 value probed, default render clean, 1 mention of monitoring.coreos.com elsewhere, 1 of 1 render a monitoring resource when on, all-off clean'
    )
    // The CRDs from templates/crds/ are in the default render.
    expect(stepOf<{ kinds: Record<string, number> }>(result, 'render').data!.kinds).toMatchObject({
      CustomResourceDefinition: 1,
      ClusterRole: 1
    })
  })

  it('metrics.enabled: true with its monitors off is not an observability toggle; each monitor under it is', async () => {
    const result = await run('kvcache')
    expectAgreement(result)
    const obs = stepOf<ObservabilityData>(result, 'observability')
    expect(obs).toMatchObject({ status: 'passed', findings: [] })
    expect(toggleVerdicts(obs)).toEqual([
      ['kvcache.metrics.enabled', true, [], false, []],
      ['kvcache.metrics.serviceMonitor.enabled', false, [], true, ['ServiceMonitor']],
      ['kvcache.metrics.podMonitor.enabled', false, [], true, ['PodMonitor']],
      ['kvcache.metrics.prometheusRule.enabled', false, [], true, ['PrometheusRule']]
    ])
    expect(obs.details).toContain(
      '--set kvcache.metrics.enabled=true: no monitoring resource: not an observability toggle'
    )

    // They agree on a failure too: with its ServiceMonitor shipped on, the blueprint's own test and the action fail.
    const shippedOn = path.join(workspace, 'platform', 'kvcache-monitor-on')
    await cp(path.join(workspace, 'platform', 'kvcache'), shippedOn, { recursive: true })
    const values = path.join(shippedOn, 'chart', 'values.yaml')
    await writeFile(
      values,
      (await readFile(values, 'utf8')).replace(
        'serviceMonitor:\n      enabled: false',
        'serviceMonitor:\n      enabled: true'
      )
    )
    const failed = await runBundledAction({
      helm,
      workspace,
      repoUrl: servers.repo.url,
      inputs: { blueprint: 'platform/kvcache-monitor-on' }
    })
    expect(failed.exitCode).not.toBe(0)
    expect(chartTestRun(failed, 'tests/observability-toggle.sh')?.exitCode).not.toBe(0)
    const failedObs = stepOf<ObservabilityData>(failed, 'observability')
    // Its template does not ask for the API: the default render has the ServiceMonitor too.
    expect(failedObs.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['observability-default-off', 'error', undefined, undefined],
      ['observability-default-off', 'error', 'platform/kvcache-monitor-on/chart/values.yaml', 7]
    ])
    expect(failedObs.findings[0].message).toContain('bp-kvcache/charts/kvcache/templates/monitors.yaml')
    expect(failedObs.findings[1].message).toContain('kvcache.metrics.serviceMonitor.enabled defaults to true')
    // metrics.enabled (true as well) is judged on its own, the monitor below it held off: still no toggle.
    expect(failedObs.data!.toggles[0]).toMatchObject({
      path: 'kvcache.metrics.enabled',
      rendersMonitor: false,
      heldOff: ['kvcache.metrics.serviceMonitor.enabled']
    })
  })

  it('cert-manager-style: the ServiceMonitor is judged with prometheus.enabled switched on, and the step says so', async () => {
    const result = await run('certs')
    expectAgreement(result)
    const obs = stepOf<ObservabilityData>(result, 'observability')
    expect(obs).toMatchObject({ status: 'passed', findings: [] })
    expect(toggleVerdicts(obs)).toEqual([
      ['certs.prometheus.enabled', false, [], false, []],
      ['certs.prometheus.servicemonitor.enabled', false, ['certs.prometheus.enabled'], true, ['ServiceMonitor']]
    ])
    expect(obs.summary).toContain('1 of 2 render a monitoring resource when on (1 with its enabling flags)')
    expect(obs.details).toContain(
      '--set certs.prometheus.servicemonitor.enabled=true certs.prometheus.enabled=true: renders ServiceMonitor/bp-certs-certs'
    )
  })

  it('keycloak-style: metrics.enabled, set only in the upstream defaults, is switched on with each monitor', async () => {
    const result = await run('idp')
    expectAgreement(result)
    const obs = stepOf<ObservabilityData>(result, 'observability')
    expect(obs).toMatchObject({ status: 'passed', findings: [] })
    expect(toggleVerdicts(obs)).toEqual([
      ['idp.metrics.serviceMonitor.enabled', false, ['idp.metrics.enabled'], true, ['ServiceMonitor']],
      ['idp.metrics.prometheusRule.enabled', false, ['idp.metrics.enabled'], true, ['PrometheusRule']]
    ])
  })

  it('cilium-style: each monitor with the switches of what it scrapes; a list of metric names is left as set', async () => {
    const result = await run('mesh')
    expectAgreement(result)
    const obs = stepOf<ObservabilityData>(result, 'observability')
    expect(obs).toMatchObject({ status: 'passed', findings: [] })
    expect(toggleVerdicts(obs)).toEqual([
      ['mesh.prometheus.enabled', false, [], false, []],
      ['mesh.prometheus.serviceMonitor.enabled', false, ['mesh.prometheus.enabled'], true, ['ServiceMonitor']],
      ['mesh.flows.metrics.serviceMonitor.enabled', false, [], true, ['ServiceMonitor']],
      [
        'mesh.flows.relay.prometheus.serviceMonitor.enabled',
        false,
        ['mesh.flows.relay.enabled', 'mesh.flows.relay.prometheus.enabled'],
        true,
        ['ServiceMonitor']
      ]
    ])
    expect(obs.data!.toggles[2].notSwitchable).toEqual(['mesh.flows.metrics.enabled'])
    expect(obs.data!.toggles[3].case2.resources).toEqual([
      'ServiceMonitor/mesh-relay (bp-mesh/charts/mesh/templates/relay.yaml)'
    ])
  })
})
