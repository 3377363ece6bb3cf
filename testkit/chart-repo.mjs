// A real Helm chart repository for tests: packages chart sources with a real helm
// binary, indexes them with `helm repo index`, and serves the directory over HTTP
// on 127.0.0.1. Plain ESM JavaScript so tests, scripts/ and bench/ can all use it.

import { execFile } from 'node:child_process'
import { createReadStream } from 'node:fs'
import fs from 'node:fs/promises'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { parse as parseYaml } from 'yaml'

const execFileAsync = promisify(execFile)

/** The stand-in upstream `temporal` chart source shipped with the tests. */
export const DEFAULT_CHART_SOURCE = fileURLToPath(new URL('../__tests__/fixtures/upstream-temporal/', import.meta.url))

/** Versions published by default: three releases and one prerelease. */
export const DEFAULT_VERSIONS = Object.freeze(['1.1.0', '1.2.0', '1.3.0', '2.0.0-rc.1'])

/** appVersion (Temporal server version) of the default versions; others use their own version. */
const KNOWN_APP_VERSIONS = Object.freeze({
  '1.1.0': '1.27.2',
  '1.2.0': '1.28.1',
  '1.3.0': '1.29.0',
  '2.0.0-rc.1': '1.30.0-rc.1'
})

const CONTENT_TYPES = Object.freeze({
  '.yaml': 'application/x-yaml',
  '.yml': 'application/x-yaml',
  '.tgz': 'application/gzip',
  '.gz': 'application/gzip',
  '.prov': 'application/pgp-signature',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8'
})

/**
 * @typedef {string | { version: string, appVersion?: string }} VersionSpec
 * @typedef {{ source: string, versions: VersionSpec[] }} ExtraChart
 * @typedef {{ method: string, url: string }} RecordedRequest
 * @typedef {{ method: string, url: string, headers: import('node:http').IncomingHttpHeaders }} FailureRequest
 * @typedef {number | { status?: number, body?: string | Buffer, headers?: Record<string, string>, destroy?: boolean } | null | undefined | false} FailureAnswer
 *   What a failure hook answers: falsy = serve normally; a number = that status with a
 *   short text body; an object = status/body/headers, or `destroy: true` to drop the socket.
 * @typedef {(req: FailureRequest) => FailureAnswer | Promise<FailureAnswer>} FailureFn
 * @typedef {{ name: string, version: string, appVersion: string, file: string, path: string, url: string }} Archive
 *
 * @typedef {object} ChartRepoOptions
 * @property {string} [helm] Path to a helm binary (default: $HELM_BIN, else `helm` from PATH).
 * @property {VersionSpec[]} [versions] Versions of `chartSource` to publish.
 * @property {string} [workDir] Directory to work in (default: a fresh temp dir, removed on close).
 * @property {string} [chartSource] Chart source directory (default: the stand-in `temporal` chart).
 * @property {ExtraChart[]} [extraCharts] More chart sources to publish in the same repository.
 * @property {boolean} [absoluteUrls] Index with `--url` (absolute archive URLs) instead of relative ones.
 * @property {string} [basePath] Serve the repository under this path, e.g. `/charts` (default: root).
 *
 * @typedef {object} ChartRepo
 * @property {string} url Repository URL, `http://127.0.0.1:PORT[basePath]`, no trailing slash.
 * @property {string} dir Directory being served (archives and index.yaml).
 * @property {string} indexPath Path of the generated index.yaml.
 * @property {string[]} versions Published versions of the main chart.
 * @property {string} chartName Name of the main chart (e.g. `temporal`).
 * @property {Archive[]} archives Every packaged archive, main chart first.
 * @property {Record<string, string>} helmEnv Isolated HELM_* variables used for packaging (handy for `helm repo add`).
 * @property {RecordedRequest[]} requests Every request received, in order.
 * @property {(fn: FailureFn | null) => void} setFailure Install or clear a failure hook.
 * @property {() => Promise<void>} close Stop the server and remove the temp dir (if created here).
 */

/**
 * Packages the stand-in chart at each version with real helm and serves a chart
 * repository over HTTP on 127.0.0.1.
 * @param {ChartRepoOptions} [options]
 * @returns {Promise<ChartRepo>}
 */
