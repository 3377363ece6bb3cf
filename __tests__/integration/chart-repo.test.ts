// The test chart repository (testkit/chart-repo.mjs) with real helm: index.yaml lists
// every packaged version with a digest, archives resolve relative to the repo URL.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'

import { startChartRepo } from '../../testkit/chart-repo.mjs'
import { parseIndex } from '../../src/chart/repository-index.js'
import { fastParseYaml } from '../../src/helm/render.js'
import { helmBinaries } from '../../testkit/helm-binaries.mjs'

type ChartRepo = Awaited<ReturnType<typeof startChartRepo>>
interface IndexEntry {
  name: string
  version: string
  appVersion?: string
  digest: string
  urls: string[]
}

const VERSIONS = ['1.1.0', '1.2.0', '1.3.0', '2.0.0-rc.1']

async function helm3(): Promise<string> {
  if (process.env.BP_TEST_HELM3) return process.env.BP_TEST_HELM3
  return (await helmBinaries()).v3
}

describe('chart repository test server', () => {
  let repo: ChartRepo

  beforeAll(async () => {
    repo = await startChartRepo({ helm: await helm3() })
  })

  afterAll(async () => {
    await repo?.close()
  })

  it('serves index.yaml listing the four versions with digests', async () => {
    expect(repo.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    const res = await fetch(`${repo.url}/index.yaml`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/yaml/)

    const index = parseYaml(await res.text()) as { apiVersion: string; entries: Record<string, IndexEntry[]> }
    expect(index.apiVersion).toBe('v1')
    const entries = index.entries.temporal
    expect(entries.map((e) => e.version).sort()).toEqual([...VERSIONS].sort())
    for (const entry of entries) {
      expect(entry.name).toBe('temporal')
      expect(entry.digest).toMatch(/^[0-9a-f]{64}$/)
      // Relative archive URLs by default.
      expect(entry.urls).toEqual([`temporal-${entry.version}.tgz`])
    }
    expect(entries.find((e) => e.version === '1.2.0')?.appVersion).toBe('1.28.1')
    expect(repo.versions).toEqual(VERSIONS)
  })

  it("reads helm's index.yaml without the yaml library, as the library reads it (parseIndex)", async () => {
    const text = await (await fetch(`${repo.url}/index.yaml`)).text()
    // helm writes a plain index: the fast reader takes it, and gives the library's entries.
    expect(fastParseYaml(text)).toBeDefined()
    expect(parseIndex(text, `${repo.url}/index.yaml`)).toEqual((parseYaml(text) as { entries: unknown }).entries)
  })

  it('resolves a relative archive URL to the gzip archive the index describes', async () => {
    const index = parseYaml(await (await fetch(`${repo.url}/index.yaml`)).text()) as {
      entries: Record<string, IndexEntry[]>
    }
    const entry = index.entries.temporal.find((e) => e.version === '1.2.0')!
    const archiveUrl = new URL(entry.urls[0], `${repo.url}/`).href

    const res = await fetch(archiveUrl)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('application/gzip')
    const body = Buffer.from(await res.arrayBuffer())
    expect([body[0], body[1]]).toEqual([0x1f, 0x8b])
    expect(createHash('sha256').update(body).digest('hex')).toBe(entry.digest)
  })

  it('answers 404 for unknown paths and records every request', async () => {
    const before = repo.requests.length
    expect((await fetch(`${repo.url}/temporal-9.9.9.tgz`)).status).toBe(404)
    expect((await fetch(`${repo.url}/`)).status).toBe(404)
    expect(repo.requests.slice(before)).toEqual([
      { method: 'GET', url: '/temporal-9.9.9.tgz' },
      { method: 'GET', url: '/' }
    ])
  })

  it('injects failures until the hook is cleared', async () => {
    repo.setFailure((req) => (req.url.endsWith('.tgz') ? 500 : null))
    try {
      expect((await fetch(`${repo.url}/temporal-1.2.0.tgz`)).status).toBe(500)
      expect((await fetch(`${repo.url}/index.yaml`)).status).toBe(200)
    } finally {
      repo.setFailure(null)
    }
    expect((await fetch(`${repo.url}/temporal-1.2.0.tgz`)).status).toBe(200)
  })

  it('removes its temp dir on close', async () => {
    const other = await startChartRepo({ helm: await helm3(), versions: ['0.1.0'] })
    expect(existsSync(other.dir)).toBe(true)
    await other.close()
    expect(existsSync(other.dir)).toBe(false)
  })
})
