// Packages the work chart reproducibly, checks the archive still carries its
// dependencies (guard 2), and publishes it: never over a different artifact,
// retrying only what is transient, and verifying by pulling it back (guard 3).
import * as core from '@actions/core'
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import {
  listTgz,
  normalizeTgz,
  readTgzFile,
  tgzContentDigest,
  tgzEntrySummaries,
  writeHelmTgz
} from '../chart/archive.js'
import { parse as parseYaml } from 'yaml'
import type { WorkChart } from '../chart/work-chart.js'
import { DeadlineError, OPERATION_LIMITS, operationLimit, withProgress } from '../util/deadline.js'
import type { Helm, HelmRunResult } from '../helm/helm.js'
import { lastLines } from '../util/text.js'
import {
  RegistryClient,
  RegistryError,
  chartRef,
  chartRepository,
  ociTag,
  withRetry,
  type RegistryTarget
} from './registry.js'
import { nodePackage, Unsupported, type ChartMetadata } from './chart-package.js'
import { helmArtifact, type HelmArtifact } from './artifact.js'
import type { Credentials } from '../credentials/credentials.js'
import { redact } from '../util/secrets.js'
import { parseVersion } from '../util/semver.js'
import { ActionError, type Finding, type PublishInfo, type StepResult } from '../types.js'

const execFileAsync = promisify(execFile)

export interface PackagedChart {
  archive: string
  listing: string[]
  /** sha256 of the normalized archive: the chart content layer's digest once pushed. */
  layerDigest: string
  epoch: number
  /**
   * The chart's metadata as helm holds it, when the archive was written in node:
   * the push then goes through the registry API (config blob from it). Without
   * it (a chart shape left to `helm package`), `helm push` pushes.
   */
  metadata?: ChartMetadata
}

/**
 * The archive's timestamps become the pushed manifest's `created` annotation,
 * so they are pinned to the commit time: the same commit gives the same digest.
 */
export async function sourceDateEpoch(
  env: NodeJS.ProcessEnv,
  workspace: string,
  chartDir: string
): Promise<{ epoch: number; source: string }> {
  const fromEnv = env.SOURCE_DATE_EPOCH?.trim()
  if (fromEnv) {
    if (!/^\d+$/.test(fromEnv))
      throw new ActionError(
        `SOURCE_DATE_EPOCH "${fromEnv}" is not a number of seconds`,
        'unset it or set it to a Unix time'
      )
    return { epoch: Number(fromEnv), source: 'SOURCE_DATE_EPOCH' }
  }
  try {
    const { stdout } = await execFileAsync('git', ['log', '-1', '--format=%ct', '--', chartDir], {
      cwd: workspace,
      timeout: 15000
    })
    const epoch = Number(stdout.trim())
    if (Number.isInteger(epoch) && epoch > 0) return { epoch, source: `last commit of ${chartDir}` }
  } catch {
    // not a git checkout: fall through
  }
  // Still reproducible without git: a fixed time (the zip epoch), said in the report.
  return { epoch: 315532800, source: 'fixed 1980-01-01 (no git history, no SOURCE_DATE_EPOCH)' }
}

export interface PackageData {
  archive: string
  entries: number
  layerDigest: string
  /** ISO time every archive entry (and the manifest's `created`) carries. */
  timestamps: string
  timestampSource: string
}

