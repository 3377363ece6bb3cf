// Discover's release order on workspace indexes read from temp folders: sibling dependencies (chart/siblings.ts),
// waves by dependency (a three-level chain gives three), dependents with their reason, and a cycle named.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { indexWorkspace, type WorkspaceIndex } from '../../src/chart/workspace-index.js'
import { isPublishingRepository, siblingDependencies } from '../../src/chart/siblings.js'
import { planRelease } from '../../src/discover/waves.js'
import { ActionError } from '../../src/types.js'

const REGISTRY = 'oci://ghcr.io/openova-io'
let root: string

/** A workspace of blueprints: folder → [chart name, its dependencies as `name@version@repository`]. */
async function workspaceOf(name: string, blueprints: Record<string, [string, string[]]>): Promise<WorkspaceIndex> {
  const workspace = path.join(root, name)
  for (const [dir, [chart, deps]] of Object.entries(blueprints)) {
    await mkdir(path.join(workspace, dir, 'chart'), { recursive: true })
    const dependencies = deps.map((dep) => {
      const [depName, version, repository] = dep.split('@')
      return `  - name: ${depName}\n    version: ${version}\n    repository: ${repository}\n`
    })
    await writeFile(
      path.join(workspace, dir, 'chart', 'Chart.yaml'),
      `apiVersion: v2\nname: ${chart}\nversion: 1.0.0\n${dependencies.length ? `dependencies:\n${dependencies.join('')}` : ''}`
    )
  }
  return indexWorkspace(workspace)
}

let chain: WorkspaceIndex
let catalyst: WorkspaceIndex

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'waves-'))
  // A three-level chain: products/top bundles platform/mid, which bundles platform/base.
  chain = await workspaceOf('chain', {
    'platform/base': ['bp-base', []],
    'platform/mid': ['bp-mid', [`bp-base@1.0.0@${REGISTRY}`, 'postgresql@12.1.0@https://charts.example']],
    'products/top': ['bp-top', [`bp-mid@1.0.0@${REGISTRY}`]]
  })
  // A product umbrella over two sibling blueprints (the monorepo's products/catalyst shape), and one that is not a
  // sibling: same name as a workspace chart, but from another repository.
  catalyst = await workspaceOf('catalyst', {
    'platform/cilium': ['bp-cilium', []],
    'platform/cnpg': ['bp-cnpg', []],
    'platform/loki': ['bp-loki', []],
    'products/catalyst': [
      'bp-catalyst',
      [`bp-cilium@1.1.2@${REGISTRY}`, `bp-cnpg@1.3.0@${REGISTRY}/`, 'bp-loki@1.0.0@oci://registry.example/mirror']
    ]
  })
})

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

describe('siblingDependencies', () => {
  it('is a dependency named as another workspace chart, from the registry the monorepo publishes to', () => {
    const product = catalyst.byDir('products/catalyst')!
    const siblings = siblingDependencies(catalyst, product, REGISTRY)
    expect(siblings.map((s) => [s.dependency.name, s.sibling.dir, s.index])).toEqual([
      ['bp-cilium', 'platform/cilium', 0],
      ['bp-cnpg', 'platform/cnpg', 1]
    ])
    // Without a registry input, any oci:// repository publishes workspace blueprints.
    expect(siblingDependencies(catalyst, product).map((s) => s.dependency.name)).toEqual([
      'bp-cilium',
      'bp-cnpg',
      'bp-loki'
    ])
  })

  it('compares repositories as places: host case and trailing slashes do not matter, the scheme must be oci', () => {
    expect(isPublishingRepository('oci://GHCR.io/openova-io/', REGISTRY)).toBe(true)
    expect(isPublishingRepository('oci://ghcr.io/openova-io/sub', REGISTRY)).toBe(false)
    expect(isPublishingRepository('https://ghcr.io/openova-io', REGISTRY)).toBe(false)
    expect(isPublishingRepository('https://charts.example', undefined)).toBe(false)
  })
})

