// A bundle stored with GitHub's artifact attestations API (POST /repos/{owner}/{repo}/attestations), so that
// `gh attestation verify --owner` finds it without the registry. GitHub refuses it for a private repository on a
// plan without artifact attestations, and a token without `attestations: write` is refused too: the bundle is still
// in the registry, so a refusal is the caller's notice, never a failure. Faults are retried by the action's one
// policy for GitHub's REST API (util/github-retry.ts: 5xx and no answer with backoff, a rate limit after its
// reset, within the run's budget), so a spent rate limit is waited out, not taken for a refusal. Through
// net/http.ts (not octokit: the comment's chunk stays unloaded on a release).
import { httpExchange } from '../net/http.js'
import { ACTION_NAME } from '../util/action-name.js'
import { GitHubApiError, withGitHubRetry } from '../util/github-retry.js'

export type GitHubStoreOutcome = { stored: true; id: number } | { stored: false; reason: string }

export interface GitHubStoreTarget {
  apiUrl: string
  token: string
  owner: string
  repo: string
  /** Retries after a fault GitHub's retry policy retries (default 2). */
  retries?: number
}

/** Stores `bundle` (its JSON form); what GitHub said when it did not. */
export async function storeOnGitHub(bundle: unknown, target: GitHubStoreTarget): Promise<GitHubStoreOutcome> {
  const url = new URL(
    `${target.apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}/attestations`
  )
  const body = Buffer.from(JSON.stringify({ bundle }))
  const headers = {
    Accept: 'application/vnd.github+json',
    Authorization: `Bearer ${target.token}`,
    'Content-Length': String(body.length),
    'Content-Type': 'application/json',
    'User-Agent': ACTION_NAME,
    'X-GitHub-Api-Version': '2022-11-28'
  }
  let text: string
  try {
    text = await withGitHubRetry(
      async (_signal, timeoutMs) => {
        // Each attempt within the time the policy gives it (httpExchange ends it then).
        const res = await httpExchange('POST', url, headers, timeoutMs, 1024 * 1024, {
          body,
          contentType: 'application/json'
        })
        const answer = res.body.toString('utf8')
        if (res.status === 201 || res.status === 200) return answer
        // What the policy reads: the status, the rate-limit headers and GitHub's message.
        throw Object.assign(new Error(messageOf(answer)), { status: res.status, headers: res.headers })
      },
      { retries: target.retries ?? 2 }
    )
  } catch (error) {
    if (error instanceof GitHubApiError) return { stored: false, reason: error.fault.text }
    throw error
  }
  const id = (JSON.parse(text) as { id?: unknown }).id
  return typeof id === 'number' ? { stored: true, id } : { stored: false, reason: 'GitHub answered without an id' }
}

function messageOf(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message
    return typeof message === 'string' ? message : ''
  } catch {
    return ''
  }
}
