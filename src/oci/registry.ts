// A small OCI distribution (registry v2) client: manifest existence/digest and tag
// listing, with anonymous → Basic/Bearer auth, bounded retries and clear errors.
//
// Rules kept throughout:
// - "absent" is only ever a 404 (or NAME_UNKNOWN); every other failure is an error.
// - 401/403 after authenticating is an 'auth' error and is not retried.
// - 5xx, 429 and connection failures are retried with backoff, then 'unavailable'.
// - The password and tokens never appear in messages, and credentials are never sent
//   over plain HTTP to a host that is not loopback.

import { createHash } from 'node:crypto'
import * as http from 'node:http'
import { ACTION_NAME } from '../util/action-name.js'
import { DeadlineError, operationLimit, withRetry } from '../util/deadline.js'
import { ActionError } from '../types.js'
import type { Credentials } from '../credentials/credentials.js'
import { isLoopbackHost } from '../net/net.js'
import {
  basicAuth,
  describeNetworkError,
  followRedirects,
  httpExchange,
  RedirectError,
  type HttpMethod,
  type HttpResponse,
  type HttpUpload
} from '../net/http.js'

export interface RegistryOptions {
  /** `ghcr.io` or `127.0.0.1:5000` (no scheme, no path). */
  host: string
  plainHttp: boolean
  credentials?: Credentials
  /** Retries after the first attempt for retryable failures (default 4). */
  retries?: number
  /** First backoff delay; doubles per retry, with jitter (default 500). */
  baseDelayMs?: number
  userAgent?: string
  /** Bound on each HTTP request, connection to last byte (default 30 000). */
  timeoutMs?: number
}

export interface PulledChart {
  /** sha256 of the manifest bytes served for the digest asked. */
  manifestDigest: string
  /** The chart layer's digest as the manifest names it. */
  layerDigest: string
  /** sha256 of the bytes served for that layer. */
  archiveDigest: string
  archive: Buffer
}

export type ManifestLookup = { exists: true; digest: string; mediaType?: string } | { exists: false }

/** A tag's manifest read whole: its digest and, for a Helm chart, the chart layer's digest. */
export type ChartLookup = { exists: true; digest: string; layerDigest?: string } | { exists: false }

/** `too-large`: an answer past the client's bounds (a tag list of more than MAX_TAG_PAGES pages, a body too large). */
export type RegistryErrorKind = 'auth' | 'unavailable' | 'protocol' | 'too-large'

export class RegistryError extends ActionError {
  readonly kind: RegistryErrorKind
  readonly status?: number
  readonly url: string
  /** Whether another attempt may succeed (5xx, 429, connection errors, timeouts). */
  readonly retryable: boolean

  constructor(
    kind: RegistryErrorKind,
    message: string,
    opts: { url: string; status?: number; hint?: string; retryable?: boolean }
  ) {
    super(message, opts.hint)
    this.name = 'RegistryError'
    this.kind = kind
    this.status = opts.status
    this.url = opts.url
    this.retryable = opts.retryable ?? false
  }
}

/** Media type of the chart archive layer in a Helm OCI artifact. */
export const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip'

const MANIFEST_ACCEPT = [
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json'
].join(', ')

const DEFAULT_TIMEOUT_MS = 30_000
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024
const MAX_JSON_BYTES = 16 * 1024 * 1024
/** A chart archive pulled back for verification; charts are far smaller. */
const MAX_CHART_BYTES = 256 * 1024 * 1024
const MAX_REDIRECTS = 5
const MAX_TAG_PAGES = 1000

const REPO_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/

/** One path component of an OCI repository name (lowercase, single separators). */
export function isRepositoryComponent(name: string): boolean {
  return REPO_COMPONENT.test(name)
}
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/

// ---------------------------------------------------------------------------
// Pure helpers

/**
 * Splits an `oci://host[:port]/path` registry URL. The path may be empty
 * (`oci://127.0.0.1:5000`: helm then pushes to `<host>/<chart>`).
 */
