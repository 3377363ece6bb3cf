// Pure parts of upstream resolution: mirror rewriting, index parsing and the
// Chart.yaml / values.yaml agreement check.
import { describe, expect, it } from '@jest/globals'
import type { Blueprint, ChartDependency } from '../../src/chart/blueprint.js'
import { ActionError } from '../../src/types.js'
import { parseIndex } from '../../src/chart/repository-index.js'
import { applyMirrors } from '../../src/chart/mirrors.js'
import { consistencyFindings } from '../../src/chart/upstream.js'
import { credentialsForRepository } from '../../src/credentials/credentials.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'

const UPSTREAM = 'https://go.temporal.io/helm-charts'

describe('applyMirrors', () => {
  const mirrors = [
    { from: UPSTREAM, to: 'http://127.0.0.1:8080/temporal' },
    { from: 'https://charts.example.com', to: 'https://mirror.example.com/all' },
    { from: 'https://charts.example.com/bitnami', to: 'oci://registry.example.com/bitnami' }
  ]

  it('rewrites an exact match', () => {
    expect(applyMirrors(UPSTREAM, mirrors)).toBe('http://127.0.0.1:8080/temporal')
  })
  it('ignores trailing slashes of the repository URL', () => {
    expect(applyMirrors(`${UPSTREAM}//`, mirrors)).toBe('http://127.0.0.1:8080/temporal')
  })
  it('keeps the path below a matched prefix', () => {
    expect(applyMirrors('https://charts.example.com/stable/x', mirrors)).toBe('https://mirror.example.com/all/stable/x')
  })
  it('picks the longest matching prefix, whatever the order', () => {
    expect(applyMirrors('https://charts.example.com/bitnami', mirrors)).toBe('oci://registry.example.com/bitnami')
    expect(applyMirrors('https://charts.example.com/bitnami', [...mirrors].reverse())).toBe(
      'oci://registry.example.com/bitnami'
    )
  })
  it('matches whole path segments only', () => {
    expect(applyMirrors('https://go.temporal.io/helm-charts-old', mirrors)).toBe(
      'https://go.temporal.io/helm-charts-old'
    )
    expect(applyMirrors('https://charts.example.com.evil.test/x', mirrors)).toBe(
      'https://charts.example.com.evil.test/x'
    )
  })
  it('leaves unmatched URLs (and no mirrors) alone, only trimming the slash', () => {
    expect(applyMirrors('oci://ghcr.io/temporal/', mirrors)).toBe('oci://ghcr.io/temporal')
    expect(applyMirrors(`${UPSTREAM}/`, [])).toBe(UPSTREAM)
  })
})

describe('parseIndex', () => {
  it('returns the entries by chart name', () => {
    const entries = parseIndex(
      [
        'apiVersion: v1',
        'entries:',
        '  temporal:',
        '    - version: 1.3.0',
        '      urls: [temporal-1.3.0.tgz]',
        '      digest: abc',
        '    - version: 1.2.0',
        '      urls: [https://example.com/temporal-1.2.0.tgz]',
        '  other:',
        '    - version: 0.1.0',
        'generated: "2024-01-01T00:00:00Z"'
      ].join('\n'),
      'http://repo/index.yaml'
    )
    expect(Object.keys(entries).sort()).toEqual(['other', 'temporal'])
    expect(entries.temporal.map((entry) => entry.version)).toEqual(['1.3.0', '1.2.0'])
    expect(entries.temporal[0].urls).toEqual(['temporal-1.3.0.tgz'])
  })

  it('accepts YAML aliases (big real indexes use them)', () => {
    const text = ['entries:', '  a:', '    - &v', '      version: 1.0.0', '  b:', '    - *v'].join('\n')
    expect(parseIndex(text, 'idx').b[0].version).toBe('1.0.0')
  })

  it('names the source when the text is not YAML', () => {
    let error: unknown
    try {
      parseIndex('entries: [unclosed', 'http://repo/index.yaml')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ActionError)
    expect((error as ActionError).message).toMatch(/^http:\/\/repo\/index\.yaml is not valid YAML/)
    expect((error as ActionError).hint).toMatch(/chart repository index/)
  })

  it.each([
    ['an HTML page', '<html><body>Not found</body></html>'],
    ['an empty document', ''],
    ['a list', '- a\n- b'],
    ['entries that are not a mapping', 'entries: 3']
  ])('refuses %s: it is no chart repository index', (_what, text) => {
    expect(() => parseIndex(text, 'http://repo/index.yaml')).toThrow(
      /http:\/\/repo\/index\.yaml (has no entries: it is not a Helm chart repository index|is not valid YAML)/
    )
  })
})

