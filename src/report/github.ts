// GitHub specifics: the pull request of an event, and the one PR comment per chart that is updated in place.
// (Which mode an event asks for is a run setting: run/settings.ts decideMode.)
import * as core from '@actions/core'
import { GitHubApiError, classifyGitHubFault, withGitHubRetry, type GitHubFault } from '../util/github-retry.js'
import { formatDuration } from '../util/deadline.js'
import { redact } from '../util/secrets.js'
import type { CommentMode } from '../inputs/inputs.js'

/**
 * @actions/github (octokit, and undici behind it) is loaded only when a comment is written: most of the
 * bundle's start-up cost, and a run without a PR comment never needs it.
 */
async function octokitFor(token: string, options: Parameters<typeof import('@actions/github').getOctokit>[1]) {
  const { getOctokit } = await import('@actions/github')
  return getOctokit(token, options)
}

const PR_EVENTS = new Set(['pull_request', 'pull_request_target'])

// ---------------------------------------------------------------------------
// Pull request context
// ---------------------------------------------------------------------------

export interface PrTarget {
  owner: string
  repo: string
  issueNumber: number
}

/** The parts of `github.context` used here (the real Context fits). */
export interface EventContextLike {
  eventName: string
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  payload: Record<string, any>
  readonly repo?: { owner: string; repo: string }
}

/** Owner, repository and PR number of a pull_request / pull_request_target event; undefined otherwise. */
export function prContext(context: EventContextLike): PrTarget | undefined {
  if (!PR_EVENTS.has(context.eventName)) return undefined
  const payload = context.payload ?? {}
  // Webhook payloads are untyped JSON: each value read here is type-checked before use.
  /* eslint-disable @typescript-eslint/no-unsafe-member-access */
  const number: unknown = payload.pull_request?.number ?? payload.number
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0) return undefined
  let owner: unknown = payload.repository?.owner?.login
  let repo: unknown = payload.repository?.name
  /* eslint-enable @typescript-eslint/no-unsafe-member-access */
  if (typeof owner !== 'string' || typeof repo !== 'string') {
    try {
      // Context.repo reads GITHUB_REPOSITORY and throws without it.
      const r = context.repo
      owner = r?.owner
      repo = r?.repo
    } catch {
      return undefined
    }
  }
  if (typeof owner !== 'string' || typeof repo !== 'string' || !owner || !repo) return undefined
  return { owner, repo, issueNumber: number }
}

// ---------------------------------------------------------------------------
// PR comment upsert
// ---------------------------------------------------------------------------

export interface UpsertCommentOptions {
  token: string
  /** REST API base URL, e.g. https://api.github.com or http://127.0.0.1:PORT in tests. */
  apiUrl: string
  owner: string
  repo: string
  issueNumber: number
  body: string
  /** `<!-- blueprint-action:<chart-name> -->`; the first line of our comment (see ownComments for the rule). */
  marker: string
  /** Markers earlier versions wrote (`<!-- bp-temporal-action:<chart-name> -->`): such a comment is ours too, and
   * is updated in place under `marker`. */
  formerMarkers?: readonly string[]
  mode: CommentMode
}

export interface UpsertCommentResult {
  action: 'created' | 'updated' | 'recreated' | 'unchanged' | 'deleted' | 'skipped'
  id?: number
  /** Set when the comment could not be written (or not where expected); the caller warns, the check does not fail. */
  warning?: string
}

/** GitHub's cap on a comment body. */
const MAX_BODY = 65_536

/** What a failed call came to (util/github-retry.ts): the retries' last fault, or the error read the same way. */
function faultOf(err: unknown): GitHubFault {
  return err instanceof GitHubApiError ? err.fault : classifyGitHubFault(err)
}

