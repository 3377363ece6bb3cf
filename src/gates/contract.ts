// The gate contract. A gate is a module that (1) plans: from the shared plan
// context it declares the processes it needs (helm runs, scripts) as jobs, and
// (2) finishes: once the pool has ended it turns its jobs' results into its
// StepResult. `runGates` (index.ts) knows only this contract: it builds the plan
// context, runs every gate's jobs in ONE bounded pool, and assembles the steps in
// the order of its gate list. A new gate: one module exporting a `Gate`, one line
// in that list.
import type { Helm, HelmRunResult } from '../helm/helm.js'
import { parseRenderAsHelm, type RenderParseError } from '../helm/render.js'
import type { AllowlistEntry, ImageField, ImagePolicy, ImageVerdict } from '../images/images.js'
import type { RenderedDocument, StepResult } from '../types.js'
import type { YamlSource } from '../chart/yaml-source.js'
import type { ToggleOverrides } from '../inputs/inputs.js'
import { defaultConcurrency } from '../util/concurrency.js'
import type { DependsRender, SchemaSettings } from './schema-settings.js'

export type { DependsRender, SchemaSettings }

export interface GateContext {
  helm: Helm
  /** Absolute: a work copy of the chart with charts/ already built (helm dependency build done). */
  chartDir: string
  /** Chart.yaml name (helm names the rendered chart after it). */
  chartName: string
  /**
   * Absolute: an empty folder for what the gates write: each chart test script's chart copy and helm home, generated
   * charts, the schema gate's `spec.depends` builds (`depends/<n>`: no credential in them).
   */
  scriptRoot: string
  /** The chart folder relative to the workspace, e.g. 'platform/temporal/chart': prefix of findings' file paths. */
  displayChartDir: string
  /** Absolute: the checkout. Each chart test's copy sits at displayChartDir in a view of it (chart-tests.ts). */
  workspace?: string
  /** The chart's values.yaml (displayPath relative to the workspace). */
  values: YamlSource<Record<string, unknown>>
  /** Values keys of every dependency (alias or name), e.g. ['temporal']: their images are theirs, not the blueprint's. */
  dependencyKeys: string[]
  /** e.g. ['--values', '/abs/x.yaml', '--set', 'a.b=c'] from inputs `values`/`set`; applied to every render and lint except case 4's. */
  valueArgs: string[]
  releaseName: string
  namespace: string
  /** The pool's bound; default: the machine's (util/concurrency.ts defaultConcurrency). */
  concurrency?: number
  /** Input lint-values (glob relative to the chart dir); default ci/*-values.yaml. */
  lintValuesGlob?: string
  /** include: extra value paths; exclude: paths to drop. */
  toggles: ToggleOverrides
  imagePolicy: ImagePolicy
  imageAllowlist: AllowlistEntry[]
  /** Input image-fields: custom-resource fields that hold a container image, judged besides the documented ones. */
  imageFields?: readonly ImageField[]
  chartTests: boolean
  /**
   * Once every chart test script has started, node keeps to the upper half of its CPUs, and the gates' helm
   * processes it starts after with it (util/cpu-affinity.ts): the action's runs do; tests that run the gates in
   * their own process leave it off.
   */
  yieldCpusToChartTests?: boolean
  /** Input never-latest: severity of the rule's findings, or off (no renders). Default error. */
  neverLatest?: 'error' | 'warning' | 'off'
  /** The blueprint's Chart.yaml: the dependency line of an upstream image no values key sets. */
  chartYaml?: YamlSource<{ dependencies?: readonly unknown[] }>
  /** Input kubernetes-version as helm reads it (`v1.36.0`): every render and lint gets `--kube-version` with it. */
  kubeVersion?: string
  /** The schema gate's settings (inputs kubernetes-version, crds, missing-schemas); absent: the gate is skipped. */
  schema?: SchemaSettings
}

/** `--kube-version <input>` for every render and lint, so `.Capabilities.KubeVersion` is the release checked. */
export function kubeVersionArgs(ctx: Pick<GateContext, 'kubeVersion'>): string[] {
  return ctx.kubeVersion ? ['--kube-version', ctx.kubeVersion] : []
}

export interface Span {
  start: number
  end: number
}

/** What a finished job reports to the pool; `then`: jobs it adds to the same pool (e.g. fallback renders). */
export interface JobDone {
  exitCode: number
  durationMs: number
  then?: Job[]
}

