// Can the published artifact be trusted? Upstream version resolution, drift,
// values.yaml agreement, mirrors, stale locks, the hollow-chart guards, the
// packaged version, reproducible and idempotent publishing, refusal to
// overwrite, retries and auth errors — with the bundled action (dist/index.js),
// real helm 3 and 4, a real chart repository and a real OCI registry.
//
// Every claim is checked against the registry itself (tag list, HEAD digest,
// helm pull + tar), not only against the action's own outputs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { parseDocument, type Document } from 'yaml'
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
  type ActionRun,
  type HelmUnderTest
} from '../support/e2e.js'

const execFileAsync = promisify(execFile)

type ChartRepo = Awaited<ReturnType<typeof startChartRepo>>
type Registry = Awaited<ReturnType<typeof startRegistry>>
type FaultProxy = Awaited<ReturnType<typeof startFaultProxy>>
type Workspace = Awaited<ReturnType<typeof makeWorkspace>>

// The chart's own tests/*.sh are covered elsewhere; skipping them keeps each run short.
const FAST = { 'chart-tests': 'false' }

// ---------------------------------------------------------------------------
// Independent looks at the registry and the artifact

async function registryTags(url: string, repository: string): Promise<string[]> {
  const response = await fetch(`${url}/v2/${repository}/tags/list`)
  if (response.status === 404) return []
  const body = (await response.json()) as { tags?: string[] | null }
  return (body.tags ?? []).sort()
}

async function manifestDigest(url: string, repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' }
  })
  return response.status === 200 ? response.headers.get('docker-content-digest') : null
}

interface Pulled {
  listing: string[]
  /** name → mtime (Unix seconds) of each entry. */
  mtimes: Map<string, number>
  read(entry: string): Promise<string>
}

