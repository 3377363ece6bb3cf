// The base commit's folders copied out of real git repositories: a shallow
// clone fetches the base from origin; files keep their contents and modes;
// symbolic links are refused; a workspace inside a larger repository works.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { copyTree, ensureCommit } from '../../src/diff/git-tree.js'
import { git } from '../support/git-history.js'

describe('base commit trees from git', () => {
  let root: string
  let origin: string
  let base: string
  let head: string

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'bp-diff-git-'))
    origin = path.join(root, 'origin')
    await mkdir(path.join(origin, 'mono', 'platform', 'x', 'chart', 'templates'), { recursive: true })
    await git(origin, 'init', '-q', '-b', 'main')
    // What GitHub allows: fetching a commit by its id.
    await git(origin, 'config', 'uploadpack.allowAnySHA1InWant', 'true')
    const chart = path.join(origin, 'mono', 'platform', 'x', 'chart')
    await writeFile(path.join(chart, 'Chart.yaml'), 'name: x\nversion: 1.0.0\n')
    await writeFile(path.join(chart, 'templates', 'cm.yaml'), 'kind: ConfigMap # base\n')
    await writeFile(path.join(chart, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 })
    await git(origin, 'add', '-A')
    await git(origin, 'commit', '-q', '-m', 'base')
    base = await git(origin, 'rev-parse', 'HEAD')
    await writeFile(path.join(chart, 'templates', 'cm.yaml'), 'kind: ConfigMap # head\n')
    await git(origin, 'commit', '-q', '-am', 'head')
    head = await git(origin, 'rev-parse', 'HEAD')
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('a shallow clone fetches the base commit, and the folder is copied as of it (contents and modes)', async () => {
    const clone = path.join(root, 'shallow')
    await git(root, 'clone', '-q', '--depth', '1', `file://${origin}`, clone)
    await expect(git(clone, 'cat-file', '-e', `${base}^{commit}`)).rejects.toThrow()
    await ensureCommit(clone, base)
    const dest = path.join(root, 'copy-1')
    const copied = await copyTree(clone, base, ['mono/platform/x/chart'], dest)
    expect(copied.files).toBe(3)
    expect(await readFile(path.join(dest, 'mono/platform/x/chart/templates/cm.yaml'), 'utf8')).toBe(
      'kind: ConfigMap # base\n'
    )
    expect((await stat(path.join(dest, 'mono/platform/x/chart/run.sh'))).mode & 0o111).not.toBe(0)
    expect((await stat(path.join(dest, 'mono/platform/x/chart/Chart.yaml'))).mode & 0o111).toBe(0)
  })

  it('a commit that cannot be fetched is a clear error', async () => {
    await expect(ensureCommit(origin, 'f'.repeat(40))).rejects.toThrow(
      /commit fffffff is not in the clone and could not be fetched/
    )
  })

  it('paths are relative to a workspace inside the repository; a missing folder copies nothing', async () => {
    const dest = path.join(root, 'copy-2')
    expect((await copyTree(path.join(origin, 'mono'), head, ['platform/x'], dest)).files).toBe(3)
    expect(await readFile(path.join(dest, 'platform/x/chart/templates/cm.yaml'), 'utf8')).toBe(
      'kind: ConfigMap # head\n'
    )
    expect((await copyTree(origin, head, ['platform/none'], path.join(root, 'copy-3'))).files).toBe(0)
  })

  it('refuses a symbolic link in the base chart', async () => {
    const repo = path.join(root, 'links')
    await mkdir(path.join(repo, 'chart'), { recursive: true })
    await git(repo, 'init', '-q', '-b', 'main')
    await symlink('/etc/passwd', path.join(repo, 'chart', 'values.yaml'))
    await git(repo, 'add', '-A')
    await git(repo, 'commit', '-q', '-m', 'link')
    const sha = await git(repo, 'rev-parse', 'HEAD')
    await expect(copyTree(repo, sha, ['chart'], path.join(root, 'copy-4'))).rejects.toThrow(
      /chart\/values\.yaml is a symbolic link at [0-9a-f]{7}/
    )
  })
})
