// Stage: publish the packaged chart (commit() of the publish oci/publish.ts stagePublish started beside the
// gates) when the run is a release, the package was made and no step failed; otherwise abandon() it (nothing is
// tagged) and a skipped `Publish` step saying why (and what it would have published).
import type { WorkChart } from '../chart/work-chart.js'
import type { StagedPublish } from '../oci/publish.js'
import { chartRef } from '../oci/registry.js'
import type { PublishInfo, StepResult } from '../types.js'
import type { RunContext } from './context.js'

export async function publishStep(
  ctx: Pick<RunContext, 'registry' | 'mode'>,
  work: WorkChart,
  staged: StagedPublish | undefined,
  stepsSoFar: readonly StepResult[]
): Promise<StepResult<PublishInfo>> {
  const { registry, mode } = ctx
  const ref = registry ? chartRef(registry, work.name, work.version) : undefined
  const gateFailed = stepsSoFar.some((step) => step.status === 'failed')
  if (mode !== 'publish' || !staged || gateFailed) {
    await staged?.abandon() // blobs uploaded during the gates stay unreferenced: no manifest, no tag
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
  return staged.commit()
}
