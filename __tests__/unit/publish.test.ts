// Pure parts of publishing: the pushed digest from helm's output (either
// stream), which helm failures are worth a retry, the archive guard, the ref.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { listTgz } from '../../src/chart/archive.js'
import type { WorkChart } from '../../src/chart/work-chart.js'
import { isTransientHelmFailure, parsePushedDigest } from '../../src/oci/helm-push.js'
import { archiveFindings } from '../../src/oci/package.js'
import { chartRef, parseRegistryTarget } from '../../src/oci/registry.js'
import { ActionError } from '../../src/types.js'

const execFileAsync = promisify(execFile)
const DIGEST = `sha256:${'0123456789abcdef'.repeat(4)}`

describe('parsePushedDigest', () => {
  it('reads helm 3 (stderr)', () => {
    expect(
      parsePushedDigest({ stdout: '', stderr: `Pushed: 127.0.0.1:5000/x/bp-temporal:1.0.0\nDigest: ${DIGEST}\n` })
    ).toBe(DIGEST)
  })
  it('reads helm 4 (stdout)', () => {
    expect(
      parsePushedDigest({
        stdout: `Pushed: 127.0.0.1:5000/x/bp-temporal:1.0.0\nDigest: ${DIGEST}\n`,
        stderr: 'level=WARN msg="plain http"\n'
      })
    ).toBe(DIGEST)
  })
  it('reads helm pull output too', () => {
    expect(
      parsePushedDigest({ stdout: `Pulled: 127.0.0.1:5000/x/bp-temporal:1.0.0\nDigest: ${DIGEST}\n`, stderr: '' })
    ).toBe(DIGEST)
  })
  it('is undefined without a full sha256 digest', () => {
    expect(parsePushedDigest({ stdout: 'Pushed: x\n', stderr: '' })).toBeUndefined()
    expect(parsePushedDigest({ stdout: 'Digest: sha256:abc\n', stderr: '' })).toBeUndefined()
    expect(
      parsePushedDigest({ stdout: `Digest: ${DIGEST.toUpperCase().replace('SHA256', 'sha256')}\n`, stderr: '' })
    ).toBeUndefined()
  })
})

describe('isTransientHelmFailure', () => {
  it.each([
    'Error: failed to perform "Push" on destination: PUT "http://127.0.0.1:5000/v2/x/manifests/1.0.0": response status code 503: Service Unavailable',
    'Error: unexpected status from POST request to https://ghcr.io/v2/x/blobs/uploads/: 502 Bad Gateway',
    'Error: GET https://ghcr.io/v2/x/manifests/1.0.0: 504 Gateway Timeout',
    'Error: response status code 429: toomanyrequests: Too Many Requests',
    'Error: write tcp 127.0.0.1:1234->127.0.0.1:5000: write: connection reset by peer',
    'Error: Put "http://127.0.0.1:5000/v2/x/manifests/1.0.0": EOF',
    'Error: dial tcp 127.0.0.1:5000: connect: connection refused',
    'Error: net/http: TLS handshake timeout',
    'Error: read tcp: i/o timeout',
    // a local "permission denied" (a cache file) is no registry refusing credentials
    'Error: open /tmp/cache/blob: permission denied; then 502 Bad Gateway'
  ])('retries %s', (text) => {
    expect(isTransientHelmFailure(text)).toBe(true)
  })

  it.each([
    'Error: failed to authorize: failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token: 401 Unauthorized',
    'Error: push access denied, repository does not exist or may require authorization: server message: insufficient_scope',
    'Error: response status code 403: denied: permission_denied: write_package',
    // a 503 from a token service that then says unauthorized is still an auth problem
    'Error: 503 then unauthorized: authentication required',
    'Error: chart.metadata.version "1.0" is invalid',
    // "eof" inside a word is no connection dropped mid-stream
    'Error: templates/notes.txt: the chart thereof is invalid',
    'Error: file "/tmp/x.tgz" not found',
    `Error: digest ${DIGEST} does not match`
  ])('does not retry %s', (text) => {
    expect(isTransientHelmFailure(text)).toBe(false)
  })
})

describe('chartRef', () => {
  const ref = (registry: string, name: string, version: string): string =>
    chartRef(parseRegistryTarget(registry, false), name, version)
  it('joins registry, chart and tag', () => {
    expect(ref('oci://ghcr.io/openova-io', 'bp-temporal', '1.0.0')).toBe('oci://ghcr.io/openova-io/bp-temporal:1.0.0')
  })
  it('drops trailing slashes of the registry', () => {
    expect(ref('oci://127.0.0.1:5000/blueprints//', 'bp-temporal', '1.0.1')).toBe(
      'oci://127.0.0.1:5000/blueprints/bp-temporal:1.0.1'
    )
  })
  it('turns build metadata + into _ as helm does', () => {
    expect(ref('oci://ghcr.io/o', 'bp-temporal', '1.0.0+build.7')).toBe('oci://ghcr.io/o/bp-temporal:1.0.0_build.7')
    expect(ref('oci://ghcr.io/o', 'bp-temporal', '1.0.0-rc.1+a.b')).toBe('oci://ghcr.io/o/bp-temporal:1.0.0-rc.1_a.b')
  })
  it('refuses a version that makes no OCI tag', () => {
    expect(() => ref('oci://ghcr.io/o', 'bp-temporal', '1.0.0/evil')).toThrow(ActionError)
    expect(() => ref('oci://ghcr.io/o', 'bp-temporal', '')).toThrow(/does not make a valid OCI tag/)
  })
})

