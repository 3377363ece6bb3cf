// Gate `images` (platform rule 5): every image of the default render satisfies the
// image policy, unless an allowlist pattern covers it (its reason is kept).
//
// Where a finding points: the values.yaml line that sets the image when one is
// found (a string equal to the image, or an `image` map whose `repository`
// (with `registry`, if any) names the same repository — then its `tag` line);
// else the blueprint's own template (`<chart>/templates/x.yaml`); templates of
// subcharts have no file in the repository, their source stays in the message.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { tryParseImageRef, type ImageRef } from '../image-ref.js'
import { checkImages, extractImages, groupFailing, imageFinding, type ImagePolicy, type ImageVerdict } from '../images.js'
import type { AllowlistEntry } from '../inputs.js'
import type { Finding, RenderedDocument, StepResult } from '../types.js'
import type { YamlSource } from '../yaml-source.js'
import { isRecord, repoFileForSource, setPath, type ValuePath } from './common.js'

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
      const registry = typeof node.registry === 'string' && node.registry !== '' ? `${node.registry.replace(/\/+$/, '')}/` : ''
      const named = tryParseImageRef(`${registry}${node.repository}`)
      if ('ref' in named && sameRepository(named.ref, ref)) {
        const tag = node.tag === undefined || node.tag === null ? undefined : String(node.tag)
        const hasTag = 'tag' in node
        const tagMatches = tag !== undefined && tag !== '' && tag === ref.tag
        candidates.push({ path: hasTag ? [...at, 'tag'] : [...at, 'repository'], rank: tagMatches ? 2 : 1, match: tagMatches ? 'repository-and-tag' : 'repository' })
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

export interface ImageData {
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
  durationMs: number
}

/** 1-based line of the first occurrence of `image` in an own template, if it is written there literally. */
export function literalImageLine(chartDir: string, source: string, chartName: string, image: string): number | undefined {
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

export function imagesStep(input: ImagesInput): { step: StepResult<ImagesData>; verdicts: ImageVerdict[] } {
  const { policy, values } = input
  const uses = extractImages([...input.documents])
  const verdicts = checkImages(uses, policy, input.allowlist.map((entry) => entry.pattern))
  const reasonOf = (pattern: string | undefined): string | undefined => input.allowlist.find((e) => e.pattern === pattern)?.reason

  const lookups = new Map<string, ImageValueMatch | undefined>()
  const lookup = (image: string): ImageValueMatch | undefined => {
    if (!lookups.has(image)) lookups.set(image, findImageValue(values, image))
    return lookups.get(image)
  }

  const images: ImageData[] = verdicts.map((v) => {
    const d: ImageData = { image: v.use.image, kind: v.use.kind, name: v.use.name, field: v.use.field, ok: v.ok, reason: v.reason }
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

  // One finding per failing image reference, placed at the value that sets it or at the template.
  const findings: Finding[] = []
  for (const list of groupFailing(verdicts)) {
    const finding = imageFinding(list, policy)
    delete finding.file
    const match = lookup(list[0]!.use.image)
    const ownTemplate = list.map((v) => repoFileForSource(v.use.source, input.chartName, input.displayChartDir)).find((f) => f !== undefined)
    if (match) {
      finding.file = values.displayPath
      if (match.line !== undefined) finding.line = match.line
      finding.message += ` Set by ${setPath(match.path)} in ${values.displayPath}.`
    } else if (ownTemplate) {
      finding.file = ownTemplate
      const source = list.find((v) => repoFileForSource(v.use.source, input.chartName, input.displayChartDir) === ownTemplate)?.use.source
      const line = input.chartDir && source ? literalImageLine(input.chartDir, source, input.chartName, list[0]!.use.image) : undefined
      if (line !== undefined) finding.line = line
    }
    findings.push(finding)
  }
  const allowedSeen = new Set<string>()
  for (const v of verdicts) {
    if (!v.allowedBy || allowedSeen.has(v.use.image)) continue
    allowedSeen.add(v.use.image)
    const reason = reasonOf(v.allowedBy)
    findings.push({ rule: 'image-allowlisted', severity: 'notice', message: `Image ${v.use.image} is allowed by pattern ${v.allowedBy}${reason ? `: ${reason}` : ''}.` })
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
  return { step: { id: 'images', title: 'Images pinned', status, durationMs: input.durationMs, summary, findings, data }, verdicts }
}
