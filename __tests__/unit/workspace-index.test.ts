// The workspace blueprint index on a temp folder: which folders are blueprints (blueprint.yaml or chart/Chart.yaml),
// their chart folders, charts and manifests, lookups by name, and unreadable files recorded rather than thrown.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  blueprintName,
  indexWorkspace,
  listBlueprintFolders,
  parseBlueprintGlob
} from '../../src/chart/workspace-index.js'

let workspace: string

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(path.join(workspace, file)), { recursive: true })
  await writeFile(path.join(workspace, file), text)
}

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'workspace-index-'))
  // A platform blueprint with a catalog entry that depends on another one.
  await write(
    'platform/temporal/blueprint.yaml',
    'apiVersion: catalyst.openova.io/v1alpha1\nkind: Blueprint\nmetadata:\n  name: bp-temporal\nspec:\n  version: 1.0.0\n  manifests:\n    chart: ./chart\n  depends:\n    - {blueprint: bp-cnpg, version: ^1, alias: db}\n    - bp-cert-manager\n'
  )
  await write(
    'platform/temporal/chart/Chart.yaml',
    'apiVersion: v2\nname: bp-temporal\nversion: 1.0.0\ndependencies:\n  - name: temporal\n    version: 1.2.0\n    repository: https://go.temporal.io/helm-charts\n'
  )
  await write('platform/cnpg/blueprint.yaml', 'metadata: {name: bp-cnpg}\nspec: {version: 1.3.0}\n')
  await write('platform/cnpg/chart/Chart.yaml', 'apiVersion: v2\nname: bp-cnpg\nversion: 1.3.0\n')
  // Chart-only: a platform blueprint without blueprint.yaml, and a product umbrella over siblings.
  await write('platform/external-dns/chart/Chart.yaml', 'apiVersion: v2\nname: bp-external-dns\nversion: 0.4.0\n')
  await write(
    'products/catalyst/chart/Chart.yaml',
    'apiVersion: v2\nname: bp-catalyst\nversion: 2.0.0\ndependencies:\n  - name: bp-cnpg\n    version: 1.3.0\n    repository: oci://ghcr.io/openova-io\n'
  )
  // The chart in another folder, named by spec.manifests.chart.
  await write('products/b/blueprint.yaml', 'metadata: {name: bp-b}\nspec:\n  manifests:\n    chart: ./helm\n')
  await write('products/b/helm/Chart.yaml', 'apiVersion: v2\nname: bp-b\nversion: 1.0.0\n')
  // Broken files: recorded on their blueprint.
  await write('platform/broken/blueprint.yaml', 'metadata: [unclosed\n')
  await write('platform/broken/chart/Chart.yaml', 'apiVersion: v2\nversion: 1.0.0\n')
  await write('platform/no-chart/blueprint.yaml', 'metadata: {name: bp-no-chart}\n')
  // Not blueprints: no blueprint.yaml and no chart/Chart.yaml.
  await write('platform/docs/README.md', '# docs\n')
  await write('platform/odd/helm/Chart.yaml', 'apiVersion: v2\nname: odd\nversion: 1.0.0\n')
  await write('elsewhere/x/chart/Chart.yaml', 'apiVersion: v2\nname: bp-x\nversion: 1.0.0\n')
})

afterAll(async () => {
  await rm(workspace, { recursive: true, force: true })
})

