// Bounded time: the run's budget (input `timeout`) and the limit of each
// operation within it. Every helm process, chart test script and HTTP request
// asks operationLimit() for its time; when it runs out the operation is
// stopped and fails with a DeadlineError naming what was stuck. A slice of the
// budget is kept back for the report (job summary, outputs, PR comment), so a
// run stopped by its timeout still says why. Retries with backoff (`withRetry`: the registry client, the chart
// repositories' index.yaml fetch, helm push) wait only as long as the budget can hold.
import { ActionError } from '../types.js'

export const DEFAULT_TIMEOUT = '15m'
/** GitHub stops a job after 6 h: a longer run budget would never be reached. */
const MAX_TIMEOUT_MS = 6 * 60 * 60 * 1000
const MIN_TIMEOUT_MS = 10 * 1000

/** Per-operation limits (each also capped by what is left of the run's budget). */
export const OPERATION_LIMITS = {
  /** helm template/lint/package/dependency build. */
  helm: 10 * 60 * 1000,
  /** helm push / registry login: a registry that takes longer is not answering. */
  registryWrite: 5 * 60 * 1000,
  /** One HTTP request (index.yaml, a registry API call, the GitHub API). */
  http: 60 * 1000,
  /** The line diffs of "What changes" (diff/compare.ts): they run on the main thread, every timer waits for them. */
  renderedDiff: 20 * 1000
} as const

/**
 * Parses a duration such as `90s`, `10m`, `1h30m` or `1h5m30s` into milliseconds.
 * Throws an ActionError naming the input for anything else.
 */
export function parseDuration(text: string, input = 'timeout'): number {
  const value = text.trim().toLowerCase()
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value)
  if (value === '' || !match) {
    throw new ActionError(
      `input ${input}: "${text.trim()}" is not a duration`,
      `write it as e.g. 90s, 10m or 1h30m (default ${DEFAULT_TIMEOUT})`
    )
  }
  const ms = ((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000
  if (ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS) {
    throw new ActionError(
      `input ${input}: ${value} is outside 10s to 6h`,
      'a run needs at least 10s, and GitHub stops a job after 6h'
    )
  }
  return ms
}

/** `90s`, `10m`, `1h30m`: how a duration reads in messages. */
export function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000)
  const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60]
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`
}

/** The run's budget: the work must end by workEnd; the report may use the rest, up to end. */
export interface RunBudget {
  /** The input as given, for messages (e.g. `15m`). */
  label: string
  totalMs: number
  /** performance.now() by which the work must be done. */
  workEnd: number
  /** performance.now() by which everything (the report included) must be done. */
  end: number
}

let current: RunBudget | undefined

/** Starts the run's clock; a tenth of the budget (at most 60 s) is kept for the report. */
export function startRunBudget(totalMs: number, label = formatDuration(totalMs), now = performance.now()): RunBudget {
  const reserve = Math.min(60_000, Math.round(totalMs / 10))
  current = { label, totalMs, workEnd: now + totalMs - reserve, end: now + totalMs }
  return current
}

/** Forgets the run's budget (tests). */
export function clearRunBudget(): void {
  current = undefined
}

export interface OperationLimit {
  ms: number
  /** Whether the run's budget, not the operation's own limit, decides. */
  byRun: boolean
}

/**
 * How long an operation may take: its own limit, capped by what is left of the
 * run's work budget (or, for `phase: 'report'`, of the whole budget, with a few
 * seconds at least so a stopped run still gets its comment out).
 */
export function operationLimit(
  limitMs: number,
  phase: 'work' | 'report' = 'work',
  now = performance.now()
): OperationLimit {
  if (!current) return { ms: limitMs, byRun: false }
  const left = phase === 'work' ? current.workEnd - now : Math.max(5000, current.end - now)
  return left < limitMs ? { ms: Math.max(0, Math.floor(left)), byRun: true } : { ms: limitMs, byRun: false }
}

/**
 * What is left of the run's work budget (`work`) or of the whole budget, the report's slice included (`report`):
 * may be negative; Infinity without a budget (tests).
 */
export function timeLeft(phase: 'work' | 'report' = 'work', now = performance.now()): number {
  if (!current) return Infinity
  return (phase === 'work' ? current.workEnd : current.end) - now
}

/** An operation stopped by its time limit: names what was stuck and for how long. */
export class DeadlineError extends ActionError {
  constructor(
    readonly what: string,
    readonly waitedMs: number,
    readonly byRun: boolean
  ) {
    const budget = current?.label ?? '?'
    super(
      waitedMs <= 0 && byRun
        ? `${what}: not started, the run's timeout (${budget}) ran out`
        : `${what}: no answer for ${Math.round(waitedMs / 1000)} s`,
      byRun
        ? `the run's timeout (${budget}) ran out: find out why it is this slow, or raise the timeout input`
        : 'check the server is reachable and answering; the operation was stopped at its time limit'
    )
    this.name = 'DeadlineError'
  }
}

/**
 * Calls `report(elapsedMs)` every `intervalMs` until the promise settles, so a
 * long wait (a push to a slow registry) is not silent in the log.
 */
export async function withProgress<T>(
  work: Promise<T>,
  report: (elapsedMs: number) => void,
  intervalMs = progressInterval()
): Promise<T> {
  const start = performance.now()
  const timer = setInterval(() => report(performance.now() - start), intervalMs)
  try {
    return await work
  } finally {
    clearInterval(timer)
  }
}

/** 15 s; BP_PROGRESS_INTERVAL_MS changes it (tests watch a few lines in seconds). */
function progressInterval(env: NodeJS.ProcessEnv = process.env): number {
  const raw = Number(env.BP_PROGRESS_INTERVAL_MS)
  return Number.isInteger(raw) && raw >= 100 ? raw : 15_000
}

/**
 * The last resort: should anything outlive the run's budget by half a minute
 * (every operation has its own limit, so nothing should), the run fails and
 * ends instead of hanging until GitHub's 6 h job limit.
 */
export function armWatchdog(totalMs: number, grace = 30_000): NodeJS.Timeout {
  const timer = setTimeout(() => {
    const line = `the run did not end within its timeout (${formatDuration(totalMs)}) and was stopped`
    process.stdout.write(`::error::${line}\n`)
    process.exit(1)
  }, totalMs + grace)
  timer.unref()
  return timer
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/**
 * Runs `fn`, retrying retryable failures up to `retries` times with exponential
 * backoff (baseDelayMs · 2^(n-1), capped at maxDelayMs, default 30 s) and jitter
 * (each delay is drawn from [d/2, d]). The last error is rethrown unchanged.
 */
export async function withRetry<T>(
  fn: () => Promise<T>,
  opts: {
    retries: number
    baseDelayMs: number
    isRetryable: (e: unknown) => boolean
    onRetry?: (attempt: number, e: unknown, delayMs: number) => void
    maxDelayMs?: number
  }
): Promise<T> {
  const retries = Math.max(0, Math.floor(opts.retries))
  const maxDelay = opts.maxDelayMs ?? 30_000
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (e) {
      if (attempt > retries || !opts.isRetryable(e)) throw e
      const full = Math.min(maxDelay, Math.max(0, opts.baseDelayMs) * 2 ** (attempt - 1))
      const delayMs = Math.round(full / 2 + (Math.random() * full) / 2)
      // No retry the run's budget cannot hold: the last error says more than a timeout would.
      if (operationLimit(delayMs).byRun) throw e
      opts.onRetry?.(attempt, e, delayMs)
      await sleep(delayMs)
    }
  }
}
