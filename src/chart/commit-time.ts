// The time a chart's package carries: SOURCE_DATE_EPOCH, else the last commit of the chart folder, else a fixed
// time. Started once the dependency build runs (one `git log`, run/prepare.ts) and used by the build's
// Chart.lock and by the package.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { ActionError } from '../types.js'

const execFileAsync = promisify(execFile)

/**
 * The archive's timestamps become the pushed manifest's `created` annotation,
 * so they are pinned to the commit time: the same commit gives the same digest.
 */
export async function sourceDateEpoch(
  env: NodeJS.ProcessEnv,
  workspace: string,
  chartDir: string
): Promise<{ epoch: number; source: string }> {
  const fromEnv = env.SOURCE_DATE_EPOCH?.trim()
  if (fromEnv) {
    if (!/^\d+$/.test(fromEnv))
      throw new ActionError(
        `SOURCE_DATE_EPOCH "${fromEnv}" is not a number of seconds`,
        'unset it or set it to a Unix time'
      )
    return { epoch: Number(fromEnv), source: 'SOURCE_DATE_EPOCH' }
  }
  try {
    const { stdout } = await execFileAsync('git', ['log', '-1', '--format=%ct', '--', chartDir], {
      cwd: workspace,
      timeout: 15000
    })
    const epoch = Number(stdout.trim())
    if (Number.isInteger(epoch) && epoch > 0) return { epoch, source: `last commit of ${chartDir}` }
  } catch {
    // not a git checkout: fall through
  }
  // Still reproducible without git: a fixed time (the zip epoch), said in the report.
  return { epoch: 315532800, source: 'fixed 1980-01-01 (no git history, no SOURCE_DATE_EPOCH)' }
}
