// The merged observability render (gates/merged-render.ts) against real Helm 3
// and Helm 4: every case cut out of the one merged `helm template` must be, byte
// for byte, what that case's own `helm template` prints; a merged render that
// fails (one case's `required`/`fail`) falls back to the separate renders, whose
// results then decide; what cannot be merged soundly is rendered separately.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Helm } from '../../src/helm/helm.js'
import { loadYamlFile } from '../../src/chart/yaml-source.js'
import { RenderFeed, renderJob, runPool, type GateContext, type PlanContext } from '../../src/gates/contract.js'
import { mergeBlocker, planCaseRenders, type RenderCase } from '../../src/gates/merged-render.js'
import { gateStep, runGates } from '../../src/gates/index.js'
import { helmsUnderTest } from '../support/e2e.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const BASE = path.join(here, '..', 'fixtures', 'gates', 'base')
const SHA_TAG = '0123456789abcdef0123456789abcdef01234567'
const API = ['--api-versions', 'monitoring.coreos.com/v1', '--api-versions', 'monitoring.coreos.com/v1/ServiceMonitor']

const helms: [string, string][] = helmsUnderTest().map((h) => [h.label, h.binary])

/** The base chart's toggles as the observability gate plans them: each on, then all off. */
const TOGGLES = [
  'temporal.server.metrics.serviceMonitor.enabled',
  'database.monitoring.enabled',
  'serviceMonitor.enabled'
]
const CASES: RenderCase[] = [
  ...TOGGLES.map((key, i) => ({ id: `case2:${i}`, set: [`${key}=true`] })),
  { id: 'case3', set: TOGGLES.map((key) => `${key}=false`) }
]

