// Gate `never-latest` (docs/rules.md rule 5, "never :latest"): an image value of the
// blueprint's own (`<x>.image.tag`, or a CloudNativePG-style `<x>.imageName`
// holding a whole reference, in values.yaml outside every dependency's key)
// whose default is EMPTY or `latest` must be supplied by CI, so rendering with it
// empty has to fail with an error that names the value (a `required` in the
// template). A value with any other default (a pinned third-party image such as
// the CNPG Cluster's `imageName`) is not this rule's business: the image policy
// judges the rendered reference; at most a notice says an empty override renders.
//
// For each own value, one render of the chart with `--set <value>=` (empty). It
// uses the chart's values.yaml only, NOT the run's `values`/`set` inputs (they
// may set the tag); the other own values without a default get a placeholder so
// their own `required` does not mask the one under test. A failing finding names
// the template file and line that uses the value (where the `required` goes).
//
// Severity: input `never-latest` (error, the default; warning; off: not run).
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import type { HelmRunResult } from '../helm/helm.js'
import type { Finding, StepResult } from '../types.js'
import type { YamlSource } from '../chart/yaml-source.js'
import { compareCodePoints, isRecord } from '../util/text.js'
import {
  displayJoin,
  helmErrorLine,
  repoFileForSource,
  setPath,
  statusOf,
  templateLocation,
  walkValues,
  type ValuePath
} from './common.js'
import { renderJob, wall, type Gate } from './contract.js'

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
    const noDigest = text.split('@')[0]
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

const CASE4_PLACEHOLDER_TAG = 'case4-placeholder'
const CASE4_PLACEHOLDER_IMAGE = 'example.invalid/case4-placeholder:case4-placeholder'

/** Arguments after `template <release> <chart> --namespace <ns>` for the empty-value render of one own image value. */
export function case4Args(tag: OwnImageTag, all: readonly OwnImageTag[]): string[] {
  const args: string[] = []
  for (const other of all) {
    if (other.key === tag.key || classifyTagDefault(other.default, other.kind) !== 'none') continue
    args.push('--set', `${other.key}=${other.kind === 'imageName' ? CASE4_PLACEHOLDER_IMAGE : CASE4_PLACEHOLDER_TAG}`)
  }
  args.push('--set', `${tag.key}=`)
  return args
}

