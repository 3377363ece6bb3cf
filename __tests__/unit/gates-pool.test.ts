import { describe, expect, it } from '@jest/globals'
import { runPool, type Job } from '../../src/gates/contract.js'

/** A job that records when it starts and ends, and how many ran beside it. */
function recorder() {
  const events: string[] = []
  let running = 0
  let peak = 0
  const job = (id: string, options: { first?: boolean; then?: Job[]; fail?: boolean } = {}): Job => ({
    id,
    kind: 'helm',
    first: options.first,
    run: async () => {
      events.push(`start ${id}`)
      peak = Math.max(peak, ++running)
      await new Promise((resolve) => setTimeout(resolve, 5))
      running--
      events.push(`end ${id}`)
      if (options.fail) throw new Error(`${id} failed`)
      return { exitCode: 0, durationMs: 5, then: options.then }
    }
  })
  return { events, job, peak: () => peak }
}

describe('runPool', () => {
  it('starts `first` jobs first, keeps to the limit, and runs the jobs a job adds', async () => {
    const r = recorder()
    const stats = await runPool(
      [
        r.job('render'),
        r.job('lint', { then: [r.job('fallback-1'), r.job('fallback-2')] }),
        r.job('script', { first: true })
      ],
      2
    )
    expect(r.events.slice(0, 2)).toEqual(['start script', 'start render'])
    expect(r.peak()).toBe(2)
    expect(stats.map((s) => s.id).sort()).toEqual(['fallback-1', 'fallback-2', 'lint', 'render', 'script'])
  })

  it('starts nothing new after a failure and throws it once the running jobs ended', async () => {
    const r = recorder()
    await expect(runPool([r.job('a', { fail: true }), r.job('b'), r.job('c')], 2)).rejects.toThrow('a failed')
    expect(r.events).toEqual(['start a', 'start b', 'end a', 'end b'])
  })
})
