import { describe, expect, it } from '@jest/globals'
import {
  compareVersions,
  ConstraintError,
  describeDrift,
  formatVersion,
  isExactVersion,
  isStrictSemver,
  latestStable,
  maxSatisfying,
  parseConstraint,
  parseVersion,
  sameVersion,
  type SemVer
} from '../../src/util/semver.js'

// Expected results follow Masterminds/semver v3.4.0 (what Helm 4 links); the
// constraint tables were cross-checked against `semverCompare` in a real helm.

function v(text: string): SemVer {
  const parsed = parseVersion(text)
  if (!parsed) throw new Error(`test version ${text} does not parse`)
  return parsed
}

function check(range: string, version: string): boolean {
  return parseConstraint(range).test(v(version))
}

describe('parseVersion', () => {
  it.each([
    ['1.2.3', 1, 2, 3, [], []],
    ['v1.2.3', 1, 2, 3, [], []],
    ['1.2', 1, 2, 0, [], []],
    ['1', 1, 0, 0, [], []],
    ['v2', 2, 0, 0, [], []],
    ['01.02.03', 1, 2, 3, [], []],
    ['1.2.3-rc.1', 1, 2, 3, ['rc', '1'], []],
    ['1.2.3-beta+exp.sha.5114f85', 1, 2, 3, ['beta'], ['exp', 'sha', '5114f85']],
    ['1.2-beta', 1, 2, 0, ['beta'], []],
    ['1.2.3+01', 1, 2, 3, [], ['01']],
    ['1.0.0-x-y.--', 1, 0, 0, ['x-y', '--'], []]
  ])('parses %s', (text, major, minor, patch, prerelease, build) => {
    expect(parseVersion(text)).toEqual({ major, minor, patch, prerelease, build, raw: text })
  })

  it.each([
    '',
    ' 1.2.3',
    '1.2.3 ',
    'V1.2.3',
    'x',
    '1.2.x',
    '1.2.3.4',
    '1.2.3-',
    '1.2.3+',
    '1.2.3-a..b',
    '1.2.3-01',
    '1.2.3-beta.007',
    '1.2.3-be_ta',
    '=1.2.3',
    '>=1.2.3',
    '99999999999999999999.0.0'
  ])('rejects %j', (text) => {
    expect(parseVersion(text)).toBeUndefined()
  })
})

describe('isStrictSemver', () => {
  it.each([
    '0.0.0',
    '1.2.3',
    '10.20.30',
    '1.2.3-0',
    '1.2.3-rc.1',
    '1.2.3-0a',
    '1.2.3+build.5',
    '1.2.3-alpha.1+build.01',
    '1.0.0--'
  ])('accepts %s', (text) => {
    expect(isStrictSemver(text)).toBe(true)
  })

  it.each([
    '1.2',
    '1',
    'v1.2.3',
    '01.2.3',
    '1.02.3',
    '1.2.03',
    '1.2.3-01',
    '1.2.3-',
    '1.2.3+',
    '1.2.3-a..b',
    '1.2.3.4',
    ' 1.2.3',
    'x.y.z',
    ''
  ])('rejects %j', (text) => {
    expect(isStrictSemver(text)).toBe(false)
  })
})

