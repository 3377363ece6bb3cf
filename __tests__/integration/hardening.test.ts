// What a hostile chart, a swapped dependency, a racing publish and credentials
// in the wrong input must not achieve — with the bundled action (dist/index.js),
// real helm, a real chart repository and a real OCI registry.
import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import {
  FAST,
  failureMessage,
  helmsUnderTest,
  prPayload,
  pointChartAt,
  runBundledAction,
  withoutMaskCommands,
  uploadBlob,
  withWorkspace,
  type ActionRun
} from '../support/e2e.js'
import { registryTags } from '../support/publishing.js'
import { useServers } from '../support/servers.js'

const execFileAsync = promisify(execFile)

/** Every entry under `dir` (files with their sha256, links with their target, folders), sorted. */
async function treeSnapshot(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const entry = path.join(rel, name)
      const stat = await lstat(path.join(dir, entry))
      if (stat.isSymbolicLink()) out.push(`${entry} -> ${await readlink(path.join(dir, entry))}`)
      else if (stat.isDirectory()) {
        out.push(`${entry}/ ${stat.mode.toString(8)}`)
        await walk(entry)
      } else
        out.push(
          `${entry} ${stat.mode.toString(8)} ${createHash('sha256')
            .update(await readFile(path.join(dir, entry)))
            .digest('hex')}`
        )
    }
  }
  await walk('')
  return out
}

function expectSuccess(run: ActionRun): void {
  expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
}

/** Everything the action wrote that a person or a later step could read. */
function everyText(run: ActionRun): string {
  return [
    withoutMaskCommands(run.stdout),
    run.stderr,
    run.summary,
    JSON.stringify(run.report ?? {}),
    run.sbom ?? '',
    JSON.stringify(run.outputs)
  ].join('\n')
}

// One set of servers per helm for the whole file (each case names its own registry repository).
const onHelm3 = useServers(helmsUnderTest()[0])
const onHelm4 = useServers(helmsUnderTest()[1], { api: true })

describe('the work copy: links in and around the chart folder (helm 4)', () => {
  const helm = helmsUnderTest()[1]
  const servers = onHelm4

  it.each([
    { linked: 'chart folder', relative: 'platform/temporal/chart' },
    { linked: 'blueprint folder', relative: 'platform/temporal' }
  ])(
    'a symlinked $linked is copied, not written into: the target tree is byte-identical afterwards',
    async ({ relative }) => {
      await withWorkspace(async (ws) => {
        const outside = await mkdtemp(path.join(os.tmpdir(), 'bp-linked-'))
        try {
          const target = path.join(outside, 'real')
          await rename(path.join(ws.dir, relative), target)
          await symlink(target, path.join(ws.dir, relative))
          await pointChartAt(ws.chart, servers.repo.url) // as every run does: the tree compared is the one the action saw
          const before = await treeSnapshot(target)
          const run = await runBundledAction({
            helm,
            workspace: ws.dir,
            repoUrl: servers.repo.url,
            inputs: { ...FAST, push: 'false', version: '9.9.9' }
          })
          expectSuccess(run)
          expect(run.outputs['chart-version']).toBe('9.9.9')
          expect(await treeSnapshot(target)).toEqual(before)
        } finally {
          await rm(outside, { recursive: true, force: true })
        }
      })
    }
  )

  it.each([
    { link: 'files/passwd', target: '/etc/passwd' },
    { link: 'files/secrets.env', target: '../../secrets.env' },
    // Refused before it is read: never parsed as values, never quoted in an error.
    { link: 'values.yaml', target: '../secrets.env' }
  ])(
    'a link leaving the chart ($link -> $target) is refused, naming the link and its target',
    async ({ link, target }) => {
      await withWorkspace(async (ws) => {
        await writeFile(path.join(ws.dir, 'platform', 'secrets.env'), 'TOKEN=do-not-publish\n')
        await writeFile(path.join(ws.dir, 'platform', 'temporal', 'secrets.env'), 'TOKEN=do-not-publish\n')
        await mkdir(path.join(ws.chart, 'files'), { recursive: true })
        await rm(path.join(ws.chart, link), { force: true })
        await symlink(target, path.join(ws.chart, link))
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { ...FAST, push: 'false' }
        })
        expect(run.exitCode).not.toBe(0)
        const message = failureMessage(run)
        expect(message).toContain(`platform/temporal/chart/${link} is a symbolic link to ${target}`)
        expect(message).toContain('outside the chart folder')
        expect(everyText(run)).not.toContain('do-not-publish')
      })
    }
  )

  it('a link inside the chart stays a link helm follows: the run passes and the user tree is unchanged', async () => {
    await withWorkspace(async (ws) => {
      await mkdir(path.join(ws.chart, 'files'), { recursive: true })
      await writeFile(path.join(ws.chart, 'files', 'real.txt'), 'inside\n')
      await symlink('real.txt', path.join(ws.chart, 'files', 'alias.txt'))
      await symlink('../templates', path.join(ws.chart, 'files', 'templates-link'))
      // helm dependency build writes into charts/: through this link, into the copy's vendor/, never the user's.
      await mkdir(path.join(ws.chart, 'vendor'))
      await writeFile(path.join(ws.chart, 'vendor', '.keep'), '')
      await symlink('vendor', path.join(ws.chart, 'charts'))
      await pointChartAt(ws.chart, servers.repo.url) // as every run does: the tree compared is the one the action saw
      const before = await treeSnapshot(ws.chart)
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { ...FAST, push: 'false', version: '9.9.9' }
      })
      expectSuccess(run)
      expect(await treeSnapshot(ws.chart)).toEqual(before)
    })
  })
})

