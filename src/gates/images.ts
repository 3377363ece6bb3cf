// Gate `images` (docs/rules.md rule 5): every image of the default render satisfies the
// image policy, unless an allowlist pattern covers it (its reason is kept).
//
// Where a finding points (image-location.ts): the values.yaml line that sets the image when one is
// found (a string equal to the image, or an `image` map whose `repository`
// (with `registry`, if any) names the same repository — then its `tag` line);
// else the blueprint's own template (`<chart>/templates/x.yaml`); templates of
// subcharts have no file in the repository, their source stays in the message.
import {
  checkImages,
  extractImages,
  groupFailing,
  type AllowlistEntry,
  type ImagePolicy,
  type ImageVerdict
} from '../images/images.js'
import type { Finding, RenderedDocument, StepResult } from '../types.js'
import { displayJoin, setPath } from './common.js'
import { problemFindings, type ImageProblem } from './image-problems.js'
import { skippedStep, type Gate } from './contract.js'
import { loadDependencyValues } from './dependency-values.js'
import {
  dependencyLine,
  findImageValue,
  locateProblem,
  type ImageSources,
  type ImageValueMatch
} from './image-location.js'

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

export interface ImagesInput extends ImageSources {
  documents: readonly RenderedDocument[]
  policy: ImagePolicy
  allowlist: readonly AllowlistEntry[]
  durationMs: number
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
    const problem = locateProblem(list, input, lookup)
    const first = list[0]
    for (const d of images) {
      if (d.image !== first.use.image || !problem.valuesKey) continue
      d.valuesPath = setPath(problem.valuesKey.path)
      if (problem.valuesKey.line !== undefined) d.valuesLine = problem.valuesKey.line
      else delete d.valuesLine
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
        // Its own time: judging the default render's images, not the render (the Smoke render step's time).
        const start = performance.now()
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
          durationMs: 0
        })
        step.durationMs = Math.round(performance.now() - start)
        return { step, images: verdicts }
      }
    }
  }
}
