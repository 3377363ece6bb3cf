// The workflow's OIDC token, asked of the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL with the bearer
// ACTIONS_ID_TOKEN_REQUEST_TOKEN) for one audience, as @actions/core getIDToken asks, through net/http.ts: the
// action's bundle keeps @actions/core's OIDC client and its HTTP client's retry loop out. Neither the request token
// nor the identity token appears in a message.
import { ActionError } from '../types.js'
import { describeNetworkError, httpExchange } from '../net/http.js'
import { ACTION_NAME } from '../util/action-name.js'

/** The permission whose absence leaves a job without a token, as messages name it. */
export const ID_TOKEN_PERMISSION = 'permissions: id-token: write'

export async function requestIdToken(
  audience: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env
): Promise<string> {
  const endpoint = env.ACTIONS_ID_TOKEN_REQUEST_URL
  const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN
  if (!endpoint || !bearer)
    throw new ActionError(
      'the job has no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set)',
      `add \`${ID_TOKEN_PERMISSION}\` to the job`
    )
  const url = new URL(endpoint)
  url.searchParams.set('audience', audience)
  const headers = { Accept: 'application/json', Authorization: `Bearer ${bearer}`, 'User-Agent': ACTION_NAME }
  let last = ''
  for (let attempt = 0; attempt < 3; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt))
    try {
      const res = await httpExchange('GET', url, headers, timeoutMs, 64 * 1024)
      if (res.status === 200) {
        const value = (JSON.parse(res.body.toString('utf8')) as { value?: unknown }).value
        if (typeof value === 'string' && value) return value
        throw new ActionError(`the runner's token endpoint ${url.host} answered without a token`)
      }
      last = `HTTP ${res.status}`
      if (res.status < 500 && res.status !== 429) break
    } catch (error) {
      if (error instanceof ActionError) throw error
      const network = describeNetworkError(error, timeoutMs)
      last = network.text
      if (!network.retryable) break
    }
  }
  throw new ActionError(
    `the runner's token endpoint ${url.host} gave no OIDC token (${last})`,
    `check that the job has \`${ID_TOKEN_PERMISSION}\`, then re-run the job`
  )
}
