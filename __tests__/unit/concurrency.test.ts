import { describe, expect, it } from '@jest/globals'
import os from 'node:os'
import { defaultConcurrency, mapLimit } from '../../src/util/concurrency.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('mapLimit', () => {
  it('keeps the order of results and never runs more than the limit at once', async () => {
    let running = 0
    let peak = 0
    const results = await mapLimit([30, 5, 20, 1, 10], 2, async (ms, i) => {
      running++
      peak = Math.max(peak, running)
      await sleep(ms)
      running--
      return `${i}:${ms}`
    })
    expect(results).toEqual(['0:30', '1:5', '2:20', '3:1', '4:10'])
    expect(peak).toBe(2)
  })

  it('on a failure starts nothing new and throws only after the running tasks ended', async () => {
    const ended: number[] = []
    const started: number[] = []
    const run = mapLimit([0, 1, 2, 3], 2, async (i) => {
      started.push(i)
      if (i === 0) {
        await sleep(5)
        throw new Error('first failed')
      }
      await sleep(60)
      ended.push(i)
      return i
    })
    await expect(run).rejects.toThrow('first failed')
    // Task 1 was running when task 0 failed: the rejection waited for it.
    expect(ended).toEqual([1])
    // Worker of task 0 did not take task 2 after the failure; task 1's worker stopped too.
    expect(started).toEqual([0, 1])
  })
})

describe('defaultConcurrency', () => {
  it('is one job per core, at least 2 (the chart tests and one gate), at most 6', () => {
    const cores = os.availableParallelism()
    expect(defaultConcurrency()).toBe(Math.max(2, Math.min(6, cores)))
  })
})
