// Gate `schema` end to end with the bundled action, under Helm 3 and Helm 4: the example blueprint with a broken
// web Deployment (a misspelled container field, a string replica count given through `set`), a PodDisruptionBudget on
// an API version Kubernetes no longer serves, and a custom resource whose CRD the chart ships in crds/; then the
// example as it is, its CNPG Cluster and ServiceMonitor checked against CRD manifests given with input `crds`.
import { describe, expect, it } from '@jest/globals'
import { cp, mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { failureMessage, helmsUnderTest, REPO_ROOT, runBundledAction, withWorkspace, FAST } from '../support/e2e.js'
import { step } from '../support/publishing.js'
import { useServers } from '../support/servers.js'

const FIXTURES = path.join(REPO_ROOT, '__tests__', 'fixtures', 'schema')

interface Finding {
  rule: string
  severity: string
  message: string
  file?: string
  line?: number
}

interface SchemaStep {
  status: string
  summary: string
  findings: Finding[]
  data: { kubernetes: string; kinds: { apiVersion: string; kind: string; schema: string }[] }
}

type Run = Awaited<ReturnType<typeof runBundledAction>>

/** The report's schema step, with the data this file reads (support/publishing.ts `step` finds it). */
const schemaStep = (run: Run): SchemaStep => step(run, 'schema') as unknown as SchemaStep

describe.each(helmsUnderTest())('schema gate with $label', (helm) => {
  const servers = useServers(helm)

  it('finds a misspelled field, a string replica count from set, a removed API version and a wrong custom resource field', async () => {
    await withWorkspace(async (ws) => {
      await cp(path.join(FIXTURES, 'broken', 'templates'), path.join(ws.chart, 'templates'), { recursive: true })
      await cp(path.join(FIXTURES, 'broken', 'crds'), path.join(ws.chart, 'crds'), { recursive: true })
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { ...FAST, set: 'catalystOverlay.web.replicas=two', 'kubernetes-version': '1.33' }
      })
      expect(run.exitCode).toBe(1)
      const step = schemaStep(run)
      expect(step.status).toBe('failed')
      expect(step.data.kubernetes).toBe('v1.33.0')
      const found = step.findings.map((f) => ({
        rule: f.rule,
        severity: f.severity,
        at: f.file ? `${f.file}:${f.line ?? '?'}` : undefined,
        message: f.message.split(' (')[0]
      }))
      const templates = 'platform/temporal/chart/templates'
      // Exactly these: limits `cpu: 1` (a map of quantities), the probe's named port (int-or-string) and the
      // Widget's free-form settings (preserve-unknown-fields) are not flagged.
      expect(found).toEqual(
        expect.arrayContaining([
          {
            rule: 'schema',
            severity: 'error',
            at: `${templates}/web.yaml:21`,
            message: 'spec.template.spec.containers[0].imagePullPolcy: unknown field'
          },
          {
            rule: 'schema',
            severity: 'error',
            at: `${templates}/web.yaml:9`,
            message: 'spec.replicas: expected number, got string "two"'
          },
          {
            rule: 'schema-removed-api',
            severity: 'error',
            at: `${templates}/pdb.yaml:2`,
            message: 'PodDisruptionBudget policy/v1beta1'
          },
          {
            rule: 'schema',
            severity: 'error',
            at: `${templates}/widget.yaml:8`,
            message: 'spec.colour: unknown field'
          },
          {
            rule: 'schema-missing',
            severity: 'warning',
            at: `${templates}/cnpg-cluster.yaml:?`,
            message: 'No schema for Cluster postgresql.cnpg.io/v1'
          },
          {
            rule: 'schema-missing',
            severity: 'notice',
            at: undefined,
            message: 'No schema for ServiceMonitor monitoring.coreos.com/v1'
          }
        ])
      )
      expect(found).toHaveLength(6)
      const byRule = (rule: string, text: string) =>
        step.findings.find((f) => f.rule === rule && f.message.includes(text))?.message ?? ''
      // The values key and where its value comes from; the replacement API version.
      expect(byRule('schema', 'spec.replicas')).toContain(
        'The value comes from catalystOverlay.web.replicas (input set (catalystOverlay.web.replicas=two))'
      )
      expect(byRule('schema-removed-api', 'PodDisruptionBudget')).toContain('not served by Kubernetes v1.33.0')
      expect(step.findings.find((f) => f.rule === 'schema-removed-api')?.message).toMatch(/removed in 1\.25/)
      expect(JSON.stringify(step.findings)).toContain('Use policy/v1 PodDisruptionBudget')
      // Annotations carry file and line; the step table and the findings are in the job summary.
      expect(run.annotations).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            level: 'error',
            file: `${templates}/web.yaml`,
            line: '21'
          })
        ])
      )
      expect(run.summary).toMatch(/\| API schemas \| ❌ failed \|/)
      expect(run.summary).toContain('spec.template.spec.containers\\[0\\].imagePullPolcy: unknown field')
      // Every render gets --kube-version: the chart sees the release checked.
      const renderArgs = (
        run.report.steps.find((s: { id: string }) => s.id === 'render') as { data: { args: string[] } }
      ).data.args
      expect(renderArgs.join(' ')).toContain('--kube-version v1.33.0')
    })
  })

  it('passes the example with no finding once its custom resources have CRDs from input crds', async () => {
    await withWorkspace(async (ws) => {
      await mkdir(path.join(ws.dir, 'platform', 'crds'), { recursive: true })
      await cp(path.join(FIXTURES, 'crds'), path.join(ws.dir, 'platform', 'crds'), { recursive: true })
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { ...FAST, crds: 'platform/crds/*.yaml' }
      })
      expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
      const step = schemaStep(run)
      expect(step.findings).toEqual([])
      expect(step.status).toBe('passed')
      expect(step.data.kubernetes).toBe('v1.36.0')
      const schemaOf = (kind: string) => step.data.kinds.find((k) => k.kind === kind)?.schema
      expect(schemaOf('Cluster')).toBe('platform/crds/cnpg-cluster.yaml')
      expect(schemaOf('ServiceMonitor')).toBe('platform/crds/servicemonitor.yaml')
      expect(schemaOf('Deployment')).toBe('built-in')
    })
  })
})

// Keeps the fixture's line numbers honest: the test above names them.
it('the broken fixture has its misspelled field on line 21 and the replica count on line 9', async () => {
  const lines = (await readFile(path.join(FIXTURES, 'broken', 'templates', 'web.yaml'), 'utf8')).split('\n')
  expect(lines[20]).toContain('imagePullPolcy:')
  expect(lines[8]).toContain('replicas:')
})
