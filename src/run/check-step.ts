// Stage: the gates (gates/index.ts) and the package (oci/package.ts packageChart) concurrently on the built work
// copy, the base commit's render beside them for "What changes" (diff/base.ts), then resolve-digests' pins on a
// failed images step (oci/digests.ts).
import { rm } from 'node:fs/promises'
import { startBaseDiff } from '../diff/base.js'
import { gateStep, preloadGates, runGates, type GateContext, type GatesResult } from '../gates/index.js'
import { addPinSuggestions } from '../oci/digests.js'
import { packageChart, type PackagedChart } from '../oci/package.js'
import { stagePublish, type StagedPublish } from '../oci/publish.js'
import type { ActionReport, StepResult } from '../types.js'
import type { BuildOutcome } from './build-step.js'
import type { RunContext } from './context.js'

export interface CheckOutcome {
  /** The gates' steps, then the package step (none when `error` is set). */
  steps: StepResult[]
  /** What stopped the stage (a gate or the package threw); the diff is kept all the same. */
  error?: unknown
  /** Verdicts of the images gate (the SBOM's images), when the default render ran. */
  images?: GatesResult['images']
  packaged?: PackagedChart
  /** A release's publish, its blobs uploaded while the gates ran: commit() or abandon() it (run/publish-step.ts). */
  staged?: StagedPublish
  diff?: ActionReport['diff']
  /**
   * The gates' scratch folder (chart test copies, the spec.depends builds, the generated umbrellas: most of the work
   * folder) being removed once the gates ended, beside the publish's registry requests and the report.
   */
  scratchRemoved?: Promise<void>
}

/** Starts loading what the gates read first (gates/index.ts preloadGates): called while the dependency build runs. */
export function preloadChecks(ctx: Pick<RunContext, 'inputs'>): void {
  preloadGates(ctx.inputs.kubernetesVersion)
}

/** The workspace's blueprints (run/prepare.ts `workspace`: read once per run), where spec.depends is looked up. */
type WorkspaceIndexReader = NonNullable<NonNullable<GateContext['schema']>['depends']>['index']

