import { describe, expect, it } from '@jest/globals'
import type { Blueprint, ChartMetadata } from '../../src/chart/blueprint.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'
import { getInputs } from '../../src/inputs/inputs.js'
import { checkRunSettings, decideMode, packagedVersion, type RunSettings } from '../../src/run/settings.js'
import { ActionError } from '../../src/types.js'

function blueprint(chartYaml: string): Blueprint {
  return {
    workspace: '/work/repo',
    dir: 'platform/temporal',
    chartDir: 'platform/temporal/chart',
    chartYaml: parseYamlText<ChartMetadata>(chartYaml, 'platform/temporal/chart/Chart.yaml'),
    values: parseYamlText<Record<string, unknown>>('{}\n', 'platform/temporal/chart/values.yaml')
  }
}

function settings(
  values: Record<string, string>,
  event: { eventName?: string; ref?: string } = {},
  chartYaml = 'apiVersion: v2\nname: bp-temporal\nversion: 1.2.0\n',
  idToken = false
): RunSettings {
  const inputs = getInputs((name) => values[name] ?? '', { GITHUB_WORKSPACE: '/work/repo' })
  const bp = blueprint(chartYaml)
  const ref = event.ref ?? 'refs/heads/main'
  const decision = decideMode({
    eventName: event.eventName ?? 'pull_request',
    ref,
    push: inputs.push,
    blueprint: inputs.blueprint,
    chartVersion: bp.chartYaml.data.version,
    versionFromTag: inputs.versionFromTag
  })
  return { inputs, blueprint: bp, decision, ref, idToken }
}

function failure(run: () => void): ActionError {
  try {
    run()
  } catch (error) {
    if (error instanceof ActionError) return error
    throw error
  }
  throw new Error('expected an ActionError')
}

const RELEASE = { eventName: 'push', ref: 'refs/tags/platform/temporal/v1.2.0' }

describe('packagedVersion', () => {
  it("is input version, else the tag's (version-from-tag), else Chart.yaml's", () => {
    expect(packagedVersion(settings({}))).toBe('1.2.0')
    expect(packagedVersion(settings({ version: '1.2.3' }))).toBe('1.2.3')
    const fromTag = settings(
      { 'version-from-tag': 'true' },
      { eventName: 'push', ref: 'refs/tags/platform/temporal/v2.0.0' }
    )
    expect(packagedVersion(fromTag)).toBe('2.0.0')
  })
})

