// RegistryClient and normalizeTgz against a REAL registry (Debian docker-registry,
// CNCF distribution) with charts pushed by REAL helm 3 and helm 4.

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { normalizeTgz } from '../../src/chart/archive.js'
import { RegistryClient, RegistryError, ociTag, parseOciReference } from '../../src/oci/registry.js'
import { startFaultProxy, startRegistry } from '../../testkit/registry.mjs'
import { helmsUnderTest } from '../support/e2e.js'

const [{ binary: HELM3 }, { binary: HELM4 }] = helmsUnderTest()
const AUTH = { username: 'ci-bot', password: 'pw-Reg1stry,with"odd chars' }

type Registry = Awaited<ReturnType<typeof startRegistry>>

let tmp: string
let open: Registry
let secured: Registry
let helmEnv: NodeJS.ProcessEnv

function run(bin: string, args: string[], stdin?: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(bin, args, { cwd: tmp, env: helmEnv, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${path.basename(bin)} ${args.join(' ')} failed: ${err.message}\n${stderr}`))
      else resolve({ stdout: String(stdout), stderr: String(stderr) })
    })
    if (stdin !== undefined) child.stdin?.end(stdin)
    else child.stdin?.end()
  })
}

/** Creates chart `name` at `version` and packages it; returns the archive path. */
async function chart(name: string, version: string, outDir: string, bin = HELM3): Promise<string> {
  const dir = path.join(tmp, 'src', name)
  await fs.rm(dir, { recursive: true, force: true })
  await fs.mkdir(path.dirname(dir), { recursive: true })
  await run(bin, ['create', dir])
  const chartYaml = path.join(dir, 'Chart.yaml')
  await fs.writeFile(chartYaml, (await fs.readFile(chartYaml, 'utf8')).replace(/^version: .*$/m, `version: ${version}`))
  const out = path.join(tmp, outDir)
  await fs.mkdir(out, { recursive: true })
  await run(bin, ['package', dir, '-d', out])
  return path.join(out, `${name}-${version}.tgz`)
}

/** `helm push`, returning the digest helm printed (Helm 3: stderr, Helm 4: stdout). */
async function push(bin: string, tgz: string, ociUrl: string): Promise<string> {
  const { stdout, stderr } = await run(bin, ['push', tgz, ociUrl, '--plain-http'])
  const m = /Digest:\s*(sha256:[0-9a-f]{64})/.exec(`${stdout}\n${stderr}`)
  if (!m) throw new Error(`no Digest in helm push output:\n${stdout}\n${stderr}`)
  return m[1]
}

beforeAll(async () => {
  tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bp-regclient-'))
  helmEnv = {
    ...process.env,
    HELM_CONFIG_HOME: path.join(tmp, 'helm', 'config'),
    HELM_CACHE_HOME: path.join(tmp, 'helm', 'cache'),
    HELM_DATA_HOME: path.join(tmp, 'helm', 'data'),
    HELM_REGISTRY_CONFIG: path.join(tmp, 'helm', 'config', 'registry', 'config.json'),
    HELM_REPOSITORY_CONFIG: path.join(tmp, 'helm', 'config', 'repositories.yaml'),
    HELM_REPOSITORY_CACHE: path.join(tmp, 'helm', 'cache', 'repository')
  }
  ;[open, secured] = await Promise.all([startRegistry(), startRegistry({ auth: AUTH })])
})

afterAll(async () => {
  await Promise.all([open?.stop(), secured?.stop()])
  if (tmp) await fs.rm(tmp, { recursive: true, force: true })
})

describe('RegistryClient against a real registry (no auth)', () => {
  it('finds the digest helm 3 and helm 4 printed; unknown tag is absent; tags are listed', async () => {
    const { host, repository } = parseOciReference(`${open.oci}/charts`)
    expect(host).toBe(open.host)
    const client = new RegistryClient({ host, plainHttp: true, retries: 1, baseDelayMs: 10 })

    const v3 = '1.2.3+build.7'
    const d3 = await push(HELM3, await chart('bp-demo', v3, 'p3'), `${open.oci}/charts`)
    const v4 = '1.3.0'
    const d4 = await push(HELM4, await chart('bp-demo', v4, 'p4', HELM4), `${open.oci}/charts`)

    await expect(client.manifest(`${repository}/bp-demo`, ociTag(v3))).resolves.toEqual({
      exists: true,
      digest: d3,
      mediaType: 'application/vnd.oci.image.manifest.v1+json'
    })
    await expect(client.manifest(`${repository}/bp-demo`, v4)).resolves.toMatchObject({ exists: true, digest: d4 })
    // By digest too.
    await expect(client.manifest(`${repository}/bp-demo`, d4)).resolves.toMatchObject({ exists: true, digest: d4 })

    await expect(client.manifest(`${repository}/bp-demo`, '9.9.9')).resolves.toEqual({ exists: false })
    await expect(client.manifest(`${repository}/never-pushed`, '1.0.0')).resolves.toEqual({ exists: false })

    const tags = await client.listTags(`${repository}/bp-demo`)
    expect(tags.sort()).toEqual(['1.2.3_build.7', '1.3.0'])
    await expect(client.listTags(`${repository}/never-pushed`)).resolves.toEqual([])
  })

  it('lists tags with and without a page size (distribution 2.8 ignores ?n= on tags/list)', async () => {
    const versions = ['0.1.0', '0.2.0', '0.3.0']
    for (const v of versions) await push(HELM3, await chart('bp-many', v, `many-${v}`), `${open.oci}/charts`)
    // A pass-through proxy, only to see the requests. Link pagination itself is covered by
    // the unit tests: distribution 2.8 answers tags/list in one page without a Link header.
    const proxy = await startFaultProxy({ target: open.url })
    try {
      const client = new RegistryClient({ host: proxy.host, plainHttp: true })
      expect((await client.listTags('charts/bp-many', { pageSize: 1 })).sort()).toEqual(versions)
      expect((await client.listTags('charts/bp-many')).sort()).toEqual(versions)
      expect(proxy.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
        'GET /v2/charts/bp-many/tags/list?n=1 200',
        'GET /v2/charts/bp-many/tags/list 200'
      ])
    } finally {
      await proxy.stop()
    }
  })

  it('retries through 503s and resets from a fault proxy, then answers', async () => {
    const d = await push(HELM4, await chart('bp-flaky', '2.0.0', 'flaky', HELM4), `${open.oci}/charts`)
    const proxy = await startFaultProxy({
      target: open.url,
      plan: [
        { method: 'HEAD', pathPattern: /manifests/, status: 503, times: 2 },
        { method: 'HEAD', pathPattern: /manifests/, reset: true, times: 1 }
      ]
    })
    try {
      const client = new RegistryClient({ host: proxy.host, plainHttp: true, retries: 4, baseDelayMs: 5 })
      await expect(client.manifest('charts/bp-flaky', '2.0.0')).resolves.toMatchObject({ exists: true, digest: d })
      expect(proxy.requests.filter((r) => r.method === 'HEAD').map((r) => r.status)).toEqual([503, 503, 0, 200])

      proxy.addFaults({ pathPattern: /manifests/, status: 502, times: 10 })
      const e = await client.manifest('charts/bp-flaky', '2.0.0').catch((x: unknown) => x)
      expect(e).toBeInstanceOf(RegistryError)
      expect((e as RegistryError).kind).toBe('unavailable')
      expect((e as RegistryError).message).toContain(`${proxy.url}/v2/charts/bp-flaky/manifests/2.0.0`)
    } finally {
      await proxy.stop()
    }
  })
})

describe('RegistryClient against a real registry with htpasswd auth', () => {
  it('helm login + push, then lookups with the right and the wrong password', async () => {
    await run(
      HELM4,
      ['registry', 'login', secured.host, '--username', AUTH.username, '--password-stdin', '--plain-http'],
      AUTH.password
    )
    const d = await push(HELM4, await chart('bp-private', '0.5.0', 'private', HELM4), `${secured.oci}/charts`)

    const good = new RegistryClient({
      host: secured.host,
      plainHttp: true,
      credentials: AUTH,
      retries: 1,
      baseDelayMs: 5
    })
    await expect(good.manifest('charts/bp-private', '0.5.0')).resolves.toMatchObject({ exists: true, digest: d })
    await expect(good.manifest('charts/bp-private', '0.6.0')).resolves.toEqual({ exists: false })
    await expect(good.listTags('charts/bp-private')).resolves.toEqual(['0.5.0'])

    const wrong = new RegistryClient({
      host: secured.host,
      plainHttp: true,
      credentials: { username: AUTH.username, password: 'definitely-wrong' },
      retries: 3,
      baseDelayMs: 5
    })
    const e = await wrong.manifest('charts/bp-private', '0.5.0').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(RegistryError)
    expect((e as RegistryError).kind).toBe('auth')
    expect((e as RegistryError).status).toBe(401)
    expect((e as RegistryError).message).toContain(secured.host)
    expect((e as RegistryError).message).toMatch(/registry-username and registry-password/)
    expect((e as RegistryError).message).not.toContain('definitely-wrong')

    const anonymous = new RegistryClient({ host: secured.host, plainHttp: true, retries: 3, baseDelayMs: 5 })
    const a = await anonymous.manifest('charts/bp-private', '0.5.0').catch((x: unknown) => x)
    expect((a as RegistryError).kind).toBe('auth')
    expect((a as RegistryError).message).toMatch(/requires credentials/)
  })
})

describe('normalizeTgz makes helm push reproducible', () => {
  it.each([
    ['helm 3', HELM3],
    ['helm 4', HELM4]
  ])('%s: the same chart packaged at two times pushes to the same digest', async (_label, bin) => {
    const name = bin === HELM3 ? 'bp-repro3' : 'bp-repro4'
    const epoch = 1_700_000_000
    const first = await chart(name, '1.0.0', `${name}-a`, bin)
    await new Promise((r) => setTimeout(r, 1100))
    const second = await chart(name, '1.0.0', `${name}-b`, bin)

    // Without normalization the digests differ (created annotation = archive mtime).
    const raw1 = await push(bin, first, `${open.oci}/raw`)
    const raw2 = await push(bin, second, `${open.oci}/raw`)
    expect(raw1).not.toBe(raw2)

    await normalizeTgz(first, epoch)
    await normalizeTgz(second, epoch)
    const d1 = await push(bin, first, `${open.oci}/charts`)
    const d2 = await push(bin, second, `${open.oci}/charts`)
    expect(d1).toBe(d2)

    const client = new RegistryClient({ host: open.host, plainHttp: true })
    await expect(client.manifest(`charts/${name}`, '1.0.0')).resolves.toMatchObject({ exists: true, digest: d1 })
  })
})
