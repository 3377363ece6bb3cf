import { describe, expect, it } from '@jest/globals'
import { spawn, type ChildProcess } from 'node:child_process'
import { parseProcStat, ProcessTracker } from '../../src/gates/process-tree.js'

describe('parseProcStat', () => {
  it('reads pid, parent, group, session, state and start time, whatever the command name holds', () => {
    const rest = 'S 100 200 300 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 123456 4321 10 18446744073709551615'
    expect(parseProcStat(`4242 (sleep) ${rest}`)).toEqual({
      pid: 4242,
      comm: 'sleep',
      state: 'S',
      ppid: 100,
      pgrp: 200,
      session: 300,
      startTime: '123456'
    })
    // A name may hold spaces and parentheses: only the last ')' ends it.
    expect(parseProcStat(`77 (evil) Z 1 1 1 (x) ${rest}`)).toMatchObject({
      pid: 77,
      comm: 'evil) Z 1 1 1 (x',
      state: 'S',
      ppid: 100,
      startTime: '123456'
    })
    expect(parseProcStat('garbage')).toBeUndefined()
  })
})

describe('ProcessTracker', () => {
  const linux = process.platform === 'linux' ? it : it.skip
  const exited = (child: ChildProcess): Promise<void> =>
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise((resolve) => child.once('exit', () => resolve()))

  linux('takes no process older than the script for one of its own, even one carrying its marker', async () => {
    const tracker = new ProcessTracker()
    // Started before the script, with the script's marker in its environment: only its age tells it apart.
    const older = spawn('sleep', ['30'], { env: tracker.env(process.env), stdio: 'ignore' })
    // Start times count clock ticks (10 ms): the script starts a few ticks later.
    await new Promise((resolve) => setTimeout(resolve, 50))
    const script = spawn('bash', ['-c', 'setsid sleep 30 >/dev/null 2>&1 < /dev/null & sleep 0.2'], {
      env: tracker.env(process.env),
      stdio: 'ignore',
      detached: true
    })
    try {
      tracker.start(script.pid!)
      await new Promise((resolve) => setTimeout(resolve, 100))
      tracker.sample()
      await exited(script)
      const survivors = await tracker.killAll()
      // The script's setsid child is found by its marker and killed; the older process is left alone.
      expect(survivors.map((s) => s.command)).toEqual(['sleep 30'])
      expect(survivors.map((s) => s.pid)).not.toContain(older.pid)
      expect(older.exitCode).toBeNull()
      expect(older.signalCode).toBeNull()
    } finally {
      older.kill('SIGKILL')
      await exited(older)
    }
  })
})
