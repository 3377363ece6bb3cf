// Exercises the test kit itself against the real parts: helm binaries, the
// Debian docker-registry, the fault proxy and the GitHub API stand-in.

import { describe, expect, it, beforeAll, afterAll } from '@jest/globals'
import * as net from 'node:net'
import { existsSync } from 'node:fs'
import { getOctokit } from '@actions/github'
import { helmBinaries, helmVersionOf } from '../../testkit/helm-binaries.mjs'
import { startRegistry, startFaultProxy } from '../../testkit/registry.mjs'
import { startGitHubApi } from '../../testkit/github-api.mjs'

type Registry = Awaited<ReturnType<typeof startRegistry>>

function basic(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64')
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer()
    srv.once('error', () => resolve(false))
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)))
  })
}

describe('helm binaries', () => {
  it('extracts Helm 3.17.2 and Helm 4.1.4 (and reuses the cache)', async () => {
    const bins = await helmBinaries()
    expect(await helmVersionOf(bins.v3)).toBe('v3.17.2')
    expect(await helmVersionOf(bins.v4)).toBe('v4.1.4')
    // globalSetup exported the same paths to the workers
    expect(process.env.BP_TEST_HELM3).toBe(bins.v3)
    expect(process.env.BP_TEST_HELM4).toBe(bins.v4)
    const again = await helmBinaries()
    expect(again).toEqual(bins)
  })
})

describe('registry', () => {
  it('starts an open registry, answers GET /v2/ with 200, stops and frees the port', async () => {
    const reg = await startRegistry()
    let stopped = false
    try {
      expect(reg.host).toMatch(/^127\.0\.0\.1:\d+$/)
      expect(reg.url).toBe(`http://${reg.host}`)
      expect(reg.oci).toBe(`oci://${reg.host}`)
      const res = await fetch(`${reg.url}/v2/`)
      expect(res.status).toBe(200)
      expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
      await reg.stop()
      stopped = true
      expect(await portIsFree(reg.port)).toBe(true)
      expect(existsSync(reg.dir)).toBe(false)
    } finally {
      if (!stopped) await reg.stop()
    }
  })

  describe('with htpasswd auth', () => {
    let reg: Registry
    beforeAll(async () => {
      reg = await startRegistry({ auth: { username: 'ci-user', password: 's3cr3t!' } })
    })
    afterAll(async () => {
      await reg?.stop()
    })

    it('answers 401 with a Basic challenge without credentials', async () => {
      const res = await fetch(`${reg.url}/v2/`)
      expect(res.status).toBe(401)
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/)
    })

    it('answers 200 to the right user and 401 to a wrong password or user', async () => {
      expect((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('ci-user', 's3cr3t!') } })).status).toBe(
        200
      )
      expect((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('ci-user', 'nope') } })).status).toBe(401)
      expect((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('other', 's3cr3t!') } })).status).toBe(
        401
      )
    })
  })

  it.each(['$2a$', '$2y$'] as const)('accepts htpasswd bcrypt hashes with the %s prefix', async (prefix) => {
    const reg = await startRegistry({ auth: { username: 'u', password: 'p' }, bcryptPrefix: prefix })
    try {
      expect((await fetch(`${reg.url}/v2/`, { headers: { authorization: basic('u', 'p') } })).status).toBe(200)
    } finally {
      await reg.stop()
    }
  })
})

