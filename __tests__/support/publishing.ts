// Shared by the publishing suites (publish-*.test.ts, upstream-resolution.test.ts, release-rerun.test.ts): independent
// looks at the registry and the artifact (tag list, HEAD digest, helm pull + tar) and workspace edits.
import path from 'node:path'
import { expect } from '@jest/globals'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { parseDocument, type Document } from 'yaml'
import { startFaultProxy } from '../../testkit/registry.mjs'
import {
  FAST,
  failureMessage,
  makeWorkspace,
  runBundledAction,
  type ActionRun,
  type HelmUnderTest,
  type Pulled
} from './e2e.js'
import type { Servers } from './servers.js'

export { FAST, pull, type Pulled } from './e2e.js'

export const execFileAsync = promisify(execFile)

export type FaultProxy = Awaited<ReturnType<typeof startFaultProxy>>
export type Workspace = Awaited<ReturnType<typeof makeWorkspace>>

// ---------------------------------------------------------------------------
// Independent looks at the registry and the artifact

/** The registry's tag list, sorted; `auth` is `user:password` for a registry with htpasswd. */
export async function registryTags(url: string, repository: string, auth?: string): Promise<string[]> {
  const response = await fetch(`${url}/v2/${repository}/tags/list`, {
    headers: auth ? { authorization: `Basic ${Buffer.from(auth).toString('base64')}` } : {}
  })
  if (response.status === 404) return []
  const body = (await response.json()) as { tags?: string[] | null }
  return (body.tags ?? []).sort()
}

export async function manifestDigest(url: string, repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`${url}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' }
  })
  return response.status === 200 ? response.headers.get('docker-content-digest') : null
}

/** The version of the upstream chart bundled in a pulled artifact (helm package unpacks it under charts/temporal/). */
export async function bundledUpstream(pulled: Pulled): Promise<string | undefined> {
  if (!pulled.listing.includes('bp-temporal/charts/temporal/Chart.yaml')) return undefined
  return /^version: (\S+)$/m.exec(await pulled.read('bp-temporal/charts/temporal/Chart.yaml'))?.[1]
}

// ---------------------------------------------------------------------------
// Publishing runs

/**
 * A publishing run of the bundled action against the suite's servers: `registry` is the base
 * (e.g. `${registry.oci}/name`), chart tests off, plain HTTP (loopback); inputs and env add to it.
 */
export function publisher(helm: HelmUnderTest, servers: Pick<Servers, 'repo'>) {
  return (
    ws: Workspace,
    registry: string,
    inputs: Record<string, string> = {},
    env: Record<string, string> = {}
  ): Promise<ActionRun> =>
    runBundledAction({
      helm,
      workspace: ws.dir,
      repoUrl: servers.repo.url,
      inputs: { ...FAST, registry, push: 'true', 'plain-http': 'true', ...inputs },
      env
    })
}

// ---------------------------------------------------------------------------
// Workspace edits and report access

export async function editYaml(file: string, edit: (doc: Document) => void): Promise<void> {
  const doc = parseDocument(await readFile(file, 'utf8'))
  edit(doc)
  await writeFile(file, doc.toString())
}

export const chartYaml = (ws: Workspace) => path.join(ws.chart, 'Chart.yaml')
export const valuesYaml = (ws: Workspace) => path.join(ws.chart, 'values.yaml')

/** Sets the temporal dependency's version (or range) in Chart.yaml. */
export async function pinUpstream(ws: Workspace, version: string): Promise<void> {
  await editYaml(chartYaml(ws), (doc) => doc.setIn(['dependencies', 0, 'version'], version))
}

/** Sets values.yaml catalystBlueprint.upstream.version, or removes it (undefined). */
export async function provenanceVersion(ws: Workspace, version: string | undefined): Promise<void> {
  await editYaml(valuesYaml(ws), (doc) => {
    if (version === undefined) doc.deleteIn(['catalystBlueprint', 'upstream', 'version'])
    else doc.setIn(['catalystBlueprint', 'upstream', 'version'], version)
  })
}

export interface Step {
  id: string
  status: string
  summary: string
  findings: { rule: string; severity: string; message: string; fix?: string; file?: string }[]
  data?: Record<string, unknown>
}

export function step(run: ActionRun, id: string): Step {
  const found = (run.report?.steps ?? []).find((s: Step) => s.id === id)
  if (!found)
    throw new Error(
      `no step ${id} in the report (steps: ${(run.report?.steps ?? []).map((s: Step) => s.id).join(', ')}); stdout:\n${run.stdout.slice(-3000)}`
    )
  return found
}

export function built(run: ActionRun): Record<string, string> | undefined {
  return (step(run, 'dependency-build').data as { built?: Record<string, string> } | undefined)?.built
}

/** exit 0 and no error annotation, shown together so a failure explains itself. */
export function expectSuccess(run: ActionRun): void {
  expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
}

/** Markdown without its backslash escapes, as a reader sees it. */
export const plain = (markdown: string) => markdown.replace(/\\(.)/g, '$1')

export const writes = (proxy: FaultProxy) =>
  proxy.requests.filter((r) => ['PUT', 'POST', 'PATCH', 'DELETE'].includes(r.method))
