// A real OCI registry for tests: Debian's `docker-registry` package
// (CNCF distribution v2.8.x), plus a fault-injecting reverse proxy.
//
// Everything listens on 127.0.0.1 only, on ephemeral ports. Whatever is
// started here is stopped by the returned `stop()`; as a safety net, live
// registry processes are SIGKILLed when the Node process exits.

import { execFileSync, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as http from 'node:http'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import bcrypt from 'bcryptjs'

const REGISTRY_BIN_NAME = 'docker-registry'
const FALLBACK_PATHS = ['/usr/bin/docker-registry', '/usr/local/bin/docker-registry']
const START_TIMEOUT_MS = 10_000
const STOP_GRACE_MS = 3_000

// ---------------------------------------------------------------------------
// Binary lookup / installation
// ---------------------------------------------------------------------------

/**
 * `which`-like lookup on PATH.
 * @param {string} name
 * @returns {string | undefined}
 */
export function whichSync(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    try {
      fs.accessSync(candidate, fs.constants.X_OK)
      if (fs.statSync(candidate).isFile()) return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * Absolute path of the `docker-registry` binary, or undefined.
 * @returns {string | undefined}
 */
export function findRegistryBinary() {
  const onPath = whichSync(REGISTRY_BIN_NAME)
  if (onPath) return onPath
  for (const p of FALLBACK_PATHS) {
    try {
      fs.accessSync(p, fs.constants.X_OK)
      return p
    } catch {
      // not here
    }
  }
  return undefined
}

/**
 * Make sure Debian's `docker-registry` is installed. Installs it with apt-get
 * when running as root (or, failing that, with passwordless `sudo -n`, as on
 * GitHub-hosted runners). Returns the binary path; throws a clear error
 * otherwise.
 *
 * Note: the package's maintainer scripts may start a system service on
 * :5000 where systemd exists. We never use that port (ephemeral ports only),
 * so such a stray registry is irrelevant to the tests.
 * @returns {string}
 */
export function ensureRegistryInstalled() {
  const found = findRegistryBinary()
  if (found) return found

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  /** @type {string[] | undefined} */
  let prefix
  if (isRoot) prefix = []
  else if (whichSync('sudo') && canSudo()) prefix = ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive']
  if (!prefix || !whichSync('apt-get')) {
    throw new Error(
      `${REGISTRY_BIN_NAME} not found on PATH (nor at ${FALLBACK_PATHS.join(', ')}) and cannot install it automatically ` +
        `(${!whichSync('apt-get') ? 'no apt-get' : 'not root and no passwordless sudo'}). ` +
        `Install it with: sudo apt-get install -y --no-install-recommends docker-registry`
    )
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  /** @param {string[]} args */
  const run = (args) => {
    const argv = [...prefix, 'apt-get', ...args]
    process.stderr.write(`[testkit] ${argv.join(' ')}\n`)
    execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 2, 2], env })
  }
  const install = ['install', '-y', '--no-install-recommends', REGISTRY_BIN_NAME]
  try {
    run(install)
  } catch {
    // Package lists may be missing/stale on a fresh machine.
    run(['update'])
    run(install)
  }
  const after = findRegistryBinary()
  if (!after) throw new Error(`apt-get installed ${REGISTRY_BIN_NAME} but the binary is still not found`)
  return after
}

function canSudo() {
  try {
    execFileSync('sudo', ['-n', 'true'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/**
 * A free TCP port on 127.0.0.1 (listen on 0, read, close).
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.unref()
    srv.on('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address()
      const port = typeof addr === 'object' && addr ? addr.port : 0
      srv.close(() => resolve(port))
    })
  })
}

/**
 * One htpasswd line with a bcrypt hash (bcryptjs emits `$2b$`; distribution
 * accepts `$2a$`, `$2b$` and `$2y$`, which are the same algorithm).
 * @param {string} username
 * @param {string} password
 * @param {{ prefix?: '$2a$' | '$2b$' | '$2y$', rounds?: number }} [options]
 * @returns {string}
 */
export function htpasswdLine(username, password, { prefix, rounds = 5 } = {}) {
  let hash = bcrypt.hashSync(password, rounds)
  if (prefix) hash = prefix + hash.slice(4)
  return `${username}:${hash}`
}

/** @type {Set<import('node:child_process').ChildProcess>} */
const liveChildren = new Set()
/** @type {Set<string>} temp dirs of registries not yet stopped */
const liveDirs = new Set()
let exitHookInstalled = false
function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const child of liveChildren) {
      try {
        child.kill('SIGKILL')
      } catch {
        // already gone
      }
    }
    for (const dir of liveDirs) {
      try {
        fs.rmSync(dir, { recursive: true, force: true })
      } catch {
        // best effort
      }
    }
  })
}

/** @param {number} ms */
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

/**
 * GET url; resolves with the status code, or undefined on connection error.
 * @param {string} url
 * @returns {Promise<number | undefined>}
 */
function probe(url) {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume()
      resolve(res.statusCode)
    })
    req.on('timeout', () => req.destroy())
    req.on('error', () => resolve(undefined))
  })
}

