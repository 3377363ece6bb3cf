// Bounded concurrency for helm processes: the runner has few cores, and
// helm renders are CPU-bound, so running all at once only adds contention.
import os from 'node:os'

/**
 * The gates pool's bound: one job per core (at least 2: the chart tests and one gate), at most 6. Not one more than
 * the cores: helm processes started side by side slow each other down well beyond their share of CPU (process start-up
 * is most of a helm run), and the chart tests are the run's critical path. Measured on 2 cores (`npm run bench --
 * --compare-env`): the chart tests beside one gate at a time took the run 0-5% less time than beside two.
 */
export function defaultConcurrency(): number {
  return Math.max(2, Math.min(6, os.availableParallelism?.() ?? os.cpus().length))
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
