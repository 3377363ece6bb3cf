// Can the published artifact be trusted? Mirrors, stale locks, the hollow-chart
// guards, the packaged version, reproducible and idempotent publishing, refusal to
// overwrite, retries and auth errors — with the bundled action (dist/index.js),
// real helm 3 and 4, a real chart repository and a real OCI registry.
//
// Every claim is checked against the registry itself (tag list, HEAD digest,
// helm pull + tar), not only against the action's own outputs. Upstream version
// resolution, drift and values.yaml agreement: upstream-resolution.test.ts.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { parseDocument } from 'yaml'
import { startChartRepo } from '../../testkit/chart-repo.mjs'
import { startFaultProxy, startRegistry } from '../../testkit/registry.mjs'
import {
  failureMessage,
  helmsUnderTest,
  makeWorkspace,
  pointChartAt,
  runBundledAction,
  UPSTREAM_URL,
  withoutMaskCommands,
  withWorkspace,
  type ActionRun
} from '../support/e2e.js'
import {
  execFileAsync,
  type ChartRepo,
  type Registry,
  type FaultProxy,
  type Workspace,
  FAST,
  registryTags,
  manifestDigest,
  pull,
  bundledUpstream,
  editYaml,
  chartYaml,
  valuesYaml,
  step,
  built,
  expectSuccess,
  writes
} from '../support/publish-trust.js'

// Building, packaging and publishing: helm 3 and helm 4 differ here.

