// The dependency build planned before any helm runs (src/chart/dependency-plan.ts): repository entries,
// OCI logins, plain HTTP only to loopback, the build's Chart.yaml and what guard 1 expects. No processes,
// no network: the build itself is covered by the integration suites (index-once, release-sources, e2e).
import { describe, expect, it } from '@jest/globals'
import { parse as parseYaml } from 'yaml'
import type { ChartDependency } from '../../src/chart/blueprint.js'
import type { CommittedLock } from '../../src/chart/chart-lock.js'
import {
  expectedFromIndexes,
  expectedWithoutLock,
  planDependencyBuild,
  registryLogins,
  repositoryEntries,
  type DependencyPlanOptions
} from '../../src/chart/dependency-plan.js'
import type { IndexEntry } from '../../src/chart/repository-index.js'
import type { WorkChart } from '../../src/chart/work-chart.js'
import type { Credentials } from '../../src/credentials/credentials.js'

const UPSTREAM = 'https://go.temporal.io/helm-charts'
const SECRET: Credentials = { username: 'u', password: 'p' }

function work(dependencies: ChartDependency[], lock?: CommittedLock): WorkChart {
  const chartYamlText =
    'apiVersion: v2\nname: bp-x\nversion: 1.0.0\ndependencies:\n' +
    dependencies
      .map((dep) => `  - name: ${dep.name}\n    version: "${dep.version}"\n    repository: ${dep.repository}\n`)
      .join('')
  return {
    dir: '/work/chart',
    sourceDir: '/repo/platform/x/chart',
    name: 'bp-x',
    version: '1.0.0',
    chartYamlText,
    dependencies,
    ...(lock ? { lock } : {})
  }
}

function options(overrides: Partial<DependencyPlanOptions> = {}): DependencyPlanOptions {
  return { mirrors: [], knownVersions: new Map(), credentialsFor: () => undefined, plainHttp: false, ...overrides }
}

const entries = (versions: string[]): IndexEntry[] => versions.map((version) => ({ version }))

