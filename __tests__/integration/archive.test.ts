import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile, spawnSync } from 'node:child_process'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import * as zlib from 'node:zlib'
import { listTgz, normalizeTgz, readTgzEntries, readTgzFile, tgzContentDigest } from '../../src/chart/archive.js'
import { ActionError } from '../../src/types.js'

const execFileAsync = promisify(execFile)

// An integration suite: it packages charts with the real helm 3 and helm 4 that
// testkit/global-setup.mjs extracts (no fallback path: without them the suite fails).
function helmFromSetup(name: 'BP_TEST_HELM3' | 'BP_TEST_HELM4'): string {
  const bin = process.env[name]
  if (!bin) throw new Error(`${name} is not set: run the suite through jest (testkit/global-setup.mjs)`)
  return bin
}
const HELM3 = helmFromSetup('BP_TEST_HELM3')
const HELM4 = helmFromSetup('BP_TEST_HELM4')
const EPOCH = 1_700_000_000

let tmp: string
let helmEnv: NodeJS.ProcessEnv

async function helm(bin: string, args: string[], cwd = tmp): Promise<{ stdout: string; stderr: string }> {
  return execFileAsync(bin, args, { cwd, env: helmEnv, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 })
}

/** Packages `chartDir` into a fresh directory and returns the archive path. */
async function pkg(bin: string, chartDir: string, outName: string): Promise<string> {
  const out = path.join(tmp, outName)
  await fs.mkdir(out, { recursive: true })
  await helm(bin, ['package', chartDir, '-d', out])
  const files = await fs.readdir(out)
  expect(files).toEqual(['mychart-0.1.0.tgz'])
  return path.join(out, files[0])
}

interface RawHeader {
  name: string
  type: string
  size: number
  mtime: number
  checksumOk: boolean
  magic: string
  data: Buffer
}

/** Independent, minimal tar reader for assertions. */
function rawHeaders(tgz: Buffer): RawHeader[] {
  const tar = zlib.gunzipSync(tgz)
  const out: RawHeader[] = []
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512)
    if (h.every((b) => b === 0)) break
    const field = (s: number, l: number): string => h.toString('latin1', s, s + l).replace(/\0.*$/s, '')
    const size = parseInt(field(124, 12).trim() || '0', 8)
    let sum = 0
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]
    out.push({
      name: field(0, 100),
      type: h.toString('latin1', 156, 157),
      size,
      mtime: parseInt(field(136, 12).trim(), 8),
      checksumOk: parseInt(field(148, 8).trim(), 8) === sum,
      magic: h.toString('latin1', 257, 265),
      data: Buffer.from(tar.subarray(off + 512, off + 512 + size))
    })
    off += 512 + Math.ceil(size / 512) * 512
  }
  return out
}

// --- a tiny tar writer for synthetic archives (PAX, GNU long names, dirs) ---

