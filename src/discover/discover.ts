// Which blueprints did an event change? Lists blueprint folders (chart/workspace-index.ts: a folder with a
// blueprint.yaml or a chart/Chart.yaml) and keeps those with a changed file, using git with
// argument arrays (never a shell). Shallow clones are deepened on demand; when
// history cannot be had, every blueprint is returned and the reason says why. Then the release order of what is
// listed (discover/waves.ts): waves by sibling dependency, and with `dependents` on a pull request, the blueprints
// that bundle a changed one.
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { yamlLibrary } from '../util/yaml-lib.js'
import { indexWorkspace, type WorkspaceIndex } from '../chart/workspace-index.js'
import { planRelease } from './waves.js'
import { compareCodePoints, isRecord, lastLine } from '../util/text.js'

export interface DiscoverOptions {
  workspace: string
  eventName: string
  /** The webhook payload (`github.context.payload`). */
  payload: unknown
  /** Folder globs relative to the workspace; default `platform/*` and `products/*`. `…/blueprint.yaml` is accepted too. */
  globs?: string[]
  /** Commits to fetch when the clone is shallow and a commit or the merge base is missing (default 100). */
  fetchDepth?: number
  /** Where the monorepo publishes (input registry): which Chart.yaml dependencies are sibling blueprints. */
  registry?: string
  /** On a pull request, also list the blueprints that bundle a changed one (input dependents). */
  dependents?: boolean
}

interface MatrixEntry {
  /** Blueprint folder, e.g. `platform/temporal`. */
  blueprint: string
  /** Chart folder, e.g. `platform/temporal/chart` (from blueprint.yaml `spec.manifests.chart`). */
  chart: string
  /** values.yaml `catalystBlueprint.upstream.chart`, else '' (for the action: decide from the chart; '' in values: scratch). */
  upstream: string
  /** Listed because it bundles a changed blueprint (input dependents), e.g. `bundles changed sibling bp-cilium (platform/cilium)`. */
  reason?: string
}

export interface DiscoverResult {
  blueprints: string[]
  matrix: { include: MatrixEntry[] }
  /** The entries of `matrix` in release order: wave 0 bundles no listed sibling, each later wave bundles earlier ones. */
  waves: { include: MatrixEntry[] }[]
  reason: string
  /** Blueprint folders left out: their path holds a `\\`, which input blueprint reads as a path separator. */
  unnameable?: string[]
}

const ZERO_SHA = /^0+$/
const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i

// ---------------------------------------------------------------------------
// git
// ---------------------------------------------------------------------------

interface GitResult {
  ok: boolean
  stdout: string
  stderr: string
}

function git(cwd: string, args: string[], timeoutMs = 60_000): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      {
        cwd,
        encoding: 'utf8',
        maxBuffer: 256 * 1024 * 1024,
        timeout: timeoutMs,
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }
      },
      (error, stdout, stderr) =>
        resolve({ ok: !error, stdout: String(stdout), stderr: String(stderr || (error ? error.message : '')) })
    )
  })
}

const short = (sha: string): string => sha.slice(0, 7)

export async function hasCommit(cwd: string, sha: string): Promise<boolean> {
  return (await git(cwd, ['cat-file', '-e', `${sha}^{commit}`])).ok
}

async function isShallow(cwd: string): Promise<boolean> {
  const r = await git(cwd, ['rev-parse', '--is-shallow-repository'])
  return r.ok && r.stdout.trim() === 'true'
}

/** Fetches commits from origin; `--depth` only in a shallow clone (it would make a full clone shallow). */
export async function fetchCommits(cwd: string, shas: string[], depth: number): Promise<GitResult> {
  const args = ['fetch', '--no-tags', '--quiet']
  if (await isShallow(cwd)) args.push(`--depth=${depth}`)
  args.push('origin', ...shas)
  return git(cwd, args, 300_000)
}

type Range = { files: string[]; note?: string } | { error: string }

/**
 * Files changed from `base` to `head`. With `mergeBase` (pull requests) the
 * comparison starts at their merge base, like GitHub's "files changed".
 */