describe('checkRunSettings', () => {
  const CHART = 'apiVersion: v2\nname: bp-temporal\nversion: 1.2.0\n'
  const REGISTRY = { registry: 'oci://ghcr.io/openova-io' }

  it('refuses attest: true on a release without the OIDC token, before anything is pushed', () => {
    const error = failure(() => checkRunSettings(settings({ ...REGISTRY, attest: 'true' }, RELEASE, CHART, false)))
    expect(error.message).toMatch(/^attest: true, but the workflow gives this job no OIDC token/)
    expect(error.message).toContain('bp-temporal 1.2.0 could not be attested; nothing was pushed')
    expect(error.hint).toContain('permissions: id-token: write')
  })

  it('lets attest: true publish with the token, attest: auto without it, and a validation run either way', () => {
    expect(() => checkRunSettings(settings({ ...REGISTRY, attest: 'true' }, RELEASE, CHART, true))).not.toThrow()
    expect(() => checkRunSettings(settings({ ...REGISTRY, attest: 'auto' }, RELEASE, CHART, false))).not.toThrow()
    expect(() => checkRunSettings(settings({ ...REGISTRY, attest: 'true' }, {}, CHART, false))).not.toThrow()
  })

  it('accepts a pull request with the defaults, and a release tag with a registry', () => {
    expect(() => checkRunSettings(settings({}))).not.toThrow()
    expect(() => checkRunSettings(settings({ registry: 'oci://ghcr.io/openova-io' }, RELEASE))).not.toThrow()
  })

  it('returns the registry input parsed once (no registry: undefined)', () => {
    expect(checkRunSettings(settings({ registry: 'oci://ghcr.io/openova-io/charts/' }, RELEASE))).toEqual({
      url: 'oci://ghcr.io/openova-io/charts',
      host: 'ghcr.io',
      path: 'openova-io/charts',
      plainHttp: false
    })
    expect(checkRunSettings(settings({}))).toBeUndefined()
  })

  it("refuses a tag whose version is not Chart.yaml's, naming both and version-from-tag, at Chart.yaml's version line", () => {
    const error = failure(() =>
      checkRunSettings(
        settings({ registry: 'oci://ghcr.io/o' }, { eventName: 'push', ref: 'refs/tags/platform/temporal/v9.9.9' })
      )
    )
    expect(error.message).toBe(
      'tag platform/temporal/v9.9.9 has version 9.9.9, but platform/temporal/chart/Chart.yaml has version 1.2.0'
    )
    expect(error.hint).toBe(
      'make them agree (version: 9.9.9 in platform/temporal/chart/Chart.yaml, or the tag v1.2.0), or set version-from-tag: true'
    )
    expect(error.at).toEqual({ file: 'platform/temporal/chart/Chart.yaml', line: 3 })
  })

  it('refuses an input version other than the release tag', () => {
    const error = failure(() => checkRunSettings(settings({ registry: 'oci://ghcr.io/o', version: '1.3.0' }, RELEASE)))
    expect(error.message).toBe('input version 1.3.0 differs from tag platform/temporal/v1.2.0 (version 1.2.0)')
  })

  it('refuses to publish a chart name that is no OCI repository name, at its Chart.yaml line', () => {
    const error = failure(() =>
      checkRunSettings(
        settings({ registry: 'oci://ghcr.io/o' }, RELEASE, 'apiVersion: v2\nname: BP-Temporal\nversion: 1.2.0\n')
      )
    )
    expect(error.message).toBe(
      'platform/temporal/chart/Chart.yaml:2: chart name "BP-Temporal" cannot be an OCI repository name'
    )
    // Validating accepts what helm accepts.
    expect(() =>
      checkRunSettings(settings({}, {}, 'apiVersion: v2\nname: BP-Temporal\nversion: 1.2.0\n'))
    ).not.toThrow()
  })

  it('names where a version that is not semver came from', () => {
    expect(failure(() => checkRunSettings(settings({ version: '1.2' }))).message).toBe(
      'input version: "1.2" is not a semantic version'
    )
    expect(
      failure(() => checkRunSettings(settings({}, {}, 'apiVersion: v2\nname: bp-temporal\nversion: "1.0"\n'))).message
    ).toBe('platform/temporal/chart/Chart.yaml:3 version: "1.0" is not a semantic version')
  })

  it('needs a registry to publish', () => {
    const error = failure(() => checkRunSettings(settings({}, RELEASE)))
    expect(error.message).toMatch(/^publishing bp-temporal 1\.2\.0 \(.*\) needs the registry input$/)
    expect(error.hint).toBe('set registry: oci://ghcr.io/<owner>, or push: false to only validate')
  })

  it('allows plain-http only for a loopback registry', () => {
    expect(() => checkRunSettings(settings({ registry: 'oci://127.0.0.1:5000/x', 'plain-http': 'true' }))).not.toThrow()
    expect(
      failure(() => checkRunSettings(settings({ registry: 'oci://ghcr.io/o', 'plain-http': 'true' }))).message
    ).toBe('input plain-http: registry ghcr.io is not a loopback address')
  })

  it('refuses a registry username without its password', () => {
    expect(
      failure(() => checkRunSettings(settings({ registry: 'oci://ghcr.io/o', 'registry-username': 'bot' }))).message
    ).toBe('registry-username and registry-password go together: only one is set')
  })
})