function header(
  name: string,
  opts: { type?: string; size?: number; mtime?: number; prefix?: string; magic?: 'ustar' | 'gnu' } = {}
): Buffer {
  const h = Buffer.alloc(512)
  h.write(name, 0, 100, 'utf8')
  h.write('0000644\0', 100, 'latin1')
  h.write('0000000\0', 108, 'latin1')
  h.write('0000000\0', 116, 'latin1')
  h.write((opts.size ?? 0).toString(8).padStart(11, '0') + '\0', 124, 'latin1')
  h.write((opts.mtime ?? 1_600_000_000).toString(8).padStart(11, '0') + '\0', 136, 'latin1')
  h.write(opts.type ?? '0', 156, 'latin1')
  if (opts.magic === 'gnu') h.write('ustar  \0', 257, 'latin1')
  else h.write('ustar\x0000', 257, 'latin1')
  if (opts.prefix) h.write(opts.prefix, 345, 155, 'utf8')
  let sum = 0
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : h[i]
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1')
  return h
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)])
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`
  let len = Buffer.byteLength(body) + 1
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body)
  return `${len}${body}`
}

const LONG_DIR = `mychart/${'d'.repeat(60)}/${'e'.repeat(60)}`
const PAX_NAME = `mychart/templates/${'p'.repeat(120)}-ünïcode.yaml`
const GNU_NAME = `mychart/files/${'g'.repeat(150)}.txt`

function syntheticTar(mtime: number, paxTime: string): Buffer {
  const file1 = Buffer.from('apiVersion: v2\nname: mychart\nversion: 0.1.0\n')
  const file2 = Buffer.from('kind: ConfigMap\n')
  const file3 = Buffer.from('gnu long name content\n')
  const file4 = Buffer.from('prefixed\n')
  const pax = Buffer.from(paxRecord('path', PAX_NAME) + paxRecord('mtime', paxTime) + paxRecord('atime', paxTime))
  const gnuName = Buffer.from(GNU_NAME + '\0')
  return Buffer.concat([
    header('mychart/', { type: '5', mtime }),
    header('mychart/Chart.yaml', { size: file1.length, mtime }),
    padded(file1),
    header('PaxHeaders/x', { type: 'x', size: pax.length, mtime }),
    padded(pax),
    header(PAX_NAME.slice(0, 99).replace(/[^\x20-\x7e]/g, '_'), { size: file2.length, mtime }),
    padded(file2),
    header('././@LongLink', { type: 'L', size: gnuName.length, mtime, magic: 'gnu' }),
    padded(gnuName),
    header(GNU_NAME.slice(0, 100), { size: file3.length, mtime, magic: 'gnu' }),
    padded(file3),
    header('f.txt', { size: file4.length, mtime, prefix: LONG_DIR }),
    padded(file4),
    Buffer.alloc(1024)
  ])
}

function hasTar(): boolean {
  return spawnSync('tar', ['--version']).status === 0
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bp-archive-'))
  helmEnv = {
    ...process.env,
    HELM_CONFIG_HOME: path.join(tmp, 'helm-config'),
    HELM_CACHE_HOME: path.join(tmp, 'helm-cache'),
    HELM_DATA_HOME: path.join(tmp, 'helm-data'),
    HELM_REGISTRY_CONFIG: path.join(tmp, 'helm-config', 'registry.json'),
    HELM_REPOSITORY_CONFIG: path.join(tmp, 'helm-config', 'repositories.yaml')
  }
  await helm(HELM3, ['create', 'mychart'])
})

afterAll(async () => {
  if (tmp) await fs.rm(tmp, { recursive: true, force: true })
})

describe('tgzContentDigest', () => {
  it('agrees for the same files packaged at different times and differs when a file changes', async () => {
    const chart = path.join(tmp, 'mychart')
    const early = await pkg(HELM3, chart, 'content-early')
    const late = await pkg(HELM3, chart, 'content-late')
    await normalizeTgz(early, EPOCH)
    await normalizeTgz(late, EPOCH + 86_400)
    const [earlyBytes, lateBytes] = await Promise.all([fs.readFile(early), fs.readFile(late)])
    expect(earlyBytes.equals(lateBytes)).toBe(false)
    expect(await tgzContentDigest(earlyBytes, early)).toBe(await tgzContentDigest(lateBytes, late))

    const edited = path.join(tmp, 'content-edited', 'mychart')
    await fs.cp(chart, edited, { recursive: true })
    await fs.appendFile(path.join(edited, 'values.yaml'), '\nextra: 1\n')
    const changed = await pkg(HELM3, edited, 'content-changed')
    await normalizeTgz(changed, EPOCH)
    expect(await tgzContentDigest(await fs.readFile(changed), changed)).not.toBe(
      await tgzContentDigest(earlyBytes, early)
    )
  })

  it('ignores the Chart.lock generated time (a timestamp), not what the lock pins', async () => {
    const lock = (version: string, generated: string) =>
      `dependencies:\n- name: dep\n  repository: https://charts.example\n  version: ${version}\ndigest: sha256:${'1'.repeat(64)}\ngenerated: "${generated}"\n`
    const variants: Record<string, string> = {
      a: lock('1.0.0', '2024-01-01T00:00:00Z'),
      b: lock('1.0.0', '2025-06-01T12:00:00Z'),
      c: lock('1.0.1', '2024-01-01T00:00:00Z')
    }
    const digests: Record<string, string> = {}
    for (const [key, text] of Object.entries(variants)) {
      const copy = path.join(tmp, `locked-${key}`, 'mychart')
      await fs.cp(path.join(tmp, 'mychart'), copy, { recursive: true })
      await fs.writeFile(path.join(copy, 'Chart.lock'), text)
      const archive = await pkg(HELM3, copy, `locked-${key}-out`)
      expect(await readTgzFile(archive, 'mychart/Chart.lock')).toBeDefined()
      digests[key] = await tgzContentDigest(await fs.readFile(archive), archive)
    }
    expect(digests.a).toBe(digests.b)
    expect(digests.c).not.toBe(digests.a)
  })

  it('refuses bytes that are no gzip archive, naming the source', async () => {
    await expect(tgzContentDigest(Buffer.from('not an archive at all'), 'oci://r/x@sha256:1')).rejects.toThrow(
      'oci://r/x@sha256:1 is not a gzip-compressed archive'
    )
  })
})

