// The default values of the chart's dependencies, read from the built charts/
// folder of the work copy (archives or unpacked folders), keyed by the values
// key the umbrella chart uses for them (alias, else name), as helm reads them:
// each dependency's own values.yaml with the defaults of its subcharts (nested
// charts, unpacked or archived, under their alias or name) beneath, the
// parent's values over them and its `global` passed down. They tell which
// values key sets an upstream image (e.g. `temporal.server.image.tag`): reading
// the files is cheaper and as sound as rendering once per image with a changed value.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { readTgzEntries } from '../chart/archive.js'
import { parseYamlText, type YamlSource } from '../chart/yaml-source.js'
import { isRecord } from '../util/text.js'

/** A dependency's default values by values key (alias, else name); absent when they cannot be read or parsed. */
export interface DependencyValues {
  get(key: string): YamlSource<unknown> | undefined
  has(key: string): boolean
  /** The values keys of the dependencies whose defaults were found. */
  keys(): Iterable<string>
}

/** One chart's default values as text, and its subcharts' by the key its values give them. */
interface ChartDefaults {
  text: string
  file: string
  subcharts: Map<string, ChartDefaults>
}

/**
 * Helm's coalescing of two values trees: `over` wins; mappings merge key by key; a null in `over` removes the key.
 * Pure; neither input is changed.
 */
export function coalesceValues(base: unknown, over: unknown): unknown {
  if (over === undefined) return base
  if (!isRecord(base) || !isRecord(over)) return over
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(over)) {
    if (value === null) delete out[key]
    else out[key] = coalesceValues(base[key], value)
  }
  return out
}

/** A chart's defaults with each subchart's beneath its key (the chart's own values over them, globals passed down). */
function defaultsTree(chart: ChartDefaults): unknown {
  const own = parseYamlText<unknown>(chart.text, chart.file).data
  let tree: unknown = isRecord(own) ? own : {}
  for (const [key, sub] of chart.subcharts) {
    const parent = tree as Record<string, unknown>
    let merged = coalesceValues(defaultsTree(sub), parent[key])
    if (isRecord(merged) && isRecord(parent.global))
      merged = { ...merged, global: coalesceValues(merged.global, parent.global) }
    tree = { ...parent, [key]: merged }
  }
  return tree
}

/**
 * Parsed when first asked for: only a failing image's location reads them (image-location.ts), and the parse with
 * positions is the costly part (~45 ms for a values.yaml the size of the real Temporal chart's), during the gates.
 */
class LazyDependencyValues implements DependencyValues {
  private readonly parsed = new Map<string, YamlSource<unknown> | undefined>()
  constructor(private readonly charts: ReadonlyMap<string, ChartDefaults>) {}

  get(key: string): YamlSource<unknown> | undefined {
    if (!this.parsed.has(key)) {
      const chart = this.charts.get(key)
      let values: YamlSource<unknown> | undefined
      try {
        if (chart) {
          const own = parseYamlText(chart.text, chart.file)
          values = chart.subcharts.size === 0 ? own : { ...own, data: defaultsTree(chart) }
        }
      } catch {
        // unparsable defaults: no key to point at
      }
      this.parsed.set(key, values)
    }
    return this.parsed.get(key)
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }

  keys(): Iterable<string> {
    return this.charts.keys()
  }
}

/** The `dependencies` of a Chart.yaml text: name and values key (alias, else name). */
function dependencyKeys(chartYaml: string | undefined): { name: string; key: string }[] {
  if (chartYaml === undefined) return []
  // Only the names and aliases: parseYamlText parses positions only when asked for a line.
  const chart = parseYamlText<Record<string, unknown>>(chartYaml, 'Chart.yaml').data
  return (isRecord(chart) && Array.isArray(chart.dependencies) ? chart.dependencies : [])
    .filter(isRecord)
    .filter((d): d is Record<string, unknown> & { name: string } => typeof d.name === 'string')
    .map((d) => ({ name: d.name, key: typeof d.alias === 'string' && d.alias !== '' ? d.alias : d.name }))
}

