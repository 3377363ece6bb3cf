// The GitHub API retry policy (util/github-retry.ts): which faults are retried, how long it waits, what a fault
// says. Pure: the calls are functions that throw what octokit throws (status, response headers, message).
import { afterEach, describe, expect, it } from '@jest/globals'
import { clearRunBudget, startRunBudget } from '../../src/util/deadline.js'
import { GitHubApiError, classifyGitHubFault, withGitHubRetry } from '../../src/util/github-retry.js'

/** What octokit's RequestError carries. */
const answer = (status: number, message: string, headers: Record<string, string> = {}) =>
  Object.assign(new Error(message), { status, response: { headers } })

const NOW = 1_800_000_000_000

describe('classifyGitHubFault', () => {
  it('a 403 with x-ratelimit-remaining 0 is a rate limit, waited until x-ratelimit-reset, not a permission error', () => {
    const fault = classifyGitHubFault(
      answer(403, 'API rate limit exceeded for installation ID 1.', {
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(NOW / 1000 + 120)
      }),
      false,
      0,
      NOW
    )
    expect(fault).toEqual({
      kind: 'rate-limit',
      status: 403,
      retryable: true,
      waitMs: 120_000,
      text: 'rate limited (HTTP 403, x-ratelimit-remaining 0, resets in 2m): API rate limit exceeded for installation ID 1.'
    })
  })

  it('a 429 with retry-after waits that long; a 403 naming the secondary rate limit waits a minute', () => {
    expect(classifyGitHubFault(answer(429, 'Too Many Requests', { 'retry-after': '7' }), false, 0, NOW)).toMatchObject({
      kind: 'rate-limit',
      waitMs: 7_000,
      text: 'rate limited (HTTP 429, retry-after 7s): Too Many Requests'
    })
    expect(
      classifyGitHubFault(answer(403, 'You have exceeded a secondary rate limit. - https://docs.github.com/x'), false)
    ).toMatchObject({
      kind: 'rate-limit',
      waitMs: 60_000,
      text: 'rate limited (HTTP 403): You have exceeded a secondary rate limit.'
    })
  })

  it('a 403 without rate-limit headers is a permission error; 401, 404 and 422 are answers too: none retried', () => {
    const refused = classifyGitHubFault(
      answer(403, 'Resource not accessible by integration', { 'x-ratelimit-remaining': '4999' })
    )
    expect(refused).toEqual({
      kind: 'permission',
      status: 403,
      retryable: false,
      text: 'HTTP 403: Resource not accessible by integration'
    })
    expect(classifyGitHubFault(answer(401, 'Bad credentials')).kind).toBe('permission')
    expect(classifyGitHubFault(answer(404, 'Not Found')).kind).toBe('not-found')
    expect(classifyGitHubFault(answer(422, 'Validation Failed'))).toMatchObject({ kind: 'other', retryable: false })
  })

  it('5xx is retried; octokit\'s "500" for a call without an answer is no answer; a timed-out call says timed out', () => {
    expect(classifyGitHubFault(answer(502, 'Bad Gateway'))).toMatchObject({
      kind: 'server',
      retryable: true,
      text: 'HTTP 502: Bad Gateway'
    })
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { status: 500 })
    expect(classifyGitHubFault(refused)).toMatchObject({
      kind: 'network',
      text: 'no answer: connect ECONNREFUSED 127.0.0.1:9'
    })
    const aborted = Object.assign(new Error('This operation was aborted'), { status: 500 })
    const fault = classifyGitHubFault(aborted, true, 5_000)
    expect(fault).toMatchObject({ kind: 'timeout', text: 'timed out: no answer within 5 s' })
    expect(fault.text).not.toMatch(/500/)
  })
})

describe('withGitHubRetry', () => {
  afterEach(() => clearRunBudget())

  /** A call that throws the given faults in turn, then answers 'ok'. */
  const scripted = (...faults: Error[]) => {
    const calls: number[] = []
    const call = async () => {
      calls.push(performance.now())
      const fault = faults.shift()
      if (fault) throw fault
      return 'ok'
    }
    return { call, calls }
  }

  it('retries a 502 and a 429 (after its retry-after), then answers', async () => {
    const { call, calls } = scripted(answer(502, 'Bad Gateway'), answer(429, 'slow down', { 'retry-after': '1' }))
    const told: string[] = []
    const value = await withGitHubRetry(call, {
      baseDelayMs: 10,
      onRetry: (f, n, ms) => told.push(`${n} ${f.kind} ${ms}`)
    })
    expect(value).toBe('ok')
    expect(calls).toHaveLength(3)
    expect(calls[2] - calls[1]).toBeGreaterThanOrEqual(990)
    expect(told[1]).toBe('2 rate-limit 1000')
  })

  it('does not retry a permission error', async () => {
    const { call, calls } = scripted(answer(403, 'Resource not accessible by integration'))
    const error = await withGitHubRetry(call).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(GitHubApiError)
    expect((error as GitHubApiError).fault.kind).toBe('permission')
    expect(calls).toHaveLength(1)
  })

  it('gives up after its retries, with the last fault', async () => {
    const { call, calls } = scripted(...Array.from({ length: 5 }, () => answer(503, 'Service Unavailable')))
    const error = (await withGitHubRetry(call, { retries: 2, baseDelayMs: 5 }).catch(
      (e: unknown) => e
    )) as GitHubApiError
    expect(calls).toHaveLength(3)
    expect(error.message).toBe('HTTP 503: Service Unavailable')
    expect(error.attempts).toBe(3)
  })

  it('a rate limit whose reset the run cannot wait for is not waited for, and says so', async () => {
    startRunBudget(60_000, '1m')
    const reset = String(Math.ceil(Date.now() / 1000) + 3600)
    const { call, calls } = scripted(
      answer(403, 'API rate limit exceeded', { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset })
    )
    const start = performance.now()
    const error = (await withGitHubRetry(call).catch((e: unknown) => e)) as GitHubApiError
    expect(performance.now() - start).toBeLessThan(1_000)
    expect(calls).toHaveLength(1)
    expect(error.fault.kind).toBe('rate-limit')
    expect(error.message).toMatch(
      /^rate limited \(HTTP 403, x-ratelimit-remaining 0, resets in (59m\d+s|1h\d*s?)\): API rate limit exceeded; not retried: /
    )
  })

  it('a call that does not answer in its time is ended by its signal and says "timed out"', async () => {
    // A spent run budget: the report's slice still gives a call 5 s, and no retry fits.
    startRunBudget(20_000, '20s', performance.now() - 30_000)
    const start = performance.now()
    const error = (await withGitHubRetry(
      (signal) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () =>
            reject(Object.assign(new Error('This operation was aborted'), { status: 500 }))
          )
        ),
      { phase: 'report' }
    ).catch((e: unknown) => e)) as GitHubApiError
    expect(performance.now() - start).toBeLessThan(8_000)
    expect(error.fault.kind).toBe('timeout')
    expect(error.message).toMatch(/^timed out: no answer within 5 s/)
  })
})
