// The hollow-chart decision before any helm runs: a blueprint chart wraps an upstream chart, unless it
// says it has none (catalyst.openova.io/no-upstream: "true"). End to end: integration/publish-guards.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { isNoUpstream, loadBlueprint } from '../../src/chart/blueprint.js'
import { hollowByDeclaration } from '../../src/chart/built-dependencies.js'

let workspace: string

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'bp-hollow-unit-'))
})
afterAll(async () => {
  await rm(workspace, { recursive: true, force: true })
})

let charts = 0

async function blueprint(chartYaml: string) {
  const dir = `platform/chart-${++charts}`
  await mkdir(path.join(workspace, dir, 'chart'), { recursive: true })
  await writeFile(path.join(workspace, dir, 'chart', 'Chart.yaml'), chartYaml)
  return loadBlueprint(workspace, dir, `${dir}/chart`)
}

describe('hollowByDeclaration', () => {
  it('a chart with no dependencies is hollow: an error at the name line, naming the file and both ways out', async () => {
    const loaded = await blueprint('apiVersion: v2\nname: bp-temporal\nversion: 1.0.0\n')
    const displayPath = `platform/chart-${charts}/chart/Chart.yaml`
    expect(hollowByDeclaration(loaded)).toEqual({
      rule: 'hollow-chart',
      severity: 'error',
      message: `${displayPath} declares no dependencies: a blueprint chart wraps an upstream chart`,
      fix: 'declare the upstream chart under dependencies:, or annotate the chart with catalyst.openova.io/no-upstream: "true"',
      file: displayPath,
      line: 2
    })
  })

  it('an empty dependencies list is hollow too', async () => {
    const loaded = await blueprint('apiVersion: v2\nname: bp-temporal\nversion: 1.0.0\ndependencies: []\n')
    expect(hollowByDeclaration(loaded)?.rule).toBe('hollow-chart')
  })

  it('a chart annotated no-upstream: "true" without dependencies is not hollow', async () => {
    const loaded = await blueprint(
      'apiVersion: v2\nname: bp-temporal\nversion: 1.0.0\nannotations:\n  catalyst.openova.io/no-upstream: "true"\n'
    )
    expect(isNoUpstream(loaded.chartYaml.data)).toBe(true)
    expect(hollowByDeclaration(loaded)).toBeUndefined()
  })

  it('a chart with a dependency is not hollow', async () => {
    const loaded = await blueprint(
      'apiVersion: v2\nname: bp-temporal\nversion: 1.0.0\ndependencies:\n  - name: temporal\n    version: 1.2.0\n    repository: https://go.temporal.io/helm-charts\n'
    )
    expect(isNoUpstream(loaded.chartYaml.data)).toBe(false)
    expect(hollowByDeclaration(loaded)).toBeUndefined()
  })
})