function warningFor(what: string, err: unknown): string {
  const fault = faultOf(err)
  if (fault.kind === 'permission' || fault.kind === 'not-found') {
    return redact(
      `could not ${what} (${fault.text}). The token cannot write comments here — a pull request from a fork gets a read-only token; ` +
        'give the job `permissions: pull-requests: write` for same-repository PRs. The findings are in the job summary.'
    )
  }
  if (fault.kind === 'rate-limit') {
    return redact(
      `could not ${what} (${fault.text}). GitHub's API rate limit for this token is spent: not a permission problem, ` +
        'the token may write comments; a later run writes it. The findings are in the job summary.'
    )
  }
  return redact(`could not ${what} (${fault.text}). The findings are in the job summary.`)
}

/** A write refused for this comment only (written by another token, or deleted meanwhile): try the next one. */
const refusedStatus = (err: unknown): number | undefined => {
  const fault = faultOf(err)
  return (fault.kind === 'permission' && fault.status === 403) || fault.kind === 'not-found' ? fault.status : undefined
}

/** The body as posted: the marker is its first line (ownComments only takes comments that start with it). */
function withMarker(body: string, marker: string): string {
  let text = body.startsWith(marker) ? body : `${marker}\n${body}`
  text = redact(text)
  if (text.length > MAX_BODY) {
    const note = '\n\n_… truncated; full report in the job summary_\n'
    text = text.slice(0, MAX_BODY - note.length) + note
  }
  return text
}

/** The parts of a listed issue comment the ownership rule reads. */
export interface CommentLike {
  id: number
  body?: string | null
  user?: { login?: string | null; type?: string | null } | null
}

/** True when the comment's body starts with the marker (a marker quoted later in a comment does not count). */
export function startsWithMarker(comment: CommentLike, marker: string): boolean {
  return marker !== '' && typeof comment.body === 'string' && comment.body.startsWith(marker)
}

/**
 * The comments this action may edit or delete, in the order they are tried.
 *
 * Ownership rule — a marker is text anyone can type, so the marker alone
 * proves nothing; we never edit a human's comment we cannot prove is ours:
 *
 * 1. the body must START with the marker (the action always writes it as the
 *    first line), and
 * 2. the author must be a bot (`user.type === 'Bot'`: the GITHUB_TOKEN writes
 *    as `github-actions[bot]`, a GitHub App token as `<app>[bot]`; a human
 *    account can never have that type), or the account the token itself
 *    belongs to (`self`: the login `GET /user` returns for a personal access
 *    token; GITHUB_TOKEN and app tokens cannot call `GET /user`, so for them
 *    `self` is undefined and only bot comments qualify).
 *
 * `marker` may be several: the current one first, then those earlier versions
 * wrote. Comments by `self` come first (the token can certainly edit them), then
 * bot comments; within each, the current marker's, then oldest first.
 */
export function ownComments<T extends CommentLike>(
  comments: readonly T[],
  marker: string | readonly string[],
  self?: string
): T[] {
  const markers = typeof marker === 'string' ? [marker] : marker
  const markerRank = (c: CommentLike): number => markers.findIndex((m) => startsWithMarker(c, m))
  const bySelf = (c: CommentLike): boolean => self !== undefined && self !== '' && c.user?.login === self
  return comments
    .filter((c) => markerRank(c) >= 0 && (bySelf(c) || c.user?.type === 'Bot'))
    .sort((a, b) => Number(bySelf(b)) - Number(bySelf(a)) || markerRank(a) - markerRank(b) || a.id - b.id)
}

/**
 * The REST client for the PR comment: every request (pages of a list included) through the action's GitHub retry
 * policy (util/github-retry.ts: 5xx, no answer and rate limits retried, each request bounded). The comment is part of
 * the report: it gets the report's slice of time even when the run's work budget is spent.
 */
