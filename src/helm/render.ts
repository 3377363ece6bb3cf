// Splits and parses `helm template` output once, so every gate shares the same
// parsed documents.
//
// Splitting is done here, not by the YAML library: a line that starts at column 0
// with `---` or `...` followed by whitespace or the end of the line is always a
// document marker in YAML (inside a block scalar such a line would be indented;
// at column 0 it ends the document in YAML too), so cutting on those lines is
// exact. Each chunk is then read by a small fast reader for the block-YAML subset
// Helm emits, or by `YAML.parse` when the chunk is outside that subset (see
// "fast path" below). A chunk that fails to parse is reported with its
// `# Source:` template and line; the others are still returned.

import type { DocumentOptions, ParseOptions, SchemaOptions, ToJSOptions } from 'yaml'
import { yamlLibrary } from '../util/yaml-lib.js'
import type { Finding, RenderedDocument } from '../types.js'

type LibraryParseOptions = ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions

/** Options for each document: YAML 1.2 core schema, no key-uniqueness or pretty-error work. */
const YAML_OPTIONS = {
  schema: 'core',
  strict: false,
  uniqueKeys: false,
  prettyErrors: false,
  // Helm passes template text through verbatim, so anchors and `<<` merge keys
  // (which Kubernetes' YAML reader honours) can reach the render.
  merge: true,
  // Errors still throw; warnings are not printed to the console.
  logLevel: 'error'
} as const

/** A document of the render that is not valid YAML (or not a mapping). */
export class RenderParseError extends Error {
  constructor(
    message: string,
    /** Template path from the `# Source:` comment, if the document had one. */
    readonly source: string | undefined,
    /** 1-based line in the whole render output where the problem is (or the document starts). */
    readonly line: number,
    /** 0-based index of the document among the render's non-empty chunks. */
    readonly index: number
  ) {
    super(message)
    this.name = 'RenderParseError'
  }

  toFinding(): Finding {
    const where = this.source ? `${this.source} (render line ${this.line})` : `render line ${this.line}`
    const finding: Finding = {
      rule: 'render-parse',
      severity: 'error',
      message: `Rendered document in ${where} is not valid Kubernetes YAML: ${this.message}`,
      fix: 'Fix the template so it renders valid YAML (run `helm template` and inspect that document).'
    }
    if (this.source) finding.file = this.source
    return finding
  }
}

export interface ParsedRender {
  /** Every resource of the render, list documents flattened into their items ({@link renderedResources}). */
  documents: RenderedDocument[]
  errors: RenderParseError[]
}

/**
 * Matches document markers: `---` or `...` at the start of a line (only `\n`
 * ends a line here, unlike a multiline regex, which would also split on `\r`,
 * U+2028 and U+2029), then whitespace or the end of the line.
 */
const MARKER_RE = /(?:^|\n)(---|\.\.\.)(?=[ \t\r\n]|$)/g
const SOURCE_RE = /^#\s*Source:\s*(.+?)\s*$/

interface Chunk {
  /** Offset of the chunk's text in the render. */
  start: number
  text: string
}

function splitChunks(output: string): Chunk[] {
  const chunks: Chunk[] = []
  let start = 0
  MARKER_RE.lastIndex = 0
  let m: RegExpExecArray | null
  while ((m = MARKER_RE.exec(output)) !== null) {
    const at = m.index + (m[0].length - 3) // skip the leading newline, if any
    if (at > start) chunks.push({ start, text: output.slice(start, at) })
    let eol = output.indexOf('\n', at)
    if (eol === -1) eol = output.length
    if (m[1] === '---') {
      // `--- <content>` on the marker line belongs to the new document: keep the
      // whole line (YAML.parse accepts a leading `---`), unless it is just a comment.
      const restOfLine = output.slice(at + 3, eol).trim()
      start = restOfLine === '' || restOfLine.startsWith('#') ? eol + 1 : at
    } else {
      start = eol + 1
    }
    MARKER_RE.lastIndex = eol
  }
  if (start < output.length) chunks.push({ start, text: output.slice(start) })
  return chunks
}

/** Scans the leading comment/blank lines of a chunk: the `# Source:` value, and whether anything else follows. */
function scanHead(text: string): { source?: string; empty: boolean } {
  let source: string | undefined
  let pos = 0
  const n = text.length
  while (pos < n) {
    let eol = text.indexOf('\n', pos)
    if (eol === -1) eol = n
    // skip leading spaces/tabs
    let p = pos
    while (p < eol && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9)) p++
    const c = text.charCodeAt(p)
    if (p === eol || c === 13 /* \r */) {
      pos = eol + 1
      continue
    }
    if (c !== 35 /* # */) return source === undefined ? { empty: false } : { source, empty: false }
    if (source === undefined && p === pos) {
      const sm = SOURCE_RE.exec(text.slice(pos, eol))
      if (sm) source = sm[1]
    }
    pos = eol + 1
  }
  return source === undefined ? { empty: true } : { source, empty: true }
}

