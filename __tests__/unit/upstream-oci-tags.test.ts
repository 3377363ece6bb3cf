// Upstream resolution against an OCI registry whose tag list is too large to read (issue 23.10): resolveUpstream on a
// copy of the example blueprint pointed at oci://127.0.0.1:PORT/deps, served in-process (a manifest per version, a tag
// list that is endless pages, or one page over 16 MiB). No helm; the bundled action on a real registry is in
// integration/upstream-resolution.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { findUpstream, loadBlueprint } from '../../src/chart/blueprint.js'
import { resolveUpstream, type UpstreamResolution } from '../../src/chart/upstream.js'
import { makeWorkspace, pointChartAt } from '../support/e2e.js'

type TagList = 'small' | 'endless pages' | 'one huge page'

const RELEASES = ['1.1.0', '1.2.0', '1.3.0']
let tagList: TagList = 'small'
const tagRequests: string[] = []

let server: http.Server
let oci: string

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry')
    const manifest = /^\/v2\/deps\/temporal\/manifests\/([^/]+)$/.exec(url.pathname)
    if (manifest) {
      if (!RELEASES.includes(manifest[1])) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"errors":[{"code":"MANIFEST_UNKNOWN"}]}')
        return
      }
      res
        .writeHead(200, {
          'content-type': 'application/vnd.oci.image.manifest.v1+json',
          'docker-content-digest': `sha256:${'a'.repeat(64)}`
        })
        .end(req.method === 'HEAD' ? undefined : '{}')
      return
    }
    if (url.pathname === '/v2/deps/temporal/tags/list') {
      tagRequests.push(url.search)
      if (tagList === 'small') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tags: RELEASES }))
      } else if (tagList === 'endless pages') {
        const page = Number(url.searchParams.get('page') ?? 0)
        res
          .writeHead(200, {
            'content-type': 'application/json',
            link: `</v2/deps/temporal/tags/list?page=${page + 1}>; rel="next"`
          })
          .end(JSON.stringify({ tags: [`0.0.${page}`] }))
      } else {
        // 17 MiB of build tags: over the client's 16 MiB bound for one JSON answer.
        const tags = Array.from({ length: 600_000 }, (_, i) => `0.1.0-build.${String(i).padStart(16, '0')}`)
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ tags }))
      }
      return
    }
    res.writeHead(404).end()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  oci = `oci://127.0.0.1:${(server.address() as AddressInfo).port}/deps`
})
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
})

/** Resolves the example blueprint's temporal dependency pinned as `version`, against the in-process registry. */
async function resolve(version: string, list: TagList): Promise<UpstreamResolution> {
  tagList = list
  tagRequests.length = 0
  const ws = await makeWorkspace()
  try {
    await pointChartAt(ws.chart, oci)
    const chartYaml = `${ws.chart}/Chart.yaml`
    const { readFile, writeFile, rm } = await import('node:fs/promises')
    await writeFile(chartYaml, (await readFile(chartYaml, 'utf8')).replace(/version: 1\.2\.0/, `version: ${version}`))
    await rm(`${ws.chart}/Chart.lock`, { force: true })
    const blueprint = await loadBlueprint(ws.dir, 'platform/temporal', 'platform/temporal/chart')
    const { dependency, index } = findUpstream(blueprint, 'temporal')
    return await resolveUpstream({
      blueprint,
      dependency,
      dependencyIndex: index,
      override: '',
      mirrors: [],
      plainHttp: true
    })
  } finally {
    await ws.remove()
  }
}

describe('an OCI upstream whose tag list is too large to read', () => {
  it('a small list: the exact pin 1.2.0 resolves and its drift is reported (1.3.0 available)', async () => {
    const r = await resolve('1.2.0', 'small')
    expect(r.info).toMatchObject({ resolved: '1.2.0', latest: '1.3.0', outdated: true })
    expect(r.step.status).toBe('passed')
    expect(r.step.findings.map((f) => f.rule)).toEqual(['upstream-outdated'])
  })

  it.each<TagList>(['endless pages', 'one huge page'])(
    '%s: the exact pin 1.2.0 resolves by its tag, and the drift report is a warning at the pin',
    async (list) => {
      const r = await resolve('1.2.0', list)
      expect(r.step.status).toBe('passed')
      expect(r.info).toMatchObject({ resolved: '1.2.0', outdated: false })
      expect(r.info.latest).toBeUndefined()
      expect(r.step.summary).toBe('1.2.0 pinned, newer releases unknown (tag list too large)')
      const [finding, ...rest] = r.step.findings
      expect(rest).toEqual([])
      expect(finding).toMatchObject({
        rule: 'upstream-drift-unknown',
        severity: 'warning',
        file: 'platform/temporal/chart/Chart.yaml'
      })
      expect(finding.line).toBeGreaterThan(0)
      expect(finding.message).toMatch(
        list === 'endless pages'
          ? /^temporal 1\.2\.0 is pinned and exists in oci:\/\/127\.0\.0\.1:\d+\/deps\/temporal, but whether a newer release is out is unknown: Registry 127\.0\.0\.1:\d+ returned more than 1000 pages of tags for deps\/temporal\.$/
          : /^temporal 1\.2\.0 is pinned and exists in .*: Registry 127\.0\.0\.1:\d+: GET \S+\/tags\/list: response body larger than 16777216 bytes\.$/
      )
    },
    60_000
  )

  it('a range (~1.2) cannot be resolved without the list: a clear error that says to pin an exact version', async () => {
    const error = (await resolve('~1.2', 'one huge page').then(
      () => new Error('resolved'),
      (e: unknown) => e
    )) as Error & { hint?: string }
    expect(error.message).toMatch(/response body larger than 16777216 bytes\. A version range needs the list/)
    expect(error.hint).toMatch(/pin an exact version in Chart\.yaml/)
  })

  it('an exact pin the registry does not have, with a list too large to read, fails naming the tag', async () => {
    const error = (await resolve('1.2.9', 'endless pages').then(
      () => new Error('resolved'),
      (e: unknown) => e
    )) as Error
    expect(error.message).toMatch(
      /^oci:\/\/127\.0\.0\.1:\d+\/deps\/temporal has no tag 1\.2\.9, and its tag list is too large to read/
    )
  })
})
