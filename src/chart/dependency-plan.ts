// The dependency build planned before helm runs, as pure decisions: which
// repository each dependency is fetched from (after repository-mirrors), the
// helm repository entries `helm repo add` would write, the OCI hosts to log
// into, whether plain HTTP may be used (loopback only), the Chart.yaml the
// build reads, and the version guard 1 expects of each dependency.
// dependencies.ts runs helm with it.
import path from 'node:path'
import type { Credentials } from '../credentials/credentials.js'
import { ActionError } from '../types.js'
import { isLoopbackHost } from '../net/net.js'
import { parseOciReference } from '../oci/registry.js'
import { maxSatisfying } from '../util/semver.js'
import type { IndexEntry } from './repository-index.js'
import { applyMirrors, type RepositoryMirror } from './mirrors.js'
import { editedChartYaml, type WorkChart } from './work-chart.js'

export interface DependencyPlanOptions {
  mirrors: RepositoryMirror[]
  /** Exact versions already resolved, by dependency name (the upstream's). */
  knownVersions: Map<string, string>
  /** Credentials for a repository URL (http or oci), or undefined: never sent to a host they are not for. */
  credentialsFor: (repository: string) => Credentials | undefined
  plainHttp: boolean
  /**
   * Sibling blueprints built from source at this commit (a pull request bundling a sibling version that is not
   * published yet: run/sibling-sources.ts): dependency name → the absolute folder of its built work copy. The build
   * reads each from there (`file://`) instead of its registry; never on a release.
   */
  fromSource?: ReadonlyMap<string, string>
}

export interface DependencyPlan {
  /**
   * The Chart.yaml the build reads when mirrors or relative `file://` paths changed a repository (with the
   * locked versions pinned in it); undefined when the work copy's own Chart.yaml is built as it is.
   */
  buildChartYaml?: string
  /** Each http(s) repository (after mirrors), once, with the name of its helm repository entry. */
  httpRepositories: { url: string; name: string }[]
  /** Hosts of the OCI repositories (after mirrors). */
  ociHosts: string[]
  /** What guard 1 expects of each dependency: the locked or resolved version, else Chart.yaml's version or range. */
  expected: Map<string, string>
  /** `helm dependency build` arguments. */
  args: string[]
}

/** A helm repository entry as `helm repo add` writes it into repositories.yaml. */
export interface RepositoryEntry {
  name: string
  url: string
  username?: string
  password?: string
}

/** A `helm registry login` before the build. */
export interface RegistryLogin {
  host: string
  credentials: Credentials
  plainHttp: boolean
}

/** Plain HTTP only ever reaches loopback registries, whatever the input says. */
export function plainHttpFor(options: Pick<DependencyPlanOptions, 'plainHttp'>, host: string): boolean {
  return options.plainHttp && isLoopbackHost(host)
}

/**
 * The http(s) repositories (after mirrors) whose index the build reads, once each in Chart.yaml's order: what
 * the run fetches at its start (run/prepare.ts), before the work copy and helm are ready.
 */
