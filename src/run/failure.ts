// How a run that stopped says so: the one line for core.setFailed, the `Run` step of an error that stopped
// the run early (so the PR comment and job summary say what stopped it), and the annotation of an error that
// stopped the action before any report, each at the file and line the error points at.
import * as core from '@actions/core'
import { ActionError, reportSubject, type ActionReport, type SourceLocation, type StepResult } from '../types.js'
import { redact } from '../util/secrets.js'
import { resolveLocation, workflowFileOf } from './input-location.js'

/** One line for core.setFailed: what is wrong, then what to do. */
export function errorLine(error: unknown): string {
  if (error instanceof ActionError) return redact(error.hint ? `${error.message} — ${error.hint}` : error.message)
  if (error instanceof Error) return redact(`unexpected error: ${error.message}`)
  return redact(`unexpected error: ${String(error)}`)
}

/** Where the error points, as a place in the workspace (an input: the workflow file's line that sets it). */
export function errorLocation(
  error: unknown,
  workspace: string,
  workflowFile: string | undefined
): SourceLocation | undefined {
  return error instanceof ActionError ? resolveLocation(error.at, workspace, workflowFile) : undefined
}

/** What the report says of its annotations: whether a job summary holds them too. */
interface FailureContext {
  summaryWritten: boolean
}

/** The last line of a failed run: the chart, the failed steps and how many errors were annotated. */
export function failureLine(report: ActionReport, context: FailureContext = { summaryWritten: true }): string {
  const failed = report.steps.filter((step) => step.status === 'failed')
  const errors = failed.flatMap((step) => step.findings.filter((finding) => finding.severity === 'error')).length
  // Each error was annotated already (emitReport): the last line counts them instead of printing one twice.
  const where = context.summaryWritten ? 'annotated above and in the job summary' : 'annotated above'
  const count = errors ? ` — ${errors} error${errors === 1 ? '' : 's'}, ${where}` : ''
  return redact(`${reportSubject(report)}: ${failed.map((step) => step.title).join(', ')} failed${count}`)
}

/** The step of an error that stopped the run: `Run`, or the stage it stopped (`Blueprint`, `Run settings`). */
export function stoppedStep(error: unknown, where?: SourceLocation, title = 'Run'): StepResult {
  return {
    id: 'error',
    title,
    status: 'failed',
    durationMs: 0,
    summary: 'stopped',
    findings: [
      {
        rule: 'error',
        severity: 'error',
        message: errorLine(error),
        ...(where ? { file: where.file, ...(where.line ? { line: where.line } : {}) } : {})
      }
    ]
  }
}

/**
 * Fails the action for an error that stopped it before any report (an input that is not valid): the failure
 * annotated at the workflow file's line that sets the input, when the error names one.
 */
export function failAction(error: unknown, env: NodeJS.ProcessEnv = process.env): void {
  const where = errorLocation(error, env.GITHUB_WORKSPACE || process.cwd(), workflowFileOf(env.GITHUB_WORKFLOW_REF))
  if (!where) {
    core.setFailed(errorLine(error))
    return
  }
  process.exitCode = 1
  core.error(errorLine(error), { title: 'Inputs', file: where.file, startLine: where.line })
}
