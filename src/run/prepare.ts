// Stage: everything the dependency build waits for, started at once and run concurrently: helm (provisioned,
// then its isolated home), upstream resolution (the index fetch), the commit time (git log) and the work copy
// (which waits for the upstream only when input upstream-version rewrites the pin). The dependency build itself
// needs helm, the work copy and the upstream's index text (written into helm's cache, so helm does not fetch
// it again), so it starts when those are there.
import * as core from '@actions/core'
import { Helm } from '../helm/helm.js'
import { provisionHelm } from '../helm/helm-install.js'
import { sourceDateEpoch } from '../chart/commit-time.js'
import { prepareWork, workCopyNeedsUpstream, type PreparedWork } from './build-step.js'
import type { RunBase, RunContext } from './context.js'
import { resolveBlueprintUpstream, type UpstreamOutcome } from './upstream-step.js'

export interface Preparation {
  /** The run's context and upstream, once helm and the upstream are ready (the work copy and commit time go on). */
  ready: Promise<{ ctx: RunContext; upstream: UpstreamOutcome }>
  work: Promise<PreparedWork>
  epoch: Promise<{ epoch: number; source: string }>
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
  // Helm first: on PATH it may still need a `helm version` process, the longest of these to start.
  const helm = track(
    provisionHelm(inputs.helmVersion, inputs.helmDownloadUrl).then(async (installed) => ({
      installed,
      helm: await Helm.create(installed.binary, folders.helmHome, installed.version)
    }))
  )
  const upstream = track(resolveBlueprintUpstream(base))
  const epoch = track(sourceDateEpoch(process.env, inputs.workspace, blueprint.chartDir))
  const work = track(
    workCopyNeedsUpstream(base)
      ? upstream.then((outcome) => prepareWork(base, outcome.resolution))
      : prepareWork(base, undefined)
  )
  const ready = Promise.all([helm, upstream]).then(([{ installed, helm }, upstreamOutcome]) => {
    core.info(`helm ${helm.version} (${installed.source}: ${installed.binary})`)
    const ctx: RunContext = { ...base, helm }
    return { ctx, upstream: upstreamOutcome }
  })
  return {
    ready,
    work,
    epoch,
    settled: async () => {
      await Promise.all(started)
    }
  }
}
