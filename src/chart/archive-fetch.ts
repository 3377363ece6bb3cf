// A dependency's archive fetched by the action itself, not by `helm dependency build`: for a chart the run builds
// besides its own (a blueprint blueprint.yaml spec.depends names: chart/workspace-build.ts). Through the same path
// as the run's own build: repository-mirrors, the run's IndexCache (each index.yaml once per run), the credentials
// routed to that repository; the version as helm picks it (the locked one, else the highest the range allows); the
// archive checked against what its repository vouches for (index.yaml's `digest`, the OCI manifest's chart layer)
// before anyone reads it. Each archive is fetched once per run (ArchiveCache), and one the run's own build already
// downloaded is read from its charts/ instead. The credentials stay in this process: no helm home holds them, so a
// chart test script running meanwhile finds none (docs/threat-model.md).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ChartDependency } from './blueprint.js'
import { plainHttpFor, type DependencyPlanOptions } from './dependency-plan.js'
import { normalizeDigest, sha256Digest } from './dependency-digests.js'
import { applyMirrors } from './mirrors.js'
import { fetchChartArchive, type IndexCache } from './repository-index.js'
import { ociTag, parseOciReference, RegistryClient } from '../oci/registry.js'
import { ActionError } from '../types.js'
import { isExactVersion, maxSatisfying } from '../util/semver.js'

/** How the run reaches dependency repositories: what its own dependency build was given. */
export interface ArchiveFetchOptions extends Pick<DependencyPlanOptions, 'mirrors' | 'credentialsFor' | 'plainHttp'> {
  indexes: IndexCache
}

export interface FetchedArchive {
  name: string
  version: string
  /** Where it came from (the archive's URL, `oci://host/repository:tag`, or the run's own charts/), for messages. */
  source: string
  data: Buffer
  /**
   * How its content is vouched for: `digest` (the repository's digest matched), `unchecked` (the index gives no
   * digest), `reused` (the run's own build downloaded and checked it).
   */
  check: 'digest' | 'unchecked' | 'reused'
}

/** Each archive of a run once: the first asker fetches it, the others get the same promise. */
export class ArchiveCache {
  private readonly archives = new Map<string, Promise<FetchedArchive>>()
  private readonly tagLists = new Map<string, Promise<string[]>>()
  /** Archives downloaded (not read from the run's own charts/): the report's count. */
  downloads = 0

  /**
   * The archives the run's own dependency build put into `chartDir/charts/` (`built`: name → version), so another
   * build that pins the same chart of the same repository reads them instead of fetching them again. Read on
   * first use; one that is not there is fetched as usual.
   */
  reuseBuilt(
    chartDir: string,
    dependencies: readonly ChartDependency[],
    built: Readonly<Record<string, string>>,
    options: Pick<ArchiveFetchOptions, 'mirrors'>
  ): void {
    for (const dep of dependencies) {
      const version = built[dep.name]
      if (!version || !dep.repository || dep.repository.startsWith('file://')) continue
      const file = path.join(chartDir, 'charts', `${dep.name}-${version}.tgz`)
      const key = archiveKey(applyMirrors(dep.repository, options.mirrors), dep.name, version)
      if (this.archives.has(key)) continue
      const read = readFile(file).then((data): FetchedArchive => {
        return { name: dep.name, version, source: `the run's charts/${path.basename(file)}`, data, check: 'reused' }
      })
      read.catch(() => this.archives.delete(key)) // not there: the next asker fetches it
      this.archives.set(key, read)
    }
  }

  /** The archive under `key`, fetched by `fetch` only when no one asked for it before. */
  async once(key: string, fetch: () => Promise<FetchedArchive>): Promise<FetchedArchive> {
    const known = this.archives.get(key)
    if (known) {
      try {
        return await known
      } catch (error) {
        // A reused file that was not there falls through to a fetch; a failed fetch is every asker's error.
        if (this.archives.get(key) === known) throw error
        return this.once(key, fetch)
      }
    }
    const fetched = fetch().then((archive) => {
      this.downloads++
      return archive
    })
    this.archives.set(key, fetched)
    return fetched
  }

  /** An OCI repository's tags, listed once per run. */
  tags(repository: string, list: () => Promise<string[]>): Promise<string[]> {
    let tags = this.tagLists.get(repository)
    if (!tags) {
      tags = list()
      this.tagLists.set(repository, tags)
    }
    return tags
  }
}

function archiveKey(repository: string, name: string, version: string): string {
  return `${repository.replace(/\/+$/, '')}\0${name}\0${version}`
}

