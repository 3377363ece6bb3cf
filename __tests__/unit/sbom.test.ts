import { describe, expect, it } from '@jest/globals'
import { parseImageRef } from '../../src/images/image-ref.js'
import type { ImageVerdict } from '../../src/images/images.js'
import { buildSbom, ociPurl, type SbomInput } from '../../src/report/sbom.js'

const DIGEST = `sha256:${'ab'.repeat(32)}`
const CHART_DIGEST = `sha256:${'cd'.repeat(32)}`

function verdict(image: string, kind: string, name: string, container: string, ok = true): ImageVerdict {
  return {
    use: {
      image,
      kind,
      name,
      container,
      field: 'spec.template.spec.containers[0].image',
      source: `bp/templates/${name}.yaml`
    },
    ref: parseImageRef(image),
    ok,
    reason: ok ? 'pinned' : 'not pinned'
  }
}

const input: SbomInput = {
  chart: { name: 'bp-temporal', version: '1.0.0', appVersion: '1.22.0', description: 'Temporal blueprint' },
  artifact: { ref: 'oci://ghcr.io/openova-io/bp-temporal:1.0.0', digest: CHART_DIGEST },
  dependencies: [{ name: 'temporal', version: '1.2.0', repository: 'https://go.temporal.io/helm-charts' }],
  images: [
    verdict(`temporalio/server:1.22.0@${DIGEST}`, 'Deployment', 'frontend', 'server'),
    verdict(`temporalio/server:1.22.0@${DIGEST}`, 'Deployment', 'history', 'server'),
    verdict('busybox:latest', 'Job', 'schema', 'init', false)
  ],
  timestamp: '2024-03-01T12:00:00.000Z',
  tool: { name: 'blueprint-action', version: 'v1' }
}

describe('buildSbom', () => {
  const bom = buildSbom(input)

  it('describes the chart with its published digest as the subject', () => {
    expect(bom).toMatchObject({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1 })
    expect(bom.metadata.timestamp).toBe('2024-03-01T12:00:00.000Z')
    expect(bom.metadata.component).toMatchObject({
      name: 'bp-temporal',
      version: '1.0.0',
      purl: `pkg:oci/bp-temporal@sha256%3A${'cd'.repeat(32)}?repository_url=ghcr.io/openova-io/bp-temporal&tag=1.0.0`,
      hashes: [{ alg: 'SHA-256', content: 'cd'.repeat(32) }],
      externalReferences: [{ type: 'distribution', url: 'oci://ghcr.io/openova-io/bp-temporal:1.0.0' }]
    })
  })

  it('lists the bundled chart and each image once, with where it is used and whether it is pinned', () => {
    expect(bom.components.map((c) => [c.type, c.name, c.version])).toEqual([
      ['application', 'temporal', '1.2.0'],
      ['container', 'docker.io/library/busybox', 'latest'],
      ['container', 'docker.io/temporalio/server', '1.22.0']
    ])
    const server = bom.components.find((c) => c.name === 'docker.io/temporalio/server')!
    expect(server.purl).toBe(
      `pkg:oci/server@sha256%3A${'ab'.repeat(32)}?repository_url=docker.io/temporalio/server&tag=1.22.0`
    )
    expect(server.properties?.filter((p) => p.name === 'bp:usedBy').map((p) => p.value)).toEqual([
      'Deployment/frontend container server (bp/templates/frontend.yaml)',
      'Deployment/history container server (bp/templates/history.yaml)'
    ])
    const busybox = bom.components.find((c) => c.name === 'docker.io/library/busybox')!
    expect(busybox.purl).toBeUndefined() // no digest: no oci purl version
    expect(busybox.properties).toContainEqual({ name: 'bp:pinned', value: 'no' })
    expect(busybox.properties).toContainEqual({ name: 'bp:imagePolicy', value: 'failed' })
    expect(server.properties).toContainEqual({ name: 'bp:pinned', value: 'digest' })
    expect(server.properties).toContainEqual({ name: 'bp:imagePolicy', value: 'passed' })
    expect(bom.dependencies[0]).toEqual({
      ref: 'chart:bp-temporal@1.0.0',
      dependsOn: bom.components.map((c) => c['bom-ref'])
    })
  })

  it('is deterministic: same input, same bytes; another image, another serial number', () => {
    expect(JSON.stringify(buildSbom(input))).toBe(JSON.stringify(bom))
    expect(bom.serialNumber).toMatch(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    const other = buildSbom({ ...input, images: input.images.slice(0, 2) })
    expect(other.serialNumber).not.toBe(bom.serialNumber)
  })

  it('has no purl or hash for a chart that was not published', () => {
    const unpublished = buildSbom({ ...input, artifact: undefined })
    expect(unpublished.metadata.component.purl).toBeUndefined()
    expect(unpublished.metadata.component.hashes).toBeUndefined()
  })
})

describe('ociPurl', () => {
  it('encodes the digest and keeps the repository path readable', () => {
    expect(ociPurl('127.0.0.1:5000/charts/bp-x', DIGEST)).toBe(
      `pkg:oci/bp-x@sha256%3A${'ab'.repeat(32)}?repository_url=127.0.0.1%3A5000/charts/bp-x`
    )
  })
})
