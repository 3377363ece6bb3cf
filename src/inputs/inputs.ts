// Every input is read and validated here, once, into a typed object; nothing
// else in the action calls core.getInput.
import * as core from '@actions/core'
import path from 'node:path'
import { DEFAULT_TIMEOUT, parseDuration } from '../util/deadline.js'
import {
  IMAGE_POLICIES,
  parseImageField,
  type AllowlistEntry,
  type ImageField,
  type ImagePolicy
} from '../images/images.js'
import type { RepositoryMirror } from '../chart/mirrors.js'
import type { HelmDownloadSource } from '../helm/helm-install.js'
import { isLoopbackHost, urlUserinfo, withoutUserinfo } from '../net/net.js'
import { registerSecret } from '../util/secrets.js'
import { DEFAULT_KUBERNETES_VERSION, parseKubeVersion, type KubeVersion } from '../schema/kube-versions.js'
import { ActionError } from '../types.js'

type SummaryMode = 'always' | 'on-failure' | 'off'
type RunMode = 'run' | 'discover'
type NeverLatestMode = 'error' | 'warning' | 'off'
/** Input push: auto publishes on release events only (run/settings.ts decideMode). */
export type PushMode = 'auto' | 'true' | 'false'
/** Inputs fulcio-url, tsa-url and rekor-url, checked (empty: not set); attest/instance.ts picks the instance. */
export interface SigstoreUrls {
  fulcio: string
  tsa: string
  rekor: string
}
/** Input attest: auto attests when the workflow grants an OIDC token (run/attest-step.ts). */
type AttestMode = 'auto' | 'true' | 'false'
/** Input comment-mode: how the PR comment is kept (report/github.ts upsertComment; on-failure: run/emit.ts). */
export type CommentMode = 'update' | 'recreate' | 'on-failure' | 'off'

/** Input observability-toggles: extra value paths to treat as toggles, and paths to drop (gates/observability.ts). */
export interface ToggleOverrides {
  include: string[]
  exclude: string[]
}

export interface SecretValue {
  key: string
  value: string
}

export interface ActionInputs {
  mode: RunMode
  workspace: string
  /** Blueprint folder relative to the workspace, e.g. `platform/temporal`. */
  blueprint: string
  /** Chart folder relative to the workspace. */
  chart: string
  upstream: string
  upstreamVersion: string
  repositoryMirrors: RepositoryMirror[]
  registry: string
  registryUsername: string
  registryPassword: string
  dependencyUsername: string
  dependencyPassword: string
  push: PushMode
  version: string
  versionFromTag: boolean
  overwrite: boolean
  helmVersion: string
  /** Input helm-download-url: the mirror, or why it is refused (raised only when helm must be downloaded). */
  helmDownloadUrl: HelmDownloadSource
  plainHttp: boolean
  valuesFiles: string[]
  setValues: string[]
  /** `key=value` lines of input set-secret; each value registered as a secret when read. */
  setSecretValues: SecretValue[]
  lintValues: string
  observabilityToggles: ToggleOverrides
  imagePolicy: ImagePolicy
  imageAllowlist: AllowlistEntry[]
  /** Input image-fields: custom-resource fields (`apiVersion/Kind:path`) judged as container images. */
  imageFields: ImageField[]
  /** How the never-:latest rule's findings count: error (default), warning, or off (not run). */
  neverLatest: NeverLatestMode
  /** Input kubernetes-version: every render's --kube-version, the schema gate's release. */
  kubernetesVersion: KubeVersion
  /** Input crds: globs of CRD manifests relative to the workspace. */
  crds: string[]
  /** Input missing-schemas: how a rendered kind without a schema counts. */
  missingSchemas: 'warning' | 'error' | 'off'
  resolveDigests: boolean
  chartTests: boolean
  commentMode: CommentMode
  /** When the job summary is written. */
  summary: SummaryMode
  githubToken: string
  discoverGlob: string[]
  /** Input dependents: discover on a pull request also lists the blueprints that bundle a changed one. */
  dependents: boolean
  /** Rendered diff against the base commit: `auto` on pull requests and pushes with a previous commit. */
  diff: 'auto' | 'true' | 'false'
  /** Input timeout: the whole run's budget, in milliseconds (default 15m). */
  timeoutMs: number
  /** Signed provenance and SBOM attestations of a published chart. */
  attest: AttestMode
  /** Inputs fulcio-url, tsa-url, rekor-url: a private Sigstore instance (all empty: @actions/attest's choice). */
  sigstoreUrls: SigstoreUrls
}

