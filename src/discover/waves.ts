// The release order of the blueprints an event changed: waves. A product umbrella bundles sibling blueprints
// (chart/siblings.ts) at the version it pins, and a release can only bundle what is already published, so a
// blueprint is released after every changed sibling it bundles. Wave 0 holds the changed blueprints that bundle no
// changed sibling; wave n+1 those whose changed siblings are all in waves 0..n (a three-level chain gives three
// waves). Only direct sibling dependencies order the waves: a blueprint bundling an unchanged sibling bundles that
// sibling's published artifact, whatever that one bundles. A cycle of siblings has no order: an ActionError naming
// it (each folder, chart and Chart.yaml line). With `dependents`, the blueprints that bundle a changed one join the
// list, each with its reason (a pull request validates them against the change). Pure: the index is read already.
import { siblingDependencies } from '../chart/siblings.js'
import { blueprintName, type WorkspaceBlueprint, type WorkspaceIndex } from '../chart/workspace-index.js'
import { ActionError } from '../types.js'
import { compareCodePoints } from '../util/text.js'

export interface ReleasePlan {
  /** Blueprint folders, wave by wave, in release order; each wave sorted. Empty when nothing changed. */
  waves: string[][]
  /** The blueprints added because they bundle a changed one (option `dependents`): folder → why. */
  dependents: Map<string, string>
}

interface PlanOptions {
  /** Where this monorepo publishes (input registry): decides which dependencies are siblings. */
  registry?: string
  /** Also list the blueprints that bundle a changed one (input dependents, on pull requests). */
  dependents?: boolean
}

/** A sibling dependency as an edge of the graph: the sibling's folder and where the bundling line is. */
interface Edge {
  to: string
  /** `products/catalyst/chart/Chart.yaml:9` */
  line: string
  /** The dependency's name, e.g. `bp-cilium`. */
  name: string
}

const label = (bp: WorkspaceBlueprint): string => {
  const name = blueprintName(bp)
  return name ? `${bp.dir} (${name})` : bp.dir
}

function edgesOf(index: WorkspaceIndex, registry: string | undefined): Map<string, Edge[]> {
  const graph = new Map<string, Edge[]>()
  for (const bp of index.blueprints) {
    graph.set(
      bp.dir,
      siblingDependencies(index, bp, registry).map(({ dependency, index: i, sibling }) => {
        const line = bp.chart?.lineOf(['dependencies', i])
        return {
          to: sibling.dir,
          line: `${bp.chart?.file ?? `${bp.chartDir}/Chart.yaml`}${line ? `:${line}` : ''}`,
          name: dependency.name
        }
      })
    )
  }
  return graph
}

/** The first cycle reachable from `starts` (sorted, Chart.yaml order), as the edges that close it; or undefined. */
function findCycle(
  graph: Map<string, Edge[]>,
  starts: readonly string[]
): { dirs: string[]; edges: Edge[] } | undefined {
  const done = new Set<string>()
  const onPath: string[] = []
  const pathEdges: Edge[] = []
  const visit = (dir: string): { dirs: string[]; edges: Edge[] } | undefined => {
    if (done.has(dir)) return undefined
    const at = onPath.indexOf(dir)
    if (at >= 0) return { dirs: [...onPath.slice(at), dir], edges: pathEdges.slice(at) }
    onPath.push(dir)
    for (const edge of graph.get(dir) ?? []) {
      pathEdges.push(edge)
      const cycle = visit(edge.to)
      if (cycle) return cycle
      pathEdges.pop()
    }
    onPath.pop()
    done.add(dir)
    return undefined
  }
  for (const start of starts) {
    const cycle = visit(start)
    if (cycle) return cycle
  }
  return undefined
}

/**
 * The release plan of the changed blueprint folders (see the header). Throws an ActionError naming the cycle when
 * sibling blueprints reachable from the changed ones bundle each other.
 */
export function planRelease(index: WorkspaceIndex, changed: readonly string[], options: PlanOptions = {}): ReleasePlan {
  const graph = edgesOf(index, options.registry)
  const changedSet = new Set(changed)
  const dependents = new Map<string, string>()
  if (options.dependents) {
    for (const bp of index.blueprints) {
      if (changedSet.has(bp.dir)) continue
      const bundled = (graph.get(bp.dir) ?? []).filter((edge) => changedSet.has(edge.to))
      if (bundled.length === 0) continue
      const names = [...new Set(bundled.map((edge) => `${edge.name} (${edge.to})`))]
      dependents.set(bp.dir, `bundles changed ${names.length === 1 ? 'sibling' : 'siblings'} ${names.join(', ')}`)
    }
  }
  const listed = [...new Set([...changed, ...dependents.keys()])].sort(compareCodePoints)

  const cycle = findCycle(graph, listed)
  if (cycle) {
    const byDir = (dir: string): string => {
      const bp = index.byDir(dir)
      return bp ? label(bp) : dir
    }
    throw new ActionError(
      `sibling blueprints bundle each other in a cycle: ${cycle.dirs.map(byDir).join(' → ')}; no release order exists`,
      `a blueprint is released after the blueprints it bundles: remove one of these dependencies: ${cycle.edges
        .map((edge) => `${edge.name} at ${edge.line}`)
        .join(', ')}`
    )
  }

  const listedSet = new Set(listed)
  const level = new Map<string, number>()
  // No cycle among the listed blueprints (checked above), so the recursion ends.
  const levelOf = (dir: string): number => {
    const known = level.get(dir)
    if (known !== undefined) return known
    const below = (graph.get(dir) ?? []).filter((edge) => listedSet.has(edge.to)).map((edge) => levelOf(edge.to))
    const mine = below.length === 0 ? 0 : Math.max(...below) + 1
    level.set(dir, mine)
    return mine
  }
  const waves: string[][] = []
  for (const dir of listed) (waves[levelOf(dir)] ??= []).push(dir)
  return { waves: waves.map((wave) => wave.sort(compareCodePoints)), dependents }
}
