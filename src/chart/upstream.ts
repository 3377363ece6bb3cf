// Resolves the upstream chart version the blueprint wraps: the dependency's
// version or range in Chart.yaml, against the repository's index (or an OCI
// registry's tags), as Helm would; reports drift and checks values.yaml agrees.
import * as core from '@actions/core'
import { parse as parseYaml } from 'yaml'
import type { Blueprint, ChartDependency } from './blueprint.js'
import { DeadlineError, OPERATION_LIMITS, operationLimit } from '../util/deadline.js'
import { basicAuth, RegistryClient, parseOciReference, withRetry } from '../oci/registry.js'
import type { Credentials } from '../credentials/credentials.js'
import { isLoopbackHost } from '../net/net.js'
import { describeNetworkError, followRedirects, httpExchange, RedirectError } from '../net/http.js'
import {
  compareVersions,
  describeDrift,
  isExactVersion,
  latestStable,
  maxSatisfying,
  parseConstraint,
  parseVersion,
  type SemVer
} from '../util/semver.js'
import { ActionError, type Finding, type StepResult, type UpstreamInfo } from '../types.js'

export interface IndexEntry {
  version: string
  urls?: string[]
  digest?: string
  created?: string
}

/**
 * Each repository's index.yaml, fetched once per run: the library check, the
 * upstream resolution, the dependency build and the base render all read it.
 * A failed fetch is remembered too (every reader gets the same error).
 */
export class IndexCache {
  private readonly fetched = new Map<string, Promise<RepositoryIndex>>()

  fetch(repository: string, credentials?: Credentials): Promise<RepositoryIndex> {
    const key = repository.replace(/\/+$/, '')
    let entry = this.fetched.get(key)
    if (!entry) {
      entry = readIndex(key, credentials)
      this.fetched.set(key, entry)
    }
    return entry
  }
}

/** A repository's index.yaml as fetched, parsed once on first use (an index can be large; several steps read it). */
export interface RepositoryIndex {
  /** The repository URL, without trailing slashes. */
  repository: string
  /** `<repository>/index.yaml`. */
  url: string
  text: string
  entries(): Record<string, IndexEntry[]>
}

/** The index of a repository: from the run's cache when there is one, else fetched now. */
export async function readIndex(
  repository: string,
  credentials?: Credentials,
  cache?: IndexCache
): Promise<RepositoryIndex> {
  if (cache) return cache.fetch(repository, credentials)
  const { url, text } = await fetchIndex(repository, credentials)
  let parsed: Record<string, IndexEntry[]> | undefined
  return { repository: repository.replace(/\/+$/, ''), url, text, entries: () => (parsed ??= parseIndex(text, url)) }
}

export interface ResolveUpstreamOptions {
  blueprint: Blueprint
  dependency: ChartDependency
  dependencyIndex: number
  /** Input upstream-version: '' (as pinned), 'latest', or a range/exact version. */
  override: string
  /** A published chart's provenance must agree even on an override run. */
  publishing?: boolean
  mirrors: RepositoryMirror[]
  /** Credentials for a repository URL, or undefined (credentials/credentials.ts). */
  credentialsFor?: (repository: string) => Credentials | undefined
  plainHttp: boolean
  /** The version a committed Chart.lock that fits Chart.yaml pins: what the build bundles. */
  locked?: string
  /** The run's index cache (else the index is fetched here). */
  indexes?: IndexCache
}

export interface UpstreamResolution {
  info: UpstreamInfo
  /** The repository actually contacted (after mirrors). */
  effectiveRepository: string
  step: StepResult<UpstreamInfo>
}

/** One line of input repository-mirrors: a repository URL and the mirror that serves it. */
export interface RepositoryMirror {
  from: string
  to: string
}

/** Rewrites a repository URL by the longest matching mirror prefix. */
export function applyMirrors(url: string, mirrors: readonly RepositoryMirror[]): string {
  const trimmed = url.replace(/\/+$/, '')
  let best: RepositoryMirror | undefined
  for (const mirror of mirrors) {
    if (
      (trimmed === mirror.from || trimmed.startsWith(`${mirror.from}/`)) &&
      (!best || mirror.from.length > best.from.length)
    )
      best = mirror
  }
  return best ? best.to + trimmed.slice(best.from.length) : trimmed
}

