// Bundles the action into dist/, committed for `uses:`: dist/index.js (action.yml's main: it starts helm's version
// question, then loads the pipeline) and the chunks it loads on demand (dist/chunks/: action.js, the pipeline;
// tool-cache.js, only when helm must come from the tool cache or a download; github.js, @actions/github with octokit
// and undici, only to write a PR comment).
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

const DEFERRED_UNDICI = '\0deferred-undici'
const UNDICI_REGISTRY = "Symbol.for('bp-temporal-action.undici')"

/**
 * undici (~1 MB, ~40 ms to load) is needed only by @actions/github's REST client. @actions/core imports
 * @actions/http-client, which imports undici's ProxyAgent for one method the action never calls without
 * @actions/github (getAgentDispatcher, for a proxy). So http-client gets a ProxyAgent that forwards to the
 * real one, and @actions/github's own undici import (in the on-demand chunk) registers the real module first.
 */
const deferUndici = {
  name: 'defer-undici',
  resolveId(source, importer) {
    if (source !== 'undici' || !importer) return null
    if (importer.includes('/@actions/http-client/')) return DEFERRED_UNDICI
    return null
  },
  load(id) {
    if (id !== DEFERRED_UNDICI) return null
    return `export class ProxyAgent {
  constructor(...args) {
    const undici = globalThis[${UNDICI_REGISTRY}]
    if (!undici) throw new Error('undici is not loaded: it comes with @actions/github, loaded on demand')
    return new undici.ProxyAgent(...args)
  }
}
`
  },
  transform(code, id) {
    // @actions/github's internal utils import undici themselves: record the module for http-client's ProxyAgent.
    if (!id.includes('/@actions/github/lib/internal/utils.js')) return null
    return `import * as __undici from 'undici'\nglobalThis[${UNDICI_REGISTRY}] = __undici\n${code}`
  }
}

export default {
  input: 'src/index.ts',
  output: {
    dir: 'dist',
    format: 'es',
    sourcemap: false,
    entryFileNames: 'index.js',
    // Fixed names: a rebuild of the same source gives the same files (CI compares dist/ with a fresh build).
    chunkFileNames: 'chunks/[name].js'
  },
  plugins: [
    deferUndici,
    typescript({ tsconfig: './tsconfig.build.json' }),
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
    commonjs(),
    json()
  ],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return
    warn(warning)
  }
}