describe('archiveFindings (hollow-chart guards 2 and 3)', () => {
  let tmp: string
  const work = (dependencies: { name: string; version: string }[]): WorkChart => ({
    dir: '/work/bp-temporal',
    sourceDir: '/ws/platform/temporal/chart',
    name: 'bp-temporal',
    version: '1.0.0',
    chartYamlText: '',
    dependencies: dependencies.map((dep) => ({ ...dep, repository: 'https://go.temporal.io/helm-charts' }))
  })

  /** A real .tgz (GNU tar) holding the given files under bp-temporal/. */
  async function archive(name: string, files: Record<string, string>): Promise<{ file: string; listing: string[] }> {
    const root = path.join(tmp, name)
    for (const [rel, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(root, 'bp-temporal', rel)), { recursive: true })
      await writeFile(path.join(root, 'bp-temporal', rel), text)
    }
    const file = path.join(tmp, `${name}.tgz`)
    await execFileAsync('tar', ['-czf', file, '-C', root, 'bp-temporal'])
    return { file, listing: await listTgz(file) }
  }

  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'bp-publish-unit-'))
  })
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true })
  })

  it('passes a dependency kept as an archive at the built version', async () => {
    const listing = ['bp-temporal/Chart.yaml', 'bp-temporal/charts/temporal-1.2.0.tgz']
    expect(
      await archiveFindings(
        '/nonexistent.tgz',
        listing,
        work([{ name: 'temporal', version: '1.2.0' }]),
        'the packaged archive',
        { temporal: '1.2.0' }
      )
    ).toEqual([])
  })

  it('passes a dependency unpacked (as helm package writes it) at the built version', async () => {
    const { file, listing } = await archive('unpacked', {
      'Chart.yaml': 'name: bp-temporal\n',
      'charts/temporal/Chart.yaml': 'apiVersion: v2\nname: temporal\nversion: 1.2.0\n'
    })
    expect(
      await archiveFindings(file, listing, work([{ name: 'temporal', version: '~1.2' }]), 'the packaged archive', {
        temporal: '1.2.0'
      })
    ).toEqual([])
  })

  it('fails an unpacked dependency at another version than the build resolved', async () => {
    const { file, listing } = await archive('other-version', {
      'Chart.yaml': 'name: bp-temporal\n',
      'charts/temporal/Chart.yaml': 'name: temporal\nversion: 1.1.0\n'
    })
    const findings = await archiveFindings(
      file,
      listing,
      work([{ name: 'temporal', version: '1.2.0' }]),
      'the pulled artifact',
      { temporal: '1.2.0' }
    )
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({ rule: 'hollow-chart', severity: 'error' })
    expect(findings[0].message).toBe(
      'the pulled artifact holds temporal 1.1.0, but the dependency build resolved 1.2.0'
    )
  })

  it('fails an archive without the dependency, naming what is missing and .helmignore', async () => {
    const { file, listing } = await archive('hollow', {
      'Chart.yaml': 'name: bp-temporal\n',
      'templates/x.yaml': 'kind: ConfigMap\n'
    })
    const findings = await archiveFindings(
      file,
      listing,
      work([{ name: 'temporal', version: '1.2.0' }]),
      'the packaged archive',
      { temporal: '1.2.0' }
    )
    expect(findings).toHaveLength(1)
    expect(findings[0].rule).toBe('hollow-chart')
    expect(findings[0].message).toContain(
      'the packaged archive has no bp-temporal/charts/temporal/ (nor bp-temporal/charts/temporal-1.2.0.tgz)'
    )
    expect(findings[0].fix).toMatch(/\.helmignore/)
  })

  it('fails an archive of another version of the dependency', async () => {
    const listing = ['bp-temporal/Chart.yaml', 'bp-temporal/charts/temporal-1.1.0.tgz']
    const findings = await archiveFindings(
      '/nonexistent.tgz',
      listing,
      work([{ name: 'temporal', version: '1.2.0' }]),
      'the packaged archive',
      { temporal: '1.2.0' }
    )
    expect(findings.map((f) => f.message)).toEqual([
      'the packaged archive holds temporal 1.1.0, but the dependency build resolved 1.2.0'
    ])
  })

  it('does not take a sibling chart whose name extends the dependency for the dependency', async () => {
    // temporal is missing; temporal-web (another chart) is there.
    const listing = ['bp-temporal/Chart.yaml', 'bp-temporal/charts/temporal-web-1.0.0.tgz']
    for (const built of [{ temporal: '1.2.0' }, {}] as Record<string, string>[]) {
      const findings = await archiveFindings(
        '/nonexistent.tgz',
        listing,
        work([{ name: 'temporal', version: '1.2.0' }]),
        'the packaged archive',
        built
      )
      expect(findings).toHaveLength(1)
      expect(findings[0].message).toMatch(/has no bp-temporal\/charts\/temporal\//)
    }
  })

  it('checks every dependency, not only the upstream', async () => {
    const listing = ['bp-temporal/Chart.yaml', 'bp-temporal/charts/temporal-1.2.0.tgz']
    const findings = await archiveFindings(
      '/nonexistent.tgz',
      listing,
      work([
        { name: 'temporal', version: '1.2.0' },
        { name: 'cloudnative-pg', version: '0.22.0' }
      ]),
      'the packaged archive',
      { temporal: '1.2.0', 'cloudnative-pg': '0.22.0' }
    )
    expect(findings.map((f) => f.message)).toEqual([
      expect.stringContaining('has no bp-temporal/charts/cloudnative-pg/')
    ])
  })
})
