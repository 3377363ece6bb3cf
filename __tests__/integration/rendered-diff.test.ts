// "What changes": on a pull request the bundled action renders the blueprint
// as of the base commit (real git repositories in temp folders, real helm 3
// and 4, the loopback chart repository) and shows the rendered difference in
// the PR comment, the job summary, the JSON report and the diff file.
import { afterAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { renderGfm } from '../../testkit/gfm.mjs'
import {
  failureMessage,
  helmsUnderTest,
  makeWorkspace,
  pointChartAt,
  prPayload,
  runBundledAction
} from '../support/e2e.js'
import { commitAll, git } from '../support/git-history.js'
import { useServers } from '../support/servers.js'

const execFileAsync = promisify(execFile)

async function edit(file: string, from: string | RegExp, to: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  const next = text.replace(from, to)
  if (next === text) throw new Error(`${file}: nothing replaced for ${String(from)}`)
  await writeFile(file, next)
}

const SERVER_DIGEST_OLD = 'sha256:f95a86d20874fdfb77d2a75a803ed02ff43277fde536518db0a7386019cc02ac'
const SERVER_DIGEST_NEW = `sha256:${'1'.repeat(64)}`

for (const helm of helmsUnderTest()) {
  describe(`rendered diff against the PR base (${helm.label})`, () => {
    const servers = useServers(helm, { registry: false, api: true })
    const cleanup: Array<() => Promise<void>> = []

    afterAll(async () => {
      await Promise.all(cleanup.map((fn) => fn()))
    })

    /** A git repository holding the example blueprint at a base commit; `change` makes the head commit. */
    async function pullRequest(
      number: number,
      change: (chart: string, dir: string) => Promise<void>,
      base?: (dir: string) => Promise<void>
    ) {
      const ws = await makeWorkspace()
      cleanup.push(() => ws.remove())
      await git(ws.dir, 'init', '-q', '-b', 'main')
      // Base and head name the loopback chart repository, as a monorepo's commits name the real one.
      await pointChartAt(ws.chart, servers.repo.url)
      if (base) await base(ws.dir)
      const baseSha = await commitAll(ws.dir, 'base')
      await change(ws.chart, ws.dir)
      const headSha = await commitAll(ws.dir, 'head')
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        eventName: 'pull_request',
        ref: `refs/pull/${number}/merge`,
        payload: prPayload(number, baseSha, headSha),
        inputs: { 'github-token': 'ghs_diff-test-token', 'chart-tests': 'false' },
        env: { GITHUB_API_URL: servers.api.url }
      })
      expect({
        exit: run.exitCode,
        error: failureMessage(run),
        tail: run.exitCode ? run.stdout.slice(-3000) + run.stderr.slice(-2000) : ''
      }).toEqual({ exit: 0, error: '', tail: '' })
      const comments = servers.api.commentsOn(number)
      expect(comments).toHaveLength(1)
      return { run, comment: comments[0].body, baseSha }
    }

    it('an upstream bump shows the added resource, the image change and the version change; noise is counted apart', async () => {
      const { run, comment, baseSha } = await pullRequest(201, async (chart) => {
        await edit(path.join(chart, 'Chart.yaml'), /version: 1\.2\.0\n(\s+repository)/, 'version: 1.3.0\n$1')
        const values = path.join(chart, 'values.yaml')
        await edit(values, /(catalystBlueprint:\n\s+upstream:\n\s+chart: temporal\n\s+version:) 1\.2\.0/, '$1 1.3.0')
        await edit(
          values,
          `tag: 1.28.1\n      digest: ${SERVER_DIGEST_OLD}`,
          `tag: 1.29.0\n      digest: ${SERVER_DIGEST_NEW}`
        )
      })
      const diff = run.report.diff
      expect(diff).toMatchObject({
        status: 'compared',
        base: { sha: baseSha },
        upstream: { name: 'temporal', before: '1.2.0', after: '1.3.0' }
      })
      const added = diff.comparison.resources.filter((r: { change: string }) => r.change === 'added')
      expect(added.map((r: { kind: string; group: string }) => `${r.group}/${r.kind}`)).toEqual([
        'policy/PodDisruptionBudget'
      ])
      expect(diff.comparison.images).toEqual([
        {
          repository: 'temporalio/server',
          before: [`temporalio/server:1.28.1@${SERVER_DIGEST_OLD}`],
          after: [`temporalio/server:1.29.0@${SERVER_DIGEST_NEW}`],
          pin: ['digest']
        }
      ])
      // The services only carry the upstream's version in their labels: aligned, counted, not listed.
      expect(diff.comparison.noise.resources).toBeGreaterThan(0)
      const listed = diff.comparison.resources.map((r: { kind: string; name: string }) => `${r.kind}/${r.name}`)
      expect(listed.some((name: string) => name.startsWith('Service/'))).toBe(false)
      const changed = diff.comparison.resources.filter((r: { change: string }) => r.change === 'changed')
      expect(changed.length).toBeGreaterThan(0)
      for (const r of changed) expect(r.diff).not.toMatch(/^[-+].*(helm\.sh\/chart|app\.kubernetes\.io\/version)/m)

      expect(comment).toContain('### What changes')
      expect(comment).toContain('**1 added**')
      expect(comment).toContain(`temporalio/server:1.29.0@${SERVER_DIGEST_NEW}`)
      expect(comment).toContain('Upstream `temporal`: `1.2.0` → `1.3.0`')
      expect(comment.length).toBeLessThan(65_536)
      const html = renderGfm(comment)
      expect(html).toMatch(/<td>added<\/td>\s*<td>PodDisruptionBudget \(policy\)<\/td>/)
      expect(html).toMatch(
        /<td><code>temporalio\/server<\/code><\/td>\s*<td><code>temporalio\/server:1\.28\.1@sha256:f95a[0-9a-f]{8}…<\/code><\/td>/
      )
      expect(html).toContain('<pre><code class="language-diff">')
      // The action's render namespace is not the reader's: no name, no diff line carries it (issue 26.7).
      expect(comment).not.toMatch(/smoke-bp-temporal\/|namespace: smoke-bp-temporal/)
      expect(comment).toMatch(
        /<details><summary>changed: Deployment \(apps\) bp-temporal-frontend \(\+1 −1\)<\/summary>\n\n```diff\n/
      )
      expect(html).toContain('+          image: temporalio/server:1.29.0@')
      expect(run.summary).toContain('### What changes')

      expect(run.outputs.diff).toMatch(/bp-temporal-rendered\.diff$/)
      expect(run.diff).toContain('+kind: PodDisruptionBudget')
      expect(run.diff).toContain(`-          image: temporalio/server:1.28.1@${SERVER_DIGEST_OLD}`)
    })

    it('a PR that only changes a comment in values.yaml reports no rendered change, in one line', async () => {
      const { run, comment } = await pullRequest(202, async (chart) => {
        await edit(path.join(chart, 'values.yaml'), '# bp-temporal values.', '# bp-temporal values (reworded comment).')
      })
      expect(run.report.diff.comparison.counts).toMatchObject({ added: 0, removed: 0, changed: 0 })
      expect(run.report.diff.comparison.counts.unchanged).toBeGreaterThan(3)
      const line = comment.split('\n').find((l) => l.includes('What changes'))
      expect(line).toMatch(
        /^\*\*What changes:\*\* no rendered change against the pull request base `[0-9a-f]{7}` \(\d+ resources compared\)\.$/
      )
      expect(comment).not.toContain('### What changes')
    })

    it('a changed Secret shows which keys changed, never a value (comment, summary, report, diff file)', async () => {
      const secretTemplate = [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: {{ .Release.Name }}-api',
        'type: Opaque',
        'data:',
        '  token: {{ .Values.catalystOverlay.apiToken | b64enc | quote }}',
        '  same: {{ "unchanged-value-3333" | b64enc | quote }}',
        '{{- with .Values.catalystOverlay.extraKey }}',
        '  extra: {{ . | b64enc | quote }}',
        '{{- end }}',
        'stringData:',
        '  plain: {{ .Values.catalystOverlay.plain | quote }}',
        ''
      ].join('\n')
      const OLD = 'old-token-value-1111'
      const NEW = 'new-token-value-2222'
      const EXTRA = 'extra-value-4444'
      const { run, comment } = await pullRequest(
        203,
        async (chart) => {
          const values = path.join(chart, 'values.yaml')
          await edit(values, `apiToken: ${OLD}`, `apiToken: ${NEW}\n  extraKey: ${EXTRA}`)
          await edit(values, 'plain: plain-old-5555', 'plain: plain-new-6666')
        },
        async (dir) => {
          const chart = path.join(dir, 'platform', 'temporal', 'chart')
          await writeFile(path.join(chart, 'templates', 'api-secret.yaml'), secretTemplate)
          await edit(
            path.join(chart, 'values.yaml'),
            'catalystOverlay:\n',
            `catalystOverlay:\n  apiToken: ${OLD}\n  plain: plain-old-5555\n`
          )
        }
      )
      const secret = run.report.diff.comparison.resources.find((r: { kind: string }) => r.kind === 'Secret')
      expect(secret).toMatchObject({
        change: 'changed',
        secretKeys: { added: ['extra'], removed: [], changed: ['token', 'stringData.plain'] }
      })
      expect(comment).toContain('keys added extra; changed token, stringData.plain (values hidden)')
      const everything = [comment, run.summary, JSON.stringify(run.report), run.diff ?? '', run.stdout].join('\n')
      for (const value of [OLD, NEW, EXTRA, 'unchanged-value-3333', 'plain-new-6666']) {
        expect(everything).not.toContain(value)
        expect(everything).not.toContain(Buffer.from(value).toString('base64'))
      }
      expect(run.diff).toContain('+  token: (hidden, changed)')
      expect(run.diff).toContain('-  token: (hidden)')
    })

    it('a base that does not render is a notice and one line, not a failure', async () => {
      const broken = (dir: string): string =>
        path.join(dir, 'platform', 'temporal', 'chart', 'templates', 'broken.yaml')
      const { run, comment, baseSha } = await pullRequest(
        205,
        async (_chart, dir) => execFileAsync('rm', [broken(dir)]).then(() => undefined),
        async (dir) => writeFile(broken(dir), '{{ fail "the base is broken on purpose" }}\n')
      )
      expect(run.report.status).toBe('passed')
      expect(run.report.diff).toMatchObject({ status: 'unavailable', base: { sha: baseSha } })
      expect(run.report.diff.message).toContain('the base is broken on purpose')
      expect(run.outputs.diff).toBe('')
      const notices = run.annotations
        .filter((a: { level: string }) => a.level === 'notice')
        .map((a: { message: string }) => a.message)
      expect(
        notices.some(
          (m: string) => m.includes('What changes: not compared') && m.includes('the base is broken on purpose')
        )
      ).toBe(true)
      const line = comment.split('\n').find((l) => l.startsWith('**What changes:**'))
      expect(line).toMatch(
        /^\*\*What changes:\*\* not compared with the pull request base `[0-9a-f]{7}`: the base render failed: .*the base is broken on purpose/
      )
    })

    it('a base without the blueprint shows every resource as added', async () => {
      const aside = (dir: string): string => path.join(path.dirname(dir), `${path.basename(dir)}-aside`)
      const { run, comment } = await pullRequest(
        204,
        // The head adds the blueprint back.
        async (_chart, dir) => execFileAsync('mv', [aside(dir), path.join(dir, 'platform')]).then(() => undefined),
        // The base commit has everything but the blueprint.
        async (dir) => {
          await execFileAsync('mv', [path.join(dir, 'platform'), aside(dir)])
          await writeFile(path.join(dir, 'README.md'), 'before the blueprint\n')
        }
      )
      const { comparison, baseMissing, message } = run.report.diff
      expect(baseMissing).toBe(true)
      expect(message).toContain('platform/temporal does not exist at the base')
      expect(comparison.counts).toEqual({ added: comparison.resources.length, removed: 0, changed: 0, unchanged: 0 })
      expect(comparison.resources.length).toBeGreaterThan(5)
      expect(comment).toContain(`**${comparison.resources.length} added**, **0 removed**, **0 changed**`)
      expect(run.diff).toContain('+kind: Deployment')
    })
  })
}
