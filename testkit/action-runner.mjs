// Runs the bundled action (node dist/index.js) the way a GitHub runner does:
// inputs as INPUT_* variables, GITHUB_OUTPUT / GITHUB_STEP_SUMMARY files, an
// event payload file. Used by the end-to-end tests, the local run and the bench.
import { spawn } from 'node:child_process'
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

export const DIST_ENTRY = fileURLToPath(new URL('../dist/index.js', import.meta.url))

/** Parses a GITHUB_OUTPUT file (`name<<delimiter` blocks and `name=value` lines). */
export function parseOutputFile(text) {
  /** @type {Record<string, string>} */
  const outputs = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line)
    if (heredoc) {
      const [, name, delimiter] = heredoc
      const value = []
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i])
      outputs[name] = value.join('\n')
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1)
    }
  }
  return outputs
}

/** `::error file=x,line=3,title=t::message` workflow commands from stdout. */
export function parseAnnotations(stdout) {
  /** @type {{ level: string, message: string, file?: string, line?: string, title?: string }[]} */
  const found = []
  for (const line of stdout.split('\n')) {
    const match = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line)
    if (!match) continue
    /** @type {Record<string, string>} */
    const props = {}
    for (const part of (match[2] ?? '').split(',')) {
      const eq = part.indexOf('=')
      if (eq > 0) props[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1).replace(/%(?![0-9A-F]{2})/g, '%25'))
    }
    found.push({ level: match[1], ...props, message: decodeURIComponent(match[3].replace(/%(?![0-9A-F]{2})/g, '%25')) })
  }
  return found
}

/**
 * A pull_request event payload: PR `number` of openova-io/openova, from branch feature (head) into main (base).
 * @param {number} number
 * @param {string} [base] the base commit
 * @param {string} [head] the head commit
 */
export function prPayload(number, base = 'a'.repeat(40), head = 'b'.repeat(40)) {
  return {
    number,
    pull_request: { number, base: { sha: base, ref: 'main' }, head: { sha: head, ref: 'feature' } },
    repository: { name: 'openova', owner: { login: 'openova-io' } }
  }
}

/**
 * @param {object} options
 * @param {Record<string,string>} options.inputs  action inputs by name (e.g. { blueprint: 'platform/temporal' })
 * @param {string} options.workspace               GITHUB_WORKSPACE
 * @param {Record<string,string>} [options.env]    extra environment
 * @param {string} [options.eventName]
 * @param {string} [options.ref]
 * @param {object} [options.payload]               the event payload
 * @param {string[]} [options.nodeArgs]
 * @param {string} [options.entry]
 * @param {number} [options.killAfterMs]            kill the action (SIGKILL) if it runs longer; `killed` says so
 */
export async function runAction({
  inputs,
  workspace,
  env = {},
  eventName = 'workflow_dispatch',
  ref = 'refs/heads/main',
  payload = {},
  nodeArgs = [],
  entry = DIST_ENTRY,
  killAfterMs
}) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-action-run-'))
  try {
    const files = {
      output: path.join(dir, 'output'),
      summary: path.join(dir, 'summary.md'),
      event: path.join(dir, 'event.json'),
      temp: path.join(dir, 'runner-temp'),
      toolCache: path.join(dir, 'tool-cache')
    }
    await Promise.all([
      writeFile(files.output, ''),
      writeFile(files.summary, ''),
      writeFile(files.event, JSON.stringify(payload)),
      mkdir(files.temp),
      mkdir(files.toolCache)
    ])
    const childEnv = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([key]) => !key.startsWith('INPUT_') && !key.startsWith('GITHUB_') && !key.startsWith('RUNNER_')
        )
      ),
      GITHUB_ACTIONS: 'true',
      GITHUB_WORKSPACE: workspace,
      GITHUB_OUTPUT: files.output,
      GITHUB_STEP_SUMMARY: files.summary,
      GITHUB_EVENT_PATH: files.event,
      GITHUB_EVENT_NAME: eventName,
      GITHUB_REF: ref,
      GITHUB_REPOSITORY: 'openova-io/openova',
      GITHUB_RUN_ID: '4242',
      GITHUB_SERVER_URL: 'https://github.com',
      RUNNER_TEMP: files.temp,
      RUNNER_TOOL_CACHE: files.toolCache,
      ...env
    }
    for (const [name, value] of Object.entries(inputs))
      childEnv[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value
    const start = performance.now()
    let killed = false
    const { exitCode, stdout, stderr } = await new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [...nodeArgs, entry], {
        env: childEnv,
        cwd: workspace,
        stdio: ['ignore', 'pipe', 'pipe']
      })
      const timer = killAfterMs
        ? setTimeout(() => {
            killed = true
            child.kill('SIGKILL')
          }, killAfterMs)
        : undefined
      child.on('exit', () => clearTimeout(timer))
      const out = []
      const err = []
      child.stdout.on('data', (chunk) => out.push(chunk))
      child.stderr.on('data', (chunk) => err.push(chunk))
      child.on('error', reject)
      child.on('close', (code) =>
        resolve({ exitCode: code ?? 1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })
      )
    })
    const durationMs = Math.round(performance.now() - start)
    const outputs = parseOutputFile(await readFile(files.output, 'utf8'))
    const summary = await readFile(files.summary, 'utf8')
    /** @type {any} */
    let report
    if (outputs.report) {
      try {
        report = JSON.parse(await readFile(outputs.report, 'utf8'))
      } catch {
        report = undefined
      }
    }
    // The runner's temp folder goes with this run: keep the SBOM's text, as the report's.
    const sbom = outputs.sbom ? await readFile(outputs.sbom, 'utf8').catch(() => undefined) : undefined
    const diff = outputs.diff ? await readFile(outputs.diff, 'utf8').catch(() => undefined) : undefined
    // What the action left in RUNNER_TEMP (its report, SBOM and diff file belong there; its work folder does not).
    const leftInTemp = await readdir(files.temp).catch(() => [])
    return {
      exitCode,
      stdout,
      stderr,
      outputs,
      summary,
      report,
      sbom,
      diff,
      annotations: parseAnnotations(stdout),
      leftInTemp,
      durationMs,
      killed
    }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
