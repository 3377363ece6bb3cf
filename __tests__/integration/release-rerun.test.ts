// A release re-run of the same commit: the same tag run twice (GitHub's "Re-run jobs", or a
// second push of the tag) packages the same bytes, finds them published and exits 0 with
// pushed=false — with and without a committed Chart.lock, under helm 3 and helm 4. A committed
// Chart.lock is what is built and shipped; one that does not fit Chart.yaml stops a release.
// Mirrors and an OCI upstream: release-sources.test.ts.
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { startChartRepo } from '../../testkit/chart-repo.mjs'
import {
  FAST,
  failureMessage,
  helmsUnderTest,
  pointChartAt,
  pull,
  runBundledAction,
  withWorkspace
} from '../support/e2e.js'
import { expectSuccess } from '../support/publishing.js'
import { COMMIT_TIME, commitWorkspace, helmIn, lockWithHelm, pulledFile, releaser, stepOf } from '../support/release.js'
import { useServers } from '../support/servers.js'

describe.each(helmsUnderTest())('release re-run of one commit with $label', (helm) => {
  const servers = useServers(helm)
  const { release, twice } = releaser(helm)

  it('without a Chart.lock: the second run of the tag pushes nothing, same digest; the archive and the packaged lock carry the commit time', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, servers.repo.url)
      await commitWorkspace(ws.dir)
      // Without SOURCE_DATE_EPOCH, the two runs (more than a second apart) package at the commit time.
      const [first] = await twice(ws.dir, servers.repo.url, `${servers.registry.oci}/nolock`)
      await pull(helm, `${servers.registry.oci}/nolock/bp-temporal@${first.outputs.digest}`, async (pulled) => {
        expect(new Set(pulled.mtimes.values())).toEqual(new Set([COMMIT_TIME]))
        const lock = await pulled.read('bp-temporal/Chart.lock')
        expect(lock).toMatch(/^generated: "2024-08-01T00:00:00Z"$/m)
        expect(lock).toContain(`repository: ${servers.repo.url}`)
      })
    })
  })

  it('with a committed Chart.lock: it is built from and shipped as committed; the second run pushes nothing', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, servers.repo.url)
      const lock = (await lockWithHelm(helm, ws.chart)).replace(/^generated:.*$/m, 'generated: "2023-03-03T03:03:03Z"')
      await writeFile(path.join(ws.chart, 'Chart.lock'), lock)
      await commitWorkspace(ws.dir)
      const [first] = await twice(ws.dir, servers.repo.url, `${servers.registry.oci}/lock`)
      expect(stepOf(first, 'chart-lock')).toBeUndefined()
      const shipped = await pulledFile(
        helm,
        `${servers.registry.oci}/lock/bp-temporal@${first.outputs.digest}`,
        'bp-temporal/Chart.lock'
      )
      expect(shipped).toMatch(/^generated: "2023-03-03T03:03:03Z"$/m)
      expect(shipped.match(/^digest: .*$/m)?.[0]).toBe(lock.match(/^digest: .*$/m)?.[0])
    })
  })

  it('a committed Chart.lock pins what is bundled and reported, even when newer releases in the range appeared since', async () => {
    const lockRepo = await startChartRepo({ helm: helm.binary, versions: ['1.1.0'] })
    try {
      await withWorkspace(async (ws) => {
        await pointChartAt(ws.chart, lockRepo.url)
        const chartYaml = path.join(ws.chart, 'Chart.yaml')
        await writeFile(
          chartYaml,
          (await readFile(chartYaml, 'utf8')).replace(
            'version: 1.2.0\n    repository',
            'version: ^1.1.0\n    repository'
          )
        )
        const valuesYaml = path.join(ws.chart, 'values.yaml')
        await writeFile(
          valuesYaml,
          (await readFile(valuesYaml, 'utf8')).replace(
            /(catalystBlueprint:\n {2}upstream:\n {4}chart: temporal\n {4}version: )1\.2\.0/,
            '$11.1.0'
          )
        )
        // Locked while 1.1.0 was the only release …
        const lock = await lockWithHelm(helm, ws.chart)
        expect(lock).toContain('version: 1.1.0')
        await writeFile(path.join(ws.chart, 'Chart.lock'), lock)
        // … then 1.2.0 and 1.3.0 were released into the same repository.
        for (const archive of servers.repo.archives.filter((a) => ['1.2.0', '1.3.0'].includes(a.version))) {
          await writeFile(path.join(lockRepo.dir, archive.file), await readFile(archive.path))
        }
        await helmIn(helm, path.join(path.dirname(lockRepo.dir), 'index-home'), ['repo', 'index', lockRepo.dir])
        await commitWorkspace(ws.dir)
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: lockRepo.url,
          inputs: { ...FAST, push: 'false' }
        })
        expectSuccess(run)
        expect(stepOf(run, 'dependency-build')?.data?.built).toEqual({ temporal: '1.1.0' })
        expect(run.outputs['upstream-version']).toBe('1.1.0')
        expect(run.outputs['upstream-latest']).toBe('1.3.0')
      })
    } finally {
      await lockRepo.close()
    }
  })

  it('a Chart.lock that does not fit Chart.yaml stops the release (nothing pushed) and only warns on a PR', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, servers.repo.url)
      const chartYaml = path.join(ws.chart, 'Chart.yaml')
      const original = await readFile(chartYaml, 'utf8')
      // A lock of 1.1.0, then Chart.yaml moved on to 1.2.0 without `helm dependency update`.
      await writeFile(chartYaml, original.replace('version: 1.2.0\n    repository', 'version: 1.1.0\n    repository'))
      const lock = await lockWithHelm(helm, ws.chart)
      await writeFile(path.join(ws.chart, 'Chart.lock'), lock)
      await writeFile(chartYaml, original)
      await commitWorkspace(ws.dir)

      const released = await release(ws.dir, servers.repo.url, `${servers.registry.oci}/stale`)
      expect(released.exitCode).not.toBe(0)
      expect(released.outputs.pushed).toBe('false')
      expect(stepOf(released, 'chart-lock')?.findings).toHaveLength(1)
      const finding = stepOf(released, 'chart-lock')?.findings[0]
      expect(finding).toMatchObject({
        rule: 'chart-lock',
        severity: 'error',
        file: 'platform/temporal/chart/Chart.lock'
      })
      expect(finding?.message).toContain('locks temporal 1.1.0')
      expect(finding?.fix).toMatch(
        /helm dependency update platform\/temporal\/chart.*commit Chart\.lock, or delete Chart\.lock/
      )
      expect(failureMessage(released)).toContain('Chart.lock')
      expect((await fetch(`${servers.registry.url}/v2/stale/bp-temporal/tags/list`)).status).toBe(404)

      const validated = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { ...FAST, push: 'false' }
      })
      expectSuccess(validated)
      expect(stepOf(validated, 'chart-lock')).toMatchObject({
        status: 'warning',
        findings: [expect.objectContaining({ severity: 'warning' })]
      })
      expect(stepOf(validated, 'dependency-build')?.data?.built).toEqual({ temporal: '1.2.0' })
      // The user's lock is left alone by both runs.
      expect(await readFile(path.join(ws.chart, 'Chart.lock'), 'utf8')).toBe(lock)
    })
  })

  it('a lock helm finds out of sync (same version, another range) is a finding too, named as helm reports it', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, servers.repo.url)
      const chartYaml = path.join(ws.chart, 'Chart.yaml')
      await writeFile(path.join(ws.chart, 'Chart.lock'), await lockWithHelm(helm, ws.chart))
      // 1.2.0 still satisfies ~1.2.0, but the lock's digest is over the old list.
      await writeFile(
        chartYaml,
        (await readFile(chartYaml, 'utf8')).replace('version: 1.2.0\n    repository', 'version: ~1.2.0\n    repository')
      )
      await commitWorkspace(ws.dir)
      const released = await release(ws.dir, servers.repo.url, `${servers.registry.oci}/unsynced`)
      expect(released.exitCode).not.toBe(0)
      expect(stepOf(released, 'chart-lock')?.findings[0]).toMatchObject({
        severity: 'error',
        message: expect.stringMatching(/out of sync/)
      })
      expect(released.outputs.pushed).toBe('false')
    })
  })
})