/** Where a template uses a value: a file of the repository (workspace-relative) and a 1-based line. */
interface ValueUsage {
  file: string
  line: number
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/**
 * Pure: the first line of the templates that uses an own image value:
 * `.Values.<path>` written out; else, inside a file that mentions
 * `.Values.<first key>`, the value's leaf as a field of a `with`/`range`/helper
 * scope (`.image.tag`, then `.tag`; `.imageName`). Templates are (path relative
 * to the chart, text) pairs, in a stable order.
 */
export function findValueUsage(
  templates: readonly (readonly [string, string])[],
  valuePath: ValuePath
): { template: string; line: number } | undefined {
  const keys = valuePath.map(String)
  const full = new RegExp(`\\.Values\\.${keys.map(escapeRegExp).join('\\.')}(?![A-Za-z0-9_])`)
  const leaf = keys[keys.length - 1]
  const scoped = leaf === 'tag' && keys.length >= 2 ? [`.${keys[keys.length - 2]}.tag`, '.tag'] : [`.${leaf}`]
  const scopedPatterns = scoped.map((text) => new RegExp(`${escapeRegExp(text)}(?![A-Za-z0-9_])`))
  const rootMention = new RegExp(`\\.Values\\.${escapeRegExp(keys[0])}(?![A-Za-z0-9_])`)
  const lineOf = (text: string, pattern: RegExp): number | undefined => {
    const index = text.split('\n').findIndex((line) => pattern.test(line))
    return index < 0 ? undefined : index + 1
  }
  for (const [template, text] of templates) {
    const line = lineOf(text, full)
    if (line !== undefined) return { template, line }
  }
  for (const pattern of scopedPatterns) {
    for (const [template, text] of templates) {
      if (!rootMention.test(text)) continue
      const line = lineOf(text, pattern)
      if (line !== undefined) return { template, line }
    }
  }
  return undefined
}

/** The chart's own templates (templates/**, never charts/), as (chart-relative path, text), sorted. */
async function readOwnTemplates(chartDir: string): Promise<[string, string][]> {
  const out: [string, string][] = []
  const walk = async (relative: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(path.join(chartDir, relative), { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries.sort((a, b) => compareCodePoints(a.name, b.name))) {
      const child = `${relative}/${entry.name}`
      if (entry.isDirectory()) await walk(child)
      else if (entry.isFile() && /\.(ya?ml|tpl|txt)$/.test(entry.name))
        out.push([child, await readFile(path.join(chartDir, child), 'utf8')])
    }
  }
  await walk('templates')
  return out
}

/** Usage of each own image value (by `--set` key) in the chart's own templates. */
async function findValueUsages(
  chartDir: string,
  displayChartDir: string,
  tags: readonly OwnImageTag[]
): Promise<Map<string, ValueUsage>> {
  const usages = new Map<string, ValueUsage>()
  if (tags.length === 0) return usages
  const templates = await readOwnTemplates(chartDir)
  for (const tag of tags) {
    const found = findValueUsage(templates, tag.path)
    if (found) usages.set(tag.key, { file: displayJoin(displayChartDir, found.template), line: found.line })
  }
  return usages
}

interface OwnImageData {
  path: string
  kind: 'tag' | 'imageName'
  line?: number
  default: unknown
  defaultKind: TagDefault
  /** True when the rule applies: the default is empty or `latest`. */
  judged: boolean
  /** The template line that uses the value, when found. */
  usage?: ValueUsage
  case4: {
    /** True when the empty-value render (wrongly, for a judged value) succeeded. */
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
  /** From findValueUsages: where each value (by key) is used in the templates. */
  usages?: ReadonlyMap<string, ValueUsage>
  /** Severity of the rule's findings (input never-latest); default error. */
  severity?: 'error' | 'warning'
}

const NEVER_LATEST_TITLE = 'Never :latest'
/** The fence language of a template line: a Go template, not YAML. */
const GO_TEMPLATE = 'gotmpl'

function neverLatestSkipped(summary: string): StepResult<NeverLatestData> {
  return {
    id: 'never-latest',
    title: NEVER_LATEST_TITLE,
    status: 'skipped',
    durationMs: 0,
    summary,
    findings: [],
    data: { images: [] }
  }
}

export function neverLatestStep(input: NeverLatestInput): StepResult<NeverLatestData> {
  const { tags, values } = input
  if (tags.length === 0) return neverLatestSkipped("no image values of the blueprint's own")
  const severity = input.severity ?? 'error'
  const findings: Finding[] = []
  const images = tags.map((tag, i): OwnImageData => {
    const line = values.lineOf(tag.path)
    const inValues: { file: string; line?: number } = { file: values.displayPath }
    if (line !== undefined) inValues.line = line
    const usage = input.usages?.get(tag.key)
    // The fix goes where the template uses the value; values.yaml when no template line was found.
    const inTemplate: { file: string; line?: number } = usage ? { file: usage.file, line: usage.line } : inValues
    const defaultWhere = `${values.displayPath}${line !== undefined ? `:${line}` : ''}`
    const defaultKind = classifyTagDefault(tag.default, tag.kind)
    const judged = defaultKind !== 'value'
    const result = input.renders[i]
    const rendered = result.exitCode === 0
    const error = rendered ? undefined : helmErrorLine(result.stderr, result.stdout)
    const namesValue = error !== undefined && errorNamesTag(error, tag.path)
    const data: OwnImageData = {
      path: tag.key,
      kind: tag.kind,
      default: tag.default,
      defaultKind,
      judged,
      case4: { rendered, namesValue }
    }
    if (line !== undefined) data.line = line
    if (usage) data.usage = usage
    if (error !== undefined) data.case4.error = error
    const required = `{{ required "${tag.key} is required" .Values.${tag.key} }}`

    if (!judged) {
      // A default that is neither empty nor latest: the image policy judges what renders.
      if (rendered) {
        findings.push({
          rule: 'image-empty-renders',
          severity: 'notice',
          message: `${tag.key} defaults to ${String(tag.default)} (judged by the image policy); an empty override would render.`,
          fix: `To make an empty value fail: ${required}`,
          ...inTemplate
        })
      }
      return data
    }
    if (defaultKind === 'latest') {
      findings.push({
        rule: 'image-tag-default',
        severity,
        message: `${tag.key} defaults to ${tag.kind === 'imageName' ? `${String(tag.default)} (latest, no digest)` : 'latest'}: never ship :latest.`,
        fix:
          tag.kind === 'imageName'
            ? `Pin ${tag.key} by digest (repo:tag@sha256:…) or leave it empty and make the template \`required\`.`
            : `Remove the default (${tag.key}: "") and make the template \`required\`; CI sets a commit SHA.`,
        ...inValues
      })
    }
    if (rendered) {
      // Said once: the message the problem, the fix the action (the finding's file and line say where), the snippet the code.
      findings.push({
        rule: 'image-tag-required',
        severity,
        message: `An empty ${tag.key} renders: it has no default (${defaultWhere}), CI sets it, and an install without it would run :latest.`,
        fix: usage
          ? 'wrap the value in `required` on this template line'
          : `wrap \`.Values.${tag.key}\` in \`required\` where the templates read it`,
        snippet: { language: GO_TEMPLATE, text: required },
        ...inTemplate
      })
    } else if (!namesValue) {
      const finding: Finding = {
        rule: 'image-tag-required',
        severity,
        message: `Rendering with an empty ${tag.key} fails, but the error does not name ${tag.key}: ${error}`,
        fix: "make the template's `required` message name the value (this render uses the chart's own values.yaml only, not the values/set inputs)",
        snippet: { language: GO_TEMPLATE, text: required }
      }
      const where = error ? templateLocation(error, input.chartName) : undefined
      const file = where ? repoFileForSource(where.source, input.chartName, input.displayChartDir) : undefined
      if (file && where) {
        finding.file = file
        finding.line = where.line
      } else {
        Object.assign(finding, inTemplate)
      }
      findings.push(finding)
    }
    return data
  })
  const judged = images.filter((img) => img.judged)
  const failing = judged.filter((img) => img.case4.rendered || !img.case4.namesValue).length
  const others = images.length - judged.length
  const n = judged.length
  const plural = (count: number, word: string): string => `${count} ${word}${count === 1 ? '' : 's'}`
  let summary =
    n === 0
      ? 'no own image value without a default'
      : failing === 0
        ? `${plural(n, 'own image value')} without a default: empty fails the render`
        : `${failing} of ${plural(n, 'own image value')} without a default: empty does not fail the render with its name`
  if (others > 0) summary += `; ${others} with a default (judged by the image policy)`
  return {
    id: 'never-latest',
    title: NEVER_LATEST_TITLE,
    status: statusOf(findings),
    durationMs: input.durationMs,
    summary,
    findings,
    data: { images }
  }
}

/**
 * The gate: one render per own image value, with the chart's own values only
 * (not the run's values/set: they may set the tag). Not folded into lint: see
 * gates/README.md.
 */
export const neverLatestGate: Gate = {
  id: 'never-latest',
  async plan(pc) {
    const { ctx } = pc
    const severity = ctx.neverLatest ?? 'error'
    if (severity === 'off') return { jobs: [], finish: () => ({ step: neverLatestSkipped('never-latest is off') }) }
    const tags = findOwnImageTags(ctx.values.data, ctx.dependencyKeys)
    const usages = await findValueUsages(ctx.chartDir, ctx.displayChartDir, tags)
    const renders = tags.map((tag, i) =>
      renderJob(ctx.helm, `case4:${i}`, pc.templateArgs(case4Args(tag, tags), false), 'none')
    )
    return {
      jobs: renders.map((r) => r.job),
      finish() {
        const outcomes = renders.map((r) => r.get())
        const step = neverLatestStep({
          tags,
          renders: outcomes.map((r) => r.result),
          values: ctx.values,
          chartName: ctx.chartName,
          displayChartDir: ctx.displayChartDir,
          durationMs: wall(outcomes.map((r) => r.span)),
          usages,
          severity
        })
        return { step }
      }
    }
  }
}
