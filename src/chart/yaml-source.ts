// Loads a YAML file once, keeping the source positions so findings can point
// at file:line, and turning parse errors into messages that name the file and line.
import { readFile, stat } from 'node:fs/promises'
import { LineCounter, parseDocument, isMap, isScalar, visit, type Document, type Node } from 'yaml'
import { fastParseYaml } from '../helm/render.js'
import { ActionError } from '../types.js'

type YamlPath = readonly (string | number)[]

export interface YamlSource<T = unknown> {
  /** Path as shown to people (relative to the workspace). */
  displayPath: string
  data: T
  /** 1-based line of the value at `path` (or of its key), when present. */
  lineOf(path: YamlPath): number | undefined
  /**
   * Parses the positions now, when they are not there yet (parseYamlText's fast way parses them on the first
   * lineOf): a caller that will ask for lines at a busy moment asks for the parse at an idle one.
   */
  locate?(): void
}

/** Helm 4 refuses values files over 5 MiB; no chart file the action reads may be larger. */
export const MAX_YAML_BYTES = 5 * 1024 * 1024

/**
 * Throws an ActionError when `file` is over MAX_YAML_BYTES: checked before any
 * work, so a huge file fails at once instead of stalling the run.
 */
export async function assertYamlFileSize(file: string, displayPath: string): Promise<void> {
  let size: number
  try {
    size = (await stat(file)).size
  } catch {
    return // missing or unreadable: reading it says so
  }
  if (size > MAX_YAML_BYTES) {
    throw new ActionError(
      `${displayPath} is ${(size / 1024 / 1024).toFixed(1)} MiB, over Helm's 5 MiB limit for values files`,
      `make ${displayPath} smaller than 5 MiB (move bulky data to files/ and read it with .Files.Get)`
    )
  }
}

export async function loadYamlFile<T = unknown>(file: string, displayPath: string): Promise<YamlSource<T>> {
  await assertYamlFileSize(file, displayPath)
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

/**
 * The file's data, and its positions on demand. Chart files are mostly inside the fast reader's subset
 * (helm/render.ts fastParseYaml: it answers only where it reads exactly what `yaml` does, and gives up on anything
 * that could be an error, a duplicate key, an anchor or a tag): their data then comes without the `yaml` library,
 * whose first use is a cold parser (~30 ms for a blueprint's three files, on the way to the dependency build), and
 * the library parses the text only when a finding asks for a line. Everything else goes to the library at once.
 */
export function parseYamlText<T = unknown>(text: string, displayPath: string): YamlSource<T> {
  const fast = fastParseYaml(text)
  if (fast) {
    let positions: YamlSource['lineOf'] | undefined
    return {
      displayPath,
      data: (fast.value ?? {}) as T,
      lineOf: (path) => {
        positions ??= linesOf(text, displayPath)
        return positions(path)
      },
      locate: () => {
        positions ??= linesOf(text, displayPath)
      }
    }
  }
  return libraryParse<T>(text, displayPath)
}

/** Positions from `yaml`'s parse of a text the fast reader read (so the library reads it too; if not, no line). */
function linesOf(text: string, displayPath: string): YamlSource['lineOf'] {
  try {
    const parsed = libraryParse(text, displayPath)
    return (path) => parsed.lineOf(path)
  } catch {
    return () => undefined
  }
}

/**
 * `yaml`'s parse of the text: its data and positions, or an ActionError naming the file and line. Exported for
 * tests: parseYamlText's fast way must give what this gives.
 */
export function libraryParse<T = unknown>(text: string, displayPath: string): YamlSource<T> {
  const lineCounter = new LineCounter()
  // yaml's own uniqueKeys check compares each key with every earlier one of its
  // map (quadratic: minutes for a few MB); duplicateKeyOffset does it in one pass.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  const invalid = (offset: number, reason: string): ActionError => {
    const line = lineCounter.linePos(offset).line
    return new ActionError(
      `${displayPath}:${line}: not valid YAML: ${reason}`,
      `fix the YAML syntax at line ${line} of ${displayPath}`
    )
  }
  if (doc.errors.length > 0) {
    const first = doc.errors[0]
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line
    const reason = first.message.split('\n')[0]
    throw new ActionError(
      `${displayPath}:${line}: not valid YAML: ${reason}`,
      `fix the YAML syntax at line ${line} of ${displayPath}`
    )
  }
  const duplicate = duplicateKeyOffset(doc)
  if (duplicate !== undefined) throw invalid(duplicate, 'Map keys must be unique')
  let data: T
  try {
    data = (doc.toJS({ maxAliasCount: 1000 }) ?? {}) as T
  } catch (error) {
    // yaml's alias-bomb guard ("Excessive alias count …") names no file.
    throw new ActionError(
      `${displayPath}: not valid YAML: ${(error as Error).message.split('\n')[0]}`,
      `${displayPath} expands its aliases (*name) too many times; write the values out instead of nesting aliases`
    )
  }
  return {
    displayPath,
    data,
    lineOf: (path) => lineOfPath(doc, lineCounter, path)
  }
}

/**
 * Offset of the first key that repeats an earlier key of the same mapping (as
 * yaml's uniqueKeys compares them: scalar keys by value), in one pass over the
 * document: a Set per mapping.
 */
function duplicateKeyOffset(doc: Document): number | undefined {
  let found: number | undefined
  visit(doc, {
    Map(_, map) {
      const seen = new Set<unknown>()
      for (const pair of map.items) {
        const key = pair.key as Node | null
        if (!isScalar(key)) continue
        // Scalar keys compare by value (1 and "1" differ, as in yaml's own check).
        if (seen.has(key.value)) {
          found = key.range?.[0] ?? 0
          return visit.BREAK
        }
        seen.add(key.value)
      }
      return undefined
    }
  })
  return found
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
