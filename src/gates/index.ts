// The validation gates of a built blueprint chart. runGates plans every process
// up front — lint runs, the default render, the observability renders, the
// never-latest (empty image value) renders, the chart test scripts — and runs
// them in ONE bounded pool (ctx.concurrency). Each render runs once and is parsed once; the default
// render's documents are shared by the render, observability and images gates.
//
// Steps, in order: render, lint, observability, never-latest, images, chart-tests.
import { cp } from 'node:fs/promises'
import path from 'node:path'
import { mapLimit } from '../util/concurrency.js'
import { createHelmHome, type Helm, type HelmRunResult } from '../helm/helm.js'
import type { AllowlistEntry, ImagePolicy, ImageVerdict } from '../images/images.js'
import { parseRenderDetailed, type RenderParseError } from '../helm/render.js'
import type { RenderedDocument, StepResult } from '../types.js'
import type { YamlSource } from '../chart/yaml-source.js'
import { chartTestsSkipped, chartTestsStep, listChartTests, runChartTest, type ChartTestResult } from './chart-tests.js'
import { loadDependencyValues } from './dependency-values.js'
import { imagesStep } from './images.js'
import { lintStep, planLint, type LintRunPlan } from './lint.js'
import { case4Args, findOwnImageTags, findValueUsages, neverLatestSkipped, neverLatestStep } from './never-latest.js'
import {
  case2Args,
  case3Args,
  discoverToggles,
  MONITORING_GROUP,
  observabilityStep,
  type RenderOutcome,
  type ToggleOverrides
} from './observability.js'
import { renderStep } from './render-step.js'

export interface GateContext {
  helm: Helm
  /** Absolute: a work copy of the chart with charts/ already built (helm dependency build done). */
  chartDir: string
  /** Chart.yaml name (helm names the rendered chart after it). */
  chartName: string
  /** Absolute: an empty folder where each chart test script gets its own chart copy and helm home. */
  scriptRoot: string
  /** The chart folder relative to the workspace, e.g. 'platform/temporal/chart': prefix of findings' file paths. */
  displayChartDir: string
  /** The chart's values.yaml (displayPath relative to the workspace). */
  values: YamlSource<Record<string, unknown>>
  /** Values keys of every dependency (alias or name), e.g. ['temporal']: their images are theirs, not the blueprint's. */
  dependencyKeys: string[]
  /** e.g. ['--values', '/abs/x.yaml', '--set', 'a.b=c'] from inputs `values`/`set`; applied to every render and lint except case 4's. */
  valueArgs: string[]
  releaseName: string
  namespace: string
  concurrency: number
  /** Input lint-values (glob relative to the chart dir); default ci/*-values.yaml. */
  lintValuesGlob?: string
  /** include: extra value paths; exclude: paths to drop. */
  toggles: ToggleOverrides
  imagePolicy: ImagePolicy
  imageAllowlist: AllowlistEntry[]
  chartTests: boolean
  /** Input never-latest: severity of the rule's findings, or off (no renders). Default error. */
  neverLatest?: 'error' | 'warning' | 'off'
  /** The blueprint's Chart.yaml: the dependency line of an upstream image no values key sets. */
  chartYaml?: YamlSource<{ dependencies?: readonly unknown[] }>
}

interface GateJobStat {
  id: string
  kind: 'helm' | 'script'
  durationMs: number
  exitCode: number
}

export interface GatesResult {
  steps: StepResult[]
  defaultRender?: RenderedDocument[]
  images?: ImageVerdict[]
  /** What ran: one entry per process started by the pool, and the pool's wall time. */
  stats?: { jobs: GateJobStat[]; helmProcesses: number; scripts: number; wallMs: number }
}

interface Span {
  start: number
  end: number
}

interface RenderJobOutcome extends RenderOutcome {
  parseErrors: RenderParseError[]
  span: Span
}

type Job = { id: string; kind: 'helm' | 'script'; run: () => Promise<{ exitCode: number; durationMs: number }> }

