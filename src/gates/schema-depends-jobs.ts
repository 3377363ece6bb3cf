// The pool jobs of the spec.depends blueprints (gates/schema-depends.ts finds them): each built
// (chart/workspace-build.ts), then rendered for its CRDs, several in ONE `helm template` of a generated umbrella
// holding them as subcharts (a helm start is ~55 ms of CPU: issue 28), each alone when that could change a render.
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { buildWorkspaceChart, type WorkspaceBuild } from '../chart/workspace-build.js'
import { parseRenderDetailed } from '../helm/render.js'
import { crdSchemas } from '../schema/crd.js'
import { lastLines } from '../util/text.js'
import { customJob, kubeVersionArgs, type GateContext, type Job, type JobDone } from './contract.js'
import { subchartBlocker, writeUmbrellaChart } from './merged-render.js'
import { problemFor, sentence, type dependsArchives, type DependsTarget } from './schema-depends.js'
import type { DependsRender, DependsSettings } from './schema-settings.js'

type RenderedDocuments = ReturnType<typeof parseRenderDetailed>['documents']

/** A render's CRDs only are read: the other documents (an operator's Deployment, its RBAC) are not parsed. */
const crdDocuments = (stdout: string): RenderedDocuments =>
  parseRenderDetailed(stdout, { mentioning: 'CustomResourceDefinition' }).documents

/** What the depends jobs need besides the gate context. */
interface DependsJobOptions {
  settings: DependsSettings
  /** Absolute workspace folder. */
  workspace: string
  targets: readonly DependsTarget[]
  /** The run's archives for these builds (`dependsArchives`). */
  archives: ReturnType<typeof dependsArchives>
  /** Takes each render in (the schema run); must not throw. */
  done: (render: DependsRender) => Promise<void>
}

/** One depends blueprint built in its folder `<scriptRoot>/depends/<slot>` (or the warning saying why not). */
interface BuiltTarget {
  target: DependsTarget
  render: DependsRender
  built?: WorkspaceBuild
  start: number
}

/** The umbrella of the one render of every depends blueprint: `<scriptRoot>/depends/umbrella`, this chart name. */
const UMBRELLA = 'depends-crds'

async function buildTarget(
  ctx: GateContext,
  options: DependsJobOptions,
  target: DependsTarget,
  slot: number
): Promise<BuiltTarget> {
  const start = performance.now()
  const { blueprint } = target
  const render: DependsRender = { name: target.name, dir: blueprint.dir, crds: [], durationMs: 0, downloads: 0 }
  try {
    const downloadsBefore = options.archives.downloads
    const built = await buildWorkspaceChart({
      workspace: options.workspace,
      dir: blueprint.dir,
      chartDir: blueprint.chartDir,
      workRoot: path.join(ctx.scriptRoot, 'depends', String(slot)),
      helm: ctx.helm,
      fetch: options.settings.fetch,
      archives: options.archives
    })
    render.downloads = options.archives.downloads - downloadsBefore
    return { target, render, built, start }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    render.problem = problemFor(target, options.settings, `its chart could not be built: ${sentence(message)}`)
    return { target, render, start }
  }
}

/** Its own values as it ships them (the run's values and set are the run's chart's), every CRD it installs. */
function templateArgs(ctx: GateContext, release: string, chartDir: string): string[] {
  return ['template', release, chartDir, '--namespace', `smoke-${release}`, '--include-crds', ...kubeVersionArgs(ctx)]
}

/** Takes a render's CRDs (or its failure) into the target's DependsRender; `documents` as their source names them. */
function takeRender(
  entry: BuiltTarget,
  settings: DependsSettings,
  result: { exitCode: number; stdout: string; stderr: string },
  documents: RenderedDocuments
): void {
  const { target, render } = entry
  if (result.exitCode !== 0) {
    render.problem = problemFor(
      target,
      settings,
      `helm template failed: ${sentence(lastLines(result.stderr || result.stdout, 3) || `exit ${result.exitCode}`)}`
    )
    return
  }
  for (const doc of documents)
    render.crds.push(
      ...crdSchemas(doc.object, `${target.name} (${target.blueprint.dir}: ${doc.source ?? 'its render'})`)
    )
}

async function finishTarget(entry: BuiltTarget, options: DependsJobOptions): Promise<void> {
  entry.render.durationMs = Math.round(performance.now() - entry.start)
  await options.done(entry.render)
}

/** Renders one built depends blueprint alone (a chart of its own, as helm installs it); its exit code. */
async function renderAlone(ctx: GateContext, options: DependsJobOptions, entry: BuiltTarget): Promise<number> {
  const built = entry.built!
  const helmStart = performance.now()
  const result = await built.helm.run(templateArgs(ctx, built.work.name, built.work.dir), { background: true })
  entry.render.helmMs = Math.round(performance.now() - helmStart)
  takeRender(entry, options.settings, result, result.exitCode === 0 ? crdDocuments(result.stdout) : [])
  await finishTarget(entry, options)
  return result.exitCode
}

