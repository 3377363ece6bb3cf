// Gate `images` (docs/rules.md rule 5): every image of the default render satisfies the
// image policy, unless an allowlist pattern covers it (its reason is kept).
//
// Where a finding points: the values.yaml line that sets the image when one is
// found (a string equal to the image, or an `image` map whose `repository`
// (with `registry`, if any) names the same repository — then its `tag` line);
// else the blueprint's own template (`<chart>/templates/x.yaml`); templates of
// subcharts have no file in the repository, their source stays in the message.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { tryParseImageRef, type ImageRef } from '../images/image-ref.js'
import {
  checkImages,
  extractImages,
  groupFailing,
  type AllowlistEntry,
  type ImagePolicy,
  type ImageVerdict
} from '../images/images.js'
import type { Finding, RenderedDocument, StepResult } from '../types.js'
import type { YamlSource } from '../chart/yaml-source.js'
import { displayJoin, repoFileForSource, setPath, valueAt, type ValuePath } from './common.js'
import { problemFindings, type ImageProblem } from './image-problems.js'
import { skippedStep, type Gate } from './contract.js'
import { loadDependencyValues } from './dependency-values.js'
import { isRecord } from '../util/text.js'

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

interface ImageData {
  image: string
  kind: string
  name: string
  container?: string
  field: string
  source?: string
  ok: boolean
  reason: string
  allowedBy?: string
  allowReason?: string
  /** The values.yaml value that sets it, when found (for failing images). */
  valuesPath?: string
  valuesLine?: number
  /** The exact pinned reference, when input resolve-digests looked it up. */
  pinned?: string
  /** Why the lookup of resolve-digests failed. */
  pinError?: string
}

export interface ImagesData {
  policy: ImagePolicy
  /** Distinct image references. */
  total: number
  pinned: number
  allowed: number
  failing: number
  images: ImageData[]
}

