// Bounded time and hostile chart tests, with the bundled action (dist/index.js),
// real helm, a real registry behind a loopback proxy that stops answering, and
// a real chart repository that fails for a while.
import { describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startFaultProxy } from '../../testkit/registry.mjs'
import { fetchIndex } from '../../src/chart/repository-index.js'
import { FAST, failureMessage, helmsUnderTest, runBundledAction, withWorkspace } from '../support/e2e.js'
import { useServers } from '../support/servers.js'

describe.each(helmsUnderTest())('a registry that takes the upload and never answers ($label)', (helm) => {
  const servers = useServers(helm)

  it('stops the push at the run timeout, says what was stuck, and still writes the report, summary and outputs', async () => {
    // Reads (the existence check) go through; the manifest PUT that ends a push is swallowed.
    const proxy = await startFaultProxy({
      target: servers.registry,
      plan: [{ method: 'PUT', pathPattern: /\/manifests\//, hang: true, times: 100 }]
    })
    try {
      await withWorkspace(async (ws) => {
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { registry: `${proxy.oci}/stuck`, push: 'true', 'plain-http': 'true', timeout: '40s', ...FAST },
          env: { BP_PROGRESS_INTERVAL_MS: '2000' },
          killAfterMs: 120_000
        })
        expect(run.killed).toBe(false)
        expect(run.exitCode).not.toBe(0)
        expect(run.durationMs).toBeLessThan(70_000)
        expect(proxy.requests.some((r) => r.method === 'PUT' && r.fault)).toBe(true)
        const message = failureMessage(run)
        expect(message).toMatch(new RegExp(`helm push to ${proxy.host.replace(/\./g, '\\.')}: no answer for \\d+ s`))
        expect(message).toMatch(/timeout/)
        // Progress while it waited: a line when the push started, more while it waited.
        expect(run.stdout).toContain(`pushing ${proxy.oci}/stuck/bp-temporal:1.0.0`)
        expect(run.stdout).toMatch(/still pushing .* \(\d+ s\)/)
        // The report, the summary and the outputs are there all the same.
        expect(run.report?.status).toBe('failed')
        expect(JSON.stringify(run.report.steps)).toMatch(/no answer for \d+ s/)
        expect(run.summary).toMatch(/no answer for \d+ s/)
        expect(run.outputs).toMatchObject({
          mode: 'publish',
          pushed: 'false',
          'chart-name': 'bp-temporal',
          'upstream-version': '1.2.0'
        })
      })
    } finally {
      await proxy.stop()
    }
  }, 150_000)
})