describe('normalizeTgz with archives from real helm', () => {
  it('makes two packagings of the same chart byte-identical (helm 3 and helm 4)', async () => {
    const chart = path.join(tmp, 'mychart')
    const a3 = await pkg(HELM3, chart, 'a3')
    const a4 = await pkg(HELM4, chart, 'a4')
    // Helm writes the packaging time into each tar header (1 s resolution).
    await new Promise((r) => setTimeout(r, 1100))
    const b3 = await pkg(HELM3, chart, 'b3')
    const b4 = await pkg(HELM4, chart, 'b4')

    const beforeA = await fs.readFile(a3)
    const beforeB = await fs.readFile(b3)
    expect(beforeA.equals(beforeB)).toBe(false)

    // What helm writes: ustar headers, mtime = packaging time, no PAX, no dir entries.
    const hdrs = rawHeaders(beforeA)
    expect(hdrs.length).toBeGreaterThan(5)
    for (const h of hdrs) {
      expect(h.magic).toBe('ustar\x0000')
      expect(['0', '\0']).toContain(h.type)
      expect(Math.abs(h.mtime - Date.now() / 1000)).toBeLessThan(120)
    }
    const contentsBefore = hdrs.map((h) => [h.name, h.data.toString('base64')])

    for (const f of [a3, b3, a4, b4]) await normalizeTgz(f, EPOCH)

    const [na3, nb3, na4, nb4] = await Promise.all([a3, b3, a4, b4].map((f) => fs.readFile(f)))
    expect(na3.equals(nb3)).toBe(true)
    expect(na4.equals(nb4)).toBe(true)

    // Order and content unchanged; every header at EPOCH with a valid checksum.
    const after = rawHeaders(na3)
    expect(after.map((h) => [h.name, h.data.toString('base64')])).toEqual(contentsBefore)
    for (const h of after) {
      expect(h.mtime).toBe(EPOCH)
      expect(h.checksumOk).toBe(true)
    }
    // Deterministic gzip header: MTIME 0, OS 255; Helm's EXTRA + "Helm" comment kept.
    expect(na3.readUInt32LE(4)).toBe(0)
    expect(na3[9]).toBe(0xff)
    expect(na3[3] & 0x04).toBe(0x04)
    expect(na3.includes(Buffer.from('Helm\0'))).toBe(true)

    // The file's mtime is EPOCH (helm push uses it as the created annotation). atime is
    // not checked: reading the file above updates it under `relatime` (atime <= mtime).
    for (const f of [a3, b3, a4, b4]) {
      const st = await fs.stat(f)
      expect(Math.round(st.mtimeMs / 1000)).toBe(EPOCH)
    }
    // No temp files left behind.
    expect(await fs.readdir(path.dirname(a3))).toEqual(['mychart-0.1.0.tgz'])

    // Idempotent.
    await normalizeTgz(a3, EPOCH)
    expect((await fs.readFile(a3)).equals(na3)).toBe(true)
  })

  it('keeps the archive usable by helm 3 and helm 4 (template, show chart)', async () => {
    const f = await pkg(HELM4, path.join(tmp, 'mychart'), 'usable')
    await normalizeTgz(f, EPOCH)
    for (const bin of [HELM3, HELM4]) {
      const tpl = await helm(bin, ['template', 'rel', f])
      expect(tpl.stdout).toContain('kind: Deployment')
      expect(tpl.stdout).toContain('# Source: mychart/templates/service.yaml')
      const show = await helm(bin, ['show', 'chart', f])
      expect(show.stdout).toMatch(/^name: mychart$/m)
      expect(show.stdout).toMatch(/^version: 0\.1\.0$/m)
    }
  })

  it('handles the PAX headers helm writes for long and non-ASCII names', async () => {
    const chart = path.join(tmp, 'longchart', 'mychart')
    await fs.cp(path.join(tmp, 'mychart'), chart, { recursive: true })
    const longRel = `templates/${'a'.repeat(80)}/${'b'.repeat(60)}-ü.yaml`
    await fs.mkdir(path.dirname(path.join(chart, longRel)), { recursive: true })
    await fs.writeFile(path.join(chart, longRel), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: long-name\n')
    const names: string[][] = []
    for (const [bin, dir] of [
      [HELM3, 'long3'],
      [HELM4, 'long4']
    ] as const) {
      const f = await pkg(bin, chart, dir)
      const hdrs = rawHeaders(await fs.readFile(f))
      // Go's archive/tar: a PAX 'x' header carrying `path`, with mtime 0 in its own header.
      const pax = hdrs.find((h) => h.type === 'x')
      expect(pax?.data.toString('utf8')).toContain(`path=mychart/${longRel}\n`)
      expect(pax?.mtime).toBe(0)
      await normalizeTgz(f, EPOCH)
      const listed = await listTgz(f)
      expect(listed).toContain(`mychart/${longRel}`)
      names.push(listed)
      const tpl = await helm(bin, ['template', 'rel', f])
      expect(tpl.stdout).toContain('name: long-name')
    }
    expect(names[0]).toEqual(names[1])
  })

  it('lists and reads entries of a helm archive', async () => {
    const f = await pkg(HELM3, path.join(tmp, 'mychart'), 'list')
    const names = await listTgz(f)
    expect(names[0]).toBe('mychart/Chart.yaml')
    expect(names).toEqual(
      expect.arrayContaining([
        'mychart/Chart.yaml',
        'mychart/values.yaml',
        'mychart/templates/deployment.yaml',
        'mychart/templates/tests/test-connection.yaml',
        'mychart/.helmignore'
      ])
    )
    const chartYaml = await readTgzFile(f, 'mychart/Chart.yaml')
    expect(chartYaml?.toString()).toMatch(/^name: mychart$/m)
    expect((await readTgzFile(f, './mychart/values.yaml'))?.toString()).toContain('replicaCount')
    expect(await readTgzFile(f, 'mychart/nope.yaml')).toBeUndefined()
    expect(await readTgzFile(f, 'mychart/templates')).toBeUndefined()
  })

  it('reads the entries of one archive once for its readers: each gets a list of its own, the bytes shared', async () => {
    const bytes = await fs.readFile(await pkg(HELM3, path.join(tmp, 'mychart'), 'entries'))
    // Three readers at once (the package, the schema gate, the observability gate), one more later, a copy of the bytes.
    const [a, b, c] = await Promise.all([1, 2, 3].map((i) => readTgzEntries(bytes, `reader ${i}`)))
    const later = await readTgzEntries(Buffer.from(bytes), 'reader 4')
    for (const list of [b, c, later]) {
      expect(list).not.toBe(a)
      expect(list.map((e) => e.name)).toEqual(a.map((e) => e.name))
      // Shared: the same Buffer objects, read from the archive once.
      list.forEach((entry, i) => expect(entry.data).toBe(a[i].data))
    }
    expect(a.find((e) => e.name === 'mychart/Chart.yaml')?.data.toString()).toMatch(/^name: mychart$/m)
    a.pop() // a reader's list is its own
    expect(later).toHaveLength(a.length + 1)
  })

  it('names each reader of a bad archive in its own error, also when they read at once', async () => {
    const bad = Buffer.from('not a gzip archive at all')
    const results = await Promise.allSettled([readTgzEntries(bad, 'first.tgz'), readTgzEntries(bad, 'second.tgz')])
    expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'read'))).toEqual([
      expect.stringContaining('first.tgz'),
      expect.stringContaining('second.tgz')
    ])
  })
})

