// Pure-Node tools for Helm chart archives (`.tgz`): list entries, read one file,
// make an archive reproducible (normalizeTgz) and write one as helm does (writeHelmTgz).
// Hand-written, not tar-stream: the archive must be helm's bytes, and tar-stream writes other headers
// (its headers.js: octal fields "000644 \0" where Go writes "0000644\0"; a long name's prefix takes the fewest
// folders where Go's takes the most), so the same files would get another layer digest; node-package.test.ts
// compares the bytes written here with helm's.
//
// What Helm writes (3.17 and 4.1, checked with real binaries): a gzip stream whose
// header carries MTIME 0, OS 255, an EXTRA field with Helm's marker and the comment
// "Helm"; inside, a ustar tar (magic "ustar\0", version "00") with regular-file
// entries only (no directory entries), mode 0644, uid/gid 0, empty uname/gname,
// and each header's mtime set to the time of `helm package` (not the file's own
// mtime). No PAX headers for ordinary ASCII names; Go's archive/tar adds a PAX
// 'x' header for names over 100 bytes that cannot be split into prefix/name, or for
// non-ASCII names. The archive ends with two zero blocks (no padding to 10 KiB).

import { createHash, randomBytes } from 'node:crypto'
import { promises as fs } from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import { ActionError } from '../types.js'

const gunzipAsync = promisify(zlib.gunzip) as (buf: Buffer, opts?: zlib.ZlibOptions) => Promise<Buffer>
const deflateRawAsync = promisify(zlib.deflateRaw) as (buf: Buffer, opts?: zlib.ZlibOptions) => Promise<Buffer>

const BLOCK = 512
/** Refuse to inflate archives bigger than this (a chart is a few MiB at most). */
const MAX_TAR_BYTES = 1024 * 1024 * 1024

/** Lists entry names (regular files and directories) in archive order. */
export async function listTgz(file: string): Promise<string[]> {
  const tar = await readTar(file)
  const names: string[] = []
  for (const e of parseTar(tar, file)) {
    if (isRegular(e.type) || e.type === '5') names.push(e.name)
  }
  return names
}

/** Returns the content of one regular file of the archive, or undefined when absent. */
export async function readTgzFile(file: string, entry: string): Promise<Buffer | undefined> {
  const tar = await readTar(file)
  const wanted = stripDotSlash(entry)
  let found: Buffer | undefined
  for (const e of parseTar(tar, file)) {
    // The last entry of a name wins, as when tar extracts.
    if (isRegular(e.type) && stripDotSlash(e.name) === wanted) {
      found = Buffer.from(tar.subarray(e.dataOffset, e.dataOffset + e.size))
    }
  }
  return found
}

/**
 * sha256 over what an archive ships, timestamps aside: each entry's name, type,
 * mode and content, in order. Two packages of the same files made at different
 * times (different tar mtimes, so different archive digests) agree here.
 */
export async function tgzContentDigest(archive: Buffer, source: string): Promise<string> {
  const tar = await inflate(archive, source)
  const hash = createHash('sha256')
  for (const e of parseTar(tar, source)) {
    const mode = parseNumeric(tar, e.headerOffset + 100, 8)
    const linkTarget = cString(tar, e.headerOffset + 157, 100)
    const data = isRegular(e.type)
      ? shippedContent(e.name, tar.subarray(e.dataOffset, e.dataOffset + e.size))
      : Buffer.alloc(0)
    hash.update(`${JSON.stringify([e.name, e.type, mode, isRegular(e.type) ? data.length : e.size, linkTarget])}\n`)
    hash.update(data)
  }
  return `sha256:${hash.digest('hex')}`
}

/**
 * An entry's content as the content digest sees it: the chart's Chart.lock
 * without its `generated` time (a timestamp like the tar mtimes: the same lock
 * written for another commit time ships the same dependencies).
 */
function shippedContent(name: string, data: Buffer): Buffer {
  if (!/^[^/]+\/Chart\.lock$/.test(stripDotSlash(name))) return data
  return Buffer.from(data.toString('utf8').replace(/^generated:.*$/m, 'generated:'), 'utf8')
}

