// Publishing through the registry API (src/oci/publish.ts stagePublish) with a
// real registry and real helm 3 and 4: the manifest is helm's own (the same
// digest `helm push` gives the same archive), one commit gives one digest in
// any repository, helm pulls, shows and renders it, and an abandoned publish
// (a gate failed) tags nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { startChartRepo } from '../../testkit/chart-repo.mjs'
import { startRegistry } from '../../testkit/registry.mjs'
import type { WorkChart } from '../../src/chart/work-chart.js'
import { Helm } from '../../src/helm/helm.js'
import { packageChart, type PackagedChart } from '../../src/oci/package.js'
import { stagePublish } from '../../src/oci/publish.js'
import { parseRegistryTarget } from '../../src/oci/registry.js'
import { FAST, helmsUnderTest, REPO_ROOT, runBundledAction, withWorkspace } from '../support/e2e.js'

const execFileAsync = promisify(execFile)
const EPOCH = 1_700_000_000
const helms = helmsUnderTest()

type Registry = Awaited<ReturnType<typeof startRegistry>>
let registry: Registry
let tmp: string

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bp-publish-api-'))
  registry = await startRegistry()
})
afterAll(async () => {
  await registry?.stop()
  await rm(tmp, { recursive: true, force: true })
})

async function run(bin: string, args: string[], home: string): Promise<string> {
  const env = {
    ...process.env,
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_DATA_HOME: path.join(home, 'data')
  }
  const { stdout, stderr } = await execFileAsync(bin, args, { cwd: tmp, env, maxBuffer: 32 * 1024 * 1024 })
  return `${stdout}${stderr}`
}

/** The example chart with its upstream archive in charts/, packaged in node at EPOCH. */
async function packaged(label: string, bin: string): Promise<{ work: WorkChart; packaged: PackagedChart; helm: Helm }> {
  const dir = path.join(tmp, label, 'chart')
  await cp(path.join(REPO_ROOT, 'examples', 'platform', 'temporal', 'chart'), dir, { recursive: true })
  await mkdir(path.join(dir, 'charts'))
  await run(
    bin,
    ['package', path.join(REPO_ROOT, '__tests__', 'fixtures', 'upstream-temporal'), '--version', '1.2.0'],
    path.join(tmp, label, 'home')
  ).then(() => cp(path.join(tmp, 'temporal-1.2.0.tgz'), path.join(dir, 'charts', 'temporal-1.2.0.tgz')))
  const helm = await Helm.create(bin, path.join(tmp, label, 'helm'))
  const work: WorkChart = {
    dir,
    sourceDir: dir,
    name: 'bp-temporal',
    version: '1.0.0',
    chartYamlText: await readFile(path.join(dir, 'Chart.yaml'), 'utf8'),
    dependencies: [{ name: 'temporal', version: '1.2.0', repository: 'https://go.temporal.io/helm-charts' }]
  }
  const result = await packageChart(
    helm,
    work,
    path.join(tmp, label, 'package'),
    { epoch: EPOCH, source: 'test' },
    {
      temporal: '1.2.0'
    }
  )
  expect(result.step.status).toBe('passed')
  expect(result.packaged?.metadata).toBeDefined() // packaged in node: the API push path
  return { work, packaged: result.packaged as PackagedChart, helm }
}

async function tags(repository: string): Promise<string[]> {
  const res = await fetch(`${registry.url}/v2/${repository}/tags/list`)
  if (res.status === 404) return []
  return ((await res.json()) as { tags?: string[] | null }).tags ?? []
}