describe('synthetic archives (PAX, GNU long names, ustar prefix, directories)', () => {
  async function writeTgz(name: string, tar: Buffer, gzipMtime = 0): Promise<string> {
    const f = path.join(tmp, name)
    let gz = zlib.gzipSync(tar)
    if (gzipMtime) {
      gz = Buffer.from(gz)
      gz.writeUInt32LE(gzipMtime, 4)
    }
    await fs.writeFile(f, gz)
    return f
  }

  it('lists names from ustar prefix, GNU L records and PAX path records', async () => {
    const f = await writeTgz('syn-list.tgz', syntheticTar(1_600_000_000, '1600000000.123456789'))
    expect(await listTgz(f)).toEqual(['mychart/', 'mychart/Chart.yaml', PAX_NAME, GNU_NAME, `${LONG_DIR}/f.txt`])
    expect((await readTgzFile(f, PAX_NAME))?.toString()).toBe('kind: ConfigMap\n')
    expect((await readTgzFile(f, GNU_NAME))?.toString()).toBe('gnu long name content\n')
    expect((await readTgzFile(f, `${LONG_DIR}/f.txt`))?.toString()).toBe('prefixed\n')
    expect(await readTgzFile(f, 'mychart/')).toBeUndefined()
  })

  it('normalizes PAX time records (recomputing lengths) and all headers', async () => {
    const a = await writeTgz('syn-a.tgz', syntheticTar(1_600_000_000, '1600000000.123456789'), 1_600_000_000)
    const b = await writeTgz('syn-b.tgz', syntheticTar(1_650_000_000, '1650000001'), 1_650_000_000)
    await normalizeTgz(a, EPOCH)
    await normalizeTgz(b, EPOCH)
    const na = await fs.readFile(a)
    expect(na.equals(await fs.readFile(b))).toBe(true)

    const hdrs = rawHeaders(na)
    for (const h of hdrs) {
      expect(h.mtime).toBe(EPOCH)
      expect(h.checksumOk).toBe(true)
    }
    const pax = hdrs.find((h) => h.type === 'x')
    expect(pax?.data.toString('utf8')).toBe(
      paxRecord('path', PAX_NAME) + paxRecord('mtime', String(EPOCH)) + paxRecord('atime', String(EPOCH))
    )
    expect(pax?.size).toBe(pax?.data.length)
    expect(await listTgz(a)).toEqual(['mychart/', 'mychart/Chart.yaml', PAX_NAME, GNU_NAME, `${LONG_DIR}/f.txt`])
    expect((await readTgzFile(a, PAX_NAME))?.toString()).toBe('kind: ConfigMap\n')
  })

  it('produces archives GNU tar reads back with the normalized times', async () => {
    if (!hasTar()) return
    const f = await writeTgz('syn-tar.tgz', syntheticTar(1_600_000_000, '1600000000.5'))
    await normalizeTgz(f, EPOCH)
    const { stdout } = await execFileAsync('tar', ['-tvzf', f, '--full-time', '--utc'], {
      env: { ...process.env, TZ: 'UTC' }
    })
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(5)
    for (const l of lines) expect(l).toContain('2023-11-14 22:13:20')
    expect(stdout).toContain(PAX_NAME)
    expect(stdout).toContain(GNU_NAME)
  })

  it('rejects bad input with ActionError', async () => {
    const notGz = path.join(tmp, 'not-gzip.tgz')
    await fs.writeFile(notGz, 'hello, this is not a gzip file at all')
    await expect(listTgz(notGz)).rejects.toThrow(ActionError)
    await expect(listTgz(notGz)).rejects.toThrow(/not a gzip/)
    await expect(listTgz(path.join(tmp, 'missing.tgz'))).rejects.toThrow(/Cannot read chart archive/)

    const tar = syntheticTar(1_600_000_000, '1600000000')
    tar[600] ^= 0xff // inside the second header: checksum no longer matches
    const corrupt = await writeTgz('corrupt.tgz', tar)
    await expect(listTgz(corrupt)).rejects.toThrow(/checksum/)

    const good = await writeTgz('good.tgz', syntheticTar(1_600_000_000, '1600000000'))
    await expect(normalizeTgz(good, -1)).rejects.toThrow(ActionError)
    await expect(normalizeTgz(good, 1.5)).rejects.toThrow(/whole number/)
  })
})
