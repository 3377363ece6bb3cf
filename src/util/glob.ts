// One glob engine for path segments (picomatch): the lint-values files and the
// discover folders walk the tree themselves, segment by segment, and ask this
// whether a name matches. `**` is handled by the walkers.
import picomatch from 'picomatch'

/** A matcher for one path segment (`*`, `?`, `[…]`, `{a,b}`); dot names match (callers decide on hidden folders). */
export function segmentMatcher(segment: string): (name: string) => boolean {
  // picomatch reads `[!t]` as "`!` or `t`"; the shell (and the old discover glob) read it as "not t".
  return picomatch(segment.replace(/\[!/g, '[^'), { dot: true })
}