describe('fault proxy', () => {
  let reg: Registry
  beforeAll(async () => {
    reg = await startRegistry()
  })
  afterAll(async () => {
    await reg?.stop()
  })

  it('answers 503 twice, then forwards', async () => {
    const proxy = await startFaultProxy({
      target: reg.url,
      plan: [{ method: 'GET', pathPattern: /^\/v2\/$/, times: 2, status: 503, body: 'try later' }]
    })
    try {
      const r1 = await fetch(`${proxy.url}/v2/`)
      expect(r1.status).toBe(503)
      expect(await r1.text()).toBe('try later')
      expect((await fetch(`${proxy.url}/v2/`)).status).toBe(503)
      const r3 = await fetch(`${proxy.url}/v2/`)
      expect(r3.status).toBe(200)
      expect(r3.headers.get('docker-distribution-api-version')).toBe('registry/2.0')
      expect(proxy.requests.map((r) => r.status)).toEqual([503, 503, 200])
    } finally {
      await proxy.stop()
    }
  })

  it('streams an upload through, rewrites Location, and injects 401/reset faults', async () => {
    const proxy = await startFaultProxy({
      target: reg,
      plan: [
        { method: 'POST|PUT|PATCH', pathPattern: /\/v2\/.*\/blobs\/uploads/, times: 1, status: 503 },
        {
          method: 'HEAD',
          pathPattern: /\/manifests\//,
          times: 1,
          status: 401,
          headers: { 'www-authenticate': 'Bearer realm="http://127.0.0.1:1/token",service="test"' }
        },
        { method: 'GET', pathPattern: /\/tags\/list/, times: 1, reset: true }
      ]
    })
    try {
      const { createHash } = await import('node:crypto')
      const blob = Buffer.from('hello testkit')
      const digest = 'sha256:' + createHash('sha256').update(blob).digest('hex')

      expect((await fetch(`${proxy.url}/v2/kit/blobs/uploads/`, { method: 'POST' })).status).toBe(503)
      const start = await fetch(`${proxy.url}/v2/kit/blobs/uploads/`, { method: 'POST' })
      expect(start.status).toBe(202)
      const location = start.headers.get('location') ?? ''
      expect(location.startsWith(`${proxy.url}/v2/kit/blobs/uploads/`)).toBe(true)

      const put = await fetch(`${location}${location.includes('?') ? '&' : '?'}digest=${digest}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: blob
      })
      expect(put.status).toBe(201)
      expect(put.headers.get('location')).toBe(`${proxy.url}/v2/kit/blobs/${digest}`)
      const got = await fetch(`${proxy.url}/v2/kit/blobs/${digest}`)
      expect(Buffer.from(await got.arrayBuffer())).toEqual(blob)

      const head = await fetch(`${proxy.url}/v2/kit/manifests/1.0.0`, { method: 'HEAD' })
      expect(head.status).toBe(401)
      expect(head.headers.get('www-authenticate')).toMatch(/^Bearer realm=/)
      expect((await fetch(`${proxy.url}/v2/kit/manifests/1.0.0`, { method: 'HEAD' })).status).toBe(404)

      await expect(fetch(`${proxy.url}/v2/kit/tags/list`)).rejects.toThrow()
      // forwarded this time: the registry has a blob but no tags for `kit` yet
      expect((await fetch(`${proxy.url}/v2/kit/tags/list`)).status).toBe(404)

      expect(proxy.requests.filter((r) => r.fault).map((r) => `${r.method} ${r.status}`)).toEqual([
        'POST 503',
        'HEAD 401',
        'GET 0'
      ])
    } finally {
      await proxy.stop()
    }
  })
})

describe('GitHub API stand-in', () => {
  it('records a created comment and lists it back through @actions/github', async () => {
    const api = await startGitHubApi({ comments: [{ id: 7, body: 'older comment', issue: 12 }] })
    try {
      const octokit = getOctokit('test-token-123', { baseUrl: api.url })
      const created = await octokit.rest.issues.createComment({
        owner: 'o',
        repo: 'r',
        issue_number: 12,
        body: 'hello'
      })
      expect(created.status).toBe(201)
      expect(created.data.body).toBe('hello')
      expect(created.data.user?.login).toBe('github-actions[bot]')

      const listed = await octokit.rest.issues.listComments({ owner: 'o', repo: 'r', issue_number: 12 })
      expect(listed.data.map((c) => c.body)).toEqual(['older comment', 'hello'])

      const post = api.requests.find((r) => r.method === 'POST')
      expect(post?.path).toBe('/repos/o/r/issues/12/comments')
      expect(post?.body).toEqual({ body: 'hello' })
      expect(post?.headers.authorization).toMatch(/^(token|Bearer) test-token-123$/)
      expect(api.comments.map((c) => c.body)).toEqual(['older comment', 'hello'])

      await octokit.rest.issues.updateComment({ owner: 'o', repo: 'r', comment_id: created.data.id, body: 'edited' })
      expect(api.comments.find((c) => c.id === created.data.id)?.body).toBe('edited')
      const del = await octokit.rest.issues.deleteComment({ owner: 'o', repo: 'r', comment_id: 7 })
      expect(del.status).toBe(204)
      expect(api.comments.map((c) => c.id)).toEqual([created.data.id])
    } finally {
      await api.stop()
    }
  })

  it('paginates with per_page/page and a Link header that octokit follows', async () => {
    const comments = Array.from({ length: 7 }, (_, i) => ({ body: `c${i}`, issue: 3 }))
    const api = await startGitHubApi({ comments })
    try {
      const octokit = getOctokit('t', { baseUrl: api.url })
      const all = await octokit.paginate(octokit.rest.issues.listComments, {
        owner: 'o',
        repo: 'r',
        issue_number: 3,
        per_page: 3
      })
      expect(all.map((c) => c.body)).toEqual(comments.map((c) => c.body))
      const gets = api.requests.filter((r) => r.method === 'GET')
      expect(gets.map((r) => r.query.page ?? '1')).toEqual(['1', '2', '3'])
    } finally {
      await api.stop()
    }
  })

  it('answers 403 to comment writes with a fork-PR token, 404 to unknown routes, and honours setResponder', async () => {
    const api = await startGitHubApi({ failWith: 403 })
    try {
      const octokit = getOctokit('t', { baseUrl: api.url })
      await expect(
        octokit.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'x' })
      ).rejects.toMatchObject({
        status: 403,
        message: expect.stringContaining('Resource not accessible by integration')
      })
      expect(api.comments).toHaveLength(0)

      await expect(
        octokit.request('GET /repos/{owner}/{repo}/nothing', { owner: 'o', repo: 'r' })
      ).rejects.toMatchObject({
        status: 404
      })

      api.setResponder('GET', /^\/repos\/o\/r\/pulls\/5\/files$/, {
        status: 200,
        body: [{ filename: 'chart/values.yaml' }]
      })
      const files = await octokit.rest.pulls.listFiles({ owner: 'o', repo: 'r', pull_number: 5 })
      expect(files.data.map((f) => f.filename)).toEqual(['chart/values.yaml'])

      api.setFailWith(undefined)
      const ok = await octokit.rest.issues.createComment({ owner: 'o', repo: 'r', issue_number: 1, body: 'x' })
      expect(ok.status).toBe(201)
    } finally {
      await api.stop()
    }
  })
})
