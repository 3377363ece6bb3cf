// The "What changes" section of the PR comment and job summary: counts, the
// changed resources, the images that change, the upstream version change,
// then each changed resource's diff folded, within a size budget.
import { codeBlock, codeSpan, escapeCell, escapeHtml, escapeMarkdown, shortDigestRef } from './markdown.js'
import type { ImageChange, RenderDiff, ResourceChange } from '../diff/types.js'

/** Rows of the resource table before the rest is only counted. */
const MAX_ROWS = 60
/** Rows of a table shown open; a longer one is folded, like the report's other tables. */
const OPEN_ROWS = 10
/** The files the section points at are on the runner: how a reader gets them. */
const DIFF_FILE = 'the diff file (output `diff`)'
const KEEP_IT =
  '_The diff file stays on the runner: keep it with `actions/upload-artifact` (`path: ${{ steps.<id>.outputs.diff }}`)._'
/** Lines of one resource's diff in the comment; the diff file has all. */
const MAX_DIFF_LINES = 200

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

const kindLabel = (r: ResourceChange): string => (r.group ? `${r.kind} (${r.group})` : r.kind)
const nameLabel = (r: ResourceChange): string => (r.namespace ? `${r.namespace}/${r.name}` : r.name)

function what(r: ResourceChange): string {
  const parts = [
    r.tooLarge
      ? `too large to diff line by line (${r.tooLarge.before} lines before, ${r.tooLarge.after} after)`
      : `+${r.lines.added} −${r.lines.removed}`
  ]
  const keys = r.secretKeys
  if (keys) {
    const bits = [
      keys.added.length ? `added ${keys.added.join(', ')}` : '',
      keys.removed.length ? `removed ${keys.removed.join(', ')}` : '',
      keys.changed.length ? `changed ${keys.changed.join(', ')}` : ''
    ].filter(Boolean)
    if (bits.length) parts.push(`keys ${bits.join('; ')} (values hidden)`)
  }
  return parts.join('; ')
}

function imageCell(refs: string[]): string {
  return refs.length ? refs.map((ref) => codeSpan(shortDigestRef(ref), true)).join('<br>') : '—'
}

/** How the new references are pinned: by digest, partly, by tag only, or not at all (the runtime pulls latest). */
function pinLabel(pin: ImageChange['pin']): string {
  const count = (status: ImageChange['pin'][number]): number => pin.filter((p) => p === status).length
  if (pin.length === 0) return '—'
  if (count('digest') === pin.length) return 'digest'
  if (count('digest') > 0) return 'partly'
  if (count('untagged') === pin.length) return 'untagged (latest)'
  return count('untagged') > 0 ? 'tag only, some untagged' : 'tag only'
}

