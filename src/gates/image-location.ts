// Where a failing image is set, for its finding: the values.yaml key that sets
// it (the blueprint's own, else one under a dependency's key that its default
// values set), else the line of the blueprint's own template that writes it;
// and the line of a dependency in Chart.yaml.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { tryParseImageRef, type ImageRef } from '../images/image-ref.js'
import type { ImageVerdict } from '../images/images.js'
import type { YamlSource } from '../chart/yaml-source.js'
import { isRecord } from '../util/text.js'
import { repoFileForSource, valueAt, type ValuePath } from './common.js'
import type { ImageProblem } from './image-problems.js'
import type { DependencyValues } from './dependency-values.js'

/** Where the chart's images may be set. */
export interface ImageSources {
  values: YamlSource<Record<string, unknown>>
  chartName: string
  displayChartDir: string
  /** Absolute chart folder (the work copy), to find the line of an image written literally in a template. */
  chartDir?: string
  /** Default values of the dependencies by values key (dependency-values.ts): which key sets an upstream image. */
  dependencyValues?: DependencyValues
  /** The blueprint's Chart.yaml, for the dependency line of an image no values key sets. */
  chartYaml?: YamlSource<{ dependencies?: readonly unknown[] }>
}

export interface ImageValueMatch {
  path: ValuePath
  line?: number
  /** exact: a string equal to the image; repository: a `repository` (+ `registry`) naming the same repository. */
  match: 'exact' | 'repository-and-tag' | 'repository'
}

function sameRepository(a: ImageRef, b: ImageRef): boolean {
  return a.domain === b.domain && a.path === b.path
}

/** Pure: where values.yaml sets an image, best match first (document order within a rank). */
export function findImageValue(values: YamlSource<unknown>, image: string): ImageValueMatch | undefined {
  const parsed = tryParseImageRef(image)
  const ref = 'ref' in parsed ? parsed.ref : undefined
  const candidates: { path: ValuePath; rank: number; match: ImageValueMatch['match'] }[] = []
  const walk = (node: unknown, at: ValuePath): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...at, i]))
      return
    }
    if (!isRecord(node)) return
    if (ref && typeof node.repository === 'string' && node.repository !== '') {
      const registry =
        typeof node.registry === 'string' && node.registry !== '' ? `${node.registry.replace(/\/+$/, '')}/` : ''
      const named = tryParseImageRef(`${registry}${node.repository}`)
      if ('ref' in named && sameRepository(named.ref, ref)) {
        const tag = node.tag === undefined || node.tag === null ? undefined : String(node.tag)
        const hasTag = 'tag' in node
        const tagMatches = tag !== undefined && tag !== '' && tag === ref.tag
        candidates.push({
          path: hasTag ? [...at, 'tag'] : [...at, 'repository'],
          rank: tagMatches ? 2 : 1,
          match: tagMatches ? 'repository-and-tag' : 'repository'
        })
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') {
        if (value === image && image !== '') candidates.push({ path: [...at, key], rank: 3, match: 'exact' })
      } else {
        walk(value, [...at, key])
      }
    }
  }
  walk(values.data, [])
  if (candidates.length === 0) return undefined
  const best = candidates.reduce((a, b) => (b.rank > a.rank ? b : a))
  const out: ImageValueMatch = { path: best.path, match: best.match }
  const line = values.lineOf(best.path)
  if (line !== undefined) out.line = line
  return out
}

/** `<chart>/charts/<key>/…` → `<key>`: the dependency whose templates rendered a document. */
function dependencyOfSource(source: string | undefined, chartName: string): string | undefined {
  const m = source?.startsWith(`${chartName}/charts/`) ? /^[^/]+\/charts\/([^/]+)\//.exec(source) : null
  return m?.[1]
}

