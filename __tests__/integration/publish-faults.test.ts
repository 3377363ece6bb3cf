// A registry that fails: 503s on the manifest PUT and on the blob upload are retried, a
// pull-back that fails after the push still reports what was pushed, and a 401 on the existence
// check is an auth error naming the registry and the credential inputs, with nothing pushed.
// With the bundled action (dist/index.js), real helm 3 and 4 and a real registry behind a fault
// proxy; each claim is checked against the registry itself and the requests the proxy saw.
import { describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startFaultProxy } from '../../testkit/registry.mjs'
import { failureMessage, helmsUnderTest, makeWorkspace, withoutMaskCommands } from '../support/e2e.js'
import { useServers } from '../support/servers.js'
import { registryTags, manifestDigest, expectSuccess, execFileAsync, writes, publisher } from '../support/publishing.js'

describe.each(helmsUnderTest())('a registry that fails, with $label', (helm) => {
  const servers = useServers(helm)
  const publish = publisher(helm, servers)

  it('a registry answering 503 twice on the manifest PUT is retried: published, and the proxy saw the retries', async () => {
    const proxy = await startFaultProxy({
      target: servers.registry.url,
      plan: [{ method: 'PUT', pathPattern: /\/v2\/flaky\/bp-temporal\/manifests\//, times: 2, status: 503 }]
    })
    const ws = await makeWorkspace()
    try {
      const run = await publish(ws, `${proxy.oci}/flaky`)
      expectSuccess(run)
      expect(run.outputs.pushed).toBe('true')
      // helm 4 PUTs the manifest by digest then tags it; helm 3 PUTs it by tag. Either
      // helm's client or the action retried: the faults were served and the tag landed.
      const puts = proxy.requests.filter((r) => r.method === 'PUT' && r.path.includes('/manifests/'))
      expect(puts.slice(0, 3).map((r) => r.status)).toEqual([503, 503, 201])
      expect(puts.filter((r) => r.fault)).toHaveLength(2)
      expect(puts.some((r) => r.path.endsWith('/manifests/1.0.0') && r.status === 201)).toBe(true)
      expect(await manifestDigest(servers.registry.url, 'flaky/bp-temporal', '1.0.0')).toBe(run.outputs.digest)
    } finally {
      await Promise.all([ws.remove(), proxy.stop()])
    }
  })

  it('a registry answering 503 twice on the blob upload is retried too', async () => {
    const proxy = await startFaultProxy({
      target: servers.registry.url,
      plan: [{ method: 'POST', pathPattern: /\/v2\/flaky-blob\/bp-temporal\/blobs\/uploads\//, times: 2, status: 503 }]
    })
    const ws = await makeWorkspace()
    try {
      const run = await publish(ws, `${proxy.oci}/flaky-blob`)
      expectSuccess(run)
      expect(proxy.requests.filter((r) => r.fault).map((r) => `${r.method} ${r.status}`)).toEqual([
        'POST 503',
        'POST 503'
      ])
      expect(proxy.requests.some((r) => r.method === 'PUT' && r.path.includes('/manifests/') && r.status === 201)).toBe(
        true
      )
      expect(await manifestDigest(servers.registry.url, 'flaky-blob/bp-temporal', '1.0.0')).toBe(run.outputs.digest)
    } finally {
      await Promise.all([ws.remove(), proxy.stop()])
    }
  })

  it('a pull-back that fails after the push still reports what was pushed (pushed=true, ref, digest) and fails the run', async () => {
    const proxy = await startFaultProxy({
      target: servers.registry.url,
      plan: [{ method: 'GET', pathPattern: /\/v2\/unverified\/bp-temporal\/blobs\//, times: 20, status: 404 }]
    })
    const ws = await makeWorkspace()
    try {
      const run = await publish(ws, `${proxy.oci}/unverified`)
      expect(run.exitCode).not.toBe(0)
      expect(run.outputs.pushed).toBe('true')
      expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(run.outputs.ref).toBe(`${proxy.oci}/unverified/bp-temporal:1.0.0`)
      expect(await manifestDigest(servers.registry.url, 'unverified/bp-temporal', '1.0.0')).toBe(run.outputs.digest)
      expect(failureMessage(run)).toContain('but pulling it back failed')
    } finally {
      await Promise.all([ws.remove(), proxy.stop()])
    }
  })

  it('a registry serving other bytes for the chart layer: the digests disagree, and the pulled archive is opened to say what it lacks', async () => {
    // A chart of the same name without its upstream: what a registry serving the wrong blob would hand out.
    const hollow = await mkdtemp(path.join(os.tmpdir(), 'bp-hollow-'))
    try {
      await mkdir(path.join(hollow, 'bp-temporal'))
      await writeFile(
        path.join(hollow, 'bp-temporal', 'Chart.yaml'),
        'apiVersion: v2\nname: bp-temporal\nversion: 1.0.0\n'
      )
      await execFileAsync(helm.binary, ['package', path.join(hollow, 'bp-temporal'), '--destination', hollow])
      const body = await readFile(path.join(hollow, 'bp-temporal-1.0.0.tgz'))
      const proxy = await startFaultProxy({
        target: servers.registry.url,
        plan: [
          {
            method: 'GET',
            pathPattern: /\/v2\/swapped\/bp-temporal\/blobs\//,
            times: 20,
            status: 200,
            body,
            headers: { 'content-type': 'application/octet-stream' }
          }
        ]
      })
      const ws = await makeWorkspace()
      try {
        const run = await publish(ws, `${proxy.oci}/swapped`)
        expect(run.exitCode).not.toBe(0)
        expect(run.outputs.pushed).toBe('true')
        const publishStep = run.report.steps.find((s: { id: string }) => s.id === 'publish')
        const messages: string[] = publishStep.findings.map((f: { message: string }) => f.message)
        expect(
          messages.some((m) => /the chart layer of .* is sha256:[0-9a-f]{64} .*; the packaged archive is/.test(m))
        ).toBe(true)
        expect(messages.some((m) => m.includes('has no bp-temporal/charts/temporal/'))).toBe(true)
      } finally {
        await Promise.all([ws.remove(), proxy.stop()])
      }
    } finally {
      await rm(hollow, { recursive: true, force: true })
    }
  })

  it('a 401 on the existence check fails with an auth error naming the registry and the credential inputs, and nothing is pushed', async () => {
    const proxy = await startFaultProxy({
      target: servers.registry.url,
      plan: [
        {
          method: 'HEAD',
          pathPattern: /\/v2\/.*\/manifests\//,
          times: 1000,
          status: 401,
          headers: { 'WWW-Authenticate': 'Basic realm="x"' }
        }
      ]
    })
    const ws = await makeWorkspace()
    try {
      const run = await publish(ws, `${proxy.oci}/locked`)
      expect(run.exitCode).not.toBe(0)
      const message = failureMessage(run)
      expect(message).toContain(`Registry ${proxy.host} requires credentials`)
      expect(message).toMatch(/registry-username and registry-password/)
      expect(proxy.requests.filter((r) => r.method === 'HEAD' && r.status === 401)).not.toHaveLength(0)
      expect(writes(proxy)).toEqual([])
      expect(run.outputs.pushed).toBe('false')

      // With credentials (the login itself passes), the registry still refusing the HEAD is an auth error, not "absent".
      const password = 'n0t-the-Right-one'
      const withCredentials = await publish(ws, `${proxy.oci}/locked`, {
        'registry-username': 'publisher',
        'registry-password': password
      })
      expect(withCredentials.exitCode).not.toBe(0)
      const refused = failureMessage(withCredentials)
      expect(refused).toContain(`Registry ${proxy.host} refused user "publisher"`)
      expect(refused).toMatch(/Check the registry-username and registry-password inputs/)
      expect(withoutMaskCommands(withCredentials.stdout + withCredentials.stderr)).not.toContain(password)
      expect(writes(proxy)).toEqual([])
      expect(await registryTags(servers.registry.url, 'locked/bp-temporal')).toEqual([])
    } finally {
      await Promise.all([ws.remove(), proxy.stop()])
    }
  })
})
