// Stage: what the run hands on about the published chart, after publishing: the SBOM (it names the digest that
// was pushed, or found already there) and, on a release, its signed attestations (run/attest-step.ts, a chunk of
// its own loaded only then).
import type { AttestationInfo, PublishInfo, StepResult } from '../types.js'
import type { RunContext } from './context.js'
import { writeRunSbom, type SbomContent } from './sbom-input.js'

export interface Evidence {
  /** Path of the SBOM file written. */
  sbom?: string
  /** The `Attest` step, when the run attests (or says why it does not). */
  attest?: StepResult<AttestationInfo>
}

/**
 * Whether a run attests (pure): input attest is not false, the run published (pushed, or found the same chart at
 * the tag: a re-run attests what an earlier run did not), and no step failed (a chart that failed guard 3 after
 * the push is not vouched for).
 */
export function attests(
  attest: RunContext['inputs']['attest'],
  publish: PublishInfo | undefined,
  steps: readonly StepResult[]
): publish is PublishInfo & { digest: string } {
  return (
    attest !== 'false' &&
    publish?.digest !== undefined &&
    (publish.pushed || publish.alreadyPublished === true) &&
    !steps.some((step) => step.status === 'failed')
  )
}

export async function handOn(
  ctx: RunContext | undefined,
  chart: { sbom?: SbomContent; publish?: PublishInfo; steps: readonly StepResult[]; error?: unknown },
  outputDir: string
): Promise<Evidence> {
  const sbom = chart.sbom ? await writeRunSbom(chart.sbom, chart.publish, outputDir) : undefined
  if (
    !ctx ||
    ctx.mode !== 'publish' ||
    chart.error !== undefined ||
    !attests(ctx.inputs.attest, chart.publish, chart.steps)
  )
    return { sbom }
  const { attestStep } = await import('./attest-step.js')
  return { sbom, attest: await attestStep(ctx, chart.publish, sbom, outputDir) }
}