describe('listBlueprintFolders', () => {
  it('lists folders with a blueprint.yaml or a chart/Chart.yaml under the globs, sorted', async () => {
    expect(await listBlueprintFolders(workspace)).toEqual([
      'platform/broken',
      'platform/cnpg',
      'platform/external-dns',
      'platform/no-chart',
      'platform/temporal',
      'products/b',
      'products/catalyst'
    ])
    expect(await listBlueprintFolders(workspace, ['elsewhere/*', 'products/*/blueprint.yaml'])).toEqual([
      'elsewhere/x',
      'products/b'
    ])
    // A glob that names the file keeps only the folders holding it.
    expect(await listBlueprintFolders(workspace, ['*/*/chart/Chart.yaml'])).toEqual([
      'elsewhere/x',
      'platform/broken',
      'platform/cnpg',
      'platform/external-dns',
      'platform/temporal',
      'products/catalyst'
    ])
  })

  it('refuses a glob outside the workspace, naming the input', () => {
    expect(() => parseBlueprintGlob('../x/*')).toThrow('input discover-glob: "../x/*"')
    expect(parseBlueprintGlob('./platform/*/')).toEqual({ folder: 'platform/*' })
    expect(parseBlueprintGlob('products/*/chart/Chart.yaml')).toEqual({
      folder: 'products/*',
      marker: 'chart/Chart.yaml'
    })
  })
})

describe('indexWorkspace', () => {
  it('reads each blueprint: folder, chart folder, chart and manifest', async () => {
    const index = await indexWorkspace(workspace)
    const temporal = index.byDir('platform/temporal')
    expect(temporal).toMatchObject({
      dir: 'platform/temporal',
      chartDir: 'platform/temporal/chart',
      chart: {
        file: 'platform/temporal/chart/Chart.yaml',
        name: 'bp-temporal',
        version: '1.0.0',
        dependencies: [{ name: 'temporal', version: '1.2.0', repository: 'https://go.temporal.io/helm-charts' }]
      },
      manifest: { name: 'bp-temporal', version: '1.0.0', chart: './chart' },
      problems: []
    })
    expect(temporal?.manifest?.depends.map((d) => [d.blueprint, d.version, d.form])).toEqual([
      ['bp-cnpg', '^1', 'mapping'],
      ['bp-cert-manager', undefined, 'name']
    ])
    expect(temporal?.chart?.lineOf(['version'])).toBe(3)
    expect(index.byDir('products/b')).toMatchObject({ chartDir: 'products/b/helm', chart: { name: 'bp-b' } })
  })

  it('indexes chart-only folders as blueprints without a manifest', async () => {
    const index = await indexWorkspace(workspace)
    const catalyst = index.byChartName('bp-catalyst')
    expect(catalyst).toMatchObject({ dir: 'products/catalyst', chartDir: 'products/catalyst/chart', problems: [] })
    expect(catalyst?.manifest).toBeUndefined()
    expect(catalyst?.chart?.dependencies).toEqual([
      { name: 'bp-cnpg', version: '1.3.0', repository: 'oci://ghcr.io/openova-io' }
    ])
    expect(index.byBlueprintName('bp-external-dns')?.dir).toBe('platform/external-dns')
  })

  it('looks blueprints up by chart name and by catalog name', async () => {
    const index = await indexWorkspace(workspace)
    expect(index.byChartName('bp-cnpg')?.dir).toBe('platform/cnpg')
    expect(index.byBlueprintName('bp-cnpg')?.dir).toBe('platform/cnpg')
    expect(index.byBlueprintName('bp-cert-manager')).toBeUndefined()
    expect(blueprintName(index.byDir('platform/no-chart')!)).toBe('bp-no-chart')
  })

  it('records files it cannot read on their blueprint, naming file and line', async () => {
    const index = await indexWorkspace(workspace)
    const broken = index.byDir('platform/broken')
    expect(broken?.manifest).toBeUndefined()
    expect(broken?.chart).toBeUndefined()
    expect(broken?.problems.map((p) => p.file)).toEqual([
      'platform/broken/blueprint.yaml',
      'platform/broken/chart/Chart.yaml'
    ])
    expect(broken?.problems[0].message).toMatch(/^platform\/broken\/blueprint\.yaml:\d+: not valid YAML/)
    expect(broken?.problems[1].message).toBe('platform/broken/chart/Chart.yaml: field name is missing')
    expect(index.byDir('platform/no-chart')?.problems).toEqual([
      expect.objectContaining({ message: 'platform/no-chart/chart/Chart.yaml not found' })
    ])
  })
})
