// Stage: everything the dependency build needs, started at once and run concurrently: the indexes it reads
// (fetched first, into the run's cache: the upstream resolution reads the same), helm (provisioned, then its
// isolated home) and the work copy (synchronous; it waits for the upstream only when input upstream-version
// rewrites the pin). The build starts once helm and the work copy are there and it has the indexes' text; the
// upstream resolution and the commit time (git log) start once it has, and are awaited once helm has run.
import * as core from '@actions/core'
import { Helm } from '../helm/helm.js'
import { provisionHelm } from '../helm/helm-install.js'
import { sourceDateEpoch } from '../chart/commit-time.js'
import { httpRepositoryUrls } from '../chart/dependency-plan.js'
import { prepareWork, workCopyNeedsUpstream, type PreparedWork } from './build-step.js'
import type { RunBase, RunContext } from './context.js'
import { resolveBlueprintUpstream, type UpstreamOutcome } from './upstream-step.js'
import { contractStep, loadWorkspaceIndex } from './contract-step.js'

export interface Preparation {
  /** The run's context, once helm is ready: the dependency build needs no more than that and the work copy. */
  ready: Promise<RunContext>
  /**
   * The upstream step, started on the first call: once the dependency build has started (run/build-step.ts), or
   * at once when the work copy needs it. On the way to the build it would only take the main thread.
   */
  upstream: () => Promise<UpstreamOutcome>
  work: Promise<PreparedWork>
  /** The commit time (a `git log` process), started on the first call, like `upstream`. */
  epoch: () => Promise<{ epoch: number; source: string }>
  /** The workspace's blueprints (chart/workspace-index.ts), read on the first call and shared. */
  workspace: () => ReturnType<typeof loadWorkspaceIndex>
  /** The blueprint.yaml contract's step (run/contract-step.ts), started on the first call, like `upstream`. */
  contract: () => ReturnType<typeof contractStep>
  /** Settles once everything started here has ended: only then may the work folder be removed. */
  settled(): Promise<void>
}

export function startPreparation(base: RunBase): Preparation {
  const { inputs, blueprint, folders } = base
  const started: Promise<unknown>[] = []
  // Awaited later (or never, when an earlier task fails): a rejection is the awaiting stage's to report.
  const track = <T>(task: Promise<T>): Promise<T> => {
    started.push(task.catch(() => undefined))
    return task
  }
  /** A task started on its first call (and tracked from then on). */
  const onDemand = <T>(start: () => Promise<T>): (() => Promise<T>) => {
    let task: Promise<T> | undefined
    return () => (task ??= track(start()))
  }
  // The indexes the build reads, asked for first: the upstream resolution and the build share them.
  prefetchIndexes(base)
  // Helm next: on PATH it may still need a `helm version` process, the longest of these to start.
  const helm = track(
    provisionHelm(inputs.helmVersion, inputs.helmDownloadUrl).then(async (installed) => ({
      installed,
      helm: await Helm.create(installed.binary, folders.helmHome, installed.release)
    }))
  )
  const upstream = onDemand(() => resolveBlueprintUpstream(base))
  const epoch = onDemand(() => sourceDateEpoch(process.env, inputs.workspace, blueprint.chartDir))
  const workspace = onDemand(() => loadWorkspaceIndex(base))
  const contract = onDemand(() => contractStep(base, workspace))
  // Synchronous (chart/work-copy.ts), done in this turn unless it needs the upstream.
  const work = track(
    workCopyNeedsUpstream(base)
      ? upstream().then((outcome) => prepareWork(base, outcome.resolution))
      : Promise.resolve().then(() => prepareWork(base, undefined))
  )
  const ready = helm.then(({ installed, helm }) => {
    const { major, version } = installed.release
    core.info(
      version
        ? `helm ${version} (${installed.source}: ${installed.binary})`
        : `helm ${major} (${installed.source}: ${installed.binary}; its exact version is known once the gates have run)`
    )
    const ctx: RunContext = { ...base, helm }
    return ctx
  })
  return {
    ready,
    upstream,
    work,
    epoch,
    workspace,
    contract,
    settled: async () => {
      await Promise.all(started)
    }
  }
}

/** Starts fetching every index the build reads (the run's cache keeps each); a failure is its reader's to report. */
function prefetchIndexes(base: RunBase): void {
  const dependencies = base.blueprint.chartYaml.data.dependencies ?? []
  for (const url of httpRepositoryUrls(dependencies, base.inputs.repositoryMirrors)) {
    base.indexes.fetch(url, base.credentials.forRepository(url)).catch(() => undefined)
  }
}