export async function packageChart(
  helm: Helm,
  work: WorkChart,
  destination: string,
  timestamps: { epoch: number; source: string },
  built: Record<string, string>
): Promise<{ packaged?: PackagedChart; step: StepResult<PackageData> }> {
  const start = performance.now()
  const epoch = timestamps.epoch
  const archive = path.join(destination, `${work.name}-${work.version}.tgz`)
  // `helm package` in node (one helm process less); shapes it cannot write exactly as helm go to helm.
  const metadata = await packageInNode(work, archive, epoch)
  const result = metadata ? undefined : await helm.run(['package', work.dir, '--destination', destination])
  if (result && result.exitCode !== 0) {
    const step = failedStep<PackageData>(
      'package',
      'Package',
      start,
      'helm package failed',
      `helm package failed: ${lastLines(redact(result.stderr), 3)}`,
      result
    )
    // charts/ was built (guard 1 passed) yet helm does not see it: .helmignore dropped it.
    if (/missing in charts\/ directory/i.test(result.stderr + result.stdout)) {
      step.summary = 'helm package found no dependencies under charts/'
      step.findings = [
        {
          rule: 'hollow-chart',
          severity: 'error',
          message: `${step.findings[0].message}: the package would ship without its upstream payload`,
          fix: 'check .helmignore does not exclude charts/ (or the dependency archives in it)'
        }
      ]
    }
    return { step }
  }
  if (result) await normalizeTgz(archive, epoch)
  const [listing, content] = await Promise.all([listTgz(archive), readFile(archive)])
  const layerDigest = `sha256:${createHash('sha256').update(content).digest('hex')}`
  const findings = await archiveFindings(archive, listing, work, 'the packaged archive', built)
  return {
    packaged: { archive, listing, layerDigest, epoch, ...(metadata ? { metadata } : {}) },
    step: {
      id: 'package',
      title: 'Package',
      status: findings.length ? 'failed' : 'passed',
      durationMs: Math.round(performance.now() - start),
      summary: findings.length
        ? `${path.basename(archive)} is missing ${findings.length} dependenc${findings.length === 1 ? 'y' : 'ies'}`
        : `${path.basename(archive)}, ${listing.length} entries, dependencies inside; timestamps from ${timestamps.source}`,
      findings,
      data: {
        archive,
        entries: listing.length,
        layerDigest,
        timestamps: new Date(epoch * 1000).toISOString(),
        timestampSource: timestamps.source
      }
    }
  }
}

/** Writes the archive in node; undefined (after saying why) when the chart's shape is left to helm. */
async function packageInNode(work: WorkChart, archive: string, epoch: number): Promise<ChartMetadata | undefined> {
  try {
    const packaged = await nodePackage(work.dir)
    if (packaged.name !== work.name || packaged.version !== work.version)
      throw new Unsupported(`Chart.yaml names ${packaged.name} ${packaged.version}, not ${work.name} ${work.version}`)
    await mkdir(path.dirname(archive), { recursive: true })
    await writeHelmTgz(archive, packaged.entries, epoch)
    return packaged.metadata
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error
    core.info(`packaging with helm package: ${error.message}`)
    return undefined
  }
}

/**
 * Hollow-chart guards 2 and 3: the archive holds every dependency under
 * <chart>/charts/, as an archive or (as `helm package` writes it) unpacked,
 * at the version the dependency build put there.
 */
export async function archiveFindings(
  archive: string,
  listing: string[],
  work: WorkChart,
  what: string,
  built: Record<string, string>
): Promise<Finding[]> {
  const entries = new Set(listing.map((entry) => entry.replace(/\/$/, '')))
  const findings: Finding[] = []
  for (const dep of work.dependencies) {
    const prefix = `${work.name}/charts/${dep.name}`
    const version = built[dep.name]
    let found: string | undefined
    if (version && entries.has(`${prefix}-${version}.tgz`)) found = version
    else if (entries.has(`${prefix}/Chart.yaml`)) {
      const meta = parseYaml((await readTgzFile(archive, `${prefix}/Chart.yaml`))?.toString('utf8') ?? '') as {
        version?: unknown
      } | null
      found = meta?.version === undefined ? undefined : String(meta.version)
    } else {
      // Only <dep>-<semver>.tgz: `temporal-web-1.0.0.tgz` is another chart, not temporal.
      found = [...entries]
        .filter((entry) => entry.startsWith(`${prefix}-`) && entry.endsWith('.tgz'))
        .map((entry) => entry.slice(prefix.length + 1, -'.tgz'.length))
        .find((candidate) => parseVersion(candidate) !== undefined)
    }
    if (found === undefined) {
      findings.push({
        rule: 'hollow-chart',
        severity: 'error',
        message: `${what} has no ${prefix}/ (nor ${prefix}-${version ?? '<version>'}.tgz): the chart would ship without its ${dep.name} payload`,
        fix: 'check .helmignore does not exclude charts/ and that helm dependency build ran'
      })
    } else if (version && found !== version) {
      findings.push({
        rule: 'hollow-chart',
        severity: 'error',
        message: `${what} holds ${dep.name} ${found}, but the dependency build resolved ${version}`,
        fix: 'rebuild the chart: the archive does not hold the dependency that was validated'
      })
    }
  }
  return findings
}

