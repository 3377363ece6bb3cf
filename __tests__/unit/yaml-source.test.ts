import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  assertYamlFileSize,
  libraryParse,
  loadYamlFile,
  MAX_YAML_BYTES,
  parseYamlText
} from '../../src/chart/yaml-source.js'
import { fastParseYaml, fastParseYamlWithPositions } from '../../src/helm/render.js'
import type { ActionError } from '../../src/types.js'
import { PROJECT_ROOT, projectChartFiles } from '../support/project-files.js'

describe('parseYamlText', () => {
  const text = [
    'name: bp-temporal',
    'dependencies:',
    '  - name: temporal',
    '    version: 1.2.0',
    'catalystOverlay:',
    '  serviceMonitor:',
    '    enabled: false',
    ''
  ].join('\n')

  it('keeps the line of every key for findings', () => {
    const source = parseYamlText(text, 'chart/Chart.yaml')
    expect(source.lineOf(['name'])).toBe(1)
    expect(source.lineOf(['dependencies', 0, 'version'])).toBe(4)
    expect(source.lineOf(['catalystOverlay', 'serviceMonitor', 'enabled'])).toBe(7)
    expect(source.lineOf(['nope'])).toBeUndefined()
  })

  it('names the file and line of a syntax error', () => {
    expect(() => parseYamlText('name: a\nversion: [1.0\n', 'platform/x/chart/Chart.yaml')).toThrow(
      /^platform\/x\/chart\/Chart\.yaml:\d+: not valid YAML/
    )
  })

  it('reads a key written twice as helm does (the later value), recording both lines and whether they differ', () => {
    const source = parseYamlText('name: a\nversion: 1.0.0\nname: b\nx: {k: 1}\nx: {k: 1}\n', 'Chart.yaml')
    expect(source.data).toEqual({ name: 'b', version: '1.0.0', x: { k: 1 } })
    expect(source.duplicates).toEqual([
      { path: ['name'], lines: [1, 3], equal: false, values: ['a', 'b'] },
      { path: ['x'], lines: [4, 5], equal: true, values: ['{"k":1}', '{"k":1}'] }
    ])
    // The line of a key written twice is the later one: the value helm keeps.
    expect(source.lineOf(['name'])).toBe(3)
    expect(parseYamlText('name: a\n', 'Chart.yaml').duplicates).toBeUndefined()
  })

  it('points an unclosed quote or flow collection where it opens, with the column and the line', () => {
    const lines = Array.from({ length: 136 }, (_, i) => `key${i + 1}: ${i + 1}`)
    lines[11] = "key12: 'not closed"
    let error: ActionError | undefined
    try {
      parseYamlText(lines.join('\n') + '\n', 'platform/x/chart/values.yaml')
    } catch (e) {
      error = e as ActionError
    }
    // yaml reports it at the end of the text (line 137 of 136); the quote opens on line 12, column 8.
    expect(error?.message).toBe(
      "platform/x/chart/values.yaml:12: not valid YAML: Missing closing 'quote (column 8: `key12: 'not closed`)"
    )
    expect(error?.at).toEqual({ file: 'platform/x/chart/values.yaml', line: 12, column: 8 })
    expect(() => parseYamlText('a: 1\nb: {c: 1\nd: 2\n', 'v.yaml')).toThrow(
      /^v\.yaml:2: not valid YAML: .*\(column 4: `b: \{c: 1`\)/
    )
    expect(() => parseYamlText('a:\n  b: 1\n c: 2\n', 'v.yaml')).toThrow(/^v\.yaml:3: not valid YAML: .*column/)
  })
})

describe('large and hostile YAML', () => {
  /** A flat mapping of `count` keys (the shape that made the old check quadratic). */
  const flat = (count: number, extra = ''): string => {
    const lines = ['values:']
    for (let i = 0; i < count; i++) lines.push(`  key${i}: value-${i}-${'x'.repeat(10)}`)
    return lines.join('\n') + '\n' + extra
  }

  it('checks duplicate keys in one pass: ~5 MB of keys parses in seconds, and a late duplicate is still found', () => {
    // 160 000 keys is ~5 MB: the old pairwise check needs minutes here.
    const text = flat(160_000)
    expect(text.length).toBeGreaterThan(4_500_000)
    const start = performance.now()
    const source = parseYamlText<{ values: Record<string, string> }>(text, 'chart/values.yaml')
    expect(Object.keys(source.data.values)).toHaveLength(160_000)
    // Loose on purpose (a busy machine): the quadratic check took far over a minute.
    expect(performance.now() - start).toBeLessThan(30_000)
    const doubled = flat(20_000).replace('  key19999: ', '  key7: ')
    expect(parseYamlText(doubled, 'chart/values.yaml').duplicates).toEqual([
      {
        path: ['values', 'key7'],
        lines: [9, 20001],
        equal: false,
        values: ['value-7-xxxxxxxxxx', 'value-19999-xxxxxxxxxx']
      }
    ])
  }, 60_000)

  it('tells duplicates from keys that only look alike, in every nested mapping', () => {
    expect(parseYamlText('a: 1\n"1": x\n1: y\n', 'v.yaml').data).toEqual({ a: 1, '1': 'y' })
    expect(parseYamlText('a: 1\n"1": x\n1: y\n', 'v.yaml').duplicates).toBeUndefined()
    expect(parseYamlText('a:\n  b: 1\n  c: 2\n  b: 3\n', 'v.yaml').duplicates?.map((d) => [d.path, d.lines])).toEqual([
      [
        ['a', 'b'],
        [2, 4]
      ]
    ])
    expect(parseYamlText('- x: 1\n- y: 1\n  y: 2\n', 'v.yaml').duplicates?.map((d) => [d.path, d.lines])).toEqual([
      [
        [1, 'y'],
        [2, 3]
      ]
    ])
  })

  it('an alias bomb names the file', () => {
    const bomb = [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
      ''
    ].join('\n')
    expect(() => parseYamlText(bomb, 'platform/x/chart/values.yaml')).toThrow(
      /^platform\/x\/chart\/values\.yaml: not valid YAML: .*alias/i
    )
  })
})

