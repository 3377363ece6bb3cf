// The action's outputs (action.yml `outputs`), computed from the report (pure) and written once.
// A new output: its value here, its line in action.yml, then `npm run docs` (README's outputs table).
import * as core from '@actions/core'
import type { ActionReport, PublishInfo } from '../types.js'
import { redact } from '../util/secrets.js'

/** `host/path/name@sha256:…` of the published chart: what `gh attestation verify oci://…` and `cosign verify-attestation` take. */
export function digestRef(publish: PublishInfo | undefined): string {
  if (!publish?.digest) return ''
  return `${publish.ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, '')}@${publish.digest}`
}

/**
 * Output attestations: a JSON list, one entry per statement of the published chart (its predicate type, the
 * referrer manifest's digest, GitHub's attestation id when GitHub stored it); `[]` when nothing is attested.
 */
function attestationsOutput(report: ActionReport): string {
  return JSON.stringify(
    (report.attestation?.statements ?? []).map((s) => ({
      predicateType: s.predicateType,
      referrer: s.referrer,
      ...(s.githubId !== undefined ? { githubId: s.githubId } : {}),
      ...(s.existing ? { existing: true } : {})
    }))
  )
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
    attestations: attestationsOutput(report),
    bundles: (report.attestation?.statements ?? []).flatMap((s) => (s.bundle ? [s.bundle] : [])).join('\n'),
    diff: report.diff?.file ?? '',
    pushed: String(report.publish?.pushed ?? false),
    mode: report.mode,
    report: reportPath
  }
}

/** The outputs of `mode: discover`: the blueprint folders as a JSON list, as a job matrix, and in release waves. */
export function discoverOutputs(result: {
  blueprints: string[]
  matrix: unknown
  waves: unknown[]
}): Record<string, string> {
  return {
    blueprints: JSON.stringify(result.blueprints),
    matrix: JSON.stringify(result.matrix),
    waves: JSON.stringify(result.waves),
    mode: 'discover'
  }
}

/** GitHub's limits a discover matrix meets: 256 jobs per matrix, 1 MB of outputs per job. */
const MAX_MATRIX_JOBS = 256
const MAX_OUTPUT_BYTES = 1024 * 1024

/**
 * Warnings for a discover result GitHub would not run whole: more blueprints than a matrix has jobs, or outputs near
 * a job's outputs limit (the matrix is written twice: `blueprints` and `matrix`). Each says what to do: waves.
 */
export function discoverWarnings(blueprints: readonly string[], outputs: Readonly<Record<string, string>>): string[] {
  const warnings: string[] = []
  const waves =
    'run discover in waves: one discover job per group of folders (input discover-glob, e.g. `platform/[a-m]*` and `platform/[n-z]*`), each feeding its own matrix'
  if (blueprints.length > MAX_MATRIX_JOBS) {
    warnings.push(
      `discover: ${blueprints.length} blueprints, but a GitHub Actions matrix runs at most ${MAX_MATRIX_JOBS} jobs: the workflow fails to start the matrix. Fix: ${waves}.`
    )
  }
  const bytes = Object.entries(outputs).reduce(
    (sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value),
    0
  )
  if (bytes > MAX_OUTPUT_BYTES * 0.9) {
    warnings.push(
      `discover: the outputs are ${Math.round(bytes / 1024)} KiB, ${bytes > MAX_OUTPUT_BYTES ? 'over' : 'near'} GitHub's 1 MiB limit for a job's outputs. Fix: ${waves}.`
    )
  }
  return warnings
}

/** The outputs of an event for another blueprint (a notice, not a failure). */
export const SKIP_OUTPUTS: Readonly<Record<string, string>> = { mode: 'skip' }

export function writeOutputs(outputs: Readonly<Record<string, string>>): void {
  for (const [name, value] of Object.entries(outputs)) core.setOutput(name, redact(value))
}
