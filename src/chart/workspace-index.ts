// The workspace's blueprints: every folder under the discover globs (default `platform/*` and `products/*`) that
// holds a `blueprint.yaml` or a `chart/Chart.yaml` (a chart-only folder, such as a product umbrella, is a blueprint
// without catalog metadata). Each with its folder, its chart folder (blueprint.yaml `spec.manifests.chart`, default
// `./chart`), its chart's name, version and dependencies, and its blueprint.yaml manifest (blueprint-manifest.ts).
// A file that cannot be read is recorded on its blueprint, never thrown: one broken folder does not hide the others.
// Used by discover (which folders exist, which changed), the blueprint.yaml contract (spec.depends against the
// workspace), sibling blueprints (a Chart.yaml dependency that is another blueprint's chart) and the schema gate
// (the CRDs of the blueprints spec.depends names).
import path from 'node:path'
import { stat } from 'node:fs/promises'
import { validateChartMetadata, type ChartDependency, type ChartMetadata } from './blueprint.js'
import { manifestChartDir, readBlueprintManifest, type BlueprintManifest } from './blueprint-manifest.js'
import { loadYamlFile, type YamlSource } from './yaml-source.js'
import { ActionError } from '../types.js'
import { expandFolderGlob } from '../util/folder-glob.js'
import { compareCodePoints } from '../util/text.js'

const DEFAULT_BLUEPRINT_GLOBS: readonly string[] = ['platform/*', 'products/*']

/** A blueprint's chart as its Chart.yaml declares it. */
interface IndexedChart {
  /** Chart.yaml as shown to people, e.g. `platform/cilium/chart/Chart.yaml`. */
  file: string
  name: string
  version: string
  dependencies: ChartDependency[]
  /** 1-based line of a Chart.yaml field, e.g. `lineOf(['version'])`, `lineOf(['dependencies', 2])`. */
  lineOf: YamlSource['lineOf']
}

/** A file of a blueprint that could not be read: the message names file (and line), the fix what to do. */
interface IndexProblem {
  file: string
  message: string
  fix?: string
}

export interface WorkspaceBlueprint {
  /** The blueprint folder, relative to the workspace, `/`-separated: `platform/cilium`. */
  dir: string
  /** The chart folder: `spec.manifests.chart` joined to `dir` when it stays inside it, else `<dir>/chart`. */
  chartDir: string
  /** blueprint.yaml, when the folder has one and it parses. */
  manifest?: BlueprintManifest
  /** Chart.yaml of `chartDir`, when it exists and has a valid shape. */
  chart?: IndexedChart
  /** blueprint.yaml or Chart.yaml that exists but cannot be read (not valid YAML, a wrong shape, too large). */
  problems: IndexProblem[]
}

export interface WorkspaceIndex {
  /** Absolute workspace folder. */
  workspace: string
  /** Sorted by folder. */
  blueprints: readonly WorkspaceBlueprint[]
  byDir(dir: string): WorkspaceBlueprint | undefined
  /** The blueprint whose Chart.yaml `name` is `name` (the first by folder when two share it). */
  byChartName(name: string): WorkspaceBlueprint | undefined
  /** The blueprint with this catalog name: blueprint.yaml `metadata.name`, else its chart's name. */
  byBlueprintName(name: string): WorkspaceBlueprint | undefined
}

/** A blueprint's catalog name: blueprint.yaml `metadata.name`, else (chart-only, or no name) its chart's name. */
export function blueprintName(blueprint: WorkspaceBlueprint): string | undefined {
  return blueprint.manifest?.name ?? blueprint.chart?.name
}

/** The files that make a folder a blueprint: either is enough. */
const MARKERS = ['blueprint.yaml', 'chart/Chart.yaml'] as const
type Marker = (typeof MARKERS)[number]

/** A discover glob read: the folder pattern, and the one marker file it names when it ends with one. */
export interface BlueprintGlob {
  folder: string
  /** A pattern ending in `/blueprint.yaml` keeps only folders with a blueprint.yaml (`/chart/Chart.yaml` likewise). */
  marker?: Marker
}

/**
 * A discover glob as a folder pattern inside the workspace (`./platform/*` → `platform/*`, a trailing slash
 * dropped); a pattern ending in `/blueprint.yaml` or `/chart/Chart.yaml` names its folders and the file they must
 * hold. Throws an ActionError naming the input for an absolute pattern or one that leaves the workspace.
 */
export function parseBlueprintGlob(glob: string): BlueprintGlob {
  const g = glob
    .trim()
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '')
  const marker = MARKERS.find((file) => g.endsWith(`/${file}`))
  const folder = marker ? g.slice(0, -marker.length - 1) : g
  if (folder === '' || folder.startsWith('/') || /^[A-Za-z]:/.test(folder) || folder.split('/').includes('..')) {
    throw new ActionError(
      `input discover-glob: "${glob}" is not a folder pattern inside the repository`,
      'use patterns like platform/* or products/*'
    )
  }
  return { folder, marker }
}