export function parseOciReference(url: string): { host: string; repository: string } {
  const example = 'e.g. oci://ghcr.io/openova-io/charts'
  const bad = (why: string, hint?: string): never => {
    throw new ActionError(
      `Invalid OCI registry URL "${url}": ${why}.`,
      hint ?? `Write it as oci://HOST[:PORT]/PATH, ${example}.`
    )
  }
  const trimmed = url.trim()
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(trimmed)
  if (!m) bad('it has no oci:// scheme')
  const [, scheme, rest] = m as RegExpExecArray
  if (scheme.toLowerCase() !== 'oci') bad(`the scheme is "${scheme}://", not "oci://"`)
  if (/[?#\s]/.test(rest)) bad('it contains a query, fragment or whitespace')
  const slash = rest.indexOf('/')
  const hostPart = slash === -1 ? rest : rest.slice(0, slash)
  const pathPart = (slash === -1 ? '' : rest.slice(slash + 1)).replace(/\/+$/, '')
  if (hostPart === '') bad('the host is empty')
  if (hostPart.includes('@'))
    bad('it contains credentials', 'Pass credentials with registry-username and registry-password, not in the URL.')
  const hm =
    /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::(\d{1,5}))?$/.exec(
      hostPart
    )
  if (!hm) bad(`"${hostPart}" is not a valid host[:port]`)
  const port = (hm as RegExpExecArray)[2]
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) bad(`port ${port} is out of range`)
  if (pathPart !== '') {
    for (const comp of pathPart.split('/')) {
      if (comp === '') bad('the path has an empty segment')
      if (/[:@]/.test(comp))
        bad(
          `the path segment "${comp}" holds a tag or digest`,
          `Give only the repository path; the chart name and version are added on push (${example}).`
        )
      if (comp !== comp.toLowerCase())
        bad(
          `the path segment "${comp}" has uppercase letters`,
          `OCI repository names are lowercase: use "${comp.toLowerCase()}".`
        )
      if (!REPO_COMPONENT.test(comp))
        bad(
          `the path segment "${comp}" is not a valid repository name component`,
          'Use lowercase letters, digits and single separators (".", "_", "__", "-").'
        )
    }
  }
  return { host: hostPart.toLowerCase(), repository: pathPart }
}

/**
 * The `registry` input, parsed once: where charts go and how to reach it.
 * Every chart repository and reference is derived from it (chartRepository, chartRef).
 */
export interface RegistryTarget {
  /** `oci://host[:port][/path]` as given, without trailing slashes. */
  url: string
  /** `ghcr.io` or `127.0.0.1:5000`, lowercase. */
  host: string
  /** The repository path under the host (`owner/charts`), '' when charts go to `<host>/<chart>`. */
  path: string
  /** Plain HTTP: only ever for a loopback registry. */
  plainHttp: boolean
}

export function parseRegistryTarget(url: string, plainHttp: boolean): RegistryTarget {
  const { host, repository } = parseOciReference(url)
  if (plainHttp && !isLoopbackHost(host)) {
    throw new ActionError(
      `input plain-http: registry ${host} is not a loopback address`,
      'plain HTTP is only for registries on 127.0.0.1/localhost/::1; remove plain-http'
    )
  }
  return { url: url.trim().replace(/\/+$/, ''), host, path: repository, plainHttp }
}

/** The OCI repository a chart is pushed to: `<path>/<name>` (helm push's layout). */
export function chartRepository(target: RegistryTarget, name: string): string {
  return target.path ? `${target.path}/${name}` : name
}

/** `oci://host/path/name:tag`, the reference `helm pull` takes. */
export function chartRef(target: RegistryTarget, name: string, version: string): string {
  return `${target.url}/${name}:${ociTag(version)}`
}

/** The OCI tag helm uses for a chart version: `+` becomes `_`. */
export function ociTag(version: string): string {
  const tag = version.replace(/\+/g, '_')
  if (!TAG.test(tag)) {
    throw new ActionError(
      `Version "${version}" does not make a valid OCI tag ("${tag}").`,
      'Use a semver version such as 1.2.3 or 1.2.3+build.1.'
    )
  }
  return tag
}

export interface AuthChallenge {
  /** Lowercase scheme, e.g. `bearer`, `basic`. */
  scheme: string
  /** Lowercase parameter names. */
  params: Record<string, string>
}

/**
 * Parses `WWW-Authenticate` values (RFC 7235): several challenges, quoted values with
 * commas and escapes, unquoted tokens. Several header lines may be passed.
 */
export function parseWwwAuthenticate(header: string | string[] | undefined): AuthChallenge[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header]
  const out: AuthChallenge[] = []
  for (const s of values) {
    let i = 0
    let current: AuthChallenge | undefined
    const skip = (re: RegExp): void => {
      while (i < s.length && re.test(s[i])) i++
    }
    while (i < s.length) {
      skip(/[\s,]/)
      if (i >= s.length) break
      const start = i
      while (i < s.length && !/[\s,=]/.test(s[i])) i++
      const token = s.slice(start, i)
      let j = i
      while (j < s.length && /[ \t]/.test(s[j])) j++
      if (current && s[j] === '=' && s[j + 1] !== '=') {
        // auth-param: token = ( token / quoted-string )
        i = j + 1
        skip(/[ \t]/)
        let value = ''
        if (s[i] === '"') {
          i++
          while (i < s.length && s[i] !== '"') {
            if (s[i] === '\\' && i + 1 < s.length) i++
            value += s[i]
            i++
          }
          i++ // closing quote
        } else {
          const vs = i
          while (i < s.length && !/[\s,]/.test(s[i])) i++
          value = s.slice(vs, i)
        }
        current.params[token.toLowerCase()] = value
      } else if (current && token.length > 0 && s[j] === '=' && Object.keys(current.params).length === 0) {
        // token68 (e.g. `Negotiate abc==`): keep it whole, it carries no parameters we use.
        while (i < s.length && s[i] === '=') i++
      } else if (token.length > 0) {
        current = { scheme: token.toLowerCase(), params: {} }
        out.push(current)
        i = j
      } else {
        i++
      }
    }
  }
  return out
}

