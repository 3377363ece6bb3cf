// The action's own CPUs while the chart test scripts run. The scripts are a run's critical path; node's own work
// beside them (packaging, parsing renders, uploads) and the gates' helm processes are not. Spread over every CPU,
// they land on the scripts' CPU too and slow the scripts' helm processes; kept to the upper half of the CPUs node
// may use, they leave the lower half to the scripts (measured on 2 vCPUs: bench/README.md). The scripts themselves
// keep every CPU: node narrows its own set only once they have started, and what it starts after (the gates' helm
// processes) inherits that set; once they have all ended, node takes its whole set back (restoreActionCpus), so
// that the gates' renders a light script leaves behind, and the publish, use every CPU. Linux only (`taskset`, util-linux); elsewhere, or with one CPU, nothing changes.
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** CPUs of a `Cpus_allowed_list` value (/proc/<pid>/status), e.g. `0-3,6` → [0, 1, 2, 3, 6]. */
export function parseCpuList(list: string): number[] {
  const cpus: number[] = []
  for (const part of list.trim().split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!range) return []
    const [from, to] = [Number(range[1]), Number(range[2] ?? range[1])]
    for (let cpu = from; cpu <= to; cpu++) cpus.push(cpu)
  }
  return cpus
}

/** The CPUs node keeps once the scripts run: the upper half of its own (none to change with fewer than two). */
export function actionCpus(allowed: readonly number[]): number[] {
  if (allowed.length < 2) return []
  return allowed.slice(Math.ceil(allowed.length / 2))
}

function ownAllowedCpus(): number[] {
  try {
    const status = readFileSync('/proc/self/status', 'utf8')
    return parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1] ?? '')
  } catch {
    return []
  }
}

/** The CPUs node had before it narrowed its set: restored by restoreActionCpus. */
let narrowedFrom: number[] | undefined

function setOwnCpus(cpus: readonly number[]): boolean {
  const taskset = spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus.join(','), String(process.pid)], {
    stdio: 'ignore',
    timeout: 5000
  })
  return taskset.status === 0
}

/**
 * Narrows node (every thread: the main one, V8's and libuv's workers) to the upper half of its CPUs; true when it
 * did. Synchronous (a few ms), so that every process node starts after inherits the set. Best effort: no
 * `taskset`, a refusal (a container without the right) or one CPU leave it as it is.
 */
export function keepToActionCpus(): boolean {
  const allowed = process.platform === 'linux' ? ownAllowedCpus() : []
  const cpus = actionCpus(allowed)
  if (cpus.length === 0 || !setOwnCpus(cpus)) return false
  narrowedFrom = allowed
  return true
}

/**
 * Gives node back every CPU it had before keepToActionCpus, once the chart test scripts have ended: what the gates
 * start after them (a light script ends before the gates' renders) and node's own work then use both halves again.
 * A no-op when node did not narrow its set.
 */
export function restoreActionCpus(): void {
  if (!narrowedFrom) return
  const cpus = narrowedFrom
  narrowedFrom = undefined
  setOwnCpus(cpus)
}