/** Each entry of an archive with the sha256 of what it ships (type, mode, content), timestamps aside. */
export async function tgzEntrySummaries(archive: Buffer, source: string): Promise<{ name: string; digest: string }[]> {
  const tar = await inflate(archive, source)
  return parseTar(tar, source).map((e) => {
    const hash = createHash('sha256')
    hash.update(
      `${JSON.stringify([e.type, parseNumeric(tar, e.headerOffset + 100, 8), cString(tar, e.headerOffset + 157, 100)])}\n`
    )
    if (isRegular(e.type)) hash.update(shippedContent(e.name, tar.subarray(e.dataOffset, e.dataOffset + e.size)))
    return { name: e.name, digest: hash.digest('hex') }
  })
}

/**
 * Makes a chart archive reproducible: every tar header's mtime (and mtime/atime/ctime
 * records of PAX headers) becomes `epochSeconds`, checksums are recomputed, the tar is
 * re-gzipped deterministically (gzip MTIME 0, OS 255, Helm's EXTRA/comment kept), the
 * file is replaced atomically and its own atime/mtime set to `epochSeconds`.
 * Entry order, names, modes and contents are unchanged.
 */
export async function normalizeTgz(file: string, epochSeconds: number): Promise<void> {
  if (!Number.isInteger(epochSeconds) || epochSeconds < 0 || epochSeconds > 0o77777777777) {
    throw new ActionError(
      `Cannot normalize ${file}: timestamp ${epochSeconds} is not a whole number of seconds between 0 and 8589934591.`,
      'Use the commit time in seconds since the epoch (e.g. `git log -1 --format=%ct`).'
    )
  }
  const raw = await readFileOrFail(file)
  const gz = parseGzipHeader(raw, file)
  const tar = await inflate(raw, file)
  const normalized = normalizeTar(tar, epochSeconds, file)
  const deflated = await deflateRawAsync(normalized, { level: 9 })
  const out = Buffer.concat([gzipHeader(gz), deflated, gzipTrailer(normalized)])

  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const mode = (await fs.stat(file)).mode & 0o7777
  try {
    await fs.writeFile(tmp, out, { mode })
    await fs.chmod(tmp, mode)
    await fs.utimes(tmp, epochSeconds, epochSeconds)
    await fs.rename(tmp, file)
  } catch (e) {
    await fs.rm(tmp, { force: true }).catch(() => undefined)
    throw new ActionError(`Cannot write normalized archive ${file}: ${(e as Error).message}`)
  }
  // rename keeps the times, but set them again in case the filesystem did not.
  await fs.utimes(file, epochSeconds, epochSeconds)
}

/** Helm's gzip header fields (pkg/chart/v2/util/save.go): its marker as EXTRA, "Helm" as the comment. */
const HELM_GZIP: GzipHeaderFields = {
  extra: Buffer.from('+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=', 'latin1'),
  comment: Buffer.from('Helm', 'latin1')
}

/**
 * Writes a chart archive from `entries` (full names, `<chart>/…`, in order) as
 * `helm package` writes it, already normalized: Go archive/tar's headers
 * (USTAR; a long name split into prefix/name, else a PAX `path` record), every
 * mtime `epochSeconds`, gzip as normalizeTgz writes it. The bytes equal
 * normalizeTgz applied to `helm package`'s output for the same entries.
 */
export async function writeHelmTgz(
  file: string,
  entries: Array<{ name: string; data: Buffer }>,
  epochSeconds: number
): Promise<void> {
  const blocks: Buffer[] = []
  for (const entry of entries) blocks.push(...goTarEntry(entry.name, entry.data, epochSeconds))
  blocks.push(Buffer.alloc(2 * BLOCK))
  const tar = Buffer.concat(blocks)
  const deflated = await deflateRawAsync(tar, { level: 9 })
  await fs.writeFile(file, Buffer.concat([gzipHeader(HELM_GZIP), deflated, gzipTrailer(tar)]))
  await fs.utimes(file, epochSeconds, epochSeconds)
}

/** Every regular file of an archive, in order, with its content (for loading a dependency archive). */
type TgzEntry = { name: string; type: string; data: Buffer }

