// Shared result types. Every step returns a StepResult; reporting (markdown,
// annotations, JSON report) turns these into text. Nothing here does I/O.
import type { RenderDiff } from './diff/types.js'

export type StepStatus = 'passed' | 'failed' | 'skipped' | 'warning'

export type Severity = 'error' | 'warning' | 'notice'

/** One thing a maintainer should look at, with where and what to change. */
export interface Finding {
  /** Stable rule id, e.g. `image-pinned`, `observability-default-off`, `lint`. */
  rule: string
  severity: Severity
  /** What is wrong, in one sentence. */
  message: string
  /** What to change; e.g. the exact pinned image reference. */
  fix?: string
  /** Path relative to the workspace (GITHUB_WORKSPACE or cwd), for annotations. */
  file?: string
  line?: number
  /** A copy-paste fix (values snippet, template line, allowlist line), shown as a fenced code block. */
  snippet?: FixSnippet
}

/** Text to paste, e.g. `{ language: 'yaml', text: 'temporal:\n  server: …' }`. */
export interface FixSnippet {
  /** Info string of the fenced block: `yaml`, `sh`, `text`. */
  language: string
  text: string
  /** What to do with it, e.g. "in platform/temporal/chart/values.yaml". */
  label?: string
}

export interface StepResult<D = unknown> {
  /** Stable id, e.g. `resolve-upstream`, `dependency-build`, `lint`, `images`. */
  id: string
  /** Human title, e.g. "Upstream version". */
  title: string
  status: StepStatus
  durationMs: number
  /** One line for the steps table. */
  summary: string
  findings: Finding[]
  /** Long text (lint output, a failed render's stderr); shown collapsed. */
  details?: string
  data?: D
}

/**
 * One resource of a `helm template` render, parsed once and shared by every reader (gates, the diff, the schema
 * check): a document, or an item of a list document (`kind: List`, any document with an `items` sequence), which
 * Helm and kubectl apply as resources of their own (helm/render.ts `renderedResources`).
 */
export interface RenderedDocument {
  /** Template path from the `# Source:` comment, e.g. `bp-temporal/charts/temporal/templates/web.yaml`. */
  source?: string
  /** For an item of a list document: where it stands in that document, e.g. `items[2]` (`items[0].items[1]` nested). */
  listItem?: string
  apiVersion?: string
  kind?: string
  name?: string
  namespace?: string
  /** The parsed object (plain JSON data). */
  object: Record<string, unknown>
}

/** Where a problem is: a file relative to the workspace, and its line (and column) when known. */
export interface SourceLocation {
  file: string
  line?: number
  column?: number
}

/**
 * Where an error points: a place in a file, or an action input (the run finds the line of the workflow file that
 * sets it, run/input-location.ts).
 */
export type ErrorLocation = SourceLocation | { input: string; value?: string }

/**
 * Error carrying a message fit for `core.setFailed`: names the file/field/value and what to do, and where it is
 * (`at`), so the run's annotation lands on that line of the pull request.
 */
export class ActionError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly at?: ErrorLocation
  ) {
    super(message)
    this.name = 'ActionError'
  }
}

/** What the run published, or would publish. */
export interface PublishInfo {
  /** `oci://host/path/name:version` (the `+` of a version becomes `_` in the tag). */
  ref: string
  digest?: string
  pushed: boolean
  /** The same digest was already at that tag: nothing pushed, success. */
  alreadyPublished?: boolean
  /** On a pull request with a registry: what merging would publish. */
  preview?: PublishPreview
}

/** One statement attested about the published chart. */
export interface AttestedStatement {
  kind: 'provenance' | 'sbom'
  /** `https://slsa.dev/provenance/v1`, `https://cyclonedx.org/bom`. */
  predicateType: string
  /** Digest of the referrer manifest holding the bundle in the registry. */
  referrer: string
  /** The id GitHub's attestations API gave it, when GitHub stored it. */
  githubId?: number
  /** Path of the bundle file this run wrote (absent for one an earlier run attested). */
  bundle?: string
  /** Attested by an earlier run (found in the registry): nothing signed or stored now. */
  existing?: boolean
}

/** The attestations of the published chart (step `attest`; outputs `attestations` and `bundles`). */
export interface AttestationInfo {
  /** The Sigstore instance that signed what this run attested. */
  instance?: 'public-good' | 'github' | 'custom'
  /** How the registry lists the referrers: its referrers API, or the `sha256-<hex>` tag the action keeps. */
  listing?: 'referrers-api' | 'tag-scheme'
  statements: AttestedStatement[]
}

/**
 * What merging a pull request would publish, as the release would judge it (the registry's tag against this
 * chart's content): `unpublished` (merging publishes `ref`), `same` (already published, nothing to publish),
 * `other` (published with other content: the version must be bumped), `published` (there, content not compared:
 * the chart was not packaged), `unreachable` (the registry could not be asked: a warning).
 */
export type PublishPreview =
  | { state: 'unpublished'; ref: string }
  | { state: 'same' | 'published'; ref: string; digest: string }
  | {
      state: 'other'
      ref: string
      digest: string
      /** Archive entries that differ (the first few). */
      differing: string[]
      /** Only charts/ or Chart.lock differ: the chart's own files are the same. */
      dependenciesOnly: boolean
      /** The next patch version no tag holds yet. */
      freeVersion?: string
    }
  | { state: 'unreachable'; ref: string; reason: string }

export interface UpstreamInfo {
  name: string
  repository: string
  /** The version or range written in Chart.yaml. */
  pinned: string
  /** The version the run used (after `upstream-version` override). */
  resolved: string
  /** Highest stable release in the repository. */
  latest?: string
  outdated: boolean
  /** Set when input `upstream-version` overrode the pin for this run. */
  override?: string
}

/** What a report is about, in one phrase: the chart and its version, or the blueprint folder when no chart was read. */
export function reportSubject(report: Pick<ActionReport, 'chart' | 'blueprint'>): string {
  return report.chart.name
    ? [report.chart.name, report.chart.version].filter(Boolean).join(' ')
    : `blueprint ${report.blueprint}`
}

/** The whole run, as written to the JSON report (output `report`). */
export interface ActionReport {
  schemaVersion: 1
  blueprint: string
  chart: { name: string; version: string; path: string }
  upstream?: UpstreamInfo
  mode: 'validate' | 'publish'
  modeReason: string
  helmVersion: string
  status: 'passed' | 'failed'
  steps: StepResult[]
  publish?: PublishInfo
  values: { files: string[]; set: string[] }
  /** Path of the CycloneDX SBOM written for the chart (when it was packaged and rendered). */
  sbom?: string
  /** The signed provenance and SBOM attestations of the published chart (absent when the run attested nothing). */
  attestation?: AttestationInfo
  /** The rendered diff against the base commit ("What changes"); absent when the diff is off for the event. */
  diff?: RenderDiff
  runUrl?: string
  /** The commit the run checked: a pull request's head, else GITHUB_SHA. */
  commit?: string
  startedAt: string
  durationMs: number
}
