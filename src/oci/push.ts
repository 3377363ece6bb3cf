// Pushes a packaged chart to its tag without ever replacing other content: the
// tag is asked first (same content: nothing pushed; other content: refused
// unless overwrite), the push is given by the caller (registry API or helm
// push), the artifact is pulled back by digest (guard 3) and the tag read back.
import * as core from '@actions/core'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { listTgz, tgzContentDigest, tgzEntrySummaries } from '../chart/archive.js'
import type { WorkChart } from '../chart/work-chart.js'
import { DeadlineError, operationLimit, withProgress } from '../util/deadline.js'
import { RegistryClient, RegistryError, chartRef, ociTag, type RegistryTarget } from './registry.js'
import { archiveFindings, type PackagedChart } from './package.js'
import type { Credentials } from '../credentials/credentials.js'
import { redact } from '../util/secrets.js'
import { ActionError, type Finding, type PublishInfo, type StepResult } from '../types.js'

/** What a push needs: the package, where it goes, and whether a published version may be replaced. */
export interface PushOptions {
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

/** What a push gave: the manifest digest, or why it failed. */
export type PushOutcome = { digest: string } | { failed: { message: string; details?: string; auth: boolean } }

/** A registry's refusal of the given credentials: the run stops with the error a refused login gave. */
function refusedLogin(error: unknown, options: PushOptions): ActionError | undefined {
  if (!(error instanceof RegistryError) || error.kind !== 'auth' || !options.credentials) return undefined
  return new ActionError(
    `registry ${options.target.host} refused the login of user ${options.credentials.username}: ${redact(error.message)}`,
    'check registry-username and registry-password (for ghcr.io: a token with write:packages)'
  )
}

/**
 * The publish's last step: the tag asked first, then `push()` (the manifest PUT, or `helm push`) with progress
 * lines, the artifact pulled back by digest and the tag read back; the `Publish` step says what happened.
 */
export async function runPublish(
  options: PushOptions,
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
  // Another run may have pushed the same tag meanwhile: what the tag serves decides (digest-ref is signed next).
  // Read beside the pull-back; used only once the pulled artifact passed (its error is then the step's).
  const readBack = tagReadBack(client, repository, tag, ref, digest, packaged)
  readBack.catch(() => undefined)
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
  const served = await readBack
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

export interface PublishedComparison {
  /** The published chart holds exactly the packaged files (names, modes, contents), timestamps aside. */
  same: boolean
  /** Entries whose content differs or that only one side has (the first few). */
  differing: string[]
  /** Only the bundled dependencies (charts/, Chart.lock) differ: the chart's own files are the same. */
  dependenciesOnly: boolean
}

/**
 * The published chart at `digest` against the packaged one, file by file (names, modes, contents; timestamps
 * aside); undefined when the published archive cannot be read (treated as other content: fails safe).
 */
export async function comparePublished(
  client: RegistryClient,
  repository: string,
  digest: string,
  packaged: PackagedChart,
  /** The published chart layer, when known: fetched beside the manifest (one round trip less). */
  publishedLayer?: string
): Promise<PublishedComparison | undefined> {
  try {
    const pulled = await client.pullChart(repository, digest, publishedLayer)
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
  options: PushOptions,
  repository: string,
  digest: string
): Promise<{ findings: Finding[] }> {
  const source = `oci://${options.target.host}/${repository}@${digest}`
  const pulled = await client.pullChart(repository, digest, options.packaged.layerDigest)
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
  // The very bytes guard 2 inspected (oci/package.ts): their listing cannot differ. The archive is opened only
  // when it is something else, and then what it holds is part of the finding.
  if (pulled.archiveDigest === options.packaged.layerDigest) return { findings }
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