describe.each(helms)('merged case renders with %s', (_label, binary) => {
  let helm: Helm
  let root: string

  beforeAll(async () => {
    helm = await Helm.create(binary)
    root = await mkdtemp(path.join(os.tmpdir(), 'gates-merged-'))
  })
  afterAll(async () => {
    await helm?.dispose()
    if (root) await rm(root, { recursive: true, force: true })
  })

  async function context(
    name: string,
    mutate?: (dir: string) => Promise<void>,
    valueArgs?: string[]
  ): Promise<GateContext> {
    const dir = path.join(root, name, 'chart')
    await cp(BASE, dir, { recursive: true })
    if (mutate) await mutate(dir)
    const scriptRoot = path.join(root, name, 'scripts')
    await mkdir(scriptRoot, { recursive: true })
    return {
      helm,
      chartDir: dir,
      chartName: 'bp-gates',
      scriptRoot,
      displayChartDir: 'platform/gates/chart',
      values: await loadYamlFile<Record<string, unknown>>(path.join(dir, 'values.yaml'), 'values.yaml'),
      dependencyKeys: ['temporal'],
      valueArgs: valueArgs ?? ['--set', `app.image.tag=${SHA_TAG}`],
      releaseName: 'bp-gates',
      namespace: 'smoke',
      concurrency: 3,
      toggles: { include: [], exclude: [] },
      imagePolicy: 'sha',
      imageAllowlist: [],
      chartTests: false
    }
  }

  function planContext(ctx: GateContext): PlanContext {
    const templateArgs = (extra: readonly string[], withRunValues = true): string[] => [
      'template',
      ctx.releaseName,
      ctx.chartDir,
      '--namespace',
      ctx.namespace,
      ...(withRunValues ? ctx.valueArgs : []),
      ...extra
    ]
    return {
      ctx,
      templateArgs,
      defaultRender: renderJob(helm, 'render:default', templateArgs([])),
      optInRenders: new RenderFeed()
    }
  }

  /** Each case's own `helm template`, as the gate ran it before the merge. */
  async function separately(pc: PlanContext, cases: RenderCase[]) {
    return Promise.all(cases.map((c) => helm.run(pc.templateArgs([...c.set.flatMap((s) => ['--set', s]), ...API]))))
  }

  it('cuts the merged render into exactly what each case renders on its own', async () => {
    const ctx = await context('identical', async (dir) => {
      // Paths and names helm writes into the text: the template's own path and the chart name.
      await writeFile(
        path.join(dir, 'templates', 'paths.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}-paths\ndata:\n' +
          '  template: {{ .Template.Name }}\n  base: {{ .Template.BasePath }}\n  monitor: {{ .Values.serviceMonitor.enabled | quote }}\n' +
          '---\n# a second document of the same template\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: second\n'
      )
    })
    const pc = planContext(ctx)
    const renders = await planCaseRenders(pc, CASES, API, 'monitoring.coreos.com')
    expect(renders.jobs).toHaveLength(1)
    const stats = await runPool(renders.jobs, 2)
    expect(stats.map((s) => [s.kind, s.exitCode])).toEqual([['helm', 0]])
    expect(renders.merged()).toBe(true)
    const own = await separately(pc, CASES)
    CASES.forEach((_, i) => {
      expect(own[i].exitCode).toBe(0)
      expect(renders.get(i).result.exitCode).toBe(0)
      expect(renders.get(i).result.stdout).toBe(own[i].stdout)
    })
    expect(own[2].stdout).toContain('template: bp-gates/templates/paths.yaml')
    // Parsed for what observability reads: the monitoring documents, with their own source.
    expect(renders.get(2).documents.map((d) => [d.kind, d.name, d.source])).toEqual([
      ['ServiceMonitor', 'bp-gates-gates', 'bp-gates/templates/servicemonitor.yaml']
    ])
  })

  it("tells a helm that did not know its version what the umbrella's own template printed: no process asked", async () => {
    const expected = await helm.version()
    expect(expected).toMatch(/^v\d+\.\d+\.\d+/)
    const major = Number(/^v(\d+)/.exec(expected ?? '')![1])
    // Two helms on links to the real binary, their version unknown (as a helm on PATH whose build records its
    // major alone); the links go after the render, so a `helm version` asked then cannot run.
    const links = path.join(root, 'links')
    await mkdir(links, { recursive: true })
    const [heard, unheard] = ['heard', 'unheard'].map((name) => path.join(links, name))
    await Promise.all([symlink(binary, heard), symlink(binary, unheard)])
    const [lazy, control] = await Promise.all([
      Helm.create(heard, path.join(root, 'heard-home'), { major }),
      Helm.create(unheard, path.join(root, 'unheard-home'), { major })
    ])
    const renders = await planCaseRenders(planContext({ ...(await context('heard')), helm: lazy }), CASES, API, 'x')
    await runPool(renders.jobs, 2)
    expect(renders.merged()).toBe(true)
    await Promise.all([rm(heard), rm(unheard)])
    expect(await lazy.version()).toBe(expected)
    expect(await control.version()).toBeUndefined()
    await Promise.all([lazy.dispose(), control.dispose()])
  })

  it('falls back to the separate renders when one case fails the merged render, keeping helm’s own error', async () => {
    const ctx = await context('one-fails', (dir) =>
      writeFile(
        path.join(dir, 'templates', 'strict.yaml'),
        '{{- if .Values.database.monitoring.enabled }}{{ required "database.monitoring.port is required when monitoring is on" .Values.database.monitoring.port }}{{- end }}\n'
      )
    )
    const pc = planContext(ctx)
    const renders = await planCaseRenders(pc, CASES, API, 'monitoring.coreos.com')
    const stats = await runPool(renders.jobs, 2)
    expect(renders.merged()).toBe(false)
    // The merged render, then one render per case.
    expect(stats).toHaveLength(1 + CASES.length)
    const own = await separately(pc, CASES)
    expect(own.map((r) => r.exitCode !== 0)).toEqual([false, true, false, false])
    CASES.forEach((_, i) => {
      const got = renders.get(i).result
      expect([got.exitCode !== 0, got.stdout, got.stderr]).toEqual([
        own[i].exitCode !== 0,
        own[i].stdout,
        own[i].stderr
      ])
    })
    expect(renders.get(1).result.stderr).toContain('bp-gates/templates/strict.yaml')

    // Through the gate: the failing case is an opt-in error at the template line, the others pass as before.
    const result = await runGates({ ...ctx, scriptRoot: path.join(root, 'one-fails', 'gates') })
    const obs = gateStep(result, 'observability')!
    expect(obs.status).toBe('failed')
    expect(obs.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['observability-opt-in', 'error', 'platform/gates/chart/templates/strict.yaml', 1]
    ])
    expect(obs.findings[0].message).toContain('database.monitoring.port is required when monitoring is on')
    expect(obs.data!.toggles.map((t) => [t.path, t.case2.ok, t.case2.kinds])).toEqual([
      ['temporal.server.metrics.serviceMonitor.enabled', true, ['ServiceMonitor']],
      ['database.monitoring.enabled', false, []],
      ['serviceMonitor.enabled', true, ['ServiceMonitor']]
    ])
  })

  it('renders separately what a merge would change: values files, nulls, .Chart.IsRoot, .Values.global', async () => {
    const valuesFile = path.join(root, 'extra-values.yaml')
    await writeFile(valuesFile, 'app:\n  image:\n    tag: abc\n')
    const withFile = await context('values-file', undefined, ['--values', valuesFile])
    expect(await mergeBlocker(withFile, CASES)).toBe('the run passes values files or multi-value --set')
    const renders = await planCaseRenders(planContext(withFile), CASES, API, 'monitoring.coreos.com')
    expect(renders.jobs).toHaveLength(CASES.length)

    const nulls = await context('nulls', async (dir) =>
      writeFile(
        path.join(dir, 'values.yaml'),
        `${await readFile(path.join(BASE, 'values.yaml'), 'utf8')}\nextra: null\n`
      )
    )
    expect(await mergeBlocker(nulls, CASES)).toBe('values.yaml has a null')
    const isRoot = await context('is-root', (dir) =>
      writeFile(path.join(dir, 'templates', 'root.yaml'), '{{- if not .Chart.IsRoot }}{{ fail "x" }}{{ end }}\n')
    )
    expect(await mergeBlocker(isRoot, CASES)).toBe('a template reads .Chart.IsRoot')
    const global = await context('global', (dir) =>
      writeFile(path.join(dir, 'templates', 'global.yaml'), '# {{ .Values.global.registry }}\n')
    )
    expect(await mergeBlocker(global, CASES)).toBe('a template reads .Values.global and values.yaml has none')
    expect(await mergeBlocker(await context('multi-set', undefined, ['--set', 'a=1,b=2']), CASES)).toBe(
      'the run passes values files or multi-value --set'
    )
  })
})