function failedStep<D>(
  id: string,
  title: string,
  start: number,
  summary: string,
  message: string,
  result?: HelmRunResult
): StepResult<D> {
  return {
    id,
    title,
    status: 'failed',
    durationMs: Math.round(performance.now() - start),
    summary,
    findings: [{ rule: id, severity: 'error', message }],
    details: result ? redact(`${result.stderr}\n${result.stdout}`).trim() : undefined
  }
}

export interface PublishOptions {
  helm: Helm
  work: WorkChart
  packaged: PackagedChart
  /** The `registry` input, parsed once (parseRegistryTarget). */
  target: RegistryTarget
  credentials?: Credentials
  overwrite: boolean
  /** Dependency versions that landed in charts/ (from the dependency build), checked again after pull. */
  built: Record<string, string>
  retries?: number
  baseDelayMs?: number
}

/** `Digest: sha256:…` is on stderr for some helm versions and stdout for others. */
export function parsePushedDigest(result: Pick<HelmRunResult, 'stdout' | 'stderr'>): string | undefined {
  return /Digest:\s*(sha256:[0-9a-f]{64})/.exec(`${result.stdout}\n${result.stderr}`)?.[1]
}

const TRANSIENT =
  /\b(50[0234]|429)\b|Service Unavailable|Bad Gateway|Gateway Timeout|Too Many Requests|connection reset|broken pipe|\bEOF\b|i\/o timeout|connection refused|TLS handshake timeout/i
// "permission denied" is a local file error, not the registry refusing credentials.
const AUTH = /\b(401|403)\b|unauthorized|(?<!permission )denied|authentication required|forbidden/i

export function isTransientHelmFailure(text: string): boolean {
  return TRANSIENT.test(text) && !AUTH.test(text)
}

async function loginRegistry(helm: Helm, host: string, credentials: Credentials, plainHttp: boolean): Promise<void> {
  const result = await helm.registryLogin(host, credentials, plainHttp)
  if (result.exitCode !== 0) {
    throw new ActionError(
      `registry ${host} refused the login of user ${credentials.username}: ${lastLines(redact(result.stderr || result.stdout), 2)}`,
      'check registry-username and registry-password (for ghcr.io: a token with write:packages)'
    )
  }
}

/**
 * A publish in two steps, so uploads overlap the gates: stagePublish starts
 * uploading the config and chart blobs at once; commit() (once every gate
 * passed) checks the tag, PUTs the manifest (which creates the tag) and
 * verifies; abandon() (a gate failed) tags nothing. Blobs without a manifest
 * are harmless: no tag or manifest names them, pulls cannot reach them, and
 * the registry's garbage collection removes them; a later run reuses them.
 */
export interface StagedPublish {
  commit(): Promise<StepResult<PublishInfo>>
  abandon(): Promise<void>
}

