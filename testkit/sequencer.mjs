// Jest test order for 2 workers: the longest suites first, so no long suite starts last and
// leaves one worker idle at the end. With timings from an earlier run (Jest's cache), Jest's own
// order (failed first, then longest) is kept. Without them (a fresh CI clone), Jest would order by
// file size, which puts short-but-slow end-to-end suites last: here integration suites come
// before unit tests, the known slow ones first, the rest by size.
import Sequencer from '@jest/test-sequencer'

// The slowest integration suites, slowest first (jest --json on the 2-core CI machine; each runs
// the bundled action many times under both helms). Update when a suite's weight changes.
const SLOWEST = [
  'scratch-e2e',
  'report-scenarios',
  'release-rerun',
  'events',
  'bounded-time',
  'release-sources',
  'e2e',
  'publish-guards',
  'publish-faults',
  'rendered-diff',
  'upstream-resolution',
  'publish-idempotence',
  'hardening'
]

/** @param {string} file */
function rank(file) {
  const name = /([^/\\]+)\.test\.ts$/.exec(file)?.[1] ?? ''
  const integration = /[/\\]__tests__[/\\]integration[/\\]/.test(file)
  const slow = integration ? SLOWEST.indexOf(name) : -1
  // slow suites by their place, then other integration suites, then unit tests
  return slow >= 0 ? slow : integration ? SLOWEST.length : SLOWEST.length + 1
}

export default class LongestFirstSequencer extends Sequencer {
  /** @param {Array<{ path: string, duration?: number | null }>} tests the test files (Jest's Test objects) */
  sort(tests) {
    const sorted = super.sort(tests)
    if (sorted.some((test) => test.duration == null)) {
      // Array.prototype.sort is stable: within a rank, Jest's order (file size) stays.
      return [...sorted].sort((a, b) => rank(a.path) - rank(b.path))
    }
    return sorted
  }
}
