// The whole path, end to end, with the bundled action (dist/index.js): real
// helm 3 and 4, a real chart repository over HTTP, a real OCI registry.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { startRegistry } from '../../testkit/registry.mjs'
import { parseCpuList } from '../../src/util/cpu-affinity.js'
import {
  addExampleDepends,
  chartTestRun,
  EXAMPLE_DEPENDS_CHARTS,
  failureMessage,
  helmsUnderTest,
  runBundledAction,
  withoutMaskCommands,
  pull,
  withWorkspace,
  type HelmUnderTest
} from '../support/e2e.js'
import { manifestDigest, registryTags } from '../support/publishing.js'
import { useServers, type Registry } from '../support/servers.js'

/** Pulls with helm itself (not the action): the archive's listing and the bundled upstream's Chart.yaml. */
async function pulledListing(helm: HelmUnderTest, ref: string): Promise<{ listing: string[]; upstreamChart: string }> {
  let result = { listing: [] as string[], upstreamChart: '' }
  await pull(helm, ref, async (pulled) => {
    const upstream = 'bp-temporal/charts/temporal/Chart.yaml'
    result = {
      listing: pulled.listing,
      upstreamChart: pulled.listing.includes(upstream) ? await pulled.read(upstream) : ''
    }
  })
  return result
}