export function parseIndex(text: string, source: string): Record<string, IndexEntry[]> {
  let data: unknown
  try {
    data = parseYaml(text, { maxAliasCount: -1 })
  } catch (error) {
    throw new ActionError(
      `${source} is not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      'check the repository URL serves a Helm chart repository index'
    )
  }
  const entries = (data as { entries?: unknown } | null)?.entries
  if (!entries || typeof entries !== 'object') {
    throw new ActionError(
      `${source} has no entries: it is not a Helm chart repository index`,
      'check the dependency repository URL'
    )
  }
  return entries as Record<string, IndexEntry[]>
}

/** Bounds on an index.yaml: large public repositories serve tens of MB; a redirect chain ends within a few hops. */
const MAX_INDEX_BYTES = 256 * 2 ** 20
const MAX_INDEX_REDIRECTS = 10

/** Connection failures another attempt may get past (a refused connection is a wrong URL more often than not). */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'ESOCKETTIMEDOUT'])

class IndexFetchError extends ActionError {
  constructor(
    message: string,
    hint: string,
    readonly transient: boolean
  ) {
    super(message, hint)
  }
}

export interface IndexFetchRetry {
  /** Retries after the first attempt for 5xx, 429, a reset connection or no answer (default 3). */
  retries: number
  /** First backoff delay, doubled per retry with jitter (default 500). */
  baseDelayMs: number
}

/**
 * Fetches `<repository>/index.yaml`, retrying transient failures with backoff,
 * each attempt within the run's budget; errors name the URL and what to check.
 */
export async function fetchIndex(
  repository: string,
  credentials?: Credentials,
  retry: IndexFetchRetry = { retries: 3, baseDelayMs: 500 }
): Promise<{ url: string; text: string }> {
  const url = `${repository.replace(/\/+$/, '')}/index.yaml`
  const headers: Record<string, string> = { 'user-agent': 'bp-temporal-action' }
  const withoutAuthorization = { ...headers }
  if (credentials) headers.authorization = basicAuth(credentials)
  const attempt = async (): Promise<{ url: string; text: string }> => {
    const limit = operationLimit(OPERATION_LIMITS.http)
    if (limit.ms <= 0) throw new DeadlineError(`GET ${url}`, 0, true)
    const mirrorHint =
      'check the dependency repository URL, or map it to a reachable mirror with the repository-mirrors input'
    try {
      const send = (current: URL, sameOrigin: boolean): ReturnType<typeof httpExchange> =>
        httpExchange('GET', current, sameOrigin ? headers : withoutAuthorization, limit.ms, MAX_INDEX_BYTES)
      const response = await followRedirects(new URL(url), MAX_INDEX_REDIRECTS, send)
      if (response.status === 401 || response.status === 403) {
        throw new IndexFetchError(
          `upstream repository ${url} answered HTTP ${response.status}`,
          'a private repository needs dependency-username and dependency-password' +
            (/^http:/i.test(url)
              ? ' and https:// (credentials are never sent over plain http except to loopback)'
              : ''),
          false
        )
      }
      if (response.status < 200 || response.status > 299) {
        const transient = (response.status >= 500 && response.status !== 501) || response.status === 429
        const hint = 'check the dependency repository URL, or set repository-mirrors'
        throw new IndexFetchError(`upstream repository ${url} answered HTTP ${response.status}`, hint, transient)
      }
      // As fetch's text() read it: UTF-8 without a byte-order mark.
      return { url, text: response.body.toString('utf8').replace(/^\uFEFF/, '') }
    } catch (error) {
      if (error instanceof ActionError) throw error
      if (error instanceof RedirectError) {
        throw new IndexFetchError(
          `upstream repository ${url}: redirect not followed (${error.reason}): ${error.location}`,
          mirrorHint,
          false
        )
      }
      const failure = error as NodeJS.ErrnoException
      if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
        if (limit.byRun) throw new DeadlineError(`GET ${url}`, limit.ms, true)
        throw new IndexFetchError(
          `upstream repository ${url}: no answer within ${Math.round(limit.ms / 1000)} s`,
          mirrorHint,
          true
        )
      }
      if (failure.code === 'EBODYTOOLARGE') {
        throw new IndexFetchError(
          `upstream repository ${url}: index.yaml is larger than ${MAX_INDEX_BYTES / 2 ** 20} MiB`,
          'check the dependency repository URL',
          false
        )
      }
      // Worded as for the registry; retried on fewer codes (a refused connection is a wrong URL more often).
      const reason = describeNetworkError(error, limit.ms).text
      const transient = failure.code !== undefined && TRANSIENT_CODES.has(failure.code)
      throw new IndexFetchError(`upstream repository ${url} is unreachable: ${reason}`, mirrorHint, transient)
    }
  }
  return withRetry(attempt, {
    ...retry,
    isRetryable: (error) => error instanceof IndexFetchError && error.transient,
    onRetry: (n, error, delayMs) => {
      core.info(`${(error as Error).message}; retry ${n} of ${retry.retries} in ${(delayMs / 1000).toFixed(1)} s`)
    }
  })
}

async function availableVersions(
  repository: string,
  name: string,
  options: Pick<ResolveUpstreamOptions, 'credentialsFor' | 'plainHttp' | 'indexes'>
): Promise<{ versions: string[]; source: string }> {
  if (repository.startsWith('oci://')) {
    const { host, repository: path } = parseOciReference(repository)
    // Plain HTTP only ever reaches loopback registries, whatever the input says.
    const client = new RegistryClient({
      host,
      plainHttp: options.plainHttp && isLoopbackHost(host),
      credentials: options.credentialsFor?.(repository)
    })
    const tags = await client.listTags(path ? `${path}/${name}` : name)
    // OCI tags cannot hold '+': Helm publishes build metadata with '_'.
    return { versions: tags.map((tag) => tag.replace(/_/g, '+')), source: `${repository}/${name}` }
  }
  if (!/^https?:\/\//.test(repository)) {
    throw new ActionError(
      `dependency ${name}: repository "${repository}" is neither http(s):// nor oci://`,
      'point the dependency at a chart repository'
    )
  }
  const credentials = options.credentialsFor?.(repository)
  const index = await readIndex(repository, credentials, options.indexes)
  const { url } = index
  const entries = index.entries()
  const list = entries[name]
  if (!Array.isArray(list) || list.length === 0) {
    throw new ActionError(
      `${url} has no chart named ${name}`,
      `check the dependency name in Chart.yaml (charts there: ${Object.keys(entries).slice(0, 10).join(', ') || 'none'})`
    )
  }
  return { versions: list.map((entry) => String(entry.version)), source: url }
}

