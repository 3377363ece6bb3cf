#!/usr/bin/env node
// `npm run preview`: the PR comment and job summary of each report scenario
// (testkit/report-scenarios.mjs: passing PR, failing PR,
// 200 unpinned images, release), run with the bundled action against loopback servers,
// rendered with GitHub's engine (cmark-gfm), styled with github-markdown-css,
// and screenshot by headless Chromium at 1000 px into preview/ (gitignored):
// <scenario>-<comment|summary>.png (the first screen, folded as GitHub shows it)
// and …-open.png (every <details> open, whole page), plus the .md and .html.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { DIST_ENTRY } from '../testkit/action-runner.mjs'
import { ensureCmarkGfmInstalled, renderGfm } from '../testkit/gfm.mjs'
import { helmBinaries } from '../testkit/helm-binaries.mjs'
import { ensureRegistryInstalled, whichSync } from '../testkit/registry.mjs'
import {
  failingEdits,
  manyImagesEdit,
  runScenario,
  scenarioWorkspace,
  startScenarioServers
} from '../testkit/report-scenarios.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const out = path.join(root, 'preview')
const WIDTH = 1000

if (!existsSync(DIST_ENTRY)) {
  console.error('dist/index.js is missing: run `npm run build` first')
  process.exit(1)
}
const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((name) => whichSync(name))
if (!chromium) {
  console.error('no Chromium on PATH: apt-get install -y chromium')
  process.exit(1)
}
if (!existsSync('/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf')) {
  // GitHub shows ✅ ❌ ⚠️ as color emoji; without an emoji font Chromium draws empty boxes.
  console.warn('no emoji font: the screenshots show boxes for ✅ ❌ ⚠️ (apt-get install -y fonts-noto-color-emoji)')
}
ensureRegistryInstalled()
ensureCmarkGfmInstalled()
const css = await readFile(path.join(root, 'node_modules', 'github-markdown-css', 'github-markdown-light.css'), 'utf8')

function page(title, body) {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><style>${css}
body { margin: 0; background: #fff; }
.markdown-body { box-sizing: border-box; width: ${WIDTH}px; padding: 24px 32px; }
</style></head><body><article class="markdown-body">${body}</article></body></html>`
}

function screenshot(htmlFile, pngFile, height) {
  execFileSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      `--window-size=${WIDTH},${height}`,
      `--screenshot=${pngFile}`,
      `file://${htmlFile}`
    ],
    { stdio: 'ignore', timeout: 60_000 }
  )
}

async function shoot(name, markdown) {
  const html = renderGfm(markdown)
  await writeFile(path.join(out, `${name}.md`), markdown)
  const folded = path.join(out, `${name}.html`)
  await writeFile(folded, page(name, html))
  screenshot(folded, path.join(out, `${name}.png`), 1000)
  const openHtml = html.replace(/<details>/g, '<details open>')
  const opened = path.join(out, `${name}-open.html`)
  await writeFile(opened, page(name, openHtml))
  // Rough height of the whole page: lines of rendered HTML, capped.
  const height = Math.min(16_000, 600 + openHtml.split('\n').length * 26)
  screenshot(opened, path.join(out, `${name}-open.png`), height)
  console.log(`${name}: ${markdown.length} characters → ${name}.png, ${name}-open.png`)
}

await rm(out, { recursive: true, force: true })
await mkdir(out, { recursive: true })
const helm = (await helmBinaries()).v4
const servers = await startScenarioServers({ helm })
// The release last: it publishes 1.0.0, and a pull request after it that changes the chart without a bump would
// show the publish preview's failure on top of what its scenario is about.
const scenarios = [
  { name: 'passing-pr', pr: 1 },
  { name: 'failing-pr', pr: 2, edit: failingEdits },
  { name: 'many-images-pr', pr: 3, edit: manyImagesEdit(200) },
  { name: 'release', tag: 'platform/temporal/v1.0.0' }
]
try {
  for (const s of scenarios) {
    const ws = await scenarioWorkspace(servers, s.edit)
    try {
      const { run, comment } = await runScenario(servers, {
        helm,
        helmVersion: 'v4.1.4',
        workspace: ws.dir,
        pr: s.pr,
        tag: s.tag
      })
      if (comment) await shoot(`${s.name}-comment`, comment)
      await shoot(`${s.name}-summary`, run.summary)
      const levels = {}
      for (const a of run.annotations) levels[a.level] = (levels[a.level] ?? 0) + 1
      console.log(`  exit ${run.exitCode}; annotations ${JSON.stringify(levels)}`)
    } finally {
      await ws.remove()
    }
  }
} finally {
  await servers.close()
}
console.log(`screenshots in ${path.relative(process.cwd(), out) || '.'}/`)