// ---------------------------------------------------------------- fast path
//
// `yaml`'s full pipeline (lexer, CST, Document AST, toJS) costs about 250 ms per
// MB, too slow for a 10 MB render. Helm output is overwhelmingly plain block
// YAML, so a small line-based reader handles that subset directly and returns
// exactly what `YAML.parse` would with YAML_OPTIONS (core schema). Anything
// outside the subset (anchors, aliases, tags, explicit keys, multi-line flow
// collections or double-quoted scalars, `|+`/indentation indicators, tabs, CR,
// duplicate keys, non-string keys, anything that looks wrong) makes it give up,
// and the document goes through `YAML.parse`, which also produces the errors.

/** Thrown (never escapes this module) when the fast reader gives up on a document. */
// The fast path's "not mine, use the YAML library" signal: one Error made once at load and thrown by
// reference (no stack captured per throw, so it costs what the former symbol cost).
class FastPathGiveUp extends Error {}
const GIVE_UP = new FastPathGiveUp('fast path gave up')

/** Characters that send a whole document to the full parser. */
// eslint-disable-next-line no-control-regex
const SLOW_CHARS_RE = /[\t\r\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/

const NULL_RE = /^(?:~|[Nn]ull|NULL)$/
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/
const INT_OCT_RE = /^0o[0-7]+$/
const INT_RE = /^[-+]?[0-9]+$/
const INT_HEX_RE = /^0x[0-9a-fA-F]+$/
const FLOAT_NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/
const FLOAT_EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/

/** Core-schema resolution of a plain scalar, as `yaml` does it. */
function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0)
  // Only ~ n N t T f F + - . and digits can start a non-string.
  if (c === 126 || c === 110 || c === 78) return NULL_RE.test(s) ? null : s
  if (c === 116 || c === 84 || c === 102 || c === 70) {
    return BOOL_RE.test(s) ? c === 116 || c === 84 : s
  }
  if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
    if (INT_OCT_RE.test(s)) return parseInt(s.substring(2), 8)
    if (INT_RE.test(s)) return parseInt(s, 10)
    if (INT_HEX_RE.test(s)) return parseInt(s.substring(2), 16)
    if (FLOAT_NAN_RE.test(s)) {
      return s.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : s[0] === '-'
          ? Number.NEGATIVE_INFINITY
          : Number.POSITIVE_INFINITY
    }
    if (FLOAT_EXP_RE.test(s) || FLOAT_RE.test(s)) return parseFloat(s)
  }
  return s
}

/** Characters that cannot start a plain scalar in our subset. */
function isIndicator(c: number): boolean {
  // - ? : , [ ] { } # & * ! | > ' " % @ `
  return (
    c === 45 ||
    c === 63 ||
    c === 58 ||
    c === 44 ||
    c === 91 ||
    c === 93 ||
    c === 123 ||
    c === 125 ||
    c === 35 ||
    c === 38 ||
    c === 42 ||
    c === 33 ||
    c === 124 ||
    c === 62 ||
    c === 39 ||
    c === 34 ||
    c === 37 ||
    c === 64 ||
    c === 96
  )
}

/** Whether a plain scalar may start at `pos`: not an indicator, except `-` followed by a safe character (`-1`, `--flag`). */
function plainMayStart(line: string, pos: number, flow: boolean): boolean {
  const c = line.charCodeAt(pos)
  if (!isIndicator(c)) return true
  if (c !== 45) return false
  const nx = line.charCodeAt(pos + 1)
  if (nx !== nx || nx === 32) return false
  return !(flow && (nx === 44 || nx === 91 || nx === 93 || nx === 123 || nx === 125))
}

function indentOf(line: string): number {
  let i = 0
  while (line.charCodeAt(i) === 32) i++
  return i
}

/** Strips trailing spaces only (String#trimEnd would also strip NBSP and other Unicode spaces). */
function trimSpacesEnd(s: string, from = 0, to = s.length): string {
  while (to > from && s.charCodeAt(to - 1) === 32) to--
  return s.slice(from, to)
}

/** Index of a ` #` comment at or after `from`, or the line length. */
function commentAt(line: string, from: number): number {
  const i = line.indexOf(' #', from)
  return i === -1 ? line.length : i
}

function isSeqItem(line: string, ind: number): boolean {
  return line.charCodeAt(ind) === 45 && (ind + 1 === line.length || line.charCodeAt(ind + 1) === 32)
}

/** Rest of a line after a scalar/collection must be blank or a comment. */
function expectLineEnd(line: string, pos: number): void {
  while (line.charCodeAt(pos) === 32) pos++
  if (pos < line.length && !(line.charCodeAt(pos) === 35 && line.charCodeAt(pos - 1) === 32)) throw GIVE_UP
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\x85',
  _: '\xa0',
  L: '\u2028',
  P: '\u2029'
}

