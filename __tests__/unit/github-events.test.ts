import { describe, expect, it } from '@jest/globals'
import { prContext } from '../../src/report/github.js'
import { decideMode, parseReleaseTag, type ModeInput } from '../../src/run/settings.js'

const base: ModeInput = {
  eventName: 'push',
  ref: 'refs/heads/main',
  push: 'auto',
  blueprint: 'platform/temporal',
  chartVersion: '1.0.0',
  versionFromTag: false
}

const at = (overrides: Partial<ModeInput>) => decideMode({ ...base, ...overrides })

describe('decideMode', () => {
  type Row = [string, Partial<ModeInput>, 'validate' | 'publish' | 'skip']
  const table: Row[] = [
    ['PR validates', { eventName: 'pull_request', ref: 'refs/pull/7/merge' }, 'validate'],
    [
      'PR with push false validates',
      { eventName: 'pull_request', ref: 'refs/pull/7/merge', push: 'false' },
      'validate'
    ],
    ['PR with push true publishes', { eventName: 'pull_request', ref: 'refs/pull/7/merge', push: 'true' }, 'publish'],
    ['pull_request_target validates', { eventName: 'pull_request_target', ref: 'refs/heads/main' }, 'validate'],
    [
      'pull_request_target with push true publishes',
      { eventName: 'pull_request_target', ref: 'refs/heads/main', push: 'true' },
      'publish'
    ],
    [
      'PR even on a tag-looking ref validates',
      { eventName: 'pull_request', ref: 'refs/tags/platform/temporal/v1.0.0' },
      'validate'
    ],
    ['platform tag publishes (auto)', { ref: 'refs/tags/platform/temporal/v1.0.0' }, 'publish'],
    ['platform tag publishes (true)', { ref: 'refs/tags/platform/temporal/v1.0.0', push: 'true' }, 'publish'],
    [
      'platform tag with push false validates',
      { ref: 'refs/tags/platform/temporal/v1.0.0', push: 'false' },
      'validate'
    ],
    ['products tag publishes', { ref: 'refs/tags/products/shop/v1.0.0', blueprint: 'products/shop' }, 'publish'],
    ['bare v tag publishes', { ref: 'refs/tags/v1.0.0' }, 'publish'],
    [
      'prerelease tag publishes',
      { ref: 'refs/tags/platform/temporal/v1.0.0-rc.1', chartVersion: '1.0.0-rc.1' },
      'publish'
    ],
    ['build metadata tag publishes', { ref: 'refs/tags/v1.0.0+build.5', chartVersion: '1.0.0+build.5' }, 'publish'],
    ['tag of another platform blueprint skips', { ref: 'refs/tags/platform/cnpg/v1.0.0' }, 'skip'],
    ['tag of a products blueprint with the same name skips', { ref: 'refs/tags/products/temporal/v1.0.0' }, 'skip'],
    [
      'tag of another blueprint skips even with push true',
      { ref: 'refs/tags/platform/cnpg/v1.0.0', push: 'true' },
      'skip'
    ],
    ['non-release tag validates', { ref: 'refs/tags/nightly' }, 'validate'],
    ['non-release tag with push true publishes', { ref: 'refs/tags/nightly', push: 'true' }, 'publish'],
    ['branch push validates', { ref: 'refs/heads/main' }, 'validate'],
    ['branch push with push true publishes', { ref: 'refs/heads/main', push: 'true' }, 'publish'],
    ['branch push with push false validates', { ref: 'refs/heads/main', push: 'false' }, 'validate'],
    ['workflow_dispatch validates', { eventName: 'workflow_dispatch' }, 'validate'],
    ['workflow_dispatch with push true publishes', { eventName: 'workflow_dispatch', push: 'true' }, 'publish'],
    [
      'workflow_dispatch on a release tag still needs push true',
      { eventName: 'workflow_dispatch', ref: 'refs/tags/platform/temporal/v1.0.0' },
      'validate'
    ],
    ['schedule validates', { eventName: 'schedule' }, 'validate'],
    [
      'release event on a release tag publishes',
      { eventName: 'release', ref: 'refs/tags/platform/temporal/v1.0.0' },
      'publish'
    ]
  ]
  it.each(table)('%s', (_name, input, mode) => {
    const d = at(input)
    expect(d.mode).toBe(mode)
    expect(d.error).toBeUndefined()
    expect(d.reason.length).toBeGreaterThan(10)
  })

  it('explains a matching tag', () => {
    expect(at({ ref: 'refs/tags/platform/temporal/v1.0.0' }).reason).toBe(
      'tag platform/temporal/v1.0.0 matches Chart.yaml 1.0.0'
    )
    expect(at({ ref: 'refs/tags/platform/temporal/v1.0.0', push: 'false' }).reason).toContain('push: false')
  })

  it('says a tag for another blueprint is nothing to do', () => {
    const d = at({ ref: 'refs/tags/platform/cnpg/v2.0.0' })
    expect(d).toEqual({
      mode: 'skip',
      reason: 'tag platform/cnpg/v2.0.0 is for blueprint platform/cnpg, not platform/temporal: nothing to do'
    })
  })

  it('names both versions when tag and Chart.yaml disagree', () => {
    const d = at({ ref: 'refs/tags/platform/temporal/v1.0.1' })
    expect(d.mode).toBe('publish')
    expect(d.error).toContain('1.0.1')
    expect(d.error).toContain('1.0.0')
    expect(d.error).toContain('Chart.yaml')
    expect(at({ ref: 'refs/tags/v2.0.0' }).error).toMatch(/2\.0\.0.*1\.0\.0/)
    expect(at({ ref: 'refs/tags/platform/temporal/v1.0.0-rc.1' }).error).toMatch(/1\.0\.0-rc\.1.*1\.0\.0/)
  })

  it('takes the version from the tag with versionFromTag', () => {
    const d = at({ ref: 'refs/tags/platform/temporal/v1.2.3-rc.1+b7', versionFromTag: true })
    expect(d).toMatchObject({ mode: 'publish', version: '1.2.3-rc.1+b7' })
    expect(d.error).toBeUndefined()
    expect(d.reason).toContain('1.2.3-rc.1+b7')
  })

  it('sets no version for a matching tag without versionFromTag', () => {
    expect(at({ ref: 'refs/tags/platform/temporal/v1.0.0' }).version).toBeUndefined()
  })

  it('accepts blueprint paths with ./ and trailing slash, and nested monorepo folders', () => {
    expect(at({ ref: 'refs/tags/platform/temporal/v1.0.0', blueprint: './platform/temporal/' }).mode).toBe('publish')
    expect(at({ ref: 'refs/tags/platform/temporal/v1.0.0', blueprint: 'catalog/platform/temporal' }).mode).toBe(
      'publish'
    )
    expect(at({ ref: 'refs/tags/platform/temporal/v1.0.0', blueprint: 'platform/temporal-ui' }).mode).toBe('skip')
  })

  it('tolerates a leading v in Chart.yaml version', () => {
    expect(at({ ref: 'refs/tags/platform/temporal/v1.0.0', chartVersion: 'v1.0.0' }).error).toBeUndefined()
  })

  it('gives branch pushes a reason that names the branch', () => {
    expect(at({ ref: 'refs/heads/feature/x' }).reason).toContain('branch feature/x')
    expect(at({ ref: 'refs/heads/main', push: 'true' }).reason).toContain('push: true')
  })
})

