// The runner's folders, with a fallback: outside a GitHub runner (a local run,
// a container without RUNNER_TEMP) the action still works, in the OS temp folder.
import { statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

function isDirectory(dir: string | undefined): dir is string {
  if (!dir) return false
  try {
    return statSync(dir).isDirectory()
  } catch {
    return false
  }
}

/**
 * Points RUNNER_TEMP (and RUNNER_TOOL_CACHE, which the tool cache needs) at
 * existing folders: the OS temp folder when either is unset or missing, so
 * that everything reading them (the work folder, the report, the SBOM, the
 * helm download) finds a place to write. Returns the folder used for RUNNER_TEMP.
 */
export function ensureRunnerFolders(env: NodeJS.ProcessEnv = process.env): string {
  if (!isDirectory(env.RUNNER_TEMP)) env.RUNNER_TEMP = os.tmpdir()
  if (!isDirectory(env.RUNNER_TOOL_CACHE)) env.RUNNER_TOOL_CACHE = path.join(os.tmpdir(), 'bp-tool-cache')
  return env.RUNNER_TEMP
}
