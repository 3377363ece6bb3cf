// A library loaded on its first use, not with the pipeline (util/yaml-lib.ts, util/glob.ts). Its users are
// synchronous, so it is `require`d: the package when run from source, its own ES chunk in dist/ (rollup.config.js
// lazyLibraries rewrites each loader's specifier to the chunk's file; Node ≥ 20.19 requires an ES module
// synchronously, and gives its namespace, which holds a CommonJS package's exports as `default`).
import { createRequire } from 'node:module'

/** A getter that requires `specifier` on its first call (then `onLoad()`), and gives the same module after. */
export function onFirstUse<T>(specifier: string, onLoad?: () => void): () => T {
  let loaded: T | undefined
  return () => {
    if (loaded === undefined) {
      const required = createRequire(import.meta.url)(specifier) as T & { default?: T }
      loaded = required.default ?? required
      onLoad?.()
    }
    return loaded
  }
}