/** Double-quoted scalar on one line starting at `pos` (the quote). */
function doubleQuoted(line: string, pos: number): { value: string; end: number } {
  let i = pos + 1
  let out = ''
  let from = i
  for (;;) {
    const q = line.indexOf('"', i)
    const b = line.indexOf('\\', i)
    if (q === -1) throw GIVE_UP // multi-line double-quoted
    if (b === -1 || q < b) {
      out += line.slice(from, q)
      return { value: out, end: q + 1 }
    }
    out += line.slice(from, b)
    const e = line[b + 1]
    if (e === undefined) throw GIVE_UP
    const simple = ESCAPES[e]
    if (simple !== undefined) {
      out += simple
      i = b + 2
    } else {
      const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0
      const hex = line.slice(b + 2, b + 2 + len)
      if (len === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) throw GIVE_UP
      const cp = parseInt(hex, 16)
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw GIVE_UP
      out += String.fromCodePoint(cp)
      i = b + 2 + len
    }
    from = i
  }
}

/** Single-quoted content on one line from `pos` (after the opening quote): text and the index after the closing quote, or -1. */
function singleQuotedPart(line: string, pos: number): { text: string; end: number } {
  let out = ''
  let i = pos
  for (;;) {
    const q = line.indexOf("'", i)
    if (q === -1) return { text: out + line.slice(i), end: -1 }
    if (line.charCodeAt(q + 1) === 39) {
      out += line.slice(i, q + 1)
      i = q + 2
      continue
    }
    return { text: out + line.slice(i, q), end: q + 1 }
  }
}

class FastReader {
  private readonly lines: string[]
  private readonly n: number
  private readonly finalNewline: boolean
  private li = 0
  /** The key path of what is being read, kept only when positions are recorded. */
  private readonly at: string[] = []

  /**
   * `positions`: filled with the 1-based line of each map key and one-line sequence item (see FastPositions).
   * `plainStrings`: filled with every value read as a string from a plain (unquoted) scalar.
   */
  constructor(
    text: string,
    private readonly positions?: Map<string, number>,
    private readonly plainStrings?: string[]
  ) {
    this.lines = text.split('\n')
    this.finalNewline = this.lines[this.lines.length - 1] === ''
    if (this.finalNewline) this.lines.pop()
    this.n = this.lines.length
  }

  read(): unknown {
    this.skipBlank()
    if (this.li >= this.n) return null
    const line = this.lines[this.li]
    const v = this.node(indentOf(line))
    this.skipBlank()
    if (this.li < this.n) throw GIVE_UP
    return v
  }

  /** Skips blank and comment-only lines. */
  private skipBlank(): void {
    const { lines, n } = this
    while (this.li < n) {
      const line = lines[this.li]
      const i = indentOf(line)
      if (i !== line.length && line.charCodeAt(i) !== 35) return
      this.li++
    }
  }

  /** A block collection starting at the current line, whose indentation is `ind`. */
  private node(ind: number): unknown {
    const line = this.lines[this.li]
    if (isSeqItem(line, ind)) return this.seq(ind)
    if (this.key(line, ind) !== undefined) return this.map(ind)
    throw GIVE_UP
  }

  /** Parses `key:` at `ind`; returns the key and the index after the colon, or undefined if the line is not a key. */
  private key(line: string, ind: number): { key: string; after: number } | undefined {
    const c = line.charCodeAt(ind)
    if (c === 34 || c === 39) {
      let key: string
      let end: number
      if (c === 34) {
        const dq = doubleQuoted(line, ind)
        key = dq.value
        end = dq.end
      } else {
        const sq = singleQuotedPart(line, ind + 1)
        if (sq.end === -1) return undefined
        key = sq.text
        end = sq.end
      }
      while (line.charCodeAt(end) === 32) end++
      if (line.charCodeAt(end) !== 58) return undefined
      if (end - ind > 1024) throw GIVE_UP
      const after = end + 1
      if (after < line.length && line.charCodeAt(after) !== 32) return undefined
      if (key === '__proto__') throw GIVE_UP
      return { key, after }
    }
    if (isIndicator(c)) return undefined
    let colon = line.indexOf(':', ind)
    while (colon !== -1 && colon + 1 < line.length && line.charCodeAt(colon + 1) !== 32) {
      colon = line.indexOf(':', colon + 1)
    }
    if (colon === -1) return undefined
    if (commentAt(line, ind) < colon) return undefined
    if (colon - ind > 1024) throw GIVE_UP // implicit keys are limited to 1024 characters
    const key = trimSpacesEnd(line, ind, colon)
    if (key === '' || key === '<<' || key === '__proto__') throw GIVE_UP
    if (resolvePlain(key) !== key) throw GIVE_UP // 80:, true:, null: … become non-string keys
    return { key, after: colon + 1 }
  }

  private map(ind: number): Record<string, unknown> {
    const obj: Record<string, unknown> = {}
    const { lines, n } = this
    for (;;) {
      this.skipBlank()
      if (this.li >= n) break
      const line = lines[this.li]
      const i = indentOf(line)
      if (i < ind) break
      if (i > ind || isSeqItem(line, i)) throw GIVE_UP
      const k = this.key(line, i)
      if (k === undefined) throw GIVE_UP
      if (Object.prototype.hasOwnProperty.call(obj, k.key)) throw GIVE_UP
      if (this.positions) {
        this.at.push(k.key)
        this.positions.set(positionKey(this.at), this.li + 1)
      }
      this.li++
      obj[k.key] = this.value(line, k.after, ind, true)
      if (this.positions) this.at.pop()
    }
    return obj
  }

