// Finds or installs the helm binary the run uses: a matching helm on PATH, one
// in the runner's tool cache, or the official tarball (checksum verified).
import * as core from '@actions/core'
import * as tc from '@actions/tool-cache'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { access, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { ActionError } from '../types.js'

const execFileAsync = promisify(execFile)

/** Used when helm-version is empty and no helm is on PATH. */
const DEFAULT_HELM_VERSION = 'v3.17.2'

/**
 * Where Helm release tarballs come from (input helm-download-url, checked by inputs/).
 * A refused URL is kept, not thrown at input time: a runner with helm in place never downloads.
 */
export interface HelmDownloadSource {
  url: string
  refusal?: ActionError
}

export interface HelmInstallation {
  binary: string
  version: string
  source: 'path' | 'tool-cache' | 'download'
}

export function helmPlatform(platform = os.platform(), arch = os.arch()): { os: string; arch: string } {
  const osName = platform === 'win32' ? 'windows' : platform
  if (!['linux', 'darwin'].includes(osName)) {
    throw new ActionError(
      `helm download: platform ${platform} is not supported`,
      'run on a Linux or macOS runner, or put helm on PATH'
    )
  }
  const archName = (
    { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>
  )[arch]
  if (!archName) throw new ActionError(`helm download: architecture ${arch} is not supported`, 'put helm on PATH')
  return { os: osName, arch: archName }
}

async function versionOf(binary: string): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync(binary, ['version', '--template', '{{.Version}}'], { timeout: 15000 })
    return stdout.trim() || undefined
  } catch {
    return undefined
  }
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const candidate = path.join(dir, name)
    try {
      await access(candidate, 1)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** `.sha256sum` files hold `<hex>  <file name>`; older ones only the hex. */
function parseChecksumFile(text: string): string | undefined {
  const match = /^([0-9a-f]{64})\b/i.exec(text.trim())
  return match?.[1].toLowerCase()
}

export async function provisionHelm(wanted: string, download: HelmDownloadSource): Promise<HelmInstallation> {
  const onPath = await findOnPath('helm')
  if (onPath) {
    const version = await versionOf(onPath)
    if (version && (!wanted || version === wanted)) return { binary: onPath, version, source: 'path' }
  }
  const version = wanted || DEFAULT_HELM_VERSION
  const cached = tc.find('helm', version.replace(/^v/, ''))
  if (cached) {
    const binary = path.join(cached, 'helm')
    const cachedVersion = await versionOf(binary)
    if (cachedVersion === version) return { binary, version, source: 'tool-cache' }
  }
  return { binary: await downloadHelm(version, download), version, source: 'download' }
}

async function downloadHelm(version: string, download: HelmDownloadSource): Promise<string> {
  if (download.refusal) throw download.refusal
  const downloadBase = download.url
  const { os: osName, arch } = helmPlatform()
  const file = `helm-${version}-${osName}-${arch}.tar.gz`
  const url = `${downloadBase}/${file}`
  core.info(`Downloading ${url}`)
  let archive: string
  let checksumFile: string
  try {
    ;[archive, checksumFile] = await Promise.all([tc.downloadTool(url), tc.downloadTool(`${url}.sha256sum`)])
  } catch (error) {
    throw new ActionError(
      `cannot download helm ${version} from ${url}: ${(error as Error).message}`,
      'check helm-version and helm-download-url, or put helm on PATH'
    )
  }
  const expected = parseChecksumFile(await readFile(checksumFile, 'utf8'))
  if (!expected)
    throw new ActionError(
      `${url}.sha256sum holds no sha256 checksum`,
      'check helm-download-url serves the official .sha256sum files'
    )
  const actual = await sha256File(archive)
  if (actual !== expected) {
    throw new ActionError(
      `helm ${version} download ${url} has sha256 ${actual}, but ${url}.sha256sum says ${expected}`,
      'the download is corrupt or tampered with; check helm-download-url'
    )
  }
  const extracted = await tc.extractTar(archive)
  const folder = await tc.cacheDir(path.join(extracted, `${osName}-${arch}`), 'helm', version.replace(/^v/, ''))
  const binary = path.join(folder, 'helm')
  const got = await versionOf(binary)
  if (got !== version)
    throw new ActionError(
      `the helm in ${file} reports version ${got ?? 'nothing'}, expected ${version}`,
      'check helm-download-url'
    )
  return binary
}
