// "What changes" keeps the run's time (issue 23.7, 23.8), with the bundled action, real helm 3 and 4, the loopback
// chart repository and the GitHub API stand-in, on a pull request's real git history:
// - a 50,000-line ConfigMap rewritten by the pull request: the line diff is bounded, the run ends within `timeout`
//   with its verdict, and the comment says the resource was too large to diff line by line;
// - a base whose dependency download never answers: the base render is stopped once the checks are done (it is
//   optional work), the run passes, and the comment says the base was not compared.
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startFaultProxy } from '../../testkit/registry.mjs'
import {
  FAST,
  failureMessage,
  helmsUnderTest,
  makeWorkspace,
  pointChartAt,
  prPayload,
  runBundledAction
} from '../support/e2e.js'
import { commitAll, git } from '../support/git-history.js'
import { useServers } from '../support/servers.js'

const BIG_LINES = 50_000

const BIG_TEMPLATE = `apiVersion: v1
kind: ConfigMap
metadata:
  name: big
data:
  file: |
{{ .Files.Get "files/big.txt" | indent 4 }}
`

const bigFile = (word: string): string =>
  `${Array.from({ length: BIG_LINES }, (_, i) => `${word} line ${i} of the generated file`).join('\n')}\n`

for (const helm of helmsUnderTest()) {
  describe(`the rendered diff keeps the run's time (${helm.label})`, () => {
    const servers = useServers(helm, { registry: false, api: true })
    const cleanup: Array<() => Promise<void>> = []
    afterAll(async () => {
      await Promise.all(cleanup.map((fn) => fn()))
    })

    async function pullRequest(
      number: number,
      base: (chart: string) => Promise<void>,
      head: (chart: string) => Promise<void>,
      inputs: Record<string, string>,
      killAfterMs: number
    ) {
      const ws = await makeWorkspace()
      cleanup.push(() => ws.remove())
      await git(ws.dir, 'init', '-q', '-b', 'main')
      await pointChartAt(ws.chart, servers.repo.url)
      await base(ws.chart)
      const baseSha = await commitAll(ws.dir, 'base')
      await head(ws.chart)
      const headSha = await commitAll(ws.dir, 'head')
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        eventName: 'pull_request',
        ref: `refs/pull/${number}/merge`,
        payload: prPayload(number, baseSha, headSha),
        inputs: { ...FAST, 'github-token': 'ghs_diff-time-token', ...inputs },
        env: { GITHUB_API_URL: servers.api.url },
        killAfterMs
      })
      return { run, comments: servers.api.commentsOn(number) }
    }

    it('a 50,000-line ConfigMap rewritten whole: the run ends within its timeout, passes, and says the diff was too large', async () => {
      const writeBig = (word: string) => async (chart: string) => {
        await mkdir(path.join(chart, 'files'), { recursive: true })
        await writeFile(path.join(chart, 'files', 'big.txt'), bigFile(word))
        await writeFile(path.join(chart, 'templates', 'big.yaml'), BIG_TEMPLATE)
      }
      const { run, comments } = await pullRequest(231, writeBig('old'), writeBig('new'), { timeout: '2m' }, 170_000)
      expect({ killed: run.killed, exit: run.exitCode, error: failureMessage(run) }).toEqual({
        killed: false,
        exit: 0,
        error: ''
      })
      expect(run.durationMs).toBeLessThan(120_000)
      expect(run.report.status).toBe('passed')
      const big = run.report.diff.comparison.resources.find((r: { name: string }) => r.name === 'big')
      expect(big).toMatchObject({ change: 'changed', tooLarge: { before: BIG_LINES + 6, after: BIG_LINES + 6 } })
      // The diff file has both sides whole; the comment one line about it, and the verdict on top.
      expect(run.diff).toContain(`-    old line ${BIG_LINES - 1} of the generated file`)
      expect(run.diff).toContain(`+    new line ${BIG_LINES - 1} of the generated file`)
      expect(comments).toHaveLength(1)
      expect(comments[0].body).toMatch(/### ✅ bp-temporal \S+ passed/)
      expect(comments[0].body).toContain('ConfigMap big is too large to diff line by line')
    }, 240_000)

    it('a base whose dependency download never answers is stopped once the checks are done: the run passes, not compared', async () => {
      // The base names the chart repository through a proxy that never answers an archive download.
      const proxy = await startFaultProxy({
        target: servers.repo.url,
        plan: [{ method: 'GET', pathPattern: /\.tgz$/, hang: true, times: 100 }]
      })
      cleanup.push(() => proxy.stop())
      const { run, comments } = await pullRequest(
        232,
        (chart) => pointChartAt(chart, proxy.url, servers.repo.url),
        (chart) => pointChartAt(chart, servers.repo.url, proxy.url),
        {},
        300_000
      )
      expect({ killed: run.killed, exit: run.exitCode, error: failureMessage(run) }).toEqual({
        killed: false,
        exit: 0,
        error: ''
      })
      // Helm's own limit is 10 minutes: the base got the checks' time and 15 s more.
      expect(run.durationMs).toBeLessThan(150_000)
      expect(proxy.requests.some((r: { path: string; fault: boolean }) => r.fault && /\.tgz$/.test(r.path))).toBe(true)
      expect(run.report.diff).toMatchObject({ status: 'unavailable' })
      expect(run.report.diff.message).toMatch(/^the base render was still running \d+s after the checks were done$/)
      expect(comments).toHaveLength(1)
      expect(comments[0].body).toContain('**What changes:** not compared with the pull request base')
      expect(comments[0].body).toContain('the base render was still running')
    }, 360_000)
  })
}