describe('parseReleaseTag', () => {
  it('parses the three forms and rejects the rest', () => {
    expect(parseReleaseTag('platform/temporal/v1.2.3')).toEqual({
      tag: 'platform/temporal/v1.2.3',
      blueprint: 'platform/temporal',
      version: '1.2.3'
    })
    expect(parseReleaseTag('products/shop/v0.1.0-alpha.1')).toMatchObject({
      blueprint: 'products/shop',
      version: '0.1.0-alpha.1'
    })
    expect(parseReleaseTag('v10.20.30')).toMatchObject({ blueprint: undefined, version: '10.20.30' })
    for (const bad of [
      '1.2.3',
      'v1.2',
      'v01.2.3',
      'v1.2.3-',
      'platform/v1.2.3',
      'platform/a/b/v1.2.3',
      'other/a/v1.2.3',
      'platform/temporal/1.2.3',
      'vx.y.z'
    ]) {
      expect(parseReleaseTag(bad)).toBeUndefined()
    }
  })
})

describe('prContext', () => {
  const payload = { pull_request: { number: 42 }, repository: { name: 'platform', owner: { login: 'acme' } } }
  it('returns owner, repo and number for pull request events', () => {
    expect(prContext({ eventName: 'pull_request', payload })).toEqual({
      owner: 'acme',
      repo: 'platform',
      issueNumber: 42
    })
    expect(prContext({ eventName: 'pull_request_target', payload })).toEqual({
      owner: 'acme',
      repo: 'platform',
      issueNumber: 42
    })
  })
  it('falls back to context.repo', () => {
    expect(
      prContext({
        eventName: 'pull_request',
        payload: { pull_request: { number: 3 } },
        repo: { owner: 'o', repo: 'r' }
      })
    ).toEqual({ owner: 'o', repo: 'r', issueNumber: 3 })
    const throwing = {
      eventName: 'pull_request',
      payload: { pull_request: { number: 3 } },
      get repo(): { owner: string; repo: string } {
        throw new Error('context.repo requires a GITHUB_REPOSITORY')
      }
    }
    expect(prContext(throwing)).toBeUndefined()
  })
  it('is undefined for other events', () => {
    expect(prContext({ eventName: 'push', payload })).toBeUndefined()
    expect(prContext({ eventName: 'issue_comment', payload })).toBeUndefined()
    expect(prContext({ eventName: 'pull_request', payload: { repository: payload.repository } })).toBeUndefined()
  })
})

describe('decideMode tagVersion (what a version input must agree with)', () => {
  it('is set by a release tag of this blueprint or a bare vX.Y.Z tag on push', () => {
    expect(at({ eventName: 'push', ref: 'refs/tags/platform/temporal/v1.0.0' }).tagVersion).toBe('1.0.0')
    expect(at({ eventName: 'push', ref: 'refs/tags/v1.0.0' }).tagVersion).toBe('1.0.0')
    expect(at({ eventName: 'push', ref: 'refs/tags/platform/temporal/v1.0.7', versionFromTag: true }).tagVersion).toBe(
      '1.0.7'
    )
    expect(at({ eventName: 'push', ref: 'refs/tags/platform/temporal/v1.0.7' }).tagVersion).toBe('1.0.7')
  })

  it('is not set when no release tag decided the mode', () => {
    expect(
      at({ eventName: 'workflow_dispatch', ref: 'refs/tags/platform/other/v2.0.0', push: 'true' }).tagVersion
    ).toBeUndefined()
    expect(at({ eventName: 'push', ref: 'refs/tags/platform/other/v2.0.0' }).tagVersion).toBeUndefined()
    expect(at({ eventName: 'push', ref: 'refs/heads/main', push: 'true' }).tagVersion).toBeUndefined()
    expect(at({ eventName: 'push', ref: 'refs/tags/nightly', push: 'true' }).tagVersion).toBeUndefined()
  })
})
