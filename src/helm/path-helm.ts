// The helm on PATH, and the early question of its version. Helm 3's official builds record neither their
// version nor their tag in the Go build information (go-buildinfo.ts), so `helm version` has to run, a whole helm
// start (~45 ms of CPU with GOGC off) on the way to the dependency build. main.ts starts it as soon as the pipeline's
// code has loaded, beside the pipeline's start (not beside the loading: the two slowed each other on 2 vCPUs).
// Node built-ins and go-buildinfo only: this module is in the small first chunk of dist/.
import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { readHelmBuildInfo } from './go-buildinfo.js'
import { goRuntimeEnv } from './go-runtime.js'

const execFileAsync = promisify(execFile)

/** `helm version` processes started early, by binary; each is taken once (helm-install.ts). */
const earlyProbes = new Map<string, Promise<string | undefined>>()

/** What `<binary> version` prints as the version, or undefined when it does not run. */
export async function versionOf(binary: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ['version', '--template', '{{.Version}}'], {
      env: { ...process.env, ...goRuntimeEnv(process.env) },
      timeout: 15000
    })
    return stdout.trim() || undefined
  } catch {
    return undefined
  }
}

/** Synchronous on purpose (microseconds): queued in the thread pool behind the work copy it would wait longer. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * Starts `helm version` for the helm on PATH when its build does not record the version. Whatever the inputs say
 * (they are not read yet): when they want another helm, the answer is not used, at the cost of one process beside
 * the pipeline's start.
 */
export function startPathHelmProbe(): void {
  const binary = findOnPath('helm')
  if (!binary || earlyProbes.has(binary) || readHelmBuildInfo(binary).version !== undefined) return
  const probe = versionOf(binary)
  probe.catch(() => undefined)
  earlyProbes.set(binary, probe)
}

/** The early probe's answer for `binary` (once), else a `helm version` started now. */
export function pathHelmVersion(binary: string): Promise<string | undefined> {
  const early = earlyProbes.get(binary)
  earlyProbes.delete(binary)
  return early ?? versionOf(binary)
}
