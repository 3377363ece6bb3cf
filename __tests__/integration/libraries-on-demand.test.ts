// Libraries loaded on their first use, each from its own chunk of dist/ (rollup.config.js lazyLibraries), not with
// the pipeline: the yaml library (src/util/yaml-lib.ts) — a release of the example never needs it (the fast reader
// reads every file, render and index), a values.yaml outside the fast reader's subset loads it, and the run reads
// the file as before — and picomatch (src/util/glob.ts), which the gates and the workspace index ask for later.
// Node's https (and tls with it) is loaded on the first https request (src/net/http.ts): a run against plain-HTTP
// servers never loads it, and @actions/core's dependencies for what the action never calls are not bundled with
// the pipeline (rollup.config.js UNUSED_AT_START).
import { describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { httpExchange } from '../../src/net/http.js'
import { failureMessage, helmsUnderTest, REPO_ROOT, runBundledAction, withWorkspace } from '../support/e2e.js'
import { useServers } from '../support/servers.js'

const LOADED = '::debug::yaml library loaded'

describe('the yaml library, loaded on its first use (helm 3)', () => {
  const helm = helmsUnderTest()[0]
  const servers = useServers(helm)

  it('picomatch is bundled once, in a chunk of its own that the pipeline does not import', async () => {
    const chunks = path.join(REPO_ROOT, 'dist', 'chunks')
    // A line of picomatch's own source (its constants).
    const marker = 'POSIX_REGEX_SOURCE'
    expect(await readFile(path.join(chunks, 'picomatch.js'), 'utf8')).toContain(marker)
    for (const file of ['action.js', 'check-step.js', 'discover.js']) {
      const text = await readFile(path.join(chunks, file), 'utf8')
      expect({ file, bundled: text.includes(marker) }).toEqual({ file, bundled: false })
      expect(text).not.toMatch(/from '\.\/picomatch\.js'/)
    }
  })

  it('is bundled once, in a chunk of its own that the pipeline does not import', async () => {
    const chunks = path.join(REPO_ROOT, 'dist', 'chunks')
    // A line of the library's own source (its document node's symbol).
    const marker = "Symbol.for('yaml.document')"
    expect(await readFile(path.join(chunks, 'yaml.js'), 'utf8')).toContain(marker)
    const pipeline = await readFile(path.join(chunks, 'action.js'), 'utf8')
    expect(pipeline).not.toContain(marker)
    expect(pipeline).not.toMatch(/from '\.\/yaml\.js'/)
  })

  it.each([
    ['a release of the example does not load it', false],
    ['a values.yaml with an anchor loads it, and the release passes', true]
  ])('%s', async (_name, anchor) => {
    await withWorkspace(async (ws) => {
      if (anchor) {
        const values = path.join(ws.chart, 'values.yaml')
        const text = await readFile(values, 'utf8')
        expect(text).toContain('    replicaCount: 2\n')
        await writeFile(values, text.replace('    replicaCount: 2\n', '    replicaCount: &replicas 2\n'))
      }
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        // A repository per case: both publish bp-temporal 1.0.0.
        inputs: {
          registry: `${servers.registry.oci}/${anchor ? 'anchored' : 'plain'}`,
          push: 'true',
          'plain-http': 'true'
        },
        env: { RUNNER_DEBUG: '1' }
      })
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      expect(run.outputs.pushed).toBe('true')
      expect(run.stdout.includes(LOADED)).toBe(anchor)
    })
  })

  it('a release against plain-HTTP servers never loads https or tls; the pipeline does not bundle @actions/exec', async () => {
    const pipeline = await readFile(path.join(REPO_ROOT, 'dist', 'chunks', 'action.js'), 'utf8')
    // @actions/core's platform details (@actions/exec) and getIDToken (@actions/http-client, tunnel): never called.
    for (const marker of ['getExecOutput', 'class HttpClient', 'createSecureSocket'])
      expect({ marker, bundled: pipeline.includes(marker) }).toEqual({ marker, bundled: false })
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-builtins-'))
    try {
      // Node's own list of the built-ins it loaded, written as the action's process exits.
      const probe = path.join(dir, 'probe.mjs')
      const list = path.join(dir, 'loaded.txt')
      await writeFile(
        probe,
        `import { writeFileSync } from 'node:fs'\nprocess.on('exit', () => writeFileSync(${JSON.stringify(list)}, process.moduleLoadList.join('\\n')))\n`
      )
      await withWorkspace(async (ws) => {
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { registry: `${servers.registry.oci}/builtins`, push: 'true', 'plain-http': 'true' },
          env: { NODE_OPTIONS: `--import=${probe}` }
        })
        expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
        expect(run.outputs.pushed).toBe('true')
      })
      const loaded = (await readFile(list, 'utf8')).split('\n')
      expect(loaded).toContain('NativeModule http') // the probe saw the run: its index fetch and registry requests
      expect(loaded.filter((entry) => /^NativeModule (https|tls|_tls_wrap)$/.test(entry))).toEqual([])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('an https URL loads https on its first request (a refused connection is the network error, in words)', async () => {
    // Port 1 on loopback: nothing listens. The request gets as far as connecting through node:https.
    const error = await httpExchange('GET', new URL('https://127.0.0.1:1/index.yaml'), {}, 5000, 1024).catch(
      (e: unknown) => e
    )
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED')
  })
})