export async function checkStep(
  ctx: RunContext,
  build: BuildOutcome,
  valueArgs: string[],
  epoch: { epoch: number; source: string },
  upstreamName: string | undefined,
  /** Told once the package is there (undefined when packaging failed): a pull request's publish preview compares. */
  onPackaged?: (packaged: PackagedChart | undefined) => void,
  /** The schema gate renders the blueprints spec.depends names, looked up here (none looked up without it). */
  workspaceIndex?: WorkspaceIndexReader
): Promise<CheckOutcome> {
  const { inputs, blueprint, helm, folders } = ctx
  const { work, built } = build
  // The blueprints spec.depends names are rendered for their CRDs (gates/schema-depends.ts), their archives
  // fetched as the run's own build fetched its own (build.options), the run's own archives reused.
  const depends =
    workspaceIndex && blueprint.manifest && blueprint.manifest.depends.length > 0
      ? {
          manifest: blueprint.manifest,
          ownDir: blueprint.dir,
          index: workspaceIndex,
          fetch: build.options,
          ownBuild: { chartDir: work.dir, dependencies: work.dependencies, built }
        }
      : undefined
  // The base commit's render for "What changes" runs beside the gates (src/diff/base.ts); a notice at worst.
  const baseDiff = startBaseDiff({
    setting: inputs.diff,
    eventName: ctx.event.eventName,
    payload: ctx.event.payload,
    workspace: inputs.workspace,
    blueprint: inputs.blueprint,
    chart: inputs.chart,
    upstream: upstreamName ?? '', // the chosen upstream (input, values.yaml or the only non-library dependency)
    helm,
    workRoot: folders.root,
    headWork: work,
    headBuilt: built,
    build: build.options,
    // The base renders for the same release as the head (`.Capabilities.KubeVersion` alike on both sides).
    valueArgs: ['--kube-version', inputs.kubernetesVersion.text, ...valueArgs],
    releaseName: work.name,
    namespace: `smoke-${work.name}`,
    outputDir: folders.output,
    imageFields: inputs.imageFields
  })
  await baseDiff?.credentialsReleased // no repository credentials in any helm home once chart tests start
  // Both sides settle before anything is thrown: the work folder is removed
  // after a failure, and must not be while helm or a script still works in it.
  const [gatesOutcome, packagedOutcome] = await Promise.allSettled([
    runGates({
      helm,
      chartDir: work.dir,
      chartName: work.name,
      scriptRoot: folders.chartTests,
      displayChartDir: blueprint.chartDir,
      workspace: inputs.workspace,
      values: blueprint.values,
      // The upstream's key stays the upstream's even when it is not (yet) a dependency.
      // Local file:// subcharts are the blueprint's own: their images stay checked.
      dependencyKeys: [
        ...new Set(
          [
            ...work.dependencies
              .filter((dep) => !dep.repository.startsWith('file://'))
              .map((dep) => dep.alias ?? dep.name),
            inputs.upstream
          ].filter(Boolean)
        )
      ],
      valueArgs,
      releaseName: work.name,
      namespace: `smoke-${work.name}`,
      lintValuesGlob: inputs.lintValues || undefined,
      toggles: inputs.observabilityToggles,
      imagePolicy: inputs.imagePolicy,
      imageAllowlist: inputs.imageAllowlist,
      imageFields: inputs.imageFields,
      chartTests: inputs.chartTests,
      yieldCpusToChartTests: true,
      neverLatest: inputs.neverLatest,
      chartYaml: blueprint.chartYaml,
      kubeVersion: inputs.kubernetesVersion.text,
      schema: {
        kubeVersion: inputs.kubernetesVersion,
        missingSchemas: inputs.missingSchemas,
        crdGlobs: inputs.crds,
        workspace: inputs.workspace,
        ...(depends ? { depends } : {})
      }
    }),
    // Blobs upload while the gates run; only commit() (once every gate passed) tags the chart.
    packageChart(helm, work, folders.package, epoch, built).then(
      (packaged) => {
        onPackaged?.(packaged.packaged)
        return {
          ...packaged,
          staged:
            ctx.mode === 'publish' && ctx.registry && packaged.packaged
              ? stagePublish({
                  helm,
                  work,
                  packaged: packaged.packaged,
                  target: ctx.registry,
                  credentials: ctx.credentials.registry,
                  overwrite: inputs.overwrite,
                  built
                })
              : undefined
        }
      },
      (error: unknown) => {
        onPackaged?.(undefined)
        throw error
      }
    )
  ])
  // Nothing runs in the gates' folder any more (the pool ends only once its processes have): it goes now.
  const scratchRemoved = rm(folders.chartTests, { recursive: true, force: true }).catch(() => undefined)
  const headRender = gatesOutcome.status === 'fulfilled' ? gatesOutcome.value.defaultRender : undefined
  const diff = await baseDiff?.compare(headRender) // after the base settled, before anything is thrown
  if (gatesOutcome.status === 'rejected') {
    if (packagedOutcome.status === 'fulfilled') await packagedOutcome.value.staged?.abandon() // nothing tagged
    return { steps: [], error: gatesOutcome.reason as unknown, diff, scratchRemoved }
  }
  if (packagedOutcome.status === 'rejected')
    return { steps: [], error: packagedOutcome.reason as unknown, diff, scratchRemoved }
  const [gates, packaged] = [gatesOutcome.value, packagedOutcome.value]
  const imagesStep = gateStep(gates, 'images')
  try {
    if (inputs.resolveDigests && imagesStep?.status === 'failed') await addPinSuggestions(imagesStep)
  } catch (error) {
    await packaged.staged?.abandon()
    return { steps: [], error, diff, scratchRemoved }
  }
  return {
    steps: [...gates.steps, packaged.step],
    images: gates.images,
    packaged: packaged.packaged,
    staged: packaged.staged,
    diff,
    scratchRemoved
  }
}
