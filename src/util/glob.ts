// One glob engine for path segments (picomatch): the lint-values files and the
// discover folders walk the tree themselves, segment by segment, and ask this
// whether a name matches. `**` is handled by the walkers.
//
// picomatch is loaded on its first use, not with the pipeline (util/on-first-use.ts: ~5 ms of node's start-up
// before the dependency build, for a matcher the gates and the workspace index ask for later).
import type Picomatch from 'picomatch'
import { onFirstUse } from './on-first-use.js'

/** What is required: the package; rewritten by the bundle to the file of its chunk. */
const PICOMATCH_MODULE: string = 'picomatch'

const picomatch = onFirstUse<typeof Picomatch>(PICOMATCH_MODULE)

/** A matcher for one path segment (`*`, `?`, `[…]`, `{a,b}`); dot names match (callers decide on hidden folders). */
export function segmentMatcher(segment: string): (name: string) => boolean {
  // picomatch reads `[!t]` as "`!` or `t`"; the shell (and the old discover glob) read it as "not t".
  return picomatch()(segment.replace(/\[!/g, '[^'), { dot: true })
}
