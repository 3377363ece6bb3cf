// Builds the work copy's dependencies with helm (\`helm dependency build\` in an
// isolated helm home given the repositories and their indexes, planned by
// dependency-plan.ts), honours or reports the committed Chart.lock, and turns
// the result into the `Dependency build` step (archive digests and hollow-chart
// guard 1: chart/built-dependencies.ts).
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { isOutOfSyncError, lockGeneratedAt, outOfSyncFinding } from './chart-lock.js'
import type { Helm } from '../helm/helm.js'
import type { Finding, StepResult } from '../types.js'
import type { IndexCache } from './repository-index.js'
import { dependencyBuildStep, type DependencyBuildData } from './built-dependencies.js'
import type { WorkChart } from './work-chart.js'
import {
  expectedFromIndexes,
  expectedVersions,
  expectedWithoutLock,
  plainHttpFor,
  planDependencyBuild,
  registryLogins,
  repositoryEntries,
  type DependencyPlanOptions
} from './dependency-plan.js'
import { forgetCredentials, loginRegistries, writeRepositories } from './helm-repositories.js'

export interface BuildOptions extends Omit<DependencyPlanOptions, 'knownVersions'> {
  /** The run's index cache: indexes the upstream resolution fetched are not fetched again. */
  indexes: IndexCache
  /**
   * Exact versions already resolved, by dependency name (the upstream's), for guard 1. Asked for once helm has
   * run, so the upstream resolution goes on beside the build; its rejection is the build's error.
   */
  knownVersions?: () => Promise<ReadonlyMap<string, string>>
  /** The package's time (commit time): a lock helm writes gets it as `generated`. Asked for once helm has run. */
  lockEpoch?: () => Promise<number>
  /** Lock problems found while building (helm: out of sync) are added here. */
  lockFindings?: Finding[]
  /** Called once `helm dependency build` has started (the run loads its later stages meanwhile). */
  whileBuilding?: () => void
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
  // What helm is asked to do does not depend on the known versions; only guard 1's expectations do (after helm).
  const plan = planDependencyBuild(work, { ...options, knownVersions: new Map() })

  // Indexes: reuse what upstream resolution fetched; fetch the others concurrently.
  const indexes = await Promise.all(
    plan.httpRepositories.map(({ url }) => options.indexes.fetch(url, options.credentialsFor(url)))
  )
  const repositories = repositoryEntries(plan, options.credentialsFor)
  await writeRepositories(
    helm,
    repositories,
    indexes.map((index) => index.text)
  )
  try {
    await loginRegistries(helm, registryLogins(plan, options))

    const lockPath = path.join(work.dir, 'Chart.lock')
    const rewritten = plan.buildChartYaml !== undefined
    // With mirrors or local paths the build's Chart.yaml is not the committed one, so
    // helm cannot use the lock as it is: the build asks for exactly the locked versions
    // instead (in the plan's Chart.yaml), and the committed lock is put back for the package.
    if (plan.buildChartYaml !== undefined) await writeFile(path.join(work.dir, 'Chart.yaml'), plan.buildChartYaml)
    else if (work.lock) await writeFile(lockPath, work.lock.text)
    let result = await helm.run(plan.args, {
      onSpawn: () => options.whileBuilding?.()
    })
    const knownVersions = new Map(await options.knownVersions?.())
    let expected = expectedFromIndexes(
      { ...plan, expected: expectedVersions(work, knownVersions) },
      work,
      { ...options, knownVersions },
      indexes.map((index) => index.entries())
    )
    if (result.exitCode !== 0 && work.lock && !rewritten && isOutOfSyncError(result.stderr + result.stdout)) {
      // Helm's digest over Chart.yaml's dependencies disagrees with the lock's: it does not
      // fit. A finding (an error on a release), and the run goes on from Chart.yaml alone.
      options.lockFindings?.push(
        outOfSyncFinding(work.lock, result.stderr, work.displayDir ?? '.', Boolean(work.publishing))
      )
      delete work.lock
      expected = expectedWithoutLock(expected, work, knownVersions)
      await rm(lockPath, { force: true })
      result = await helm.run(plan.args)
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
      const epoch = await options.lockEpoch()
      const written = await readFile(lockPath, 'utf8').catch(() => undefined)
      if (written !== undefined) await writeFile(lockPath, lockGeneratedAt(written, epoch))
    }
    return await dependencyBuildStep(work, {
      result,
      expected,
      origins: { ...options, indexes, plainHttpFor: (host) => plainHttpFor(options, host) },
      repositories: [...plan.httpRepositories.map(({ url }) => url), ...plan.ociHosts.map((host) => `oci://${host}`)],
      start
    })
  } finally {
    // The credentials are needed for the download only. Chart test scripts run
    // later as the same user: nothing of them stays in the helm home (publish
    // logs in again with the registry's own).
    await forgetCredentials(helm, repositories)
  }
}
