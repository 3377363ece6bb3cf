// A key written twice in a file the run reads (chart/duplicate-keys.ts): a finding with both lines, a warning when
// the two values are the same, an error when they differ; the `Chart files` step only when there is one.
import { describe, expect, it } from '@jest/globals'
import { duplicateKeyFindings, duplicateKeysStep } from '../../src/chart/duplicate-keys.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'

const values = parseYamlText(
  ['master:', '  metricsPort: 9327', '  replicas: 2', 'other: 1', 'master:', '  metricsPort: 9327', ''].join('\n'),
  'platform/x/chart/values.yaml'
)

describe('duplicate keys', () => {
  it('is an error with both lines when the two values differ, a warning when they are the same', () => {
    // The whole `master` mapping is written twice: the later one (without replicas) is what helm keeps.
    const findings = duplicateKeyFindings(values)
    expect(findings).toEqual([
      {
        rule: 'yaml-duplicate-key',
        severity: 'error',
        message:
          '`master` is written twice in platform/x/chart/values.yaml at lines 1 and 5, with different values: helm keeps ' +
          'the later one (`{"metricsPort":9327}`, line 5) and line 1\'s (`{"metricsPort":9327,"replicas":2}`) is lost without a word.',
        fix: 'keep the value you mean and delete the other line (1 or 5)',
        file: 'platform/x/chart/values.yaml',
        line: 5
      }
    ])
    const same = parseYamlText('master:\n  metricsPort: 9327\n  metricsPort: 9327\n', 'v.yaml')
    expect(duplicateKeyFindings(same)).toEqual([
      {
        rule: 'yaml-duplicate-key',
        severity: 'warning',
        message:
          '`master.metricsPort` is written twice in v.yaml at lines 2 and 3, with the same value: helm keeps the later one, nothing is lost.',
        fix: 'delete one of them (line 2 or 3)',
        file: 'v.yaml',
        line: 3
      }
    ])
  })

  it('makes the Chart files step only when a file writes a key twice: failed when values differ', () => {
    const clean = parseYamlText('a: 1\n', 'Chart.yaml')
    expect(duplicateKeysStep([clean])).toBeUndefined()
    const same = parseYamlText('a: 1\na: 1\n', 'blueprint.yaml')
    expect(duplicateKeysStep([clean, same])).toMatchObject({
      id: 'chart-files',
      title: 'Chart files',
      status: 'warning',
      summary: '1 key written twice in blueprint.yaml, with the same values'
    })
    expect(duplicateKeysStep([same, values])).toMatchObject({
      status: 'failed',
      summary:
        '2 keys written twice in blueprint.yaml, platform/x/chart/values.yaml: 1 with different values (helm keeps the later)'
    })
  })
})
