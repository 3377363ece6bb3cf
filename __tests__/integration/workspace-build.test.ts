// A workspace blueprint's chart built by chart/workspace-build.ts, under Helm 3 and Helm 4: a pure wrapper over the
// stand-in cloudnative-pg chart served by the real loopback chart repository (and, once, pushed to the real registry
// with helm push), its archive fetched by the action through the run's index cache, checked against the index's
// digest, placed under charts/ so that the real helm renders the chart's CRDs from templates/crds/; each archive
// once per run; credentials sent to the repository and written nowhere; a swapped archive refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { ArchiveCache, type ArchiveFetchOptions } from '../../src/chart/archive-fetch.js'
import { IndexCache } from '../../src/chart/repository-index.js'
import { buildWorkspaceChart } from '../../src/chart/workspace-build.js'
import { helmsUnderTest, REPO_ROOT } from '../support/e2e.js'
import { helmIn } from '../support/release.js'
import { useServers } from '../support/servers.js'

const execFileAsync = promisify(execFile)
const CNPG = path.join(REPO_ROOT, '__tests__', 'fixtures', 'upstream-cloudnative-pg')

/** A pure wrapper (Chart.yaml, values.yaml, no templates/) over `cloudnative-pg` at `version` from `repository`. */
async function wrapper(workspace: string, dir: string, repository: string, version: string, extra = ''): Promise<void> {
  const chart = path.join(workspace, dir, 'chart')
  await mkdir(chart, { recursive: true })
  await writeFile(
    path.join(workspace, dir, 'blueprint.yaml'),
    `apiVersion: catalyst.openova.io/v1alpha1\nkind: Blueprint\nmetadata:\n  name: bp-${path.basename(dir)}\nspec:\n  version: 1.0.0\n`
  )
  await writeFile(
    path.join(chart, 'Chart.yaml'),
    `apiVersion: v2\nname: bp-${path.basename(dir)}\nversion: 1.0.0\ndependencies:\n  - name: cloudnative-pg\n    version: '${version}'\n    repository: ${repository}\n${extra}`
  )
  await writeFile(path.join(chart, 'values.yaml'), 'cloudnative-pg:\n  monitoring:\n    podMonitorEnabled: false\n')
}

