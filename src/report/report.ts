// Turns an ActionReport into text: markdown (PR comment, job summary),
// annotations, and the JSON report file. Every text that leaves here goes
// through redact(): the report is deep-redacted before rendering (so that
// escaping or truncation can never expose part of a secret) and the final text
// once more. `set` values are shown (they are not secret: they are rendered
// into the manifests the findings describe); secret values come through input
// set-secret, are registered with secrets.ts and redacted like any secret.
//
// renderMarkdown is pure apart from redact(); the other functions do I/O.
import * as core from '@actions/core'
import { mkdir, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { ACTION_NAME } from '../util/action-name.js'
import { redact, redactDeep } from '../util/secrets.js'
import {
  reportSubject,
  type ActionReport,
  type Finding,
  type PublishInfo,
  type PublishPreview,
  type Severity,
  type StepResult,
  type StepStatus,
  type UpstreamInfo
} from '../types.js'
import { renderDiffSection } from './diff-section.js'
import {
  CELL_MAX,
  clip,
  codeBlock,
  codeSpan,
  escapeCell,
  escapeHtml,
  escapeMarkdown,
  oneLine,
  shortDigestRef
} from './markdown.js'
import { isRecord } from '../util/text.js'

/** A PR comment body is capped at 65,536 characters by GitHub. */
export const COMMENT_LIMIT = 65_536
/** The job summary is capped at 1 MiB per step; stay well below. */
export const SUMMARY_LIMIT = 900_000
const SUMMARY_MAX_BYTES = 1_000_000

/** Longest message / fix of one finding. */
const FINDING_TEXT_MAX = 2_000
/** A shortened details block keeps at least this much text, or is dropped. */
const MIN_DETAILS_TEXT = 200
/** Longest copy-paste snippet of one finding. */
const SNIPPET_MAX = 4_000

export interface RenderOptions {
  /** Maximum length of the result in characters (UTF-16 code units). */
  limit: number
  /** Link to the workflow run; named in the truncation note. Defaults to report.runUrl. */
  runUrl?: string
  /**
   * Hidden marker that identifies the PR comment: either a chart name (the marker
   * becomes `<!-- blueprint-action:<name> -->`) or a complete marker comment
   * as returned by commentMarker().
   */
  marker?: string
  /** Show step durations and run times (job summary); the PR comment leaves them out so an unchanged result is an unchanged body. */
  durations?: boolean
  /** Optional sections (e.g. a rendered diff), after the fixes and publish info, before the folded steps. */
  sections?: ExtraSection[]
  /** Path of the JSON report, named by the truncation note. */
  reportPath?: string
  /** Findings listed per step before "… and N more" (default 200). */
  maxFindingsPerGroup?: number
  /** Rows of the images table before "… and N more" (default 1,000). */
  maxImageRows?: number
}

// ---------------------------------------------------------------------------
// Marker, escaping
// ---------------------------------------------------------------------------

const MARKER_PREFIX = `${ACTION_NAME}:`
/** The marker's prefix before the action had a name of its own: comments written under it are still ours. */
const FORMER_MARKER_PREFIX = 'bp-temporal-action:'

function markerWith(prefix: string, chartName: string): string {
  // An HTML comment ends at the first `-->`; keep the name from closing it early.
  const safe = chartName.replace(/-->|--!>|[<>]|\s+/g, '_')
  return `<!-- ${prefix}${safe} -->`
}

/** The hidden comment that identifies this action's PR comment for one chart. */
export function commentMarker(chartName: string): string {
  return markerWith(MARKER_PREFIX, chartName)
}

/** The markers earlier versions wrote for the chart: their comment is found, and updated under the new marker. */
export function formerCommentMarkers(chartName: string): string[] {
  return [markerWith(FORMER_MARKER_PREFIX, chartName)]
}

function resolveMarker(marker: string): string {
  const trimmed = marker.trim()
  if (/^<!--[\s\S]*-->$/.test(trimmed) && trimmed.indexOf('-->') === trimmed.length - 3 && !trimmed.includes('\n')) {
    return trimmed
  }
  return commentMarker(trimmed)
}

// ---------------------------------------------------------------------------
// Pieces
// ---------------------------------------------------------------------------

const STEP_ICON: Record<StepStatus, string> = { passed: '✅', failed: '❌', warning: '⚠️', skipped: '⏭️' }
const SEVERITY_ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', notice: 'ℹ️' }

function stepIcon(status: string): string {
  return STEP_ICON[status as StepStatus] ?? '❔'
}

function severityIcon(severity: string): string {
  return SEVERITY_ICON[severity as Severity] ?? 'ℹ️'
}

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–'
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const minutes = Math.floor(ms / 60_000)
  const seconds = Math.round((ms % 60_000) / 1000)
  return `${minutes} min ${seconds} s`
}

/** "temporal 1.2.0 pinned, 1.3.0 available", "temporal 1.2.0 pinned (latest)", … */
export function describeUpstream(u: UpstreamInfo): string {
  const parts: string[] = []
  if (u.override) {
    parts.push(`${u.name} ${u.resolved} (override; Chart.yaml pins ${u.pinned})`)
  } else if (u.resolved && u.resolved !== u.pinned) {
    parts.push(`${u.name} ${u.pinned} pinned (resolved ${u.resolved})`)
  } else {
    parts.push(`${u.name} ${u.pinned} pinned`)
  }
  if (u.outdated && u.latest) return `${parts[0]}, ${u.latest} available`
  if (u.outdated) return `${parts[0]}, a newer release is available`
  if (u.latest && u.latest === u.resolved) return `${parts[0]}, up to date`
  if (u.latest) return `${parts[0]}, latest ${u.latest}`
  return parts[0]
}

/**
 * Text with `code spans` kept as code and everything else escaped: finding
 * messages and fixes are written with backticks around commands, keys and
 * references, and a reader must see code, not backticks.
 */
