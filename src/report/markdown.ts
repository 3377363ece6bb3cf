// Markdown building blocks shared by every text report/ writes: escaping for
// inline text, table cells, raw HTML and code, so that no value can break the
// layout, open a tag, end a code block, mention anyone or become a link.
//
// This module is the one place where text enters markdown: every function here
// starts from normalizeLineEnds (CommonMark also ends a line at a lone CR, so a
// `\r` quoted from a chart would otherwise end a line the report did not plan)
// and the inline ones end with unlink (what GitHub links by itself after
// rendering). Other modules build markdown only from these.

/** Longest text of one steps-table cell; the table must always fit. */
export const CELL_MAX = 300

/** Every line end CommonMark knows (`\r\n`, a lone `\r`, `\n`) as `\n`. */
function normalizeLineEnds(text: string): string {
  return text.replace(/\r\n?/g, '\n')
}

/**
 * What GitHub turns into a link or a ping by itself, in markdown text and in raw
 * HTML alike, kept plain by a zero-width space: `@name` mentions (and the `@` of
 * an e-mail address, which GFM's autolink extension links), `#123` and `GH-123`
 * issue references. `nginx@sha256:…` is left alone (no mention, no address).
 */
function unlink(text: string): string {
  return text
    .replace(/(^|[^\w])@(?=\w)|@(?=[\w+-]+(?:\.[\w+-]+)*\.[A-Za-z0-9])/g, (m: string, before?: string) =>
      before !== undefined ? `${before}@\u200b` : '@\u200b'
    )
    .replace(/(^|[^\w])#(?=\d)/g, '$1#\u200b')
    .replace(/\b(GH)-(?=\d)/gi, '$1\u200b-')
}

/**
 * Escapes text for inline markdown: every markdown-significant ASCII punctuation
 * gets a backslash (so does the `:` of `https:`, `ftp:`, `mailto:`, `xmpp:` and
 * the dot of `www.`, so that GFM's autolink extension finds no URL), HTML-significant characters can never open a tag,
 * and mentions, issue references and e-mail addresses stay plain text.
 */
export function escapeMarkdown(text: string): string {
  return unlink(
    normalizeLineEnds(text)
      .replace(/[\\`*_{}[\]()<>#+!|~&$]/g, (c) => `\\${c}`)
      .replace(/\b(www)\./gi, '$1\\.')
      .replace(/\b(https?|ftp|mailto|xmpp):/gi, '$1\\:')
      .replace(/^(\s*)([-=])/gm, '$1\\$2')
      .replace(/^(\s*\d+)([.)])/gm, '$1\\$2')
  )
}

/** One table cell: escaped, single-line, `|` escaped (also inside code spans), bounded. */
export function escapeCell(text: string, max = CELL_MAX): string {
  return escapeMarkdown(clip(oneLine(text), max))
}

/** A code span that survives any content, including backticks, pipes and newlines. */
export function codeSpan(text: string, inTable = false): string {
  let body = oneLine(text)
  if (body === '') return '` `'
  const fence = '`'.repeat(longestRun(body, '`') + 1)
  if (body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' '))) body = ` ${body} `
  // GFM splits table rows on `|` before inline parsing, even inside code spans.
  if (inTable) body = body.replace(/\|/g, '\\|')
  return `${fence}${body}${fence}`
}

/**
 * A fenced code block that content cannot close early: line ends normalised
 * (a lone CR would end a line CommonMark sees and the fence does not), and a
 * fence longer than any backtick run inside.
 */
export function codeBlock(text: string, info = ''): string {
  const normalized = normalizeLineEnds(text)
  const fence = '`'.repeat(Math.max(3, longestRun(normalized, '`') + 1))
  const body = normalized.endsWith('\n') ? normalized : `${normalized}\n`
  return `${fence}${info.replace(/[^\w+-]/g, '')}\n${body}${fence}`
}

/** Text inside raw HTML (`<summary>`): markdown does not apply, HTML entities do. */
export function escapeHtml(text: string): string {
  return unlink(
    oneLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  )
}

export function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ').replace(/\t/g, ' ')
}

export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  return `${text.slice(0, Math.max(0, max - 1))}…`
}

/** Length of the longest run of `char` in `text`. */
function longestRun(text: string, char: string): number {
  let longest = 0
  let run = 0
  for (let i = 0; i < text.length; i++) {
    run = text[i] === char ? run + 1 : 0
    if (run > longest) longest = run
  }
  return longest
}

/** `repo:tag@sha256:0123456789ab…`: the digest cut to 12 hex digits in tables (the JSON report has it whole). */
export function shortDigestRef(image: string): string {
  return image.replace(/@(sha256|sha512):([0-9a-f]{12})[0-9a-f]{8,}/gi, '@$1:$2…')
}