export function stagePublish(options: PublishOptions): StagedPublish {
  const { work, packaged, target } = options
  const repository = chartRepository(target, work.name)
  const settings = {
    host: target.host,
    plainHttp: target.plainHttp,
    credentials: options.credentials,
    retries: options.retries ?? 4,
    baseDelayMs: options.baseDelayMs ?? 500
  }
  const client = new RegistryClient(settings)
  // Uploads may take longer than a read: each request gets the registry-write limit.
  const writer = new RegistryClient({ ...settings, timeoutMs: OPERATION_LIMITS.registryWrite })
  // Shapes packaged by helm have no metadata in node: helm pushes those (no staging).
  const artifact = packaged.metadata
    ? readFile(packaged.archive).then((layer) => helmArtifact(packaged, layer))
    : undefined
  const upload = (a: HelmArtifact): Promise<void> =>
    Promise.all([
      writer.pushBlob(repository, a.configDigest, a.config),
      writer.pushBlob(repository, packaged.layerDigest, a.layer)
    ]).then(() => undefined)
  // Uploads only for a tag that does not exist yet (or is to be replaced): a re-run writes nothing, and
  // what commit() decides about a published version is decided before any write. Settles without
  // throwing: commit() asks the registry again and says what went wrong (uploading again after a failure).
  const staged = artifact
    ?.then(async (a) => {
      if (!options.overwrite && (await client.manifest(repository, ociTag(work.version))).exists) return false
      await upload(a)
      return true
    })
    .catch(() => false)
  return {
    commit: async () => {
      if (!artifact) return publishWithHelm(options, client, repository)
      const uploaded = await staged
      const a = await artifact
      return runPublish(options, client, repository, async () => {
        if (!uploaded) await upload(a)
        return { digest: await writer.putManifest(repository, ociTag(work.version), a.manifest, a.manifestMediaType) }
      })
    },
    abandon: async () => {
      await staged
    }
  }
}

type PushOutcome = { digest: string } | { failed: { message: string; details?: string; auth: boolean } }

/** A registry's refusal of the given credentials: the run stops with the error a refused login gave. */
function refusedLogin(error: unknown, options: PublishOptions): ActionError | undefined {
  if (!(error instanceof RegistryError) || error.kind !== 'auth' || !options.credentials) return undefined
  return new ActionError(
    `registry ${options.target.host} refused the login of user ${options.credentials.username}: ${redact(error.message)}`,
    'check registry-username and registry-password (for ghcr.io: a token with write:packages)'
  )
}

async function publishWithHelm(
  options: PublishOptions,
  client: RegistryClient,
  repository: string
): Promise<StepResult<PublishInfo>> {
  const { helm, target } = options
  if (options.credentials) await loginRegistry(helm, target.host, options.credentials, target.plainHttp)
  const plain = target.plainHttp ? ['--plain-http'] : []
  return runPublish(options, client, repository, async () => {
    const push = await withRetry(
      async () => {
        const result = await helm.run(['push', options.packaged.archive, target.url, ...plain], {
          what: `helm push to ${target.host}`,
          limitMs: OPERATION_LIMITS.registryWrite
        })
        if (result.exitCode !== 0) throw new PushFailure(result)
        return result
      },
      {
        retries: options.retries ?? 4,
        baseDelayMs: options.baseDelayMs ?? 500,
        isRetryable: (error) =>
          error instanceof PushFailure && isTransientHelmFailure(error.result.stderr + error.result.stdout)
      }
    ).catch((error: unknown) => {
      if (error instanceof PushFailure) return error.result
      throw error
    })
    if (push.exitCode !== 0) {
      const text = redact(push.stderr || push.stdout)
      return { failed: { message: lastLines(text, 3), details: text, auth: AUTH.test(text) } }
    }
    const digest = parsePushedDigest(push)
    if (!digest) {
      return {
        failed: {
          message: 'helm push succeeded but printed no Digest: line',
          details: redact(push.stdout + push.stderr),
          auth: false
        }
      }
    }
    return { digest }
  })
}

