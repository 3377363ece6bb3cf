// The action's outputs (action.yml `outputs`), computed from the report (pure) and written once.
// A new output: its value here, its line in action.yml, then `npm run docs` (README's outputs table).
import * as core from '@actions/core'
import type { ActionReport, PublishInfo } from '../types.js'
import { redact } from '../util/secrets.js'

/** `host/path/name@sha256:…` of the published chart: what `cosign sign` and `cosign attest` take. */
export function digestRef(publish: PublishInfo | undefined): string {
  if (!publish?.digest) return ''
  return `${publish.ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, '')}@${publish.digest}`
}

/** The outputs of a run (`mode: run`), in the order they are written. */
export function runOutputs(report: ActionReport, reportPath: string): Record<string, string> {
  return {
    'chart-name': report.chart.name,
    'chart-version': report.chart.version,
    'upstream-version': report.upstream?.resolved ?? '',
    'upstream-latest': report.upstream?.latest ?? '',
    'upstream-outdated': String(report.upstream?.outdated ?? false),
    ref: report.publish?.ref ?? '',
    digest: report.publish?.digest ?? '',
    'digest-ref': digestRef(report.publish),
    sbom: report.sbom ?? '',
    diff: report.diff?.file ?? '',
    pushed: String(report.publish?.pushed ?? false),
    mode: report.mode,
    report: reportPath
  }
}

/** The outputs of `mode: discover`: the blueprint folders as a JSON list and as a job matrix. */
export function discoverOutputs(result: { blueprints: string[]; matrix: unknown }): Record<string, string> {
  return { blueprints: JSON.stringify(result.blueprints), matrix: JSON.stringify(result.matrix), mode: 'discover' }
}

/** The outputs of an event for another blueprint (a notice, not a failure). */
export const SKIP_OUTPUTS: Readonly<Record<string, string>> = { mode: 'skip' }

export function writeOutputs(outputs: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(value))
}
