// What a hostile chart, a swapped dependency, a racing publish and credentials
// in the wrong input must not achieve — with the bundled action (dist/index.js),
// real helm, a real chart repository and a real OCI registry.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { startChartRepo } from '../../testkit/chart-repo.mjs'
import { startRegistry } from '../../testkit/registry.mjs'
import { failureMessage, helmsUnderTest, runBundledAction, withoutMaskCommands, withWorkspace, type ActionRun } from '../support/e2e.js'

type ChartRepo = Awaited<ReturnType<typeof startChartRepo>>
type Registry = Awaited<ReturnType<typeof startRegistry>>

const FAST = { 'chart-tests': 'false' }

/** Every entry under `dir` (files with their sha256, links with their target, folders), sorted. */
async function treeSnapshot(dir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(path.join(dir, rel))).sort()) {
      const entry = path.join(rel, name)
      const stat = await lstat(path.join(dir, entry))
      if (stat.isSymbolicLink()) out.push(`${entry} -> ${await readlink(path.join(dir, entry))}`)
      else if (stat.isDirectory()) {
        out.push(`${entry}/ ${stat.mode.toString(8)}`)
        await walk(entry)
      } else out.push(`${entry} ${stat.mode.toString(8)} ${createHash('sha256').update(await readFile(path.join(dir, entry))).digest('hex')}`)
    }
  }
  await walk('')
  return out
}

function expectSuccess(run: ActionRun): void {
  expect({ exit: run.exitCode, error: failureMessage(run) }).toEqual({ exit: 0, error: '' })
}

/** Everything the action wrote that a person or a later step could read. */
function everyText(run: ActionRun): string {
  return [withoutMaskCommands(run.stdout), run.stderr, run.summary, JSON.stringify(run.report ?? {}), run.sbom ?? '', JSON.stringify(run.outputs)].join('\n')
}

describe('the work copy: links in and around the chart folder (helm 4)', () => {
  const helm = helmsUnderTest()[1]
  let repo: ChartRepo
  beforeAll(async () => {
    repo = await startChartRepo({ helm: helm.binary })
  })
  afterAll(async () => {
    await repo?.close()
  })

  it.each([
    { linked: 'chart folder', relative: 'platform/temporal/chart' },
    { linked: 'blueprint folder', relative: 'platform/temporal' }
  ])('a symlinked $linked is copied, not written into: the target tree is byte-identical afterwards', async ({ relative }) => {
    await withWorkspace(async (ws) => {
      const outside = await mkdtemp(path.join(os.tmpdir(), 'bp-linked-'))
      try {
        const target = path.join(outside, 'real')
        await rename(path.join(ws.dir, relative), target)
        await symlink(target, path.join(ws.dir, relative))
        const before = await treeSnapshot(target)
        const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: repo.url, inputs: { ...FAST, push: 'false', version: '9.9.9' } })
        expectSuccess(run)
        expect(run.outputs['chart-version']).toBe('9.9.9')
        expect(await treeSnapshot(target)).toEqual(before)
      } finally {
        await rm(outside, { recursive: true, force: true })
      }
    })
  })

  it.each([
    { link: 'files/passwd', target: '/etc/passwd' },
    { link: 'files/secrets.env', target: '../../secrets.env' }
  ])('a link leaving the chart ($link -> $target) is refused, naming the link and its target', async ({ link, target }) => {
    await withWorkspace(async (ws) => {
      await writeFile(path.join(ws.dir, 'platform', 'secrets.env'), 'TOKEN=do-not-publish\n')
      await writeFile(path.join(ws.dir, 'platform', 'temporal', 'secrets.env'), 'TOKEN=do-not-publish\n')
      await mkdir(path.join(ws.chart, 'files'), { recursive: true })
      await symlink(target, path.join(ws.chart, link))
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: repo.url, inputs: { ...FAST, push: 'false' } })
      expect(run.exitCode).not.toBe(0)
      const message = failureMessage(run)
      expect(message).toContain(`platform/temporal/chart/${link} is a symbolic link to ${target}`)
      expect(message).toContain('outside the chart folder')
      expect(everyText(run)).not.toContain('do-not-publish')
    })
  })

  it('a link inside the chart stays a link helm follows: the run passes and the user tree is unchanged', async () => {
    await withWorkspace(async (ws) => {
      await mkdir(path.join(ws.chart, 'files'), { recursive: true })
      await writeFile(path.join(ws.chart, 'files', 'real.txt'), 'inside\n')
      await symlink('real.txt', path.join(ws.chart, 'files', 'alias.txt'))
      await symlink('../templates', path.join(ws.chart, 'files', 'templates-link'))
      const before = await treeSnapshot(ws.chart)
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: repo.url, inputs: { ...FAST, push: 'false', version: '9.9.9' } })
      expectSuccess(run)
      expect(await treeSnapshot(ws.chart)).toEqual(before)
    })
  })
})

export type { Registry }
