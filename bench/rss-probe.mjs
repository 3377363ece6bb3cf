// Loaded into the action's own process by the bench:
//   node --import <this file> dist/index.js        (BENCH_PROBE_OUT=<file.json>)
// It changes nothing the action does. It records
//   - when it was imported (performance.now(), ms since the process's time origin, and the
//     offset to CLOCK_MONOTONIC) and its pid,
//   - every child process the action starts (binary, first arguments, start and
//     exit times, how long spawn() itself blocked), by wrapping ChildProcess.prototype.spawn — spawn, execFile,
//     exec and @actions/exec all go through it,
//   - the process's peak resident set size (process.resourceUsage().maxRSS),
//   - its own CPU time, and (Linux) the CPU time of its waited-for children and
//     their descendants (cutime + cstime of /proc/self/stat, in clock ticks),
// and writes them as JSON to $BENCH_PROBE_OUT when the process exits.
// Grandchildren (e.g. the helm calls inside a chart test script) are not seen here;
// bench/helm-shim.c logs those.
import { ChildProcess } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'

const out = process.env.BENCH_PROBE_OUT
if (out) {
  const importedAt = performance.now()
  // performance.now() + monoOffsetMs = CLOCK_MONOTONIC ms (process.hrtime), the clock of the
  // bench's spawn time and of the helm shim's trace.
  const monoOffsetMs = Number(process.hrtime.bigint()) / 1e6 - performance.now()
  /** @type {{ file: string, args: string[], start: number, end?: number, exitCode?: number | null }[]} */
  const spawns = []
  const original = ChildProcess.prototype.spawn
  ChildProcess.prototype.spawn = function probeSpawn(options) {
    const record = {
      file: path.basename(String(options?.file ?? '?')),
      // args[0] is argv0; keep the subcommand words only (no values, no secrets).
      args: (options?.args ?? []).slice(1, 3).map((a) => String(a).slice(0, 40)),
      start: performance.now()
    }
    spawns.push(record)
    this.once('exit', (code) => {
      record.end = performance.now()
      record.exitCode = code
    })
    const result = original.call(this, options)
    // spawn() is synchronous until the child has exec'd: time the event loop stands still.
    record.syncMs = performance.now() - record.start
    return result
  }
  /** CPU clock ticks of the waited-for children (and their descendants), or undefined off Linux. */
  const childTicks = () => {
    try {
      const stat = readFileSync('/proc/self/stat', 'utf8')
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return Number(rest[13]) + Number(rest[14]) // fields 16 and 17: cutime, cstime
    } catch {
      return undefined
    }
  }
  process.on('exit', () => {
    const usage = process.resourceUsage()
    try {
      writeFileSync(
        out,
        JSON.stringify({
          importedAt,
          monoOffsetMs,
          pid: process.pid,
          exitAt: performance.now(),
          timeOrigin: performance.timeOrigin,
          maxRssKb: usage.maxRSS,
          userCpuMs: usage.userCPUTime / 1000,
          systemCpuMs: usage.systemCPUTime / 1000,
          childTicks: childTicks(),
          spawns
        })
      )
    } catch {
      // the bench reports a missing probe file
    }
  })
}
