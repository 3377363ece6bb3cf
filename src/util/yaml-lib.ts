// The `yaml` library, loaded on its first use rather than with the pipeline (util/on-first-use.ts). Most runs never
// need it: the fast reader (helm/render.ts) reads the chart files, renders and indexes of the common shapes, and the
// library is a third of the pipeline chunk (~300 KB: ~12 ms to compile and evaluate at start-up, on the way to the
// dependency build). Import its types from 'yaml' directly; its values only through here (ESLint's
// no-restricted-imports says so).
import * as core from '@actions/core'
import type * as YamlModule from 'yaml'
import { onFirstUse } from './on-first-use.js'

export type YamlLibrary = typeof YamlModule

/** What is required: the package; rewritten by the bundle to the file of its chunk. */
const YAML_MODULE: string = 'yaml'

/** The `yaml` library (loaded now if no one has yet). */
export const yamlLibrary = onFirstUse<YamlLibrary>(YAML_MODULE, () =>
  // A debug line: which runs pay for the library shows in a debug log (and the tests read it).
  core.debug('yaml library loaded: a file or document outside the fast reader’s subset')
)
