// mode: discover through the bundled action, on a monorepo whose blueprints bundle each other (sibling blueprints):
// the release order (`waves`), the blueprints that bundle a changed one (`dependents: true` on a pull request), and a
// cycle of siblings named. Fixtures in the monorepo's shapes: a chart-only product umbrella (no blueprint.yaml) over
// `bp-*` siblings from `oci://ghcr.io/openova-io`, and a three-level chain platform → platform → product.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { prPayload, runAction } from '../../testkit/action-runner.mjs'

const REGISTRY = 'oci://ghcr.io/openova-io'

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8' }
  ).trim()
}

let repo: string
const write = (file: string, text: string): void => {
  mkdirSync(path.dirname(path.join(repo, file)), { recursive: true })
  writeFileSync(path.join(repo, file), text)
}
const commit = (message: string): string => {
  git(repo, 'add', '-A')
  git(repo, 'commit', '-qm', message)
  return git(repo, 'rev-parse', 'HEAD')
}

/** A platform blueprint with its catalog entry; `siblings` are `name@version` of bundled workspace blueprints. */
function blueprint(dir: string, version: string, siblings: string[] = [], catalog = true): void {
  const name = `bp-${path.basename(dir)}`
  if (catalog) {
    write(
      `${dir}/blueprint.yaml`,
      `apiVersion: catalyst.openova.io/v1alpha1\nkind: Blueprint\nmetadata:\n  name: ${name}\nspec:\n  version: ${version}\n  manifests:\n    chart: ./chart\n`
    )
  }
  const deps = siblings.map((sibling) => {
    const [dep, pinned] = sibling.split('@')
    return `  - name: ${dep}\n    version: ${pinned}\n    repository: ${REGISTRY}\n`
  })
  write(
    `${dir}/chart/Chart.yaml`,
    `apiVersion: v2\nname: ${name}\nversion: ${version}\ndependencies:\n  - name: upstream-${path.basename(dir)}\n    version: 1.0.0\n    repository: https://charts.example\n${deps.join('')}`
  )
}

const shas: Record<string, string> = {}

beforeAll(() => {
  repo = mkdtempSync(path.join(os.tmpdir(), 'bp-discover-waves-'))
  git(repo, 'init', '-q')
  blueprint('platform/cilium', '1.1.1')
  blueprint('platform/cnpg', '1.3.0')
  blueprint('platform/external-dns', '0.4.0', [], false)
  // products/catalyst: chart-only, bundles two sibling blueprints (the monorepo's shape).
  blueprint('products/catalyst', '2.0.0', ['bp-cilium@1.1.1', 'bp-cnpg@1.3.0'], false)
  // A three-level chain: products/fabric bundles platform/gateway, which bundles platform/mesh.
  blueprint('platform/mesh', '1.0.0')
  blueprint('platform/gateway', '1.0.0', ['bp-mesh@1.0.0'])
  blueprint('products/fabric', '1.0.0', ['bp-gateway@1.0.0'])
  shas.base = commit('the platform')

  // A PR bumping bp-cilium and the product's pin on it together.
  blueprint('platform/cilium', '1.1.2')
  blueprint('products/catalyst', '2.0.1', ['bp-cilium@1.1.2', 'bp-cnpg@1.3.0'], false)
  shas.bump = commit('bp-cilium 1.1.2, bundled by bp-catalyst')

  git(repo, 'checkout', '-q', '-b', 'cilium-only', shas.base)
  write('platform/cilium/chart/values.yaml', 'replicas: 2\n')
  shas.ciliumOnly = commit('a cilium value')

  git(repo, 'checkout', '-q', '-b', 'chain', shas.base)
  blueprint('platform/mesh', '1.0.1')
  blueprint('platform/gateway', '1.0.1', ['bp-mesh@1.0.1'])
  blueprint('products/fabric', '1.0.1', ['bp-gateway@1.0.1'])
  shas.chain = commit('the chain, bumped')

  git(repo, 'checkout', '-q', '-b', 'cycle', shas.base)
  blueprint('platform/mesh', '1.0.1', ['bp-fabric@1.0.0'])
  shas.cycle = commit('mesh bundles the product that bundles it')
})
afterAll(() => rmSync(repo, { recursive: true, force: true }))

/** Discover reads the checkout, as actions/checkout leaves the event's head commit. */
const checkout = (sha: string): void => {
  git(repo, 'checkout', '-q', '--detach', sha)
}

