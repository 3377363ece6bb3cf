import { describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { assertYamlFileSize, loadYamlFile, MAX_YAML_BYTES, parseYamlText } from '../../src/chart/yaml-source.js'

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

  it('refuses duplicate keys, which helm would silently merge', () => {
    expect(() => parseYamlText('name: a\nname: b\n', 'Chart.yaml')).toThrow(/Chart\.yaml:2: not valid YAML/)
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
    expect(() => parseYamlText(doubled, 'chart/values.yaml')).toThrow(
      /^chart\/values\.yaml:20001: not valid YAML: Map keys must be unique/
    )
  }, 60_000)

  it('tells duplicates from keys that only look alike, in every nested mapping', () => {
    expect(parseYamlText('a: 1\n"1": x\n1: y\n', 'v.yaml').data).toEqual({ a: 1, '1': 'y' })
    expect(() => parseYamlText('a:\n  b: 1\n  c: 2\n  b: 3\n', 'v.yaml')).toThrow(
      /^v\.yaml:4: not valid YAML: Map keys must be unique/
    )
    expect(() => parseYamlText('- x: 1\n- y: 1\n  y: 2\n', 'v.yaml')).toThrow(/^v\.yaml:3:/)
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