describe('compareVersions', () => {
  const specOrder = [
    '1.0.0-alpha',
    '1.0.0-alpha.1',
    '1.0.0-alpha.beta',
    '1.0.0-beta',
    '1.0.0-beta.2',
    '1.0.0-beta.11',
    '1.0.0-rc.1',
    '1.0.0'
  ]

  it('orders the SemVer 2.0 §11 example chain strictly', () => {
    for (let i = 0; i < specOrder.length; i++) {
      for (let j = 0; j < specOrder.length; j++) {
        const expected = Math.sign(i - j)
        expect([specOrder[i], specOrder[j], compareVersions(v(specOrder[i]), v(specOrder[j]))]).toEqual([
          specOrder[i],
          specOrder[j],
          expected
        ])
      }
    }
  })

  it('sorts a shuffled list into precedence order', () => {
    const shuffled = [...specOrder].reverse()
    shuffled.push(shuffled.shift()!)
    expect(
      shuffled
        .map(v)
        .sort(compareVersions)
        .map((x) => x.raw)
    ).toEqual(specOrder)
  })

  it.each([
    ['1.0.0', '2.0.0', -1],
    ['2.0.0', '2.1.0', -1],
    ['2.1.0', '2.1.1', -1],
    ['1.10.0', '1.9.0', 1], // numeric, not lexical
    ['1.2.10', '1.2.9', 1],
    ['10.0.0', '9.0.0', 1],
    ['1.0.0-2', '1.0.0-10', -1], // numeric identifiers compare numerically
    ['1.0.0-a10', '1.0.0-a9', -1], // alphanumeric ones compare in ASCII order
    ['1.0.0-A', '1.0.0-a', -1],
    ['1.0.0-1', '1.0.0-a', -1], // numeric below alphanumeric
    ['1.0.0-0.a', '1.0.0-a.0', -1],
    ['1.0.0-18446744073709551615', '1.0.0-99999999999999999999', -1], // beyond uint64 counts as text
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0', '1.0.0+build.1', 0], // build metadata ignored
    ['1.0.0+a', '1.0.0+b', 0],
    ['1.0.0-rc.1+a', '1.0.0-rc.1+b', 0],
    ['v1.2.3', '1.2.3', 0],
    ['1.2', '1.2.0', 0],
    ['01.2.3', '1.2.3', 0]
  ])('compare(%s, %s) = %i', (a, b, expected) => {
    expect(compareVersions(v(a), v(b))).toBe(expected)
    expect(compareVersions(v(b), v(a))).toBe(-expected || 0)
  })
})

describe('sameVersion', () => {
  it.each([
    ['v1.21.1', '1.21.1', true],
    ['1.21.1', 'V1.21.1', false],
    ['1.2.3+build.1', '1.2.3', true],
    ['1.2.3-rc.1', '1.2.3', false],
    ['1.2', '1.2.0', false],
    ['^1', '^1', true],
    ['1.2.4', '1.2.3', false]
  ])('%s and %s: %s', (a, b, expected) => {
    expect(sameVersion(a, b)).toBe(expected)
    expect(sameVersion(b, a)).toBe(expected)
  })
})

describe('formatVersion', () => {
  it.each([
    ['1.2.3', '1.2.3'],
    ['v1.2.3', '1.2.3'],
    ['1.2', '1.2.0'],
    ['01.2.3', '1.2.3'],
    ['1.2.3-rc.1+build.5', '1.2.3-rc.1+build.5']
  ])('%s -> %s', (input, expected) => {
    expect(formatVersion(v(input))).toBe(expected)
  })
})

// [constraint, version, satisfied]
type Row = [string, string, boolean]

