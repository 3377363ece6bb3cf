// Gate `images` (docs/rules.md rule 5): every image of the default render satisfies the
// image policy, unless an allowlist pattern covers it (its reason is kept). Judged: the
// fields known to hold a container image (images/images.ts scanImages: pod specs, Argo
// templates, the documented custom-resource fields, input image-fields); other `image`
// fields are listed as not judged. An own image value the never-latest gate owns (its
// default is empty or latest: CI sets it) is that gate's finding, not this one's.
//
// Where a finding points (image-location.ts): the values.yaml line that sets the image when one is
// found (a string equal to the image, or an `image` map whose `repository`
// (with `registry`, if any) names the same repository — then its `tag` line);
// else the blueprint's own template (`<chart>/templates/x.yaml`); templates of
// subcharts have no file in the repository, their source stays in the message.
import {
  checkImages,
  groupFailing,
  scanImages,
  type AllowlistEntry,
  type ImageField,
  type ImagePolicy,
  type ImageVerdict
} from '../images/images.js'
import type { Finding, RenderedDocument, StepResult } from '../types.js'
import { displayJoin, setPath, type ValuePath } from './common.js'
import { doubledRegistryFindings, problemFindings, type ImageProblem } from './image-problems.js'
import { skippedStep, type Gate, type RenderJobOutcome } from './contract.js'
import { loadDependencyValues } from './dependency-values.js'
import {
  dependencyLine,
  effectiveValues,
  findDoubledRegistry,
  findImageValue,
  locateProblem,
  repeatsRegistry,
  type ImageSources,
  type ImageValueMatch
} from './image-location.js'
import { classifyTagDefault, findOwnImageTags } from './never-latest.js'

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

/** A field named like an image that no rule says holds a container image (e.g. a Crossplane Server's OS image). */
interface NotJudgedField {
  value: string
  kind: string
  name: string
  field: string
  source?: string
}

export interface ImagesData {
  policy: ImagePolicy
  /** Distinct image references. */
  total: number
  pinned: number
  allowed: number
  failing: number
  images: ImageData[]
  /** `image`/`imageName` fields of no known image field: not judged (input image-fields judges them). */
  notJudged: NotJudgedField[]
  /** Failing images whose values key the never-latest gate owns (CI sets it): reported there, not here. */
  leftToNeverLatest?: string[]
}

export interface ImagesInput extends ImageSources {
  documents: readonly RenderedDocument[]
  policy: ImagePolicy
  allowlist: readonly AllowlistEntry[]
  durationMs: number
  /** Input image-fields. */
  imageFields?: readonly ImageField[]
  /** Own image values the never-latest gate judges (default empty or latest): their failing image is its finding. */
  ownedByNeverLatest?: readonly ValuePath[]
}

const MAX_NOT_JUDGED = 50