async function changedFiles(
  cwd: string,
  base: string,
  head: string,
  mergeBase: boolean,
  depth: number
): Promise<Range> {
  const inside = await git(cwd, ['rev-parse', '--is-inside-work-tree'])
  if (!inside.ok) return { error: `${cwd} is not a git checkout (${lastLine(inside.stderr)})` }

  const notes: string[] = []
  let missing: string[] = []
  for (const sha of [base, head]) if (!(await hasCommit(cwd, sha))) missing.push(sha)
  if (missing.length > 0) {
    const wanted = [...new Set(missing)]
    const fetched = await fetchCommits(cwd, wanted, depth)
    missing = []
    for (const sha of [base, head]) if (!(await hasCommit(cwd, sha))) missing.push(sha)
    const names = missing
      .map((sha) => (sha === base ? `base commit ${short(sha)}` : `head commit ${short(sha)}`))
      .join(' and ')
    if (missing.length > 0) {
      return {
        error: `${names} not in the clone and could not be fetched${fetched.ok ? '' : ` (${lastLine(fetched.stderr)})`}`
      }
    }
    notes.push(`fetched ${wanted.map(short).join(', ')} from origin`)
  }

  let from = base
  if (mergeBase) {
    let mb = await git(cwd, ['merge-base', base, head])
    if (!mb.ok && (await isShallow(cwd))) {
      await fetchCommits(cwd, [base, head], depth)
      mb = await git(cwd, ['merge-base', base, head])
    }
    if (mb.ok && SHA_RE.test(mb.stdout.trim())) from = mb.stdout.trim()
    else notes.push(`no merge base within ${depth} commits: compared with the base commit directly`)
  }

  const diff = await git(cwd, ['diff', '--name-only', '--no-renames', '-z', '--relative', from, head, '--'])
  if (!diff.ok) return { error: `git diff ${short(from)} ${short(head)} failed (${lastLine(diff.stderr)})` }
  const files = diff.stdout.split('\0').filter((f) => f !== '')
  return { files, note: notes.length > 0 ? notes.join('; ') : undefined }
}

// ---------------------------------------------------------------------------
// Blueprint folders
// ---------------------------------------------------------------------------

/**
 * The matrix's `upstream` for a blueprint: what values.yaml
 * `catalystBlueprint.upstream.chart` names; '' otherwise. The action reads an
 * empty upstream input as "decide from the chart" (a scratch blueprint's empty
 * provenance, or the only non-library dependency), so an entry passed on
 * unchanged always agrees with the action's own choice.
 */
async function upstreamOf(workspace: string, chart: string): Promise<string> {
  try {
    const values = yamlLibrary().parse(await readFile(path.join(workspace, chart, 'values.yaml'), 'utf8')) as {
      catalystBlueprint?: { upstream?: { chart?: unknown } }
    } | null
    const named = values?.catalystBlueprint?.upstream?.chart
    if (typeof named === 'string') return named.trim()
  } catch {
    // no values.yaml, or not YAML: the action reports that when it runs on the blueprint
  }
  return ''
}

function sortStrings(values: string[]): string[] {
  return [...new Set(values)].sort(compareCodePoints)
}

/** Blueprints with at least one changed file under their folder. */
function changedBlueprints(blueprints: string[], files: string[]): string[] {
  const normalized = files.map((f) => f.replace(/\\/g, '/'))
  return sortStrings(blueprints.filter((bp) => normalized.some((f) => f.startsWith(`${bp}/`))))
}

// ---------------------------------------------------------------------------
// discoverBlueprints
// ---------------------------------------------------------------------------

const strAt = (o: unknown, ...keys: string[]): string | undefined => {
  let cur: unknown = o
  for (const k of keys) cur = isRecord(cur) ? cur[k] : undefined
  return typeof cur === 'string' ? cur : undefined
}

interface EventRange {
  base?: string
  head?: string
  mergeBase: boolean
  label: string
}

/** The git range an event stands for, or a decision that needs no git. */
function eventRange(
  eventName: string,
  payload: unknown
): EventRange | { all: string } | { none: string } | { tag: string; blueprint: string } {
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    return {
      base: strAt(payload, 'pull_request', 'base', 'sha'),
      head: strAt(payload, 'pull_request', 'head', 'sha'),
      mergeBase: true,
      label: `pull request #${isRecord(payload) && isRecord(payload.pull_request) ? String(payload.pull_request.number ?? '?') : '?'}`
    }
  }
  if (eventName === 'merge_group') {
    return {
      base: strAt(payload, 'merge_group', 'base_sha'),
      head: strAt(payload, 'merge_group', 'head_sha'),
      mergeBase: false,
      label: 'merge group'
    }
  }
  if (eventName === 'push') {
    const ref = strAt(payload, 'ref') ?? ''
    const before = strAt(payload, 'before')
    const after = strAt(payload, 'after')
    if ((isRecord(payload) && payload.deleted === true) || (after !== undefined && ZERO_SHA.test(after))) {
      return { none: `push deleted ${ref || 'a ref'}: nothing to validate` }
    }
    const tag = /^refs\/tags\/((?:platform|products)\/[^/]+)\/v\d+\.\d+\.\d+\S*$/.exec(ref)
    if (tag) return { tag: ref.slice('refs/tags/'.length), blueprint: tag[1] }
    if (!before || ZERO_SHA.test(before)) {
      return { all: `push of ${ref || 'a new ref'} has no previous commit (first push): all blueprints` }
    }
    return {
      base: before,
      head: after,
      mergeBase: false,
      label: `push to ${ref.replace(/^refs\/(heads|tags)\//, '') || 'a ref'}`
    }
  }
  if (eventName === 'workflow_dispatch') return { all: 'workflow_dispatch: all blueprints' }
  return { all: `${eventName || 'unknown event'}: no change range, all blueprints` }
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target'])