describe('parseConstraint operators', () => {
  const rows: Row[] = [
    // = and bare
    ['1.2.3', '1.2.3', true],
    ['1.2.3', '1.2.4', false],
    ['=1.2.3', '1.2.3', true],
    ['= 1.2.3', '1.2.2', false],
    ['=1.2.3', '1.2.3+build.7', true],
    ['1.2.3+build.1', '1.2.3', true],
    ['=1.2.3-rc.1', '1.2.3-rc.1', true],
    ['=1.2.3-rc.1', '1.2.3', false],
    // !=
    ['!=1.2.3', '1.2.3', false],
    ['!=1.2.3', '1.2.4', true],
    ['!=1.2', '1.2.7', false],
    ['!=1.2', '1.3.0', true],
    ['!=1.x', '1.9.0', false],
    ['!=1.x', '2.0.0', true],
    ['!=1.2.3', '1.2.4-rc.1', false], // prerelease not admitted by this group
    // >
    ['>1.2.3', '1.2.4', true],
    ['>1.2.3', '1.2.3', false],
    ['>1.2', '1.2.9', false], // >1.2 means 1.3.0 or more
    ['>1.2', '1.3.0', true],
    ['>1', '1.9.9', false], // >1 means 2.0.0 or more
    ['>1', '2.0.0', true],
    ['>0', '0.0.1', false],
    ['> 1.2.3', '1.2.4-beta.1', false],
    // <
    ['<1.2.3', '1.2.2', true],
    ['<1.2.3', '1.2.3', false],
    ['<1.2', '1.1.9', true],
    ['<1.2', '1.2.0', false],
    ['<1.x', '0.9.0', true],
    ['<1.x', '1.0.0', false],
    ['<2', '2.0.0-rc.1', false],
    // >= and =>
    ['>=1.2.3', '1.2.3', true],
    ['>=1.2.3', '1.2.2', false],
    ['>=1.2', '1.2.0', true],
    ['=>1.2.3', '1.2.3', true],
    ['=>1.2.3', '1.2.2', false],
    ['>= 1.2.3', '9.0.0', true],
    // <= and =<
    ['<=1.2.3', '1.2.3', true],
    ['<=1.2.3', '1.2.4', false],
    ['<=1.2', '1.2.9', true], // a partial upper bound includes the whole 1.2.x line
    ['<=1.2', '1.3.0', false],
    ['<=1', '1.9.9', true],
    ['<=1', '2.0.0', false],
    ['=<1.2.3', '1.2.3', true],
    ['=<1.2.3', '1.2.4', false],
    // whitespace between operator and version, leading v
    ['>=  v1.2.3', '1.2.3', true],
    ['v1.2', '1.2.5', true],
    ['^v1.2', '1.9.0', true],
    ['\t>=1.2\t', '1.2.0', true]
  ]
  it.each(rows)('%j on %s -> %s', (range, version, expected) => {
    expect(check(range, version)).toBe(expected)
  })
})

describe('tilde and caret', () => {
  const rows: Row[] = [
    // ~1.2.3 = >=1.2.3 <1.3.0
    ['~1.2.3', '1.2.2', false],
    ['~1.2.3', '1.2.3', true],
    ['~1.2.3', '1.2.99', true],
    ['~1.2.3', '1.3.0', false],
    ['~>1.2.3', '1.2.5', true],
    ['~>1.2.3', '1.3.0', false],
    // ~1.2 = >=1.2.0 <1.3.0
    ['~1.2', '1.1.9', false],
    ['~1.2', '1.2.0', true],
    ['~1.2', '1.2.9', true],
    ['~1.2', '1.3.0', false],
    // ~1 = >=1.0.0 <2.0.0
    ['~1', '0.9.9', false],
    ['~1', '1.0.0', true],
    ['~1', '1.9.9', true],
    ['~1', '2.0.0', false],
    ['~1.x', '1.5.0', true],
    ['~1.x', '2.0.0', false],
    // 0.x tilde
    ['~0.2.3', '0.2.5', true],
    ['~0.2.3', '0.3.0', false],
    ['~0', '0.9.0', true],
    ['~0', '1.0.0', false],
    ['~0.0', '0.0.9', true],
    ['~0.0', '0.1.0', false],
    // ~0.0.0 and ~* accept every stable version
    ['~0.0.0', '7.8.9', true],
    ['~*', '7.8.9', true],
    // ^1.2.3 = >=1.2.3 <2.0.0
    ['^1.2.3', '1.2.2', false],
    ['^1.2.3', '1.2.3', true],
    ['^1.2.3', '1.99.0', true],
    ['^1.2.3', '2.0.0', false],
    ['^1.2', '1.2.0', true],
    ['^1.2', '1.1.0', false],
    ['^1', '1.0.0', true],
    ['^1', '1.99.99', true],
    ['^1', '2.0.0', false],
    ['^1.x', '1.3.0', true],
    ['^1.x', '2.1.1', false],
    // ^0.2.3 = >=0.2.3 <0.3.0
    ['^0.2.3', '0.2.2', false],
    ['^0.2.3', '0.2.3', true],
    ['^0.2.3', '0.2.9', true],
    ['^0.2.3', '0.3.0', false],
    ['^0.2', '0.2.0', true],
    ['^0.2', '0.3.0', false],
    // ^0.0.3 = >=0.0.3 <0.0.4
    ['^0.0.3', '0.0.2', false],
    ['^0.0.3', '0.0.3', true],
    ['^0.0.3', '0.0.4', false],
    ['^0.0.3', '0.1.0', false],
    ['^0.0.3', '0.1.3', false],
    // ^0.0 = >=0.0.0 <0.1.0 ; ^0 = >=0.0.0 <1.0.0
    ['^0.0', '0.0.9', true],
    ['^0.0', '0.1.0', false],
    ['^0', '0.0.0', true],
    ['^0', '0.99.0', true],
    ['^0', '1.0.0', false],
    ['^0.x', '0.5.0', true],
    ['^0.x', '1.0.0', false],
    // ^0.0.0 pins 0.0.0 exactly
    ['^0.0.0', '0.0.0', true],
    ['^0.0.0', '0.0.1', false]
  ]
  it.each(rows)('%j on %s -> %s', (range, version, expected) => {
    expect(check(range, version)).toBe(expected)
  })
})

