// Run settings that must hold before any work starts: which mode the event asks for (`decideMode`: validate,
// publish or skip), the version the run packages (input, tag or Chart.yaml) and the checks of the inputs against the event and the chart (tag vs `version`, semver, an OCI-safe chart
// name, a registry to publish to, `plain-http` only for loopback, the registry credential pair, attest: true only with the
// workflow's OIDC token). Pure: each
// failed check throws an ActionError naming the input, tag or file and what to do.
import type { Blueprint } from '../chart/blueprint.js'
import { registryCredentials } from '../credentials/credentials.js'
import type { ActionInputs, PushMode } from '../inputs/inputs.js'
import { isRepositoryComponent, parseRegistryTarget, type RegistryTarget } from '../oci/registry.js'
import { ActionError } from '../types.js'
import { isStrictSemver } from '../util/semver.js'

export interface ModeInput {
  eventName: string
  /** GITHUB_REF, e.g. `refs/tags/platform/temporal/v1.0.0`, `refs/heads/main`, `refs/pull/7/merge`. */
  ref: string
  push: PushMode
  /** Blueprint folder relative to the workspace, e.g. `platform/temporal`. */
  blueprint: string
  /** `version` of Chart.yaml. */
  chartVersion: string
  versionFromTag: boolean
}

export interface ModeDecision {
  mode: 'validate' | 'publish' | 'skip'
  /** What was chosen and why, in one sentence. */
  reason: string
  /** The release tag's version (set when the tag is for this blueprint and version-from-tag is on). */
  version?: string
  /** Set when the run must fail: the tag's version and Chart.yaml disagree. */
  error?: string
  /** The version of the release tag that decided the mode (a tag of this blueprint, or a bare vX.Y.Z). */
  tagVersion?: string
}

export interface ReleaseTag {
  tag: string
  /** `platform/temporal`, `products/shop`, or undefined for a bare `v1.2.3`. */
  blueprint?: string
  /** Without the leading `v`. */
  version: string
}

// semver.org's grammar: no leading zeros in numeric identifiers.
const NUM = '(?:0|[1-9]\\d*)'
const PRE_ID = `(?:${NUM}|\\d*[A-Za-z-][0-9A-Za-z-]*)`
const SEMVER = `${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?`
const RELEASE_TAG_RE = new RegExp(`^(?:((?:platform|products)/[^/]+)/)?v(${SEMVER})$`)

/** Parses a release tag (`platform/<name>/v1.2.3`, `products/<name>/v1.2.3`, `v1.2.3`); undefined for anything else. */
export function parseReleaseTag(tag: string): ReleaseTag | undefined {
  const m = RELEASE_TAG_RE.exec(tag)
  if (!m) return undefined
  return { tag, blueprint: m[1], version: m[2] }
}

function normalizeFolder(folder: string): string {
  return folder
    .replace(/\\/g, '/')
    .replace(/^(\.\/)+/, '')
    .replace(/\/+$/, '')
    .replace(/\/{2,}/g, '/')
}

/** A tag's `platform/<name>` names this blueprint when it is the folder or its trailing path. */
function sameBlueprint(tagBlueprint: string, blueprint: string): boolean {
  const bp = normalizeFolder(blueprint)
  return bp === tagBlueprint || bp.endsWith(`/${tagBlueprint}`)
}

/** Events of a pull request (the publish preview and the mode decision read them). */
export const PR_EVENTS: ReadonlySet<string> = new Set(['pull_request', 'pull_request_target'])
/** Events whose ref is a release tag that asks for a release (`on: release` has refs/tags/<tag_name>). */
const TAG_EVENTS = new Set(['push', 'release'])