describe('a chart test that leaves a process behind (helm 3)', () => {
  const [helm] = helmsUnderTest()
  const auth = { username: 'publisher', password: 'Leak-Me-1f2e3d' }
  const servers = useServers(helm, { registry: { auth } })

  it('is killed and named, and never sees the registry credentials', async () => {
    const outside = await mkdtemp(path.join(os.tmpdir(), 'bp-leak-'))
    const leak = path.join(outside, 'leak.txt')
    try {
      await withWorkspace(async (ws) => {
        // A detached loop that outlives the script and copies the helm registry
        // login of the action's work folder (under the runner's temp folder) whenever there is one.
        const script = [
          '#!/usr/bin/env bash',
          `setsid bash -c 'end=$((SECONDS + 90)); while [ $SECONDS -lt $end ]; do cat "$RUNNER_TEMP"/*/helm-home/config/registry/config.json >> ${leak} 2>/dev/null; echo tick >> ${leak}; sleep 0.05; done' >/dev/null 2>&1 < /dev/null &`,
          // Ends once the loop runs (setsid has become `bash -c …`), so the leftover's name does not depend on timing.
          `for _ in $(seq 500); do [ -s ${leak} ] && break; sleep 0.01; done`,
          'echo "left a loop behind"',
          ''
        ].join('\n')
        await writeFile(path.join(ws.chart, 'tests', 'zz-background.sh'), script)
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: {
            registry: `${servers.registry.oci}/blueprints`,
            push: 'true',
            'plain-http': 'true',
            'registry-username': auth.username,
            'registry-password': auth.password
          },
          killAfterMs: 150_000
        })
        // Give a surviving loop time to read what a login would have written.
        await new Promise((resolve) => setTimeout(resolve, 1500))
        const seen = await readFile(leak, 'utf8').catch(() => '')
        const ticksAfterRun = seen.split('\n').filter((line) => line === 'tick').length
        await new Promise((resolve) => setTimeout(resolve, 1000))
        const later = await readFile(leak, 'utf8').catch(() => '')
        const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64')
        expect(later).not.toContain(basic)
        expect(later).not.toContain(auth.password)
        expect(later.split('\n').filter((line) => line === 'tick').length).toBe(ticksAfterRun) // the loop is dead
        const finding = (run.report?.steps ?? [])
          .flatMap((s: { findings: { rule: string; message: string }[] }) => s.findings)
          .find((f: { rule: string }) => f.rule === 'chart-test-leftover')
        expect(finding?.message).toMatch(
          /tests\/zz-background\.sh left \d+ process(es)? running after it ended, killed: `bash -c end=/
        )
        expect(run.exitCode).not.toBe(0)
        expect(run.outputs.pushed).toBe('false')
      })
    } finally {
      await rm(outside, { recursive: true, force: true })
    }
  }, 180_000)
})

// Validation runs and the index fetch (helm 3) share one chart repository; nothing is pushed.
describe('helm 3, no registry', () => {
  const [helm] = helmsUnderTest()
  const servers = useServers(helm, { registry: false })

  describe('input timeout (helm 3)', () => {
    it('refuses a timeout that is not a duration, naming the input', async () => {
      await withWorkspace(async (ws) => {
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { push: 'false', timeout: 'soon' },
          killAfterMs: 60_000
        })
        expect(run.exitCode).not.toBe(0)
        expect(failureMessage(run)).toMatch(/input timeout: "soon" is not a duration.*90s, 10m or 1h30m/)
      })
    })
  })

  describe('the upstream index.yaml fetch', () => {
    it('retries a 503 and a reset connection, then reads the index', async () => {
      let served = 0
      servers.repo.setFailure((req: { url: string }) => {
        if (!req.url.endsWith('/index.yaml')) return undefined
        served++
        return served === 1 ? 503 : served === 2 ? { destroy: true } : undefined
      })
      try {
        const { text } = await fetchIndex(servers.repo.url, undefined, { retries: 3, baseDelayMs: 50 })
        expect(text).toContain('temporal')
        expect(served).toBe(3)
      } finally {
        servers.repo.setFailure(null)
      }
    })

    it('does not retry what another attempt cannot fix (404)', async () => {
      let served = 0
      servers.repo.setFailure((req: { url: string }) => {
        if (!req.url.endsWith('/index.yaml')) return undefined
        served++
        return 404
      })
      try {
        await expect(fetchIndex(servers.repo.url, undefined, { retries: 3, baseDelayMs: 50 })).rejects.toThrow(
          /answered HTTP 404/
        )
        expect(served).toBe(1)
      } finally {
        servers.repo.setFailure(null)
      }
    })
  })

  describe('bad input that stalls or crashes (helm 3)', () => {
    it('a values.yaml over 5 MiB is refused at once, naming the file; the error is printed once', async () => {
      await withWorkspace(async (ws) => {
        const values = path.join(ws.chart, 'values.yaml')
        await writeFile(values, (await readFile(values, 'utf8')) + `padding: "${'x'.repeat(6 * 1024 * 1024)}"\n`)
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { push: 'false' },
          killAfterMs: 120_000
        })
        expect(run.exitCode).not.toBe(0)
        expect(run.durationMs).toBeLessThan(30_000)
        const errors = run.annotations
          .filter((a: { level: string }) => a.level === 'error')
          .map((a: { message: string }) => a.message)
        expect(errors.join('\n')).toMatch(
          /platform\/temporal\/chart\/values\.yaml is 6\.\d MiB, over Helm's 5 MiB limit/
        )
        // Once: the finding's annotation, and a last line that counts instead of repeating it.
        expect(errors.filter((message: string) => message.includes("over Helm's 5 MiB limit"))).toHaveLength(1)
        expect(run.report?.status).toBe('failed')
      })
    })

    it('a values input file over 5 MiB is refused before any work', async () => {
      await withWorkspace(async (ws) => {
        await writeFile(path.join(ws.dir, 'huge-values.yaml'), `padding: "${'x'.repeat(5 * 1024 * 1024 + 10)}"\n`)
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { push: 'false', values: 'huge-values.yaml' },
          killAfterMs: 120_000
        })
        expect(run.exitCode).not.toBe(0)
        expect(failureMessage(run)).toMatch(/huge-values\.yaml is 5\.0 MiB, over Helm's 5 MiB limit/)
        expect(run.stdout).not.toMatch(/^helm v/m) // stopped before helm was even set up
      })
    })

    it("a RUNNER_TEMP that does not exist falls back to the action's own folder in the OS temp folder", async () => {
      await withWorkspace(async (ws) => {
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { push: 'false', ...FAST },
          env: { RUNNER_TEMP: path.join(os.tmpdir(), 'bp-no-such-runner-temp', 'x') },
          killAfterMs: 120_000
        })
        expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
        expect(path.dirname(run.outputs.report)).toBe(path.join(os.tmpdir(), 'blueprint-action'))
        expect(run.report?.status).toBe('passed')
        await rm(run.outputs.report, { force: true })
        if (run.outputs.sbom) await rm(run.outputs.sbom, { force: true })
      })
    })
  })
})