/**
 * The entries already read, by the archive's sha256: a run reads one dependency archive (charts/<upstream>.tgz)
 * for the package, the schema gate's CRDs and the observability gate's dependency values, and each read inflates
 * and walks it (~8 ms of node's CPU a read for a real-size upstream, beside the gates' processes). Only reads that
 * succeeded are kept (a failure is each caller's to word); a few archives at most, the oldest dropped first.
 */
const entriesRead = new Map<string, Promise<readonly TgzEntry[]>>()
const ENTRIES_KEPT = 8

export async function readTgzEntries(archive: Buffer, source: string): Promise<TgzEntry[]> {
  const read = async (): Promise<TgzEntry[]> => {
    const tar = await inflate(archive, source)
    return parseTar(tar, source).map((e) => ({
      name: e.name,
      type: e.type,
      data: Buffer.from(tar.subarray(e.dataOffset, e.dataOffset + e.size))
    }))
  }
  const key = createHash('sha256').update(archive).digest('hex')
  const shared = entriesRead.get(key)
  if (shared) {
    // A list of its own for each caller; the entries' bytes are shared (no reader writes them). A read that failed
    // meanwhile is read again here, so that the error names this caller's source.
    return shared.then((entries) => [...entries], read)
  }
  const first = read()
  entriesRead.set(key, first)
  if (entriesRead.size > ENTRIES_KEPT) entriesRead.delete(entriesRead.keys().next().value!)
  first.catch(() => entriesRead.delete(key))
  return first.then((entries) => [...entries])
}

function goTarEntry(name: string, data: Buffer, epoch: number): Buffer[] {
  const out: Buffer[] = []
  const ascii = [...name].every((c) => c.charCodeAt(0) < 0x80)
  let headerName = name
  let prefix = ''
  if (!ascii || Buffer.byteLength(name) > 100) {
    const split = ascii ? splitUstarPath(name) : undefined
    if (split) [prefix, headerName] = split
    else {
      // Go's writePAXHeader: a PAX 'x' entry named <dir>/PaxHeaders.0/<file>, then the main header.
      const records = formatPax([{ key: 'path', value: Buffer.from(name, 'utf8') }])
      const slash = name.lastIndexOf('/')
      const paxName = toAscii(`${name.slice(0, slash + 1)}PaxHeaders.0/${name.slice(slash + 1)}`)
        .slice(0, 100)
        .replace(/\/+$/, '')
      out.push(rawHeader(paxName, 0, records.length, epoch, 'x', '', false), padded(records))
      headerName = toAscii(name)
    }
  }
  out.push(rawHeader(headerName, 0o644, data.length, epoch, '0', prefix, true), padded(data))
  return out
}

function rawHeader(
  name: string,
  mode: number,
  size: number,
  mtime: number,
  type: string,
  prefix: string,
  devNumbers: boolean
): Buffer {
  const header = Buffer.alloc(BLOCK)
  header.write(name.slice(0, 100), 0, 100, 'latin1')
  writeOctal(header, 100, 8, mode)
  writeOctal(header, 108, 8, 0)
  writeOctal(header, 116, 8, 0)
  writeOctal(header, 124, 12, size)
  writeOctal(header, 136, 12, mtime)
  header.write(type, 156, 1, 'latin1')
  header.write('ustar\x0000', 257, 8, 'latin1')
  if (devNumbers) {
    writeOctal(header, 329, 8, 0)
    writeOctal(header, 337, 8, 0)
  }
  header.write(prefix, 345, 155, 'latin1')
  writeChecksum(header)
  return header
}

function padded(data: Buffer): Buffer {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK
  return pad ? Buffer.concat([data, Buffer.alloc(pad)]) : data
}

function toAscii(text: string): string {
  return [...text].filter((c) => c.charCodeAt(0) < 0x80).join('')
}

/** Go archive/tar's splitUSTARPath: a prefix (≤155) and a name (≤100) split at a slash. */
function splitUstarPath(name: string): [string, string] | undefined {
  let length = name.length
  if (length <= 100) return undefined
  if (length > 156) length = 156
  else if (name[length - 1] === '/') length--
  const i = name.slice(0, length).lastIndexOf('/')
  const nlen = name.length - i - 1
  if (i <= 0 || nlen > 100 || nlen === 0 || i > 155) return undefined
  return [name.slice(0, i), name.slice(i + 1)]
}

