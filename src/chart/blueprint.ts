// Reads a blueprint folder: blueprint.yaml (optional), chart/Chart.yaml and
// chart/values.yaml, each once, with file:line kept for findings; for the report
// of a blueprint that cannot be read, the chart's name and version from its text.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { loadYamlFile, type YamlSource } from './yaml-source.js'
import { ActionError, type ActionReport } from '../types.js'
import { assertLinksStayInside } from './work-copy.js'
import { exists } from '../util/files.js'
import { closestTo } from '../util/text.js'
import { readBlueprintManifest, type BlueprintManifest } from './blueprint-manifest.js'

export interface ChartDependency {
  name: string
  version: string
  repository: string
  alias?: string
  condition?: string
}

export interface ChartMetadata {
  apiVersion?: string
  name: string
  version: string
  appVersion?: string
  annotations?: Record<string, string>
  dependencies?: ChartDependency[]
  [key: string]: unknown
}

export interface Blueprint {
  workspace: string
  /** Relative to the workspace. */
  dir: string
  chartDir: string
  chartYaml: YamlSource<ChartMetadata>
  values: YamlSource<Record<string, unknown>>
  blueprintYaml?: YamlSource<Record<string, unknown>>
  /** blueprint.yaml's typed model (blueprint-manifest.ts), when the folder has one and it parses. */
  manifest?: BlueprintManifest
  /**
   * Why blueprint.yaml could not be read (not valid YAML, over the size limit): the contract step's finding, not
   * a stopped run. The chart does not need the catalog entry to be checked.
   */
  manifestError?: ActionError
  /** The `values` input's files, read as helm reads them (their duplicate keys: chart/duplicate-keys.ts). */
  valuesFiles?: YamlSource<unknown>[]
}

/** A name that is safe as a folder name: no separators, no leading dot or dash. */
const CHART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/

const NO_UPSTREAM_ANNOTATION = 'catalyst.openova.io/no-upstream'

/** Folders that hold a chart (`<folder>/chart/Chart.yaml`), where blueprints live: `platform/*`, `products/*`, beside
 * the folder asked for, and at the top of the workspace. */
async function blueprintFolders(workspace: string, asked: string): Promise<string[]> {
  const parents = new Set(['platform', 'products', '.', path.dirname(asked)])
  const found: string[] = []
  for (const parent of parents) {
    let names: string[]
    try {
      names = await readdir(path.resolve(workspace, parent))
    } catch {
      continue
    }
    for (const name of names) {
      const folder = path.posix.join(parent, name)
      if (await exists(path.resolve(workspace, folder, 'chart', 'Chart.yaml'))) found.push(folder)
    }
  }
  return found
}

/** A blueprint folder that is not there: the closest folders that hold a chart, or what to check when none does. */
async function missingBlueprint(workspace: string, dir: string): Promise<ActionError> {
  const close = closestTo(dir, await blueprintFolders(workspace, dir), 3)
  const at = { input: 'blueprint', value: dir }
  if (close.length === 0) {
    return new ActionError(
      `blueprint folder ${dir} does not exist in the workspace, and no folder there holds a chart (<folder>/chart/Chart.yaml)`,
      'check out the repository first (actions/checkout), then set the blueprint input to the blueprint folder, e.g. platform/<name>',
      at
    )
  }
  return new ActionError(
    `blueprint folder ${dir} does not exist in the workspace (did you mean ${close[0]}?)`,
    `set the blueprint input to a folder holding chart/Chart.yaml (the closest here: ${close.join(', ')})`,
    at
  )
}

export async function loadBlueprint(workspace: string, dir: string, chartDir: string): Promise<Blueprint> {
  const absDir = path.resolve(workspace, dir)
  const absChart = path.resolve(workspace, chartDir)
  if (!(await exists(absDir))) throw await missingBlueprint(workspace, dir)
  const chartYamlPath = path.join(chartDir, 'Chart.yaml')
  if (!(await exists(path.join(absChart, 'Chart.yaml')))) {
    throw new ActionError(
      `${chartYamlPath} not found`,
      `put the umbrella chart in ${chartDir}, or set the chart input to its folder`
    )
  }
  // Before any chart file is read: a values.yaml linked outside the chart is refused, not parsed.
  assertLinksStayInside(absChart, chartDir)
  const blueprintYamlPath = path.join(dir, 'blueprint.yaml')
  const [chartYaml, values, blueprintYaml] = await Promise.all([
    loadYamlFile<ChartMetadata>(path.join(absChart, 'Chart.yaml'), chartYamlPath),
    (async () =>
      (await exists(path.join(absChart, 'values.yaml')))
        ? loadYamlFile<Record<string, unknown>>(path.join(absChart, 'values.yaml'), path.join(chartDir, 'values.yaml'))
        : emptyValues(path.join(chartDir, 'values.yaml')))(),
    (async () =>
      (await exists(path.join(absDir, 'blueprint.yaml')))
        ? loadYamlFile<Record<string, unknown>>(path.join(absDir, 'blueprint.yaml'), blueprintYamlPath).catch(
            (error: unknown) => {
              if (error instanceof ActionError) return error
              throw error
            }
          )
        : undefined)()
  ])
  validateChartMetadata(chartYaml)
  if (values.data === null || typeof values.data !== 'object' || Array.isArray(values.data)) {
    throw new ActionError(
      `${values.displayPath}: the top level must be a mapping of values`,
      `fix ${values.displayPath}`
    )
  }
  if (blueprintYaml instanceof ActionError) {
    return { workspace, dir, chartDir, chartYaml, values, manifestError: blueprintYaml }
  }
  const manifest = blueprintYaml ? readBlueprintManifest(blueprintYaml) : undefined
  return { workspace, dir, chartDir, chartYaml, values, blueprintYaml, manifest }
}