describe.each(helmsUnderTest())('end to end with $label', (helm) => {
  // The stand-in upstreams of the example's spec.depends blueprints too (examples/platform/cnpg, cert-manager).
  const servers = useServers(helm, { repo: { extraCharts: EXAMPLE_DEPENDS_CHARTS } })
  const auth = { username: 'publisher', password: 's3cret-Pa55word' }
  // A second registry, with htpasswd auth, for the login cases.
  let secured: Registry
  beforeAll(async () => {
    secured = await startRegistry({ auth })
  })
  afterAll(async () => {
    await secured?.stop()
  })

  it('publishes the example blueprint with its upstream payload, and the outputs name ref and digest', async () => {
    await withWorkspace(async (ws) => {
      // The example's workspace as bundled: bp-temporal beside the blueprints its spec.depends names.
      await addExampleDepends(ws.dir, servers.repo.url)
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { registry: `${servers.registry.oci}/blueprints`, push: 'true', 'plain-http': 'true' }
      })
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      expect(run.outputs['chart-name']).toBe('bp-temporal')
      expect(run.outputs['chart-version']).toBe('1.0.0')
      expect(run.outputs['upstream-version']).toBe('1.2.0')
      expect(run.outputs.pushed).toBe('true')
      // helm-version left empty (action.yml's default): the helm on PATH, its version in the report. Helm 3's
      // official build records its major alone: its version is learned after the gates (from the merged render), not
      // asked before the build.
      expect(run.report.helmVersion).toBe(helm.version)
      const lines = run.stdout.split('\n')
      const helmLines = lines.filter((line: string) => /^helm v?\d/.test(line))
      if (helm.version.startsWith('v3.')) {
        expect(helmLines).toEqual([
          expect.stringMatching(/^helm 3 \(path: .*; its exact version is known once the gates have run\)$/),
          `helm ${helm.version}`
        ])
        const pushing = lines.findIndex((line: string) => line.startsWith('pushing '))
        expect(pushing).toBeGreaterThan(-1)
        expect(lines.indexOf(`helm ${helm.version}`)).toBeGreaterThan(pushing)
      } else {
        expect(helmLines).toEqual([
          expect.stringMatching(new RegExp(`^helm ${helm.version.replace(/\./g, '\\.')} \\(path: `))
        ])
      }
      expect(run.outputs.ref).toBe(`${servers.registry.oci}/blueprints/bp-temporal:1.0.0`)
      // The work folder (chart copies, helm homes with the publish's login) is gone; the files the outputs name stay.
      expect(run.leftInTemp.filter((name: string) => name.startsWith('bp-work-'))).toEqual([])
      expect(run.leftInTemp).toEqual(expect.arrayContaining([path.basename(run.outputs.report)]))
      // The digest output is what the registry holds under the tag.
      expect(run.outputs.digest).toMatch(/^sha256:[0-9a-f]{64}$/)
      expect(await manifestDigest(servers.registry.url, 'blueprints/bp-temporal', '1.0.0')).toBe(run.outputs.digest)
      // Pulled back independently, the artifact still holds the upstream chart.
      // (helm package stores the subchart unpacked under charts/temporal/)
      const pulled = await pulledListing(helm, `${servers.registry.oci}/blueprints/bp-temporal@${run.outputs.digest}`)
      expect(pulled.listing).toContain('bp-temporal/charts/temporal/templates/server-deployment.yaml')
      expect(pulled.upstreamChart).toMatch(/^version: 1\.2\.0$/m)
      // Every step ran and is in the report, in order.
      const ids = (run.report?.steps ?? []).map((step: { id: string }) => step.id)
      for (const id of ['resolve-upstream', 'dependency-build', 'render', 'lint', 'package', 'publish'])
        expect(ids).toContain(id)
      expect(run.report.steps.find((step: { id: string }) => step.id === 'publish').status).toBe('passed')
      // The example passes cleanly (issue 26.10): its CNPG podMonitor toggle configures the operator's Cluster,
      // which renders the PodMonitor itself; a notice says so, nothing to fix. No warning (issue 25): the CNPG
      // Cluster is checked against the CRD bp-cnpg (platform/cnpg, in spec.depends) renders.
      expect(
        run.annotations
          .filter((a: { level: string }) => a.level === 'warning')
          .map((a: { file?: string; title?: string }) => [a.title, a.file])
      ).toEqual([])
      const observability = run.report.steps.find((step: { id: string }) => step.id === 'observability')
      expect(observability.status).toBe('passed')
      expect(observability.findings).toEqual([
        expect.objectContaining({
          severity: 'notice',
          message: expect.stringContaining(
            'catalystOverlay.cnpg.podMonitor.enabled (the monitoring API present) renders no monitoring.coreos.com resource; it changes `Cluster/temporal-postgres (postgresql.cnpg.io/v1)`: it configures an operator'
          )
        })
      ])
      expect(run.summary).toMatch(/### ✅ [^\n]*bp-temporal[^\n]* published\n/)
      expect(
        run.report.steps
          .filter((step: { status: string }) => step.status === 'warning')
          .map((s: { id: string }) => s.id)
      ).toEqual([])
      const schema = run.report.steps.find((step: { id: string }) => step.id === 'schema')
      expect(schema.data.kinds.find((k: { kind: string }) => k.kind === 'Cluster').schema).toMatch(
        /^bp-cnpg \(platform\/cnpg: /
      )
      // The artifact by digest, for cosign; and the SBOM naming it, the upstream chart and the images.
      expect(run.outputs['digest-ref']).toBe(
        `${servers.registry.oci.replace(/^oci:\/\//, '')}/blueprints/bp-temporal@${run.outputs.digest}`
      )
      expect(run.outputs.sbom).toMatch(/bp-temporal-1\.0\.0\.cdx\.json$/)
      const sbom = JSON.parse(run.sbom ?? 'null')
      expect(sbom.metadata.component).toMatchObject({
        name: 'bp-temporal',
        version: '1.0.0',
        hashes: [{ alg: 'SHA-256', content: run.outputs.digest.slice('sha256:'.length) }]
      })
      const components = sbom.components.map(
        (c: { type: string; name: string; version?: string }) => `${c.type} ${c.name} ${c.version ?? ''}`
      )
      expect(components).toContain('application temporal 1.2.0')
      expect(components).toContain('container docker.io/temporalio/server 1.28.1')
      expect(components).toContain('container ghcr.io/cloudnative-pg/postgresql 16.6')
      expect(run.report.sbom).toBe(run.outputs.sbom)
      // The user's tree is left as it was: no charts/ or Chart.lock written into it.
      expect((await readdir(ws.chart)).sort()).not.toContain('charts')
      expect(run.summary).toContain('bp-temporal')
    })
  })

  it('logs in with --password-stdin to a registry with htpasswd auth, and never prints the password', async () => {
    await withWorkspace(async (ws) => {
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: {
          registry: `${secured.oci}/blueprints`,
          push: 'true',
          'plain-http': 'true',
          'registry-username': auth.username,
          'registry-password': auth.password
        }
      })
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      expect(await registryTags(secured.url, 'blueprints/bp-temporal', `${auth.username}:${auth.password}`)).toEqual([
        '1.0.0'
      ])
      // ::add-mask:: is how the runner learns the secret; every other line must not hold it.
      const everything = withoutMaskCommands(run.stdout + run.stderr) + run.summary + JSON.stringify(run.report)
      expect(everything).not.toContain(auth.password)
    })
  })

  it('fails clearly when the registry refuses the login, and pushes nothing', async () => {
    await withWorkspace(async (ws) => {
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: {
          registry: `${secured.oci}/refused`,
          push: 'true',
          'plain-http': 'true',
          'registry-username': auth.username,
          'registry-password': 'wrong-password'
        }
      })
      expect(run.exitCode).not.toBe(0)
      expect(failureMessage(run)).toMatch(
        new RegExp(`registry ${secured.host.replace(/\./g, '\\.')} refused the login of user publisher`)
      )
      expect(failureMessage(run)).toMatch(/registry-username and registry-password/)
      expect(await registryTags(secured.url, 'refused/bp-temporal', `${auth.username}:${auth.password}`)).toEqual([])
      expect(withoutMaskCommands(run.stdout + run.stderr)).not.toContain('wrong-password')
    })
  })

  it('the chart tests keep every CPU; once they run, the action keeps to the upper half of its own', async () => {
    await withWorkspace(async (ws) => {
      // The script's own CPUs, then node's (its parent) once they changed (or after 3 s: one CPU changes nothing).
      const probe = [
        'cpus() { sed -n "s/^Cpus_allowed_list:[[:space:]]*//p" "/proc/$1/status"; }',
        'mine=$(cpus $$)',
        'for _ in $(seq 1 60); do node=$(cpus $PPID); [ "$node" != "$mine" ] && break; sleep 0.05; done',
        'echo "script: $mine node: $node"',
        ''
      ].join('\n')
      await writeFile(path.join(ws.chart, 'tests', 'zz-cpus.sh'), probe)
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { push: 'false' }
      })
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      const output = chartTestRun(run, 'tests/zz-cpus.sh')?.output ?? ''
      const seen = /^script: (\S+) node: (\S+)$/m.exec(output)
      expect(seen).not.toBeNull()
      // The action started with this process's CPUs; the script keeps them all, node the upper half (two or more).
      const all = parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(await readFile('/proc/self/status', 'utf8'))![1])
      expect(parseCpuList(seen![1])).toEqual(all)
      expect(parseCpuList(seen![2])).toEqual(all.length < 2 ? all : all.slice(Math.ceil(all.length / 2)))
    })
  })
})

