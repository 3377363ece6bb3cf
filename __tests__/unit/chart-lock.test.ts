import { describe, expect, it } from '@jest/globals'
import {
  chartLockStep,
  isOutOfSyncError,
  lockFinding,
  lockGeneratedAt,
  lockMismatches,
  parseLock
} from '../../src/chart/chart-lock.js'
import { noOverwriteFix } from '../../src/oci/push.js'

const LOCK = [
  'dependencies:',
  '- name: temporal',
  '  repository: https://go.temporal.io/helm-charts',
  '  version: 1.2.0',
  'digest: sha256:abc',
  'generated: "2026-11-28T03:13:20.123456789Z"',
  ''
].join('\n')
const dep = (version: string, repository = 'https://go.temporal.io/helm-charts') => ({
  name: 'temporal',
  version,
  repository
})

describe('Chart.lock rules', () => {
  const lock = parseLock(LOCK, 'chart/Chart.lock')!

  it('a lock whose versions satisfy Chart.yaml fits; a version outside the range, a missing or extra entry, another repository do not', () => {
    expect(lockMismatches(lock, [dep('1.2.0')], 'chart/Chart.yaml')).toEqual([])
    expect(lockMismatches(lock, [dep('~1.2')], 'chart/Chart.yaml')).toEqual([])
    expect(lockMismatches(lock, [dep('1.3.0')], 'chart/Chart.yaml')).toEqual([
      'chart/Chart.lock locks temporal 1.2.0, but chart/Chart.yaml asks for 1.3.0'
    ])
    expect(lockMismatches(lock, [dep('1.2.0', 'oci://ghcr.io/temporal')], 'chart/Chart.yaml')[0]).toMatch(
      /from https:\/\/go\.temporal\.io\/helm-charts, but chart\/Chart\.yaml names oci:\/\/ghcr\.io\/temporal/
    )
    expect(lockMismatches(lock, [dep('1.2.0', '@temporal')], 'chart/Chart.yaml')).toEqual([])
    expect(
      lockMismatches(
        lock,
        [dep('1.2.0'), { name: 'common', version: '1.0.0', repository: 'https://x.example' }],
        'chart/Chart.yaml'
      )
    ).toEqual(['chart/Chart.lock has no entry for common, which chart/Chart.yaml declares'])
    expect(lockMismatches(lock, [], 'chart/Chart.yaml')).toEqual([
      'chart/Chart.lock locks temporal, which chart/Chart.yaml no longer declares'
    ])
  })

  it('not a lock: no YAML, or no dependencies list', () => {
    expect(parseLock('dependencies: [', 'x')).toBeUndefined()
    expect(parseLock('digest: sha256:abc\n', 'x')).toBeUndefined()
  })

  it('a lock problem is an error on a release and a warning on a PR, with what to do', () => {
    expect(lockFinding('stale', 'chart/Chart.lock', 'chart', true)).toMatchObject({
      severity: 'error',
      message: 'stale: a release publishes what the lock pins',
      fix: 'run `helm dependency update chart` and commit Chart.lock, or delete Chart.lock'
    })
    expect(lockFinding('stale', 'chart/Chart.lock', 'chart', false)).toMatchObject({
      severity: 'warning',
      message: 'stale: this run built from Chart.yaml without it'
    })
    expect(chartLockStep([lockFinding('stale', 'l', 'c', true)])?.status).toBe('failed')
    expect(chartLockStep([lockFinding('stale', 'l', 'c', false)])?.status).toBe('warning')
    expect(chartLockStep([])).toBeUndefined()
  })

  it("helm's out-of-sync error is recognised", () => {
    expect(
      isOutOfSyncError(
        'Error: the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies'
      )
    ).toBe(true)
    expect(isOutOfSyncError('Error: no repository definition for https://x')).toBe(false)
  })

  it('the generated time of a written lock becomes the package time, whatever the wall clock said', () => {
    const pinned = lockGeneratedAt(LOCK, 1722470400)
    expect(pinned).toContain('generated: "2024-08-01T00:00:00Z"\n')
    expect(pinned).not.toContain('2026-11-28')
    expect(pinned.replace(/generated:.*/, '')).toBe(LOCK.replace(/generated:.*/, ''))
    expect(lockGeneratedAt('dependencies: []\n', 0)).toBe('dependencies: []\ngenerated: "1970-01-01T00:00:00Z"\n')
  })

  it("other content under a published tag: bump the version only when the chart's own files changed", () => {
    expect(noOverwriteFix('oci://r/bp:1.0.0', { dependenciesOnly: true })).not.toMatch(/bump/)
    expect(noOverwriteFix('oci://r/bp:1.0.0', { dependenciesOnly: true })).toMatch(/commit Chart\.lock/)
    expect(noOverwriteFix('oci://r/bp:1.0.0', { dependenciesOnly: false })).toMatch(/bump version in Chart\.yaml/)
  })
})