/** A pool job of its own rendering one built depends blueprint alone. */
function renderAloneJob(ctx: GateContext, options: DependsJobOptions, entry: BuiltTarget): Job {
  return customJob(`schema:depends:${entry.target.name}`, 'helm', async () => {
    const exitCode = await renderAlone(ctx, options, entry)
    return { out: undefined, done: { exitCode, durationMs: entry.render.helmMs ?? 0 } }
  }).job
}

/**
 * Pure: which depends blueprint each document of the umbrella's render belongs to (by its `# Source:`
 * `depends-crds/charts/<chart>/…`), its source written as the blueprint's own render writes it (`<chart>/…`).
 */
export function splitUmbrellaRender<D extends { source?: string }>(
  documents: readonly D[],
  chartNames: readonly string[]
): Map<string, D[]> {
  const out = new Map(chartNames.map((name): [string, D[]] => [name, []]))
  const prefix = `${UMBRELLA}/charts/`
  for (const doc of documents) {
    if (!doc.source?.startsWith(prefix)) continue
    const rest = doc.source.slice(prefix.length)
    const name = rest.slice(0, rest.indexOf('/'))
    out.get(name)?.push({ ...doc, source: rest })
  }
  return out
}

/**
 * The pool job of the depends blueprints: each built, then every built one rendered in ONE `helm template` of a
 * generated umbrella holding them as subcharts (`--include-crds` takes each one's `crds/`; one helm process instead
 * of one per blueprint: a helm start is ~55 ms of CPU, issue 28), its output cut back by `# Source:`. Rendered alone
 * instead (the first in this job, the others in jobs added to the pool): one blueprint, two with the same chart
 * name, one that could render otherwise as a subchart (`subchartBlocker`: tags, nulls, .Chart.IsRoot,
 * .Values.global), or an umbrella render that failed (each alone then says which blueprint fails and how). In the
 * umbrella the release name and namespace are the umbrella's, not `<chart>` and `smoke-<chart>`: a CRD's schema
 * does not read them. No job ever fails the pool: what stops a blueprint is the warning of its DependsRender.
 */
export function dependsJobs(ctx: GateContext, options: DependsJobOptions): Job[] {
  if (options.targets.length === 0) return []
  const id = options.targets.length === 1 ? `schema:depends:${options.targets[0].name}` : 'schema:depends'
  return [
    customJob(id, 'helm', async (processEnded) => {
      // One after the other: each build's download count is its own (they share the run's archive cache), and a
      // build is file copies and fetches, not CPU.
      const entries: BuiltTarget[] = []
      for (const [slot, target] of options.targets.entries())
        entries.push(await buildTarget(ctx, options, target, slot))
      const built = entries.filter((entry) => entry.built)
      for (const entry of entries) if (!entry.built) await finishTarget(entry, options)
      // Each alone: the first in this job, the others in jobs of their own (side by side in the pool).
      const alone = async (umbrellaExit = 0): Promise<{ out: undefined; done: JobDone }> => {
        const [first, ...rest] = built
        const exitCode = first ? await renderAlone(ctx, options, first) : 0
        return {
          out: undefined,
          done: {
            exitCode: umbrellaExit || exitCode,
            durationMs: first?.render.helmMs ?? 0,
            then: rest.map((entry) => renderAloneJob(ctx, options, entry))
          }
        }
      }
      const names = built.map((entry) => entry.built!.work.name)
      if (built.length < 2 || new Set(names).size < names.length) return alone()
      const blockers = await Promise.all(
        built.map((entry) => subchartBlocker(entry.built!.work.dir, entry.built!.blueprint.values.data))
      )
      if (blockers.some((blocker) => blocker !== undefined)) return alone()
      const umbrella = path.join(ctx.scriptRoot, 'depends', 'umbrella')
      await rm(umbrella, { recursive: true, force: true })
      await writeUmbrellaChart(
        umbrella,
        UMBRELLA,
        built.map((entry) => ({ name: entry.built!.work.name, linkTo: entry.built!.work.dir }))
      )
      const helmStart = performance.now()
      // Any built one's helm: each has an empty home of its own, and the render reads no repository.
      const result = await built[0].built!.helm.run(templateArgs(ctx, UMBRELLA, umbrella), { background: true })
      const helmMs = Math.round(performance.now() - helmStart)
      if (result.exitCode !== 0) return alone(result.exitCode)
      processEnded() // no other process in this job: the CRDs are read beside the pool's next one
      const byChart = splitUmbrellaRender(crdDocuments(result.stdout), names)
      for (const entry of built) {
        entry.render.helmMs = helmMs
        entry.render.together = true
        takeRender(entry, options.settings, result, byChart.get(entry.built!.work.name) ?? [])
        await finishTarget(entry, options)
      }
      return { out: undefined, done: { exitCode: 0, durationMs: helmMs } }
    }).job
  ]
}
