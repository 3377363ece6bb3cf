// A workspace blueprint's chart, built: another blueprint of the monorepo than the run's own (the schema gate renders
// those blueprint.yaml spec.depends names, for their CRDs; a product umbrella's sibling blueprints can be built the
// same way: a pull request builds an unpublished sibling it bundles from source, run/sibling-sources.ts). Its chart
// folder copied into a work folder of its own (chart/work-chart.ts: the user's tree is never written, a link leaving
// the chart is refused, a committed Chart.lock that fits Chart.yaml is honoured), its dependencies placed under charts/
// as `helm dependency build` would place them (archives fetched and checked by the action: chart/archive-fetch.ts, each
// once per run; a `file://` dependency copied as helm packs it: as it is, its own charts/ included), and a helm home of
// its own, empty: no repository entry, no login, no credential. No helm process runs here; whoever renders or packages
// the chart does that with the returned helm.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { loadBlueprint, type Blueprint } from './blueprint.js'
import {
  fetchDependencyArchive,
  type ArchiveCache,
  type ArchiveFetchOptions,
  type FetchedArchive
} from './archive-fetch.js'
import { prepareWorkChart, type WorkChart } from './work-chart.js'
import { copyChartFolder } from './work-copy.js'
import { Helm } from '../helm/helm.js'

export interface WorkspaceBuildOptions {
  /** Absolute workspace folder. */
  workspace: string
  /** The blueprint folder and its chart folder, relative to the workspace (chart/workspace-index.ts has both). */
  dir: string
  chartDir: string
  /** A folder of its own (created): the work copy goes to `<workRoot>/chart/<name>`, the helm home to `<workRoot>/helm-home`. */
  workRoot: string
  /** The run's helm: its binary and release, with a home of the build's own. */
  helm: Pick<Helm, 'binary' | 'release'>
  /** How the run reaches dependency repositories (mirrors, its index cache, credentials, plain HTTP). */
  fetch: ArchiveFetchOptions
  /** The run's archives: each fetched once, the run's own build's reused. */
  archives: ArchiveCache
}

export interface WorkspaceBuild {
  blueprint: Blueprint
  /** The work copy, its charts/ filled (no Chart.lock is written: the committed one, when it fits, is in `work.lock`). */
  work: WorkChart
  /** A helm of the build's own home (empty: nothing of the run's credentials). */
  helm: Helm
  /** Each dependency placed under charts/: name → version. */
  built: Record<string, string>
  /** The archives placed (file:// dependencies are not archives), with how each was vouched for. */
  archives: Omit<FetchedArchive, 'data'>[]
  durationMs: number
}

/**
 * Builds a workspace blueprint's chart (see the header). Throws what stops it (an ActionError naming the file, the
 * dependency or the repository): a blueprint that cannot be read, a dependency that cannot be fetched or whose
 * archive differs from its repository's digest.
 */
export async function buildWorkspaceChart(options: WorkspaceBuildOptions): Promise<WorkspaceBuild> {
  const start = performance.now()
  const blueprint = await loadBlueprint(options.workspace, options.dir, options.chartDir)
  const { work } = await prepareWorkChart({ blueprint, workRoot: path.join(options.workRoot, 'chart') })
  const helm = await Helm.create(options.helm.binary, path.join(options.workRoot, 'helm-home'), options.helm.release)
  const charts = path.join(work.dir, 'charts')
  await mkdir(charts, { recursive: true })
  const built: Record<string, string> = {}
  const archives: Omit<FetchedArchive, 'data'>[] = []
  await Promise.all(
    work.dependencies.map(async (dep) => {
      if (!dep.repository) return // helm reads it from charts/ as it is (kept by the copy)
      if (dep.repository.startsWith('file://')) {
        // As helm packs a local dependency: the folder as it is, relative to the chart in the user's tree.
        const source = path.resolve(work.sourceDir, dep.repository.slice('file://'.length))
        copyChartFolder({
          source,
          destination: path.join(charts, dep.name),
          displayDir: path.relative(options.workspace, source) || source
        })
        built[dep.name] = dep.version
        return
      }
      const locked = work.lock?.dependencies.find((entry) => entry.name === dep.name)?.version
      const archive = await fetchDependencyArchive(dep, locked, options.fetch, options.archives)
      await writeFile(path.join(charts, `${dep.name}-${archive.version}.tgz`), archive.data)
      built[dep.name] = archive.version
      archives.push({ name: archive.name, version: archive.version, source: archive.source, check: archive.check })
    })
  )
  return { blueprint, work, helm, built, archives, durationMs: Math.round(performance.now() - start) }
}