// ---------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------

/**
 * @typedef {object} Registry
 * @property {string} host '127.0.0.1:PORT'
 * @property {string} url 'http://127.0.0.1:PORT'
 * @property {string} oci 'oci://127.0.0.1:PORT'
 * @property {number} port
 * @property {string} dir temp dir holding config.yml, htpasswd and data/
 * @property {{ username: string, password: string } | undefined} auth
 * @property {number} startMs how long start-up took
 * @property {() => Promise<void>} stop
 */

/**
 * Start a CNCF distribution registry on 127.0.0.1:<ephemeral>.
 * @param {{ auth?: { username: string, password: string }, bcryptPrefix?: '$2a$' | '$2b$' | '$2y$' }} [options]
 * @returns {Promise<Registry>}
 */
export async function startRegistry({ auth, bcryptPrefix } = {}) {
  const bin = findRegistryBinary()
  if (!bin) {
    throw new Error(
      `${REGISTRY_BIN_NAME} is not installed; call ensureRegistryInstalled() first (Jest globalSetup does)`
    )
  }
  const t0 = Date.now()
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'bp-registry-'))
  try {
    const dataDir = path.join(dir, 'data')
    await fsp.mkdir(dataDir)
    let authYaml = ''
    if (auth) {
      const htpasswd = path.join(dir, 'htpasswd')
      await fsp.writeFile(htpasswd, htpasswdLine(auth.username, auth.password, { prefix: bcryptPrefix }) + '\n')
      authYaml = [
        'auth:',
        '  htpasswd:',
        '    realm: bp-test-registry',
        `    path: ${JSON.stringify(htpasswd)}`,
        ''
      ].join('\n')
    }

    // The port is picked then released before the registry binds it; retry on
    // the (rare) race where someone else grabs it meanwhile.
    /** @type {unknown} */
    let lastErr
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort()
      const configPath = path.join(dir, 'config.yml')
      const config = [
        'version: 0.1',
        'log:',
        '  level: error',
        '  accesslog:',
        '    disabled: true',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${JSON.stringify(dataDir)}`,
        '  delete:',
        '    enabled: true',
        '  maintenance:',
        '    uploadpurging:',
        '      enabled: false',
        'http:',
        `  addr: 127.0.0.1:${port}`,
        `  secret: ${randomBytes(16).toString('hex')}`,
        authYaml
      ].join('\n')
      await fsp.writeFile(configPath, config)
      try {
        const child = await spawnAndWait(bin, configPath, port)
        liveDirs.add(dir)
        const host = `127.0.0.1:${port}`
        return {
          host,
          url: `http://${host}`,
          oci: `oci://${host}`,
          port,
          dir,
          auth,
          startMs: Date.now() - t0,
          stop: once(async () => {
            await killChild(child)
            await fsp.rm(dir, { recursive: true, force: true })
            liveDirs.delete(dir)
          })
        }
      } catch (err) {
        lastErr = err
        if (!/address already in use/i.test(String(err))) break
      }
    }
    throw lastErr
  } catch (err) {
    await fsp.rm(dir, { recursive: true, force: true })
    throw err
  }
}

/**
 * @param {string} bin
 * @param {string} configPath
 * @param {number} port
 * @returns {Promise<import('node:child_process').ChildProcess>}
 */