async function commentClient(token: string, apiUrl: string): Promise<Awaited<ReturnType<typeof octokitFor>>> {
  const octokit = await octokitFor(token, { baseUrl: apiUrl.replace(/\/+$/, '') })
  octokit.hook.wrap('request', (request, options) =>
    withGitHubRetry(
      async (signal) => {
        // Set in place: a copy of the options is not the request octokit sends (the signal would be lost).
        options.request = Object.assign(options.request ?? {}, { signal })
        return request(options)
      },
      {
        phase: 'report',
        onRetry: (fault, attempt, waitMs) =>
          core.info(
            redact(
              `GitHub API: ${options.method} ${options.url}: ${fault.text}; trying again in ${formatDuration(waitMs)} (attempt ${attempt + 1})`
            )
          )
      }
    )
  )
  return octokit
}

/**
 * The marked comments of an issue that are ours (ownComments). Only when a marked
 * comment is not a bot's is it worth asking who the token is: a personal access
 * token's own comments are then ours too (GITHUB_TOKEN and app tokens get 403).
 */
async function listOwnComments(
  octokit: Awaited<ReturnType<typeof octokitFor>>,
  where: { owner: string; repo: string },
  issueNumber: number,
  markers: readonly string[]
): Promise<CommentLike[]> {
  const all = await octokit.paginate(octokit.rest.issues.listComments, {
    ...where,
    issue_number: issueNumber,
    per_page: 100
  })
  let self: string | undefined
  if (all.some((c) => markers.some((m) => startsWithMarker(c, m)) && c.user?.type !== 'Bot')) {
    try {
      self = (await octokit.rest.users.getAuthenticated()).data.login
    } catch {
      self = undefined // unknown self: only bot comments are ours
    }
  }
  return ownComments(all, markers, self)
}

/**
 * Creates, updates in place, or recreates the one PR comment that carries
 * `marker` as its first line and is ours by the rule of ownComments. Never
 * throws for API errors: a missing token, a read-only fork token (403/404) or
 * any other failure comes back as `warning`.
 */
export async function upsertComment(opts: UpsertCommentOptions): Promise<UpsertCommentResult> {
  if (opts.mode === 'off') return { action: 'skipped' }
  const unusable = tokenProblem(opts.token)
  if (unusable) return { action: 'skipped', warning: unusable }
  if (!opts.marker) throw new Error('upsertComment: marker is empty')
  const body = withMarker(opts.body, opts.marker)
  const octokit = await commentClient(opts.token, opts.apiUrl)
  const where = { owner: opts.owner, repo: opts.repo }

  let ours: CommentLike[]
  try {
    ours = await listOwnComments(octokit, where, opts.issueNumber, [opts.marker, ...(opts.formerMarkers ?? [])])
  } catch (err) {
    return { action: 'skipped', warning: warningFor(`list the comments of #${opts.issueNumber}`, err) }
  }

  const create = async (action: 'created' | 'recreated', note?: string): Promise<UpsertCommentResult> => {
    try {
      const { data } = await octokit.rest.issues.createComment({ ...where, issue_number: opts.issueNumber, body })
      return note ? { action, id: data.id, warning: note } : { action, id: data.id }
    } catch (err) {
      return { action: 'skipped', warning: warningFor(`create the PR comment on #${opts.issueNumber}`, err) }
    }
  }
  /** Deletes comments; a 404 means already gone. Returns a warning on other failures. */
  const remove = async (ids: number[]): Promise<string | undefined> => {
    for (const id of ids) {
      try {
        await octokit.rest.issues.deleteComment({ ...where, comment_id: id })
      } catch (err) {
        if (faultOf(err).kind === 'not-found') continue
        return warningFor(`delete the old PR comment ${id}`, err)
      }
    }
    return undefined
  }

  if (opts.mode === 'recreate') {
    const warning = await remove(ours.map((c) => c.id))
    if (warning) return { action: 'skipped', warning }
    return create(ours.length > 0 ? 'recreated' : 'created')
  }

  // Update the first comment the token can write. A 403/404 (written by
  // another bot or token, or deleted meanwhile) moves on to the next one and,
  // when none is left, to a new comment; the next run then finds that one.
  const refused: { id: number; status: number }[] = []
  for (const [i, candidate] of ours.entries()) {
    // Nothing changed: nothing is sent (no edit, no notification, no rate limit spent).
    if (i === 0 && candidate.body === body) {
      const warning = await remove(ours.slice(1).map((c) => c.id))
      return warning ? { action: 'unchanged', id: candidate.id, warning } : { action: 'unchanged', id: candidate.id }
    }
    try {
      const { data } = await octokit.rest.issues.updateComment({ ...where, comment_id: candidate.id, body })
      // Earlier runs racing each other may have left a second comment: keep one.
      // The refused ones are left alone: the token cannot delete them either.
      const warning = await remove(ours.slice(i + 1).map((c) => c.id))
      return warning ? { action: 'updated', id: data.id, warning } : { action: 'updated', id: data.id }
    } catch (err) {
      const status = refusedStatus(err)
      if (status === undefined) {
        return {
          action: 'skipped',
          id: candidate.id,
          warning: warningFor(`update the PR comment ${candidate.id}`, err)
        }
      }
      refused.push({ id: candidate.id, status })
    }
  }
  if (refused.length === 0) return create('created')
  const which = refused.map((r) => `${r.id} (HTTP ${r.status})`).join(', ')
  return create('created', redact(`could not update the PR comment ${which}; posted a new comment instead`))
}

