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
import { redact } from './secrets.js'
import type { ActionReport, Finding, PublishInfo, Severity, StepResult, StepStatus, UpstreamInfo } from './types.js'
import { renderDiffSection } from './diff/report.js'

/** A PR comment body is capped at 65,536 characters by GitHub. */
export const COMMENT_LIMIT = 65_536
/** The job summary is capped at 1 MiB per step; stay well below. */
export const SUMMARY_LIMIT = 900_000
const SUMMARY_MAX_BYTES = 1_000_000

/** Longest text of one steps-table cell; the table must always fit. */
const CELL_MAX = 300
/** Longest message / fix of one finding. */
const FINDING_TEXT_MAX = 2_000
/** A shortened details block keeps at least this much text, or is dropped. */
const MIN_DETAILS_TEXT = 200

export interface RenderOptions {
  /** Maximum length of the result in characters (UTF-16 code units). */
  limit: number
  /** Link to the workflow run; named in the truncation note. Defaults to report.runUrl. */
  runUrl?: string
  /**
   * Hidden marker that identifies the PR comment: either a chart name (the marker
   * becomes `<!-- bp-temporal-action:<name> -->`) or a complete marker comment
   * as returned by commentMarker().
   */
  marker?: string
}

// ---------------------------------------------------------------------------
// Marker, escaping
// ---------------------------------------------------------------------------

const MARKER_PREFIX = 'bp-temporal-action:'

/** The hidden comment that identifies this action's PR comment for one chart. */
export function commentMarker(chartName: string): string {
  // An HTML comment ends at the first `-->`; keep the name from closing it early.
  const safe = chartName.replace(/-->|--!>|[<>]|\s+/g, '_')
  return `<!-- ${MARKER_PREFIX}${safe} -->`
}

function resolveMarker(marker: string): string {
  const trimmed = marker.trim()
  if (/^<!--[\s\S]*-->$/.test(trimmed) && trimmed.indexOf('-->') === trimmed.length - 3 && !trimmed.includes('\n')) {
    return trimmed
  }
  return commentMarker(trimmed)
}

/**
 * Escapes text for inline markdown: every markdown-significant ASCII punctuation
 * gets a backslash, HTML-significant characters can never open a tag, and `@name`
 * gets a zero-width space so a value can never mention (ping) anyone.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()<>#+!|~&$]/g, (c) => `\\${c}`)
    .replace(/(^|[^\w`])@(?=\w)/g, '$1@\u200b')
    .replace(/^(\s*)([-=])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2')
}

/** One table cell: escaped, single-line, `|` escaped (also inside code spans), bounded. */
export function escapeCell(text: string, max = CELL_MAX): string {
  return escapeMarkdown(clip(oneLine(text), max))
}

/** A code span that survives any content, including backticks, pipes and newlines. */
export function codeSpan(text: string, inTable = false): string {
  let body = oneLine(text)
  if (body === '') return '` `'
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length))
  const fence = '`'.repeat(longest + 1)
  if (body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' '))) body = ` ${body} `
  // GFM splits table rows on `|` before inline parsing, even inside code spans.
  if (inTable) body = body.replace(/\|/g, '\\|')
  return `${fence}${body}${fence}`
}

