// The early `helm version` of the helm on PATH (helm/path-helm.ts): started once the inputs are read, its answer
// is what provisioning uses (one process, not two), and only once. The helm on PATH is a script that logs each call
// and runs the real Helm 3: a script records no Go build information, so even its major must be asked.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Helm } from '../../src/helm/helm.js'
import { provisionHelm } from '../../src/helm/helm-install.js'
import { startPathHelmProbe } from '../../src/helm/path-helm.js'
import { ActionError } from '../../src/types.js'
import { helmsUnderTest } from '../support/e2e.js'

const [helm3] = helmsUnderTest()

describe('helm version asked early', () => {
  let dir: string
  let log: string
  const saved = {
    PATH: process.env.PATH,
    RUNNER_TOOL_CACHE: process.env.RUNNER_TOOL_CACHE,
    RUNNER_TEMP: process.env.RUNNER_TEMP
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bp-path-helm-'))
    log = path.join(dir, 'calls.log')
    await writeFile(path.join(dir, 'helm'), `#!/bin/sh\necho "$*" >> '${log}'\nexec '${helm3.binary}' "$@"\n`)
    await chmod(path.join(dir, 'helm'), 0o755)
    process.env.PATH = `${dir}${path.delimiter}/usr/bin${path.delimiter}/bin`
    process.env.RUNNER_TOOL_CACHE = path.join(dir, 'tool-cache')
    process.env.RUNNER_TEMP = path.join(dir, 'runner-temp')
  })
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    await rm(dir, { recursive: true, force: true })
  })

  const calls = async (): Promise<string[]> =>
    (await readFile(log, 'utf8').catch(() => '')).split('\n').filter((line) => line.startsWith('version'))

  it('provisioning takes the early answer instead of asking again, and takes it only once', async () => {
    startPathHelmProbe('v3.17.2')
    startPathHelmProbe('v3.17.2') // a second start asks nothing more
    const first = await provisionHelm('v3.17.2', { url: 'http://127.0.0.1:9/never-used' })
    expect(first).toEqual({ binary: path.join(dir, 'helm'), release: { major: 3, version: 'v3.17.2' }, source: 'path' })
    expect(await calls()).toHaveLength(1)

    // Taken: a later provisioning asks helm itself (the answer is never stale). No version wanted, but the
    // script's major is unknown (it picks flags), so it is asked before the build all the same.
    const second = await provisionHelm('', { url: 'http://127.0.0.1:9/never-used' })
    expect(second.release).toEqual({ major: 3, version: 'v3.17.2' })
    expect(await calls()).toHaveLength(2)
  })

  it('an early answer for another version is not used: the wanted helm is downloaded (here: refused)', async () => {
    startPathHelmProbe('v3.16.0')
    const refusal = new ActionError('download refused by this test', 'nothing to do')
    await expect(provisionHelm('v3.16.0', { url: 'http://127.0.0.1:9/none', refusal })).rejects.toBe(refusal)
  })

  it('a helm whose version provisioning left out asks `helm version` on the first call only, and never for a known one', async () => {
    const before = (await calls()).length
    const binary = path.join(dir, 'helm')
    const lazy = await Helm.create(binary, path.join(dir, 'lazy-home'), { major: 3 })
    expect(await calls()).toHaveLength(before) // created without asking
    const [first, second] = await Promise.all([lazy.version(), lazy.version()])
    expect([first, second, await lazy.version()]).toEqual(['v3.17.2', 'v3.17.2', 'v3.17.2'])
    expect(await calls()).toHaveLength(before + 1)
    const known = await Helm.create(binary, path.join(dir, 'known-home'), { major: 3, version: 'v3.17.2' })
    expect(await known.version()).toBe('v3.17.2')
    expect(await calls()).toHaveLength(before + 1)
  })
})