function newestFirst(versions: string[], count: number): string {
  return versions.slice(-count).reverse().join(', ')
}

export async function resolveUpstream(options: ResolveUpstreamOptions): Promise<UpstreamResolution> {
  const start = performance.now()
  const { blueprint, dependency } = options
  const chartFile = blueprint.chartYaml.displayPath
  const pinLine = blueprint.chartYaml.lineOf(['dependencies', options.dependencyIndex, 'version'])
  const pinned = dependency.version
  const range = options.override === '' ? pinned : options.override
  try {
    parseConstraint(range === 'latest' ? '*' : range)
  } catch (error) {
    const where = options.override ? 'input upstream-version' : `${chartFile}:${pinLine ?? 1}`
    throw new ActionError(
      `${where}: "${range}" is not a version or range: ${(error as Error).message}`,
      'write an exact version (1.2.0) or a range (~1.2, ^1, >=1.2 <2)'
    )
  }
  const effectiveRepository = applyMirrors(dependency.repository, options.mirrors)
  const { versions, source } = await availableVersions(effectiveRepository, dependency.name, options)
  const sorted = sortAscending(versions)
  const latest = latestStable(sorted)
  const newest = range === 'latest' ? latest : maxSatisfying(sorted, range)
  // A committed Chart.lock decides within the range (unless the input overrides the pin).
  const locked = options.locked && !options.override && sorted.includes(options.locked) ? options.locked : undefined
  const resolved = locked ?? newest
  if (!resolved) {
    throw new ActionError(
      `${options.override ? 'input upstream-version' : `${chartFile}:${pinLine ?? 1}`}: no ${dependency.name} release in ${source} satisfies "${range}" (newest: ${newestFirst(sorted, 5) || 'none'})`,
      `pin ${dependency.name} to a version the repository has`
    )
  }
  const drift = describeDrift(resolved, latest)
  const info: UpstreamInfo = {
    name: dependency.name,
    repository: dependency.repository,
    pinned,
    resolved,
    latest,
    outdated: drift.outdated,
    ...(options.override ? { override: options.override } : {})
  }
  const findings: Finding[] = []
  if (drift.outdated && latest) {
    findings.push({
      rule: 'upstream-outdated',
      severity: 'notice',
      message: `${dependency.name} ${resolved} is in use; ${latest} is available (${drift.behind} release behind)`,
      fix: `bump ${dependency.name} to ${latest} in ${chartFile} and catalystBlueprint.upstream.version in ${blueprint.values.displayPath} together`,
      file: chartFile,
      line: pinLine
    })
  }
  findings.push(...consistencyFindings(blueprint, dependency, resolved, options.override !== '' && !options.publishing))
  const failed = findings.some((finding) => finding.severity === 'error')
  const pinText = isExactVersion(pinned)
    ? `${resolved} pinned`
    : locked
      ? `${pinned}: ${resolved} locked by Chart.lock`
      : `${pinned} resolves to ${resolved}`
  const summary =
    (options.override ? `${resolved} (override "${options.override}"; Chart.yaml pins ${pinned})` : pinText) +
    (drift.outdated && latest ? `, ${latest} available` : latest ? ', up to date' : '')
  return {
    info,
    effectiveRepository,
    step: {
      id: 'resolve-upstream',
      title: 'Upstream version',
      status: failed ? 'failed' : 'passed',
      durationMs: Math.round(performance.now() - start),
      summary,
      findings,
      data: info
    }
  }
}