export async function startChartRepo({
  helm = process.env.HELM_BIN || 'helm',
  versions = [...DEFAULT_VERSIONS],
  workDir,
  chartSource = DEFAULT_CHART_SOURCE,
  extraCharts = [],
  absoluteUrls = false,
  basePath = ''
} = {}) {
  const ownsWorkDir = !workDir
  const root = workDir ? path.resolve(workDir) : await fs.mkdtemp(path.join(os.tmpdir(), 'bp-chart-repo-'))
  const normalizedBase = normalizeBasePath(basePath)

  /** @type {http.Server | undefined} */
  let server
  let closed = false
  const cleanup = async () => {
    if (closed) return
    closed = true
    if (server) {
      server.closeAllConnections()
      await new Promise((resolve) => server?.close(() => resolve(undefined)))
    }
    if (ownsWorkDir) await fs.rm(root, { recursive: true, force: true })
  }

  try {
    const dir = path.join(root, 'repo')
    const helmHome = path.join(root, 'helm-home')
    await fs.mkdir(dir, { recursive: true })
    const helmEnv = isolatedHelmEnv(helmHome)
    await Promise.all(
      Object.values(helmEnv).map((p) =>
        fs.mkdir(p.endsWith('.yaml') || p.endsWith('.json') ? path.dirname(p) : p, { recursive: true })
      )
    )
    const env = { ...process.env, ...helmEnv }

    // Package every (source, version) pair concurrently.
    const jobs = [
      { source: path.resolve(chartSource), versions },
      ...extraCharts.map((c) => ({ source: path.resolve(c.source), versions: c.versions }))
    ]
    const names = await Promise.all(jobs.map((job) => chartName(job.source)))
    const packaged = await Promise.all(
      jobs.flatMap((job, i) =>
        job.versions.map((spec) => packageChart({ helm, env, source: job.source, name: names[i], spec, dir }))
      )
    )

    /** @type {RecordedRequest[]} */
    const requests = []
    /** @type {FailureFn | null} */
    let failure = null

    server = http.createServer((req, res) => {
      const method = req.method ?? 'GET'
      const url = req.url ?? '/'
      requests.push({ method, url })
      handle(req, res, { method, url, dir, basePath: normalizedBase, failure }).catch((err) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
          res.end(`chart-repo: ${err instanceof Error ? err.message : String(err)}\n`)
        } else {
          res.destroy()
        }
      })
    })
    // Keep-alive sockets must not hold close() open.
    server.keepAliveTimeout = 1000
    const port = await listen(server)
    const url = `http://127.0.0.1:${port}${normalizedBase}`

    const indexArgs = ['repo', 'index', dir]
    if (absoluteUrls) indexArgs.push('--url', url)
    await run(helm, indexArgs, env)

    const archives = packaged.map((p) => ({ ...p, url: `${url}/${p.file}` }))
    return {
      url,
      dir,
      indexPath: path.join(dir, 'index.yaml'),
      versions: versions.map((v) => (typeof v === 'string' ? v : v.version)),
      chartName: names[0],
      archives,
      helmEnv,
      requests,
      setFailure(fn) {
        failure = fn ?? null
      },
      close: cleanup
    }
  } catch (err) {
    await cleanup()
    throw err
  }
}

/**
 * The HELM_* variables that keep helm away from the user's own config, cache and repositories.
 * @param {string} home
 * @returns {Record<string, string>}
 */
export function isolatedHelmEnv(home) {
  return {
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_DATA_HOME: path.join(home, 'data'),
    HELM_REGISTRY_CONFIG: path.join(home, 'config', 'registry', 'config.json'),
    HELM_REPOSITORY_CONFIG: path.join(home, 'config', 'repositories.yaml'),
    HELM_REPOSITORY_CACHE: path.join(home, 'cache', 'repository')
  }
}

/** @param {string} source */
async function chartName(source) {
  const text = await fs.readFile(path.join(source, 'Chart.yaml'), 'utf8')
  const name = parseYaml(text)?.name
  if (typeof name !== 'string' || !name) throw new Error(`chart-repo: no name in ${source}/Chart.yaml`)
  return name
}

/**
 * @param {{ helm: string, env: NodeJS.ProcessEnv, source: string, name: string, spec: VersionSpec, dir: string }} args
 * @returns {Promise<Omit<Archive, 'url'>>}
 */
