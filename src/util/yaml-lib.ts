// The `yaml` library, loaded on its first use rather than with the pipeline. Most runs never need it: the fast
// reader (helm/render.ts) reads the chart files, renders and indexes of the common shapes, and the library is a
// third of the pipeline chunk (~300 KB: ~12 ms to compile and evaluate at start-up, on the way to the dependency
// build). Its users are synchronous, so it is loaded with `require`: the package here, its own ES chunk in dist/
// (rollup.config.js points YAML_MODULE at it; Node ≥ 20.19 requires an ES module synchronously). Import its types
// from 'yaml' directly; its values only through here (ESLint's no-restricted-imports says so).
import { createRequire } from 'node:module'
import * as core from '@actions/core'
import type * as YamlModule from 'yaml'

export type YamlLibrary = typeof YamlModule

/** What is required: the package; rewritten by the bundle to the file of its chunk. */
const YAML_MODULE: string = 'yaml'

let loaded: YamlLibrary | undefined

/** The `yaml` library (loaded now if no one has yet). */
export function yamlLibrary(): YamlLibrary {
  if (!loaded) {
    // The package's exports; in dist/, its chunk's module namespace, which holds them as `default`.
    const required = createRequire(import.meta.url)(YAML_MODULE) as YamlLibrary & { default?: YamlLibrary }
    loaded = required.default ?? required
    // A debug line: which runs pay for the library shows in a debug log (and the tests read it).
    core.debug('yaml library loaded: a file or document outside the fast reader’s subset')
  }
  return loaded
}
