// Finds every process a chart test script started, to end them all when the
// script ends. A process group is not enough: `setsid` (or a double fork)
// leaves it. So each script runs with a marker variable of its own in its
// environment, which its children inherit, and while it runs the process
// table is sampled for descendants (by parent chain), which catches a child
// that clears its environment as long as it lives through one sample. Linux
// only (/proc); elsewhere the process group is all there is.
import { randomBytes } from 'node:crypto'
import { readdirSync, readFileSync } from 'node:fs'

const MARKER_VARIABLE = 'BP_CHART_TEST_RUN'

export interface ProcessInfo {
  pid: number
  ppid: number
  pgrp: number
  session: number
  /** One letter: R, S, D, Z (zombie), … */
  state: string
  /** Clock ticks since boot: with the pid, tells a process from a later one that reuses its pid. */
  startTime: string
  comm: string
}

/** Parses /proc/<pid>/stat; `comm` may hold spaces and parentheses, so it is cut at the last ')'. */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf('(')
  const close = text.lastIndexOf(')')
  if (open < 0 || close < open) return undefined
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/)
  // fields[0] is field 3 (state); starttime is field 22.
  if (fields.length < 20) return undefined
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: fields[0],
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    session: Number(fields[3]),
    startTime: fields[19]
  }
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))
  } catch {
    return undefined
  }
}

function listPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
  } catch {
    return []
  }
}

function carriesMarker(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`).includes(`${MARKER_VARIABLE}=${marker}\0`)
  } catch {
    return false
  }
}

/** `sleep 300` for a process: its command line, or its name when that is unreadable. */
function describeProcess(pid: number, fallback: string): string {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ')
    const text = cmdline || fallback
    return text.length > 120 ? `${text.slice(0, 117)}…` : text
  } catch {
    return fallback
  }
}

export interface Survivor {
  pid: number
  command: string
}

/** The processes of one chart test run: the script (a group leader) and all it started. */
export class ProcessTracker {
  readonly marker = randomBytes(12).toString('hex')
  private rootPid: number | undefined
  private readonly known = new Map<number, ProcessInfo>()
  /** Processes found not to be ours (by start time), so their environment is read once. */
  private readonly strangers = new Map<number, string>()
  private readonly available = process.platform === 'linux'

  /** The environment for the script: `env` and the marker. */
  env(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
    return { ...env, [MARKER_VARIABLE]: this.marker }
  }

  /** The script's start time (clock ticks since boot): a process started before it cannot be one of its own. */
  private rootStart: number | undefined

  start(rootPid: number): void {
    this.rootPid = rootPid
    const root = this.available ? readProcess(rootPid) : undefined
    if (root) this.rootStart = Number(root.startTime)
  }

  /** Pids of the previous sample's process table. */
  private listed = new Set<number>()

  /**
   * Records the script's living descendants, by parent chain, group or marker. Between two samples a process
   * found not to be ours stays so (nothing is re-parented to the script, and a process of another session
   * cannot join its group), so only the pids new since the previous sample are read; `full` reads every one,
   * which also tells a pid reused meanwhile by its start time (the last sample, when the script has ended).
   * On a runner with a few hundred processes that is ~10× less /proc reading per sample while the script runs.
   */
  sample(full = false): void {
    if (!this.available || this.rootPid === undefined) return
    const pids = listPids()
    const table = pids
      .filter((pid) => pid !== process.pid && (full || !this.listed.has(pid) || !this.strangers.has(pid)))
      .map(readProcess)
      .filter((info): info is ProcessInfo => info !== undefined)
    this.listed = new Set(pids)
    const ours = new Set<number>([this.rootPid, ...this.known.keys()])
    let grew = true
    while (grew) {
      grew = false
      for (const info of table) {
        if (ours.has(info.pid)) continue
        // Its environment is read once per process, and never for one older than the script (on a runner, most of
        // the few hundred in the table: each read is a file the kernel writes out).
        const checked =
          this.strangers.get(info.pid) === info.startTime ||
          (this.rootStart !== undefined && Number(info.startTime) < this.rootStart)
        if (ours.has(info.ppid) || info.pgrp === this.rootPid || (!checked && carriesMarker(info.pid, this.marker))) {
          ours.add(info.pid)
          this.known.set(info.pid, info)
          this.strangers.delete(info.pid)
          grew = true
        }
      }
    }
    // Not ours now; a later child of ours is seen by its parent chain.
    for (const info of table) if (!ours.has(info.pid)) this.strangers.set(info.pid, info.startTime)
  }

  /** Known processes still alive (not zombies) and still the same process (same start time). */
  private alive(): ProcessInfo[] {
    const living: ProcessInfo[] = []
    for (const [pid, seen] of this.known) {
      const now = readProcess(pid)
      if (!now || now.startTime !== seen.startTime || now.state === 'Z') this.known.delete(pid)
      else living.push(now)
    }
    return living
  }

  /**
   * After the script ended: kills its group and every process of it still
   * running, until none is left (a survivor may fork while being killed).
   * Returns what was found running, for the finding.
   */
  async killAll(): Promise<Survivor[]> {
    const survivors = new Map<number, string>()
    const name = (living: ProcessInfo[]): void => {
      for (const info of living) {
        if (!survivors.has(info.pid)) survivors.set(info.pid, describeProcess(info.pid, info.comm))
      }
    }
    // Named before anything is killed: a group member is as much a leftover as a setsid child.
    this.sample(true)
    name(this.alive().filter((info) => info.pid !== this.rootPid))
    if (this.rootPid !== undefined) {
      try {
        process.kill(-this.rootPid, 'SIGKILL')
      } catch {
        // the group is empty
      }
    }
    if (!this.available) return []
    for (let round = 0; round < 50; round++) {
      this.sample()
      const living = this.alive().filter((info) => info.pid !== this.rootPid)
      if (living.length === 0) break
      name(living)
      for (const info of living) {
        try {
          process.kill(info.pid, 'SIGKILL')
        } catch {
          // gone meanwhile
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return [...survivors].map(([pid, command]) => ({ pid, command }))
  }
}