async function packageChart({ helm, env, source, name, spec, dir }) {
  const version = typeof spec === 'string' ? spec : spec.version
  const appVersion =
    (typeof spec === 'object' && spec.appVersion) ||
    KNOWN_APP_VERSIONS[/** @type {keyof typeof KNOWN_APP_VERSIONS} */ (version)] ||
    version
  await run(helm, ['package', source, '--version', version, '--app-version', appVersion, '--destination', dir], env)
  // helm writes <name>-<version>.tgz; a `+` in the version is kept in the file name.
  const file = `${name}-${version}.tgz`
  const full = path.join(dir, file)
  await fs.access(full).catch(() => {
    throw new Error(`chart-repo: helm package did not write ${full}`)
  })
  return { name, version, appVersion, file, path: full }
}

/**
 * @param {string} helm
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 */
async function run(helm, args, env) {
  try {
    return await execFileAsync(helm, args, { env, maxBuffer: 16 * 1024 * 1024 })
  } catch (err) {
    const e = /** @type {Error & { stderr?: string, stdout?: string }} */ (err)
    const detail = (e.stderr || e.stdout || e.message || '').toString().trim()
    throw new Error(`chart-repo: ${helm} ${args.join(' ')} failed: ${detail}`, { cause: err })
  }
}

/** @param {string} basePath */
function normalizeBasePath(basePath) {
  if (!basePath || basePath === '/') return ''
  return '/' + basePath.replace(/^\/+|\/+$/g, '')
}

/**
 * @param {http.Server} server
 * @returns {Promise<number>}
 */
function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      const address = server.address()
      if (address && typeof address === 'object') resolve(address.port)
      else reject(new Error('chart-repo: server has no port'))
    })
  })
}

/**
 * @param {http.IncomingMessage} req
 * @param {http.ServerResponse} res
 * @param {{ method: string, url: string, dir: string, basePath: string, failure: FailureFn | null }} ctx
 */
async function handle(req, res, { method, url, dir, basePath, failure }) {
  if (failure) {
    const answer = await failure({ method, url, headers: req.headers })
    if (answer) {
      if (typeof answer === 'number') {
        res.writeHead(answer, { 'content-type': 'text/plain; charset=utf-8' })
        res.end(`injected failure: ${answer}\n`)
        return
      }
      if (answer.destroy) {
        req.socket.destroy()
        return
      }
      const status = answer.status ?? 500
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...answer.headers })
      res.end(answer.body ?? `injected failure: ${status}\n`)
      return
    }
  }

  if (method !== 'GET' && method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' })
    res.end('method not allowed\n')
    return
  }

  const file = resolveFile(url, dir, basePath)
  const stat = file ? await fs.stat(file).catch(() => null) : null
  if (!file || !stat || !stat.isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
    res.end('not found\n')
    return
  }

  res.writeHead(200, {
    'content-type':
      CONTENT_TYPES[/** @type {keyof typeof CONTENT_TYPES} */ (path.extname(file))] ?? 'application/octet-stream',
    'content-length': String(stat.size),
    'last-modified': stat.mtime.toUTCString()
  })
  if (method === 'HEAD') {
    res.end()
    return
  }
  await new Promise((resolve, reject) => {
    const stream = createReadStream(file)
    stream.on('error', reject)
    res.on('close', () => resolve(undefined))
    stream.pipe(res)
  })
}

/**
 * Maps a request URL to a file inside `dir`, or null when it falls outside.
 * @param {string} url
 * @param {string} dir
 * @param {string} basePath
 */
function resolveFile(url, dir, basePath) {
  let pathname
  try {
    pathname = decodeURIComponent(new URL(url, 'http://127.0.0.1').pathname)
  } catch {
    return null
  }
  if (basePath) {
    if (!pathname.startsWith(basePath + '/')) return null
    pathname = pathname.slice(basePath.length)
  }
  const rel = path.posix.normalize(pathname).replace(/^\/+/, '')
  if (!rel || rel.startsWith('..') || rel.includes('\0')) return null
  const full = path.resolve(dir, rel)
  if (!full.startsWith(path.resolve(dir) + path.sep)) return null
  return full
}
