// Semantic versions and version constraints with the semantics Helm uses when it
// resolves a Chart.yaml dependency range against a repository index: those of
// Masterminds/semver v3 (NewVersion, StrictNewVersion, NewConstraint, Check),
// including the v3.4 rule that a prerelease version may satisfy an AND group
// only when some comparator of that same group carries a prerelease.
//
// Pure and dependency-free. Everything here is synchronous and side-effect free.

export interface SemVer {
  major: number
  minor: number
  patch: number
  prerelease: string[]
  build: string[]
  /** The text the version was parsed from, unchanged. */
  raw: string
}

export interface Constraint {
  /** The constraint text as given. */
  raw: string
  test(v: SemVer): boolean
}

/** A version constraint that cannot be parsed; names the whole text and the offending part. */
export class ConstraintError extends Error {
  /** The whole constraint text. */
  readonly constraint: string
  /** The offending part of it ('' when an alternative is empty). */
  readonly part: string
  /** What is wrong, without the leading constraint text. */
  readonly detail: string

  constructor(constraint: string, part: string, detail: string) {
    super(`invalid version constraint ${JSON.stringify(constraint)}: ${detail}`)
    this.name = 'ConstraintError'
    this.constraint = constraint
    this.part = part
    this.detail = detail
  }
}

// ---------------------------------------------------------------------------
// Versions

const IDENT = '[0-9A-Za-z-]+'
const DOTTED = `${IDENT}(?:\\.${IDENT})*`

// Tolerant form (Masterminds NewVersion): optional 'v', minor and patch may be
// omitted (coerced to 0), leading zeros in the numeric core are accepted.
const LOOSE_VERSION = new RegExp(`^v?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${DOTTED}))?(?:\\+(${DOTTED}))?$`)

// SemVer 2.0.0 §2, §9, §10: no 'v', all three numbers, no leading zeros in
// numbers or numeric prerelease identifiers, no empty identifiers.
const NUMERIC_ID = '0|[1-9][0-9]*'
const PRE_ID = `(?:${NUMERIC_ID}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`
const STRICT_VERSION = new RegExp(
  `^(?:${NUMERIC_ID})\\.(?:${NUMERIC_ID})\\.(?:${NUMERIC_ID})(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+${DOTTED})?$`
)

const ALL_DIGITS = /^[0-9]+$/
const UINT64_MAX = 18446744073709551615n

function toSafeInt(digits: string | undefined): number | undefined {
  if (digits === undefined) return 0
  const n = Number(digits)
  return Number.isSafeInteger(n) ? n : undefined
}

/**
 * Parse a version the way Masterminds `NewVersion` does: an optional leading
 * `v`, and `1` or `1.2` coerced to `1.0.0` / `1.2.0`. Returns undefined for
 * anything else. Numeric prerelease identifiers with leading zeros are
 * rejected (as Masterminds does). Core numbers above Number.MAX_SAFE_INTEGER
 * are rejected too (Masterminds would accept up to 2^64-1).
 */
export function parseVersion(text: string): SemVer | undefined {
  if (typeof text !== 'string') return undefined
  const m = LOOSE_VERSION.exec(text)
  if (!m) return undefined
  const major = toSafeInt(m[1])
  const minor = toSafeInt(m[2])
  const patch = toSafeInt(m[3])
  if (major === undefined || minor === undefined || patch === undefined) return undefined
  const prerelease = m[4] === undefined ? [] : m[4].split('.')
  for (const id of prerelease) {
    if (id.length > 1 && id.startsWith('0') && ALL_DIGITS.test(id)) return undefined
  }
  const build = m[5] === undefined ? [] : m[5].split('.')
  return { major, minor, patch, prerelease, build, raw: text }
}

/** True when `text` is a SemVer 2.0.0 version exactly (no `v`, no partials, no leading zeros). */
export function isStrictSemver(text: string): boolean {
  return typeof text === 'string' && STRICT_VERSION.test(text) && parseVersion(text) !== undefined
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0
}

