// Sibling blueprints through the bundled action under both helms, the real registry (behind a recording proxy) and
// the loopback chart repository: a chart-only product umbrella (products/catalyst, no blueprint.yaml) bundles
// `bp-cilium` of platform/cilium from the registry the monorepo publishes to, bumped together in one change. A
// release of the product before the sibling is published fails before anything is pushed, naming the sibling, its
// version and the blueprint to release first; after the sibling's own release it publishes. A pull request pinning a
// version that is neither published nor the sibling's source fails naming both files. A pull request that bumps a
// sibling (not yet published) and the product's pin on it together passes: the sibling is built from source at that
// commit, its own upstream fetched from the loopback chart repository, and bundled; nothing is pushed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startFaultProxy } from '../../testkit/registry.mjs'
import {
  chartTestRun,
  FAST,
  helmsUnderTest,
  prPayload,
  REPO_ROOT,
  runBundledAction,
  type ActionRun
} from '../support/e2e.js'
import { commitAll, git } from '../support/git-history.js'
import { registryTags, step, type FaultProxy } from '../support/publishing.js'
import { useServers } from '../support/servers.js'

async function write(root: string, file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(root, file)), { recursive: true })
  await writeFile(path.join(root, file), text)
}

/** A scratch blueprint (no upstream chart): one ConfigMap, values.yaml declaring no upstream (annotated so without
 * any dependency). */
