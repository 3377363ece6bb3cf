// Gate `never-latest` (platform rule 5, "case 4"): the blueprint's own images
// (`<x>.image.tag` in values.yaml outside the upstream dependency's key) have no
// default tag, and an empty tag fails the render with an error that names the value.
// A CloudNativePG-style `<x>.imageName` (a whole reference, outside the upstream
// key) gets the same empty-value render; its default may be set (a digest-pinned
// reference is the pinning), but not to an unpinned `latest`.
//
// For each own tag, one render of the chart with `--set <x>.image.tag=` (empty).
// It uses the chart's values.yaml only, NOT the run's `values`/`set` inputs (they
// may set the tag); the other own tags that have no default get a placeholder so
// that their own `required` does not mask the one under test. The render must fail
// and its error must name the value: it contains `image.tag` and the key above it
// (`<x>`), e.g. `execution error at (…): app.image.tag is required`.
//
// Defaults (decided): a tag defaulting to `latest` (or to nothing but with the
// template falling back to latest) is an error; a tag defaulting to any other
// non-empty value is a warning ("the platform's rule is no default") — a SHA
// default still passes the images gate, and the empty-tag render still has to fail.
import type { HelmRunResult } from '../helm.js'
import type { Finding, StepResult } from '../types.js'
import type { YamlSource } from '../yaml-source.js'
import { helmErrorLine, isRecord, repoFileForSource, setPath, statusOf, templateLocation, walkValues, type ValuePath } from './common.js'

export interface OwnImageTag {
  path: ValuePath
  /** `--set` form, e.g. `app.image.tag`. */
  key: string
  default: unknown
  /** `tag`: `<x>.image.tag`; `imageName`: `<x>.imageName` (a whole image reference). */
  kind: 'tag' | 'imageName'
}

/** Pure: `<x>.image.tag` (and `<x>.imageName`) keys of values.yaml outside the upstream dependency's subtree. */
export function findOwnImageTags(values: unknown, dependencyKeys: readonly string[]): OwnImageTag[] {
  const found: OwnImageTag[] = []
  walkValues(values, (key, value, at) => {
    // The dependencies' images are their charts' business: only the blueprint's own.
    if (at.length === 0 && dependencyKeys.includes(key)) return false
    const here = [...at, key]
    if (key === 'image' && isRecord(value) && 'tag' in value) {
      const tagPath = [...here, 'tag']
      found.push({ path: tagPath, key: setPath(tagPath), default: value.tag, kind: 'tag' })
    }
    if (key === 'imageName' && at.length > 0 && (typeof value === 'string' || value === null)) {
      found.push({ path: here, key: setPath(here), default: value, kind: 'imageName' })
    }
  })
  return found
}

export type TagDefault = 'none' | 'latest' | 'value'

export function classifyTagDefault(value: unknown, kind: OwnImageTag['kind'] = 'tag'): TagDefault {
  if (value === null || value === undefined) return 'none'
  const text = String(value).trim()
  if (text === '') return 'none'
  if (kind === 'imageName') {
    // A whole reference: `latest` when tagged latest, or untagged without a digest.
    const noDigest = text.split('@')[0]!
    const lastSegment = noDigest.slice(noDigest.lastIndexOf('/') + 1)
    const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined
    return !text.includes('@') && (tag === undefined || tag === 'latest') ? 'latest' : 'value'
  }
  return text === 'latest' ? 'latest' : 'value'
}

/**
 * Pure: whether a failed render's error names the tag value: it contains
 * `image.tag` and the key above `image` (as `<x>.image.tag`, or both apart),
 * case-insensitive. For `<x>.imageName`: `imageName` and `<x>`.
 */
export function errorNamesTag(error: string, tagPath: ValuePath): boolean {
  const text = error.toLowerCase()
  const imageName = tagPath[tagPath.length - 1] === 'imageName'
  const leaf = imageName ? 'imagename' : 'image.tag'
  if (!text.includes(leaf)) return false
  const owner = imageName ? tagPath[tagPath.length - 2] : tagPath.length >= 3 ? tagPath[tagPath.length - 3] : undefined
  if (owner === undefined) return true
  const name = String(owner).toLowerCase()
  if (text.includes(`${name}.${leaf}`)) return true
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  return new RegExp(`(^|[^a-z0-9_-])${escaped}([^a-z0-9_-]|$)`).test(text)
}

export const CASE4_PLACEHOLDER_TAG = 'case4-placeholder'
export const CASE4_PLACEHOLDER_IMAGE = 'example.invalid/case4-placeholder:case4-placeholder'

