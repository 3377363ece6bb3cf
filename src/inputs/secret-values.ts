// Input set-secret reaches helm without a shell and without its values in any
// argument list (another process on the runner can read argv): each value is
// written to its own file (mode 0600) in the run's private work folder and
// given as `--set-file key=FILE`, so helm reads it as a string.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { SecretValue } from './inputs.js'

/** Writes one file per value under `dir` (created 0700) and returns the helm arguments that read them. */
export async function secretValueArgs(dir: string, entries: SecretValue[]): Promise<string[]> {
  if (entries.length === 0) return []
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const args: string[] = []
  for (const [index, entry] of entries.entries()) {
    // A name without commas or `=`: helm splits --set-file on both.
    const file = path.join(dir, `value-${index}`)
    await writeFile(file, entry.value, { mode: 0o600 })
    args.push('--set-file', `${entry.key}=${file}`)
  }
  return args
}
