// The stages after the dependency build, loaded on demand: `check-step.ts` (gates, package, base render),
// `publish-step.ts` and `emit.ts` (the report out) are chunks of dist/ of their own (~320 KB of the bundle).

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
