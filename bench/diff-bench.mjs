#!/usr/bin/env node
// `npm run bench:diff` — what the rendered diff against the PR base costs.
//
//   node bench/diff-bench.mjs [--helm 3|4] [--rounds 5]
//
// The example blueprint in a git repository (base commit + head commit), run
// as a pull request by the bundled action (dist/index.js through testkit's
// runAction) with `diff: false` and `diff: true`, alternating (AB, BA, …),
// for two pull requests:
//   values  a values.yaml change (same dependency pins: the base reuses the
//           head's dependency archives, one extra helm template);
//   bump    the upstream bumped 1.2.0 → 1.3.0 (the base builds its own
//           dependencies beside the gates).
// Prints the median wall time of each and the ratio (target: ≤ 1.20).
import { execFile } from 'node:child_process'
import { cpSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs, promisify } from 'node:util'
import { runAction } from '../testkit/action-runner.mjs'
import { startChartRepo } from '../testkit/chart-repo.mjs'
import { helmBinaries } from '../testkit/helm-binaries.mjs'

const execFileAsync = promisify(execFile)
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const EXAMPLE = path.join(ROOT, 'examples', 'platform', 'temporal')
const UPSTREAM = 'https://go.temporal.io/helm-charts'
const HELM_VERSIONS = { 3: 'v3.17.2', 4: 'v4.1.4' }

const { values: opts } = parseArgs({
  options: { helm: { type: 'string', default: '3' }, rounds: { type: 'string', default: '5' } }
})
const rounds = Math.max(1, Number(opts.rounds))

const median = (list) => {
  const s = [...list].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

async function git(cwd, ...args) {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: 'b',
    GIT_AUTHOR_EMAIL: 'b@example.invalid',
    GIT_COMMITTER_NAME: 'b',
    GIT_COMMITTER_EMAIL: 'b@example.invalid'
  }
  return (await execFileAsync('git', args, { cwd, env })).stdout.trim()
}

async function workspace(change) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-diff-bench-'))
  cpSync(EXAMPLE, path.join(dir, 'platform', 'temporal'), {
    recursive: true,
    filter: (f) => !/\/chart\/(charts|Chart\.lock)(\/|$)/.test(f)
  })
  await git(dir, 'init', '-q', '-b', 'main')
  await git(dir, 'add', '-A')
  await git(dir, 'commit', '-q', '-m', 'base')
  const base = await git(dir, 'rev-parse', 'HEAD')
  await change(path.join(dir, 'platform', 'temporal', 'chart'))
  await git(dir, 'commit', '-q', '-am', 'head')
  return { dir, base, head: await git(dir, 'rev-parse', 'HEAD') }
}

async function edit(file, from, to) {
  const text = await readFile(file, 'utf8')
  if (!from.test(text)) throw new Error(`${file}: ${from} not found`)
  await writeFile(file, text.replace(from, to))
}

const helm = (await helmBinaries())[`v${opts.helm}`]
if (!helm) throw new Error(`--helm ${opts.helm}: 3 or 4`)
const repo = await startChartRepo({ helm })
const scenarios = {
  values: await workspace((chart) => edit(path.join(chart, 'values.yaml'), /replicaCount: 2/, 'replicaCount: 3')),
  bump: await workspace(async (chart) => {
    await edit(path.join(chart, 'Chart.yaml'), /version: 1\.2\.0\n(\s+repository)/, 'version: 1.3.0\n$1')
    await edit(path.join(chart, 'values.yaml'), /(upstream:\n\s+chart: temporal\n\s+version:) 1\.2\.0/, '$1 1.3.0')
  })
}

async function run(ws, diff) {
  const result = await runAction({
    workspace: ws.dir,
    eventName: 'pull_request',
    ref: 'refs/pull/1/merge',
    payload: { number: 1, pull_request: { number: 1, base: { sha: ws.base }, head: { sha: ws.head } } },
    inputs: {
      blueprint: 'platform/temporal',
      'helm-version': HELM_VERSIONS[opts.helm] ?? opts.helm,
      'repository-mirrors': `${UPSTREAM}=${repo.url}`,
      'github-token': '',
      'comment-mode': 'off',
      diff: String(diff)
    },
    env: { PATH: `${path.dirname(helm)}${path.delimiter}${process.env.PATH ?? ''}`, SOURCE_DATE_EPOCH: '1700000000' }
  })
  if (result.exitCode !== 0) throw new Error(`run failed (diff ${diff}): ${result.stdout.slice(-2000)}`)
  if (diff && result.report?.diff?.status !== 'compared')
    throw new Error(`diff not compared: ${JSON.stringify(result.report?.diff)}`)
  return result.durationMs
}

const lines = [
  `helm ${HELM_VERSIONS[opts.helm] ?? opts.helm}, ${rounds} rounds, ${os.availableParallelism?.() ?? os.cpus().length} cores`,
  ''
]
lines.push('| pull request | diff: false (median ms) | diff: true (median ms) | ratio |', '| --- | --- | --- | --- |')
try {
  for (const [name, ws] of Object.entries(scenarios)) {
    await run(ws, true) // warm-up
    const off = []
    const on = []
    for (let i = 0; i < rounds; i++) {
      const order = i % 2 === 0 ? [false, true] : [true, false]
      for (const diff of order) (diff ? on : off).push(await run(ws, diff))
    }
    lines.push(
      `| ${name} | ${Math.round(median(off))} | ${Math.round(median(on))} | ${(median(on) / median(off)).toFixed(2)} |`
    )
    console.error(`${name}: off ${off.map(Math.round).join(', ')}; on ${on.map(Math.round).join(', ')}`)
  }
} finally {
  await repo.close()
  await Promise.all(Object.values(scenarios).map((ws) => rm(ws.dir, { recursive: true, force: true })))
}
console.log(lines.join('\n'))
