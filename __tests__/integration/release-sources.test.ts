// Where a release's upstream comes from, re-run: through repository-mirrors (the packaged chart
// and lock still name the real upstream repository) and from an OCI upstream served by the real
// registry (a range resolved from its tags) — with and without a committed Chart.lock, under helm 3
// and helm 4; the same tag run twice pushes nothing the second time.
import path from 'node:path'
import { beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { parseDocument } from 'yaml'
import { helmsUnderTest, pointChartAt, pull, UPSTREAM_URL, withWorkspace } from '../support/e2e.js'
import { bundledUpstream, chartYaml, editYaml, registryTags, valuesYaml } from '../support/publishing.js'
import { commitWorkspace, helmIn, lockWithHelm, pulledFile, releaser, stepOf } from '../support/release.js'
import { useServers } from '../support/servers.js'

describe.each(helmsUnderTest())('release sources with $label', (helm) => {
  const servers = useServers(helm)
  const { twice } = releaser(helm)

  it('through repository-mirrors without a committed lock: fetched through the mirror, the packaged chart still names the real upstream; the re-run pushes nothing', async () => {
    await withWorkspace(async (ws) => {
      await commitWorkspace(ws.dir)
      const fetchedBefore = servers.repo.requests.length
      const [first] = await twice(ws.dir, servers.repo.url, `${servers.registry.oci}/mirror-nolock`, {
        viaMirror: true
      })
      // The mirror really served the upstream chart.
      expect(servers.repo.requests.slice(fetchedBefore).map((r) => r.url)).toContain('/temporal-1.2.0.tgz')
      await pull(helm, `${servers.registry.oci}/mirror-nolock/bp-temporal@${first.outputs.digest}`, async (pulled) => {
        const packaged = parseDocument(await pulled.read('bp-temporal/Chart.yaml'))
        expect(packaged.getIn(['dependencies', 0, 'repository'])).toBe(UPSTREAM_URL)
        expect(await bundledUpstream(pulled)).toBe('1.2.0')
        // Nothing in the package points at the mirror (a lock written against it is not shipped).
        const files = pulled.listing.filter((e) => /^bp-temporal\/(Chart\.(yaml|lock)|values\.yaml)$/.test(e))
        expect(files).toEqual(expect.arrayContaining(['bp-temporal/Chart.yaml', 'bp-temporal/values.yaml']))
        for (const entry of files) expect(await pulled.read(entry)).not.toContain('127.0.0.1')
      })
    })
  })

  it('through repository-mirrors with a committed lock: the re-run pushes nothing, and the lock ships as committed', async () => {
    await withWorkspace(async (ws) => {
      // The committed lock names the real upstream; helm writes it against the loopback copy here.
      await pointChartAt(ws.chart, servers.repo.url)
      const lock = (await lockWithHelm(helm, ws.chart)).split(servers.repo.url).join(UPSTREAM_URL)
      await pointChartAt(ws.chart, UPSTREAM_URL, servers.repo.url)
      await writeFile(path.join(ws.chart, 'Chart.lock'), lock)
      await commitWorkspace(ws.dir)
      const [first] = await twice(ws.dir, servers.repo.url, `${servers.registry.oci}/mirror-lock`, { viaMirror: true })
      const shipped = await pulledFile(
        helm,
        `${servers.registry.oci}/mirror-lock/bp-temporal@${first.outputs.digest}`,
        'bp-temporal/Chart.lock'
      )
      expect(shipped).toContain(`repository: ${UPSTREAM_URL}`)
      expect(shipped).not.toContain('127.0.0.1')
    })
  })

  describe('an OCI upstream served by the registry', () => {
    beforeAll(async () => {
      // The stand-in temporal chart, pushed with helm push as a chart publisher would.
      const home = await mkdtemp(path.join(os.tmpdir(), 'bp-oci-up-'))
      try {
        for (const archive of servers.repo.archives)
          await helmIn(helm, home, ['push', archive.path, `${servers.registry.oci}/upstream`, '--plain-http'])
      } finally {
        await rm(home, { recursive: true, force: true })
      }
    })

    it('a range resolved from its tag list, built, published; the re-run pushes nothing', async () => {
      const upstream = `${servers.registry.oci}/upstream`
      expect(await registryTags(servers.registry.url, 'upstream/temporal')).toEqual([
        '1.1.0',
        '1.2.0',
        '1.3.0',
        '2.0.0-rc.1'
      ])
      await withWorkspace(async (ws) => {
        await pointChartAt(ws.chart, upstream)
        // A range: the newest stable tag that satisfies it (2.0.0-rc.1 is a prerelease).
        await editYaml(chartYaml(ws), (doc) => doc.setIn(['dependencies', 0, 'version'], '^1'))
        await editYaml(valuesYaml(ws), (doc) => doc.setIn(['catalystBlueprint', 'upstream', 'version'], '1.3.0'))
        await commitWorkspace(ws.dir)
        const [first] = await twice(ws.dir, upstream, `${servers.registry.oci}/oci-nolock`)
        expect(first.outputs['upstream-version']).toBe('1.3.0')
        expect(first.outputs['upstream-latest']).toBe('1.3.0')
        expect(stepOf(first, 'dependency-build')?.data?.built).toEqual({ temporal: '1.3.0' })
        const packaged = await pulledFile(
          helm,
          `${servers.registry.oci}/oci-nolock/bp-temporal@${first.outputs.digest}`,
          'bp-temporal/charts/temporal/Chart.yaml'
        )
        expect(packaged).toMatch(/^version: 1\.3\.0$/m)
      })
    })

    it('with a committed lock: built from it and shipped as committed; the re-run pushes nothing', async () => {
      const upstream = `${servers.registry.oci}/upstream`
      await withWorkspace(async (ws) => {
        await pointChartAt(ws.chart, upstream)
        await writeFile(path.join(ws.chart, 'Chart.lock'), await lockWithHelm(helm, ws.chart, ['--plain-http']))
        await commitWorkspace(ws.dir)
        const [first] = await twice(ws.dir, upstream, `${servers.registry.oci}/oci-lock`)
        expect(stepOf(first, 'chart-lock')).toBeUndefined()
        expect(
          await pulledFile(
            helm,
            `${servers.registry.oci}/oci-lock/bp-temporal@${first.outputs.digest}`,
            'bp-temporal/Chart.lock'
          )
        ).toContain(`repository: ${upstream}`)
      })
    })
  })
})