export function inlineMarkdown(text: string, max = FINDING_TEXT_MAX): string {
  const flat = clip(oneLine(text), max)
  const out: string[] = []
  let last = 0
  for (const m of flat.matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)) {
    out.push(escapeMarkdown(flat.slice(last, m.index)), codeSpan(m[2]))
    last = m.index + m[0].length
  }
  out.push(escapeMarkdown(flat.slice(last)))
  return out.join('')
}

/** Where the commit and the run are shown: `https://github.com/o/r/commit/<sha>` from the run URL. */
function commitUrl(runUrl: string | undefined, commit: string): string | undefined {
  const m = runUrl ? /^(https?:\/\/[^\s]+?\/[^/\s]+\/[^/\s]+)\/actions\/runs\/\d+/.exec(runUrl) : null
  return m && /^[0-9a-f]{7,64}$/i.test(commit) ? `${m[1]}/commit/${commit}` : undefined
}

function link(text: string, url: string | undefined): string {
  if (!url || !/^https?:\/\/[^\s<>()[\]`|]+$/.test(url)) return text
  return `[${text}](${url})`
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`
}

/** The verdict: what the run decided, in one heading (on a pull request with a registry: what merging publishes). */
function verdictLine(report: ActionReport): string {
  const name = escapeMarkdown(reportSubject(report))
  const steps = Array.isArray(report.steps) ? report.steps : []
  const preview = previewText(report.publish?.preview, report.status === 'passed')
  if (report.status !== 'passed') {
    const failed = steps.filter((s) => s.status === 'failed').map((s) => s.title || s.id)
    return `### ❌ ${name} failed${failed.length > 0 ? `: ${escapeMarkdown(clip(failed.join(', '), 300))}` : ''}${preview}`
  }
  const warnings = steps.filter((s) => s.status === 'warning').length
  const withWarnings = warnings > 0 ? ` with ${plural(warnings, 'warning')}` : ''
  if (report.publish?.pushed) return `### ✅ ${name} published${withWarnings}`
  if (report.publish?.alreadyPublished) return `### ✅ ${name} already published${withWarnings}`
  return `### ✅ ${name} passed${withWarnings}${preview}`
}

/** The publish preview as the verdict line's tail: ` · merging publishes \`ref\``, or '' without one. */
function previewText(preview: PublishPreview | undefined, passed: boolean): string {
  if (!preview || typeof preview.ref !== 'string') return ''
  const ref = codeSpan(preview.ref)
  switch (preview.state) {
    case 'unpublished':
      return passed ? ` · merging publishes ${ref}` : ` · once it passes, merging publishes ${ref}`
    case 'same':
      return ' · already published, nothing to publish'
    case 'other':
      return ` · ${ref} is already published with other content`
    case 'unreachable':
      return ' · publish preview unavailable (registry not reachable)'
    default:
      return ''
  }
}

/** Upstream, head commit, run link, mode: the facts a reviewer checks first. */
function metaLine(report: ActionReport, runUrl: string | undefined): string {
  const bits: string[] = []
  if (report.upstream) bits.push(`upstream ${escapeMarkdown(describeUpstream(report.upstream))}`)
  if (report.commit) bits.push(`commit ${link(codeSpan(report.commit.slice(0, 7)), commitUrl(runUrl, report.commit))}`)
  const runId = runUrl ? /\/actions\/runs\/(\d+)/.exec(runUrl)?.[1] : undefined
  if (runUrl) bits.push(link(runId ? `run ${runId}` : 'run', runUrl))
  bits.push(report.mode === 'publish' ? 'publish' : 'validate only')
  return bits.join(' · ')
}

/** On a release the ref and digest belong in the first lines (and whether they are attested). */
function publishedLine(report: ActionReport): string | undefined {
  const p = report.publish
  if (!p || !(p.pushed || p.alreadyPublished)) return undefined
  const digest = p.digest ? ` · digest ${codeSpan(p.digest)}` : ''
  const attested = attestedKinds(report)
  return `${p.pushed ? 'Pushed' : 'Already at'} ${codeSpan(p.ref)}${digest}${attested ? ` · attested: ${attested}` : ''}`
}

/** `provenance, SBOM`: what the published chart is attested with; undefined when nothing is. */
function attestedKinds(report: ActionReport): string | undefined {
  const statements = report.attestation?.statements ?? []
  if (statements.length === 0) return undefined
  return statements.map((s) => (s.kind === 'sbom' ? 'SBOM' : s.kind)).join(', ')
}

/**
 * How anyone checks the attestations: `gh attestation verify` (GitHub's API, or the registry's referrers with
 * --bundle-from-oci) and `cosign verify-attestation`, for `host/path/name@digest`. The workflow's identity comes
 * from the run's link (`https://github.com/<owner>/<repo>/actions/runs/…`); placeholders without one.
 */
function verificationCommands(report: ActionReport, digestRef: string): string {
  const m = report.runUrl ? /^(https?:\/\/[^/\s]+)\/([^/\s]+)\/([^/\s]+)\/actions\/runs\/\d+/.exec(report.runUrl) : null
  const [server, owner, repo] = m ? [m[1], m[2], m[3]] : ['https://github.com', '<owner>', '<repo>']
  const identity = `^${server.replace(/\./g, '\\.')}/${owner}/${repo}/\\.github/workflows/`
  const lines = [
    `gh attestation verify oci://${digestRef} --owner ${owner}`,
    `gh attestation verify oci://${digestRef} --owner ${owner} --bundle-from-oci`,
    `cosign verify-attestation --new-bundle-format --type slsaprovenance1 \\`,
    `  --certificate-oidc-issuer https://token.actions.githubusercontent.com \\`,
    `  --certificate-identity-regexp '${identity}' \\`,
    `  ${digestRef}`
  ]
  return codeBlock(lines.join('\n'), 'sh')
}

/** `oci://host/path/name:1.0.0` → `oci://host/path/name` and `1.0.0` (a `_` in the tag is the version's `+`). */
function splitRef(ref: string): { repository: string; version: string } | undefined {
  const m = /^(oci:\/\/.+\/([^/:]+)):([^/:]+)$/.exec(ref)
  return m ? { repository: m[1], version: m[3].replace(/_/g, '+') } : undefined
}

function publishSection(report: ActionReport): string | undefined {
  const p: PublishInfo | undefined = report.publish
  if (!p) return undefined
  const parts = split(p.ref)
  if (p.pushed || p.alreadyPublished) {
    // The ref and digest are on the first lines already (publishedLine): here, how to use what was published.
    const lines = [
      `#### 📦 ${p.pushed ? 'Published' : 'Already published (nothing pushed: the same chart is at that tag)'}`
    ]
    if (parts) {
      const release = report.chart.name.replace(/^bp-/, '') || 'release'
      lines.push(
        '',
        codeBlock(
          [
            `helm pull ${parts.repository} --version ${parts.version}`,
            `helm install ${release} ${parts.repository} --version ${parts.version}`
          ].join('\n'),
          'sh'
        )
      )
    }
    lines.push(...attestationLines(report, p))
    return lines.join('\n')
  }
  if (report.mode === 'publish' && report.status === 'failed')
    return `**Not published** (checks failed): ${codeSpan(p.ref)}`
  if (report.mode === 'publish') return `**Not published:** ${codeSpan(p.ref)}`
  switch (p.preview?.state) {
    case 'unpublished':
      return undefined // the verdict line says it: ` · merging publishes <ref>`, once
    case 'same':
      return `Already published: ${codeSpan(p.ref)} holds this chart (${codeSpan(p.preview.digest)}); merging publishes nothing.`
    case 'other':
      return `**Not publishable:** ${codeSpan(p.ref)} holds other content (${codeSpan(p.preview.digest)})${p.preview.freeVersion ? `; ${codeSpan(p.preview.freeVersion)} is free` : ''}.`
    default:
      return `On a release tag this publishes ${codeSpan(p.ref)}.`
  }
}
const split = splitRef

/** The attestations of a published chart, how to verify them, or that it is not attested (and what to do). */
function attestationLines(report: ActionReport, p: PublishInfo): string[] {
  const attested = attestedKinds(report)
  const step = report.steps.find((s) => s.id === 'attest')
  const lines: string[] = []
  if (attested && p.digest) {
    const digestRef = `${p.ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, '')}@${p.digest}`
    const earlier = report.attestation?.statements.every((s) => s.existing) ? ' (by an earlier run)' : ''
    lines.push(
      '',
      `**Attested: ${attested}**${earlier}: signed with Sigstore, stored beside the chart. Verify:`,
      '',
      verificationCommands(report, digestRef)
    )
  }
  if (step?.status === 'failed')
    lines.push(
      '',
      '**Published but not attested.** Re-run the job: it finds the chart published and attests it without pushing again.'
    )
  // attest: auto in a job without the OIDC token: nothing could be signed; say what is missing and what to grant.
  if (step?.status === 'skipped' && step.findings.some((f) => f.rule === 'attest-permission')) {
    const have = new Set((report.attestation?.statements ?? []).map((s) => s.kind))
    const missing = ATTESTED_KINDS.filter((k) => !have.has(k)).map((k) => (k === 'sbom' ? 'SBOM' : k))
    lines.push(
      '',
      `**Not attested: ${missing.join(', ')}.** The job has no OIDC token to sign with: grant it ${codeSpan('permissions: id-token: write')} (and ${codeSpan('attestations: write')} for GitHub's copy), then re-run it: it finds the chart published and attests it without pushing again.`
    )
  }
  return lines
}
const ATTESTED_KINDS = ['provenance', 'sbom'] as const

// --- what to fix -------------------------------------------------------------

function findingWhere(f: Finding): string {
  return f.file ? `${codeSpan(f.line ? `${f.file}:${f.line}` : f.file)} ` : ''
}

/**
 * Digests looked up by resolve-digests (image → `sha256:…`), filled into a
 * snippet's `sha256:<digest>` placeholders on the lines that name the image.
 */
export function fillPins(text: string, pins: ReadonlyMap<string, string>): string {
  if (pins.size === 0) return text
  return text
    .split('\n')
    .map((line) => {
      if (!line.includes('sha256:<digest>')) return line
      for (const [image, digest] of pins) {
        // The whole image: `app:1.0.1` is not named by a line about `app:1.0.10`.
        const at = line.indexOf(image)
        if (at >= 0 && !/^[\w.:/-]/.test(line.slice(at + image.length))) return line.replace('sha256:<digest>', digest)
      }
      return line
    })
    .join('\n')
}

function pinsOf(step: StepResult): Map<string, string> {
  const pins = new Map<string, string>()
  for (const row of imageRows(step.data) ?? []) {
    const digest = row.pinned ? /@(sha256:[0-9a-f]{64})$/.exec(row.pinned)?.[1] : undefined
    if (digest) pins.set(row.image, digest)
  }
  return pins
}

/** One finding: where and what, the fix as text, the copy-paste part in a fenced block. */
function findingItem(f: Finding, pins: ReadonlyMap<string, string> = new Map()): string {
  const lines = [`- ${severityIcon(f.severity)} ${findingWhere(f)}${inlineMarkdown(f.message ?? '')}`]
  if (f.fix && f.fix.trim() !== '') {
    const fix = oneLine(f.fix).trim()
    // A fix without spaces is a value to paste (an image reference, a version): show it as code.
    const shown = /\s/.test(fix) ? inlineMarkdown(fix) : codeSpan(clip(fix, FINDING_TEXT_MAX))
    lines.push('', `  **Fix:** ${shown}`)
  }
  const snippet = f.snippet
  if (snippet && typeof snippet.text === 'string' && snippet.text.trim() !== '') {
    if (snippet.label) lines.push('', `  ${inlineMarkdown(snippet.label)}`)
    const block = codeBlock(
      fillPins(clip(snippet.text, SNIPPET_MAX), pins),
      (snippet.language ?? '').replace(/[^\w+-]/g, '')
    )
    lines.push('', ...block.split('\n').map((l) => `  ${l}`))
  }
  return lines.join('\n')
}

interface FindingGroup {
  header: string
  items: string[]
}

const SEVERITY_ORDER: Record<string, number> = { error: 0, warning: 1, notice: 2 }

/** Findings of failed and warning steps, failed steps first; notices are not things to fix. */
function findingGroups(steps: StepResult[]): FindingGroup[] {
  const rank = (s: StepResult): number => (s.status === 'failed' ? 0 : 1)
  return steps
    .filter((s) => (s.status === 'failed' || s.status === 'warning') && Array.isArray(s.findings))
    .map((s) => ({ s, findings: s.findings.filter((f) => f.severity !== 'notice') }))
    .filter(({ findings }) => findings.length > 0)
    .sort((a, b) => rank(a.s) - rank(b.s))
    .map(({ s, findings }) => {
      const sorted = [...findings].sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3))
      const summary = s.summary ? ` — ${escapeMarkdown(clip(oneLine(s.summary), CELL_MAX))}` : ''
      const pins = pinsOf(s)
      return {
        header: `**${stepIcon(s.status)} ${escapeMarkdown(s.title || s.id)}**${summary}`,
        items: sorted.map((f) => findingItem(f, pins))
      }
    })
}