  private seq(ind: number): unknown[] {
    const arr: unknown[] = []
    const { lines, n } = this
    for (;;) {
      this.skipBlank()
      if (this.li >= n) break
      const line = lines[this.li]
      const i = indentOf(line)
      if (i < ind) break
      if (i > ind) throw GIVE_UP
      if (!isSeqItem(line, i)) break
      let p = i + 1
      while (line.charCodeAt(p) === 32) p++
      const c = line.charCodeAt(p)
      if (this.positions) {
        this.at.push(String(arr.length))
        // Where `yaml` starts the item's node when it starts on this line (a block scalar's at its header); an item
        // on the lines after its `-` is left to the library (FastPositions.lineOf answers null).
        if (p < line.length && c !== 35) this.positions.set(positionKey(this.at), this.li + 1)
      }
      if (p < line.length && c !== 35 && (isSeqItem(line, p) || this.key(line, p) !== undefined)) {
        // Compact nested collection (`- key: v` or `- - x`): reread this line as if it started at column p.
        lines[this.li] = ' '.repeat(p) + line.slice(p)
        arr.push(this.node(p))
      } else {
        this.li++
        arr.push(this.value(line, p, ind, false))
      }
      if (this.positions) this.at.pop()
    }
    return arr
  }

  /** The value after `key:` or `- ` on `line` from `pos`; `parent` is the indentation of the owning collection. */
  private value(line: string, pos: number, parent: number, inMap: boolean): unknown {
    while (line.charCodeAt(pos) === 32) pos++
    if (pos >= line.length || line.charCodeAt(pos) === 35) {
      // Value on the following lines, or null.
      this.skipBlank()
      if (this.li >= this.n) return null
      const next = this.lines[this.li]
      const i = indentOf(next)
      if (i > parent && (next.charCodeAt(i) === 123 || next.charCodeAt(i) === 91))
        return this.flowOnOwnLine(next, i, parent)
      if (i > parent) return this.node(i)
      if (inMap && i === parent && isSeqItem(next, i)) return this.seq(i)
      return null
    }
    const c = line.charCodeAt(pos)
    switch (c) {
      case 124: // |
      case 62: // >
        return this.blockScalar(line, pos, parent)
      case 34: {
        const dq = doubleQuoted(line, pos)
        expectLineEnd(line, dq.end)
        return dq.value
      }
      case 39:
        return this.singleQuoted(line, pos, parent)
      case 91: // [
      case 123: {
        // {
        const flow = new FlowReader(line, pos, this.plainStrings)
        const v = flow.value()
        expectLineEnd(line, flow.pos)
        return v
      }
      default:
        if (!plainMayStart(line, pos, false)) throw GIVE_UP
        return this.plain(line, pos, parent)
    }
  }

  /**
   * `key:` with `{}` or `[…]` alone on the next line: what `toYaml … | nindent`
   * writes for an empty map in every `helm create` chart, so it must stay fast.
   */
  private flowOnOwnLine(line: string, pos: number, parent: number): unknown {
    const flow = new FlowReader(line, pos, this.plainStrings)
    const value = flow.value()
    expectLineEnd(line, flow.pos)
    this.li++
    this.skipBlank()
    // Anything more indented after it would continue the flow value: leave that to the full parser.
    if (this.li < this.n && indentOf(this.lines[this.li]) > parent) throw GIVE_UP
    return value
  }

  private plain(line: string, pos: number, parent: number): unknown {
    const end = commentAt(line, pos)
    const first = trimSpacesEnd(line, pos, end)
    if (first.includes(': ') || first.endsWith(':')) throw GIVE_UP
    const { lines, n } = this
    // Continuation lines (multi-line plain scalar): more indented than the parent, not comments.
    let j = this.li
    let text: string | undefined
    let breaks = 0
    while (j < n) {
      const l = lines[j]
      const i = indentOf(l)
      if (i === l.length) {
        breaks++
        j++
        continue
      }
      if (i <= parent || l.charCodeAt(i) === 35) break
      if (end !== line.length) throw GIVE_UP // comment, then more text
      const content = trimSpacesEnd(l, i)
      if (!plainMayStart(l, i, false) || content.includes(': ') || content.endsWith(':') || content.includes(' #'))
        throw GIVE_UP
      text = (text ?? first) + (breaks === 0 ? ' ' : '\n'.repeat(breaks)) + content
      breaks = 0
      j++
      this.li = j
    }
    const value = text === undefined ? resolvePlain(first) : text
    if (typeof value === 'string') this.plainStrings?.push(value)
    return value
  }