describe('dependency archives are checked against the repository index (helm 3)', () => {
  const helm = helmsUnderTest()[0]
  const servers = onHelm3

  it('temporal-1.2.0.tgz swapped on the server (a ClusterRoleBinding added, not reindexed): the run fails, nothing is pushed', async () => {
    const archive = servers.repo.archives.find(
      (a: { name: string; version: string }) => a.name === 'temporal' && a.version === '1.2.0'
    )
    if (!archive) throw new Error('the stand-in repository has no temporal 1.2.0')
    const original = await readFile(archive.path)
    const indexed = `sha256:${createHash('sha256').update(original).digest('hex')}`
    expect(await readFile(servers.repo.indexPath, 'utf8')).toContain(indexed.slice('sha256:'.length))
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'bp-swap-'))
    try {
      await execFileAsync('tar', ['-xzf', archive.path, '-C', scratch])
      await writeFile(
        path.join(scratch, 'temporal', 'templates', 'takeover.yaml'),
        'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: takeover\n' +
          'roleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: cluster-admin\n' +
          'subjects:\n  - kind: ServiceAccount\n    name: default\n    namespace: default\n'
      )
      await execFileAsync(
        helm.binary,
        ['package', path.join(scratch, 'temporal'), '--destination', path.join(scratch, 'out')],
        { env: { ...process.env, ...servers.repo.helmEnv } }
      )
      const swapped = await readFile(path.join(scratch, 'out', 'temporal-1.2.0.tgz'))
      const actual = `sha256:${createHash('sha256').update(swapped).digest('hex')}`
      await writeFile(archive.path, swapped)
      await withWorkspace(async (ws) => {
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { ...FAST, registry: `${servers.registry.oci}/swapped`, push: 'true', 'plain-http': 'true' }
        })
        expect(run.exitCode).not.toBe(0)
        const message = failureMessage(run)
        expect(message).toContain(`dependency temporal 1.2.0 downloaded as temporal-1.2.0.tgz has digest ${actual}`)
        expect(message).toContain(`${servers.repo.url}/index.yaml says ${indexed}`)
        expect(run.outputs.pushed).toBe('false')
        expect(await registryTags(servers.registry.url, 'swapped/bp-temporal')).toEqual([])
      })
    } finally {
      await writeFile(archive.path, original)
      await rm(scratch, { recursive: true, force: true })
    }
  })

  it('an oci:// dependency whose tag moves to other content after helm fetched it: the build fails naming both digests', async () => {
    const archive = servers.repo.archives.find(
      (a: { name: string; version: string }) => a.name === 'temporal' && a.version === '1.2.0'
    )
    if (!archive) throw new Error('the stand-in repository has no temporal 1.2.0')
    await execFileAsync(helm.binary, ['push', archive.path, `${servers.registry.oci}/deps`, '--plain-http'], {
      env: { ...process.env, ...servers.repo.helmEnv }
    })
    const fetched = `sha256:${createHash('sha256')
      .update(await readFile(archive.path))
      .digest('hex')}`
    let moved = ''
    // Right after helm resolved the tag, it is moved to a manifest whose chart layer is other bytes.
    const proxy = await startTagSwapProxy(
      servers.registry.url,
      async () => {
        const current = await fetch(`${servers.registry.url}/v2/deps/temporal/manifests/1.2.0`, {
          headers: { accept: 'application/vnd.oci.image.manifest.v1+json' }
        })
        const doc = JSON.parse(await current.text())
        const layer = Buffer.from('other bytes under the same tag')
        moved = await uploadBlob(servers.registry.url, 'deps/temporal', layer)
        doc.layers[0].digest = moved
        doc.layers[0].size = layer.length
        return Buffer.from(JSON.stringify(doc))
      },
      (method, url, status) =>
        ['GET', 'HEAD'].includes(method) && url === '/v2/deps/temporal/manifests/1.2.0' && status === 200
    )
    try {
      await withWorkspace(async (ws) => {
        const oci = `${proxy.oci}/deps`
        const chartYaml = path.join(ws.chart, 'Chart.yaml')
        const valuesYaml = path.join(ws.chart, 'values.yaml')
        await writeFile(chartYaml, (await readFile(chartYaml, 'utf8')).replace(/repository: .*/, `repository: ${oci}`))
        await writeFile(valuesYaml, (await readFile(valuesYaml, 'utf8')).replace(/(\n\s+repo: ).*/, `$1${oci}`))
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { ...FAST, registry: `${servers.registry.oci}/oci-swapped`, push: 'true', 'plain-http': 'true' }
        })
        expect(proxy.swapped).toBe(true)
        expect(run.exitCode).not.toBe(0)
        expect(failureMessage(run)).toContain(
          `dependency temporal 1.2.0 downloaded as temporal-1.2.0.tgz has digest ${fetched}, but ${oci}/temporal says ${moved}`
        )
        expect(await registryTags(servers.registry.url, 'oci-swapped/bp-temporal')).toEqual([])
      })
    } finally {
      await proxy.stop()
    }
  })
})

