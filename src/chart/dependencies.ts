// Builds the work copy's dependencies with helm (\`helm dependency build\` in an
// isolated helm home given the repositories and their indexes), honours or
// reports the committed Chart.lock, checks each archive's digest, and runs
// hollow-chart guard 1 (chart/built-dependencies.ts).
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseDocument } from 'yaml'
import { archiveSources, verifyDependencyArchives } from './dependency-digests.js'
import { isOutOfSyncError, lockFinding, lockGeneratedAt } from './chart-lock.js'
import type { Helm } from '../helm/helm.js'
import { lastLines } from '../util/text.js'
import { parseOciReference } from '../oci/registry.js'
import { isLoopbackHost } from '../net/net.js'
import type { Credentials } from '../credentials/credentials.js'
import { redact } from '../util/secrets.js'
import { maxSatisfying } from '../util/semver.js'
import { ActionError, type Finding, type StepResult } from '../types.js'
import { applyMirrors, type IndexCache, type RepositoryMirror } from './upstream.js'
import { checkBuiltDependencies, type DependencyBuildData } from './built-dependencies.js'
import type { WorkChart } from './work-chart.js'

export interface BuildOptions {
  mirrors: RepositoryMirror[]
  /** The run's index cache: indexes the upstream resolution fetched are not fetched again. */
  indexes: IndexCache
  /** Exact versions already resolved, by dependency name (the upstream's). */
  knownVersions: Map<string, string>
  /** Credentials for a repository URL (http or oci), or undefined: never sent to a host they are not for. */
  credentialsFor: (repository: string) => Credentials | undefined
  plainHttp: boolean
  /** The package's time (commit time): a lock helm writes gets it as `generated`. */
  lockEpoch?: number
  /** Lock problems found while building (helm: out of sync) are added here. */
  lockFindings?: Finding[]
}
function repositoryName(index: number): string {
  return `bp-dep-${index}`
}

/**
 * Runs `helm dependency build` in the work copy. The isolated helm home is given
 * a repository entry (and cached index) for each http repository, which is what
 * `helm repo add` would write, so the build works with or without a Chart.lock
 * and no index is downloaded twice.
 */
