// `helm package` in node: loads the chart folder as Helm's loader does (its
// .helmignore, charts/ archives and folders) and lists what chartutil.Save
// writes, in its order: Chart.yaml and Chart.lock re-marshalled (go-yaml.ts),
// values.yaml and values.schema.json as they are, templates, other files, then
// every dependency unpacked under charts/<name>/, recursively. Checked against
// Helm 3.17 and 4.1 (__tests__/integration/node-package.test.ts). Whatever it
// cannot reproduce exactly throws Unsupported; the caller then runs `helm package`.
import { lstat, readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { yamlLibrary } from '../util/yaml-lib.js'
import { readTgzEntries } from '../chart/archive.js'
import { cleanAsYaml11, parseCleanYaml11, parseYamlDocument } from '../helm/render.js'
import { isStrictSemver } from '../util/semver.js'
import { goYamlDocument, Unsupported, type GoYamlValue } from './go-yaml.js'

export { Unsupported } from './go-yaml.js'

interface ChartFile {
  name: string
  data: Buffer
}

/** Chart metadata as Helm's Go struct holds it: known fields only, empty ones left out. */
export type ChartMetadata = Record<string, GoYamlValue>

interface LoadedChart {
  metadata: ChartMetadata
  lock?: Record<string, GoYamlValue>
  values?: Buffer
  schema?: Buffer
  templates: ChartFile[]
  files: ChartFile[]
  dependencies: LoadedChart[]
}

export interface NodePackage {
  name: string
  version: string
  metadata: ChartMetadata
  entries: ChartFile[]
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf])

/** What `helm package <chartDir>` would archive, or Unsupported. */
export async function nodePackage(chartDir: string): Promise<NodePackage> {
  const chart = await loadFiles(await loadDirFiles(chartDir), path.basename(chartDir))
  const required = (chart.metadata.dependencies as Array<Record<string, GoYamlValue>> | undefined) ?? []
  const present = new Set(chart.dependencies.map((dep) => dep.metadata.name))
  // helm package fails on a missing dependency; its message (hollow chart) comes from helm itself.
  const missing = required.filter((dep) => !present.has(dep.name as string))
  if (missing.length) throw new Unsupported(`dependencies missing in charts/: ${missing.map((d) => d.name).join(', ')}`)
  const entries: ChartFile[] = []
  save(chart, '', entries)
  return {
    name: chart.metadata.name as string,
    version: chart.metadata.version as string,
    metadata: chart.metadata,
    entries
  }
}

// ---------------------------------------------------------------------------
// .helmignore (helm's pkg/ignore, including its negation semantics)

interface IgnoreRule {
  negate: boolean
  mustDir: boolean
  match: (name: string) => boolean
}

function parseHelmignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = []
  for (const line of [...text.split('\n'), 'templates/.?*']) {
    let rule = line.trim()
    if (rule === '' || rule.startsWith('#')) continue
    if (rule.includes('**')) throw new Unsupported(`.helmignore rule "${rule}" uses **`)
    const negate = rule.startsWith('!')
    if (negate) rule = rule.slice(1)
    const mustDir = rule.endsWith('/')
    if (mustDir) rule = rule.slice(0, -1)
    let match: (name: string) => boolean
    if (rule.startsWith('/')) {
      const re = globRegex(rule.slice(1))
      match = (name) => re.test(name)
    } else if (rule.includes('/')) {
      const re = globRegex(rule)
      match = (name) => re.test(name)
    } else {
      const re = globRegex(rule)
      match = (name) => re.test(path.posix.basename(name))
    }
    rules.push({ negate, mustDir, match })
  }
  return rules
}

/** Go's filepath.Match as a regex (`*`, `?`, `\x`); character classes are left to helm. */
function globRegex(pattern: string): RegExp {
  if (pattern.includes('[')) throw new Unsupported(`.helmignore pattern "${pattern}" has a character class`)
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '\\') {
      i++
      if (i >= pattern.length) throw new Unsupported(`.helmignore pattern "${pattern}" ends with \\`)
      re += escapeRegex(pattern[i])
    } else re += escapeRegex(c)
  }
  return new RegExp(`^${re}$`, 's')
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c
}

function isIgnored(rules: IgnoreRule[], name: string, isDir: boolean): boolean {
  if (name === '' || name === '.' || name === './') return false
  for (const rule of rules) {
    // helm's rule: a negated pattern that does not match ignores the path.
    if (rule.negate) {
      if (rule.mustDir && !isDir) return true
      if (!rule.match(name)) return true
      continue
    }
    if (rule.mustDir && !isDir) continue
    if (rule.match(name)) return true
  }
  return false
}

// ---------------------------------------------------------------------------
// loading

