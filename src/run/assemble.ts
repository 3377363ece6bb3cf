// The report of one blueprint's run: what the run was about (load.ts), what the stages returned, the run's time;
// an error that stopped the run becomes its last step (`Run`, or the stage it stopped), at the file and line it
// points at, so the report says what stopped it. Pure, but for reading the workflow file when the error names an
// input (run/input-location.ts).
import { chartRef } from '../oci/registry.js'
import type { ActionReport, AttestationInfo, PublishInfo, PublishPreview, StepResult, UpstreamInfo } from '../types.js'
import type { RunFrame } from './context.js'
import { errorLocation, stoppedStep } from './failure.js'
import type { RunIdentity } from './load.js'

export interface RunOutcome {
  steps: StepResult[]
  upstream?: UpstreamInfo
  publish?: PublishInfo
  /** A pull request's publish preview: part of `publish` in the report. */
  preview?: PublishPreview
  /** Path of the SBOM file written. */
  sbom?: string
  /** The attestations of the published chart. */
  attestation?: AttestationInfo
  diff?: ActionReport['diff']
  /** Absent until helm was provisioned (`unknown` in the report). */
  helmVersion?: string
  /** What stopped the run, when something did. */
  error?: unknown
  /** The title of the step the error becomes (default `Run`). */
  stoppedAt?: string
}

interface RunTime {
  startedAt: Date
  durationMs: number
}

/** The report of a run that went past its settings: when nothing was pushed, it still names where the chart goes. */
export function assembleReport(
  frame: Pick<RunFrame, 'inputs' | 'event'>,
  time: RunTime,
  identity: RunIdentity,
  outcome: RunOutcome
): ActionReport {
  const { registry } = identity
  const ref = registry ? chartRef(registry, identity.chart.name, identity.chart.version) : undefined
  return reportOf(frame, time, identity, outcome, ref)
}

/** The report of a run stopped before any work (an unreadable blueprint, a run setting that does not hold). */
export function stoppedEarlyReport(
  frame: Pick<RunFrame, 'inputs' | 'event'>,
  time: RunTime,
  identity: RunIdentity,
  error: unknown,
  stoppedAt?: string
): ActionReport {
  return reportOf(frame, time, identity, { steps: [], error, stoppedAt })
}

function reportOf(
  frame: Pick<RunFrame, 'inputs' | 'event'>,
  time: RunTime,
  identity: RunIdentity,
  outcome: RunOutcome,
  ref?: string
): ActionReport {
  const { inputs, event } = frame
  const steps =
    outcome.error === undefined
      ? outcome.steps
      : [
          ...outcome.steps,
          stoppedStep(
            outcome.error,
            errorLocation(outcome.error, inputs.workspace, event.workflowFile),
            outcome.stoppedAt
          )
        ]
  return {
    schemaVersion: 1,
    blueprint: inputs.blueprint,
    chart: identity.chart,
    upstream: outcome.upstream,
    mode: identity.mode,
    modeReason: identity.modeReason,
    helmVersion: outcome.helmVersion ?? 'unknown',
    status: steps.some((step) => step.status === 'failed') ? 'failed' : 'passed',
    steps,
    publish: withPreview(outcome.publish ?? (ref ? { ref, pushed: false } : undefined), outcome.preview),
    values: { files: inputs.valuesFiles, set: inputs.setValues },
    sbom: outcome.sbom,
    attestation: outcome.attestation,
    diff: outcome.diff,
    runUrl: event.runUrl,
    commit: event.commit,
    startedAt: time.startedAt.toISOString(),
    durationMs: time.durationMs
  }
}

function withPreview(publish: PublishInfo | undefined, preview: PublishPreview | undefined): PublishInfo | undefined {
  if (!preview) return publish
  return { ...(publish ?? { ref: preview.ref, pushed: false }), preview }
}