describe('wildcards and partial versions', () => {
  const rows: Row[] = [
    ['*', '0.0.0', true],
    ['*', '99.1.2', true],
    ['x', '1.2.3', true],
    ['X', '1.2.3', true],
    ['1.2.x', '1.2.0', true],
    ['1.2.x', '1.2.9', true],
    ['1.2.x', '1.3.0', false],
    ['1.2.x', '1.1.9', false],
    ['1.2.X', '1.2.5', true],
    ['1.2.*', '1.2.5', true],
    ['1.*', '1.0.0', true],
    ['1.*', '1.9.0', true],
    ['1.*', '2.0.0', false],
    ['1.x.x', '1.4.0', true],
    ['1.x.3', '1.0.0', true], // parts after the first wildcard are ignored
    ['x.2.3', '9.0.0', true],
    ['1.*', '0.9.0', false],
    // a bare partial is a wildcard on the missing parts (`1.2` = `1.2.x`), not `=1.2.0`
    ['1.2', '1.2.0', true],
    ['1.2', '1.2.7', true],
    ['1.2', '1.3.0', false],
    ['1.2', '1.1.0', false],
    ['=1.2', '1.2.7', true],
    ['1', '1.0.0', true],
    ['1', '1.9.9', true],
    ['1', '2.0.0', false],
    ['0', '0.5.0', true],
    ['0', '1.0.0', false],
    // wildcards under other operators
    ['>=1.x', '1.0.0', true],
    ['>=1.x', '0.9.0', false],
    ['<=1.2.x', '1.2.99', true],
    ['<=1.2.x', '1.3.0', false],
    ['<1.2.x', '1.1.9', true],
    ['<1.2.x', '1.2.0', false],
    ['>1.x', '1.9.0', false],
    ['>1.x', '2.0.0', true],
    // Masterminds quirks kept on purpose: `^*` is `^0.0.0`, `!=*` is `!=0.0.0`
    ['^*', '0.0.0', true],
    ['^*', '1.2.3', false],
    ['!=*', '0.0.0', false],
    ['!=*', '1.2.3', true]
  ]
  it.each(rows)('%j on %s -> %s', (range, version, expected) => {
    expect(check(range, version)).toBe(expected)
  })
})

