import { afterEach, describe, expect, it } from '@jest/globals'
import {
  clearRunBudget,
  DeadlineError,
  formatDuration,
  operationLimit,
  parseDuration,
  startRunBudget,
  withProgress
} from '../../src/util/deadline.js'
import { getInputs } from '../../src/inputs/inputs.js'

afterEach(() => clearRunBudget())

describe('parseDuration', () => {
  it('reads seconds, minutes, hours and their mixes', () => {
    expect(parseDuration('90s')).toBe(90_000)
    expect(parseDuration('10m')).toBe(600_000)
    expect(parseDuration('1h30m')).toBe(5_400_000)
    expect(parseDuration(' 1h5m30s ')).toBe(3_930_000)
    expect(parseDuration('15M')).toBe(900_000)
  })

  it('refuses anything else with a one-line error naming the input', () => {
    for (const bad of ['', '90', '10 m', '1.5h', '5m1h', 'soon', '-10s']) {
      expect(() => parseDuration(bad)).toThrow(/^input timeout: ".*" is not a duration$/)
    }
    expect(() => parseDuration('5s')).toThrow(/input timeout: 5s is outside 10s to 6h/)
    expect(() => parseDuration('7h')).toThrow(/outside 10s to 6h/)
  })

  it('the timeout input defaults to 15m', () => {
    const read = (values: Record<string, string>) => (name: string) => values[name] ?? ''
    expect(getInputs(read({}), { GITHUB_WORKSPACE: '/tmp' }).timeoutMs).toBe(900_000)
    expect(getInputs(read({ timeout: '1h30m' }), { GITHUB_WORKSPACE: '/tmp' }).timeoutMs).toBe(5_400_000)
    expect(() => getInputs(read({ timeout: 'forever' }), { GITHUB_WORKSPACE: '/tmp' })).toThrow(
      /input timeout: "forever"/
    )
  })

  it('formats durations as the input writes them', () => {
    expect([formatDuration(90_000), formatDuration(600_000), formatDuration(5_400_000), formatDuration(0)]).toEqual([
      '1m30s',
      '10m',
      '1h30m',
      '0s'
    ])
  })
})

describe('operationLimit', () => {
  it('is the operation limit while the run has time, then what is left of the work budget', () => {
    expect(operationLimit(60_000)).toEqual({ ms: 60_000, byRun: false })
    // 100 s budget from t=0: 10 s are kept for the report, the work ends at 90 s.
    startRunBudget(100_000, '100s', 0)
    expect(operationLimit(60_000, 'work', 10_000)).toEqual({ ms: 60_000, byRun: false })
    expect(operationLimit(60_000, 'work', 50_000)).toEqual({ ms: 40_000, byRun: true })
    expect(operationLimit(60_000, 'work', 95_000)).toEqual({ ms: 0, byRun: true })
    // The report still gets its time after the work budget is spent, and a few seconds even after the end.
    expect(operationLimit(60_000, 'report', 95_000)).toEqual({ ms: 5_000, byRun: true })
    expect(operationLimit(60_000, 'report', 200_000)).toEqual({ ms: 5_000, byRun: true })
  })

  it('a DeadlineError says what was stuck, for how long, and whose limit it was', () => {
    startRunBudget(40_000, '40s')
    const byRun = new DeadlineError('helm push to 127.0.0.1:5000', 36_400, true)
    expect(byRun.message).toBe('helm push to 127.0.0.1:5000: no answer for 36 s')
    expect(byRun.hint).toMatch(/the run's timeout \(40s\) ran out/)
    expect(new DeadlineError('GET http://x/index.yaml', 0, true).message).toBe(
      "GET http://x/index.yaml: not started, the run's timeout (40s) ran out"
    )
    expect(new DeadlineError('helm push to r', 300_000, false).hint).toMatch(/time limit/)
  })
})

describe('withProgress', () => {
  it('reports at the interval while the work runs, and stops when it settles', async () => {
    const seen: number[] = []
    let finish: (value: string) => void = () => undefined
    const work = new Promise<string>((resolve) => (finish = resolve))
    const result = await withProgress(
      work,
      (ms) => {
        seen.push(ms)
        if (seen.length === 3) finish('done')
      },
      30
    )
    expect(result).toBe('done')
    expect(seen).toHaveLength(3)
    expect(seen[0]).toBeGreaterThanOrEqual(25)
    expect(seen[2]).toBeGreaterThan(seen[0])
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(seen).toHaveLength(3)
  })

  it('passes a failure through, and stops reporting', async () => {
    const seen: number[] = []
    await expect(withProgress(Promise.reject(new Error('boom')), (ms) => seen.push(ms), 50)).rejects.toThrow('boom')
    await new Promise((resolve) => setTimeout(resolve, 150))
    expect(seen).toEqual([])
  })
})