/** Reads an input by name; tests and the local runner set INPUT_* variables. */
type InputReader = (name: string) => string

const defaultReader: InputReader = (name) => core.getInput(name)

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
}

function boolean(read: InputReader, name: string, fallback: boolean): boolean {
  const raw = read(name).trim().toLowerCase()
  if (raw === '') return fallback
  if (['true', 'yes', '1', 'on'].includes(raw)) return true
  if (['false', 'no', '0', 'off'].includes(raw)) return false
  throw new ActionError(`input ${name}: "${raw}" is not a boolean`, `set ${name} to true or false`, {
    input: name,
    value: read(name).trim()
  })
}

function oneOf<T extends string>(read: InputReader, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(name).trim().toLowerCase()
  if (raw === '') return fallback
  if ((allowed as readonly string[]).includes(raw)) return raw as T
  throw new ActionError(
    `input ${name}: "${raw}" is not one of ${allowed.join(', ')}`,
    `set ${name} to one of ${allowed.join(', ')}`,
    { input: name, value: read(name).trim() }
  )
}

/**
 * Input version: `v1.2.3` (how release tags are written) is read as `1.2.3`, the chart version Helm and OCI tags
 * need, with a notice saying so; anything else is taken as given (the run settings check it is semver).
 */
function versionInput(text: string): string {
  const value = text.trim()
  const bare = /^v(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)$/.exec(value)
  if (!bare) return value
  core.notice(
    `input version: "${value}" is read as ${bare[1]} (a chart version has no "v"; the OCI tag is ${bare[1].replace(/\+/g, '_')})`
  )
  return bare[1]
}

/** Input kubernetes-version: `1.36`, `v1.33.2` (1.16 or later); empty: the default. */
function readKubernetesVersion(raw: string): KubeVersion {
  const text = raw.trim() || DEFAULT_KUBERNETES_VERSION
  const version = parseKubeVersion(text)
  if (!version)
    throw new ActionError(
      `input kubernetes-version: "${text}" is not a Kubernetes release like 1.36 or v1.33.2 (1.16 or later)`,
      `set kubernetes-version to the minor your clusters run, e.g. ${DEFAULT_KUBERNETES_VERSION}`
    )
  return version
}

/** Keeps a path inside the workspace: inputs name folders of the repository, never elsewhere. */
function workspacePath(workspace: string, name: string, value: string): string {
  const normalized = path.normalize(value).replace(/\/+$/, '')
  const absolute = path.resolve(workspace, normalized)
  const relative = path.relative(workspace, absolute)
  if (relative.startsWith('..') || path.isAbsolute(relative)) {
    throw new ActionError(
      `input ${name}: "${value}" is outside the workspace ${workspace}`,
      `give ${name} as a path inside the repository`,
      { input: name, value }
    )
  }
  return relative === '' ? '.' : relative
}

/**
 * The registry input without a trailing slash. Credentials in it
 * (`oci://user:token@host`) are masked before anything else is logged, then
 * refused with a message that never quotes them.
 */
