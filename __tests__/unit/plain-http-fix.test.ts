// A loopback registry reached over TLS without input plain-http (issue 29.3): the fix names the input, for the
// OCI upstream's tag listing (net/net.ts plainHttpFix) and for a failed helm dependency build with an oci://
// dependency on a loopback host (chart/dependency-digests.ts ociLoopbackFix). The failures quoted are what node
// and Helm 4 said against a plain-HTTP server on 127.0.0.1 (Helm 3 falls back to plain HTTP on loopback by itself).
import { describe, expect, it } from '@jest/globals'
import { ociLoopbackFix, type ArchiveOrigins } from '../../src/chart/dependency-digests.js'
import type { WorkChart } from '../../src/chart/work-chart.js'
import { plainHttpFix } from '../../src/net/net.js'

const NODE_TLS =
  'write EPROTO 806CA4F8677F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:'
const HELM4_TLS =
  'Error: failed to perform "FetchReference" on source: Get "https://127.0.0.1:38517/v2/deps/temporal/manifests/1.2.0": tls: first record does not look like a TLS handshake'

describe('plainHttpFix', () => {
  it('names the input for a TLS failure with a loopback registry reached without it', () => {
    for (const host of ['127.0.0.1:5000', 'localhost:5000', '[::1]:5000']) {
      expect(plainHttpFix(host, false, NODE_TLS)).toContain(`${host} is a loopback registry answering in plain HTTP`)
      expect(plainHttpFix(host, false, HELM4_TLS)).toContain('set input plain-http: true')
    }
  })

  it('says nothing with plain-http on, for another host, or for another failure', () => {
    expect(plainHttpFix('127.0.0.1:5000', true, NODE_TLS)).toBeUndefined()
    expect(plainHttpFix('registry.example.com', false, NODE_TLS)).toBeUndefined()
    expect(plainHttpFix('127.0.0.1:5000', false, 'connect ECONNREFUSED 127.0.0.1:5000')).toBeUndefined()
    expect(plainHttpFix('127.0.0.1:5000', false, 'Error: chart "temporal" version "9.9.9" not found')).toBeUndefined()
  })
})

describe('ociLoopbackFix (a failed helm dependency build)', () => {
  const work = (repositories: string[]): WorkChart =>
    ({
      dependencies: repositories.map((repository, i) => ({ name: `dep${i}`, version: '1.0.0', repository }))
    }) as unknown as WorkChart
  const origins = (plainHttp: boolean, mirrors: ArchiveOrigins['mirrors'] = []): ArchiveOrigins => ({
    mirrors,
    credentialsFor: () => undefined,
    indexes: [],
    plainHttpFor: () => plainHttp
  })

  it('names plain-http when an oci:// dependency on a loopback host failed TLS', () => {
    const chart = work(['https://charts.example.com', 'oci://127.0.0.1:38517/deps'])
    expect(ociLoopbackFix(chart, origins(false), HELM4_TLS)).toContain(
      '127.0.0.1:38517 is a loopback registry answering in plain HTTP: set input plain-http: true'
    )
    expect(ociLoopbackFix(chart, origins(true), HELM4_TLS)).toBeUndefined()
  })

  it('reads the repository as mirrored, and ignores non-OCI or remote dependencies', () => {
    const mirrored = origins(false, [{ from: 'oci://registry.example.com/deps', to: 'oci://localhost:5000/deps' }])
    expect(ociLoopbackFix(work(['oci://registry.example.com/deps']), mirrored, HELM4_TLS)).toContain('localhost:5000')
    expect(ociLoopbackFix(work(['oci://registry.example.com/deps']), origins(false), HELM4_TLS)).toBeUndefined()
    expect(ociLoopbackFix(work(['http://127.0.0.1:8080/charts']), origins(false), HELM4_TLS)).toBeUndefined()
  })
})