function wall(spans: readonly (Span | undefined)[]): number {
  const list = spans.filter((s): s is Span => s !== undefined)
  if (list.length === 0) return 0
  return Math.round(Math.max(...list.map((s) => s.end)) - Math.min(...list.map((s) => s.start)))
}

function skipped(id: string, title: string, summary: string): StepResult {
  return { id, title, status: 'skipped', durationMs: 0, summary, findings: [] }
}

export async function runGates(ctx: GateContext): Promise<GatesResult> {
  const { helm, chartDir, chartName } = ctx
  const templateBase = ['template', ctx.releaseName, chartDir, '--namespace', ctx.namespace]
  const withValues = (extra: readonly string[]): string[] => [...templateBase, ...ctx.valueArgs, ...extra]

  // ---- plan
  const toggles = discoverToggles(ctx.values.data, ctx.toggles)
  const neverLatest = ctx.neverLatest ?? 'error'
  const ownTags = neverLatest === 'off' ? [] : findOwnImageTags(ctx.values.data, ctx.dependencyKeys)
  const [lintPlans, scripts, usages, dependencyValues] = await Promise.all([
    planLint(chartDir, ctx.valueArgs, ctx.lintValuesGlob),
    ctx.chartTests ? listChartTests(chartDir) : Promise.resolve([]),
    findValueUsages(chartDir, ctx.displayChartDir, ownTags),
    loadDependencyValues(chartDir)
  ])

  const renders = new Map<string, RenderJobOutcome>()
  const lintResults = new Map<string, { plan: LintRunPlan; result: HelmRunResult; span: Span }>()
  const testResults = new Map<string, { result: ChartTestResult; span: Span }>()
  const jobs: Job[] = []

  // What each render is parsed for: the default render feeds every gate; the
  // observability renders only need their monitoring documents; never-latest only
  // needs helm's exit code and error.
  const renderJob = (id: string, args: string[], parse: 'all' | 'monitoring' | 'none'): void => {
    jobs.push({
      id,
      kind: 'helm',
      run: async () => {
        const start = performance.now()
        const result = await helm.run(args)
        const parsed =
          result.exitCode !== 0 || parse === 'none'
            ? { documents: [], errors: [] }
            : parseRenderDetailed(result.stdout, parse === 'monitoring' ? { mentioning: MONITORING_GROUP } : {})
        renders.set(id, {
          result,
          documents: parsed.documents,
          parseErrors: parsed.errors,
          span: { start, end: performance.now() }
        })
        return result
      }
    })
  }

  const defaultArgs = withValues([])
  renderJob('render:default', defaultArgs, 'all')
  // Scripts first among the rest: each runs several helm commands in a row, the longest jobs of the pool.
  scripts.forEach((script, i) => {
    jobs.push({
      id: `script:${script}`,
      kind: 'script',
      run: async () => {
        const start = performance.now()
        // A chart copy and helm home per script: what it writes (a dependency
        // update, a lock, temp files) cannot race the package or the renders,
        // and the action's registry login and repository credentials stay out of reach.
        const own = path.join(ctx.scriptRoot, String(i))
        const copy = path.join(own, path.basename(chartDir))
        // Links in the work copy are relative: verbatim, they point into this copy, not the work copy.
        const copied = cp(chartDir, copy, { recursive: true, verbatimSymlinks: true })
        const [home] = await Promise.all([createHelmHome(path.join(own, 'helm-home')), copied])
        // $HELM too: scripts often run `${HELM:-helm}`.
        const result = await runChartTest(copy, script, { ...helm.env(home), HELM: helm.binary })
        testResults.set(script, { result, span: { start, end: performance.now() } })
        return result
      }
    })
  })
  for (const plan of lintPlans) {
    jobs.push({
      id: `lint:${plan.label}`,
      kind: 'helm',
      run: async () => {
        const start = performance.now()
        const result = await helm.run(plan.args)
        lintResults.set(plan.label, { plan, result, span: { start, end: performance.now() } })
        return result
      }
    })
  }
  toggles.forEach((toggle, i) => renderJob(`case2:${i}`, withValues(case2Args(toggle)), 'monitoring'))
  renderJob('case3', withValues(case3Args(toggles)), 'monitoring')
  ownTags.forEach((tag, i) => renderJob(`case4:${i}`, [...templateBase, ...case4Args(tag, ownTags)], 'none'))

  // ---- run
  const poolStart = performance.now()
  const stats = await mapLimit(jobs, Math.max(1, ctx.concurrency), async (job): Promise<GateJobStat> => {
    const { exitCode, durationMs } = await job.run()
    return { id: job.id, kind: job.kind, exitCode, durationMs }
  })
  const wallMs = Math.round(performance.now() - poolStart)

  // ---- steps
  const steps: StepResult[] = []
  const defaultRender = renders.get('render:default')!
  steps.push(
    renderStep({
      args: defaultArgs,
      result: defaultRender.result,
      documents: defaultRender.documents,
      parseErrors: defaultRender.parseErrors,
      chartName,
      displayChartDir: ctx.displayChartDir
    })
  )
  const renderOk = defaultRender.result.exitCode === 0

  const lintRuns = lintPlans.map((plan) => lintResults.get(plan.label)!)
  steps.push(
    lintStep(lintRuns, { chartName, chartDir, displayChartDir: ctx.displayChartDir }, wall(lintRuns.map((r) => r.span)))
  )

  if (renderOk) {
    const case2 = toggles.map((_, i) => renders.get(`case2:${i}`)!)
    const case3 = renders.get('case3')!
    steps.push(
      observabilityStep({
        toggles,
        values: ctx.values,
        chartName,
        displayChartDir: ctx.displayChartDir,
        defaultRender,
        case2,
        case3,
        durationMs: wall([defaultRender.span, case3.span, ...case2.map((r) => r.span)])
      })
    )
  } else {
    steps.push(skipped('observability', 'Observability toggles', 'skipped: the default render failed'))
  }

  const case4 = ownTags.map((_, i) => renders.get(`case4:${i}`)!)
  steps.push(
    neverLatest === 'off'
      ? neverLatestSkipped('never-latest is off')
      : neverLatestStep({
          tags: ownTags,
          renders: case4.map((r) => r.result),
          values: ctx.values,
          chartName,
          displayChartDir: ctx.displayChartDir,
          durationMs: wall(case4.map((r) => r.span)),
          usages,
          severity: neverLatest
        })
  )

  let verdicts: ImageVerdict[] | undefined
  if (renderOk) {
    const images = imagesStep({
      documents: defaultRender.documents,
      policy: ctx.imagePolicy,
      allowlist: ctx.imageAllowlist,
      values: ctx.values,
      chartName,
      displayChartDir: ctx.displayChartDir,
      chartDir: ctx.chartDir,
      dependencyValues,
      chartYaml: ctx.chartYaml,
      durationMs: defaultRender.result.durationMs
    })
    verdicts = images.verdicts
    steps.push(images.step)
  } else {
    steps.push(skipped('images', 'Images pinned', 'skipped: the default render failed'))
  }

  if (!ctx.chartTests) steps.push(chartTestsSkipped('chart-tests is false'))
  else {
    const results = scripts.map((s) => testResults.get(s)!)
    steps.push(
      chartTestsStep(
        results.map((r) => r.result),
        ctx.displayChartDir,
        wall(results.map((r) => r.span))
      )
    )
  }

  const out: GatesResult = {
    steps,
    stats: {
      jobs: stats,
      helmProcesses: stats.filter((s) => s.kind === 'helm').length,
      scripts: stats.filter((s) => s.kind === 'script').length,
      wallMs
    }
  }
  if (renderOk) out.defaultRender = defaultRender.documents
  if (verdicts) out.images = verdicts
  return out
}

export type { ChartTestsData } from './chart-tests.js'
export type { ImagesData } from './images.js'
export type { LintData } from './lint.js'
export type { NeverLatestData } from './never-latest.js'
export type { ObservabilityData } from './observability.js'
export type { RenderData } from './render-step.js'