function groupText(g: FindingGroup & { omitted: number }, more: string): string {
  const lines = [g.header, '', ...g.items.map((item) => `${item}\n`)]
  if (g.omitted > 0) lines.push(`- _… and ${plural(g.omitted, 'more finding')}: ${more}_`, '')
  return lines.join('\n').replace(/\n+$/, '')
}

// --- folded blocks ------------------------------------------------------------

interface DetailsBlock {
  summary: string
  /** Markdown before the code block (tables), already escaped. */
  markdown?: string
  /** Raw text, shown in a fenced code block. */
  code?: string
}

function renderDetails(block: DetailsBlock): string {
  const parts = [`<details><summary>${escapeHtml(block.summary)}</summary>`, '']
  if (block.markdown) parts.push(block.markdown, '')
  if (block.code !== undefined) parts.push(codeBlock(block.code), '')
  parts.push('</details>')
  return parts.join('\n')
}

/** Shortens a block to at most `budget` characters, or returns undefined if it cannot be useful. */
function shortenDetails(block: DetailsBlock, budget: number): string | undefined {
  const note = '\n… (shortened)'
  const overhead =
    renderDetails({
      ...block,
      markdown: block.markdown ? '' : undefined,
      code: block.code !== undefined ? '' : undefined
    }).length +
    note.length +
    64
  let room = budget - overhead
  if (room < MIN_DETAILS_TEXT) return undefined
  let markdown = block.markdown
  let code = block.code
  if (markdown && markdown.length > room) {
    // Tables: keep whole lines.
    const kept: string[] = []
    let used = 0
    for (const line of markdown.split('\n')) {
      if (used + line.length + 1 > room) break
      kept.push(line)
      used += line.length + 1
    }
    markdown = `${kept.join('\n')}\n\n_… shortened_`
    code = undefined
    room = 0
  } else if (markdown) {
    room -= markdown.length + 2
  }
  if (code !== undefined) {
    if (room < MIN_DETAILS_TEXT) code = undefined
    else if (code.length > room) {
      const cut = code.slice(0, room)
      const lastNl = cut.lastIndexOf('\n')
      const kept = lastNl > room / 2 ? cut.slice(0, lastNl) : cut
      const dropped = code.slice(kept.length).split('\n').length
      code = `${kept}\n… ${dropped} more line${dropped === 1 ? '' : 's'} truncated`
    }
  }
  if (!markdown && code === undefined) return undefined
  const out = renderDetails({ summary: `${block.summary} (shortened)`, markdown, code })
  return out.length <= budget ? out : undefined
}

