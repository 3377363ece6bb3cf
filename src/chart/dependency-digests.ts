// Every dependency archive helm downloaded into charts/ is checked against what
// its repository vouches for before it is bundled: the sha256 `digest` of its
// entry in index.yaml (http repositories), or the chart layer digest of the
// manifest its tag names (OCI). Helm itself checks neither without provenance
// files, so an archive swapped on the server without reindexing would ship.
import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parseVersion } from '../util/semver.js'
import type { Finding } from '../types.js'
import type { Credentials } from '../credentials/credentials.js'
import { ociTag, parseOciReference, RegistryClient } from '../oci/registry.js'
import type { RepositoryIndex } from './repository-index.js'
import { applyMirrors, type RepositoryMirror } from './mirrors.js'
import type { WorkChart } from './work-chart.js'
import { plainHttpFix, repositoryHost } from '../net/net.js'

/** A dependency as the build fetched it: where from, and what the repository says it is. */
export interface ArchiveSource {
  name: string
  /** `index.yaml` URL or `oci://host/path/name`, for messages. */
  source: string
  /** The expected `sha256:<hex>` for an exact version; undefined when the repository does not say. */
  expectedDigest: (version: string) => Promise<string | undefined>
}

/** `abc…` or `sha256:abc…` → `sha256:abc…`; anything else undefined. */
export function normalizeDigest(digest: unknown): string | undefined {
  if (typeof digest !== 'string') return undefined
  const hex = digest
    .trim()
    .replace(/^sha256:/, '')
    .toLowerCase()
  return /^[0-9a-f]{64}$/.test(hex) ? `sha256:${hex}` : undefined
}

export function sha256Digest(content: Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`
}

/**
 * Checks `charts/<name>-<version>.tgz` of each source; returns an error
 * finding per archive whose sha256 differs from the repository's digest, and
 * a warning per archive the repository gives no digest for.
 */
export async function verifyDependencyArchives(chartsDir: string, sources: ArchiveSource[]): Promise<Finding[]> {
  let entries: string[] = []
  try {
    entries = await readdir(chartsDir)
  } catch {
    return []
  }
  const findings: Finding[] = []
  for (const source of sources) {
    for (const entry of entries) {
      if (!entry.startsWith(`${source.name}-`) || !entry.endsWith('.tgz')) continue
      const version = entry.slice(source.name.length + 1, -'.tgz'.length)
      if (!parseVersion(version)) continue
      const expected = await source.expectedDigest(version)
      const actual = sha256Digest(await readFile(path.join(chartsDir, entry)))
      if (!expected) {
        findings.push({
          rule: 'dependency-digest',
          severity: 'warning',
          message: `${source.source} gives no digest for ${source.name} ${version}: charts/${entry} could not be checked`,
          fix: "reindex the repository with `helm repo index` (it records each archive's sha256)"
        })
      } else if (expected !== actual) {
        findings.push({
          rule: 'dependency-digest',
          severity: 'error',
          message:
            `dependency ${source.name} ${version} downloaded as ${entry} has digest ${actual}, ` +
            `but ${source.source} says ${expected}: the archive is not what the repository vouches for, nothing is bundled`,
          fix:
            'the repository serves an archive that differs from its index (or tag): ' +
            'ask its owner to reindex or republish, or pin another version'
        })
      }
    }
  }
  return findings
}

/** Where the dependency build fetched from: mirrors applied, the indexes it read, how each registry is reached. */
export interface ArchiveOrigins {
  mirrors: RepositoryMirror[]
  credentialsFor: (repository: string) => Credentials | undefined
  indexes: readonly RepositoryIndex[]
  plainHttpFor: (host: string) => boolean
  /** Sibling blueprints built from source at this commit (dependency-plan.ts): no repository vouches for them. */
  fromSource?: ReadonlyMap<string, string>
}

/** A failed build's fix when an oci:// dependency on a loopback host was asked over TLS (input plain-http unset). */
export function ociLoopbackFix(work: WorkChart, origins: ArchiveOrigins, stderr: string): string | undefined {
  for (const dep of work.dependencies) {
    const effective = applyMirrors(dep.repository, origins.mirrors)
    if (!effective.startsWith('oci://')) continue
    const host = repositoryHost(effective)
    const fix = host === undefined ? undefined : plainHttpFix(host, origins.plainHttpFor(host), stderr)
    if (fix) return fix
  }
  return undefined
}

/** Where each downloaded dependency came from and how to ask for its expected digest. */
export function archiveSources(work: WorkChart, origins: ArchiveOrigins): ArchiveSource[] {
  const { indexes, plainHttpFor } = origins
  const sources: ArchiveSource[] = []
  for (const dep of work.dependencies) {
    if (dep.repository.startsWith('file://') || origins.fromSource?.has(dep.name)) continue
    const effective = applyMirrors(dep.repository, origins.mirrors)
    const index = indexes.find((candidate) => candidate.repository === effective)
    if (index) {
      const source = index.url
      const entries = index.entries()[dep.name] ?? []
      sources.push({
        name: dep.name,
        source,
        expectedDigest: async (version) =>
          normalizeDigest(entries.find((entry) => String(entry.version) === version)?.digest)
      })
    } else if (effective.startsWith('oci://')) {
      const { host, repository: base } = parseOciReference(effective)
      const repository = base ? `${base}/${dep.name}` : dep.name
      const credentials = origins.credentialsFor(`oci://${host}`)
      const client = new RegistryClient({ host, plainHttp: plainHttpFor(host), credentials })
      sources.push({
        name: dep.name,
        source: `oci://${host}/${repository}`,
        expectedDigest: (version) => client.chartLayerDigest(repository, ociTag(version))
      })
    }
  }
  return sources
}