const entry = (dir: string, reason?: string) => ({
  blueprint: dir,
  chart: `${dir}/chart`,
  upstream: '',
  ...(reason ? { reason } : {})
})

describe('discover: release waves of sibling blueprints', () => {
  it('orders a three-level chain in three waves; matrix stays every changed blueprint', async () => {
    checkout(shas.chain)
    const run = await runAction({
      workspace: repo,
      eventName: 'push',
      payload: { ref: 'refs/heads/main', before: shas.base, after: shas.chain },
      inputs: { mode: 'discover', registry: REGISTRY }
    })
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs.blueprints)).toEqual(['platform/gateway', 'platform/mesh', 'products/fabric'])
    expect(JSON.parse(run.outputs.matrix)).toEqual({
      include: [entry('platform/gateway'), entry('platform/mesh'), entry('products/fabric')]
    })
    expect(JSON.parse(run.outputs.waves)).toEqual([
      { include: [entry('platform/mesh')] },
      { include: [entry('platform/gateway')] },
      { include: [entry('products/fabric')] }
    ])
  })

  it('releases a chart-only product after the sibling bumped with it', async () => {
    checkout(shas.bump)
    const run = await runAction({
      workspace: repo,
      eventName: 'push',
      payload: { ref: 'refs/heads/main', before: shas.base, after: shas.bump },
      // Without a registry input, any oci:// repository is where the monorepo publishes.
      inputs: { mode: 'discover' }
    })
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(run.outputs.waves)).toEqual([
      { include: [entry('platform/cilium')] },
      { include: [entry('products/catalyst')] }
    ])
  })

  it('on a pull request with dependents, lists the product bundling the changed sibling, with the reason', async () => {
    checkout(shas.ciliumOnly)
    const pr = prPayload(7, shas.base, shas.ciliumOnly)
    const without = await runAction({
      workspace: repo,
      eventName: 'pull_request',
      payload: pr,
      inputs: { mode: 'discover', registry: REGISTRY }
    })
    expect(JSON.parse(without.outputs.blueprints)).toEqual(['platform/cilium'])
    expect(JSON.parse(without.outputs.waves)).toEqual([{ include: [entry('platform/cilium')] }])

    const run = await runAction({
      workspace: repo,
      eventName: 'pull_request',
      payload: pr,
      inputs: { mode: 'discover', registry: REGISTRY, dependents: 'true' }
    })
    expect(run.exitCode).toBe(0)
    const dependent = entry('products/catalyst', 'bundles changed sibling bp-cilium (platform/cilium)')
    expect(JSON.parse(run.outputs.matrix)).toEqual({ include: [entry('platform/cilium'), dependent] })
    expect(JSON.parse(run.outputs.waves)).toEqual([{ include: [entry('platform/cilium')] }, { include: [dependent] }])
    expect(run.stdout).toContain('1 bundling a changed one: products/catalyst')

    // Dependents are for pull request validation: a push lists what changed.
    const push = await runAction({
      workspace: repo,
      eventName: 'push',
      payload: { ref: 'refs/heads/main', before: shas.base, after: shas.ciliumOnly },
      inputs: { mode: 'discover', registry: REGISTRY, dependents: 'true' }
    })
    expect(JSON.parse(push.outputs.blueprints)).toEqual(['platform/cilium'])
  })

  it('fails on a cycle of sibling blueprints, naming it and the Chart.yaml lines', async () => {
    checkout(shas.cycle)
    const run = await runAction({
      workspace: repo,
      eventName: 'pull_request',
      payload: prPayload(8, shas.base, shas.cycle),
      inputs: { mode: 'discover', registry: REGISTRY }
    })
    expect(run.exitCode).not.toBe(0)
    const error = run.annotations.find((a) => a.level === 'error')
    expect(error?.message).toBe(
      'sibling blueprints bundle each other in a cycle: platform/mesh (bp-mesh) → products/fabric (bp-fabric) → platform/gateway (bp-gateway) → platform/mesh (bp-mesh); no release order exists — a blueprint is released after the blueprints it bundles: remove one of these dependencies: bp-fabric at platform/mesh/chart/Chart.yaml:8, bp-gateway at products/fabric/chart/Chart.yaml:8, bp-mesh at platform/gateway/chart/Chart.yaml:8'
    )
    expect(run.outputs.waves).toBeUndefined()
  })
})
