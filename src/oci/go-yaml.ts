// Writes YAML the way Helm writes Chart.yaml and Chart.lock into a package
// (sigs.k8s.io/yaml → go-yaml v2: keys in go-yaml's order, libyaml's scalar
// styles, plain and single-quoted scalars folded at column 80). Only the shapes
// chart metadata has (maps, lists, strings, booleans); anything else throws
// Unsupported and the caller falls back to `helm package`.

/** A value this writer cannot reproduce byte for byte as go-yaml would. */
export class Unsupported extends Error {}

export type GoYamlValue = string | boolean | GoYamlValue[] | { [key: string]: GoYamlValue }

const BEST_WIDTH = 80

/**
 * go-yaml v2's key order (sorter.go keyList.Less): letters compare as runes, a
 * letter sorts after a non-letter, digit runs compare as numbers.
 */
function goYamlKeyLess(a: string, b: string): boolean {
  const ar = [...a]
  const br = [...b]
  const isLetter = (c: string): boolean => /\p{L}/u.test(c)
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9'
  for (let i = 0; i < ar.length && i < br.length; i++) {
    if (ar[i] === br[i]) continue
    const al = isLetter(ar[i])
    const bl = isLetter(br[i])
    if (al && bl) return ar[i] < br[i]
    if (al || bl) return bl
    let an = 0
    let bn = 0
    if (ar[i] === '0' || br[i] === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1
          bn = 1
          break
        }
      }
    }
    let ai = i
    let bi = i
    for (; ai < ar.length && isDigit(ar[ai]); ai++) an = an * 10 + Number(ar[ai])
    for (; bi < br.length && isDigit(br[bi]); bi++) bn = bn * 10 + Number(br[bi])
    if (an !== bn) return an < bn
    if (ai !== bi) return ai < bi
    return ar[i] < br[i]
  }
  return ar.length < br.length
}

/** Whether go-yaml v2 reads `s`, written plain, as something other than a string. */
function resolvesAsNonString(s: string): boolean {
  if (s === '' || s === '~' || /^(null|Null|NULL)$/.test(s)) return true
  if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/.test(s)) return true
  if (s === '<<') return true
  if (/^[-+]?(\.inf|\.Inf|\.INF)$/.test(s) || /^(\.nan|\.NaN|\.NAN)$/.test(s)) return true
  if (/^[-+]?[0-9][0-9_]*$/.test(s) || /^[-+]?0b[01_]+$/.test(s)) return true
  if (/^[-+]?0x[0-9a-fA-F_]+$/.test(s) || /^[-+]?0o?[0-7_]+$/.test(s)) return true
  if (/^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/.test(s)) return true
  // base-60 numbers (1:20) and timestamps (2006-01-02, RFC 3339 forms) are quoted by go-yaml.
  if (/^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(s)) return true
  if (/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|$)/.test(s)) return true
  return false
}

interface Analysis {
  blockPlain: boolean
}

/** libyaml's yaml_emitter_analyze_scalar, for printable ASCII (anything else is Unsupported). */
function analyze(value: string): Analysis {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Unsupported(`"${value}" has characters other than printable ASCII`)
  if (value.length === 0) return { blockPlain: true }
  let blockIndicators = value.startsWith('---') || value.startsWith('...')
  let precededByWhitespace = true
  let leadingSpace = false
  let trailingSpace = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i]
    const followedByWhitespace = i + 1 >= value.length || value[i + 1] === ' '
    if (i === 0) {
      if ('#,[]{}&*!|>\'"%@`'.includes(c)) blockIndicators = true
      else if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) blockIndicators = true
    } else if ((c === ':' && followedByWhitespace) || (c === '#' && precededByWhitespace)) {
      blockIndicators = true
    }
    if (c === ' ') {
      if (i === 0) leadingSpace = true
      if (i === value.length - 1) trailingSpace = true
    }
    precededByWhitespace = c === ' '
  }
  return { blockPlain: !(leadingSpace || trailingSpace || blockIndicators) }
}

class Emitter {
  out = ''
  column = 0

  write(text: string): void {
    this.out += text
    this.column += text.length
  }

