// The stages of src/run/ as one run sees them (the bundled action, real helm, a real registry): a failed
// upstream step stops the publish exactly like a failed gate, although the upstream is resolved in another
// stage than the gates.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startChartRepo } from '../../testkit/chart-repo.mjs'
import { startRegistry } from '../../testkit/registry.mjs'
import { helmsUnderTest, makeWorkspace, runBundledAction } from '../support/e2e.js'

const [helm3, helm4] = helmsUnderTest()

describe('run stages', () => {
  let repo: Awaited<ReturnType<typeof startChartRepo>>
  let registry: Awaited<ReturnType<typeof startRegistry>>
  beforeAll(async () => {
    ;[repo, registry] = await Promise.all([startChartRepo({ helm: helm3.binary }), startRegistry()])
  })
  afterAll(async () => {
    await Promise.all([repo?.close(), registry?.stop()])
  })

  it.each([helm3, helm4])('$label: a release whose upstream step fails pushes nothing', async (helm) => {
    const ws = await makeWorkspace()
    try {
      // values.yaml's provenance disagrees with the Chart.yaml pin: an error on a release.
      const values = path.join(ws.chart, 'values.yaml')
      const text = await readFile(values, 'utf8')
      await writeFile(
        values,
        text.replace(/(catalystBlueprint:\n {2}upstream:\n(?: {4}.*\n)*? {4}version:) .*/, '$1 1.1.0')
      )
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: repo.url,
        eventName: 'push',
        ref: 'refs/tags/platform/temporal/v1.0.0',
        inputs: { registry: `${registry.oci}/stages`, 'plain-http': 'true', 'chart-tests': 'false' }
      })
      const steps = (run.report?.steps ?? []) as { id: string; status: string; summary: string }[]
      expect(steps.find((step) => step.id === 'resolve-upstream')?.status).toBe('failed')
      // The gates ran and passed: only the upstream step failed.
      expect(steps.find((step) => step.id === 'render')?.status).toBe('passed')
      expect(steps.find((step) => step.id === 'publish')).toMatchObject({
        status: 'skipped',
        summary: `a gate failed: nothing is pushed (would publish ${registry.oci}/stages/bp-temporal:1.0.0)`
      })
      expect(run.outputs.pushed).toBe('false')
      expect(run.exitCode).not.toBe(0)
      const tags = await fetch(`${registry.url}/v2/stages/bp-temporal/tags/list`)
      expect(tags.status).toBe(404)
    } finally {
      await ws.remove()
    }
  })
})
