// Prepares a private work copy of the chart (the user's tree is never
// written), builds its dependencies with helm, and checks the upstream payload
// really landed in charts/ (hollow-chart guard 1).
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parse as parseYaml, parseDocument } from 'yaml'
import type { Blueprint, ChartDependency } from './blueprint.js'
import { isNoUpstream } from './blueprint.js'
import { normalizeDigest, verifyDependencyArchives, type ArchiveSource } from './dependency-digests.js'
import {
  isOutOfSyncError,
  lockFinding,
  lockGeneratedAt,
  lockMismatches,
  parseLock,
  type CommittedLock
} from './chart-lock.js'
import type { Helm } from '../helm/helm.js'
import { lastLines } from '../util/text.js'
import { ociTag, parseOciReference, RegistryClient } from '../oci/registry.js'
import { isLoopbackHost } from '../net/net.js'
import type { Credentials } from '../credentials/credentials.js'
import { redact } from '../util/secrets.js'
import { maxSatisfying, parseConstraint, parseVersion } from '../util/semver.js'
import { ActionError, type Finding, type StepResult } from '../types.js'
import { applyMirrors, parseIndex, type IndexCache, type RepositoryMirror } from './upstream.js'
import { copyChartFolder } from './work-copy.js'

export interface WorkChart {
  /** Absolute path of the work copy. */
  dir: string
  /** Absolute path of the chart in the user's tree (read only). */
  sourceDir: string
  name: string
  version: string
  /** Chart.yaml as it will be packaged (version override and upstream override applied). */
  chartYamlText: string
  dependencies: ChartDependency[]
  /** Path of the chart folder relative to the workspace, for findings. */
  displayDir?: string
  /** The committed Chart.lock when it satisfies Chart.yaml: the build uses it and the package ships it. */
  lock?: CommittedLock
  /** A release: a lock that does not fit is an error (else a warning). */
  publishing?: boolean
}

export interface PrepareOptions {
  blueprint: Blueprint
  workRoot: string
  /** Packaged version (input `version` or a tag); undefined keeps Chart.yaml's. */
  version?: string
  /** Set when input upstream-version overrode the pin: the work copy depends on exactly this version. */
  upstreamOverride?: { index: number; version: string }
  /** A release: a committed Chart.lock that does not fit Chart.yaml is an error, not a warning. */
  publishing?: boolean
}

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

export interface DependencyBuildData {
  /** Exact version of each dependency that landed under charts/. */
  built: Record<string, string>
  repositories: string[]
}

export async function prepareWorkChart(options: PrepareOptions): Promise<{ work: WorkChart; findings: Finding[] }> {
  const { blueprint } = options
  const source = path.resolve(blueprint.workspace, blueprint.chartDir)
  const chartName = blueprint.chartYaml.data.name
  const dir = path.join(options.workRoot, chartName)
  await rm(dir, { recursive: true, force: true })
  await mkdir(options.workRoot, { recursive: true })
  // Downloaded archives are rebuilt; unpacked subcharts under charts/ are the
  // chart's own and are kept. The lock is placed by the build when it is honoured.
  // A real copy, also when the chart or blueprint folder is a link; links leaving the chart are refused.
  await copyChartFolder({
    source,
    destination: dir,
    displayDir: blueprint.chartDir,
    exclude: (rel) => rel === 'Chart.lock' || (path.posix.dirname(rel) === 'charts' && rel.endsWith('.tgz'))
  })
  const doc = parseDocument(await readFile(path.join(source, 'Chart.yaml'), 'utf8'))
  if (options.version) doc.set('version', options.version)
  if (options.upstreamOverride)
    doc.setIn(['dependencies', options.upstreamOverride.index, 'version'], options.upstreamOverride.version)
  const chartYamlText = doc.toString()
  // A Chart.yaml that is a link is replaced by a file, not written through.
  await rm(path.join(dir, 'Chart.yaml'), { force: true })
  await writeFile(path.join(dir, 'Chart.yaml'), chartYamlText)
  const dependencies = ((parseYaml(chartYamlText) as { dependencies?: ChartDependency[] }).dependencies ?? []).map(
    (dep) => ({
      ...dep,
      version: String(dep.version),
      repository: dep.repository ? String(dep.repository) : ''
    })
  )
  const work: WorkChart = {
    dir,
    sourceDir: source,
    name: chartName,
    version: options.version ?? blueprint.chartYaml.data.version,
    chartYamlText,
    dependencies,
    displayDir: blueprint.chartDir,
    publishing: options.publishing
  }
  const { lock, findings } = await committedLock(blueprint, source, dependencies, options)
  if (lock) work.lock = lock
  return { work, findings }
}

/**
 * The committed Chart.lock, when it satisfies Chart.yaml (it is then honoured:
 * built from and shipped as committed); otherwise findings saying why not.
 * An upstream-version override asks for another upstream on purpose: the lock
 * does not apply to that run, and a mismatch is only a warning.
 */
