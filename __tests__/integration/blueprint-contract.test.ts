// The blueprint.yaml contract through the bundled action, under both helms, against the loopback chart repository
// and the real registry: a drifted spec.version and a sibling out of its spec.depends range fail a pull request with
// file:line findings while every other gate still runs; a release whose catalog entry disagrees with what the tag
// publishes pushes nothing, and publishes once it agrees.
import { describe, expect, it } from '@jest/globals'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { FAST, failureMessage, helmsUnderTest, prPayload, runBundledAction, withWorkspace } from '../support/e2e.js'
import { expectSuccess, registryTags, step } from '../support/publishing.js'
import { useServers } from '../support/servers.js'

const BLUEPRINT_YAML = 'platform/temporal/blueprint.yaml'

/** Rewrites the example's blueprint.yaml: `spec.version` (line 10 of it), as a drifted catalog entry would. */
async function setSpecVersion(workspace: string, version: string): Promise<void> {
  const file = path.join(workspace, BLUEPRINT_YAML)
  const text = await readFile(file, 'utf8')
  expect(text.split('\n')[9]).toBe('  version: 1.0.0')
  await writeFile(file, text.replace(/^ {2}version: 1\.0\.0$/m, `  version: ${version}`))
}

/** A sibling platform blueprint bp-cnpg (the example depends on `>=1.0.0 <2.0.0` of it) at `version`. */
async function addCnpg(workspace: string, version: string): Promise<void> {
  await mkdir(path.join(workspace, 'platform/cnpg/chart'), { recursive: true })
  await writeFile(
    path.join(workspace, 'platform/cnpg/blueprint.yaml'),
    `apiVersion: catalyst.openova.io/v1alpha1\nkind: Blueprint\nmetadata:\n  name: bp-cnpg\nspec:\n  version: ${version}\n  manifests:\n    chart: ./chart\n`
  )
  await writeFile(
    path.join(workspace, 'platform/cnpg/chart/Chart.yaml'),
    `apiVersion: v2\nname: bp-cnpg\ndescription: CloudNativePG operator\nversion: ${version}\n`
  )
}

describe.each(helmsUnderTest())('the blueprint.yaml contract with $label', (helm) => {
  const servers = useServers(helm)

  it('a pull request with a drifted spec.version and a sibling out of range fails, naming both lines', async () => {
    await withWorkspace(async (ws) => {
      await setSpecVersion(ws.dir, '0.9.0')
      await addCnpg(ws.dir, '2.0.0')
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        eventName: 'pull_request',
        ref: 'refs/pull/7/merge',
        payload: prPayload(7),
        inputs: { ...FAST, diff: 'false' }
      })
      expect(run.exitCode).toBe(1)
      const contract = step(run, 'blueprint')
      expect(contract.status).toBe('failed')
      expect(contract.findings.map((f) => [f.severity, f.file, (f as { line?: number }).line, f.message])).toEqual([
        [
          'error',
          BLUEPRINT_YAML,
          10,
          'spec.version is 0.9.0, but platform/temporal/chart/Chart.yaml:7 version is 1.0.0: the catalog advertises one version and the registry holds another'
        ],
        [
          'error',
          BLUEPRINT_YAML,
          17,
          'spec.depends bp-cnpg asks for >=1.0.0 <2.0.0, but platform/cnpg is at 2.0.0 (platform/cnpg/chart/Chart.yaml:4)'
        ],
        [
          'warning',
          BLUEPRINT_YAML,
          19,
          expect.stringMatching(/^spec.depends names bp-cert-manager, which is no blueprint/)
        ]
      ])
      expect(contract.findings[0].fix).toContain('platform/temporal/blueprint.yaml:10')
      expect(contract.findings[0].fix).toContain('platform/temporal/chart/Chart.yaml:7')
      // An annotation on blueprint.yaml's line, and the rest of the gates ran as usual.
      expect(run.annotations).toContainEqual(
        expect.objectContaining({ level: 'error', file: BLUEPRINT_YAML, line: '10' })
      )
      expect(step(run, 'render').status).toBe('passed')
      expect(step(run, 'lint').status).toBe('passed')
      expect(run.summary).toContain('blueprint.yaml')
      expect(failureMessage(run)).toMatch(/blueprint\.yaml/)
    })
  })

  it('a release whose spec.version is not the version the tag publishes pushes nothing; once it agrees it publishes', async () => {
    await withWorkspace(async (ws) => {
      await addCnpg(ws.dir, '1.4.0')
      const registry = `${servers.registry.oci}/contract-${helm.version}`
      const release = () =>
        runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          eventName: 'push',
          ref: 'refs/tags/platform/temporal/v1.2.0',
          inputs: { ...FAST, registry, 'plain-http': 'true', 'version-from-tag': 'true' }
        })
      const refused = await release()
      expect(refused.exitCode).toBe(1)
      expect(step(refused, 'blueprint').findings.filter((f) => f.severity === 'error')).toEqual([
        expect.objectContaining({
          severity: 'error',
          line: 10,
          message: expect.stringContaining(
            'spec.version is 1.0.0, but this release publishes 1.2.0 (version-from-tag: the tag platform/temporal/v1.2.0 decides the packaged version'
          )
        })
      ])
      expect(step(refused, 'publish')).toMatchObject({
        status: 'skipped',
        summary: expect.stringMatching(/a gate failed/)
      })
      expect(await registryTags(servers.registry.url, `contract-${helm.version}/bp-temporal`)).toEqual([])

      await setSpecVersion(ws.dir, '1.2.0')
      const published = await release()
      expectSuccess(published)
      expect(step(published, 'blueprint').status).toBe('warning') // bp-cert-manager is not in this workspace
      expect(published.outputs.pushed).toBe('true')
      expect(await registryTags(servers.registry.url, `contract-${helm.version}/bp-temporal`)).toEqual(['1.2.0'])
    })
  })
})
