// GitHub's own markdown engine for tests and `npm run preview`: Debian's
// cmark-gfm with the extensions github.com enables (table, autolink,
// strikethrough, tagfilter). Raw HTML is kept (`--unsafe`), as GitHub keeps
// <details>/<summary>, and tagfilter disarms the tags GitHub disarms.
// Plus assertions a reviewer's eye makes on the rendered HTML.
import { execFileSync, spawnSync } from 'node:child_process'
import { whichSync } from './registry.mjs'

export const CMARK_GFM = 'cmark-gfm'
const EXTENSIONS = ['table', 'autolink', 'strikethrough', 'tagfilter']

/** Installs Debian's cmark-gfm when it is missing (Jest global setup; CI is a fresh machine). */
export function ensureCmarkGfmInstalled() {
  if (whichSync(CMARK_GFM)) return CMARK_GFM
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0
  const prefix = isRoot ? [] : ['sudo', '-n', 'env', 'DEBIAN_FRONTEND=noninteractive']
  if (!whichSync('apt-get') || (!isRoot && !whichSync('sudo'))) {
    throw new Error(`${CMARK_GFM} not found and cannot be installed automatically: sudo apt-get install -y cmark-gfm`)
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  /** @param {string[]} args */
  const run = (args) => {
    const argv = [...prefix, 'apt-get', ...args]
    process.stderr.write(`[testkit] ${argv.join(' ')}\n`)
    execFileSync(argv[0], argv.slice(1), { stdio: ['ignore', 2, 2], env })
  }
  const install = ['install', '-y', '--no-install-recommends', CMARK_GFM]
  try {
    run(install)
  } catch {
    // Package lists may be missing or stale on a fresh machine.
    run(['update'])
    run(install)
  }
  if (!whichSync(CMARK_GFM)) throw new Error(`apt-get installed ${CMARK_GFM} but it is still not on PATH`)
  return CMARK_GFM
}

/**
 * Markdown → HTML as github.com renders a comment or job summary.
 * @param {string} markdown
 * @returns {string}
 */
export function renderGfm(markdown) {
  const args = EXTENSIONS.flatMap((e) => ['--extension', e])
  const out = spawnSync(CMARK_GFM, [...args, '--unsafe'], {
    input: markdown,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024
  })
  if (out.error) throw out.error
  if (out.status !== 0) throw new Error(`cmark-gfm exited ${out.status}: ${out.stderr}`)
  return out.stdout
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", apos: "'" }

/** @param {string} text */
function decode(text) {
  return text.replace(/&(amp|lt|gt|quot|#39|apos|#x[0-9a-f]+|#\d+);/gi, (m, name) => {
    if (name in ENTITIES) return ENTITIES[name]
    if (/^#x/i.test(name)) return String.fromCodePoint(parseInt(name.slice(2), 16))
    if (/^#\d/.test(name)) return String.fromCodePoint(parseInt(name.slice(1), 10))
    return m
  })
}

/**
 * The text a reader sees outside code (<code>, <pre>), with tags removed.
 * With `folded: false`, what is inside <details> (but not its <summary>) is left out too.
 * @param {string} html
 * @param {{ folded?: boolean }} [options]
 */
export function visibleText(html, { folded = true } = {}) {
  let text = html.replace(/<pre[\s\S]*?<\/pre>/g, ' ').replace(/<code>[\s\S]*?<\/code>/g, ' ')
  if (!folded)
    text = text.replace(/<details>\s*(<summary>[\s\S]*?<\/summary>)?[\s\S]*?<\/details>/g, (_, s) => ` ${s ?? ''} `)
  return decode(text.replace(/<[^>]+>/g, ' ')).replace(/[ \t]+/g, ' ')
}

/**
 * Problems a reader would see, as a list of strings (empty: none):
 * a backtick or a backslash escape outside code, markdown emphasis markers left over.
 * @param {string} html
 */
export function visibleMarkupProblems(html) {
  const text = visibleText(html)
  const problems = []
  for (const m of text.matchAll(/.{0,40}`.{0,40}/g)) problems.push(`backtick outside code: ${m[0].trim()}`)
  for (const m of text.matchAll(/.{0,40}\\[!-/:-@[-`{-~].{0,40}/g))
    problems.push(`backslash escape visible: ${m[0].trim()}`)
  return problems
}

/**
 * For each image, the most rows (<tr>) of any one table that mention it (in a
 * <code> cell or as text): 1 when every table lists an image once. A second
 * table about something else (e.g. the images a PR changes) may name it again.
 * @param {string} html
 * @param {string[]} images
 */
export function tableRowsPerImage(html, images) {
  const tables = [...html.matchAll(/<table>[\s\S]*?<\/table>/g)].map((table) =>
    [...table[0].matchAll(/<tr>[\s\S]*?<\/tr>/g)].map((m) => decode(m[0].replace(/<[^>]+>/g, ' ')))
  )
  /** @type {Record<string, number>} */
  const counts = {}
  for (const image of images) {
    counts[image] = Math.max(0, ...tables.map((rows) => rows.filter((row) => row.includes(image)).length))
  }
  return counts
}

/**
 * Lines of visible text before the first folded block; roughly what a reader
 * sees on the first screen (1000 px wide, ~40 lines).
 * @param {string} html
 */
export function firstScreenText(html, lines = 40) {
  const open = html.search(/<details>/)
  const before = open >= 0 ? html.slice(0, open) : html
  // Block ends become line breaks; code stays visible here (it is what a reader sees).
  const text = decode(before.replace(/<\/(p|li|h\d|pre|tr|table)>|<br\s*\/?>/g, '\n').replace(/<[^>]+>/g, ''))
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .slice(0, lines)
    .join('\n')
}