/** One process of the pool. */
export interface Job {
  id: string
  kind: 'helm' | 'script'
  /** Started before every other job: the chart tests (several helm runs in a row, the longest jobs). */
  first?: boolean
  /**
   * How many renders of the chart the job is worth (default 1; the merged observability render: one per case). The
   * pool starts the heaviest queued job first, so the longest job is not the last to start: on two CPUs with the
   * chart tests on one, a three-case render queued last ran alone at the end of the pool (bench/results.md).
   */
  weight?: number
  /**
   * `processEnded`: the job calls it once its process has exited. Its slot of the pool frees then, so the next
   * process starts while node parses and checks this one's output (a render's parse held the slot ~15 ms: the next
   * helm waited on node's work). A job that never calls it holds its slot until it ends.
   */
  run(processEnded: () => void): Promise<JobDone>
}

/** What one gate planned: its jobs, and how it turns their results into its step once the pool ended. */
interface GatePlan {
  jobs: Job[]
  /** May wait for work the gate did beside the pool (the schema gate's checks), never for a process. */
  finish(): GateOutput | Promise<GateOutput>
}

interface GateOutput {
  step: StepResult
  /** The images gate only: every image's verdict (the SBOM's input). */
  images?: ImageVerdict[]
}

/** The shared plan context every gate plans from. */
export interface PlanContext {
  ctx: GateContext
  /** `template <release> <chart> --namespace <ns>` + (withRunValues: the run's values/set) + extra. */
  templateArgs(extra: readonly string[], withRunValues?: boolean): string[]
  /** The default render: planned once, parsed once, shared by render, observability and images. */
  defaultRender: RenderJob
  /** The observability cases' opt-in renders (one toggle on each), as they come in: read by the schema gate. */
  optInRenders: RenderFeed
}

export interface Gate {
  /** The step id it produces (`render`, `lint`, …). */
  id: string
  /** It plans `first` jobs: no other job starts before its plan is in (see JobPool). */
  startsFirst?: boolean
  plan(pc: PlanContext): Promise<GatePlan>
}

/** A render's result, parsed once (documents empty when it failed). */
export interface RenderOutcome {
  result: HelmRunResult
  documents: RenderedDocument[]
}

export interface RenderJobOutcome extends RenderOutcome {
  parseErrors: RenderParseError[]
  span: Span
}

/** What a render is parsed for: everything, only documents mentioning a text, or nothing (exit code and error). */
export type RenderParse = { mentioning?: string } | 'none'

/** A job whose result is kept for the gate that planned it. */
export interface Handle<R> {
  job: Job
  /** The result; throws when read before the job ran (a planning bug). */
  get(): R
  /**
   * Work another gate does with the result inside this job, once it is in (e.g. the schema gate checks a render
   * while the pool runs, not after it): awaited before the job ends. It must not throw (a throw fails the pool).
   */
  after(work: (out: R) => void | Promise<void>): void
}

/** What a job's work does: its result, and `processEnded()` called once its process has exited (see Job.run). */
type JobWork<R> = (processEnded: () => void) => Promise<{ out: R; done: JobDone }>

function handle<R>(id: string, kind: Job['kind'], work: JobWork<R>): Handle<R> {
  let out: R | undefined
  let ran = false
  const afterwards: ((out: R) => void | Promise<void>)[] = []
  return {
    job: {
      id,
      kind,
      run: async (processEnded) => {
        const result = await work(processEnded)
        out = result.out
        ran = true
        for (const next of afterwards) await next(result.out)
        return result.done
      }
    },
    get: () => {
      if (!ran) throw new Error(`gate job ${id} was read before it ran`)
      return out as R
    },
    after: (next) => {
      afterwards.push(next)
    }
  }
}

/**
 * The observability cases' opt-in renders, published by the job that produced each (merged or separate), so
 * another gate can read them while the pool runs. A subscriber also gets what was published before it subscribed.
 */
export class RenderFeed {
  private readonly published: RenderJobOutcome[] = []
  private readonly subscribers: ((outcome: RenderJobOutcome) => void | Promise<void>)[] = []

  async publish(outcome: RenderJobOutcome): Promise<void> {
    this.published.push(outcome)
    for (const subscriber of this.subscribers) await subscriber(outcome)
  }

  subscribe(subscriber: (outcome: RenderJobOutcome) => void | Promise<void>): void {
    this.subscribers.push(subscriber)
    for (const outcome of this.published) void subscriber(outcome)
  }
}

export type RenderJob = Handle<RenderJobOutcome>

/** A `helm template` job, parsed as asked. */
export function renderJob(helm: Helm, id: string, args: string[], parse: RenderParse = {}): RenderJob {
  return handle(id, 'helm', async (processEnded) => {
    const start = performance.now()
    const result = await helm.run(args, { background: true })
    processEnded()
    const parsed =
      result.exitCode !== 0 || parse === 'none'
        ? { documents: [], errors: [] }
        : await parseRenderAsHelm(result.stdout, parse)
    const out: RenderJobOutcome = {
      result,
      documents: parsed.documents,
      parseErrors: parsed.errors,
      span: { start, end: performance.now() }
    }
    return { out, done: result }
  })
}

