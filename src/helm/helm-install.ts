// Finds or installs the helm binary the run uses: a matching helm on PATH, one
// in the runner's tool cache, or the official tarball (checksum verified).
// Which helm a binary is comes from its Go build information when the build recorded it
// (`go-buildinfo.ts`, no process); `helm version` runs only when it did not.
import * as core from '@actions/core'
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { access, readFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ActionError } from '../types.js'
import { readHelmBuildInfo } from './go-buildinfo.js'
import { helmRelease, type HelmRelease } from './helm.js'
import { askedBeforeTheBuild, findOnPath, pathHelmVersion, versionOf } from './path-helm.js'

/**
 * @actions/tool-cache, loaded only when the helm on PATH is not the one wanted: with node-semver, @actions/exec and
 * @actions/io it is ~150 KB of the bundle, compiled on the way to the dependency build otherwise.
 */
const toolCache = (): Promise<typeof import('@actions/tool-cache')> => import('@actions/tool-cache')

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
  /** Its version is left out only for a helm on PATH taken without one wanted (asked later: `Helm.version()`). */
  release: HelmRelease
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

/**
 * The helm on PATH when it is the one wanted (any, when `wanted` is empty). Its build information answers
 * without a process when the build recorded the version, and rules out another major at once. A build that
 * recorded its major alone (Helm 3's official builds, `(devel)`) is asked with `helm version` only when a
 * version is wanted; when any helm will do, its version is only reported, and the run asks it once the gates
 * are done. A build that recorded neither is asked now: its major picks flags.
 */
async function helmOnPath(wanted: string): Promise<HelmInstallation | undefined> {
  const binary = findOnPath('helm')
  if (!binary) return undefined
  const recorded = readHelmBuildInfo(binary)
  const release =
    recorded.major !== undefined && !askedBeforeTheBuild(recorded, wanted)
      ? { major: recorded.major, version: recorded.version }
      : helmRelease((await pathHelmVersion(binary)) ?? '')
  return release && (!wanted || release.version === wanted) ? { binary, release, source: 'path' } : undefined
}

/**
 * The tool cache's helm for `version`: the folder is named by the version this action (or a setup action)
 * verified when it cached it, so it is trusted without running it; the binary's build information must not
 * say otherwise (another major, or another recorded version).
 */
async function helmInToolCache(version: string): Promise<HelmInstallation | undefined> {
  const tc = await toolCache()
  const cached = tc.find('helm', version.replace(/^v/, ''))
  if (!cached) return undefined
  const binary = path.join(cached, 'helm')
  try {
    await access(binary, 1)
  } catch {
    return undefined
  }
  const recorded = readHelmBuildInfo(binary)
  const release = helmRelease(version)
  if (!release || (recorded.major !== undefined && recorded.major !== release.major)) return undefined
  if (recorded.version !== undefined && recorded.version !== version) return undefined
  return { binary, release, source: 'tool-cache' }
}

export async function provisionHelm(wanted: string, download: HelmDownloadSource): Promise<HelmInstallation> {
  const onPath = await helmOnPath(wanted)
  if (onPath) return onPath
  const version = wanted || DEFAULT_HELM_VERSION
  const cached = await helmInToolCache(version)
  if (cached) return cached
  const binary = await downloadHelm(version, download)
  return { binary, release: helmRelease(version) ?? { major: 3, version }, source: 'download' }
}

async function downloadHelm(version: string, download: HelmDownloadSource): Promise<string> {
  if (download.refusal) throw download.refusal
  const tc = await toolCache()
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
  const folder = path.join(extracted, `${osName}-${arch}`)
  // Checked before it is cached: the tool cache's folder name is trusted from then on.
  const got = await versionOf(path.join(folder, 'helm'))
  if (got !== version)
    throw new ActionError(
      `the helm in ${file} reports version ${got ?? 'nothing'}, expected ${version}`,
      'check helm-download-url'
    )
  const cachedFolder = await tc.cacheDir(folder, 'helm', version.replace(/^v/, ''))
  return path.join(cachedFolder, 'helm')
}