export function checkRegistry(text: string): string {
  const registry = text.trim().replace(/\/+$/, '')
  const userinfo = urlUserinfo(registry)
  if (userinfo === undefined) return registry
  const password = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo
  for (const secret of [userinfo, password, safeDecode(password)]) registerSecret(secret)
  throw new ActionError(
    `input registry: ${withoutUserinfo(registry)} has credentials in the URL (user:password@); credentials in URLs would reach logs`,
    'remove user:password@ from registry and set the registry-username and registry-password inputs (from secrets) instead'
  )
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

export function parseMirrors(text: string): RepositoryMirror[] {
  const mirrors: RepositoryMirror[] = []
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    // Checked before anything else, so that no message ever quotes the password.
    if (withoutUserinfo(line) !== line) {
      throw new ActionError(
        `input repository-mirrors: line ${index + 1} (${withoutUserinfo(line)}) has credentials in a URL (user:password@); credentials in URLs would reach logs`,
        'remove user:password@ from the URL and set the dependency-username and dependency-password inputs instead'
      )
    }
    const at = line.indexOf('=')
    const from = line.slice(0, at).trim().replace(/\/+$/, '')
    const to = line
      .slice(at + 1)
      .trim()
      .replace(/\/+$/, '')
    if (at <= 0 || !/^(https?|oci):\/\/\S+$/.test(from) || !/^(https?|oci):\/\/\S+$/.test(to)) {
      throw new ActionError(
        `input repository-mirrors: "${line}" is not of the form <repository URL>=<mirror URL>`,
        'write one mirror a line, e.g. https://go.temporal.io/helm-charts=https://charts.mirror.example/temporal'
      )
    }
    mirrors.push({ from, to })
  }
  return mirrors
}

const DEFAULT_HELM_DOWNLOAD_URL = 'https://get.helm.sh'

/**
 * A service URL an input names: https://, or plain http:// only to a loopback host (tests, a local mirror or
 * stand-in): over plain http anyone on the path could answer in the service's place. No credentials in it: they
 * would reach logs. `example` is what the error suggests instead.
 */
function serviceUrl(input: string, text: string, example: string): string {
  const value = text.trim().replace(/\/+$/, '')
  let url: URL | undefined
  try {
    url = new URL(value)
  } catch {
    url = undefined
  }
  const shown = withoutUserinfo(value)
  if (url && (url.username || url.password)) {
    throw new ActionError(
      `input ${input}: "${shown}" has credentials in the URL; they would reach logs`,
      'use a URL that needs no credentials in it'
    )
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    throw new ActionError(`input ${input}: "${shown}" is not an https:// URL`, `set ${input} to ${example}`)
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new ActionError(
      `input ${input}: "${shown}" uses plain http to ${url.host}, which is not a loopback host`,
      'use https://; plain http is only accepted for 127.0.0.1, ::1 or localhost'
    )
  }
  return value
}

/** Base URL Helm tarballs (and their .sha256sum) are downloaded from (a mirror). */
export function parseHelmDownloadUrl(text: string): string {
  return serviceUrl(
    'helm-download-url',
    text.trim() || DEFAULT_HELM_DOWNLOAD_URL,
    'an https:// mirror of https://get.helm.sh'
  )
}

/**
 * Inputs fulcio-url, tsa-url, rekor-url: a private Sigstore instance. Fulcio issues the certificate; a bundle
 * also needs a timestamp (tsa-url) or a transparency log entry (rekor-url) to verify after the certificate's ten
 * minutes, so fulcio-url goes with at least one of them, and neither means anything without fulcio-url.
 */
function parseSigstoreUrls(read: InputReader): SigstoreUrls {
  const [fulcio, tsa, rekor] = (['fulcio-url', 'tsa-url', 'rekor-url'] as const).map((input) => {
    const text = read(input).trim()
    return text ? serviceUrl(input, text, `the https:// base URL of your Sigstore instance's service`) : ''
  })
  if (!fulcio && (tsa || rekor))
    throw new ActionError(
      `input ${tsa ? 'tsa-url' : 'rekor-url'} is set without fulcio-url`,
      'a private Sigstore instance needs fulcio-url (the certificate authority) too; or remove it to use the instance @actions/attest would choose'
    )
  if (fulcio && !tsa && !rekor)
    throw new ActionError(
      'input fulcio-url is set without tsa-url or rekor-url',
      'set tsa-url (a timestamp authority) or rekor-url (a transparency log) of the same instance: a bundle needs one to verify'
    )
  return { fulcio, tsa, rekor }
}

