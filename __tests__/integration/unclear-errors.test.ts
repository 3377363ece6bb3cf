// Unclear errors and a too-large tag list (issue 23.10, 23.11), with the bundled action as a workflow runs it, real
// helm 3 and 4, the loopback chart repository and a real registry:
// - a missing file of the `values` input is one input error naming it (not a render and a lint failure);
// - an event payload that is not JSON names the file (not "unexpected error: Unexpected end of JSON input");
// - image-allowlist `*` alone allows every image, with a warning to write `**`;
// - an OCI upstream pinned exactly whose registry serves a 17 MiB tag list: the run passes, the pin resolved by its
//   tag, and the drift report is a warning.
import { describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { startFaultProxy } from '../../testkit/registry.mjs'
import { FAST, failureMessage, helmsUnderTest, pointChartAt, runBundledAction, withWorkspace } from '../support/e2e.js'
import { useServers } from '../support/servers.js'

const execFileAsync = promisify(execFile)

type Annotation = { level: string; message: string; title?: string }

for (const helm of helmsUnderTest()) {
  describe(`clear errors (${helm.label})`, () => {
    const servers = useServers(helm)

    it('a values file that is not there is one input error naming it, before any render', async () => {
      await withWorkspace(async (ws) => {
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { ...FAST, values: 'platform/temporal/ci-values.yaml' }
        })
        expect(run.exitCode).not.toBe(0)
        // One error, and the run's failure line that counts it.
        const errors = run.annotations.filter((a: Annotation) => a.level === 'error')
        expect(errors.map((a: Annotation) => a.message.replace(/\(\/tmp\/[^)]*\)/, '(<workspace>)'))).toEqual([
          'Blueprint: input values: platform/temporal/ci-values.yaml not found in the workspace (<workspace>) — give the values files as paths relative to the workspace, one a line, and check the file is committed (and checked out)',
          'bp-temporal 1.0.0: Blueprint failed — 1 error, annotated above and in the job summary'
        ])
        expect(failureMessage(run)).not.toMatch(/helm template|lint/i)
      })
    })

    it('an event payload that is not JSON names the file and says what to do', async () => {
      await withWorkspace(async (ws) => {
        const payload = path.join(ws.dir, 'event.json')
        await writeFile(payload, '{"pull_request": {"number": 7')
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: FAST,
          env: { GITHUB_EVENT_PATH: payload }
        })
        expect(run.exitCode).not.toBe(0)
        expect(failureMessage(run)).toMatch(
          new RegExp(
            `^the event payload ${payload.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(GITHUB_EVENT_PATH\\) is not JSON: `
          )
        )
        expect(failureMessage(run)).not.toMatch(/unexpected error/)
      })
    })

    it('image-allowlist "*" allows every image, with a warning to write "**"', async () => {
      await withWorkspace(async (ws) => {
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { ...FAST, 'image-policy': 'digest', 'image-allowlist': '* # every image, for now' }
        })
        expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
        const warnings = run.annotations.filter(
          (a: Annotation) => a.level === 'warning' && a.message.includes('image-allowlist')
        )
        expect(warnings.map((a: Annotation) => a.message.split('\n')[0])).toEqual([
          'Images pinned: image-allowlist-everything: input image-allowlist: `*` alone is read as `**`, every image: the image policy judges nothing. (`*` matches one path segment: `temporalio/*` covers docker.io/temporalio/server, not ghcr.io/x/y.)'
        ])
      })
    })

    it('an OCI upstream pinned exactly, its tag list 17 MiB: the pin resolves by its tag, the drift report is a warning', async () => {
      const archive = servers.repo.archives.find(
        (a: { name: string; version: string }) => a.name === 'temporal' && a.version === '1.2.0'
      )
      if (!archive) throw new Error('the stand-in repository has no temporal 1.2.0')
      await execFileAsync(helm.binary, ['push', archive.path, `${servers.registry.oci}/deps`, '--plain-http'], {
        env: { ...process.env, ...servers.repo.helmEnv }
      })
      const tags = Array.from({ length: 600_000 }, (_, i) => `0.1.0-build.${String(i).padStart(16, '0')}`)
      const proxy = await startFaultProxy({
        target: servers.registry.url,
        plan: [
          {
            method: 'GET',
            pathPattern: /\/tags\/list/,
            status: 200,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ name: 'deps/temporal', tags }),
            times: 20
          }
        ]
      })
      try {
        await withWorkspace(async (ws) => {
          await pointChartAt(ws.chart, `${proxy.oci}/deps`)
          const chartYaml = path.join(ws.chart, 'Chart.yaml')
          expect(await readFile(chartYaml, 'utf8')).toContain(`repository: ${proxy.oci}/deps`)
          const run = await runBundledAction({
            helm,
            workspace: ws.dir,
            repoUrl: servers.repo.url,
            inputs: { ...FAST, 'plain-http': 'true' }
          })
          expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
          expect(
            proxy.requests.some((r: { path: string; fault: boolean }) => r.fault && /tags\/list/.test(r.path))
          ).toBe(true)
          expect(run.outputs['upstream-version']).toBe('1.2.0')
          const drift = run.annotations.filter((a: Annotation) => a.message.includes('whether a newer release is out'))
          expect(drift).toHaveLength(1)
          expect(drift[0].level).toBe('warning')
          expect(drift[0].message).toMatch(
            /^temporal 1\.2\.0 is pinned and exists in oci:\/\/127\.0\.0\.1:\d+\/deps\/temporal, but whether a newer release is out is unknown: Registry 127\.0\.0\.1:\d+: GET \S+ response body larger than 16777216 bytes\./
          )
        })
      } finally {
        await proxy.stop()
      }
    })
  })
}
