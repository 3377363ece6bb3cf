// A pull request knows what merging publishes: the bundled action under both helms against the real registry (behind
// a recording proxy that counts what the preview asks) and the loopback chart repository. A PR that changes the chart
// without a bump fails naming Chart.yaml's and blueprint.yaml's version lines; a PR with a bump says "merging
// publishes"; a PR that changes nothing published is a notice; an unreachable registry is a warning, never a failure.
// The preview costs one request when the version is new or published with the same content.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { freePort, startFaultProxy } from '../../testkit/registry.mjs'
import { FAST, helmsUnderTest, prPayload, runBundledAction, withWorkspace, type ActionRun } from '../support/e2e.js'
import { expectSuccess, publisher, registryTags, step, type FaultProxy, type Workspace } from '../support/publishing.js'
import { useServers } from '../support/servers.js'

const verdictOf = (run: ActionRun): string | undefined =>
  run.summary.split('\n').find((line: string) => line.startsWith('### '))

async function edit(file: string, from: RegExp, to: string): Promise<void> {
  const text = await readFile(file, 'utf8')
  expect(text).toMatch(from)
  await writeFile(file, text.replace(from, to))
}

/** Bumps the example to `version` in Chart.yaml and in blueprint.yaml together, as a maintainer would. */
async function bump(ws: Workspace, version: string): Promise<void> {
  await edit(path.join(ws.chart, 'Chart.yaml'), /^version: .*$/m, `version: ${version}`)
  await edit(path.join(ws.dir, 'platform/temporal/blueprint.yaml'), /^ {2}version: .*$/m, `  version: ${version}`)
}

