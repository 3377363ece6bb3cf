// The default values of the chart's dependencies, read from the built charts/
// folder of the work copy (archives or unpacked folders), keyed by the values
// key the umbrella chart uses for them (alias, else name). They tell which
// values key sets an upstream image (e.g. `temporal.server.image.tag`): reading
// the files is cheaper and as sound as rendering once per image with a changed value.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { listTgz, readTgzFile } from '../chart/archive.js'
import { parseYamlText, type YamlSource } from '../chart/yaml-source.js'
import { isRecord } from '../util/text.js'

interface DependencyEntry {
  name: string
  alias?: string
}

/** A dependency's default values by values key (alias, else name); absent when they cannot be read or parsed. */
export interface DependencyValues {
  get(key: string): YamlSource<unknown> | undefined
  has(key: string): boolean
}

/**
 * Parsed when first asked for: only a failing image's location reads them (image-location.ts), and the parse with
 * positions is the costly part (~45 ms for a values.yaml the size of the real Temporal chart's), during the gates.
 */
class LazyDependencyValues implements DependencyValues {
  private readonly parsed = new Map<string, YamlSource<unknown> | undefined>()
  constructor(private readonly texts: ReadonlyMap<string, { text: string; file: string }>) {}

  get(key: string): YamlSource<unknown> | undefined {
    if (!this.parsed.has(key)) {
      const source = this.texts.get(key)
      let values: YamlSource<unknown> | undefined
      try {
        values = source ? parseYamlText(source.text, source.file) : undefined
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
}

/** Values of each dependency by values key; a dependency whose values cannot be read is left out. */
export async function loadDependencyValues(chartDir: string): Promise<DependencyValues> {
  const out = new Map<string, { text: string; file: string }>()
  let deps: DependencyEntry[] = []
  try {
    const text = await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8')
    // Only the names and aliases: parseYamlText parses positions only when asked for a line.
    const chart = parseYamlText<Record<string, unknown>>(text, 'Chart.yaml').data
    deps = (Array.isArray(chart.dependencies) ? chart.dependencies : [])
      .filter(isRecord)
      .filter((d): d is Record<string, unknown> & { name: string } => typeof d.name === 'string')
      .map((d) => ({ name: d.name, alias: typeof d.alias === 'string' && d.alias !== '' ? d.alias : undefined }))
  } catch {
    return new LazyDependencyValues(out)
  }
  const byName = new Map<string, string>()
  const chartsDir = path.join(chartDir, 'charts')
  let entries: string[] = []
  try {
    entries = await readdir(chartsDir)
  } catch {
    return new LazyDependencyValues(out)
  }
  for (const entry of entries) {
    const file = path.join(chartsDir, entry)
    try {
      if (entry.endsWith('.tgz')) {
        const top = (await listTgz(file))[0]?.split('/')[0]
        const text = top ? await readTgzFile(file, `${top}/values.yaml`) : undefined
        if (top && text) byName.set(top, text.toString('utf8'))
      } else {
        byName.set(entry, await readFile(path.join(file, 'values.yaml'), 'utf8'))
      }
    } catch {
      // not a chart: nothing to learn from it
    }
  }
  for (const dep of deps) {
    const text = byName.get(dep.name)
    if (text !== undefined) out.set(dep.alias ?? dep.name, { text, file: `charts/${dep.name}/values.yaml` })
  }
  return new LazyDependencyValues(out)
}
