// upsertComment against the loopback GitHub REST API stand-in (real HTTP,
// real octokit): one comment per chart, updated in place, never failing the check.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { clearRunBudget, startRunBudget } from '../../src/util/deadline.js'
import { removeOwnComments, upsertComment, type UpsertCommentOptions } from '../../src/report/github.js'
import { commentMarker } from '../../src/report/report.js'
import { startGitHubApi } from '../../testkit/github-api.mjs'

type Api = Awaited<ReturnType<typeof startGitHubApi>>

const TOKEN = 'ghs_test-token-123'
const MARKER = commentMarker('bp-temporal')
const OTHER_MARKER = commentMarker('bp-cnpg')
const ISSUE = 7

let api: Api

function opts(overrides: Partial<UpsertCommentOptions> = {}): UpsertCommentOptions {
  return {
    token: TOKEN,
    apiUrl: api.url,
    owner: 'acme',
    repo: 'platform',
    issueNumber: ISSUE,
    body: `${MARKER}\n### ✅ bp-temporal 1.0.0 passed`,
    marker: MARKER,
    mode: 'update',
    ...overrides
  }
}

const writes = () => api.requests.filter((r) => r.method !== 'GET')
const ours = () => api.commentsOn(ISSUE).filter((c) => c.body.includes(MARKER))

afterEach(async () => {
  await api?.stop()
})

