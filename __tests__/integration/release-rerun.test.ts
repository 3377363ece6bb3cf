// A release re-run of the same commit: the same tag run twice (GitHub's
// "Re-run jobs", or a second push of the tag) packages the same bytes, finds
// them published and exits 0 with pushed=false — with and without a committed
// Chart.lock, with mirrors, and with an OCI upstream served by the real
// registry, under helm 3 and helm 4. A committed Chart.lock is what is built
// and shipped; one that does not fit Chart.yaml stops a release.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { isolatedHelmEnv, startChartRepo } from '../../testkit/chart-repo.mjs'
import { startRegistry } from '../../testkit/registry.mjs'
import {
  FAST,
  failureMessage,
  helmsUnderTest,
  pointChartAt,
  runBundledAction,
  withWorkspace,
  type ActionRun,
  type HelmUnderTest
} from '../support/e2e.js'

const execFileAsync = promisify(execFile)
const RELEASE_REF = 'refs/tags/platform/temporal/v1.0.0'
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

interface Step {
  id: string
  status: string
  findings: { rule: string; severity: string; message: string; fix?: string; file?: string }[]
  data?: Record<string, unknown>
}

function step(run: ActionRun, id: string): Step | undefined {
  return (run.report?.steps ?? []).find((s: Step) => s.id === id)
}

function layerDigest(run: ActionRun): string | undefined {
  return step(run, 'package')?.data?.layerDigest as string | undefined
}

function expectSuccess(run: ActionRun): void {
  expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
}

/** A git repository with one commit, as actions/checkout leaves it: the package's time is the commit's. */
async function commitWorkspace(dir: string, epoch: number): Promise<void> {
  const env = { ...process.env, GIT_AUTHOR_DATE: `@${epoch} +0000`, GIT_COMMITTER_DATE: `@${epoch} +0000` }
  const git = (...args: string[]) =>
    execFileAsync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd: dir, env })
  await git('init', '-q')
  await git('add', '-A')
  await git('commit', '-q', '-m', 'blueprint')
}

/** Runs helm with its own throwaway homes (not the action's). */
async function helmIn(helm: HelmUnderTest, home: string, args: string[], cwd?: string) {
  return execFileAsync(helm.binary, args, { cwd, env: { ...process.env, ...isolatedHelmEnv(home) } })
}

