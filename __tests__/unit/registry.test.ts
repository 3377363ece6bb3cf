import { afterAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  HELM_CHART_LAYER,
  RegistryClient,
  RegistryError,
  ociTag,
  parseOciReference,
  parseWwwAuthenticate
} from '../../src/oci/registry.js'
import { withRetry } from '../../src/util/deadline.js'
import { ActionError } from '../../src/types.js'

const DIGEST = `sha256:${'a'.repeat(64)}`
const USER = 'ci-bot'
const PASS = 's3cr3t-p@ss,word'
const TOKEN = 'tok-0123456789abcdef'

interface Seen {
  method: string
  path: string
  authorization?: string
  accept?: string
}

interface TestServer {
  port: number
  host: string
  requests: Seen[]
  close: () => Promise<void>
}

const servers: TestServer[] = []

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()))
})

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, srv: TestServer) => void

async function startServer(handler: Handler): Promise<TestServer> {
  const requests: Seen[] = []
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    requests.push({
      method: req.method ?? '',
      path: url.pathname + url.search,
      authorization: req.headers.authorization,
      accept: req.headers.accept
    })
    handler(req, res, url, srv)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  let closed = false
  const srv: TestServer = {
    port,
    host: `127.0.0.1:${port}`,
    requests,
    close: async () => {
      if (closed) return
      closed = true
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
  servers.push(srv)
  return srv
}

function basic(u: string, p: string): string {
  return 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64')
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers })
  res.end(text)
}

function found(res: http.ServerResponse, digest = DIGEST): void {
  res.writeHead(200, {
    'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
    'Docker-Content-Digest': digest,
    'Content-Length': '0'
  })
  res.end()
}

function client(srv: TestServer, extra: Partial<ConstructorParameters<typeof RegistryClient>[0]> = {}): RegistryClient {
  return new RegistryClient({ host: srv.host, plainHttp: true, retries: 3, baseDelayMs: 1, ...extra })
}

async function caught(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryError)
    expect(e).toBeInstanceOf(ActionError)
    return e as RegistryError
  }
  throw new Error('expected a rejection')
}

