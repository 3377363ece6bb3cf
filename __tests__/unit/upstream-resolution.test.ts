// Upstream version resolution as a decision: resolveUpstream on a copy of the example blueprint
// against an index.yaml served in-process on 127.0.0.1 (the stand-in repository's versions), no helm,
// no registry. Ranges, the upstream-version override, drift and the values.yaml agreement; what the
// published artifact bundles is checked end to end in integration/upstream-resolution.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { findUpstream, loadBlueprint } from '../../src/chart/blueprint.js'
import { resolveUpstream, type UpstreamResolution } from '../../src/chart/upstream.js'
import { DEFAULT_VERSIONS } from '../../testkit/chart-repo.mjs'
import { makeWorkspace, pointChartAt } from '../support/e2e.js'
import { pinUpstream, provenanceVersion, type Workspace } from '../support/publishing.js'

// The stand-in repository's releases (three and a prerelease), as its index.yaml lists them.
const INDEX = [
  'apiVersion: v1',
  'entries:',
  '  temporal:',
  ...DEFAULT_VERSIONS.flatMap((version) => [
    `    - name: temporal`,
    `      version: ${version}`,
    `      urls: [temporal-${version}.tgz]`
  ]),
  ''
].join('\n')

let server: http.Server
let repoUrl: string

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/index.yaml') res.writeHead(200, { 'content-type': 'application/x-yaml' }).end(INDEX)
    else res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  repoUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

interface Case {
  edit?: (ws: Workspace) => Promise<void>
  override?: string
  publishing?: boolean
}

/** Resolves the example blueprint's temporal dependency after `edit`, as a run with these inputs would. */
async function resolve({ edit, override = '', publishing = true }: Case = {}): Promise<UpstreamResolution> {
  const ws = await makeWorkspace()
  try {
    await pointChartAt(ws.chart, repoUrl) // as every run does: the chart names the loopback repository
    await edit?.(ws)
    const blueprint = await loadBlueprint(ws.dir, 'platform/temporal', 'platform/temporal/chart')
    const { dependency, index } = findUpstream(blueprint, 'temporal')
    return await resolveUpstream({
      blueprint,
      dependency,
      dependencyIndex: index,
      override,
      publishing,
      mirrors: [],
      plainHttp: true
    })
  } finally {
    await ws.remove()
  }
}

describe('a range in Chart.yaml', () => {
  // values: what values.yaml catalystBlueprint.upstream.version holds for the run —
  // with a range it must be the resolved version, or absent.
  it.each([
    { range: '~1.2', expected: '1.2.0', values: '1.2.0' },
    { range: '^1', expected: '1.3.0', values: undefined },
    { range: '>=1.2 <2', expected: '1.3.0', values: '1.3.0' },
    // 2.0.0-rc.1 is higher, but a prerelease only matches a range that names one
    { range: '>=1.2', expected: '1.3.0', values: '1.3.0' },
    { range: '1.1.0 || 1.3.0', expected: '1.3.0', values: undefined },
    { range: '>=2.0.0-0', expected: '2.0.0-rc.1', values: '2.0.0-rc.1' }
  ])('$range resolves to $expected', async ({ range, expected, values }) => {
    const resolution = await resolve({
      edit: async (ws) => {
        await pinUpstream(ws, range)
        await provenanceVersion(ws, values)
      }
    })
    expect(resolution.step.status).toBe('passed')
    expect(resolution.info).toMatchObject({ pinned: range, resolved: expected, latest: '1.3.0' })
    expect(resolution.step.summary).toContain(`${range} resolves to ${expected}`)
    expect(resolution.step.findings.filter((f) => f.severity === 'error')).toEqual([])
  })

  it('with values.yaml still naming the old version fails (the version is bumped in both places)', async () => {
    const resolution = await resolve({ edit: (ws) => pinUpstream(ws, '^1') }) // → 1.3.0; values.yaml keeps 1.2.0
    expect(resolution.step.status).toBe('failed')
    const messages = resolution.step.findings.filter((f) => f.severity === 'error').map((f) => f.message)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toContain('platform/temporal/chart/values.yaml catalystBlueprint.upstream.version is "1.2.0"')
    expect(messages[0]).toContain(
      'platform/temporal/chart/Chart.yaml dependency temporal version resolves to "1.3.0" (pinned "^1")'
    )
  })
})

describe('drift', () => {
  it('1.2.0 pinned while 1.3.0 is out is outdated, with a notice at the pin; a prerelease is no "latest"', async () => {
    const resolution = await resolve({ publishing: false })
    expect(resolution.info).toMatchObject({ pinned: '1.2.0', resolved: '1.2.0', latest: '1.3.0', outdated: true })
    expect(resolution.step.summary).toBe('1.2.0 pinned, 1.3.0 available')
    expect(resolution.step.findings).toEqual([
      expect.objectContaining({
        rule: 'upstream-outdated',
        severity: 'notice',
        file: 'platform/temporal/chart/Chart.yaml'
      })
    ])
  })
})

describe('input upstream-version', () => {
  it('latest picks 1.3.0 and says it is an override', async () => {
    const resolution = await resolve({ override: 'latest', edit: (ws) => provenanceVersion(ws, '1.3.0') })
    expect(resolution.info).toMatchObject({ pinned: '1.2.0', resolved: '1.3.0', override: 'latest', outdated: false })
    expect(resolution.step.summary).toBe('1.3.0 (override "latest"; Chart.yaml pins 1.2.0), up to date')
    expect(resolution.step.findings).toEqual([])
  })

  it('an override whose values.yaml provenance disagrees warns when validating, and fails when publishing', async () => {
    const validating = await resolve({ override: 'latest', publishing: false })
    expect(validating.step.status).toBe('passed')
    expect(validating.step.findings).toEqual([
      expect.objectContaining({ rule: 'upstream-consistency', severity: 'warning' })
    ])

    const publishing = await resolve({ override: 'latest', publishing: true })
    expect(publishing.step.status).toBe('failed')
    expect(publishing.step.findings).toEqual([
      expect.objectContaining({
        rule: 'upstream-consistency',
        severity: 'error',
        message: expect.stringMatching(/catalystBlueprint\.upstream\.version is "1\.2\.0"/)
      })
    ])
  })

  it('1.1.0 picks 1.1.0 (an older one)', async () => {
    const resolution = await resolve({ override: '1.1.0', edit: (ws) => provenanceVersion(ws, '1.1.0') })
    expect(resolution.step.status).toBe('passed')
    expect(resolution.info).toMatchObject({ resolved: '1.1.0', override: '1.1.0' })
  })

  it('matching no release fails naming the input, the range and the newest versions', async () => {
    await expect(resolve({ override: '>=3' })).rejects.toThrow(
      `input upstream-version: no temporal release in ${repoUrl}/index.yaml satisfies ">=3" (newest: 2.0.0-rc.1, 1.3.0, 1.2.0, 1.1.0)`
    )
  })
})

describe('values.yaml catalystBlueprint.upstream.version', () => {
  it('disagreeing with Chart.yaml fails, naming both files and values', async () => {
    const resolution = await resolve({ edit: (ws) => provenanceVersion(ws, '1.1.0') })
    expect(resolution.step.status).toBe('failed')
    const [message, ...more] = resolution.step.findings.filter((f) => f.severity === 'error').map((f) => f.message)
    expect(more).toEqual([])
    expect(message).toContain('platform/temporal/chart/values.yaml catalystBlueprint.upstream.version is "1.1.0"')
    expect(message).toContain('platform/temporal/chart/Chart.yaml dependency temporal version resolves to "1.2.0"')
  })
})