describe.each(helmsUnderTest())('building and publishing with $label', (helm) => {
  let repo: ChartRepo
  let registry: Registry
  beforeAll(async () => {
    ;[repo, registry] = await Promise.all([startChartRepo({ helm: helm.binary }), startRegistry()])
  })
  afterAll(async () => {
    await Promise.all([repo?.close(), registry?.stop()])
  })

  function publish(
    ws: Workspace,
    base: string,
    inputs: Record<string, string> = {},
    env: Record<string, string> = {}
  ): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace: ws.dir,
      repoUrl: repo.url,
      inputs: { ...FAST, registry: base, push: 'true', 'plain-http': 'true', ...inputs },
      env
    })
  }

  it('fetches through the mirror, but the packaged Chart.yaml still names the real upstream repository', async () => {
    await withWorkspace(async (ws) => {
      const fetchedBefore = repo.requests.length
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: repo.url,
        viaMirror: true,
        inputs: { ...FAST, registry: `${registry.oci}/mirror`, push: 'true', 'plain-http': 'true' }
      })
      expectSuccess(run)
      // The mirror really served the upstream chart.
      expect(repo.requests.slice(fetchedBefore).map((r) => r.url)).toContain('/temporal-1.2.0.tgz')
      await pull(helm, `${registry.oci}/mirror/bp-temporal@${run.outputs.digest}`, async (pulled) => {
        const packaged = parseDocument(await pulled.read('bp-temporal/Chart.yaml'))
        expect(packaged.getIn(['dependencies', 0, 'repository'])).toBe(UPSTREAM_URL)
        expect(await bundledUpstream(pulled)).toBe('1.2.0')
        // Nothing in the package points at the mirror (a lock written against it is not shipped).
        for (const entry of pulled.listing.filter((e) => /^bp-temporal\/(Chart\.(yaml|lock)|values\.yaml)$/.test(e))) {
          expect(await pulled.read(entry)).not.toContain('127.0.0.1')
        }
      })
    })
  })

  it('a stale Chart.lock (temporal 1.1.0 while Chart.yaml says 1.2.0) stops a release; validating warns and builds 1.2.0; the tree is left alone', async () => {
    await withWorkspace(async (ws) => {
      const lock = [
        'dependencies:',
        '- name: temporal',
        `  repository: ${UPSTREAM_URL}`,
        '  version: 1.1.0',
        `digest: sha256:${'0'.repeat(64)}`,
        'generated: "2024-01-01T00:00:00Z"',
        ''
      ].join('\n')
      await writeFile(path.join(ws.chart, 'Chart.lock'), lock)
      const released = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: repo.url,
        viaMirror: true,
        eventName: 'push',
        ref: 'refs/tags/platform/temporal/v1.0.0',
        inputs: { ...FAST, registry: `${registry.oci}/stale-lock`, 'plain-http': 'true' }
      })
      expect(released.exitCode).not.toBe(0)
      expect(step(released, 'chart-lock').findings).toEqual([
        expect.objectContaining({
          rule: 'chart-lock',
          severity: 'error',
          file: 'platform/temporal/chart/Chart.lock',
          message: expect.stringContaining('locks temporal 1.1.0')
        })
      ])
      expect(released.outputs.pushed).toBe('false')
      expect(await registryTags(registry.url, 'stale-lock/bp-temporal')).toEqual([])

      const validated = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: repo.url,
        viaMirror: true,
        inputs: { ...FAST, push: 'false' }
      })
      expectSuccess(validated)
      expect(step(validated, 'chart-lock').findings).toEqual([
        expect.objectContaining({ rule: 'chart-lock', severity: 'warning' })
      ])
      expect(built(validated)).toEqual({ temporal: '1.2.0' })
      // The user's lock is left alone.
      expect(await readFile(path.join(ws.chart, 'Chart.lock'), 'utf8')).toBe(lock)
    })
  })

  it('a chart with no dependencies is hollow: it fails before anything is pushed', async () => {
    await withWorkspace(async (ws) => {
      await editYaml(chartYaml(ws), (doc) => doc.delete('dependencies'))
      const run = await publish(ws, `${registry.oci}/hollow-none`)
      expect(run.exitCode).not.toBe(0)
      expect(failureMessage(run)).toContain(
        'platform/temporal/chart/Chart.yaml declares no dependencies: a blueprint chart wraps an upstream chart'
      )
      expect(step(run, 'resolve-upstream').findings.map((f) => f.rule)).toEqual(['hollow-chart'])
      expect(run.outputs.pushed).toBe('false')
      expect(await registryTags(registry.url, 'hollow-none/bp-temporal')).toEqual([])
    })
  })

  it('a chart annotated catalyst.openova.io/no-upstream: "true" without dependencies proceeds and publishes', async () => {
    await withWorkspace(async (ws) => {
      await editYaml(chartYaml(ws), (doc) => {
        doc.delete('dependencies')
        doc.setIn(['annotations', 'catalyst.openova.io/no-upstream'], 'true')
      })
      const run = await publish(ws, `${registry.oci}/no-upstream`)
      expectSuccess(run)
      expect(step(run, 'resolve-upstream')).toMatchObject({ status: 'skipped' })
      expect(run.outputs['upstream-version']).toBe('')
      expect(run.outputs.pushed).toBe('true')
      expect(await manifestDigest(registry.url, 'no-upstream/bp-temporal', '1.0.0')).toBe(run.outputs.digest)
    })
  })

  it('a .helmignore that drops charts/ fails the package step as a hollow chart; nothing is pushed', async () => {
    await withWorkspace(async (ws) => {
      const ignore = path.join(ws.chart, '.helmignore')
      await writeFile(ignore, `${await readFile(ignore, 'utf8')}charts/\n`)
      const run = await publish(ws, `${registry.oci}/helmignore`)
      expect(run.exitCode).not.toBe(0)
      // The dependency build itself worked: guard 1 passed, the package lost it.
      expect(step(run, 'dependency-build').status).toBe('passed')
      const packaged = step(run, 'package')
      expect(packaged.status).toBe('failed')
      expect(packaged.findings.map((f) => f.rule)).toEqual(['hollow-chart'])
      expect(packaged.findings[0].fix).toMatch(/\.helmignore/)
      expect(step(run, 'publish')).toMatchObject({ status: 'skipped' })
      expect(await registryTags(registry.url, 'helmignore/bp-temporal')).toEqual([])
    })
  })

  it('a chart name that is no OCI repository name (uppercase) is refused when publishing, naming the file and line; nothing is pushed', async () => {
    await withWorkspace(async (ws) => {
      await editYaml(chartYaml(ws), (doc) => doc.set('name', 'BP-Temporal'))
      const run = await publish(ws, `${registry.oci}/upper`)
      expect(run.exitCode).not.toBe(0)
      expect(failureMessage(run)).toContain(
        'platform/temporal/chart/Chart.yaml:2: chart name "BP-Temporal" cannot be an OCI repository name'
      )
      expect(run.report?.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
        ['error', 'failed']
      ])
      expect(await registryTags(registry.url, 'upper/BP-Temporal')).toEqual([])
      expect(await registryTags(registry.url, 'upper/bp-temporal')).toEqual([])
    })
  })

  it('input version packages and tags that version without touching the tree; a non-semver one fails first; + becomes _ in the tag', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, repo.url) // as every run does: the tree compared is the one the action saw
      const before = await readFile(chartYaml(ws), 'utf8')
      const base = `${registry.oci}/versions`

      const patch = await publish(ws, base, { version: '1.0.1' })
      expectSuccess(patch)
      expect(patch.outputs['chart-version']).toBe('1.0.1')
      expect(patch.outputs.ref).toBe(`${base}/bp-temporal:1.0.1`)
      await pull(helm, `${base}/bp-temporal:1.0.1`, async (pulled) => {
        expect(parseDocument(await pulled.read('bp-temporal/Chart.yaml')).get('version')).toBe('1.0.1')
      })

      const notSemver = await publish(ws, base, { version: '1.0' })
      expect(notSemver.exitCode).not.toBe(0)
      expect(failureMessage(notSemver)).toContain('input version: "1.0" is not a semantic version')
      // Stopped before any step (no packaging): the report holds only what stopped it.
      expect(notSemver.report?.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
        ['error', 'failed']
      ])

      const withBuild = await publish(ws, base, { version: '1.0.0+build.7' })
      expectSuccess(withBuild)
      expect(withBuild.outputs['chart-version']).toBe('1.0.0+build.7')
      expect(withBuild.outputs.ref).toBe(`${base}/bp-temporal:1.0.0_build.7`)
      expect(await manifestDigest(registry.url, 'versions/bp-temporal', '1.0.0_build.7')).toBe(withBuild.outputs.digest)
      // (helm pull reads a tag as a version constraint: `_` is refused there, so pull by digest)
      await pull(helm, `${base}/bp-temporal@${withBuild.outputs.digest}`, async (pulled) => {
        expect(parseDocument(await pulled.read('bp-temporal/Chart.yaml')).get('version')).toBe('1.0.0+build.7')
      })

      expect(await registryTags(registry.url, 'versions/bp-temporal')).toEqual(['1.0.0_build.7', '1.0.1'])
      expect(await readFile(chartYaml(ws), 'utf8')).toBe(before)
    })
  })

  describe('idempotence and no overwrite', () => {
    let proxy: FaultProxy
    beforeAll(async () => {
      proxy = await startFaultProxy({ target: registry.url, plan: [] })
    })
    afterAll(async () => {
      await proxy?.stop()
    })

    it('publishing the same workspace twice gives the same digest; the second run pushes nothing (no manifest PUT reached the registry)', async () => {
      await withWorkspace(async (ws) => {
        const first = await publish(ws, `${proxy.oci}/idem`)
        expectSuccess(first)
        expect(first.outputs.pushed).toBe('true')
        expect(
          writes(proxy).some((r) => r.method === 'PUT' && /\/v2\/idem\/bp-temporal\/manifests\/1\.0\.0$/.test(r.path))
        ).toBe(true)

        const seen = proxy.requests.length
        const second = await publish(ws, `${proxy.oci}/idem`)
        expectSuccess(second)
        expect(second.outputs.digest).toBe(first.outputs.digest)
        expect(second.outputs.pushed).toBe('false')
        expect(step(second, 'publish').summary).toContain('already published with the same content')
        const during = proxy.requests.slice(seen)
        expect(
          during.filter((r) => r.method === 'HEAD' && r.path.endsWith('/idem/bp-temporal/manifests/1.0.0'))
        ).not.toHaveLength(0)
        expect(during.filter((r) => ['PUT', 'POST', 'PATCH', 'DELETE'].includes(r.method))).toEqual([])
        expect(await manifestDigest(registry.url, 'idem/bp-temporal', '1.0.0')).toBe(first.outputs.digest)
        // The archive's timestamps are SOURCE_DATE_EPOCH's.
        await pull(helm, `${registry.oci}/idem/bp-temporal@${first.outputs.digest}`, async (pulled) => {
          expect(new Set(pulled.mtimes.values())).toEqual(new Set([1700000000]))
        })
      })
    })

    it('without SOURCE_DATE_EPOCH, a git workspace packages at the commit time: two runs at different times give one digest', async () => {
      await withWorkspace(async (ws) => {
        const commitTime = 1709294400 // 2024-03-01T12:00:00Z
        const gitEnv = {
          ...process.env,
          GIT_AUTHOR_DATE: `@${commitTime} +0000`,
          GIT_COMMITTER_DATE: `@${commitTime} +0000`
        }
        const git = (...args: string[]) =>
          execFileAsync(
            'git',
            ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args],
            { cwd: ws.dir, env: gitEnv }
          )
        await git('init', '-q')
        await git('add', '-A')
        await git('commit', '-q', '-m', 'blueprint')

        const a = await publish(ws, `${registry.oci}/git-a`, {}, { SOURCE_DATE_EPOCH: '' })
        expectSuccess(a)
        await new Promise((resolve) => setTimeout(resolve, 1100)) // another second on the clock
        const b = await publish(ws, `${registry.oci}/git-b`, {}, { SOURCE_DATE_EPOCH: '' })
        expectSuccess(b)
        expect(b.outputs.pushed).toBe('true')
        expect(b.outputs.digest).toBe(a.outputs.digest)
        expect(await manifestDigest(registry.url, 'git-b/bp-temporal', '1.0.0')).toBe(a.outputs.digest)
        await pull(helm, `${registry.oci}/git-a/bp-temporal@${a.outputs.digest}`, async (pulled) => {
          expect(new Set(pulled.mtimes.values())).toEqual(new Set([commitTime]))
        })
      })
    })

    it('the same files packaged at another time (a later commit, a shallow checkout) count as already published: nothing pushed', async () => {
      await withWorkspace(async (ws) => {
        const first = await publish(ws, `${proxy.oci}/retimed`, {}, { SOURCE_DATE_EPOCH: '1700000000' })
        expectSuccess(first)
        const seen = proxy.requests.length
        const second = await publish(ws, `${proxy.oci}/retimed`, {}, { SOURCE_DATE_EPOCH: '1709294400' })
        expectSuccess(second)
        // Another archive digest (other mtimes), the same files.
        expect((step(second, 'package').data as { layerDigest: string }).layerDigest).not.toBe(
          (step(first, 'package').data as { layerDigest: string }).layerDigest
        )
        expect(second.outputs.pushed).toBe('false')
        expect(second.outputs.digest).toBe(first.outputs.digest)
        expect(step(second, 'publish').summary).toContain("only the archive's timestamps differ")
        expect(proxy.requests.slice(seen).filter((r) => ['PUT', 'POST', 'PATCH', 'DELETE'].includes(r.method))).toEqual(
          []
        )
        expect(await manifestDigest(registry.url, 'retimed/bp-temporal', '1.0.0')).toBe(first.outputs.digest)
      })
    })

    it('a changed chart under the same version is refused (both digests named); overwrite: true replaces it', async () => {
      await withWorkspace(async (ws) => {
        const first = await publish(ws, `${proxy.oci}/changed`)
        expectSuccess(first)

        await editYaml(valuesYaml(ws), (doc) => doc.setIn(['temporal', 'server', 'replicaCount'], 3))
        const refused = await publish(ws, `${proxy.oci}/changed`)
        expect(refused.exitCode).not.toBe(0)
        const layer = (step(refused, 'package').data as { layerDigest: string }).layerDigest
        const message = failureMessage(refused)
        expect(message).toContain(`is already published as ${first.outputs.digest}`)
        expect(message).toContain(`this chart's content is ${layer}`)
        expect(message).toMatch(/bump version in Chart\.yaml .*or set overwrite: true/)
        expect(refused.outputs.pushed).toBe('false')
        expect(await manifestDigest(registry.url, 'changed/bp-temporal', '1.0.0')).toBe(first.outputs.digest)

        const replaced = await publish(ws, `${proxy.oci}/changed`, { overwrite: 'true' })
        expectSuccess(replaced)
        expect(replaced.outputs.pushed).toBe('true')
        expect(replaced.outputs.digest).not.toBe(first.outputs.digest)
        expect(await manifestDigest(registry.url, 'changed/bp-temporal', '1.0.0')).toBe(replaced.outputs.digest)
        await pull(helm, `${registry.oci}/changed/bp-temporal:1.0.0`, async (pulled) => {
          expect(
            parseDocument(await pulled.read('bp-temporal/values.yaml')).getIn(['temporal', 'server', 'replicaCount'])
          ).toBe(3)
        })
      })
    })
  })

  it('a registry answering 503 twice on the manifest PUT is retried: published, and the proxy saw the retries', async () => {
    const proxy = await startFaultProxy({
      target: registry.url,
      plan: [{ method: 'PUT', pathPattern: /\/v2\/flaky\/bp-temporal\/manifests\//, times: 2, status: 503 }]
    })
    const ws = await makeWorkspace()
    try {
      const run = await publish(ws, `${proxy.oci}/flaky`)
      expectSuccess(run)
      expect(run.outputs.pushed).toBe('true')
      // helm 4 PUTs the manifest by digest then tags it; helm 3 PUTs it by tag. Either
      // helm's client or the action retried: the faults were served and the tag landed.
      const puts = proxy.requests.filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'))
      expect(puts.slice(0, 3).map((r) => r.status)).toEqual([503, 503, 201])
      expect(puts.filter((r) => r.fault)).toHaveLength(2)
      expect(puts.some((r) => r.path.endsWith('/manifests/1.0.0') && r.status === 201)).toBe(true)
      expect(await manifestDigest(registry.url, 'flaky/bp-temporal', '1.0.0')).toBe(run.outputs.digest)
    } finally {
      await Promise.all([ws.remove(), proxy.stop()])
    }
  })

  it('a registry answering 503 twice on the blob upload is retried too', async () => {
    const proxy = await startFaultProxy({
      target: registry.url,
      plan: [{ method: 'POST', pathPattern: /\/v2\/flaky-blob\/bp-temporal\/blobs\/uploads\//, times: 2, status: 503 }]
    })
    const ws = await makeWorkspace()
    try {
      const run = await publish(ws, `${proxy.oci}/flaky-blob`)
      expectSuccess(run)
      expect(proxy.requests.filter((r) => r.fault).map((r) => `${r.method} ${r.status}`)).toEqual([
        'POST 503',
        'POST 503'
      ])
      expect(proxy.requests.some((r) => r.method === 'PUT' && r.path.includes('/manifests/') && r.status === 201)).toBe(
        true
      )
      expect(await manifestDigest(registry.url, 'flaky-blob/bp-temporal', '1.0.0')).toBe(run.outputs.digest)
    } finally {
      await Promise.all([ws.remove(), proxy.stop()])
    }
  })

  it('a pull-back that fails after the push still reports what was pushed (pushed=true, ref, digest) and fails the run', async () => {
    const proxy = await startFaultProxy({
      target: registry.url,
      plan: [{ method: 'GET', pathPattern: /\/v2\/unverified\/bp-temporal\/blobs\//, times: 20, status: 404 }]
    })
    const ws = await makeWorkspace()
    try {
      const run = await publish(ws, `${proxy.oci}/unverified`)
      expect(run.exitCode).not.toBe(0)
      expect(run.outputs.pushed).toBe('true')
      expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(run.outputs.ref).toBe(`${proxy.oci}/unverified/bp-temporal:1.0.0`)
      expect(await manifestDigest(registry.url, 'unverified/bp-temporal', '1.0.0')).toBe(run.outputs.digest)
      expect(failureMessage(run)).toContain('but pulling it back failed')
    } finally {
      await Promise.all([ws.remove(), proxy.stop()])
    }
  })

  it('a 401 on the existence check fails with an auth error naming the registry and the credential inputs, and nothing is pushed', async () => {
    const proxy = await startFaultProxy({
      target: registry.url,
      plan: [
        {
          method: 'HEAD',
          pathPattern: /\/v2\/.*\/manifests\//,
          times: 1000,
          status: 401,
          headers: { 'WWW-Authenticate': 'Basic realm="x"' }
        }
      ]
    })
    const ws = await makeWorkspace()
    try {
      const run = await publish(ws, `${proxy.oci}/locked`)
      expect(run.exitCode).not.toBe(0)
      const message = failureMessage(run)
      expect(message).toContain(`Registry ${proxy.host} requires credentials`)
      expect(message).toMatch(/registry-username and registry-password/)
      expect(proxy.requests.filter((r) => r.method === 'HEAD' && r.status === 401)).not.toHaveLength(0)
      expect(writes(proxy)).toEqual([])
      expect(run.outputs.pushed).toBe('false')

      // With credentials (the login itself passes), the registry still refusing the HEAD is an auth error, not "absent".
      const password = 'n0t-the-Right-one'
      const withCredentials = await publish(ws, `${proxy.oci}/locked`, {
        'registry-username': 'publisher',
        'registry-password': password
      })
      expect(withCredentials.exitCode).not.toBe(0)
      const refused = failureMessage(withCredentials)
      expect(refused).toContain(`Registry ${proxy.host} refused user "publisher"`)
      expect(refused).toMatch(/Check the registry-username and registry-password inputs/)
      expect(withoutMaskCommands(withCredentials.stdout + withCredentials.stderr)).not.toContain(password)
      expect(writes(proxy)).toEqual([])
      expect(await registryTags(registry.url, 'locked/bp-temporal')).toEqual([])
    } finally {
      await Promise.all([ws.remove(), proxy.stop()])
    }
  })

  it('an oci:// upstream dependency resolves its range from the registry tag list and builds', async () => {
    // Publish the stand-in temporal chart to the registry with real helm.
    for (const archive of repo.archives) {
      await execFileAsync(helm.binary, ['push', archive.path, `${registry.oci}/charts`, '--plain-http'], {
        env: { ...process.env, ...repo.helmEnv }
      })
    }
    expect(await registryTags(registry.url, 'charts/temporal')).toEqual(['1.1.0', '1.2.0', '1.3.0', '2.0.0-rc.1'])
    await withWorkspace(async (ws) => {
      await editYaml(chartYaml(ws), (doc) => {
        doc.setIn(['dependencies', 0, 'version'], '^1')
        doc.setIn(['dependencies', 0, 'repository'], `${registry.oci}/charts`)
      })
      await editYaml(valuesYaml(ws), (doc) => {
        doc.setIn(['catalystBlueprint', 'upstream', 'version'], '1.3.0')
        doc.setIn(['catalystBlueprint', 'upstream', 'repo'], `${registry.oci}/charts`)
      })
      const run = await publish(ws, `${registry.oci}/oci-dep`)
      expectSuccess(run)
      expect(run.outputs['upstream-version']).toBe('1.3.0')
      expect(run.outputs['upstream-latest']).toBe('1.3.0')
      expect(built(run)).toEqual({ temporal: '1.3.0' })
      await pull(helm, `${registry.oci}/oci-dep/bp-temporal@${run.outputs.digest}`, async (pulled) => {
        expect(await bundledUpstream(pulled)).toBe('1.3.0')
      })
    })
  })
})
