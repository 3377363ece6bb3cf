// The one place that starts helm. Argument arrays only (never a shell), output
// captured, and every run confined to a private set of HELM_* homes so the
// action neither reads nor changes the user's helm state.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { DeadlineError, OPERATION_LIMITS, operationLimit } from '../util/deadline.js'
import { goRuntimeEnv } from './go-runtime.js'
import { ActionError } from '../types.js'
import { lastLines } from '../util/text.js'
import type { Credentials } from '../credentials/credentials.js'

export interface HelmRunOptions {
  /** Written to helm's stdin (e.g. a password for --password-stdin). */
  input?: string
  cwd?: string
  /** What the run is, for a timeout message (default `helm <command>`), e.g. `helm push to ghcr.io`. */
  what?: string
  /** This operation's own limit (default OPERATION_LIMITS.helm), capped by the run's budget. */
  limitMs?: number
  /**
   * Off the critical path (the gates' renders and lint while a chart test script runs): started at a
   * lower CPU priority (`nice -n 10`), so that on a small runner the script's helm processes get the cores first.
   */
  background?: boolean
  /** Called once helm has started: what to do while it runs (the dependency build: load the later stages). */
  onSpawn?: () => void
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

// Not passed on to helm or to chart test scripts: HELM_* would point helm at the
// user's own state; INPUT_* hold the action's inputs (registry-password among
// them); the runner's tokens are for the action, never for a chart's script;
// the runner's command files would let a script set this step's outputs or
// the environment of later steps.
const WITHHELD_VARIABLES =
  /^(HELM_|INPUT_|ACTIONS_(RUNTIME|ID_TOKEN_REQUEST|CACHE|RESULTS)_|GITHUB_TOKEN$|GH_TOKEN$|GITHUB_(ENV|OUTPUT|PATH|STATE|STEP_SUMMARY)$)/

/**
 * The command line of a background run: helm started through `nice -n 10`, which execs it (same pid, same
 * process group), so every thread the Go runtime starts inherits the priority. Setting it after the spawn
 * would miss the threads helm started meanwhile. Without `nice` (not a Linux runner) helm runs as usual.
 */
const NICE = ['/usr/bin/nice', '/bin/nice'].find((file) => existsSync(file))
function commandLine(binary: string, args: string[], background: boolean | undefined): [string, string[]] {
  return background && NICE ? [NICE, ['-n', '10', binary, ...args]] : [binary, args]
}

/** The HELM_* homes under `base` (nothing created). */
function helmHomeAt(base: string): HelmHome {
  return {
    root: base,
    config: path.join(base, 'config'),
    cache: path.join(base, 'cache'),
    data: path.join(base, 'data'),
    registryConfig: path.join(base, 'config', 'registry', 'config.json'),
    repositoryConfig: path.join(base, 'config', 'repositories.yaml'),
    repositoryCache: path.join(base, 'cache', 'repository')
  }
}

/**
 * Creates the folders of a helm home. Synchronous (a few mkdirs): a chart test script's home is made just before
 * the script starts.
 */
export function createHelmHome(base: string): HelmHome {
  const home = helmHomeAt(base)
  for (const dir of [home.config, home.cache, home.data, path.dirname(home.registryConfig), home.repositoryCache])
    mkdirSync(dir, { recursive: true })
  return home
}

/**
 * Which helm release a binary is: the major at once (it picks flags: `--plain-http` or `--insecure`), the version
 * (what `helm version` prints) when provisioning knew it without a process.
 */
export interface HelmRelease {
  major: number
  version?: string
}

/** The release of a known version (`v3.17.2`); undefined for anything that is not `vMAJOR.…`. */
export function helmRelease(version: string): HelmRelease | undefined {
  const major = /^v(\d+)\./.exec(version)?.[1]
  return major === undefined ? undefined : { major: Number(major), version }
}

export class Helm {
  /** `helm version`'s answer once asked (`version()`), when provisioning did not know it. */
  private versionAnswer?: Promise<string | undefined>

