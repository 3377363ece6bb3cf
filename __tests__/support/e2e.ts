// Shared set-up for the end-to-end suites: a copy of the example blueprint in
// a temp workspace, the real helm binaries, and the bundled action runner.
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { runAction } from '../../testkit/action-runner.mjs'
import { EXAMPLE_DEPENDS } from '../../testkit/example-charts.mjs'

export { prPayload } from '../../testkit/action-runner.mjs'

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'platform', 'temporal')
export const UPSTREAM_URL = 'https://go.temporal.io/helm-charts'

// The chart's own tests/*.sh are covered elsewhere; skipping them keeps each run short.
export const FAST = { 'chart-tests': 'false' }

export interface HelmUnderTest {
  label: string
  binary: string
  version: string
}

export function helmsUnderTest(): HelmUnderTest[] {
  const v3 = process.env.BP_TEST_HELM3
  const v4 = process.env.BP_TEST_HELM4
  if (!v3 || !v4)
    throw new Error(
      'BP_TEST_HELM3/BP_TEST_HELM4 are not set: run the tests through `npm test` (Jest global setup extracts helm)'
    )
  return [
    { label: 'helm 3', binary: v3, version: 'v3.17.2' },
    { label: 'helm 4', binary: v4, version: 'v4.1.4' }
  ]
}

/** A throwaway workspace holding platform/temporal copied from the example. */
export async function makeWorkspace(): Promise<{ dir: string; chart: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-ws-'))
  await cp(EXAMPLE, path.join(dir, 'platform', 'temporal'), {
    recursive: true,
    filter: (file) => !/\/chart\/(charts|Chart\.lock)(\/|$)/.test(file)
  })
  return {
    dir,
    chart: path.join(dir, 'platform', 'temporal', 'chart'),
    remove: () => rm(dir, { recursive: true, force: true })
  }
}

/** The stand-in upstream charts of the example's spec.depends blueprints: `useServers(helm, { repo: { extraCharts } })`. */
export const EXAMPLE_DEPENDS_CHARTS = EXAMPLE_DEPENDS.map((example) => example.chart)

/**
 * The blueprints the example's spec.depends names (examples/platform/cnpg and cert-manager) copied into the
 * workspace beside it, their charts naming the loopback chart repository (which serves EXAMPLE_DEPENDS_CHARTS):
 * the example's whole workspace, as `npm run local` runs it.
 */
export async function addExampleDepends(workspace: string, repoUrl: string): Promise<void> {
  for (const example of EXAMPLE_DEPENDS) {
    const target = path.join(workspace, example.dir)
    await cp(path.join(REPO_ROOT, 'examples', example.dir), target, {
      recursive: true,
      filter: (file) => !/\/chart\/(charts|Chart\.lock)(\/|$)/.test(file)
    })
    await pointChartAt(path.join(target, 'chart'), repoUrl, example.upstream)
  }
}

/**
 * The users' path: the test's copy of the chart names the loopback chart
 * repository itself (Chart.yaml, values.yaml catalystBlueprint.upstream.repo
 * and a committed Chart.lock), so no repository-mirrors input is needed.
 */
export async function pointChartAt(chartDir: string, repoUrl: string, from = UPSTREAM_URL): Promise<void> {
  for (const file of ['Chart.yaml', 'values.yaml', 'Chart.lock']) {
    const full = path.join(chartDir, file)
    const text = await readFile(full, 'utf8').catch(() => undefined)
    if (text !== undefined && text.includes(from)) await writeFile(full, text.split(from).join(repoUrl))
  }
}

export interface RunOptions {
  helm: HelmUnderTest
  workspace: string
  repoUrl: string
  /**
   * Keep the chart naming the real upstream URL and reach the loopback
   * repository through `repository-mirrors` (only for tests about mirrors).
   * Without it, the workspace's chart is pointed at repoUrl (pointChartAt).
   */
  viaMirror?: boolean
  inputs?: Record<string, string>
  env?: Record<string, string>
  eventName?: string
  ref?: string
  payload?: object
  /** Kill the action if it runs longer (a hang fails the test instead of stalling it). */
  killAfterMs?: number
}

export type ActionRun = Awaited<ReturnType<typeof runAction>>

/**
 * Runs dist/index.js with the defaults every e2e test shares: action.yml's defaults (helm-version empty: the helm
 * under test is the first on PATH), no mirrors.
 */