describe("values files over Helm's 5 MiB limit", () => {
  it('are refused before they are read, naming the file and the limit', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'yaml-size-'))
    try {
      const big = path.join(dir, 'values.yaml')
      await writeFile(big, `a: "${'x'.repeat(MAX_YAML_BYTES)}"\n`)
      await expect(loadYamlFile(big, 'platform/x/chart/values.yaml')).rejects.toThrow(
        /^platform\/x\/chart\/values\.yaml is 5\.0 MiB, over Helm's 5 MiB limit/
      )
      await expect(assertYamlFileSize(big, 'values/prod.yaml')).rejects.toThrow(/values\/prod\.yaml is 5\.0 MiB/)
      const fits = path.join(dir, 'fits.yaml')
      await writeFile(fits, `a: "${'x'.repeat(MAX_YAML_BYTES - 100)}"\n`)
      expect((await loadYamlFile<{ a: string }>(fits, 'fits.yaml')).data.a).toHaveLength(MAX_YAML_BYTES - 100)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('parseYamlText without the yaml library (the fast reader) gives what the library gives', () => {
  /** Every key path of a value: the lines findings may ask for. */
  const paths = (value: unknown, prefix: (string | number)[] = []): (string | number)[][] => {
    if (Array.isArray(value)) return value.flatMap((item, i) => [[...prefix, i], ...paths(item, [...prefix, i])])
    if (typeof value !== 'object' || value === null) return []
    return Object.entries(value).flatMap(([key, item]) => [[...prefix, key], ...paths(item, [...prefix, key])])
  }
  /** What parseYamlText gives, or its error message, next to what the library's parse gives. */
  const both = (text: string): { fast: unknown; library: unknown; fastPath: boolean } => {
    const outcome = (parse: () => ReturnType<typeof parseYamlText>): unknown => {
      try {
        const source = parse()
        const keys = [[], ...paths(source.data), ['not', 'there']]
        return { data: source.data, lines: keys.map((key) => [key.join('.'), source.lineOf(key)]) }
      } catch (error) {
        return { error: (error as Error).message }
      }
    }
    return {
      fast: outcome(() => parseYamlText(text, 'chart/values.yaml')),
      library: outcome(() => libraryParse(text, 'chart/values.yaml')),
      fastPath: fastParseYaml(text) !== undefined
    }
  }
  const CASES: Record<string, string> = {
    chart:
      'apiVersion: v2\nname: bp-x # the blueprint\nversion: 1.0.0\ndependencies:\n  - name: temporal\n    version: "1.2.0"\n    repository: https://go.temporal.io/helm-charts\n',
    scalars:
      "a: ~\nb: null\nc: true\nd: False\ne: 0o17\nf: 0x1F\ng: -12\nh: 1.5e3\ni: .inf\nj: .NaN\nk: \"q\\\"uoted\"\nl: 'single''s'\nm: 1.0\nn: 01\no:\n",
    flow: 'a: [1, two, {b: c}]\nd: {e: [f, g], h: ""}\nempty: {}\nnone: []\n',
    blocks: 'a: |\n  line one\n  line two\nb: >-\n  folded\n  text\nc: x\n',
    nested: 'a:\n  b:\n    - c: 1\n      d:\n        - e\n        - f: g\n    - h\n',
    emptyDocument: '# only a comment\n',
    scalarDocument: 'just text\n',
    sequenceDocument: '- a\n- b\n',
    duplicate: 'a: 1\nb: 2\na: 3\n',
    nestedDuplicate: 'a:\n  b: 1\n  b: 2\n',
    anchors: 'base: &b {x: 1}\nother: *b\n',
    merge: 'base: &b {x: 1}\nother:\n  <<: *b\n  y: 2\n',
    mergeKeyPlain: '<<: text\n',
    tag: 'a: !!str 12\n',
    twoDocuments: 'a: 1\n---\nb: 2\n',
    documentMarker: '---\na: 1\n',
    endMarker: 'a: 1\n...\n',
    longKey: `${'k'.repeat(1100)}: 1\n`,
    numericKey: '80: http\ntrue: yes\n',
    quotedKeys: '"a b": 1\n\'c\': 2\n',
    protoKey: '__proto__: {polluted: true}\n',
    badIndent: 'a:\n  b: 1\n c: 2\n',
    unclosedFlow: 'a: [1, 2\n',
    tabs: 'a:\n\tb: 1\n',
    crlf: 'a: 1\r\nb: 2\r\n',
    bom: '\ufeffa: 1\n',
    multiLinePlain: 'a: one\n  two\nb: 3\n',
    commentAfterValue: 'a: b # c\nd: "e" # f\n',
    // Where sequence items start: on the line of their `-`, on the lines after it, as a block scalar, after a comment.
    itemsOnNextLines: 'a:\n  -\n    b: 1\n  -\n    - c\n  - # note\n    d: 2\n  -\n  - e\n',
    blockScalarItems: 'a:\n  - |\n    text\n  - >-\n    folded\n  - "quoted"\n  - [x, y]\n  - {k: v}\n',
    commentsBetween: '# head\na:\n  # before b\n  b: 1\n\n  # before c\n  c:\n    # before item\n    - 1\n',
    nestedSequences: 'a:\n- - x\n  - y\n- - z\nb:\n- k: 1\n  l:\n  - m\n',
    emptyValues: 'a:\nb: {}\nc: []\nd:\n  {}\ne: ""\n'
  }

  it.each(Object.entries(CASES))('%s', (_name, text) => {
    const { fast, library } = both(text)
    expect(fast).toEqual(library)
  })

  it("agrees with the library on every YAML file of the project's charts and blueprints, and reads the example's itself", () => {
    const root = PROJECT_ROOT
    const files = projectChartFiles(/\.ya?ml$|Chart\.lock$/)
    expect(files.length).toBeGreaterThan(10)
    for (const file of files) {
      const { fast, library } = both(readFileSync(file, 'utf8'))
      expect({ file, outcome: fast }).toEqual({ file, outcome: library })
    }
    // The bundled example takes the fast way for each of its three files.
    for (const file of ['chart/Chart.yaml', 'chart/values.yaml', 'blueprint.yaml'])
      expect(both(readFileSync(path.join(root, 'examples/platform/temporal', file), 'utf8')).fastPath).toBe(true)
  })

  it('takes the fast way only where it can: errors, duplicates, anchors, merges and tags go to the library', () => {
    for (const name of ['chart', 'scalars', 'flow', 'nested', 'commentAfterValue'])
      expect(both(CASES[name]).fastPath).toBe(true)
    for (const name of [
      'duplicate',
      'nestedDuplicate',
      'anchors',
      'merge',
      'tag',
      'twoDocuments',
      'badIndent',
      'unclosedFlow'
    ])
      expect(both(CASES[name]).fastPath).toBe(false)
    // A duplicate key goes to the library, which records it with both lines.
    expect(parseYamlText(CASES.duplicate, 'chart/values.yaml').duplicates).toHaveLength(1)
  })
})

describe('the fast reader records the lines of keys and one-line items itself', () => {
  it("answers a key's line, an absent path, and leaves what it did not record to the library (null)", () => {
    const text = CASES_FOR_POSITIONS
    const fast = fastParseYamlWithPositions(text)!
    const library = libraryParse(text, 'v.yaml')
    // Recorded: every key, and items that start on the line of their `-`.
    for (const known of [['a'], ['a', 'b'], ['a', 'b', 0], ['a', 'b', 0, 'name'], ['a', 'b', 1], ['c'], ['c', 'd']])
      expect({ known, line: fast.lineOf(known) }).toEqual({ known, line: library.lineOf(known) })
    expect(fast.lineOf(['a', 'b', 0, 'name'])).toBe(4)
    // Not in the document: undefined, as the library says.
    for (const absent of [['x'], ['a', 'x'], ['c', 'd', 'e'], ['c', 'd', 'e', 'f']]) {
      expect(fast.lineOf(absent)).toBeUndefined()
      expect(library.lineOf(absent)).toBeUndefined()
    }
    // In the document but not recorded: an item on the lines after its `-`, a place inside a flow collection.
    expect(fast.lineOf(['a', 'b', 2])).toBeNull()
    expect(fast.lineOf(['c', 'f', 'g'])).toBeNull()
    expect(parseYamlText(text, 'v.yaml').lineOf(['a', 'b', 2])).toBe(library.lineOf(['a', 'b', 2]))
    expect(parseYamlText(text, 'v.yaml').lineOf(['c', 'f', 'g'])).toBe(library.lineOf(['c', 'f', 'g']))
  })
})

const CASES_FOR_POSITIONS = [
  'a:',
  '  b:',
  '    # the first',
  '    - name: one',
  '    - two',
  '    -',
  '      name: three',
  'c:',
  '  d: text',
  '  f: {g: 1}',
  ''
].join('\n')