  private singleQuoted(line: string, pos: number, parent: number): string {
    const part = singleQuotedPart(line, pos + 1)
    if (part.end !== -1) {
      expectLineEnd(line, part.end)
      return part.text
    }
    let text = trimSpacesEnd(part.text)
    let breaks = 0
    const { lines, n } = this
    while (this.li < n) {
      const l = lines[this.li++]
      const i = indentOf(l)
      if (i === l.length) {
        breaks++
        continue
      }
      if (i <= parent) throw GIVE_UP
      const p = singleQuotedPart(l, i)
      const sep = breaks === 0 ? ' ' : '\n'.repeat(breaks)
      breaks = 0
      if (p.end !== -1) {
        expectLineEnd(l, p.end)
        return text + sep + p.text
      }
      text += sep + trimSpacesEnd(p.text)
    }
    throw GIVE_UP
  }

  private blockScalar(line: string, pos: number, parent: number): string {
    const folded = line.charCodeAt(pos) === 62
    let p = pos + 1
    let strip = false
    if (line.charCodeAt(p) === 45) {
      strip = true
      p++
    } else if (line.charCodeAt(p) === 43) {
      throw GIVE_UP // keep chomping: rare, left to the full parser
    }
    const h = line.charCodeAt(p)
    if (h >= 48 && h <= 57) throw GIVE_UP // explicit indentation indicator
    expectLineEnd(line, p)

    const { lines, n } = this
    let j = this.li
    let leadingMax = 0
    while (j < n) {
      const l = lines[j]
      const i = indentOf(l)
      if (i !== l.length) break
      if (i > leadingMax) leadingMax = i
      j++
    }
    if (j >= n || indentOf(lines[j]) <= parent) {
      // No content: the scalar is empty (trailing blank lines are not consumed).
      if (j >= n && !this.finalNewline) throw GIVE_UP
      return ''
    }
    const indent = indentOf(lines[j])
    if (leadingMax > indent) throw GIVE_UP
    const out: string[] = []
    for (let k = this.li; k < j; k++) out.push('')
    while (j < n) {
      const l = lines[j]
      const i = indentOf(l)
      if (i === l.length) out.push(i > indent ? l.slice(indent) : '')
      else if (i >= indent) out.push(l.slice(indent))
      else break
      j++
    }
    if (j >= n && !this.finalNewline) throw GIVE_UP
    this.li = j
    let last = out.length - 1
    while (last >= 0 && out[last] === '') last--
    if (last < 0) return ''
    let body: string
    if (!folded) {
      body = out.length === last + 1 ? out.join('\n') : out.slice(0, last + 1).join('\n')
    } else {
      body = ''
      let breaks = 0
      let started = false
      for (let k = 0; k <= last; k++) {
        const l = out[k]
        if (l === '') {
          breaks++
          continue
        }
        if (l.charCodeAt(0) === 32) throw GIVE_UP // more-indented lines keep their breaks: full parser
        body += started ? (breaks === 0 ? ' ' : '\n'.repeat(breaks)) : '\n'.repeat(breaks)
        body += l
        breaks = 0
        started = true
      }
    }
    return strip ? body : body + '\n'
  }
}

/** Single-line flow collections: `[]`, `{}`, `[a, "b", 1]`, `{a: 1, "b": [x]}`. */
class FlowReader {
  constructor(
    private readonly line: string,
    public pos: number,
    private readonly plainStrings?: string[]
  ) {}

  private ws(): void {
    while (this.line.charCodeAt(this.pos) === 32) this.pos++
  }

  value(): unknown {
    this.ws()
    const c = this.line.charCodeAt(this.pos)
    if (c === 91) return this.seq()
    if (c === 123) return this.map()
    return this.scalar(false)
  }

  private seq(): unknown[] {
    this.pos++
    const arr: unknown[] = []
    for (;;) {
      this.ws()
      const c = this.line.charCodeAt(this.pos)
      if (c === 93) {
        this.pos++
        return arr
      }
      arr.push(this.value())
      this.ws()
      const d = this.line.charCodeAt(this.pos)
      if (d === 44) this.pos++
      else if (d !== 93) throw GIVE_UP
    }
  }

  private map(): Record<string, unknown> {
    this.pos++
    const obj: Record<string, unknown> = {}
    for (;;) {
      this.ws()
      const c = this.line.charCodeAt(this.pos)
      if (c === 125) {
        this.pos++
        return obj
      }
      const key = this.scalar(true)
      if (typeof key !== 'string' || key === '__proto__' || key === '<<') throw GIVE_UP
      if (Object.prototype.hasOwnProperty.call(obj, key)) throw GIVE_UP
      this.ws()
      if (this.line.charCodeAt(this.pos) !== 58) throw GIVE_UP
      this.pos++
      this.ws()
      const v = this.line.charCodeAt(this.pos)
      if (v === 44 || v === 125) throw GIVE_UP // empty value
      obj[key] = this.value()
      this.ws()
      const d = this.line.charCodeAt(this.pos)
      if (d === 44) this.pos++
      else if (d !== 125) throw GIVE_UP
    }
  }

