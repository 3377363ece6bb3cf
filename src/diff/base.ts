// Renders the blueprint as of the event's base commit, beside the gates, and
// compares it with the head's default render ("What changes").
//
// The base render itself (own work copy out of git, own helm home, dependencies
// as the base pins them) is diff/base-render.ts. The run's `values` files and
// `set` values apply to both sides (they are the run's configuration); each
// side keeps its own chart values.yaml. Whatever goes wrong on the base side is
// a notice in the report, never a failed run.
import * as core from '@actions/core'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { OPERATION_LIMITS, formatDuration, operationLimit } from '../util/deadline.js'
import { redact } from '../util/secrets.js'
import { ActionError, type RenderedDocument } from '../types.js'
import type { ImageField } from '../images/images.js'
import { renderBase, type BaseRender, type BaseRenderOptions } from './base-render.js'
import { compareRenders, diffFileText } from './compare.js'
import { baseCommitFor, type DiffSetting } from './git-tree.js'
import type { RenderDiff } from './types.js'

/**
 * The base render is optional work: it gets a third of what is left of the run's work time when it starts (at most
 * one helm process's limit), and once the gates are done at most BASE_GRACE_MS more; then it is stopped (a notice).
 */
const BASE_SHARE = 1 / 3
const BASE_GRACE_MS = 15_000
/** How long a stopped base render is waited for, to let go of its folder (its helm processes are killed at once). */
const BASE_LET_GO_MS = 5_000

/** The value of `work`, or undefined when it has not settled within `ms`. */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

export interface BaseDiffOptions extends BaseRenderOptions {
  setting: DiffSetting
  eventName: string
  payload: unknown
  /** The upstream dependency (name or alias), for the version change line. */
  upstream: string
  /** Where the diff file goes (RUNNER_TEMP). */
  outputDir: string
  /** Input image-fields, for the images that change. */
  imageFields?: readonly ImageField[]
}

export interface BaseDiff {
  /**
   * Settles once no repository credentials are in use by the base any more:
   * the caller waits for it before chart test scripts may run.
   */
  credentialsReleased: Promise<void>
  /** The comparison with the head's default render (undefined: the head render failed). */
  compare(head: readonly RenderedDocument[] | undefined): Promise<RenderDiff>
}

/**
 * Starts the base render, or returns undefined when the diff is off for this
 * event. The render runs in the background; `compare` waits for it.
 */