describe('upsertComment', () => {
  describe('on an empty PR', () => {
    beforeEach(async () => {
      api = await startGitHubApi()
    })

    it('creates one comment, then updates the same one in place', async () => {
      const first = await upsertComment(opts())
      expect(first.warning).toBeUndefined()
      expect(first.action).toBe('created')
      expect(typeof first.id).toBe('number')

      const posts = api.requests.filter((r) => r.method === 'POST')
      expect(posts).toHaveLength(1)
      expect(posts[0].path).toBe(`/repos/acme/platform/issues/${ISSUE}/comments`)
      expect(posts[0].body.body).toContain(MARKER)
      expect(posts[0].headers.authorization).toBe(`token ${TOKEN}`)
      expect(api.requests.every((r) => r.headers.authorization === `token ${TOKEN}`)).toBe(true)

      const second = await upsertComment(opts({ body: `${MARKER}\n### ❌ bp-temporal 1.0.0 failed` }))
      expect(second).toEqual({ action: 'updated', id: first.id })
      expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
      const patches = api.requests.filter((r) => r.method === 'PATCH')
      expect(patches).toHaveLength(1)
      expect(patches[0].path).toBe(`/repos/acme/platform/issues/comments/${first.id}`)
      expect(ours()).toHaveLength(1)
      expect(ours()[0].body).toContain('failed')
    })

    it('adds the marker when the body lacks it', async () => {
      const r = await upsertComment(opts({ body: 'no marker here' }))
      expect(r.action).toBe('created')
      expect(api.comments[0].body.startsWith(`${MARKER}\n`)).toBe(true)
      // …so the next run finds it.
      expect((await upsertComment(opts({ body: 'again' }))).action).toBe('updated')
      expect(api.comments).toHaveLength(1)
    })

    it('with mode off makes no request', async () => {
      expect(await upsertComment(opts({ mode: 'off' }))).toEqual({ action: 'skipped' })
      expect(api.requests).toHaveLength(0)
    })

    it('without a token warns and makes no request', async () => {
      const r = await upsertComment(opts({ token: '' }))
      expect(r.action).toBe('skipped')
      expect(r.warning).toMatch(/github-token/)
      expect(api.requests).toHaveLength(0)
    })

    it('recreate on a PR without our comment just creates', async () => {
      const r = await upsertComment(opts({ mode: 'recreate' }))
      expect(r.action).toBe('created')
      expect(api.requests.filter((q) => q.method === 'DELETE')).toHaveLength(0)
    })
  })

  describe('with existing comments', () => {
    beforeEach(async () => {
      api = await startGitHubApi({
        comments: [
          { id: 1, issue: ISSUE, body: 'LGTM, unrelated human comment', user: { login: 'alice', id: 1, type: 'User' } },
          { id: 2, issue: ISSUE, body: `${OTHER_MARKER}\nreport for bp-cnpg` },
          { id: 3, issue: ISSUE, body: `${MARKER}\nold report` },
          { id: 4, issue: ISSUE + 1, body: `${MARKER}\nsame chart, other PR` }
        ]
      })
    })

    it('updates ours and leaves the unrelated, other-chart and other-PR comments alone', async () => {
      const r = await upsertComment(opts({ body: `${MARKER}\nnew report` }))
      expect(r).toEqual({ action: 'updated', id: 3 })
      expect(writes().map((q) => `${q.method} ${q.path}`)).toEqual(['PATCH /repos/acme/platform/issues/comments/3'])
      const byId = new Map(api.comments.map((c) => [c.id, c.body]))
      expect(byId.get(1)).toBe('LGTM, unrelated human comment')
      expect(byId.get(2)).toBe(`${OTHER_MARKER}\nreport for bp-cnpg`)
      expect(byId.get(3)).toBe(`${MARKER}\nnew report`)
      expect(byId.get(4)).toBe(`${MARKER}\nsame chart, other PR`)
    })

    it('does not take another chart whose name starts with ours', async () => {
      const prefixMarker = commentMarker('bp-temp')
      const r = await upsertComment(opts({ marker: prefixMarker, body: `${prefixMarker}\nx` }))
      expect(r.action).toBe('created')
      expect(api.comments.find((c) => c.id === 3)!.body).toBe(`${MARKER}\nold report`)
    })

    it('recreate deletes the old comment and creates a new one', async () => {
      const r = await upsertComment(opts({ mode: 'recreate', body: `${MARKER}\nfresh` }))
      expect(r.action).toBe('recreated')
      expect(r.id).not.toBe(3)
      expect(writes().map((q) => q.method)).toEqual(['DELETE', 'POST'])
      expect(writes()[0].path).toBe('/repos/acme/platform/issues/comments/3')
      expect(ours().map((c) => [c.id, c.body])).toEqual([[r.id, `${MARKER}\nfresh`]])
      expect(api.comments.map((c) => c.id).sort()).toEqual([1, 2, 4, r.id].sort())
    })

    it('returns a warning, not an exception, when the token is read-only (fork PR: 403)', async () => {
      api.setFailWith(403)
      const r = await upsertComment(opts())
      expect(r.action).toBe('skipped')
      expect(r.warning).toContain('403')
      expect(r.warning).toContain('Resource not accessible by integration')
      expect(r.warning).toMatch(/fork/)
      expect(r.warning).not.toContain(TOKEN)
      expect(api.comments.find((c) => c.id === 3)!.body).toBe(`${MARKER}\nold report`)
    })

    it('removes duplicate comments of earlier racing runs, keeping the oldest', async () => {
      api.comments.push({ ...api.comments.find((c) => c.id === 3)!, id: 9, body: `${MARKER}\nduplicate` })
      const r = await upsertComment(opts({ body: `${MARKER}\nnew` }))
      expect(r).toEqual({ action: 'updated', id: 3 })
      expect(ours().map((c) => c.id)).toEqual([3])
    })
  })

  it('finds the marker on page 2 of more than 100 comments', async () => {
    const comments = Array.from({ length: 130 }, (_, i) => ({ id: i + 1, issue: ISSUE, body: `chatter ${i}` }))
    comments[114] = { id: 115, issue: ISSUE, body: `${MARKER}\nold` }
    api = await startGitHubApi({ comments })
    const r = await upsertComment(opts({ body: `${MARKER}\nnew` }))
    expect(r).toEqual({ action: 'updated', id: 115 })
    const lists = api.requests.filter((q) => q.method === 'GET')
    expect(lists.map((q) => q.query.page ?? '1')).toEqual(['1', '2'])
    expect(lists[0].query.per_page).toBe('100')
    expect(api.requests.filter((q) => q.method === 'POST')).toHaveLength(0)
    expect(api.comments.find((c) => c.id === 115)!.body).toBe(`${MARKER}\nnew`)
  })

  it('returns a warning on 403 when creating', async () => {
    api = await startGitHubApi({ failWith: { status: 403, methods: ['POST'] } })
    const r = await upsertComment(opts())
    expect(r.action).toBe('skipped')
    expect(r.warning).toMatch(/could not create the PR comment.*HTTP 403/)
    expect(api.comments).toHaveLength(0)
  })

  it('posts a new comment, and says so, when updating ours answers 404 (deleted meanwhile)', async () => {
    api = await startGitHubApi({
      comments: [{ id: 5, issue: ISSUE, body: `${MARKER}\nold` }],
      failWith: { status: 404, message: 'Not Found', methods: ['PATCH'] }
    })
    const r = await upsertComment(opts())
    expect(r.action).toBe('created')
    expect(r.id).not.toBe(5)
    expect(r.warning).toMatch(/could not update the PR comment 5 \(HTTP 404\); posted a new comment instead/)
    expect(writes().map((q) => q.method)).toEqual(['PATCH', 'POST'])
  })

  it('posts a new comment when updating answers 403 (written by another token), and updates that one next time', async () => {
    api = await startGitHubApi({ comments: [{ id: 5, issue: ISSUE, body: `${MARKER}\nby another app` }] })
    const refuse = api.setResponder('PATCH', /\/issues\/comments\/5$/, {
      status: 403,
      body: { message: 'Resource not accessible by integration' }
    })
    const first = await upsertComment(opts({ body: `${MARKER}\nrun 1` }))
    expect(first.action).toBe('created')
    expect(first.warning).toMatch(/could not update the PR comment 5 \(HTTP 403\); posted a new comment instead/)
    const second = await upsertComment(opts({ body: `${MARKER}\nrun 2` }))
    expect(second.action).toBe('updated')
    expect(second.id).toBe(first.id)
    expect(second.warning).toBeUndefined()
    // Comment 5 stays (the token can delete it no more than edit it); no third comment.
    expect(ours().map((c) => [c.id, c.body])).toEqual([
      [5, `${MARKER}\nby another app`],
      [first.id, `${MARKER}\nrun 2`]
    ])
    refuse()
  })

  it('with a fork token, a refused update and a refused create end in a warning', async () => {
    api = await startGitHubApi({ comments: [{ id: 5, issue: ISSUE, body: `${MARKER}\nold` }], failWith: 403 })
    const r = await upsertComment(opts())
    expect(r.action).toBe('skipped')
    expect(r.warning).toMatch(/could not create the PR comment.*HTTP 403/)
    expect(api.comments.map((c) => [c.id, c.body])).toEqual([[5, `${MARKER}\nold`]])
  })

  describe('never takes a human comment that carries the marker', () => {
    const ALICE = { login: 'alice', id: 1, type: 'User' }
    const MALLORY = { login: 'mallory', id: 2, type: 'User' }

    it('with GITHUB_TOKEN: a human comment starting with the marker is left alone and a new comment is created', async () => {
      api = await startGitHubApi({
        comments: [{ id: 3, issue: ISSUE, body: `${MARKER}\nI pasted your marker`, user: MALLORY }]
      })
      const r = await upsertComment(opts({ body: `${MARKER}\nreport` }))
      expect(r.action).toBe('created')
      expect(r.warning).toBeUndefined()
      expect(writes().map((q) => q.method)).toEqual(['POST'])
      expect(api.comments.find((c) => c.id === 3)!.body).toBe(`${MARKER}\nI pasted your marker`)
      // Asked who the token is (403 for GITHUB_TOKEN), then did not take the human's comment.
      expect(api.requests.some((q) => q.method === 'GET' && q.path === '/user')).toBe(true)

      const again = await upsertComment(opts({ body: `${MARKER}\nreport 2` }))
      expect(again).toEqual({ action: 'updated', id: r.id })
      expect(api.comments.find((c) => c.id === 3)!.body).toBe(`${MARKER}\nI pasted your marker`)
    })

    it('recreate does not delete a human comment starting with the marker', async () => {
      api = await startGitHubApi({ comments: [{ id: 3, issue: ISSUE, body: `${MARKER}\nhuman`, user: MALLORY }] })
      const r = await upsertComment(opts({ mode: 'recreate' }))
      expect(r.action).toBe('created')
      expect(writes().map((q) => q.method)).toEqual(['POST'])
      expect(api.comments.find((c) => c.id === 3)!.body).toBe(`${MARKER}\nhuman`)
    })

    it('a bot comment that merely quotes the marker later is not ours', async () => {
      api = await startGitHubApi({ comments: [{ id: 3, issue: ISSUE, body: `some other bot\n> ${MARKER}\nquoted` }] })
      const r = await upsertComment(opts())
      expect(r.action).toBe('created')
      expect(api.comments.find((c) => c.id === 3)!.body).toBe(`some other bot\n> ${MARKER}\nquoted`)
    })

    it('puts the marker first even when the body has it further down', async () => {
      api = await startGitHubApi()
      const r = await upsertComment(opts({ body: `report\n${MARKER}` }))
      expect(r.action).toBe('created')
      expect(api.comments[0].body.startsWith(`${MARKER}\n`)).toBe(true)
      expect((await upsertComment(opts({ body: 'again' }))).action).toBe('updated')
    })

    it("with a personal access token: updates the token owner's comment, never another human's", async () => {
      api = await startGitHubApi({
        user: ALICE,
        comments: [
          { id: 3, issue: ISSUE, body: `${MARKER}\nmallory's copy`, user: MALLORY },
          { id: 4, issue: ISSUE, body: `${MARKER}\nalice's run` }
        ]
      })
      const r = await upsertComment(opts({ body: `${MARKER}\nnew` }))
      expect(r).toEqual({ action: 'updated', id: 4 })
      expect(writes().map((q) => `${q.method} ${q.path}`)).toEqual(['PATCH /repos/acme/platform/issues/comments/4'])
      expect(api.comments.find((c) => c.id === 3)!.body).toBe(`${MARKER}\nmallory's copy`)
    })
  })

  it("removeOwnComments (on-failure, once the PR passes) deletes a personal access token's own comment, never another human's", async () => {
    const ALICE = { login: 'alice', id: 1, type: 'User' }
    const MALLORY = { login: 'mallory', id: 2, type: 'User' }
    api = await startGitHubApi({
      user: ALICE,
      comments: [
        { id: 3, issue: ISSUE, body: `${MARKER}\nmallory's copy`, user: MALLORY },
        { id: 4, issue: ISSUE, body: `${MARKER}\nalice's failing run`, user: ALICE },
        { id: 5, issue: ISSUE, body: `${OTHER_MARKER}\nanother chart`, user: ALICE }
      ]
    })
    const { body: _body, mode: _mode, ...where } = opts()
    const r = await removeOwnComments(where)
    expect(r).toEqual({ action: 'deleted', id: 4 })
    expect(writes().map((q) => `${q.method} ${q.path}`)).toEqual(['DELETE /repos/acme/platform/issues/comments/4'])
    expect(api.commentsOn(ISSUE).map((c) => c.id)).toEqual([3, 5])
  })

  it('returns a warning with the status on other errors (listing fails with 500, four times: retried, then given up)', async () => {
    api = await startGitHubApi()
    api.setResponder('GET', /\/issues\/\d+\/comments$/, { status: 500, body: { message: 'boom' } })
    const r = await upsertComment(opts())
    expect(r.action).toBe('skipped')
    expect(r.warning).toContain('HTTP 500')
    expect(r.warning).toContain('boom')
    expect(r.warning).not.toMatch(/fork/)
    expect(api.requests.filter((q) => q.method === 'GET')).toHaveLength(4)
  })

  it('returns a warning when the API cannot be reached', async () => {
    api = await startGitHubApi()
    const url = api.url
    await api.stop()
    const r = await upsertComment(opts({ apiUrl: url }))
    expect(r.action).toBe('skipped')
    expect(r.warning).toMatch(/could not list the comments/)
  })

  it('keeps the body under 65,536 characters', async () => {
    api = await startGitHubApi()
    await upsertComment(opts({ body: `${MARKER}\n${'x'.repeat(100_000)}` }))
    expect(api.comments[0].body.length).toBeLessThanOrEqual(65_536)
    expect(api.comments[0].body.startsWith(MARKER)).toBe(true)
  })
})

