// The blueprint.yaml contract on parsed files: each rule's finding names blueprint.yaml's line and, in the fix, the
// other file's line; a chart-only blueprint is skipped; malformed YAML is a finding, never a throw.
import { describe, expect, it } from '@jest/globals'
import type { ChartMetadata } from '../../src/chart/blueprint.js'
import { readBlueprintManifest } from '../../src/chart/blueprint-manifest.js'
import { blueprintContractStep, type ContractInput } from '../../src/chart/blueprint-contract.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'

const DIR = 'platform/temporal'
const CHART = parseYamlText<ChartMetadata>(
  'apiVersion: v2\nname: bp-temporal\nversion: 1.0.0\n',
  `${DIR}/chart/Chart.yaml`
)

function manifestOf(lines: string[]) {
  return readBlueprintManifest(parseYamlText(lines.join('\n') + '\n', `${DIR}/blueprint.yaml`))
}

const GOOD = [
  'apiVersion: catalyst.openova.io/v1alpha1',
  'kind: Blueprint',
  'metadata:',
  '  name: bp-temporal',
  'spec:',
  '  version: 1.0.0',
  '  manifests:',
  '    chart: ./chart'
]

/** Siblings in the workspace by catalog name: the version their Chart.yaml has. */
function indexOf(siblings: Record<string, string>): ContractInput['index'] {
  const blueprints = Object.entries(siblings).map(([name, version]) => {
    const dir = `platform/${name.replace(/^bp-/, '')}`
    return {
      dir,
      chartDir: `${dir}/chart`,
      problems: [],
      chart: { file: `${dir}/chart/Chart.yaml`, name, version, dependencies: [], lineOf: () => 3 }
    }
  })
  return {
    blueprints: [{ dir: DIR, chartDir: `${DIR}/chart`, problems: [] }, ...blueprints],
    byBlueprintName: (name) => blueprints.find((bp) => bp.chart.name === name)
  }
}

const run = (overrides: Partial<ContractInput>) =>
  blueprintContractStep({ dir: DIR, chartDir: `${DIR}/chart`, chartYaml: CHART, versionFromTag: false, ...overrides })

