// The gates against real Helm 3 and Helm 4, on small self-contained charts:
// __tests__/fixtures/gates/base (an umbrella over a tiny `temporal` subchart
// unpacked under charts/) and variants of it made in a temp copy.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { Helm } from '../../src/helm/helm.js'
import { loadYamlFile } from '../../src/chart/yaml-source.js'
import type { StepResult } from '../../src/types.js'
import { runGates, type GateContext, type GatesResult } from '../../src/gates/index.js'
import { chartTestsStep, runChartTest } from '../../src/gates/chart-tests.js'
import type {
  ChartTestsData,
  ImagesData,
  LintData,
  NeverLatestData,
  ObservabilityData,
  RenderData
} from '../../src/gates/index.js'
import { helmsUnderTest } from '../support/e2e.js'

const here = path.dirname(fileURLToPath(import.meta.url))
const BASE = path.join(here, '..', 'fixtures', 'gates', 'base')
const DISPLAY = 'platform/gates/chart'
const SHA_TAG = '0123456789abcdef0123456789abcdef01234567'

const helms: [string, string][] = helmsUnderTest().map((h) => [h.label, h.binary])

function step<D>(result: GatesResult, id: string): StepResult<D> {
  const found = result.steps.find((s) => s.id === id)
  if (!found) throw new Error(`no step ${id} in ${result.steps.map((s) => s.id).join(', ')}`)
  return found as StepResult<D>
}

async function edit(dir: string, file: string, change: (text: string) => string): Promise<void> {
  const target = path.join(dir, file)
  const before = await readFile(target, 'utf8')
  const after = change(before)
  if (after === before) throw new Error(`edit of ${file} changed nothing`)
  await writeFile(target, after)
}

