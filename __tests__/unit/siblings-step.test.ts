// The `Sibling blueprints` step's pure part: what each registry answer for a bundled sibling means on a release and on
// a pull request, with the lines of both Chart.yaml files.
import { describe, expect, it } from '@jest/globals'
import type { ChartMetadata } from '../../src/chart/blueprint.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'
import { siblingsStep, siblingsToBuildFromSource, type SiblingCheck } from '../../src/run/siblings-step.js'

const REGISTRY = 'oci://ghcr.io/openova-io'
const chartYaml = parseYamlText<ChartMetadata>(
  'apiVersion: v2\nname: bp-catalyst\nversion: 2.0.1\ndependencies:\n  - name: bp-cilium\n    version: 1.1.2\n    repository: oci://ghcr.io/openova-io\n',
  'products/catalyst/chart/Chart.yaml'
)
const base = (mode: 'validate' | 'publish') => ({ mode, blueprint: { dir: 'products/catalyst', chartYaml } as never })
const cilium = (fields: Partial<SiblingCheck>): SiblingCheck => ({
  name: 'bp-cilium',
  version: '1.1.2',
  line: 5,
  dir: 'platform/cilium',
  chartDir: 'platform/cilium/chart',
  sourceFile: 'platform/cilium/chart/Chart.yaml',
  sourceLine: 3,
  sourceVersion: '1.1.2',
  state: 'published',
  ...fields
})

describe('siblingsStep', () => {
  it('passes when every pinned sibling is published', () => {
    const step = siblingsStep(base('publish'), REGISTRY, [cilium({})])
    expect(step).toMatchObject({ id: 'siblings', status: 'passed', summary: 'bp-cilium 1.1.2 published', findings: [] })
  })

  it('on a release, an unpublished sibling is an error naming it, its version and the blueprint to release first', () => {
    const step = siblingsStep(base('publish'), REGISTRY, [cilium({ state: 'unpublished' })])
    expect(step.status).toBe('failed')
    expect(step.findings).toEqual([
      {
        rule: 'sibling-blueprint',
        severity: 'error',
        message:
          'sibling blueprint bp-cilium 1.1.2 is not published (oci://ghcr.io/openova-io/bp-cilium:1.1.2): a release never bundles an unpublished sibling, so nothing is pushed',
        fix: "release platform/cilium first (its tag platform/cilium/v1.1.2; discover's waves order it before this blueprint), then re-run this release",
        file: 'products/catalyst/chart/Chart.yaml',
        line: 5
      }
    ])
  })

  it('on a pull request, an unpublished pin the sibling source does not have names both files', () => {
    const step = siblingsStep(base('validate'), REGISTRY, [cilium({ state: 'unpublished', sourceVersion: '1.1.1' })])
    expect(step.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        message:
          'products/catalyst/chart/Chart.yaml:5 bundles sibling blueprint bp-cilium 1.1.2, which is not published (oci://ghcr.io/openova-io/bp-cilium:1.1.2), and platform/cilium has 1.1.1 at this commit (platform/cilium/chart/Chart.yaml:3)',
        fix: 'pin bp-cilium to a published version in products/catalyst/chart/Chart.yaml:5, or set version in platform/cilium/chart/Chart.yaml:3 to 1.1.2 and release platform/cilium first'
      })
    ])
    const same = siblingsStep(base('validate'), REGISTRY, [cilium({ state: 'unpublished' })])
    expect(same.findings[0].message).toBe(
      'sibling blueprint bp-cilium 1.1.2 is not published yet (oci://ghcr.io/openova-io/bp-cilium:1.1.2); platform/cilium has 1.1.2 at this commit (platform/cilium/chart/Chart.yaml:3)'
    )
  })

  it('a registry that cannot be asked is a warning; a range is not looked up and says nothing', () => {
    const step = siblingsStep(base('publish'), REGISTRY, [
      cilium({ state: 'unknown', reason: 'Registry ghcr.io is unavailable' }),
      cilium({
        name: 'bp-cnpg',
        version: '^1',
        state: 'unknown',
        reason: 'a range: helm picks among the published versions'
      })
    ])
    expect(step.status).toBe('warning')
    expect(step.summary).toBe('bp-cilium 1.1.2 not looked up, bp-cnpg ^1 not looked up')
    expect(step.findings).toEqual([
      expect.objectContaining({
        severity: 'warning',
        message:
          'sibling blueprint bp-cilium 1.1.2 (platform/cilium): the registry could not be asked whether oci://ghcr.io/openova-io/bp-cilium:1.1.2 is published (Registry ghcr.io is unavailable)'
      })
    ])
  })

  it('on a pull request, a sibling built from source at this commit passes with a notice and the report line', () => {
    const step = siblingsStep(base('validate'), REGISTRY, [
      cilium({ state: 'unpublished', fromSource: { built: true } }),
      cilium({ name: 'bp-cert-manager', version: '1.0.0', dir: 'platform/cert-manager', line: 8 })
    ])
    expect(step.status).toBe('passed')
    expect(step.summary).toBe(
      'bp-cilium 1.1.2 built from platform/cilium at this commit (not yet published), bp-cert-manager 1.0.0 published'
    )
    expect(step.findings).toEqual([
      {
        rule: 'sibling-blueprint',
        severity: 'notice',
        message:
          "bp-cilium 1.1.2 built from platform/cilium at this commit (not yet published): the gates ran on products/catalyst/chart/Chart.yaml with it bundled; merging does not publish it, its own release does (discover's waves order it first)",
        file: 'products/catalyst/chart/Chart.yaml',
        line: 5
      }
    ])
  })

  it('a sibling that could not be built from source is an error naming its folder and the cause', () => {
    const step = siblingsStep(base('validate'), REGISTRY, [
      cilium({
        state: 'unpublished',
        fromSource: { built: false, cause: 'index http://127.0.0.1:9/index.yaml could not be fetched' }
      })
    ])
    expect(step.status).toBe('failed')
    expect(step.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        message:
          'sibling blueprint bp-cilium 1.1.2 is not published yet (oci://ghcr.io/openova-io/bp-cilium:1.1.2), and platform/cilium could not be built from source at this commit: index http://127.0.0.1:9/index.yaml could not be fetched',
        fix: 'make platform/cilium/chart build (the action run on platform/cilium says what fails), or pin bp-cilium to a published version in products/catalyst/chart/Chart.yaml:5'
      })
    ])
  })

  it('a release never counts a sibling as built from source: the refusal stays', () => {
    const step = siblingsStep(base('publish'), REGISTRY, [
      cilium({ state: 'unpublished', fromSource: { built: true } })
    ])
    expect(step.status).toBe('failed')
    expect(step.summary).toBe('bp-cilium 1.1.2 unpublished')
    expect(step.findings[0].message).toContain('a release never bundles an unpublished sibling')
  })
})

describe('siblingsToBuildFromSource', () => {
  const checks = [
    cilium({ state: 'unpublished' }),
    cilium({ name: 'bp-cnpg', state: 'unpublished', sourceVersion: '1.1.1' }),
    cilium({ name: 'bp-cert-manager', state: 'published' }),
    cilium({ name: 'bp-falco', state: 'unknown', reason: 'Registry ghcr.io is unavailable' })
  ]

  it('on a pull request: only an unpublished sibling whose source has the pinned version', () => {
    expect(siblingsToBuildFromSource('validate', checks).map((check) => check.name)).toEqual(['bp-cilium'])
  })

  it('on a release: never', () => {
    expect(siblingsToBuildFromSource('publish', checks)).toEqual([])
  })
})
