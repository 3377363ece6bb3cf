// upsertComment against the loopback GitHub REST API stand-in (real HTTP,
// real octokit): one comment per chart, updated in place, never failing the check.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { upsertComment, type UpsertCommentOptions } from '../../src/github.js'
import { commentMarker } from '../../src/report.js'
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
      expect(posts[0]!.path).toBe(`/repos/acme/platform/issues/${ISSUE}/comments`)
      expect(posts[0]!.body.body).toContain(MARKER)
      expect(posts[0]!.headers.authorization).toBe(`token ${TOKEN}`)
      expect(api.requests.every((r) => r.headers.authorization === `token ${TOKEN}`)).toBe(true)

      const second = await upsertComment(opts({ body: `${MARKER}\n### ❌ bp-temporal 1.0.0 failed` }))
      expect(second).toEqual({ action: 'updated', id: first.id })
      expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
      const patches = api.requests.filter((r) => r.method === 'PATCH')
      expect(patches).toHaveLength(1)
      expect(patches[0]!.path).toBe(`/repos/acme/platform/issues/comments/${first.id}`)
      expect(ours()).toHaveLength(1)
      expect(ours()[0]!.body).toContain('failed')
    })

    it('adds the marker when the body lacks it', async () => {
      const r = await upsertComment(opts({ body: 'no marker here' }))
      expect(r.action).toBe('created')
      expect(api.comments[0]!.body.startsWith(`${MARKER}\n`)).toBe(true)
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
      expect(writes()[0]!.path).toBe('/repos/acme/platform/issues/comments/3')
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
    expect(lists[0]!.query.per_page).toBe('100')
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

  it('returns a warning on 404 when updating', async () => {
    api = await startGitHubApi({ comments: [{ id: 5, issue: ISSUE, body: `${MARKER}\nold` }], failWith: { status: 404, message: 'Not Found', methods: ['PATCH'] } })
    const r = await upsertComment(opts())
    expect(r.action).toBe('skipped')
    expect(r.warning).toMatch(/HTTP 404/)
  })

  it('returns a warning with the status on other errors (listing fails with 500)', async () => {
    api = await startGitHubApi()
    api.setResponder('GET', /\/issues\/\d+\/comments$/, { status: 500, body: { message: 'boom' } })
    const r = await upsertComment(opts())
    expect(r.action).toBe('skipped')
    expect(r.warning).toContain('HTTP 500')
    expect(r.warning).toContain('boom')
    expect(r.warning).not.toMatch(/fork/)
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
    expect(api.comments[0]!.body.length).toBeLessThanOrEqual(65_536)
    expect(api.comments[0]!.body.startsWith(MARKER)).toBe(true)
  })
})