describe.each(helms)('publishing through the registry API ($label)', (h) => {
  it("gives helm push's manifest, one digest per commit in any repository, and helm pulls, shows and renders it", async () => {
    const home = path.join(tmp, `${h.version}-home`)
    const { work, packaged: pkg, helm } = await packaged(`${h.version}-a`, h.binary)
    const publish = (repo: string) =>
      stagePublish({
        helm,
        work,
        packaged: pkg,
        target: parseRegistryTarget(`${registry.oci}/${repo}`, true),
        overwrite: false,
        built: { temporal: '1.2.0' }
      }).commit()
    const [first, second] = await Promise.all([publish(`${h.version}-one`), publish(`${h.version}-two`)])
    expect(first.status).toBe('passed')
    expect(first.data).toMatchObject({ pushed: true, ref: `${registry.oci}/${h.version}-one/bp-temporal:1.0.0` })
    expect(second.data?.digest).toBe(first.data?.digest)

    // helm push of the same archive (mtime = the commit time) gives the same manifest.
    const out = await run(h.binary, ['push', pkg.archive, `${registry.oci}/${h.version}-helm`, '--plain-http'], home)
    expect(/Digest:\s*(sha256:[0-9a-f]{64})/.exec(out)?.[1]).toBe(first.data?.digest)

    const ref = `${registry.oci}/${h.version}-one/bp-temporal`
    const pullDir = path.join(tmp, `${h.version}-pull`)
    await mkdir(pullDir)
    await run(h.binary, ['pull', ref, '--version', '1.0.0', '--plain-http', '-d', pullDir], home)
    expect((await readFile(path.join(pullDir, 'bp-temporal-1.0.0.tgz'))).equals(await readFile(pkg.archive))).toBe(true)
    const shown = await run(h.binary, ['show', 'chart', ref, '--version', '1.0.0', '--plain-http'], home)
    expect(shown).toContain('name: bp-temporal')
    const rendered = await run(h.binary, ['template', 'smoke', ref, '--version', '1.0.0', '--plain-http'], home)
    expect(rendered).toContain('# Source: bp-temporal/charts/temporal/')

    // Published again (a re-run of the same commit): nothing pushed, the same digest.
    const again = await publish(`${h.version}-one`)
    expect(again.data).toMatchObject({ pushed: false, alreadyPublished: true, digest: first.data?.digest })
  })

  it('an abandoned publish (a gate failed) leaves no tag', async () => {
    const { work, packaged: pkg, helm } = await packaged(`${h.version}-b`, h.binary)
    const repo = `${h.version}-abandoned`
    const staged = stagePublish({
      helm,
      work,
      packaged: pkg,
      target: parseRegistryTarget(`${registry.oci}/${repo}`, true),
      overwrite: false,
      built: { temporal: '1.2.0' }
    })
    await staged.abandon()
    // The layer was uploaded while "the gates ran"; no manifest names it, no tag exists.
    const blob = await fetch(`${registry.url}/v2/${repo}/bp-temporal/blobs/${pkg.layerDigest}`, { method: 'HEAD' })
    expect(blob.status).toBe(200)
    expect(await tags(`${repo}/bp-temporal`)).toEqual([])
    const manifest = await fetch(`${registry.url}/v2/${repo}/bp-temporal/manifests/1.0.0`, { method: 'HEAD' })
    expect(manifest.status).toBe(404)
  })
})

describe('the bundled action: a failing gate tags nothing (helm 3)', () => {
  const [h] = helms
  let repo: Awaited<ReturnType<typeof startChartRepo>>
  beforeAll(async () => {
    repo = await startChartRepo({ helm: h.binary })
  })
  afterAll(async () => {
    await repo?.close()
  })

  it('the chart layer was uploaded while the gates ran, yet the observability gate failed: no manifest, no tag', async () => {
    await withWorkspace(async (ws) => {
      // Rule 4: an observability toggle that ships true fails the observability gate.
      const values = path.join(ws.chart, 'values.yaml')
      const text = await readFile(values, 'utf8')
      await writeFile(
        values,
        text.replace('serviceMonitor:\n        enabled: false', 'serviceMonitor:\n        enabled: true')
      )
      const run = await runBundledAction({
        helm: h,
        workspace: ws.dir,
        repoUrl: repo.url,
        inputs: {
          registry: `${registry.oci}/gated`,
          push: 'true',
          'plain-http': 'true',
          ...FAST
        }
      })
      expect(run.exitCode).not.toBe(0)
      const steps = run.report.steps as Array<{ id: string; status: string; summary: string; data?: unknown }>
      expect(steps.find((s) => s.id === 'observability')?.status).toBe('failed')
      expect(steps.find((s) => s.id === 'publish')?.summary).toMatch(/a gate failed: nothing is pushed/)
      expect(run.outputs.pushed).toBe('false')
      expect(await tags('gated/bp-temporal')).toEqual([])
      const layer = (steps.find((s) => s.id === 'package')?.data as { layerDigest: string }).layerDigest
      const blob = await fetch(`${registry.url}/v2/gated/bp-temporal/blobs/${layer}`, { method: 'HEAD' })
      expect(blob.status).toBe(200)
    })
  }, 240_000)
})
