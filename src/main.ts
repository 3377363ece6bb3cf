// Orchestrates one run: inputs → blueprint → mode → helm → upstream →
// dependency build → gates and package (concurrently) → publish → report.
// Each step returns a typed StepResult; reporting turns them into text.
import * as core from '@actions/core'
import * as github from '@actions/github'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { findUpstream, isNoUpstream, loadBlueprint, type Blueprint } from './chart/blueprint.js'
import { defaultConcurrency } from './util/concurrency.js'
import { armWatchdog, startRunBudget } from './util/deadline.js'
import { chartLockStep, lockedVersion } from './chart/chart-lock.js'
import { buildDependencies, hollowByDeclaration, prepareWorkChart } from './chart/dependencies.js'
import { discoverBlueprints } from './discover/discover.js'
import { addPinSuggestions } from './oci/digests.js'
import { startBaseDiff } from './diff/base.js'
import type { RenderDiff } from './diff/types.js'
import { runGates, type ImagesData } from './gates/index.js'
import { decideMode, prContext, removeOwnComments, upsertComment, type ModeDecision } from './report/github.js'
import { Helm } from './helm/helm.js'
import { provisionHelm } from './helm/helm-install.js'
import { getInputs, type ActionInputs } from './inputs/inputs.js'
import { chartReference, packageChart, sourceDateEpoch, stagePublish } from './oci/publish.js'
import { isRepositoryComponent, parseOciReference, parseRegistryTarget } from './oci/registry.js'
import { isLoopbackHost } from './net/net.js'
import { registryCredentials, repositoryCredentials } from './credentials/credentials.js'
import {
  annotate,
  commentMarker,
  renderComment,
  renderLogLines,
  SUMMARY_LIMIT,
  writeJobSummary,
  writeJsonReport,
  type ExtraSection
} from './report/report.js'
import { buildSbom, writeSbom, type SbomInput } from './report/sbom.js'
import { ensureRunnerFolders } from './util/runner-env.js'
import { secretValueArgs } from './inputs/secret-values.js'
import { redact, registerSecret } from './util/secrets.js'
import { isStrictSemver } from './util/semver.js'
import { assertYamlFileSize } from './chart/yaml-source.js'
import { ActionError, type ActionReport, type PublishInfo, type StepResult, type UpstreamInfo } from './types.js'
import { resolveUpstream, type UpstreamResolution } from './chart/upstream.js'
import { chooseUpstream, libraryDependencies, needsLibraryCheck, SCRATCH_SUMMARY } from './chart/upstream-choice.js'

interface EventContext {
  eventName: string
  ref: string
  payload: Record<string, unknown>
  runUrl?: string
  /** The commit checked: a pull request's head, else GITHUB_SHA. */
  commit?: string
}

function eventContext(env: NodeJS.ProcessEnv = process.env): EventContext {
  const { serverUrl, runId } = github.context
  // context.repo throws without GITHUB_REPOSITORY (a local run with @github/local-action): read it only when set.
  const runUrl =
    env.GITHUB_REPOSITORY && runId
      ? `${serverUrl}/${github.context.repo.owner}/${github.context.repo.repo}/actions/runs/${runId}`
      : undefined
  const payload = github.context.payload as Record<string, unknown>
  return {
    eventName: github.context.eventName ?? '',
    ref: github.context.ref ?? '',
    payload,
    runUrl,
    commit: headCommit(payload, env)
  }
}

/** A pull request's head commit (GITHUB_SHA is the merge commit there), else GITHUB_SHA. */
function headCommit(payload: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const pr = payload.pull_request as { head?: { sha?: unknown } } | undefined
  const sha = typeof pr?.head?.sha === 'string' ? pr.head.sha : env.GITHUB_SHA
  return sha && /^[0-9a-f]{7,64}$/i.test(sha) ? sha : undefined
}

/** One line for core.setFailed: what is wrong, then what to do. */
function errorLine(error: unknown): string {
  if (error instanceof ActionError) return redact(error.hint ? `${error.message} — ${error.hint}` : error.message)
  if (error instanceof Error) return redact(`unexpected error: ${error.message}`)
  return redact(`unexpected error: ${String(error)}`)
}

