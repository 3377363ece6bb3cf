// Stage: the report leaves the action: log lines, the JSON report, the outputs (outputs.ts), annotations, the
// job summary and the PR comment (report/report.ts renders, report/github.ts writes the comment).
import * as core from '@actions/core'
import type { ActionInputs } from '../inputs/inputs.js'
import { prContext, removeOwnComments, upsertComment } from '../report/github.js'
import {
  annotate,
  commentMarker,
  formerCommentMarkers,
  renderComment,
  renderLogLines,
  SUMMARY_LIMIT,
  writeJobSummary,
  writeJsonReport,
  type ExtraSection
} from '../report/report.js'
import type { ActionReport } from '../types.js'
import type { EventContext } from './event.js'
import { runOutputs, writeOutputs } from './outputs.js'

export async function emitReport(
  report: ActionReport,
  inputs: ActionInputs,
  event: EventContext,
  outputDir: string
): Promise<{ summaryWritten: boolean }> {
  for (const line of renderLogLines(report)) core.info(line)
  const reportPath = await writeJsonReport(report, outputDir)
  writeOutputs(runOutputs(report, reportPath))
  // The files stay on the runner: the log names each (a workflow keeps them with actions/upload-artifact).
  core.info(`JSON report: ${reportPath}`)
  if (report.sbom) core.info(`SBOM (CycloneDX): ${report.sbom}`)
  if (report.diff?.file) core.info(`rendered diff: ${report.diff.file}`)
  const failed = report.status === 'failed'
  // The failure line (core.setFailed) and a comment warning are annotations too.
  annotate(report, inputs.workspace, { error: failed ? 1 : 0, warning: 1 })
  // Optional extra sections go here (after the fixes and publish info, before the folded steps); the rendered
  // diff needs none: report.ts renders report.diff itself.
  const sections: ExtraSection[] = []
  let summaryWritten = false
  if (inputs.summary === 'always' || (inputs.summary === 'on-failure' && failed)) {
    summaryWritten = await writeJobSummary(report, { limit: SUMMARY_LIMIT, runUrl: event.runUrl, reportPath, sections })
  }
  const pr = prContext(event)
  if (pr && inputs.commentMode !== 'off') {
    const marker = commentMarker(report.chart.name)
    const formerMarkers = formerCommentMarkers(report.chart.name)
    const apiUrl = process.env.GITHUB_API_URL || 'https://api.github.com'
    // on-failure: no comment while the check passes, and ours goes once it does.
    const outcome =
      inputs.commentMode === 'on-failure' && !failed
        ? await removeOwnComments({ token: inputs.githubToken, apiUrl, ...pr, marker, formerMarkers })
        : await upsertComment({
            token: inputs.githubToken,
            apiUrl,
            ...pr,
            body: renderComment(report, { runUrl: event.runUrl, reportPath, sections }),
            marker,
            formerMarkers,
            mode: inputs.commentMode === 'on-failure' ? 'update' : inputs.commentMode
          })
    if (outcome.warning) core.warning(outcome.warning)
    else core.info(`PR comment ${outcome.action}${outcome.id ? ` (${outcome.id})` : ''}`)
  }
  return { summaryWritten }
}
