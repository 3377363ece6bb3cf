// Helm provisioning through the download path: a tarball made from the real
// helm binary, served on 127.0.0.1 like get.helm.sh serves it, checksum checked.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { helmPlatform, provisionHelm } from '../../src/helm/helm-install.js'
import { readHelmDownloadUrl } from '../../src/inputs/inputs.js'
import { ActionError } from '../../src/types.js'
import { helmsUnderTest } from '../support/e2e.js'

const execFileAsync = promisify(execFile)
const [helm3] = helmsUnderTest()

describe('helm download path', () => {
  let dir: string
  let server: http.Server
  let base: string
  const files = new Map<string, Buffer>()
  const requests: string[] = []
  const savedEnv = {
    PATH: process.env.PATH,
    RUNNER_TOOL_CACHE: process.env.RUNNER_TOOL_CACHE,
    RUNNER_TEMP: process.env.RUNNER_TEMP
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bp-helm-dl-'))
    const { os: osName, arch } = helmPlatform()
    const stage = path.join(dir, 'stage', `${osName}-${arch}`)
    await mkdir(stage, { recursive: true })
    await copyFile(helm3.binary, path.join(stage, 'helm'))
    const name = `helm-v3.17.2-${osName}-${arch}.tar.gz`
    await execFileAsync('tar', ['-czf', path.join(dir, name), '-C', path.join(dir, 'stage'), `${osName}-${arch}`])
    const tarball = await readFile(path.join(dir, name))
    const sum = createHash('sha256').update(tarball).digest('hex')
    files.set(`/good/${name}`, tarball)
    files.set(`/good/${name}.sha256sum`, Buffer.from(`${sum}  ${name}\n`))
    files.set(`/tampered/${name}`, tarball)
    files.set(`/tampered/${name}.sha256sum`, Buffer.from(`${'0'.repeat(64)}  ${name}\n`))
    server = http.createServer((req, res) => {
      requests.push(req.url ?? '')
      const body = files.get(req.url ?? '')
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream' })
      res.end(body ?? 'not found')
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    // No helm on PATH: the download path is the only way.
    process.env.PATH = '/usr/bin:/bin'
    process.env.RUNNER_TOOL_CACHE = path.join(dir, 'tool-cache')
    process.env.RUNNER_TEMP = path.join(dir, 'runner-temp')
  })
  afterAll(async () => {
    Object.assign(process.env, savedEnv)
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })

  it('refuses a tarball whose sha256 differs from its .sha256sum, and caches nothing', async () => {
    const error = await provisionHelm('v3.17.2', readHelmDownloadUrl(`${base}/tampered`)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ActionError)
    expect((error as Error).message).toMatch(
      /has sha256 [0-9a-f]{64}, but .*\/tampered\/helm-v3\.17\.2-.*\.sha256sum says 0{64}/
    )
    const again = await provisionHelm('v3.17.2', readHelmDownloadUrl(`${base}/tampered`)).catch((e: unknown) => e)
    expect(again).toBeInstanceOf(ActionError)
  })

  it('refuses a plain-http mirror that is not loopback before downloading anything', async () => {
    const before = requests.length
    const error = await provisionHelm('v3.17.2', readHelmDownloadUrl('http://mirror.example/helm')).catch(
      (e: unknown) => e
    )
    expect(error).toBeInstanceOf(ActionError)
    expect((error as Error).message).toContain(
      'input helm-download-url: "http://mirror.example/helm" uses plain http to mirror.example'
    )
    expect(requests.length).toBe(before)
  })

  it('names the URL when the release is not there', async () => {
    const error = await provisionHelm('v3.17.2', readHelmDownloadUrl(`${base}/missing`)).catch((e: unknown) => e)
    expect((error as Error).message).toMatch(
      new RegExp(`cannot download helm v3\\.17\\.2 from ${base}/missing/helm-v3\\.17\\.2-`)
    )
  })

  it('downloads, verifies and caches the release; the next run takes it from the tool cache', async () => {
    const installed = await provisionHelm('v3.17.2', readHelmDownloadUrl(`${base}/good`))
    expect(installed.source).toBe('download')
    expect(installed.release).toEqual({ major: 3, version: 'v3.17.2' })
    expect(installed.binary.startsWith(process.env.RUNNER_TOOL_CACHE ?? '/nowhere')).toBe(true)
    const { stdout } = await execFileAsync(installed.binary, ['version', '--template', '{{.Version}}'])
    expect(stdout.trim()).toBe('v3.17.2')

    const before = requests.length
    const cached = await provisionHelm('v3.17.2', readHelmDownloadUrl(`${base}/good`))
    expect(cached).toEqual({
      binary: installed.binary,
      release: { major: 3, version: 'v3.17.2' },
      source: 'tool-cache'
    })
    expect(requests.length).toBe(before)
  })
})
