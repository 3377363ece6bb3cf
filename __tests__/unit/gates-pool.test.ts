import { describe, expect, it } from '@jest/globals'
import { JobPool, runPool, type Job } from '../../src/gates/contract.js'

/** A job that records when it starts and ends, and how many ran beside it. */
function recorder() {
  const events: string[] = []
  let running = 0
  let peak = 0
  const job = (id: string, options: { first?: boolean; weight?: number; then?: Job[]; fail?: boolean } = {}): Job => ({
    id,
    kind: 'helm',
    first: options.first,
    weight: options.weight,
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

describe('JobPool', () => {
  it('starts no other job while a gate that starts first is planning; its job then goes first', async () => {
    const r = recorder()
    const pool = new JobPool(2)
    const release = pool.hold()
    pool.add([r.job('render'), r.job('lint')])
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(r.events).toEqual([]) // held: the renders wait for the chart tests' plan
    pool.add([r.job('script', { first: true })])
    release()
    release() // a second call changes nothing
    const stats = await pool.finish()
    expect(r.events.slice(0, 2)).toEqual(['start script', 'start render'])
    expect(r.peak()).toBe(2)
    expect(stats.map((s) => s.id).sort()).toEqual(['lint', 'render', 'script'])
  })

  it('starts the heaviest queued job first (after `first` jobs), the as heavy in the order added', async () => {
    const r = recorder()
    const pool = new JobPool(1)
    const release = pool.hold()
    pool.add([r.job('depends-a'), r.job('depends-b'), r.job('lint')])
    pool.add([r.job('case4', { weight: 1 }), r.job('merged-3-cases', { weight: 3 }), r.job('half', { weight: 0.5 })])
    pool.add([r.job('script', { first: true }), r.job('merged-2-cases', { weight: 2 })])
    release()
    await pool.finish()
    expect(r.events.filter((e) => e.startsWith('start')).map((e) => e.slice('start '.length))).toEqual([
      'script',
      'merged-3-cases',
      'merged-2-cases',
      'depends-a',
      'depends-b',
      'lint',
      'case4',
      'half'
    ])
  })

  it('starts jobs as they are added, before finish() is called', async () => {
    const r = recorder()
    const pool = new JobPool(3)
    pool.add([r.job('render')])
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(r.events).toEqual(['start render', 'end render'])
    pool.add([r.job('late')])
    expect((await pool.finish()).map((s) => s.id)).toEqual(['render', 'late'])
  })

  it("frees a job's slot when its process has ended: the next job starts while the first one parses", async () => {
    const events: string[] = []
    const job = (id: string, early: boolean): Job => ({
      id,
      kind: 'helm',
      run: async (processEnded) => {
        events.push(`start ${id}`)
        await new Promise((resolve) => setTimeout(resolve, 5))
        events.push(`exit ${id}`)
        if (early) processEnded()
        await new Promise((resolve) => setTimeout(resolve, 20)) // node's own work on the output
        events.push(`end ${id}`)
        return { exitCode: 0, durationMs: 5 }
      }
    })
    // One slot: the render that frees it at its exit lets lint start before its parse ends.
    await runPool([job('render', true), job('lint', false), job('images', false)], 1)
    expect(events).toEqual([
      'start render',
      'exit render',
      'start lint',
      'exit lint',
      'end render',
      'end lint', // lint never freed its slot early: images waits for its end
      'start images',
      'exit images',
      'end images'
    ])
  })

  it('fail() (a gate that could not plan) starts nothing new and is thrown once the running jobs ended', async () => {
    const r = recorder()
    const pool = new JobPool(1)
    pool.add([r.job('a'), r.job('b')])
    pool.fail(new Error('plan failed'))
    await expect(pool.finish()).rejects.toThrow('plan failed')
    expect(r.events).toEqual(['start a', 'end a'])
  })
})