function bearerRegistry(
  opts: { tokenField?: 'token' | 'access_token'; requireCreds?: boolean; rejectToken?: boolean } = {}
): Handler {
  return (req, res, url, srv) => {
    if (url.pathname === '/token') {
      if (opts.requireCreds && req.headers.authorization !== basic(USER, PASS)) {
        json(res, 401, { details: 'bad credentials' })
        return
      }
      expect(url.searchParams.get('service')).toBe('test registry, v2')
      expect(url.searchParams.get('scope')).toBe('repository:charts/bp-temporal:pull')
      json(res, 200, { [opts.tokenField ?? 'token']: TOKEN, expires_in: 300 })
      return
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}` || opts.rejectToken) {
      res.writeHead(401, {
        'WWW-Authenticate': `Bearer realm="http://${srv.host}/token",service="test registry, v2",scope="repository:charts/bp-temporal:pull"`,
        'Content-Type': 'application/json'
      })
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }))
      return
    }
    if (url.pathname === '/v2/charts/bp-temporal/manifests/1.2.0') found(res)
    else json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] })
  }
}

describe('RegistryClient.manifest auth', () => {
  it('Bearer: challenge → token endpoint with Basic creds → retry with Bearer; token cached', async () => {
    const srv = await startServer(bearerRegistry({ requireCreds: true }))
    const c = client(srv, { credentials: { username: USER, password: PASS } })
    await expect(c.manifest('charts/bp-temporal', '1.2.0')).resolves.toEqual({
      exists: true,
      digest: DIGEST,
      mediaType: 'application/vnd.oci.image.manifest.v1+json'
    })
    expect(srv.requests.map((r) => `${r.method} ${r.path.split('?')[0]}`)).toEqual([
      'HEAD /v2/charts/bp-temporal/manifests/1.2.0',
      'GET /token',
      'HEAD /v2/charts/bp-temporal/manifests/1.2.0'
    ])
    expect(srv.requests[0].authorization).toBeUndefined()
    expect(srv.requests[1].authorization).toBe(basic(USER, PASS))
    expect(srv.requests[2].authorization).toBe(`Bearer ${TOKEN}`)
    for (const t of [
      'application/vnd.oci.image.manifest.v1+json',
      'application/vnd.oci.image.index.v1+json',
      'application/vnd.docker.distribution.manifest.v2+json',
      'application/vnd.docker.distribution.manifest.list.v2+json'
    ]) {
      expect(srv.requests[0].accept).toContain(t)
    }

    // Second lookup in the same scope: the cached token goes up front.
    await expect(c.manifest('charts/bp-temporal', '9.9.9')).resolves.toEqual({ exists: false })
    expect(srv.requests).toHaveLength(4)
    expect(srv.requests[3].authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('Bearer: anonymous token (no credentials) read from access_token', async () => {
    const srv = await startServer(bearerRegistry({ tokenField: 'access_token' }))
    await expect(client(srv).manifest('charts/bp-temporal', '1.2.0')).resolves.toMatchObject({
      exists: true,
      digest: DIGEST
    })
    expect(srv.requests[1].authorization).toBeUndefined()
  })

  it('Bearer: token endpoint refuses the credentials → auth error, not retried, no secrets', async () => {
    const srv = await startServer(bearerRegistry({ requireCreds: true }))
    const c = client(srv, { credentials: { username: USER, password: 'wrong-password' } })
    const e = await caught(c.manifest('charts/bp-temporal', '1.2.0'))
    expect(e.kind).toBe('auth')
    expect(e.status).toBe(401)
    expect(e.message).toContain(srv.host)
    expect(e.message).toMatch(/registry-username and registry-password/)
    expect(e.message).not.toContain('wrong-password')
    expect(srv.requests).toHaveLength(2)
  })

  it('Bearer: 401 again after authenticating → auth error naming the host, not retried', async () => {
    const srv = await startServer(bearerRegistry({ rejectToken: true }))
    const c = client(srv, { credentials: { username: USER, password: PASS }, retries: 4 })
    const e = await caught(c.manifest('charts/bp-temporal', '1.2.0'))
    expect(e.kind).toBe('auth')
    expect(e.status).toBe(401)
    expect(e.url).toBe(`http://${srv.host}/v2/charts/bp-temporal/manifests/1.2.0`)
    expect(e.message).toContain(`Registry ${srv.host}`)
    expect(e.message).toMatch(/registry-username and registry-password/)
    expect(e.message).not.toContain(PASS)
    expect(e.message).not.toContain(TOKEN)
    // anonymous HEAD, token, HEAD with Bearer: then stop.
    expect(srv.requests).toHaveLength(3)
  })

  it('Basic: challenge → retry with Basic credentials; later requests send them up front', async () => {
    const srv = await startServer((req, res, url) => {
      if (req.headers.authorization !== basic(USER, PASS)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Registry Realm, with comma"', 'Content-Length': '0' })
        res.end()
        return
      }
      if (url.pathname.endsWith('/1.2.0')) found(res)
      else {
        res.writeHead(404, { 'Content-Length': '0' })
        res.end()
      }
    })
    const c = client(srv, { credentials: { username: USER, password: PASS } })
    await expect(c.manifest('charts/bp-temporal', '1.2.0')).resolves.toMatchObject({ exists: true, digest: DIGEST })
    expect(srv.requests.map((r) => r.authorization)).toEqual([undefined, basic(USER, PASS)])
    await expect(c.manifest('charts/bp-temporal', '2.0.0')).resolves.toEqual({ exists: false })
    expect(srv.requests.map((r) => r.authorization)).toEqual([undefined, basic(USER, PASS), basic(USER, PASS)])

    // Wrong password: auth error after one Basic try.
    const bad = await caught(
      client(srv, { credentials: { username: USER, password: 'nope-nope' } }).manifest('charts/bp-temporal', '1.2.0')
    )
    expect(bad.kind).toBe('auth')
    expect(bad.message).not.toContain('nope-nope')
    expect(srv.requests).toHaveLength(5)

    // No credentials at all: the error says they are needed.
    const none = await caught(client(srv).manifest('charts/bp-temporal', '1.2.0'))
    expect(none.kind).toBe('auth')
    expect(none.message).toMatch(/requires credentials/)
    expect(none.message).toMatch(/registry-username and registry-password/)
  })

  it('403 → auth error; 400 → protocol error; neither retried', async () => {
    let status = 403
    const srv = await startServer((_req, res) =>
      json(res, status, { errors: [{ code: 'DENIED', message: 'no access' }] })
    )
    const e = await caught(client(srv).manifest('charts/x', '1.0.0'))
    expect(e.kind).toBe('auth')
    expect(e.status).toBe(403)
    // A HEAD answer has no body; a GET's registry error is quoted.
    const g = await caught(client(srv).listTags('charts/x'))
    expect(g.kind).toBe('auth')
    expect(g.message).toContain('DENIED: no access')
    status = 400
    const p = await caught(client(srv).manifest('charts/x', '1.0.0'))
    expect(p.kind).toBe('protocol')
    expect(p.status).toBe(400)
    expect(srv.requests).toHaveLength(3)
  })

  it('never sends credentials over plain HTTP to a host that is not loopback', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="http://registry.example.invalid/token",service="x"' })
      res.end()
    })
    const e = await caught(
      client(srv, { credentials: { username: USER, password: PASS } }).manifest('charts/x', '1.0.0')
    )
    expect(e.kind).toBe('auth')
    expect(e.message).toMatch(/Refusing to send registry credentials over plain HTTP to registry\.example\.invalid/)
    expect(srv.requests).toHaveLength(1)
  })

  it('rejects a realm that is not http(s) and a token answer without a token', async () => {
    let realm = 'ftp://127.0.0.1/token'
    const srv = await startServer((req, res, url, s) => {
      if (url.pathname === '/token') {
        json(res, 200, { nothing: true })
        return
      }
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="${realm.replace('HOST', s.host)}"` })
      res.end()
    })
    const e1 = await caught(client(srv).manifest('charts/x', '1.0.0'))
    expect(e1.kind).toBe('protocol')
    expect(e1.message).toMatch(/not http\(s\)/)
    realm = 'http://HOST/token'
    const e2 = await caught(client(srv).manifest('charts/x', '1.0.0'))
    expect(e2.kind).toBe('protocol')
    expect(e2.message).toMatch(/returned no token/)
  })
})

describe('RegistryClient.manifest results and retries', () => {
  it('404 → absent (never an error)', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(404, { 'Content-Length': '0' })
      res.end()
    })
    await expect(client(srv).manifest('charts/bp-temporal', '1.2.0')).resolves.toEqual({ exists: false })
    expect(srv.requests).toEqual([
      expect.objectContaining({ method: 'HEAD', path: '/v2/charts/bp-temporal/manifests/1.2.0' })
    ])
  })

  it('503 twice then 200 → found after two retries', async () => {
    let n = 0
    const srv = await startServer((_req, res) => {
      if (++n <= 2) {
        res.writeHead(503, { 'Content-Length': '0' })
        res.end()
      } else found(res)
    })
    await expect(client(srv).manifest('charts/bp-temporal', '1.2.0')).resolves.toMatchObject({
      exists: true,
      digest: DIGEST
    })
    expect(srv.requests).toHaveLength(3)
  })

  it('connection reset then 200 → found', async () => {
    let n = 0
    const srv = await startServer((req, res) => {
      if (++n === 1) {
        req.socket.destroy()
        return
      }
      found(res)
    })
    await expect(client(srv).manifest('charts/bp-temporal', '1.2.0')).resolves.toMatchObject({ exists: true })
    expect(srv.requests).toHaveLength(2)
  })

  it('retries exhausted → unavailable error naming the URL and the last status', async () => {
    const srv = await startServer((_req, res) => {
      res.writeHead(503, { 'Content-Length': '0' })
      res.end()
    })
    const e = await caught(client(srv, { retries: 2 }).manifest('charts/bp-temporal', '1.2.0'))
    expect(e.kind).toBe('unavailable')
    expect(e.status).toBe(503)
    expect(e.message).toContain(`http://${srv.host}/v2/charts/bp-temporal/manifests/1.2.0`)
    expect(e.message).toContain('HTTP 503')
    expect(e.message).toContain('after 3 attempts')
    expect(srv.requests).toHaveLength(3)
  })

  it('429 is retried too', async () => {
    let n = 0
    const srv = await startServer((_req, res) => {
      if (++n === 1) json(res, 429, { errors: [{ code: 'TOOMANYREQUESTS', message: 'slow down' }] })
      else found(res)
    })
    await expect(client(srv).manifest('charts/x', '1.0.0')).resolves.toMatchObject({ exists: true })
    expect(srv.requests).toHaveLength(2)
  })

  it('connection refused → unavailable after retries', async () => {
    const srv = await startServer(() => undefined)
    await srv.close()
    const e = await caught(client(srv, { retries: 1 }).manifest('charts/x', '1.0.0'))
    expect(e.kind).toBe('unavailable')
    expect(e.message).toContain('ECONNREFUSED')
    expect(e.message).toContain('after 2 attempts')
    expect(e.message).toContain(`http://${srv.host}/v2/charts/x/manifests/1.0.0`)
  })

  it('a request that never answers times out → unavailable', async () => {
    const srv = await startServer(() => undefined) // never responds
    const e = await caught(client(srv, { retries: 1, timeoutMs: 150 }).manifest('charts/x', '1.0.0'))
    expect(e.kind).toBe('unavailable')
    expect(e.message).toMatch(/timeout/)
    expect(srv.requests).toHaveLength(2)
  })

  it('digest from a GET of the manifest when HEAD has no Docker-Content-Digest', async () => {
    const body = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      layers: []
    })
    const srv = await startServer((req, res) => {
      res.writeHead(200, {
        'Content-Type': 'application/vnd.oci.image.manifest.v1+json',
        'Content-Length': Buffer.byteLength(body)
      })
      res.end(req.method === 'HEAD' ? undefined : body)
    })
    await expect(client(srv).manifest('charts/bp-temporal', '1.2.0')).resolves.toEqual({
      exists: true,
      digest: `sha256:${createHash('sha256').update(body).digest('hex')}`,
      mediaType: 'application/vnd.oci.image.manifest.v1+json'
    })
    expect(srv.requests.map((r) => r.method)).toEqual(['HEAD', 'GET'])
  })

  it('rejects invalid repository names and references before any request', async () => {
    const srv = await startServer((_req, res) => found(res))
    await expect(client(srv).manifest('Charts/X', '1.0.0')).rejects.toThrow(ActionError)
    await expect(client(srv).manifest('charts/x', 'bad tag')).rejects.toThrow(/Invalid manifest reference/)
    await expect(client(srv).manifest('charts/x', `sha256:${'b'.repeat(64)}`)).resolves.toMatchObject({ exists: true })
    expect(srv.requests).toHaveLength(1)
  })
})