// ---------------------------------------------------------------------------
// tar

interface TarEntry {
  name: string
  /** Type flag as a one-character string; '\0' and '0' are regular files. */
  type: string
  size: number
  headerOffset: number
  dataOffset: number
}

function isRegular(type: string): boolean {
  return type === '0' || type === '\0' || type === '7'
}

function stripDotSlash(name: string): string {
  let n = name
  while (n.startsWith('./')) n = n.slice(2)
  return n
}

async function readFileOrFail(file: string): Promise<Buffer> {
  try {
    return await fs.readFile(file)
  } catch (e) {
    throw new ActionError(`Cannot read chart archive ${file}: ${(e as Error).message}`)
  }
}

async function readTar(file: string): Promise<Buffer> {
  return inflate(await readFileOrFail(file), file)
}

async function inflate(raw: Buffer, file: string): Promise<Buffer> {
  if (raw.length < 18 || raw[0] !== 0x1f || raw[1] !== 0x8b) {
    throw new ActionError(`${file} is not a gzip-compressed archive (a Helm chart .tgz was expected).`)
  }
  try {
    return await gunzipAsync(raw, { maxOutputLength: MAX_TAR_BYTES })
  } catch (e) {
    throw new ActionError(`${file} is not a valid gzip archive: ${(e as Error).message}`)
  }
}

function isZeroBlock(buf: Buffer, off: number): boolean {
  for (let i = off; i < off + BLOCK; i++) if (buf[i] !== 0) return false
  return true
}

function cString(buf: Buffer, start: number, len: number): string {
  const field = buf.subarray(start, start + len)
  const nul = field.indexOf(0)
  return field.subarray(0, nul === -1 ? len : nul).toString('utf8')
}

function parseNumeric(buf: Buffer, start: number, len: number): number {
  const first = buf[start]
  if (first & 0x80) {
    // GNU base-256: big-endian two's complement, high bit of the first byte is the marker.
    let v = first & 0x7f
    for (let i = start + 1; i < start + len; i++) v = v * 256 + buf[i]
    return v
  }
  const s = buf
    .subarray(start, start + len)
    .toString('latin1')
    .replace(/[\0 ]+$/g, '')
    .replace(/^[\0 ]+/, '')
  if (s === '') return 0
  if (!/^[0-7]+$/.test(s)) return NaN
  return parseInt(s, 8)
}

function headerChecksum(block: Buffer, off: number): number {
  let sum = 0
  for (let i = off; i < off + BLOCK; i++) sum += i >= off + 148 && i < off + 156 ? 0x20 : block[i]
  return sum
}

function signedHeaderChecksum(block: Buffer, off: number): number {
  let sum = 0
  for (let i = off; i < off + BLOCK; i++) {
    const b = i >= off + 148 && i < off + 156 ? 0x20 : block[i]
    sum += b > 127 ? b - 256 : b
  }
  return sum
}

function magicOf(buf: Buffer, off: number): 'ustar' | 'gnu' | 'v7' {
  const m = buf.toString('latin1', off + 257, off + 265)
  if (m === 'ustar  \0') return 'gnu'
  if (m.startsWith('ustar\0')) return 'ustar'
  return 'v7'
}

/** Parses PAX extended header records ("%d %s=%s\n"); lengths are byte counts. */
function parsePax(data: Buffer, file: string): Array<{ key: string; value: Buffer }> {
  const records: Array<{ key: string; value: Buffer }> = []
  let i = 0
  while (i < data.length) {
    if (data[i] === 0) break // trailing NUL padding written by some tools
    const sp = data.indexOf(0x20, i)
    const lenStr = sp === -1 ? '' : data.toString('latin1', i, sp)
    const len = /^[0-9]+$/.test(lenStr) ? parseInt(lenStr, 10) : NaN
    if (!Number.isFinite(len) || len <= sp - i + 1 || i + len > data.length || data[i + len - 1] !== 0x0a) {
      throw new ActionError(`${file}: malformed PAX extended header record at byte ${i}.`)
    }
    const rec = data.subarray(sp + 1, i + len - 1)
    const eq = rec.indexOf(0x3d)
    if (eq <= 0) throw new ActionError(`${file}: malformed PAX extended header record at byte ${i}.`)
    records.push({ key: rec.toString('utf8', 0, eq), value: Buffer.from(rec.subarray(eq + 1)) })
    i += len
  }
  return records
}