type Obj = Record<string, unknown>

function kindsOf(data: unknown): Record<string, number> | undefined {
  const kinds = isRecord(data) ? data.kinds : undefined
  if (!isRecord(kinds)) return undefined
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(kinds)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v
  return Object.keys(out).length > 0 ? out : undefined
}

/** One image of the render, however many times it is used. */
interface ImageRow {
  image: string
  ok?: boolean
  reason?: string
  allowedBy?: string
  /** How many containers/fields use it. */
  uses: number
  /** `Deployment/web (container ui)`, each once. */
  usedBy: string[]
  /** The values key that sets it, when one was found. */
  valuesKey?: string
  /** The digest-pinned reference looked up by resolve-digests. */
  pinned?: string
  /** Why that lookup failed. */
  pinError?: string
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

/**
 * One row per image reference, failing first. Accepts `{images: [...]}`,
 * `{verdicts: [...]}` or a bare array; items are uses (`{image, kind, name,
 * container, ok, reason, allowedBy, valuesPath, pinned}`, or ImageVerdict-like
 * `{use: {image, …}, ok, …}`): uses of the same image fold into one row.
 */
function imageRows(data: unknown): ImageRow[] | undefined {
  let list: unknown
  if (Array.isArray(data)) list = data
  else if (isRecord(data))
    list = Array.isArray(data.images) ? data.images : Array.isArray(data.verdicts) ? data.verdicts : undefined
  if (!Array.isArray(list)) return undefined
  const rows = new Map<string, ImageRow>()
  for (const item of list) {
    const it: Obj = typeof item === 'string' ? { image: item } : isRecord(item) ? item : {}
    const use = isRecord(it.use) ? it.use : undefined
    const image = str(it.image) ?? str(use?.image) ?? str(it.ref)
    if (!image) continue
    let row = rows.get(image)
    if (!row) {
      row = { image, uses: 0, usedBy: [] }
      rows.set(image, row)
    }
    row.uses++
    const ok = typeof it.ok === 'boolean' ? it.ok : undefined
    // One failing use makes the image fail; its reason wins.
    if (ok === false || row.ok === undefined) {
      if (ok !== undefined && row.ok !== false) row.ok = ok
      row.reason = str(it.reason) ?? row.reason
    }
    const allowedBy = str(it.allowedBy)
    const allowReason = str(it.allowReason)
    if (allowedBy) row.allowedBy = allowReason ? `${allowedBy} (${allowReason})` : allowedBy
    row.valuesKey = str(it.valuesPath) ?? row.valuesKey
    row.pinned = str(it.pinned) ?? row.pinned
    row.pinError = str(it.pinError) ?? row.pinError
    const kind = str(it.kind) ?? str(use?.kind)
    const name = str(it.name) ?? str(use?.name)
    const container = str(it.container) ?? str(use?.container)
    let where =
      kind || name ? [kind, name].filter(Boolean).join('/') : (str(it.where) ?? str(it.source) ?? str(use?.source))
    if (where && container && container !== name) where += ` (${container})`
    if (where && !row.usedBy.includes(where)) row.usedBy.push(where)
  }
  const out = [...rows.values()]
  return out.length > 0 ? out.sort((a, b) => Number(a.ok !== false) - Number(b.ok !== false)) : undefined
}

function kindsTable(kinds: Record<string, number>): string {
  const entries = Object.entries(kinds).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
  const total = entries.reduce((n, [, c]) => n + c, 0)
  return [
    '| Kind | Count |',
    '| --- | ---: |',
    ...entries.map(([k, c]) => `| ${escapeCell(k)} | ${c} |`),
    `| **Total** | **${total}** |`
  ].join('\n')
}

const USED_BY_SHOWN = 2

/** A table cell stays narrow: the full reason is in the finding above. */
function shortReason(reason: string | undefined): string {
  if (!reason) return 'failing'
  if (reason.length <= 24) return escapeCell(reason)
  return /empty|not valid|invalid/i.test(reason) ? 'invalid' : 'not pinned'
}

function imagesTable(rows: ImageRow[], maxRows: number): string {
  const withKey = rows.some((r) => r.valuesKey || r.pinned || r.pinError)
  const shown = rows.slice(0, Math.max(1, maxRows))
  const lines = [
    `| Image | Result | Uses | Used by${withKey ? ' | Set by / pinned' : ''} |`,
    `| --- | --- | ---: | ---${withKey ? ' | ---' : ''} |`,
    ...shown.map((r) => {
      const result =
        r.ok === undefined
          ? '–'
          : r.ok
            ? r.allowedBy
              ? `✅ allowed by ${escapeCell(r.allowedBy, 120)}`
              : '✅'
            : `❌ ${shortReason(r.reason)}`
      const more = r.usedBy.length > USED_BY_SHOWN ? `, +${r.usedBy.length - USED_BY_SHOWN} more` : ''
      const usedBy = escapeCell(r.usedBy.slice(0, USED_BY_SHOWN).join(', ')) + more
      const image = codeSpan(shortDigestRef(clip(r.image, CELL_MAX)), true)
      const key = [
        r.valuesKey ? codeSpan(r.valuesKey, true) : '',
        r.pinned ? codeSpan(shortDigestRef(r.pinned), true) : '',
        r.pinError ? `digest lookup failed: ${escapeCell(r.pinError, 160)}` : ''
      ]
        .filter(Boolean)
        .join(' → ')
      return `| ${image} | ${result} | ${r.uses} | ${usedBy}${withKey ? ` | ${key}` : ''} |`
    })
  ]
  if (rows.length > shown.length)
    lines.push(
      '',
      `_… and ${rows.length - shown.length} more images in the JSON report (output \`report\`, on the runner: keep it with \`actions/upload-artifact\`)._`
    )
  return lines.join('\n')
}

function stepsTable(steps: StepResult[], durations: boolean): string {
  if (steps.length === 0) return '_No steps ran._'
  const rows = steps.map((s) => {
    const icon = `${stepIcon(s.status)} ${escapeCell(s.status, 20)}`
    const duration = durations ? ` ${formatDuration(s.durationMs)} |` : ''
    return `| ${escapeCell(s.title || s.id)} | ${icon} | ${escapeCell(s.summary ?? '')} |${duration}`
  })
  const head = durations
    ? ['| Step | Result | Summary | Duration |', '| --- | --- | --- | --- |']
    : ['| Step | Result | Summary |', '| --- | --- | --- |']
  return [...head, ...rows].join('\n')
}

function stepsSummary(steps: StepResult[]): string {
  const counts = new Map<string, number>()
  for (const s of steps) counts.set(s.status, (counts.get(s.status) ?? 0) + 1)
  const order = ['failed', 'warning', 'passed', 'skipped']
  const parts = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`)
  return `${plural(steps.length, 'step')}: ${parts.join(', ')}`
}

function detailsBlocks(report: ActionReport, runUrl: string | undefined, opts: RenderOptions): DetailsBlock[] {
  const durations = opts.durations ?? false
  const steps = Array.isArray(report.steps) ? report.steps : []
  const blocks: DetailsBlock[] = [{ summary: stepsSummary(steps), markdown: stepsTable(steps, durations) }]
  for (const s of steps) {
    const title = s.title || s.id
    const images = s.id === 'images' || /image/i.test(s.id) ? imageRows(s.data) : undefined
    if (images) {
      const failing = images.filter((r) => r.ok === false).length
      const what = `${plural(images.length, 'image')}${failing > 0 ? `, ${failing} failing` : ''}`
      blocks.push({ summary: `${title}: ${what}`, markdown: imagesTable(images, opts.maxImageRows ?? 1_000) })
    }
  }
  for (const s of steps) {
    const title = s.title || s.id
    const kinds = kindsOf(s.data)
    if (kinds) blocks.push({ summary: `${title}: resources by kind`, markdown: kindsTable(kinds) })
    if (typeof s.details === 'string' && s.details.trim() !== '') {
      blocks.push({ summary: `${title}: details`, code: s.details.replace(/\s+$/, '') })
    }
  }
  const run: string[] = []
  run.push(
    `- Mode: ${report.mode === 'publish' ? 'publish' : 'validate'}${report.modeReason ? ` — ${escapeMarkdown(clip(oneLine(report.modeReason), 1000))}` : ''}`
  )
  if (report.blueprint) run.push(`- Blueprint ${codeSpan(report.blueprint)}`)
  if (report.helmVersion) run.push(`- Helm ${codeSpan(report.helmVersion)}`)
  if (report.chart.path) run.push(`- Chart ${codeSpan(report.chart.path)}`)
  if (report.upstream)
    run.push(`- Upstream ${codeSpan(report.upstream.name)} from ${codeSpan(report.upstream.repository)}`)
  if (report.commit) run.push(`- Commit ${codeSpan(report.commit)}`)
  const files = report.values?.files ?? []
  const sets = report.values?.set ?? []
  if (files.length > 0) run.push(`- Values files: ${files.map((f) => codeSpan(f)).join(', ')}`)
  if (sets.length > 0) run.push(`- \`--set\`: ${sets.map((v) => codeSpan(String(v))).join(', ')}`)
  // Times change on every run: only where a changed body costs nothing (the job summary).
  if (durations && report.startedAt)
    run.push(`- Started ${escapeMarkdown(report.startedAt)}, took ${formatDuration(report.durationMs)}`)
  if (runUrl) run.push(`- Run: ${safeUrl(runUrl)}`)
  blocks.push({ summary: 'Run', markdown: run.join('\n') })
  return blocks
}

