// HTTP for every client of the action (the OCI registry, chart repositories' index.yaml): one exchange
// through node:http(s), network errors in words, and redirects followed with the Authorization header
// dropped when the origin changes. node:http and not the global fetch: fetch's first use loads and compiles
// undici's HTTP parser (~60-90 ms of CPU, measured), on the path to the dependency build. node:https (and with it
// node:tls) is loaded on the first https request, not with the pipeline: a run against plain-HTTP servers never
// needs it. Imports nothing from src/ but util/on-first-use.ts.
import * as http from 'node:http'
import type * as Https from 'node:https'
import { onFirstUse } from '../util/on-first-use.js'

const https = onFirstUse<typeof Https>('node:https')

/** An `Authorization` header value for HTTP Basic auth. */
export function basicAuth(credentials: { username: string; password: string }): string {
  return 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')
}

export interface HttpResponse {
  status: number
  headers: http.IncomingHttpHeaders
  wwwAuthenticate: string[]
  body: Buffer
  url: URL
}

/** Connection failures the registry client retries. */
const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'ESOCKETTIMEDOUT',
  'UND_ERR_SOCKET'
])

/** A network failure in words (a timeout named as one), and whether another attempt may get past it. */
export function describeNetworkError(e: unknown, timeoutMs: number): { text: string; retryable: boolean } {
  const err = e as NodeJS.ErrnoException & { cause?: { name?: string } }
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || err?.cause?.name === 'TimeoutError') {
    return { text: `no answer within ${Math.round(timeoutMs / 1000)} s (timeout)`, retryable: true }
  }
  const code = err?.code
  const msg = err?.message ?? String(e)
  const retryable = (code !== undefined && RETRYABLE_CODES.has(code)) || /socket hang up/i.test(msg)
  return { text: code && !msg.includes(code) ? `${code}: ${msg}` : msg, retryable }
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT'

/** A request body and its media type (blob and manifest uploads). */
export interface HttpUpload {
  body: Buffer
  contentType: string
}

/**
 * One HTTP exchange (no redirects followed) with node:http(s): the whole body read up to `maxBody` bytes
 * (larger: an error with code EBODYTOOLARGE), connection to last byte within `timeoutMs`.
 */
export function httpExchange(
  method: HttpMethod,
  url: URL,
  headers: Record<string, string>,
  timeoutMs: number,
  maxBody: number,
  upload?: HttpUpload
): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const mod = url.protocol === 'https:' ? https() : http
    let settled = false
    const fail = (e: unknown): void => {
      if (!settled) {
        settled = true
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what the socket raised
        reject(e)
      }
    }
    const req = mod.request(url, { method, headers, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (c: Buffer) => {
        size += c.length
        if (size > maxBody) {
          // Rejected here: the response may end in this same tick, before the destroyed request's error.
          const tooLarge = Object.assign(new Error(`response body larger than ${maxBody} bytes`), {
            code: 'EBODYTOOLARGE'
          })
          fail(tooLarge)
          req.destroy()
          return
        }
        chunks.push(c)
      })
      res.on('error', fail)
      res.on('aborted', () =>
        fail(Object.assign(new Error('connection closed before the response ended'), { code: 'ECONNRESET' }))
      )
      res.on('end', () => {
        if (settled) return
        settled = true
        const raw = res.headersDistinct?.['www-authenticate']
        const wa = raw ?? (res.headers['www-authenticate'] ? [res.headers['www-authenticate']] : [])
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          wwwAuthenticate: wa,
          body: Buffer.concat(chunks),
          url
        })
      })
    })
    req.on('error', fail)
    req.end(upload?.body)
  })
}

/** Why a redirect was not followed; the caller words it for its own server. */
export class RedirectError extends Error {
  constructor(
    readonly reason: 'too-many' | 'invalid' | 'not-http',
    readonly location: string,
    readonly status: number
  ) {
    super(`redirect ${reason}: ${location}`)
    this.name = 'RedirectError'
  }
}

/**
 * Sends to `url` and follows redirects (301/302/303/307/308 with a Location) up to `maxRedirects` times;
 * `send` makes each exchange and is told whether the URL is still on the first one's origin (only then may
 * it send credentials).
 */
export async function followRedirects(
  url: URL,
  maxRedirects: number,
  send: (current: URL, sameOrigin: boolean) => Promise<HttpResponse>
): Promise<HttpResponse> {
  let current = url
  for (let hop = 0; ; hop++) {
    const res = await send(current, current.origin === url.origin)
    const location = res.headers.location
    if (![301, 302, 303, 307, 308].includes(res.status) || !location) return res
    if (hop >= maxRedirects) throw new RedirectError('too-many', location, res.status)
    let next: URL
    try {
      next = new URL(location, current)
    } catch {
      throw new RedirectError('invalid', location, res.status)
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:')
      throw new RedirectError('not-http', next.href, res.status)
    current = next
  }
}
