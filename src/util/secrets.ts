// Secrets are registered once (and masked by the runner via core.setSecret);
// every text that leaves the action (summary, comment, JSON report, SBOM, the
// diff file, log lines, annotations) goes through redact() as a second line of
// defence, and data is redacted before it is serialised (redactDeep), so that
// no escaping can hide a secret from the text pass.
//
// A value can reach text in another form than its own: YAML double- or
// single-quoted, JSON- or Go-escaped (helm's `quote` and `toJson`, its error messages),
// base64 (`b64enc`, also inside a longer encoded text), percent-encoded, or
// split across lines (a multi-line value, a folded scalar, a diff's `+` lines).
// redact() replaces every one of those forms (secretForms).
import * as core from '@actions/core'
import { yamlLibrary } from './yaml-lib.js'

/** Shorter values are not redacted (they would blank out ordinary text). */
const MIN_SECRET = 3
/** Shortest base64 text of a value at another offset than 0 that is redacted (a shorter one matches too much). */
const MIN_SHIFTED_BASE64 = 6
/** Shortest form looked for across line breaks (a shorter one would match parts of unrelated lines). */
const MIN_ACROSS_LINES = 8

const secrets = new Set<string>()
/** Every form of every registered secret, longest first; rebuilt when a secret is added. */
let forms: string[] | undefined

export function registerSecret(value: string | undefined): void {
  if (!value || secrets.has(value)) return
  secrets.add(value)
  core.setSecret(value)
  forms = undefined
}

