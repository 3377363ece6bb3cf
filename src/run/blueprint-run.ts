// One blueprint's run, in the order of the pipeline: load and check (load.ts) → prepare concurrently
// (prepare.ts: helm, upstream, commit time, work copy) → the chart's stages (chart-steps.ts: dependency build,
// gates and package, publish) → SBOM → the report (assemble.ts). Errors that stop the run early (an unreadable
// Chart.yaml, a tag that does not match) still give a report, so the PR comment and job summary say what stopped it.
import * as core from '@actions/core'
import { rmSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import path from 'node:path'
import type { ActionReport } from '../types.js'
import { assembleReport, stoppedEarlyReport, type RunOutcome } from './assemble.js'
import { runChartSteps } from './chart-steps.js'
import { repositoryAccess, workFolders, type RunContext, type RunFrame } from './context.js'
import { handOn } from './evidence.js'
import { loadRun } from './load.js'
import { SKIP_OUTPUTS, writeOutputs } from './outputs.js'
import { startPreparation } from './prepare.js'

/** One blueprint's report, and the removal of its work folder, once the report is written out. */
export interface BlueprintRun {
  report: ActionReport
  /**
   * Removes the work folder once the report is out. Most of it (the gates' scratch folder) is removed when the gates
   * end, asynchronously, beside the publish's registry requests and the report; the rest (the work copy, the package,
   * helm homes: a few dozen entries) synchronously here, a few ms, instead of an event loop turn per entry.
   */
  cleanup(): Promise<void>
}

/** Runs every stage for one blueprint; undefined when the event is for another blueprint (a notice). */
export async function validateBlueprint(frame: RunFrame): Promise<BlueprintRun | undefined> {
  const { inputs, outputDir } = frame
  const startedAt = new Date()
  const start = performance.now()
  const time = (): { startedAt: Date; durationMs: number } => ({
    startedAt,
    durationMs: Math.round(performance.now() - start)
  })

  const loaded = await loadRun(inputs, frame.event)
  if (loaded.kind === 'skip') {
    core.notice(loaded.reason)
    writeOutputs(SKIP_OUTPUTS)
    return undefined
  }
  if (loaded.kind === 'stopped') {
    return {
      report: stoppedEarlyReport(frame, time(), loaded.identity, loaded.error, loaded.stage),
      cleanup: () => Promise.resolve()
    }
  }
  const { identity, blueprint } = loaded

  const folders = workFolders(await mkdtemp(path.join(outputDir, 'bp-work-')), outputDir)
  const preparation = startPreparation({
    inputs,
    event: frame.event,
    blueprint,
    mode: identity.mode,
    chart: identity.chart,
    registry: identity.registry,
    ...repositoryAccess(inputs),
    folders,
    budget: frame.budget
  })
  const outcome: RunOutcome = { steps: [] }
  let sbomContent
  let ctx: RunContext | undefined
  let cleanup = (): Promise<void> => Promise.resolve()
  let scratchRemoved: Promise<void> | undefined
  try {
    ctx = await preparation.ready
    const chart = await runChartSteps(ctx, preparation)
    outcome.upstream = chart.upstream
    outcome.steps.push(...chart.steps)
    outcome.publish = chart.publish
    outcome.preview = chart.preview
    outcome.diff = chart.diff
    outcome.error = chart.error
    sbomContent = chart.sbom
    scratchRemoved = chart.scratchRemoved
  } catch (error) {
    // A fatal error still gets a report: the PR comment says what stopped the run.
    outcome.error = error
  } finally {
    // Nothing may still work in the folder when it goes (a work copy or git log started beside a failure).
    await preparation.settled()
    cleanup = async () => {
      await scratchRemoved
      try {
        rmSync(folders.root, { recursive: true, force: true })
      } catch {
        // Best effort: what is left is in RUNNER_TEMP, which the runner empties after the job.
      }
    }
  }
  // After publishing, so the SBOM names the digest that was pushed (or found already there); then attested.
  const evidence = await handOn(ctx, { ...outcome, sbom: sbomContent }, outputDir)
  outcome.sbom = evidence.sbom
  if (evidence.attest) {
    outcome.steps.push(evidence.attest)
    outcome.attestation = evidence.attest.data
  }
  // Asked once the gates were done (run/chart-steps.ts), or now when the run stopped before them.
  outcome.helmVersion = await ctx?.helm.version()
  if (ctx && ctx.helm.release.version === undefined) core.info(`helm ${outcome.helmVersion ?? 'gave no version'}`)
  return { report: assembleReport(frame, time(), identity, outcome), cleanup }
}