function emptyValues(displayPath: string): YamlSource<Record<string, unknown>> {
  return { displayPath, data: {}, lineOf: () => undefined }
}

/**
 * Checks Chart.yaml's shape (a mapping with a name and version, dependencies a list of named, versioned entries)
 * and normalises it in place (versions and repositories as strings); throws an ActionError naming file:line.
 */
export function validateChartMetadata(chart: YamlSource<ChartMetadata>): void {
  const file = chart.displayPath
  const data = chart.data as unknown
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ActionError(`${file}: the top level must be a mapping`, `fix ${file}`)
  }
  const meta = data as ChartMetadata
  for (const field of ['name', 'version'] as const) {
    if (typeof meta[field] !== 'string' && typeof meta[field] !== 'number') {
      throw new ActionError(`${file}: field ${field} is missing`, `add ${field}: to ${file}`)
    }
    meta[field] = String(meta[field])
  }
  // The name becomes a folder of the work copy (and the archive's top folder):
  // refuse what could leave that folder before using it. Publishing also needs
  // it lowercase (an OCI repository name): main checks that in publish mode.
  if (!CHART_NAME.test(meta.name) || meta.name.includes('..')) {
    throw new ActionError(
      `${file}:${chart.lineOf(['name']) ?? 1}: chart name "${meta.name}" is not a valid chart name`,
      'use letters, digits and single separators (-, _ or .), e.g. bp-temporal'
    )
  }
  if (meta.dependencies !== undefined && !Array.isArray(meta.dependencies)) {
    throw new ActionError(
      `${file}:${chart.lineOf(['dependencies']) ?? 1}: dependencies must be a list`,
      `fix dependencies in ${file}`
    )
  }
  for (const [index, dep] of (meta.dependencies ?? []).entries()) {
    // Asked only for an error: the positions cost a parse by the yaml library (yaml-source.ts).
    const line = (): number => chart.lineOf(['dependencies', index]) ?? 1
    if (!dep || typeof dep !== 'object' || typeof dep.name !== 'string') {
      throw new ActionError(
        `${file}:${line()}: dependencies[${index}] has no name`,
        `give every dependency a name, version and repository`
      )
    }
    if (dep.version === undefined || dep.version === null || String(dep.version).trim() === '') {
      throw new ActionError(
        `${file}:${line()}: dependency ${dep.name} has no version`,
        `pin dependency ${dep.name} to a version or range`
      )
    }
    dep.version = String(dep.version)
    dep.repository = dep.repository ? String(dep.repository) : ''
  }
}

/** The dependency named by the `upstream` input (by name or alias). */
export function findUpstream(blueprint: Blueprint, upstream: string): { dependency: ChartDependency; index: number } {
  const deps = blueprint.chartYaml.data.dependencies ?? []
  const index = deps.findIndex((dep) => dep.name === upstream || dep.alias === upstream)
  if (index < 0) {
    const declared = deps.map((dep) => dep.name).join(', ') || 'none'
    throw new ActionError(
      `${blueprint.chartYaml.displayPath}: dependency "${upstream}" is not declared (dependencies: ${declared})`,
      `add ${upstream} under dependencies: in ${blueprint.chartYaml.displayPath}, or set the upstream input to the dependency's name`
    )
  }
  return { dependency: deps[index], index }
}

export function isNoUpstream(chart: ChartMetadata): boolean {
  return String(chart.annotations?.[NO_UPSTREAM_ANNOTATION] ?? '').toLowerCase() === 'true'
}

/**
 * Name and version for the report of a blueprint that could not be read: from
 * Chart.yaml's text when there is one (the PR comment's marker stays the same
 * once it is fixed), else no name: the report then names the blueprint folder as given.
 */
export async function chartIdentityGuess(workspace: string, chart: string): Promise<ActionReport['chart']> {
  let text = ''
  try {
    text = await readFile(path.resolve(workspace, chart, 'Chart.yaml'), 'utf8')
  } catch {
    // no Chart.yaml: no name (not the folder's: it may be a typo of the blueprint input)
  }
  const field = (key: string): string | undefined =>
    new RegExp(`^${key}:[ \\t]*["']?([A-Za-z0-9][^\\s"'#]*)`, 'm').exec(text)?.[1]
  return {
    name: field('name') ?? '',
    version: field('version') ?? '',
    path: chart
  }
}
