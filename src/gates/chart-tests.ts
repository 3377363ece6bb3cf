// Gate `chart-tests`: the chart's own `tests/*.sh` (self-contained `helm template`
// assertions, e.g. tests/observability-toggle.sh CHART_DIR). Each runs as
// `bash <script> <chartDir>` (argument array, no shell string) in a copy of the
// chart of its own (what it writes cannot reach the renders or the package),
// with the action's helm first on PATH, HELM_* homes of its own that hold no
// credentials, and a time limit. The copy sits at the chart's place in a view of
// the workspace (workspaceView), so `$CHART_DIR/../../../infra/x` reads what it
// reads in the checkout.
import { spawn } from 'node:child_process'
import { constants, copyFileSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { createHelmHome, type HelmHome } from '../helm/helm.js'
import { operationLimit } from '../util/deadline.js'
import type { Finding, StepResult } from '../types.js'
import { displayJoin } from './common.js'
import { customJob, wall, type Gate, type Span } from './contract.js'
import { ProcessTracker, type Survivor } from './process-tree.js'
import { lastLines } from '../util/text.js'
import { keepToActionCpus, restoreActionCpus } from '../util/cpu-affinity.js'

const CHART_TEST_TIMEOUT_MS = 5 * 60 * 1000
/** Output kept per script (the head is dropped beyond this). */
const MAX_OUTPUT_BYTES = 1024 * 1024
const TAIL_LINES = 20

/** `tests/*.sh` of the chart, sorted, relative to the chart folder (synchronous: see copyChart). */
function listChartTests(chartDir: string): string[] {
  try {
    const entries = readdirSync(path.join(chartDir, 'tests'), { withFileTypes: true })
    return entries
      .filter((e) => e.isFile() && e.name.endsWith('.sh'))
      .map((e) => `tests/${e.name}`)
      .sort()
  } catch {
    return []
  }
}

export interface ChartTestResult {
  /** Relative to the chart folder, e.g. `tests/observability-toggle.sh`. */
  script: string
  exitCode: number
  signal?: string
  timedOut: boolean
  durationMs: number
  /** stdout and stderr interleaved as they came (the tail, when very long). */
  output: string
  /** Processes the script left running when it ended (all killed before the result). */
  leftovers?: Survivor[]
}

/** How often the process table is sampled for the script's descendants while it runs. */
const SAMPLE_INTERVAL_MS = 200

/**
 * Runs one script in a process group of its own. When it ends (or its time is
 * up), everything it started is killed - the group, and whatever left it
 * (`setsid`, double forks) found by a marker variable and by parent chain -
 * and the result resolves only once none of them is running, so nothing a
 * script started is still there when publishing logs in to the registry.
 */
export function runChartTest(
  chartDir: string,
  script: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = CHART_TEST_TIMEOUT_MS
): Promise<ChartTestResult> {
  const start = performance.now()
  const limit = operationLimit(timeoutMs)
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const keep = (chunk: Buffer): void => {
      chunks.push(chunk)
      size += chunk.length
      while (size > MAX_OUTPUT_BYTES && chunks.length > 1) size -= chunks.shift()!.length
    }
    let timedOut = false
    let settled = false
    const tracker = new ProcessTracker()
    const child = spawn('bash', [path.join(chartDir, script), chartDir], {
      cwd: chartDir,
      env: tracker.env(env),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32'
    })
    if (child.pid !== undefined) tracker.start(child.pid)
    const sampler = setInterval(() => tracker.sample(), SAMPLE_INTERVAL_MS)
    let cleanup: Promise<Survivor[]> | undefined
    // Once: on exit, on timeout, and again (a no-op then) before resolving.
    const killAll = (): Promise<Survivor[]> => {
      clearInterval(sampler)
      cleanup ??= tracker.killAll()
      return cleanup
    }
    const timer = setTimeout(() => {
      timedOut = true
      void killAll()
    }, limit.ms)
    child.stdout.on('data', keep)
    child.stderr.on('data', keep)
    const finish = async (exitCode: number, signal?: string, extra?: string): Promise<void> => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      const leftovers = await killAll()
      let output = Buffer.concat(chunks).toString('utf8')
      if (extra) output += `${output.endsWith('\n') || output === '' ? '' : '\n'}${extra}\n`
      const result: ChartTestResult = {
        script,
        exitCode,
        timedOut,
        durationMs: Math.round(performance.now() - start),
        output
      }
      if (signal) result.signal = signal
      // A script stopped at its time limit is reported as such; what it ran was killed with it.
      if (leftovers.length > 0 && !timedOut) result.leftovers = leftovers
      resolve(result)
    }
    child.on('error', (error) => void finish(127, undefined, `cannot start bash: ${error.message}`))
    // Whatever the script left running ends with it (and releases the output
    // pipes, so 'close' follows).
    child.on('exit', () => void killAll())
    child.on('close', (code, signal) => {
      const why = limit.byRun ? ": the run's timeout ran out" : ''
      const stopped = timedOut ? `(stopped after ${Math.round(limit.ms / 1000)} s${why})` : undefined
      void finish(code ?? 128, signal ?? undefined, stopped)
    })
  })
}