/** Decides validate / publish / skip for an event; pure. */
export function decideMode(input: ModeInput): ModeDecision {
  const { eventName, ref, push } = input
  const chartVersion = input.chartVersion.trim().replace(/^v(?=\d)/, '')
  const blueprint = normalizeFolder(input.blueprint)

  if (PR_EVENTS.has(eventName)) {
    if (push === 'true')
      return { mode: 'publish', reason: `${eventName} with push: true publishes from the pull request` }
    return { mode: 'validate', reason: `${eventName}: pull requests only validate (push: ${push})` }
  }

  const tagName = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined
  if (tagName !== undefined && TAG_EVENTS.has(eventName)) {
    const tag = parseReleaseTag(tagName)
    if (!tag) {
      if (push === 'true')
        return {
          mode: 'publish',
          reason: `tag ${tagName} is not a release tag, but push: true publishes Chart.yaml ${chartVersion}`
        }
      return {
        mode: 'validate',
        reason: `tag ${tagName} is not a release tag (${blueprint}/vX.Y.Z or vX.Y.Z): validate only`
      }
    }
    if (tag.blueprint && !sameBlueprint(tag.blueprint, blueprint)) {
      return {
        mode: 'skip',
        reason: `tag ${tagName} is for blueprint ${tag.blueprint}, not ${blueprint}: nothing to do`
      }
    }
    const mode = push === 'false' ? 'validate' : 'publish'
    const why = push === 'false' ? ' (push: false: validate only)' : ''
    if (input.versionFromTag) {
      return {
        mode,
        reason: `tag ${tagName} sets version ${tag.version} (version-from-tag)${why}`,
        version: tag.version,
        tagVersion: tag.version
      }
    }
    if (tag.version !== chartVersion) {
      return {
        mode,
        reason: `tag ${tagName} does not match Chart.yaml ${chartVersion}${why}`,
        error: `tag ${tagName} has version ${tag.version} but Chart.yaml version is ${chartVersion}`,
        tagVersion: tag.version
      }
    }
    return { mode, reason: `tag ${tagName} matches Chart.yaml ${chartVersion}${why}`, tagVersion: tag.version }
  }

  const where = ref.startsWith('refs/heads/')
    ? `${eventName} to branch ${ref.slice('refs/heads/'.length)}`
    : ref
      ? `${eventName} on ${ref}`
      : eventName || 'unknown event'
  if (push === 'true')
    return { mode: 'publish', reason: `${where} with push: true publishes Chart.yaml ${chartVersion}` }
  return {
    mode: 'validate',
    reason: `${where}: validate only; releases publish from tags ${blueprint}/v${chartVersion || 'X.Y.Z'} (or set push: true)`
  }
}

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

/**
 * Settings that must hold before anything runs: throws an ActionError naming the input, tag or file, at the line it
 * is about (Chart.yaml's, or the workflow's that sets the input); returns the `registry` input parsed once (if set).
 */
export function checkRunSettings(settings: RunSettings): RegistryTarget | undefined {
  const { inputs, blueprint, decision, ref } = settings
  const version = packagedVersion(settings)
  const chartMeta = blueprint.chartYaml.data
  const chartYaml = blueprint.chartYaml.displayPath
  const atChartYaml = (key: string): { file: string; line?: number } => ({
    file: chartYaml,
    line: blueprint.chartYaml.lineOf([key])
  })
  if (decision.error) {
    const tag = ref.replace(/^refs\/tags\//, '')
    throw new ActionError(
      `tag ${tag} has version ${decision.tagVersion}, but ${chartYaml} has version ${chartMeta.version}`,
      `make them agree (version: ${decision.tagVersion} in ${chartYaml}, or the tag v${chartMeta.version}), or set version-from-tag: true`,
      atChartYaml('version')
    )
  }
  // A release tag publishes exactly the tagged version: input version cannot say otherwise.
  if (decision.mode === 'publish' && decision.tagVersion && inputs.version && inputs.version !== decision.tagVersion) {
    throw new ActionError(
      `input version ${inputs.version} differs from tag ${ref.replace(/^refs\/tags\//, '')} (version ${decision.tagVersion})`,
      'a release tag publishes the tagged version: remove the version input, or tag the version you mean',
      { input: 'version', value: inputs.version }
    )
  }
  // Published names are OCI repository components: lowercase (validating accepts what helm accepts).
  if (decision.mode === 'publish' && !isRepositoryComponent(chartMeta.name)) {
    throw new ActionError(
      `${chartYaml}:${blueprint.chartYaml.lineOf(['name']) ?? 1}: chart name "${chartMeta.name}" cannot be an OCI repository name`,
      'use lowercase letters, digits and single separators (-, _ or .), e.g. bp-temporal',
      atChartYaml('name')
    )
  }
  if (!isStrictSemver(version)) {
    const where = inputs.version
      ? 'input version'
      : decision.version
        ? `tag ${ref}`
        : `${chartYaml}:${blueprint.chartYaml.lineOf(['version']) ?? 1} version`
    throw new ActionError(
      `${where}: "${version}" is not a semantic version`,
      'use MAJOR.MINOR.PATCH, e.g. 1.0.0 (Helm and OCI tags need semver)',
      inputs.version
        ? { input: 'version', value: inputs.version }
        : decision.version
          ? undefined
          : atChartYaml('version')
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
