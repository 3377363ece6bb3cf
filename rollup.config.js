// Bundles the action into dist/, committed for `uses:`: dist/index.js (action.yml's main: it loads the pipeline)
// and the chunks it loads on demand (dist/chunks/: action.js, the pipeline;
// tool-cache.js, only when helm must come from the tool cache or a download; github.js, @actions/github with octokit
// and undici, only to write a PR comment; attest-step.js and sign.js, @sigstore/sign with make-fetch-happen, only
// when a release attests).
import { builtinModules } from 'node:module'
import commonjs from '@rollup/plugin-commonjs'
import json from '@rollup/plugin-json'
import { nodeResolve } from '@rollup/plugin-node-resolve'
import typescript from '@rollup/plugin-typescript'

const DEFERRED_UNDICI = '\0deferred-undici'
const UNDICI_REGISTRY = "Symbol.for('blueprint-action.undici')"

/**
 * undici (~1 MB, ~40 ms to load) is needed only by @actions/github's REST client. @actions/tool-cache (a helm
 * download) imports @actions/http-client, which imports undici's ProxyAgent for one method the action never calls
 * without @actions/github (getAgentDispatcher, for a proxy). So http-client gets a ProxyAgent that forwards to the
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

/**
 * Libraries in a chunk of their own, loaded by their one src/ module on first use, not with the pipeline: the `yaml`
 * library (~300 KB, a third of the pipeline; util/yaml-lib.ts: most runs never need it) and picomatch (util/glob.ts:
 * the gates and the workspace index ask for it, after the dependency build has started). Their users are
 * synchronous, so the chunk is `require`d (an ES module, which Node ≥ 20.19 requires synchronously): the loader's
 * `const <NAME> = '<package>'` becomes the chunk's file.
 */
const LAZY_LIBRARIES = [
  { id: 'yaml', loader: '/src/util/yaml-lib.ts', constant: 'YAML_MODULE' },
  { id: 'picomatch', loader: '/src/util/glob.ts', constant: 'PICOMATCH_MODULE' }
]
/** Each library's emitted chunk (its reference id), by package: set when the build starts. */
const lazyChunks = new Map()
const lazyLibraries = {
  name: 'lazy-libraries',
  buildStart() {
    for (const lib of LAZY_LIBRARIES) lazyChunks.set(lib.id, this.emitFile({ type: 'chunk', id: lib.id, name: lib.id }))
  },
  transform(code, id) {
    const lib = LAZY_LIBRARIES.find((entry) => id.endsWith(entry.loader))
    if (!lib) return null
    const specifier = `const ${lib.constant} = '${lib.id}';`
    if (!code.includes(specifier)) this.error(`lazy-libraries: ${specifier} not found in ${id}`)
    return `import { fileURLToPath as __fileURLToPath } from 'node:url';\n${code.replace(
      specifier,
      `const ${lib.constant} = __fileURLToPath(import.meta.ROLLUP_FILE_URL_${lazyChunks.get(lib.id)});`
    )}`
  }
}

const BUILTIN = '\0builtin:'
const BUILTIN_REQUIRE = '\0builtin-require'

/**
 * Node's built-in modules through `require` (createRequire), not `import`. An `import` of a built-in builds its ESM
 * facade, which reads every export, lazy getters included: on Node 24 (what action.yml runs) `http`'s WebSocket,
 * CloseEvent and MessageEvent load Node's internal undici (~40 ms), `process`' stdin/stdout/stderr create their
 * streams, `fs`'s promises load fs/promises. Required, a built-in is just its `module.exports`; named imports become
 * property reads where they are used (syntheticNamedExports), so a getter runs only if the code reads it.
 */
const requireBuiltins = {
  name: 'require-builtins',
  resolveId(source) {
    if (source === BUILTIN_REQUIRE) return source
    const name = source.startsWith('node:') ? source.slice('node:'.length) : source
    // `module` itself provides createRequire; sub-paths like fs/promises are built-ins too.
    if (name === 'module' || !builtinModules.includes(name)) return null
    return BUILTIN + name
  },
  load(id) {
    // One `require` for every built-in (createRequire is ~0.2 ms a call: ~3 ms at start-up, once per built-in).
    if (id === BUILTIN_REQUIRE)
      return `import { createRequire } from 'node:module'\nexport default createRequire(import.meta.url)\n`
    if (!id.startsWith(BUILTIN)) return null
    const name = id.slice(BUILTIN.length)
    return {
      code: `import require from ${JSON.stringify(BUILTIN_REQUIRE)}\nexport default require(${JSON.stringify(`node:${name}`)})\n`,
      syntheticNamedExports: 'default'
    }
  }
}

/** Modules of @actions/core's dependencies the pipeline imports only through @actions/core, for functions it never calls. */
const UNUSED_AT_START =
  /\/node_modules\/(@actions\/(exec|io|http-client)\/|tunnel\/|@actions\/core\/lib\/(platform|oidc-utils)\.js$)/

export default {
  input: 'src/index.ts',
  output: {
    dir: 'dist',
    format: 'es',
    sourcemap: false,
    entryFileNames: 'index.js',
    // Fixed names: a rebuild of the same source gives the same files (CI compares dist/ with a fresh build).
    // The chunk rollup names after the deferred undici holds @actions/http-client and tunnel (shared by the tool
    // cache's chunk and @actions/github's): named for what it is. (A manual chunk would take the built-ins' wrappers
    // in with it, and the pipeline would import it.)
    chunkFileNames: (chunk) => `chunks/${chunk.name === '_deferred-undici' ? 'http-client' : '[name]'}.js`,
    // npm's semver is shared by the tool cache's chunk and the signing one (make-fetch-happen's dependencies):
    // a chunk of its own, named for what it is rather than `index`. The CommonJS interop helpers every chunk with a
    // CommonJS module imports get a chunk of their own too: in semver's, loading them ran semver's ~40 regular
    // expressions (~10 ms) at start-up, before the dependency build, for a module the run may never use.
    manualChunks: (id) =>
      id.includes('/node_modules/semver/') ? 'semver' : id === '\0commonjsHelpers.js' ? 'commonjs-helpers' : undefined
  },
  // @actions/core imports what the action never calls (its platform details run @actions/exec, its getIDToken
  // @actions/http-client and tunnel, which load tls and https): ~80 KB compiled and evaluated with the pipeline, before
  // the dependency build. Their modules have no side effects of their own: kept only where an export is used (the
  // tool cache's chunk, the download of helm); attest/oidc.ts asks for the OIDC token itself.
  treeshake: {
    moduleSideEffects: (id) => !UNUSED_AT_START.test(id)
  },
  plugins: [
    requireBuiltins,
    deferUndici,
    typescript({ tsconfig: './tsconfig.build.json' }),
    lazyLibraries,
    nodeResolve({ preferBuiltins: true, exportConditions: ['node'] }),
    // A CommonJS require of a built-in (requireBuiltins) gets its module.exports, as Node's require would.
    commonjs({ requireReturnsDefault: (id) => id.startsWith(BUILTIN) }),
    json()
  ],
  onwarn(warning, warn) {
    if (warning.code === 'CIRCULAR_DEPENDENCY' || warning.code === 'THIS_IS_UNDEFINED') return
    warn(warning)
  }
}
