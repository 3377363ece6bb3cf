import { describe, expect, it } from '@jest/globals'
import { chartRef, chartRepository, parseRegistryTarget } from '../../src/oci/registry.js'

describe('parseRegistryTarget: the registry input parsed once', () => {
  it('splits host and path; repository and reference follow helm push', () => {
    const target = parseRegistryTarget('oci://GHCR.io/openova-io/charts/', false)
    expect(target).toEqual({
      url: 'oci://GHCR.io/openova-io/charts',
      host: 'ghcr.io',
      path: 'openova-io/charts',
      plainHttp: false
    })
    expect(chartRepository(target, 'bp-temporal')).toBe('openova-io/charts/bp-temporal')
    expect(chartRef(target, 'bp-temporal', '1.0.0+build.1')).toBe(
      'oci://GHCR.io/openova-io/charts/bp-temporal:1.0.0_build.1'
    )
  })

  it('a registry without a path pushes to <host>/<chart>', () => {
    const target = parseRegistryTarget('oci://127.0.0.1:5000', true)
    expect(chartRepository(target, 'bp-x')).toBe('bp-x')
    expect(chartRef(target, 'bp-x', '0.1.0')).toBe('oci://127.0.0.1:5000/bp-x:0.1.0')
  })

  it('plain HTTP only for loopback, named in the error', () => {
    expect(() => parseRegistryTarget('oci://ghcr.io/o', true)).toThrow(
      /plain-http: registry ghcr\.io is not a loopback address/
    )
    expect(parseRegistryTarget('oci://[::1]:5000/x', true).plainHttp).toBe(true)
    expect(parseRegistryTarget('oci://localhost:5000/x', true).host).toBe('localhost:5000')
  })

  it('credentials in the URL are refused (inputs.ts masks them before anything is logged)', () => {
    expect(() => parseRegistryTarget('oci://user:s3cret@ghcr.io/o', false)).toThrow(/contains credentials/)
  })
})