function formatPax(records: Array<{ key: string; value: Buffer }>): Buffer {
  const parts: Buffer[] = []
  for (const { key, value } of records) {
    const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')])
    // The length prefix counts its own digits: iterate to the fixpoint.
    let len = body.length + 1
    while (String(len).length + body.length !== len) len = String(len).length + body.length
    parts.push(Buffer.concat([Buffer.from(String(len), 'latin1'), body]))
  }
  return Buffer.concat(parts)
}

interface TarBlockInfo {
  headerOffset: number
  type: string
  size: number
  dataOffset: number
  magic: 'ustar' | 'gnu' | 'v7'
}

/** Walks the raw tar headers (including PAX/GNU meta entries); stops at the end marker. */
function walkTar(tar: Buffer, file: string, visit: (b: TarBlockInfo) => void): number {
  let off = 0
  while (off + BLOCK <= tar.length) {
    if (isZeroBlock(tar, off)) return off
    const stored = parseNumeric(tar, off + 148, 8)
    if (stored !== headerChecksum(tar, off) && stored !== signedHeaderChecksum(tar, off)) {
      throw new ActionError(`${file}: corrupt tar header at byte ${off} (checksum mismatch).`)
    }
    const size = parseNumeric(tar, off + 124, 12)
    if (!Number.isFinite(size) || size < 0)
      throw new ActionError(`${file}: corrupt tar header at byte ${off} (bad size).`)
    const type = String.fromCharCode(tar[off + 156])
    const dataOffset = off + BLOCK
    // Hard links, symlinks, devices, directories and FIFOs carry no data even if size is set.
    const hasData = !['1', '2', '3', '4', '5', '6'].includes(type)
    const dataLen = hasData ? size : 0
    if (dataOffset + dataLen > tar.length) throw new ActionError(`${file}: truncated tar archive at byte ${off}.`)
    visit({ headerOffset: off, type, size: dataLen, dataOffset, magic: magicOf(tar, off) })
    off = dataOffset + Math.ceil(dataLen / BLOCK) * BLOCK
  }
  return Math.min(off, tar.length)
}

function parseTar(tar: Buffer, file: string): TarEntry[] {
  const entries: TarEntry[] = []
  let longName: string | undefined
  let paxPath: string | undefined
  walkTar(tar, file, (b) => {
    const data = tar.subarray(b.dataOffset, b.dataOffset + b.size)
    switch (b.type) {
      case 'L': {
        const nul = data.indexOf(0)
        longName = data.subarray(0, nul === -1 ? data.length : nul).toString('utf8')
        return
      }
      case 'K': // GNU long link name: not needed for names
        return
      case 'x':
      case 'g': {
        // A global ('g') path would name every later entry; tar tools ignore it, so do we.
        if (b.type === 'x') {
          for (const r of parsePax(data, file)) if (r.key === 'path') paxPath = r.value.toString('utf8')
        }
        return
      }
      default:
    }
    let name = cString(tar, b.headerOffset, 100)
    if (b.magic === 'ustar') {
      const prefix = cString(tar, b.headerOffset + 345, 155)
      if (prefix) name = `${prefix}/${name}`
    }
    if (longName !== undefined) name = longName
    if (paxPath !== undefined) name = paxPath
    entries.push({ name, type: b.type, size: b.size, headerOffset: b.headerOffset, dataOffset: b.dataOffset })
    longName = undefined
    paxPath = undefined
  })
  return entries
}

function writeOctal(buf: Buffer, off: number, len: number, value: number): void {
  // len-1 octal digits, then NUL (the form Go and GNU tar write for size/mtime).
  const s = value.toString(8).padStart(len - 1, '0')
  if (s.length > len - 1) throw new Error(`value ${value} does not fit in a ${len}-byte tar field`)
  buf.write(s, off, len - 1, 'latin1')
  buf[off + len - 1] = 0
}

function writeChecksum(header: Buffer): void {
  const sum = headerChecksum(header, 0)
  header.write(sum.toString(8).padStart(6, '0'), 148, 6, 'latin1')
  header[154] = 0
  header[155] = 0x20
}