function sortAscending(versions: string[]): string[] {
  // maxSatisfying/latestStable pick by precedence whatever the order; a sorted
  // list only makes the "newest" hint in errors read right.
  return versions
    .map((raw) => ({ raw, parsed: parseVersion(raw) }))
    .filter((entry): entry is { raw: string; parsed: SemVer } => entry.parsed !== undefined)
    .sort((a, b) => compareVersions(a.parsed, b.parsed))
    .map((entry) => entry.raw)
}

interface UpstreamProvenance {
  chart?: unknown
  version?: unknown
  repo?: unknown
}

/**
 * The upstream version is written in three places that are bumped together:
 * Chart.yaml, values.yaml catalystBlueprint.upstream, and the blueprint's docs.
 */
export function consistencyFindings(
  blueprint: Blueprint,
  dependency: ChartDependency,
  resolved: string,
  overridden: boolean
): Finding[] {
  const values = blueprint.values
  const provenance = (values.data.catalystBlueprint as { upstream?: UpstreamProvenance } | undefined)?.upstream
  if (!provenance || typeof provenance !== 'object') return []
  // An empty chart declares a scratch blueprint: no provenance to agree with (the upstream input chose a dependency).
  if ('chart' in provenance && String(provenance.chart ?? '').trim() === '') return []
  const findings: Finding[] = []
  const chartFile = blueprint.chartYaml.displayPath
  const checks: [keyof UpstreamProvenance, string, string][] = [
    ['version', resolved, 'version'],
    ['chart', dependency.name, 'name'],
    ['repo', dependency.repository.replace(/\/+$/, ''), 'repository']
  ]
  for (const [key, expected, chartField] of checks) {
    const actual = provenance[key]
    if (actual === undefined) continue
    const normalized = String(actual).replace(/\/+$/, '')
    if (normalized === expected) continue
    const line = values.lineOf(['catalystBlueprint', 'upstream', key])
    findings.push({
      rule: 'upstream-consistency',
      // A validate-only override run tries another upstream on purpose: say so, do not fail it.
      severity: overridden && key === 'version' ? 'warning' : 'error',
      message: `${values.displayPath} catalystBlueprint.upstream.${key} is "${normalized}" but ${chartFile} dependency ${dependency.name} ${chartField} ${key === 'version' ? `resolves to "${expected}" (pinned "${dependency.version}")` : `is "${expected}"`}`,
      fix: `set catalystBlueprint.upstream.${key} to "${expected}" in ${values.displayPath}, or change ${chartFile}: they are bumped together`,
      file: values.displayPath,
      line
    })
  }
  return findings
}
