// How a run that stopped says so: the one line for core.setFailed and the `Run` step of an error that stopped
// the run early (so the PR comment and job summary say what stopped it).
import { ActionError, type ActionReport, type StepResult } from '../types.js'
import { redact } from '../util/secrets.js'

/** One line for core.setFailed: what is wrong, then what to do. */
export function errorLine(error: unknown): string {
  if (error instanceof ActionError) return redact(error.hint ? `${error.message} — ${error.hint}` : error.message)
  if (error instanceof Error) return redact(`unexpected error: ${error.message}`)
  return redact(`unexpected error: ${String(error)}`)
}

/** The last line of a failed run: the chart, the failed steps and how many errors were annotated. */
export function failureLine(report: ActionReport): string {
  const failed = report.steps.filter((step) => step.status === 'failed')
  const errors = failed.flatMap((step) => step.findings.filter((finding) => finding.severity === 'error')).length
  // Each error was annotated already (emitReport): the last line counts them instead of printing one twice.
  const count = errors ? ` — ${errors} error${errors === 1 ? '' : 's'}, annotated above and in the job summary` : ''
  const chart = [report.chart.name, report.chart.version].filter(Boolean).join(' ')
  return redact(`${chart}: ${failed.map((step) => step.title).join(', ')} failed${count}`)
}

/** The `Run` step of an error that stopped the run. */
export function stoppedStep(error: unknown): StepResult {
  return {
    id: 'error',
    title: 'Run',
    status: 'failed',
    durationMs: 0,
    summary: 'stopped',
    findings: [{ rule: 'error', severity: 'error', message: errorLine(error) }]
  }
}