describe.each(helms)('gates with %s', (_label, binary) => {
  let helm: Helm
  let root: string

  beforeAll(async () => {
    helm = await Helm.create(binary)
    root = await mkdtemp(path.join(os.tmpdir(), 'gates-it-'))
  })
  afterAll(async () => {
    await helm?.dispose()
    if (root) await rm(root, { recursive: true, force: true })
  })

  /** A work copy of the base chart, changed by `mutate`, and its gate context. */
  async function prepare(
    name: string,
    mutate?: (dir: string) => Promise<void>,
    overrides: Partial<GateContext> = {}
  ): Promise<GateContext> {
    const dir = path.join(root, name)
    await cp(BASE, dir, { recursive: true })
    if (mutate) await mutate(dir)
    const values = await loadYamlFile<Record<string, unknown>>(path.join(dir, 'values.yaml'), `${DISPLAY}/values.yaml`)
    return {
      helm,
      chartDir: dir,
      chartName: 'bp-gates',
      scriptRoot: path.join(root, `${name}-scripts`),
      displayChartDir: DISPLAY,
      values,
      dependencyKeys: ['temporal'],
      valueArgs: ['--set', `app.image.tag=${SHA_TAG}`],
      releaseName: 'bp-gates',
      namespace: 'smoke',
      concurrency: 4,
      toggles: { include: [], exclude: [] },
      imagePolicy: 'sha',
      imageAllowlist: [{ pattern: 'busybox', reason: 'init helper; replaced in the next release' }],
      chartTests: true,
      ...overrides
    }
  }

  it('passes the base chart: every step, one process per planned job', async () => {
    const result = await runGates(await prepare('pass'))
    expect(result.steps.map((s) => [s.id, s.status])).toEqual([
      ['render', 'passed'],
      ['lint', 'passed'],
      ['observability', 'passed'],
      ['never-latest', 'passed'],
      ['images', 'passed'],
      // Without schema settings (inputs kubernetes-version, crds, missing-schemas) the gate is skipped here;
      // schema-e2e.test.ts runs it through the bundled action.
      ['schema', 'skipped'],
      ['chart-tests', 'passed']
    ])
    expect(result.steps.flatMap((s) => s.findings).filter((f) => f.severity !== 'notice')).toEqual([])
    // 2 lint runs (default + ci/minimal-values.yaml), the default render, ONE merged render of the 3 opt-in
    // cases and the all-off case (gates/merged-render.ts), 2 case-4 renders
    expect(result.stats).toMatchObject({ helmProcesses: 6, scripts: 1 })

    // The images step's time is its own (judging the render), not the default render's it reads (issue 26.9).
    expect(step(result, 'images').durationMs).not.toBe(step(result, 'render').durationMs)
    expect(step(result, 'images').durationMs).toBeLessThan(step(result, 'render').durationMs)

    const render = step<RenderData>(result, 'render').data!
    expect(render.resources).toBe(4)
    expect(render.kinds).toEqual({ Deployment: 2, CronJob: 1, Cluster: 1 })
    expect(result.defaultRender).toHaveLength(4)

    expect(step<LintData>(result, 'lint').data!.runs.map((r) => [r.label, r.exitCode])).toEqual([
      ['default', 0],
      ['ci/minimal-values.yaml', 0]
    ])

    const obs = step<ObservabilityData>(result, 'observability').data!
    expect(obs.toggles.map((t) => [t.path, t.line, t.default, t.case2.kinds])).toEqual([
      ['temporal.server.metrics.serviceMonitor.enabled', 10, false, ['ServiceMonitor']],
      ['database.monitoring.enabled', 27, false, []],
      ['serviceMonitor.enabled', 30, false, ['ServiceMonitor']]
    ])
    expect(obs.case1.ok).toBe(true)
    expect(obs.case3).toEqual({ ok: true, resources: [] })

    const own = step<NeverLatestData>(result, 'never-latest').data!
    expect(own.images).toEqual([
      {
        path: 'app.image.tag',
        kind: 'tag',
        line: 16,
        default: '',
        defaultKind: 'none',
        judged: true,
        usage: { file: `${DISPLAY}/templates/cronjob.yaml`, line: 18 },
        case4: {
          rendered: false,
          namesValue: true,
          error:
            'execution error at (bp-gates/templates/deployment.yaml:19:56): app.image.tag is required: set a commit SHA'
        }
      },
      {
        path: 'database.imageName',
        kind: 'imageName',
        line: 24,
        default:
          'ghcr.io/cloudnative-pg/postgresql:16.6@sha256:d94d176b3634d44f7b0fef569bc32d1c11fca8069b263bc3a9397b2762a19f3a',
        defaultKind: 'value',
        judged: false,
        usage: { file: `${DISPLAY}/templates/database.yaml`, line: 7 },
        case4: {
          rendered: false,
          namesValue: true,
          error:
            'execution error at (bp-gates/templates/database.yaml:7:16): database.imageName is required (pin it by digest)'
        }
      }
    ])

    const images = step<ImagesData>(result, 'images')
    expect(images.summary).toBe('4 images, 3 pinned, 1 allow-listed')
    const byField = images.data!.images.map((i) => [i.kind, i.field, i.image, i.ok, i.reason])
    expect(byField).toEqual(
      expect.arrayContaining([
        // tag + digest: the digest pins it
        [
          'Deployment',
          'spec.template.spec.containers[0].image',
          'temporalio/server:1.28.1@sha256:f95a86d20874fdfb77d2a75a803ed02ff43277fde536518db0a7386019cc02ac',
          true,
          'pinned by sha256 digest'
        ],
        [
          'CronJob',
          'spec.jobTemplate.spec.template.spec.initContainers[0].image',
          'busybox:1.36',
          true,
          'allowed by pattern busybox'
        ],
        [
          'CronJob',
          'spec.jobTemplate.spec.template.spec.containers[0].image',
          `ghcr.io/example/app:${SHA_TAG}`,
          true,
          `tag ${SHA_TAG} is a commit SHA`
        ],
        [
          'Cluster',
          'spec.imageName',
          'ghcr.io/cloudnative-pg/postgresql:16.6@sha256:d94d176b3634d44f7b0fef569bc32d1c11fca8069b263bc3a9397b2762a19f3a',
          true,
          'pinned by sha256 digest'
        ]
      ])
    )
    expect(images.data!.images.find((i) => i.image.startsWith('busybox'))).toMatchObject({
      allowReason: 'init helper; replaced in the next release'
    })
    expect(images.findings).toEqual([
      {
        rule: 'image-allowlisted',
        severity: 'notice',
        message:
          '1 image is allowed by the image allowlist: `busybox:1.36` (pattern `busybox`: init helper; replaced in the next release).'
      }
    ])
    expect(result.images).toHaveLength(5)

    const tests = step<ChartTestsData>(result, 'chart-tests').data!
    expect(tests.scripts.map((s) => [s.script, s.exitCode])).toEqual([['tests/observability-toggle.sh', 0]])
    expect(tests.scripts[0].output).toContain('PASS case 2')
  })

  it('fails the images gate without the allowlist, at the values.yaml line that sets the image', async () => {
    const result = await runGates(await prepare('no-allowlist', undefined, { imageAllowlist: [], chartTests: false }))
    const images = step<ImagesData>(result, 'images')
    expect(images.status).toBe('failed')
    expect(images.summary).toBe('1 of 4 images not pinned (policy sha)')
    expect(images.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['image-pinned', `${DISPLAY}/values.yaml`, 21]
    ])
    expect(images.findings[0].message).toContain('busybox:1.36')
    expect(step(result, 'chart-tests')).toMatchObject({ status: 'skipped', summary: 'chart-tests is false' })
  })

  it('fails a toggle that defaults to true, at its values.yaml line', async () => {
    const ctx = await prepare(
      'toggle-true',
      (dir) =>
        edit(dir, 'values.yaml', (s) =>
          s.replace('serviceMonitor:\n  enabled: false', 'serviceMonitor:\n  enabled: true')
        ),
      { chartTests: false }
    )
    const result = await runGates(ctx)
    const obs = step<ObservabilityData>(result, 'observability')
    expect(obs.status).toBe('failed')
    expect(obs.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['observability-default-off', 'error', `${DISPLAY}/values.yaml`, 30]
    ])
    expect(obs.findings[0].message).toContain('serviceMonitor.enabled defaults to true')
    expect(step(result, 'render').status).toBe('passed')
  })

  it('a monitor toggle that configures an operator is a notice; one whose template never reads it, a warning', async () => {
    // database.podMonitor.enabled sets the CNPG Cluster's enablePodMonitor: the operator renders the PodMonitor.
    const operatorToggle = async (dir: string): Promise<void> => {
      await edit(dir, 'values.yaml', (s) =>
        s.replace('  monitoring:\n    enabled: false', '  podMonitor:\n    enabled: false')
      )
      await edit(dir, 'templates/database.yaml', (s) =>
        s.replace('.Values.database.monitoring.enabled', '.Values.database.podMonitor.enabled')
      )
    }
    const result = await runGates(await prepare('opt-in-operator', operatorToggle, { chartTests: false }))
    const obs = step<ObservabilityData>(result, 'observability')
    expect(obs.status).toBe('passed')
    expect(obs.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['observability-opt-in', 'notice', `${DISPLAY}/values.yaml`, 27]
    ])
    expect(obs.findings[0].message).toContain('database.podMonitor.enabled')
    expect(obs.findings[0].message).toContain('it configures an operator')
    const toggle = obs.data!.toggles.find((t) => t.path === 'database.podMonitor.enabled')!
    expect(toggle.case2).toEqual({
      ok: true,
      kinds: [],
      resources: [],
      changesRender: true,
      configures: ['Cluster/bp-gates-gates-db (postgresql.cnpg.io/v1)']
    })
    expect(toggle.rendersMonitor).toBe(false)

    // The template no longer reads it: switching it on changes nothing.
    const unread = await runGates(
      await prepare(
        'opt-in-unread',
        async (dir) => {
          await operatorToggle(dir)
          await edit(dir, 'templates/database.yaml', (s) =>
            s.replace('{{ .Values.database.podMonitor.enabled }}', 'false')
          )
        },
        { chartTests: false }
      )
    )
    const unreadObs = step<ObservabilityData>(unread, 'observability')
    expect(unreadObs.status).toBe('warning')
    expect(unreadObs.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['observability-opt-in', 'warning', `${DISPLAY}/values.yaml`, 27]
    ])
    expect(unreadObs.findings[0].message).toContain('the render does not change at all')
    expect(unread.steps.filter((s) => s.status === 'failed')).toEqual([])
  })

  it('fails the images gate on an image: foo:latest of a template, pointing at the template line', async () => {
    const ctx = await prepare(
      'latest',
      (dir) =>
        writeFile(
          path.join(dir, 'templates', 'debug.yaml'),
          'apiVersion: v1\nkind: Pod\nmetadata:\n  name: debug\nspec:\n  containers:\n    - name: debug\n      image: foo:latest\n'
        ),
      { chartTests: false }
    )
    const result = await runGates(ctx)
    const images = step<ImagesData>(result, 'images')
    expect(images.status).toBe('failed')
    const errors = images.findings.filter((f) => f.severity === 'error')
    expect(errors.map((f) => [f.file, f.line])).toEqual([[`${DISPLAY}/templates/debug.yaml`, 8]])
    expect(errors[0].message).toContain('foo:latest')
    // Where it is used is data of the images step (the report's images table), not repeated in the message.
    expect(images.data!.images.filter((i) => i.image === 'foo:latest').map((i) => [i.kind, i.field, i.ok])).toEqual([
      ['Pod', 'spec.containers[0].image', false]
    ])
  })

  it('leaves an own image tag with a default to the image policy: a notice at the template line when empty renders', async () => {
    const ctx = await prepare(
      'tag-default',
      async (dir) => {
        await edit(dir, 'values.yaml', (s) => s.replace('    tag: ""', '    tag: "1.0.0"'))
        for (const file of ['templates/deployment.yaml', 'templates/cronjob.yaml']) {
          await edit(dir, file, (s) =>
            s.replace(
              '{{ required "app.image.tag is required: set a commit SHA" .Values.app.image.tag }}',
              '{{ .Values.app.image.tag | default .Chart.AppVersion }}'
            )
          )
        }
      },
      { chartTests: false }
    )
    const result = await runGates(ctx)
    const own = step<NeverLatestData>(result, 'never-latest')
    expect(own.status).toBe('passed')
    expect(own.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['image-empty-renders', 'notice', `${DISPLAY}/templates/cronjob.yaml`, 18]
    ])
    expect(own.data!.images[0]).toMatchObject({
      defaultKind: 'value',
      judged: false,
      default: '1.0.0',
      case4: { rendered: true, namesValue: false }
    })
    expect(own.data!.images[1]).toMatchObject({
      path: 'database.imageName',
      case4: { rendered: false, namesValue: true }
    })
  })

  it('fails never :latest at the template line for an own tag without a default that renders when emptied', async () => {
    const ctx = await prepare(
      'tag-no-required',
      async (dir) => {
        for (const file of ['templates/deployment.yaml', 'templates/cronjob.yaml']) {
          await edit(dir, file, (s) =>
            s.replace(
              '{{ required "app.image.tag is required: set a commit SHA" .Values.app.image.tag }}',
              '{{ .Values.app.image.tag | default "latest" }}'
            )
          )
        }
      },
      { chartTests: false }
    )
    const result = await runGates(ctx)
    const own = step<NeverLatestData>(result, 'never-latest')
    expect(own.status).toBe('failed')
    expect(own.title).toBe('Never :latest')
    expect(own.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      ['image-tag-required', 'error', `${DISPLAY}/templates/cronjob.yaml`, 18]
    ])
    expect(own.findings[0].fix).toBe('wrap the value in `required` on this template line')
    expect(own.findings[0].snippet?.text).toBe('{{ required "app.image.tag is required" .Values.app.image.tag }}')
    // never-latest: warning keeps the finding but does not fail; off does not run the rule.
    const warned = await runGates({ ...ctx, neverLatest: 'warning' })
    expect(step(warned, 'never-latest')).toMatchObject({
      status: 'warning',
      findings: [{ severity: 'warning', rule: 'image-tag-required' }]
    })
    const off = await runGates({ ...ctx, neverLatest: 'off' })
    expect(step(off, 'never-latest')).toMatchObject({ status: 'skipped', findings: [], summary: 'never-latest is off' })
    expect(off.stats!.helmProcesses).toBe(result.stats!.helmProcesses - 2)
  })

  it('fails lint --strict on a warning, with the template file', async () => {
    const ctx = await prepare(
      'lint-warning',
      (dir) =>
        writeFile(
          path.join(dir, 'templates', 'bad-name.yaml'),
          'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\ndata:\n  a: b\n'
        ),
      { chartTests: false }
    )
    const result = await runGates(ctx)
    const lint = step<LintData>(result, 'lint')
    expect(lint.status).toBe('failed')
    expect(lint.summary).toBe('2 of 2 lint runs failed: 1 error')
    expect(lint.findings.map((f) => [f.severity, f.file])).toEqual([['error', `${DISPLAY}/templates/bad-name.yaml`]])
    expect(lint.findings[0].message).toContain('object name does not conform to Kubernetes naming requirements')
    expect(lint.details).toContain('[WARNING] templates/bad-name.yaml')
    expect(step(result, 'render').status).toBe('passed')
  })

  it('lints a pure wrapper (no templates/) with an empty one: its dependency is linted, other warnings still fail --strict', async () => {
    const ctx = await prepare(
      'pure-wrapper',
      async (dir) => {
        await rm(path.join(dir, 'templates'), { recursive: true })
        // Fails only with ci/strict-values.yaml: seen by a lint that renders the dependency's templates.
        await writeFile(
          path.join(dir, 'charts', 'temporal', 'templates', 'strict.yaml'),
          '{{- if .Values.server.strict }}\n{{ .Values.server.strict.missing.x }}\n{{- end }}\n'
        )
        await writeFile(
          path.join(dir, 'ci', 'strict-values.yaml'),
          'temporal:\n  server:\n    strict:\n      on: true\n'
        )
      },
      { chartTests: false }
    )
    const result = await runGates(ctx)
    const lint = step<LintData>(result, 'lint')
    expect(lint.data!.pureWrapper).toBe(true)
    expect(lint.data!.runs.map((r) => [r.label, r.exitCode])).toEqual([
      ['default', 0],
      ['ci/minimal-values.yaml', 0],
      ['ci/strict-values.yaml', 1]
    ])
    expect(lint.findings.map((f) => f.severity)).toEqual(['error'])
    expect(lint.findings[0].message).toContain('bp-gates/charts/temporal/templates/strict.yaml')
    expect(lint.findings[0].message).toContain('(with ci/strict-values.yaml)')
    expect(JSON.stringify(lint)).not.toContain('directory does not exist')
    // The work copy is left as it is: the empty templates/ is in a view of it.
    await expect(readFile(path.join(ctx.chartDir, 'templates'))).rejects.toThrow(/ENOENT/)

    // Another warning keeps failing --strict: Helm 4 reads Chart.yaml strictly, Helm 3 does not.
    const strictChart = await prepare(
      'pure-wrapper-chart-field',
      async (dir) => {
        await rm(path.join(dir, 'templates'), { recursive: true })
        await edit(dir, 'Chart.yaml', (s) => `${s}maintainer: someone\n`)
      },
      { chartTests: false }
    )
    const strict = step<LintData>(await runGates(strictChart), 'lint')
    if (_label === 'helm 4') {
      expect(strict.status).toBe('failed')
      expect(strict.findings.map((f) => [f.severity, f.file])).toEqual([['error', `${DISPLAY}/Chart.yaml`]])
      expect(strict.findings[0].message).toContain('[WARNING] Chart.yaml: failed to strictly parse chart metadata file')
    } else {
      expect(strict.status).toBe('passed')
    }
    expect(JSON.stringify(strict)).not.toContain('directory does not exist')
  })

  it('fails the render step when helm template fails, shows the error, and skips the gates that need the render', async () => {
    const result = await runGates(await prepare('render-fails', undefined, { valueArgs: [] }))
    const render = step<RenderData>(result, 'render')
    expect(render.status).toBe('failed')
    expect(render.findings).toHaveLength(1)
    expect(render.findings[0]).toMatchObject({
      rule: 'render',
      severity: 'error',
      file: `${DISPLAY}/templates/deployment.yaml`,
      line: 19
    })
    expect(render.findings[0].message).toContain('app.image.tag is required: set a commit SHA')
    expect(render.findings[0].fix).toContain('set it with the `set` input or a `values` file')
    expect(render.details).toContain('Error: execution error at (bp-gates/templates/deployment.yaml:19:56)')
    expect(step(result, 'observability')).toMatchObject({
      status: 'skipped',
      summary: 'skipped: the default render failed'
    })
    expect(step(result, 'images')).toMatchObject({ status: 'skipped', summary: 'skipped: the default render failed' })
    expect(result.defaultRender).toBeUndefined()
    // gates with their own processes still ran
    expect(step(result, 'never-latest').status).toBe('passed')
    expect(step(result, 'lint').status).toBe('passed')
    expect(step(result, 'chart-tests').status).toBe('passed')
  })

  it('shows the tail of a failing chart test script', async () => {
    const script = [
      '#!/usr/bin/env bash',
      'CHART_DIR="$1"',
      'for i in $(seq 1 30); do echo "line $i"; done',
      'helm version --template "helm={{.Version}}"; echo',
      'test -f "$CHART_DIR/Chart.yaml" && echo "chart dir ok"',
      'echo "FAIL: case 9 went wrong" >&2',
      'exit 3',
      ''
    ].join('\n')
    const ctx = await prepare('failing-test', (dir) => writeFile(path.join(dir, 'tests', 'zz-broken.sh'), script))
    const result = await runGates(ctx)
    const tests = step<ChartTestsData>(result, 'chart-tests')
    expect(tests.status).toBe('failed')
    expect(tests.summary).toBe('1 of 2 chart tests failed')
    expect(tests.findings.map((f) => [f.rule, f.file])).toEqual([['chart-test', `${DISPLAY}/tests/zz-broken.sh`]])
    expect(tests.findings[0].message).toBe('Chart test tests/zz-broken.sh exited 3: FAIL: case 9 went wrong')
    expect(tests.details).toContain('line 30\n')
    expect(tests.details).toContain(`helm=${await helm.version()}`)
    expect(tests.details).toContain('chart dir ok')
    expect(tests.details).not.toContain('line 13\n')
    const broken = tests.data!.scripts.find((s) => s.script === 'tests/zz-broken.sh')!
    expect(broken.exitCode).toBe(3)
    expect(broken.output).toContain('line 1\n')
  })

  it('runs a chart test on its own chart copy and helm home, without the action inputs or credentials', async () => {
    const script = [
      'CHART_DIR="$1"',
      'touch "$CHART_DIR/written-by-test"',
      'echo "chart=$CHART_DIR"',
      'echo "registry-config=$HELM_REGISTRY_CONFIG"',
      'echo "input=${INPUT_REGISTRY_PASSWORD:-none} token=${ACTIONS_RUNTIME_TOKEN:-none}"',
      'grep -q s3cret "$HELM_REPOSITORY_CONFIG" 2>/dev/null && echo "repos=leaked" || echo "repos=clean"',
      'exit 1',
      ''
    ].join('\n')
    const ctx = await prepare('script-isolation', (dir) => writeFile(path.join(dir, 'tests', 'zz-env.sh'), script))
    // What the action's own helm home holds during a real run: repository credentials.
    await writeFile(
      helm.home.repositoryConfig,
      'repositories:\n- name: private\n  url: https://charts.example\n  username: u\n  password: s3cret\n'
    )
    process.env.INPUT_REGISTRY_PASSWORD = 's3cret'
    process.env.ACTIONS_RUNTIME_TOKEN = 'runtime-s3cret'
    try {
      const result = await runGates(ctx)
      const output = step<ChartTestsData>(result, 'chart-tests').data!.scripts.find(
        (s) => s.script === 'tests/zz-env.sh'
      )!.output
      expect(output).toContain('input=none token=none')
      expect(output).toContain('repos=clean')
      expect(output).toMatch(new RegExp(`chart=${ctx.scriptRoot}/\\d+/`))
      expect(output).toMatch(new RegExp(`registry-config=${ctx.scriptRoot}/\\d+/helm-home/`))
      // The work chart that is packaged and rendered is untouched.
      await expect(readFile(path.join(ctx.chartDir, 'written-by-test'))).rejects.toThrow()
    } finally {
      delete process.env.INPUT_REGISTRY_PASSWORD
      delete process.env.ACTIONS_RUNTIME_TOKEN
      await rm(helm.home.repositoryConfig, { force: true })
    }
  })
})