/** What discover lists: the blueprints the event selected, with their dependents when asked, in release order. */
async function result(
  changed: string[],
  index: WorkspaceIndex,
  reason: string,
  opts: Pick<DiscoverOptions, 'registry' | 'dependents' | 'eventName'>
): Promise<DiscoverResult> {
  const plan = planRelease(index, changed, {
    registry: opts.registry,
    dependents: opts.dependents === true && PR_EVENTS.has(opts.eventName)
  })
  const entryOf = async (blueprint: string): Promise<MatrixEntry> => {
    const chart = index.byDir(blueprint)?.chartDir ?? `${blueprint}/chart`
    const why = plan.dependents.get(blueprint)
    return { blueprint, chart, upstream: await upstreamOf(index.workspace, chart), ...(why ? { reason: why } : {}) }
  }
  const waves = await Promise.all(plan.waves.map(async (wave) => ({ include: await Promise.all(wave.map(entryOf)) })))
  const include = waves.flatMap((wave) => wave.include).sort((a, b) => compareCodePoints(a.blueprint, b.blueprint))
  const added = plan.dependents.size
  return {
    blueprints: include.map((entry) => entry.blueprint),
    matrix: { include },
    waves,
    reason: added > 0 ? `${reason}; ${added} bundling a changed one: ${[...plan.dependents.keys()].join(', ')}` : reason
  }
}

/**
 * Lists the blueprints an event changed: pull request base..head (from their
 * merge base), push before..after, merge_group base..head; all blueprints on
 * a first push, workflow_dispatch and other events, or when the history needed
 * cannot be fetched. A release tag `platform/<name>/vX.Y.Z` selects that
 * blueprint. Deleted blueprints (neither blueprint.yaml nor chart/Chart.yaml any more) are dropped. Throws an
 * ActionError naming a cycle of sibling blueprints reachable from the listed ones (no release order exists).
 */
export async function discoverBlueprints(opts: DiscoverOptions): Promise<DiscoverResult> {
  const workspace = path.resolve(opts.workspace)
  const index = await indexWorkspace(workspace, opts.globs)
  // A matrix job passes the folder back as input blueprint, where `\` is a path separator: it would name another one.
  const unnameable = index.blueprints.map((bp) => bp.dir).filter((dir) => dir.includes('\\'))
  const found = await discoverIn(opts, workspace, index, new Set(unnameable))
  return unnameable.length > 0 ? { ...found, unnameable } : found
}

async function discoverIn(
  opts: DiscoverOptions,
  workspace: string,
  index: WorkspaceIndex,
  unnameable: ReadonlySet<string>
): Promise<DiscoverResult> {
  const depth = opts.fetchDepth && opts.fetchDepth > 0 ? Math.floor(opts.fetchDepth) : 100
  const all = index.blueprints.map((bp) => bp.dir).filter((dir) => !unnameable.has(dir))
  const count = (n: number): string => `${n} blueprint${n === 1 ? '' : 's'}`
  const range = eventRange(opts.eventName, opts.payload)
  const listed = (blueprints: string[], reason: string): Promise<DiscoverResult> =>
    result(blueprints, index, reason, opts)

  if ('all' in range) return listed(all, `${range.all} (${count(all.length)})`)
  if ('none' in range) return listed([], range.none)
  if ('tag' in range) {
    const hit = all.filter((bp) => bp === range.blueprint || bp.endsWith(`/${range.blueprint}`))
    return listed(
      hit,
      hit.length > 0
        ? `release tag ${range.tag}: ${hit.join(', ')}`
        : `release tag ${range.tag}: no blueprint folder ${range.blueprint}`
    )
  }

  const { base, head, label } = range
  if (!base || !head || !SHA_RE.test(base) || !SHA_RE.test(head)) {
    return listed(all, `${label}: the event has no usable base/head commits, all blueprints (${count(all.length)})`)
  }
  const diff = await changedFiles(workspace, base, head, range.mergeBase, depth)
  if ('error' in diff) return listed(all, `${label}: ${diff.error}; all blueprints (${count(all.length)})`)
  const changed = changedBlueprints(all, diff.files)
  const what =
    changed.length > 0
      ? `${changed.length} of ${count(all.length)} changed: ${changed.join(', ')}`
      : `no blueprint changed (${count(all.length)} checked)`
  const note = diff.note ? ` (${diff.note})` : ''
  return listed(changed, `${label} ${short(base)}..${short(head)}: ${what}${note}`)
}
