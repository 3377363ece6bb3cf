// The "What changes" section of the PR comment and job summary: counts, the
// changed resources, the images that change, the upstream version change,
// then each changed resource's diff folded, within a size budget.
import { codeBlock, codeSpan, escapeCell, escapeHtml, escapeMarkdown } from './markdown.js'
import type { ImageChange, RenderDiff, ResourceChange } from '../diff/types.js'

/** Rows of the resource table before the rest is only counted. */
const MAX_ROWS = 60
/** Lines of one resource's diff in the comment; the diff file has all. */
const MAX_DIFF_LINES = 200

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

const kindLabel = (r: ResourceChange): string => (r.group ? `${r.kind} (${r.group})` : r.kind)
const nameLabel = (r: ResourceChange): string => (r.namespace ? `${r.namespace}/${r.name}` : r.name)

function what(r: ResourceChange): string {
  const parts = [`+${r.lines.added} −${r.lines.removed}`]
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
  return refs.length ? refs.map((ref) => codeSpan(ref, true)).join('<br>') : '—'
}

function imagesTable(images: ImageChange[]): string {
  const rows = images.map((i) => {
    const digests = i.pin.filter((p) => p === 'digest').length
    const pins = i.pin.length === 0 ? '—' : digests === i.pin.length ? 'digest' : digests > 0 ? 'partly' : 'tag only'
    return `| ${codeSpan(i.repository, true)} | ${imageCell(i.before)} | ${imageCell(i.after)} | ${pins} |`
  })
  return ['| image | before | after | pinned |', '| --- | --- | --- | --- |', ...rows].join('\n')
}

function foldedDiff(r: ResourceChange): string {
  const lines = r.diff.replace(/\n$/, '').split('\n')
  const more = lines.length - MAX_DIFF_LINES
  const shown = more > 0 ? [...lines.slice(0, MAX_DIFF_LINES), `# … ${more} more lines in the diff file`] : lines
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
  head.push('', '| change | kind | name | what |', '| --- | --- | --- | --- |', ...rows)
  if (c.resources.length > MAX_ROWS) {
    head.push('', `_… ${c.resources.length - MAX_ROWS} more resources in the diff file (output \`diff\`)_`)
  }
  if (c.images.length > 0) head.push('', '**Images that change**', '', imagesTable(c.images))
  let text = head.join('\n')
  const note = (count: number): string =>
    `_… ${plural(count, 'more diff')} in the diff file (output \`diff\`, and the JSON report)_`
  const reserve = note(9999).length + 2
  const diffs = c.resources.filter((r) => r.change === 'changed')
  let shown = 0
  for (const r of diffs) {
    const block = foldedDiff(r)
    if (text.length + 2 + block.length + reserve > budget) break
    text += `\n\n${block}`
    shown++
  }
  if (shown < diffs.length) text += `\n\n${note(diffs.length - shown)}`
  return clipTo(text, budget)
}

function clipTo(text: string, budget: number): string | undefined {
  if (text.length <= budget) return text
  const short = '**What changes:** too long for this space: see the diff file (output `diff`)'
  return short.length <= budget ? short : undefined
}
