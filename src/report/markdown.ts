// Markdown building blocks shared by every text report/ writes: escaping for
// inline text, table cells, raw HTML and code, so that no value can break the
// layout, open a tag, or mention anyone.

/** Longest text of one steps-table cell; the table must always fit. */
export const CELL_MAX = 300

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
export function escapeHtml(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/(^|[^\w])@(?=\w)/g, '$1@\u200b')
}

export function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ').replace(/\t/g, ' ')
}

export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  return `${text.slice(0, Math.max(0, max - 1))}…`
}