async function scratchChart(root: string, chartDir: string, name: string, version: string, deps = ''): Promise<void> {
  await write(
    root,
    `${chartDir}/Chart.yaml`,
    `apiVersion: v2\nname: ${name}\nversion: ${version}\n${deps ? `dependencies:\n${deps}` : 'annotations:\n  catalyst.openova.io/no-upstream: "true"\n'}`
  )
  await write(root, `${chartDir}/values.yaml`, 'catalystBlueprint:\n  upstream:\n    chart: ""\ngreeting: hello\n')
  await write(
    root,
    `${chartDir}/templates/configmap.yaml`,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-${name}\ndata:\n  greeting: {{ .Values.greeting | quote }}\n`
  )
}

/** The upstream chart platform/cilium wraps: served by the loopback chart repository. */
const CILIUM_UPSTREAM = {
  source: path.join(REPO_ROOT, '__tests__', 'fixtures', 'upstream-cilium'),
  versions: [{ version: '1.16.0', appVersion: '1.16.0' }]
}

describe.each(helmsUnderTest())('sibling blueprints with $label', (helm) => {
  const servers = useServers(helm, { repo: { extraCharts: [CILIUM_UPSTREAM] }, api: true })
  let proxy: FaultProxy
  let ws: string
  beforeAll(async () => {
    proxy = await startFaultProxy({ target: servers.registry.url })
    ws = await mkdtemp(path.join(os.tmpdir(), 'bp-siblings-'))
  })
  afterAll(async () => {
    await proxy?.stop()
    await rm(ws, { recursive: true, force: true })
  })

  const repository = `siblings-${helm.version}`
  const registry = () => `${proxy.oci}/${repository}`

  /** platform/cilium at `cilium` (with its blueprint.yaml), products/catalyst pinning bp-cilium `pinned`. */
  async function monorepo(cilium: string, pinned: string): Promise<void> {
    await write(
      ws,
      'platform/cilium/blueprint.yaml',
      `apiVersion: catalyst.openova.io/v1alpha1\nkind: Blueprint\nmetadata:\n  name: bp-cilium\nspec:\n  version: ${cilium}\n  manifests:\n    chart: ./chart\n`
    )
    await scratchChart(ws, 'platform/cilium/chart', 'bp-cilium', cilium)
    await scratchChart(
      ws,
      'products/catalyst/chart',
      'bp-catalyst',
      '2.0.0',
      `  - name: bp-cilium\n    version: ${pinned}\n    repository: ${registry()}\n`
    )
  }

  function release(blueprint: string, version: string, workspace = ws): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace,
      repoUrl: servers.repo.url,
      eventName: 'push',
      ref: `refs/tags/${blueprint}/v${version}`,
      inputs: { ...FAST, diff: 'false', blueprint, registry: registry(), 'plain-http': 'true' }
    })
  }

  function pullRequest(blueprint: string, workspace = ws, inputs: Record<string, string> = {}): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace,
      repoUrl: servers.repo.url,
      eventName: 'pull_request',
      ref: 'refs/pull/3/merge',
      payload: prPayload(3),
      inputs: { ...FAST, diff: 'false', blueprint, registry: registry(), 'plain-http': 'true', ...inputs }
    })
  }

  it('a release of the product waits for its sibling: refused before, published after', async () => {
    await monorepo('1.1.2', '1.1.2')

    // The product's release first: bp-cilium 1.1.2 is not in the registry.
    proxy.requests.length = 0
    const early = await release('products/catalyst', '2.0.0')
    expect(early.exitCode).toBe(1)
    expect(early.outputs.pushed).toBe('false')
    const refused = step(early, 'siblings')
    expect(refused.status).toBe('failed')
    expect(refused.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'products/catalyst/chart/Chart.yaml',
        line: 5,
        message: `sibling blueprint bp-cilium 1.1.2 is not published (${registry()}/bp-cilium:1.1.2): a release never bundles an unpublished sibling, so nothing is pushed`,
        fix: "release platform/cilium first (its tag platform/cilium/v1.1.2; discover's waves order it before this blueprint), then re-run this release"
      })
    ])
    expect(early.report.steps.find((s: { id: string }) => s.id === 'publish')?.status ?? 'absent').not.toBe('passed')
    expect(proxy.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([])
    expect(await registryTags(servers.registry.url, `${repository}/bp-catalyst`)).toEqual([])

    // The sibling's own release (wave 0): it bundles no sibling, so it has no such step.
    const sibling = await release('platform/cilium', '1.1.2')
    expect(sibling.exitCode).toBe(0)
    expect(sibling.outputs.pushed).toBe('true')
    expect(sibling.report.steps.map((s: { id: string }) => s.id)).not.toContain('siblings')

    // Then the product (wave 1): the sibling is published, the release goes through and bundles it.
    proxy.requests.length = 0
    const late = await release('products/catalyst', '2.0.0')
    expect(late.exitCode).toBe(0)
    expect(late.outputs.pushed).toBe('true')
    expect(step(late, 'siblings')).toMatchObject({
      status: 'passed',
      summary: 'bp-cilium 1.1.2 published',
      findings: []
    })
    expect(await registryTags(servers.registry.url, `${repository}/bp-catalyst`)).toEqual(['2.0.0'])
  })

  it('a pull request pinning a version that is neither published nor the sibling source fails naming both files', async () => {
    await monorepo('1.1.2', '1.1.3')
    const run = await pullRequest('products/catalyst')
    expect(run.exitCode).toBe(1)
    expect(step(run, 'siblings').findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'products/catalyst/chart/Chart.yaml',
        line: 5,
        message: `products/catalyst/chart/Chart.yaml:5 bundles sibling blueprint bp-cilium 1.1.3, which is not published (${registry()}/bp-cilium:1.1.3), and platform/cilium has 1.1.2 at this commit (platform/cilium/chart/Chart.yaml:3)`,
        fix: 'pin bp-cilium to a published version in products/catalyst/chart/Chart.yaml:5, or set version in platform/cilium/chart/Chart.yaml:3 to 1.1.3 and release platform/cilium first'
      })
    ])
  })

  it('a pull request with the sibling bumped and not yet published passes: built from source and bundled', async () => {
    // Its own workspace, a git history as a monorepo has it. Base: platform/cert-manager 1.0.0 and platform/cilium
    // 1.1.0 (both released below), the chart-only product pinning both. The pull request bumps platform/cilium to
    // 1.2.0 (a value and a template only 1.2.0 has, over its upstream from the loopback chart repository) and the
    // product's pin on it together.
    const pr = await mkdtemp(path.join(os.tmpdir(), 'bp-siblings-pr-'))
    try {
      const cilium = async (version: string, bandwidth: boolean): Promise<void> => {
        await write(
          pr,
          'platform/cilium/blueprint.yaml',
          `apiVersion: catalyst.openova.io/v1alpha1\nkind: Blueprint\nmetadata:\n  name: bp-cilium\nspec:\n  version: ${version}\n  manifests:\n    chart: ./chart\n`
        )
        await write(
          pr,
          'platform/cilium/chart/Chart.yaml',
          `apiVersion: v2\nname: bp-cilium\nversion: ${version}\ndependencies:\n  - name: cilium\n    version: 1.16.0\n    repository: ${servers.repo.url}\n`
        )
        await write(
          pr,
          'platform/cilium/chart/values.yaml',
          `catalystBlueprint:\n  upstream:\n    chart: cilium\ncilium:\n  agent:\n    mode: native-routing\n${bandwidth ? 'bandwidthManager: enabled-in-1.2.0\n' : ''}`
        )
        if (bandwidth)
          await write(
            pr,
            'platform/cilium/chart/templates/bandwidth.yaml',
            'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-bandwidth\ndata:\n  manager: {{ .Values.bandwidthManager | quote }}\n'
          )
        await scratchChart(
          pr,
          'products/catalyst/chart',
          'bp-catalyst',
          '2.1.0',
          `  - name: bp-cert-manager\n    version: 1.0.0\n    repository: ${registry()}\n  - name: bp-cilium\n    version: ${version}\n    repository: ${registry()}\n`
        )
      }
      await git(pr, 'init', '-q', '-b', 'main')
      await scratchChart(pr, 'platform/cert-manager/chart', 'bp-cert-manager', '1.0.0')
      await cilium('1.1.0', false)
      // The product's own test prints its render, charts/ as the run built it.
      await write(
        pr,
        'products/catalyst/chart/tests/render.sh',
        '#!/usr/bin/env bash\nset -euo pipefail\nhelm template catalyst "$1"\n'
      )
      for (const [blueprint, version] of [
        ['platform/cert-manager', '1.0.0'],
        ['platform/cilium', '1.1.0']
      ]) {
        const released = await release(blueprint, version, pr)
        expect(released.outputs.pushed).toBe('true')
      }
      const baseSha = await commitAll(pr, 'base')
      await cilium('1.2.0', true)
      const headSha = await commitAll(pr, 'head')

      // The pull request with action.yml's defaults (chart tests, the rendered diff, the comment).
      proxy.requests.length = 0
      const run = await runBundledAction({
        helm,
        workspace: pr,
        repoUrl: servers.repo.url,
        eventName: 'pull_request',
        ref: 'refs/pull/4/merge',
        payload: prPayload(4, baseSha, headSha),
        inputs: {
          blueprint: 'products/catalyst',
          registry: registry(),
          'plain-http': 'true',
          'github-token': 'ghs_siblings-test-token'
        },
        env: { GITHUB_API_URL: servers.api.url }
      })
      expect({
        exit: run.exitCode,
        failed: run.report.steps.filter((s: { status: string }) => s.status === 'failed')
      }).toEqual({ exit: 0, failed: [] })
      const line = 'bp-cilium 1.2.0 built from platform/cilium at this commit (not yet published)'
      expect(step(run, 'siblings')).toMatchObject({
        status: 'passed',
        summary: `bp-cert-manager 1.0.0 published, ${line}`
      })
      // The job summary's and the comment's steps table (markdown escapes the parentheses).
      const row =
        '| Sibling blueprints | ✅ passed | bp-cert-manager 1.0.0 published, bp-cilium 1.2.0 built from platform/cilium at this commit \\(not yet published\\) |'
      expect(run.summary).toContain(row)
      const comments = servers.api.commentsOn(4)
      expect(comments).toHaveLength(1)
      expect(comments[0].body).toContain('built from platform/cilium at this commit')
      expect(step(run, 'dependency-build')).toMatchObject({
        status: 'passed',
        summary: 'bp-cert-manager 1.0.0, bp-cilium 1.2.0'
      })
      // Every gate ran on the product with the built sibling bundled: its render has what only 1.2.0 has, the
      // sibling's values over its own upstream, and the published sibling.
      const render = chartTestRun(run, 'tests/render.sh')
      expect(render?.exitCode).toBe(0)
      expect(render?.output).toContain('name: catalyst-bandwidth')
      expect(render?.output).toContain('manager: "enabled-in-1.2.0"')
      expect(render?.output).toMatch(
        /name: catalyst-cilium-agent\n[^]*mode: "native-routing"\n\s+chart: "cilium-1.16.0"/
      )
      expect(render?.output).toContain('name: catalyst-bp-cert-manager')
      // The rendered diff against the base (bp-cilium 1.1.0 from the registry): the 1.2.0 template is added.
      expect(run.report.diff).toMatchObject({ status: 'compared', base: { sha: baseSha } })
      const added = run.report.diff.comparison.resources.filter((r: { change: string }) => r.change === 'added')
      expect(added.map((r: { kind: string; name: string }) => `${r.kind}/${r.name}`)).toEqual([
        'ConfigMap/bp-catalyst-bandwidth'
      ])

      // A pull request pushes nothing: the sibling built from source never reaches the registry.
      expect(run.outputs.pushed).toBe('false')
      expect(proxy.requests.filter((r) => r.method !== 'GET' && r.method !== 'HEAD')).toEqual([])
      expect(await registryTags(servers.registry.url, `${repository}/bp-cilium`)).not.toContain('1.2.0')
      expect(await registryTags(servers.registry.url, `${repository}/bp-catalyst`)).not.toContain('2.1.0')

      // The sibling's own upstream pinned at a version its repository does not have: the sibling cannot be built,
      // and the error names its folder and the cause; the product's dependency build does not run.
      await write(
        pr,
        'platform/cilium/chart/Chart.yaml',
        `apiVersion: v2\nname: bp-cilium\nversion: 1.2.0\ndependencies:\n  - name: cilium\n    version: 1.99.0\n    repository: ${servers.repo.url}\n`
      )
      const broken = await pullRequest('products/catalyst', pr)
      expect(broken.exitCode).toBe(1)
      const refused = step(broken, 'siblings')
      expect(refused.status).toBe('failed')
      expect(refused.findings).toEqual([
        expect.objectContaining({
          severity: 'error',
          file: 'products/catalyst/chart/Chart.yaml',
          line: 8,
          message: expect.stringMatching(
            /^sibling blueprint bp-cilium 1\.2\.0 is not published yet \(.*\), and platform\/cilium could not be built from source at this commit: http:\/\/127\.0\.0\.1:\d+\/index\.yaml has no cilium matching 1\.99\.0 \(it has 1\.16\.0\)$/
          ),
          fix: 'make platform/cilium/chart build (the action run on platform/cilium says what fails), or pin bp-cilium to a published version in products/catalyst/chart/Chart.yaml:8'
        })
      ])
      expect(broken.report.steps.map((s: { id: string }) => s.id)).not.toContain('dependency-build')
      expect(broken.outputs.pushed).toBe('false')
    } finally {
      await rm(pr, { recursive: true, force: true })
    }
  })
})
