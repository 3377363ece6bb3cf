// The schema gate's CRDs from the blueprints blueprint.yaml `spec.depends` names (issue 25, source 2): each one the
// workspace holds is built (chart/workspace-build.ts: a work folder and an empty helm home of its own, its
// dependency archives fetched by the action as pinned, each once per run) and rendered with its own values as it
// ships them, `--include-crds` and the run's `--kube-version`, in a job of the gates' one pool; the CRDs of that
// render (cloudnative-pg's `templates/crds/` behind `crds.create`, the `crds/` folders) are what its custom resources
// are checked against. A depends blueprint that cannot be built or rendered is a warning naming it, never a failure.
//
// No credential reaches a helm home here: the archives are fetched by the action's own HTTP client with the run's
// credentials in memory, and the build's helm home stays empty, so a chart test script running meanwhile finds none.
import path from 'node:path'
import { ArchiveCache } from '../chart/archive-fetch.js'
import { buildWorkspaceChart } from '../chart/workspace-build.js'
import { blueprintName, type WorkspaceBlueprint } from '../chart/workspace-index.js'
import { parseRenderDetailed } from '../helm/render.js'
import { crdSchemas } from '../schema/crd.js'
import { lastLines } from '../util/text.js'
import { customJob, kubeVersionArgs, type GateContext, type Job } from './contract.js'
import type { DependsRender, DependsSettings } from './schema-settings.js'

/** One spec.depends blueprint of the workspace, to be rendered for its CRDs. */
export interface DependsTarget {
  /** The name spec.depends gives (its blueprint.yaml `metadata.name`, else its chart's name). */
  name: string
  blueprint: WorkspaceBlueprint
  /** The spec.depends entry's line in the run's blueprint.yaml. */
  line?: number
}

/**
 * The workspace blueprints the run's spec.depends names, each once, in the order written; never the run's own.
 * A name the workspace does not hold is the blueprint.yaml step's finding (chart/blueprint-contract.ts), not this.
 */
export async function dependsTargets(settings: DependsSettings): Promise<DependsTarget[]> {
  if (settings.manifest.depends.length === 0) return []
  const index = await settings.index()
  const out: DependsTarget[] = []
  const seen = new Set<string>([path.resolve(index.workspace, settings.ownDir)])
  for (const entry of settings.manifest.depends) {
    const blueprint = index.byBlueprintName(entry.blueprint)
    if (!blueprint || seen.has(path.resolve(index.workspace, blueprint.dir))) continue
    seen.add(path.resolve(index.workspace, blueprint.dir))
    const line = settings.manifest.lineOf(entry.path)
    out.push({ name: blueprintName(blueprint) ?? entry.blueprint, blueprint, ...(line === undefined ? {} : { line }) })
  }
  return out
}

/** The run's archives for the depends builds: each fetched once, the run's own build's read from its charts/. */
export function dependsArchives(settings: DependsSettings): ArchiveCache {
  const archives = new ArchiveCache()
  const own = settings.ownBuild
  if (own) archives.reuseBuilt(own.chartDir, own.dependencies, own.built, settings.fetch)
  return archives
}

/** The warning of a depends blueprint that gave no CRDs (a Finding). */
type DependsProblem = NonNullable<DependsRender['problem']>

function problemFor(target: DependsTarget, settings: DependsSettings, reason: string): DependsProblem {
  const { name, blueprint } = target
  const finding: DependsProblem = {
    rule: 'schema-depends',
    severity: 'warning',
    message: `spec.depends ${name} (${blueprint.dir}) could not be rendered for its CRDs: ${reason} The custom resources whose CRD it installs are not checked against it.`,
    fix: `Make ${blueprint.chartDir} build and render with its own values (this action run on ${blueprint.dir} says what fails), or give its CRD manifests to input crds.`,
    file: settings.manifest.file
  }
  if (target.line !== undefined) finding.line = target.line
  return finding
}

function sentence(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ')
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}

/** What one depends job needs besides the gate context. */
interface DependsJobOptions {
  settings: DependsSettings
  /** Absolute workspace folder. */
  workspace: string
  target: DependsTarget
  /** Its folder under the gates' scriptRoot: `depends/<slot>`. */
  slot: number
  archives: ArchiveCache
  /** Takes the render in (the schema run); must not throw. */
  done: (render: DependsRender) => Promise<void>
}

/**
 * The pool job of one depends blueprint: build, render, its CRDs handed to `done`. The job never fails the pool:
 * what stops it is the warning of its DependsRender.
 */
export function dependsJob(ctx: GateContext, options: DependsJobOptions): Job {
  const { settings, target, archives, done } = options
  return customJob(`schema:depends:${target.name}`, 'helm', async () => {
    const start = performance.now()
    const { blueprint } = target
    const render: DependsRender = { name: target.name, dir: blueprint.dir, crds: [], durationMs: 0, downloads: 0 }
    let exitCode = 0
    try {
      const downloadsBefore = archives.downloads
      const built = await buildWorkspaceChart({
        workspace: options.workspace,
        dir: blueprint.dir,
        chartDir: blueprint.chartDir,
        workRoot: path.join(ctx.scriptRoot, 'depends', String(options.slot)),
        helm: ctx.helm,
        fetch: settings.fetch,
        archives
      })
      render.downloads = archives.downloads - downloadsBefore
      const chartName = built.work.name
      const helmStart = performance.now()
      // Its own values as it ships them (the run's values and set are the run's chart's), every CRD it installs.
      const result = await built.helm.run(
        [
          'template',
          chartName,
          built.work.dir,
          '--namespace',
          `smoke-${chartName}`,
          '--include-crds',
          ...kubeVersionArgs(ctx)
        ],
        { background: true }
      )
      render.helmMs = Math.round(performance.now() - helmStart)
      exitCode = result.exitCode
      if (result.exitCode !== 0) {
        render.problem = problemFor(
          target,
          settings,
          `helm template failed: ${sentence(lastLines(result.stderr || result.stdout, 3) || `exit ${result.exitCode}`)}`
        )
      } else {
        for (const doc of parseRenderDetailed(result.stdout).documents)
          render.crds.push(
            ...crdSchemas(doc.object, `${target.name} (${blueprint.dir}: ${doc.source ?? 'its render'})`)
          )
      }
    } catch (error) {
      exitCode = 1
      const message = error instanceof Error ? error.message : String(error)
      render.problem = problemFor(target, settings, `its chart could not be built: ${sentence(message)}`)
    }
    render.durationMs = Math.round(performance.now() - start)
    await done(render)
    return { out: render, done: { exitCode, durationMs: render.durationMs } }
  }).job
}