describe('planRelease', () => {
  it('orders a three-level chain in three waves', () => {
    const plan = planRelease(chain, ['platform/base', 'platform/mid', 'products/top'], { registry: REGISTRY })
    expect(plan.waves).toEqual([['platform/base'], ['platform/mid'], ['products/top']])
    expect(plan.dependents.size).toBe(0)
  })

  it('orders only by changed siblings: an unchanged one in between bundles its published artifact', () => {
    expect(planRelease(chain, ['platform/base', 'products/top']).waves).toEqual([['platform/base', 'products/top']])
    expect(planRelease(chain, ['platform/mid', 'products/top']).waves).toEqual([['platform/mid'], ['products/top']])
  })

  it('puts a product after the changed sibling it bundles, the unchanged ones beside nothing', () => {
    const plan = planRelease(catalyst, ['platform/cilium', 'platform/loki', 'products/catalyst'], {
      registry: REGISTRY
    })
    // bp-loki comes from another registry: not a sibling, so it does not hold the product back.
    expect(plan.waves).toEqual([['platform/cilium', 'platform/loki'], ['products/catalyst']])
  })

  it('with dependents, adds the blueprints that bundle a changed one, with the reason', () => {
    expect(planRelease(catalyst, ['platform/cilium'], { registry: REGISTRY }).waves).toEqual([['platform/cilium']])
    const plan = planRelease(catalyst, ['platform/cilium', 'platform/cnpg'], { registry: REGISTRY, dependents: true })
    expect(plan.waves).toEqual([['platform/cilium', 'platform/cnpg'], ['products/catalyst']])
    expect([...plan.dependents]).toEqual([
      ['products/catalyst', 'bundles changed siblings bp-cilium (platform/cilium), bp-cnpg (platform/cnpg)']
    ])
    const one = planRelease(chain, ['platform/base'], { registry: REGISTRY, dependents: true })
    // Only direct dependents: products/top bundles bp-mid's published artifact, which did not change.
    expect([...one.dependents]).toEqual([['platform/mid', 'bundles changed sibling bp-base (platform/base)']])
    expect(one.waves).toEqual([['platform/base'], ['platform/mid']])
  })

  it('lists nothing when nothing changed', () => {
    expect(planRelease(chain, [], { dependents: true })).toEqual({ waves: [], dependents: new Map() })
  })

  it('names a cycle of siblings with each folder and the Chart.yaml lines that close it', async () => {
    const cyclic = await workspaceOf('cycle', {
      'platform/a': ['bp-a', [`bp-b@1.0.0@${REGISTRY}`]],
      'platform/b': ['bp-b', ['nginx@1.0.0@https://charts.example', `bp-c@1.0.0@${REGISTRY}`]],
      'platform/c': ['bp-c', [`bp-a@1.0.0@${REGISTRY}`]],
      'platform/d': ['bp-d', []]
    })
    let thrown: unknown
    try {
      planRelease(cyclic, ['platform/a'])
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(ActionError)
    const error = thrown as ActionError
    expect(error.message).toBe(
      'sibling blueprints bundle each other in a cycle: platform/a (bp-a) → platform/b (bp-b) → platform/c (bp-c) → platform/a (bp-a); no release order exists'
    )
    expect(error.hint).toBe(
      'a blueprint is released after the blueprints it bundles: remove one of these dependencies: bp-b at platform/a/chart/Chart.yaml:5, bp-c at platform/b/chart/Chart.yaml:8, bp-a at platform/c/chart/Chart.yaml:5'
    )
    // Reached from a changed blueprint through an unchanged one, it is still the changed one's release order.
    expect(() => planRelease(cyclic, ['platform/c'])).toThrow(/platform\/c \(bp-c\) → platform\/a/)
    // Not reachable from what changed: the change has an order.
    expect(planRelease(cyclic, ['platform/d']).waves).toEqual([['platform/d']])
  })
})