describe('RegistryClient.listTags', () => {
  it('follows Link pagination', async () => {
    const srv = await startServer((_req, res, url) => {
      const last = url.searchParams.get('last')
      if (!last)
        json(
          res,
          200,
          { name: 'charts/bp', tags: ['1.0.0', '1.1.0'] },
          { Link: '</v2/charts/bp/tags/list?n=2&last=1.1.0>; rel="next"' }
        )
      else if (last === '1.1.0')
        json(
          res,
          200,
          { name: 'charts/bp', tags: ['1.2.0', '2.0.0_build.1'] },
          { Link: `<http://${srv.host}/v2/charts/bp/tags/list?n=2&last=2.0.0_build.1>; rel="next"` }
        )
      else json(res, 200, { name: 'charts/bp', tags: ['3.0.0'] })
    })
    await expect(client(srv).listTags('charts/bp')).resolves.toEqual([
      '1.0.0',
      '1.1.0',
      '1.2.0',
      '2.0.0_build.1',
      '3.0.0'
    ])
    expect(srv.requests.map((r) => r.path)).toEqual([
      '/v2/charts/bp/tags/list',
      '/v2/charts/bp/tags/list?n=2&last=1.1.0',
      '/v2/charts/bp/tags/list?n=2&last=2.0.0_build.1'
    ])
  })

  it('404 NAME_UNKNOWN → []; a bare 404 is a protocol error; null tags → []', async () => {
    let mode = 'unknown'
    const srv = await startServer((_req, res) => {
      if (mode === 'unknown')
        json(res, 404, { errors: [{ code: 'NAME_UNKNOWN', message: 'repository name not known to registry' }] })
      else if (mode === 'bare') {
        res.writeHead(404, { 'Content-Length': '0' })
        res.end()
      } else json(res, 200, { name: 'charts/bp', tags: null })
    })
    await expect(client(srv).listTags('charts/bp')).resolves.toEqual([])
    mode = 'bare'
    const e = await caught(client(srv).listTags('charts/bp'))
    expect(e.kind).toBe('protocol')
    expect(e.status).toBe(404)
    mode = 'null'
    await expect(client(srv).listTags('charts/bp')).resolves.toEqual([])
  })

  it('does not follow a pagination link to another origin', async () => {
    const srv = await startServer((_req, res) =>
      json(
        res,
        200,
        { tags: ['a'] },
        { Link: '<http://other.example.invalid/v2/charts/bp/tags/list?last=a>; rel="next"' }
      )
    )
    const e = await caught(client(srv).listTags('charts/bp'))
    expect(e.kind).toBe('protocol')
    expect(e.message).toMatch(/another origin/)
  })
})

