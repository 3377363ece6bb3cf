// Stage: which dependency is the upstream and which version of it the blueprint gets (chart/upstream-choice.ts,
// chart/upstream.ts), as the `Upstream version` step. Runs beside helm provisioning and the work copy.
import path from 'node:path'
import { isNoUpstream } from '../chart/blueprint.js'
import { lockedVersion } from '../chart/chart-lock.js'
import { hollowByDeclaration } from '../chart/built-dependencies.js'
import { chooseUpstream, libraryDependencies, needsLibraryCheck, SCRATCH_SUMMARY } from '../chart/upstream-choice.js'
import { resolveUpstream, type UpstreamResolution } from '../chart/upstream.js'
import type { Finding, StepResult } from '../types.js'
import type { RunContext } from './context.js'

export interface UpstreamOutcome {
  /** Absent for a scratch blueprint, a no-upstream chart, or a chart that declares no upstream. */
  resolution?: UpstreamResolution
  step?: StepResult
}

function upstreamStep(status: 'failed' | 'skipped', summary: string, findings: Finding[] = []): UpstreamOutcome {
  return { step: { id: 'resolve-upstream', title: 'Upstream version', status, durationMs: 0, summary, findings } }
}

export async function resolveBlueprintUpstream(
  ctx: Pick<RunContext, 'inputs' | 'blueprint' | 'mode' | 'credentials' | 'indexes'>
): Promise<UpstreamOutcome> {
  const { inputs, blueprint } = ctx
  const hollow = hollowByDeclaration(blueprint)
  if (hollow) return upstreamStep('failed', 'no upstream chart declared', [hollow])
  const dependencies = blueprint.chartYaml.data.dependencies ?? []
  if (
    isNoUpstream(blueprint.chartYaml.data) &&
    !dependencies.some((dep) => dep.name === inputs.upstream || dep.alias === inputs.upstream)
  ) {
    return upstreamStep('skipped', 'chart is annotated catalyst.openova.io/no-upstream')
  }
  const libraries = needsLibraryCheck(blueprint, inputs.upstream)
    ? await libraryDependencies(blueprint, {
        mirrors: inputs.repositoryMirrors,
        credentialsFor: ctx.credentials.forRepository,
        indexes: ctx.indexes
      })
    : new Set<string>()
  const choice = chooseUpstream(blueprint, inputs.upstream, libraries)
  // Dependencies are still built, bundled and guarded; only resolution and the consistency check are skipped.
  if (choice.kind === 'scratch') return upstreamStep('skipped', `${SCRATCH_SUMMARY}: ${choice.reason}`)
  const { dependency, index } = choice
  const resolution = await resolveUpstream({
    blueprint,
    dependency,
    dependencyIndex: index,
    override: inputs.upstreamVersion,
    publishing: ctx.mode === 'publish',
    mirrors: inputs.repositoryMirrors,
    credentialsFor: ctx.credentials.forRepository,
    plainHttp: inputs.plainHttp,
    indexes: ctx.indexes,
    locked: await lockedVersion(
      path.resolve(blueprint.workspace, blueprint.chartDir),
      blueprint.chartDir,
      dependencies,
      dependency.name
    )
  })
  return { resolution, step: resolution.step }
}
