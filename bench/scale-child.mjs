// One cold measurement of the scale case, in a fresh process (bench/bench.mjs
// runs it several times):
//   node bench/scale-child.mjs <bench bundle> <render.yaml> [policy]
// Times what the action spends on a `helm template` output: parseRenderDetailed
// (split + parse every document), extractImages, checkImages, and the whole
// images gate (imagesStep, which extracts and checks again, then builds
// findings). Also counts the documents the fast reader gives up on (read by
// YAML.parse instead). Prints one JSON line; maxRssKb is this process's peak RSS right
// after that cold pass (before an extra warm pass, timed for information only).
import { readFileSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const [bundle, renderFile, policy = 'sha'] = process.argv.slice(2)
if (!bundle || !renderFile) {
  console.error('usage: node bench/scale-child.mjs <bundle> <render.yaml> [policy]')
  process.exit(2)
}
const mb = (bytes) => Math.round(bytes / 1024 / 1024)
const rssStartMb = mb(process.memoryUsage().rss)
const mod = await import(pathToFileURL(bundle).href)
const rssLoadedMb = mb(process.memoryUsage().rss)

let t = performance.now()
// The action gets helm's stdout as Buffers and turns them into one string.
const text = readFileSync(renderFile).toString('utf8')
const readMs = performance.now() - t

/** @param {string} output */
function pass(output) {
  const t0 = performance.now()
  const parsed = mod.parseRenderDetailed(output)
  const t1 = performance.now()
  const uses = mod.extractImages(parsed.documents)
  const t2 = performance.now()
  const verdicts = mod.checkImages(uses, policy, [])
  const t3 = performance.now()
  const images = mod.imagesStep({
    documents: parsed.documents,
    policy,
    allowlist: [],
    values: { displayPath: 'scale/chart/values.yaml', data: {}, lineOf: () => undefined },
    chartName: 'bp-scale',
    displayChartDir: 'scale/chart',
    durationMs: 0
  })
  const t4 = performance.now()
  return {
    parsed,
    uses,
    verdicts,
    images,
    parseMs: t1 - t0,
    extractMs: t2 - t1,
    checkMs: t3 - t2,
    imagesStepMs: t4 - t3
  }
}

const cold = pass(text)
const maxRssKb = process.resourceUsage().maxRSS
const heapUsedMb = mb(process.memoryUsage().heapUsed)
const warm = pass(text)

// How many documents the fast reader gives up on (they go through YAML.parse): after the timing.
let slowDocuments
if (typeof mod.fastParseYaml === 'function') {
  slowDocuments = 0
  for (const chunk of text.split(/^(?:---|\.\.\.)(?=[ \t\r\n]|$).*$/m)) {
    if (chunk.replace(/^\s*#.*$/gm, '').trim() === '') continue
    if (!mod.fastParseYaml(chunk.replace(/^\n/, ''))) slowDocuments++
  }
}

const round = (x) => Math.round(x * 10) / 10
process.stdout.write(
  JSON.stringify({
    bytes: Buffer.byteLength(text),
    documents: cold.parsed.documents.length,
    parseErrors: cold.parsed.errors.length,
    kinds: cold.parsed.documents.reduce((acc, d) => ((acc[d.kind ?? '?'] = (acc[d.kind ?? '?'] ?? 0) + 1), acc), {}),
    imageUses: cold.uses.length,
    distinctImages: new Set(cold.uses.map((u) => u.image)).size,
    failing: cold.verdicts.filter((v) => !v.ok).length,
    imagesStatus: cold.images.step.status,
    slowDocuments,
    readMs: round(readMs),
    parseMs: round(cold.parseMs),
    extractMs: round(cold.extractMs),
    checkMs: round(cold.checkMs),
    imagesStepMs: round(cold.imagesStepMs),
    warm: {
      parseMs: round(warm.parseMs),
      extractMs: round(warm.extractMs),
      checkMs: round(warm.checkMs),
      imagesStepMs: round(warm.imagesStepMs)
    },
    rssStartMb,
    rssLoadedMb,
    heapUsedMb,
    maxRssKb
  }) + '\n'
)
