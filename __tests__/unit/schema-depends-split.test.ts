import { describe, expect, it } from '@jest/globals'
import { parseRenderDetailed } from '../../src/helm/render.js'
import { splitUmbrellaRender } from '../../src/gates/schema-depends-jobs.js'

describe('splitUmbrellaRender', () => {
  it("gives each depends blueprint its documents, their source as the blueprint's own render writes it", () => {
    const output = [
      '---',
      '# Source: depends-crds/charts/bp-cnpg/charts/cloudnative-pg/templates/crds/crds.yaml',
      'kind: CustomResourceDefinition',
      'metadata: {name: clusters.postgresql.cnpg.io}',
      '---',
      '# Source: depends-crds/charts/bp-cert-manager/charts/cert-manager/crds/certificates.yaml',
      'kind: CustomResourceDefinition',
      'metadata: {name: certificates.cert-manager.io}',
      '---',
      '# Source: depends-crds/charts/bp-cnpg/templates/extra.yaml',
      'kind: ConfigMap',
      'metadata: {name: extra}',
      '---',
      '# Source: depends-crds/templates/own.yaml',
      'kind: ConfigMap',
      'metadata: {name: not-a-blueprint}',
      ''
    ].join('\n')
    const split = splitUmbrellaRender(parseRenderDetailed(output).documents, ['bp-cert-manager', 'bp-cnpg', 'bp-none'])
    const sources = (name: string) => split.get(name)?.map((d) => [d.source, d.name])
    expect(sources('bp-cnpg')).toEqual([
      ['bp-cnpg/charts/cloudnative-pg/templates/crds/crds.yaml', 'clusters.postgresql.cnpg.io'],
      ['bp-cnpg/templates/extra.yaml', 'extra']
    ])
    expect(sources('bp-cert-manager')).toEqual([
      ['bp-cert-manager/charts/cert-manager/crds/certificates.yaml', 'certificates.cert-manager.io']
    ])
    expect(sources('bp-none')).toEqual([])
    expect([...split.keys()]).toEqual(['bp-cert-manager', 'bp-cnpg', 'bp-none'])
  })
})
