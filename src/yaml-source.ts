// Loads a YAML file once, keeping the source positions so findings can point
// at file:line, and turning parse errors into messages that name the file and line.
import { readFile } from 'node:fs/promises'
import { LineCounter, parseDocument, isMap, isScalar, type Document, type Node } from 'yaml'
import { ActionError } from './types.js'

export type YamlPath = readonly (string | number)[]

export interface YamlSource<T = unknown> {
  /** Path as shown to people (relative to the workspace). */
  displayPath: string
  data: T
  /** 1-based line of the value at `path` (or of its key), when present. */
  lineOf(path: YamlPath): number | undefined
}

export async function loadYamlFile<T = unknown>(file: string, displayPath: string): Promise<YamlSource<T>> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ActionError(
      code === 'ENOENT' ? `${displayPath} not found` : `${displayPath} cannot be read (${code ?? String(error)})`,
      'check the blueprint/chart inputs point at a blueprint folder with chart/Chart.yaml'
    )
  }
  return parseYamlText<T>(text, displayPath)
}

export function parseYamlText<T = unknown>(text: string, displayPath: string): YamlSource<T> {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true })
  if (doc.errors.length > 0) {
    const first = doc.errors[0]
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line
    const reason = first.message.split('\n')[0]
    throw new ActionError(`${displayPath}:${line}: not valid YAML: ${reason}`, `fix the YAML syntax at line ${line} of ${displayPath}`)
  }
  const data = (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as T
  return {
    displayPath,
    data,
    lineOf: (path) => lineOfPath(doc, lineCounter, path)
  }
}

function lineOfPath(doc: Document, lineCounter: LineCounter, path: YamlPath): number | undefined {
  if (path.length === 0) return 1
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true)
  const last = path[path.length - 1]
  if (isMap(parent)) {
    for (const pair of parent.items) {
      const key = pair.key as Node | null
      const keyValue = isScalar(key) ? key.value : key
      if (String(keyValue) === String(last) && key?.range) return lineCounter.linePos(key.range[0]).line
    }
  }
  const node = doc.getIn(path, true) as Node | undefined
  return node?.range ? lineCounter.linePos(node.range[0]).line : undefined
}