/** Input helm-download-url, checked now; a refusal is raised only if a download is needed. */
export function readHelmDownloadUrl(text: string): HelmDownloadSource {
  try {
    return { url: parseHelmDownloadUrl(text) }
  } catch (error) {
    if (!(error instanceof ActionError)) throw error
    return { url: withoutUserinfo(text.trim()), refusal: error }
  }
}

export function parseAllowlist(text: string): AllowlistEntry[] {
  return lines(text).map((line) => {
    const hash = line.indexOf(' #')
    const pattern = (hash >= 0 ? line.slice(0, hash) : line).trim()
    const reason = hash >= 0 ? line.slice(hash + 2).trim() : ''
    return { pattern, reason: reason || 'allow-listed' }
  })
}

/** Input image-fields: one `apiVersion/Kind:path` a line (images/images.ts parseImageField). */
export function parseImageFields(text: string): ImageField[] {
  return lines(text).map((line) => {
    const field = parseImageField(line)
    if (!field) {
      throw new ActionError(
        `input image-fields: "${line}" is not apiVersion/Kind:path`,
        'write one field a line, e.g. example.com/v1/Runner:spec.runner.image (group/* for every version, name[] for every element of a list)'
      )
    }
    return field
  })
}

export function parseToggleOverrides(text: string): ToggleOverrides {
  const include: string[] = []
  const exclude: string[] = []
  for (const line of lines(text)) {
    if (line.startsWith('!')) exclude.push(line.slice(1).trim())
    else include.push(line)
  }
  return { include, exclude }
}

export function parseSetValues(text: string): string[] {
  return lines(text).map((line) => {
    if (!/^[^=\s]+=/.test(line)) {
      throw new ActionError(
        `input set: "${line}" is not key=value`,
        'write one key=value a line, e.g. temporal.server.replicaCount=1'
      )
    }
    return line
  })
}

/**
 * Input set-secret: `key=value` lines whose values are secrets. Every value
 * (and a malformed line as a whole) is masked before anything else happens,
 * and no message quotes one.
 */
export function parseSecretValues(text: string): SecretValue[] {
  const entries: SecretValue[] = []
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim()
    if (line === '') continue
    const at = line.indexOf('=')
    if (at <= 0 || /\s/.test(line.slice(0, at))) {
      registerSecret(line)
      throw new ActionError(
        `input set-secret: line ${index + 1} is not key=value (the line is not shown: it may hold a secret)`,
        'write one key=value a line, e.g. temporal.server.config.persistence.default.sql.password=${{ secrets.DB_PASSWORD }}'
      )
    }
    const value = line.slice(at + 1)
    registerSecret(value)
    entries.push({ key: line.slice(0, at), value })
  }
  return entries
}