export function httpRepositoryUrls(
  dependencies: readonly { repository?: unknown }[],
  mirrors: readonly RepositoryMirror[]
): string[] {
  const urls = new Set<string>()
  for (const dep of dependencies) {
    const repository = typeof dep.repository === 'string' ? dep.repository : ''
    if (repository.startsWith('file://')) continue
    const effective = applyMirrors(repository, mirrors)
    if (/^https?:\/\//.test(effective)) urls.add(effective)
  }
  return [...urls]
}

/**
 * What guard 1 expects of each dependency before ranges are resolved against the indexes: a local one its
 * Chart.yaml version; any other the locked version, else the known (resolved) one, else Chart.yaml's.
 */
export function expectedVersions(
  work: Pick<WorkChart, 'dependencies' | 'lock'>,
  knownVersions: ReadonlyMap<string, string>
): Map<string, string> {
  const expected = new Map<string, string>()
  for (const dep of work.dependencies) {
    if (dep.repository.startsWith('file://')) {
      expected.set(dep.name, dep.version)
      continue
    }
    const locked = work.lock?.dependencies.find((entry) => entry.name === dep.name)?.version
    expected.set(dep.name, locked ?? knownVersions.get(dep.name) ?? dep.version)
  }
  return expected
}

export function planDependencyBuild(work: WorkChart, options: DependencyPlanOptions): DependencyPlan {
  // The build's Chart.yaml differs from the packaged one only with mirrors or local paths: the edits are collected,
  // and the text is parsed (the `yaml` library, cold on the way to the build) only then.
  const edits: [(string | number)[], string][] = []
  const ociHosts = new Set<string>()
  let rewritten = false
  const fromSource = options.fromSource ?? new Map<string, string>()
  if (work.publishing && fromSource.size > 0)
    // A release bundles only what is published (run/siblings-step.ts refuses it first): this is the last guard.
    throw new ActionError(
      `a release never bundles a sibling blueprint built from source (${[...fromSource.keys()].join(', ')}): release it first`
    )
  for (const [index, dep] of work.dependencies.entries()) {
    const repository = dep.repository
    const source = fromSource.get(dep.name)
    if (source !== undefined) {
      // Only the build's Chart.yaml points at the built sibling: the work copy's dependency keeps its registry, so
      // guard 1 expects the pinned version, the packaged Chart.yaml names the registry, and a lock written against
      // this path is not shipped (as with mirrors). Helm packs the folder into charts/ as `helm package` would.
      edits.push([['dependencies', index, 'repository'], `file://${source}`])
      rewritten = true
      continue
    }
    if (repository.startsWith('file://')) {
      const target = repository.slice('file://'.length)
      if (!path.isAbsolute(target)) {
        // The work copy lives elsewhere: make relative local dependencies absolute for the build.
        edits.push([['dependencies', index, 'repository'], `file://${path.resolve(work.sourceDir, target)}`])
        rewritten = true
      }
      continue
    }
    const effective = applyMirrors(repository, options.mirrors)
    if (effective !== repository.replace(/\/+$/, '')) {
      edits.push([['dependencies', index, 'repository'], effective])
      rewritten = true
    }
    if (effective.startsWith('oci://')) ociHosts.add(parseOciReference(effective).host)
    // With mirrors or local paths the build's Chart.yaml is not the committed one, so helm
    // cannot use the lock as it is: the build asks for exactly the locked versions instead.
    const locked = work.lock?.dependencies.find((entry) => entry.name === dep.name)?.version
    if (locked) edits.push([['dependencies', index, 'version'], locked])
  }
  const args = ['dependency', 'build', work.dir, '--skip-refresh']
  // One flag for every OCI dependency of the build: only when all of them are loopback.
  if (ociHosts.size > 0 && [...ociHosts].every((host) => plainHttpFor(options, host))) args.push('--plain-http')
  return {
    ...(rewritten ? { buildChartYaml: editedChartYaml(work.chartYamlText, edits) } : {}),
    httpRepositories: httpRepositoryUrls(work.dependencies, options.mirrors).map((url, i) => ({
      url,
      name: `bp-dep-${i}`
    })),
    ociHosts: [...ociHosts],
    expected: expectedVersions(work, options.knownVersions),
    args
  }
}

/**
 * Ranges of http dependencies without a lock or a known version, resolved against the same indexes the
 * build reads (`entries[i]`: the parsed index.yaml of `plan.httpRepositories[i]`), so guard 1 checks exact
 * versions. Returns the plan's expectations with those filled in.
 */
export function expectedFromIndexes(
  plan: Pick<DependencyPlan, 'httpRepositories' | 'expected'>,
  work: Pick<WorkChart, 'dependencies' | 'lock'>,
  options: Pick<DependencyPlanOptions, 'mirrors' | 'knownVersions'>,
  entries: readonly Record<string, IndexEntry[]>[]
): Map<string, string> {
  const expected = new Map(plan.expected)
  if (work.lock) return expected
  for (const [i, { url }] of plan.httpRepositories.entries()) {
    for (const dep of work.dependencies) {
      if (applyMirrors(dep.repository, options.mirrors) !== url || options.knownVersions.has(dep.name)) continue
      const versions = (entries[i][dep.name] ?? []).map((entry) => String(entry.version))
      const exact = maxSatisfying(versions, dep.version)
      if (exact) expected.set(dep.name, exact)
    }
  }
  return expected
}

/** After helm found the committed lock out of sync: what guard 1 expects without it (known versions, else Chart.yaml's). */
export function expectedWithoutLock(
  expected: ReadonlyMap<string, string>,
  work: Pick<WorkChart, 'dependencies'>,
  knownVersions: ReadonlyMap<string, string>
): Map<string, string> {
  const unlocked = new Map(expected)
  for (const dep of work.dependencies) {
    if (!dep.repository.startsWith('file://')) unlocked.set(dep.name, knownVersions.get(dep.name) ?? dep.version)
  }
  return unlocked
}

/** The repository entries for the build, with credentials only where `credentialsFor` routes them. */
export function repositoryEntries(
  plan: Pick<DependencyPlan, 'httpRepositories'>,
  credentialsFor: DependencyPlanOptions['credentialsFor']
): RepositoryEntry[] {
  return plan.httpRepositories.map(({ url, name }) => {
    const credentials = credentialsFor(url)
    return { name, url, ...(credentials ? { username: credentials.username, password: credentials.password } : {}) }
  })
}

/** The OCI hosts to log into before the build: those with credentials routed to them. */
export function registryLogins(
  plan: Pick<DependencyPlan, 'ociHosts'>,
  options: Pick<DependencyPlanOptions, 'credentialsFor' | 'plainHttp'>
): RegistryLogin[] {
  return plan.ociHosts.flatMap((host) => {
    const credentials = options.credentialsFor(`oci://${host}`)
    return credentials ? [{ host, credentials, plainHttp: plainHttpFor(options, host) }] : []
  })
}