async function runPublish(
  options: PublishOptions,
  client: RegistryClient,
  repository: string,
  push: () => Promise<PushOutcome>
): Promise<StepResult<PublishInfo>> {
  const start = performance.now()
  const { work, packaged, target } = options
  const host = target.host
  const tag = ociTag(work.version)
  const ref = chartRef(target, work.name, work.version)
  const step = (
    status: StepResult['status'],
    summary: string,
    findings: Finding[],
    data: PublishInfo,
    details?: string
  ): StepResult<PublishInfo> => ({
    id: 'publish',
    title: 'Publish',
    status,
    durationMs: Math.round(performance.now() - start),
    summary,
    findings,
    data,
    details
  })

  // Never overwrite by accident: ask first, and an error is never read as "absent".
  const existing = await client.manifest(repository, tag).catch((error: unknown) => {
    throw refusedLogin(error, options) ?? error
  })
  if (existing.exists) {
    const remoteLayer = await client.chartLayerDigest(repository, existing.digest)
    if (remoteLayer === packaged.layerDigest) {
      return step('passed', `${ref} already published with the same content (${existing.digest}); nothing pushed`, [], {
        ref,
        digest: existing.digest,
        pushed: false,
        alreadyPublished: true
      })
    }
    // Same files, other timestamps: a shallow checkout or another commit that
    // left the chart alone moves the archive's mtimes, not what it ships.
    const comparison =
      remoteLayer && !options.overwrite
        ? await comparePublished(client, repository, existing.digest, packaged)
        : undefined
    if (comparison?.same) {
      return step(
        'passed',
        `${ref} already published with the same files (${existing.digest}; only the archive's timestamps differ); nothing pushed`,
        [],
        { ref, digest: existing.digest, pushed: false, alreadyPublished: true }
      )
    }
    if (!options.overwrite) {
      return step(
        'failed',
        `${ref} already exists with other content`,
        [
          {
            rule: 'no-overwrite',
            severity: 'error',
            message: `${ref} is already published as ${existing.digest} (chart layer ${remoteLayer ?? 'unknown'}), and this chart's content is ${packaged.layerDigest}${comparison?.differing.length ? ` (differing: ${comparison.differing.join(', ')})` : ''}: a published version is never replaced`,
            fix: noOverwriteFix(ref, comparison)
          }
        ],
        { ref, pushed: false }
      )
    }
  }

  core.info(`pushing ${ref} …`)
  const pushStart = performance.now()
  const pushed = await withProgress(
    push().catch((error: unknown): PushOutcome => {
      const refused = refusedLogin(error, options)
      if (refused) throw refused
      // Out of the run's time: named as the operation users know (what `helm push` does), like a stuck helm.
      if (error instanceof DeadlineError) throw new DeadlineError(`helm push to ${host}`, error.waitedMs, error.byRun)
      if (error instanceof RegistryError && error.kind === 'unavailable' && operationLimit(1).byRun)
        throw new DeadlineError(`helm push to ${host}`, performance.now() - pushStart, true)
      if (!(error instanceof RegistryError)) throw error
      return { failed: { message: redact(error.message), auth: error.kind === 'auth' } }
    }),
    (ms) => core.info(`still pushing ${ref} to ${host} (${Math.round(ms / 1000)} s)`)
  )
  if ('failed' in pushed) {
    return step(
      'failed',
      `push to ${target.url} failed`,
      [
        {
          rule: 'push',
          severity: 'error',
          message: `push of ${ref} failed: ${pushed.failed.message}`,
          fix: pushed.failed.auth
            ? 'check registry-username/registry-password and that the token may write packages'
            : 'check the registry is reachable; the push was retried'
        }
      ],
      { ref, pushed: false },
      pushed.failed.details
    )
  }
  const digest = pushed.digest
  // The push happened whatever the check says: a failing pull keeps ref, digest and pushed=true.
  core.info(`pulling ${ref}@${digest} back to verify it …`)
  const pulledBack = withProgress(verifyPublished(client, options, repository, digest), (ms) =>
    core.info(`still pulling ${ref}@${digest} back from ${host} (${Math.round(ms / 1000)} s)`)
  )
  const findings = await pulledBack.then(
    (verify) => verify.findings,
    (error: unknown): Finding[] => [
      {
        rule: 'verify',
        severity: 'error',
        message: `pushed ${ref}@${digest}, but pulling it back failed: ${error instanceof Error ? redact(error.message) : String(error)}`,
        fix: `pull ${ref} by hand to check it; re-running is safe (an identical chart is not pushed again)`
      }
    ]
  )
  if (findings.length) {
    const summary = `pushed ${ref}, but the pulled artifact failed verification`
    return step('failed', summary, findings, { ref, digest, pushed: true })
  }
  // Another run may have pushed the same tag meanwhile: what the tag serves decides (digest-ref is signed next).
  const served = await tagReadBack(client, repository, tag, ref, digest, packaged)
  if (served) {
    const findings = served.finding ? [served.finding] : []
    return step(served.finding ? 'failed' : 'passed', served.summary, findings, served.data)
  }
  return step('passed', `pushed ${ref}@${digest}, pulled back and verified`, [], { ref, digest, pushed: true })
}