describe('parseOciReference', () => {
  it.each([
    ['oci://ghcr.io/openova-io/charts', 'ghcr.io', 'openova-io/charts'],
    ['oci://ghcr.io/openova-io/charts/', 'ghcr.io', 'openova-io/charts'],
    ['oci://127.0.0.1:5000/charts', '127.0.0.1:5000', 'charts'],
    ['oci://localhost:5000', 'localhost:5000', ''],
    ['oci://GHCR.io/openova-io', 'ghcr.io', 'openova-io'],
    ['OCI://ghcr.io/a/b.c/d_e/f__g/h-i', 'ghcr.io', 'a/b.c/d_e/f__g/h-i'],
    ['oci://[::1]:5000/charts', '[::1]:5000', 'charts']
  ])('%s → %s %s', (url, host, repository) => {
    expect(parseOciReference(url)).toEqual({ host, repository })
  })

  it.each([
    ['ghcr.io/openova-io/charts', /no oci:\/\/ scheme/],
    ['https://ghcr.io/openova-io/charts', /scheme is "https:\/\/"/],
    ['oci:///charts', /host is empty/],
    ['oci://', /host is empty/],
    ['oci://ghcr.io/OpenOva-io/charts', /uppercase/],
    ['oci://ghcr.io/a//b', /empty segment/],
    ['oci://ghcr.io/charts/bp:1.0.0', /tag or digest/],
    ['oci://user:pw@ghcr.io/charts', /credentials/],
    ['oci://ghcr.io:99999/charts', /out of range/],
    ['oci://ghcr.io/charts?x=1', /query/],
    ['oci://ghcr.io/-charts', /not a valid repository name/],
    ['oci://bad_host!/charts', /not a valid host/]
  ])('rejects %s', (url, why) => {
    expect(() => parseOciReference(url)).toThrow(ActionError)
    expect(() => parseOciReference(url)).toThrow(why)
  })
})

