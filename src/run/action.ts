// The action, in the order it runs: the runner's folders and the inputs (secrets registered first, the time
// budget started) → discover mode, or one blueprint's run (blueprint-run.ts: load → prepare → dependency
// build → gates and package → publish → SBOM) → the report out (emit.ts: outputs, annotations, job summary,
// PR comment) → the failure line. Each stage lives in src/run/ and returns its results. Loaded by main.ts
// once the question of helm's version is on its way.
import * as core from '@actions/core'
import { validateBlueprint } from './blueprint-run.js'
import { readEventContext } from './event.js'
import { failAction, failureLine } from './failure.js'
import { discoverOutputs, discoverWarnings, writeOutputs } from './outputs.js'
import { startRun } from './start.js'
import { startPathHelmProbe } from '../helm/path-helm.js'

export async function runAction(): Promise<void> {
  try {
    const { inputs, budget, outputDir } = startRun()
    // Beside the pipeline's start (the blueprint's files, the work copy, the index fetch), when provisioning will
    // need it; not beside the loading of the code, which is memory-heavy like helm's start: on 2 vCPUs the two
    // slowed each other more than the overlap gained (bench/README.md: X/A 0.95–0.98 on the light shapes).
    if (inputs.mode !== 'discover') startPathHelmProbe(inputs.helmVersion)
    const event = readEventContext()
    if (inputs.mode === 'discover') {
      // Its own chunk of dist/: a blueprint's run loads it only for the rendered diff's git helpers.
      const { discoverBlueprints } = await import('../discover/discover.js')
      const result = await discoverBlueprints({
        workspace: inputs.workspace,
        eventName: event.eventName,
        payload: event.payload,
        globs: inputs.discoverGlob.length ? inputs.discoverGlob : undefined,
        registry: inputs.registry || undefined,
        dependents: inputs.dependents
      })
      core.info(
        `${result.blueprints.length} blueprint(s): ${result.blueprints.join(', ') || 'none'} (${result.reason})`
      )
      if (result.waves.length > 1) {
        core.info(
          `release order: ${result.waves.map((wave, i) => `wave ${i}: ${wave.include.map((e) => e.blueprint).join(', ')}`).join('; ')}`
        )
      }
      for (const folder of result.unnameable ?? []) {
        core.warning(
          `discover: blueprint folder ${JSON.stringify(folder)} is left out: its name holds a backslash, which input blueprint reads as a path separator. Fix: rename the folder without \\`
        )
      }
      const outputs = discoverOutputs(result)
      for (const warning of discoverWarnings(result.blueprints, outputs)) core.warning(warning)
      writeOutputs(outputs)
      return
    }
    const run = await validateBlueprint({ inputs, event, budget, outputDir })
    if (!run) return
    // Its own chunk of dist/, usually loaded already (run/chart-steps.ts, during the dependency build).
    const { emitReport } = await import('./emit.js')
    const emitted = await emitReport(run.report, inputs, event, outputDir)
    await run.cleanup()
    if (run.report.status === 'failed') core.setFailed(failureLine(run.report, emitted))
  } catch (error) {
    failAction(error)
  }
}