export interface ImagesInput {
  documents: readonly RenderedDocument[]
  policy: ImagePolicy
  allowlist: readonly AllowlistEntry[]
  values: YamlSource<Record<string, unknown>>
  chartName: string
  displayChartDir: string
  /** Absolute chart folder (the work copy), to find the line of an image written literally in a template. */
  chartDir?: string
  /** Default values of the dependencies by values key (dependency-values.ts): which key sets an upstream image. */
  dependencyValues?: ReadonlyMap<string, YamlSource<unknown>>
  /** The blueprint's Chart.yaml, for the dependency line of an image no values key sets. */
  chartYaml?: YamlSource<{ dependencies?: readonly unknown[] }>
  durationMs: number
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

export function imagesStep(input: ImagesInput): { step: StepResult<ImagesData>; verdicts: ImageVerdict[] } {
  const { policy, values } = input
  const uses = extractImages([...input.documents])
  const verdicts = checkImages(
    uses,
    policy,
    input.allowlist.map((entry) => entry.pattern)
  )
  const reasonOf = (pattern: string | undefined): string | undefined =>
    input.allowlist.find((e) => e.pattern === pattern)?.reason

  const lookups = new Map<string, ImageValueMatch | undefined>()
  const lookup = (image: string): ImageValueMatch | undefined => {
    if (!lookups.has(image)) lookups.set(image, findImageValue(values, image))
    return lookups.get(image)
  }

  const images: ImageData[] = verdicts.map((v) => {
    const d: ImageData = {
      image: v.use.image,
      kind: v.use.kind,
      name: v.use.name,
      field: v.use.field,
      ok: v.ok,
      reason: v.reason
    }
    if (v.use.container !== undefined) d.container = v.use.container
    if (v.use.source !== undefined) d.source = v.use.source
    if (v.allowedBy !== undefined) {
      d.allowedBy = v.allowedBy
      const reason = reasonOf(v.allowedBy)
      if (reason !== undefined) d.allowReason = reason
    }
    if (!v.ok) {
      const match = lookup(v.use.image)
      if (match) {
        d.valuesPath = setPath(match.path)
        if (match.line !== undefined) d.valuesLine = match.line
      }
    }
    return d
  })

  // Where each failing image is set: a values key of the blueprint, else of its
  // dependency (overridable under the dependency's key), else the own template.
  const problems: ImageProblem[] = []
  for (const list of groupFailing(verdicts)) {
    const first = list[0]
    const problem: ImageProblem = { image: first.use.image, reason: first.reason }
    if (first.ref) problem.ref = first.ref
    const dependency = list.map((v) => dependencyOfSource(v.use.source, input.chartName)).find((d) => d !== undefined)
    const ownSource = list.find(
      (v) => repoFileForSource(v.use.source, input.chartName, input.displayChartDir) !== undefined
    )?.use.source
    if (dependency && !ownSource) problem.dependency = dependency
    const match = lookup(first.use.image)
    const hasDigestKey = (root: unknown, at: ValuePath): boolean => {
      const parent = valueAt(root, at.slice(0, -1))
      return isRecord(parent) && 'digest' in parent
    }
    if (match) {
      // A key under a dependency's values may have its `digest` sibling only in the dependency's defaults.
      const depKey = typeof match.path[0] === 'string' ? input.dependencyValues?.get(match.path[0]) : undefined
      const digestKey =
        hasDigestKey(values.data, match.path) ||
        (depKey !== undefined && hasDigestKey(depKey.data, match.path.slice(1)))
      problem.valuesKey = { path: match.path, hasDigestKey: digestKey }
      if (match.line !== undefined) problem.valuesKey.line = match.line
    } else if (problem.dependency && input.dependencyValues?.has(problem.dependency)) {
      const depValues = input.dependencyValues.get(problem.dependency)!
      const inDependency = findImageValue(depValues, first.use.image)
      if (inDependency) {
        const full = [problem.dependency, ...inDependency.path]
        problem.valuesKey = { path: full, hasDigestKey: hasDigestKey(depValues.data, inDependency.path) }
        const line = values.lineOf(full)
        if (line !== undefined) problem.valuesKey.line = line
      }
    }
    if (!problem.valuesKey && ownSource) {
      const file = repoFileForSource(ownSource, input.chartName, input.displayChartDir)!
      problem.template = { file }
      const line = input.chartDir
        ? literalImageLine(input.chartDir, ownSource, input.chartName, first.use.image)
        : undefined
      if (line !== undefined) {
        problem.template.line = line
        const text = templateLineText(input.chartDir!, ownSource, input.chartName, line)
        if (text !== undefined) problem.template.text = text
      }
    }
    for (const d of images) {
      if (d.image !== first.use.image || !problem.valuesKey) continue
      d.valuesPath = setPath(problem.valuesKey.path)
      if (problem.valuesKey.line !== undefined) d.valuesLine = problem.valuesKey.line
      else delete d.valuesLine
    }
    problems.push(problem)
  }
  const chartFile = input.chartYaml?.displayPath ?? displayJoin(input.displayChartDir, 'Chart.yaml')
  const dependencyLine = (key: string): number | undefined => {
    const deps = input.chartYaml?.data.dependencies
    if (!Array.isArray(deps)) return undefined
    const index = deps.findIndex((d) => isRecord(d) && (d.alias === key || (d.alias === undefined && d.name === key)))
    return index >= 0 ? input.chartYaml!.lineOf(['dependencies', index]) : undefined
  }
  const findings: Finding[] = problemFindings(problems, {
    policy,
    valuesFile: values.displayPath,
    valuesLineOf: (at) => values.lineOf(at),
    chartFile,
    dependencyLine
  })
  // Allow-listed images: one notice for all of them (the images table lists each).
  const allowedSeen = new Map<string, string>()
  for (const v of verdicts) {
    if (!v.allowedBy || allowedSeen.has(v.use.image)) continue
    const reason = reasonOf(v.allowedBy)
    allowedSeen.set(v.use.image, `\`${v.use.image}\` (pattern \`${v.allowedBy}\`${reason ? `: ${reason}` : ''})`)
  }
  if (allowedSeen.size > 0) {
    const shown = [...allowedSeen.values()].slice(0, 10).join(', ')
    const more = allowedSeen.size > 10 ? `, and ${allowedSeen.size - 10} more` : ''
    const n = allowedSeen.size
    findings.push({
      rule: 'image-allowlisted',
      severity: 'notice',
      message: `${n} image${n === 1 ? ' is' : 's are'} allowed by the image allowlist: ${shown}${more}.`
    })
  }

  const distinct = new Map<string, ImageVerdict>()
  for (const v of verdicts) if (!distinct.has(v.use.image) || !v.ok) distinct.set(v.use.image, v)
  const total = distinct.size
  const failing = [...distinct.values()].filter((v) => !v.ok).length
  const allowed = [...distinct.values()].filter((v) => v.ok && v.allowedBy !== undefined).length
  const pinned = total - failing - allowed
  const data: ImagesData = { policy, total, pinned, allowed, failing, images }
  const noun = `image${total === 1 ? '' : 's'}`
  let summary: string
  if (policy === 'off') summary = `${total} ${noun}; image policy off`
  else if (failing > 0) summary = `${failing} of ${total} ${noun} not pinned (policy ${policy})`
  else summary = `${total} ${noun}, ${pinned} pinned${allowed > 0 ? `, ${allowed} allow-listed` : ''}`
  const status = policy === 'off' ? 'skipped' : failing > 0 ? 'failed' : 'passed'
  return {
    step: { id: 'images', title: 'Images pinned', status, durationMs: input.durationMs, summary, findings, data },
    verdicts
  }
}

/** The gate: the policy on the images of the shared default render; no process of its own. */
export const imagesGate: Gate = {
  id: 'images',
  async plan(pc) {
    const { ctx } = pc
    const dependencyValues = await loadDependencyValues(ctx.chartDir)
    return {
      jobs: [],
      finish() {
        const render = pc.defaultRender.get()
        if (render.result.exitCode !== 0)
          return { step: skippedStep('images', 'Images pinned', 'skipped: the default render failed') }
        const { step, verdicts } = imagesStep({
          documents: render.documents,
          policy: ctx.imagePolicy,
          allowlist: ctx.imageAllowlist,
          values: ctx.values,
          chartName: ctx.chartName,
          displayChartDir: ctx.displayChartDir,
          chartDir: ctx.chartDir,
          dependencyValues,
          chartYaml: ctx.chartYaml,
          durationMs: render.result.durationMs
        })
        return { step, images: verdicts }
      }
    }
  }
}
