// The action's entry: the pipeline loaded (run/action.ts, a chunk of its own: dist/chunks/action.js), helm's version
// asked as soon as it has (helm/path-helm.ts: Helm 3 must run `helm version`), then the pipeline run (inputs → one
// blueprint's run or discover → the report). The question runs beside the pipeline's start (the inputs, the work copy,
// the index fetch), not beside the loading: the loading is memory-heavy work like helm's start, and on 2 vCPUs the
// two slowed each other more than the overlap gained (bench/README.md: X/A 0.95–0.98 on the light shapes).
import { startPathHelmProbe } from './helm/path-helm.js'

export async function run(): Promise<void> {
  let runAction: () => Promise<void>
  try {
    ;({ runAction } = await import('./run/action.js'))
  } catch (error) {
    // Not through @actions/core: it is part of what did not load.
    process.exitCode = 1
    process.stdout.write(`::error::the action's code did not load (dist/ incomplete?): ${String(error)}\n`)
    return
  }
  startPathHelmProbe()
  await runAction()
}