/** A responder that answers `reply` to the first `times` requests, then lets the stand-in answer. */
function failing(times: number, reply: { status: number; body?: unknown; headers?: Record<string, string> }) {
  let left = times
  return () => (left-- > 0 ? reply : undefined)
}

describe('GitHub API faults are retried (util/github-retry.ts)', () => {
  const FAILED = `${MARKER}\n### ❌ bp-temporal 1.0.0 failed`
  const PASSED = `${MARKER}\n### ✅ bp-temporal 1.0.0 passed`
  beforeEach(async () => {
    api = await startGitHubApi({ comments: [{ id: 3, issue: ISSUE, body: FAILED }] })
  })
  afterEach(() => clearRunBudget())

  it('a 502 on the comment PATCH is retried: the old "failed" comment becomes "passed"', async () => {
    api.setResponder('PATCH', /\/issues\/comments\/3$/, failing(1, { status: 502, body: { message: 'Bad Gateway' } }))
    const r = await upsertComment(opts({ body: PASSED }))
    expect(r).toEqual({ action: 'updated', id: 3 })
    expect(writes().map((q) => `${q.method} ${q.path}`)).toEqual([
      'PATCH /repos/acme/platform/issues/comments/3',
      'PATCH /repos/acme/platform/issues/comments/3'
    ])
    expect(ours().map((c) => c.body)).toEqual([PASSED])
  })

  it('a 429 with retry-after is waited for, then retried', async () => {
    api.setResponder(
      'PATCH',
      /\/issues\/comments\/3$/,
      failing(1, { status: 429, body: { message: 'Too Many Requests' }, headers: { 'retry-after': '1' } })
    )
    const start = performance.now()
    const r = await upsertComment(opts({ body: PASSED }))
    expect(performance.now() - start).toBeGreaterThanOrEqual(990)
    expect(r).toEqual({ action: 'updated', id: 3 })
    expect(ours().map((c) => c.body)).toEqual([PASSED])
  })

  it('a 403 with x-ratelimit-remaining 0 is a rate limit: retried at x-ratelimit-reset, not taken for a refusal', async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 1)
    api.setResponder(
      'PATCH',
      /\/issues\/comments\/3$/,
      failing(1, {
        status: 403,
        body: { message: 'API rate limit exceeded for installation ID 1.' },
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }
      })
    )
    const r = await upsertComment(opts({ body: PASSED }))
    // A refusal would have posted a new comment instead.
    expect(r).toEqual({ action: 'updated', id: 3 })
    expect(writes().map((q) => q.method)).toEqual(['PATCH', 'PATCH'])
  })

  it('a rate limit the run cannot wait for is a warning that says so, never blamed on a fork or the token', async () => {
    startRunBudget(120_000, '2m')
    const reset = String(Math.ceil(Date.now() / 1000) + 3600)
    api.setResponder('PATCH', /\/issues\/comments\/3$/, {
      status: 403,
      body: { message: 'API rate limit exceeded for installation ID 1.' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }
    })
    const r = await upsertComment(opts({ body: PASSED }))
    expect(r.action).toBe('skipped')
    expect(r.warning).toMatch(
      /^could not update the PR comment 3 \(rate limited \(HTTP 403, x-ratelimit-remaining 0, resets in (59m\d+s|1h\d*s?)\): API rate limit exceeded for installation ID 1\.; not retried: .*\)\. GitHub's API rate limit for this token is spent: not a permission problem/
    )
    expect(r.warning).not.toMatch(/fork|read-only/)
    // Not a refusal: no new comment posted beside the old one.
    expect(writes().map((q) => q.method)).toEqual(['PATCH'])
  })

  it('a 403 without rate-limit headers is still a permission error (not retried)', async () => {
    api.setFailWith(403)
    const r = await upsertComment(opts({ body: PASSED }))
    expect(r.warning).toMatch(
      /HTTP 403: Resource not accessible by integration\)\. The token cannot write comments here/
    )
    expect(writes().map((q) => q.method)).toEqual(['PATCH', 'POST'])
  })
})

describe('upsertComment within the run budget', () => {
  afterEach(() => clearRunBudget())

  it("a GitHub API that never answers costs a warning within the report's slice of the budget, not a hang", async () => {
    api = await startGitHubApi()
    api.setResponder('GET', /\/issues\/\d+\/comments$/, () => new Promise(() => undefined))
    // A run whose budget is already spent: the comment still gets its few seconds, and no more.
    startRunBudget(20_000, '20s', performance.now() - 30_000)
    const start = performance.now()
    const outcome = await upsertComment(opts())
    expect(performance.now() - start).toBeLessThan(15_000)
    expect(outcome.action).toBe('skipped')
    expect(outcome.warning).toMatch(/could not list the comments of #7 \(timed out: no answer within 5 s/)
    expect(outcome.warning).not.toMatch(/HTTP 500/)
  }, 30_000)
})
