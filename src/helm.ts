// The one place that starts helm. Argument arrays only (never a shell), output
// captured, and every run confined to a private set of HELM_* homes so the
// action neither reads nor changes the user's helm state.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { redact } from './secrets.js'
import { ActionError } from './types.js'

export interface HelmRunOptions {
  /** Written to helm's stdin (e.g. a password for --password-stdin). */
  input?: string
  cwd?: string
}

export interface HelmRunResult {
  args: string[]
  exitCode: number
  stdout: string
  stderr: string
  durationMs: number
}

export interface HelmHome {
  root: string
  config: string
  cache: string
  data: string
  registryConfig: string
  repositoryConfig: string
  repositoryCache: string
}

/** A helm invocation that exited non-zero; the message carries helm's own words. */
export class HelmError extends ActionError {
  constructor(readonly result: HelmRunResult) {
    super(`helm ${describeArgs(result.args)} failed (exit ${result.exitCode}): ${lastLines(redact(result.stderr || result.stdout), 6)}`)
    this.name = 'HelmError'
  }
}

function describeArgs(args: string[]): string {
  return args.slice(0, 2).join(' ')
}

export function lastLines(text: string, count: number): string {
  return text.trim().split('\n').slice(-count).join('\n')
}

// Variables that would point helm at the user's own state or change its behaviour.
const INHERITED_HELM_VARIABLES = /^HELM_/

export class Helm {
  private constructor(
    readonly binary: string,
    readonly home: HelmHome,
    readonly version: string,
    private readonly ownsHome: boolean
  ) {}

  get major(): number {
    return Number(/^v?(\d+)/.exec(this.version)?.[1] ?? 3)
  }

  /**
   * Creates isolated homes (under `root`, or a fresh temp folder). The binary's
   * version is read with `helm version` unless the caller already knows it
   * (provisioning asked it): one helm process fewer on the critical path.
   */
  static async create(binary: string, root?: string, knownVersion?: string): Promise<Helm> {
    const ownsHome = root === undefined
    const base = root ?? (await mkdtemp(path.join(os.tmpdir(), 'bp-helm-')))
    const home: HelmHome = {
      root: base,
      config: path.join(base, 'config'),
      cache: path.join(base, 'cache'),
      data: path.join(base, 'data'),
      registryConfig: path.join(base, 'config', 'registry', 'config.json'),
      repositoryConfig: path.join(base, 'config', 'repositories.yaml'),
      repositoryCache: path.join(base, 'cache', 'repository')
    }
    await Promise.all([home.config, home.cache, home.data, path.dirname(home.registryConfig), home.repositoryCache].map((dir) => mkdir(dir, { recursive: true })))
    if (knownVersion) return new Helm(binary, home, knownVersion, ownsHome)
    const probe = new Helm(binary, home, 'unknown', ownsHome)
    const result = await probe.run(['version', '--template', '{{.Version}}'])
    if (result.exitCode !== 0 || !/^v\d+\./.test(result.stdout.trim())) {
      throw new ActionError(`helm at ${binary} does not run: ${lastLines(result.stderr || result.stdout, 3) || `exit ${result.exitCode}`}`, 'set helm-version so the action installs a working helm')
    }
    return new Helm(binary, home, result.stdout.trim(), ownsHome)
  }

  /** Environment for helm and for chart test scripts: the isolated homes, this helm first on PATH. */
  env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {}
    for (const [key, value] of Object.entries(process.env)) {
      if (!INHERITED_HELM_VARIABLES.test(key)) env[key] = value
    }
    env.PATH = `${path.dirname(this.binary)}${path.delimiter}${process.env.PATH ?? ''}`
    env.HELM_CONFIG_HOME = this.home.config
    env.HELM_CACHE_HOME = this.home.cache
    env.HELM_DATA_HOME = this.home.data
    env.HELM_REGISTRY_CONFIG = this.home.registryConfig
    env.HELM_REPOSITORY_CONFIG = this.home.repositoryConfig
    env.HELM_REPOSITORY_CACHE = this.home.repositoryCache
    // Never pick up a cluster: template/lint must work offline and alike everywhere.
    env.KUBECONFIG = path.join(this.home.root, 'no-kubeconfig')
    return env
  }

  /** Runs helm; resolves with the result whatever the exit code. */
  run(args: string[], options: HelmRunOptions = {}): Promise<HelmRunResult> {
    const start = performance.now()
    return new Promise((resolve, reject) => {
      const child = spawn(this.binary, args, { cwd: options.cwd, env: this.env(), stdio: ['pipe', 'pipe', 'pipe'] })
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
      child.on('error', (error) => reject(new ActionError(`cannot start helm at ${this.binary}: ${error.message}`, 'set helm-version so the action installs helm')))
      child.on('close', (code, signal) => {
        resolve({
          args,
          exitCode: code ?? (signal ? 128 : 1),
          stdout: Buffer.concat(stdout).toString('utf8'),
          stderr: Buffer.concat(stderr).toString('utf8'),
          durationMs: Math.round(performance.now() - start)
        })
      })
      child.stdin.on('error', () => undefined)
      child.stdin.end(options.input ?? '')
    })
  }

  /** Runs helm and throws HelmError unless it exits 0. */
  async check(args: string[], options: HelmRunOptions = {}): Promise<HelmRunResult> {
    const result = await this.run(args, options)
    if (result.exitCode !== 0) throw new HelmError(result)
    return result
  }

  async dispose(): Promise<void> {
    if (this.ownsHome) await rm(this.home.root, { recursive: true, force: true })
  }
}
