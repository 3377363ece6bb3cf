// The gates' helm processes run off the critical path at a lower CPU priority
// (helm.ts `background`: started through `nice -n 10`), so that a chart test script gets the cores
// first on a small runner; every other helm process keeps the runner's priority.
// The wrapper is what is tested here (how it starts a process), so the binary is
// a shell that reports its own nice value after a moment, not helm.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Helm } from '../../src/helm/helm.js'

let root: string
let shell: Helm
// Field 19 of /proc/<pid>/stat is the nice value; read after the wrapper had time to set it.
const REPORT_NICE = ['-c', 'sleep 0.3; cut -d " " -f 19 /proc/$$/stat']

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'helm-priority-'))
  shell = await Helm.create('/bin/sh', path.join(root, 'home'), { major: 3, version: 'v3.17.2' })
})
afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('Helm.run priority', () => {
  it('starts a background run 10 nice steps below the runner’s priority', async () => {
    const own = os.getPriority()
    const result = await shell.run(REPORT_NICE, { background: true })
    expect(result.exitCode).toBe(0)
    expect(Number(result.stdout.trim())).toBe(Math.min(19, own + 10))
  })

  it('leaves every other run at the runner’s priority', async () => {
    const result = await shell.run(REPORT_NICE)
    expect(result.exitCode).toBe(0)
    expect(Number(result.stdout.trim())).toBe(os.getPriority())
  })
})

describe('Helm.run onSpawn', () => {
  it('is called once, while the process runs (the run loads its later stages meanwhile)', async () => {
    const marker = path.join(root, 'started')
    const seen: boolean[] = []
    // The process writes its marker and waits: when onSpawn runs, the process exists and has not ended.
    const run = shell.run(['-c', `touch '${marker}'; sleep 0.3`], {
      onSpawn: () => seen.push(true)
    })
    expect(seen).toEqual([true]) // synchronously, right after the spawn
    const result = await run
    expect(result.exitCode).toBe(0)
    expect(seen).toEqual([true])
  })
})
