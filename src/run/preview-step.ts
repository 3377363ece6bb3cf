// Stage: the publish preview of a pull request (oci/preview.ts), when a registry is set: the tag is asked for as soon
// as the dependency build runs (run/later-stages.ts startLaterPreview: its round trip overlaps the build), the content compared once the chart is packaged
// (beside the gates), and the `Publish preview` step says what merging publishes. Only the comparison's wait, if it
// outlasts the gates, is on the run's critical path.
import { MANIFEST_PATHS } from '../chart/blueprint-manifest.js'
import type { PackagedChart } from '../oci/package.js'
import { noOverwriteFix } from '../oci/push.js'
import { startPreview } from '../oci/preview.js'
import type { Finding, PublishPreview, StepResult } from '../types.js'
import type { RunContext } from './context.js'
import { PR_EVENTS } from './settings.js'

export interface PreviewRun {
  /** The chart is packaged (undefined: it will not be): the comparison starts now, beside the gates. */
  packaged(packaged: PackagedChart | undefined): void
  /** The `Publish preview` step, once the comparison has settled. */
  step(): Promise<StepResult<PublishPreview>>
  /** Settles once nothing of the preview runs any more (it reads the package in the work folder). */
  settled(): Promise<void>
}

/** Starts the preview of a pull request's validate run with a registry; undefined for every other run. */
export function startPreviewRun(
  ctx: Pick<RunContext, 'mode' | 'registry' | 'event' | 'credentials' | 'chart' | 'blueprint' | 'inputs'>
): PreviewRun | undefined {
  if (ctx.mode !== 'validate' || !ctx.registry || !PR_EVENTS.has(ctx.event.eventName)) return undefined
  const started = startPreview({
    target: ctx.registry,
    credentials: ctx.credentials.registry,
    name: ctx.chart.name,
    version: ctx.chart.version
  })
  let judged: Promise<PublishPreview> | undefined
  const judge = (packaged: PackagedChart | undefined): Promise<PublishPreview> => (judged ??= started.judge(packaged))
  return {
    packaged: (packaged) => void judge(packaged),
    step: async () => {
      const start = performance.now()
      const preview = await judge(undefined)
      return { ...previewStep(ctx, preview), durationMs: Math.round(performance.now() - start) }
    },
    settled: async () => {
      await judge(undefined).catch(() => undefined)
    }
  }
}

/** The step a preview makes (pure): what the verdict line and the findings say. */
export function previewStep(
  ctx: Pick<RunContext, 'chart' | 'blueprint' | 'inputs'>,
  preview: PublishPreview
): StepResult<PublishPreview> {
  const step = (status: StepResult['status'], summary: string, findings: Finding[] = []) => ({
    id: 'publish-preview',
    title: 'Publish preview',
    status,
    durationMs: 0,
    summary,
    findings,
    data: preview
  })
  const { ref } = preview
  switch (preview.state) {
    case 'unpublished':
      return step('passed', `merging publishes ${ref} (not in the registry yet)`)
    case 'same':
      return step('passed', `${ref} is already published with this content (${preview.digest}): nothing to publish`, [
        {
          rule: 'publish-preview',
          severity: 'notice',
          message: `${ref} is already published with the same content (${preview.digest}): merging publishes nothing`
        }
      ])
    case 'published':
      return step('skipped', `${ref} is published (${preview.digest}); not compared: the chart was not packaged`)
    case 'unreachable':
      return step('warning', `the registry could not be asked what ${ref} holds`, [
        {
          rule: 'publish-preview',
          severity: 'warning',
          message: `publish preview: ${preview.reason}`,
          fix: 'the check does not depend on it; check the registry input and registry-username/registry-password to see what merging publishes'
        }
      ])
    case 'other':
      return step('failed', `${ref} is already published with other content: merging cannot publish this chart`, [
        otherContentFinding(ctx, preview)
      ])
  }
}

function otherContentFinding(
  ctx: Pick<RunContext, 'chart' | 'blueprint' | 'inputs'>,
  preview: Extract<PublishPreview, { state: 'other' }>
): Finding {
  const { chartYaml, manifest, dir } = ctx.blueprint
  const line = chartYaml.lineOf(['version'])
  const chartAt = `${chartYaml.displayPath}:${line ?? 1}`
  const manifestLine = manifest?.lineOf(MANIFEST_PATHS.version)
  const manifestAt = manifest ? `${manifest.file}:${manifestLine ?? 1}` : undefined
  const differing = preview.differing.length > 0 ? ` (differing: ${preview.differing.join(', ')})` : ''
  const free = preview.freeVersion
  let fix: string
  if (preview.dependenciesOnly) fix = noOverwriteFix(preview.ref, preview)
  else if (ctx.inputs.versionFromTag)
    fix =
      `with version-from-tag the release tag decides the version: ${ctx.chart.version} is taken` +
      (free
        ? `, ${free} is free: tag the release as ${dir}/v${free}`
        : ': tag the release with a version not published yet') +
      (manifestAt ? ` (and set spec.version in ${manifestAt} to it)` : '')
  else
    fix =
      `bump version in ${chartAt} to ${free ?? 'a version not published yet'}${free ? ' (the next patch version not published)' : ''}` +
      (manifestAt ? `, and spec.version in ${manifestAt} with it` : '')
  return {
    rule: 'publish-preview',
    severity: 'error',
    message:
      `${preview.ref} is already published as ${preview.digest} with other content${differing}: ` +
      (preview.dependenciesOnly
        ? "the chart's own files are the same, its bundled dependencies are not; the release after merging would refuse to replace it"
        : 'the release after merging would refuse to replace it, so the version must be bumped'),
    fix,
    file: chartYaml.displayPath,
    line
  }
}
