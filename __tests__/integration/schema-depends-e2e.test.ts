// Gate `schema` with the CRDs of the blueprints blueprint.yaml spec.depends names (issue 25), end to end with the
// bundled action under Helm 3 and Helm 4: the example workspace as it is bundled (platform/temporal beside
// platform/cnpg and platform/cert-manager, pure wrappers over stand-in operator charts served by the loopback chart
// repository; cloudnative-pg renders its CRDs from templates/crds/ behind crds.create, as the real chart does). The
// example passes with no warning and its CNPG Cluster is checked against bp-cnpg's CRD; a misspelled Cluster field is
// an error found through it; a depends blueprint that cannot be built is a warning naming it, the rest still checked.
// The depends blueprints are rendered in one helm process (an umbrella of them) unless one could render otherwise as a
// subchart, or that render fails: then each alone, with the same CRDs and each failure named.
import { describe, expect, it } from '@jest/globals'
import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import {
  addExampleDepends,
  chartTestRun,
  EXAMPLE_DEPENDS_CHARTS,
  failureMessage,
  FAST,
  helmsUnderTest,
  runBundledAction,
  withWorkspace
} from '../support/e2e.js'
import { step } from '../support/publishing.js'
import { useServers } from '../support/servers.js'

interface Finding {
  rule: string
  severity: string
  message: string
  fix?: string
  file?: string
  line?: number
}

interface SchemaStep {
  status: string
  summary: string
  findings: Finding[]
  data: {
    kinds: { apiVersion: string; kind: string; schema: string }[]
    depends: { blueprint: string; dir: string; crds: number; status: string; downloads: number; together: boolean }[]
  }
}

type Run = Awaited<ReturnType<typeof runBundledAction>>

/** The report's schema step, with the data this file reads (support/publishing.ts `step` finds it). */
const schemaStep = (run: Run): SchemaStep => step(run, 'schema') as unknown as SchemaStep

const warnings = (run: Run): { title?: string; file?: string; message: string }[] =>
  run.annotations.filter((a: { level: string }) => a.level === 'warning')

const CLUSTER = 'platform/temporal/chart/templates/cnpg-cluster.yaml'
const CNPG_CRD = 'bp-cnpg (platform/cnpg: bp-cnpg/charts/cloudnative-pg/templates/crds/crds.yaml)'