// ---------------------------------------------------------------------------
// HTTP

function errorSummary(body: Buffer): string {
  const text = body.toString('utf8').trim()
  if (!text) return ''
  try {
    const j = JSON.parse(text) as { errors?: Array<{ code?: string; message?: string }> }
    if (Array.isArray(j.errors) && j.errors.length > 0) {
      return j.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ')
    }
  } catch {
    // not JSON
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

function isNameUnknown(body: Buffer): boolean {
  try {
    const j = JSON.parse(body.toString('utf8')) as { errors?: Array<{ code?: string }> }
    return Array.isArray(j.errors) && j.errors.some((e) => e?.code === 'NAME_UNKNOWN')
  } catch {
    return false
  }
}

function statusText(status: number): string {
  const t = http.STATUS_CODES[status]
  return t ? `HTTP ${status} ${t}` : `HTTP ${status}`
}

// ---------------------------------------------------------------------------
// Client

export class RegistryClient {
  private readonly host: string
  private readonly base: string
  private readonly creds?: Credentials
  private readonly retries: number
  private readonly baseDelayMs: number
  private readonly timeoutMs: number
  private readonly userAgent: string
  /** Bearer tokens by scope (`repository:<repo>:pull`). */
  private readonly tokens = new Map<string, string>()
  /** Set once the registry asked for Basic auth: later requests send it up front. */
  private basic = false

  constructor(opts: RegistryOptions) {
    const host = opts.host.trim()
    if (!host || /[/\s@?#]/.test(host)) {
      throw new ActionError(
        `Invalid registry host "${opts.host}": give host[:port] only, e.g. ghcr.io or 127.0.0.1:5000.`
      )
    }
    this.host = host.toLowerCase()
    this.base = `${opts.plainHttp ? 'http' : 'https'}://${this.host}`
    this.creds =
      opts.credentials && (opts.credentials.username || opts.credentials.password) ? opts.credentials : undefined
    this.retries = opts.retries ?? 4
    this.baseDelayMs = opts.baseDelayMs ?? 500
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.userAgent = opts.userAgent ?? ACTION_NAME
  }

  /** /v2/<repo>/manifests/<ref>, the repository and the reference checked first. */
  private manifestUrl(repository: string, reference: string): URL {
    this.checkRepository(repository)
    if (!TAG.test(reference) && !DIGEST.test(reference)) {
      throw new ActionError(`Invalid manifest reference "${reference}": expected a tag or a digest.`)
    }
    return new URL(`${this.base}/v2/${repository}/manifests/${reference}`)
  }

  /** HEAD /v2/<repo>/manifests/<ref>: the digest when the tag (or digest) exists. */
  async manifest(repository: string, reference: string): Promise<ManifestLookup> {
    const url = this.manifestUrl(repository, reference)
    const head = await this.call('HEAD', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES)
    if (head.status === 404) return { exists: false }
    const mediaType = contentType(head)
    const digest = headerDigest(head)
    if (digest) return { exists: true, digest, ...(mediaType ? { mediaType } : {}) }

    // No Docker-Content-Digest: fetch the manifest and hash it ourselves.
    const get = await this.call('GET', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES)
    if (get.status === 404) return { exists: false }
    const getType = contentType(get) ?? mediaType
    const d = headerDigest(get) ?? bodyDigest(get.body)
    return { exists: true, digest: d, ...(getType ? { mediaType: getType } : {}) }
  }

  /**
   * One GET of a tag's manifest: whether it exists, its digest (the registry's header, else the body's sha256) and
   * its Helm chart layer's digest (undefined when the manifest is no Helm chart). One request where `manifest()` +
   * `chartLayerDigest()` take two: the publish preview asks it on a pull request's critical path.
   */
  async chartManifest(repository: string, reference: string): Promise<ChartLookup> {
    const url = this.manifestUrl(repository, reference)
    const res = await this.call('GET', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES)
    if (res.status === 404) return { exists: false }
    const digest = headerDigest(res) ?? bodyDigest(res.body)
    try {
      const manifest = JSON.parse(res.body.toString('utf8')) as { layers?: { mediaType?: string; digest?: string }[] }
      return {
        exists: true,
        digest,
        layerDigest: manifest.layers?.find((l) => l.mediaType === HELM_CHART_LAYER)?.digest
      }
    } catch {
      throw this.error(
        'protocol',
        `Registry ${this.host} returned a manifest that is not JSON (GET ${url.href}).`,
        url,
        res.status
      )
    }
  }

  /**
   * The digest of a Helm chart manifest's content layer (the .tgz), or
   * undefined when the manifest is no Helm chart. Compared with a local
   * archive's sha256, it tells "same chart already published" from "other content".
   */
  async chartLayerDigest(repository: string, reference: string): Promise<string | undefined> {
    this.checkRepository(repository)
    const url = new URL(`${this.base}/v2/${repository}/manifests/${reference}`)
    const res = await this.call('GET', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES)
    if (res.status === 404) return undefined
    try {
      const manifest = JSON.parse(res.body.toString('utf8')) as { layers?: { mediaType?: string; digest?: string }[] }
      return manifest.layers?.find((layer) => layer.mediaType === HELM_CHART_LAYER)?.digest
    } catch {
      throw this.error(
        'protocol',
        `Registry ${this.host} returned a manifest that is not JSON (GET ${url.href}).`,
        url,
        res.status
      )
    }
  }

  /**
   * Pulls a Helm chart by manifest digest through the registry API: the
   * manifest, then its chart layer. Both are checked against their digests,
   * so what comes back is exactly what the registry serves under that digest.
   * `expectedLayer` (what was pushed) is fetched beside the manifest, and used
   * only when the manifest names that layer.
   */
  async pullChart(repository: string, digest: string, expectedLayer?: string): Promise<PulledChart> {
    this.checkRepository(repository)
    const manifestUrl = new URL(`${this.base}/v2/${repository}/manifests/${digest}`)
    const layerAt = (layer: string): URL => new URL(`${this.base}/v2/${repository}/blobs/${layer}`)
    // The layer the caller expects is asked for beside the manifest (one round trip less right after a push);
    // used only when the manifest names it.
    const expected =
      expectedLayer && DIGEST.test(expectedLayer)
        ? this.call('GET', layerAt(expectedLayer), '*/*', repository, MAX_CHART_BYTES)
        : undefined
    expected?.catch(() => undefined)
    const manifestRes = await this.call('GET', manifestUrl, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES)
    if (manifestRes.status === 404)
      throw this.error(
        'protocol',
        `Registry ${this.host} has no manifest ${digest} in ${repository} right after the push.`,
        manifestUrl,
        404
      )
    const manifestDigest = bodyDigest(manifestRes.body)
    let layerDigest: string | undefined
    try {
      const manifest = JSON.parse(manifestRes.body.toString('utf8')) as {
        layers?: { mediaType?: string; digest?: string }[]
      }
      layerDigest = manifest.layers?.find((layer) => layer.mediaType === HELM_CHART_LAYER)?.digest
    } catch {
      throw this.error(
        'protocol',
        `Registry ${this.host} returned a manifest that is not JSON (GET ${manifestUrl.href}).`,
        manifestUrl,
        manifestRes.status
      )
    }
    if (!layerDigest || !DIGEST.test(layerDigest)) {
      throw this.error(
        'protocol',
        `The manifest ${digest} in ${repository} has no Helm chart layer (${HELM_CHART_LAYER}).`,
        manifestUrl,
        manifestRes.status
      )
    }
    const blobUrl = layerAt(layerDigest)
    const blobRes = await (layerDigest === expectedLayer && expected
      ? expected
      : this.call('GET', blobUrl, '*/*', repository, MAX_CHART_BYTES))
    if (blobRes.status === 404)
      throw this.error('protocol', `Registry ${this.host} has no blob ${layerDigest} in ${repository}.`, blobUrl, 404)
    const archiveDigest = bodyDigest(blobRes.body)
    return { manifestDigest, layerDigest, archiveDigest, archive: blobRes.body }
  }

  /**
   * Uploads a blob unless the repository has it: POST an upload session, PUT
   * the bytes with their digest (monolithic upload, which every distribution
   * registry takes). A failed session is retried whole, never resumed.
   */
  async pushBlob(repository: string, digest: string, body: Buffer): Promise<void> {
    this.checkRepository(repository)
    const blobUrl = new URL(`${this.base}/v2/${repository}/blobs/${digest}`)
    const head = await this.call('HEAD', blobUrl, '*/*', repository, MAX_JSON_BYTES)
    if (head.status !== 404) return
    const start = new URL(`${this.base}/v2/${repository}/blobs/uploads/`)
    await this.retried(`upload of ${digest} to ${repository}`, async () => {
      const session = await this.attempt('POST', start, '*/*', repository, MAX_JSON_BYTES, {
        body: Buffer.alloc(0),
        contentType: 'application/octet-stream'
      })
      const location = session.headers.location
      if (session.status !== 202 || !location) {
        throw this.error(
          'protocol',
          `Registry ${this.host} answered POST ${start.href} with ${statusText(session.status)} and no upload location.`,
          start,
          session.status
        )
      }
      const target = new URL(location, start)
      if (target.origin !== start.origin) {
        throw this.error(
          'protocol',
          `Registry ${this.host} sent an upload location on another origin (${target.origin}); not followed.`,
          start,
          session.status
        )
      }
      target.searchParams.set('digest', digest)
      const put = await this.attempt('PUT', target, '*/*', repository, MAX_JSON_BYTES, {
        body,
        contentType: 'application/octet-stream'
      })
      if (put.status !== 201 && put.status !== 204) {
        throw this.error(
          'protocol',
          `Registry ${this.host} answered the upload of ${digest} with ${statusText(put.status)}${suffix(errorSummary(put.body))}.`,
          start,
          put.status
        )
      }
    })
  }

  /** PUT /v2/<repo>/manifests/<tag>: tags the manifest; returns its digest. */
  async putManifest(repository: string, tag: string, manifest: Buffer, mediaType: string): Promise<string> {
    if (!TAG.test(tag)) throw new ActionError(`Invalid tag "${tag}".`)
    return (await this.put(repository, tag, manifest, mediaType)).digest
  }

  /**
   * PUT /v2/<repo>/manifests/<digest>: a manifest with a `subject` (a referrer), untagged. `subjectIndexed`: the
   * registry answered with `OCI-Subject`, i.e. its referrers API lists it; otherwise the client keeps the
   * referrers tag (`sha256-<hex>`) itself (OCI distribution 1.1).
   */
  async putReferrer(
    repository: string,
    manifest: Buffer,
    mediaType: string
  ): Promise<{ digest: string; subjectIndexed: boolean }> {
    const digest = bodyDigest(manifest)
    const res = await this.put(repository, digest, manifest, mediaType)
    return { digest, subjectIndexed: res.headers['oci-subject'] !== undefined }
  }

  private async put(
    repository: string,
    reference: string,
    manifest: Buffer,
    mediaType: string
  ): Promise<{ digest: string; headers: HttpResponse['headers'] }> {
    this.checkRepository(repository)
    const url = new URL(`${this.base}/v2/${repository}/manifests/${reference}`)
    const res = await this.call('PUT', url, '*/*', repository, MAX_JSON_BYTES, {
      body: manifest,
      contentType: mediaType
    })
    if (res.status !== 201 && res.status !== 200) {
      throw this.error(
        'protocol',
        `Registry ${this.host} answered PUT ${url.href} with ${statusText(res.status)}${suffix(errorSummary(res.body))}.`,
        url,
        res.status
      )
    }
    return { digest: bodyDigest(manifest), headers: res.headers }
  }

  /** GET /v2/<repo>/manifests/<tag or digest>: the bytes as served and their media type; undefined when absent. */
  async getManifest(
    repository: string,
    reference: string
  ): Promise<{ digest: string; mediaType?: string; body: Buffer } | undefined> {
    const url = this.manifestUrl(repository, reference)
    const res = await this.call('GET', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES)
    if (res.status === 404) return undefined
    const mediaType = contentType(res)
    return {
      digest: bodyDigest(res.body),
      ...(mediaType ? { mediaType } : {}),
      body: res.body
    }
  }

  /**
   * GET /v2/<repo>/referrers/<digest> (OCI distribution 1.1): the index of the manifests whose `subject` is that
   * digest, or undefined when the registry has no referrers API (404; then the `sha256-<hex>` tag stands in).
   */
  async referrers(repository: string, digest: string): Promise<Buffer | undefined> {
    this.checkRepository(repository)
    if (!DIGEST.test(digest)) throw new ActionError(`Invalid digest "${digest}".`)
    const url = new URL(`${this.base}/v2/${repository}/referrers/${digest}`)
    const res = await this.call('GET', url, 'application/vnd.oci.image.index.v1+json', repository, MAX_MANIFEST_BYTES)
    if (res.status === 404) return undefined
    return res.body
  }

  /**
   * GET /v2/<repo>/tags/list, following `Link: <…>; rel="next"`. Unknown repository → [].
   * `pageSize` asks for pages of that size (`?n=`); by default the registry chooses.
   */
  async listTags(repository: string, opts: { pageSize?: number } = {}): Promise<string[]> {
    this.checkRepository(repository)
    const tags: string[] = []
    const seen = new Set<string>()
    let url = new URL(`${this.base}/v2/${repository}/tags/list`)
    if (opts.pageSize !== undefined) url.searchParams.set('n', String(Math.max(1, Math.floor(opts.pageSize))))
    for (let page = 0; ; page++) {
      if (page >= MAX_TAG_PAGES) {
        throw this.error(
          'too-large',
          `Registry ${this.host} returned more than ${MAX_TAG_PAGES} pages of tags for ${repository}.`,
          url
        )
      }
      seen.add(url.href)
      const res = await this.call('GET', url, 'application/json', repository, MAX_JSON_BYTES)
      if (res.status === 404) {
        if (isNameUnknown(res.body)) return tags
        throw this.error(
          'protocol',
          `Registry ${this.host} answered GET ${url.href} with HTTP 404 without a NAME_UNKNOWN error${suffix(errorSummary(res.body))}. Is ${this.host} an OCI registry?`,
          url,
          404
        )
      }
      let parsed: { tags?: unknown }
      try {
        parsed = JSON.parse(res.body.toString('utf8')) as { tags?: unknown }
      } catch {
        throw this.error(
          'protocol',
          `Registry ${this.host} returned a tag list that is not JSON (GET ${url.href}).`,
          url,
          res.status
        )
      }
      if (parsed.tags != null) {
        if (!Array.isArray(parsed.tags) || !parsed.tags.every((t) => typeof t === 'string')) {
          throw this.error(
            'protocol',
            `Registry ${this.host} returned a malformed tag list (GET ${url.href}).`,
            url,
            res.status
          )
        }
        tags.push(...parsed.tags)
      }
      const next = nextLink(res.headers.link)
      if (!next) return tags
      let nextUrl: URL
      try {
        nextUrl = new URL(next, url)
      } catch {
        throw this.error('protocol', `Registry ${this.host} sent an invalid Link header: ${next}`, url)
      }
      if (nextUrl.origin !== url.origin) {
        throw this.error(
          'protocol',
          `Registry ${this.host} sent a pagination link to another origin (${nextUrl.origin}); not followed.`,
          url
        )
      }
      if (seen.has(nextUrl.href)) return tags
      url = nextUrl
    }
  }

  // -------------------------------------------------------------------------

  private checkRepository(repository: string): void {
    const comps = repository.split('/')
    if (!repository || comps.some((c) => !REPO_COMPONENT.test(c))) {
      throw new ActionError(
        `Invalid repository name "${repository}": OCI names are lowercase path components like "openova-io/charts/bp-temporal".`
      )
    }
  }

  private redact(text: string): string {
    let t = text
    const secrets = [...this.tokens.values()]
    if (this.creds?.password) secrets.push(this.creds.password, basicAuth(this.creds).slice(6))
    for (const s of secrets) if (s && s.length >= 4) t = t.split(s).join('***')
    return t
  }

  private error(
    kind: RegistryErrorKind,
    message: string,
    url: URL,
    status?: number,
    retryable = false,
    hint?: string
  ): RegistryError {
    return new RegistryError(kind, this.redact(message), { url: url.href, status, retryable, hint })
  }

  private authError(url: URL, status: number, what: string, body?: Buffer): RegistryError {
    const detail = body ? suffix(errorSummary(body)) : ''
    const who = this.creds ? `user "${this.creds.username}"` : 'anonymous access'
    return this.error(
      'auth',
      `Registry ${this.host} refused ${who}: ${what} (${statusText(status)}${detail}). ` +
        `Check the registry-username and registry-password inputs${this.creds ? ' (and that the token may read this repository)' : ' (credentials are needed)'}.`,
      url,
      status
    )
  }

  /** Refuses to send credentials (or tokens obtained with them) in clear text off this machine. */
  private assertSafeForCredentials(url: URL): void {
    if (this.creds && url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
      throw this.error(
        'auth',
        `Refusing to send registry credentials over plain HTTP to ${url.host}: only loopback registries may be used with plain HTTP and credentials.`,
        url,
        undefined,
        false,
        'Use HTTPS for this registry.'
      )
    }
  }

  /** One HTTP exchange, following redirects (Authorization is dropped when the origin changes). */
  private async send(
    method: HttpMethod,
    url: URL,
    accept: string,
    authorization: string | undefined,
    maxBody: number,
    upload?: HttpUpload
  ): Promise<HttpResponse> {
    const exchange = async (current: URL, sameOrigin: boolean): Promise<HttpResponse> => {
      const headers: Record<string, string> = { Accept: accept, 'User-Agent': this.userAgent }
      if (upload) {
        headers['Content-Type'] = upload.contentType
        headers['Content-Length'] = String(upload.body.length)
      }
      if (authorization && sameOrigin) headers.Authorization = authorization
      // Each request within what is left of the run's budget.
      const limit = operationLimit(this.timeoutMs)
      if (limit.ms <= 0) throw new DeadlineError(`${method} ${current.href}`, 0, true)
      try {
        return await httpExchange(method, current, headers, limit.ms, maxBody, upload)
      } catch (e) {
        if ((e as NodeJS.ErrnoException)?.code === 'EBODYTOOLARGE') {
          throw this.error(
            'too-large',
            `Registry ${this.host}: ${method} ${current.href}: ${(e as Error).message}.`,
            current
          )
        }
        const d = describeNetworkError(e, limit.ms)
        throw this.error('unavailable', `${method} ${current.href}: ${d.text}`, current, undefined, d.retryable)
      }
    }
    try {
      return await followRedirects(url, MAX_REDIRECTS, exchange)
    } catch (e) {
      if (!(e instanceof RedirectError)) throw e
      const message = {
        'too-many': `Registry ${this.host}: too many redirects from ${method} ${url.href}.`,
        invalid: `Registry ${this.host} redirected to an invalid location: ${e.location}`,
        'not-http': `Registry ${this.host} redirected to a non-HTTP location: ${e.location}`
      }[e.reason]
      throw this.error('protocol', message, url, e.status)
    }
  }

  private async fetchToken(
    challenge: AuthChallenge,
    repository: string,
    requestUrl: URL,
    actions: string
  ): Promise<string> {
    const realm = challenge.params.realm
    if (!realm) {
      throw this.error('protocol', `Registry ${this.host} sent a Bearer challenge without a realm.`, requestUrl, 401)
    }
    let tokenUrl: URL
    try {
      tokenUrl = new URL(realm)
    } catch {
      throw this.error('protocol', `Registry ${this.host} sent an invalid token realm "${realm}".`, requestUrl, 401)
    }
    if (tokenUrl.protocol !== 'http:' && tokenUrl.protocol !== 'https:') {
      throw this.error(
        'protocol',
        `Registry ${this.host} sent a token realm that is not http(s): "${realm}".`,
        requestUrl,
        401
      )
    }
    if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service)
    const scope = challenge.params.scope || `repository:${repository}:${actions}`
    for (const s of scope.split(' ').filter(Boolean)) tokenUrl.searchParams.append('scope', s)

    let authorization: string | undefined
    if (this.creds) {
      this.assertSafeForCredentials(tokenUrl)
      authorization = basicAuth(this.creds)
    }
    const res = await this.send('GET', tokenUrl, 'application/json', authorization, MAX_JSON_BYTES)
    if (res.status === 401 || res.status === 403) {
      throw this.authError(
        tokenUrl,
        res.status,
        `the token service ${tokenUrl.origin}${tokenUrl.pathname} denied a token`,
        res.body
      )
    }
    if (res.status === 429 || res.status >= 500) {
      throw this.error('unavailable', `GET ${tokenUrl.href}: ${statusText(res.status)}`, tokenUrl, res.status, true)
    }
    if (res.status < 200 || res.status > 299) {
      throw this.error(
        'protocol',
        `Token service ${tokenUrl.origin}${tokenUrl.pathname} answered ${statusText(res.status)}${suffix(errorSummary(res.body))}.`,
        tokenUrl,
        res.status
      )
    }
    let token: unknown
    try {
      const j = JSON.parse(res.body.toString('utf8')) as { token?: unknown; access_token?: unknown }
      token = j.token || j.access_token
    } catch {
      // handled below
    }
    if (typeof token !== 'string' || token === '') {
      throw this.error(
        'protocol',
        `Token service ${tokenUrl.origin}${tokenUrl.pathname} returned no token.`,
        tokenUrl,
        res.status
      )
    }
    return token
  }

  /**
   * One authenticated attempt: anonymous (or cached auth) first, then the challenge's
   * scheme. Returns 2xx and 404 responses; throws RegistryError for everything else.
   */
  private async attempt(
    method: HttpMethod,
    url: URL,
    accept: string,
    repository: string,
    maxBody: number,
    upload?: HttpUpload
  ): Promise<HttpResponse> {
    // Writes need a token for pull,push; reads one for pull.
    const actions = method === 'POST' || method === 'PUT' ? 'pull,push' : 'pull'
    const scopeKey = `repository:${repository}:${actions}`
    let authorization: string | undefined
    const cached = this.tokens.get(scopeKey)
    if (cached) {
      if (this.creds) this.assertSafeForCredentials(url)
      authorization = `Bearer ${cached}`
    } else if (this.basic && this.creds) {
      this.assertSafeForCredentials(url)
      authorization = basicAuth(this.creds)
    }

    let res = await this.send(method, url, accept, authorization, maxBody, upload)
    if (res.status === 401) {
      const challenges = parseWwwAuthenticate(res.wwwAuthenticate)
      const bearer = challenges.find((c) => c.scheme === 'bearer')
      const basic = challenges.find((c) => c.scheme === 'basic')
      if (bearer) {
        // A cached token may have expired: get a fresh one, once.
        this.tokens.delete(scopeKey)
        const token = await this.fetchToken(bearer, repository, url, actions)
        this.tokens.set(scopeKey, token)
        if (this.creds) this.assertSafeForCredentials(url)
        res = await this.send(method, url, accept, `Bearer ${token}`, maxBody, upload)
      } else if (basic) {
        if (!this.creds) {
          throw this.error(
            'auth',
            `Registry ${this.host} requires credentials (Basic auth) for ${method} ${url.href}. Set the registry-username and registry-password inputs.`,
            url,
            401
          )
        }
        if (authorization?.startsWith('Basic ')) throw this.authError(url, 401, `${method} ${url.pathname}`, res.body)
        this.assertSafeForCredentials(url)
        this.basic = true
        res = await this.send(method, url, accept, basicAuth(this.creds), maxBody, upload)
      } else {
        throw this.error(
          'auth',
          `Registry ${this.host} answered ${method} ${url.href} with HTTP 401 and no usable WWW-Authenticate challenge` +
            `${res.wwwAuthenticate.length ? ` (${res.wwwAuthenticate.join(', ').slice(0, 120)})` : ''}. Check the registry-username and registry-password inputs.`,
          url,
          401
        )
      }
    }
    if (res.status === 401 || res.status === 403)
      throw this.authError(url, res.status, `${method} ${url.pathname}`, res.body)
    if (res.status === 404 || (res.status >= 200 && res.status <= 299)) return res
    if (res.status === 429 || res.status >= 500) {
      throw this.error(
        'unavailable',
        `${method} ${url.href}: ${statusText(res.status)}${suffix(errorSummary(res.body))}`,
        url,
        res.status,
        true
      )
    }
    throw this.error(
      'protocol',
      `Registry ${this.host} answered ${method} ${url.href} with ${statusText(res.status)}${suffix(errorSummary(res.body))}.`,
      url,
      res.status
    )
  }

  /** attempt() with retries; exhausted retries become one 'unavailable' error naming the URL. */
  private async call(
    method: HttpMethod,
    url: URL,
    accept: string,
    repository: string,
    maxBody: number,
    upload?: HttpUpload
  ): Promise<HttpResponse> {
    return this.retried(`${method} ${url.href}`, () => this.attempt(method, url, accept, repository, maxBody, upload))
  }

  /** `fn` with retries; exhausted retries become one 'unavailable' error naming `what`. */
  private async retried<T>(what: string, fn: () => Promise<T>): Promise<T> {
    let attempts = 0
    try {
      return await withRetry(
        () => {
          attempts++
          return fn()
        },
        {
          retries: this.retries,
          baseDelayMs: this.baseDelayMs,
          isRetryable: (e) => e instanceof RegistryError && e.retryable
        }
      )
    } catch (e) {
      if (e instanceof RegistryError && e.kind === 'unavailable') {
        const prefix = `${what}: `
        const last = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message
        throw new RegistryError(
          'unavailable',
          `Registry ${this.host} is unavailable: ${what} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (last error: ${last}).`,
          {
            url: e.url,
            status: e.status,
            retryable: e.retryable,
            hint: 'Retry the job later; check the registry status page.'
          }
        )
      }
      throw e
    }
  }
}

function suffix(s: string): string {
  return s ? `: ${s}` : ''
}

function contentType(res: HttpResponse): string | undefined {
  const ct = res.headers['content-type']
  const t = ct?.split(';')[0].trim()
  return t || undefined
}

/** The sha256 digest of content (a manifest or blob body) as the registry writes it: `sha256:<hex>`. */
function bodyDigest(content: Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`
}

function headerDigest(res: HttpResponse): string | undefined {
  const d = res.headers['docker-content-digest']
  const v = (Array.isArray(d) ? d[0] : d)?.trim()
  return v && DIGEST.test(v) ? v : undefined
}

/** The target of `rel="next"` in a Link header, if any. */
function nextLink(link: string | string[] | undefined): string | undefined {
  if (!link) return undefined
  const s = Array.isArray(link) ? link.join(', ') : link
  const re = /<([^>]*)>\s*((?:;\s*[^;,]+)*)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(s)) !== null) {
    const params = m[2]
    if (/;\s*rel\s*=\s*"?(?:[^";,]*\s)?next(?:\s[^";,]*)?"?/i.test(params)) return m[1]
  }
  return undefined
}