describe('hyphen ranges, AND and OR', () => {
  const rows: Row[] = [
    // 1.2 - 1.4.5 = >=1.2 <=1.4.5
    ['1.2 - 1.4.5', '1.1.9', false],
    ['1.2 - 1.4.5', '1.2.0', true],
    ['1.2 - 1.4.5', '1.4.5', true],
    ['1.2 - 1.4.5', '1.4.6', false],
    // a partial upper end covers its whole line (`<= 2` is `<=2.x`)
    ['1 - 2', '2.9.9', true],
    ['1 - 2', '3.0.0', false],
    ['1.2.3 - 2.3', '2.3.9', true],
    ['1.2.3 - 2.3', '2.4.0', false],
    ['1.0.0 - 2.0.0 <=1.5.0', '1.5.0', true],
    ['1.0.0 - 2.0.0 <=1.5.0', '1.6.0', false],
    ['1.0.0 - 2.0.0, !=1.5.0', '1.5.0', false],
    ['1 - 2 || 5 - 6', '5.5.0', true],
    ['1 - 2 || 5 - 6', '4.0.0', false],
    // `1.2-1.4` (no spaces) is 1.2 with prerelease "1.4", not a range
    ['1.2-1.4', '1.3.0', false],
    ['1.2-1.4', '1.2.5', true],
    // AND with whitespace
    ['>=1.2 <2', '1.9.9', true],
    ['>=1.2 <2', '2.0.0', false],
    ['>=1.2 <2', '1.1.0', false],
    ['>= 1.2   < 2', '1.5.0', true],
    ['>1.1 <2 !=1.5.0', '1.5.0', false],
    ['>1.1 <2 !=1.5.0', '1.5.1', true],
    // AND with commas
    ['>=1.2,<2', '1.9.9', true],
    ['>=1.2, <2', '2.0.0', false],
    ['>=1.2 , <2', '1.2.0', true],
    ['>= 1.1, <2, !=1.2.3', '1.2.3', false],
    ['>= 1.1, <2, !=1.2.3', '1.2.4', true],
    // OR
    ['1.1.0 || 1.3.0', '1.1.0', true],
    ['1.1.0 || 1.3.0', '1.3.0', true],
    ['1.1.0 || 1.3.0', '1.2.0', false],
    ['1.1.0||1.3.0', '1.3.0', true],
    ['^1.2 || ^3', '2.0.0', false],
    ['^1.2 || ^3', '3.1.0', true],
    ['>=1.1, <2, !=1.2.3 || > 3', '4.1.2', true],
    ['>=1.1, <2, !=1.2.3 || > 3', '3.1.2', false], // >3 means 4.0.0 or more
    ['>=1.1, <2, !=1.2.3 || >= 3', '3.0.0', true],
    ['>=1.1, <2, !=1.2.3 || > 3', '1.2.3', false]
  ]
  it.each(rows)('%j on %s -> %s', (range, version, expected) => {
    expect(check(range, version)).toBe(expected)
  })
})

describe('prereleases', () => {
  const rows: Row[] = [
    // only admitted when a comparator of the same AND group names a prerelease
    ['>=1.2 <3', '2.0.0-rc.1', false],
    ['>=2.0.0-0', '2.0.0-rc.1', true],
    ['^2.0.0-rc.0', '2.0.0-rc.1', true],
    ['^2.0.0-rc.0', '2.0.0', true],
    ['^2.0.0-rc.0', '2.0.0-beta.9', false], // below the lower bound
    ['^2.0.0-rc.0', '3.0.0-rc.1', false],
    ['*', '2.0.0-rc.1', false],
    ['*-0', '2.0.0-rc.1', true],
    ['x', '1.0.0-alpha', false],
    ['^1.2', '1.5.0-beta', false],
    ['~1.2', '1.2.5-beta', false],
    ['1.2.x', '1.2.5-beta', false],
    ['>=1.2.0-0', '1.2.0-alpha', true],
    ['>=1.2.0-0', '1.3.0-alpha', true],
    ['>=1.2.0', '1.3.0-alpha', false],
    ['>=0.0.0-0', '0.0.0-alpha', true],
    ['>=0', '0.0.1-alpha', false],
    // v3.4 group rule: the `-0` on one comparator opens the whole AND group
    ['>=1.0.0-0 <3', '2.0.0-rc.1', true],
    ['>=1.0.0-0, <3', '3.0.0-rc.1', true], // 3.0.0-rc.1 sorts below 3.0.0, so `<3` lets it through
    ['>=1.0.0-0, <3', '3.0.0', false],
    ['1.2.3 - 2.0.0-rc.1', '2.0.0-rc.1', true],
    ['1.2.3 - 2.0.0-rc.1', '2.0.0-rc.2', false],
    ['>=1.0.0-alpha <1.0.0', '1.0.0-rc.1', true],
    // ...but never across `||`
    ['>=1.2 <3 || >=5.0.0-0', '2.0.0-rc.1', false],
    ['>=1.2 <3 || >=5.0.0-0', '5.1.0-rc.1', true],
    ['<3 || >=2.0.0-0', '2.0.0-rc.1', true],
    // prerelease comparators follow SemVer ordering across versions (not npm's same-tuple rule)
    ['~1.2.3-beta.2', '1.2.3-beta.4', true],
    ['~1.2.3-beta.2', '1.2.4-beta.2', true],
    ['~1.2.3-beta.2', '1.3.0-beta.2', false],
    ['^1.2.0-alpha.0', '1.2.1-alpha.1', true],
    ['^1.2.0-alpha.2', '1.2.0-alpha.1', false],
    ['^0.2.3-beta.2', '0.2.4-beta.2', true],
    ['^0.2.3-beta.2', '0.3.0-beta.2', false],
    ['!=4.1-alpha', '4.1.0', true],
    ['!=4.1-alpha', '4.1.1-alpha', false],
    ['>1.2.3-alpha.1', '1.2.3-alpha.2', true],
    ['>1.2.3-alpha.1', '1.2.3-alpha.1', false],
    ['<1.0.0-rc.1', '1.0.0-beta.11', true],
    ['<1.0.0-rc.1', '1.0.0', false],
    ['=v1.2.3-rc.1', 'v1.2.3-rc.1+b', true]
  ]
  it.each(rows)('%j on %s -> %s', (range, version, expected) => {
    expect(check(range, version)).toBe(expected)
  })
})

