// Stage: the blueprint read and checked before any work: Chart.yaml, values.yaml and blueprint.yaml
// (chart/blueprint.ts), the values input's files read (Helm's size limit, YAML syntax, duplicate keys), the mode the event asks for
// (settings.ts decideMode) and the run settings (settings.ts). What stops here still gets a report.
import { stat } from 'node:fs/promises'
import path from 'node:path'
import { chartIdentityGuess, loadBlueprint, type Blueprint } from '../chart/blueprint.js'
import { loadYamlFile } from '../chart/yaml-source.js'
import type { ActionInputs } from '../inputs/inputs.js'
import type { RegistryTarget } from '../oci/registry.js'
import { ActionError, type ActionReport } from '../types.js'
import type { EventContext } from './event.js'
import { checkRunSettings, decideMode, packagedVersion } from './settings.js'

/** What the report says the run was about. */
export interface RunIdentity {
  chart: ActionReport['chart']
  mode: 'validate' | 'publish'
  modeReason: string
  /** The `registry` input parsed once, when set and the run settings hold. */
  registry?: RegistryTarget
}

export type LoadedRun =
  /** The event is for another blueprint: a notice, not a failure. */
  | { kind: 'skip'; reason: string }
  /** The blueprint could not be read (`Blueprint`), or a run setting does not hold (`Run settings`). */
  | { kind: 'stopped'; identity: RunIdentity; error: unknown; stage: 'Blueprint' | 'Run settings' }
  | { kind: 'ready'; identity: RunIdentity; blueprint: Blueprint }

/**
 * A file of the values input is there and a file: else one input error naming it, located at the workflow's input,
 * saying what the input wants (not the blueprint/chart advice of a missing Chart.yaml).
 */
async function assertValuesFile(workspace: string, file: string): Promise<void> {
  const found = await stat(path.resolve(workspace, file)).catch((error: NodeJS.ErrnoException) => error)
  if (!(found instanceof Error) && found.isFile()) return
  const what =
    found instanceof Error
      ? found.code === 'ENOENT'
        ? 'not found'
        : `cannot be read (${found.code ?? found.message})`
      : 'is not a file'
  throw new ActionError(
    `input values: ${file} ${what} in the workspace (${workspace})`,
    'give the values files as paths relative to the workspace, one a line, and check the file is committed (and checked out)',
    { input: 'values', value: file }
  )
}

export async function loadRun(inputs: ActionInputs, event: EventContext): Promise<LoadedRun> {
  let blueprint: Blueprint
  try {
    blueprint = await loadBlueprint(inputs.workspace, inputs.blueprint, inputs.chart)
    // Helm reads the values input's files; one over Helm's limit or not YAML fails now, not after minutes.
    blueprint.valuesFiles = await Promise.all(
      inputs.valuesFiles.map(async (file) => {
        await assertValuesFile(inputs.workspace, file)
        return loadYamlFile(path.resolve(inputs.workspace, file), file)
      })
    )
  } catch (error) {
    const chart = await chartIdentityGuess(inputs.workspace, inputs.chart)
    return {
      kind: 'stopped',
      identity: { chart, mode: 'validate', modeReason: 'the blueprint could not be read' },
      error,
      stage: 'Blueprint'
    }
  }
  const chartMeta = blueprint.chartYaml.data
  const decision = decideMode({
    eventName: event.eventName,
    ref: event.ref,
    push: inputs.push,
    blueprint: inputs.blueprint,
    chartVersion: chartMeta.version,
    versionFromTag: inputs.versionFromTag
  })
  if (decision.mode === 'skip') return { kind: 'skip', reason: decision.reason }
  const settings = {
    inputs,
    blueprint,
    decision,
    ref: event.ref,
    idToken: Boolean(process.env.ACTIONS_ID_TOKEN_REQUEST_URL)
  }
  const identity: RunIdentity = {
    chart: { name: chartMeta.name, version: packagedVersion(settings), path: blueprint.chartDir },
    mode: decision.mode,
    modeReason: decision.reason
  }
  try {
    identity.registry = checkRunSettings(settings)
  } catch (error) {
    return { kind: 'stopped', identity, error, stage: 'Run settings' }
  }
  return { kind: 'ready', identity, blueprint }
}
