// A repository's index.yaml is fetched once per run: the library check (which
// dependency is the upstream, when nothing names it), the upstream resolution
// and the dependency build read the same copy. Counted at the real loopback
// chart repository, with the bundled action on the users' path (no mirrors).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startChartRepo } from '../../testkit/chart-repo.mjs'
import { failureMessage, FAST, helmsUnderTest, runBundledAction, withWorkspace } from '../support/e2e.js'

describe.each(helmsUnderTest())('$label: index.yaml once per run', (helm) => {
  let repo: Awaited<ReturnType<typeof startChartRepo>>

  beforeAll(async () => {
    repo = await startChartRepo({ helm: helm.binary })
  })
  afterAll(async () => {
    await repo?.close()
  })

  const indexGets = (): number =>
    repo.requests.filter((r) => r.method === 'GET' && r.url.endsWith('/index.yaml')).length

  it('when nothing names the upstream: library check, resolution and build share one fetch', async () => {
    await withWorkspace(async (ws) => {
      // Without catalystBlueprint.upstream.chart the action asks the index which dependencies are libraries.
      const values = path.join(ws.chart, 'values.yaml')
      const text = await readFile(values, 'utf8')
      await writeFile(values, text.replace(/^ {4}chart: temporal$/m, '    # chart: temporal'))
      const before = indexGets()
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: repo.url, inputs: { ...FAST } })
      expect(failureMessage(run)).toBe('')
      const upstream = (run.report?.steps ?? []).find((s: { id: string }) => s.id === 'resolve-upstream')
      expect(upstream?.status).toBe('passed')
      expect(indexGets() - before).toBe(1)
    })
  })
})