describe.each(helmsUnderTest())('the publish preview of a pull request with $label', (helm) => {
  const servers = useServers(helm)
  let proxy: FaultProxy
  beforeAll(async () => {
    proxy = await startFaultProxy({ target: servers.registry.url })
  })
  afterAll(async () => {
    await proxy?.stop()
  })

  const repository = `preview-${helm.version}`
  function pullRequest(ws: Workspace, registry: string, inputs: Record<string, string> = {}): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace: ws.dir,
      repoUrl: servers.repo.url,
      eventName: 'pull_request',
      ref: 'refs/pull/9/merge',
      payload: prPayload(9),
      inputs: { ...FAST, diff: 'false', registry, 'plain-http': 'true', ...inputs }
    })
  }
  /** The preview's requests: the proxy sees nothing else of a pull request's run (the upstream chart is http). */
  async function counted(run: () => Promise<ActionRun>): Promise<{ run: ActionRun; requests: string[] }> {
    proxy.requests.length = 0
    const result = await run()
    return { run: result, requests: proxy.requests.map((r) => `${r.method} ${r.path} ${r.status}`) }
  }

  it('no bump: an error naming both version lines; same content: a notice; a bump: "merging publishes"', async () => {
    await withWorkspace(async (ws) => {
      // What main published: the example at 1.0.0.
      const published = await publisher(helm, servers)(ws, `${servers.registry.oci}/${repository}`)
      expectSuccess(published)
      const viaProxy = `${proxy.oci}/${repository}`
      const ref = `${viaProxy}/bp-temporal`

      // A pull request that changes nothing published: one request, a notice, the check passes.
      const same = await counted(() => pullRequest(ws, viaProxy))
      expectSuccess(same.run)
      expect(same.requests).toEqual([`GET /v2/${repository}/bp-temporal/manifests/1.0.0 200`])
      expect(step(same.run, 'publish-preview')).toMatchObject({
        status: 'passed',
        findings: [expect.objectContaining({ severity: 'notice' })]
      })
      expect(same.run.report.publish.preview).toMatchObject({ state: 'same', ref: `${ref}:1.0.0` })
      // (The example has one expected warning of its own: the schema gate's CNPG Cluster, whose CRD is bp-cnpg's.)
      expect(verdictOf(same.run)).toMatch(
        /^### ✅ bp-temporal 1\.0\.0 passed( with \d+ warnings?)? · already published, nothing to publish$/
      )

      // The chart changes, the version does not: the release would refuse it, so the PR fails now.
      await edit(path.join(ws.chart, 'values.yaml'), /^catalystOverlay:$/m, '# a change\ncatalystOverlay:')
      const stale = await counted(() => pullRequest(ws, viaProxy))
      expect(stale.run.exitCode).toBe(1)
      const preview = step(stale.run, 'publish-preview')
      expect(preview.status).toBe('failed')
      expect(preview.findings).toEqual([
        expect.objectContaining({
          severity: 'error',
          file: 'platform/temporal/chart/Chart.yaml',
          line: 7,
          message: expect.stringMatching(
            new RegExp(
              `^${ref.replace(/[.:/]/g, '\\$&')}:1\\.0\\.0 is already published as sha256:[0-9a-f]{64} with other content \\(differing: bp-temporal/values\\.yaml\\)`
            )
          ),
          fix: 'bump version in platform/temporal/chart/Chart.yaml:7 to 1.0.1 (the next patch version not published), and spec.version in platform/temporal/blueprint.yaml:10 with it'
        })
      ])
      expect(verdictOf(stale.run)).toBe(
        `### ❌ bp-temporal 1.0.0 failed: Publish preview · \`${ref}:1.0.0\` is already published with other content`
      )
      expect(stale.run.annotations).toContainEqual(
        expect.objectContaining({ level: 'error', file: 'platform/temporal/chart/Chart.yaml', line: '7' })
      )
      // The other gates ran, and nothing was written to the registry.
      expect(step(stale.run, 'lint').status).toBe('passed')
      // Only then more than the one request: the published archive pulled to compare files (its manifest and layer
      // asked together), and the tags for the free version; all reads.
      expect(stale.requests).toHaveLength(4)
      expect(stale.requests[0]).toBe(`GET /v2/${repository}/bp-temporal/manifests/1.0.0 200`)
      expect(stale.requests.slice(1).sort()).toEqual([
        expect.stringMatching(new RegExp(`^GET /v2/${repository}/bp-temporal/blobs/sha256:[0-9a-f]{64} 200$`)),
        expect.stringMatching(new RegExp(`^GET /v2/${repository}/bp-temporal/manifests/sha256:[0-9a-f]{64} 200$`)),
        `GET /v2/${repository}/bp-temporal/tags/list 200`
      ])

      // Bumped together: the version is free, one request, and the verdict says what merging publishes.
      await bump(ws, '1.0.1')
      const bumped = await counted(() => pullRequest(ws, viaProxy))
      expectSuccess(bumped.run)
      expect(bumped.requests).toEqual([`GET /v2/${repository}/bp-temporal/manifests/1.0.1 404`])
      expect(verdictOf(bumped.run)).toMatch(
        /^### ✅ bp-temporal 1\.0\.1 passed( with \d+ warnings?)? · merging publishes `[^`]+`$/
      )
      expect(verdictOf(bumped.run)).toContain(`· merging publishes \`${ref}:1.0.1\``)
      // Said once on the first screen (above the folded details): the verdict line, not a line of its own again.
      const firstScreen = bumped.run.summary.split('<details>')[0]
      expect(firstScreen.split(`${ref}:1.0.1`)).toHaveLength(2)
      expect(await registryTags(servers.registry.url, `${repository}/bp-temporal`)).toEqual(['1.0.0'])
    })
  })

  it('an unreachable registry is a warning; the check still passes', async () => {
    await withWorkspace(async (ws) => {
      const closed = `oci://127.0.0.1:${await freePort()}/nothing-here`
      const run = await pullRequest(ws, closed)
      expectSuccess(run)
      const preview = step(run, 'publish-preview')
      expect(preview.status).toBe('warning')
      expect(preview.findings[0].message).toMatch(/^publish preview: Registry 127\.0\.0\.1:\d+ is unavailable/)
      expect(verdictOf(run)).toMatch(/· publish preview unavailable \(registry not reachable\)$/)
    })
  })
})
