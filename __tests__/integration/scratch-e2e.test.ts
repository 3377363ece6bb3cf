// Scratch blueprints and the never-:latest rule, end to end with the bundled
// action (dist/index.js): real helm 3 and 4, the loopback chart repository
// serving the stand-in `temporal` chart and the library chart `common`, a real
// OCI registry. The users' path: no repository-mirrors; the test's copy of each
// Chart.yaml names the loopback repository directly.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runAction } from '../../testkit/action-runner.mjs'
import { failureMessage, helmsUnderTest, pull, REPO_ROOT, type ActionRun, type HelmUnderTest } from '../support/e2e.js'
import { useServers } from '../support/servers.js'

const LIBRARY_SOURCE = path.join(REPO_ROOT, '__tests__', 'fixtures', 'library-common')
const EXAMPLES = path.join(REPO_ROOT, 'examples', 'platform')
/** The repositories the example Chart.yaml files name, served here by the loopback repository. */
const EXAMPLE_REPOSITORIES = ['https://go.temporal.io/helm-charts', 'https://charts.openova.io/library']
const SHA_TAG = '0123456789abcdef0123456789abcdef01234567'

interface Step {
  id: string
  title: string
  status: string
  summary: string
  findings: { rule: string; severity: string; message: string; file?: string; line?: number }[]
  data?: unknown
}

function stepOf(run: ActionRun, id: string): Step {
  const found = (run.report?.steps ?? []).find((step: Step) => step.id === id)
  if (!found) throw new Error(`no step ${id} in the report: ${failureMessage(run) || run.stderr}`)
  return found
}

async function replaceIn(file: string, from: string, to: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  if (!text.includes(from)) throw new Error(`${file} has no "${from}"`)
  await writeFile(file, text.split(from).join(to))
}

/**
 * A workspace with both example blueprints under platform/, whose Chart.yaml
 * (and values.yaml provenance) name the loopback repository instead of the
 * public one: what a user's own repository would look like, no mirrors.
 */
