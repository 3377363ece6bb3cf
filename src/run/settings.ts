// Run settings that must hold before any work starts: the version the run packages (input, tag or Chart.yaml)
// and the checks of the inputs against the event and the chart (tag vs `version`, semver, an OCI-safe chart
// name, a registry to publish to, `plain-http` only for loopback, the registry credential pair, attest: true
// only with the workflow's OIDC token). Pure: each
// failed check throws an ActionError naming the input, tag or file and what to do.
import type { Blueprint } from '../chart/blueprint.js'
import { registryCredentials } from '../credentials/credentials.js'
import type { ActionInputs } from '../inputs/inputs.js'
import { isRepositoryComponent, parseRegistryTarget, type RegistryTarget } from '../oci/registry.js'
import type { ModeDecision } from '../report/github.js'
import { ActionError } from '../types.js'
import { isStrictSemver } from '../util/semver.js'

export interface RunSettings {
  inputs: ActionInputs
  blueprint: Blueprint
  decision: ModeDecision
  /** GITHUB_REF, for messages about the tag. */
  ref: string
  /** Whether the job has the workflow's OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL): input attest needs it. */
  idToken: boolean
}

/** The version the run packages: input `version`, else the release tag's (version-from-tag), else Chart.yaml's. */
export function packagedVersion({ inputs, blueprint, decision }: RunSettings): string {
  return inputs.version || decision.version || blueprint.chartYaml.data.version
}

/** Settings that must hold before anything runs; throws an ActionError naming the input, tag or file. */
/** Throws an ActionError for a setting that does not hold; returns the `registry` input parsed once (if set). */
export function checkRunSettings(settings: RunSettings): RegistryTarget | undefined {
  const { inputs, blueprint, decision, ref } = settings
  const version = packagedVersion(settings)
  const chartMeta = blueprint.chartYaml.data
  if (decision.error)
    throw new ActionError(
      decision.error,
      `make the tag's version and ${blueprint.chartYaml.displayPath} version agree, or set version-from-tag: true`
    )
  // A release tag publishes exactly the tagged version: input version cannot say otherwise.
  if (decision.mode === 'publish' && decision.tagVersion && inputs.version && inputs.version !== decision.tagVersion) {
    throw new ActionError(
      `input version ${inputs.version} differs from tag ${ref.replace(/^refs\/tags\//, '')} (version ${decision.tagVersion})`,
      'a release tag publishes the tagged version: remove the version input, or tag the version you mean'
    )
  }
  // Published names are OCI repository components: lowercase (validating accepts what helm accepts).
  if (decision.mode === 'publish' && !isRepositoryComponent(chartMeta.name)) {
    throw new ActionError(
      `${blueprint.chartYaml.displayPath}:${blueprint.chartYaml.lineOf(['name']) ?? 1}: chart name "${chartMeta.name}" cannot be an OCI repository name`,
      'use lowercase letters, digits and single separators (-, _ or .), e.g. bp-temporal'
    )
  }
  if (!isStrictSemver(version)) {
    const where = inputs.version
      ? 'input version'
      : decision.version
        ? `tag ${ref}`
        : `${blueprint.chartYaml.displayPath}:${blueprint.chartYaml.lineOf(['version']) ?? 1} version`
    throw new ActionError(
      `${where}: "${version}" is not a semantic version`,
      'use MAJOR.MINOR.PATCH, e.g. 1.0.0 (Helm and OCI tags need semver)'
    )
  }
  if (decision.mode === 'publish' && !inputs.registry) {
    throw new ActionError(
      `publishing ${chartMeta.name} ${version} (${decision.reason}) needs the registry input`,
      'set registry: oci://ghcr.io/<owner>, or push: false to only validate'
    )
  }
  // attest: true promises attestations: without the token nothing may be published unattested.
  if (decision.mode === 'publish' && inputs.attest === 'true' && !settings.idToken) {
    throw new ActionError(
      `attest: true, but the workflow gives this job no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set), so ${chartMeta.name} ${version} could not be attested; nothing was pushed`,
      'add `permissions: id-token: write` (and `attestations: write`) to the job, or set attest: auto to publish without attestations'
    )
  }
  // Plain HTTP to a registry that is not loopback is refused here (parseRegistryTarget).
  const target = inputs.registry ? parseRegistryTarget(inputs.registry, inputs.plainHttp) : undefined
  registryCredentials(inputs)
  return target
}
