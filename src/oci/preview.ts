// The publish preview of a pull request: what merging this chart would publish, judged as the release would judge
// it (oci/push.ts: the same layer digest, or the same files with other timestamps, is "already published"; other
// content is refused). The tag is asked for at once, one request (`GET` of its manifest, which names the chart
// layer) sent when the run starts, so its round trip overlaps the dependency build; once the chart is packaged the
// layer digests are compared, and only when they differ is the published archive pulled to compare its files
// (beside the gates). A registry that cannot be asked is a warning: a preview never fails a pull request on its own.
import type { Credentials } from '../credentials/credentials.js'
import type { PublishPreview } from '../types.js'
import { compareVersions, parseVersion } from '../util/semver.js'
import { comparePublished } from './push.js'
import type { PackagedChart } from './package.js'
import { RegistryClient, chartRef, chartRepository, ociTag, type ChartLookup, type RegistryTarget } from './registry.js'

export interface PreviewOptions {
  target: RegistryTarget
  credentials?: Credentials
  name: string
  version: string
  /** Requests retried on a 5xx or a network error (default 1: a preview must not hold the run up). */
  retries?: number
  baseDelayMs?: number
}

export interface StartedPreview {
  /** The preview once the package is there (undefined: it could not be packaged; the tag is still reported). */
  judge(packaged: PackagedChart | undefined): Promise<PublishPreview>
}

/** Starts the lookup of the tag now; `judge` compares with the package once it exists. */
export function startPreview(options: PreviewOptions): StartedPreview {
  const { target, name, version } = options
  const ref = chartRef(target, name, version)
  const repository = chartRepository(target, name)
  const client = new RegistryClient({
    host: target.host,
    plainHttp: target.plainHttp,
    credentials: options.credentials,
    retries: options.retries ?? 1,
    baseDelayMs: options.baseDelayMs ?? 500
  })
  const lookup: Promise<ChartLookup | { error: string }> = client
    .chartManifest(repository, ociTag(version))
    .catch((error: unknown) => ({ error: error instanceof Error ? error.message : String(error) }))
  return {
    judge: async (packaged) => {
      const found = await lookup
      if ('error' in found) return { state: 'unreachable', ref, reason: found.error }
      if (!found.exists) return { state: 'unpublished', ref }
      if (packaged && found.layerDigest === packaged.layerDigest) return { state: 'same', ref, digest: found.digest }
      if (!packaged) return { state: 'published', ref, digest: found.digest }
      // Same files, other timestamps (a shallow checkout, a later commit that left the chart alone): the same chart.
      const comparison = found.layerDigest
        ? await comparePublished(client, repository, found.digest, packaged, found.layerDigest)
        : undefined
      if (comparison?.same) return { state: 'same', ref, digest: found.digest }
      const tags = await client.listTags(repository).catch(() => [] as string[])
      return {
        state: 'other',
        ref,
        digest: found.digest,
        differing: comparison?.differing ?? [],
        dependenciesOnly: comparison?.dependenciesOnly ?? false,
        freeVersion: freeVersion(version, tags)
      }
    }
  }
}

/**
 * The next patch version after `version` that `tags` does not hold (the tags as OCI writes them: `_` for `+`),
 * and above every published version of the same major.minor (so a free version is not below one already out).
 */
export function freeVersion(version: string, tags: readonly string[]): string | undefined {
  const current = parseVersion(version)
  if (!current) return undefined
  const published = new Set(tags.map((tag) => tag.replace(/_/g, '+')))
  let patch = current.patch + 1
  for (const text of published) {
    const v = parseVersion(text)
    if (v && v.major === current.major && v.minor === current.minor && compareVersions(v, current) > 0) {
      patch = Math.max(patch, v.patch + 1)
    }
  }
  for (;;) {
    const candidate = `${current.major}.${current.minor}.${patch}`
    if (!published.has(candidate)) return candidate
    patch++
  }
}
