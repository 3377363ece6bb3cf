// Loads a YAML file once, keeping the source positions so findings can point
// at file:line, and turning parse errors into messages that name the file, line
// and column. A key written twice in one mapping is not an error (helm reads the
// file, keeping the last value): it is recorded (`duplicates`) for a finding.
import { readFile, stat } from 'node:fs/promises'
import type { Document, LineCounter, Node, YAMLError } from 'yaml'
import { fastParseYamlWithPositions } from '../helm/render.js'
import { ActionError } from '../types.js'
import { yamlLibrary } from '../util/yaml-lib.js'

type YamlPath = readonly (string | number)[]

export interface YamlSource<T = unknown> {
  /** Path as shown to people (relative to the workspace). */
  displayPath: string
  data: T
  /** 1-based line of the value at `path` (or of its key), when present. */
  lineOf(path: YamlPath): number | undefined
  /** Keys written twice in one mapping (helm keeps the last value), in document order; absent when none. */
  duplicates?: readonly DuplicateKey[]
}

/** A key written again in the same mapping: both lines, and whether the two values are the same. */
interface DuplicateKey {
  /** The key's path from the document's root. */
  path: YamlPath
  /** 1-based lines of the earlier and of the later occurrence (the one helm keeps). */
  lines: readonly [number, number]
  /** The same value both times: nothing is lost. */
  equal: boolean
  /** The two values as short text, for a message (earlier, later). */
  values: readonly [string, string]
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
 * The file's data and its positions. Chart files are mostly inside the fast reader's subset (helm/render.ts
 * fastParseYamlWithPositions: it answers only where it reads exactly what `yaml` does, and gives up on anything that
 * could be an error, a duplicate key, an anchor or a tag): their data and the lines of their keys then come without
 * the `yaml` library, whose first use is a cold parser (~30 ms for a blueprint's three files, on the way to the
 * dependency build; ~15 ms for a real-size values.yaml's lines beside the gates' helm processes). The library parses
 * the text only when a line the reader did not record is asked for (a sequence item on the lines after its `-`, a
 * place inside a flow collection). Everything else goes to the library at once.
 */
export function parseYamlText<T = unknown>(text: string, displayPath: string): YamlSource<T> {
  const fast = fastParseYamlWithPositions(text)
  if (fast) {
    let library: YamlSource['lineOf'] | undefined
    return {
      displayPath,
      data: (fast.value ?? {}) as T,
      lineOf: (path) => {
        const line = fast.lineOf(path)
        if (line !== null) return line
        library ??= linesOf(text, displayPath)
        return library(path)
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
 * `yaml`'s parse of the text: its data (a key written twice keeps its last value, as helm reads it), positions and
 * duplicate keys, or an ActionError naming the file, line and column. Exported for tests: parseYamlText's fast way
 * must give what this gives.
 */
export function libraryParse<T = unknown>(text: string, displayPath: string): YamlSource<T> {
  const { LineCounter, parseDocument } = yamlLibrary()
  const lineCounter = new LineCounter()
  // yaml's own uniqueKeys check compares each key with every earlier one of its
  // map (quadratic: minutes for a few MB); duplicateKeys does it in one pass.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false })
  if (doc.errors.length > 0) throw syntaxError(doc, doc.errors[0], text, lineCounter, displayPath)
  const duplicates = duplicateKeys(doc, lineCounter)
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
  const source: YamlSource<T> = {
    displayPath,
    data,
    lineOf: (path) => lineOfPath(doc, lineCounter, path)
  }
  if (duplicates.length > 0) source.duplicates = duplicates
  return source
}

/**
 * Where a syntax error is, as a person looks for it: the file, line and column, and the line's text. An unclosed
 * quote or flow collection is found where it opens (`yaml` reports it where the text ends).
 */
function syntaxError(
  doc: Document,
  error: YAMLError,
  text: string,
  lineCounter: LineCounter,
  displayPath: string
): ActionError {
  const opened = error.code === 'MISSING_CHAR' || /^Flow (map|sequence)/.test(error.message)
  const offset = (opened ? openingOf(doc, error.pos[0]) : undefined) ?? error.pos[0]
  const { line, col } = lineCounter.linePos(Math.min(offset, text.length))
  const lineText = (text.split('\n')[line - 1] ?? '').replace(/\r$/, '')
  const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')
  const shown = lineText.trim() === '' ? '' : `: \`${lineText.trim().slice(0, 80)}\``
  return new ActionError(
    `${displayPath}:${line}: not valid YAML: ${reason} (column ${col}${shown})`,
    `fix the YAML syntax at line ${line}, column ${col} of ${displayPath}`,
    { file: displayPath, line, column: col }
  )
}

/** Start of the innermost quoted scalar or flow collection still open at `offset` (the error's place). */
function openingOf(doc: Document, offset: number): number | undefined {
  const { isCollection, isNode, isScalar, visit } = yamlLibrary()
  let found: number | undefined
  visit(doc, (_, node) => {
    if (!isNode(node) || !node.range) return undefined
    const [start, , end] = node.range
    const open =
      (isScalar(node) && (node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE')) ||
      (isCollection(node) && node.flow === true)
    if (open && start < offset && end >= offset && (found === undefined || start > found)) found = start
    return undefined
  })
  return found
}

/** A value as short text for a message. */
function shortValue(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null')
  return text.length > 40 ? `${text.slice(0, 37)}...` : text
}

/**
 * Keys that repeat an earlier key of the same mapping (as yaml's uniqueKeys compares them: scalar keys by value),
 * in one pass over the document: a Map per mapping. Each repeat is paired with the occurrence before it.
 */
function duplicateKeys(doc: Document, lineCounter: LineCounter): DuplicateKey[] {
  const { isAlias, isMap, isNode, isScalar, isSeq } = yamlLibrary()
  const found: DuplicateKey[] = []
  const valueOf = (node: unknown): unknown => {
    try {
      return isNode(node) || isAlias(node) ? (node as Node).toJS(doc, { maxAliasCount: 1000 }) : node
    } catch {
      return undefined
    }
  }
  const walk = (node: unknown, at: (string | number)[]): void => {
    if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, [...at, i]))
      return
    }
    if (!isMap(node)) return
    const seen = new Map<unknown, { line: number; value: unknown }>()
    for (const pair of node.items) {
      const key = pair.key as Node | null
      if (!isScalar(key)) continue
      // Scalar keys compare by value (1 and "1" differ, as in yaml's own check).
      const line = lineCounter.linePos(key.range?.[0] ?? 0).line
      const earlier = seen.get(key.value)
      if (earlier) {
        const [before, after] = [valueOf(earlier.value), valueOf(pair.value)]
        found.push({
          path: [...at, String(key.value)],
          lines: [earlier.line, line],
          equal: JSON.stringify(before) === JSON.stringify(after),
          values: [shortValue(before), shortValue(after)]
        })
      }
      seen.set(key.value, { line, value: pair.value })
      walk(pair.value, [...at, String(key.value)])
    }
  }
  walk(doc.contents, [])
  return found
}

function lineOfPath(doc: Document, lineCounter: LineCounter, path: YamlPath): number | undefined {
  if (path.length === 0) return 1
  const { isMap, isScalar } = yamlLibrary()
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true)
  const last = path[path.length - 1]
  if (isMap(parent)) {
    // The last of a key written twice: the one helm keeps.
    let line: number | undefined
    for (const pair of parent.items) {
      const key = pair.key as Node | null
      const keyValue = isScalar(key) ? key.value : key
      if (String(keyValue) === String(last) && key?.range) line = lineCounter.linePos(key.range[0]).line
    }
    if (line !== undefined) return line
  }
  const node = doc.getIn(path, true) as Node | undefined
  return node?.range ? lineCounter.linePos(node.range[0]).line : undefined
}