/** A fenced code block that content cannot close early. */
export function codeBlock(text: string, info = ''): string {
  const longest = Math.max(0, ...(text.match(/^ {0,3}`{3,}/gm) ?? []).map((run) => run.trim().length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  const body = text.endsWith('\n') ? text : `${text}\n`
  return `${fence}${info}\n${body}${fence}`
}

/** Text inside raw HTML (`<summary>`): markdown does not apply, HTML entities do. */
function escapeHtml(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/(^|[^\w])@(?=\w)/g, '$1@\u200b')
}

function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ').replace(/\t/g, ' ')
}

function clip(text: string, max: number): string {
  if (text.length <= max) return text
  return `${text.slice(0, Math.max(0, max - 1))}…`
}

// ---------------------------------------------------------------------------
// Deep redaction
// ---------------------------------------------------------------------------

/** Returns a copy of a JSON-like value with `fn` applied to every string (keys too). */
function mapStringsDeep<T>(value: T, fn: (text: string) => string): T {
  const seen = new WeakSet<object>()
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return fn(v)
    if (typeof v === 'bigint') return v.toString()
    if (typeof v === 'function' || typeof v === 'symbol') return undefined
    if (v === null || typeof v !== 'object') return v
    if (seen.has(v)) return '[Circular]'
    seen.add(v)
    try {
      if (v instanceof Date) return v.toISOString()
      if (v instanceof Error) return { name: v.name, message: fn(v.message) }
      if (v instanceof Map) return walk(Object.fromEntries(v))
      if (v instanceof Set) return walk([...v])
      if (ArrayBuffer.isView(v)) return `[${v.byteLength} bytes]`
      if (Array.isArray(v)) return v.map(walk)
      const out: Record<string, unknown> = {}
      for (const [key, val] of Object.entries(v)) {
        const w = walk(val)
        if (w !== undefined) out[fn(key)] = w
      }
      return out
    } finally {
      seen.delete(v)
    }
  }
  return walk(value) as T
}

/** Returns a copy of a JSON-like value with redact() applied to every string (keys too). */
export function redactDeep<T>(value: T): T {
  return mapStringsDeep(value, redact)
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

export function formatDuration(ms: number): string {
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
  return parts[0]!
}

function statusLine(report: ActionReport): string {
  const icon = report.status === 'passed' ? '✅' : '❌'
  const warnings = report.steps.filter((s) => s.status === 'warning').length
  const failed = report.steps.filter((s) => s.status === 'failed').length
  let verdict: string
  if (report.status === 'passed') verdict = warnings > 0 ? `passed with ${warnings} warning${warnings === 1 ? '' : 's'}` : 'passed'
  else verdict = failed > 0 ? `failed (${failed} step${failed === 1 ? '' : 's'})` : 'failed'
  const name = `${report.chart.name} ${report.chart.version}`
  let line = `### ${icon} ${escapeMarkdown(name)} ${verdict}`
  if (report.upstream) line += ` · ${escapeMarkdown(describeUpstream(report.upstream))}`
  return line
}

function modeLine(report: ActionReport): string {
  const mode = report.mode === 'publish' ? 'publish' : 'validate'
  const reason = report.modeReason ? ` — ${escapeMarkdown(clip(oneLine(report.modeReason), 1000))}` : ''
  const bp = report.blueprint ? ` · blueprint ${codeSpan(report.blueprint)}` : ''
  return `**Mode:** ${mode}${reason}${bp}`
}

function stepsTable(steps: StepResult[]): string {
  if (steps.length === 0) return '_No steps ran._'
  const rows = steps.map((s) => {
    const icon = `${stepIcon(s.status)} ${escapeCell(s.status, 20)}`
    return `| ${escapeCell(s.title || s.id)} | ${icon} | ${escapeCell(s.summary ?? '')} | ${formatDuration(s.durationMs)} |`
  })
  return ['| Step | Result | Summary | Duration |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

function findingLine(f: Finding): string {
  const where = f.file ? `${codeSpan(f.line ? `${f.file}:${f.line}` : f.file)} ` : ''
  const rule = f.rule ? ` (${codeSpan(f.rule)})` : ''
  let line = `- ${severityIcon(f.severity)} ${where}${escapeMarkdown(clip(oneLine(f.message ?? ''), FINDING_TEXT_MAX))}${rule}`
  if (f.fix) {
    const fix = oneLine(f.fix).trim()
    // A fix without spaces is a value to paste (an image reference, a version): show it verbatim.
    const shown = /\s/.test(fix) ? escapeMarkdown(clip(fix, FINDING_TEXT_MAX)) : codeSpan(clip(fix, FINDING_TEXT_MAX))
    // A trailing backslash is a hard line break: the fix goes on its own line.
    line += `\\\n  **Fix:** ${shown}`
  }
  return line
}

interface FindingGroup {
  header: string
  items: string[]
}

function findingGroups(steps: StepResult[]): FindingGroup[] {
  const groups: FindingGroup[] = []
  for (const s of steps) {
    if (s.status !== 'failed' && s.status !== 'warning') continue
    const findings = Array.isArray(s.findings) ? s.findings : []
    if (findings.length === 0) continue
    const count = findings.length
    groups.push({
      header: `#### ${stepIcon(s.status)} ${escapeMarkdown(s.title || s.id)} (${count} finding${count === 1 ? '' : 's'})`,
      items: findings.map(findingLine)
    })
  }
  return groups
}

function publishSection(report: ActionReport): string | undefined {
  const p: PublishInfo | undefined = report.publish
  if (!p) return undefined
  const digest = p.digest ? ` digest ${codeSpan(p.digest)}` : ''
  if (p.alreadyPublished) return `**Already published:** ${codeSpan(p.ref)}${digest} — the same chart is at that tag; nothing pushed.`
  if (p.pushed) return `**Published:** ${codeSpan(p.ref)}${digest}`
  if (report.mode === 'publish' && report.status === 'failed') return `**Not published** (checks failed): ${codeSpan(p.ref)}`
  if (report.mode === 'publish') return `**Not published:** ${codeSpan(p.ref)}`
  return `**Would publish:** ${codeSpan(p.ref)}`
}

// --- details blocks ----------------------------------------------------------

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
  const overhead = renderDetails({ ...block, markdown: block.markdown ? '' : undefined, code: block.code !== undefined ? '' : undefined }).length + note.length + 16
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
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)

function kindsOf(data: unknown): Record<string, number> | undefined {
  const kinds = isObj(data) ? data.kinds : undefined
  if (!isObj(kinds)) return undefined
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(kinds)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v
  return Object.keys(out).length > 0 ? out : undefined
}

interface ImageRow {
  image: string
  ok?: boolean
  reason?: string
  allowedBy?: string
  where?: string
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** Accepts `{images: [...]}`, `{verdicts: [...]}` or a bare array; items `{image, ok, reason, allowedBy, where}` or ImageVerdict-like `{use: {image, source, kind, name}, ok, …}`. */
function imagesOf(data: unknown): ImageRow[] | undefined {
  let list: unknown
  if (Array.isArray(data)) list = data
  else if (isObj(data)) list = Array.isArray(data.images) ? data.images : Array.isArray(data.verdicts) ? data.verdicts : undefined
  if (!Array.isArray(list)) return undefined
  const rows: ImageRow[] = []
  for (const item of list) {
    if (typeof item === 'string') {
      rows.push({ image: item })
      continue
    }
    if (!isObj(item)) continue
    const use = isObj(item.use) ? item.use : undefined
    const image = str(item.image) ?? str(use?.image) ?? str(item.ref)
    if (!image) continue
    let where = str(item.where) ?? str(item.source) ?? str(use?.source)
    const kind = str(item.kind) ?? str(use?.kind)
    const name = str(item.name) ?? str(use?.name)
    if (!where && (kind || name)) where = [kind, name].filter(Boolean).join('/')
    if (Array.isArray(item.where)) where = item.where.filter((w) => typeof w === 'string').join(', ')
    const allowedBy = str(item.allowedBy)
    const allowReason = str(item.allowReason)
    rows.push({
      image,
      ok: typeof item.ok === 'boolean' ? item.ok : undefined,
      reason: str(item.reason),
      allowedBy: allowedBy && allowReason ? `${allowedBy} (${allowReason})` : allowedBy,
      where
    })
  }
  return rows.length > 0 ? rows : undefined
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

function imagesTable(rows: ImageRow[]): string {
  const sorted = [...rows].sort((a, b) => Number(a.ok !== false) - Number(b.ok !== false))
  return [
    '| Image | Result | Why | Where |',
    '| --- | --- | --- | --- |',
    ...sorted.map((r) => {
      const result = r.ok === undefined ? '–' : r.ok ? '✅' : '❌'
      const why = [r.reason, r.allowedBy ? `allowed by ${r.allowedBy}` : undefined].filter(Boolean).join('; ')
      return `| ${codeSpan(clip(r.image, CELL_MAX), true)} | ${result} | ${escapeCell(why)} | ${escapeCell(r.where ?? '')} |`
    })
  ].join('\n')
}

function detailsBlocks(report: ActionReport, runUrl: string | undefined): DetailsBlock[] {
  const blocks: DetailsBlock[] = []
  for (const s of report.steps) {
    const title = s.title || s.id
    const kinds = kindsOf(s.data)
    if (kinds) blocks.push({ summary: `${title}: resources by kind`, markdown: kindsTable(kinds) })
    const images = s.id === 'images' || /image/i.test(s.id) ? imagesOf(s.data) : undefined
    if (images) blocks.push({ summary: `${title}: ${images.length} image${images.length === 1 ? '' : 's'}`, markdown: imagesTable(images) })
    if (typeof s.details === 'string' && s.details.trim() !== '') {
      blocks.push({ summary: `${title}: details`, code: s.details.replace(/\s+$/, '') })
    }
  }
  const run: string[] = []
  if (report.helmVersion) run.push(`- Helm ${codeSpan(report.helmVersion)}`)
  if (report.chart.path) run.push(`- Chart ${codeSpan(report.chart.path)}`)
  if (report.upstream) run.push(`- Upstream ${codeSpan(report.upstream.name)} from ${codeSpan(report.upstream.repository)}`)
  const files = report.values?.files ?? []
  const sets = report.values?.set ?? []
  if (files.length > 0) run.push(`- Values files: ${files.map((f) => codeSpan(f)).join(', ')}`)
  if (sets.length > 0) run.push(`- \`--set\`: ${sets.map((v) => codeSpan(String(v))).join(', ')}`)
  if (report.startedAt) run.push(`- Started ${escapeMarkdown(report.startedAt)}, took ${formatDuration(report.durationMs)}`)
  if (runUrl) run.push(`- Run: ${safeUrl(runUrl)}`)
  if (run.length > 0) blocks.push({ summary: 'Run', markdown: run.join('\n') })
  return blocks
}

/** A bare http(s) URL (GFM autolinks it) or, if it is anything else, a code span. */
function safeUrl(url: string): string {
  return /^https?:\/\/[^\s<>()[\]`|]+$/.test(url) ? url : codeSpan(url)
}

function truncationNote(runUrl: string | undefined, extra: string): string {
  const where = runUrl ? `the job summary/run: ${safeUrl(runUrl)}` : 'the job summary and the JSON report'
  return `_… truncated${extra}; full report in ${where}_`
}

// ---------------------------------------------------------------------------
// renderMarkdown
// ---------------------------------------------------------------------------

/**
 * Markdown for a PR comment or the job summary, shortest first: status line,
 * mode, steps table, findings of failed/warning steps, publish ref, then
 * collapsed details. Never longer than `opts.limit`: details are shortened or
 * dropped from the end first, then finding lists (their counts are kept);
 * the status line and the steps table always stay.
 */
export function renderMarkdown(report: ActionReport, opts: RenderOptions): string {
  const r = redactDeep(report)
  const limit = Math.max(0, Math.floor(opts.limit))
  const runUrl = opts.runUrl ?? r.runUrl

  const head: string[] = []
  if (opts.marker) head.push(resolveMarker(opts.marker))
  head.push(statusLine(r), '', modeLine(r))
  // Rendered diff against the base (src/diff/report.ts), before the step table; at most half the limit.
  const changes = renderDiffSection(r.diff, Math.floor(limit / 2))
  if (changes) head.push('', changes)
  head.push('', stepsTable(Array.isArray(r.steps) ? r.steps : []))
  const headText = head.join('\n')

  const groups = findingGroups(Array.isArray(r.steps) ? r.steps : [])
  const publish = publishSection(r)
  const blocks = detailsBlocks(r, runUrl).map((b) => ({ block: b, text: renderDetails(b) }))

  const sep = '\n\n'
  const findingsText = (gs: { header: string; items: string[]; omitted: number }[]): string =>
    gs
      .map((g) => {
        const lines = [g.header, ...g.items]
        if (g.omitted > 0) lines.push(`- _… ${g.omitted} more finding${g.omitted === 1 ? '' : 's'} not shown_`)
        return lines.join('\n')
      })
      .join(sep)
  const assemble = (findings: string, details: string[], note?: string): string =>
    [headText, findings, publish ?? '', ...details, note ?? ''].filter((p) => p !== '').join(sep) + '\n'

  const fullFindings = findingsText(groups.map((g) => ({ ...g, omitted: 0 })))
  const full = assemble(
    fullFindings,
    blocks.map((b) => b.text)
  )
  if (full.length <= limit) return finalize(full, limit)

  // 1. Keep all findings; fit details blocks from the start, shortening the one
  //    that overflows and dropping the rest.
  const noteFor = (dropped: number, shortened: boolean, findingsOmitted: number): string => {
    const bits: string[] = []
    if (shortened) bits.push('details shortened')
    if (dropped > 0) bits.push(`${dropped} details block${dropped === 1 ? '' : 's'} omitted`)
    if (findingsOmitted > 0) bits.push(`${findingsOmitted} finding${findingsOmitted === 1 ? '' : 's'} not shown`)
    return truncationNote(runUrl, bits.length > 0 ? ` (${bits.join(', ')})` : '')
  }
  const worstNote = noteFor(blocks.length, true, 9_999_999)
  const baseLen = assemble(fullFindings, [], worstNote).length
  if (baseLen <= limit) {
    let room = limit - baseLen
    const kept: string[] = []
    let shortened = false
    let i = 0
    for (; i < blocks.length; i++) {
      const need = blocks[i]!.text.length + sep.length
      if (need <= room) {
        kept.push(blocks[i]!.text)
        room -= need
        continue
      }
      const short = shortenDetails(blocks[i]!.block, room - sep.length)
      if (short) {
        kept.push(short)
        room -= short.length + sep.length
        shortened = true
        i++
      }
      break
    }
    const dropped = blocks.length - kept.length
    return finalize(assemble(fullFindings, kept, noteFor(dropped, shortened, 0)), limit)
  }

  // 2. No details at all; cut finding lists, keeping every group header and its count.
  const totalFindings = groups.reduce((n, g) => n + g.items.length, 0)
  let room = limit - assemble('', [], worstNote).length
  const cut: { header: string; items: string[]; omitted: number }[] = []
  // Reserve headers and "more not shown" lines first so every group keeps its count.
  const reserve = groups.map((g) => g.header.length + 60 + sep.length)
  room -= reserve.reduce((a, b) => a + b, 0)
  let shown = 0
  for (const g of groups) {
    const items: string[] = []
    for (const item of g.items) {
      if (room - (item.length + 1) < 0) break
      items.push(item)
      room -= item.length + 1
    }
    shown += items.length
    cut.push({ header: g.header, items, omitted: g.items.length - items.length })
  }
  if (room < 0) {
    // Too many groups even for their headers: keep one summary line.
    const text = `#### Findings\n- _${totalFindings} finding${totalFindings === 1 ? '' : 's'} not shown_`
    return finalize(assemble(text, [], noteFor(blocks.length, false, totalFindings)), limit)
  }
  return finalize(assemble(findingsText(cut), [], noteFor(blocks.length, false, totalFindings - shown)), limit)
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

/** GitHub shows at most 10 annotations of a kind per step (50 per job); the rest is noise. */
const MAX_ANNOTATIONS = 50

/**
 * One annotation per finding: findings with a `file` carry `{file, startLine, title}`,
 * the others become plain error/warning/notice lines. Returns how many were written.
 */
export function annotate(report: ActionReport, workspace: string): number {
  let written = 0
  let omitted = 0
  for (const step of report.steps ?? []) {
    for (const f of step.findings ?? []) {
      if (written >= MAX_ANNOTATIONS) {
        omitted++
        continue
      }
      const message = redact(f.fix ? `${f.message}\nFix: ${f.fix}` : f.message)
      const title = redact(f.rule ? `${step.title}: ${f.rule}` : step.title)
      const emit = f.severity === 'error' ? core.error : f.severity === 'warning' ? core.warning : core.notice
      if (f.file) {
        const file = redact(relativeFile(workspace, f.file))
        const props: core.AnnotationProperties = { title, file }
        if (typeof f.line === 'number' && f.line > 0) props.startLine = Math.floor(f.line)
        emit(message, props)
      } else {
        emit(`${title}: ${message}`)
      }
      written++
    }
  }
  if (omitted > 0) core.info(`${omitted} more finding${omitted === 1 ? '' : 's'} not annotated; see the job summary and the JSON report`)
  return written
}

function relativeFile(workspace: string, file: string): string {
  if (!path.isAbsolute(file)) return file.split(path.sep).join('/')
  const rel = path.relative(workspace, file)
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/')
}

// ---------------------------------------------------------------------------
// JSON report, job summary
// ---------------------------------------------------------------------------

/** `bp-temporal-report-<chart>.json`, with the chart name reduced to safe file-name characters. */
export function jsonReportName(chartName: string): string {
  const safe = chartName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'chart'
  return `bp-temporal-report-${safe}.json`
}

/**
 * Writes the report as pretty JSON (schema: ActionReport, `schemaVersion: 1`),
 * deep-redacted, into `dir` (default RUNNER_TEMP or the OS temp dir). Returns its path.
 */
export async function writeJsonReport(report: ActionReport, dir: string = process.env.RUNNER_TEMP || os.tmpdir()): Promise<string> {
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
}

/** Appends the markdown report to the job summary; without GITHUB_STEP_SUMMARY it is a no-op (debug line). */
export async function writeJobSummary(report: ActionReport, opts: SummaryOptions = {}): Promise<boolean> {
  let limit = Math.min(opts.limit ?? SUMMARY_LIMIT, SUMMARY_LIMIT)
  let md = renderMarkdown(report, { limit, runUrl: opts.runUrl })
  // The cap is in bytes; non-ASCII text takes more than one byte a character.
  while (Buffer.byteLength(md, 'utf8') > SUMMARY_MAX_BYTES && limit > 10_000) {
    limit = Math.floor(limit * 0.7)
    md = renderMarkdown(report, { limit, runUrl: opts.runUrl })
  }
  try {
    await core.summary.addRaw(md, true).write()
    return true
  } catch (err) {
    core.summary.emptyBuffer()
    core.debug(`job summary not written: ${redact(err instanceof Error ? err.message : String(err))}`)
    return false
  }
}

/** Plain lines for the job log: the verdict, then one line a step (findings are annotations already). */
export function renderLogLines(report: ActionReport): string[] {
  const lines = [redact(`${report.status === 'passed' ? '✅' : '❌'} ${report.chart.name} ${report.chart.version}: ${report.status} (${report.mode}: ${report.modeReason})`)]
  if (report.upstream) lines.push(redact(`   upstream ${describeUpstream(report.upstream)}`))
  for (const step of report.steps) {
    lines.push(redact(`   ${stepIcon(step.status)} ${step.title.padEnd(24)} ${step.summary} (${formatDuration(step.durationMs)})`))
  }
  if (report.publish?.digest) lines.push(redact(`   ${report.publish.pushed ? 'pushed' : 'published'} ${report.publish.ref}@${report.publish.digest}`))
  return lines
}
