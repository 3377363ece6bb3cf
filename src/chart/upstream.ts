// Resolves the upstream chart version the blueprint wraps: the dependency's
// version or range in Chart.yaml, against the repository's index (or an OCI
// registry's tags), as Helm would; reports drift and checks values.yaml agrees.
import type { Blueprint, ChartDependency } from './blueprint.js'
import { applyMirrors, type RepositoryMirror } from './mirrors.js'
import { readIndex, type IndexCache } from './repository-index.js'
import { RegistryClient, RegistryError, ociTag, parseOciReference } from '../oci/registry.js'
import type { Credentials } from '../credentials/credentials.js'
import { isLoopbackHost, plainHttpFix } from '../net/net.js'
import {
  compareVersions,
  describeDrift,
  isExactVersion,
  latestStable,
  maxSatisfying,
  parseConstraint,
  parseVersion,
  sameVersion,
  type SemVer
} from '../util/semver.js'
import { ActionError, type Finding, type StepResult, type UpstreamInfo } from '../types.js'

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

interface AvailableVersions {
  versions: string[]
  source: string
  /** Set when the registry's tag list was too large to read: `versions` is then the exact pin alone (it exists). */
  unlisted?: string
}

/**
 * The versions a repository has. An OCI registry's tags are listed page by page; a list too large to read
 * (more than 1000 pages, a page over 16 MiB) is no failure for an exact pin (`exact`): it is resolved by its tag alone
 * (one manifest request), and only the drift report, which needs the list, is lost.
 */
async function availableVersions(
  repository: string,
  name: string,
  options: Pick<ResolveUpstreamOptions, 'credentialsFor' | 'plainHttp' | 'indexes'>,
  exact: string | undefined
): Promise<AvailableVersions> {
  if (repository.startsWith('oci://')) {
    const { host, repository: path } = parseOciReference(repository)
    // Plain HTTP only ever reaches loopback registries, whatever the input says.
    const client = new RegistryClient({
      host,
      plainHttp: options.plainHttp && isLoopbackHost(host),
      credentials: options.credentialsFor?.(repository)
    })
    const source = `${repository}/${name}`
    const tagRepository = path ? `${path}/${name}` : name
    try {
      const tags = await client.listTags(tagRepository)
      // OCI tags cannot hold '+': Helm publishes build metadata with '_'.
      return { versions: tags.map((tag) => tag.replace(/_/g, '+')), source }
    } catch (error) {
      if (!(error instanceof RegistryError && error.kind === 'too-large')) {
        const message = (error as Error).message
        const fix = plainHttpFix(host, options.plainHttp, message)
        if (fix) throw new ActionError(`dependency ${name}: listing the tags of ${source} failed: ${message}`, fix)
        throw error
      }
      // An exact pin is its tag: resolved without the list (which only the drift report needs).
      if (exact !== undefined && (await client.manifest(tagRepository, ociTag(exact))).exists) {
        return { versions: [exact], source, unlisted: error.message }
      }
      throw new ActionError(
        exact === undefined
          ? `${error.message} A version range needs the list to be resolved.`
          : `${source} has no tag ${ociTag(exact)}, and its tag list is too large to read: ${error.message}`,
        exact === undefined
          ? `pin an exact version in Chart.yaml (e.g. ${name} 1.2.3): an exact version is resolved by its tag, without the list`
          : `pin ${name} to a version the registry has`
      )
    }
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
  // The one version the run can only end at (an exact pin, or the committed Chart.lock's): it needs no tag list.
  const exact =
    range !== 'latest' && isExactVersion(range)
      ? range.replace(/^[\s=]+/, '').trim()
      : options.locked && !options.override
        ? options.locked
        : undefined
  const { versions, source, unlisted } = await availableVersions(effectiveRepository, dependency.name, options, exact)
  const sorted = sortAscending(versions)
  const latest = unlisted ? undefined : latestStable(sorted)
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
  if (unlisted) {
    findings.push({
      rule: 'upstream-drift-unknown',
      severity: 'warning',
      message: `${dependency.name} ${resolved} is pinned and exists in ${source}, but whether a newer release is out is unknown: ${unlisted}`,
      fix: `check ${source} for newer releases yourself; the registry's tag list is too large for the action to read (more than 1000 pages, or a page over 16 MiB)`,
      file: chartFile,
      line: pinLine
    })
  }
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
    (unlisted
      ? ', newer releases unknown (tag list too large)'
      : drift.outdated && latest
        ? `, ${latest} available`
        : latest
          ? ', up to date'
          : '')
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
    // Versions compare as Helm compares them: `v1.21.1` in values.yaml names the index's `1.21.1`.
    if (key === 'version' ? sameVersion(normalized, expected) : normalized === expected) continue
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
