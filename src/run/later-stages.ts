// The stages after the dependency build, loaded on demand: `check-step.ts` (gates, package, base render),
// `publish-step.ts` and `emit.ts` (the report out) are chunks of dist/ of their own (~320 KB of the bundle); a pull
// request's publish preview (`preview-step.ts`) is loaded and started on its own, as soon as the build runs.
import type { StepResult } from '../types.js'
import type { RunContext } from './context.js'
import type { PreviewRun } from './preview-step.js'
import type { startSiblingsStep } from './siblings-step.js'

/**
 * Loads the later stages; called when `helm dependency build` has started (chart-steps.ts), so node compiles them
 * while it waits for helm instead of before the run's first helm process. Once per run; emit.ts is only warmed
 * here (run/action.ts imports it, also when a run stops before the build).
 */
export function loadLaterStages(): Promise<[typeof import('./check-step.js'), typeof import('./publish-step.js')]> {
  if (!laterStages) {
    laterStages = Promise.all([import('./check-step.js'), import('./publish-step.js'), import('./emit.js')]).then(
      ([check, publish]) => [check, publish]
    )
    // Started without waiting (during the build): a chunk that does not load is the awaiting stage's error to
    // report, not an unhandled rejection that ends the process first.
    laterStages.catch(() => undefined)
  }
  return laterStages
}
let laterStages: ReturnType<typeof loadLaterStages> | undefined

/**
 * A pull request's publish preview (preview-step.ts), its code loaded on its own and its request sent as soon as
 * the dependency build runs (chart-steps.ts): the round trip overlaps the build. Undefined for every other run.
 */
export function startLaterPreview(ctx: RunContext): Promise<PreviewRun | undefined> {
  // A release or a run without a registry never previews: its code is not even loaded (startPreviewRun says the rest).
  if (ctx.mode !== 'validate' || !ctx.registry) return Promise.resolve(undefined)
  const started = import('./preview-step.js').then((module) => module.startPreviewRun(ctx))
  started.catch(() => undefined) // awaited by chart-steps; a chunk that does not load is its error to report
  return started
}

/**
 * The sibling blueprints' lookups (siblings-step.ts), their code loaded on its own and their requests sent when the
 * chart stages start: on a release the round trip overlaps the dependency build; a pull request waits for it before
 * its build (an unpublished sibling may have to be built from source first). Undefined for a run without a sibling blueprint;
 * a run without a registry or without an OCI dependency does not even load the code.
 */
export function startLaterSiblings(
  ...args: Parameters<typeof startSiblingsStep>
): Promise<ReturnType<typeof startSiblingsStep>> {
  const [base] = args
  const dependencies = base.blueprint.chartYaml.data.dependencies ?? []
  const oci = dependencies.some(
    (dep) => typeof dep?.repository === 'string' && /^oci:\/\//i.test(dep.repository.trim())
  )
  if (!base.registry || !oci) return Promise.resolve(undefined)
  const started = import('./siblings-step.js').then((module) => module.startSiblingsStep(...args))
  started.catch(() => undefined) // awaited by chart-steps; a chunk that does not load is its error to report
  return started
}

/**
 * A release that will attest (input attest not false, the job has an OIDC token, no step failed) loads the
 * attestation's code (run/attest-step.ts and the signing chunk, ~0.5 s of loading and compiling) while the push
 * runs (chart-steps.ts calls this just before the publish): the push waits on the registry, not on node's CPU, so
 * the load no longer follows it. A run that will not attest loads none of it. True when it started the load.
 */
export function preloadAttestation(
  ctx: Pick<RunContext, 'mode'> & { inputs: Pick<RunContext['inputs'], 'attest'> },
  steps: readonly StepResult[],
  env: NodeJS.ProcessEnv = process.env
): boolean {
  if (ctx.mode !== 'publish' || ctx.inputs.attest === 'false' || !env.ACTIONS_ID_TOKEN_REQUEST_URL) return false
  if (steps.some((step) => step.status === 'failed')) return false
  import('./attest-step.js').then((module) => module.preloadSigner()).catch(() => undefined)
  return true
}
