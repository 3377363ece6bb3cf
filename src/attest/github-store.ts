// A bundle stored with GitHub's artifact attestations API (POST /repos/{owner}/{repo}/attestations), so that
// `gh attestation verify --owner` finds it without the registry. GitHub refuses it for a private repository on a
// plan without artifact attestations, and a token without `attestations: write` is refused too: the bundle is still
// in the registry, so a refusal is the caller's notice, never a failure. Through net/http.ts (not octokit: the
// comment's chunk stays unloaded on a release).
import { describeNetworkError, httpExchange } from '../net/http.js'
import { ACTION_NAME } from '../util/action-name.js'

export type GitHubStoreOutcome = { stored: true; id: number } | { stored: false; reason: string }

export interface GitHubStoreTarget {
  apiUrl: string
  token: string
  owner: string
  repo: string
  /** Each request (ms). */
  timeoutMs: number
  /** Retries after a 5xx, 429 or network failure (default 2), `backoffMs` apart, doubling (default 1000). */
  retries?: number
  backoffMs?: number
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

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
  const retries = target.retries ?? 2
  let last = ''
  for (let attempt = 0; attempt <= retries; attempt++) {
    if (attempt > 0) await pause((target.backoffMs ?? 1000) * 2 ** (attempt - 1))
    let status: number
    let text: string
    try {
      const res = await httpExchange('POST', url, headers, target.timeoutMs, 1024 * 1024, {
        body,
        contentType: 'application/json'
      })
      status = res.status
      text = res.body.toString('utf8')
    } catch (error) {
      const network = describeNetworkError(error, target.timeoutMs)
      last = `POST ${url.pathname}: ${network.text}`
      if (network.retryable) continue
      break
    }
    if (status === 201 || status === 200) {
      const id = (JSON.parse(text) as { id?: unknown }).id
      return typeof id === 'number' ? { stored: true, id } : { stored: false, reason: 'GitHub answered without an id' }
    }
    last = `HTTP ${status}${messageOf(text)}`
    if (status < 500 && status !== 429) break
  }
  return { stored: false, reason: last }
}

function messageOf(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message
    return typeof message === 'string' ? `: ${message}` : ''
  } catch {
    return ''
  }
}
