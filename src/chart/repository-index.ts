// A chart repository's index.yaml: fetched once per run (IndexCache: the library check, the upstream resolution,
// the dependency build and the base render all read it), through node:http(s) with retries, bounded size and
// redirects, credentials only on the repository's origin; parsed on first use.
import * as core from '@actions/core'
import path from 'node:path'
import type { Credentials } from '../credentials/credentials.js'
import { applyMirrors, type RepositoryMirror } from './mirrors.js'
import type { YamlSource } from './yaml-source.js'
import { parseYamlFastFirst } from '../helm/render.js'
import { basicAuth, describeNetworkError, followRedirects, httpExchange, RedirectError } from '../net/http.js'
import { ActionError } from '../types.js'
import { ACTION_NAME } from '../util/action-name.js'
import { DeadlineError, OPERATION_LIMITS, operationLimit, withRetry } from '../util/deadline.js'

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

export function parseIndex(text: string, source: string): Record<string, IndexEntry[]> {
  let data: unknown
  try {
    // The fast reader where it reads exactly what the library does (helm writes plain indexes): an index is
    // megabytes for large public repositories, and the library's parse of even a small one is ~15 ms cold.
    data = parseYamlFastFirst(text, { maxAliasCount: -1 })
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

/** A repository's index.yaml could not be fetched; `repository` is the URL asked (after mirrors). */
class IndexFetchError extends ActionError {
  constructor(
    message: string,
    hint: string,
    readonly transient: boolean,
    readonly repository: string
  ) {
    super(message, hint)
  }
}

/**
 * An index that could not be fetched, at the Chart.yaml line of the first dependency it serves (its `repository:`),
 * so the run's error is annotated there; any other error as it is.
 */
export function atDependencyLine(
  error: unknown,
  chartYaml: YamlSource<{ dependencies?: { name?: unknown; repository?: unknown }[] }>,
  mirrors: readonly RepositoryMirror[]
): unknown {
  if (!(error instanceof IndexFetchError)) return error
  const dependencies = chartYaml.data.dependencies ?? []
  const index = dependencies.findIndex(
    (dep) => typeof dep.repository === 'string' && applyMirrors(dep.repository, mirrors) === error.repository
  )
  if (index < 0) return error
  const line = chartYaml.lineOf(['dependencies', index, 'repository']) ?? chartYaml.lineOf(['dependencies', index])
  return new ActionError(`dependency ${String(dependencies[index].name)}: ${error.message}`, error.hint, {
    file: chartYaml.displayPath,
    line
  })
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
  const repositoryUrl = repository.replace(/\/+$/, '')
  const url = `${repositoryUrl}/index.yaml`
  const body = await fetchRepositoryFile(url, repositoryUrl, credentials, MAX_INDEX_BYTES, retry)
  // As fetch's text() read it: UTF-8 without a byte-order mark.
  return { url, text: body.toString('utf8').replace(/^\uFEFF/, '') }
}

/** Bound on a chart archive (the registry client's bound on a chart layer). */
const MAX_ARCHIVE_BYTES = 256 * 2 ** 20

/**
 * Fetches a chart archive an index entry names (`url`, absolute), as the index is fetched: retries, a bounded body,
 * redirects. The repository's credentials go only to the repository's own origin (helm's default: an archive
 * served from another host gets none), and are dropped when a redirect leaves it.
 */
export async function fetchChartArchive(
  url: string,
  repository: string,
  credentials?: Credentials,
  retry: IndexFetchRetry = { retries: 3, baseDelayMs: 500 }
): Promise<Buffer> {
  const repositoryUrl = repository.replace(/\/+$/, '')
  const sameOrigin = new URL(url).origin === new URL(repositoryUrl).origin
  return fetchRepositoryFile(url, repositoryUrl, sameOrigin ? credentials : undefined, MAX_ARCHIVE_BYTES, retry)
}

/** One file of a chart repository (its index, an archive) with retries; `credentials` only on `url`'s origin. */
async function fetchRepositoryFile(
  url: string,
  repositoryUrl: string,
  credentials: Credentials | undefined,
  maxBytes: number,
  retry: IndexFetchRetry
): Promise<Buffer> {
  const headers: Record<string, string> = { 'user-agent': ACTION_NAME }
  const withoutAuthorization = { ...headers }
  if (credentials) headers.authorization = basicAuth(credentials)
  const attempt = async (): Promise<Buffer> => {
    const limit = operationLimit(OPERATION_LIMITS.http)
    if (limit.ms <= 0) throw new DeadlineError(`GET ${url}`, 0, true)
    const mirrorHint =
      'check the dependency repository URL, or map it to a reachable mirror with the repository-mirrors input'
    try {
      const send = (current: URL, sameOrigin: boolean): ReturnType<typeof httpExchange> =>
        httpExchange('GET', current, sameOrigin ? headers : withoutAuthorization, limit.ms, maxBytes)
      const response = await followRedirects(new URL(url), MAX_INDEX_REDIRECTS, send)
      if (response.status === 401 || response.status === 403) {
        throw new IndexFetchError(
          `chart repository ${url} answered HTTP ${response.status}`,
          'a private repository needs dependency-username and dependency-password' +
            (/^http:/i.test(url)
              ? ' and https:// (credentials are never sent over plain http except to loopback)'
              : ''),
          false,
          repositoryUrl
        )
      }
      if (response.status < 200 || response.status > 299) {
        const transient = (response.status >= 500 && response.status !== 501) || response.status === 429
        const hint = 'check the dependency repository URL, or set repository-mirrors'
        throw new IndexFetchError(
          `chart repository ${url} answered HTTP ${response.status}`,
          hint,
          transient,
          repositoryUrl
        )
      }
      return response.body
    } catch (error) {
      if (error instanceof ActionError) throw error
      if (error instanceof RedirectError) {
        throw new IndexFetchError(
          `chart repository ${url}: redirect not followed (${error.reason}): ${error.location}`,
          mirrorHint,
          false,
          repositoryUrl
        )
      }
      const failure = error as NodeJS.ErrnoException
      if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
        if (limit.byRun) throw new DeadlineError(`GET ${url}`, limit.ms, true)
        throw new IndexFetchError(
          `chart repository ${url}: no answer within ${Math.round(limit.ms / 1000)} s`,
          mirrorHint,
          true,
          repositoryUrl
        )
      }
      if (failure.code === 'EBODYTOOLARGE') {
        throw new IndexFetchError(
          `chart repository ${url}: ${path.posix.basename(new URL(url).pathname)} is larger than ${maxBytes / 2 ** 20} MiB`,
          'check the dependency repository URL',
          false,
          repositoryUrl
        )
      }
      // Worded as for the registry; retried on fewer codes (a refused connection is a wrong URL more often).
      const reason = describeNetworkError(error, limit.ms).text
      const transient = failure.code !== undefined && TRANSIENT_CODES.has(failure.code)
      throw new IndexFetchError(
        `chart repository ${url} is unreachable: ${reason}`,
        mirrorHint,
        transient,
        repositoryUrl
      )
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
