// Which helm a binary is, read from its Go build information (no process), on the real helm 3 and 4 binaries;
// and provisioning from PATH deciding by it: Helm 3 vs 4 is never confused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { readHelmBuildInfo } from '../../src/helm/go-buildinfo.js'
import { provisionHelm } from '../../src/helm/helm-install.js'
import { ActionError } from '../../src/types.js'
import { helmsUnderTest } from '../support/e2e.js'

const execFileAsync = promisify(execFile)
const [helm3, helm4] = helmsUnderTest()

describe('readHelmBuildInfo on the real binaries', () => {
  it.each([helm3, helm4])(
    '$label: the major, and the version only when it is what helm version prints',
    async (helm) => {
      const info = readHelmBuildInfo(helm.binary)
      const { stdout } = await execFileAsync(helm.binary, ['version', '--template', '{{.Version}}'])
      expect(stdout.trim()).toBe(helm.version)
      expect(info.major).toBe(Number(helm.version.slice(1, 2)))
      if (info.version !== undefined) expect(info.version).toBe(stdout.trim())
    }
  )

  it('answers nothing for a file that is no Go binary, or none at all', () => {
    expect(readHelmBuildInfo(process.execPath)).toEqual({})
    expect(readHelmBuildInfo('/nonexistent/helm')).toEqual({})
  })
})

describe('provisionHelm from PATH', () => {
  const saved = { PATH: process.env.PATH, RUNNER_TOOL_CACHE: process.env.RUNNER_TOOL_CACHE }
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bp-helm-path-'))
    process.env.RUNNER_TOOL_CACHE = path.join(dir, 'tool-cache')
  })
  afterAll(async () => {
    Object.assign(process.env, saved)
    await rm(dir, { recursive: true, force: true })
  })
  // Nothing listens there: reaching the download means PATH's helm was not taken.
  const NO_MIRROR = { url: 'http://127.0.0.1:9/helm' }

  it.each([helm3, helm4])('$label on PATH is taken for its own version and for an empty helm-version', async (helm) => {
    process.env.PATH = `${path.dirname(helm.binary)}${path.delimiter}/usr/bin:/bin`
    const major = Number(helm.version.slice(1, 2))
    await expect(provisionHelm(helm.version, NO_MIRROR)).resolves.toEqual({
      binary: helm.binary,
      release: { major, version: helm.version },
      source: 'path'
    })
    // No version wanted: what the build records is enough. Helm 4's records its version; Helm 3's official build
    // its major alone, and it is not asked (no process): the run asks once the gates are done.
    await expect(provisionHelm('', NO_MIRROR)).resolves.toEqual({
      binary: helm.binary,
      release: { major, version: major === 3 ? undefined : helm.version },
      source: 'path'
    })
  })

  it.each([
    { helm: helm4, wanted: 'v3.17.2' },
    { helm: helm3, wanted: 'v4.1.4' },
    { helm: helm3, wanted: 'v3.16.0' }
  ])('$helm.label on PATH is not taken for $wanted', async ({ helm, wanted }) => {
    process.env.PATH = `${path.dirname(helm.binary)}${path.delimiter}/usr/bin:/bin`
    const error = await provisionHelm(wanted, NO_MIRROR).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ActionError)
    expect((error as Error).message).toContain(`cannot download helm ${wanted} from ${NO_MIRROR.url}/helm-${wanted}-`)
  })
})
