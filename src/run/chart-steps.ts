// Stages on the chart once helm and the upstream are ready: dependency build → gates and package (with the base
// render beside them) → publish. Each stage returns its results; what the run has when a stage throws is kept
// (the steps so far, the diff, the SBOM's content) and the error is returned for the report's `Run` step.
import { atDependencyLine } from '../chart/repository-index.js'
import type { ActionReport, PublishInfo, PublishPreview, StepResult, UpstreamInfo } from '../types.js'
import { buildStep } from './build-step.js'
import { leadingSteps, valueArguments } from './chart-inputs.js'
import { loadLaterStages, preloadAttestation, startLaterPreview, startLaterSiblings } from './later-stages.js'
import type { RunContext } from './context.js'
import type { Preparation } from './prepare.js'
import { sbomContent, type SbomContent } from './sbom-input.js'

export interface ChartOutcome {
  /** The upstream step first (a failed one stops the publish like a failed gate), then the stages' steps. */
  steps: StepResult[]
  /** What the upstream resolution found, once it has settled. */
  upstream?: UpstreamInfo
  diff?: ActionReport['diff']
  /** What the SBOM describes, once the chart is packaged and its default render checked. */
  sbom?: SbomContent
  publish?: PublishInfo
  /** A pull request's publish preview (registry set): what merging publishes. */
  preview?: PublishPreview
  /** What stopped the stages, when something did. */
  error?: unknown
  /** The gates' scratch folder being removed (CheckOutcome.scratchRemoved): the work folder goes once it has. */
  scratchRemoved?: Promise<void>
}

export async function runChartSteps(
  ctx: RunContext,
  preparation: Pick<Preparation, 'upstream' | 'work' | 'epoch' | 'contract' | 'workspace'>
): Promise<ChartOutcome> {
  const { upstream, work, epoch, contract, workspace } = preparation
  // A key written twice in a file the run reads leads (an error stops the publish like a failed gate).
  const outcome: ChartOutcome = { steps: leadingSteps(ctx) }
  const leading = outcome.steps.length
  // The sibling blueprints' registry lookups (only a chart that bundles one): sent now, beside the work copy. A pull
  // request waits for them before its dependency build (one round trip): an unpublished sibling whose source has the
  // pinned version is built from source and bundled from there (run/sibling-sources.ts); a release never does that.
  const siblings = startLaterSiblings(ctx, preparation.workspace)
  let sources: Awaited<ReturnType<NonNullable<Awaited<typeof siblings>>['fromSource']>> | undefined
  const siblingsStep = async (): Promise<StepResult | undefined> => {
    const run = await siblings.catch(() => undefined)
    return run?.step(sources)
  }
  // A pull request's publish preview: started once the build runs (its round trip beside the build).
  let previewStarted: ReturnType<typeof startLaterPreview> | undefined
  const startPreview = (): ReturnType<typeof startLaterPreview> => (previewStarted ??= startLaterPreview(ctx))
  try {
    // Once helm has started: the upstream resolution, the commit time, the blueprint.yaml contract and the later
    // stages' code, beside it.
    const whileBuilding = (): void => {
      void upstream()
      void epoch()
      void contract().catch(() => undefined)
      void startPreview()
      loadLaterStages()
        .then(([check]) => check.preloadChecks(ctx))
        .catch(() => undefined) // a chunk that does not load is the check stage's error to report
    }
    if (ctx.mode === 'validate') {
      sources = await (await siblings.catch(() => undefined))?.fromSource(ctx)
      if (sources?.failed.size) {
        // The product cannot be built without it: the siblings step says which and why; no build runs.
        const [{ step }, contracted, sibling] = await Promise.all([upstream(), contract(), siblingsStep()])
        outcome.steps.push(...(step ? [step] : []), contracted, ...(sibling ? [sibling] : []))
        return outcome
      }
    }
    const build = await buildStep(ctx, upstream, await work, epoch, whileBuilding, sources?.built)
    const [{ resolution, step }, timestamps, contracted, sibling] = await Promise.all([
      upstream(),
      epoch(),
      contract(),
      siblingsStep()
    ])
    outcome.upstream = resolution?.info
    // The contract and the siblings lead with the upstream: a failed one stops the publish like a failed gate.
    outcome.steps.push(...(step ? [step] : []), contracted, ...(sibling ? [sibling] : []), ...build.steps)
    if (build.failed) return outcome
    const [[{ checkStep }, { publishStep }], preview] = await Promise.all([loadLaterStages(), startPreview()])
    const checked = await checkStep(
      ctx,
      build,
      await valueArguments(ctx),
      timestamps,
      resolution?.info.name,
      (p) => preview?.packaged(p),
      workspace
    )
    outcome.diff = checked.diff
    outcome.scratchRemoved = checked.scratchRemoved
    // The report names helm's version. When neither provisioning knew it nor the merged observability render printed
    // it (Helm.heardVersion), it is asked now, beside the publish, rather than as a helm start on the way to the build.
    void ctx.helm.version()
    if (checked.error !== undefined) return { ...outcome, error: checked.error }
    outcome.steps.push(...checked.steps)
    if (checked.images && checked.packaged) {
      outcome.sbom = sbomContent({
        work: build.work,
        chartMeta: ctx.blueprint.chartYaml.data,
        built: build.built,
        images: checked.images,
        epoch: timestamps.epoch,
        toolVersion: process.env.GITHUB_ACTION_REF
      })
    }
    if (preview) {
      // Beside the gates since the package was made: waited for here only if it outlasts them.
      const previewed = await preview.step()
      outcome.steps.push(previewed)
      outcome.preview = previewed.data
    }
    preloadAttestation(ctx, outcome.steps)
    const published = await publishStep(ctx, build.work, checked.staged, outcome.steps)
    outcome.steps.push(published)
    outcome.publish = published.data
    return outcome
  } catch (error) {
    // Stopped before the upstream's step was taken in (the work copy or the build threw): it still leads.
    if (outcome.steps.length === leading) {
      const [settled, contracted, sibling] = await Promise.all([
        upstream().catch(() => undefined),
        contract().catch(() => undefined),
        siblingsStep().catch(() => undefined)
      ])
      if (settled?.step) outcome.steps.push(settled.step)
      if (contracted) outcome.steps.push(contracted)
      if (sibling) outcome.steps.push(sibling)
      outcome.upstream = settled?.resolution?.info
    }
    // An index that could not be fetched points at the Chart.yaml line of the dependency it serves.
    return { ...outcome, error: atDependencyLine(error, ctx.blueprint.chartYaml, ctx.inputs.repositoryMirrors) }
  } finally {
    // It reads the package in the work folder, which goes once the run ends.
    await (await previewStarted?.catch(() => undefined))?.settled()
  }
}