/** Go's strconv.Quote body (helm's `quote`, `%q` in its error messages). */
function goQuoted(value: string): string {
  const named: Record<string, string> = {
    '\x07': '\\a',
    '\b': '\\b',
    '\f': '\\f',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
    '\v': '\\v',
    '\\': '\\\\',
    '"': '\\"'
  }
  let out = ''
  for (const char of value) {
    const code = char.codePointAt(0)!
    if (named[char]) out += named[char]
    else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(char)) out += char
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, '0')}`
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += `\\U${code.toString(16).padStart(8, '0')}`
  }
  return out
}

/** A JSON string body as Go's encoding/json writes it (helm's `toJson`): `<`, `>`, `&`, U+2028 and U+2029 escaped too. */
function goJson(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/** The body of a YAML double-quoted scalar as the `yaml` library writes it (the diff, the SBOM's source). */
function yamlDoubleQuoted(value: string): string {
  return yamlLibrary().stringify(value, { defaultStringType: 'QUOTE_DOUBLE', lineWidth: 0 }).trimEnd().slice(1, -1)
}

/**
 * The base64 text that `value` gives inside any base64-encoded text, at each of
 * the three offsets it can start at: the characters that only its bytes decide.
 */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8')
  const out: string[] = []
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64')
    const stable = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6))
    if (stable.length >= (offset === 0 ? MIN_SECRET : MIN_SHIFTED_BASE64)) out.push(stable)
  }
  return out
}

/** The runner's workflow-command escaping: of a message (an annotation, the failure line), and of a property. */
function commandEscaped(value: string, property: boolean): string {
  const message = value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
  return property ? message.replace(/:/g, '%3A').replace(/,/g, '%2C') : message
}

/**
 * Every form in which `value` can appear in a text the action writes (see the
 * header); forms shorter than 3 characters are left out. Exported for tests.
 */
export function secretForms(value: string): string[] {
  // A multi-line value also shows line by line (a block scalar, a diff's lines): each line is a value of its own.
  const lines = value.split(/\r\n|\r|\n/).map((line) => line.trim())
  const values = lines.length > 1 ? [value, ...lines.filter((line) => line.length >= MIN_SECRET)] : [value]
  const quoted = values.flatMap((v) => [
    v,
    JSON.stringify(v).slice(1, -1),
    goJson(v),
    yamlDoubleQuoted(v),
    v.replace(/'/g, "''"),
    goQuoted(v),
    encodeURIComponent(v),
    commandEscaped(v, false),
    commandEscaped(v, true)
  ])
  // Quoted text inside JSON (the JSON report holds diffs and messages with these forms).
  const all = [...quoted, ...quoted.map((form) => JSON.stringify(form).slice(1, -1)), ...values.flatMap(base64Forms)]
  return [...new Set(all)].filter((form) => form.length >= MIN_SECRET)
}

function registeredForms(): string[] {
  forms ??= [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET).flatMap(secretForms))].sort(
    (a, b) => b.length - a.length
  )
  return forms
}

/**
 * What the search across lines skips: a line break with the indentation after it (a diff's `+`/`-` before it, the
 * `\` of an escaped break in a YAML double-quoted scalar, not the second of an escaped `\\`, and the `\` of an
 * escaped blank after it), and spaces and tabs (a fold turns a space into a break).
 */
const SKIPPED = /(?:(?<=(?:^|[^\\])(?:\\\\)*)\\)?\r?\n[-+]?[ \t]*(?:\\(?=[ \t]))?|[ \t]+/g

/** A form as the search across lines sees it: without spaces and tabs. */
const squeezed = (form: string): string => form.replace(/[ \t]/g, '')

/**
 * Replaces each form that a line break splits (a value folded by a YAML writer,
 * a diff's continuation lines) part by part with `***`, keeping the breaks: the
 * text is searched once without breaks and blanks, the matches mapped back.
 */
function redactAcrossLines(text: string, all: string[]): string {
  if (!text.includes('\n')) return text
  const wanted = [...new Set(all.map(squeezed))].filter((form) => form.length >= MIN_ACROSS_LINES)
  if (wanted.length === 0) return text
  // joined = text without what SKIPPED matches; at[i] = offset in text of joined[i].
  const parts: string[] = []
  const at = new Int32Array(text.length)
  let length = 0
  let last = 0
  const keep = (end: number): void => {
    for (let i = last; i < end; i++) at[length++] = i
    parts.push(text.slice(last, end))
  }
  const breaks: [number, number][] = []
  for (const m of text.matchAll(SKIPPED)) {
    keep(m.index)
    last = m.index + m[0].length
    if (m[0].includes('\n')) breaks.push([m.index, last])
  }
  keep(text.length)
  const joined = parts.join('')
  // hidden[i]: text[i] belongs to a secret (from a match's first character to its last, the line breaks kept).
  const hidden = new Uint8Array(text.length)
  let found = false
  for (const form of wanted) {
    for (let i = joined.indexOf(form); i !== -1; i = joined.indexOf(form, i + form.length)) {
      hidden.fill(1, at[i], at[i + form.length - 1] + 1)
      found = true
    }
  }
  if (!found) return text
  for (const [start, end] of breaks) hidden.fill(0, start, end)
  let out = ''
  for (let i = 0; i < text.length; i++) {
    if (!hidden[i]) out += text[i]
    else if (i === 0 || !hidden[i - 1]) out += '***'
  }
  return out
}

export function redact(text: string): string {
  const all = registeredForms()
  if (all.length === 0) return text
  let out = text
  for (const form of all) if (out.includes(form)) out = out.split(form).join('***')
  return redactAcrossLines(out, all)
}

/** A copy of a JSON-like value with `fn` applied to every string (keys too). */
export function mapStringsDeep<T>(value: T, fn: (text: string) => string): T {
  const seen = new WeakSet<object>()
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return fn(v)
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'function' || typeof v === 'symbol') return undefined
    if (v === null || typeof v !== 'object') return v
    if (seen.has(v)) return '[Circular]'
    seen.add(v)
    try {
      if (v instanceof Date) return v.toISOString()
      if (v instanceof Error) return { name: v.name, message: fn(v.message) }
      if (v instanceof Map) return walk(Object.fromEntries(v))
      if (v instanceof Set) return walk([...v])
      if (ArrayBuffer.isView(v)) return `[${v.byteLength} bytes]`
      if (Array.isArray(v)) return v.map(walk)
      const out: Record<string, unknown> = {}
      for (const [key, val] of Object.entries(v)) {
        const w = walk(val)
        if (w !== undefined) out[fn(key)] = w
      }
      return out
    } finally {
      seen.delete(v)
    }
  }
  return walk(value) as T
}

/** A copy of a JSON-like value with every string (keys too) redacted: data redacted before it is serialised. */
export function redactDeep<T>(value: T): T {
  return mapStringsDeep(value, redact)
}

/**
 * The last net for the job log: everything written to stdout (log lines, annotations, the failure line) is
 * redacted, except the `::add-mask::` commands that hand the secrets to the runner's own masker.
 */
let stdoutRedacted = false

export function redactStandardOutput(): void {
  if (stdoutRedacted) return
  stdoutRedacted = true
  const write = process.stdout.write.bind(process.stdout) as (chunk: unknown, ...rest: unknown[]) => boolean
  process.stdout.write = (chunk: unknown, ...rest: unknown[]): boolean => {
    if (typeof chunk !== 'string' || chunk.startsWith('::add-mask::') || registeredForms().length === 0)
      return write(chunk, ...rest)
    return write(redact(chunk), ...rest)
  }
}
