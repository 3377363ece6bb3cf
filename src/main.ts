// The action's entry: helm's version asked at once (helm/path-helm.ts: Helm 3 must run `helm version`), then the
// pipeline loaded and run (run/action.ts: inputs → one blueprint's run or discover → the report). The pipeline is a
// chunk of its own (dist/chunks/action.js), so the question runs beside its ~100 ms of loading instead of after it.
import { startPathHelmProbe } from './helm/path-helm.js'

export async function run(): Promise<void> {
  startPathHelmProbe()
  let runAction: () => Promise<void>
  try {
    ;({ runAction } = await import('./run/action.js'))
  } catch (error) {
    // Not through @actions/core: it is part of what did not load.
    process.exitCode = 1
    process.stdout.write(`::error::the action's code did not load (dist/ incomplete?): ${String(error)}\n`)
    return
  }
  await runAction()
}
