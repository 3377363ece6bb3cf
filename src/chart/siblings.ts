// Sibling blueprints: a Chart.yaml dependency that is another blueprint of the same workspace, as a product umbrella
// bundles `bp-cilium` from `oci://ghcr.io/openova-io` beside `platform/cilium`. A dependency is a sibling when its
// name is the chart name of another workspace blueprint (chart/workspace-index.ts) and its repository is where this
// monorepo publishes: the `registry` input when set; without it (discover mode may run without one), any `oci://`
// repository, since a blueprint of the workspace is only ever published as an OCI artifact. Pure: the index is read
// already. Used by discover's release order (discover/waves.ts).
import type { ChartDependency } from './blueprint.js'
import type { WorkspaceBlueprint, WorkspaceIndex } from './workspace-index.js'

export interface SiblingDependency {
  /** The bundling blueprint's Chart.yaml dependency, as written. */
  dependency: ChartDependency
  /** Its index in Chart.yaml `dependencies` (its line: `chart.lineOf(['dependencies', index])`). */
  index: number
  /** The workspace blueprint it is. */
  sibling: WorkspaceBlueprint
}

/** An OCI repository URL compared as a place: scheme and host case-insensitive, trailing slashes dropped. */
function repositoryKey(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '')
  const match = /^(oci:\/\/)([^/]+)(.*)$/i.exec(trimmed)
  return match ? `oci://${match[2].toLowerCase()}${match[3]}` : trimmed
}

/** Whether a Chart.yaml `repository` is where this monorepo publishes (see the header). */
export function isPublishingRepository(repository: string, registry: string | undefined): boolean {
  if (!/^oci:\/\//i.test(repository.trim())) return false
  return registry ? repositoryKey(repository) === repositoryKey(registry) : true
}

/** The Chart.yaml dependencies of `blueprint` that are sibling blueprints, in Chart.yaml order. */
export function siblingDependencies(
  index: Pick<WorkspaceIndex, 'byChartName'>,
  blueprint: Pick<WorkspaceBlueprint, 'dir'> & { chart?: { dependencies: readonly ChartDependency[] } },
  registry?: string
): SiblingDependency[] {
  const found: SiblingDependency[] = []
  for (const [i, dependency] of (blueprint.chart?.dependencies ?? []).entries()) {
    if (typeof dependency?.name !== 'string' || typeof dependency.repository !== 'string') continue
    const sibling = index.byChartName(dependency.name)
    if (!sibling || sibling.dir === blueprint.dir) continue
    if (!isPublishingRepository(dependency.repository, registry)) continue
    found.push({ dependency, index: i, sibling })
  }
  return found
}