export function startBaseDiff(given: BaseDiffOptions): BaseDiff | undefined {
  let options = given
  const base = baseCommitFor(options.eventName, options.payload, options.setting)
  if (!base) return undefined
  const start = performance.now()
  if ('skip' in base) {
    const diff: RenderDiff = { base: { sha: '', label: '' }, status: 'unavailable', message: base.skip, durationMs: 0 }
    return { credentialsReleased: Promise.resolve(), compare: () => Promise.resolve(diff) }
  }
  let release!: () => void
  const credentialsReleased = new Promise<void>((resolve) => (release = resolve))
  // The gates (chart test scripts) wait for the base only while it may hold credentials. Without
  // dependency credentials, and without registry credentials for a repository the head uses, they
  // start at once and the base builds anonymously.
  const { credentialsFor } = options.build
  const anyCredentials =
    credentialsFor('https://probe.invalid') !== undefined ||
    options.headWork.dependencies.some((dep) => dep.repository && credentialsFor(dep.repository))
  if (!anyCredentials) {
    release()
    options = { ...options, build: { ...options.build, credentialsFor: () => undefined } }
  }
  const budgetMs = Math.min(OPERATION_LIMITS.helm, Math.floor(operationLimit(Number.MAX_SAFE_INTEGER).ms * BASE_SHARE))
  const baseEnd = performance.now() + budgetMs
  const stop = new AbortController()
  const budget = setTimeout(() => {
    stop.abort(
      new ActionError(`the base render did not finish within its share of the run's time (${formatDuration(budgetMs)})`)
    )
  }, budgetMs)
  budget.unref()
  const rendered: Promise<BaseRender | { error: string; stopped?: true }> = renderBase(
    options,
    base.sha,
    release,
    stop.signal
  ).then(
    (r) => r,
    (error: unknown) =>
      // Once stopped, whatever failed says less than why it was stopped.
      stop.signal.aborted
        ? { error: (stop.signal.reason as Error).message, stopped: true as const }
        : { error: error instanceof Error ? error.message : String(error) }
  )
  void rendered.finally(() => {
    release()
    clearTimeout(budget)
  }) // rendered never rejects (errors become { error })
  return {
    credentialsReleased,
    compare: async (head) => {
      // The gates are done: the base gets what is left of its budget, at most BASE_GRACE_MS, then it is stopped.
      const grace = Math.max(0, Math.min(BASE_GRACE_MS, Math.floor(baseEnd - performance.now())))
      let result = await within(rendered, grace)
      if (result === undefined) {
        stop.abort(
          new ActionError(
            `the base render was still running ${formatDuration(Math.max(grace, 1000))} after the checks were done`
          )
        )
        result = (await within(rendered, BASE_LET_GO_MS)) ?? { error: 'the base render did not stop', stopped: true }
      }
      const finish = (fields: Partial<RenderDiff>): RenderDiff => ({
        base,
        status: 'unavailable',
        ...fields,
        durationMs: Math.round(performance.now() - start)
      })
      if ('error' in result) {
        const message = 'stopped' in result ? redact(result.error) : `the base render failed: ${redact(result.error)}`
        core.notice(`What changes: not compared with ${base.label} ${base.sha.slice(0, 7)}: ${message}`)
        return finish({ message })
      }
      if (!head) return finish({ message: 'the head render failed: nothing to compare' })
      // The line diffs run on the main thread: bounded, so that the run keeps its time (diff/compare.ts).
      const deadline = performance.now() + operationLimit(OPERATION_LIMITS.renderedDiff).ms
      const comparison = compareRenders(result.documents, head, {
        redact,
        imageFields: options.imageFields,
        releaseNamespace: options.namespace,
        deadline
      })
      const name = options.upstream
      const upstream = { name, before: result.built[name], after: options.headBuilt[name] }
      const diff = finish({
        status: 'compared',
        comparison,
        ...(result.missing
          ? { baseMissing: true, message: `${options.blueprint} does not exist at the base: every resource is added` }
          : {}),
        ...(upstream.before || upstream.after ? { upstream } : {})
      })
      const n = comparison.counts
      const where = `${base.label} ${base.sha.slice(0, 7)}`
      core.info(`What changes against ${where}: ${n.added} added, ${n.removed} removed, ${n.changed} changed`)
      try {
        diff.file = await writeDiffFile(diff, options)
      } catch (error) {
        diff.message = `the diff file could not be written: ${error instanceof Error ? error.message : String(error)}`
      }
      return diff
    }
  }
}

async function writeDiffFile(diff: RenderDiff, options: BaseDiffOptions): Promise<string> {
  await mkdir(options.outputDir, { recursive: true })
  const file = path.join(options.outputDir, `${options.headWork.name}-rendered.diff`)
  const c = diff.comparison!
  const header = [
    `# ${options.headWork.name}: rendered diff, ${diff.base.label} ${diff.base.sha.slice(0, 12)} -> head`,
    `# ${c.counts.added} added, ${c.counts.removed} removed, ${c.counts.changed} changed, ` +
      `${c.counts.unchanged} unchanged` +
      (c.noise.resources > 0 ? ` (${c.noise.resources} differ only in version labels/checksums)` : ''),
    '# Secret values are hidden.'
  ].join('\n')
  await writeFile(file, redact(diffFileText(c, header)), 'utf8')
  return file
}