/** A bare http(s) URL (GFM autolinks it) or, if it is anything else, a code span. */
function safeUrl(url: string): string {
  return /^https?:\/\/[^\s<>()[\]`|]+$/.test(url) ? url : codeSpan(url)
}

/** Where the whole report is: the JSON report (path, and the artifact it can be uploaded as), and the run. */
function fullReportPointer(r: ActionReport, opts: RenderOptions, runUrl: string | undefined): string {
  const artifact = codeSpan(jsonReportName(r.chart?.name ?? 'chart').replace(/\.json$/, ''))
  const file = opts.reportPath
    ? `${codeSpan(opts.reportPath)} (output ${codeSpan('report')})`
    : `output ${codeSpan('report')}`
  const json = `the JSON report ${file}; upload it with ${codeSpan('actions/upload-artifact')} as ${artifact}`
  return opts.marker && runUrl ? `the job summary of ${link('the run', runUrl)} and ${json}` : json
}

function truncationNote(what: string, pointer: string): string {
  return `_… truncated${what}: the full report is ${pointer}_`
}

// ---------------------------------------------------------------------------
// renderMarkdown
// ---------------------------------------------------------------------------

/** More markdown for the report (e.g. a rendered diff), placed after the fixes and publish info, before the folded steps. */
export interface ExtraSection {
  /** Heading text (plain; escaped here). */
  title: string
  /** Markdown body, escaped by its producer. */
  markdown: string
}

/**
 * Markdown for a PR comment or the job summary, in the order a reviewer acts:
 * the verdict (chart, version, upstream, head commit, run link; on a release the
 * ref and digest), what to fix grouped by step, the publish information
 * (`helm pull`/`helm install`), extra sections (opts.sections), then folded: the
 * steps table (durations only with opts.durations), the images (one row per
 * image), resource kinds, step details, run facts. Never longer than
 * `opts.limit`: folded blocks are shortened or dropped from the end first, then
 * finding lists are cut (their counts are kept); the verdict always stays.
 */
export function renderMarkdown(report: ActionReport, opts: RenderOptions): string {
  const r = redactDeep(report)
  const limit = Math.max(0, Math.floor(opts.limit))
  const runUrl = opts.runUrl ?? r.runUrl
  const steps = Array.isArray(r.steps) ? r.steps : []

  const head: string[] = []
  if (opts.marker) head.push(resolveMarker(opts.marker))
  head.push(verdictLine(r), '', metaLine(r, runUrl))
  const published = publishedLine(r)
  if (published) head.push('', published)
  const headText = head.join('\n')

  const pointer = fullReportPointer(r, opts, runUrl)
  const more = opts.marker ? 'see the job summary' : 'see the JSON report (output `report`)'
  const perGroup = Math.max(1, opts.maxFindingsPerGroup ?? 200)
  const groups = findingGroups(steps).map((g) => ({
    ...g,
    omitted: Math.max(0, g.items.length - perGroup),
    items: g.items.slice(0, perGroup)
  }))
  // Only warnings: nothing blocks the merge, the heading says so.
  const fixHeading = r.status === 'failed' ? '#### What to fix' : '#### Worth a look'
  const publish = publishSection(r)
  // The rendered diff against the base (src/diff/report.ts) is the first extra section; at most half the limit.
  const changes = renderDiffSection(r.diff, Math.floor(limit / 2))
  const extra = [
    ...(changes ? [changes] : []),
    ...(opts.sections ?? [])
      .filter((s) => s && typeof s.markdown === 'string' && s.markdown.trim() !== '')
      .map((s) => `#### ${escapeMarkdown(oneLine(s.title))}\n\n${redact(s.markdown.replace(/\s+$/, ''))}`)
  ]
  const blocks = detailsBlocks(r, runUrl, opts).map((b) => ({ block: b, text: renderDetails(b) }))

  const sep = '\n\n'
  const findingsText = (gs: (FindingGroup & { omitted: number })[]): string =>
    gs.length === 0 ? '' : [fixHeading, ...gs.map((g) => groupText(g, more))].join(sep)
  const assemble = (findings: string, sections: string[], details: string[], note?: string): string =>
    [headText, findings, publish ?? '', ...sections, ...details, note ?? ''].filter((p) => p !== '').join(sep) + '\n'

  const fullFindings = findingsText(groups)
  const full = assemble(
    fullFindings,
    extra,
    blocks.map((b) => b.text)
  )
  if (full.length <= limit) return finalize(full, limit)

  // 1. Keep all findings; keep extra sections that fit whole, then fit folded
  //    blocks from the start, shortening the one that overflows and dropping the rest.
  const noteFor = (dropped: number, shortened: boolean, findingsOmitted: number): string => {
    const bits: string[] = []
    if (shortened) bits.push('a folded block shortened')
    if (dropped > 0) bits.push(`${plural(dropped, 'section')} left out`)
    if (findingsOmitted > 0) bits.push(`${plural(findingsOmitted, 'finding')} not shown`)
    return truncationNote(bits.length > 0 ? ` (${bits.join(', ')})` : '', pointer)
  }
  const worstNote = noteFor(blocks.length + extra.length, true, 9_999_999)
  const baseLen = assemble(fullFindings, [], [], worstNote).length
  if (baseLen <= limit) {
    let room = limit - baseLen
    const keptSections: string[] = []
    for (const s of extra) {
      if (s.length + sep.length > room) continue
      keptSections.push(s)
      room -= s.length + sep.length
    }
    const kept: string[] = []
    let shortened = false
    for (let i = 0; i < blocks.length; i++) {
      const need = blocks[i].text.length + sep.length
      if (need <= room) {
        kept.push(blocks[i].text)
        room -= need
        continue
      }
      const short = shortenDetails(blocks[i].block, room - sep.length)
      if (short) {
        kept.push(short)
        room -= short.length + sep.length
        shortened = true
      }
      break
    }
    const dropped = blocks.length - kept.length + extra.length - keptSections.length
    return finalize(assemble(fullFindings, keptSections, kept, noteFor(dropped, shortened, 0)), limit)
  }

  // 2. Nothing folded; cut finding lists, keeping every group header and its count.
  const totalFindings = groups.reduce((n, g) => n + g.items.length + g.omitted, 0)
  let room = limit - assemble(fixHeading, [], [], worstNote).length
  const cut: (FindingGroup & { omitted: number })[] = []
  const reserve = groups.map((g) => g.header.length + 120 + sep.length)
  room -= reserve.reduce((a, b) => a + b, 0)
  let shown = 0
  for (const g of groups) {
    const items: string[] = []
    for (const item of g.items) {
      if (room - (item.length + 2) < 0) break
      items.push(item)
      room -= item.length + 2
    }
    shown += items.length
    cut.push({ header: g.header, items, omitted: g.items.length + g.omitted - items.length })
  }
  const dropped = blocks.length + extra.length
  if (room < 0) {
    // Too many groups even for their headers: keep one summary line.
    const text = `${fixHeading}\n\n- _${plural(totalFindings, 'finding')} not shown_`
    return finalize(assemble(text, [], [], noteFor(dropped, false, totalFindings)), limit)
  }
  return finalize(assemble(findingsText(cut), [], [], noteFor(dropped, false, totalFindings - shown)), limit)
}

