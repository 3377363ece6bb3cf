// Start-up probe for bench/bench.mjs: `BENCH_LOAD_ENTRY=dist/index.js node bench/load-probe.mjs` prints, as JSON,
// when its first line ran and when `import(dist/index.js)` returned, both in ms of
// CLOCK_MONOTONIC (process.hrtime, comparable with the bench's spawn time). The
// bench runs it with an input the action rejects (helm-version: not-a-version), so
// run() fails at input parsing: the import's time is loading, compiling and
// evaluating the bundle (plus run()'s synchronous start, up to its first await).
// dist/index.js is small and loads the pipeline (dist/chunks/action.js) from run(): the
// probe waits for that chunk too (the same module instance), so the time is the whole load.
import { existsSync } from 'node:fs'
import { pathToFileURL } from 'node:url'

const firstLine = Number(process.hrtime.bigint()) / 1e6
// BENCH_LOAD_ENTRY: the bundle to load (dist/index.js).
const entry = pathToFileURL(process.env.BENCH_LOAD_ENTRY ?? '')
await import(entry.href)
const pipeline = new URL('chunks/action.js', entry)
if (existsSync(pipeline)) await import(pipeline.href)
const imported = Number(process.hrtime.bigint()) / 1e6
process.stderr.write(`\nBENCH_LOAD_PROBE ${JSON.stringify({ firstLine, imported })}\n`)