/**
 * A loopback proxy in front of the registry that plays "another run": right
 * after the action's manifest PUT for a tag succeeds, and before the action
 * hears so, it pushes `swap(manifest)` to the same tag directly.
 */
async function startTagSwapProxy(
  registryUrl: string,
  swap: (manifest: Buffer) => Promise<Buffer>,
  when: (method: string, url: string, status: number) => boolean = (method, url, status) =>
    method === 'PUT' && /\/manifests\/[^/]+$/.test(url) && !/sha256:/.test(url) && status === 201
) {
  const target = new URL(registryUrl)
  let swapped = false
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const upstream = http.request(
        { hostname: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (up) => {
          const answer: Buffer[] = []
          up.on('data', (chunk: Buffer) => answer.push(chunk))
          up.on('end', async () => {
            if (!swapped && when(req.method ?? 'GET', req.url ?? '', up.statusCode ?? 0)) {
              swapped = true
              const other = await swap(body)
              const contentType = String(req.headers['content-type'] ?? 'application/vnd.oci.image.manifest.v1+json')
              const put = await fetch(`${registryUrl}${req.url}`, {
                method: 'PUT',
                body: other,
                headers: { 'content-type': contentType }
              })
              if (put.status !== 201) throw new Error(`swap PUT: HTTP ${put.status} ${await put.text()}`)
            }
            res.writeHead(up.statusCode ?? 502, up.headers)
            res.end(Buffer.concat(answer))
          })
        }
      )
      upstream.on('error', () => res.destroy())
      upstream.end(body)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    oci: `oci://127.0.0.1:${port}`,
    get swapped() {
      return swapped
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

async function tagDigest(registryUrl: string, repository: string, tag: string): Promise<string | null> {
  const response = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, {
    method: 'HEAD',
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json' }
  })
  return response.status === 200 ? response.headers.get('docker-content-digest') : null
}

describe('publish race: the tag is read back after the push (helm 3)', () => {
  const helm = helmsUnderTest()[0]
  const servers = onHelm3

  async function publishThrough(repository: string, swap: (manifest: Buffer) => Promise<Buffer>): Promise<ActionRun> {
    const proxy = await startTagSwapProxy(servers.registry.url, swap)
    try {
      return await withWorkspace(async (ws) => {
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { ...FAST, registry: `${proxy.oci}/${repository}`, push: 'true', 'plain-http': 'true' }
        })
        expect(proxy.swapped).toBe(true)
        return run
      })
    } finally {
      await proxy.stop()
    }
  }

  it('another run pushed other content to the tag right after this push: the run fails, digest-ref is not this push', async () => {
    const run = await publishThrough('race-other', async (manifest) => {
      const doc = JSON.parse(manifest.toString('utf8'))
      const layer = Buffer.from("not this run's chart")
      doc.layers[0].digest = await uploadBlob(servers.registry.url, 'race-other/bp-temporal', layer)
      doc.layers[0].size = layer.length
      return Buffer.from(JSON.stringify(doc))
    })
    expect(run.exitCode).not.toBe(0)
    const served = await tagDigest(servers.registry.url, 'race-other/bp-temporal', '1.0.0')
    expect(failureMessage(run)).toContain(`but the tag now serves ${served}`)
    expect(failureMessage(run)).toContain('another publish of the same version raced this one')
    expect(run.outputs.pushed).toBe('false')
    expect(run.outputs['digest-ref']).toBe('')
  })

  it('another run pushed the same chart under another manifest: pushed=false, digest and digest-ref are what the tag serves', async () => {
    const run = await publishThrough('race-same', async (manifest) => {
      const doc = JSON.parse(manifest.toString('utf8'))
      doc.annotations = { ...(doc.annotations ?? {}), 'org.example.pushed-by': 'the other run' }
      return Buffer.from(JSON.stringify(doc))
    })
    expectSuccess(run)
    const served = await tagDigest(servers.registry.url, 'race-same/bp-temporal', '1.0.0')
    expect(served).toMatch(/^sha256:/)
    expect(run.outputs.pushed).toBe('false')
    expect(run.outputs.digest).toBe(served)
    expect(run.outputs['digest-ref']).toMatch(new RegExp(`/race-same/bp-temporal@${served}$`))
  })
})

