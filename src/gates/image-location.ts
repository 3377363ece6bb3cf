// Where a failing image is set, for its finding: the values key that sets it,
// found the way helm reads values (the blueprint's values.yaml over each
// dependency's defaults with its subcharts', aliases as keys, globals passed
// down; `image: {registry, repository, tag}`, `image: "<ref>"` and
// `{image, tag}` forms), else the line of the blueprint's own template that
// writes it; and the line of a dependency in Chart.yaml.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { tryParseImageRef, type ImageRef } from '../images/image-ref.js'
import type { ImageVerdict } from '../images/images.js'
import type { YamlSource } from '../chart/yaml-source.js'
import { isRecord } from '../util/text.js'
import { repoFileForSource, valueAt, type ValuePath } from './common.js'
import type { ImageProblem } from './image-problems.js'
import { coalesceValues, type DependencyValues } from './dependency-values.js'

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

/**
 * The values helm renders the chart with, as far as its files say: each dependency's defaults (its subcharts'
 * beneath) under its values key with the blueprint's values over them and the blueprint's `global` passed down,
 * and the blueprint's own values. Pure.
 */
export function effectiveValues(values: unknown, dependencies?: DependencyValues): unknown {
  if (!dependencies || !isRecord(values)) return values
  const out: Record<string, unknown> = { ...values }
  for (const key of dependencies.keys()) {
    const defaults = dependencies.get(key)?.data
    if (defaults === undefined || values[key] === null) continue
    let merged = coalesceValues(defaults, values[key])
    if (isRecord(merged) && isRecord(values.global))
      merged = { ...merged, global: coalesceValues(merged.global, values.global) }
    out[key] = merged
  }
  return out
}

/** Registry overrides a chart scope's `global` may hold (`global.imageRegistry`, `global.image.registry`, …). */
function globalRegistries(global: unknown): string[] {
  if (!isRecord(global)) return []
  const found = [global.imageRegistry, global.registry, isRecord(global.image) ? global.image.registry : undefined]
  return found.filter((r): r is string => typeof r === 'string' && r !== '')
}

const REGISTRY_KEYS = new Set(['repository', 'registry'])

interface Candidate {
  path: ValuePath
  rank: number
  match: ImageValueMatch['match']
}

/** Where `node` (a mapping) sets the image, by the forms charts use; registries: the enclosing scopes' globals. */
function nodeCandidates(
  node: Record<string, unknown>,
  at: ValuePath,
  ref: ImageRef,
  registries: readonly string[]
): Candidate[] {
  const out: Candidate[] = []
  const names = (name: string, own: unknown): ImageRef[] => {
    const prefixes = [...(typeof own === 'string' && own !== '' ? [own] : []), ...registries, '']
    return prefixes
      .map((prefix) => tryParseImageRef(prefix === '' ? name : `${prefix.replace(/\/+$/, '')}/${name}`))
      .flatMap((parsed) => ('ref' in parsed ? [parsed.ref] : []))
  }
  const tagged = (repositoryKey: string): void => {
    const tag = node.tag === undefined || node.tag === null ? undefined : String(node.tag)
    const tagMatches = tag !== undefined && tag !== '' && tag === ref.tag
    // The tag goes to `tag` (the key every chart of this form reads), also when only the chart's template defaults it.
    const key = 'tag' in node || repositoryKey === 'repository' ? 'tag' : repositoryKey
    out.push({
      path: [...at, key],
      rank: tagMatches ? 2 : 1,
      match: tagMatches ? 'repository-and-tag' : 'repository'
    })
  }
  // image: {registry, repository, tag}
  if (typeof node.repository === 'string' && node.repository !== '') {
    if (names(node.repository, node.registry).some((named) => sameRepository(named, ref))) tagged('repository')
  }
  // {image: "<repository>", tag} (a component's image and tag side by side)
  if (typeof node.image === 'string' && node.image !== '' && 'tag' in node) {
    if (names(node.image, node.registry).some((named) => sameRepository(named, ref))) tagged('image')
  }
  return out
}

/**
 * Pure: where a values tree sets an image, best match first. `tree` is what helm renders with (effectiveValues;
 * default: the file's own data); lines come from `values`, the blueprint's file (none for a key only a
 * dependency's defaults hold). `prefer`: the values key of the dependency whose templates use the image.
 */