const execFileAsync = promisify(execFile)

describe('runChartTest', () => {
  it('ends what a script left running in the background when the script exits', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gates-background-'))
    try {
      await writeFile(path.join(dir, 'leaves.sh'), '(sleep 30; echo late) &\necho done\n')
      const start = Date.now()
      const result = await runChartTest(dir, 'leaves.sh', process.env, 60_000)
      // Without the group kill, the background sleep holds the output pipe open for 30 s.
      expect(Date.now() - start).toBeLessThan(10_000)
      expect(result).toMatchObject({ exitCode: 0, timedOut: false })
      expect(result.output).toBe('done\n')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('kills what left the process group (setsid, a double fork) and names it; nothing runs once it returns', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gates-setsid-'))
    // Unique arguments, so the processes can be told from any other sleep on the machine.
    const token = `${process.pid}${Date.now() % 1000}`
    try {
      await writeFile(
        path.join(dir, 'escapes.sh'),
        [
          `setsid sleep 41${token} >/dev/null 2>&1 < /dev/null &`,
          `( ( exec -a orphan-${token} sleep 42${token} ) & ) >/dev/null 2>&1`,
          'sleep 0.5',
          'echo done',
          ''
        ].join('\n')
      )
      const result = await runChartTest(dir, 'escapes.sh', process.env, 60_000)
      expect(result).toMatchObject({ exitCode: 0, timedOut: false })
      const named = (result.leftovers ?? []).map((p) => p.command).join('\n')
      expect(named).toContain(`sleep 41${token}`)
      expect(named).toContain(`42${token}`)
      const running = (await execFileAsync('ps', ['-eo', 'args'])).stdout
        .split('\n')
        .filter((line) => line.includes(token) && !line.includes('ps -eo'))
      expect(running).toEqual([])
      const step = chartTestsStep([result], 'chart', 10)
      expect(step.status).toBe('failed')
      expect(step.findings[0]).toMatchObject({
        rule: 'chart-test-leftover',
        severity: 'error',
        message: expect.stringContaining(`sleep 41${token}`)
      })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('stops a script (and what it started) at the time limit, keeping its output', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gates-timeout-'))
    try {
      await writeFile(path.join(dir, 'slow.sh'), 'echo "started in $(pwd) for $1"\nsleep 30 &\nwait\necho never\n')
      const start = Date.now()
      const result = await runChartTest(dir, 'slow.sh', process.env, 700)
      expect(Date.now() - start).toBeLessThan(10_000)
      expect(result).toMatchObject({ script: 'slow.sh', timedOut: true, signal: 'SIGKILL' })
      expect(result.output).toContain(`started in ${dir} for ${dir}`)
      expect(result.output).toContain('(stopped after 1 s)')
      expect(result.output).not.toContain('never')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