  private constructor(
    readonly binary: string,
    readonly home: HelmHome,
    /** As provisioning knew it; another Helm of the same binary (base render, workspace builds) starts from it. */
    readonly release: HelmRelease,
    private readonly ownsHome: boolean,
    /** Stops every run of this helm (the base render of "What changes" when its time is up): the reason is the error. */
    private readonly stop?: AbortSignal
  ) {}

  get major(): number {
    return this.release.major
  }

  /**
   * What `helm version` prints (undefined when it does not answer): known from provisioning, printed by one of the
   * action's own renders (`heardVersion`), or asked once, on the first call. Asking is a whole helm start (~45 ms of
   * CPU): the run asks once the gates are done (run/chart-steps.ts), not on the way to the dependency build.
   */
  version(): Promise<string | undefined> {
    if (this.release.version !== undefined) return Promise.resolve(this.release.version)
    this.versionAnswer ??= this.askRelease().then(
      ({ release }) => release?.version,
      () => undefined
    )
    return this.versionAnswer
  }

  /** `helm version`'s run, and the release it names (undefined when it does not answer as helm does). */
  private async askRelease(): Promise<{ result: HelmRunResult; release?: HelmRelease }> {
    const result = await this.run(['version', '--template', '{{.Version}}'])
    return { result, release: result.exitCode === 0 ? helmRelease(result.stdout.trim()) : undefined }
  }

  /**
   * The version as one of the action's own renders printed it (`.Capabilities.HelmVersion.Version`, what
   * `helm version` prints: gates/merged-render.ts): `version()` then starts no process.
   */
  heardVersion(version: string): void {
    if (this.release.version === undefined && helmRelease(version)?.major === this.major)
      this.versionAnswer ??= Promise.resolve(version)
  }

  /**
   * Creates isolated homes (under `root`, or a fresh temp folder). The binary's release is read with
   * `helm version` unless the caller already knows it (provisioning did): one helm process fewer on the
   * critical path.
   */
  static async create(binary: string, root?: string, known?: HelmRelease, stop?: AbortSignal): Promise<Helm> {
    const ownsHome = root === undefined
    const base = root ?? (await mkdtemp(path.join(os.tmpdir(), 'bp-helm-')))
    const home = createHelmHome(base)
    if (known) return new Helm(binary, home, known, ownsHome, stop)
    const probe = new Helm(binary, home, { major: 3 }, ownsHome, stop)
    const { result, release } = await probe.askRelease()
    if (!release) {
      throw new ActionError(
        `helm at ${binary} does not run: ${lastLines(result.stderr || result.stdout, 3) || `exit ${result.exitCode}`}`,
        'set helm-version so the action installs a working helm'
      )
    }
    return new Helm(binary, home, release, ownsHome, stop)
  }

  /** process.env without what helm must not see; taken once, at the first spawn (see `env`). */
  private inherited?: NodeJS.ProcessEnv
  /** The environment of this helm's own home, built once: every helm process gets the same. */
  private ownEnv?: NodeJS.ProcessEnv

  /**
   * Environment for helm (its isolated homes, and goRuntimeEnv) or for a chart test script (given a home of its
   * own, so it never sees the registry login or repository credentials of the action's home, and the Go settings
   * the user's environment has); this helm first on PATH either way.
   * Built from process.env once per Helm, at the first call (filtering process.env
   * for every spawn cost ~45 ms of CPU a run); the action never changes process.env
   * after that. The object for this helm's own home is shared and frozen.
   */
  env(home: HelmHome = this.home): NodeJS.ProcessEnv {
    if (home === this.home && this.ownEnv) return this.ownEnv
    if (!this.inherited) {
      const inherited: NodeJS.ProcessEnv = {}
      for (const [key, value] of Object.entries(process.env)) {
        if (!WITHHELD_VARIABLES.test(key)) inherited[key] = value
      }
      this.inherited = inherited
    }
    const env: NodeJS.ProcessEnv = {
      ...this.inherited,
      PATH: `${path.dirname(this.binary)}${path.delimiter}${this.inherited.PATH ?? ''}`,
      HELM_CONFIG_HOME: home.config,
      HELM_CACHE_HOME: home.cache,
      HELM_DATA_HOME: home.data,
      HELM_REGISTRY_CONFIG: home.registryConfig,
      HELM_REPOSITORY_CONFIG: home.repositoryConfig,
      HELM_REPOSITORY_CACHE: home.repositoryCache,
      // Never pick up a cluster: template/lint must work offline and alike everywhere.
      KUBECONFIG: path.join(home.root, 'no-kubeconfig')
    }
    if (home !== this.home) return env
    this.ownEnv = Object.freeze({ ...env, ...goRuntimeEnv(this.inherited) })
    return this.ownEnv
  }