async function loadDirFiles(chartDir: string): Promise<ChartFile[]> {
  const helmignore = await readFile(path.join(chartDir, '.helmignore'), 'utf8').catch(() => '')
  const rules = parseHelmignore(helmignore)
  const files: ChartFile[] = []
  const walk = async (dir: string, relative: string): Promise<void> => {
    // Go's Walk visits names in byte order.
    const names = (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
    for (const name of names) {
      const full = path.join(dir, name)
      const rel = relative ? `${relative}/${name}` : name
      const stat = await lstat(full)
      if (stat.isSymbolicLink()) throw new Unsupported(`${rel} is a symbolic link`)
      if (stat.isDirectory()) {
        if (!isIgnored(rules, rel, true)) await walk(full, rel)
        continue
      }
      if (isIgnored(rules, rel, false)) continue
      if (!stat.isFile()) throw new Unsupported(`${rel} is not a regular file`)
      files.push({ name: rel, data: stripBom(await readFile(full)) })
    }
  }
  await walk(chartDir, '')
  return files
}

function stripBom(data: Buffer): Buffer {
  return data.subarray(0, 3).equals(UTF8_BOM) ? data.subarray(3) : data
}

async function loadFiles(files: ChartFile[], source: string): Promise<LoadedChart> {
  const chart: LoadedChart = { metadata: {}, templates: [], files: [], dependencies: [] }
  const subcharts = new Map<string, ChartFile[]>()
  let chartYaml: Buffer | undefined
  let lockYaml: Buffer | undefined
  const seen = new Set<string>()
  for (const file of files) {
    if (seen.has(file.name)) throw new Unsupported(`${source} holds ${file.name} twice`)
    seen.add(file.name)
    if (file.name === 'Chart.yaml') chartYaml = file.data
    else if (file.name === 'Chart.lock') lockYaml = file.data
    else if (file.name === 'values.yaml') chart.values = file.data
    else if (file.name === 'values.schema.json') chart.schema = file.data
    else if (file.name === 'requirements.yaml' || file.name === 'requirements.lock')
      throw new Unsupported(`${source} has ${file.name}`)
    else if (file.name.startsWith('templates/')) chart.templates.push(file)
    else if (file.name.startsWith('charts/')) {
      if (file.name.endsWith('.prov')) {
        chart.files.push(file)
        continue
      }
      const rest = file.name.slice('charts/'.length)
      const cname = rest.split('/')[0]
      subcharts.set(cname, [...(subcharts.get(cname) ?? []), { name: rest, data: file.data }])
    } else chart.files.push(file)
  }
  if (!chartYaml) throw new Unsupported(`${source} has no Chart.yaml`)
  chart.metadata = chartMetadata(chartYaml, `${source}/Chart.yaml`)
  if (lockYaml) chart.lock = chartLock(lockYaml, `${source}/Chart.lock`)
  // Only whether it parses: the fast reader tells in a few ms what the library takes 20–40 ms for (cold).
  if (chart.values && !cleanAsYaml11(chart.values.toString('utf8')))
    parseYamlOrUnsupported(chart.values, `${source}/values.yaml`)
  if (chart.schema) {
    try {
      JSON.parse(chart.schema.toString('utf8'))
    } catch {
      throw new Unsupported(`${source}/values.schema.json is not valid JSON`)
    }
  }
  // Helm takes the subcharts from a Go map (random order); sorted by name here, so every run writes one order.
  for (const cname of [...subcharts.keys()].sort()) {
    if (cname.startsWith('_') || cname.startsWith('.')) continue
    const subFiles = subcharts.get(cname) ?? []
    const where = `${source}/charts/${cname}`
    if (cname.endsWith('.tgz')) {
      if (subFiles.length !== 1 || subFiles[0].name !== cname) throw new Unsupported(`${where} is not one archive`)
      chart.dependencies.push(await loadArchive(subFiles[0].data, where))
    } else {
      const inner = subFiles
        .filter((f) => f.name.includes('/'))
        .map((f) => ({ name: f.name.slice(f.name.indexOf('/') + 1), data: f.data }))
      chart.dependencies.push(await loadFiles(inner, where))
    }
  }
  return chart
}

/** Helm's LoadArchiveFiles: the archive's files without their top folder, no .helmignore. */
async function loadArchive(archive: Buffer, where: string): Promise<LoadedChart> {
  const entries = await readTgzEntries(archive, where)
  const files: ChartFile[] = []
  for (const entry of entries) {
    if (entry.type === '5') continue
    if (!['0', '\0', '7'].includes(entry.type)) throw new Unsupported(`${where} has a ${entry.name} that is no file`)
    const parts = entry.name.split('/')
    const name = path.posix.normalize(parts.slice(1).join('/'))
    if (
      entry.name.includes('\\') ||
      name === '.' ||
      name.startsWith('..') ||
      name.startsWith('/') ||
      parts[0] === 'Chart.yaml'
    )
      throw new Unsupported(`${where} has an unusual entry ${entry.name}`)
    files.push({ name, data: stripBom(entry.data) })
  }
  return loadFiles(files, where)
}

function parseYamlOrUnsupported(data: Buffer, where: string): unknown {
  const text = data.toString('utf8')
  // Most Chart.yaml and Chart.lock files: without the `yaml` library's parser (cold, ~5 ms a file beside the gates).
  const clean = parseCleanYaml11(text)
  if (clean) return clean.value
  const doc = yamlLibrary().parseDocument(text, { version: '1.1', uniqueKeys: true })
  if (doc.errors.length || doc.warnings.length) throw new Unsupported(`${where} does not parse cleanly`)
  return doc.toJS({ maxAliasCount: 1000 }) as unknown
}

const METADATA_FIELDS = [
  'name',
  'home',
  'sources',
  'version',
  'description',
  'keywords',
  'maintainers',
  'icon',
  'apiVersion',
  'condition',
  'tags',
  'appVersion',
  'deprecated',
  'annotations',
  'kubeVersion',
  'dependencies',
  'type'
] as const
const DEPENDENCY_FIELDS = ['name', 'version', 'repository', 'condition', 'tags', 'enabled', 'alias'] as const
const MAINTAINER_FIELDS = ['name', 'email', 'url'] as const
/** Dependency fields Go writes even when empty (no omitempty). */
const DEPENDENCY_ALWAYS = new Set(['name', 'repository'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Go's encoding/json: known fields (matched exactly; a case-only match is left to helm), the rest dropped. */
function pick(raw: unknown, fields: readonly string[], where: string): Record<string, unknown> {
  if (!isRecord(raw)) throw new Unsupported(`${where} is not a mapping`)
  const out: Record<string, unknown> = {}
  const lower = new Map(fields.map((field) => [field.toLowerCase(), field]))
  for (const [key, value] of Object.entries(raw)) {
    if (fields.includes(key)) {
      if (value !== null && value !== undefined) out[key] = value
    } else if (lower.has(key.toLowerCase()))
      throw new Unsupported(`${where}: ${key} differs from ${lower.get(key.toLowerCase())} in case only`)
    else if (key === 'import-values' && fields === DEPENDENCY_FIELDS) throw new Unsupported(`${where}: import-values`)
  }
  return out
}

function printable(value: unknown, where: string): string {
  if (typeof value !== 'string') throw new Unsupported(`${where} is not a string`)
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Unsupported(`${where} has characters other than printable ASCII`)
  return value
}

function stringList(value: unknown, where: string): string[] {
  if (!Array.isArray(value)) throw new Unsupported(`${where} is not a list`)
  return value.map((item, i) => printable(item, `${where}[${i}]`))
}

/** Copies `from` into a Go-struct-shaped object in field order, leaving out what omitempty leaves out. */
function goStruct(
  from: Record<string, unknown>,
  fields: readonly string[],
  convert: (field: string, value: unknown) => GoYamlValue,
  always: Set<string> = new Set()
): Record<string, GoYamlValue> {
  const out: Record<string, GoYamlValue> = {}
  for (const field of fields) {
    const value = from[field] === undefined ? undefined : convert(field, from[field])
    const empty =
      value === undefined ||
      value === '' ||
      value === false ||
      (Array.isArray(value) && value.length === 0) ||
      (isRecord(value) && Object.keys(value).length === 0)
    if (!empty) out[field] = value
    else if (always.has(field)) out[field] = typeof value === 'string' ? value : ''
  }
  return out
}

function dependency(raw: unknown, where: string): Record<string, GoYamlValue> {
  return goStruct(
    pick(raw, DEPENDENCY_FIELDS, where),
    DEPENDENCY_FIELDS,
    (field, value) => {
      if (field === 'tags') return stringList(value, `${where}.tags`)
      if (field === 'enabled') {
        if (typeof value !== 'boolean') throw new Unsupported(`${where}.enabled is not a boolean`)
        return value
      }
      const text = printable(value, `${where}.${field}`)
      if (field === 'alias' && !/^[a-zA-Z0-9-_]+$/.test(text)) throw new Unsupported(`${where}.alias is invalid`)
      return text
    },
    DEPENDENCY_ALWAYS
  )
}

function chartMetadata(data: Buffer, where: string): ChartMetadata {
  const raw = pick(parseYamlOrUnsupported(data, where), METADATA_FIELDS, where)
  const metadata = goStruct(raw, METADATA_FIELDS, (field, value) => {
    const at = `${where}: ${field}`
    switch (field) {
      case 'sources':
      case 'keywords':
        return stringList(value, at)
      case 'maintainers':
        if (!Array.isArray(value)) throw new Unsupported(`${at} is not a list`)
        return value.map((m, i) =>
          goStruct(pick(m, MAINTAINER_FIELDS, `${at}[${i}]`), MAINTAINER_FIELDS, (f, v) =>
            printable(v, `${at}[${i}].${f}`)
          )
        )
      case 'deprecated':
        if (typeof value !== 'boolean') throw new Unsupported(`${at} is not a boolean`)
        return value
      case 'annotations': {
        if (!isRecord(value)) throw new Unsupported(`${at} is not a mapping`)
        const out: Record<string, GoYamlValue> = {}
        for (const [key, v] of Object.entries(value)) out[key] = printable(v, `${at}.${key}`)
        return out
      }
      case 'dependencies':
        if (!Array.isArray(value)) throw new Unsupported(`${at} is not a list`)
        return value.map((dep, i) => dependency(dep, `${at}[${i}]`))
      case 'description':
        // Helm's sanitizeString: white space becomes a space (a folded or literal description is one line).
        if (typeof value !== 'string') throw new Unsupported(`${at} is not a string`)
        return printable(value.replace(/[\t\n\v\f\r]/g, ' '), at)
      default:
        return printable(value, at)
    }
  })
  if (metadata.apiVersion !== 'v2') throw new Unsupported(`${where}: apiVersion is not v2`)
  const name = metadata.name
  if (typeof name !== 'string' || !name || name !== path.posix.basename(name) || name.includes('\\'))
    throw new Unsupported(`${where}: name is missing or invalid`)
  if (typeof metadata.version !== 'string' || !isStrictSemver(metadata.version))
    throw new Unsupported(`${where}: version is not strict semver`)
  if (metadata.type !== undefined && metadata.type !== 'application' && metadata.type !== 'library')
    throw new Unsupported(`${where}: type is invalid`)
  return metadata
}

function chartLock(data: Buffer, where: string): Record<string, GoYamlValue> {
  const raw = pick(parseYamlOrUnsupported(data, where), ['generated', 'digest', 'dependencies'], where)
  if (typeof raw.digest !== 'string' || !Array.isArray(raw.dependencies))
    throw new Unsupported(`${where} lacks digest or dependencies`)
  return {
    dependencies: raw.dependencies.map((dep, i) => dependency(dep, `${where}: dependencies[${i}]`)),
    digest: printable(raw.digest, `${where}: digest`),
    generated: goTime(raw.generated, `${where}: generated`)
  }
}

/** A time as Go's time.Time writes it to JSON (RFC 3339 with the offset kept, fraction without trailing zeros). */
function goTime(value: unknown, where: string): string {
  const m =
    typeof value === 'string'
      ? /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|\+00:00|[+-](?!00:00)\d\d:\d\d)$/.exec(value)
      : null
  if (!m) throw new Unsupported(`${where} is not an RFC 3339 time helm would write back unchanged`)
  const fraction = (m[2] ?? '').replace(/0+$/, '')
  return `${m[1]}${fraction ? `.${fraction}` : ''}${m[3] === '+00:00' ? 'Z' : m[3]}`
}

// ---------------------------------------------------------------------------
// saving (chartutil.Save's writeTarContents)

function save(chart: LoadedChart, prefix: string, out: ChartFile[]): void {
  const base = prefix ? `${prefix}/${chart.metadata.name as string}` : (chart.metadata.name as string)
  out.push({ name: `${base}/Chart.yaml`, data: Buffer.from(goYamlDocument(chart.metadata), 'utf8') })
  if (chart.lock) out.push({ name: `${base}/Chart.lock`, data: Buffer.from(goYamlDocument(chart.lock), 'utf8') })
  if (chart.values) out.push({ name: `${base}/values.yaml`, data: chart.values })
  if (chart.schema) out.push({ name: `${base}/values.schema.json`, data: chart.schema })
  for (const file of [...chart.templates, ...chart.files]) out.push({ name: `${base}/${file.name}`, data: file.data })
  for (const dep of chart.dependencies) save(dep, `${base}/charts`, out)
}

/**
 * The `version` a Chart.yaml's text names (a packaged subchart's, for guard 3), undefined when it names none;
 * through the fast reader first: a Chart.yaml as helm writes it rarely needs the yaml library.
 */
export function chartYamlVersion(text: string): string | undefined {
  const meta = parseYamlDocument(text) as { version?: unknown } | null
  return meta?.version === undefined ? undefined : String(meta.version)
}
