// Stage: publish the packaged chart (oci/publish.ts publishChart) when the run is a release, the package was
// made and no step failed; otherwise a skipped `Publish` step saying why (and what it would have published).
import type { WorkChart } from '../chart/work-chart.js'
import { chartReference, publishChart, type PackagedChart } from '../oci/publish.js'
import type { PublishInfo, StepResult } from '../types.js'
import type { RunContext } from './context.js'

export async function publishStep(
  ctx: Pick<RunContext, 'inputs' | 'mode' | 'helm' | 'credentials'>,
  work: WorkChart,
  packaged: PackagedChart | undefined,
  built: Record<string, string>,
  stepsSoFar: readonly StepResult[]
): Promise<StepResult<PublishInfo>> {
  const { inputs, mode } = ctx
  const ref = inputs.registry ? chartReference(inputs.registry, work.name, work.version) : undefined
  const gateFailed = stepsSoFar.some((step) => step.status === 'failed')
  if (mode !== 'publish' || !packaged || gateFailed || !inputs.registry) {
    const why =
      mode !== 'publish'
        ? 'validate mode: nothing is pushed'
        : gateFailed
          ? 'a gate failed: nothing is pushed'
          : 'no registry input'
    return {
      id: 'publish',
      title: 'Publish',
      status: 'skipped',
      durationMs: 0,
      summary: ref ? `${why} (would publish ${ref})` : why,
      findings: []
    }
  }
  return publishChart({
    helm: ctx.helm,
    work,
    packaged,
    registry: inputs.registry,
    credentials: ctx.credentials.registry,
    plainHttp: inputs.plainHttp,
    overwrite: inputs.overwrite,
    built
  })
}