describe.each(helmsUnderTest())('workspace build with $label', (helm) => {
  const servers = useServers(helm, { repo: { extraCharts: [{ source: CNPG, versions: ['0.22.1', '0.23.0'] }] } })
  let workspace: string
  let work: string
  beforeAll(async () => {
    workspace = await mkdtemp(path.join(os.tmpdir(), 'bp-wsb-'))
    work = await mkdtemp(path.join(os.tmpdir(), 'bp-wsb-work-'))
  })
  afterAll(async () => {
    await Promise.all([rm(workspace, { recursive: true, force: true }), rm(work, { recursive: true, force: true })])
  })

  const fetchOptions = (overrides: Partial<ArchiveFetchOptions> = {}): ArchiveFetchOptions => ({
    mirrors: [],
    indexes: new IndexCache(),
    credentialsFor: () => undefined,
    plainHttp: true,
    ...overrides
  })
  const archiveGets = (name: string): number =>
    servers.repo.requests.filter((r) => r.method === 'GET' && r.url === `/${name}`).length
  const build = (dir: string, root: string, fetch: ArchiveFetchOptions, archives = new ArchiveCache()) =>
    buildWorkspaceChart({
      workspace,
      dir,
      chartDir: `${dir}/chart`,
      workRoot: path.join(work, root),
      helm: { binary: helm.binary, release: { major: Number(helm.version.slice(1, 2)), version: helm.version } },
      fetch,
      archives
    })

  it('fetches the dependency the range allows into charts/, and helm renders its CRDs from templates/crds/', async () => {
    await wrapper(workspace, 'platform/cnpg', servers.repo.url, '>=0.22.0 <1.0.0')
    const built = await build('platform/cnpg', 'one', fetchOptions())
    expect(built.built).toEqual({ 'cloudnative-pg': '0.23.0' })
    expect(built.archives).toEqual([
      expect.objectContaining({ name: 'cloudnative-pg', version: '0.23.0', check: 'digest' })
    ])
    expect(await readdir(path.join(built.work.dir, 'charts'))).toEqual(['cloudnative-pg-0.23.0.tgz'])
    // The user's tree is not written.
    expect(await readdir(path.join(workspace, 'platform/cnpg/chart'))).toEqual(['Chart.yaml', 'values.yaml'])
    const { stdout } = await execFileAsync(
      built.helm.binary,
      ['template', 'cnpg', built.work.dir, '--include-crds', '--namespace', 'cnpg'],
      {
        env: {
          ...process.env,
          HELM_CONFIG_HOME: built.helm.home.config,
          HELM_CACHE_HOME: built.helm.home.cache,
          HELM_DATA_HOME: built.helm.home.data
        }
      }
    )
    expect(stdout).toContain('# Source: bp-cnpg/charts/cloudnative-pg/templates/crds/crds.yaml')
    expect(stdout.match(/^kind: CustomResourceDefinition$/gm)).toHaveLength(3)
  })

  it('honours a committed Chart.lock that fits Chart.yaml', async () => {
    await wrapper(workspace, 'platform/locked', servers.repo.url, '^0.22.0 || ^0.23.0')
    await writeFile(
      path.join(workspace, 'platform/locked/chart/Chart.lock'),
      `dependencies:\n- name: cloudnative-pg\n  repository: ${servers.repo.url}\n  version: 0.22.1\ndigest: sha256:0000000000000000000000000000000000000000000000000000000000000000\ngenerated: "2024-08-01T00:00:00Z"\n`
    )
    const built = await build('platform/locked', 'locked', fetchOptions())
    expect(built.built).toEqual({ 'cloudnative-pg': '0.22.1' })
  })

  it('fetches each archive once per run: a second build reads the first one, and the run’s own charts/ is reused', async () => {
    await wrapper(workspace, 'platform/twin-a', servers.repo.url, '0.22.1')
    await wrapper(workspace, 'platform/twin-b', servers.repo.url, '0.22.1')
    const archives = new ArchiveCache()
    const options = fetchOptions()
    const before = archiveGets('cloudnative-pg-0.22.1.tgz')
    const indexBefore = servers.repo.requests.filter((r) => r.url === '/index.yaml').length
    const [a, b] = await Promise.all([
      build('platform/twin-a', 'twin-a', options, archives),
      build('platform/twin-b', 'twin-b', options, archives)
    ])
    expect([a.built, b.built]).toEqual([{ 'cloudnative-pg': '0.22.1' }, { 'cloudnative-pg': '0.22.1' }])
    expect(archiveGets('cloudnative-pg-0.22.1.tgz') - before).toBe(1)
    expect(servers.repo.requests.filter((r) => r.url === '/index.yaml').length - indexBefore).toBe(1)
    expect(archives.downloads).toBe(1)
    // A run whose own build already holds the archive (its charts/) fetches nothing.
    const reusing = new ArchiveCache()
    reusing.reuseBuilt(a.work.dir, a.work.dependencies, a.built, { mirrors: [] })
    const c = await build('platform/twin-b', 'twin-c', options, reusing)
    expect(c.archives).toEqual([expect.objectContaining({ version: '0.22.1', check: 'reused' })])
    expect(archiveGets('cloudnative-pg-0.22.1.tgz') - before).toBe(1)
    expect(reusing.downloads).toBe(0)
  })

  it('sends the dependency credentials to the repository and writes them nowhere (no helm home holds them)', async () => {
    const seen: (string | undefined)[] = []
    servers.repo.setFailure(({ url, headers }) => {
      if (url.endsWith('.tgz') || url.endsWith('index.yaml')) seen.push(headers.authorization)
      return null
    })
    try {
      await wrapper(workspace, 'platform/private', servers.repo.url, '0.23.0')
      const credentials = { username: 'reader', password: 'dep-Secret-42' }
      const built = await build('platform/private', 'private', fetchOptions({ credentialsFor: () => credentials }))
      expect(built.built).toEqual({ 'cloudnative-pg': '0.23.0' })
      const basic = `Basic ${Buffer.from('reader:dep-Secret-42').toString('base64')}`
      expect(seen).toEqual([basic, basic])
      const files = await filesUnder(path.join(work, 'private'))
      for (const file of files) expect(await readFile(file, 'latin1')).not.toContain('dep-Secret-42')
      expect(files.map((f) => path.relative(built.helm.home.root, f)).filter((f) => !f.startsWith('..'))).toEqual([])
    } finally {
      servers.repo.setFailure(null)
    }
  })

  it('refuses an archive that differs from the digest its index gives, naming both', async () => {
    servers.repo.setFailure(({ url }) =>
      url === '/cloudnative-pg-0.22.1.tgz' ? { status: 200, body: Buffer.from('not the archive') } : null
    )
    try {
      await wrapper(workspace, 'platform/swapped', servers.repo.url, '0.22.1')
      await expect(build('platform/swapped', 'swapped', fetchOptions())).rejects.toThrow(
        /^dependency cloudnative-pg 0\.22\.1 from http:\/\/127\.0\.0\.1:\d+\/cloudnative-pg-0\.22\.1\.tgz has digest sha256:[0-9a-f]{64}, but http:\/\/127\.0\.0\.1:\d+\/index\.yaml says sha256:[0-9a-f]{64}$/
      )
    } finally {
      servers.repo.setFailure(null)
    }
  })

  it('names the repository and the range when no version fits', async () => {
    await wrapper(workspace, 'platform/nofit', servers.repo.url, '^9.0.0')
    await expect(build('platform/nofit', 'nofit', fetchOptions())).rejects.toThrow(
      /\/index\.yaml has no cloudnative-pg matching \^9\.0\.0 \(it has .*0\.23\.0/
    )
  })

  it('pulls an OCI dependency from the registry, a range resolved from its tags, and copies a file:// one as it is', async () => {
    const home = await mkdtemp(path.join(os.tmpdir(), 'bp-wsb-push-'))
    try {
      for (const archive of servers.repo.archives.filter((a) => a.name === 'cloudnative-pg'))
        await helmIn(helm, home, ['push', archive.path, `${servers.registry.oci}/operators`, '--plain-http'])
    } finally {
      await rm(home, { recursive: true, force: true })
    }
    await mkdir(path.join(workspace, 'platform/oci/local'), { recursive: true })
    await writeFile(
      path.join(workspace, 'platform/oci/local/Chart.yaml'),
      'apiVersion: v2\nname: local-extras\nversion: 0.1.0\n'
    )
    await wrapper(
      workspace,
      'platform/oci',
      `${servers.registry.oci}/operators`,
      '~0.22.0',
      '  - name: local-extras\n    version: 0.1.0\n    repository: file://../local\n'
    )
    const built = await build('platform/oci', 'oci', fetchOptions())
    expect(built.built).toEqual({ 'cloudnative-pg': '0.22.1', 'local-extras': '0.1.0' })
    expect(built.archives).toEqual([
      expect.objectContaining({ source: `${servers.registry.oci}/operators/cloudnative-pg:0.22.1`, check: 'digest' })
    ])
    expect((await readdir(path.join(built.work.dir, 'charts'))).sort()).toEqual([
      'cloudnative-pg-0.22.1.tgz',
      'local-extras'
    ])
  })
})

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(full)))
    else if (entry.isFile()) out.push(full)
  }
  return out
}