export interface ChartTestsData {
  scripts: ChartTestResult[]
}

function chartTestsSkipped(summary: string): StepResult<ChartTestsData> {
  return {
    id: 'chart-tests',
    title: 'Chart tests',
    status: 'skipped',
    durationMs: 0,
    summary,
    findings: [],
    data: { scripts: [] }
  }
}

export function chartTestsStep(
  results: ChartTestResult[],
  displayChartDir: string,
  durationMs: number
): StepResult<ChartTestsData> {
  if (results.length === 0) return chartTestsSkipped('no tests/*.sh in the chart')
  const findings: Finding[] = []
  const details: string[] = []
  for (const r of results) {
    if (r.leftovers?.length) {
      const names = r.leftovers.map((p) => `\`${p.command}\` (pid ${p.pid})`)
      const count = `${r.leftovers.length} process${r.leftovers.length === 1 ? '' : 'es'}`
      const listed = `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`
      findings.push({
        rule: 'chart-test-leftover',
        severity: 'error',
        message: `Chart test ${r.script} left ${count} running after it ended, killed: ${listed}`,
        fix: 'wait for background jobs before the script exits (`wait`), and do not detach them (setsid, nohup, disown)',
        file: displayJoin(displayChartDir, r.script)
      })
    }
    if (r.exitCode === 0 && !r.timedOut) continue
    const last = lastLines(r.output, TAIL_LINES)
    const lastLine =
      last
        .split('\n')
        .filter((l) => l.trim() !== '')
        .pop() ?? ''
    const how = r.timedOut
      ? `timed out after ${Math.round(r.durationMs / 1000)} s`
      : r.signal
        ? `was killed (${r.signal})`
        : `exited ${r.exitCode}`
    findings.push({
      rule: 'chart-test',
      severity: 'error',
      message: `Chart test ${r.script} ${how}${lastLine ? `: ${lastLine.trim()}` : ''}`,
      fix: `Run \`bash ${r.script} .\` in the chart folder to reproduce.`,
      file: displayJoin(displayChartDir, r.script)
    })
    details.push(`${r.script} (${how}), last ${TAIL_LINES} lines:\n${last}`)
  }
  const failed = results.filter((r) => r.exitCode !== 0 || r.timedOut || (r.leftovers?.length ?? 0) > 0).length
  const step: StepResult<ChartTestsData> = {
    id: 'chart-tests',
    title: 'Chart tests',
    status: failed > 0 ? 'failed' : 'passed',
    durationMs,
    summary:
      failed > 0
        ? `${failed} of ${results.length} chart test${results.length === 1 ? '' : 's'} failed`
        : `${results.length} chart test${results.length === 1 ? '' : 's'} passed`,
    findings,
    data: { scripts: results }
  }
  if (details.length > 0) step.details = details.join('\n\n')
  return step
}

/**
 * A script's own copy of the chart: every file copied (a clone where the file
 * system can), every folder made, links recreated verbatim (the work copy's links
 * are relative, so they point into this copy). Not hard links: a script runs as
 * the action's user (root on runners), whom no file mode stops, and a write into
 * a hard-linked file would change the work chart the renders and the package
 * read. Synchronous: the script waits for nothing else, and queued behind the other gates' planning in the
 * event loop, an asynchronous copy finished later (the chart tests are a run's critical path).
 */
