// The one context of a run, built once the run settings hold and helm is ready: what every stage reads
// (inputs, event, blueprint, mode, chart identity, helm, credentials, work folders, the time budget)
// instead of positional parameters and a shared mutable state. Stages return their results.
import path from 'node:path'
import type { Blueprint } from '../chart/blueprint.js'
import { IndexCache } from '../chart/repository-index.js'
import { registryCredentials, repositoryCredentials, type Credentials } from '../credentials/credentials.js'
import type { Helm } from '../helm/helm.js'
import type { RegistryTarget } from '../oci/registry.js'
import type { ActionInputs } from '../inputs/inputs.js'
import type { RunBudget } from '../util/deadline.js'
import type { EventContext } from './event.js'

/** Folders of one run: everything under `root` is removed when the run ends; `output` keeps the files handed on. */
export interface WorkFolders {
  /** The run's private folder (removed at the end). */
  root: string
  /** Parent of the chart's work copy. */
  chart: string
  /** Where `helm package` writes the archive. */
  package: string
  /** Per-script chart copies and helm homes of the chart tests. */
  chartTests: string
  /** `set-secret` value files (0600). */
  secretValues: string
  /** The action's isolated helm home. */
  helmHome: string
  /** Where the JSON report, SBOM and diff file go (RUNNER_TEMP): outputs point there, so it is not removed. */
  output: string
}

export function workFolders(root: string, output: string): WorkFolders {
  return {
    root,
    chart: path.join(root, 'chart'),
    package: path.join(root, 'package'),
    chartTests: path.join(root, 'chart-tests'),
    secretValues: path.join(root, 'secret-values'),
    helmHome: path.join(root, 'helm-home'),
    output
  }
}

/** Credentials from the inputs, paired and routed once (credentials/credentials.ts decides which host gets what). */
interface RunCredentials {
  registry?: Credentials
  /** What a dependency repository URL gets (never another host's, never plain http off loopback). */
  forRepository: (repository: string) => Credentials | undefined
}

/**
 * What every stage that talks to a repository or registry shares: the credentials (an ActionError when only
 * one of registry-username/registry-password is set) and the run's index cache.
 */
export function repositoryAccess(inputs: ActionInputs): Pick<RunContext, 'credentials' | 'indexes'> {
  return {
    credentials: { registry: registryCredentials(inputs), forRepository: repositoryCredentials(inputs) },
    indexes: new IndexCache()
  }
}

export interface RunContext {
  inputs: ActionInputs
  event: EventContext
  blueprint: Blueprint
  mode: 'validate' | 'publish'
  /** The chart as the run packages it: Chart.yaml's name, the packaged version, the chart folder. */
  chart: { name: string; version: string; path: string }
  /** Where the chart is published: the `registry` input parsed once (run/settings.ts); undefined without one. */
  registry?: RegistryTarget
  helm: Helm
  credentials: RunCredentials
  /** Repository indexes, fetched once per run (library check, resolution, dependency build, base render). */
  indexes: IndexCache
  folders: WorkFolders
  budget: RunBudget
}

/** The context before helm is ready: what the stages started beside helm provisioning read. */
export type RunBase = Omit<RunContext, 'helm'>

/** What a run starts from, before the blueprint is read: the inputs, the event, the budget, the output folder. */
export interface RunFrame {
  inputs: ActionInputs
  event: EventContext
  budget: RunBudget
  /** RUNNER_TEMP (or the OS temp folder): the report, SBOM and diff file go there. */
  outputDir: string
}