export async function runBundledAction(options: RunOptions): Promise<ActionRun> {
  if (!options.viaMirror) {
    const blueprint = options.inputs?.blueprint ?? 'platform/temporal'
    await pointChartAt(
      path.join(options.workspace, options.inputs?.chart ?? path.join(blueprint, 'chart')),
      options.repoUrl
    )
  }
  return runAction({
    workspace: options.workspace,
    eventName: options.eventName ?? 'workflow_dispatch',
    ref: options.ref ?? 'refs/heads/main',
    payload: options.payload ?? {},
    killAfterMs: options.killAfterMs,
    inputs: {
      blueprint: 'platform/temporal',
      ...(options.viaMirror ? { 'repository-mirrors': `${UPSTREAM_URL}=${options.repoUrl}` } : {}),
      'github-token': '',
      ...options.inputs
    },
    env: {
      PATH: `${path.dirname(options.helm.binary)}${path.delimiter}${process.env.PATH ?? ''}`,
      SOURCE_DATE_EPOCH: '1700000000',
      ...options.env
    }
  })
}

/** What one chart test script did, from the JSON report's chart-tests step (undefined when it did not run). */
export function chartTestRun(
  run: ActionRun,
  script: string
): { script: string; exitCode: number; output: string } | undefined {
  const data = run.report?.steps.find((s: { id: string }) => s.id === 'chart-tests')?.data as
    { scripts: { script: string; exitCode: number; output: string }[] } | undefined
  return data?.scripts.find((s) => s.script === script)
}

/** The one-line error the action gave (core.setFailed writes `::error::…`). */
export function failureMessage(run: ActionRun): string {
  return run.annotations
    .filter((a: { level: string }) => a.level === 'error')
    .map((a: { message: string }) => a.message)
    .join('\n')
}

/** Drops `::add-mask::` commands: they are how a secret reaches the runner's masker, not a leak. */
export function withoutMaskCommands(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('::add-mask::'))
    .join('\n')
}

/** Uploads a blob to a loopback registry (monolithic, plain registry API), returning its digest. */
export async function uploadBlob(registryUrl: string, repository: string, content: Buffer): Promise<string> {
  const { createHash } = await import('node:crypto')
  const digest = `sha256:${createHash('sha256').update(content).digest('hex')}`
  const start = await fetch(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST' })
  if (start.status !== 202) throw new Error(`blob upload start: HTTP ${start.status}`)
  const location = new URL(start.headers.get('location') ?? '', registryUrl)
  location.searchParams.set('digest', digest)
  const put = await fetch(location, {
    method: 'PUT',
    body: content,
    headers: { 'content-type': 'application/octet-stream' }
  })
  if (put.status !== 201) throw new Error(`blob upload: HTTP ${put.status}`)
  return digest
}

/**
 * Pushes a minimal OCI image (empty config, one small layer) to a loopback
 * registry with plain registry API calls, and returns its manifest digest.
 */
export async function pushTestImage(registryUrl: string, repository: string, tag: string): Promise<string> {
  const { createHash } = await import('node:crypto')
  const upload = (content: Buffer): Promise<string> => uploadBlob(registryUrl, repository, content)
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })
  )
  const layer = Buffer.from(`layer of ${repository}:${tag}`)
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: await upload(config),
        size: config.length
      },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: await upload(layer), size: layer.length }]
    })
  )
  const put = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    body: manifest,
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' }
  })
  if (put.status !== 201) throw new Error(`manifest put: HTTP ${put.status} ${await put.text()}`)
  return `sha256:${createHash('sha256').update(manifest).digest('hex')}`
}

/** Runs `use` with a fresh copy of the example workspace, removed afterwards whatever happens. */
export async function withWorkspace<T>(use: (ws: Awaited<ReturnType<typeof makeWorkspace>>) => Promise<T>): Promise<T> {
  const ws = await makeWorkspace()
  try {
    return await use(ws)
  } finally {
    await ws.remove()
  }
}

const execFileAsync = promisify(execFile)

export interface Pulled {
  listing: string[]
  /** name → mtime (Unix seconds) of each entry. */
  mtimes: Map<string, number>
  read(entry: string): Promise<string>
}

/** Pulls with helm itself (not the action) into a temp dir; the archive is read with tar. */
export async function pull(
  helm: HelmUnderTest,
  ref: string,
  inspect: (pulled: Pulled) => Promise<void>
): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-pull-'))
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