/** The version helm builds: the locked one, else the highest of `available` the Chart.yaml version or range allows. */
function pickVersion(dep: ChartDependency, locked: string | undefined, available: string[], source: string): string {
  if (locked) return locked
  let version: string | undefined
  try {
    version = maxSatisfying(available, dep.version)
  } catch (error) {
    throw new ActionError(
      `dependency ${dep.name}: version "${dep.version}" is no version or range (${(error as Error).message})`,
      'give an exact version or a range helm reads, e.g. 1.2.3 or ^1.2'
    )
  }
  if (!version)
    throw new ActionError(
      `${source} has no ${dep.name} matching ${dep.version} (it has ${available.slice(-5).join(', ') || 'none'})`,
      `check dependency ${dep.name}'s version in Chart.yaml`
    )
  return version
}

/**
 * The archive of one dependency (http(s) or oci:// repository; not `file://`, which is a folder of the workspace),
 * at its locked version when `locked` is given: fetched, checked against its repository's digest (a mismatch
 * throws, naming both), once per run.
 */
export async function fetchDependencyArchive(
  dep: ChartDependency,
  locked: string | undefined,
  options: ArchiveFetchOptions,
  cache: ArchiveCache
): Promise<FetchedArchive> {
  const repository = applyMirrors(dep.repository, options.mirrors)
  if (repository.startsWith('oci://')) return fetchOciArchive(dep, locked, repository, options, cache)
  if (!/^https?:\/\//.test(repository))
    throw new ActionError(
      `dependency ${dep.name}: repository "${dep.repository}" is neither http(s):// nor oci:// nor file://`,
      'point the dependency at a chart repository'
    )
  const credentials = options.credentialsFor(repository)
  const index = await options.indexes.fetch(repository, credentials)
  const entries = index.entries()[dep.name] ?? []
  const version = pickVersion(
    dep,
    locked,
    entries.map((entry) => String(entry.version)),
    index.url
  )
  const entry = entries.find((candidate) => String(candidate.version) === version)
  const url = entry?.urls?.[0]
  if (!entry || !url)
    throw new ActionError(
      `${index.url} has no archive URL for ${dep.name} ${version}`,
      `check dependency ${dep.name}'s version in Chart.yaml`
    )
  return cache.once(archiveKey(repository, dep.name, version), async () => {
    // A relative URL is relative to the repository, as helm reads it.
    const absolute = new URL(url, `${repository}/`).href
    const data = await fetchChartArchive(absolute, repository, credentials)
    const expected = normalizeDigest(entry.digest)
    const actual = sha256Digest(data)
    if (expected && expected !== actual)
      throw new ActionError(
        `dependency ${dep.name} ${version} from ${absolute} has digest ${actual}, but ${index.url} says ${expected}`,
        'the repository serves an archive that differs from its index: ask its owner to reindex, or pin another version'
      )
    return { name: dep.name, version, source: absolute, data, check: expected ? 'digest' : 'unchecked' }
  })
}

async function fetchOciArchive(
  dep: ChartDependency,
  locked: string | undefined,
  repository: string,
  options: ArchiveFetchOptions,
  cache: ArchiveCache
): Promise<FetchedArchive> {
  const { host, repository: base } = parseOciReference(repository)
  const name = base ? `${base}/${dep.name}` : dep.name
  const client = new RegistryClient({
    host,
    plainHttp: plainHttpFor(options, host),
    credentials: options.credentialsFor(`oci://${host}`)
  })
  const source = `oci://${host}/${name}`
  // An exact version is its tag; a range is resolved against the tags (OCI tags hold `_` for `+`), as helm does.
  const version =
    locked ??
    (isExactVersion(dep.version)
      ? dep.version.replace(/^[\s=]+/, '').trim()
      : pickVersion(
          dep,
          undefined,
          (await cache.tags(source, () => client.listTags(name))).map((tag) => tag.replace(/_/g, '+')),
          source
        ))
  return cache.once(archiveKey(repository, dep.name, version), async () => {
    const tag = ociTag(version)
    const manifest = await client.manifest(name, tag)
    if (!manifest.exists)
      throw new ActionError(`${source}:${tag} does not exist`, `check dependency ${dep.name}'s version in Chart.yaml`)
    const pulled = await client.pullChart(name, manifest.digest)
    if (pulled.manifestDigest !== manifest.digest || pulled.archiveDigest !== pulled.layerDigest)
      throw new ActionError(
        `dependency ${dep.name} ${version} from ${source}:${tag}: the registry served content that differs from its digest`,
        'try again; if it persists, the registry is not serving what the tag names'
      )
    return { name: dep.name, version, source: `${source}:${tag}`, data: pulled.archive, check: 'digest' }
  })
}
