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
import { redact } from '../util/secrets.js'
import type { RenderedDocument } from '../types.js'
import type { ImageField } from '../images/images.js'
import { renderBase, type BaseRender, type BaseRenderOptions } from './base-render.js'
import { compareRenders, diffFileText } from './compare.js'
import { baseCommitFor, type DiffSetting } from './git-tree.js'
import type { RenderDiff } from './types.js'

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
  const rendered: Promise<BaseRender> = renderBase(options, base.sha, release).then(
    (r) => r,
    (error: unknown) => ({ error: error instanceof Error ? error.message : String(error) })
  )
  void rendered.finally(() => release()) // rendered never rejects (errors become { error })
  return {
    credentialsReleased,
    compare: async (head) => {
      const result = await rendered
      const finish = (fields: Partial<RenderDiff>): RenderDiff => ({
        base,
        status: 'unavailable',
        ...fields,
        durationMs: Math.round(performance.now() - start)
      })
      if ('error' in result) {
        const message = `the base render failed: ${redact(result.error)}`
        core.notice(`What changes: not compared with ${base.label} ${base.sha.slice(0, 7)}: ${message}`)
        return finish({ message })
      }
      if (!head) return finish({ message: 'the head render failed: nothing to compare' })
      const comparison = compareRenders(result.documents, head, {
        redact,
        imageFields: options.imageFields,
        releaseNamespace: options.namespace
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
