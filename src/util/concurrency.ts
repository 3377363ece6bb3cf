// Bounded concurrency for helm processes: the runner has few cores, and
// helm renders are CPU-bound, so running all at once only adds contention.
import os from 'node:os'

export function defaultConcurrency(): number {
  return Math.max(2, Math.min(6, (os.availableParallelism?.() ?? os.cpus().length) + 1))
}

/**
 * Runs async tasks with at most `limit` at once, keeping the order of results.
 * When one fails, no new task starts, and the first error is thrown only once
 * the running ones have ended: the caller may then remove what they work in.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  let failure: { error: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const index = next++
      try {
        results[index] = await fn(items[index], index)
      } catch (error) {
        failure ??= { error }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  if (failure) throw failure.error
  return results
}