  newline(indent: number): void {
    this.out += `\n${' '.repeat(indent)}`
    this.column = indent
  }

  /** A scalar value after `key:` or `-`; `indent` is where folded lines continue. */
  scalar(value: string, indent: number): void {
    if (value.includes('\n')) throw new Unsupported('multi-line strings')
    const analysis = analyze(value)
    // go-yaml asks for plain unless the text would read as another type (then double quotes);
    // libyaml turns a plain request into single quotes when plain is not allowed.
    if (resolvesAsNonString(value)) this.doubleQuoted(value)
    else if (analysis.blockPlain) {
      this.write(' ')
      this.plain(value, indent)
    } else {
      this.write(" '")
      this.singleQuoted(value, indent)
    }
  }

  private plain(value: string, indent: number): void {
    let spaces = false
    for (let i = 0; i < value.length; i++) {
      if (value[i] === ' ') {
        if (!spaces && this.column > BEST_WIDTH && value[i + 1] !== ' ') this.newline(indent)
        else this.write(' ')
        spaces = true
      } else {
        this.write(value[i])
        spaces = false
      }
    }
  }

  private singleQuoted(value: string, indent: number): void {
    let spaces = false
    for (let i = 0; i < value.length; i++) {
      if (value[i] === ' ') {
        if (!spaces && this.column > BEST_WIDTH && i !== 0 && i !== value.length - 1 && value[i + 1] !== ' ')
          this.newline(indent)
        else this.write(' ')
        spaces = true
      } else {
        this.write(value[i] === "'" ? "''" : value[i])
        spaces = false
      }
    }
    this.write("'")
  }

  private doubleQuoted(value: string): void {
    // Without escapes and within the width, libyaml writes the text as is between quotes.
    if (/["\\]/.test(value)) throw new Unsupported(`"${value}" would need escapes`)
    const text = ` "${value}"`
    if (this.column + text.length > BEST_WIDTH) throw new Unsupported(`"${value}" would be folded`)
    this.write(text)
  }

  node(value: GoYamlValue, indent: number): void {
    if (typeof value === 'boolean') {
      this.write(` ${String(value)}`)
    } else if (typeof value === 'string') {
      this.scalar(value, indent + 2)
    } else if (Array.isArray(value)) {
      if (value.length === 0) throw new Unsupported('empty lists')
      // A list inside a mapping is indentless: `- item` at the key's column.
      for (const item of value) {
        this.newline(indent)
        this.write('-')
        this.item(item, indent)
      }
    } else {
      const keys = sortedKeys(value)
      if (keys.length === 0) throw new Unsupported('empty maps')
      for (const key of keys) {
        this.newline(indent + 2)
        this.key(key)
        this.node(value[key], indent + 2)
      }
    }
  }

  private item(item: GoYamlValue, indent: number): void {
    if (typeof item === 'string' || typeof item === 'boolean') {
      this.node(item, indent)
    } else if (Array.isArray(item)) {
      throw new Unsupported('lists of lists')
    } else {
      const keys = sortedKeys(item)
      if (keys.length === 0) throw new Unsupported('empty maps')
      keys.forEach((key, index) => {
        if (index === 0) this.write(' ')
        else this.newline(indent + 2)
        this.key(key)
        this.node(item[key], indent + 2)
      })
    }
  }

  private key(key: string): void {
    if (resolvesAsNonString(key) || !analyze(key).blockPlain || key.length > 128)
      throw new Unsupported(`key "${key}" would be quoted`)
    this.write(`${key}:`)
  }
}

function sortedKeys(map: Record<string, GoYamlValue>): string[] {
  return Object.keys(map).sort((a, b) => (goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0))
}

/** A top-level mapping as sigs.k8s.io/yaml.Marshal writes it (ends with a newline). */
export function goYamlDocument(map: Record<string, GoYamlValue>): string {
  const emitter = new Emitter()
  const keys = sortedKeys(map)
  if (keys.length === 0) return '{}\n'
  keys.forEach((key, index) => {
    if (index > 0) emitter.newline(0)
    emitter.write(`${key}:`)
    emitter.node(map[key], 0)
  })
  return `${emitter.out}\n`
}