function blueprintWith(valuesText: string, dependency: ChartDependency): Blueprint {
  const chartText = [
    'apiVersion: v2',
    'name: bp-temporal',
    'version: 1.0.0',
    'dependencies:',
    `  - name: ${dependency.name}`,
    `    version: "${dependency.version}"`,
    `    repository: ${dependency.repository}`
  ].join('\n')
  return {
    workspace: '/ws',
    dir: 'platform/temporal',
    chartDir: 'platform/temporal/chart',
    chartYaml: parseYamlText(chartText, 'platform/temporal/chart/Chart.yaml'),
    values: parseYamlText(valuesText, 'platform/temporal/chart/values.yaml')
  }
}

function provenance(version: string | undefined, repo = UPSTREAM, chart = 'temporal'): string {
  return [
    'temporal:',
    '  server: {}',
    'catalystBlueprint:',
    '  upstream:',
    `    chart: ${chart}`,
    ...(version === undefined ? [] : [`    version: ${version}`]),
    `    repo: ${repo}`
  ].join('\n')
}

describe('consistencyFindings', () => {
  const dep: ChartDependency = { name: 'temporal', version: '1.2.0', repository: UPSTREAM }

  it('is silent when values.yaml agrees with Chart.yaml', () => {
    expect(consistencyFindings(blueprintWith(provenance('1.2.0'), dep), dep, '1.2.0', false)).toEqual([])
  })

  it('is silent without catalystBlueprint.upstream, or without its version', () => {
    expect(consistencyFindings(blueprintWith('temporal: {}', dep), dep, '1.2.0', false)).toEqual([])
    expect(consistencyFindings(blueprintWith(provenance(undefined), dep), dep, '1.2.0', false)).toEqual([])
  })

  it('compares a trailing-slash repo URL as the same repository', () => {
    expect(consistencyFindings(blueprintWith(provenance('1.2.0', `${UPSTREAM}/`), dep), dep, '1.2.0', false)).toEqual(
      []
    )
  })

  it('fails a version mismatch, naming both files, both values and the line', () => {
    const findings = consistencyFindings(blueprintWith(provenance('1.1.0'), dep), dep, '1.2.0', false)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      rule: 'upstream-consistency',
      severity: 'error',
      file: 'platform/temporal/chart/values.yaml',
      line: 6
    })
    expect(findings[0].message).toContain(
      'platform/temporal/chart/values.yaml catalystBlueprint.upstream.version is "1.1.0"'
    )
    expect(findings[0].message).toContain(
      'platform/temporal/chart/Chart.yaml dependency temporal version resolves to "1.2.0"'
    )
    expect(findings[0].fix).toContain('set catalystBlueprint.upstream.version to "1.2.0"')
  })

  it('with a range in Chart.yaml, values.yaml must hold the resolved version (not the range)', () => {
    const ranged: ChartDependency = { ...dep, version: '^1' }
    expect(consistencyFindings(blueprintWith(provenance('1.3.0'), ranged), ranged, '1.3.0', false)).toEqual([])
    const stale = consistencyFindings(blueprintWith(provenance('1.2.0'), ranged), ranged, '1.3.0', false)
    expect(stale.map((f) => f.severity)).toEqual(['error'])
    expect(stale[0].message).toContain('resolves to "1.3.0" (pinned "^1")')
    const rangeText = consistencyFindings(blueprintWith(provenance('"^1"'), ranged), ranged, '1.3.0', false)
    expect(rangeText.map((f) => f.severity)).toEqual(['error'])
  })

  it('only warns about the version when the run overrides the upstream on purpose', () => {
    const findings = consistencyFindings(blueprintWith(provenance('1.2.0'), dep), dep, '1.3.0', true)
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([['upstream-consistency', 'warning']])
  })

  it('fails a chart name or repository mismatch even on an override run', () => {
    const findings = consistencyFindings(
      blueprintWith(provenance('1.3.0', 'https://charts.example.com', 'cadence'), dep),
      dep,
      '1.3.0',
      true
    )
    expect(findings.map((f) => f.severity)).toEqual(['error', 'error'])
    expect(findings[0].message).toMatch(/catalystBlueprint\.upstream\.chart is "cadence" but .* name is "temporal"/)
    expect(findings[1].message).toMatch(
      /catalystBlueprint\.upstream\.repo is "https:\/\/charts\.example\.com" but .* repository is "https:\/\/go\.temporal\.io\/helm-charts"/
    )
  })

  it('compares versions as Helm does: a leading v names the same release', () => {
    // The provider tags its releases v1.21.1; its chart repository's index says 1.21.1.
    const prefixed: ChartDependency = { ...dep, version: 'v1.21.1' }
    expect(consistencyFindings(blueprintWith(provenance('v1.21.1'), prefixed), prefixed, '1.21.1', false)).toEqual([])
    expect(consistencyFindings(blueprintWith(provenance('1.21.1'), prefixed), prefixed, 'v1.21.1', false)).toEqual([])
    const other = consistencyFindings(blueprintWith(provenance('v1.21.0'), prefixed), prefixed, '1.21.1', false)
    expect(other.map((f) => f.severity)).toEqual(['error'])
  })

  it('reads a numeric YAML version as text', () => {
    const findings = consistencyFindings(blueprintWith(provenance('1.2'), dep), dep, '1.2.0', false)
    expect(findings[0].message).toContain('is "1.2"')
  })
})