function copyChart(from: string, to: string): void {
  mkdirSync(to, { recursive: true })
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name)
    const target = path.join(to, entry.name)
    if (entry.isDirectory()) copyChart(source, target)
    else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(source), target)
    else if (entry.isFile()) copyFileSync(source, target, constants.COPYFILE_FICLONE)
  }
}

/**
 * Where a script's chart copy goes: at the chart's own path (`platform/x/chart`) under `<own>/workspace`, every
 * other entry along that path a link to the checkout's (the workspace's top level, the blueprint folder's
 * siblings, the chart's siblings). A path that leaves the chart folder (`$CHART_DIR/../../../infra/x`, a
 * `cd ..`) resolves to what it resolves to in the checkout, as in CI's shell job; the chart folder itself is the
 * private copy. Links, not copies: nothing of the checkout is read or copied unless a script asks for it. A chart
 * outside the workspace (or no workspace): the copy alone, at `<own>/<chart folder's name>`.
 */
function workspaceView(own: string, workspace: string | undefined, displayChartDir: string): string {
  const relative = displayChartDir.split(/[\\/]+/).filter((part) => part !== '' && part !== '.')
  const alone = path.join(own, relative.at(-1) ?? 'chart')
  if (!workspace || relative.length === 0 || relative.includes('..') || path.isAbsolute(displayChartDir)) return alone
  let real = workspace
  let view = path.join(own, 'workspace')
  for (const part of relative) {
    mkdirSync(view, { recursive: true })
    let entries: string[]
    try {
      entries = readdirSync(real)
    } catch {
      return alone // not a folder of the checkout (a chart given elsewhere): no view
    }
    for (const name of entries) if (name !== part) symlinkSync(path.join(real, name), path.join(view, name))
    real = path.join(real, part)
    view = path.join(view, part)
  }
  return view
}

/**
 * The gate: each `tests/*.sh` in a chart copy and helm home of its own, started
 * first in the pool (the longest jobs, the critical path of a run): no other job
 * starts before this gate has planned (`startsFirst`).
 */
export const chartTestsGate: Gate = {
  id: 'chart-tests',
  startsFirst: true,
  async plan(pc) {
    const { ctx } = pc
    if (!ctx.chartTests) return { jobs: [], finish: () => ({ step: chartTestsSkipped('chart-tests is false') }) }
    const scripts = listChartTests(ctx.chartDir)
    let started = 0
    let ended = 0
    const runs = scripts.map((script, i) => {
      // What a script writes (a dependency update, a lock, temp files) cannot race
      // the package or the renders, and the action's registry login and repository
      // credentials stay out of reach.
      const own = path.join(ctx.scriptRoot, String(i))
      let copy = ''
      // Made when the job starts, synchronously: the script's spawn is the pool's first.
      const prepare = (): HelmHome => {
        copy = workspaceView(own, ctx.workspace, ctx.displayChartDir)
        copyChart(ctx.chartDir, copy)
        return createHelmHome(path.join(own, 'helm-home'))
      }
      const handle = customJob<{ result: ChartTestResult; span: Span }>(`script:${script}`, 'script', async () => {
        const start = performance.now()
        const home = prepare()
        // $HELM too: scripts often run `${HELM:-helm}`.
        const running = runChartTest(copy, script, { ...ctx.helm.env(home), HELM: ctx.helm.binary })
        // Once every script has been started (with all of node's CPUs), node keeps to half of them.
        if (++started === scripts.length && ctx.yieldCpusToChartTests) keepToActionCpus()
        let result: ChartTestResult
        try {
          result = await running
        } finally {
          // The scripts are over (or one could not be run): what the gates still run gets every CPU again.
          if (++ended === scripts.length) restoreActionCpus()
        }
        return { out: { result, span: { start, end: performance.now() } }, done: result }
      })
      handle.job.first = true
      return handle
    })
    return {
      jobs: runs.map((r) => r.job),
      finish() {
        const done = runs.map((r) => r.get())
        return {
          step: chartTestsStep(
            done.map((r) => r.result),
            ctx.displayChartDir,
            wall(done.map((r) => r.span))
          )
        }
      }
    }
  }
}
