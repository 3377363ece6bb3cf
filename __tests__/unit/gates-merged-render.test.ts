import { describe, expect, it } from '@jest/globals'
import { splitRenderBySource } from '../../src/helm/render.js'
import { prefixValueArgs, splitCases } from '../../src/gates/merged-render.js'

const doc = (source: string, body: string): string => `---\n# Source: ${source}\n${body}\n`

describe('splitRenderBySource', () => {
  it('cuts at each `---` + `# Source:` pair and gives the output back when joined', () => {
    const output =
      doc('a/templates/x.yaml', 'kind: A\nmetadata:\n  name: x') +
      doc('a/templates/x.yaml', 'kind: B') +
      doc('a/charts/b/templates/y.yaml', 'kind: C\ndata:\n  text: |\n    ---\n    # Source: not/a/header.yaml')
    const chunks = splitRenderBySource(output)
    expect(chunks.map((c) => c.source)).toEqual([
      'a/templates/x.yaml',
      'a/templates/x.yaml',
      'a/charts/b/templates/y.yaml'
    ])
    expect(chunks.map((c) => c.text).join('')).toBe(output)
    expect(chunks[2].text).toContain('# Source: not/a/header.yaml')
  })

  it('keeps a `---` inside a document (no `# Source:` after it) in that document', () => {
    const output = doc('a/templates/x.yaml', 'kind: A\n---\nkind: B')
    expect(splitRenderBySource(output)).toEqual([{ source: 'a/templates/x.yaml', text: output }])
  })

  it('returns text before the first header without a source, and nothing for an empty output', () => {
    expect(splitRenderBySource('')).toEqual([])
    expect(splitRenderBySource(`warning\n${doc('a/t.yaml', 'k: v')}`)).toEqual([
      { text: 'warning\n' },
      { source: 'a/t.yaml', text: doc('a/t.yaml', 'k: v') }
    ])
  })
})

describe('splitCases', () => {
  const merged =
    doc('gates-cases/charts/case-0/charts/bp-x/charts/temporal/templates/s.yaml', 'kind: Deployment') +
    doc('gates-cases/charts/case-1/charts/bp-x/charts/temporal/templates/s.yaml', 'kind: Deployment') +
    doc(
      'gates-cases/charts/case-1/charts/bp-x/templates/sm.yaml',
      'kind: ServiceMonitor\n# gates-cases/charts/case-1/charts/bp-x/templates/sm.yaml'
    ) +
    doc('gates-cases/charts/case-0/charts/bp-x/templates/d.yaml', 'kind: Deployment')

  it('gives each case its documents in order, written as its own render writes them', () => {
    expect(splitCases(merged, 'bp-x', 2)?.texts).toEqual([
      doc('bp-x/charts/temporal/templates/s.yaml', 'kind: Deployment') +
        doc('bp-x/templates/d.yaml', 'kind: Deployment'),
      doc('bp-x/charts/temporal/templates/s.yaml', 'kind: Deployment') +
        doc('bp-x/templates/sm.yaml', 'kind: ServiceMonitor\n# bp-x/templates/sm.yaml')
    ])
  })

  it("takes helm's version from the umbrella's own template, in no case's text", () => {
    const version = doc('gates-cases/templates/helm-version.yaml', '# helm version: v3.17.2')
    expect(splitCases(merged + version, 'bp-x', 2)).toEqual({
      texts: splitCases(merged, 'bp-x', 2)?.texts,
      helmVersion: 'v3.17.2'
    })
    // A template of that name printing something else gives no version (and is in no case either).
    const other = doc('gates-cases/templates/helm-version.yaml', '# helm version: ')
    expect(splitCases(merged + other, 'bp-x', 2)?.helmVersion).toBeUndefined()
  })

  it('gives an empty text to a case that renders nothing', () => {
    expect(splitCases(doc('gates-cases/charts/case-0/charts/bp-x/templates/d.yaml', 'k: v'), 'bp-x', 2)?.texts).toEqual(
      [doc('bp-x/templates/d.yaml', 'k: v'), '']
    )
  })

  it('refuses an output with a document of no case, of another chart, or of an unknown case', () => {
    expect(splitCases(doc('gates-cases/templates/x.yaml', 'k: v'), 'bp-x', 2)).toBeUndefined()
    expect(
      splitCases(doc('gates-cases/charts/case-0/charts/other/templates/x.yaml', 'k: v'), 'bp-x', 2)
    ).toBeUndefined()
    expect(splitCases(doc('gates-cases/charts/case-2/charts/bp-x/templates/x.yaml', 'k: v'), 'bp-x', 2)).toBeUndefined()
    expect(splitCases(`stray text\n${merged}`, 'bp-x', 2)).toBeUndefined()
  })
})

describe('prefixValueArgs', () => {
  it('puts every single assignment under the case key', () => {
    expect(
      prefixValueArgs(
        ['--set', 'a.b=c', '--set-string', 'n=1', '--set-file', 'k=/tmp/f', '--set', 'x\\,y=1'],
        'case-0.bp-x'
      )
    ).toEqual([
      '--set',
      'case-0.bp-x.a.b=c',
      '--set-string',
      'case-0.bp-x.n=1',
      '--set-file',
      'case-0.bp-x.k=/tmp/f',
      '--set',
      'case-0.bp-x.x\\,y=1'
    ])
  })

  it('refuses what a prefix would change: values files, several assignments, global, null', () => {
    expect(prefixValueArgs(['--values', '/v.yaml'], 'p')).toBeUndefined()
    expect(prefixValueArgs(['--set', 'a=1,b=2'], 'p')).toBeUndefined()
    expect(prefixValueArgs(['--set', 'list={a,b}'], 'p')).toBeUndefined()
    expect(prefixValueArgs(['--set', 'global.registry=r'], 'p')).toBeUndefined()
    expect(prefixValueArgs(['--set', 'a=null'], 'p')).toBeUndefined()
    expect(prefixValueArgs(['--set-json', 'a={}'], 'p')).toBeUndefined()
    expect(prefixValueArgs(['--set', 'no-assignment'], 'p')).toBeUndefined()
  })
})
