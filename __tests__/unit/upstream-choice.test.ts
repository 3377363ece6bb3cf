// Which dependency is the upstream chart (or none: a scratch blueprint), from
// the upstream input, values.yaml catalystBlueprint.upstream.chart, or the only
// non-library dependency.
import { describe, expect, it } from '@jest/globals'
import type { Blueprint, ChartMetadata } from '../../src/chart/blueprint.js'
import { consistencyFindings } from '../../src/chart/upstream.js'
import { chooseUpstream, needsLibraryCheck, provenanceChart } from '../../src/chart/upstream-choice.js'
import { ActionError } from '../../src/types.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'

function blueprint(chart: string, values: string): Blueprint {
  return {
    workspace: '/ws',
    dir: 'platform/x',
    chartDir: 'platform/x/chart',
    chartYaml: parseYamlText<ChartMetadata>(chart, 'platform/x/chart/Chart.yaml'),
    values: parseYamlText<Record<string, unknown>>(values, 'platform/x/chart/values.yaml')
  }
}

const TWO = `apiVersion: v2
name: bp-x
version: 1.0.0
dependencies:
  - name: common
    version: 1.0.0
    repository: https://charts.example/library
  - name: litellm-helm
    version: 0.1.572
    repository: oci://ghcr.io/berriai
`
const SCRATCH_VALUES = 'catalystBlueprint:\n  upstream:\n    chart: ""\n    version: ""\n    repo: ""\n'
const none = new Set<string>()

describe('chooseUpstream', () => {
  it('takes a non-empty upstream input first, even on a scratch blueprint', () => {
    const choice = chooseUpstream(blueprint(TWO, SCRATCH_VALUES), 'common', none)
    expect(choice).toMatchObject({ kind: 'dependency', source: 'input', index: 0, dependency: { name: 'common' } })
  })

  it('refuses an input naming no dependency, naming Chart.yaml', () => {
    expect(() => chooseUpstream(blueprint(TWO, ''), 'temporal', none)).toThrow(
      /platform\/x\/chart\/Chart.yaml: dependency "temporal" is not declared \(dependencies: common, litellm-helm\)/
    )
  })

  it('takes values.yaml catalystBlueprint.upstream.chart next', () => {
    const choice = chooseUpstream(
      blueprint(TWO, 'catalystBlueprint:\n  upstream:\n    chart: litellm-helm\n'),
      '',
      none
    )
    expect(choice).toMatchObject({ kind: 'dependency', source: 'values', index: 1 })
  })

  it('reads an empty catalystBlueprint.upstream.chart as a scratch blueprint', () => {
    expect(chooseUpstream(blueprint(TWO, SCRATCH_VALUES), '', none)).toEqual({
      kind: 'scratch',
      reason: 'platform/x/chart/values.yaml catalystBlueprint.upstream.chart is empty'
    })
    expect(chooseUpstream(blueprint(TWO, 'catalystBlueprint:\n  upstream:\n    chart:\n'), '', none).kind).toBe(
      'scratch'
    )
  })

  it('refuses a catalystBlueprint.upstream.chart naming no dependency, with the values.yaml line', () => {
    const run = (): unknown =>
      chooseUpstream(blueprint(TWO, 'replicas: 1\ncatalystBlueprint:\n  upstream:\n    chart: temporal\n'), '', none)
    expect(run).toThrow(ActionError)
    expect(run).toThrow(
      /^platform\/x\/chart\/values.yaml:4: catalystBlueprint.upstream.chart is "temporal", but platform\/x\/chart\/Chart.yaml declares no such dependency/
    )
  })

  it('takes the only non-library dependency without a provenance block', () => {
    expect(chooseUpstream(blueprint(TWO, ''), '', new Set(['common']))).toMatchObject({
      kind: 'dependency',
      source: 'only-dependency',
      index: 1
    })
  })

  it('is scratch when every dependency is a library chart', () => {
    expect(chooseUpstream(blueprint(TWO, ''), '', new Set(['common', 'litellm-helm']))).toMatchObject({
      kind: 'scratch'
    })
  })

  it('refuses two non-library dependencies and says what to set', () => {
    let error: ActionError | undefined
    try {
      chooseUpstream(blueprint(TWO, ''), '', none)
    } catch (caught) {
      error = caught as ActionError
    }
    expect(error).toBeInstanceOf(ActionError)
    expect(error!.message).toBe(
      'platform/x/chart/Chart.yaml: 2 dependencies (common, litellm-helm) could be the upstream chart and nothing says which'
    )
    expect(error!.hint).toBe(
      'set catalystBlueprint.upstream.chart in platform/x/chart/values.yaml (or the upstream input) to one of common, litellm-helm; "" declares a scratch blueprint'
    )
  })

  it('needs the library check only when neither the input nor values.yaml decides', () => {
    expect(needsLibraryCheck(blueprint(TWO, ''), '')).toBe(true)
    expect(needsLibraryCheck(blueprint(TWO, ''), 'common')).toBe(false)
    expect(needsLibraryCheck(blueprint(TWO, SCRATCH_VALUES), '')).toBe(false)
    expect(
      provenanceChart(blueprint(TWO, 'catalystBlueprint:\n  upstream:\n    version: 1.0.0\n').values)
    ).toBeUndefined()
  })
})

describe('consistencyFindings on a scratch provenance', () => {
  it('has nothing to compare when catalystBlueprint.upstream.chart is empty', () => {
    const bp = blueprint(TWO, SCRATCH_VALUES)
    expect(consistencyFindings(bp, bp.chartYaml.data.dependencies![0], '1.0.0', false)).toEqual([])
  })
})
