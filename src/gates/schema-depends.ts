// The schema gate's CRDs from the blueprints blueprint.yaml `spec.depends` names (issue 25, source 2): each one the
// workspace holds is built (chart/workspace-build.ts: a work folder and an empty helm home of its own, its
// dependency archives fetched by the action as pinned, each once per run) and rendered with its own values as it
// ships them, `--include-crds` and the run's `--kube-version`, in a job of the gates' one pool
// (gates/schema-depends-jobs.ts: several in one helm process); the CRDs of that render (cloudnative-pg's
// `templates/crds/` behind `crds.create`, the `crds/` folders) are what its custom resources are checked against.
// A depends blueprint that cannot be built or rendered is a warning naming it, never a failure.
//
// No credential reaches a helm home here: the archives are fetched by the action's own HTTP client with the run's
// credentials in memory, and the build's helm home stays empty, so a chart test script running meanwhile finds none.
import path from 'node:path'
import { ArchiveCache } from '../chart/archive-fetch.js'
import { blueprintName, type WorkspaceBlueprint } from '../chart/workspace-index.js'
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

/** The warning of a depends blueprint that could not be built or rendered, at its spec.depends line. */
export function problemFor(target: DependsTarget, settings: DependsSettings, reason: string): DependsProblem {
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

/** One sentence of a tool's message: whitespace folded, a full stop added. */
export function sentence(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, ' ')
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`
}
