// blueprint.yaml's typed model: the fields the catalog and the contract gate read, both forms of spec.depends,
// their lines, and wrong types as problems (never a throw).
import { describe, expect, it } from '@jest/globals'
import { manifestChartDir, MANIFEST_PATHS, readBlueprintManifest } from '../../src/chart/blueprint-manifest.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'

const FILE = 'platform/temporal/blueprint.yaml'
const read = (text: string) => readBlueprintManifest(parseYamlText(text, FILE))

describe('readBlueprintManifest', () => {
  it('reads the catalog fields and spec.depends in both forms, with their lines', () => {
    const manifest = read(
      [
        'apiVersion: catalyst.openova.io/v1alpha1',
        'kind: Blueprint',
        'metadata:',
        '  name: bp-temporal',
        'spec:',
        '  version: 1.0.0',
        '  manifests:',
        '    chart: ./chart',
        '  depends:',
        '    - blueprint: bp-cnpg',
        '      version: ^1',
        '      alias: db',
        '    - bp-cert-manager',
        '    - {blueprint: bp-keda}',
        "    - {name: bp-cnpg, version: '>=1.0.0 <2.0.0'}",
        ''
      ].join('\n')
    )
    expect(manifest).toMatchObject({
      file: FILE,
      apiVersion: 'catalyst.openova.io/v1alpha1',
      kind: 'Blueprint',
      name: 'bp-temporal',
      version: '1.0.0',
      chart: './chart',
      problems: []
    })
    expect(manifest.depends).toEqual([
      { blueprint: 'bp-cnpg', version: '^1', alias: 'db', form: 'mapping', path: ['spec', 'depends', 0] },
      { blueprint: 'bp-cert-manager', form: 'name', path: ['spec', 'depends', 1] },
      { blueprint: 'bp-keda', form: 'mapping', path: ['spec', 'depends', 2] },
      { blueprint: 'bp-cnpg', version: '>=1.0.0 <2.0.0', form: 'mapping', path: ['spec', 'depends', 3] }
    ])
    expect(manifest.lineOf(MANIFEST_PATHS.name)).toBe(4)
    expect(manifest.lineOf(MANIFEST_PATHS.version)).toBe(6)
    expect(manifest.lineOf(MANIFEST_PATHS.chart)).toBe(8)
    expect(manifest.depends.map((d) => manifest.lineOf(d.path))).toEqual([10, 13, 14, 15])
  })

  it('reads a YAML number as the version text', () => {
    expect(read('spec:\n  version: 2\n').version).toBe('2')
  })

  it('leaves absent fields out without a problem', () => {
    const manifest = read('kind: Blueprint\n')
    expect(manifest).toMatchObject({ name: undefined, version: undefined, chart: undefined, depends: [], problems: [] })
  })

  it('turns wrong types into problems naming the field, never a throw', () => {
    const manifest = read(
      [
        'metadata:',
        '  name: [bp-x]',
        'spec:',
        '  version: {major: 1}',
        '  manifests: ./chart',
        '  depends:',
        '    - 42',
        '    - {version: ^1}',
        '    - [bp-a]',
        '    - {blueprint: bp-b, version: [1]}',
        ''
      ].join('\n')
    )
    expect(manifest.name).toBeUndefined()
    expect(manifest.version).toBeUndefined()
    expect(manifest.chart).toBeUndefined()
    // A bare number is still a name (the text of it); the mapping with a bad version keeps its name.
    expect(manifest.depends.map((d) => d.blueprint)).toEqual(['42', 'bp-b'])
    expect(manifest.problems.map((p) => [p.path.join('.'), manifest.lineOf(p.path)])).toEqual([
      ['metadata.name', 2],
      ['spec.version', 4],
      ['spec.manifests', 5],
      ['spec.depends.1', 8],
      ['spec.depends.2', 9],
      ['spec.depends.3.version', 10]
    ])
    expect(manifest.problems[0].message).toBe('metadata.name must be a non-empty string, not a list')
    expect(manifest.problems[3].message).toMatch(/names no blueprint/)
    expect(manifest.problems[3].fix).toContain(FILE)
  })

  it('a top level that is not a mapping is one problem', () => {
    const manifest = read('- bp-a\n- bp-b\n')
    expect(manifest.problems).toHaveLength(1)
    expect(manifest.problems[0].message).toContain(`${FILE}: the top level must be a mapping`)
  })

  it('spec.depends that is not a list is a problem', () => {
    const manifest = read('spec:\n  depends: bp-cnpg\n')
    expect(manifest.depends).toEqual([])
    expect(manifest.problems[0]).toMatchObject({ path: ['spec', 'depends'] })
  })
})

describe('manifestChartDir', () => {
  it('joins spec.manifests.chart to the blueprint folder', () => {
    expect(manifestChartDir('platform/temporal', './chart')).toBe('platform/temporal/chart')
    expect(manifestChartDir('products/b', 'helm/')).toBe('products/b/helm')
    expect(manifestChartDir('products/b', './charts/../helm')).toBe('products/b/helm')
    expect(manifestChartDir('.', './chart')).toBe('chart')
  })

  it('refuses a folder outside the blueprint, or the blueprint folder itself', () => {
    expect(manifestChartDir('platform/temporal', '../cnpg/chart')).toBeUndefined()
    expect(manifestChartDir('platform/temporal', '.')).toBeUndefined()
    expect(manifestChartDir('platform/temporal', '/etc')).toBeUndefined()
    expect(manifestChartDir('.', '../x')).toBeUndefined()
  })
})
