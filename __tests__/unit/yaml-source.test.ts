import { describe, expect, it } from '@jest/globals'
import { parseYamlText } from '../../src/yaml-source.js'

describe('parseYamlText', () => {
  const text = ['name: bp-temporal', 'dependencies:', '  - name: temporal', '    version: 1.2.0', 'catalystOverlay:', '  serviceMonitor:', '    enabled: false', ''].join('\n')

  it('keeps the line of every key for findings', () => {
    const source = parseYamlText(text, 'chart/Chart.yaml')
    expect(source.lineOf(['name'])).toBe(1)
    expect(source.lineOf(['dependencies', 0, 'version'])).toBe(4)
    expect(source.lineOf(['catalystOverlay', 'serviceMonitor', 'enabled'])).toBe(7)
    expect(source.lineOf(['nope'])).toBeUndefined()
  })

  it('names the file and line of a syntax error', () => {
    expect(() => parseYamlText('name: a\nversion: [1.0\n', 'platform/x/chart/Chart.yaml')).toThrow(/^platform\/x\/chart\/Chart\.yaml:\d+: not valid YAML/)
  })

  it('refuses duplicate keys, which helm would silently merge', () => {
    expect(() => parseYamlText('name: a\nname: b\n', 'Chart.yaml')).toThrow(/Chart\.yaml:2: not valid YAML/)
  })
})