export async function buildDependencies(
  helm: Helm,
  work: WorkChart,
  options: BuildOptions
): Promise<StepResult<DependencyBuildData>> {
  const start = performance.now()
  const buildDoc = parseDocument(work.chartYamlText)
  const httpRepositories = new Map<string, string>() // effective URL → repo name
  const ociHosts = new Set<string>()
  const expected = new Map<string, string>() // dependency name → exact version or range
  let rewritten = false
  for (const [index, dep] of work.dependencies.entries()) {
    const repository = dep.repository
    if (repository.startsWith('file://')) {
      const target = repository.slice('file://'.length)
      if (!path.isAbsolute(target)) {
        // The work copy lives elsewhere: make relative local dependencies absolute for the build.
        buildDoc.setIn(['dependencies', index, 'repository'], `file://${path.resolve(work.sourceDir, target)}`)
        rewritten = true
      }
      expected.set(dep.name, dep.version)
      continue
    }
    const effective = applyMirrors(repository, options.mirrors)
    if (effective !== repository.replace(/\/+$/, '')) {
      buildDoc.setIn(['dependencies', index, 'repository'], effective)
      rewritten = true
    }
    if (effective.startsWith('oci://')) ociHosts.add(parseOciReference(effective).host)
    else if (/^https?:\/\//.test(effective) && !httpRepositories.has(effective))
      httpRepositories.set(effective, repositoryName(httpRepositories.size))
    const locked = work.lock?.dependencies.find((entry) => entry.name === dep.name)?.version
    if (locked) buildDoc.setIn(['dependencies', index, 'version'], locked)
    expected.set(dep.name, locked ?? options.knownVersions.get(dep.name) ?? dep.version)
  }

  // Indexes: reuse what upstream resolution fetched; fetch the others concurrently.
  const indexes = await Promise.all(
    [...httpRepositories.keys()].map((url) => options.indexes.fetch(url, options.credentialsFor(url)))
  )
  const repositories = [...httpRepositories.entries()].map(([url, name]) => {
    const credentials = options.credentialsFor(url)
    return { name, url, ...(credentials ? { username: credentials.username, password: credentials.password } : {}) }
  })
  await writeFile(
    helm.home.repositoryConfig,
    JSON.stringify({ apiVersion: '', generated: '0001-01-01T00:00:00Z', repositories }, null, 2)
  )
  await Promise.all(
    [...httpRepositories.values()].map((name, i) =>
      writeFile(path.join(helm.home.repositoryCache, `${name}-index.yaml`), indexes[i].text)
    )
  )
  // Ranges of the other http dependencies resolve against the same indexes, so guard 1 can check exact versions.
  for (const [i, [url]] of [...httpRepositories.entries()].entries()) {
    const entries = indexes[i].entries()
    for (const dep of work.dependencies) {
      if (applyMirrors(dep.repository, options.mirrors) !== url || options.knownVersions.has(dep.name) || work.lock)
        continue
      const versions = (entries[dep.name] ?? []).map((entry) => String(entry.version))
      const exact = maxSatisfying(versions, dep.version)
      if (exact) expected.set(dep.name, exact)
    }
  }

  // Plain HTTP only ever reaches loopback registries, whatever the input says.
  const plainHttpFor = (host: string): boolean => options.plainHttp && isLoopbackHost(host)
  try {
    for (const host of ociHosts) {
      const credentials = options.credentialsFor(`oci://${host}`)
      if (!credentials) continue
      const login = await helm.registryLogin(host, credentials, plainHttpFor(host))
      if (login.exitCode !== 0) {
        throw new ActionError(
          `registry ${host} refused the login for dependency download: ${lastLines(redact(login.stderr), 2)}`,
          'check dependency-username/dependency-password (or registry-username/registry-password)'
        )
      }
    }

    const lockPath = path.join(work.dir, 'Chart.lock')
    // With mirrors or local paths the build's Chart.yaml is not the committed one, so
    // helm cannot use the lock as it is: the build asks for exactly the locked versions
    // instead (set above), and the committed lock is put back for the package.
    if (rewritten) await writeFile(path.join(work.dir, 'Chart.yaml'), buildDoc.toString())
    else if (work.lock) await writeFile(lockPath, work.lock.text)
    const args = ['dependency', 'build', work.dir, '--skip-refresh']
    // One flag for every OCI dependency of the build: only when all of them are loopback.
    if (ociHosts.size > 0 && [...ociHosts].every(plainHttpFor)) args.push('--plain-http')
    let result = await helm.run(args)
    if (result.exitCode !== 0 && work.lock && !rewritten && isOutOfSyncError(result.stderr + result.stdout)) {
      // Helm's digest over Chart.yaml's dependencies disagrees with the lock's: it does not
      // fit. A finding (an error on a release), and the run goes on from Chart.yaml alone.
      const lockFile = work.lock.displayPath
      options.lockFindings?.push(
        lockFinding(
          `${lockFile} is out of sync with Chart.yaml (helm dependency build: ${lastLines(redact(result.stderr), 1)})`,
          lockFile,
          work.displayDir ?? '.',
          Boolean(work.publishing)
        )
      )
      delete work.lock
      for (const dep of work.dependencies) {
        if (!dep.repository.startsWith('file://'))
          expected.set(dep.name, options.knownVersions.get(dep.name) ?? dep.version)
      }
      await rm(lockPath, { force: true })
      result = await helm.run(args)
    }
    if (rewritten) {
      // The package must name the real repositories, not mirrors or local paths.
      await writeFile(path.join(work.dir, 'Chart.yaml'), work.chartYamlText)
    }
    if (work.lock) {
      // Shipped as committed (helm package writes its own serialization of it).
      await writeFile(lockPath, work.lock.text)
    } else if (rewritten) {
      // A lock written against mirrors or local paths would mislead: not shipped.
      await rm(lockPath, { force: true })
    } else if (options.lockEpoch !== undefined) {
      const written = await readFile(lockPath, 'utf8').catch(() => undefined)
      if (written !== undefined) await writeFile(lockPath, lockGeneratedAt(written, options.lockEpoch))
    }
    const durationMs = Math.round(performance.now() - start)
    if (result.exitCode !== 0) {
      return {
        id: 'dependency-build',
        title: 'Dependency build',
        status: 'failed',
        durationMs,
        summary: 'helm dependency build failed',
        findings: [
          {
            rule: 'dependency-build',
            severity: 'error',
            message: `helm dependency build failed: ${lastLines(redact(result.stderr), 3)}`,
            fix: 'check the dependencies in Chart.yaml and their repositories (repository-mirrors for air-gapped runners)'
          }
        ],
        details: redact(result.stderr + result.stdout)
      }
    }
    const digestFindings = await verifyDependencyArchives(
      path.join(work.dir, 'charts'),
      archiveSources(work, options, indexes, plainHttpFor)
    )
    const checked = await checkBuiltDependencies(work, expected)
    const digestFailed = digestFindings.some((finding) => finding.severity === 'error')
    const guard = digestFindings.length
      ? {
          ...checked,
          status: digestFailed ? ('failed' as const) : checked.status,
          summary: digestFailed ? 'a dependency archive differs from what its repository vouches for' : checked.summary,
          findings: [...digestFindings, ...checked.findings]
        }
      : checked
    const repositoryList = [...httpRepositories.keys(), ...[...ociHosts].map((host) => `oci://${host}`)]
    return {
      ...guard,
      durationMs: Math.round(performance.now() - start),
      details: redact(result.stdout + result.stderr).trim() || undefined,
      data: guard.data ? { ...guard.data, repositories: repositoryList } : undefined
    }
  } finally {
    // The credentials are needed for the download only. Chart test scripts run
    // later as the same user: nothing of them stays in the helm home (publish
    // logs in again with the registry's own).
    await forgetCredentials(helm, repositories)
  }
}
/** Rewrites the repository config without usernames and passwords, and drops registry logins. */
async function forgetCredentials(helm: Helm, repositories: { name: string; url: string }[]): Promise<void> {
  const anonymous = repositories.map(({ name, url }) => ({ name, url }))
  await Promise.all([
    writeFile(
      helm.home.repositoryConfig,
      JSON.stringify({ apiVersion: '', generated: '0001-01-01T00:00:00Z', repositories: anonymous }, null, 2)
    ),
    rm(helm.home.registryConfig, { force: true })
  ])
}