describe('ociTag', () => {
  it('maps + to _', () => {
    expect(ociTag('1.2.3')).toBe('1.2.3')
    expect(ociTag('1.2.3+build.7')).toBe('1.2.3_build.7')
    expect(ociTag('1.2.3-rc.1+a+b')).toBe('1.2.3-rc.1_a_b')
  })
  it('rejects what cannot be a tag', () => {
    expect(() => ociTag('')).toThrow(ActionError)
    expect(() => ociTag('1.0 beta')).toThrow(ActionError)
  })
})

describe('parseWwwAuthenticate', () => {
  it('parses quoted values with commas, escapes and several challenges', () => {
    expect(
      parseWwwAuthenticate(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push", Basic realm="x \\"y\\""'
      )
    ).toEqual([
      {
        scheme: 'bearer',
        params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull,push' }
      },
      { scheme: 'basic', params: { realm: 'x "y"' } }
    ])
    expect(parseWwwAuthenticate(['Basic realm=simple', 'Bearer realm = "r" , error="invalid_token"'])).toEqual([
      { scheme: 'basic', params: { realm: 'simple' } },
      { scheme: 'bearer', params: { realm: 'r', error: 'invalid_token' } }
    ])
    expect(parseWwwAuthenticate(undefined)).toEqual([])
  })
})