export async function run(): Promise<void> {
  try {
    ensureRunnerFolders()
    const inputs = getInputs()
    startRunBudget(inputs.timeoutMs)
    armWatchdog(inputs.timeoutMs)
    for (const secret of [inputs.registryPassword, inputs.dependencyPassword, inputs.githubToken])
      registerSecret(secret)
    if (inputs.mode === 'discover') {
      await runDiscover(inputs)
      return
    }
    const event = eventContext()
    const report = await validateBlueprint(inputs, event)
    if (!report) return
    await emitReport(report, inputs, event)
    if (report.status === 'failed') core.setFailed(failureLine(report))
  } catch (error) {
    core.setFailed(errorLine(error))
  }
}

async function runDiscover(inputs: ActionInputs): Promise<void> {
  const result = await discoverBlueprints({
    workspace: inputs.workspace,
    eventName: github.context.eventName,
    payload: github.context.payload,
    globs: inputs.discoverGlob.length ? inputs.discoverGlob : undefined
  })
  core.info(`${result.blueprints.length} blueprint(s): ${result.blueprints.join(', ') || 'none'} (${result.reason})`)
  core.setOutput('blueprints', JSON.stringify(result.blueprints))
  core.setOutput('matrix', JSON.stringify(result.matrix))
  core.setOutput('mode', 'discover')
}

function failureLine(report: ActionReport): string {
  const failed = report.steps.filter((step) => step.status === 'failed')
  const errors = failed.flatMap((step) => step.findings.filter((finding) => finding.severity === 'error')).length
  // Each error was annotated already (emitReport): the last line counts them instead of printing one twice.
  const count = errors ? ` — ${errors} error${errors === 1 ? '' : 's'}, annotated above and in the job summary` : ''
  const chart = [report.chart.name, report.chart.version].filter(Boolean).join(' ')
  return redact(`${chart}: ${failed.map((step) => step.title).join(', ')} failed${count}`)
}

interface RunState {
  steps: StepResult[]
  upstream?: UpstreamInfo
  publish?: PublishInfo
  /** What the SBOM describes, once the chart is packaged and its default render checked. */
  sbom?: Omit<SbomInput, 'artifact'>
  sbomPath?: string
  /** The rendered diff against the base commit (src/diff/). */
  diff?: RenderDiff
}

/**
 * Runs every step for one blueprint and returns the report; undefined when the
 * event is for another blueprint (a notice, not a failure). Errors that stop
 * the run early (an unreadable Chart.yaml, a tag that does not match) still
 * give a report, so the PR comment and job summary say what stopped it.
 */
