// Startup evidence for bench/bench.mjs: what dist/index.js is made of, and how
// fast a bundle of the same src/ loads without undici.
//
// Builds, from the working tree, with the action's own rollup.config.js (its
// typescript plugin swapped for one that skips type checking):
//   bench/.cache/variants/same.mjs        the action bundle as `npm run build` would make it
//   bench/.cache/variants/no-undici.mjs   the same with `undici` replaced by a stub
//                                         (ProxyAgent class, fetch → globalThis.fetch)
// and the bundle's composition (rendered bytes per npm package). Cached: rebuilt
// only when src/, package-lock.json or this file change. The variants are for
// timing start-up only (they are never run past input parsing).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(BENCH_DIR, '..')
export const VARIANTS_DIR = path.join(BENCH_DIR, '.cache', 'variants')
const COMPOSITION = path.join(VARIANTS_DIR, 'composition.json')

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

const UNDICI_STUB = {
  name: 'bench-undici-stub',
  resolveId: (id) => (id === 'undici' ? '\0bench-undici-stub' : null),
  load: (id) =>
    id === '\0bench-undici-stub'
      ? 'export class ProxyAgent {}\nexport const fetch = (...args) => globalThis.fetch(...args)\n'
      : null
}

function packageOf(id) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id)
  if (m) return m[1]
  if (id.includes(`${path.sep}src${path.sep}`)) return 'src/ (the action)'
  return id.replace(/^\0/, '')
}

/**
 * @returns {Promise<{ same: string, noUndici: string, composition: { total: number, packages: { name: string, bytes: number }[], noUndiciTotal: number }, built: boolean }>}
 */
export async function startupVariants() {
  const same = path.join(VARIANTS_DIR, 'same.mjs')
  const noUndici = path.join(VARIANTS_DIR, 'no-undici.mjs')
  const inputsNewest = Math.max(
    newestMtime(path.join(ROOT, 'src')),
    statSync(path.join(ROOT, 'package-lock.json')).mtimeMs,
    statSync(fileURLToPath(import.meta.url)).mtimeMs
  )
  if ([same, noUndici, COMPOSITION].every((f) => existsSync(f) && statSync(f).mtimeMs >= inputsNewest)) {
    return { same, noUndici, composition: JSON.parse(readFileSync(COMPOSITION, 'utf8')), built: false }
  }
  await mkdir(VARIANTS_DIR, { recursive: true })
  const cwd = process.cwd()
  process.chdir(ROOT) // rollup.config.js names its files relative to the project
  try {
    const { rollup } = await import('rollup')
    const { default: typescript } = await import('@rollup/plugin-typescript')
    const { default: config } = await import(pathToFileURL(path.join(ROOT, 'rollup.config.js')).href)
    const plugins = config.plugins.map((p) =>
      p?.name === 'typescript'
        ? typescript({ tsconfig: './tsconfig.build.json', noEmitOnError: false, compilerOptions: { noCheck: true } })
        : p
    )
    /** @type {{ total: number, packages: { name: string, bytes: number }[], noUndiciTotal: number }} */
    const composition = { total: 0, packages: [], noUndiciTotal: 0 }
    for (const [file, extra] of [
      [same, []],
      [noUndici, [UNDICI_STUB]]
    ]) {
      const bundle = await rollup({ input: config.input, plugins: [...extra, ...plugins], onwarn: () => undefined })
      const { output } = await bundle.write({ file, format: 'es', sourcemap: false, inlineDynamicImports: true })
      await bundle.close()
      if (file === same) {
        const sizes = new Map()
        for (const [id, m] of Object.entries(output[0].modules))
          sizes.set(packageOf(id), (sizes.get(packageOf(id)) ?? 0) + m.renderedLength)
        composition.total = output[0].code.length
        composition.packages = [...sizes.entries()]
          .map(([name, bytes]) => ({ name, bytes }))
          .sort((a, b) => b.bytes - a.bytes)
      } else {
        composition.noUndiciTotal = output[0].code.length
      }
    }
    await writeFile(COMPOSITION, JSON.stringify(composition, null, 2))
    return { same, noUndici, composition, built: true }
  } finally {
    process.chdir(cwd)
  }
}