const PR_TOKEN = 'ghs_hardening-pr-token'

describe('secrets: credentials in the registry input, set-secret values (helm 4)', () => {
  const helm = helmsUnderTest()[1]
  const servers = onHelm4

  function pr(number: number, workspace: string, inputs: Record<string, string>): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace,
      repoUrl: servers.repo.url,
      eventName: 'pull_request',
      ref: `refs/pull/${number}/merge`,
      payload: prPayload(number),
      inputs: { ...FAST, 'plain-http': 'true', 'github-token': PR_TOKEN, ...inputs },
      env: { GITHUB_API_URL: servers.api.url }
    })
  }

  /** What went to the GitHub stand-in (comment bodies included). */
  const apiText = () =>
    JSON.stringify(servers.api.requests.map((r: { path: string; body: unknown }) => [r.path, r.body]))

  it('registry=oci://bot:TOKEN@host is refused without ever showing the token; it is masked first', async () => {
    const token = 'ghp_registryTokenInUrl4242'
    await withWorkspace(async (ws) => {
      const host = servers.registry.oci.replace(/^oci:\/\//, '')
      const run = await pr(31, ws.dir, { registry: `oci://bot:${token}@${host}/acme`, push: 'true' })
      expect(run.exitCode).not.toBe(0)
      expect(failureMessage(run)).toContain(`input registry: oci://***@${host}/acme has credentials in the URL`)
      // Masked before anything else is written.
      expect(run.stdout.split('\n')[0]).toBe(`::add-mask::bot:${token}`)
      expect(run.stdout).toContain(`::add-mask::${token}`)
      for (const text of [
        withoutMaskCommands(run.stdout),
        run.stderr,
        run.summary,
        JSON.stringify(run.report ?? {}),
        JSON.stringify(run.outputs),
        apiText()
      ]) {
        expect(text).not.toContain(token)
      }
      expect(await registryTags(servers.registry.url, 'acme/bp-temporal')).toEqual([])
    })
  })

  it('set values are shown; a set-secret value rendered into the manifests shows nowhere (log, summary, comment, report, SBOM)', async () => {
    const secret = 's3cr3t-ui-tag-5150'
    await withWorkspace(async (ws) => {
      const run = await pr(32, ws.dir, {
        registry: `${servers.registry.oci}/pr`,
        set: 'temporal.server.replicaCount=3',
        'set-secret': `temporal.web.image.tag=${secret}`
      })
      const texts = {
        stdout: withoutMaskCommands(run.stdout),
        stderr: run.stderr,
        summary: run.summary,
        report: JSON.stringify(run.report ?? {}),
        sbom: run.sbom ?? '',
        outputs: JSON.stringify(run.outputs),
        github: apiText()
      }
      // The secret really reached the render: the SBOM lists the UI image with *** as its tag.
      expect(run.sbom).toContain('temporalio/ui:***')
      expect(run.stdout).toContain(`::add-mask::${secret}`)
      for (const [where, text] of Object.entries(texts))
        expect({ where, leaked: text.includes(secret) }).toEqual({ where, leaked: false })
      // Not secret: shown whole.
      expect(run.summary).toContain('temporal.server.replicaCount=3')
      expect(JSON.stringify(run.report.values)).toContain('temporal.server.replicaCount=3')
      expect(servers.api.commentsOn(32)).toHaveLength(1)
    })
  })
})