/** Pulls with helm itself (not the action) into a temp dir; the archive is read with tar. */
async function pull(helm: HelmUnderTest, ref: string, inspect: (pulled: Pulled) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-trust-pull-'))
  try {
    const env = {
      ...process.env,
      HELM_CONFIG_HOME: path.join(dir, 'c'),
      HELM_CACHE_HOME: path.join(dir, 'ca'),
      HELM_DATA_HOME: path.join(dir, 'd')
    }
    await mkdir(path.join(dir, 'out'))
    await execFileAsync(helm.binary, ['pull', ref, '--plain-http', '--destination', path.join(dir, 'out')], { env })
    const [archive] = await readdir(path.join(dir, 'out'))
    const file = path.join(dir, 'out', archive)
    const { stdout } = await execFileAsync('tar', ['--utc', '--full-time', '-tvzf', file])
    const mtimes = new Map<string, number>()
    for (const line of stdout.split('\n').filter(Boolean)) {
      const match = /(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) (.+)$/.exec(line)
      if (match) mtimes.set(match[2], Date.parse(`${match[1].replace(' ', 'T')}Z`) / 1000)
    }
    await inspect({
      listing: [...mtimes.keys()],
      mtimes,
      read: async (entry) => (await execFileAsync('tar', ['-xOzf', file, entry])).stdout
    })
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The version of the upstream chart bundled in a pulled artifact (helm package unpacks it under charts/temporal/). */
async function bundledUpstream(pulled: Pulled): Promise<string | undefined> {
  if (!pulled.listing.includes('bp-temporal/charts/temporal/Chart.yaml')) return undefined
  return /^version: (\S+)$/m.exec(await pulled.read('bp-temporal/charts/temporal/Chart.yaml'))?.[1]
}

// ---------------------------------------------------------------------------
// Workspace edits and report access

async function editYaml(file: string, edit: (doc: Document) => void): Promise<void> {
  const doc = parseDocument(await readFile(file, 'utf8'))
  edit(doc)
  await writeFile(file, doc.toString())
}

const chartYaml = (ws: Workspace) => path.join(ws.chart, 'Chart.yaml')
const valuesYaml = (ws: Workspace) => path.join(ws.chart, 'values.yaml')

/** Sets the temporal dependency's version (or range) in Chart.yaml. */
async function pinUpstream(ws: Workspace, version: string): Promise<void> {
  await editYaml(chartYaml(ws), (doc) => doc.setIn(['dependencies', 0, 'version'], version))
}

/** Sets values.yaml catalystBlueprint.upstream.version, or removes it (undefined). */
async function provenanceVersion(ws: Workspace, version: string | undefined): Promise<void> {
  await editYaml(valuesYaml(ws), (doc) => {
    if (version === undefined) doc.deleteIn(['catalystBlueprint', 'upstream', 'version'])
    else doc.setIn(['catalystBlueprint', 'upstream', 'version'], version)
  })
}

interface Step {
  id: string
  status: string
  summary: string
  findings: { rule: string; severity: string; message: string; fix?: string; file?: string }[]
  data?: Record<string, unknown>
}

function step(run: ActionRun, id: string): Step {
  const found = (run.report?.steps ?? []).find((s: Step) => s.id === id)
  if (!found)
    throw new Error(
      `no step ${id} in the report (steps: ${(run.report?.steps ?? []).map((s: Step) => s.id).join(', ')}); stdout:\n${run.stdout.slice(-3000)}`
    )
  return found
}

function built(run: ActionRun): Record<string, string> | undefined {
  return (step(run, 'dependency-build').data as { built?: Record<string, string> } | undefined)?.built
}

/** exit 0 and no error annotation, shown together so a failure explains itself. */
function expectSuccess(run: ActionRun): void {
  expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
}

/** Markdown without its backslash escapes, as a reader sees it. */
const plain = (markdown: string) => markdown.replace(/\\(.)/g, '$1')

const writes = (proxy: FaultProxy) =>
  proxy.requests.filter((r) => ['PUT', 'POST', 'PATCH', 'DELETE'].includes(r.method))

// ===========================================================================
// Resolution: the same on every helm (resolution is the action's own code,
// the dependency build is helm's), so it runs once, on helm 3.

describe('upstream version resolution against the stand-in repository (helm 3)', () => {
  const [helm] = helmsUnderTest()
  let repo: ChartRepo
  let registry: Registry
  beforeAll(async () => {
    ;[repo, registry] = await Promise.all([startChartRepo({ helm: helm.binary }), startRegistry()])
  })
  afterAll(async () => {
    await Promise.all([repo?.close(), registry?.stop()])
  })

  let rangeCase = 0

  function publish(ws: Workspace, repository: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace: ws.dir,
      repoUrl: repo.url,
      inputs: { ...FAST, registry: `${registry.oci}/${repository}`, push: 'true', 'plain-http': 'true', ...inputs }
    })
  }

  // values: what values.yaml catalystBlueprint.upstream.version holds for the run —
  // with a range it must be the resolved version, or absent.
  it.each([
    { range: '~1.2', expected: '1.2.0', values: '1.2.0' },
    { range: '^1', expected: '1.3.0', values: undefined },
    { range: '>=1.2 <2', expected: '1.3.0', values: '1.3.0' },
    // 2.0.0-rc.1 is higher, but a prerelease only matches a range that names one
    { range: '>=1.2', expected: '1.3.0', values: '1.3.0' },
    { range: '1.1.0 || 1.3.0', expected: '1.3.0', values: undefined },
    { range: '>=2.0.0-0', expected: '2.0.0-rc.1', values: '2.0.0-rc.1' }
  ])(
    'Chart.yaml $range resolves to $expected, and the published chart bundles $expected',
    async ({ range, expected, values }) => {
      rangeCase++
      await withWorkspace(async (ws) => {
        await pinUpstream(ws, range)
        await provenanceVersion(ws, values)
        const repository = `ranges/case-${rangeCase}`
        const run = await publish(ws, repository)
        expectSuccess(run)
        expect(run.outputs['upstream-version']).toBe(expected)
        expect(run.report.upstream).toMatchObject({ pinned: range, resolved: expected, latest: '1.3.0' })
        expect(step(run, 'resolve-upstream').summary).toContain(`${range} resolves to ${expected}`)
        expect(built(run)).toEqual({ temporal: expected })
        // What the registry holds really carries that upstream version.
        expect(await manifestDigest(registry.url, `${repository}/bp-temporal`, '1.0.0')).toBe(run.outputs.digest)
        await pull(helm, `${registry.oci}/${repository}/bp-temporal:1.0.0`, async (pulled) => {
          expect(await bundledUpstream(pulled)).toBe(expected)
        })
      })
    }
  )

  it('a range with values.yaml still naming the old version fails (the version is bumped in both places) and pushes nothing', async () => {
    await withWorkspace(async (ws) => {
      await pinUpstream(ws, '^1') // → 1.3.0; values.yaml keeps 1.2.0
      const run = await publish(ws, 'ranges-stale')
      expect(run.exitCode).not.toBe(0)
      const message = failureMessage(run)
      expect(message).toContain('platform/temporal/chart/values.yaml catalystBlueprint.upstream.version is "1.2.0"')
      expect(message).toContain(
        'platform/temporal/chart/Chart.yaml dependency temporal version resolves to "1.3.0" (pinned "^1")'
      )
      expect(await registryTags(registry.url, 'ranges-stale/bp-temporal')).toEqual([])
    })
  })

  it('reports drift: 1.2.0 pinned while 1.3.0 is out (outputs, job summary, notice); a prerelease is no "latest"', async () => {
    await withWorkspace(async (ws) => {
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: repo.url,
        inputs: { ...FAST, push: 'false' }
      })
      expectSuccess(run)
      expect(run.outputs['upstream-version']).toBe('1.2.0')
      expect(run.outputs['upstream-latest']).toBe('1.3.0')
      expect(run.outputs['upstream-outdated']).toBe('true')
      expect(plain(run.summary)).toContain('temporal 1.2.0 pinned, 1.3.0 available')
      const notice = run.annotations.find(
        (a: { level: string; title?: string }) => a.title === 'Upstream version: upstream-outdated'
      )
      expect(notice).toMatchObject({ level: 'notice', file: 'platform/temporal/chart/Chart.yaml' })
    })
  })

  it('input upstream-version: latest bundles 1.3.0 and says it is an override; the tree keeps its pin', async () => {
    await withWorkspace(async (ws) => {
      // Publishing needs the provenance to agree with what is bundled.
      await provenanceVersion(ws, '1.3.0')
      await pointChartAt(ws.chart, repo.url) // as every run does: the tree compared is the one the action saw
      const before = await readFile(chartYaml(ws), 'utf8')
      const run = await publish(ws, 'override-latest', { 'upstream-version': 'latest' })
      expectSuccess(run)
      expect(run.outputs['upstream-version']).toBe('1.3.0')
      expect(run.outputs['upstream-outdated']).toBe('false')
      expect(run.report.upstream).toMatchObject({ pinned: '1.2.0', resolved: '1.3.0', override: 'latest' })
      expect(plain(run.summary)).toContain('temporal 1.3.0 (override; Chart.yaml pins 1.2.0), up to date')
      expect(step(run, 'resolve-upstream').findings).toEqual([])
      expect(built(run)).toEqual({ temporal: '1.3.0' })
      await pull(helm, `${registry.oci}/override-latest/bp-temporal:1.0.0`, async (pulled) => {
        expect(await bundledUpstream(pulled)).toBe('1.3.0')
        // The packaged Chart.yaml depends on what was bundled.
        expect(parseDocument(await pulled.read('bp-temporal/Chart.yaml')).getIn(['dependencies', 0, 'version'])).toBe(
          '1.3.0'
        )
      })
      expect(await readFile(chartYaml(ws), 'utf8')).toBe(before)
    })
  })

  it('an override whose values.yaml provenance disagrees warns when validating, and fails when publishing', async () => {
    await withWorkspace(async (ws) => {
      const validate = await publish(ws, 'override-mismatch', { 'upstream-version': 'latest', push: 'false' })
      expectSuccess(validate)
      expect(step(validate, 'resolve-upstream').findings).toEqual([
        expect.objectContaining({ rule: 'upstream-consistency', severity: 'warning' })
      ])

      const publishing = await publish(ws, 'override-mismatch', { 'upstream-version': 'latest' })
      expect(publishing.exitCode).not.toBe(0)
      expect(step(publishing, 'resolve-upstream').findings).toEqual([
        expect.objectContaining({ rule: 'upstream-consistency', severity: 'error' })
      ])
      expect(failureMessage(publishing)).toMatch(/catalystBlueprint\.upstream\.version is "1\.2\.0"/)
      expect(await registryTags(registry.url, 'override-mismatch/bp-temporal')).toEqual([])
    })
  })

  it('input upstream-version: 1.1.0 bundles 1.1.0 (an older one)', async () => {
    await withWorkspace(async (ws) => {
      await provenanceVersion(ws, '1.1.0')
      const run = await publish(ws, 'override-old', { 'upstream-version': '1.1.0' })
      expectSuccess(run)
      expect(run.outputs['upstream-version']).toBe('1.1.0')
      expect(built(run)).toEqual({ temporal: '1.1.0' })
      await pull(helm, `${registry.oci}/override-old/bp-temporal:1.0.0`, async (pulled) => {
        expect(await bundledUpstream(pulled)).toBe('1.1.0')
      })
    })
  })

  it('input upstream-version matching no release fails naming the input, the range and the newest versions', async () => {
    await withWorkspace(async (ws) => {
      const run = await publish(ws, 'override-none', { 'upstream-version': '>=3' })
      expect(run.exitCode).not.toBe(0)
      const message = failureMessage(run)
      expect(message).toContain(`input upstream-version: no temporal release in ${repo.url}/index.yaml satisfies ">=3"`)
      expect(message).toContain('(newest: 2.0.0-rc.1, 1.3.0, 1.2.0, 1.1.0)')
      expect(message).not.toMatch(/\n\s+at /)
      expect(await registryTags(registry.url, 'override-none/bp-temporal')).toEqual([])
    })
  })

  it('values.yaml catalystBlueprint.upstream.version disagreeing with Chart.yaml fails, naming both files and values; nothing is pushed', async () => {
    await withWorkspace(async (ws) => {
      await provenanceVersion(ws, '1.1.0')
      const run = await publish(ws, 'mismatch')
      expect(run.exitCode).not.toBe(0)
      const message = failureMessage(run)
      expect(message).toContain('platform/temporal/chart/values.yaml catalystBlueprint.upstream.version is "1.1.0"')
      expect(message).toContain('platform/temporal/chart/Chart.yaml dependency temporal version resolves to "1.2.0"')
      expect(step(run, 'resolve-upstream').status).toBe('failed')
      expect(step(run, 'publish')).toMatchObject({ status: 'skipped' })
      expect(run.outputs.pushed).toBe('false')
      expect(await registryTags(registry.url, 'mismatch/bp-temporal')).toEqual([])
    })
  })
})

// ===========================================================================
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