/** Last line of defence: redact once more and never exceed the limit. */
function finalize(text: string, limit: number): string {
  const out = redact(text)
  if (out.length <= limit) return out
  const note = '\n\n_… truncated_\n'
  if (limit <= note.length) return out.slice(0, limit)
  let cut = out.slice(0, limit - note.length)
  // Do not leave half a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1)
  return cut + note
}

// ---------------------------------------------------------------------------
// Annotations
// ---------------------------------------------------------------------------

/** GitHub shows at most 10 annotations of a kind (error, warning, notice) per step; more are dropped silently. */
const ANNOTATIONS_PER_KIND = 10

export interface PlannedAnnotation {
  level: Severity
  message: string
  props?: core.AnnotationProperties
}

/** Annotations of each kind the action writes besides the findings' (the failure line, the comment warning). */
export interface ReservedAnnotations {
  error?: number
  warning?: number
  notice?: number
}

/**
 * Pure: the annotations for a report, at most ANNOTATIONS_PER_KIND of each kind
 * including `reserved`. Findings with a file and line come first, then with a
 * file, then the rest; what does not fit is summed up in one annotation of its
 * kind ("… and 37 more: see the job summary"). Allowlist notices (one per image)
 * are collapsed into one.
 */
export function planAnnotations(
  report: ActionReport,
  workspace: string,
  reserved: ReservedAnnotations = {}
): PlannedAnnotation[] {
  const byLevel: Record<Severity, { rank: number; order: number; a: PlannedAnnotation }[]> = {
    error: [],
    warning: [],
    notice: []
  }
  let order = 0
  const allowed: string[] = []
  for (const step of report.steps ?? []) {
    for (const f of step.findings ?? []) {
      if (f.rule === 'image-allowlisted') {
        allowed.push(f.message)
        continue
      }
      const level: Severity = f.severity === 'error' || f.severity === 'warning' ? f.severity : 'notice'
      const message = redact(f.fix ? `${f.message}\nFix: ${f.fix}` : f.message)
      // A step's own finding (a stopped run's: rule `error` of step `error`) is titled by the step alone.
      const title = redact(f.rule && f.rule !== step.id ? `${step.title}: ${f.rule}` : step.title)
      let a: PlannedAnnotation
      let rank = 2
      if (f.file) {
        const props: core.AnnotationProperties = { title, file: redact(relativeFile(workspace, f.file)) }
        rank = 1
        if (typeof f.line === 'number' && f.line > 0) {
          props.startLine = Math.floor(f.line)
          rank = 0
        }
        a = { level, message, props }
      } else {
        a = { level, message: `${title}: ${message}` }
      }
      byLevel[level].push({ rank, order: order++, a })
    }
  }
  if (allowed.length > 0) {
    const first = allowed.slice(0, 3).join(' ')
    const rest = allowed.length > 3 ? ` … and ${allowed.length - 3} more (see the job summary).` : ''
    byLevel.notice.push({
      rank: 3,
      order: order++,
      a: {
        level: 'notice',
        message: redact(`${plural(allowed.length, 'image')} allowed by the image allowlist: ${first}${rest}`)
      }
    })
  }
  const out: PlannedAnnotation[] = []
  for (const level of ['error', 'warning', 'notice'] as const) {
    const list = byLevel[level].sort((x, y) => x.rank - y.rank || x.order - y.order).map((e) => e.a)
    const budget = Math.max(1, ANNOTATIONS_PER_KIND - Math.max(0, reserved[level] ?? 0))
    if (list.length <= budget) {
      out.push(...list)
      continue
    }
    const shown = list.slice(0, budget - 1)
    out.push(...shown, {
      level,
      message: `… and ${list.length - shown.length} more ${level === 'notice' ? 'notices' : `${level}s`}: see the job summary and the JSON report`
    })
  }
  return out
}