describe('planDependencyBuild', () => {
  it('one repository entry per http repository (after mirrors), named in order; the committed Chart.yaml builds as it is', () => {
    const plan = planDependencyBuild(
      work([
        { name: 'temporal', version: '1.2.0', repository: UPSTREAM },
        { name: 'pg', version: '~16.0', repository: 'https://charts.example.com/' },
        { name: 'web', version: '2.0.0', repository: UPSTREAM }
      ]),
      options()
    )
    expect(plan.httpRepositories).toEqual([
      { url: UPSTREAM, name: 'bp-dep-0' },
      { url: 'https://charts.example.com', name: 'bp-dep-1' }
    ])
    expect(plan.ociHosts).toEqual([])
    expect(plan.buildChartYaml).toBeUndefined()
    expect(plan.args).toEqual(['dependency', 'build', '/work/chart', '--skip-refresh'])
    expect([...plan.expected]).toEqual([
      ['temporal', '1.2.0'],
      ['pg', '~16.0'],
      ['web', '2.0.0']
    ])
  })

  it('a mirror rewrites the build Chart.yaml (with locked versions pinned) and the repository entries', () => {
    const lock: CommittedLock = {
      text: 'dependencies: []\n',
      displayPath: 'platform/x/chart/Chart.lock',
      dependencies: [{ name: 'temporal', version: '1.2.3', repository: UPSTREAM }]
    }
    const plan = planDependencyBuild(
      work([{ name: 'temporal', version: '~1.2', repository: UPSTREAM }], lock),
      options({ mirrors: [{ from: UPSTREAM, to: 'http://127.0.0.1:8080/temporal' }] })
    )
    expect(plan.httpRepositories).toEqual([{ url: 'http://127.0.0.1:8080/temporal', name: 'bp-dep-0' }])
    const built = parseYaml(plan.buildChartYaml ?? '') as { dependencies: ChartDependency[] }
    expect(built.dependencies[0]).toMatchObject({ repository: 'http://127.0.0.1:8080/temporal', version: '1.2.3' })
    expect(plan.expected.get('temporal')).toBe('1.2.3')
  })

  it('relative file:// dependencies become absolute (the work copy lives elsewhere); absolute ones stay', () => {
    const plan = planDependencyBuild(
      work([
        { name: 'common', version: '0.1.0', repository: 'file://../library-common' },
        { name: 'abs', version: '0.2.0', repository: 'file:///opt/charts/abs' }
      ]),
      options()
    )
    const built = parseYaml(plan.buildChartYaml ?? '') as { dependencies: ChartDependency[] }
    expect(built.dependencies.map((dep) => dep.repository)).toEqual([
      'file:///repo/platform/x/library-common',
      'file:///opt/charts/abs'
    ])
    expect(plan.httpRepositories).toEqual([])
    expect([...plan.expected]).toEqual([
      ['common', '0.1.0'],
      ['abs', '0.2.0']
    ])
  })

  it('a known version (the resolved upstream) is what guard 1 expects, unless the lock pins one', () => {
    const plan = planDependencyBuild(
      work([{ name: 'temporal', version: '~1.2', repository: UPSTREAM }]),
      options({ knownVersions: new Map([['temporal', '1.2.9']]) })
    )
    expect(plan.expected.get('temporal')).toBe('1.2.9')
  })

  it('--plain-http only when every OCI host is loopback and the input allows it', () => {
    const deps = (host: string): ChartDependency[] => [
      { name: 'a', version: '1.0.0', repository: `oci://${host}/charts` },
      { name: 'b', version: '1.0.0', repository: 'oci://127.0.0.1:5000/other' }
    ]
    const local = planDependencyBuild(work(deps('localhost:5000')), options({ plainHttp: true }))
    expect(local.ociHosts).toEqual(['localhost:5000', '127.0.0.1:5000'])
    expect(local.args).toContain('--plain-http')
    expect(planDependencyBuild(work(deps('registry.example.com')), options({ plainHttp: true })).args).not.toContain(
      '--plain-http'
    )
    expect(planDependencyBuild(work(deps('localhost:5000')), options({ plainHttp: false })).args).not.toContain(
      '--plain-http'
    )
  })
})

describe('planDependencyBuild with siblings built from source', () => {
  const deps: ChartDependency[] = [
    { name: 'bp-cilium', version: '1.1.2', repository: 'oci://127.0.0.1:5000/openova' },
    { name: 'bp-cert-manager', version: '1.0.0', repository: 'oci://127.0.0.1:5000/openova' }
  ]

  it('the build reads the built sibling from its folder; the other sibling still comes from the registry', () => {
    const plan = planDependencyBuild(
      work(deps),
      options({ plainHttp: true, fromSource: new Map([['bp-cilium', '/run/siblings/0/chart/bp-cilium']]) })
    )
    const built = parseYaml(plan.buildChartYaml ?? '') as { dependencies: ChartDependency[] }
    expect(built.dependencies.map((dep) => dep.repository)).toEqual([
      'file:///run/siblings/0/chart/bp-cilium',
      'oci://127.0.0.1:5000/openova'
    ])
    expect(plan.ociHosts).toEqual(['127.0.0.1:5000'])
    // Guard 1 still expects the pinned version of the sibling.
    expect(plan.expected.get('bp-cilium')).toBe('1.1.2')
  })

  it('a release is refused: it never bundles a sibling built from source', () => {
    expect(() =>
      planDependencyBuild(
        { ...work(deps), publishing: true },
        options({ fromSource: new Map([['bp-cilium', '/run/siblings/0/chart/bp-cilium']]) })
      )
    ).toThrow('a release never bundles a sibling blueprint built from source (bp-cilium): release it first')
  })
})