async function committedLock(
  blueprint: Blueprint,
  source: string,
  dependencies: ChartDependency[],
  options: PrepareOptions
): Promise<{ lock?: CommittedLock; findings: Finding[] }> {
  let text: string
  try {
    text = await readFile(path.join(source, 'Chart.lock'), 'utf8')
  } catch {
    return { findings: [] }
  }
  const lockFile = path.join(blueprint.chartDir, 'Chart.lock')
  const strict = Boolean(options.publishing) && !options.upstreamOverride
  const lock = parseLock(text, lockFile)
  if (!lock)
    return {
      findings: [
        lockFinding(
          `${lockFile} is not a Chart.lock (no YAML with a dependencies list)`,
          lockFile,
          blueprint.chartDir,
          strict
        )
      ]
    }
  const problems = lockMismatches(lock, dependencies, blueprint.chartYaml.displayPath)
  const findings = problems.map((problem) => lockFinding(problem, lockFile, blueprint.chartDir, strict))
  if (options.upstreamOverride) {
    for (const finding of findings)
      finding.message = `${finding.message.replace(/: this run built.*$/, '')}: input upstream-version overrides it for this run`
    return { findings }
  }
  return problems.length ? { findings } : { lock, findings }
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
    [...httpRepositories.keys()].map(
      async (url) => (await options.indexes.fetch(url, options.credentialsFor(url))).text
    )
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
      writeFile(path.join(helm.home.repositoryCache, `${name}-index.yaml`), indexes[i])
    )
  )
  // Ranges of the other http dependencies resolve against the same indexes, so guard 1 can check exact versions.
  for (const [i, [url]] of [...httpRepositories.entries()].entries()) {
    const entries = parseIndex(indexes[i], `${url}/index.yaml`)
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
      archiveSources(
        work,
        options,
        [...httpRepositories.keys()].map((url, i) => ({ url, text: indexes[i] })),
        plainHttpFor
      )
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

/** Where each downloaded dependency came from and how to ask for its expected digest. */
function archiveSources(
  work: WorkChart,
  options: BuildOptions,
  indexes: { url: string; text: string }[],
  plainHttpFor: (host: string) => boolean
): ArchiveSource[] {
  const sources: ArchiveSource[] = []
  for (const dep of work.dependencies) {
    if (dep.repository.startsWith('file://')) continue
    const effective = applyMirrors(dep.repository, options.mirrors)
    const index = indexes.find((candidate) => candidate.url === effective)
    if (index) {
      const source = `${index.url}/index.yaml`
      const entries = parseIndex(index.text, source)[dep.name] ?? []
      sources.push({
        name: dep.name,
        source,
        expectedDigest: async (version) =>
          normalizeDigest(entries.find((entry) => String(entry.version) === version)?.digest)
      })
    } else if (effective.startsWith('oci://')) {
      const { host, repository: base } = parseOciReference(effective)
      const repository = base ? `${base}/${dep.name}` : dep.name
      const credentials = options.credentialsFor(`oci://${host}`)
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

/** Hollow-chart guard 1: every declared dependency is under charts/ at the expected version. */
async function checkBuiltDependencies(
  work: WorkChart,
  expected: Map<string, string>
): Promise<StepResult<DependencyBuildData>> {
  const chartsDir = path.join(work.dir, 'charts')
  let entries: string[] = []
  try {
    entries = await readdir(chartsDir)
  } catch {
    entries = []
  }
  const built: Record<string, string> = {}
  const findings: Finding[] = []
  for (const dep of work.dependencies) {
    const wanted = expected.get(dep.name) ?? dep.version
    const found = await findBuiltVersion(chartsDir, entries, dep.name)
    const ok = found.some((version) => {
      const parsed = parseVersion(version)
      try {
        return parsed !== undefined && (version === wanted || parseConstraint(wanted).test(parsed))
      } catch {
        return version === wanted
      }
    })
    if (ok) built[dep.name] = found.find((version) => version === wanted) ?? found[0]
    else
      findings.push({
        rule: 'hollow-chart',
        severity: 'error',
        message: found.length
          ? `charts/ holds ${dep.name} ${found.join(', ')}, but ${wanted} was expected after helm dependency build`
          : `charts/ has no ${dep.name} (${wanted}) after helm dependency build: the chart would ship without its upstream payload`,
        fix: `check dependency ${dep.name} in Chart.yaml and that .helmignore does not drop charts/`
      })
  }
  const summary = findings.length
    ? `${findings.length} of ${work.dependencies.length} dependencies missing under charts/`
    : work.dependencies.map((dep) => `${dep.name} ${built[dep.name]}`).join(', ') || 'no dependencies'
  return {
    id: 'dependency-build',
    title: 'Dependency build',
    status: findings.length ? 'failed' : 'passed',
    durationMs: 0,
    summary,
    findings,
    data: { built, repositories: [] }
  }
}

async function findBuiltVersion(chartsDir: string, entries: string[], name: string): Promise<string[]> {
  const versions: string[] = []
  for (const entry of entries) {
    if (entry.startsWith(`${name}-`) && entry.endsWith('.tgz')) {
      const version = entry.slice(name.length + 1, -'.tgz'.length)
      if (parseVersion(version)) versions.push(version)
    } else if (entry === name) {
      try {
        const meta = parseYaml(await readFile(path.join(chartsDir, entry, 'Chart.yaml'), 'utf8')) as {
          version?: unknown
        }
        if (meta?.version !== undefined) versions.push(String(meta.version))
      } catch {
        // an unpacked folder without Chart.yaml is no chart
      }
    }
  }
  return versions
}

/** A chart must wrap an upstream chart unless it says it has none. */
export function hollowByDeclaration(blueprint: Blueprint): Finding | undefined {
  const chart = blueprint.chartYaml.data
  if ((chart.dependencies ?? []).length > 0 || isNoUpstream(chart)) return undefined
  return {
    rule: 'hollow-chart',
    severity: 'error',
    message: `${blueprint.chartYaml.displayPath} declares no dependencies: a blueprint chart wraps an upstream chart`,
    fix: `declare the upstream chart under dependencies:, or annotate the chart with catalyst.openova.io/no-upstream: "true"`,
    file: blueprint.chartYaml.displayPath,
    line: blueprint.chartYaml.lineOf(['name'])
  }
}