/**
 * Writes the planned annotations (planAnnotations); `reserved` counts the
 * annotations written elsewhere (the failure line, a comment warning). Returns
 * how many were written.
 */
export function annotate(input: ActionReport, workspace: string, reserved: ReservedAnnotations = {}): number {
  const planned = planAnnotations(input, workspace, reserved)
  for (const a of planned) {
    const emit = a.level === 'error' ? core.error : a.level === 'warning' ? core.warning : core.notice
    if (a.props) emit(a.message, a.props)
    else emit(a.message)
  }
  return planned.length
}

function relativeFile(workspace: string, file: string): string {
  if (!path.isAbsolute(file)) return file.split(path.sep).join('/')
  const rel = path.relative(workspace, file)
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/')
}

// ---------------------------------------------------------------------------
// JSON report, job summary
// ---------------------------------------------------------------------------

/** `blueprint-action-report-<chart>.json`, with the chart name reduced to safe file-name characters. */
export function jsonReportName(chartName: string): string {
  const safe = chartName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'chart'
  return `${ACTION_NAME}-report-${safe}.json`
}

/**
 * Writes the report as pretty JSON (schema: ActionReport, `schemaVersion: 1`),
 * deep-redacted, into `dir` (default RUNNER_TEMP or the OS temp dir). Returns its path.
 */
