#!/usr/bin/env node
// How many other src/ modules each src/ module imports (static `from '…'`, dynamic `import('…')`, types included),
// highest first. The layout's rule of thumb is at most ~8; `--max N` exits non-zero when a module imports more.
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

const maxIndex = process.argv.indexOf('--max')
const max = maxIndex > 0 ? Number(process.argv[maxIndex + 1]) : undefined
const top = process.argv.includes('--all') ? counts : counts.slice(0, 10)
for (const { module, imports } of top) console.log(`${String(imports).padStart(3)}  src/${module}`)
if (max !== undefined) {
  const over = counts.filter((c) => c.imports > max)
  if (over.length) {
    console.error(
      `${over.length} module(s) import more than ${max} src/ modules: ${over.map((c) => c.module).join(', ')}`
    )
    process.exit(1)
  }
}
