// Gate `schema`: every document of the default render and of each observability opt-in render checked against the
// API it is applied to, offline. Built-in kinds against the Kubernetes schemas of input `kubernetes-version`
// (schema/builtin.ts: the nearest shipped minor); API versions that release no longer serves are errors naming the
// replacement, deprecated ones warnings (schema/kube-versions.ts); custom resources against their CRD's served
// version (schema/crd.ts): CRDs of the chart (`crds/` folders of the chart and its bundled dependencies:
// gates/schema-sources.ts; CRDs it renders), of the blueprints blueprint.yaml spec.depends names (each rendered in a
// job of the pool: gates/schema-depends.ts) and of input `crds`. Checking is strict (schema/structural.ts): an
// unknown field is an error. A kind with no schema is a finding as input `missing-schemas` says.
//
// Off the critical path: the default render is checked inside its own job once helm has answered, each opt-in
// render inside the job that produced it (only its documents the default render does not have), while the chart
// tests run; finish() only assembles. A document of a kind with no schema yet waits for the spec.depends renders
// (checked inside the last of their jobs); nothing else does. At most one finding per field per template, across
// the renders.
import type { RenderedDocument } from '../types.js'
import { parseRenderDetailed, splitRenderBySource } from '../helm/render.js'
import { loadBuiltinSchemas, schemaMinorFor } from '../schema/builtin.js'
import type { Gate, Job, RenderJobOutcome } from './contract.js'
import { dependsArchives, dependsTargets, type DependsTarget } from './schema-depends.js'
import { dependsJobs } from './schema-depends-jobs.js'
import { chartCrds, inputCrds } from './schema-sources.js'
import { SCHEMA_STEP as STEP, SchemaRun } from './schema-check.js'

export type { SchemaData } from './schema-check.js'

/** The documents of an opt-in render that the default render does not have (those were checked already). */
function newDocuments(outcome: RenderJobOutcome, seen: ReadonlySet<string>): RenderedDocument[] {
  if (outcome.result.exitCode !== 0) return []
  const fresh = splitRenderBySource(outcome.result.stdout)
    .filter((chunk) => !seen.has(chunk.text))
    .map((chunk) => chunk.text)
  return fresh.length === 0 ? [] : parseRenderDetailed(fresh.join('')).documents
}

/** Starts loading the built-in schemas of the run's Kubernetes version (what the gate reads first), before the gates. */
export function preloadSchemas(kubeVersion: Parameters<typeof schemaMinorFor>[0]): void {
  loadBuiltinSchemas(schemaMinorFor(kubeVersion)).catch(() => undefined) // the gate's own load says what went wrong
}

/** The gate: checks planned on the renders' jobs (see the header); finish() waits for them and assembles. */
export const schemaGate: Gate = {
  id: STEP.id,
  async plan(pc) {
    const { ctx } = pc
    const settings = ctx.schema
    if (!settings)
      return {
        jobs: [],
        finish: () => ({ step: { ...STEP, status: 'skipped', durationMs: 0, summary: 'skipped', findings: [] } })
      }
    const started = performance.now()
    let busyMs = 0
    const timed = async (work: () => Promise<void>): Promise<void> => {
      const start = performance.now()
      try {
        await work()
      } catch (error) {
        run?.fail(error)
      } finally {
        busyMs += performance.now() - start
      }
    }
    let run: SchemaRun | undefined
    // The workspace index is read once per run (the blueprint.yaml step has read it already when spec.depends names any).
    const targets: Promise<DependsTarget[] | Error> = settings.depends
      ? dependsTargets(settings.depends).catch((error: unknown) =>
          error instanceof Error ? error : new Error(String(error))
        )
      : Promise.resolve([])
    const setup = (async () => {
      const [builtin, own, input, depends] = await Promise.all([
        loadBuiltinSchemas(schemaMinorFor(settings.kubeVersion)),
        chartCrds(ctx.chartDir, ctx.displayChartDir),
        inputCrds(settings.workspace, settings.crdGlobs),
        targets
      ])
      run = new SchemaRun(ctx, settings, builtin)
      run.addCrds(own, 'chart')
      run.addCrds(input.crds, 'input')
      if (depends instanceof Error)
        run.findings.push({
          rule: 'schema-depends',
          severity: 'warning',
          message: `The blueprints spec.depends names could not be looked up in the workspace: ${depends.message}`,
          fix: 'Check input discover-glob and the blueprint folders it matches.'
        })
      else run.expectDepends(depends.length)
      for (const file of input.tooLarge)
        run.findings.push({
          rule: 'schema-crds',
          severity: 'warning',
          message: `Input crds: ${file} is over 5 MiB and was not read.`,
          fix: 'Split it into one file per CRD, or name only the CRDs the blueprint uses.',
          file
        })
      for (const glob of input.unmatched)
        run.findings.push({
          rule: 'schema-crds',
          severity: 'warning',
          message: `Input crds: ${glob} matches no file in the workspace.`,
          fix: 'Give a glob relative to the workspace, e.g. platform/crds/*.yaml.'
        })
      return run
    })()
    setup.catch(() => undefined) // read by every check below
    let seen: Set<string> | undefined
    const defaultChecked = new Promise<void>((resolve) => {
      pc.defaultRender.after((outcome) =>
        timed(async () => {
          const check = await setup
          if (outcome.result.exitCode === 0) {
            seen = new Set(splitRenderBySource(outcome.result.stdout).map((chunk) => chunk.text))
            await check.check(outcome.documents)
          }
        }).finally(resolve)
      )
    })
    const optIn: Promise<void>[] = []
    pc.optInRenders.subscribe((outcome) => {
      const done = timed(async () => {
        const check = await setup
        await defaultChecked
        if (seen) await check.check(newDocuments(outcome, seen), true)
      })
      optIn.push(done)
      return done
    })
    // The spec.depends blueprints of the workspace: built and rendered in the pool beside the renders, in one helm
    // process when they can be (schema-depends.ts; the index is read by now: setup waits for the same promise).
    const found = await targets
    const jobs: Job[] = []
    if (settings.depends && Array.isArray(found) && found.length > 0)
      jobs.push(
        ...dependsJobs(ctx, {
          settings: settings.depends,
          workspace: settings.workspace,
          targets: found,
          archives: dependsArchives(settings.depends),
          done: (render) => timed(async () => (await setup).dependsRendered(render))
        })
      )
    return {
      jobs,
      async finish() {
        await defaultChecked
        await Promise.all(optIn)
        const check = await setup.catch((error: unknown) => error)
        if (!(check instanceof SchemaRun)) {
          const message = check instanceof Error ? check.message : String(check)
          return {
            step: {
              ...STEP,
              status: 'failed',
              durationMs: Math.round(performance.now() - started),
              summary: `schemas could not be loaded: ${message}`,
              findings: [{ rule: 'schema', severity: 'error', message: `The schema check could not start: ${message}` }]
            }
          }
        }
        if (pc.defaultRender.get().result.exitCode !== 0)
          return {
            step: {
              ...STEP,
              status: 'skipped',
              durationMs: 0,
              summary: 'skipped: the default render failed',
              findings: []
            }
          }
        return { step: check.step(Math.round(busyMs)) }
      }
    }
  }
}
