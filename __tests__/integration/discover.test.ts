// discoverBlueprints on real git repositories made in a temp dir, including a
// shallow clone whose missing history is fetched from a file:// origin.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { discoverBlueprints } from '../../src/discover/discover.js'
import { listBlueprintFolders } from '../../src/chart/workspace-index.js'

const ZERO = '0'.repeat(40)
let tmp: string
let src: string
const sha: string[] = []
let featureSha: string
const savedEnv = { ...process.env }

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    'git',
    ['-c', 'user.name=Test', '-c', 'user.email=test@example.invalid', '-c', 'commit.gpgsign=false', ...args],
    {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe']
    }
  ).trim()
}

function write(root: string, file: string, text: string): void {
  const abs = path.join(root, file)
  mkdirSync(path.dirname(abs), { recursive: true })
  writeFileSync(abs, text)
}

function commit(cwd: string, message: string): string {
  git(cwd, 'add', '-A')
  git(cwd, 'commit', '-q', '-m', message)
  return git(cwd, 'rev-parse', 'HEAD')
}

function hasCommit(cwd: string, commitSha: string): boolean {
  return spawnSync('git', ['cat-file', '-e', `${commitSha}^{commit}`], { cwd }).status === 0
}

function shallowClone(name: string): string {
  const dir = path.join(tmp, name)
  git(tmp, 'clone', '-q', '--depth', '1', '--no-local', `file://${src}`, dir)
  expect(git(dir, 'rev-parse', '--is-shallow-repository')).toBe('true')
  return dir
}

const pushPayload = (before: string, after: string, ref = 'refs/heads/main') => ({ ref, before, after })
const prPayload = (base: string, head: string) => ({
  number: 5,
  pull_request: { number: 5, base: { sha: base }, head: { sha: head } }
})

beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'bp-discover-'))
  // Isolate from the user's and the system's git configuration.
  writeFileSync(path.join(tmp, 'gitconfig'), '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n')
  process.env.GIT_CONFIG_GLOBAL = path.join(tmp, 'gitconfig')
  process.env.GIT_CONFIG_NOSYSTEM = '1'

  src = path.join(tmp, 'src')
  mkdirSync(src)
  git(src, 'init', '-q', '-b', 'main')
  write(src, 'README.md', '# platform\n')
  write(
    src,
    'platform/a/blueprint.yaml',
    'apiVersion: catalyst.openova.io/v1alpha1\nkind: Blueprint\nmetadata: {name: bp-a}\nspec:\n  version: 1.0.0\n  manifests:\n    chart: ./chart\n'
  )
  write(src, 'platform/a/chart/Chart.yaml', 'apiVersion: v2\nname: bp-a\nversion: 1.0.0\n')
  write(src, 'products/b/blueprint.yaml', 'kind: Blueprint\nspec:\n  manifests:\n    chart: ./helm\n')
  write(src, 'products/b/helm/Chart.yaml', 'apiVersion: v2\nname: bp-b\nversion: 1.0.0\n')
  write(src, 'platform/not-a-blueprint/notes.md', 'no blueprint.yaml here\n')
  sha.push(commit(src, 'c0: two blueprints'))
  write(src, 'platform/a/chart/values.yaml', 'replicas: 1\n')
  sha.push(commit(src, 'c1: touch platform/a'))
  write(src, 'products/b/helm/values.yaml', 'replicas: 2\n')
  sha.push(commit(src, 'c2: touch products/b'))
  // A PR branch forked at c1 that touches platform/a only; main has moved on (c2).
  git(src, 'checkout', '-q', '-b', 'feature', sha[1])
  write(src, 'platform/a/chart/templates/x.yaml', 'kind: ConfigMap\n')
  featureSha = commit(src, 'f1: feature touches platform/a')
  git(src, 'checkout', '-q', 'main')
})

afterAll(() => {
  process.env = savedEnv
  rmSync(tmp, { recursive: true, force: true })
})