/** The chart at `root` of an archive's files (its values, its subcharts: folders and archives under charts/). */
async function chartInArchive(files: ReadonlyMap<string, Buffer>, root: string, label: string): Promise<ChartDefaults> {
  const text = (name: string): string | undefined => files.get(`${root}/${name}`)?.toString('utf8')
  const byName = new Map<string, ChartDefaults>()
  const prefix = `${root}/charts/`
  const folders = new Set<string>()
  for (const [name, data] of files) {
    if (!name.startsWith(prefix)) continue
    const rest = name.slice(prefix.length)
    if (!rest.includes('/') && rest.endsWith('.tgz')) {
      const sub = await chartArchive(data, `${label}/charts/${rest}`).catch(() => undefined)
      if (sub) byName.set(sub.name, sub.chart)
    } else if (rest.endsWith('/Chart.yaml') && rest.split('/').length === 2) folders.add(rest.split('/')[0])
  }
  for (const folder of folders) {
    const sub = await chartInArchive(files, `${prefix}${folder}`, `${label}/charts/${folder}`)
    const name = chartName(files.get(`${prefix}${folder}/Chart.yaml`)?.toString('utf8')) ?? folder
    byName.set(name, sub)
  }
  return { text: text('values.yaml') ?? '', file: `${label}/values.yaml`, subcharts: keyed(text('Chart.yaml'), byName) }
}

/** Subcharts by the key the parent's Chart.yaml gives them (alias, else name); undeclared ones by their name. */
function keyed(chartYaml: string | undefined, byName: ReadonlyMap<string, ChartDefaults>): Map<string, ChartDefaults> {
  const out = new Map<string, ChartDefaults>()
  const declared = dependencyKeys(chartYaml)
  for (const [name, chart] of byName) {
    const keys = declared.filter((d) => d.name === name).map((d) => d.key)
    for (const key of keys.length > 0 ? keys : [name]) out.set(key, chart)
  }
  return out
}

function chartName(chartYaml: string | undefined): string | undefined {
  const name = /^name:[ \t]*["']?([^\s"'#]+)/m.exec(chartYaml ?? '')?.[1]
  return name
}

async function chartArchive(archive: Buffer, label: string): Promise<{ name: string; chart: ChartDefaults }> {
  const files = new Map<string, Buffer>()
  for (const entry of await readTgzEntries(archive, label)) files.set(entry.name.replace(/^\.\//, ''), entry.data)
  const top = [...files.keys()][0]?.split('/')[0]
  if (!top) throw new Error(`${label}: empty archive`)
  const name = chartName(files.get(`${top}/Chart.yaml`)?.toString('utf8')) ?? top
  return { name, chart: await chartInArchive(files, top, `charts/${name}`) }
}

/** An unpacked chart folder: its values.yaml, Chart.yaml and charts/ (folders and archives). */
async function chartFolder(dir: string, label: string): Promise<ChartDefaults> {
  const read = (name: string): Promise<string | undefined> =>
    readFile(path.join(dir, name), 'utf8').catch(() => undefined)
  const byName = new Map<string, ChartDefaults>()
  for (const entry of await readdir(path.join(dir, 'charts')).catch(() => [] as string[])) {
    const file = path.join(dir, 'charts', entry)
    try {
      if (entry.endsWith('.tgz')) {
        const sub = await chartArchive(await readFile(file), `${label}/charts/${entry}`)
        byName.set(sub.name, sub.chart)
      } else {
        const chartYaml = await readFile(path.join(file, 'Chart.yaml'), 'utf8').catch(() => undefined)
        const name = chartName(chartYaml) ?? entry
        byName.set(name, await chartFolder(file, `${label}/charts/${entry}`))
      }
    } catch {
      // not a chart: nothing to learn from it
    }
  }
  return {
    text: (await read('values.yaml')) ?? '',
    file: `${label}/values.yaml`,
    subcharts: keyed(await read('Chart.yaml'), byName)
  }
}

/** Values of each dependency by values key; a dependency whose values cannot be read is left out. */
export async function loadDependencyValues(chartDir: string): Promise<DependencyValues> {
  const out = new Map<string, ChartDefaults>()
  let deps: { name: string; key: string }[] = []
  try {
    deps = dependencyKeys(await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8'))
  } catch {
    return new LazyDependencyValues(out)
  }
  const built = await chartFolder(chartDir, '.').catch(() => undefined)
  // chartFolder keyed the built charts by the umbrella's own Chart.yaml: one entry per dependency's values key.
  for (const dep of deps) {
    const chart = built?.subcharts.get(dep.key)
    if (chart) out.set(dep.key, { ...chart, file: `charts/${dep.name}/values.yaml` })
  }
  return new LazyDependencyValues(out)
}
