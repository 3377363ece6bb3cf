// Bounded concurrency for helm processes: the runner has few cores, and
// helm renders are CPU-bound, so running all at once only adds contention.
import os from 'node:os'

export function defaultConcurrency(): number {
  return Math.max(2, Math.min(6, (os.availableParallelism?.() ?? os.cpus().length) + 1))
}

/** Runs async tasks with at most `limit` at once, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++
      results[index] = await fn(items[index], index)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return results
}