const PAX_TIME_KEYS = new Set(['mtime', 'atime', 'ctime'])

function normalizeTar(tar: Buffer, epoch: number, file: string): Buffer {
  const out: Buffer[] = []
  const end = walkTar(tar, file, (b) => {
    const header = Buffer.from(tar.subarray(b.headerOffset, b.headerOffset + BLOCK))
    let data = tar.subarray(b.dataOffset, b.dataOffset + b.size)
    writeOctal(header, 136, 12, epoch)
    if (b.magic === 'gnu') {
      // Old GNU format keeps atime/ctime where ustar has the prefix; only set when present.
      for (const off of [345, 357]) {
        const v = parseNumeric(header, off, 12)
        if (Number.isFinite(v) && v > 0) writeOctal(header, off, 12, epoch)
      }
    }
    if (b.type === 'x' || b.type === 'g') {
      const records = parsePax(data, file).map((r) =>
        PAX_TIME_KEYS.has(r.key) ? { key: r.key, value: Buffer.from(String(epoch), 'latin1') } : r
      )
      data = formatPax(records)
      writeOctal(header, 124, 12, data.length)
    }
    writeChecksum(header)
    out.push(header, data)
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK
    if (pad) out.push(Buffer.alloc(pad))
  })
  // End-of-archive zero blocks (and any trailing padding) kept as they were.
  out.push(tar.subarray(end))
  return Buffer.concat(out)
}

// ---------------------------------------------------------------------------
// gzip

interface GzipHeaderFields {
  extra?: Buffer
  name?: Buffer
  comment?: Buffer
}

const FHCRC = 0x02
const FEXTRA = 0x04
const FNAME = 0x08
const FCOMMENT = 0x10

function parseGzipHeader(raw: Buffer, file: string): GzipHeaderFields {
  const bad = (): never => {
    throw new ActionError(`${file} is not a valid gzip archive (bad header).`)
  }
  if (raw.length < 18 || raw[0] !== 0x1f || raw[1] !== 0x8b || raw[2] !== 8) bad()
  const flg = raw[3]
  let p = 10
  const fields: GzipHeaderFields = {}
  if (flg & FEXTRA) {
    if (p + 2 > raw.length) bad()
    const xlen = raw.readUInt16LE(p)
    p += 2
    if (p + xlen > raw.length) bad()
    fields.extra = Buffer.from(raw.subarray(p, p + xlen))
    p += xlen
  }
  const zstring = (): Buffer => {
    const nul = raw.indexOf(0, p)
    if (nul === -1) bad()
    const s = Buffer.from(raw.subarray(p, nul))
    p = nul + 1
    return s
  }
  if (flg & FNAME) fields.name = zstring()
  if (flg & FCOMMENT) fields.comment = zstring()
  if (flg & FHCRC) p += 2
  return fields
}

function gzipHeader(f: GzipHeaderFields): Buffer {
  let flg = 0
  const parts: Buffer[] = []
  if (f.extra) {
    flg |= FEXTRA
    const len = Buffer.alloc(2)
    len.writeUInt16LE(f.extra.length)
    parts.push(len, f.extra)
  }
  if (f.name) {
    flg |= FNAME
    parts.push(f.name, Buffer.from([0]))
  }
  if (f.comment) {
    flg |= FCOMMENT
    parts.push(f.comment, Buffer.from([0]))
  }
  // ID1 ID2 CM FLG MTIME(4)=0 XFL=2 (max compression) OS=255 (unknown: same on every platform)
  return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, flg, 0, 0, 0, 0, 2, 0xff]), ...parts])
}

let crcTable: Uint32Array | undefined

function crc32(buf: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256)
    for (let n = 0; n < 256; n++) {
      let c = n
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
      crcTable[n] = c >>> 0
    }
  }
  let c = 0xffffffff
  for (let i = 0; i < buf.length; i++) c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

function gzipTrailer(data: Buffer): Buffer {
  const t = Buffer.alloc(8)
  t.writeUInt32LE(crc32(data), 0)
  t.writeUInt32LE(data.length % 0x100000000, 4)
  return t
}