export function findImageValue(
  values: YamlSource<unknown>,
  image: string,
  tree: unknown = values.data,
  prefer?: string
): ImageValueMatch | undefined {
  const parsed = tryParseImageRef(image)
  const ref = 'ref' in parsed ? parsed.ref : undefined
  const candidates: Candidate[] = []
  const walk = (node: unknown, at: ValuePath, registries: readonly string[]): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...at, i], registries))
      return
    }
    if (!isRecord(node)) return
    const scope = [...globalRegistries(node.global), ...registries]
    if (ref) candidates.push(...nodeCandidates(node, at, ref, scope))
    for (const [key, value] of Object.entries(node)) {
      if (typeof value === 'string') {
        // `repository: <ref>` beside a `tag` is the repository form's, which points at the tag.
        const partOfForm = REGISTRY_KEYS.has(key) && 'tag' in node
        if (value === image && image !== '' && !partOfForm)
          candidates.push({ path: [...at, key], rank: 3, match: 'exact' })
      } else if (key !== 'global') {
        walk(value, [...at, key], scope)
      }
    }
  }
  walk(tree, [], [])
  if (candidates.length === 0) return undefined
  // Rank first; then a key under the dependency that renders the image, then one the blueprint's file writes.
  const score = (c: Candidate): number =>
    c.rank * 4 + (prefer !== undefined && c.path[0] === prefer ? 2 : 0) + (values.lineOf(c.path) !== undefined ? 1 : 0)
  const best = candidates.reduce((a, b) => (score(b) > score(a) ? b : a))
  const out: ImageValueMatch = { path: best.path, match: best.match }
  const line = values.lineOf(best.path)
  if (line !== undefined) out.line = line
  return out
}

/** A values key whose repository repeats its registry's host, and the repository without it. */
export interface DoubledRegistry {
  path: ValuePath
  line?: number
  repository: string
}

/**
 * Pure: for an image whose path repeats its registry host (`registry.k8s.io/registry.k8s.io/…`, which no registry
 * serves), the `repository` key that repeats it: one beside a `registry` (or under a global registry) that it
 * starts with.
 */
export function findDoubledRegistry(
  values: YamlSource<unknown>,
  ref: ImageRef,
  tree: unknown = values.data
): DoubledRegistry | undefined {
  let found: DoubledRegistry | undefined
  const walk = (node: unknown, at: ValuePath, registries: readonly string[]): void => {
    if (found) return
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...at, i], registries))
      return
    }
    if (!isRecord(node)) return
    const scope = [...globalRegistries(node.global), ...registries]
    const repository = node.repository
    if (typeof repository === 'string') {
      const own = typeof node.registry === 'string' && node.registry !== '' ? [node.registry] : []
      for (const registry of [...own, ...scope].map((r) => r.replace(/\/+$/, ''))) {
        if (!repository.startsWith(`${registry}/`)) continue
        const named = tryParseImageRef(`${registry}/${repository}`)
        if (!('ref' in named) || !sameRepository(named.ref, ref)) continue
        found = { path: [...at, 'repository'], repository: repository.slice(registry.length + 1) }
        const line = values.lineOf(found.path)
        if (line !== undefined) found.line = line
        return
      }
    }
    for (const [key, value] of Object.entries(node)) if (key !== 'global') walk(value, [...at, key], scope)
  }
  walk(tree, [], [])
  return found
}

/** Whether an image's path starts with its own registry host again (`registry.k8s.io/registry.k8s.io/x`). */
export function repeatsRegistry(ref: ImageRef): boolean {
  const first = ref.path.split('/')[0]
  return ref.path.includes('/') && first.toLowerCase() === ref.domain.toLowerCase()
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
  lookup: (image: string, prefer?: string) => ImageValueMatch | undefined,
  tree: unknown = sources.values.data
): ImageProblem {
  const first = list[0]
  const problem: ImageProblem = { image: first.use.image, reason: first.reason }
  if (first.ref) problem.ref = first.ref
  const dependency = list.map((v) => dependencyOfSource(v.use.source, sources.chartName)).find((d) => d !== undefined)
  const ownSource = list.find(
    (v) => repoFileForSource(v.use.source, sources.chartName, sources.displayChartDir) !== undefined
  )?.use.source
  if (dependency && !ownSource) problem.dependency = dependency
  const match = lookup(first.use.image, problem.dependency)
  if (match) {
    // A `digest` beside the key, in the blueprint's values or in the dependency's defaults: the pin goes there.
    const parent = valueAt(tree, match.path.slice(0, -1))
    problem.valuesKey = { path: match.path, hasDigestKey: isRecord(parent) && 'digest' in parent }
    if (match.line !== undefined) problem.valuesKey.line = match.line
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