/**
 * Why a github-token cannot be used, or undefined. An unevaluated `${{ … }}`
 * reaches the action when the input is not a workflow expression GitHub
 * evaluates (a `.env` file for local-action, a value quoted into a script):
 * calling the API with it would end in a 401 blamed on a fork.
 */
export function tokenProblem(token: string): string | undefined {
  if (!token) return 'no github-token: the PR comment was not written; the findings are in the job summary'
  if (/^\$\{\{[\s\S]*\}\}$/.test(token.trim())) {
    return (
      // The text itself is not echoed: it is registered as a secret, so the log would show *** anyway.
      'github-token is an unevaluated ${{ … }} expression: nothing evaluated it (a .env file or a quoted value passes it ' +
      'literally); set a real token, e.g. INPUT_GITHUB-TOKEN from `gh auth token`. The PR comment was not written'
    )
  }
  return undefined
}

export interface RemoveCommentsOptions {
  token: string
  apiUrl: string
  owner: string
  repo: string
  issueNumber: number
  marker: string
  formerMarkers?: readonly string[]
}

/**
 * Deletes the action's own comments for one chart (comment-mode on-failure once
 * the check passes); the ownership rule is ownComments'. Never throws: API
 * failures come back as `warning`; a PR without our comment sends no write.
 */
export async function removeOwnComments(opts: RemoveCommentsOptions): Promise<UpsertCommentResult> {
  const unusable = tokenProblem(opts.token)
  if (unusable) return { action: 'skipped', warning: unusable }
  if (!opts.marker) throw new Error('removeOwnComments: marker is empty')
  const octokit = await commentClient(opts.token, opts.apiUrl)
  const where = { owner: opts.owner, repo: opts.repo }
  let ours: CommentLike[]
  try {
    ours = await listOwnComments(octokit, where, opts.issueNumber, [opts.marker, ...(opts.formerMarkers ?? [])])
  } catch (err) {
    return { action: 'skipped', warning: warningFor(`list the comments of #${opts.issueNumber}`, err) }
  }
  if (ours.length === 0) return { action: 'skipped' }
  for (const c of ours) {
    try {
      await octokit.rest.issues.deleteComment({ ...where, comment_id: c.id })
    } catch (err) {
      if (faultOf(err).kind === 'not-found') continue
      return { action: 'skipped', id: c.id, warning: warningFor(`delete the PR comment ${c.id}`, err) }
    }
  }
  return { action: 'deleted', id: ours[0].id }
}
