// The base commit of an event, and folders of the repository as of that
// commit copied out of git (no checkout: the user's tree is never touched).
import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fetchCommits, hasCommit } from '../discover/discover.js'
import { isRecord, lastLine } from '../util/text.js'

const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i
const ZERO_SHA_RE = /^0+$/

export type DiffSetting = 'auto' | 'true' | 'false'

const strAt = (o: unknown, ...keys: string[]): string | undefined => {
  let cur: unknown = o
  for (const k of keys) cur = isRecord(cur) ? cur[k] : undefined
  return typeof cur === 'string' ? cur : undefined
}

/**
 * The commit to render as the base: the pull request's base commit, or a
 * push's `before`. `auto` compares on pull requests and on pushes with a
 * previous commit; `true` also says why when the event has none; `false` never.
 */
export function baseCommitFor(
  eventName: string,
  payload: unknown,
  setting: DiffSetting
): { sha: string; label: string } | { skip: string } | undefined {
  if (setting === 'false') return undefined
  let found: { sha: string; label: string } | undefined
  if (eventName === 'pull_request' || eventName === 'pull_request_target') {
    const sha = strAt(payload, 'pull_request', 'base', 'sha')
    if (sha && SHA_RE.test(sha)) found = { sha, label: 'pull request base' }
  } else if (eventName === 'merge_group') {
    const sha = strAt(payload, 'merge_group', 'base_sha')
    if (sha && SHA_RE.test(sha)) found = { sha, label: 'merge group base' }
  } else if (eventName === 'push') {
    const sha = strAt(payload, 'before')
    if (sha && SHA_RE.test(sha) && !ZERO_SHA_RE.test(sha)) found = { sha, label: 'commit before the push' }
  }
  if (found) return found
  if (setting !== 'true') return undefined
  return { skip: `diff: the ${eventName || 'unknown'} event has no base commit to compare with` }
}

interface ProcessResult {
  code: number
  stdout: Buffer
  stderr: string
}

function runGit(cwd: string, args: string[], input?: string): Promise<ProcessResult> {
  return new Promise((resolve) => {
    const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }
    const child = spawn('git', args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
    child.on('error', (error) => resolve({ code: -1, stdout: Buffer.alloc(0), stderr: error.message }))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }))
    // git may exit before reading its input (an unknown commit): not an error of its own.
    child.stdin.on('error', () => undefined)
    child.stdin.end(input ?? '')
  })
}

/** Makes sure the commit is in the clone (a shallow checkout fetches it from origin, one commit deep). */
export async function ensureCommit(cwd: string, sha: string): Promise<void> {
  if (await hasCommit(cwd, sha)) return
  const fetched = await fetchCommits(cwd, [sha], 1)
  if (!(await hasCommit(cwd, sha))) {
    const why = lastLine(fetched.stderr)
    throw new Error(`commit ${sha.slice(0, 7)} is not in the clone and could not be fetched (${why})`)
  }
}

export interface TreeCopy {
  /** Files written, relative to the destination. */
  files: number
}

/**
 * Copies `folders` (relative to `cwd`, the workspace) as of `sha` into `dest`
 * at the same relative paths: regular files only. A symbolic link or a
 * submodule in them is refused (a link could read files outside the chart).
 */
export async function copyTree(cwd: string, sha: string, folders: string[], dest: string): Promise<TreeCopy> {
  const pathspecs = folders.map((f) => `${f.replace(/\/+$/, '')}/`)
  const listed = await runGit(cwd, ['ls-tree', '-r', '-z', '--full-name', sha, '--', ...pathspecs])
  if (listed.code !== 0) throw new Error(`git ls-tree ${sha.slice(0, 7)} failed (${lastLine(listed.stderr)})`)
  const prefix = (await runGit(cwd, ['rev-parse', '--show-prefix'])).stdout.toString().trim()
  const entries: Array<{ mode: string; id: string; file: string }> = []
  for (const record of listed.stdout.toString('utf8').split('\0')) {
    if (!record) continue
    const tab = record.indexOf('\t')
    const [mode, type, id] = record.slice(0, tab).split(' ')
    const full = record.slice(tab + 1)
    // ls-tree names paths from the repository root; the workspace may be a folder inside it.
    const file = prefix && full.startsWith(prefix) ? full.slice(prefix.length) : full
    if (type !== 'blob' || mode === '120000') {
      throw new Error(`${file} is a ${mode === '120000' ? 'symbolic link' : type} at ${sha.slice(0, 7)}`)
    }
    entries.push({ mode: mode, id: id, file })
  }
  if (entries.length === 0) return { files: 0 }
  // One git process for every blob: `<id> blob <size>\n<content>\n` per object.
  const batch = await runGit(cwd, ['cat-file', '--batch'], entries.map((e) => e.id).join('\n') + '\n')
  if (batch.code !== 0) throw new Error(`git cat-file failed (${lastLine(batch.stderr)})`)
  const buf = batch.stdout
  let offset = 0
  const root = path.resolve(dest)
  for (const entry of entries) {
    const newline = buf.indexOf(0x0a, offset)
    const header = buf.subarray(offset, newline).toString()
    const size = Number(header.split(' ')[2])
    if (!Number.isFinite(size)) throw new Error(`git cat-file: unexpected answer for ${entry.file}: ${header}`)
    const content = buf.subarray(newline + 1, newline + 1 + size)
    offset = newline + 1 + size + 1
    const target = path.resolve(root, entry.file)
    if (!target.startsWith(root + path.sep)) throw new Error(`${entry.file}: path leaves the copy`)
    await mkdir(path.dirname(target), { recursive: true })
    await writeFile(target, content, { mode: entry.mode === '100755' ? 0o755 : 0o644 })
  }
  return { files: entries.length }
}
