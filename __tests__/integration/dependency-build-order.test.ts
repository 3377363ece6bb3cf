// The dependency build does not wait for the upstream resolution (run/build-step.ts): helm starts as soon as it
// has the work copy and the indexes, and the resolution (guard 1's expected version) and the commit time (the
// lock's `generated`) are asked for only once helm has started (the run starts them then, run/chart-steps.ts).
// Real helm 3 and 4 against the loopback chart repository.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse, parseDocument } from 'yaml'
import { startChartRepo } from '../../testkit/chart-repo.mjs'
import { loadBlueprint } from '../../src/chart/blueprint.js'
import { IndexCache } from '../../src/chart/repository-index.js'
import { Helm, helmRelease } from '../../src/helm/helm.js'
import { buildStep, prepareWork } from '../../src/run/build-step.js'
import type { RunContext } from '../../src/run/context.js'
import type { UpstreamOutcome } from '../../src/run/upstream-step.js'
import { helmsUnderTest, makeWorkspace, pointChartAt, type HelmUnderTest } from '../support/e2e.js'

/** A promise and its resolve/reject, settled by the test. */
function deferred<T>(): { promise: Promise<T>; resolve(value: T): void; reject(error: unknown): void } {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

/** What the build reads of an upstream outcome: the resolved version of the upstream dependency. */
function resolvedUpstream(version: string): UpstreamOutcome {
  return { resolution: { info: { name: 'temporal', resolved: version } } } as unknown as UpstreamOutcome
}

/** The example's work copy (packaged as `version`) and what buildStep needs, over the chart repository at `repoUrl`. */
async function preparedBuild(helmUnderTest: HelmUnderTest, repoUrl: string, version: string) {
  const ws = await makeWorkspace()
  await pointChartAt(ws.chart, repoUrl)
  const root = await mkdtemp(path.join(os.tmpdir(), 'bp-build-'))
  const blueprint = await loadBlueprint(ws.dir, 'platform/temporal', 'platform/temporal/chart')
  const work = await prepareWork(
    {
      blueprint,
      chart: { name: 'bp-temporal', version, path: blueprint.chartDir },
      mode: 'validate',
      folders: { chart: path.join(root, 'chart') }
    } as unknown as Parameters<typeof prepareWork>[0],
    undefined
  )
  const helm = await Helm.create(helmUnderTest.binary, path.join(root, 'helm-home'), helmRelease(helmUnderTest.version))
  const ctx = {
    inputs: { repositoryMirrors: [], plainHttp: false },
    helm,
    credentials: { forRepository: () => undefined },
    indexes: new IndexCache()
  } as unknown as Pick<RunContext, 'inputs' | 'helm' | 'credentials' | 'indexes'>
  const committed = await readFile(path.join(ws.chart, 'Chart.yaml'), 'utf8')
  return {
    ctx,
    work,
    committed,
    remove: () => Promise.all([ws.remove(), rm(root, { recursive: true, force: true })])
  }
}

describe.each(helmsUnderTest())('$label: the dependency build beside the upstream resolution', (helmUnderTest) => {
  let repo: Awaited<ReturnType<typeof startChartRepo>>
  beforeAll(async () => {
    repo = await startChartRepo({ helm: helmUnderTest.binary })
  })
  afterAll(async () => {
    await repo?.close()
  })

  const prepared = (): ReturnType<typeof preparedBuild> => preparedBuild(helmUnderTest, repo.url, '1.0.0')

  it('starts helm while the resolution is still pending, and takes its version and the commit time after', async () => {
    const { ctx, work, remove } = await prepared()
    try {
      const upstream = deferred<UpstreamOutcome>()
      const epoch = deferred<{ epoch: number }>()
      let pendingAtSpawn: boolean | undefined
      let settled = false
      let spawned = false
      const askedBeforeSpawn: string[] = []
      void Promise.all([upstream.promise, epoch.promise]).then(() => (settled = true))
      const ask =
        <T>(name: string, promise: Promise<T>) =>
        (): Promise<T> => {
          if (!spawned) askedBeforeSpawn.push(name)
          return promise
        }
      const build = buildStep(ctx, ask('upstream', upstream.promise), work, ask('epoch', epoch.promise), () => {
        spawned = true
        pendingAtSpawn = !settled
        // Settled only once helm runs: the build must still finish with them.
        upstream.resolve(resolvedUpstream('1.2.0'))
        epoch.resolve({ epoch: 1700000000 })
      })
      const outcome = await build
      expect(pendingAtSpawn).toBe(true)
      expect(askedBeforeSpawn).toEqual([])
      expect(outcome.failed).toBe(false)
      expect(outcome.built).toEqual({ temporal: '1.2.0' })
      // The lock helm wrote got the commit time that arrived after helm started.
      const lock = await readFile(path.join(work.work.dir, 'Chart.lock'), 'utf8')
      expect(lock).toContain('generated: "2023-11-14T22:13:20Z"')
    } finally {
      await remove()
    }
  })

  it('a resolution that fails is the build’s error, once helm has ended', async () => {
    const { ctx, work, remove } = await prepared()
    try {
      const upstream = deferred<UpstreamOutcome>()
      let helmStarted = false
      const epoch = Promise.resolve({ epoch: 1700000000 })
      const build = buildStep(
        ctx,
        () => upstream.promise,
        work,
        () => epoch,
        () => {
          helmStarted = true
          upstream.reject(new Error('index.yaml of the upstream could not be read'))
        }
      )
      await expect(build).rejects.toThrow('index.yaml of the upstream could not be read')
      expect(helmStarted).toBe(true)
      // helm had finished: the charts it downloaded are there, nothing is still writing.
      const lock = await readFile(path.join(work.work.dir, 'Chart.lock'), 'utf8').catch(() => '')
      expect(lock).toContain('temporal')
    } finally {
      await remove()
    }
  })
})

// The work copy's Chart.yaml is the committed text with only its version line edited (chart/work-chart.ts
// versionEditedChartYaml: no `yaml` library on the way to the build): what helm builds from is what is packaged and
// what a chart test script reads, before and after the build, whether it passes or fails.
describe.each(helmsUnderTest())('$label: the work copy’s Chart.yaml around the dependency build', (helmUnderTest) => {
  let repo: Awaited<ReturnType<typeof startChartRepo>>
  beforeAll(async () => {
    repo = await startChartRepo({ helm: helmUnderTest.binary })
  })
  afterAll(async () => {
    await repo?.close()
  })

  const prepared = (version: string, repositoryUrl = repo.url): ReturnType<typeof preparedBuild> =>
    preparedBuild(helmUnderTest, repositoryUrl, version)
  /** The packaged data: the committed file with the version set, as the library reads it. */
  const packagedData = (committed: string, version: string): unknown => {
    const doc = parseDocument(committed)
    doc.set('version', version)
    return doc.toJS()
  }
  /** The committed text with its version line rewritten. */
  const edited = (committed: string, line: string): string =>
    committed
      .split('\n')
      .map((text) => (/^version[ ]*:/.test(text) ? line : text))
      .join('\n')

  it('helm builds from the committed text with the version edited, and that text stays', async () => {
    const { ctx, work, committed, remove } = await prepared('1.0.7-rc.1')
    try {
      const file = path.join(work.work.dir, 'Chart.yaml')
      let seenByHelm = ''
      const outcome = await buildStep(
        ctx,
        async () => resolvedUpstream('1.2.0'),
        work,
        async () => ({ epoch: 1700000000 }),
        () => {
          seenByHelm = readFileSync(file, 'utf8')
        }
      )
      expect(outcome.failed).toBe(false)
      expect(outcome.built).toEqual({ temporal: '1.2.0' })
      // Only the version line differs from the committed text; the data is the package's.
      expect(seenByHelm).toBe(edited(committed, 'version: 1.0.7-rc.1'))
      expect(parse(seenByHelm)).toEqual(packagedData(committed, '1.0.7-rc.1'))
      // After the build: the same text, and the one the package is made from.
      expect(await readFile(file, 'utf8')).toBe(seenByHelm)
      expect(work.work.chartYamlText).toBe(seenByHelm)
    } finally {
      await remove()
    }
  })

  it('a build that fails leaves the same text', async () => {
    // Nothing listens there: helm cannot download the dependency.
    const { ctx, work, committed, remove } = await prepared('1.0.8', 'http://127.0.0.1:9')
    try {
      const outcome = await buildStep(
        ctx,
        async () => resolvedUpstream('1.2.0'),
        work,
        async () => ({ epoch: 1700000000 }),
        () => undefined
      ).catch((error: unknown) => ({ failed: true, error }))
      expect(outcome.failed).toBe(true)
      expect(await readFile(path.join(work.work.dir, 'Chart.yaml'), 'utf8')).toBe(edited(committed, 'version: 1.0.8'))
    } finally {
      await remove()
    }
  })
})