export function imagesStep(input: ImagesInput): { step: StepResult<ImagesData>; verdicts: ImageVerdict[] } {
  const { policy, values } = input
  const scan = scanImages(input.documents, input.imageFields)
  const uses = scan.uses
  // `*` alone would cover one path segment of docker.io/library (Docker Hub's official images) and nothing else:
  // it is read as what its writer means, every image (`**`), with a warning to write that.
  const lonelyStar = input.allowlist.some((entry) => entry.pattern === '*')
  const allowlist = input.allowlist.map((entry) => (entry.pattern === '*' ? { ...entry, pattern: '**' } : entry))
  const verdicts = checkImages(
    uses,
    policy,
    allowlist.map((entry) => entry.pattern)
  )
  const reasonOf = (pattern: string | undefined): string | undefined =>
    allowlist.find((e) => e.pattern === pattern)?.reason

  // What helm renders with: the blueprint's values over the dependencies' defaults (built once, when asked).
  let tree: unknown
  const effective = (): unknown => (tree ??= effectiveValues(values.data, input.dependencyValues))
  const lookups = new Map<string, ImageValueMatch | undefined>()
  const lookup = (image: string, prefer?: string): ImageValueMatch | undefined => {
    const key = `${prefer ?? ''}\n${image}`
    if (!lookups.has(key)) lookups.set(key, findImageValue(values, image, effective(), prefer))
    return lookups.get(key)
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
  const owned = new Set((input.ownedByNeverLatest ?? []).map((p) => setPath(p)))
  const leftToNeverLatest: string[] = []
  for (const list of groupFailing(verdicts)) {
    const problem = locateProblem(list, input, lookup, effective())
    const first = list[0]
    for (const d of images) {
      if (d.image !== first.use.image || !problem.valuesKey) continue
      d.valuesPath = setPath(problem.valuesKey.path)
      if (problem.valuesKey.line !== undefined) d.valuesLine = problem.valuesKey.line
      else delete d.valuesLine
    }
    // One problem, one finding: an own image value without a default is never-latest's (a `required`, CI sets it).
    if (problem.valuesKey && !problem.dependency && owned.has(setPath(problem.valuesKey.path))) {
      leftToNeverLatest.push(first.use.image)
      continue
    }
    problems.push(problem)
  }
  const chartFile = input.chartYaml?.displayPath ?? displayJoin(input.displayChartDir, 'Chart.yaml')
  const findings: Finding[] = problemFindings(problems, {
    policy,
    valuesFile: values.displayPath,
    valuesLineOf: (at) => values.lineOf(at),
    chartFile,
    dependencyLine: (key) => dependencyLine(input.chartYaml, key)
  })
  // An image whose path repeats its registry host cannot be pulled, pinned or not: a warning at the key to fix.
  const doubled = new Map<string, ImageVerdict>()
  for (const v of verdicts)
    if (v.ref && repeatsRegistry(v.ref) && !doubled.has(v.use.image)) doubled.set(v.use.image, v)
  findings.push(
    ...doubledRegistryFindings(
      [...doubled.values()].map((v) => ({
        image: v.use.image,
        ref: v.ref!,
        key: findDoubledRegistry(values, v.ref!, effective())
      })),
      values.displayPath
    )
  )
  if (lonelyStar && policy !== 'off') {
    findings.push({
      rule: 'image-allowlist-everything',
      severity: 'warning',
      message:
        'input image-allowlist: `*` alone is read as `**`, every image: the image policy judges nothing. (`*` matches one path segment: `temporalio/*` covers docker.io/temporalio/server, not ghcr.io/x/y.)',
      fix: 'write `**` for every image (or set image-policy: off), or patterns for the images you mean, e.g. `docker.io/temporalio/*`'
    })
  }
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
  const notJudged = scan.notJudged.slice(0, MAX_NOT_JUDGED).map((u): NotJudgedField => {
    const field: NotJudgedField = { value: u.image, kind: u.kind, name: u.name, field: u.field }
    if (u.source !== undefined) field.source = u.source
    return field
  })
  const data: ImagesData = { policy, total, pinned, allowed, failing, images, notJudged }
  if (leftToNeverLatest.length > 0) data.leftToNeverLatest = leftToNeverLatest
  const noun = `image${total === 1 ? '' : 's'}`
  // Failing images never-latest reports count as failing in the data, not in this step's verdict.
  const judgedHere = failing - new Set(leftToNeverLatest).size
  let summary: string
  if (policy === 'off') summary = `${total} ${noun}; image policy off`
  else if (judgedHere > 0) summary = `${judgedHere} of ${total} ${noun} not pinned (policy ${policy})`
  else summary = `${total} ${noun}, ${pinned} pinned${allowed > 0 ? `, ${allowed} allow-listed` : ''}`
  if (policy !== 'off' && leftToNeverLatest.length > 0) {
    const n = leftToNeverLatest.length
    summary += `; ${n} own image${n === 1 ? '' : 's'} without a default left to never-latest`
  }
  if (scan.notJudged.length > 0) {
    const n = scan.notJudged.length
    summary += `; ${n} other image field${n === 1 ? '' : 's'} not judged`
  }
  const warned = findings.some((f) => f.severity === 'warning')
  const status =
    policy === 'off'
      ? 'skipped'
      : judgedHere > 0 || findings.some((f) => f.severity === 'error')
        ? 'failed'
        : warned
          ? 'warning'
          : 'passed'
  const step: StepResult<ImagesData> = {
    id: 'images',
    title: 'Images pinned',
    status,
    durationMs: input.durationMs,
    summary,
    findings,
    data
  }
  if (scan.notJudged.length > 0) step.details = notJudgedDetails(scan.notJudged)
  return { step, verdicts }
}

/** The step's details: the fields not judged, each once, and how to judge one. */
function notJudgedDetails(fields: readonly { image: string; kind: string; name: string; field: string }[]): string {
  const seen = new Set<string>()
  const lines: string[] = []
  for (const f of fields) {
    const line = `${f.kind}/${f.name} ${f.field}: ${f.image}`
    if (seen.has(line)) continue
    seen.add(line)
    lines.push(line)
  }
  const shown = lines.slice(0, 20)
  if (lines.length > shown.length) shown.push(`… and ${lines.length - shown.length} more`)
  return [
    'Not judged (a field named like an image, of no field known to hold a container image):',
    ...shown,
    'A container image among them: add its field to input image-fields (apiVersion/Kind:path).'
  ].join('\n')
}

/** The own image values never-latest judges (default empty or latest), unless that rule is off. */
function ownedByNeverLatest(
  values: unknown,
  dependencyKeys: readonly string[],
  neverLatest: 'error' | 'warning' | 'off' | undefined
): ValuePath[] {
  if (neverLatest === 'off') return []
  return findOwnImageTags(values, dependencyKeys)
    .filter((tag) => classifyTagDefault(tag.default, tag.kind) !== 'value')
    .map((tag) => tag.path)
}

/** The gate: the policy on the images of the shared default render; no process of its own. */
export const imagesGate: Gate = {
  id: 'images',
  async plan(pc) {
    const { ctx } = pc
    const dependencyValues = await loadDependencyValues(ctx.chartDir)
    const judge = (render: RenderJobOutcome): ReturnType<typeof imagesStep> => {
      // Its own time: judging the default render's images, not the render (the Smoke render step's time).
      const start = performance.now()
      const judged = imagesStep({
        documents: render.documents,
        policy: ctx.imagePolicy,
        allowlist: ctx.imageAllowlist,
        values: ctx.values,
        chartName: ctx.chartName,
        displayChartDir: ctx.displayChartDir,
        chartDir: ctx.chartDir,
        dependencyValues,
        chartYaml: ctx.chartYaml,
        durationMs: 0,
        imageFields: ctx.imageFields,
        ownedByNeverLatest: ownedByNeverLatest(ctx.values.data, ctx.dependencyKeys, ctx.neverLatest)
      })
      judged.step.durationMs = Math.round(performance.now() - start)
      return judged
    }
    // Judged as soon as the default render is in, inside its job (beside the pool's other processes), not after the
    // pool on the run's way to the publish. A throw here is finish()'s to raise, as before.
    let judged: ReturnType<typeof imagesStep> | undefined
    pc.defaultRender.after((render) => {
      if (render.result.exitCode !== 0) return
      try {
        judged = judge(render)
      } catch {
        judged = undefined
      }
    })
    return {
      jobs: [],
      finish() {
        const render = pc.defaultRender.get()
        if (render.result.exitCode !== 0)
          return { step: skippedStep('images', 'Images pinned', 'skipped: the default render failed') }
        const { step, verdicts } = judged ?? judge(render)
        return { step, images: verdicts }
      }
    }
  }
}
