// One glob engine for path segments (picomatch): the lint-values files and the
// discover folders walk the tree themselves, segment by segment, and ask this
// whether a name matches. `**` is handled by the walkers.
//
// picomatch is loaded on its first use, not with the pipeline (~5 ms of node's start-up before the dependency
// build, for a matcher the gates and the workspace index ask for later): `require`d synchronously, the package
// here, its own ES chunk in dist/ (rollup.config.js points PICOMATCH_MODULE at it, as util/yaml-lib.ts's library).
import { createRequire } from 'node:module'
import type Picomatch from 'picomatch'

/** What is required: the package; rewritten by the bundle to the file of its chunk. */
const PICOMATCH_MODULE: string = 'picomatch'

let picomatch: typeof Picomatch | undefined

function engine(): typeof Picomatch {
  if (!picomatch) {
    // The package's export; in dist/, its chunk's module namespace, which holds it as `default`.
    const required = createRequire(import.meta.url)(PICOMATCH_MODULE) as typeof Picomatch & {
      default?: typeof Picomatch
    }
    picomatch = required.default ?? required
  }
  return picomatch
}

/** A matcher for one path segment (`*`, `?`, `[…]`, `{a,b}`); dot names match (callers decide on hidden folders). */
export function segmentMatcher(segment: string): (name: string) => boolean {
  // picomatch reads `[!t]` as "`!` or `t`"; the shell (and the old discover glob) read it as "not t".
  return engine()(segment.replace(/\[!/g, '[^'), { dot: true })
}