describe('bad input gets a one-line error naming the thing (helm 3)', () => {
  const [helm] = helmsUnderTest()
  const servers = useServers(helm)

  async function failing(
    mutate: (ws: { dir: string; chart: string }) => Promise<void>,
    inputs: Record<string, string> = {},
    repoUrl?: string
  ) {
    return withWorkspace(async (ws) => {
      await mutate(ws)
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: repoUrl ?? servers.repo.url,
        inputs: { registry: `${servers.registry.oci}/bad`, push: 'true', 'plain-http': 'true', ...inputs }
      })
      expect(run.exitCode).not.toBe(0)
      expect(await registryTags(servers.registry.url, 'bad/bp-temporal')).toEqual([])
      const message = failureMessage(run)
      expect(message).not.toMatch(/\n\s+at /) // no stack trace
      return message
    })
  }

  it('a missing blueprint folder', async () => {
    expect(await failing(async () => undefined, { blueprint: 'platform/nope' })).toMatch(
      /blueprint folder platform\/nope does not exist.*set the blueprint input/
    )
  })
  it('a missing Chart.yaml', async () => {
    expect(await failing(async (ws) => rm(path.join(ws.chart, 'Chart.yaml')))).toMatch(
      /platform\/temporal\/chart\/Chart\.yaml not found/
    )
  })
  it('a Chart.yaml that is not YAML names the file and line', async () => {
    const message = await failing(async (ws) => {
      const file = path.join(ws.chart, 'Chart.yaml')
      const lines = (await readFile(file, 'utf8')).split('\n')
      lines.splice(3, 0, 'description: [unclosed')
      await writeFile(file, lines.join('\n'))
    })
    expect(message).toMatch(/platform\/temporal\/chart\/Chart\.yaml:\d+: not valid YAML/)
  })
  it('the upstream dependency not declared', async () => {
    expect(await failing(async () => undefined, { upstream: 'cadence' })).toMatch(
      /dependency "cadence" is not declared \(dependencies: temporal\)/
    )
  })
  it('an unreachable upstream repository names the URL', async () => {
    const message = await failing(async () => undefined, {}, 'http://127.0.0.1:9')
    expect(message).toMatch(/http:\/\/127\.0\.0\.1:9\/index\.yaml is unreachable/)
    expect(message).toMatch(/repository-mirrors/)
  })

  it('a private chart repository: refused without credentials (naming the inputs), served with dependency-username/password', async () => {
    const expected = `Basic ${Buffer.from('reader:repo-pass').toString('base64')}`
    servers.repo.setFailure((req: { headers: Record<string, unknown> }) =>
      req.headers.authorization === expected ? undefined : 401
    )
    try {
      expect(await failing(async () => undefined)).toMatch(
        /answered HTTP 401.*dependency-username and dependency-password/
      )
      await withWorkspace(async (ws) => {
        // A chart test runs as the same user: nothing under the action's work
        // folder (its helm home among it) may still hold the credentials then.
        // Its chart copy is <work>/chart-tests/<n>/workspace/platform/temporal/chart (the chart's place in a view
        // of the workspace): six levels up is the action's work folder.
        const probe = [
          'root="$(cd "$1/../../../../../.." && pwd)"',
          'test -d "$root/helm-home/config" || { echo "FAIL: no helm home under $root" >&2; exit 1; }',
          // Spelled in two parts, so this script's own text does not match.
          'secret="repo-""pass"',
          'if grep -rqs "$secret" "$root"; then echo "FAIL: credentials readable under $root: $(grep -rls "$secret" "$root" | head -3)" >&2; exit 1; fi',
          'if env | grep -qs "$secret"; then echo "FAIL: credentials in the environment" >&2; exit 1; fi',
          // Nor the Go settings of the action's own helm processes (helm/go-runtime.ts): a script's are the user's.
          'if [ -n "${GOGC+set}${GOMEMLIMIT+set}" ]; then echo "FAIL: GOGC/GOMEMLIMIT in the environment" >&2; exit 1; fi',
          'echo "clean: $root"',
          ''
        ].join('\n')
        await writeFile(path.join(ws.chart, 'tests', 'zz-no-credentials.sh'), probe)
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { push: 'false', 'dependency-username': 'reader', 'dependency-password': 'repo-pass' }
        })
        expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
        expect(chartTestRun(run, 'tests/zz-no-credentials.sh')).toMatchObject({
          exitCode: 0,
          output: expect.stringContaining('clean: ')
        })
        expect(run.outputs['upstream-version']).toBe('1.2.0')
        expect(withoutMaskCommands(run.stdout + run.stderr) + JSON.stringify(run.report)).not.toContain('repo-pass')
      })
    } finally {
      servers.repo.setFailure(null)
    }
  })
})
