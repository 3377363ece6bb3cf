// Upstream version resolution through the bundled action (dist/index.js): ranges, drift, the
// upstream-version override and values.yaml agreement, against a real chart repository and a real OCI
// registry (helm 3: resolution is the action's own code). What the artifact bundles is checked here;
// the decisions themselves (each range, override and mismatch message) are module tests in
// unit/upstream-resolution.test.ts.
import { describe, expect, it } from '@jest/globals'
import { readFile } from 'node:fs/promises'
import { parseDocument } from 'yaml'
import {
  failureMessage,
  helmsUnderTest,
  pointChartAt,
  runBundledAction,
  withWorkspace,
  type ActionRun
} from '../support/e2e.js'
import {
  type Workspace,
  FAST,
  registryTags,
  manifestDigest,
  pull,
  bundledUpstream,
  chartYaml,
  pinUpstream,
  provenanceVersion,
  step,
  built,
  expectSuccess,
  plain,
  publisher
} from '../support/publishing.js'
import { useServers } from '../support/servers.js'

// ===========================================================================
// Resolution: the same on every helm (resolution is the action's own code,
// the dependency build is helm's), so it runs once, on helm 3.

describe('upstream version resolution against the stand-in repository (helm 3)', () => {
  const [helm] = helmsUnderTest()
  const servers = useServers(helm)

  let rangeCase = 0

  const publishTo = publisher(helm, servers)
  const publish = (ws: Workspace, repository: string, inputs: Record<string, string> = {}): Promise<ActionRun> =>
    publishTo(ws, `${servers.registry.oci}/${repository}`, inputs)

  // values: what values.yaml catalystBlueprint.upstream.version holds for the run —
  // with a range it must be the resolved version, or absent.
  // Two ranges end to end (every range's resolution: unit/upstream-resolution.test.ts).
  it.each([
    { range: '^1', expected: '1.3.0', values: undefined },
    { range: '>=2.0.0-0', expected: '2.0.0-rc.1', values: '2.0.0-rc.1' }
  ])(
    'Chart.yaml $range resolves to $expected, and the published chart bundles $expected',
    async ({ range, expected, values }) => {
      rangeCase++
      await withWorkspace(async (ws) => {
        await pinUpstream(ws, range)
        await provenanceVersion(ws, values)
        const repository = `ranges/case-${rangeCase}`
        const run = await publish(ws, repository)
        expectSuccess(run)
        expect(run.outputs['upstream-version']).toBe(expected)
        expect(run.report.upstream).toMatchObject({ pinned: range, resolved: expected, latest: '1.3.0' })
        expect(step(run, 'resolve-upstream').summary).toContain(`${range} resolves to ${expected}`)
        expect(built(run)).toEqual({ temporal: expected })
        // What the registry holds really carries that upstream version.
        expect(await manifestDigest(servers.registry.url, `${repository}/bp-temporal`, '1.0.0')).toBe(
          run.outputs.digest
        )
        await pull(helm, `${servers.registry.oci}/${repository}/bp-temporal:1.0.0`, async (pulled) => {
          expect(await bundledUpstream(pulled)).toBe(expected)
        })
      })
    }
  )

  it('reports drift: 1.2.0 pinned while 1.3.0 is out (outputs, job summary, notice); a prerelease is no "latest"', async () => {
    await withWorkspace(async (ws) => {
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { ...FAST, push: 'false' }
      })
      expectSuccess(run)
      expect(run.outputs['upstream-version']).toBe('1.2.0')
      expect(run.outputs['upstream-latest']).toBe('1.3.0')
      expect(run.outputs['upstream-outdated']).toBe('true')
      expect(plain(run.summary)).toContain('temporal 1.2.0 pinned, 1.3.0 available')
      const notice = run.annotations.find(
        (a: { level: string; title?: string }) => a.title === 'Upstream version: upstream-outdated'
      )
      expect(notice).toMatchObject({ level: 'notice', file: 'platform/temporal/chart/Chart.yaml' })
    })
  })

  it('input upstream-version: latest bundles 1.3.0 and says it is an override; the tree keeps its pin', async () => {
    await withWorkspace(async (ws) => {
      // Publishing needs the provenance to agree with what is bundled.
      await provenanceVersion(ws, '1.3.0')
      await pointChartAt(ws.chart, servers.repo.url) // as every run does: the tree compared is the one the action saw
      const before = await readFile(chartYaml(ws), 'utf8')
      const run = await publish(ws, 'override-latest', { 'upstream-version': 'latest' })
      expectSuccess(run)
      expect(run.outputs['upstream-version']).toBe('1.3.0')
      expect(run.outputs['upstream-outdated']).toBe('false')
      expect(run.report.upstream).toMatchObject({ pinned: '1.2.0', resolved: '1.3.0', override: 'latest' })
      expect(plain(run.summary)).toContain('temporal 1.3.0 (override; Chart.yaml pins 1.2.0), up to date')
      expect(step(run, 'resolve-upstream').findings).toEqual([])
      expect(built(run)).toEqual({ temporal: '1.3.0' })
      await pull(helm, `${servers.registry.oci}/override-latest/bp-temporal:1.0.0`, async (pulled) => {
        expect(await bundledUpstream(pulled)).toBe('1.3.0')
        // The packaged Chart.yaml depends on what was bundled.
        expect(parseDocument(await pulled.read('bp-temporal/Chart.yaml')).getIn(['dependencies', 0, 'version'])).toBe(
          '1.3.0'
        )
      })
      expect(await readFile(chartYaml(ws), 'utf8')).toBe(before)
    })
  })

  it('an override whose values.yaml provenance disagrees warns when validating, and fails when publishing', async () => {
    await withWorkspace(async (ws) => {
      const validate = await publish(ws, 'override-mismatch', { 'upstream-version': 'latest', push: 'false' })
      expectSuccess(validate)
      expect(step(validate, 'resolve-upstream').findings).toEqual([
        expect.objectContaining({ rule: 'upstream-consistency', severity: 'warning' })
      ])

      const publishing = await publish(ws, 'override-mismatch', { 'upstream-version': 'latest' })
      expect(publishing.exitCode).not.toBe(0)
      expect(step(publishing, 'resolve-upstream').findings).toEqual([
        expect.objectContaining({ rule: 'upstream-consistency', severity: 'error' })
      ])
      expect(failureMessage(publishing)).toMatch(/catalystBlueprint\.upstream\.version is "1\.2\.0"/)
      expect(await registryTags(servers.registry.url, 'override-mismatch/bp-temporal')).toEqual([])
    })
  })

  it('values.yaml catalystBlueprint.upstream.version disagreeing with Chart.yaml fails, naming both files and values; nothing is pushed', async () => {
    await withWorkspace(async (ws) => {
      await provenanceVersion(ws, '1.1.0')
      const run = await publish(ws, 'mismatch')
      expect(run.exitCode).not.toBe(0)
      const message = failureMessage(run)
      expect(message).toContain('platform/temporal/chart/values.yaml catalystBlueprint.upstream.version is "1.1.0"')
      expect(message).toContain('platform/temporal/chart/Chart.yaml dependency temporal version resolves to "1.2.0"')
      expect(step(run, 'resolve-upstream').status).toBe('failed')
      expect(step(run, 'publish')).toMatchObject({ status: 'skipped' })
      expect(run.outputs.pushed).toBe('false')
      expect(await registryTags(servers.registry.url, 'mismatch/bp-temporal')).toEqual([])
    })
  })
})

// ===========================================================================
