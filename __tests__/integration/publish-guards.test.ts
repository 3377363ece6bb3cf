// Guards before and around packaging, and the published version: a chart with no
// dependencies (hollow) or one the .helmignore empties never reaches the registry, the
// no-upstream annotation lets a dependency-free chart through, a chart name that is no OCI
// repository name is refused, and input version decides the packaged version and tag. With the
// bundled action (dist/index.js), real helm 3 and 4, a real chart repository and a real OCI
// registry; each claim is checked against the registry itself (tag list, HEAD digest, helm pull).
// The hollow-chart decision itself: unit/dependencies.test.ts.
import path from 'node:path'
import { describe, expect, it } from '@jest/globals'
import { readFile, writeFile } from 'node:fs/promises'
import { parseDocument } from 'yaml'
import { failureMessage, helmsUnderTest, pointChartAt, withWorkspace } from '../support/e2e.js'
import { useServers } from '../support/servers.js'
import {
  registryTags,
  manifestDigest,
  pull,
  editYaml,
  chartYaml,
  step,
  expectSuccess,
  publisher
} from '../support/publishing.js'

describe.each(helmsUnderTest())('publishing guards and the packaged version with $label', (helm) => {
  const servers = useServers(helm)
  const publish = publisher(helm, servers)

  it('a chart with no dependencies is hollow: it fails before anything is pushed', async () => {
    await withWorkspace(async (ws) => {
      await editYaml(chartYaml(ws), (doc) => doc.delete('dependencies'))
      const run = await publish(ws, `${servers.registry.oci}/hollow-none`)
      expect(run.exitCode).not.toBe(0)
      expect(failureMessage(run)).toContain(
        'platform/temporal/chart/Chart.yaml declares no dependencies: a blueprint chart wraps an upstream chart'
      )
      expect(step(run, 'resolve-upstream').findings.map((f) => f.rule)).toEqual(['hollow-chart'])
      expect(run.outputs.pushed).toBe('false')
      expect(await registryTags(servers.registry.url, 'hollow-none/bp-temporal')).toEqual([])
    })
  })

  it('a chart annotated catalyst.openova.io/no-upstream: "true" without dependencies proceeds and publishes', async () => {
    await withWorkspace(async (ws) => {
      await editYaml(chartYaml(ws), (doc) => {
        doc.delete('dependencies')
        doc.setIn(['annotations', 'catalyst.openova.io/no-upstream'], 'true')
      })
      const run = await publish(ws, `${servers.registry.oci}/no-upstream`)
      expectSuccess(run)
      expect(step(run, 'resolve-upstream')).toMatchObject({ status: 'skipped' })
      expect(run.outputs['upstream-version']).toBe('')
      expect(run.outputs.pushed).toBe('true')
      expect(await manifestDigest(servers.registry.url, 'no-upstream/bp-temporal', '1.0.0')).toBe(run.outputs.digest)
    })
  })

  it('a .helmignore that drops charts/ fails the package step as a hollow chart; nothing is pushed', async () => {
    await withWorkspace(async (ws) => {
      const ignore = path.join(ws.chart, '.helmignore')
      await writeFile(ignore, `${await readFile(ignore, 'utf8')}charts/\n`)
      const run = await publish(ws, `${servers.registry.oci}/helmignore`)
      expect(run.exitCode).not.toBe(0)
      // The dependency build itself worked: guard 1 passed, the package lost it.
      expect(step(run, 'dependency-build').status).toBe('passed')
      const packaged = step(run, 'package')
      expect(packaged.status).toBe('failed')
      expect(packaged.findings.map((f) => f.rule)).toEqual(['hollow-chart'])
      expect(packaged.findings[0].fix).toMatch(/\.helmignore/)
      expect(step(run, 'publish')).toMatchObject({ status: 'skipped' })
      expect(await registryTags(servers.registry.url, 'helmignore/bp-temporal')).toEqual([])
    })
  })

  it('a chart name that is no OCI repository name (uppercase) is refused when publishing, naming the file and line; nothing is pushed', async () => {
    await withWorkspace(async (ws) => {
      await editYaml(chartYaml(ws), (doc) => doc.set('name', 'BP-Temporal'))
      const run = await publish(ws, `${servers.registry.oci}/upper`)
      expect(run.exitCode).not.toBe(0)
      expect(failureMessage(run)).toContain(
        'platform/temporal/chart/Chart.yaml:2: chart name "BP-Temporal" cannot be an OCI repository name'
      )
      expect(run.report?.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
        ['error', 'failed']
      ])
      expect(await registryTags(servers.registry.url, 'upper/BP-Temporal')).toEqual([])
      expect(await registryTags(servers.registry.url, 'upper/bp-temporal')).toEqual([])
    })
  })

  it('input version packages and tags that version without touching the tree; a non-semver one fails first; + becomes _ in the tag', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, servers.repo.url) // as every run does: the tree compared is the one the action saw
      const before = await readFile(chartYaml(ws), 'utf8')
      const base = `${servers.registry.oci}/versions`

      const patch = await publish(ws, base, { version: '1.0.1' })
      expectSuccess(patch)
      expect(patch.outputs['chart-version']).toBe('1.0.1')
      expect(patch.outputs.ref).toBe(`${base}/bp-temporal:1.0.1`)
      await pull(helm, `${base}/bp-temporal:1.0.1`, async (pulled) => {
        expect(parseDocument(await pulled.read('bp-temporal/Chart.yaml')).get('version')).toBe('1.0.1')
      })

      const notSemver = await publish(ws, base, { version: '1.0' })
      expect(notSemver.exitCode).not.toBe(0)
      expect(failureMessage(notSemver)).toContain('input version: "1.0" is not a semantic version')
      // Stopped before any step (no packaging): the report holds only what stopped it.
      expect(notSemver.report?.steps.map((s: { id: string; status: string }) => [s.id, s.status])).toEqual([
        ['error', 'failed']
      ])

      const withBuild = await publish(ws, base, { version: '1.0.0+build.7' })
      expectSuccess(withBuild)
      expect(withBuild.outputs['chart-version']).toBe('1.0.0+build.7')
      expect(withBuild.outputs.ref).toBe(`${base}/bp-temporal:1.0.0_build.7`)
      expect(await manifestDigest(servers.registry.url, 'versions/bp-temporal', '1.0.0_build.7')).toBe(
        withBuild.outputs.digest
      )
      // (helm pull reads a tag as a version constraint: `_` is refused there, so pull by digest)
      await pull(helm, `${base}/bp-temporal@${withBuild.outputs.digest}`, async (pulled) => {
        expect(parseDocument(await pulled.read('bp-temporal/Chart.yaml')).get('version')).toBe('1.0.0+build.7')
      })

      expect(await registryTags(servers.registry.url, 'versions/bp-temporal')).toEqual(['1.0.0_build.7', '1.0.1'])
      expect(await readFile(chartYaml(ws), 'utf8')).toBe(before)
    })
  })
})