describe('credentialsForRepository', () => {
  const dep = { username: 'dep', password: 'dep-secret' }
  const reg = { username: 'ci', password: 'registry-secret' }
  it('gives dependency credentials to every dependency repository', () => {
    const pick = credentialsForRepository(dep, { url: 'oci://ghcr.io/openova-io', credentials: reg })
    expect(pick('https://go.temporal.io/helm-charts')).toBe(dep)
    expect(pick('oci://ghcr.io/openova-io/charts')).toBe(dep)
  })
  it("gives the registry's credentials only to repositories on the registry's host", () => {
    const pick = credentialsForRepository(undefined, { url: 'oci://ghcr.io/openova-io', credentials: reg })
    expect(pick('oci://ghcr.io/other-org/charts')).toBe(reg)
    expect(pick('https://go.temporal.io/helm-charts')).toBeUndefined()
    expect(pick('oci://ghcr.io.evil.example/charts')).toBeUndefined()
    expect(pick('oci://127.0.0.1:5000/charts')).toBeUndefined()
  })
  it('gives nothing without credentials', () => {
    expect(credentialsForRepository(undefined, undefined)('https://charts.example')).toBeUndefined()
  })
  it('never sends credentials over plain http to a host that is not loopback', () => {
    const pick = credentialsForRepository(dep, { url: 'oci://127.0.0.1:5000/charts', credentials: reg })
    expect(pick('http://charts.example/stable')).toBeUndefined()
    expect(pick('HTTP://10.0.0.5:8080')).toBeUndefined()
    expect(pick('http://127.0.0.1:8080/charts')).toBe(dep)
    expect(pick('http://[::1]:8080')).toBe(dep)
    expect(pick('https://charts.example/stable')).toBe(dep)
    const registryOnly = credentialsForRepository(undefined, { url: 'oci://registry.example', credentials: reg })
    expect(registryOnly('http://registry.example/charts')).toBeUndefined()
  })
})
