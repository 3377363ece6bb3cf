import { describe, expect, it } from '@jest/globals'
import { getInputs, parseAllowlist, parseMirrors, parseSetValues, parseToggleOverrides } from '../../src/inputs.js'
import { ActionError } from '../../src/types.js'

function reader(values: Record<string, string>) {
  return (name: string) => values[name] ?? ''
}
const env = { GITHUB_WORKSPACE: '/work/repo' }

describe('getInputs', () => {
  it('applies the defaults of action.yml', () => {
    const inputs = getInputs(reader({}), env)
    expect(inputs).toMatchObject({
      mode: 'run',
      workspace: '/work/repo',
      blueprint: 'platform/temporal',
      chart: 'platform/temporal/chart',
      upstream: 'temporal',
      push: 'auto',
      imagePolicy: 'sha',
      commentMode: 'update',
      helmDownloadUrl: 'https://get.helm.sh',
      plainHttp: false,
      overwrite: false,
      chartTests: true
    })
  })

  it('derives the chart folder from the blueprint and normalizes helm-version', () => {
    const inputs = getInputs(reader({ blueprint: 'products/fabric/', 'helm-version': '4.1.4' }), env)
    expect(inputs.chart).toBe('products/fabric/chart')
    expect(inputs.helmVersion).toBe('v4.1.4')
  })

  it.each([
    [{ blueprint: '../../etc' }, /input blueprint: "\.\.\/\.\.\/etc" is outside the workspace/],
    [{ registry: 'ghcr.io/openova' }, /input registry: "ghcr.io\/openova" is not an oci:\/\/ URL/],
    [{ push: 'sometimes' }, /input push: "sometimes" is not one of auto, true, false/],
    [{ overwrite: 'maybe' }, /input overwrite: "maybe" is not a boolean/],
    [{ 'helm-version': 'latest' }, /input helm-version: "latest" is not a version/],
    [{ 'image-policy': 'strict' }, /input image-policy: "strict" is not one of digest, sha, no-latest, off/]
  ])('refuses %p with a message naming the input', (values, message) => {
    expect(() => getInputs(reader(values), env)).toThrow(ActionError)
    expect(() => getInputs(reader(values), env)).toThrow(message)
  })
})

describe('list inputs', () => {
  it('parses mirrors, trimming trailing slashes and skipping comments', () => {
    expect(parseMirrors('# air-gapped\nhttps://go.temporal.io/helm-charts/ = http://mirror.local/temporal/\n')).toEqual([
      { from: 'https://go.temporal.io/helm-charts', to: 'http://mirror.local/temporal' }
    ])
    expect(() => parseMirrors('go.temporal.io=mirror')).toThrow(/is not of the form <repository URL>=<mirror URL>/)
  })
  it('parses allowlist patterns with their reasons', () => {
    expect(parseAllowlist('docker.io/temporalio/* # upstream images\nnginx')).toEqual([
      { pattern: 'docker.io/temporalio/*', reason: 'upstream images' },
      { pattern: 'nginx', reason: 'allow-listed' }
    ])
  })
  it('parses toggle overrides and set values', () => {
    expect(parseToggleOverrides('a.metrics.enabled\n!temporal.server.metrics.serviceMonitor.enabled')).toEqual({
      include: ['a.metrics.enabled'],
      exclude: ['temporal.server.metrics.serviceMonitor.enabled']
    })
    expect(parseSetValues('image.tag=abc1234\n')).toEqual(['image.tag=abc1234'])
    expect(() => parseSetValues('just-a-key')).toThrow(/input set: "just-a-key" is not key=value/)
  })
})
