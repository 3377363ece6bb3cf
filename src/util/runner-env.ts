// The runner's folders, with a fallback: outside a GitHub runner (a local run,
// a container without RUNNER_TEMP) the action still works, in a folder of its
// own in the OS temp folder (not the bare temp folder: the report, the SBOM and
// the diff file stay together, and away from other programs' files).
import { mkdirSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ACTION_NAME } from './action-name.js'

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
 * existing folders: `<tmp>/blueprint-action` (and its `tool-cache`) when either
 * is unset or missing, so that everything reading them (the work folder, the
 * report, the SBOM, the diff file, the helm download) finds a place to write.
 * Returns the folder used for RUNNER_TEMP.
 */
export function ensureRunnerFolders(env: NodeJS.ProcessEnv = process.env, tmp = os.tmpdir()): string {
  const own = path.join(tmp, ACTION_NAME)
  if (!isDirectory(env.RUNNER_TEMP)) {
    mkdirSync(own, { recursive: true, mode: 0o700 })
    env.RUNNER_TEMP = own
  }
  if (!isDirectory(env.RUNNER_TOOL_CACHE)) {
    mkdirSync(path.join(own, 'tool-cache'), { recursive: true, mode: 0o700 })
    env.RUNNER_TOOL_CACHE = path.join(own, 'tool-cache')
  }
  return env.RUNNER_TEMP
}