/**
 * Reads the tag back after the push. Undefined when it serves what this run
 * pushed; else the outcome: the same chart content under another manifest
 * (another run published it: pushed=false, the tag's digest), or other
 * content (a racing publish won: failed), or no tag at all (failed).
 */
async function tagReadBack(
  client: RegistryClient,
  repository: string,
  tag: string,
  ref: string,
  pushedDigest: string,
  packaged: PackagedChart
): Promise<{ summary: string; finding?: Finding; data: PublishInfo } | undefined> {
  const current = await client.manifest(repository, tag)
  if (current.exists && current.digest === pushedDigest) return undefined
  if (!current.exists) {
    return {
      summary: `pushed ${ref}@${pushedDigest}, but the tag is gone`,
      finding: {
        rule: 'publish-race',
        severity: 'error',
        message: `pushed ${ref}@${pushedDigest}, but reading the tag back finds nothing: it was deleted meanwhile`,
        fix: 're-run the publish once nothing else writes this tag'
      },
      data: { ref, pushed: false }
    }
  }
  const layer = await client.chartLayerDigest(repository, current.digest)
  const sameContent =
    layer === packaged.layerDigest ||
    (layer !== undefined && (await comparePublished(client, repository, current.digest, packaged))?.same === true)
  if (sameContent) {
    return {
      summary: `${ref} was published meanwhile with the same content (${current.digest}); the tag serves that, not this run's push`,
      data: { ref, digest: current.digest, pushed: false, alreadyPublished: true }
    }
  }
  return {
    summary: `${ref} now serves ${current.digest}, not ${pushedDigest} pushed by this run`,
    finding: {
      rule: 'publish-race',
      severity: 'error',
      message:
        `${ref} was pushed as ${pushedDigest}, but the tag now serves ${current.digest} (chart layer ${layer ?? 'unknown'}) ` +
        'with other content: another publish of the same version raced this one',
      fix:
        `check which run published ${ref}; publish each version from one workflow run (a concurrency group), ` +
        'and bump the version for new content'
    },
    // No digest: digest-ref (signed next) and the SBOM never name an artifact that is not this chart.
    data: { ref, pushed: false }
  }
}

class PushFailure extends Error {
  constructor(readonly result: HelmRunResult) {
    super(lastLines(result.stderr || result.stdout, 2))
  }
}

interface PublishedComparison {
  /** The published chart holds exactly the packaged files (names, modes, contents), timestamps aside. */
  same: boolean
  /** Entries whose content differs or that only one side has (the first few). */
  differing: string[]
  /** Only the bundled dependencies (charts/, Chart.lock) differ: the chart's own files are the same. */
  dependenciesOnly: boolean
}