describe('discoverBlueprints on a full clone', () => {
  it('lists blueprint folders with their charts', async () => {
    expect(await listBlueprintFolders(src)).toEqual(['platform/a', 'products/b'])
    const r = await discoverBlueprints({ workspace: src, eventName: 'workflow_dispatch', payload: {} })
    expect(r.blueprints).toEqual(['platform/a', 'products/b'])
    expect(r.matrix).toEqual({
      include: [
        { blueprint: 'platform/a', chart: 'platform/a/chart', upstream: '' },
        { blueprint: 'products/b', chart: 'products/b/helm', upstream: '' }
      ]
    })
    expect(r.reason).toMatch(/workflow_dispatch: all blueprints/)
  })

  it('push before..after lists only the blueprint changed in that range', async () => {
    const r = await discoverBlueprints({ workspace: src, eventName: 'push', payload: pushPayload(sha[1], sha[2]) })
    expect(r.blueprints).toEqual(['products/b'])
    expect(r.matrix.include).toEqual([{ blueprint: 'products/b', chart: 'products/b/helm', upstream: '' }])
    expect(r.reason).toContain(`${sha[1].slice(0, 7)}..${sha[2].slice(0, 7)}`)
    expect(r.reason).toContain('products/b')

    const r1 = await discoverBlueprints({ workspace: src, eventName: 'push', payload: pushPayload(sha[0], sha[1]) })
    expect(r1.blueprints).toEqual(['platform/a'])
  })

  it('a pull request range lists both', async () => {
    const r = await discoverBlueprints({
      workspace: src,
      eventName: 'pull_request',
      payload: prPayload(sha[0], sha[2])
    })
    expect(r.blueprints).toEqual(['platform/a', 'products/b'])
    expect(r.reason).toMatch(/pull request #5/)
  })

  it('a pull request compares with the merge base, not with the moved base branch', async () => {
    const r = await discoverBlueprints({
      workspace: src,
      eventName: 'pull_request',
      payload: prPayload(sha[2], featureSha)
    })
    expect(r.blueprints).toEqual(['platform/a'])
  })

  it('a first push (before = 000…0) or a push without before lists all', async () => {
    const r = await discoverBlueprints({ workspace: src, eventName: 'push', payload: pushPayload(ZERO, sha[2]) })
    expect(r.blueprints).toEqual(['platform/a', 'products/b'])
    expect(r.reason).toMatch(/first push/)
    const r2 = await discoverBlueprints({
      workspace: src,
      eventName: 'push',
      payload: { ref: 'refs/heads/x', after: sha[2] }
    })
    expect(r2.blueprints).toEqual(['platform/a', 'products/b'])
  })

  it('a push with no blueprint change lists none', async () => {
    const r = await discoverBlueprints({ workspace: src, eventName: 'push', payload: pushPayload(sha[2], sha[2]) })
    expect(r.blueprints).toEqual([])
    expect(r.matrix.include).toEqual([])
    expect(r.reason).toMatch(/no blueprint changed/)
  })

  it('a release tag selects its blueprint', async () => {
    const r = await discoverBlueprints({
      workspace: src,
      eventName: 'push',
      payload: pushPayload(ZERO, sha[2], 'refs/tags/products/b/v1.0.0')
    })
    expect(r.blueprints).toEqual(['products/b'])
  })

  it('honours folder globs', async () => {
    const r = await discoverBlueprints({
      workspace: src,
      eventName: 'workflow_dispatch',
      payload: {},
      globs: ['products/*/blueprint.yaml']
    })
    expect(r.blueprints).toEqual(['products/b'])
    const r2 = await discoverBlueprints({
      workspace: src,
      eventName: 'pull_request',
      payload: prPayload(sha[0], sha[2]),
      globs: ['**']
    })
    expect(r2.blueprints).toEqual(['platform/a', 'products/b'])
    await expect(
      discoverBlueprints({ workspace: src, eventName: 'workflow_dispatch', payload: {}, globs: ['../outside/*'] })
    ).rejects.toThrow(/discover-glob/)
  })

  it('falls back to all blueprints for commits that are not shas (no option injection)', async () => {
    const r = await discoverBlueprints({
      workspace: src,
      eventName: 'push',
      payload: pushPayload('--output=/tmp/x', sha[2])
    })
    expect(r.blueprints).toEqual(['platform/a', 'products/b'])
    expect(r.reason).toMatch(/no usable base\/head/)
  })

  it('drops deleted blueprints', async () => {
    const work = path.join(tmp, 'deleting')
    git(tmp, 'clone', '-q', src, work)
    git(work, 'rm', '-q', '-r', 'platform/a')
    write(work, 'products/b/helm/values.yaml', 'replicas: 3\n')
    const c3 = commit(work, 'c3: delete platform/a, touch products/b')
    const r = await discoverBlueprints({ workspace: work, eventName: 'push', payload: pushPayload(sha[2], c3) })
    expect(r.blueprints).toEqual(['products/b'])

    // A blueprint whose blueprint.yaml is gone is no blueprint any more.
    git(work, 'rm', '-q', 'products/b/blueprint.yaml')
    const c4 = commit(work, 'c4: retire products/b')
    const r2 = await discoverBlueprints({ workspace: work, eventName: 'push', payload: pushPayload(c3, c4) })
    expect(r2.blueprints).toEqual([])
  })

  it('sees a chart-only folder (chart/Chart.yaml, no blueprint.yaml) as a blueprint, and drops it once deleted', async () => {
    const work = path.join(tmp, 'chart-only')
    git(tmp, 'clone', '-q', src, work)
    // The shape of the monorepo's product umbrella products/catalyst: a chart, no catalog entry.
    write(work, 'products/umbrella/chart/Chart.yaml', 'apiVersion: v2\nname: bp-umbrella\nversion: 0.1.0\n')
    write(work, 'products/umbrella/README.md', 'no blueprint.yaml here\n')
    const c3 = commit(work, 'c3: a product umbrella without blueprint.yaml')
    const r = await discoverBlueprints({ workspace: work, eventName: 'push', payload: pushPayload(sha[2], c3) })
    expect(r.blueprints).toEqual(['products/umbrella'])
    expect(r.matrix.include).toEqual([
      { blueprint: 'products/umbrella', chart: 'products/umbrella/chart', upstream: '' }
    ])

    // Only its README is left: no chart, no blueprint.
    git(work, 'rm', '-q', '-r', 'products/umbrella/chart')
    const c4 = commit(work, 'c4: retire the umbrella chart')
    const r2 = await discoverBlueprints({ workspace: work, eventName: 'push', payload: pushPayload(c3, c4) })
    expect(r2.blueprints).toEqual([])
  })

  it('returns all blueprints when the workspace is not a git checkout', async () => {
    const plain = path.join(tmp, 'plain')
    write(plain, 'platform/z/blueprint.yaml', 'kind: Blueprint\n')
    const r = await discoverBlueprints({ workspace: plain, eventName: 'push', payload: pushPayload(sha[1], sha[2]) })
    expect(r.blueprints).toEqual(['platform/z'])
    expect(r.reason).toMatch(/not a git checkout/)
  })
})

describe('discoverBlueprints on a shallow clone', () => {
  it('fetches a missing base commit from origin and gives the right answer', async () => {
    const dir = shallowClone('shallow-push')
    expect(hasCommit(dir, sha[1])).toBe(false)
    const r = await discoverBlueprints({ workspace: dir, eventName: 'push', payload: pushPayload(sha[1], sha[2]) })
    expect(hasCommit(dir, sha[1])).toBe(true)
    expect(r.blueprints).toEqual(['products/b'])
    expect(r.reason).toMatch(/fetched/)
  })

  it('deepens to find the merge base of a pull request', async () => {
    const dir = shallowClone('shallow-pr')
    expect(hasCommit(dir, sha[0])).toBe(false)
    const r = await discoverBlueprints({
      workspace: dir,
      eventName: 'pull_request',
      payload: prPayload(sha[0], sha[2])
    })
    expect(r.blueprints).toEqual(['platform/a', 'products/b'])
    expect(git(dir, 'merge-base', sha[0], sha[2])).toBe(sha[0])
  })

  it('fetches base and head of a pull request branch and finds their merge base', async () => {
    const dir = shallowClone('shallow-feature')
    expect(hasCommit(dir, featureSha)).toBe(false)
    const r = await discoverBlueprints({
      workspace: dir,
      eventName: 'pull_request',
      payload: prPayload(sha[2], featureSha)
    })
    expect(r.blueprints).toEqual(['platform/a'])
  })

  it('falls back to all blueprints, saying why, when the base cannot be fetched', async () => {
    const dir = shallowClone('shallow-offline')
    git(dir, 'remote', 'set-url', 'origin', `file://${path.join(tmp, 'gone')}`)
    const r = await discoverBlueprints({ workspace: dir, eventName: 'push', payload: pushPayload(sha[1], sha[2]) })
    expect(r.blueprints).toEqual(['platform/a', 'products/b'])
    expect(r.reason).toContain(`base commit ${sha[1].slice(0, 7)}`)
    expect(r.reason).toMatch(/could not be fetched/)
    expect(r.reason).toMatch(/all blueprints/)
  })
})

describe('a blueprint folder whose name holds a backslash', () => {
  it('is left out of the matrix and named in `unnameable` (input blueprint reads \\ as a separator)', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'bp-discover-backslash-'))
    try {
      for (const dir of ['platform/ok', 'platform/a\\b']) {
        write(root, `${dir}/chart/Chart.yaml`, 'apiVersion: v2\nname: bp-x\nversion: 1.0.0\n')
      }
      const r = await discoverBlueprints({ workspace: root, eventName: 'workflow_dispatch', payload: {} })
      expect(r.blueprints).toEqual(['platform/ok'])
      expect(r.matrix.include.map((e) => e.blueprint)).toEqual(['platform/ok'])
      expect(r.unnameable).toEqual(['platform/a\\b'])
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
