// Step `render` (docs/rules.md rule 3, smoke render): `helm template` with the chart's
// values plus the run's `values`/`set` inputs succeeds and produces real output —
// at least one resource document. Its parsed documents are shared by the other gates.
import type { HelmRunResult } from '../helm/helm.js'
import type { RenderParseError } from '../helm/render.js'
import type { Finding, RenderedDocument, StepResult } from '../types.js'
import { helmErrorLine, repoFileForSource, templateLocation } from './common.js'
import { compareCodePoints, lastLines } from '../util/text.js'
import type { Gate } from './contract.js'

export interface RenderData {
  args: string[]
  exitCode: number
  /** Resource documents (with apiVersion and kind). */
  resources: number
  documents: number
  kinds: Record<string, number>
  lines: number
  bytes: number
  parseErrors: number
  error?: string
}

interface RenderStepInput {
  args: string[]
  result: HelmRunResult
  documents: RenderedDocument[]
  parseErrors: RenderParseError[]
  chartName: string
  displayChartDir: string
}

/** True for helm errors of a value the chart requires (`required`, `fail`, any template `execution error`). */
function isRequiredValueError(error: string): boolean {
  return /execution error|required|is required|missing required/i.test(error)
}

function renderStep(input: RenderStepInput): StepResult<RenderData> {
  const { result, documents, chartName, displayChartDir } = input
  const findings: Finding[] = []
  const output = result.stdout
  const data: RenderData = {
    args: input.args,
    exitCode: result.exitCode,
    resources: 0,
    documents: documents.length,
    kinds: {},
    lines: output === '' ? 0 : output.split('\n').length,
    bytes: Buffer.byteLength(output),
    parseErrors: input.parseErrors.length
  }
  if (result.exitCode !== 0) {
    const error = helmErrorLine(result.stderr, result.stdout)
    data.error = error
    const finding: Finding = {
      rule: 'render',
      severity: 'error',
      message: `helm template fails with the default values: ${error}`
    }
    const at = templateLocation(error, chartName)
    const file = at ? repoFileForSource(at.source, chartName, displayChartDir) : undefined
    if (file && at) {
      finding.file = file
      finding.line = at.line
    }
    finding.fix = isRequiredValueError(error)
      ? 'The chart requires a value that values.yaml does not set: set it with the `set` input or a `values` file.'
      : 'Run `helm template` on the chart to reproduce, and fix the template or values.'
    findings.push(finding)
    return {
      id: 'render',
      title: 'Smoke render',
      status: 'failed',
      durationMs: result.durationMs,
      summary: `helm template failed: ${error.length > 160 ? `${error.slice(0, 157)}...` : error}`,
      findings,
      details: `$ helm ${input.args.join(' ')}\n${lastLines(result.stderr || result.stdout, 40)}`,
      data
    }
  }
  for (const doc of documents) {
    if (!doc.apiVersion || !doc.kind) continue
    data.resources++
    data.kinds[doc.kind] = (data.kinds[doc.kind] ?? 0) + 1
  }
  for (const error of input.parseErrors) {
    const finding = error.toFinding()
    const file = repoFileForSource(error.source, chartName, displayChartDir)
    if (file) finding.file = file
    else delete finding.file
    findings.push(finding)
  }
  if (data.resources === 0) {
    findings.push({
      rule: 'render',
      severity: 'error',
      message: `helm template with the default values renders no resource (${data.lines} lines of output).`,
      fix: 'A blueprint must render its upstream chart: check the dependency is built and enabled by default.'
    })
  }
  const kinds = Object.entries(data.kinds)
    .sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]))
    .map(([kind, n]) => `${n} ${kind}`)
  const failed = findings.some((f) => f.severity === 'error')
  const step: StepResult<RenderData> = {
    id: 'render',
    title: 'Smoke render',
    status: failed ? 'failed' : 'passed',
    durationMs: result.durationMs,
    summary:
      data.resources > 0
        ? `${data.resources} resources (${kinds.slice(0, 6).join(', ')}${kinds.length > 6 ? ', …' : ''})`
        : 'no resources rendered',
    findings,
    data
  }
  if (input.parseErrors.length > 0)
    step.details = input.parseErrors.map((e) => `${e.source ?? '?'} (render line ${e.line}): ${e.message}`).join('\n')
  return step
}

/** The gate: the shared default render (planned by runGates, `PlanContext.defaultRender`), judged. */
export const renderGate: Gate = {
  id: 'render',
  plan(pc) {
    return Promise.resolve({
      jobs: [],
      finish() {
        const render = pc.defaultRender.get()
        const step = renderStep({
          args: pc.templateArgs([]),
          result: render.result,
          documents: render.documents,
          parseErrors: render.parseErrors,
          chartName: pc.ctx.chartName,
          displayChartDir: pc.ctx.displayChartDir
        })
        return { step }
      }
    })
  }
}
