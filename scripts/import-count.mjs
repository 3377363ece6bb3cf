#!/usr/bin/env node
// How many other src/ modules each src/ module imports (static `from '…'`, dynamic `import('…')`, types included),
// highest first. The layout's rule of thumb is at most ~8; `--max N` exits non-zero when a module imports more.
// `--allow gates/index.ts=9` raises the bound for one module (its header comment says why); an allowance the
// module no longer needs is an error too, so an exception does not outlive its reason. `npm run lint` runs it.
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src')

function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return modules(file)
    return entry.name.endsWith('.ts') ? [file] : []
  })
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g
const counts = modules(SRC).map((file) => {
  const text = readFileSync(file, 'utf8')
  const targets = new Set()
  for (const match of text.matchAll(IMPORT)) targets.add(path.resolve(path.dirname(file), match[1]))
  return { module: path.relative(SRC, file), imports: targets.size }
})
counts.sort((a, b) => b.imports - a.imports || a.module.localeCompare(b.module))

function fail(message) {
  console.error(message)
  process.exit(1)
}

const args = process.argv.slice(2)
const maxIndex = args.indexOf('--max')
const max = maxIndex >= 0 ? Number(args[maxIndex + 1]) : undefined
if (max !== undefined && !Number.isInteger(max)) fail(`--max ${args[maxIndex + 1]}: give a whole number`)
const allowed = new Map()
for (const [i, arg] of args.entries()) {
  if (arg !== '--allow') continue
  const [module, bound] = (args[i + 1] ?? '').replace(/^src\//, '').split('=')
  if (!counts.some((c) => c.module === module) || !Number.isInteger(Number(bound)))
    fail(`--allow ${args[i + 1] ?? ''}: give a module of src/ and its bound, e.g. --allow gates/index.ts=9`)
  allowed.set(module, Number(bound))
}
const top = args.includes('--all') ? counts : counts.slice(0, 10)
for (const { module, imports } of top) console.log(`${String(imports).padStart(3)}  src/${module}`)
if (max !== undefined) {
  const over = counts.filter((c) => c.imports > (allowed.get(c.module) ?? max))
  if (over.length) {
    fail(
      `${over.length} module(s) import more src/ modules than allowed (--max ${max}): ` +
        over.map((c) => `${c.module} (${c.imports})`).join(', ') +
        '; split a concern out into a module of its own rather than hiding imports behind a re-export'
    )
  }
  const stale = [...allowed].filter(([module]) => counts.find((c) => c.module === module).imports <= max)
  if (stale.length)
    fail(`--allow ${stale.map(([module]) => module).join(', ')}: within --max ${max} now; drop the allowance`)
}