describe('parseConstraint errors', () => {
  it.each([
    ['', ''],
    ['   ', '   '],
    ['foo', 'foo'],
    ['>= bar', '>= bar'],
    ['BAR >= 1.2.3', 'BAR'],
    ['12.3.4.1234', '12.3.4.1234'],
    ['>=1.2<2', '>=1.2<2'],
    ['12.3.34~ 1.2.3', '12.3.34~'],
    ['> =1.2', '> =1.2'],
    ['>=1.2.3-01', '>=1.2.3-01'],
    ['1.2.3-01', '1.2.3-01'],
    ['v', 'v'],
    ['>=1,', ','],
    ['>=1.2,,<2', ','],
    [',>=1', ','],
    ['~1.2 ||', ''],
    ['|| ~1.2', ''],
    ['||', ''],
    ['>=1.0 - 2.0', '>=>= 1.0'],
    ['>=1 1 - 2', '>=1>='],
    ['1.0 ||| 2', '|']
  ])('rejects %j naming %j', (text, part) => {
    let caught: unknown
    try {
      parseConstraint(text)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(ConstraintError)
    const err = caught as ConstraintError
    expect(err).toBeInstanceOf(Error)
    expect(err.name).toBe('ConstraintError')
    expect(err.constraint).toBe(text)
    expect(err.part).toBe(part)
    expect(err.message).toContain(JSON.stringify(text))
    if (part.trim() !== '') expect(err.message).toContain(JSON.stringify(part))
  })

  it('keeps the raw text on a parsed constraint', () => {
    expect(parseConstraint(' >=1.2, <2 ').raw).toBe(' >=1.2, <2 ')
  })

  it.each([
    '1.2 - 3',
    '^1.2.3',
    '>= 1.2.3 < 2.0 || => 3.0 < 4',
    '>40.50.60, < 50.70',
    'v2.3.5-20161202202307-sha.e8fc5e5',
    '~> 1.2',
    '=< 1.2',
    '1 2'
  ])('accepts %j', (text) => {
    expect(() => parseConstraint(text)).not.toThrow()
  })
})

describe('isExactVersion', () => {
  it.each(['1.2.0', 'v1.2.0', '=1.2.0', '= 1.2.0', '1.2.0-rc.1', '1.2.0+build.1', ' 1.2.0 '])('%j is exact', (text) => {
    expect(isExactVersion(text)).toBe(true)
  })

  it.each([
    '~1.2',
    '^1.2.0',
    '1.2.x',
    '1.x',
    '*',
    '>=1',
    '>=1.2.0',
    '1.2',
    '1',
    '1.2.0 - 1.3.0',
    '1.2.0 || 1.3.0',
    '!=1.2.0',
    '1.2.0-01',
    '',
    'latest'
  ])('%j is not exact', (text) => {
    expect(isExactVersion(text)).toBe(false)
  })
})

describe('maxSatisfying', () => {
  const list = ['1.1.0', '1.2.0', '1.3.0', '2.0.0-rc.1']
  it.each([
    ['~1.2', '1.2.0'],
    ['^1', '1.3.0'],
    ['>=1.2 <2', '1.3.0'],
    ['1.2.x', '1.2.0'],
    ['1.1.0 || 1.3.0', '1.3.0'],
    ['*', '1.3.0'],
    ['>=3', undefined],
    ['>=1.2 <3', '1.3.0'],
    ['>=2.0.0-0', '2.0.0-rc.1'],
    ['^2.0.0-rc.0', '2.0.0-rc.1'],
    ['>=1.0.0-0 <3', '2.0.0-rc.1'],
    ['<1.2', '1.1.0'],
    ['1.2', '1.2.0'],
    ['1.1.0', '1.1.0'],
    ['!=1.3.0', '1.2.0']
  ])('%j -> %s', (range, expected) => {
    expect(maxSatisfying(list, range)).toBe(expected)
  })

  it('does not depend on the order of the list', () => {
    expect(maxSatisfying(['1.3.0', '2.0.0-rc.1', '1.1.0', '1.2.0'], '^1')).toBe('1.3.0')
    expect(maxSatisfying(['1.10.0', '1.9.0', '1.2.0'], '^1')).toBe('1.10.0')
  })

  it('ignores unparsable versions and returns the string as listed', () => {
    expect(maxSatisfying(['latest', 'v1.4.0', '1.5.x', '', '1.2.3-01', '1.3.0'], '^1')).toBe('v1.4.0')
    expect(maxSatisfying(['1.2', '1.1.5'], '~1.2')).toBe('1.2')
  })

  it('keeps the first of versions with equal precedence', () => {
    expect(maxSatisfying(['1.2.0+a', '1.2.0+b'], '1.2.0')).toBe('1.2.0+a')
  })

  it('returns undefined for an empty list', () => {
    expect(maxSatisfying([], '*')).toBeUndefined()
  })

  it('throws ConstraintError for an invalid range', () => {
    expect(() => maxSatisfying(['1.0.0'], '>= foo')).toThrow(ConstraintError)
  })
})

describe('latestStable', () => {
  it.each([
    [['1.1.0', '1.2.0', '1.3.0', '2.0.0-rc.1'], '1.3.0'],
    [['1.9.0', '1.10.0', '1.2.0'], '1.10.0'],
    [['2.0.0-rc.1', '2.0.0-rc.2'], undefined],
    [['garbage', 'v2.1.0', '2.0.0'], 'v2.1.0'],
    [['1.0.0+build.2', '1.0.0-rc.1'], '1.0.0+build.2'],
    [[], undefined]
  ])('%j -> %s', (list, expected) => {
    expect(latestStable(list)).toBe(expected)
  })
})

describe('describeDrift', () => {
  it.each([
    ['1.2.3', '2.0.0', { outdated: true, behind: 'major' }],
    ['1.2.3', '1.3.0', { outdated: true, behind: 'minor' }],
    ['1.2.3', '1.2.4', { outdated: true, behind: 'patch' }],
    ['1.2.3', '1.10.0', { outdated: true, behind: 'minor' }],
    ['1.2.0-rc.1', '1.2.0', { outdated: true, behind: 'patch' }],
    ['v1.2.3', '1.2.3', { outdated: false }],
    ['1.2.3', '1.2.3+build.9', { outdated: false }],
    ['1.3.0', '1.2.9', { outdated: false }],
    ['2.0.0', '1.9.9', { outdated: false }],
    ['1.2.3', undefined, { outdated: false }],
    ['~1.2', '1.3.0', { outdated: false }],
    ['1.2.3', 'nope', { outdated: false }]
  ])('%s vs %s', (pinned, latest, expected) => {
    expect(describeDrift(pinned, latest)).toEqual(expected)
  })
})