  private scalar(isKey: boolean): unknown {
    const { line } = this
    const c = line.charCodeAt(this.pos)
    if (c === 34) {
      const dq = doubleQuoted(line, this.pos)
      this.pos = dq.end
      return dq.value
    }
    if (c === 39) {
      const sq = singleQuotedPart(line, this.pos + 1)
      if (sq.end === -1) throw GIVE_UP
      this.pos = sq.end
      return sq.text
    }
    if (c !== c || !plainMayStart(line, this.pos, true)) throw GIVE_UP
    const start = this.pos
    let i = start
    for (; i < line.length; i++) {
      const ch = line.charCodeAt(i)
      if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125) break
      if (ch === 58) {
        const nx = line.charCodeAt(i + 1)
        if (nx === 32 || nx === 44 || nx === 93 || nx === 125 || nx !== nx) break
      }
      if (ch === 35 && line.charCodeAt(i - 1) === 32) throw GIVE_UP // comment inside a flow collection
    }
    const text = trimSpacesEnd(line, start, i)
    this.pos = i
    if (text === '') throw GIVE_UP
    if (!isKey && line.charCodeAt(i) === 58) throw GIVE_UP // `[a: b]` single-pair map
    const v = resolvePlain(text)
    if (isKey && v !== text) throw GIVE_UP
    if (!isKey && typeof v === 'string') this.plainStrings?.push(v)
    return v
  }
}

/**
 * The fast reader's result for one document, or undefined when the document is
 * outside its subset (the caller then uses `YAML.parse`). Exported for tests.
 */
export function fastParseYaml(text: string): { value: unknown } | undefined {
  return fastRead(text)
}

/** The fast reader on `text` (recording positions when given a map), or undefined outside its subset. */
function fastRead(
  text: string,
  positions?: Map<string, number>,
  plainStrings?: string[]
): { value: unknown } | undefined {
  if (SLOW_CHARS_RE.test(text) || text.startsWith('---') || text.startsWith('%')) return undefined
  try {
    return { value: new FastReader(text, positions, plainStrings).read() }
  } catch (e) {
    if (e === GIVE_UP) return undefined
    throw e
  }
}

/** A fast read with the lines `yaml` gives its nodes (chart/yaml-source.ts lineOf), where the reader knows them. */
export interface FastPositions {
  value: unknown
  /**
   * The 1-based line `yaml` gives the path: a map key's line, a sequence item's when it starts on the line of its
   * `-`; undefined when the path is not in the document; null when it is but the reader did not record it (inside a
   * flow collection, an item on the lines after its `-`): the library's parse has the answer.
   */
  lineOf(path: readonly (string | number)[]): number | undefined | null
}

/** fastParseYaml with positions: a chart file's lines without the `yaml` library's parse (~5-15 ms a file, cold). */
export function fastParseYamlWithPositions(text: string): FastPositions | undefined {
  const positions = new Map<string, number>()
  const read = fastRead(text, positions)
  if (!read) return undefined
  const { value } = read
  return {
    value,
    lineOf(path) {
      if (path.length === 0) return 1
      const line = positions.get(positionKey(path.map(String)))
      if (line !== undefined) return line
      return holdsPath(value, path) ? null : undefined
    }
  }
}

function positionKey(path: readonly string[]): string {
  return JSON.stringify(path)
}

/** Whether `path` names something in `value`; a sequence index the reader did not record counts as present. */
function holdsPath(value: unknown, path: readonly (string | number)[]): boolean {
  let current = value
  for (const segment of path) {
    // What `yaml` reads as an index is its business: a path through a sequence is asked of the library.
    if (Array.isArray(current)) return true
    if (typeof current !== 'object' || current === null) return false
    if (!Object.prototype.hasOwnProperty.call(current, String(segment))) return false
    current = (current as Record<string, unknown>)[String(segment)]
  }
  return true
}

/**
 * Keys the fast reader reads as the same string in YAML 1.1: a plain name that YAML 1.1 does not read as a
 * boolean, a null or a merge (`yes` and `on` are both `true` there: two keys of one map in 1.1 terms).
 */
const YAML11_PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/
const YAML11_SPECIAL_KEY =
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE|null|Null|NULL)$/

function keysReadAlikeIn11(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(keysReadAlikeIn11)
  if (typeof value !== 'object' || value === null) return true
  return Object.entries(value).every(
    ([key, item]) => YAML11_PLAIN_KEY.test(key) && !YAML11_SPECIAL_KEY.test(key) && keysReadAlikeIn11(item)
  )
}

/**
 * True when the fast reader shows that `yaml` would parse `text` as YAML 1.1 with unique keys without an error or
 * a warning (what a values file must do to be packaged in node, oci/chart-package.ts): it read the document, and
 * every key is a plain name YAML 1.1 reads as that string. Undefined when it cannot tell (the library decides).
 * The fast reader gives up on everything else that could differ (anchors, merges, tags, duplicate keys, several
 * documents); values never make a 1.1 parse fail.
 */
export function cleanAsYaml11(text: string): true | undefined {
  const fast = fastParseYaml(text)
  return fast && keysReadAlikeIn11(fast.value) ? true : undefined
}