export function getInputs(read: InputReader = defaultReader, env: NodeJS.ProcessEnv = process.env): ActionInputs {
  // Masked before any other input is read, so that no error below can show one.
  const setSecretValues = parseSecretValues(read('set-secret'))
  const workspace = path.resolve(env.GITHUB_WORKSPACE || process.cwd())
  const blueprint = workspacePath(workspace, 'blueprint', read('blueprint').trim() || 'platform/temporal')
  const chartRaw = read('chart').trim()
  const chart = workspacePath(workspace, 'chart', chartRaw || path.join(blueprint, 'chart'))
  const registry = checkRegistry(read('registry'))
  if (registry && !registry.startsWith('oci://')) {
    throw new ActionError(
      `input registry: "${registry}" is not an oci:// URL`,
      'set registry to e.g. oci://ghcr.io/<owner>',
      { input: 'registry', value: registry }
    )
  }
  const helmVersion = read('helm-version').trim()
  if (helmVersion && !/^v?\d+\.\d+\.\d+$/.test(helmVersion)) {
    throw new ActionError(
      `input helm-version: "${helmVersion}" is not a version like v3.17.2`,
      'set helm-version to an exact Helm release, e.g. v3.17.2',
      { input: 'helm-version', value: helmVersion }
    )
  }
  const imagePolicy = oneOf<ImagePolicy>(read, 'image-policy', IMAGE_POLICIES, 'sha')
  return {
    mode: oneOf<RunMode>(read, 'mode', ['run', 'discover'], 'run'),
    workspace,
    blueprint,
    chart,
    // Empty: decided from the chart (values.yaml catalystBlueprint.upstream.chart, else the only non-library dependency).
    upstream: read('upstream').trim(),
    upstreamVersion: read('upstream-version').trim(),
    repositoryMirrors: parseMirrors(read('repository-mirrors')),
    registry,
    registryUsername: read('registry-username').trim(),
    registryPassword: read('registry-password'),
    dependencyUsername: read('dependency-username').trim(),
    dependencyPassword: read('dependency-password'),
    push: oneOf<PushMode>(read, 'push', ['auto', 'true', 'false'], 'auto'),
    version: versionInput(read('version')),
    versionFromTag: boolean(read, 'version-from-tag', false),
    overwrite: boolean(read, 'overwrite', false),
    helmVersion: helmVersion && !helmVersion.startsWith('v') ? `v${helmVersion}` : helmVersion,
    // Checked when a download happens (helm-install.ts): a runner with helm
    // already in place never contacts it, whatever it says.
    helmDownloadUrl: readHelmDownloadUrl(read('helm-download-url')),
    plainHttp: boolean(read, 'plain-http', false),
    valuesFiles: lines(read('values')).map((file) => workspacePath(workspace, 'values', file)),
    setValues: parseSetValues(read('set')),
    setSecretValues,
    lintValues: read('lint-values').trim(),
    observabilityToggles: parseToggleOverrides(read('observability-toggles')),
    imagePolicy,
    imageAllowlist: parseAllowlist(read('image-allowlist')),
    imageFields: parseImageFields(read('image-fields')),
    neverLatest: oneOf<NeverLatestMode>(read, 'never-latest', ['error', 'warning', 'off'], 'error'),
    kubernetesVersion: readKubernetesVersion(read('kubernetes-version')),
    crds: lines(read('crds')).map((glob) => {
      workspacePath(workspace, 'crds', glob.replace(/[*?[{].*$/, '') || '.')
      return glob
    }),
    missingSchemas: oneOf<'warning' | 'error' | 'off'>(read, 'missing-schemas', ['warning', 'error', 'off'], 'warning'),
    resolveDigests: boolean(read, 'resolve-digests', false),
    chartTests: boolean(read, 'chart-tests', true),
    commentMode: oneOf<CommentMode>(read, 'comment-mode', ['update', 'recreate', 'on-failure', 'off'], 'update'),
    summary: oneOf<SummaryMode>(read, 'summary', ['always', 'on-failure', 'off'], 'always'),
    githubToken: read('github-token').trim(),
    discoverGlob: lines(read('discover-glob')),
    dependents: boolean(read, 'dependents', false),
    diff: oneOf<'auto' | 'true' | 'false'>(read, 'diff', ['auto', 'true', 'false'], 'auto'),
    timeoutMs: parseDuration(read('timeout').trim() || DEFAULT_TIMEOUT),
    attest: oneOf<AttestMode>(read, 'attest', ['auto', 'true', 'false'], 'auto'),
    sigstoreUrls: parseSigstoreUrls(read)
  }
}