async function comparePublished(
  client: RegistryClient,
  repository: string,
  digest: string,
  packaged: PackagedChart
): Promise<PublishedComparison | undefined> {
  try {
    const pulled = await client.pullChart(repository, digest)
    const local = await readFile(packaged.archive)
    const [remote, mine] = await Promise.all([
      tgzContentDigest(pulled.archive, `${repository}@${digest}`),
      tgzContentDigest(local, packaged.archive)
    ])
    const [remoteEntries, localEntries] = await Promise.all([
      tgzEntrySummaries(pulled.archive, `${repository}@${digest}`),
      tgzEntrySummaries(local, packaged.archive)
    ])
    const remoteByName = new Map(remoteEntries.map((entry) => [entry.name, entry.digest]))
    const localByName = new Map(localEntries.map((entry) => [entry.name, entry.digest]))
    const names = [...new Set([...localByName.keys(), ...remoteByName.keys()])]
    const differing = names.filter((name) => remoteByName.get(name) !== localByName.get(name))
    return {
      same: remote === mine,
      differing: differing.length > 5 ? [...differing.slice(0, 5), `${differing.length - 5} more`] : differing,
      dependenciesOnly: differing.length > 0 && differing.every((name) => /^[^/]+\/(charts\/|Chart\.lock$)/.test(name))
    }
  } catch {
    // Unreadable or not a chart archive: treated as other content, which fails safe (no push).
    return undefined
  }
}

/**
 * What to do about a published version with other content. When only the
 * bundled dependencies differ, the chart itself is unchanged (a re-run of the
 * same commit, say): telling the user to bump the version would be wrong; what
 * moved is what the dependency build fetched.
 */
export function noOverwriteFix(
  ref: string,
  comparison: Pick<PublishedComparison, 'dependenciesOnly'> | undefined
): string {
  if (comparison?.dependenciesOnly) {
    return (
      "the chart's own files are unchanged, only the bundled dependencies differ: commit Chart.lock " +
      '(`helm dependency update`) so every run bundles the same versions, and check the repository did not replace an archive; ' +
      `set overwrite: true only if replacing ${ref} is intended`
    )
  }
  return `the chart changed since ${ref} was published: bump version in Chart.yaml (a new version), or set overwrite: true if replacing ${ref} is intended`
}

/**
 * Guard 3: pull the artifact back by digest through the registry API (no helm
 * process: the registry is asked directly), check the manifest and layer
 * digests, and that every dependency is still inside the archive.
 */
async function verifyPublished(
  client: RegistryClient,
  options: PublishOptions,
  repository: string,
  digest: string
): Promise<{ findings: Finding[] }> {
  const source = `oci://${options.target.host}/${repository}@${digest}`
  const pulled = await client.pullChart(repository, digest)
  const findings: Finding[] = []
  if (pulled.manifestDigest !== digest) {
    findings.push({
      rule: 'verify',
      severity: 'error',
      message: `pulled ${source} but its manifest hashes to ${pulled.manifestDigest}`
    })
  }
  if (pulled.archiveDigest !== pulled.layerDigest || pulled.layerDigest !== options.packaged.layerDigest) {
    findings.push({
      rule: 'verify',
      severity: 'error',
      message: `the chart layer of ${source} is ${pulled.archiveDigest} (manifest says ${pulled.layerDigest}); the packaged archive is ${options.packaged.layerDigest}`
    })
  }
  const destination = await mkdtemp(path.join(os.tmpdir(), 'bp-pull-'))
  try {
    const archive = path.join(destination, `${options.work.name}-${options.work.version}.tgz`)
    await writeFile(archive, pulled.archive)
    findings.push(
      ...(await archiveFindings(
        archive,
        await listTgz(archive),
        options.work,
        `the artifact pulled back from ${source}`,
        options.built
      ))
    )
    return { findings }
  } finally {
    await rm(destination, { recursive: true, force: true })
  }
}