/**
 * Plain scalars YAML 1.1 reads as something else than a string (the `yaml` library's yaml-1.1 schema: booleans
 * such as `yes` and `off`, nulls, binary/octal/hex/sexagesimal numbers and floats, dates, the merge key): a string
 * of this shape may have been written plain, and YAML 1.2 (the fast reader) and 1.1 would then read it apart.
 */
const YAML11_NOT_A_STRING = new RegExp(
  [
    '^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON|N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$',
    '^(?:~|[Nn]ull|NULL)?$',
    '^[-+]?(?:\\.(?:inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN)$',
    '^[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+$',
    '^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*$',
    '^[-+]?(?:0b[0-1_]+|0[0-7_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+)$',
    '^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?$',
    '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}',
    '^<<$'
  ].join('|')
)

/** No number in `value`: YAML 1.1 reads some numbers apart from 1.2 (`0o17`, `017`); the library decides. */
function holdsNoNumber(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(holdsNoNumber)
  if (typeof value === 'number') return false
  if (typeof value === 'object' && value !== null) return Object.values(value).every(holdsNoNumber)
  return true
}

/**
 * The data `yaml` gives `text` parsed as YAML 1.1 with unique keys, without an error or a warning, read by the fast
 * reader; undefined when it cannot show that (the library decides): every key is one YAML 1.1 reads as the fast
 * reader does, no value is a number, and no string was written plain in a shape YAML 1.1 reads as something else
 * (a quoted one is a string in both: Chart.lock's quoted `generated` timestamp). A Chart.yaml or Chart.lock
 * packaged in node (oci/chart-package.ts) names its fields this way.
 */
export function parseCleanYaml11(text: string): { value: unknown } | undefined {
  const plainStrings: string[] = []
  const fast = fastRead(text, undefined, plainStrings)
  if (!fast || !keysReadAlikeIn11(fast.value) || !holdsNoNumber(fast.value)) return undefined
  return plainStrings.some((s) => YAML11_NOT_A_STRING.test(s)) ? undefined : fast
}

/**
 * Parses one YAML document like `YAML.parse(text, options)`, through the fast reader when it can (where it reads
 * exactly what the library does); the library, loaded on its first use (util/yaml-lib.ts), only for the rest.
 */
export function parseYamlFastFirst(text: string, options: LibraryParseOptions): unknown {
  const fast = fastParseYaml(text)
  return fast ? fast.value : yamlLibrary().parse(text, options)
}

/** Parses one YAML document like `YAML.parse(text, YAML_OPTIONS)`, through the fast reader when it can. */
export function parseYamlDocument(text: string): unknown {
  return parseYamlFastFirst(text, YAML_OPTIONS)
}

function lineAt(output: string, offset: number): number {
  let line = 1
  let i = output.indexOf('\n')
  while (i !== -1 && i < offset) {
    line++
    i = output.indexOf('\n', i + 1)
  }
  return line
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a sequence'
  return `a ${typeof value}`
}

/**
 * Splits and parses a `helm template` output into its resources: a list document (`kind: List`) gives its items
 * instead ({@link renderedResources}). Empty documents (only comments or blank lines) are skipped. Documents that
 * are not valid YAML, or are not a mapping (or a list item that is not), are returned in `errors` with their
 * `# Source:` template and line.
 */
export function parseRenderDetailed(output: string, options: ParseRenderOptions = {}): ParsedRender {
  const documents: RenderedDocument[] = []
  const errors: RenderParseError[] = []
  let index = 0
  for (const chunk of splitChunks(output)) {
    const head = scanHead(chunk.text)
    if (head.empty) continue
    const i = index++
    if (options.mentioning !== undefined && !chunk.text.includes(options.mentioning)) continue
    let value: unknown
    try {
      value = parseYamlDocument(chunk.text)
    } catch (e) {
      // What `yaml` refuses, go-yaml may read (helm/lenient-yaml.ts): helm and the cluster would.
      const lenient = options.lenient ? readLeniently(options.lenient, chunk.text) : undefined
      if (lenient === undefined) {
        let line = lineAt(output, chunk.start)
        let message = e instanceof Error ? e.message : String(e)
        if (e instanceof yamlLibrary().YAMLParseError) {
          const offset = e.pos?.[0]
          if (typeof offset === 'number') line = lineAt(output, chunk.start + offset)
          message = message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '')
        }
        errors.push(new RenderParseError(message, head.source, line, i))
        continue
      }
      value = lenient.value
    }
    if (value === null || value === undefined) continue
    if (typeof value !== 'object' || Array.isArray(value)) {
      errors.push(
        new RenderParseError(
          `document is ${describe(value)}, not a mapping`,
          head.source,
          lineAt(output, chunk.start),
          i
        )
      )
      continue
    }
    const document = renderedDocument(value as Record<string, unknown>, head.source)
    flattenInto(document, documents, (item, why) => {
      errors.push(new RenderParseError(`${item} ${why}`, head.source, lineAt(output, chunk.start), i))
    })
  }
  return { documents, errors }
}