async function exampleWorkspace(repoUrl: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-scratch-ws-'))
  for (const name of ['temporal', 'anthropic-adapter']) {
    const target = path.join(dir, 'platform', name)
    await cp(path.join(EXAMPLES, name), target, {
      recursive: true,
      filter: (file) => !/\/chart\/(charts|Chart\.lock)(\/|$)/.test(file)
    })
    for (const file of ['Chart.yaml', 'values.yaml']) {
      const full = path.join(target, 'chart', file)
      let text = await readFile(full, 'utf8')
      for (const url of EXAMPLE_REPOSITORIES) text = text.split(url).join(repoUrl)
      await writeFile(full, text)
    }
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

function run(
  helm: HelmUnderTest,
  workspace: string,
  inputs: Record<string, string>,
  eventName = 'workflow_dispatch'
): Promise<ActionRun> {
  return runAction({
    workspace,
    eventName,
    ref: 'refs/heads/main',
    payload: {},
    // action.yml's defaults for what the test does not set (runAction passes only these).
    inputs: { 'helm-version': helm.version, 'github-token': '', 'never-latest': 'error', upstream: '', ...inputs },
    env: {
      PATH: `${path.dirname(helm.binary)}${path.delimiter}${process.env.PATH ?? ''}`,
      SOURCE_DATE_EPOCH: '1700000000'
    }
  })
}

/** Pulls with helm itself (not the action): the archive's listing. */
async function pulledListing(helm: HelmUnderTest, ref: string): Promise<string[]> {
  let listing: string[] = []
  await pull(helm, ref, async (pulled) => {
    listing = pulled.listing
  })
  return listing
}

describe.each(helmsUnderTest())('scratch blueprints and never :latest with $label', (helm) => {
  const servers = useServers(helm, { repo: { extraCharts: [{ source: LIBRARY_SOURCE, versions: ['1.0.0'] }] } })
  let ws: Awaited<ReturnType<typeof exampleWorkspace>>

  beforeAll(async () => {
    ws = await exampleWorkspace(servers.repo.url)
  })
  afterAll(async () => {
    await ws?.remove()
  })

  it('validates and publishes the scratch example with the image tag given through set', async () => {
    const result = await run(helm, ws.dir, {
      blueprint: 'platform/anthropic-adapter',
      registry: `${servers.registry.oci}/blueprints`,
      push: 'true',
      'plain-http': 'true',
      set: `adapter.image.tag=${SHA_TAG}`
    })
    expect({ exit: result.exitCode, error: failureMessage(result) }).toEqual({ exit: 0, error: '' })
    expect(stepOf(result, 'resolve-upstream')).toMatchObject({
      status: 'skipped',
      summary: expect.stringContaining('scratch blueprint (no upstream chart)')
    })
    expect(result.outputs['upstream-version']).toBe('')
    expect(result.outputs.pushed).toBe('true')
    expect(result.outputs.ref).toBe(`${servers.registry.oci}/blueprints/bp-anthropic-adapter:0.1.0`)
    // The library dependency is still built, bundled and checked.
    expect(stepOf(result, 'dependency-build').status).toBe('passed')
    expect(stepOf(result, 'never-latest')).toMatchObject({ status: 'passed', findings: [] })
    const listing = await pulledListing(
      helm,
      `${servers.registry.oci}/blueprints/bp-anthropic-adapter@${result.outputs.digest}`
    )
    expect(listing).toContain('bp-anthropic-adapter/charts/common/Chart.yaml')
    expect(listing).toContain('bp-anthropic-adapter/templates/servicemonitor.yaml')
  })

  it('fails the scratch example clearly when the image tag is not set, and pushes nothing', async () => {
    const result = await run(helm, ws.dir, {
      blueprint: 'platform/anthropic-adapter',
      registry: `${servers.registry.oci}/other`,
      push: 'true',
      'plain-http': 'true'
    })
    expect(result.exitCode).not.toBe(0)
    expect(failureMessage(result)).toContain('adapter.image.tag is required')
    expect(result.outputs.pushed).toBe('false')
    const tags = await fetch(`${servers.registry.url}/v2/other/bp-anthropic-adapter/tags/list`)
    expect(tags.status).toBe(404)
  })

  it('runs every discover matrix entry, passed as inputs unchanged, green', async () => {
    const discover = await run(helm, ws.dir, { mode: 'discover' })
    expect(discover.exitCode).toBe(0)
    const matrix = JSON.parse(discover.outputs.matrix) as { include: Record<string, string>[] }
    expect(matrix.include).toEqual([
      { blueprint: 'platform/anthropic-adapter', chart: 'platform/anthropic-adapter/chart', upstream: '' },
      { blueprint: 'platform/temporal', chart: 'platform/temporal/chart', upstream: 'temporal' }
    ])
    for (const entry of matrix.include) {
      // The same workflow step for every entry: the matrix fields, plus the CI-built image's tag.
      const result = await run(helm, ws.dir, { ...entry, set: `adapter.image.tag=${SHA_TAG}`, push: 'false' })
      expect({ blueprint: entry.blueprint, exit: result.exitCode, error: failureMessage(result) }).toEqual({
        blueprint: entry.blueprint,
        exit: 0,
        error: ''
      })
    }
  })

  it("does not apply never :latest to a third-party image value with a default (bp-temporal's CNPG imageName)", async () => {
    // The real bp-temporal: a tag-pinned CNPG image used without `required`.
    const chart = path.join(ws.dir, 'platform', 'temporal', 'chart')
    const values = await readFile(path.join(chart, 'values.yaml'), 'utf8')
    const cluster = await readFile(path.join(chart, 'templates', 'cnpg-cluster.yaml'), 'utf8')
    try {
      await replaceIn(
        path.join(chart, 'values.yaml'),
        /imageName: .*/.exec(values)![0],
        'imageName: "ghcr.io/cloudnative-pg/postgresql:16.4"'
      )
      await replaceIn(
        path.join(chart, 'templates', 'cnpg-cluster.yaml'),
        /imageName: .*/.exec(cluster)![0],
        'imageName: {{ $.Values.catalystOverlay.cnpg.imageName | quote }}'
      )
      const result = await run(helm, ws.dir, {
        blueprint: 'platform/temporal',
        push: 'false',
        // The example's own chart test asserts its `required`, which this shape leaves out on purpose.
        'chart-tests': 'false',
        'image-allowlist': 'ghcr.io/cloudnative-pg/* # the CNPG operator pins its PostgreSQL images by tag'
      })
      expect({ exit: result.exitCode, error: failureMessage(result) }).toEqual({ exit: 0, error: '' })
      const neverLatest = stepOf(result, 'never-latest')
      expect(neverLatest.status).toBe('passed')
      expect(neverLatest.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
        ['image-empty-renders', 'notice', 'platform/temporal/chart/templates/cnpg-cluster.yaml', 13]
      ])
      expect(result.report.steps.map((s: Step) => s.title)).toContain('Never :latest')
    } finally {
      await writeFile(path.join(chart, 'values.yaml'), values)
      await writeFile(path.join(chart, 'templates', 'cnpg-cluster.yaml'), cluster)
    }
  })
})
