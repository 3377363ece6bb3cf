// Stage: what every run does first: the runner's folders (RUNNER_TEMP, RUNNER_TOOL_CACHE, with fallbacks), the
// inputs read and validated once, the run's time budget and watchdog (input `timeout`), and every secret input
// registered with the runner's masker before anything is logged.
import { getInputs, type ActionInputs } from '../inputs/inputs.js'
import { armWatchdog, startRunBudget, type RunBudget } from '../util/deadline.js'
import { ensureRunnerFolders } from '../util/runner-env.js'
import { redactStandardOutput, registerSecret } from '../util/secrets.js'

/** Throws an ActionError naming the input when one is not valid. */
export function startRun(): { inputs: ActionInputs; budget: RunBudget; outputDir: string } {
  // Before any input is read: from here on nothing reaches the log unredacted.
  redactStandardOutput()
  const outputDir = ensureRunnerFolders()
  const inputs = getInputs()
  const budget = startRunBudget(inputs.timeoutMs)
  armWatchdog(inputs.timeoutMs)
  for (const secret of [inputs.registryPassword, inputs.dependencyPassword, inputs.githubToken]) registerSecret(secret)
  return { inputs, budget, outputDir }
}
