// An upstream chart served by an OCI registry on a loopback host (issue 29.3), end to end with the bundled action
// under Helm 3 and Helm 4: the example blueprint's Chart.yaml and values.yaml name oci://127.0.0.1:<port>/deps,
// where the test pushed the stand-in upstream with helm. A local registry speaks plain HTTP: with input plain-http
// the upstream's tags are listed and the dependency is built over it; without it the TLS handshake fails and the
// error names the input.
import { describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import {
  failureMessage,
  FAST,
  helmsUnderTest,
  runBundledAction,
  UPSTREAM_URL,
  withWorkspace,
  type ActionRun
} from '../support/e2e.js'
import { useServers } from '../support/servers.js'

const execFileAsync = promisify(execFile)

describe.each(helmsUnderTest())('an OCI upstream on a loopback registry with $label', (helm) => {
  const servers = useServers(helm)

  /** The example blueprint with its upstream at oci://<loopback registry>/deps, run with these inputs. */
  async function runOnOci(inputs: Record<string, string>): Promise<{ run: ActionRun; oci: string }> {
    const oci = `${servers.registry.oci}/deps`
    const archive = servers.repo.archives.find(
      (a: { name: string; version: string }) => a.name === 'temporal' && a.version === '1.2.0'
    )
    if (!archive) throw new Error('the stand-in repository has no temporal 1.2.0')
    await execFileAsync(helm.binary, ['push', archive.path, oci, '--plain-http'], {
      env: { ...process.env, ...servers.repo.helmEnv }
    })
    const run = await withWorkspace(async (ws) => {
      for (const file of ['Chart.yaml', 'values.yaml']) {
        const full = path.join(ws.chart, file)
        await writeFile(full, (await readFile(full, 'utf8')).split(UPSTREAM_URL).join(oci))
      }
      return runBundledAction({ helm, workspace: ws.dir, repoUrl: servers.repo.url, inputs: { ...FAST, ...inputs } })
    })
    return { run, oci }
  }

  it('with plain-http: the tags are listed and the dependency built over plain HTTP', async () => {
    const { run, oci } = await runOnOci({ 'plain-http': 'true' })
    expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
    const steps = run.report?.steps ?? []
    expect(steps.find((s: { id: string }) => s.id === 'resolve-upstream')).toMatchObject({
      status: 'passed',
      data: expect.objectContaining({ repository: oci, resolved: '1.2.0' })
    })
    expect(steps.find((s: { id: string }) => s.id === 'dependency-build')?.status).toBe('passed')
    expect(run.outputs['upstream-version']).toBe('1.2.0')
  })

  it('without plain-http: the run fails naming the input plain-http', async () => {
    const { run } = await runOnOci({})
    expect(run.exitCode).not.toBe(0)
    const host = servers.registry.oci.replace(/^oci:\/\//, '')
    // The upstream's tags are listed first, over TLS: the one error says why and names the input.
    const failed = (run.report?.steps ?? []).flatMap((s: { findings: { severity: string; message: string }[] }) =>
      s.findings.filter((f) => f.severity === 'error')
    )
    expect(failed).toHaveLength(1)
    expect(failed[0].message).toContain(
      `dependency temporal: listing the tags of ${servers.registry.oci}/deps/temporal failed`
    )
    expect(failed[0].message).toContain(
      `${host} is a loopback registry answering in plain HTTP: set input plain-http: true`
    )
    expect(failureMessage(run)).toContain('set input plain-http: true')
  })
})
