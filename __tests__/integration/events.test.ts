// How people meet the action: pull requests (a status check with one comment,
// updated in place) and release tags (publish exactly the tagged version).
// GitHub's REST API is a loopback stand-in that records what the action sent.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import {
  failureMessage,
  helmsUnderTest,
  makeWorkspace,
  prPayload,
  runBundledAction,
  type ActionRun
} from '../support/e2e.js'
import { registryTags as tags } from '../support/publishing.js'
import { useServers } from '../support/servers.js'
import { BOT_USER } from '../../testkit/github-api.mjs'

// Event handling does not depend on the helm major; the publish path is run on both elsewhere.
const helm = helmsUnderTest()[1]
const TOKEN = 'ghs_pr-token-123456'
/** The marker of comments written before the action had a name of its own (issue 26.11). */
const FORMER_MARKER = '<!-- bp-temporal-action:bp-temporal -->'

describe(`pull requests and tags (${helm.label})`, () => {
  const servers = useServers(helm, {
    api: {
      comments: [
        { id: 500, issue: 16, body: `${FORMER_MARKER}\n### ✅ bp-temporal 1.0.0 passed (an earlier version's)` },
        {
          id: 501,
          issue: 16,
          body: `${FORMER_MARKER}\nquoted by a person`,
          user: { login: 'alice', id: 7, type: 'User' }
        }
      ]
    }
  })
  let ws: Awaited<ReturnType<typeof makeWorkspace>>

  beforeAll(async () => {
    ws = await makeWorkspace()
  })
  afterAll(async () => {
    await ws?.remove()
  })

  function pr(number: number, inputs: Record<string, string> = {}, workspace = ws.dir): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace,
      repoUrl: servers.repo.url,
      eventName: 'pull_request',
      ref: `refs/pull/${number}/merge`,
      payload: prPayload(number),
      inputs: { registry: `${servers.registry.oci}/pr`, 'plain-http': 'true', 'github-token': TOKEN, ...inputs },
      env: { GITHUB_API_URL: servers.api.url }
    })
  }

  it('a PR run validates without pushing, creates one comment, and a second run with the same result leaves it as it is', async () => {
    const first = await pr(11)
    expect({ exit: first.exitCode, error: failureMessage(first) }).toEqual({ exit: 0, error: '' })
    expect(first.outputs.mode).toBe('validate')
    expect(first.outputs.pushed).toBe('false')
    expect(await tags(servers.registry.url, 'pr/bp-temporal')).toEqual([])
    const created = servers.api.requests.filter(
      (r: { method: string; path: string }) => r.method === 'POST' && r.path.endsWith('/issues/11/comments')
    )
    expect(created).toHaveLength(1)
    expect(String(created[0].headers.authorization)).toMatch(new RegExp(`^(token|Bearer) ${TOKEN}$`))
    const comments = servers.api.commentsOn(11)
    expect(comments).toHaveLength(1)
    const body: string = comments[0].body
    expect(body).toContain('<!-- blueprint-action:bp-temporal -->')
    expect(body).toMatch(/✅/)
    expect(body).toContain('1.2.0 pinned, 1.3.0 available')
    expect(body).toContain(`${servers.registry.oci}/pr/bp-temporal:1.0.0`)
    expect(body).not.toContain(TOKEN)

    const second = await pr(11)
    expect(second.exitCode).toBe(0)
    expect(servers.api.commentsOn(11)).toHaveLength(1)
    expect(servers.api.commentsOn(11)[0].id).toBe(comments[0].id)
    // The same result is the same body: nothing is sent the second time.
    const writes = servers.api.requests.filter((r: { method: string }) => r.method === 'POST' || r.method === 'PATCH')
    expect(writes.map((r: { method: string }) => r.method)).toEqual(['POST'])
  })

  it('finds the comment an earlier version wrote under its old marker, and updates it in place under the new one', async () => {
    const run = await pr(16)
    expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
    const writes = servers.api.requests.filter(
      (r: { method: string; path: string }) =>
        /^(POST|PATCH|DELETE)$/.test(r.method) && /\/issues\/(16|comments\/50[01])\b/.test(r.path)
    )
    expect(writes.map((r: { method: string; path: string }) => `${r.method} ${r.path}`)).toEqual([
      'PATCH /repos/openova-io/openova/issues/comments/500'
    ])
    const [ours, human] = servers.api.commentsOn(16)
    expect(ours.id).toBe(500)
    expect(ours.body.startsWith('<!-- blueprint-action:bp-temporal -->\n')).toBe(true)
    expect(human.body).toBe(`${FORMER_MARKER}\nquoted by a person`)
  })

  it('a failing gate puts file:line findings in the comment and the annotations, and fails the check', async () => {
    const broken = await makeWorkspace()
    try {
      await writeFile(
        path.join(broken.chart, 'templates', 'debug-pod.yaml'),
        [
          'apiVersion: v1',
          'kind: Pod',
          'metadata:',
          '  name: debug',
          'spec:',
          '  containers:',
          '    - name: shell',
          '      image: busybox:latest',
          ''
        ].join('\n')
      )
      const run = await pr(12, {}, broken.dir)
      expect(run.exitCode).not.toBe(0)
      expect(failureMessage(run)).toMatch(/Images/i)
      const annotation = run.annotations.find(
        (a: { file?: string }) => a.file === 'platform/temporal/chart/templates/debug-pod.yaml'
      )
      expect(annotation).toBeDefined()
      expect(annotation?.level).toBe('error')
      expect(Number(annotation?.line)).toBe(8)
      const body: string = servers.api.commentsOn(12)[0].body
      expect(body).toMatch(/❌/)
      expect(body).toContain('platform/temporal/chart/templates/debug-pod.yaml:8')
      expect(body).toContain('busybox:latest')
    } finally {
      await broken.remove()
    }
  })

  it("a fork's read-only token (403 on comment) warns, writes the job summary, and does not fail a passing check", async () => {
    servers.api.setFailWith(403)
    try {
      const run = await pr(13)
      expect(run.exitCode).toBe(0)
      expect(
        run.annotations.some(
          (a: { level: string; message: string }) => a.level === 'warning' && /read-only token/.test(a.message)
        )
      ).toBe(true)
      expect(run.summary).toContain('bp-temporal')
      expect(servers.api.commentsOn(13)).toHaveLength(0)
    } finally {
      servers.api.setFailWith(undefined)
    }
  })

  it('a 502 on the comment update is retried: the PR\'s old "failed" comment becomes "passed"', async () => {
    const marker = '<!-- bp-temporal-action:bp-temporal -->'
    const now = new Date().toISOString()
    servers.api.comments.push({
      id: 9_014,
      issue: 14,
      body: `${marker}\n### ❌ bp-temporal 1.0.0 failed`,
      user: BOT_USER,
      html_url: '',
      created_at: now,
      updated_at: now
    })
    let failures = 1
    const remove = servers.api.setResponder('PATCH', /\/issues\/comments\/9014$/, () =>
      failures-- > 0 ? { status: 502, body: { message: 'Bad Gateway' } } : undefined
    )
    try {
      const run = await pr(14)
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      const patches = servers.api.requests.filter(
        (r: { method: string; path: string }) => r.method === 'PATCH' && r.path.endsWith('/issues/comments/9014')
      )
      expect(patches).toHaveLength(2)
      const comments = servers.api.commentsOn(14)
      expect(comments).toHaveLength(1)
      expect(comments[0].body).toMatch(/### ✅ bp-temporal \S+ passed/)
      expect(run.annotations.filter((a: { message: string }) => /PR comment/.test(a.message))).toEqual([])
    } finally {
      remove()
    }
  })

  it("a spent API rate limit (403, x-ratelimit-remaining 0) is a warning that says so, not blamed on a fork's token", async () => {
    const reset = String(Math.ceil(Date.now() / 1000) + 3600)
    const remove = servers.api.setResponder('POST', /\/issues\/15\/comments$/, {
      status: 403,
      body: { message: 'API rate limit exceeded for installation ID 1.' },
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }
    })
    try {
      const run = await pr(15)
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      const warnings = run.annotations
        .filter((a: { level: string; message: string }) => a.level === 'warning' && /PR comment/.test(a.message))
        .map((a: { message: string }) => a.message)
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toMatch(
        /could not create the PR comment on #15 \(rate limited \(HTTP 403, x-ratelimit-remaining 0, resets in [^)]*\): API rate limit exceeded/
      )
      expect(warnings[0]).toContain('not a permission problem')
      expect(warnings[0]).not.toMatch(/fork|read-only/)
      expect(run.summary).toContain('bp-temporal')
    } finally {
      remove()
    }
  })

  function tagRun(tag: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace: ws.dir,
      repoUrl: servers.repo.url,
      eventName: 'push',
      ref: `refs/tags/${tag}`,
      payload: { ref: `refs/tags/${tag}` },
      inputs: { registry: `${servers.registry.oci}/tags`, 'plain-http': 'true', ...inputs }
    })
  }

  it('a release tag of this blueprint publishes exactly the tagged version', async () => {
    const run = await tagRun('platform/temporal/v1.0.0')
    expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
    expect(run.outputs.mode).toBe('publish')
    expect(run.outputs.pushed).toBe('true')
    expect(await tags(servers.registry.url, 'tags/bp-temporal')).toEqual(['1.0.0'])
  })

  it('a tag of another blueprint is skipped with a notice, not a failure', async () => {
    const run = await tagRun('platform/keycloak/v3.0.0')
    expect(run.exitCode).toBe(0)
    expect(run.outputs.mode).toBe('skip')
    expect(run.annotations.some((a: { level: string }) => a.level === 'notice')).toBe(true)
    expect(await tags(servers.registry.url, 'tags/bp-temporal')).toEqual(['1.0.0'])
  })

  it("a tag whose version differs from Chart.yaml fails naming both; version-from-tag packages the tag's version", async () => {
    const mismatch = await tagRun('platform/temporal/v1.0.7')
    expect(mismatch.exitCode).not.toBe(0)
    expect(failureMessage(mismatch)).toMatch(/1\.0\.7/)
    expect(failureMessage(mismatch)).toMatch(/1\.0\.0/)
    expect(await tags(servers.registry.url, 'tags/bp-temporal')).toEqual(['1.0.0'])

    // With version-from-tag the tag's version is published, and the catalog entry advertises it (blueprint.yaml).
    const blueprintYaml = path.join(ws.dir, 'platform/temporal/blueprint.yaml')
    const catalog = await readFile(blueprintYaml, 'utf8')
    await writeFile(blueprintYaml, catalog.replace(/^ {2}version: 1\.0\.0$/m, '  version: 1.0.7'))
    const fromTag = await tagRun('platform/temporal/v1.0.7', { 'version-from-tag': 'true' }).finally(() =>
      writeFile(blueprintYaml, catalog)
    )
    expect({ exit: fromTag.exitCode, error: failureMessage(fromTag) }).toEqual({ exit: 0, error: '' })
    expect(fromTag.outputs['chart-version']).toBe('1.0.7')
    expect((await tags(servers.registry.url, 'tags/bp-temporal')).sort()).toEqual(['1.0.0', '1.0.7'])
  })

  it('a release tag refuses an input version other than the tagged one; nothing is pushed', async () => {
    const run = await tagRun('platform/temporal/v1.0.0', { version: '1.0.9' })
    expect(run.exitCode).not.toBe(0)
    expect(failureMessage(run)).toContain(
      'input version 1.0.9 differs from tag platform/temporal/v1.0.0 (version 1.0.0)'
    )
    expect(run.outputs.pushed).toBe('false')
    expect(await tags(servers.registry.url, 'tags/bp-temporal')).not.toContain('1.0.9')
  })

  it('a PR whose Chart.yaml is not YAML still gets a comment saying what stopped the run, with file and line', async () => {
    const broken = await makeWorkspace()
    try {
      const chartYaml = path.join(broken.chart, 'Chart.yaml')
      await writeFile(chartYaml, (await readFile(chartYaml, 'utf8')).replace(/^version: .*$/m, 'version: [1.0.0'))
      const run = await pr(14, {}, broken.dir)
      expect(run.exitCode).not.toBe(0)
      expect(failureMessage(run)).toContain('platform/temporal/chart/Chart.yaml')
      const comments = servers.api.commentsOn(14)
      expect(comments).toHaveLength(1)
      // The marker comes from the name still legible in the broken file: fixing it updates this comment.
      expect(comments[0].body).toContain('<!-- blueprint-action:bp-temporal -->')
      expect(comments[0].body).toMatch(/❌/)
      expect(comments[0].body).toContain('platform/temporal/chart/Chart.yaml')
      expect(run.outputs.report).toBeTruthy()
    } finally {
      await broken.remove()
    }
  })
})
