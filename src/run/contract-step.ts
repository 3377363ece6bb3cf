// Stage: the blueprint.yaml contract (chart/blueprint-contract.ts) of the run's blueprint, and the workspace's
// blueprint index it looks spec.depends up in (chart/workspace-index.ts: read once per run, on demand, with the
// discover-glob input's globs). Both start once the dependency build runs (run/chart-steps.ts): on the way to the
// build they would only take the main thread.
import { blueprintContractStep, type ContractData } from '../chart/blueprint-contract.js'
import { indexWorkspace, type WorkspaceIndex } from '../chart/workspace-index.js'
import type { StepResult } from '../types.js'
import type { RunBase } from './context.js'

/** The workspace's blueprints (the discover-glob input's folders, default platform/* and products/*). */
export function loadWorkspaceIndex(base: Pick<RunBase, 'inputs'>): Promise<WorkspaceIndex> {
  return indexWorkspace(base.inputs.workspace, base.inputs.discoverGlob)
}

/** The `blueprint.yaml` step; the index is read only when spec.depends names blueprints to look up. */
export async function contractStep(
  base: Pick<RunBase, 'inputs' | 'event' | 'blueprint' | 'mode' | 'chart'>,
  workspace: () => Promise<WorkspaceIndex>
): Promise<StepResult<ContractData>> {
  const { inputs, blueprint } = base
  const index = (blueprint.manifest?.depends.length ?? 0) > 0 ? await workspace() : undefined
  // On a release with version-from-tag the packaged version is the tag's (run/settings.ts packagedVersion).
  const releaseTag =
    base.mode === 'publish' && inputs.versionFromTag && base.event.ref.startsWith('refs/tags/')
      ? { version: base.chart.version, tag: base.event.ref.slice('refs/tags/'.length) }
      : undefined
  return blueprintContractStep({
    dir: blueprint.dir,
    chartDir: blueprint.chartDir,
    chartYaml: blueprint.chartYaml,
    manifest: blueprint.manifest,
    manifestError: blueprint.manifestError,
    releaseTag,
    versionFromTag: inputs.versionFromTag,
    index
  })
}