/** `helm dependency update` in a scratch copy: the Chart.lock a maintainer would commit. */
async function lockWithHelm(helm: HelmUnderTest, chartDir: string, extra: string[] = []): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'bp-lock-'))
  try {
    const copy = path.join(scratch, 'chart')
    await mkdir(copy)
    await writeFile(path.join(copy, 'Chart.yaml'), await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8'))
    await helmIn(helm, path.join(scratch, 'home'), ['dependency', 'update', copy, ...extra])
    return await readFile(path.join(copy, 'Chart.lock'), 'utf8')
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** The files of a published artifact, pulled with helm itself. */
async function pulledFile(helm: HelmUnderTest, ref: string, entry: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-rerun-pull-'))
  try {
    await mkdir(path.join(dir, 'out'))
    await helmIn(helm, path.join(dir, 'home'), ['pull', ref, '--plain-http', '--destination', path.join(dir, 'out')])
    const [archive] = await readdir(path.join(dir, 'out'))
    return (await execFileAsync('tar', ['-xOzf', path.join(dir, 'out', archive), entry])).stdout
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

describe.each(helmsUnderTest())('release re-run of one commit with $label', (helm) => {
  let repo: Awaited<ReturnType<typeof startChartRepo>>
  let registry: Awaited<ReturnType<typeof startRegistry>>
  const commitTime = 1722470400 // 2024-08-01T00:00:00Z

  beforeAll(async () => {
    ;[repo, registry] = await Promise.all([startChartRepo({ helm: helm.binary }), startRegistry()])
  })
  afterAll(async () => {
    await Promise.all([repo?.close(), registry?.stop()])
  })

  /** The release job as a tag push runs it: action.yml defaults, the commit time from git. */
  function release(
    workspace: string,
    repoUrl: string,
    base: string,
    options: { viaMirror?: boolean; inputs?: Record<string, string> } = {}
  ): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace,
      repoUrl,
      viaMirror: options.viaMirror,
      eventName: 'push',
      ref: RELEASE_REF,
      inputs: { ...FAST, registry: base, 'plain-http': 'true', ...options.inputs },
      env: { SOURCE_DATE_EPOCH: '' }
    })
  }

  async function twice(
    workspace: string,
    repoUrl: string,
    base: string,
    options: { viaMirror?: boolean; inputs?: Record<string, string> } = {}
  ): Promise<[ActionRun, ActionRun]> {
    const first = await release(workspace, repoUrl, base, options)
    expectSuccess(first)
    expect(first.outputs.pushed).toBe('true')
    // More than a second: a lock written with the wall clock would differ now.
    await pause(1500)
    const second = await release(workspace, repoUrl, base, options)
    expectSuccess(second)
    expect(second.outputs.pushed).toBe('false')
    expect(second.outputs.digest).toBe(first.outputs.digest)
    // The same bytes, not just the same files.
    expect(layerDigest(second)).toBe(layerDigest(first))
    expect(step(second, 'publish')?.status).toBe('passed')
    return [first, second]
  }

  it('without a Chart.lock: the second run of the tag pushes nothing, same digest; the packaged lock carries the commit time', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, repo.url)
      await commitWorkspace(ws.dir, commitTime)
      const [first] = await twice(ws.dir, repo.url, `${registry.oci}/nolock`)
      const lock = await pulledFile(
        helm,
        `${registry.oci}/nolock/bp-temporal@${first.outputs.digest}`,
        'bp-temporal/Chart.lock'
      )
      expect(lock).toMatch(/^generated: "2024-08-01T00:00:00Z"$/m)
      expect(lock).toContain(`repository: ${repo.url}`)
    })
  })

  it('with a committed Chart.lock: it is built from and shipped as committed; the second run pushes nothing', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, repo.url)
      const lock = (await lockWithHelm(helm, ws.chart)).replace(/^generated:.*$/m, 'generated: "2023-03-03T03:03:03Z"')
      await writeFile(path.join(ws.chart, 'Chart.lock'), lock)
      await commitWorkspace(ws.dir, commitTime)
      const [first] = await twice(ws.dir, repo.url, `${registry.oci}/lock`)
      expect(step(first, 'chart-lock')).toBeUndefined()
      const shipped = await pulledFile(
        helm,
        `${registry.oci}/lock/bp-temporal@${first.outputs.digest}`,
        'bp-temporal/Chart.lock'
      )
      expect(shipped).toMatch(/^generated: "2023-03-03T03:03:03Z"$/m)
      expect(shipped.match(/^digest: .*$/m)?.[0]).toBe(lock.match(/^digest: .*$/m)?.[0])
    })
  })

  it('a committed Chart.lock pins what is bundled and reported, even when newer releases in the range appeared since', async () => {
    const lockRepo = await startChartRepo({ helm: helm.binary, versions: ['1.1.0'] })
    try {
      await withWorkspace(async (ws) => {
        await pointChartAt(ws.chart, lockRepo.url)
        const chartYaml = path.join(ws.chart, 'Chart.yaml')
        await writeFile(
          chartYaml,
          (await readFile(chartYaml, 'utf8')).replace(
            'version: 1.2.0\n    repository',
            'version: ^1.1.0\n    repository'
          )
        )
        const valuesYaml = path.join(ws.chart, 'values.yaml')
        await writeFile(
          valuesYaml,
          (await readFile(valuesYaml, 'utf8')).replace(
            /(catalystBlueprint:\n {2}upstream:\n {4}chart: temporal\n {4}version: )1\.2\.0/,
            '$11.1.0'
          )
        )
        // Locked while 1.1.0 was the only release …
        const lock = await lockWithHelm(helm, ws.chart)
        expect(lock).toContain('version: 1.1.0')
        await writeFile(path.join(ws.chart, 'Chart.lock'), lock)
        // … then 1.2.0 and 1.3.0 were released into the same repository.
        for (const archive of repo.archives.filter((a) => ['1.2.0', '1.3.0'].includes(a.version))) {
          await writeFile(path.join(lockRepo.dir, archive.file), await readFile(archive.path))
        }
        await helmIn(helm, path.join(path.dirname(lockRepo.dir), 'index-home'), ['repo', 'index', lockRepo.dir])
        await commitWorkspace(ws.dir, commitTime)
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: lockRepo.url,
          inputs: { ...FAST, push: 'false' }
        })
        expectSuccess(run)
        expect(step(run, 'dependency-build')?.data?.built).toEqual({ temporal: '1.1.0' })
        expect(run.outputs['upstream-version']).toBe('1.1.0')
        expect(run.outputs['upstream-latest']).toBe('1.3.0')
      })
    } finally {
      await lockRepo.close()
    }
  })

  it('a Chart.lock that does not fit Chart.yaml stops the release (nothing pushed) and only warns on a PR', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, repo.url)
      const chartYaml = path.join(ws.chart, 'Chart.yaml')
      const original = await readFile(chartYaml, 'utf8')
      // A lock of 1.1.0, then Chart.yaml moved on to 1.2.0 without `helm dependency update`.
      await writeFile(chartYaml, original.replace('version: 1.2.0\n    repository', 'version: 1.1.0\n    repository'))
      await writeFile(path.join(ws.chart, 'Chart.lock'), await lockWithHelm(helm, ws.chart))
      await writeFile(chartYaml, original)
      await commitWorkspace(ws.dir, commitTime)

      const released = await release(ws.dir, repo.url, `${registry.oci}/stale`)
      expect(released.exitCode).not.toBe(0)
      expect(released.outputs.pushed).toBe('false')
      const finding = step(released, 'chart-lock')?.findings[0]
      expect(finding).toMatchObject({
        rule: 'chart-lock',
        severity: 'error',
        file: 'platform/temporal/chart/Chart.lock'
      })
      expect(finding?.message).toContain('locks temporal 1.1.0')
      expect(finding?.fix).toMatch(
        /helm dependency update platform\/temporal\/chart.*commit Chart\.lock, or delete Chart\.lock/
      )
      expect(failureMessage(released)).toContain('Chart.lock')
      expect((await fetch(`${registry.url}/v2/stale/bp-temporal/tags/list`)).status).toBe(404)

      const validated = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: repo.url,
        inputs: { ...FAST, push: 'false' }
      })
      expectSuccess(validated)
      expect(step(validated, 'chart-lock')).toMatchObject({
        status: 'warning',
        findings: [expect.objectContaining({ severity: 'warning' })]
      })
      expect(step(validated, 'dependency-build')?.data?.built).toEqual({ temporal: '1.2.0' })
    })
  })

  it('a lock helm finds out of sync (same version, another range) is a finding too, named as helm reports it', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, repo.url)
      const chartYaml = path.join(ws.chart, 'Chart.yaml')
      await writeFile(path.join(ws.chart, 'Chart.lock'), await lockWithHelm(helm, ws.chart))
      // 1.2.0 still satisfies ~1.2.0, but the lock's digest is over the old list.
      await writeFile(
        chartYaml,
        (await readFile(chartYaml, 'utf8')).replace('version: 1.2.0\n    repository', 'version: ~1.2.0\n    repository')
      )
      await commitWorkspace(ws.dir, commitTime)
      const released = await release(ws.dir, repo.url, `${registry.oci}/unsynced`)
      expect(released.exitCode).not.toBe(0)
      expect(step(released, 'chart-lock')?.findings[0]).toMatchObject({
        severity: 'error',
        message: expect.stringMatching(/out of sync/)
      })
      expect(released.outputs.pushed).toBe('false')
    })
  })

  it('through repository-mirrors, with and without a committed lock: the re-run pushes nothing, and the lock ships as committed', async () => {
    await withWorkspace(async (ws) => {
      await commitWorkspace(ws.dir, commitTime)
      await twice(ws.dir, repo.url, `${registry.oci}/mirror-nolock`, { viaMirror: true })
    })
    await withWorkspace(async (ws) => {
      // The committed lock names the real upstream; helm writes it against the loopback copy here.
      await pointChartAt(ws.chart, repo.url)
      const lock = (await lockWithHelm(helm, ws.chart)).split(repo.url).join('https://go.temporal.io/helm-charts')
      await pointChartAt(ws.chart, 'https://go.temporal.io/helm-charts', repo.url)
      await writeFile(path.join(ws.chart, 'Chart.lock'), lock)
      await commitWorkspace(ws.dir, commitTime)
      const [first] = await twice(ws.dir, repo.url, `${registry.oci}/mirror-lock`, { viaMirror: true })
      const shipped = await pulledFile(
        helm,
        `${registry.oci}/mirror-lock/bp-temporal@${first.outputs.digest}`,
        'bp-temporal/Chart.lock'
      )
      expect(shipped).toContain('repository: https://go.temporal.io/helm-charts')
      expect(shipped).not.toContain('127.0.0.1')
    })
  })

  it('an OCI upstream served by the registry: resolved from its tags, built, published; with a lock too; re-runs push nothing', async () => {
    // The stand-in temporal chart, pushed with helm push as a chart publisher would.
    const home = await mkdtemp(path.join(os.tmpdir(), 'bp-oci-up-'))
    try {
      for (const archive of repo.archives)
        await helmIn(helm, home, ['push', archive.path, `${registry.oci}/upstream`, '--plain-http'])
    } finally {
      await rm(home, { recursive: true, force: true })
    }
    const upstream = `${registry.oci}/upstream`
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, upstream)
      await commitWorkspace(ws.dir, commitTime)
      const [first] = await twice(ws.dir, upstream, `${registry.oci}/oci-nolock`)
      expect(first.outputs['upstream-version']).toBe('1.2.0')
      expect(first.outputs['upstream-latest']).toBe('1.3.0')
      expect(step(first, 'dependency-build')?.data?.built).toEqual({ temporal: '1.2.0' })
      const packaged = await pulledFile(
        helm,
        `${registry.oci}/oci-nolock/bp-temporal@${first.outputs.digest}`,
        'bp-temporal/charts/temporal/Chart.yaml'
      )
      expect(packaged).toMatch(/^version: 1\.2\.0$/m)
    })
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, upstream)
      await writeFile(path.join(ws.chart, 'Chart.lock'), await lockWithHelm(helm, ws.chart, ['--plain-http']))
      await commitWorkspace(ws.dir, commitTime)
      const [first] = await twice(ws.dir, upstream, `${registry.oci}/oci-lock`)
      expect(step(first, 'chart-lock')).toBeUndefined()
      expect(
        await pulledFile(helm, `${registry.oci}/oci-lock/bp-temporal@${first.outputs.digest}`, 'bp-temporal/Chart.lock')
      ).toContain(`repository: ${upstream}`)
    })
  })
})
