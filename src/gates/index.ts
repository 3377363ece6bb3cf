// The validation gates of a built blueprint chart. `runGates` knows the gates
// only through their contract (contract.ts): it builds the plan context (with the
// default render, planned once and shared), lets every gate plan its jobs, runs
// all of them in ONE bounded pool (ctx.concurrency, else the machine's; chart tests first; each
// gate's jobs start as soon as it has planned), and
// assembles each gate's step in the order of GATES.
//
// A new gate: a module exporting a `Gate`, and one line in GATES.
//
// The one module allowed 10 src/ imports (`npm run lint`: import-count.mjs --allow gates/index.ts=10): one per
// gate by design (GATES, GateStepData), plus the contract, the result types and the images gate's verdicts.
// Fewer would mean a barrel re-exporting the gates, which only hides them; a new gate raises the allowance.
import type { RenderedDocument, StepResult } from '../types.js'
import type { ImageVerdict } from '../images/images.js'
import { chartTestsGate, type ChartTestsData } from './chart-tests.js'
import {
  JobPool,
  RenderFeed,
  kubeVersionArgs,
  renderJob,
  type Gate,
  type GateContext,
  type JobStat,
  type PlanContext
} from './contract.js'
import { imagesGate, type ImagesData } from './images.js'
import { lintGate, type LintData } from './lint.js'
import { neverLatestGate, type NeverLatestData } from './never-latest.js'
import { observabilityGate, type ObservabilityData } from './observability.js'
import { renderGate, type RenderData } from './render-step.js'
import { preloadSchemas, schemaGate, type SchemaData } from './schema.js'

/** The gates, in the order of their steps. */
const GATES: readonly Gate[] = [
  renderGate,
  lintGate,
  observabilityGate,
  neverLatestGate,
  imagesGate,
  schemaGate,
  chartTestsGate
]

/** Each gate step's typed data, by step id (what the report reads). */
export interface GateStepData {
  render: RenderData
  lint: LintData
  observability: ObservabilityData
  'never-latest': NeverLatestData
  images: ImagesData
  schema: SchemaData
  'chart-tests': ChartTestsData
}

export interface GatesResult {
  steps: StepResult[]
  defaultRender?: RenderedDocument[]
  images?: ImageVerdict[]
  /** What ran: one entry per process started by the pool, and the pool's wall time. */
  stats?: { jobs: JobStat[]; helmProcesses: number; scripts: number; wallMs: number }
}

/** A gate's step with its typed data, or undefined when the result has no such step. */
export function gateStep<K extends keyof GateStepData>(
  result: Pick<GatesResult, 'steps'>,
  id: K
): StepResult<GateStepData[K]> | undefined {
  return result.steps.find((step) => step.id === id) as StepResult<GateStepData[K]> | undefined
}

export async function runGates(ctx: GateContext): Promise<GatesResult> {
  const templateArgs = (extra: readonly string[], withRunValues = true): string[] => [
    'template',
    ctx.releaseName,
    ctx.chartDir,
    '--namespace',
    ctx.namespace,
    ...kubeVersionArgs(ctx),
    ...(withRunValues ? ctx.valueArgs : []),
    ...extra
  ]
  const defaultRender = renderJob(ctx.helm, 'render:default', templateArgs([]))
  const pc: PlanContext = { ctx, templateArgs, defaultRender, optInRenders: new RenderFeed() }

  // Each gate's jobs join the pool as soon as it has planned (the chart tests first, see JobPool).
  const start = performance.now()
  const pool = new JobPool(ctx.concurrency)
  // Gates that start first plan first, alone, and hold the pool: the others plan once their jobs (the chart tests)
  // have started, so that none of the others' planning (~20 ms of node's CPU: values walked, files globbed, schemas
  // set up) runs before the first process. No job of theirs could start earlier: the pool is held until then.
  const planOrder = [...GATES.filter((g) => g.startsFirst), ...GATES.filter((g) => !g.startsFirst)]
  const releases = planOrder.map((gate) => (gate.startsFirst ? pool.hold() : undefined))
  pool.add([defaultRender.job])
  const planGate = async (gate: Gate, i: number): Promise<Awaited<ReturnType<Gate['plan']>>> => {
    try {
      const plan = await gate.plan(pc)
      pool.add(plan.jobs)
      return plan
    } finally {
      releases[i]?.()
    }
  }
  const firstCount = planOrder.filter((g) => g.startsFirst).length
  const first = await Promise.allSettled(planOrder.slice(0, firstCount).map(planGate))
  const rest = await Promise.allSettled(planOrder.slice(firstCount).map((gate, i) => planGate(gate, firstCount + i)))
  const settled = [...first, ...rest]
  const planned = GATES.map((gate) => settled[planOrder.indexOf(gate)])
  const plans = planned.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []))
  const failedPlan = planned.find((p) => p.status === 'rejected')
  if (failedPlan) pool.fail(failedPlan.reason)
  const jobs = await pool.finish() // throws a failed job's or plan's error once nothing runs
  const wallMs = Math.round(performance.now() - start)

  const outputs = await Promise.all(plans.map(async (plan) => plan.finish()))
  const render = defaultRender.get()
  const out: GatesResult = {
    steps: outputs.map((o) => o.step),
    stats: {
      jobs,
      helmProcesses: jobs.filter((s) => s.kind === 'helm').length,
      scripts: jobs.filter((s) => s.kind === 'script').length,
      wallMs
    }
  }
  if (render.result.exitCode === 0) out.defaultRender = render.documents
  const images = outputs.find((o) => o.images)?.images
  if (images) out.images = images
  return out
}

/**
 * Starts loading what the gates read first while the dependency build runs (run/chart-steps.ts), so that it is not
 * compiled at the start of the gates, when the chart tests and the first renders start: the built-in schemas.
 */
export function preloadGates(kubeVersion: NonNullable<GateContext['schema']>['kubeVersion']): void {
  preloadSchemas(kubeVersion)
}

export type { GateContext } from './contract.js'
export type { ChartTestsData, ImagesData, LintData, NeverLatestData, ObservabilityData, RenderData }