// A prerelease identifier counts as numeric when it would parse as a uint64,
// which is how Masterminds decides; longer digit strings compare as text.
function numericId(id: string): bigint | undefined {
  if (!ALL_DIGITS.test(id)) return undefined
  const n = BigInt(id)
  return n <= UINT64_MAX ? n : undefined
}

function compareIdentifier(a: string, b: string): number {
  if (a === b) return 0
  // A missing identifier (shorter list) sorts first.
  if (a === '') return -1
  if (b === '') return 1
  const na = numericId(a)
  const nb = numericId(b)
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0
  if (na !== undefined) return -1 // numeric identifiers have lower precedence
  if (nb !== undefined) return 1
  return a < b ? -1 : 1 // ASCII order
}

function comparePrerelease(a: readonly string[], b: readonly string[]): number {
  const n = Math.max(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = compareIdentifier(a[i] ?? '', b[i] ?? '')
    if (d !== 0) return d
  }
  return 0
}

/** SemVer 2.0.0 §11 precedence: -1, 0 or 1. Build metadata is ignored. */
export function compareVersions(a: SemVer, b: SemVer): number {
  const core = sign(a.major - b.major) || sign(a.minor - b.minor) || sign(a.patch - b.patch)
  if (core !== 0) return core
  const ap = a.prerelease.length > 0
  const bp = b.prerelease.length > 0
  if (!ap && !bp) return 0
  if (!ap) return 1
  if (!bp) return -1
  return comparePrerelease(a.prerelease, b.prerelease)
}

/**
 * Whether two full versions are the same as Helm (Masterminds `Equal`) compares them: a leading `v` and build
 * metadata do not count (`v1.21.1` = `1.21.1`). Anything else (a partial `1.2`, a range, not a version) is equal
 * only as the same text.
 */
export function sameVersion(a: string, b: string): boolean {
  if (a === b) return true
  const full = /^v?[0-9]+\.[0-9]+\.[0-9]+(?:[-+]|$)/
  if (!full.test(a) || !full.test(b)) return false
  const pa = parseVersion(a)
  const pb = parseVersion(b)
  return pa !== undefined && pb !== undefined && compareVersions(pa, pb) === 0
}

/** Canonical text: `major.minor.patch[-pre][+build]`, without any leading `v`. */
export function formatVersion(v: SemVer): string {
  let s = `${v.major}.${v.minor}.${v.patch}`
  if (v.prerelease.length > 0) s += `-${v.prerelease.join('.')}`
  if (v.build.length > 0) s += `+${v.build.join('.')}`
  return s
}

// ---------------------------------------------------------------------------
// Constraints

// Go's \s (RE2, no Unicode spaces, no \v).
const WS = '[\\t\\n\\f\\r ]'
const WS_CHARS = new Set(['\t', '\n', '\f', '\r', ' '])
// A version part in a constraint: digits or a wildcard. Masterminds' character
// class also admits '|'; kept so that the same texts are accepted or rejected.
const PART = '[0-9xX*|]+'

function versionPattern(capture: boolean): string {
  const g = capture ? '(' : '(?:'
  return `v?${g}${PART})(?:\\.${g}${PART}))?(?:\\.${g}${PART}))?(?:-${g}${DOTTED}))?(?:\\+${g}${DOTTED}))?`
}

// The operators Masterminds accepts ('' is a bare version). Longest first, so
// the alternation takes the whole operator.
const OPERATOR = '!=|>=|=>|<=|=<|~>|=|>|<|~|\\^'

// One comparator at a given position: groups 1 operator, 2 version text,
// 3 major, 4 minor, 5 patch, 6 prerelease, 7 build.
const COMPARATOR = new RegExp(`${WS}*(${OPERATOR})?${WS}*(${versionPattern(true)})`, 'y')

