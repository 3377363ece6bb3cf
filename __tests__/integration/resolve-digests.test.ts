// resolve-digests: an unpinned image's exact pinned reference, looked up in the
// image's own registry (a real one on loopback), is data of the images step that
// the report puts into the fix.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { helmsUnderTest, makeWorkspace, pushTestImage, runBundledAction } from '../support/e2e.js'
import { useServers } from '../support/servers.js'

const [helm] = helmsUnderTest()

describe('resolve-digests', () => {
  // The registry holds the images the chart names (nothing is published here).
  const servers = useServers(helm)
  let ws: Awaited<ReturnType<typeof makeWorkspace>>
  let digest: string

  beforeAll(async () => {
    ws = await makeWorkspace()
    digest = await pushTestImage(servers.registry.url, 'team/worker', '2.4.1')
    await writeFile(
      path.join(ws.chart, 'templates', 'worker.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: worker',
        'spec:',
        '  selector: { matchLabels: { app: worker } }',
        '  template:',
        '    metadata: { labels: { app: worker } }',
        '    spec:',
        '      containers:',
        '        - name: worker',
        `          image: ${servers.registry.host}/team/worker:2.4.1`,
        '        - name: missing',
        `          image: ${servers.registry.host}/team/ghost:9.9.9`,
        ''
      ].join('\n')
    )
  })
  afterAll(async () => {
    await ws?.remove()
  })

  it('records the registry digest of the tag as data of the images step, which the report fills into the fix; a failed lookup says why', async () => {
    const run = await runBundledAction({
      helm,
      workspace: ws.dir,
      repoUrl: servers.repo.url,
      inputs: { 'resolve-digests': 'true', push: 'false' }
    })
    expect(run.exitCode).not.toBe(0)
    const step = run.report.steps.find((s: { id: string }) => s.id === 'images')
    expect(step.status).toBe('failed')
    const byImage = new Map(step.data.images.map((i: { image: string }) => [i.image, i]))
    expect(byImage.get(`${servers.registry.host}/team/worker:2.4.1`)).toMatchObject({
      pinned: `${servers.registry.host}/team/worker:2.4.1@${digest}`
    })
    expect((byImage.get(`${servers.registry.host}/team/ghost:9.9.9`) as { pinError?: string }).pinError).toMatch(
      /team\/ghost:9\.9\.9 is not in/
    )
    // The finding itself is the images gate's: no other step rewrites its text.
    expect(JSON.stringify(step.findings)).not.toContain(digest)
    // The report fills the digest into the copy-paste fix, and says why the other lookup failed.
    expect(run.summary).toContain(`${servers.registry.host}/team/worker:2.4.1@${digest}`)
    expect(run.summary).toContain(`${servers.registry.host}/team/ghost:9.9.9@sha256:<digest>`)
    expect(run.summary).toMatch(/digest lookup failed: [^|]*team\/ghost:9\.9\.9 is not in/)
  })

  it('without the input, no registry is asked', async () => {
    const run = await runBundledAction({
      helm,
      workspace: ws.dir,
      repoUrl: servers.repo.url,
      inputs: { push: 'false' }
    })
    const step = run.report.steps.find((s: { id: string }) => s.id === 'images')
    expect(step.findings.map((f: { fix?: string }) => f.fix ?? '').join('\n')).not.toContain(digest)
  })
})