/** A parsed document (or list item) with its identity read once. */
function renderedDocument(
  object: Record<string, unknown>,
  source: string | undefined,
  listItem?: string
): RenderedDocument {
  const doc: RenderedDocument = { object }
  if (source !== undefined) doc.source = source
  if (listItem !== undefined) doc.listItem = listItem
  if (typeof object.apiVersion === 'string') doc.apiVersion = object.apiVersion
  if (typeof object.kind === 'string') doc.kind = object.kind
  const metadata = object.metadata
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    const md = metadata as Record<string, unknown>
    if (typeof md.name === 'string') doc.name = md.name
    if (typeof md.namespace === 'string') doc.namespace = md.namespace
  }
  return doc
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * Adds `doc` to `out`, or, when it is a list, its items (depth first, nested lists too): what Helm and kubectl
 * apply. Like apimachinery's unstructured decoder, any document whose `items` is a sequence is a list, whatever
 * its kind (`List`, `ConfigMapList`, …); the list itself is no resource. An item that is not a mapping is given
 * to `bad` (kubectl refuses such a list).
 */
function flattenInto(doc: RenderedDocument, out: RenderedDocument[], bad?: (item: string, why: string) => void): void {
  const items = doc.object.items
  if (!Array.isArray(items)) {
    out.push(doc)
    return
  }
  items.forEach((item: unknown, n) => {
    const at = `${doc.listItem ? `${doc.listItem}.` : ''}items[${n}]`
    if (isMapping(item)) flattenInto(renderedDocument(item, doc.source, at), out, bad)
    else bad?.(`list item ${at} of ${doc.kind ?? 'a list'}`, `is ${describe(item)}, not a mapping`)
  })
}

/**
 * Every resource of a render: each document, and in place of a list document (`kind: List`, or any document with
 * an `items` sequence) its items, nested lists flattened, each with the list's `# Source:` and its `listItem`.
 * Every reader of rendered resources sees this set (`parseRenderDetailed` returns it); use it for documents that
 * come from elsewhere. Items that are not mappings are left out (`parseRenderDetailed` reports them).
 */
export function renderedResources(documents: readonly RenderedDocument[]): RenderedDocument[] {
  const out: RenderedDocument[] = []
  for (const doc of documents) flattenInto(doc, out)
  return out
}

/** The lenient reader's value, or undefined when it refuses the document too. */
function readLeniently(read: (text: string) => unknown, text: string): { value: unknown } | undefined {
  try {
    return { value: read(text) }
  } catch {
    return undefined
  }
}

/**
 * The render as helm reads it: like parseRenderDetailed, and the documents the `yaml` library refuses read again by
 * go-yaml's rules (helm/lenient-yaml.ts, loaded only then). What neither reads stays an error.
 */
export async function parseRenderAsHelm(
  output: string,
  options: Omit<ParseRenderOptions, 'lenient'> = {}
): Promise<ParsedRender> {
  const parsed = parseRenderDetailed(output, options)
  if (parsed.errors.length === 0) return parsed
  const { parseLeniently } = await import('./lenient-yaml.js')
  return parseRenderDetailed(output, { ...options, lenient: parseLeniently })
}

export interface ParseRenderOptions {
  /**
   * Parse only the documents whose text contains this string (e.g.
   * `monitoring.coreos.com` for the observability renders, which need nothing
   * else): the others are skipped unparsed.
   */
  mentioning?: string
  /** A second reader for documents the `yaml` library refuses (parseRenderAsHelm gives go-yaml's). */
  lenient?: (text: string) => unknown
}

/** The parsed documents of a `helm template` output; documents that fail to parse are left out (see {@link parseRenderDetailed}). */
export function parseRender(output: string): RenderedDocument[] {
  return parseRenderDetailed(output).documents
}

/** One document of a `helm template` output as helm wrote it: its `---` line, `# Source:` line and body. */
export interface SourcedChunk {
  /** The template path of its `# Source:` line; undefined for text before the first one. */
  source?: string
  text: string
}

/**
 * Pure: a `helm template` output cut into the documents helm wrote, each with
 * the `# Source:` it names. Helm starts every document with `---` then
 * `# Source: <path>` (Helm 3 and 4); a cut is made only at such a pair, so a
 * `---` inside a template's own output stays in its document. Concatenating the
 * chunks' text gives the output back.
 */
export function splitRenderBySource(output: string): SourcedChunk[] {
  const chunks: SourcedChunk[] = []
  const starts: { at: number; source: string }[] = []
  const header = /(?:^|\n)---[ \t]*\n#\s*Source:[ \t]*([^\n]*?)[ \t]*(?=\n|$)/g
  for (let match = header.exec(output); match; match = header.exec(output)) {
    starts.push({ at: match.index === 0 && output.startsWith('---') ? 0 : match.index + 1, source: match[1] })
  }
  if (starts.length === 0) return output === '' ? [] : [{ text: output }]
  if (starts[0].at > 0) chunks.push({ text: output.slice(0, starts[0].at) })
  starts.forEach((start, i) => {
    const end = i + 1 < starts.length ? starts[i + 1].at : output.length
    chunks.push({ source: start.source, text: output.slice(start.at, end) })
  })
  return chunks
}
