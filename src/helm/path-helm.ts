// The helm on PATH, and the early question of its version. Helm 3's official builds record neither their
// version nor their tag in the Go build information (go-buildinfo.ts), only their major, so a wanted version
// (input helm-version) needs `helm version`: a whole helm start (~45 ms of CPU with GOGC off) on the way to the
// dependency build. run/action.ts starts it as soon as the inputs are read, beside the pipeline's start. With no
// version wanted (the default) the major is enough before the build, and the run asks the version after the gates.
import { execFile } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import path from 'node:path'
import { promisify } from 'node:util'
import { readHelmBuildInfo, type HelmBuildInfo } from './go-buildinfo.js'
import { goRuntimeEnv } from './go-runtime.js'
import { helmRelease } from './helm.js'

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
 * Whether provisioning runs `helm version` for a helm on PATH with this build information before the build
 * (helm-install.ts): when the build did not record its version and a version is wanted (unless the recorded
 * major rules it out), or when it recorded not even its major, which picks flags. With the major recorded and
 * no version wanted, the run asks later, once the gates are done (`Helm.version()`).
 */
export function askedBeforeTheBuild(recorded: HelmBuildInfo, wanted: string): boolean {
  if (recorded.version !== undefined) return false
  if (recorded.major === undefined) return true
  return helmRelease(wanted)?.major === recorded.major
}

/**
 * Starts the `helm version` provisioning will run for the helm on PATH (`askedBeforeTheBuild`), as soon as the
 * inputs are read, before the blueprint's files are.
 */
export function startPathHelmProbe(wanted: string): void {
  const binary = findOnPath('helm')
  if (!binary || earlyProbes.has(binary) || !askedBeforeTheBuild(readHelmBuildInfo(binary), wanted)) return
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
