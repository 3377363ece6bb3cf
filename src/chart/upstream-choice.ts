// Which dependency is the blueprint's upstream chart, or none (a scratch
// blueprint). Decided in this order:
//   1. the `upstream` input, when non-empty;
//   2. values.yaml `catalystBlueprint.upstream.chart`: a name picks that
//      dependency; an empty string declares a scratch blueprint;
//   3. the chart's only non-library dependency (no non-library dependency at
//      all: scratch; two or more: an error saying what to set).
// A library dependency is one whose Chart.yaml says `type: library`: read from
// the chart folder of a file:// dependency, or from the repository index entry
// of an http(s) dependency (`helm repo index` copies `type` into it). An OCI
// dependency is not fetched to find out: it counts as non-library (name it in
// catalystBlueprint.upstream.chart when that is wrong).
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { yamlLibrary } from '../util/yaml-lib.js'
import { findUpstream, type Blueprint, type ChartDependency } from './blueprint.js'
import { applyMirrors, type RepositoryMirror } from './mirrors.js'
import type { Credentials } from '../credentials/credentials.js'
import { maxSatisfying } from '../util/semver.js'
import { ActionError } from '../types.js'
import { readIndex, type IndexCache } from './repository-index.js'

export const SCRATCH_SUMMARY = 'scratch blueprint (no upstream chart)'

export type UpstreamChoice =
  | { kind: 'dependency'; dependency: ChartDependency; index: number; source: 'input' | 'values' | 'only-dependency' }
  | { kind: 'scratch'; reason: string }

/** values.yaml `catalystBlueprint.upstream.chart`: undefined when not written, else its trimmed text. */
export function provenanceChart(values: Blueprint['values']): string | undefined {
  const upstream = (values.data.catalystBlueprint as { upstream?: unknown } | undefined)?.upstream
  if (!upstream || typeof upstream !== 'object' || !('chart' in upstream)) return undefined
  const chart = (upstream as { chart?: unknown }).chart
  return chart === null || chart === undefined ? '' : String(chart).trim()
}

/** Pure: the upstream by the rules above; `libraries` holds the names of the library dependencies. */
export function chooseUpstream(blueprint: Blueprint, input: string, libraries: ReadonlySet<string>): UpstreamChoice {
  if (input !== '') return { kind: 'dependency', ...findUpstream(blueprint, input), source: 'input' }
  const deps = blueprint.chartYaml.data.dependencies ?? []
  const named = provenanceChart(blueprint.values)
  const valuesFile = blueprint.values.displayPath
  if (named === '') return { kind: 'scratch', reason: `${valuesFile} catalystBlueprint.upstream.chart is empty` }
  if (named !== undefined) {
    const index = deps.findIndex((dep) => dep.name === named || dep.alias === named)
    if (index < 0) {
      const line = blueprint.values.lineOf(['catalystBlueprint', 'upstream', 'chart'])
      throw new ActionError(
        `${valuesFile}:${line ?? 1}: catalystBlueprint.upstream.chart is "${named}", but ${blueprint.chartYaml.displayPath} declares no such dependency (dependencies: ${deps.map((dep) => dep.name).join(', ') || 'none'})`,
        `set catalystBlueprint.upstream.chart to the upstream dependency's name, or to "" for a scratch blueprint`
      )
    }
    return { kind: 'dependency', dependency: deps[index], index, source: 'values' }
  }
  const candidates = deps
    .map((dependency, index) => ({ dependency, index }))
    .filter(({ dependency }) => !libraries.has(dependency.name))
  if (candidates.length === 1) return { kind: 'dependency', ...candidates[0], source: 'only-dependency' }
  if (candidates.length === 0)
    return { kind: 'scratch', reason: `every dependency in ${blueprint.chartYaml.displayPath} is a library chart` }
  const names = candidates.map(({ dependency }) => dependency.alias ?? dependency.name)
  throw new ActionError(
    `${blueprint.chartYaml.displayPath}: ${names.length} dependencies (${names.join(', ')}) could be the upstream chart and nothing says which`,
    `set catalystBlueprint.upstream.chart in ${valuesFile} (or the upstream input) to one of ${names.join(', ')}; "" declares a scratch blueprint`
  )
}

/** Whether the chooser needs to know which dependencies are library charts. */
export function needsLibraryCheck(blueprint: Blueprint, input: string): boolean {
  return (
    input === '' &&
    provenanceChart(blueprint.values) === undefined &&
    (blueprint.chartYaml.data.dependencies ?? []).length > 0
  )
}

export interface LibraryCheckOptions {
  mirrors: RepositoryMirror[]
  credentialsFor?: (repository: string) => Credentials | undefined
  /** The run's index cache: the resolution reads the same index.yaml again. */
  indexes?: IndexCache
}

/**
 * Names of the dependencies that are library charts. What cannot be read (an
 * unreachable index, an OCI dependency) counts as non-library: the upstream
 * resolution or dependency build reports the real problem.
 */
export async function libraryDependencies(blueprint: Blueprint, options: LibraryCheckOptions): Promise<Set<string>> {
  const deps = blueprint.chartYaml.data.dependencies ?? []
  const chartDir = path.resolve(blueprint.workspace, blueprint.chartDir)
  const indexes = new Map<string, Promise<Record<string, { version: string; type?: unknown }[]> | undefined>>()
  const indexOf = (url: string): Promise<Record<string, { version: string; type?: unknown }[]> | undefined> => {
    if (!indexes.has(url)) {
      indexes.set(
        url,
        readIndex(url, options.credentialsFor?.(url), options.indexes)
          .then((index) => index.entries() as Record<string, { version: string; type?: unknown }[]>)
          .catch(() => undefined)
      )
    }
    return indexes.get(url)!
  }
  const verdicts = await Promise.all(
    deps.map(async (dep): Promise<boolean> => {
      if (dep.repository.startsWith('file://')) {
        const target = path.resolve(chartDir, dep.repository.slice('file://'.length))
        try {
          return (
            (yamlLibrary().parse(await readFile(path.join(target, 'Chart.yaml'), 'utf8')) as { type?: unknown } | null)
              ?.type === 'library'
          )
        } catch {
          return false
        }
      }
      const effective = applyMirrors(dep.repository, options.mirrors)
      if (!/^https?:\/\//.test(effective)) return false
      const entries = (await indexOf(effective))?.[dep.name]
      if (!Array.isArray(entries)) return false
      let exact: string | undefined
      try {
        exact = maxSatisfying(
          entries.map((entry) => String(entry.version)),
          dep.version
        )
      } catch {
        exact = undefined // not a range: the upstream resolution names the bad pin
      }
      const entry = entries.find((candidate) => String(candidate.version) === exact) ?? entries[0]
      return entry?.type === 'library'
    })
  )
  return new Set(deps.filter((_, i) => verdicts[i]).map((dep) => dep.name))
}
