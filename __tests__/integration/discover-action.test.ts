// mode: discover through the bundled action: the outputs a matrix job consumes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runAction } from '../../testkit/action-runner.mjs'

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    { cwd, encoding: 'utf8' }
  ).trim()
}

describe('mode: discover', () => {
  let repo: string
  const shas: string[] = []

  beforeAll(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), 'bp-discover-action-'))
    git(repo, 'init', '-q')
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(repo, file)), { recursive: true })
      writeFileSync(path.join(repo, file), text)
    }
    for (const name of ['platform/temporal', 'platform/keycloak', 'products/fabric']) {
      write(
        `${name}/blueprint.yaml`,
        `apiVersion: catalyst.openova.io/v1alpha1\nkind: Blueprint\nmetadata:\n  name: bp-${path.basename(name)}\nspec:\n  version: 1.0.0\n  manifests:\n    chart: ./chart\n`
      )
      write(
        `${name}/chart/Chart.yaml`,
        `apiVersion: v2\nname: bp-${path.basename(name)}\nversion: 1.0.0\ndependencies:\n  - name: ${path.basename(name)}-upstream\n    version: 1.0.0\n    repository: https://charts.example\n`
      )
    }
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'three blueprints')
    shas.push(git(repo, 'rev-parse', 'HEAD'))
    write('platform/keycloak/chart/values.yaml', 'replicas: 2\ncatalystBlueprint:\n  upstream:\n    chart: keycloakx\n')
    write('products/fabric/chart/values.yaml', 'replicas: 3\n')
    git(repo, 'add', '-A')
    git(repo, 'commit', '-qm', 'touch two')
    shas.push(git(repo, 'rev-parse', 'HEAD'))
  })
  afterAll(() => rmSync(repo, { recursive: true, force: true }))

  it('lists the blueprints a push changed, as a matrix', async () => {
    const run = await runAction({
      workspace: repo,
      eventName: 'push',
      payload: { ref: 'refs/heads/main', before: shas[0], after: shas[1] },
      inputs: { mode: 'discover' }
    })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.mode).toBe('discover')
    expect(JSON.parse(run.outputs.blueprints)).toEqual(['platform/keycloak', 'products/fabric'])
    expect(JSON.parse(run.outputs.matrix)).toEqual({
      include: [
        { blueprint: 'platform/keycloak', chart: 'platform/keycloak/chart', upstream: 'keycloakx' },
        { blueprint: 'products/fabric', chart: 'products/fabric/chart', upstream: '' }
      ]
    })
  })

  it('lists every blueprint on workflow_dispatch', async () => {
    const run = await runAction({
      workspace: repo,
      eventName: 'workflow_dispatch',
      payload: {},
      inputs: { mode: 'discover' }
    })
    expect(JSON.parse(run.outputs.blueprints)).toEqual(['platform/keycloak', 'platform/temporal', 'products/fabric'])
  })
})

describe('mode: discover at the edges of what GitHub runs', () => {
  let repo: string
  beforeAll(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), 'bp-discover-edges-'))
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(repo, file)), { recursive: true })
      writeFileSync(path.join(repo, file), text)
    }
    // 257 blueprints (one more than a matrix runs), and one whose folder name holds a backslash.
    for (const name of [...Array.from({ length: 257 }, (_, i) => `platform/bp-${i}`), 'platform/odd\\name']) {
      write(`${name}/chart/Chart.yaml`, `apiVersion: v2\nname: bp-x\nversion: 1.0.0\n`)
    }
  })
  afterAll(() => rmSync(repo, { recursive: true, force: true }))

  it('257 blueprints: a warning with the fix (waves); a folder with a backslash left out, with a warning', async () => {
    const run = await runAction({
      workspace: repo,
      eventName: 'workflow_dispatch',
      payload: {},
      inputs: { mode: 'discover' }
    })
    expect(run.exitCode).toBe(0)
    const blueprints: string[] = JSON.parse(run.outputs.blueprints)
    expect(blueprints).toHaveLength(257)
    expect(blueprints).not.toContain('platform/odd\\name')
    const warnings = run.annotations
      .filter((a: { level: string }) => a.level === 'warning')
      .map((a: { message: string }) => a.message)
    expect(warnings).toEqual([
      'discover: blueprint folder "platform/odd\\\\name" is left out: its name holds a backslash, which input blueprint reads as a path separator. Fix: rename the folder without \\',
      'discover: 257 blueprints, but a GitHub Actions matrix runs at most 256 jobs: the workflow fails to start the matrix. Fix: run discover in waves: one discover job per group of folders (input discover-glob, e.g. `platform/[a-m]*` and `platform/[n-z]*`), each feeding its own matrix.'
    ])
  })
})
