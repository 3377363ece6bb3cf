// The schema gate's run (gates/schema-check.ts SchemaRun) with spec.depends renders: a document of a kind without
// schema waits while they are on their way and is checked once the last is in (found through a depends CRD, else a
// missing schema); a depends blueprint that gave no CRDs is its warning; the chart's own CRD wins over a depends one.
import { describe, expect, it } from '@jest/globals'
import type { GateContext, SchemaSettings } from '../../src/gates/contract.js'
import { SchemaRun } from '../../src/gates/schema-check.js'
import { loadBuiltinSchemas } from '../../src/schema/builtin.js'
import { crdSchemas } from '../../src/schema/crd.js'
import { parseKubeVersion } from '../../src/schema/kube-versions.js'
import type { RenderedDocument } from '../../src/types.js'

const CTX = {
  chartDir: '/nonexistent/chart',
  chartName: 'bp-app',
  displayChartDir: 'platform/app/chart',
  values: { displayPath: 'platform/app/chart/values.yaml', data: {}, lineOf: () => undefined },
  valueArgs: []
} as unknown as GateContext

const SETTINGS: SchemaSettings = {
  kubeVersion: parseKubeVersion('1.36')!,
  missingSchemas: 'warning',
  crdGlobs: [],
  workspace: '/nonexistent'
}

/** A CRD of `Widget` (example.com/v1) whose spec has the given fields. */
function widgetCrd(fields: string[], origin: string) {
  const properties = Object.fromEntries(fields.map((f) => [f, { type: 'string' }]))
  return crdSchemas(
    {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { spec: { type: 'object', properties } }
              }
            }
          }
        ]
      }
    },
    origin
  )
}

function widget(spec: Record<string, unknown>): RenderedDocument {
  const object = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec }
  return { apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', object }
}

async function newRun(): Promise<SchemaRun> {
  return new SchemaRun(CTX, SETTINGS, await loadBuiltinSchemas('1.36'))
}

const rendered = (crds: ReturnType<typeof widgetCrd>, problem?: { message: string }) => ({
  name: 'bp-widgets',
  dir: 'platform/widgets',
  crds,
  durationMs: 5,
  downloads: 0,
  ...(problem ? { problem: { rule: 'schema-depends', severity: 'warning' as const, message: problem.message } } : {})
})

describe('SchemaRun with spec.depends renders', () => {
  it('a custom resource checked before the depends render is in waits, then is checked against its CRD', async () => {
    const run = await newRun()
    run.expectDepends(2)
    await run.check([widget({ colour: 'red' })])
    expect(run.findings).toEqual([]) // waiting: no "no schema" yet
    await run.dependsRendered(rendered(widgetCrd(['color'], 'bp-widgets (platform/widgets: crds.yaml)')))
    expect(run.findings).toEqual([]) // one render still on its way
    await run.dependsRendered({ ...rendered([]), name: 'bp-other', dir: 'platform/other' })
    expect(run.findings.map((f) => [f.rule, f.message.split(' (')[0]])).toEqual([
      ['schema', 'spec.colour: unknown field']
    ])
    const step = run.step(1)
    expect(step.data?.kinds).toEqual([
      expect.objectContaining({ kind: 'Widget', schema: 'bp-widgets (platform/widgets: crds.yaml)' })
    ])
    expect(step.summary).toContain('1 CRD (1 from spec.depends: bp-widgets)')
    expect(step.data?.depends.map((d) => [d.blueprint, d.crds, d.status])).toEqual([
      ['bp-other', 0, 'rendered'],
      ['bp-widgets', 1, 'rendered']
    ])
  })

  it('a document checked after the depends renders are in is checked at once', async () => {
    const run = await newRun()
    run.expectDepends(1)
    await run.dependsRendered(rendered(widgetCrd(['color'], 'bp-widgets')))
    await run.check([widget({ color: 'red' })])
    expect(run.findings).toEqual([])
    expect(run.step(1).status).toBe('passed')
  })

  it('a depends blueprint that gave no CRDs is its warning, and the kinds it would have given have no schema', async () => {
    const run = await newRun()
    run.expectDepends(1)
    await run.check([widget({ colour: 'red' })])
    await run.dependsRendered(
      rendered([], { message: 'spec.depends bp-widgets (platform/widgets) could not be rendered' })
    )
    expect(run.findings.map((f) => [f.rule, f.severity])).toEqual([
      ['schema-depends', 'warning'],
      ['schema-missing', 'warning']
    ])
    expect(run.step(1).data?.depends).toEqual([expect.objectContaining({ blueprint: 'bp-widgets', status: 'failed' })])
  })

  it("the chart's own CRD wins over a depends blueprint's, whichever comes first; input crds come last", async () => {
    const run = await newRun()
    run.addCrds(widgetCrd(['color', 'shape'], 'platform/crds/widget.yaml'), 'input')
    run.expectDepends(1)
    await run.dependsRendered(rendered(widgetCrd(['color'], 'bp-widgets')))
    run.addCrds(widgetCrd(['colour'], 'platform/app/chart/crds/widget.yaml'), 'chart')
    await run.check([widget({ colour: 'red', shape: 'round' })])
    expect(run.findings.map((f) => f.message.split(' (')[0])).toEqual(['spec.shape: unknown field'])
    expect(run.step(1).data?.kinds[0].schema).toBe('platform/app/chart/crds/widget.yaml')
  })

  it('without depends renders, a kind without schema is missing at once', async () => {
    const run = await newRun()
    await run.check([widget({ colour: 'red' })])
    expect(run.findings.map((f) => f.rule)).toEqual(['schema-missing'])
    expect(run.findings[0].message).toContain('the blueprints spec.depends names')
  })
})
