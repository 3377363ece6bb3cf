// Shared by the release suites (release-rerun.test.ts, release-sources.test.ts): a release tag
// run as a tag push runs it (the commit time from git), run twice as GitHub's "Re-run jobs" does,
// and the Chart.lock a maintainer would commit, written by helm itself.
import { expect } from '@jest/globals'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { isolatedHelmEnv } from '../../testkit/chart-repo.mjs'
import { FAST, pull, runBundledAction, type ActionRun, type HelmUnderTest } from './e2e.js'
import { execFileAsync, expectSuccess } from './publishing.js'

const RELEASE_REF = 'refs/tags/platform/temporal/v1.0.0'
export const COMMIT_TIME = 1722470400 // 2024-08-01T00:00:00Z
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

export interface ReleaseStep {
  id: string
  status: string
  findings: { rule: string; severity: string; message: string; fix?: string; file?: string }[]
  data?: Record<string, unknown>
}

/** The step, or undefined when the run has none (a chart-lock step only appears with findings). */
export function stepOf(run: ActionRun, id: string): ReleaseStep | undefined {
  return (run.report?.steps ?? []).find((s: ReleaseStep) => s.id === id)
}

function layerDigest(run: ActionRun): string | undefined {
  return stepOf(run, 'package')?.data?.layerDigest as string | undefined
}

/** A git repository with one commit at `epoch`, as actions/checkout leaves it: the package's time is the commit's. */
export async function commitWorkspace(dir: string, epoch = COMMIT_TIME): Promise<void> {
  const env = { ...process.env, GIT_AUTHOR_DATE: `@${epoch} +0000`, GIT_COMMITTER_DATE: `@${epoch} +0000` }
  const git = (...args: string[]) =>
    execFileAsync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args], { cwd: dir, env })
  await git('init', '-q')
  await git('add', '-A')
  await git('commit', '-q', '-m', 'blueprint')
}

/** Runs helm with its own throwaway homes (not the action's). */
export async function helmIn(helm: HelmUnderTest, home: string, args: string[], cwd?: string) {
  return execFileAsync(helm.binary, args, { cwd, env: { ...process.env, ...isolatedHelmEnv(home) } })
}

/** `helm dependency update` in a scratch copy: the Chart.lock a maintainer would commit. */
export async function lockWithHelm(helm: HelmUnderTest, chartDir: string, extra: string[] = []): Promise<string> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'bp-lock-'))
  try {
    const copy = path.join(scratch, 'chart')
    await mkdir(copy)
    await writeFile(path.join(copy, 'Chart.yaml'), await readFile(path.join(chartDir, 'Chart.yaml'), 'utf8'))
    await helmIn(helm, path.join(scratch, 'home'), ['dependency', 'update', copy, ...extra])
    return await readFile(path.join(copy, 'Chart.lock'), 'utf8')
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** One file of a published artifact, pulled with helm itself. */
export async function pulledFile(helm: HelmUnderTest, ref: string, entry: string): Promise<string> {
  let text = ''
  await pull(helm, ref, async (pulled) => {
    text = await pulled.read(entry)
  })
  return text
}

export interface ReleaseOptions {
  viaMirror?: boolean
  inputs?: Record<string, string>
  /** More of the job's environment (e.g. the OIDC token endpoint of a job with `id-token: write`). */
  env?: Record<string, string>
}

/** The release job of `helm` as a tag push runs it: action.yml defaults, the commit time from git. */
export function releaser(helm: HelmUnderTest) {
  function release(workspace: string, repoUrl: string, base: string, options: ReleaseOptions = {}): Promise<ActionRun> {
    return runBundledAction({
      helm,
      workspace,
      repoUrl,
      viaMirror: options.viaMirror,
      eventName: 'push',
      ref: RELEASE_REF,
      inputs: { ...FAST, registry: base, 'plain-http': 'true', ...options.inputs },
      env: { SOURCE_DATE_EPOCH: '', ...options.env }
    })
  }

  /** The same tag run twice: the second run packages the same bytes, finds them published and pushes nothing. */
  async function twice(
    workspace: string,
    repoUrl: string,
    base: string,
    options: ReleaseOptions = {}
  ): Promise<[ActionRun, ActionRun]> {
    const first = await release(workspace, repoUrl, base, options)
    expectSuccess(first)
    expect(first.outputs.pushed).toBe('true')
    // More than a second: a lock written with the wall clock would differ now.
    await pause(1500)
    const second = await release(workspace, repoUrl, base, options)
    expectSuccess(second)
    expect(second.outputs.pushed).toBe('false')
    expect(second.outputs.digest).toBe(first.outputs.digest)
    // The same bytes, not just the same files.
    expect(layerDigest(second)).toBe(layerDigest(first))
    expect(stepOf(second, 'publish')?.status).toBe('passed')
    return [first, second]
  }

  return { release, twice }
}