export async function writeJsonReport(
  report: ActionReport,
  dir: string = process.env.RUNNER_TEMP || os.tmpdir()
): Promise<string> {
  await mkdir(dir, { recursive: true })
  const file = path.join(dir, jsonReportName(report.chart.name))
  const text = redact(`${JSON.stringify(redactDeep(report), null, 2)}\n`)
  await writeFile(file, text, 'utf8')
  return file
}

export interface SummaryOptions {
  runUrl?: string
  /** Characters; default 900,000 (the summary is capped at 1 MiB per step). */
  limit?: number
  /** Path of the JSON report, named when the summary has to be shortened. */
  reportPath?: string
  /** Extra sections (see RenderOptions.sections). */
  sections?: ExtraSection[]
}

/** The job summary's markdown: durations shown, under the byte cap (1 MiB per step). */
export function renderJobSummary(report: ActionReport, opts: SummaryOptions = {}): string {
  let limit = Math.min(opts.limit ?? SUMMARY_LIMIT, SUMMARY_LIMIT)
  const render = (): string =>
    renderMarkdown(report, {
      limit,
      runUrl: opts.runUrl,
      durations: true,
      reportPath: opts.reportPath,
      sections: opts.sections,
      maxFindingsPerGroup: 200
    })
  let md = render()
  // The cap is in bytes; non-ASCII text takes more than one byte a character.
  while (Buffer.byteLength(md, 'utf8') > SUMMARY_MAX_BYTES && limit > 10_000) {
    limit = Math.floor(limit * 0.7)
    md = render()
  }
  return md
}

/** Appends the markdown report to the job summary; without GITHUB_STEP_SUMMARY it is a no-op (debug line). */
export async function writeJobSummary(report: ActionReport, opts: SummaryOptions = {}): Promise<boolean> {
  const md = renderJobSummary(report, opts)
  try {
    await core.summary.addRaw(md, true).write()
    return true
  } catch (err) {
    core.summary.emptyBuffer()
    core.debug(`job summary not written: ${redact(err instanceof Error ? err.message : String(err))}`)
    return false
  }
}

/** The PR comment's markdown: no durations (an unchanged result is an unchanged body), findings capped per step. */
export function renderComment(
  report: ActionReport,
  opts: { runUrl?: string; reportPath?: string; sections?: ExtraSection[] } = {}
): string {
  return renderMarkdown(report, {
    limit: COMMENT_LIMIT,
    runUrl: opts.runUrl,
    marker: commentMarker(report.chart.name),
    reportPath: opts.reportPath,
    sections: opts.sections,
    maxFindingsPerGroup: 20,
    maxImageRows: 60
  })
}

/** Plain lines for the job log: the verdict, then one line a step (findings are annotations already). */
export function renderLogLines(report: ActionReport): string[] {
  const lines = [
    redact(
      `${report.status === 'passed' ? '✅' : '❌'} ${reportSubject(report)}: ${report.status} (${report.mode}: ${report.modeReason})`
    )
  ]
  if (report.upstream) lines.push(redact(`   upstream ${describeUpstream(report.upstream)}`))
  for (const step of report.steps) {
    lines.push(
      redact(
        `   ${stepIcon(step.status)} ${step.title.padEnd(24)} ${step.summary} (${formatDuration(step.durationMs)})`
      )
    )
  }
  if (report.publish?.digest)
    lines.push(
      redact(`   ${report.publish.pushed ? 'pushed' : 'published'} ${report.publish.ref}@${report.publish.digest}`)
    )
  for (const s of report.attestation?.statements ?? [])
    lines.push(
      redact(
        `   attested ${s.kind === 'sbom' ? 'SBOM' : s.kind} (${s.predicateType}): referrer ${s.referrer}${s.githubId !== undefined ? `, GitHub attestation ${s.githubId}` : ''}${s.existing ? ' (earlier run)' : ''}`
      )
    )
  return lines
}