// Hyphen ranges, rewritten to `>= a, <= b ` before anything else (the
// surrounding whitespace is part of what is replaced, as in Masterminds).
const HYPHEN_RANGE = new RegExp(`${WS}*(${versionPattern(false)})${WS}+-${WS}+(${versionPattern(false)})${WS}*`, 'g')

type Op = '=' | '!=' | '>' | '<' | '>=' | '<=' | '~' | '^'

const OPS: Record<string, Op> = {
  '': '=',
  '=': '=',
  '!=': '!=',
  '>': '>',
  '<': '<',
  '>=': '>=',
  '=>': '>=',
  '<=': '<=',
  '=<': '<=',
  '~': '~',
  '~>': '~',
  '^': '^'
}

interface Comparator {
  op: Op
  /** The version the comparator is anchored on, wildcards/missing parts as 0. */
  con: SemVer
  /** Some part is a wildcard or missing (`1.2`, `1.x`, `*`). */
  dirty: boolean
  /** The minor part (and so the patch) is a wildcard or missing (`1`, `1.x`). */
  minorDirty: boolean
  /** Only the patch part is a wildcard or missing (`1.2`, `1.2.x`). */
  patchDirty: boolean
}

interface Group {
  comparators: Comparator[]
  /** Some comparator names a prerelease, so prereleases may satisfy this group. */
  admitsPrerelease: boolean
}

function isWildcard(part: string): boolean {
  return part === 'x' || part === 'X' || part === '*'
}

interface RawComparator {
  text: string
  operator: string
  version: string
  major: string
  minor: string | undefined
  patch: string | undefined
  prerelease: string | undefined
}

function isWs(ch: string | undefined): boolean {
  return ch !== undefined && WS_CHARS.has(ch)
}

function tokenAt(text: string, from: number): string {
  let i = from
  while (isWs(text[i])) i++
  const start = i
  // an operator may be followed by whitespace before its version
  while (i < text.length && '!=<>~^'.includes(text[i])) i++
  if (i > start) while (isWs(text[i])) i++
  while (i < text.length && !isWs(text[i]) && text[i] !== ',') i++
  return text.slice(start, i).trim()
}

/**
 * Split one `||` alternative into comparators. Accepts exactly the texts
 * Masterminds' validation pattern accepts: comparators separated by whitespace
 * or by a single comma (with optional whitespace around it).
 */
function scanAlternative(raw: string, alternative: string): RawComparator[] {
  if (alternative.trim() === '') {
    throw new ConstraintError(
      raw,
      alternative,
      raw.trim() === '' ? 'the constraint is empty' : 'an alternative between "||" separators is empty'
    )
  }
  const found: RawComparator[] = []
  let pos = 0
  for (;;) {
    COMPARATOR.lastIndex = pos
    const m = COMPARATOR.exec(alternative)
    if (!m) {
      const rest = alternative.slice(pos).replace(/^[\t\n\f\r ]+/, '')
      if (rest === '') throw new ConstraintError(raw, ',', 'a trailing "," is not followed by a comparator')
      if (rest.startsWith(',')) {
        throw new ConstraintError(raw, ',', 'unexpected "," (comparators are separated by one comma or by whitespace)')
      }
      const token = tokenAt(alternative, pos)
      throw new ConstraintError(raw, token, `${JSON.stringify(token)} is not a valid comparator`)
    }
    const start = pos
    pos = COMPARATOR.lastIndex
    found.push({
      text: m[0].trim(),
      operator: m[1] ?? '',
      version: m[2],
      major: m[3],
      minor: m[4],
      patch: m[5],
      prerelease: m[6]
    })
    const afterComparator = pos
    while (isWs(alternative[pos])) pos++
    if (pos >= alternative.length) return found
    if (alternative[pos] === ',') {
      pos++
      continue
    }
    if (pos > afterComparator) continue
    // Something is glued to the version (`1.2.3.4`, `1.2~`, `>=1<2`).
    let end = pos
    while (end < alternative.length && !isWs(alternative[end]) && alternative[end] !== ',') end++
    const token = alternative.slice(start, end).trim()
    throw new ConstraintError(raw, token, `${JSON.stringify(token)} is not a valid comparator`)
  }
}

