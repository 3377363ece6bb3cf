// Where a schema problem is, for its finding: the template that produced the resource (helm's `# Source:`), the line
// there that writes the field, and the values key that line reads (`{{ .Values.x.y }}`), with where that value comes
// from (input `set`, or a line of values.yaml).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { YamlSource } from '../chart/yaml-source.js'
import { parseDottedPath, repoFileForSource } from './common.js'
import type { FieldPath } from '../schema/structural.js'

export interface ProblemLocation {
  /** Repository file of the template (own templates only; subcharts' are built, not committed). */
  file?: string
  line?: number
  /** The values key the template line reads, e.g. `catalystOverlay.replicas` (`temporal.` prefixed for a subchart). */
  valuesKey?: string
  /** Where the value is set: `input set (key=value)` or `values.yaml:12`. */
  valueOrigin?: string
}

export interface LocatorInput {
  chartDir: string
  chartName: string
  displayChartDir: string
  values: YamlSource<Record<string, unknown>>
  /** The run's `--set`/`--values` arguments. */
  valueArgs: readonly string[]
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The template lines of own templates, read once each. */
export class ProblemLocator {
  private readonly texts = new Map<string, Promise<string[] | undefined>>()

  constructor(private readonly input: LocatorInput) {}

  private lines(source: string): Promise<string[] | undefined> {
    let lines = this.texts.get(source)
    if (!lines) {
      const relative = source.slice(this.input.chartName.length + 1)
      lines = readFile(path.join(this.input.chartDir, relative), 'utf8').then(
        (text) => text.split('\n'),
        () => undefined
      )
      this.texts.set(source, lines)
    }
    return lines
  }

  /** The location of a problem at `fieldPath` of a document from `source`. */
  async locate(source: string | undefined, fieldPath: FieldPath): Promise<ProblemLocation> {
    const file = repoFileForSource(source, this.input.chartName, this.input.displayChartDir)
    if (!file || !source) return {}
    const out: ProblemLocation = { file }
    const lines = await this.lines(source)
    if (!lines) return out
    // The deepest key of the path that a line of the template writes (`imagePullPolcy:`), else its parents'.
    const keys = fieldPath.filter((s): s is string => typeof s === 'string')
    for (let i = keys.length - 1; i >= 0; i--) {
      const pattern = new RegExp(`^\\s*(?:-\\s+)?["']?${escapeRegExp(keys[i])}["']?\\s*:`)
      const index = lines.findIndex((line) => pattern.test(line))
      if (index === -1) continue
      out.line = index + 1
      if (i === keys.length - 1) this.valueOf(lines[index], source, out)
      return out
    }
    return out
  }

  /** The values key the line reads, and where the run's value of it comes from. */
  private valueOf(line: string, source: string, out: ProblemLocation): void {
    const match = /\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/.exec(line)
    if (!match) return
    const subchart = /^[^/]+\/charts\/([^/]+)\//.exec(source)
    const key = subchart ? `${subchart[1]}.${match[1]}` : match[1]
    out.valuesKey = key
    const args = this.input.valueArgs
    for (let i = args.length - 2; i >= 0; i -= 2) {
      if (args[i] !== '--set' && args[i] !== '--set-string') continue
      const assignment = args[i + 1]
      if (assignment.startsWith(`${key}=`)) {
        out.valueOrigin = `input set (${assignment})`
        return
      }
    }
    const line2 = this.input.values.lineOf(parseDottedPath(key))
    if (line2 !== undefined) out.valueOrigin = `${this.input.values.displayPath}:${line2}`
  }
}