/** Any other helm job (e.g. lint): the raw result and its span. */
export function helmJob(helm: Helm, id: string, args: string[]): Handle<{ result: HelmRunResult; span: Span }> {
  return handle(id, 'helm', async (processEnded) => {
    const start = performance.now()
    const result = await helm.run(args, { background: true })
    processEnded()
    return { out: { result, span: { start, end: performance.now() } }, done: result }
  })
}

/** A job of any kind whose result is what `work` returns, plus the follow-ups it adds. */
export function customJob<R>(id: string, kind: Job['kind'], work: JobWork<R>): Handle<R> {
  return handle(id, kind, work)
}

/** Wall time covered by spans (first start to last end). */
export function wall(spans: readonly (Span | undefined)[]): number {
  const list = spans.filter((s): s is Span => s !== undefined)
  if (list.length === 0) return 0
  return Math.round(Math.max(...list.map((s) => s.end)) - Math.min(...list.map((s) => s.start)))
}

export function skippedStep(id: string, title: string, summary: string): StepResult {
  return { id, title, status: 'skipped', durationMs: 0, summary, findings: [] }
}

export interface JobStat {
  id: string
  kind: 'helm' | 'script'
  durationMs: number
  exitCode: number
}

/**
 * A bounded pool that jobs join as their gates finish planning, so the first planned start without waiting for
 * the slowest plan. `first` jobs go before every queued job, then the heaviest (`weight`); while a slot is held
 * (`hold()`, by a gate still planning its `first` jobs: the chart tests, the critical path of a run) no other job
 * starts, so the chart tests are the first process of the pool. Jobs a finished job adds (`then`) join the queue.
 * A failing job (or `fail()`) starts nothing new; `finish()` throws it once the running jobs ended (the caller may
 * then remove their folders).
 */
export class JobPool {
  private readonly queue: Job[] = []
  private readonly stats: JobStat[] = []
  private failure?: { error: unknown }
  /** Jobs started and not ended. */
  private running = 0
  /** Slots in use: started jobs whose process has not exited (Job.run's processEnded). */
  private busy = 0
  private held = 0
  private closed = false
  private drained?: () => void

  constructor(private readonly limit: number = defaultConcurrency()) {}

  add(jobs: readonly Job[]): void {
    for (const job of jobs) {
      // After every queued job that goes before it: `first` ones, then the heavier, then the as heavy (in order added).
      const at = this.queue.findIndex((queued) => goesBefore(job, queued))
      this.queue.splice(at < 0 ? this.queue.length : at, 0, job)
    }
    this.pump()
  }

  /** Holds back every job that is not `first` until the returned release is called (once is enough). */
  hold(): () => void {
    this.held++
    let released = false
    return () => {
      if (released) return
      released = true
      this.held--
      this.pump()
    }
  }

  fail(error: unknown): void {
    this.failure ??= { error }
    this.pump()
  }

  /** Once every job is added: resolves with each job's stat when the pool is empty. */
  async finish(): Promise<JobStat[]> {
    this.closed = true
    await new Promise<void>((resolve) => {
      this.drained = resolve
      this.pump()
    })
    if (this.failure) throw this.failure.error
    return this.stats
  }

  private pump(): void {
    while (!this.failure && this.busy < Math.max(1, this.limit) && this.queue.length > 0) {
      if (this.held > 0 && !this.queue[0].first) break
      const job = this.queue.shift()!
      this.running++
      this.busy++
      let slotFreed = false
      const freeSlot = (): void => {
        if (slotFreed) return
        slotFreed = true
        this.busy--
        this.pump()
      }
      job
        .run(freeSlot)
        .then(
          (done) => {
            this.stats.push({ id: job.id, kind: job.kind, exitCode: done.exitCode, durationMs: done.durationMs })
            if (done.then) this.add(done.then)
          },
          (error: unknown) => {
            this.failure ??= { error }
          }
        )
        .finally(() => {
          this.running--
          if (slotFreed) this.pump()
          else freeSlot()
        })
    }
    if (this.closed && this.running === 0 && (this.queue.length === 0 || this.failure)) this.drained?.()
  }
}

/** Whether job `a` starts before `b`, queued earlier: `first` before the rest, then the heavier (see Job.weight). */
function goesBefore(a: Job, b: Job): boolean {
  if (Boolean(a.first) !== Boolean(b.first)) return Boolean(a.first)
  return (a.weight ?? 1) > (b.weight ?? 1)
}

/** Runs jobs known up front in a JobPool (see there). */
export async function runPool(jobs: readonly Job[], limit?: number): Promise<JobStat[]> {
  const pool = new JobPool(limit)
  pool.add(jobs)
  return pool.finish()
}