  /**
   * `helm registry login` with the password on stdin. Plain HTTP only when the
   * caller says so (loopback registries): Helm 4 never falls back to it on its
   * own; Helm 3 only knows --insecure.
   */
  registryLogin(host: string, credentials: Credentials, plainHttp: boolean): Promise<HelmRunResult> {
    const args = ['registry', 'login', host, '--username', credentials.username, '--password-stdin']
    if (plainHttp) args.push(this.major >= 4 ? '--plain-http' : '--insecure')
    const what = `helm registry login to ${host}`
    return this.run(args, { input: credentials.password, what, limitMs: OPERATION_LIMITS.registryWrite })
  }

  /**
   * Runs helm; resolves with the result whatever the exit code. Rejects with a
   * DeadlineError when it outlives its limit: helm (and anything it started)
   * is killed, as a process group of its own.
   */
  run(args: string[], options: HelmRunOptions = {}): Promise<HelmRunResult> {
    const start = performance.now()
    const what =
      options.what ??
      `helm ${args
        .filter((arg) => !arg.startsWith('-'))
        .slice(0, 2)
        .join(' ')}`
    const limit = operationLimit(options.limitMs ?? OPERATION_LIMITS.helm)
    if (limit.ms <= 0) return Promise.reject(new DeadlineError(what, 0, true))
    const { stop } = this
    if (stop?.aborted) return Promise.reject(stopReason(stop))
    return new Promise((resolve, reject) => {
      const detached = process.platform !== 'win32'
      const stdio: ['pipe', 'pipe', 'pipe'] = ['pipe', 'pipe', 'pipe']
      const [file, argv] = commandLine(this.binary, args, options.background)
      const child = spawn(file, argv, { cwd: options.cwd, env: this.env(), stdio, detached })
      options.onSpawn?.()
      const stdout: Buffer[] = []
      const stderr: Buffer[] = []
      let timedOut = false
      let stopped = false
      const kill = (): void => {
        try {
          if (detached && child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
          else child.kill('SIGKILL')
        } catch {
          // already gone
        }
      }
      const timer = setTimeout(() => {
        timedOut = true
        kill()
      }, limit.ms)
      const onStop = (): void => {
        stopped = true
        kill()
      }
      stop?.addEventListener('abort', onStop, { once: true })
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk))
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk))
      child.on('error', (error) => {
        clearTimeout(timer)
        stop?.removeEventListener('abort', onStop)
        reject(
          new ActionError(
            `cannot start helm at ${this.binary}: ${error.message}`,
            'set helm-version so the action installs helm'
          )
        )
      })
      child.on('close', (code, signal) => {
        clearTimeout(timer)
        stop?.removeEventListener('abort', onStop)
        if (stopped && stop) {
          reject(stopReason(stop))
          return
        }
        if (timedOut) {
          reject(new DeadlineError(what, performance.now() - start, limit.byRun))
          return
        }
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

  async dispose(): Promise<void> {
    if (this.ownsHome) await rm(this.home.root, { recursive: true, force: true })
  }
}

/** Why a stopped helm run failed: the signal's reason when it is an error. */
function stopReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new ActionError(`helm was stopped: ${String(signal.reason)}`)
}