async function validateBlueprint(inputs: ActionInputs, event: EventContext): Promise<ActionReport | undefined> {
  const startedAt = new Date()
  const start = performance.now()
  const finish = (
    fields: Pick<ActionReport, 'chart' | 'mode' | 'modeReason'> & {
      state: RunState
      helmVersion?: string
      ref?: string
    }
  ): ActionReport => ({
    schemaVersion: 1,
    blueprint: inputs.blueprint,
    chart: fields.chart,
    upstream: fields.state.upstream,
    mode: fields.mode,
    modeReason: fields.modeReason,
    helmVersion: fields.helmVersion ?? 'unknown',
    status: fields.state.steps.some((step) => step.status === 'failed') ? 'failed' : 'passed',
    steps: fields.state.steps,
    publish: fields.state.publish ?? (fields.ref ? { ref: fields.ref, pushed: false } : undefined),
    values: { files: inputs.valuesFiles, set: inputs.setValues },
    sbom: fields.state.sbomPath,
    diff: fields.state.diff,
    runUrl: event.runUrl,
    commit: event.commit,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(performance.now() - start)
  })

  let blueprint: Blueprint
  try {
    blueprint = await loadBlueprint(inputs.workspace, inputs.blueprint, inputs.chart)
    // Helm reads the values input's files; one over Helm's limit fails now, not after minutes.
    await Promise.all(inputs.valuesFiles.map((file) => assertYamlFileSize(path.resolve(inputs.workspace, file), file)))
  } catch (error) {
    const chart = await chartIdentityGuess(inputs)
    return finish({
      chart,
      mode: 'validate',
      modeReason: 'the blueprint could not be read',
      state: { steps: [stoppedStep(error)] }
    })
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
  if (decision.mode === 'skip') {
    core.notice(decision.reason)
    core.setOutput('mode', 'skip')
    return undefined
  }
  const chart = {
    name: chartMeta.name,
    version: inputs.version || decision.version || chartMeta.version,
    path: blueprint.chartDir
  }
  try {
    checkRunSettings(inputs, blueprint, decision, event, chart.version)
  } catch (error) {
    return finish({ chart, mode: decision.mode, modeReason: decision.reason, state: { steps: [stoppedStep(error)] } })
  }
  const version = chart.version

  const state: RunState = { steps: [] }
  const workRoot = await mkdtemp(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'bp-work-'))
  let helmVersion = 'unknown'
  try {
    const [installed, upstream] = await Promise.all([
      provisionHelm(inputs.helmVersion, inputs.helmDownloadUrl),
      resolveBlueprintUpstream(inputs, blueprint, decision.mode)
    ])
    const helm = await Helm.create(installed.binary, path.join(workRoot, 'helm-home'), installed.version)
    helmVersion = helm.version
    core.info(`helm ${helm.version} (${installed.source}: ${installed.binary})`)
    if (upstream.step) state.steps.push(upstream.step)
    state.upstream = upstream.resolution?.info
    await runChartSteps(inputs, blueprint, helm, upstream.resolution, version, decision.mode, workRoot, state, event)
  } catch (error) {
    // A fatal error still gets a report: the PR comment says what stopped the run.
    state.steps.push(stoppedStep(error))
  } finally {
    await rm(workRoot, { recursive: true, force: true }).catch(() => undefined)
  }
  if (state.sbom) {
    // After publishing, so the SBOM names the digest that was pushed (or found already there).
    const published = state.publish?.digest ? { ref: state.publish.ref, digest: state.publish.digest } : undefined
    state.sbomPath = await writeSbom(
      buildSbom({ ...state.sbom, artifact: published }),
      process.env.RUNNER_TEMP || os.tmpdir()
    )
  }
  const ref = inputs.registry ? chartReference(inputs.registry, chartMeta.name, version) : undefined
  return finish({ chart, mode: decision.mode, modeReason: decision.reason, state, helmVersion, ref })
}

function stoppedStep(error: unknown): StepResult {
  return {
    id: 'error',
    title: 'Run',
    status: 'failed',
    durationMs: 0,
    summary: 'stopped',
    findings: [{ rule: 'error', severity: 'error', message: errorLine(error) }]
  }
}

/**
 * Name and version for the report of a blueprint that could not be read: from
 * Chart.yaml's text when there is one (the PR comment's marker stays the same
 * once it is fixed), else the blueprint folder's name.
 */
async function chartIdentityGuess(inputs: ActionInputs): Promise<ActionReport['chart']> {
  let text = ''
  try {
    text = await readFile(path.resolve(inputs.workspace, inputs.chart, 'Chart.yaml'), 'utf8')
  } catch {
    // no Chart.yaml: the folder name it is
  }
  const field = (key: string): string | undefined =>
    new RegExp(`^${key}:[ \\t]*["']?([A-Za-z0-9][^\\s"'#]*)`, 'm').exec(text)?.[1]
  return {
    name: field('name') ?? (path.basename(inputs.blueprint) || 'blueprint'),
    version: field('version') ?? '',
    path: inputs.chart
  }
}