describe('expectedFromIndexes', () => {
  const deps: ChartDependency[] = [
    { name: 'temporal', version: '~1.2', repository: UPSTREAM },
    { name: 'pg', version: '^16.0.0', repository: 'https://charts.example.com' },
    { name: 'gone', version: '^9.0.0', repository: 'https://charts.example.com' }
  ]
  const index: Record<string, IndexEntry[]>[] = [
    { temporal: entries(['1.2.0', '1.2.7', '1.3.0']) },
    { pg: entries(['16.0.1', '16.4.0', '17.0.0']), gone: entries(['8.0.0']) }
  ]

  it('ranges resolve against the indexes the build reads; unresolvable ones keep the range', () => {
    const plan = planDependencyBuild(work(deps), options())
    const expected = expectedFromIndexes(plan, work(deps), options(), index)
    expect([...expected]).toEqual([
      ['temporal', '1.2.7'],
      ['pg', '16.4.0'],
      ['gone', '^9.0.0']
    ])
    expect(plan.expected.get('temporal')).toBe('~1.2') // the plan itself is not changed
  })

  it('known versions and a committed lock win over the index', () => {
    const known = options({ knownVersions: new Map([['temporal', '1.2.0']]) })
    const plan = planDependencyBuild(work(deps), known)
    expect(expectedFromIndexes(plan, work(deps), known, index).get('temporal')).toBe('1.2.0')
    const lock: CommittedLock = {
      text: '',
      displayPath: 'Chart.lock',
      dependencies: [{ name: 'pg', version: '16.0.1', repository: 'https://charts.example.com' }]
    }
    const locked = planDependencyBuild(work(deps, lock), options())
    expect([...expectedFromIndexes(locked, work(deps, lock), options(), index)]).toEqual([
      ['temporal', '~1.2'],
      ['pg', '16.0.1'],
      ['gone', '^9.0.0']
    ])
  })

  it('after an out-of-sync lock: known versions, else Chart.yaml again (local charts untouched)', () => {
    const withLocal: ChartDependency[] = [...deps, { name: 'common', version: '0.1.0', repository: 'file://../c' }]
    const expected = new Map([
      ['temporal', '1.2.5'],
      ['pg', '16.0.1'],
      ['gone', '9.0.0'],
      ['common', '0.1.0']
    ])
    expect([...expectedWithoutLock(expected, work(withLocal), new Map([['temporal', '1.2.5']]))]).toEqual([
      ['temporal', '1.2.5'],
      ['pg', '^16.0.0'],
      ['gone', '^9.0.0'],
      ['common', '0.1.0']
    ])
  })
})

describe('credentials routing', () => {
  const deps: ChartDependency[] = [
    { name: 'temporal', version: '1.2.0', repository: UPSTREAM },
    { name: 'local', version: '1.0.0', repository: 'http://127.0.0.1:8080/charts' },
    { name: 'a', version: '1.0.0', repository: 'oci://127.0.0.1:5000/charts' },
    { name: 'b', version: '1.0.0', repository: 'oci://registry.example.com/charts' }
  ]
  const credentialsFor = (repository: string): Credentials | undefined =>
    repository.includes('127.0.0.1') ? SECRET : undefined

  it('repository entries carry credentials only where they are routed', () => {
    const plan = planDependencyBuild(work(deps), options({ credentialsFor }))
    expect(repositoryEntries(plan, credentialsFor)).toEqual([
      { name: 'bp-dep-0', url: UPSTREAM },
      { name: 'bp-dep-1', url: 'http://127.0.0.1:8080/charts', username: 'u', password: 'p' }
    ])
  })

  it('logins only to OCI hosts with credentials, plain HTTP only to loopback', () => {
    const plan = planDependencyBuild(work(deps), options({ credentialsFor, plainHttp: true }))
    expect(registryLogins(plan, { credentialsFor, plainHttp: true })).toEqual([
      { host: '127.0.0.1:5000', credentials: SECRET, plainHttp: true }
    ])
    const everywhere = (): Credentials => SECRET
    expect(registryLogins(plan, { credentialsFor: everywhere, plainHttp: true })).toEqual([
      { host: '127.0.0.1:5000', credentials: SECRET, plainHttp: true },
      { host: 'registry.example.com', credentials: SECRET, plainHttp: false }
    ])
  })
})