/** Arguments after `template <release> <chart> --namespace <ns>` for the case-4 render of one tag. */
export function case4Args(tag: OwnImageTag, all: readonly OwnImageTag[]): string[] {
  const args: string[] = []
  for (const other of all) {
    if (other.key === tag.key || classifyTagDefault(other.default, other.kind) !== 'none') continue
    args.push('--set', `${other.key}=${other.kind === 'imageName' ? CASE4_PLACEHOLDER_IMAGE : CASE4_PLACEHOLDER_TAG}`)
  }
  args.push('--set', `${tag.key}=`)
  return args
}

export interface OwnImageData {
  path: string
  kind: 'tag' | 'imageName'
  line?: number
  default: unknown
  defaultKind: TagDefault
  case4: {
    /** True when the empty-tag render (wrongly) succeeded. */
    rendered: boolean
    error?: string
    namesValue: boolean
  }
}

export interface NeverLatestData {
  images: OwnImageData[]
}

export interface NeverLatestInput {
  tags: OwnImageTag[]
  renders: HelmRunResult[]
  values: YamlSource<Record<string, unknown>>
  chartName: string
  displayChartDir: string
  durationMs: number
}

export function neverLatestStep(input: NeverLatestInput): StepResult<NeverLatestData> {
  const { tags, values } = input
  if (tags.length === 0) {
    return {
      id: 'never-latest',
      title: 'Never :latest (case 4)',
      status: 'skipped',
      durationMs: 0,
      summary: "no image values of the blueprint's own",
      findings: [],
      data: { images: [] }
    }
  }
  const findings: Finding[] = []
  const images = tags.map((tag, i): OwnImageData => {
    const line = values.lineOf(tag.path)
    const at: { file: string; line?: number } = { file: values.displayPath }
    if (line !== undefined) at.line = line
    const defaultKind = classifyTagDefault(tag.default, tag.kind)
    const result = input.renders[i]!
    const rendered = result.exitCode === 0
    const error = rendered ? undefined : helmErrorLine(result.stderr, result.stdout)
    const namesValue = error !== undefined && errorNamesTag(error, tag.path)
    const data: OwnImageData = { path: tag.key, kind: tag.kind, default: tag.default, defaultKind, case4: { rendered, namesValue } }
    if (line !== undefined) data.line = line
    if (error !== undefined) data.case4.error = error

    if (defaultKind === 'latest') {
      findings.push({
        rule: 'image-tag-default',
        severity: 'error',
        message: `${tag.key} defaults to ${tag.kind === 'imageName' ? `${String(tag.default)} (latest, no digest)` : 'latest'}: never ship :latest.`,
        fix:
          tag.kind === 'imageName'
            ? `Pin ${tag.key} by digest (repo:tag@sha256:…) or leave it empty and make the template \`required\`.`
            : `Remove the default (${tag.key}: "") and make the template \`required\`; CI sets a commit SHA.`,
        ...at
      })
    } else if (defaultKind === 'value' && tag.kind === 'tag') {
      findings.push({
        rule: 'image-tag-default',
        severity: 'warning',
        message: `${tag.key} has a default (${String(tag.default)}); the platform's rule is no default.`,
        fix: `Set ${tag.key}: "" and let CI set the tag (the template must \`required\` it).`,
        ...at
      })
    }
    if (rendered) {
      findings.push({
        rule: 'image-tag-required',
        severity: 'error',
        message: `An empty ${tag.key} renders (case 4): add \`required\` to the template.`,
        fix: `Wrap the value in \`required\` where the template reads it.`,
        snippet: { language: 'yaml', label: 'where the template reads the value:', text: `{{ required "${tag.key} is required" .Values.${tag.key} }}` },
        ...at
      })
    } else if (!namesValue) {
      const finding: Finding = {
        rule: 'image-tag-required',
        severity: 'error',
        message: `Rendering with an empty ${tag.key} fails, but the error does not name ${tag.key}: ${error}`,
        fix: `Use {{ required "${tag.key} is required" .Values.${tag.key} }}; case 4 renders with the chart's own values.yaml only (not the values/set inputs).`,
        snippet: { language: 'yaml', text: `{{ required "${tag.key} is required" .Values.${tag.key} }}` }
      }
      const where = error ? templateLocation(error, input.chartName) : undefined
      const file = where ? repoFileForSource(where.source, input.chartName, input.displayChartDir) : undefined
      if (file && where) {
        finding.file = file
        finding.line = where.line
      } else {
        Object.assign(finding, at)
      }
      findings.push(finding)
    }
    return data
  })
  const failing = images.filter((img) => img.case4.rendered || !img.case4.namesValue).length
  const withDefault = images.filter((img) => img.defaultKind !== 'none').length
  const n = images.length
  let summary = failing === 0 ? `${n} own image value${n === 1 ? '' : 's'}: empty fails the render` : `${failing} of ${n} own image values: empty does not fail the render with its name`
  if (withDefault > 0) summary += `; ${withDefault} with a default`
  return { id: 'never-latest', title: 'Never :latest (case 4)', status: statusOf(findings), durationMs: input.durationMs, summary, findings, data: { images } }
}
