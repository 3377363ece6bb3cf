// Stage: the chart's private work copy (started beside upstream resolution: it needs the resolved upstream only
// when input upstream-version overrides the pin) and `helm dependency build` in it (chart/dependencies.ts), with
// the committed Chart.lock's step.
import { findUpstream } from '../chart/blueprint.js'
import { chartLockStep } from '../chart/chart-lock.js'
import { buildDependencies, type BuildOptions } from '../chart/dependencies.js'
import { prepareWorkChart, type WorkChart } from '../chart/work-chart.js'
import type { UpstreamResolution } from '../chart/upstream.js'
import type { Finding, StepResult } from '../types.js'
import type { RunContext } from './context.js'
import type { UpstreamOutcome } from './upstream-step.js'

export interface PreparedWork {
  work: WorkChart
  /** Committed Chart.lock problems; the build adds its own (out of sync). */
  lockFindings: Finding[]
}

/** Whether the work copy must wait for upstream resolution (input upstream-version rewrites the pin in it). */
export function workCopyNeedsUpstream(ctx: Pick<RunContext, 'inputs'>): boolean {
  return ctx.inputs.upstreamVersion !== ''
}

/** The work copy: Chart.yaml with the packaged version, and the upstream's when the input overrode the pin. */
export async function prepareWork(
  ctx: Pick<RunContext, 'blueprint' | 'chart' | 'mode' | 'folders'>,
  upstream: UpstreamResolution | undefined
): Promise<PreparedWork> {
  const { blueprint } = ctx
  const override = upstream?.info.override
    ? { index: findUpstream(blueprint, upstream.info.name).index, version: upstream.info.resolved }
    : undefined
  const { work, findings } = await prepareWorkChart({
    blueprint,
    workRoot: ctx.folders.chart,
    version: ctx.chart.version === blueprint.chartYaml.data.version ? undefined : ctx.chart.version,
    upstreamOverride: override,
    publishing: ctx.mode === 'publish'
  })
  return { work, lockFindings: findings }
}

export interface BuildOutcome {
  /** The dependency build's step, then the Chart.lock step when there is one. */
  steps: StepResult[]
  failed: boolean
  work: WorkChart
  /** Exact version of each dependency that landed in charts/. */
  built: Record<string, string>
  /** How the dependencies were fetched (the base commit's build reuses it). */
  options: Omit<BuildOptions, 'knownVersions' | 'lockEpoch'>
}

/**
 * The dependency build, started as soon as helm and the work copy are there: the upstream resolution and the
 * commit time (asked for here once helm has run: guard 1's expected versions, the lock's time) go on beside it;
 * the caller starts them from `whileBuilding`. `fromSource`: sibling blueprints a pull request built at this commit
 * (run/sibling-sources.ts), read from their folders instead of the registry.
 */
export async function buildStep(
  ctx: Pick<RunContext, 'inputs' | 'helm' | 'credentials' | 'indexes'>,
  upstream: () => Promise<UpstreamOutcome>,
  prepared: PreparedWork,
  epoch: () => Promise<{ epoch: number }>,
  whileBuilding?: () => void,
  fromSource?: ReadonlyMap<string, string>
): Promise<BuildOutcome> {
  const { inputs } = ctx
  const options = {
    mirrors: inputs.repositoryMirrors,
    indexes: ctx.indexes,
    credentialsFor: ctx.credentials.forRepository,
    plainHttp: inputs.plainHttp
  }
  const { work, lockFindings } = prepared
  const build = await buildDependencies(ctx.helm, work, {
    ...options,
    knownVersions: async () => {
      const { resolution } = await upstream()
      return new Map(resolution ? [[resolution.info.name, resolution.info.resolved]] : [])
    },
    lockEpoch: async () => (await epoch()).epoch,
    lockFindings,
    whileBuilding,
    // Not in `options`: the base commit's build (the rendered diff) bundles what its own Chart.yaml pins.
    ...(fromSource?.size ? { fromSource } : {})
  })
  const lockStep = chartLockStep(lockFindings)
  return {
    steps: lockStep ? [build, lockStep] : [build],
    failed: build.status === 'failed',
    work,
    built: build.data?.built ?? {},
    options
  }
}