async function spawnAndWait(bin, configPath, port) {
  // REGISTRY_* variables override the config file in distribution; drop them.
  /** @type {NodeJS.ProcessEnv} */
  const env = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('REGISTRY_')) env[k] = v
  const child = spawn(bin, ['serve', configPath], { stdio: ['ignore', 'pipe', 'pipe'], env })
  liveChildren.add(child)
  installExitHook()
  let output = ''
  /** @param {Buffer} d */
  const collect = (d) => {
    if (output.length < 64_000) output += d.toString()
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  /** @type {{ code: number | null, signal: string | null } | undefined} */
  let exited
  /** @type {Error | undefined} */
  let spawnError
  child.on('exit', (code, signal) => {
    exited = { code, signal }
    liveChildren.delete(child)
  })
  child.on('error', (err) => {
    spawnError = err
  })

  const deadline = Date.now() + START_TIMEOUT_MS
  const url = `http://127.0.0.1:${port}/v2/`
  let delay = 10
  for (;;) {
    if (spawnError) throw new Error(`failed to spawn ${bin}: ${spawnError.message}`)
    if (exited) {
      throw new Error(
        `${bin} serve exited during start-up (code ${exited.code}, signal ${exited.signal}):\n${output.trim()}`
      )
    }
    const status = await probe(url)
    if (status === 200 || status === 401) return child
    if (Date.now() > deadline) {
      await killChild(child)
      throw new Error(
        `${bin} did not answer GET ${url} within ${START_TIMEOUT_MS} ms (last status ${status ?? 'no connection'}):\n${output.trim()}`
      )
    }
    await sleep(delay)
    delay = Math.min(delay * 2, 100)
  }
}

/**
 * SIGTERM, then SIGKILL after a grace period; resolves once the child is gone.
 * @param {import('node:child_process').ChildProcess} child
 * @returns {Promise<void>}
 */
function killChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    liveChildren.delete(child)
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      liveChildren.delete(child)
      resolve()
    })
    child.kill('SIGTERM')
  })
}

/**
 * @template {(...args: any[]) => Promise<void>} F
 * @param {F} fn
 * @returns {() => Promise<void>}
 */
function once(fn) {
  /** @type {Promise<void> | undefined} */
  let p
  return () => (p ??= fn())
}

// ---------------------------------------------------------------------------
// Fault-injecting reverse proxy
// ---------------------------------------------------------------------------

/**
 * @typedef {object} FaultRule
 * @property {string | string[] | RegExp} [method] 'PUT', 'POST|PUT|PATCH', ['POST','PUT'] or /^(POST|PUT)$/; omitted = any
 * @property {RegExp | string} [pathPattern] tested against the request path including the query; omitted = any
 * @property {number} [times] how many matching requests to fault (default 1); decremented as consumed
 * @property {number} [status] status to answer (default 503); ignored for `reset`
 * @property {Record<string, string | string[]>} [headers]
 * @property {string | Buffer} [body]
 * @property {boolean} [reset] destroy the client socket instead of answering
 * @property {number} [delayMs] wait this long before faulting
 * @property {boolean} [hang] read the request, then never answer (the socket stays open until stop)
 */

/**
 * @typedef {object} ProxiedRequest
 * @property {string} method
 * @property {string} path path + query as received
 * @property {number} status answered status; 0 for a reset, 502 if the upstream failed
 * @property {boolean} fault whether the answer came from the plan
 */

/**
 * @typedef {object} FaultProxy
 * @property {string} host
 * @property {string} url
 * @property {string} oci
 * @property {number} port
 * @property {ProxiedRequest[]} requests
 * @property {FaultRule[]} plan live plan (copies of the given rules, `times` counts down)
 * @property {(...rules: FaultRule[]) => void} addFaults append rules to the plan
 * @property {() => Promise<void>} stop
 */

/**
 * Loopback reverse proxy in front of `target` that injects faults per `plan`.
 * Rules are checked in order; the first matching rule with `times > 0` is
 * consumed. Everything else is forwarded (bodies streamed both ways);
 * `Location` headers pointing at the target are rewritten to the proxy.
 * @param {{ target: string | { url: string }, plan?: FaultRule[] }} options
 * @returns {Promise<FaultProxy>}
 */