function buildComparator(raw: string, c: RawComparator): Comparator {
  const op = OPS[c.operator]
  const pre = c.prerelease === undefined ? '' : `-${c.prerelease}`
  let dirty = false
  let minorDirty = false
  let patchDirty = false
  let text: string
  // The first wildcard or missing part makes every later part irrelevant; the
  // prerelease is kept, build metadata is dropped (as Masterminds does).
  if (isWildcard(c.major)) {
    dirty = true
    text = `0.0.0${pre}`
  } else if (c.minor === undefined || isWildcard(c.minor)) {
    dirty = minorDirty = true
    text = `${c.major}.0.0${pre}`
  } else if (c.patch === undefined || isWildcard(c.patch)) {
    dirty = patchDirty = true
    text = `${c.major}.${c.minor}.0${pre}`
  } else {
    text = c.version
  }
  const con = parseVersion(text)
  if (!con) {
    throw new ConstraintError(raw, c.text, `${JSON.stringify(c.text)} does not hold a valid version`)
  }
  return { op, con, dirty, minorDirty, patchDirty }
}

function tilde(c: Comparator, v: SemVer): boolean {
  if (compareVersions(v, c.con) < 0) return false
  // ~0.0.0 (and so ~*, ~x) accepts everything at or above 0.0.0.
  if (c.con.major === 0 && c.con.minor === 0 && c.con.patch === 0 && !c.minorDirty && !c.patchDirty) return true
  if (v.major !== c.con.major) return false
  return v.minor === c.con.minor || c.minorDirty
}

function caret(c: Comparator, v: SemVer): boolean {
  if (compareVersions(v, c.con) < 0) return false
  if (c.con.major > 0 || c.minorDirty) return v.major === c.con.major
  if (v.major > 0) return false
  if (c.con.minor > 0 || c.patchDirty) return v.minor === c.con.minor
  if (v.minor > 0) return false
  return v.patch === c.con.patch
}

function notEqual(c: Comparator, v: SemVer): boolean {
  if (c.dirty) {
    if (c.con.major !== v.major) return true
    if (c.con.minor !== v.minor && !c.minorDirty) return true
    if (c.minorDirty) return false
    if (c.con.patch !== v.patch && !c.patchDirty) return true
    if (c.patchDirty) return comparePrerelease(v.prerelease, c.con.prerelease) !== 0
  }
  return compareVersions(v, c.con) !== 0
}

function greaterThan(c: Comparator, v: SemVer): boolean {
  if (c.dirty) {
    if (v.major > c.con.major) return true
    if (v.major < c.con.major) return false
    // `>1` needs 2.0.0 or more; `>1.2` needs 1.3.0 or more.
    if (c.minorDirty) return false
    if (c.patchDirty) return v.minor > c.con.minor
  }
  return compareVersions(v, c.con) > 0
}

function lessThanOrEqual(c: Comparator, v: SemVer): boolean {
  if (!c.dirty) return compareVersions(v, c.con) <= 0
  // `<=1` allows all of 1.x; `<=1.2` all of 1.2.x.
  if (v.major > c.con.major) return false
  if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty) return false
  return true
}

function satisfies(c: Comparator, v: SemVer): boolean {
  switch (c.op) {
    case '=':
      return c.dirty ? tilde(c, v) : compareVersions(v, c.con) === 0
    case '!=':
      return notEqual(c, v)
    case '>':
      return greaterThan(c, v)
    case '<':
      return compareVersions(v, c.con) < 0
    case '>=':
      return compareVersions(v, c.con) >= 0
    case '<=':
      return lessThanOrEqual(c, v)
    case '~':
      return tilde(c, v)
    case '^':
      return caret(c, v)
  }
}