/** 1-based line of the first occurrence of `image` in an own template, if it is written there literally. */
function literalImageLine(chartDir: string, source: string, chartName: string, image: string): number | undefined {
  const prefix = `${chartName}/`
  if (!source.startsWith(`${prefix}templates/`)) return undefined
  let text: string
  try {
    text = readFileSync(path.join(chartDir, source.slice(prefix.length)), 'utf8')
  } catch {
    return undefined
  }
  const index = text.split('\n').findIndex((line) => line.includes(image))
  return index >= 0 ? index + 1 : undefined
}

/** The text of one line of an own template (for a copy-paste fix), without its line break. */
function templateLineText(chartDir: string, source: string, chartName: string, line: number): string | undefined {
  try {
    const lines = readFileSync(path.join(chartDir, source.slice(`${chartName}/`.length)), 'utf8').split('\n')
    return lines[line - 1]?.replace(/\r$/, '')
  } catch {
    return undefined
  }
}

/**
 * The problem of one failing image (`list`: its verdicts, one per use) with where it is set: a values key of the
 * blueprint, else of its dependency (overridable under the dependency's key), else the own template.
 * `lookup` is findImageValue on the blueprint's values.yaml (cached by the caller).
 */
export function locateProblem(
  list: readonly ImageVerdict[],
  sources: ImageSources,
  lookup: (image: string) => ImageValueMatch | undefined
): ImageProblem {
  const first = list[0]
  const problem: ImageProblem = { image: first.use.image, reason: first.reason }
  if (first.ref) problem.ref = first.ref
  const dependency = list.map((v) => dependencyOfSource(v.use.source, sources.chartName)).find((d) => d !== undefined)
  const ownSource = list.find(
    (v) => repoFileForSource(v.use.source, sources.chartName, sources.displayChartDir) !== undefined
  )?.use.source
  if (dependency && !ownSource) problem.dependency = dependency
  const match = lookup(first.use.image)
  const hasDigestKey = (root: unknown, at: ValuePath): boolean => {
    const parent = valueAt(root, at.slice(0, -1))
    return isRecord(parent) && 'digest' in parent
  }
  if (match) {
    // A key under a dependency's values may have its `digest` sibling only in the dependency's defaults.
    const depKey = typeof match.path[0] === 'string' ? sources.dependencyValues?.get(match.path[0]) : undefined
    const digestKey =
      hasDigestKey(sources.values.data, match.path) ||
      (depKey !== undefined && hasDigestKey(depKey.data, match.path.slice(1)))
    problem.valuesKey = { path: match.path, hasDigestKey: digestKey }
    if (match.line !== undefined) problem.valuesKey.line = match.line
  } else if (problem.dependency && sources.dependencyValues?.has(problem.dependency)) {
    const depValues = sources.dependencyValues.get(problem.dependency)!
    const inDependency = findImageValue(depValues, first.use.image)
    if (inDependency) {
      const full = [problem.dependency, ...inDependency.path]
      problem.valuesKey = { path: full, hasDigestKey: hasDigestKey(depValues.data, inDependency.path) }
      const line = sources.values.lineOf(full)
      if (line !== undefined) problem.valuesKey.line = line
    }
  }
  if (!problem.valuesKey && ownSource) {
    const file = repoFileForSource(ownSource, sources.chartName, sources.displayChartDir)!
    problem.template = { file }
    const line = sources.chartDir
      ? literalImageLine(sources.chartDir, ownSource, sources.chartName, first.use.image)
      : undefined
    if (line !== undefined) {
      problem.template.line = line
      const text = templateLineText(sources.chartDir!, ownSource, sources.chartName, line)
      if (text !== undefined) problem.template.text = text
    }
  }
  return problem
}

/** The line of the dependency with this values key (alias, else name) in Chart.yaml. */
export function dependencyLine(chartYaml: ImageSources['chartYaml'], key: string): number | undefined {
  const deps = chartYaml?.data.dependencies
  if (!Array.isArray(deps)) return undefined
  const index = deps.findIndex((d) => isRecord(d) && (d.alias === key || (d.alias === undefined && d.name === key)))
  return index >= 0 ? chartYaml!.lineOf(['dependencies', index]) : undefined
}