export async function startFaultProxy({ target, plan = [] }) {
  const targetUrl = new URL(
    typeof target === 'string' ? (/^[a-z]+:\/\//i.test(target) ? target : `http://${target}`) : target.url
  )
  if (targetUrl.protocol === 'oci:') targetUrl.protocol = 'http:'
  const targetHost = targetUrl.host
  const agent = new http.Agent({ keepAlive: true })
  /** @type {FaultRule[]} */
  const rules = plan.map((r) => ({ ...r, times: r.times ?? 1 }))
  /** @type {ProxiedRequest[]} */
  const requests = []
  let proxyHost = ''

  /** @param {http.IncomingMessage} req */
  const matchRule = (req) => {
    const method = req.method ?? 'GET'
    const p = req.url ?? '/'
    for (const rule of rules) {
      if ((rule.times ?? 0) <= 0) continue
      if (rule.method !== undefined && !methodMatches(rule.method, method)) continue
      if (rule.pathPattern !== undefined) {
        const re = typeof rule.pathPattern === 'string' ? new RegExp(rule.pathPattern) : rule.pathPattern
        re.lastIndex = 0
        if (!re.test(p)) continue
      }
      rule.times = (rule.times ?? 1) - 1
      return rule
    }
    return undefined
  }

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET'
    const reqPath = req.url ?? '/'
    const rule = matchRule(req)
    if (rule) {
      const act = () => {
        if (rule.hang) {
          requests.push({ method, path: reqPath, status: 0, fault: true })
          req.resume()
          return
        }
        if (rule.reset) {
          requests.push({ method, path: reqPath, status: 0, fault: true })
          req.socket.destroy()
          return
        }
        const status = rule.status ?? 503
        requests.push({ method, path: reqPath, status, fault: true })
        const body = rule.body ?? ''
        // Drain the request body so the client is not stuck writing.
        req.resume()
        res.writeHead(status, {
          'content-type': 'text/plain; charset=utf-8',
          'content-length': String(Buffer.byteLength(body)),
          ...(rule.headers ?? {})
        })
        res.end(method === 'HEAD' ? undefined : body)
      }
      if (rule.delayMs) setTimeout(act, rule.delayMs)
      else act()
      return
    }

    /** @type {http.OutgoingHttpHeaders} */
    const headers = {}
    for (const [k, v] of Object.entries(req.headers)) {
      if (HOP_BY_HOP.has(k) || v === undefined) continue
      headers[k] = v
    }
    headers.host = targetHost
    const upstream = http.request(
      {
        protocol: 'http:',
        hostname: targetUrl.hostname,
        port: targetUrl.port,
        method,
        path: reqPath,
        headers,
        agent
      },
      (up) => {
        /** @type {http.OutgoingHttpHeaders} */
        const outHeaders = {}
        for (const [k, v] of Object.entries(up.headers)) {
          if (HOP_BY_HOP.has(k) || v === undefined) continue
          outHeaders[k] = v
        }
        const loc = outHeaders.location
        if (typeof loc === 'string') outHeaders.location = rewriteLocation(loc, targetHost, proxyHost)
        const status = up.statusCode ?? 502
        requests.push({ method, path: reqPath, status, fault: false })
        res.writeHead(status, up.statusMessage, outHeaders)
        up.pipe(res)
        up.on('error', () => res.destroy())
      }
    )
    upstream.on('error', (err) => {
      if (res.headersSent) {
        res.destroy()
        return
      }
      requests.push({ method, path: reqPath, status: 502, fault: false })
      const body = `fault proxy: upstream error: ${err.message}`
      res.writeHead(502, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) })
      res.end(body)
    })
    req.pipe(upstream)
    req.on('error', () => upstream.destroy())
  })
  server.keepAliveTimeout = 1000

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(undefined))
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  proxyHost = `127.0.0.1:${port}`

  return {
    host: proxyHost,
    url: `http://${proxyHost}`,
    oci: `oci://${proxyHost}`,
    port,
    requests,
    plan: rules,
    addFaults: (...more) => {
      for (const r of more) rules.push({ ...r, times: r.times ?? 1 })
    },
    stop: once(
      () =>
        new Promise((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
          agent.destroy()
        })
    )
  }
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade'
])

/**
 * @param {string | string[] | RegExp} spec
 * @param {string} method
 */
function methodMatches(spec, method) {
  if (spec instanceof RegExp) {
    spec.lastIndex = 0
    return spec.test(method)
  }
  const list = Array.isArray(spec) ? spec : spec.split('|')
  return list.some((m) => m.trim().toUpperCase() === method.toUpperCase())
}

/**
 * @param {string} location
 * @param {string} targetHost
 * @param {string} proxyHost
 */
function rewriteLocation(location, targetHost, proxyHost) {
  // Plain prefix replacement: keeps the query (e.g. `_state=`) byte-for-byte.
  const m = /^(https?:\/\/)([^/?#]+)(.*)$/is.exec(location)
  if (m && m[2].toLowerCase() === targetHost.toLowerCase()) return `http://${proxyHost}${m[3]}`
  return location
}
