// The ownership rule of the PR comment (pure): which comments upsertComment may
// edit or delete. The HTTP side is in __tests__/integration/github.test.ts.
import { describe, expect, it } from '@jest/globals'
import { ownComments, startsWithMarker, tokenProblem, type CommentLike } from '../../src/report/github.js'
import { commentMarker, formerCommentMarkers, renderMarkdown } from '../../src/report/report.js'
import type { ActionReport } from '../../src/types.js'

const MARKER = commentMarker('bp-temporal')
const BOT = { login: 'github-actions[bot]', type: 'Bot' }
const APP = { login: 'acme-ci[bot]', type: 'Bot' }
const ALICE = { login: 'alice', type: 'User' }
const MALLORY = { login: 'mallory', type: 'User' }

const c = (id: number, body: string | null, user: CommentLike['user']): CommentLike => ({ id, body, user })
const ids = (list: CommentLike[]) => list.map((x) => x.id)

describe('startsWithMarker', () => {
  it('only counts a marker at the very start of the body', () => {
    expect(startsWithMarker(c(1, `${MARKER}\nreport`, BOT), MARKER)).toBe(true)
    expect(startsWithMarker(c(1, MARKER, BOT), MARKER)).toBe(true)
    expect(startsWithMarker(c(1, `see\n${MARKER}`, BOT), MARKER)).toBe(false)
    expect(startsWithMarker(c(1, `> ${MARKER}`, BOT), MARKER)).toBe(false)
    expect(startsWithMarker(c(1, null, BOT), MARKER)).toBe(false)
    expect(startsWithMarker(c(1, `${MARKER}\n`, BOT), '')).toBe(false)
  })

  it('does not take another chart whose name starts with ours', () => {
    expect(startsWithMarker(c(1, `${MARKER}\n`, BOT), commentMarker('bp-temp'))).toBe(false)
  })
})

describe('ownComments', () => {
  it('never takes a human comment that starts with the marker when the token is not that human (GITHUB_TOKEN)', () => {
    const list = [c(1, `${MARKER}\nhijack me`, MALLORY), c(2, `${MARKER}\nour report`, BOT)]
    expect(ids(ownComments(list, MARKER))).toEqual([2])
    expect(ids(ownComments([list[0]], MARKER))).toEqual([])
  })

  it('takes bot comments (GITHUB_TOKEN or an app token) that start with the marker, oldest first', () => {
    const list = [
      c(9, `${MARKER}\nnewer`, BOT),
      c(3, `${MARKER}\nolder`, APP),
      c(4, `text then ${MARKER}`, BOT),
      c(5, 'LGTM', ALICE)
    ]
    expect(ids(ownComments(list, MARKER))).toEqual([3, 9])
  })

  it("with a personal access token takes the token owner's comments first, then bot comments, never another human's", () => {
    const list = [
      c(1, `${MARKER}\nbot run`, BOT),
      c(2, `${MARKER}\nmallory`, MALLORY),
      c(3, `${MARKER}\nalice run`, ALICE)
    ]
    expect(ids(ownComments(list, MARKER, 'alice'))).toEqual([3, 1])
  })

  it('takes comments written under the marker of earlier versions, after those under the current one, by the same rule', () => {
    const former = formerCommentMarkers('bp-temporal')
    expect(former).toEqual(['<!-- bp-temporal-action:bp-temporal -->'])
    expect(MARKER).toBe('<!-- blueprint-action:bp-temporal -->')
    const list = [
      c(1, `${former[0]}\nold report`, BOT),
      c(2, `${former[0]}\nhijack me`, MALLORY),
      c(3, `${MARKER}\nnew report`, BOT),
      c(4, `${formerCommentMarkers('bp-cnpg')[0]}\nother chart`, BOT)
    ]
    expect(ids(ownComments(list, [MARKER, ...former]))).toEqual([3, 1])
    expect(ids(ownComments(list, MARKER))).toEqual([3])
  })

  it('treats comments without an author as not ours', () => {
    expect(ids(ownComments([c(1, `${MARKER}\nx`, null), c(2, `${MARKER}\nx`, undefined)], MARKER, ''))).toEqual([])
  })

  it("report.ts puts the marker on the comment's first line, where the rule looks for it", () => {
    const report = {
      schemaVersion: 1,
      blueprint: 'platform/temporal',
      chart: { name: 'bp-temporal', version: '1.0.0', path: 'platform/temporal/chart' },
      mode: 'validate',
      modeReason: 'pull_request',
      status: 'passed',
      steps: [],
      values: { files: [], set: [] },
      startedAt: '2025-01-01T00:00:00.000Z',
      durationMs: 1
    } as unknown as ActionReport
    const md = renderMarkdown(report, { limit: 65_536, marker: MARKER })
    expect(startsWithMarker(c(1, md, BOT), MARKER)).toBe(true)
  })
})

describe('tokenProblem', () => {
  it('names an unevaluated ${{ … }} expression instead of calling the API with it', () => {
    expect(tokenProblem('${{ github.token }}')).toMatch(
      /^github-token is an unevaluated \$\{\{ … \}\} expression: nothing evaluated it/
    )
    expect(tokenProblem('${{ secrets.PAT }}')).not.toMatch(/fork/)
    expect(tokenProblem('')).toMatch(/no github-token/)
    expect(tokenProblem('ghs_abc')).toBeUndefined()
  })
})
