#!/usr/bin/env node
// How many other src/ modules each src/ module imports (static `from '…'`, dynamic `import('…')`, types included),
// highest first. The layout's rule of thumb is at most ~8; `--max N` exits non-zero when a module imports more.
// `--allow gates/index.ts=9` raises the bound for one module (its header comment says why); an allowance the
// module no longer needs is an error too, so an exception does not outlive its reason. Any import cycle among
// src/ modules (type imports and re-exports included: a cycle of types is still a tangle of layers) is an error
// on every run, printed as the chain of imports that closes it. `npm run lint` runs it.
import { readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const args = process.argv.slice(2)
// `--src DIR`: another tree (the script's own test gives it one with a cycle).
const srcIndex = args.indexOf('--src')
const SRC =
  srcIndex >= 0
    ? path.resolve(args[srcIndex + 1] ?? '')
    : path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'src')

function modules(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return modules(file)
    return entry.name.endsWith('.ts') ? [file] : []
  })
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*)['"](\.{1,2}\/[^'"]+)['"]/g
/** module (relative to src/, `.ts`) → the src/ modules it imports */
const graph = new Map(
  modules(SRC).map((file) => {
    const text = readFileSync(file, 'utf8')
    const targets = new Set()
    for (const match of text.matchAll(IMPORT))
      targets.add(path.relative(SRC, path.resolve(path.dirname(file), match[1])).replace(/\.js$/, '.ts'))
    return [path.relative(SRC, file), targets]
  })
)
const counts = [...graph].map(([module, targets]) => ({ module, imports: targets.size }))
counts.sort((a, b) => b.imports - a.imports || a.module.localeCompare(b.module))

function fail(message) {
  console.error(message)
  process.exit(1)
}

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
/** Every import cycle, one chain each (`a.ts → b.ts → a.ts`): Tarjan's strongly connected components. */
function importCycles() {
  const index = new Map()
  const low = new Map()
  const stack = []
  const onStack = new Set()
  const components = []
  const visit = (module) => {
    index.set(module, index.size)
    low.set(module, index.get(module))
    stack.push(module)
    onStack.add(module)
    for (const next of graph.get(module)) {
      if (!graph.has(next)) continue
      if (!index.has(next)) {
        visit(next)
        low.set(module, Math.min(low.get(module), low.get(next)))
      } else if (onStack.has(next)) low.set(module, Math.min(low.get(module), index.get(next)))
    }
    if (low.get(module) !== index.get(module)) return
    const component = new Set()
    let member
    do {
      member = stack.pop()
      onStack.delete(member)
      component.add(member)
    } while (member !== module)
    if (component.size > 1 || graph.get(module).has(module)) components.push(component)
  }
  for (const module of [...graph.keys()].sort()) if (!index.has(module)) visit(module)
  return components.map((component) => {
    // A shortest chain back to the component's first module, through the component only (breadth first).
    const start = [...component].sort()[0]
    const from = new Map([[start, undefined]])
    const queue = [start]
    while (queue.length) {
      const module = queue.shift()
      for (const next of [...graph.get(module)].sort()) {
        if (next === start) {
          const chain = [start]
          for (let at = module; at !== start; at = from.get(at)) chain.splice(1, 0, at)
          return { size: component.size, chain: [...chain, start] }
        }
        if (component.has(next) && !from.has(next)) {
          from.set(next, module)
          queue.push(next)
        }
      }
    }
    return { size: component.size, chain: [start, start] }
  })
}

const cycles = importCycles()
if (cycles.length) {
  fail(
    `${cycles.length} import cycle(s) in src/ (type imports count too):\n` +
      cycles.map((c) => `  ${c.chain.map((m) => `src/${m}`).join(' → ')} (${c.size} modules in the cycle)`).join('\n') +
      '\nMove the type or function the lower module needs to the module that owns it (or to a leaf module of its own), so imports go one way.'
  )
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