describe('blueprintContractStep', () => {
  it('passes a blueprint.yaml that agrees with its chart', () => {
    const step = run({ manifest: manifestOf(GOOD) })
    expect(step).toMatchObject({ id: 'blueprint', status: 'passed', findings: [] })
    expect(step.summary).toBe('bp-temporal 1.0.0 agrees with platform/temporal/chart/Chart.yaml; no depends')
  })

  it('skips a chart-only blueprint', () => {
    expect(run({})).toMatchObject({ status: 'skipped', data: { chartOnly: true } })
  })

  it('a drifted spec.version is an error naming both lines', () => {
    const step = run({ manifest: manifestOf(GOOD.map((l) => l.replace('version: 1.0.0', 'version: 0.9.0'))) })
    expect(step.status).toBe('failed')
    expect(step.findings).toEqual([
      expect.objectContaining({
        rule: 'blueprint-contract',
        severity: 'error',
        file: `${DIR}/blueprint.yaml`,
        line: 6,
        message: `spec.version is 0.9.0, but ${DIR}/chart/Chart.yaml:3 version is 1.0.0: the catalog advertises one version and the registry holds another`
      })
    ])
    expect(step.findings[0].fix).toContain(`${DIR}/blueprint.yaml:6`)
    expect(step.findings[0].fix).toContain(`${DIR}/chart/Chart.yaml:3`)
  })

  it('on a release with version-from-tag, spec.version must be the tag version', () => {
    const releaseTag = { version: '1.2.0', tag: `${DIR}/v1.2.0` }
    const drifted = run({ manifest: manifestOf(GOOD), versionFromTag: true, releaseTag })
    expect(drifted.status).toBe('failed')
    expect(drifted.findings[0].message).toMatch(/this release publishes 1\.2\.0 \(version-from-tag: the tag/)
    const matching = run({
      manifest: manifestOf(GOOD.map((l) => l.replace('version: 1.0.0', 'version: 1.2.0'))),
      versionFromTag: true,
      releaseTag
    })
    expect(matching.status).toBe('passed')
    // Not a release: the tag is not known yet, so a difference from Chart.yaml is a warning saying the rule.
    const pr = run({
      manifest: manifestOf(GOOD.map((l) => l.replace('version: 1.0.0', 'version: 1.2.0'))),
      versionFromTag: true
    })
    expect(pr.status).toBe('warning')
    expect(pr.findings[0].message).toMatch(/with version-from-tag the release tag decides the version published/)
  })

  it('metadata.name must be the chart name', () => {
    const step = run({ manifest: manifestOf(GOOD.map((l) => l.replace('name: bp-temporal', 'name: bp-temporal2'))) })
    expect(step.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: 4,
        message: expect.stringMatching(/metadata.name is bp-temporal2/)
      })
    ])
    expect(step.findings[0].fix).toContain(`${DIR}/chart/Chart.yaml:2`)
  })

  it('spec.manifests.chart must name the chart folder checked', () => {
    const step = run({ manifest: manifestOf(GOOD.map((l) => l.replace('./chart', './helm'))) })
    expect(step.findings).toEqual([
      expect.objectContaining({
        line: 8,
        message: `spec.manifests.chart names ${DIR}/helm, but the chart checked (and published) is ${DIR}/chart`
      })
    ])
    const outside = run({ manifest: manifestOf(GOOD.map((l) => l.replace('./chart', '../cnpg/chart'))) })
    expect(outside.findings[0].message).toMatch(/not a folder inside platform\/temporal/)
  })

  it('spec.depends: both forms looked up in the workspace; absent is a warning, an unsatisfied range an error', () => {
    const manifest = manifestOf([
      ...GOOD,
      '  depends:',
      '    - {blueprint: bp-cnpg, version: ^1, alias: db}',
      '    - bp-cert-manager',
      '    - {blueprint: bp-keda, version: ~2.1}',
      '    - {blueprint: bp-elsewhere}',
      '    - {blueprint: bp-cnpg, version: "not a range"}'
    ])
    const step = run({
      manifest,
      index: indexOf({ 'bp-cnpg': '1.3.0', 'bp-cert-manager': '0.1.0', 'bp-keda': '2.2.0' })
    })
    expect(step.status).toBe('failed')
    expect(step.findings.map((f) => [f.severity, f.line, f.message])).toEqual([
      [
        'error',
        12,
        'spec.depends bp-keda asks for ~2.1, but platform/keda is at 2.2.0 (platform/keda/chart/Chart.yaml:3)'
      ],
      [
        'warning',
        13,
        'spec.depends names bp-elsewhere, which is no blueprint of this workspace (no folder under the discover globs has that metadata.name or chart name)'
      ],
      ['error', 14, expect.stringMatching(/^spec.depends bp-cnpg: "not a range" is not a version range/)]
    ])
    expect(step.data?.depends.slice(0, 3)).toEqual([
      { blueprint: 'bp-cnpg', range: '^1', dir: 'platform/cnpg', version: '1.3.0' },
      { blueprint: 'bp-cert-manager', dir: 'platform/cert-manager', version: '0.1.0' },
      { blueprint: 'bp-keda', range: '~2.1', dir: 'platform/keda', version: '2.2.0' }
    ])
  })

  it('in a repository of one blueprint, spec.depends is one notice, not a warning per name', () => {
    const manifest = manifestOf([...GOOD, '  depends:', '    - {name: bp-cnpg, version: ^1}', '    - bp-cert-manager'])
    const step = run({ manifest, index: indexOf({}) })
    expect(step.status).toBe('passed')
    expect(step.findings).toEqual([
      expect.objectContaining({
        severity: 'notice',
        line: 9,
        message:
          'spec.depends (bp-cnpg, bp-cert-manager) is not checked against the workspace: it holds no other blueprint under the discover globs'
      })
    ])
  })

  it('wrong types and malformed YAML are findings with file:line, never a throw', () => {
    const typed = run({ manifest: manifestOf(['metadata:', '  name: bp-temporal', 'spec:', '  version: [1]']) })
    expect(typed.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        line: 4,
        message: 'spec.version must be a non-empty string, not a list'
      })
    ])
    const broken = run({
      manifestError: { message: `${DIR}/blueprint.yaml:3: not valid YAML: bad indentation`, hint: 'fix it' }
    })
    expect(broken).toMatchObject({ status: 'failed' })
    expect(broken.findings[0]).toMatchObject({ file: `${DIR}/blueprint.yaml`, line: 3, fix: 'fix it' })
  })
})
