// Reproducible and idempotent publishing, and refusal to overwrite: one workspace published
// again, packaged at another time, then changed under the same version — with the bundled action
// (dist/index.js), real helm 3 and 4, a real chart repository and a real OCI registry behind a
// recording proxy. Every claim is checked against the registry itself (HEAD digest, helm pull +
// tar) and the requests that reached it, not only against the action's outputs. Packaging at the
// git commit time and the same release tag run twice: release-rerun.test.ts.
import { describe, expect, it } from '@jest/globals'
import { parseDocument } from 'yaml'
import { startFaultProxy } from '../../testkit/registry.mjs'
import { failureMessage, helmsUnderTest, withWorkspace } from '../support/e2e.js'
import { useServers } from '../support/servers.js'
import {
  manifestDigest,
  pull,
  editYaml,
  valuesYaml,
  step,
  expectSuccess,
  writes,
  publisher,
  type FaultProxy
} from '../support/publishing.js'

const layerDigest = (run: Parameters<typeof step>[0]) =>
  (step(run, 'package').data as { layerDigest: string }).layerDigest

describe.each(helmsUnderTest())('idempotence and no overwrite with $label', (helm) => {
  const servers = useServers(helm)
  const publish = publisher(helm, servers)

  // One workspace goes through every stage: each run starts from what the previous one left in
  // the registry, as re-runs and later commits do.
  it('the same workspace again pushes nothing (no write reached the registry); packaged at another time it counts as published; changed, it is refused (both digests named); overwrite: true replaces it', async () => {
    let proxy: FaultProxy | undefined
    try {
      proxy = await startFaultProxy({ target: servers.registry.url, plan: [] })
      const recorded = proxy
      const base = `${recorded.oci}/idem`
      const writesSince = (seen: number) =>
        recorded.requests.slice(seen).filter((r) => ['PUT', 'POST', 'PATCH', 'DELETE'].includes(r.method))
      await withWorkspace(async (ws) => {
        // SOURCE_DATE_EPOCH=1700000000 (the runner's default in these tests).
        const first = await publish(ws, base)
        expectSuccess(first)
        expect(first.outputs.pushed).toBe('true')
        expect(
          writes(recorded).some(
            (r) => r.method === 'PUT' && /\/v2\/idem\/bp-temporal\/manifests\/1\.0\.0$/.test(r.path)
          )
        ).toBe(true)
        // The archive's timestamps are SOURCE_DATE_EPOCH's.
        await pull(helm, `${servers.registry.oci}/idem/bp-temporal@${first.outputs.digest}`, async (pulled) => {
          expect(new Set(pulled.mtimes.values())).toEqual(new Set([1700000000]))
        })

        // Published again: the same digest, nothing pushed.
        let seen = recorded.requests.length
        const second = await publish(ws, base)
        expectSuccess(second)
        expect(second.outputs.digest).toBe(first.outputs.digest)
        expect(second.outputs.pushed).toBe('false')
        expect(step(second, 'publish').summary).toContain('already published with the same content')
        const during = recorded.requests.slice(seen)
        expect(
          during.filter((r) => r.method === 'HEAD' && r.path.endsWith('/idem/bp-temporal/manifests/1.0.0'))
        ).not.toHaveLength(0)
        expect(writesSince(seen)).toEqual([])
        expect(await manifestDigest(servers.registry.url, 'idem/bp-temporal', '1.0.0')).toBe(first.outputs.digest)

        // The same files packaged at another time (a later commit, a shallow checkout): already published.
        seen = recorded.requests.length
        const retimed = await publish(ws, base, {}, { SOURCE_DATE_EPOCH: '1709294400' })
        expectSuccess(retimed)
        // Another archive digest (other mtimes), the same files.
        expect(layerDigest(retimed)).not.toBe(layerDigest(first))
        expect(retimed.outputs.pushed).toBe('false')
        expect(retimed.outputs.digest).toBe(first.outputs.digest)
        expect(step(retimed, 'publish').summary).toContain("only the archive's timestamps differ")
        expect(writesSince(seen)).toEqual([])
        expect(await manifestDigest(servers.registry.url, 'idem/bp-temporal', '1.0.0')).toBe(first.outputs.digest)

        // A changed chart under the same version is refused, naming both digests.
        await editYaml(valuesYaml(ws), (doc) => doc.setIn(['temporal', 'server', 'replicaCount'], 3))
        const refused = await publish(ws, base)
        expect(refused.exitCode).not.toBe(0)
        const message = failureMessage(refused)
        expect(message).toContain(`is already published as ${first.outputs.digest}`)
        expect(message).toContain(`this chart's content is ${layerDigest(refused)}`)
        expect(message).toMatch(/bump version in Chart\.yaml .*or set overwrite: true/)
        expect(refused.outputs.pushed).toBe('false')
        expect(await manifestDigest(servers.registry.url, 'idem/bp-temporal', '1.0.0')).toBe(first.outputs.digest)

        // overwrite: true replaces it.
        const replaced = await publish(ws, base, { overwrite: 'true' })
        expectSuccess(replaced)
        expect(replaced.outputs.pushed).toBe('true')
        expect(replaced.outputs.digest).not.toBe(first.outputs.digest)
        expect(await manifestDigest(servers.registry.url, 'idem/bp-temporal', '1.0.0')).toBe(replaced.outputs.digest)
        await pull(helm, `${servers.registry.oci}/idem/bp-temporal:1.0.0`, async (pulled) => {
          expect(
            parseDocument(await pulled.read('bp-temporal/values.yaml')).getIn(['temporal', 'server', 'replicaCount'])
          ).toBe(3)
        })
      })
    } finally {
      await proxy?.stop()
    }
  })
})