/** Settings that must hold before anything runs; throws an ActionError naming the input, tag or file. */
function checkRunSettings(
  inputs: ActionInputs,
  blueprint: Blueprint,
  decision: ModeDecision,
  event: EventContext,
  version: string
): void {
  const chartMeta = blueprint.chartYaml.data
  if (decision.error)
    throw new ActionError(
      decision.error,
      `make the tag's version and ${blueprint.chartYaml.displayPath} version agree, or set version-from-tag: true`
    )
  // A release tag publishes exactly the tagged version: input version cannot say otherwise.
  if (decision.mode === 'publish' && decision.tagVersion && inputs.version && inputs.version !== decision.tagVersion) {
    throw new ActionError(
      `input version ${inputs.version} differs from tag ${event.ref.replace(/^refs\/tags\//, '')} (version ${decision.tagVersion})`,
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
        ? `tag ${event.ref}`
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
  const registryHost = inputs.registry ? parseOciReference(inputs.registry).host : undefined
  if (inputs.plainHttp && registryHost && !isLoopbackHost(registryHost)) {
    throw new ActionError(
      `input plain-http: registry ${registryHost} is not a loopback address`,
      'plain HTTP is only for registries on 127.0.0.1/localhost/::1; remove plain-http'
    )
  }
  registryCredentials(inputs)
}

async function resolveBlueprintUpstream(
  inputs: ActionInputs,
  blueprint: Blueprint,
  mode: 'validate' | 'publish'
): Promise<{ resolution?: UpstreamResolution; step?: StepResult }> {
  const hollow = hollowByDeclaration(blueprint)
  if (hollow) {
    return {
      step: {
        id: 'resolve-upstream',
        title: 'Upstream version',
        status: 'failed',
        durationMs: 0,
        summary: 'no upstream chart declared',
        findings: [hollow]
      }
    }
  }
  if (
    isNoUpstream(blueprint.chartYaml.data) &&
    !(blueprint.chartYaml.data.dependencies ?? []).some(
      (dep) => dep.name === inputs.upstream || dep.alias === inputs.upstream
    )
  ) {
    return {
      step: {
        id: 'resolve-upstream',
        title: 'Upstream version',
        status: 'skipped',
        durationMs: 0,
        summary: 'chart is annotated catalyst.openova.io/no-upstream',
        findings: []
      }
    }
  }
  const libraries = needsLibraryCheck(blueprint, inputs.upstream)
    ? await libraryDependencies(blueprint, {
        mirrors: inputs.repositoryMirrors,
        credentialsFor: repositoryCredentials(inputs)
      })
    : new Set<string>()
  const choice = chooseUpstream(blueprint, inputs.upstream, libraries)
  if (choice.kind === 'scratch') {
    // Dependencies are still built, bundled and guarded; only resolution and the consistency check are skipped.
    return {
      step: {
        id: 'resolve-upstream',
        title: 'Upstream version',
        status: 'skipped',
        durationMs: 0,
        summary: `${SCRATCH_SUMMARY}: ${choice.reason}`,
        findings: []
      }
    }
  }
  const { dependency, index } = choice
  const resolution = await resolveUpstream({
    blueprint,
    dependency,
    dependencyIndex: index,
    override: inputs.upstreamVersion,
    publishing: mode === 'publish',
    mirrors: inputs.repositoryMirrors,
    credentialsFor: repositoryCredentials(inputs),
    plainHttp: inputs.plainHttp,
    locked: await lockedVersion(
      path.resolve(blueprint.workspace, blueprint.chartDir),
      blueprint.chartDir,
      blueprint.chartYaml.data.dependencies ?? [],
      dependency.name
    )
  })
  return { resolution, step: resolution.step }
}

async function runChartSteps(
  inputs: ActionInputs,
  blueprint: Blueprint,
  helm: Helm,
  upstream: UpstreamResolution | undefined,
  version: string,
  mode: 'validate' | 'publish',
  workRoot: string,
  state: RunState,
  event?: EventContext
): Promise<void> {
  const upstreamIndex = upstream ? findUpstream(blueprint, upstream.info.name).index : -1
  const { work, findings: lockFindings } = await prepareWorkChart({
    blueprint,
    workRoot: path.join(workRoot, 'chart'),
    version: version === blueprint.chartYaml.data.version ? undefined : version,
    upstreamOverride: upstream?.info.override ? { index: upstreamIndex, version: upstream.info.resolved } : undefined,
    publishing: mode === 'publish'
  })
  const knownIndexes = new Map<string, string>()
  const knownVersions = new Map<string, string>()
  if (upstream) {
    if (upstream.indexText) knownIndexes.set(upstream.effectiveRepository, upstream.indexText)
    knownVersions.set(upstream.info.name, upstream.info.resolved)
  }
  const epoch = await sourceDateEpoch(process.env, inputs.workspace, blueprint.chartDir)
  const buildOptions = {
    mirrors: inputs.repositoryMirrors,
    knownIndexes,
    credentialsFor: repositoryCredentials(inputs),
    plainHttp: inputs.plainHttp
  }
  const build = await buildDependencies(helm, work, {
    ...buildOptions,
    knownVersions,
    lockEpoch: epoch.epoch,
    lockFindings
  })
  state.steps.push(build)
  const lockStep = chartLockStep(lockFindings)
  if (lockStep) state.steps.push(lockStep)
  if (build.status === 'failed') return
  const built = build.data?.built ?? {}
  const valueArgs = [
    ...inputs.valuesFiles.flatMap((file) => ['--values', path.resolve(inputs.workspace, file)]),
    ...inputs.setValues.flatMap((value) => ['--set', value]),
    ...(await secretValueArgs(path.join(workRoot, 'secret-values'), inputs.setSecretValues))
  ]
  // The base commit's render for "What changes" runs beside the gates (src/diff/base.ts); a notice at worst.
  const baseDiff = startBaseDiff({
    setting: inputs.diff,
    eventName: event?.eventName ?? '',
    payload: event?.payload ?? {},
    workspace: inputs.workspace,
    blueprint: inputs.blueprint,
    chart: inputs.chart,
    upstream: upstream?.info.name ?? '', // the chosen upstream (input, values.yaml or the only non-library dependency)
    helm,
    workRoot,
    headWork: work,
    headBuilt: built,
    build: buildOptions,
    valueArgs,
    releaseName: work.name,
    namespace: `smoke-${work.name}`,
    outputDir: process.env.RUNNER_TEMP || os.tmpdir()
  })
  await baseDiff?.credentialsReleased // no repository credentials in any helm home once chart tests start
  // Both sides settle before anything is thrown: the work folder is removed
  // after a failure, and must not be while helm or a script still works in it.
  const [gatesOutcome, packagedOutcome] = await Promise.allSettled([
    runGates({
      helm,
      chartDir: work.dir,
      chartName: work.name,
      scriptRoot: path.join(workRoot, 'chart-tests'),
      displayChartDir: blueprint.chartDir,
      values: blueprint.values,
      // The upstream's key stays the upstream's even when it is not (yet) a dependency.
      // Local file:// subcharts are the blueprint's own: their images stay checked.
      dependencyKeys: [
        ...new Set(
          [
            ...work.dependencies
              .filter((dep) => !dep.repository.startsWith('file://'))
              .map((dep) => dep.alias ?? dep.name),
            inputs.upstream
          ].filter(Boolean)
        )
      ],
      valueArgs,
      releaseName: work.name,
      namespace: `smoke-${work.name}`,
      concurrency: defaultConcurrency(),
      lintValuesGlob: inputs.lintValues || undefined,
      toggles: inputs.observabilityToggles,
      imagePolicy: inputs.imagePolicy,
      imageAllowlist: inputs.imageAllowlist,
      chartTests: inputs.chartTests,
      neverLatest: inputs.neverLatest,
      chartYaml: blueprint.chartYaml
    }),
    // Blobs upload while the gates run; only commit() (below, every gate passed) tags the chart.
    packageChart(helm, work, path.join(workRoot, 'package'), epoch, built).then((packaged) => ({
      ...packaged,
      staged:
        mode === 'publish' && inputs.registry && packaged.packaged
          ? stagePublish({
              helm,
              work,
              packaged: packaged.packaged,
              target: parseRegistryTarget(inputs.registry, inputs.plainHttp),
              credentials: registryCredentials(inputs),
              overwrite: inputs.overwrite,
              built
            })
          : undefined
    }))
  ])
  const headRender = gatesOutcome.status === 'fulfilled' ? gatesOutcome.value.defaultRender : undefined
  state.diff = await baseDiff?.compare(headRender) // after the base settled, before anything is thrown
  if (gatesOutcome.status === 'rejected') {
    if (packagedOutcome.status === 'fulfilled') await packagedOutcome.value.staged?.abandon()
    throw gatesOutcome.reason
  }
  if (packagedOutcome.status === 'rejected') throw packagedOutcome.reason
  const [gates, packaged] = [gatesOutcome.value, packagedOutcome.value]
  const imagesStep = gates.steps.find((step) => step.id === 'images')
  if (inputs.resolveDigests && imagesStep?.status === 'failed')
    await addPinSuggestions(imagesStep as StepResult<ImagesData>)
  state.steps.push(...gates.steps, packaged.step)
  if (gates.images && packaged.packaged) {
    const meta = blueprint.chartYaml.data
    state.sbom = {
      chart: {
        name: work.name,
        version: work.version,
        appVersion: meta.appVersion,
        description: typeof meta.description === 'string' ? meta.description : undefined
      },
      dependencies: work.dependencies.map((dep) => ({
        name: dep.name,
        version: built[dep.name] ?? dep.version,
        repository: dep.repository
      })),
      images: gates.images,
      timestamp: new Date(epoch.epoch * 1000).toISOString(),
      tool: { name: 'bp-temporal-action', version: process.env.GITHUB_ACTION_REF || 'unreleased' }
    }
  }

  const ref = inputs.registry ? chartReference(inputs.registry, work.name, work.version) : undefined
  const gateFailed = state.steps.some((step) => step.status === 'failed')
  if (mode !== 'publish' || !packaged.staged || gateFailed) {
    await packaged.staged?.abandon() // nothing is tagged: uploaded blobs stay unreferenced
    const why =
      mode !== 'publish'
        ? 'validate mode: nothing is pushed'
        : gateFailed
          ? 'a gate failed: nothing is pushed'
          : 'no registry input'
    state.steps.push({
      id: 'publish',
      title: 'Publish',
      status: 'skipped',
      durationMs: 0,
      summary: ref ? `${why} (would publish ${ref})` : why,
      findings: []
    })
    return
  }
  const published = await packaged.staged.commit()
  state.steps.push(published)
  state.publish = published.data
}

async function emitReport(report: ActionReport, inputs: ActionInputs, event: EventContext): Promise<void> {
  for (const line of renderLogLines(report)) core.info(line)
  const reportPath = await writeJsonReport(report, process.env.RUNNER_TEMP || os.tmpdir())
  core.setOutput('chart-name', report.chart.name)
  core.setOutput('chart-version', report.chart.version)
  core.setOutput('upstream-version', report.upstream?.resolved ?? '')
  core.setOutput('upstream-latest', report.upstream?.latest ?? '')
  core.setOutput('upstream-outdated', String(report.upstream?.outdated ?? false))
  core.setOutput('ref', report.publish?.ref ?? '')
  core.setOutput('digest', report.publish?.digest ?? '')
  // host/path/name@sha256:… — what `cosign sign` and `cosign attest` take.
  core.setOutput(
    'digest-ref',
    report.publish?.digest
      ? `${report.publish.ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, '')}@${report.publish.digest}`
      : ''
  )
  core.setOutput('sbom', report.sbom ?? '')
  core.setOutput('diff', report.diff?.file ?? '')
  if (report.sbom) core.info(`SBOM (CycloneDX): ${report.sbom}`)
  core.setOutput('pushed', String(report.publish?.pushed ?? false))
  core.setOutput('mode', report.mode)
  core.setOutput('report', reportPath)
  const failed = report.status === 'failed'
  // The failure line (core.setFailed) and a comment warning are annotations too.
  annotate(report, inputs.workspace, { error: failed ? 1 : 0, warning: 1 })
  // Optional extra sections go here (after the fixes and publish info, before the folded steps); the rendered
  // diff needs none: report.ts renders report.diff itself.
  const sections: ExtraSection[] = []
  if (inputs.summary === 'always' || (inputs.summary === 'on-failure' && failed)) {
    await writeJobSummary(report, { limit: SUMMARY_LIMIT, runUrl: event.runUrl, reportPath, sections })
  }
  const pr = prContext(github.context)
  if (pr && inputs.commentMode !== 'off') {
    const marker = commentMarker(report.chart.name)
    const apiUrl = process.env.GITHUB_API_URL || 'https://api.github.com'
    // on-failure: no comment while the check passes, and ours goes once it does.
    const outcome =
      inputs.commentMode === 'on-failure' && !failed
        ? await removeOwnComments({ token: inputs.githubToken, apiUrl, ...pr, marker })
        : await upsertComment({
            token: inputs.githubToken,
            apiUrl,
            ...pr,
            body: renderComment(report, { runUrl: event.runUrl, reportPath, sections }),
            marker,
            mode: inputs.commentMode === 'on-failure' ? 'update' : inputs.commentMode
          })
    if (outcome.warning) core.warning(outcome.warning)
    else core.info(`PR comment ${outcome.action}${outcome.id ? ` (${outcome.id})` : ''}`)
  }
}
