// Builds and reads the bench's helm shim (bench/helm-shim.c): a helm binary that
// runs the real one and appends `start end status ppid args…` (CLOCK_MONOTONIC ns)
// to $BENCH_HELM_TRACE. The action takes the first `helm` on PATH whose
// `helm version` matches helm-version (src/helm/helm-install.ts), and puts that
// binary's folder first on PATH for chart test scripts (Helm.env), so with the
// shim's folder first on PATH every helm process of a run goes through it.
import { execFile, spawn } from 'node:child_process'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const execFileAsync = promisify(execFile)
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
const SOURCE = path.join(BENCH_DIR, 'helm-shim.c')

/** Bumped when what the shim carries changes (a cached shim of another format is rebuilt). */
const STAMP_FORMAT = 'buildinfo-1'

/**
 * The action tells which helm a binary is from its Go build information (src/helm/go-buildinfo.ts) and then
 * skips `helm version`. The shim stands for the real helm, so it carries the real helm's `.go.buildinfo`
 * section (objcopy, from binutils): the action then takes the same path as with the real binary. Without
 * objcopy the shim has none, and the action runs `helm version` through it (A slower than users' runs).
 * @param {string} realHelm
 * @param {string} shim
 */
async function copyBuildInfo(realHelm, shim) {
  const section = `${shim}.buildinfo`
  try {
    await execFileAsync('objcopy', ['--dump-section', `.go.buildinfo=${section}`, realHelm, `${shim}.ignored`])
    await execFileAsync('objcopy', ['--add-section', `.go.buildinfo=${section}`, shim])
  } catch (error) {
    console.warn(`[bench] shim without helm's build information (${error.message.split('\n')[0]})`)
  }
  await Promise.all([rm(section, { force: true }), rm(`${shim}.ignored`, { force: true })])
}

/**
 * Compiles the shim for `realHelm` into `<cacheDir>/shim-<label>/helm` (cached).
 * Resolves undefined when no C compiler is available (the bench then falls back
 * to the process times node itself sees).
 * @param {string} realHelm absolute path of the real helm binary
 * @param {string} label e.g. 'v3'
 * @param {string} cacheDir
 */
export async function ensureHelmShim(realHelm, label, cacheDir) {
  const dir = path.join(cacheDir, `shim-${label}`)
  const binary = path.join(dir, 'helm')
  const stamp = path.join(dir, 'real-helm')
  if (
    existsSync(binary) &&
    existsSync(stamp) &&
    readFileSync(stamp, 'utf8') === `${realHelm}\n${STAMP_FORMAT}` &&
    statSync(binary).mtimeMs >= statSync(SOURCE).mtimeMs
  )
    return binary
  await mkdir(dir, { recursive: true })
  const tmp = `${binary}.${process.pid}`
  for (const cc of [process.env.CC, 'cc', 'gcc', 'clang'].filter(Boolean)) {
    try {
      await execFileAsync(cc, ['-O2', '-o', tmp, `-DREAL_HELM=${JSON.stringify(realHelm)}`, SOURCE])
      await copyBuildInfo(realHelm, tmp)
      await rename(tmp, binary)
      await writeFile(stamp, `${realHelm}\n${STAMP_FORMAT}`)
      return binary
    } catch {
      // next compiler
    }
  }
  return undefined
}

/**
 * The shim's trace: one entry per helm process, times in ms of CLOCK_MONOTONIC
 * (compare with Number(process.hrtime.bigint()) / 1e6).
 * @param {string} file
 * @returns {{ start: number, end: number, status: number, ppid: number, args: string[] }[]}
 */
export function readHelmTrace(file) {
  let text
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return []
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [head, ...args] = line.split('\t')
      const [start, end, status, ppid] = head.split(' ').map(Number)
      return { start: start / 1e6, end: end / 1e6, status, ppid, args }
    })
    .sort((a, b) => a.start - b.start)
}

/** Wall time of one process, ms. */
function timed(file, args, env) {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint()
    const child = spawn(file, args, { env, stdio: 'ignore' })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0 ? resolve(Number(process.hrtime.bigint() - start) / 1e6) : reject(new Error(`${file} exit ${code}`))
    )
  })
}

/**
 * What the shim adds to one process (fork, exec, wait, the trace line): the shim
 * built around `true` against `true` itself, alternating, `runs` pairs. A no-op
 * binary keeps helm's own run-to-run spread (tens of ms) out of a difference of
 * about a millisecond.
 * @returns {Promise<{ shimMs: number[], directMs: number[], target: string } | undefined>}
 */
export async function measureShimOverhead(cacheDir, traceFile, env, runs = 25) {
  const target = ['/bin/true', '/usr/bin/true'].find((p) => existsSync(p))
  if (!target) return undefined
  const shim = await ensureHelmShim(target, 'true', cacheDir)
  if (!shim) return undefined
  const shimMs = []
  const directMs = []
  for (let i = 0; i < runs; i++) {
    const order = i % 2 ? ['direct', 'shim'] : ['shim', 'direct']
    for (const which of order) {
      if (which === 'shim') shimMs.push(await timed(shim, [], { ...env, BENCH_HELM_TRACE: traceFile }))
      else directMs.push(await timed(target, [], env))
    }
  }
  return { shimMs, directMs, target }
}