describe('withRetry', () => {
  it('retries retryable errors with bounded, growing delays', async () => {
    const delays: number[] = []
    let calls = 0
    const p = withRetry(
      async () => {
        calls++
        throw new Error('boom')
      },
      { retries: 3, baseDelayMs: 4, isRetryable: () => true, onRetry: (_a, _e, d) => delays.push(d) }
    )
    await expect(p).rejects.toThrow('boom')
    expect(calls).toBe(4)
    expect(delays).toHaveLength(3)
    delays.forEach((d, i) => {
      expect(d).toBeGreaterThanOrEqual((4 * 2 ** i) / 2)
      expect(d).toBeLessThanOrEqual(4 * 2 ** i)
    })
  })

  it('does not retry what is not retryable, and returns the first success', async () => {
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw new Error('fatal')
        },
        { retries: 5, baseDelayMs: 1, isRetryable: () => false }
      )
    ).rejects.toThrow('fatal')
    expect(calls).toBe(1)
    let n = 0
    await expect(
      withRetry(async () => (++n < 3 ? Promise.reject(new Error('x')) : n), {
        retries: 5,
        baseDelayMs: 1,
        isRetryable: () => true
      })
    ).resolves.toBe(3)
  })
})

describe('RegistryClient.pullChart', () => {
  const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`
  async function serve(layer: Buffer, served: Buffer) {
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        layers: [{ mediaType: HELM_CHART_LAYER, digest: sha(layer), size: layer.length }]
      })
    )
    const srv = await startServer((req, res, url) => {
      if (url.pathname.endsWith(`/manifests/${sha(manifest)}`)) {
        res.writeHead(200, { 'content-type': 'application/vnd.oci.image.manifest.v1+json' })
        res.end(manifest)
      } else if (url.pathname.endsWith(`/blobs/${sha(layer)}`)) {
        res.writeHead(200)
        res.end(served)
      } else {
        res.writeHead(404)
        res.end()
      }
    })
    return { srv, manifestDigest: sha(manifest), layerDigest: sha(layer) }
  }

  it('returns the manifest and the chart layer with the digests of what was served', async () => {
    const layer = Buffer.from('chart archive bytes')
    const { srv, manifestDigest, layerDigest } = await serve(layer, layer)
    const pulled = await new RegistryClient({ host: srv.host, plainHttp: true, retries: 0 }).pullChart(
      'charts/bp-x',
      manifestDigest
    )
    expect(pulled).toEqual({ manifestDigest, layerDigest, archiveDigest: layerDigest, archive: layer })
  })

  it('asks for the expected layer beside the manifest, once, and uses it only when the manifest names it', async () => {
    const layer = Buffer.from('chart archive bytes')
    const manifest = Buffer.from(
      JSON.stringify({ schemaVersion: 2, layers: [{ mediaType: HELM_CHART_LAYER, digest: sha(layer), size: 19 }] })
    )
    const asked: string[] = []
    const srv = await startServer((req, res, url) => {
      asked.push(url.pathname.replace(/^.*\/(manifests|blobs)\//, '$1/'))
      if (url.pathname.endsWith(`/manifests/${sha(manifest)}`)) res.writeHead(200).end(manifest)
      else if (url.pathname.endsWith(`/blobs/${sha(layer)}`)) res.writeHead(200).end(layer)
      else res.writeHead(404).end()
    })
    try {
      const client = new RegistryClient({ host: srv.host, plainHttp: true, retries: 0 })
      const expected = {
        manifestDigest: sha(manifest),
        layerDigest: sha(layer),
        archiveDigest: sha(layer),
        archive: layer
      }
      expect(await client.pullChart('charts/bp-x', sha(manifest), sha(layer))).toEqual(expected)
      expect(asked.sort()).toEqual([`blobs/${sha(layer)}`, `manifests/${sha(manifest)}`])
      // Another layer expected than the manifest names: the manifest's is pulled, the other answer (404) ignored.
      asked.length = 0
      const other = sha(Buffer.from('another archive'))
      expect(await client.pullChart('charts/bp-x', sha(manifest), other)).toEqual(expected)
      expect(asked.sort()).toEqual([`blobs/${sha(layer)}`, `blobs/${other}`, `manifests/${sha(manifest)}`].sort())
    } finally {
      await srv.close()
    }
  })

  it('reports a layer whose bytes do not match its digest', async () => {
    const { srv, manifestDigest, layerDigest } = await serve(
      Buffer.from('what was pushed'),
      Buffer.from('something else')
    )
    const pulled = await new RegistryClient({ host: srv.host, plainHttp: true, retries: 0 }).pullChart(
      'charts/bp-x',
      manifestDigest
    )
    expect(pulled.layerDigest).toBe(layerDigest)
    expect(pulled.archiveDigest).not.toBe(layerDigest)
  })
})