/**
 * Parse a constraint as Masterminds `NewConstraint` does: `||` separates
 * alternatives; within one, comparators are joined by whitespace or commas
 * (AND); `a - b` hyphen ranges; operators `=`, `!=`, `>`, `<`, `>=`, `=>`,
 * `<=`, `=<`, `~`, `~>`, `^`; wildcards `x`, `X`, `*`; partial versions
 * (`1.2` = `1.2.x` = `>=1.2.0 <1.3.0`). Throws ConstraintError.
 */
export function parseConstraint(text: string): Constraint {
  if (typeof text !== 'string') throw new ConstraintError(String(text), String(text), 'a constraint must be a string')
  const rewritten = text.replace(HYPHEN_RANGE, (_all, from: string, to: string) => `>= ${from}, <= ${to} `)
  let groups: Group[]
  try {
    groups = rewritten.split('||').map((alternative) => {
      const comparators = scanAlternative(text, alternative).map((c) => buildComparator(text, c))
      return { comparators, admitsPrerelease: comparators.some((c) => c.con.prerelease.length > 0) }
    })
  } catch (e) {
    if (e instanceof ConstraintError && rewritten !== text) {
      throw new ConstraintError(
        text,
        e.part,
        `${e.detail} (after rewriting hyphen ranges: ${JSON.stringify(rewritten.trim())})`
      )
    }
    throw e
  }
  return {
    raw: text,
    test(v: SemVer): boolean {
      const pre = v.prerelease.length > 0
      return groups.some((g) => (!pre || g.admitsPrerelease) && g.comparators.every((c) => satisfies(c, v)))
    }
  }
}

/**
 * True when the text pins one exact version: a full `major.minor.patch`
 * (optionally `v`-prefixed, with prerelease/build), optionally preceded by `=`.
 * Ranges, wildcards and partial versions such as `1.2` are not exact.
 */
export function isExactVersion(text: string): boolean {
  if (typeof text !== 'string') return false
  const m = /^[\t\n\f\r ]*=?[\t\n\f\r ]*(v?[0-9]+\.[0-9]+\.[0-9]+(?:[-+][^\t\n\f\r ]*)?)[\t\n\f\r ]*$/.exec(text)
  return m !== null && parseVersion(m[1]) !== undefined
}

function highest(versions: readonly string[], accept: (v: SemVer) => boolean): string | undefined {
  let best: SemVer | undefined
  for (const text of versions) {
    const v = parseVersion(text)
    if (!v || !accept(v)) continue
    if (!best || compareVersions(v, best) > 0) best = v
  }
  return best?.raw
}

/**
 * The highest version in the list that satisfies the range, as written in the
 * list; unparsable versions are ignored. Among versions of equal precedence
 * (differing only in build metadata or a `v`) the first listed wins.
 * Throws ConstraintError when the range itself is invalid.
 */
export function maxSatisfying(versions: string[], range: string): string | undefined {
  const constraint = parseConstraint(range)
  return highest(versions, (v) => constraint.test(v))
}

/** The highest version without a prerelease, as written in the list. */
export function latestStable(versions: string[]): string | undefined {
  return highest(versions, (v) => v.prerelease.length === 0)
}

/**
 * Whether `latest` is newer than `pinned`, and by which part. Not outdated when
 * `latest` is missing or either text is not a version.
 */
export function describeDrift(
  pinned: string,
  latest: string | undefined
): { outdated: boolean; behind?: 'major' | 'minor' | 'patch' } {
  if (latest === undefined) return { outdated: false }
  const p = parseVersion(pinned)
  const l = parseVersion(latest)
  if (!p || !l || compareVersions(l, p) <= 0) return { outdated: false }
  if (l.major !== p.major) return { outdated: true, behind: 'major' }
  if (l.minor !== p.minor) return { outdated: true, behind: 'minor' }
  return { outdated: true, behind: 'patch' }
}