describe.each(helmsUnderTest())('schema gate with spec.depends blueprints, $label', (helm) => {
  const servers = useServers(helm, { repo: { extraCharts: EXAMPLE_DEPENDS_CHARTS }, registry: false })
  const archiveGets = (file: string): number =>
    servers.repo.requests.filter((r) => r.method === 'GET' && r.url === `/${file}`).length

  it('passes the example with no warning, its Cluster checked against the CRD bp-cnpg renders', async () => {
    await withWorkspace(async (ws) => {
      await addExampleDepends(ws.dir, servers.repo.url)
      const before = { cnpg: archiveGets('cloudnative-pg-0.23.0.tgz'), cm: archiveGets('cert-manager-v1.16.2.tgz') }
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: servers.repo.url, inputs: FAST })
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      expect(warnings(run)).toEqual([])
      const step = schemaStep(run)
      expect(step.status).toBe('passed')
      // The only finding: the opt-in ServiceMonitor's kind, which a fresh cluster lacks by design (a notice).
      expect(step.findings.map((f) => [f.rule, f.severity])).toEqual([['schema-missing', 'notice']])
      expect(step.data.kinds.find((k) => k.kind === 'Cluster')?.schema).toBe(CNPG_CRD)
      expect(step.summary).toMatch(/, 6 CRDs \(6 from spec\.depends: bp-cert-manager, bp-cnpg\),/)
      // Both in one helm process (an umbrella of the two), their CRDs told apart by source.
      expect(step.data.depends).toEqual([
        expect.objectContaining({
          blueprint: 'bp-cert-manager',
          dir: 'platform/cert-manager',
          status: 'rendered',
          together: true
        }),
        expect.objectContaining({
          blueprint: 'bp-cnpg',
          dir: 'platform/cnpg',
          crds: 3,
          status: 'rendered',
          together: true
        })
      ])
      expect(step.data.depends[0].crds).toBeGreaterThanOrEqual(1)
      // Each depends archive fetched once in the run, by the action (helm never asked for it).
      expect(archiveGets('cloudnative-pg-0.23.0.tgz') - before.cnpg).toBe(1)
      expect(archiveGets('cert-manager-v1.16.2.tgz') - before.cm).toBe(1)
      // Both blueprint.yaml spec.depends names are blueprints of this workspace now: the contract is clean too.
      const contract = run.report.steps.find((s: { id: string }) => s.id === 'blueprint')
      expect(contract.status).toBe('passed')
    })
  })

  it("finds a misspelled Cluster field through bp-cnpg's CRD, at its template line", async () => {
    await withWorkspace(async (ws) => {
      await addExampleDepends(ws.dir, servers.repo.url)
      const file = path.join(ws.chart, 'templates', 'cnpg-cluster.yaml')
      const text = await readFile(file, 'utf8')
      await writeFile(
        file,
        text.replace('  primaryUpdateStrategy: unsupervised', '  primaryUpdateStrategey: unsupervised')
      )
      const line = text.split('\n').findIndex((l) => l.includes('primaryUpdateStrategy:')) + 1
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: servers.repo.url, inputs: FAST })
      expect(run.exitCode).toBe(1)
      const step = schemaStep(run)
      expect(step.status).toBe('failed')
      const errors = step.findings.filter((f) => f.severity === 'error')
      expect(errors).toEqual([
        expect.objectContaining({
          rule: 'schema',
          file: CLUSTER,
          line,
          message: expect.stringMatching(
            /^spec\.primaryUpdateStrategey: unknown field \(Cluster temporal-postgres from /
          )
        })
      ])
      expect(run.annotations).toContainEqual(
        expect.objectContaining({ level: 'error', file: CLUSTER, line: String(line) })
      )
    })
  })

  it('warns, naming it, about a depends blueprint that cannot be built; the others still give their CRDs', async () => {
    await withWorkspace(async (ws) => {
      await addExampleDepends(ws.dir, servers.repo.url)
      // bp-cert-manager pins an upstream version its repository does not have.
      const chartYaml = path.join(ws.dir, 'platform', 'cert-manager', 'chart', 'Chart.yaml')
      await writeFile(chartYaml, (await readFile(chartYaml, 'utf8')).replace('version: v1.16.2', 'version: v9.9.9'))
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: servers.repo.url, inputs: FAST })
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      const step = schemaStep(run)
      expect(step.status).toBe('warning')
      const blueprintYaml = await readFile(path.join(ws.dir, 'platform', 'temporal', 'blueprint.yaml'), 'utf8')
      const line = blueprintYaml.split('\n').findIndex((l) => l.includes('name: bp-cert-manager')) + 1
      expect(step.findings.filter((f) => f.severity !== 'notice')).toEqual([
        expect.objectContaining({
          rule: 'schema-depends',
          severity: 'warning',
          file: 'platform/temporal/blueprint.yaml',
          line,
          message: expect.stringMatching(
            /^spec\.depends bp-cert-manager \(platform\/cert-manager\) could not be rendered for its CRDs: its chart could not be built: .*cert-manager.*v9\.9\.9/
          )
        })
      ])
      expect(warnings(run)).toEqual([
        expect.objectContaining({ title: 'API schemas: schema-depends', file: 'platform/temporal/blueprint.yaml' })
      ])
      // bp-cnpg still rendered: the Cluster is checked against its CRD.
      expect(step.data.kinds.find((k) => k.kind === 'Cluster')?.schema).toBe(CNPG_CRD)
      expect(step.data.depends.map((d) => [d.blueprint, d.status])).toEqual([
        ['bp-cert-manager', 'failed'],
        ['bp-cnpg', 'rendered']
      ])
    })
  })

  it('renders each depends blueprint alone when one could render otherwise as a subchart (tags), with the same CRDs', async () => {
    await withWorkspace(async (ws) => {
      await addExampleDepends(ws.dir, servers.repo.url)
      // `tags` are read from the top-level values only: as a subchart, bp-cert-manager's would no longer apply.
      const values = path.join(ws.dir, 'platform', 'cert-manager', 'chart', 'values.yaml')
      await writeFile(values, `${await readFile(values, 'utf8')}tags:\n  monitoring: false\n`)
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: servers.repo.url, inputs: FAST })
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      const step = schemaStep(run)
      expect(step.status).toBe('passed')
      expect(step.summary).toMatch(/, 6 CRDs \(6 from spec\.depends: bp-cert-manager, bp-cnpg\),/)
      expect(step.data.kinds.find((k) => k.kind === 'Cluster')?.schema).toBe(CNPG_CRD)
      expect(step.data.depends.map((d) => [d.blueprint, d.status, d.together])).toEqual([
        ['bp-cert-manager', 'rendered', false],
        ['bp-cnpg', 'rendered', false]
      ])
    })
  })

  it('falls back to a render each when the one render fails: the failing blueprint is named, the other still checked', async () => {
    await withWorkspace(async (ws) => {
      await addExampleDepends(ws.dir, servers.repo.url)
      const templates = path.join(ws.dir, 'platform', 'cert-manager', 'chart', 'templates')
      await mkdir(templates, { recursive: true })
      await writeFile(path.join(templates, 'broken.yaml'), '{{ fail "bp-cert-manager cannot render here" }}\n')
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: servers.repo.url, inputs: FAST })
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      const step = schemaStep(run)
      expect(step.status).toBe('warning')
      expect(step.findings.filter((f) => f.severity !== 'notice')).toEqual([
        expect.objectContaining({
          rule: 'schema-depends',
          severity: 'warning',
          message: expect.stringMatching(
            /^spec\.depends bp-cert-manager \(platform\/cert-manager\) could not be rendered for its CRDs: helm template failed: .*bp-cert-manager cannot render here/
          )
        })
      ])
      expect(step.data.kinds.find((k) => k.kind === 'Cluster')?.schema).toBe(CNPG_CRD)
      expect(step.data.depends.map((d) => [d.blueprint, d.status, d.together])).toEqual([
        ['bp-cert-manager', 'failed', false],
        ['bp-cnpg', 'rendered', false]
      ])
    })
  })

  it.each(['platform/cnpg', 'platform/cert-manager'])(
    'passes the bundled %s with no warning, its own chart test included',
    async (blueprint) => {
      await withWorkspace(async (ws) => {
        await addExampleDepends(ws.dir, servers.repo.url)
        const run = await runBundledAction({
          helm,
          workspace: ws.dir,
          repoUrl: servers.repo.url,
          inputs: { blueprint }
        })
        expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
        expect(warnings(run)).toEqual([])
        expect(chartTestRun(run, 'tests/observability-toggle.sh')).toMatchObject({ exitCode: 0 })
        // A pure wrapper: its CRDs come from the upstream's templates/crds (or templates), rendered by default.
        const step = schemaStep(run)
        expect(step.status).toBe('passed')
        expect(step.summary).toMatch(/\d+ CRDs?/)
      })
    }
  )
})
