// net/http.ts on loopback servers (no helm): one exchange, redirects, and the index.yaml fetch that uses them.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { followRedirects, httpExchange, RedirectError } from '../../src/net/http.js'
import { fetchIndex } from '../../src/chart/repository-index.js'

interface Seen {
  path: string
  authorization?: string
}

/** A loopback server answering by path; it records what it was sent. */
async function server(
  answer: (path: string, base: string) => { status: number; headers?: Record<string, string>; body?: string }
): Promise<{ base: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = []
  let base = ''
  const srv = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', authorization: req.headers.authorization })
    const a = answer(req.url ?? '', base)
    res.writeHead(a.status, a.headers)
    res.end(a.body ?? '')
  })
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`
  return { base, seen, close: () => new Promise<void>((resolve) => srv.close(() => resolve())) }
}

const INDEX = 'apiVersion: v1\nentries:\n  temporal:\n    - version: 1.2.0\n      urls: [temporal-1.2.0.tgz]\n'

describe('net/http', () => {
  let other: Awaited<ReturnType<typeof server>>
  let main: Awaited<ReturnType<typeof server>>
  beforeAll(async () => {
    other = await server((p) => (p === '/moved/index.yaml' ? { status: 200, body: INDEX } : { status: 404 }))
    main = await server((p, base) => {
      if (p === '/same/index.yaml') return { status: 302, headers: { location: `${base}/real/index.yaml` } }
      if (p === '/real/index.yaml') return { status: 200, body: INDEX }
      if (p === '/away/index.yaml') return { status: 301, headers: { location: `${other.base}/moved/index.yaml` } }
      if (p === '/loop/index.yaml') return { status: 307, headers: { location: '/loop/index.yaml' } }
      if (p === '/ftp/index.yaml') return { status: 302, headers: { location: 'ftp://127.0.0.1/index.yaml' } }
      if (p === '/big') return { status: 200, body: 'x'.repeat(5000) }
      return { status: 404 }
    })
  })
  afterAll(async () => {
    await Promise.all([main.close(), other.close()])
  })

  it('reads a whole body, and refuses one over the limit', async () => {
    const res = await httpExchange('GET', new URL(`${main.base}/big`), {}, 5000, 5000)
    expect(res.status).toBe(200)
    expect(res.body.length).toBe(5000)
    await expect(httpExchange('GET', new URL(`${main.base}/big`), {}, 5000, 4999)).rejects.toMatchObject({
      code: 'EBODYTOOLARGE'
    })
  })

  it('follows a redirect on the same origin and says so to the sender', async () => {
    const origins: boolean[] = []
    const res = await followRedirects(new URL(`${main.base}/same/index.yaml`), 5, (url, sameOrigin) => {
      origins.push(sameOrigin)
      return httpExchange('GET', url, {}, 5000, 1e6)
    })
    expect(res.status).toBe(200)
    expect(res.url.pathname).toBe('/real/index.yaml')
    expect(origins).toEqual([true, true])
  })

  it('stops a redirect loop and a redirect off HTTP, with the reason', async () => {
    const send = (url: URL): ReturnType<typeof httpExchange> => httpExchange('GET', url, {}, 5000, 1e6)
    await expect(followRedirects(new URL(`${main.base}/loop/index.yaml`), 3, send)).rejects.toMatchObject({
      reason: 'too-many'
    })
    const offHttp = followRedirects(new URL(`${main.base}/ftp/index.yaml`), 3, send)
    await expect(offHttp).rejects.toBeInstanceOf(RedirectError)
    await expect(offHttp).rejects.toMatchObject({ reason: 'not-http', location: 'ftp://127.0.0.1/index.yaml' })
  })

  it('fetchIndex sends the credentials on the origin and drops them when a redirect leaves it', async () => {
    const credentials = { username: 'u', password: 'p' }
    const before = main.seen.length
    const same = await fetchIndex(`${main.base}/same`, credentials)
    expect(same.text).toBe(INDEX)
    const away = await fetchIndex(`${main.base}/away`, credentials)
    expect(away.text).toBe(INDEX)
    const auth = `Basic ${Buffer.from('u:p').toString('base64')}`
    expect(main.seen.slice(before).map((s) => s.authorization)).toEqual([auth, auth, auth])
    expect(other.seen).toEqual([{ path: '/moved/index.yaml', authorization: undefined }])
  })

  it('fetchIndex names the URL of a redirect it does not follow, and of a refused connection, without retrying', async () => {
    await expect(fetchIndex(`${main.base}/loop`, undefined, { retries: 2, baseDelayMs: 1 })).rejects.toThrow(
      `chart repository ${main.base}/loop/index.yaml: redirect not followed (too-many)`
    )
    const closed = await server(() => ({ status: 200 }))
    await closed.close()
    const start = Date.now()
    await expect(fetchIndex(closed.base, undefined, { retries: 3, baseDelayMs: 2000 })).rejects.toThrow(
      new RegExp(`chart repository ${closed.base}/index.yaml is unreachable: .*ECONNREFUSED`)
    )
    expect(Date.now() - start).toBeLessThan(2000) // a refused connection is not retried
  })
})