async function isFile(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile()
  } catch {
    return false
  }
}

/** A folder is a blueprint when it holds a blueprint.yaml or a chart/Chart.yaml (or the one file a glob names). */
async function isBlueprintFolder(workspace: string, folder: string, marker: Marker | undefined): Promise<boolean> {
  for (const file of marker ? [marker] : MARKERS) if (await isFile(path.join(workspace, folder, file))) return true
  return false
}

/** Every blueprint folder the globs match (relative, `/`-separated), sorted; no file is parsed. */
export async function listBlueprintFolders(
  workspace: string,
  globs: readonly string[] = DEFAULT_BLUEPRINT_GLOBS
): Promise<string[]> {
  const found = new Set<string>()
  for (const glob of globs.length > 0 ? globs : DEFAULT_BLUEPRINT_GLOBS) {
    const { folder: pattern, marker } = parseBlueprintGlob(glob)
    const folders = await expandFolderGlob(workspace, pattern)
    const kept = await Promise.all(folders.map((folder) => isBlueprintFolder(workspace, folder, marker)))
    folders.forEach((folder, i) => kept[i] && found.add(folder))
  }
  return [...found].sort(compareCodePoints)
}

function problemOf(error: unknown, file: string): IndexProblem {
  if (error instanceof ActionError) return { file, message: error.message, fix: error.hint }
  return { file, message: `${file} cannot be read: ${(error as Error).message ?? String(error)}` }
}

/** One blueprint folder read: blueprint.yaml (when there), then the chart folder it names and its Chart.yaml. */
async function readWorkspaceBlueprint(workspace: string, dir: string): Promise<WorkspaceBlueprint> {
  const problems: IndexProblem[] = []
  let manifest: BlueprintManifest | undefined
  const manifestFile = `${dir}/blueprint.yaml`
  if (await isFile(path.join(workspace, manifestFile))) {
    try {
      manifest = readBlueprintManifest(await loadYamlFile(path.join(workspace, manifestFile), manifestFile))
    } catch (error) {
      problems.push(problemOf(error, manifestFile))
    }
  }
  const chartDir = (manifest?.chart && manifestChartDir(dir, manifest.chart)) || `${dir}/chart`
  const chartFile = `${chartDir}/Chart.yaml`
  let chart: IndexedChart | undefined
  if (await isFile(path.join(workspace, chartFile))) {
    try {
      const source = await loadYamlFile<ChartMetadata>(path.join(workspace, chartFile), chartFile)
      validateChartMetadata(source)
      const data = source.data
      chart = {
        file: chartFile,
        name: data.name,
        version: data.version,
        dependencies: data.dependencies ?? [],
        lineOf: (at) => source.lineOf(at)
      }
    } catch (error) {
      problems.push(problemOf(error, chartFile))
    }
  } else {
    problems.push({
      file: chartFile,
      message: `${chartFile} not found`,
      fix: manifest?.chart
        ? `point spec.manifests.chart in ${manifestFile} at the chart folder`
        : `put the blueprint's chart in ${chartDir}`
    })
  }
  return { dir, chartDir, manifest, chart, problems }
}

/** The index of already-read blueprints (pure): lookups by folder, chart name and catalog name. */
function blueprintIndex(workspace: string, blueprints: readonly WorkspaceBlueprint[]): WorkspaceIndex {
  const sorted = [...blueprints].sort((a, b) => compareCodePoints(a.dir, b.dir))
  const first = (key: (bp: WorkspaceBlueprint) => string | undefined): Map<string, WorkspaceBlueprint> => {
    const map = new Map<string, WorkspaceBlueprint>()
    for (const bp of sorted) {
      const k = key(bp)
      if (k !== undefined && !map.has(k)) map.set(k, bp)
    }
    return map
  }
  const dirs = first((bp) => bp.dir)
  const charts = first((bp) => bp.chart?.name)
  const names = first(blueprintName)
  return {
    workspace,
    blueprints: sorted,
    byDir: (dir) => dirs.get(dir.replace(/\\/g, '/').replace(/\/+$/, '')),
    byChartName: (name) => charts.get(name),
    byBlueprintName: (name) => names.get(name)
  }
}

/** Reads every blueprint folder the globs match (default `platform/*`, `products/*`) into an index. */
export async function indexWorkspace(
  workspace: string,
  globs: readonly string[] = DEFAULT_BLUEPRINT_GLOBS
): Promise<WorkspaceIndex> {
  const root = path.resolve(workspace)
  const folders = await listBlueprintFolders(root, globs)
  return blueprintIndex(root, await Promise.all(folders.map((dir) => readWorkspaceBlueprint(root, dir))))
}