function imagesTable(images: ImageChange[]): string {
  const rows = images.map(
    (i) => `| ${codeSpan(i.repository, true)} | ${imageCell(i.before)} | ${imageCell(i.after)} | ${pinLabel(i.pin)} |`
  )
  return ['| image | before | after | pinned |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

/** A table under its title: open up to OPEN_ROWS rows, folded beyond (the title then says how many). */
function titledTable(title: string, rows: number, table: string): string[] {
  if (rows <= OPEN_ROWS) return [`**${title}**`, '', table]
  return [`<details><summary>${escapeHtml(`${title}: ${rows}`)}</summary>`, '', table, '', '</details>']
}

function foldedDiff(r: ResourceChange): string {
  if (r.tooLarge) {
    const note = `${r.change}: ${kindLabel(r)} ${nameLabel(r)} is ${what(r)} in the run's time; the diff file (output `
    return `_${escapeMarkdown(note)}${codeSpan('diff')}${escapeMarkdown(') has both sides whole.')}_`
  }
  const lines = r.diff.replace(/\n$/, '').split('\n')
  const more = lines.length - MAX_DIFF_LINES
  const shown =
    more > 0 ? [...lines.slice(0, MAX_DIFF_LINES), `# … ${more} more lines in the diff file (output diff)`] : lines
  const summary = escapeHtml(`${r.change}: ${kindLabel(r)} ${nameLabel(r)} (${what(r)})`)
  return `<details><summary>${summary}</summary>\n\n${codeBlock(shown.join('\n'), 'diff')}\n\n</details>`
}

/**
 * Markdown of the section, at most `budget` characters (diffs that do not fit
 * are left to the diff file); undefined when there is no diff to show.
 */
export function renderDiffSection(diff: RenderDiff | undefined, budget: number): string | undefined {
  if (!diff) return undefined
  const against = diff.base.sha ? `the ${diff.base.label} ${codeSpan(diff.base.sha.slice(0, 7))}` : 'the base'
  if (diff.status !== 'compared' || !diff.comparison) {
    const why = escapeMarkdown(diff.message ?? 'no base render')
    return clipTo(`**What changes:** not compared with ${against}: ${why}`, budget)
  }
  const c = diff.comparison
  const noise =
    c.noise.resources > 0 ? `; ${plural(c.noise.resources, 'resource')} differ only in version labels or checksums` : ''
  const upstream =
    diff.upstream && diff.upstream.before !== diff.upstream.after
      ? `Upstream ${codeSpan(diff.upstream.name)}: ` +
        `${codeSpan(diff.upstream.before ?? 'none')} → ${codeSpan(diff.upstream.after ?? 'none')}`
      : undefined
  if (c.resources.length === 0) {
    const compared = `${plural(c.counts.unchanged, 'resource')} compared${noise}`
    return clipTo(`**What changes:** no rendered change against ${against} (${compared}).`, budget)
  }
  const head: string[] = ['#### What changes', '']
  const n = c.counts
  const counts = [`**${n.added} added**`, `**${n.removed} removed**`, `**${n.changed} changed**`]
  counts.push(`${n.unchanged} unchanged`)
  head.push(`Against ${against}: ${counts.join(', ')}${noise}.`)
  if (diff.message) head.push('', `_${escapeMarkdown(diff.message)}_`)
  if (upstream) head.push('', upstream)
  const row = (r: ResourceChange): string =>
    `| ${r.change} | ${escapeCell(kindLabel(r))} | ${codeSpan(nameLabel(r), true)} | ${escapeCell(what(r), 300)} |`
  const rows = c.resources.slice(0, MAX_ROWS).map(row)
  const table = ['| change | kind | name | what |', '| --- | --- | --- | --- |', ...rows]
  if (c.resources.length > MAX_ROWS)
    table.push('', `_… ${c.resources.length - MAX_ROWS} more resources in ${DIFF_FILE}_`)
  head.push('', ...titledTable('Resources that change', c.resources.length, table.join('\n')))
  if (c.images.length > 0) head.push('', ...titledTable('Images that change', c.images.length, imagesTable(c.images)))
  let text = head.join('\n')
  const note = (count: number): string => `_… ${plural(count, 'more diff')} in ${DIFF_FILE} and the JSON report_`
  const reserve = note(9999).length + KEEP_IT.length + 4
  const diffs = c.resources.filter((r) => r.change === 'changed')
  let shown = 0
  for (const r of diffs) {
    const block = foldedDiff(r)
    if (text.length + 2 + block.length + reserve > budget) break
    text += `\n\n${block}`
    shown++
  }
  if (shown < diffs.length) text += `\n\n${note(diffs.length - shown)}`
  // Whatever the comment leaves to the diff file, the reader learns how to get it.
  if (shown < diffs.length || c.resources.length > MAX_ROWS || diffs.some((r) => lineCount(r) > MAX_DIFF_LINES))
    text += `\n\n${KEEP_IT}`
  return clipTo(text, budget)
}

const lineCount = (r: ResourceChange): number => r.diff.replace(/\n$/, '').split('\n').length

function clipTo(text: string, budget: number): string | undefined {
  if (text.length <= budget) return text
  const short = `**What changes:** too long for this space: see ${DIFF_FILE}. ${KEEP_IT}`
  return short.length <= budget ? short : undefined
}
