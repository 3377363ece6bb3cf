// The event a run is for, read once from the runner's environment: its name, ref and payload
// (GITHUB_EVENT_PATH), the run's link and the commit checked. Read here as @actions/github's Context reads it,
// without loading @actions/github: its REST client (octokit, undici) loads only when a PR comment is written.
import { existsSync, readFileSync } from 'node:fs'
import { EOL } from 'node:os'
import { ActionError } from '../types.js'
import { workflowFileOf } from './input-location.js'

export interface EventContext {
  eventName: string
  ref: string
  payload: Record<string, unknown>
  /** owner/repo from GITHUB_REPOSITORY, else the payload's repository; undefined when neither says. */
  repo?: { owner: string; repo: string }
  runUrl?: string
  /** The commit checked: a pull request's head, else GITHUB_SHA. */
  commit?: string
  /** The running workflow's file (`.github/workflows/ci.yml`, from GITHUB_WORKFLOW_REF): where the inputs are set. */
  workflowFile?: string
}

/** The event of this run (GITHUB_EVENT_NAME, GITHUB_REF, the payload file, …). */
export function readEventContext(env: NodeJS.ProcessEnv = process.env): EventContext {
  let payload: Record<string, unknown> = {}
  if (env.GITHUB_EVENT_PATH) {
    if (existsSync(env.GITHUB_EVENT_PATH)) payload = parsePayload(env.GITHUB_EVENT_PATH)
    else process.stdout.write(`GITHUB_EVENT_PATH ${env.GITHUB_EVENT_PATH} does not exist${EOL}`)
  }
  return eventContextFrom(env, payload)
}

/** The event payload file as JSON: an error naming the file when it is not a JSON object. */
function parsePayload(file: string): Record<string, unknown> {
  const text = readFileSync(file, 'utf8')
  let payload: unknown
  try {
    payload = JSON.parse(text)
  } catch (error) {
    throw new ActionError(
      `the event payload ${file} (GITHUB_EVENT_PATH) is not JSON: ${(error as Error).message}${text.trim() === '' ? ' (the file is empty)' : ''}`,
      'the runner writes this file for the event that started the workflow; when running the action locally, point GITHUB_EVENT_PATH at a JSON file of the event (e.g. {"pull_request": {"number": 1}}), or unset it'
    )
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
    throw new ActionError(
      `the event payload ${file} (GITHUB_EVENT_PATH) is not a JSON object`,
      'point GITHUB_EVENT_PATH at a JSON object of the event, or unset it'
    )
  }
  return payload as Record<string, unknown>
}

/** The event context from the environment and the event payload (pure). */
export function eventContextFrom(env: NodeJS.ProcessEnv, payload: Record<string, unknown>): EventContext {
  const repo = repositoryOf(env, payload)
  const runId = parseInt(env.GITHUB_RUN_ID ?? '', 10)
  const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com'
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    ref: env.GITHUB_REF ?? '',
    payload,
    repo,
    // Only with GITHUB_REPOSITORY (a local run with @github/local-action has none): no link to a guessed repository.
    runUrl:
      env.GITHUB_REPOSITORY && repo && runId
        ? `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId}`
        : undefined,
    commit: headCommit(payload, env),
    workflowFile: workflowFileOf(env.GITHUB_WORKFLOW_REF)
  }
}

function repositoryOf(
  env: NodeJS.ProcessEnv,
  payload: Record<string, unknown>
): { owner: string; repo: string } | undefined {
  if (env.GITHUB_REPOSITORY) {
    const [owner, repo] = env.GITHUB_REPOSITORY.split('/')
    return { owner, repo }
  }
  const repository = payload.repository as { name?: unknown; owner?: { login?: unknown } } | undefined
  const owner = repository?.owner?.login
  const name = repository?.name
  return typeof owner === 'string' && typeof name === 'string' ? { owner, repo: name } : undefined
}

/** A pull request's head commit (GITHUB_SHA is the merge commit there), else GITHUB_SHA. */
function headCommit(payload: Record<string, unknown>, env: NodeJS.ProcessEnv): string | undefined {
  const pr = payload.pull_request as { head?: { sha?: unknown } } | undefined
  const sha = typeof pr?.head?.sha === 'string' ? pr.head.sha : env.GITHUB_SHA
  return sha && /^[0-9a-f]{7,64}$/i.test(sha) ? sha : undefined
}
