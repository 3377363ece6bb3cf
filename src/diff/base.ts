// Renders the blueprint as of the event's base commit, beside the gates, and
// compares it with the head's default render ("What changes").
//
// The base gets its own work copy (copied out of git, never checked out) and
// its own helm home. Its dependencies are built as the base pins them; when
// the base declares exactly the head's (non-local) dependencies, the head's
// built archives are copied instead of downloading them again. The run's
// `values` files and `set` values apply to both sides (they are the run's
// configuration); each side keeps its own chart values.yaml. Whatever goes
// wrong on the base side is a notice in the report, never a failed run.
import * as core from '@actions/core'
import { access, copyFile, mkdir, readdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { loadBlueprint, type Blueprint } from '../chart/blueprint.js'
import { buildDependencies, prepareWorkChart } from '../chart/dependencies.js'
import type { BuildOptions, WorkChart } from '../chart/dependencies.js'
import { Helm } from '../helm/helm.js'
import { parseRenderDetailed } from '../helm/render.js'
import { redact } from '../util/secrets.js'
import type { RenderedDocument } from '../types.js'
import { compareRenders, diffFileText } from './compare.js'
import { baseCommitFor, copyTree, ensureCommit, type DiffSetting } from './git-tree.js'
import type { RenderDiff } from './types.js'
import { lastLines } from '../util/text.js'

export interface BaseDiffOptions {
  setting: DiffSetting
  eventName: string
  payload: unknown
  workspace: string
  /** Blueprint and chart folders, relative to the workspace. */
  blueprint: string
  chart: string
  /** The upstream dependency (name or alias), for the version change line. */
  upstream: string
  /** The head's helm: its binary and version are used with a home of the base's own. */
  helm: Helm
  /** Private folder of the run; the base works under `<workRoot>/base`. */
  workRoot: string
  headWork: WorkChart
  /** Versions the head's dependency build bundled. */
  headBuilt: Record<string, string>
  /** How the head built its dependencies (mirrors, indexes already fetched, credentials). */
  build: Omit<BuildOptions, 'knownVersions'>
  /** The run's `--values`/`--set` arguments, and the release and namespace of the head's default render. */
  valueArgs: string[]
  releaseName: string
  namespace: string
  /** Where the diff file goes (RUNNER_TEMP). */
  outputDir: string
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

type BaseRender = { documents: RenderedDocument[]; missing: boolean; built: Record<string, string> } | { error: string }

const sameDependencies = (a: WorkChart['dependencies'], b: WorkChart['dependencies']): boolean => {
  const key = (deps: WorkChart['dependencies']): string =>
    JSON.stringify(deps.map((d) => [d.name, d.alias ?? '', d.version, d.repository.replace(/\/+$/, '')]))
  return key(a) === key(b)
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
      const comparison = compareRenders(result.documents, head)
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

async function renderBase(options: BaseDiffOptions, sha: string, release: () => void): Promise<BaseRender> {
  const root = path.join(options.workRoot, 'base')
  await mkdir(root, { recursive: true })
  await ensureCommit(options.workspace, sha)
  const tree = path.join(root, 'tree')
  const folders = [...new Set([options.blueprint, options.chart])]
  await copyTree(options.workspace, sha, folders, tree)
  let blueprint: Blueprint
  try {
    blueprint = await loadBlueprint(tree, options.blueprint, options.chart)
  } catch (error) {
    const chartYaml = path.join(tree, options.chart, 'Chart.yaml')
    if (!(await exists(chartYaml))) {
      release()
      return { documents: [], missing: true, built: {} }
    }
    throw error
  }
  const { work } = await prepareWorkChart({ blueprint, workRoot: path.join(root, 'chart') })
  const helm = await Helm.create(options.helm.binary, path.join(root, 'helm-home'), options.helm.version)
  let built: Record<string, string>
  const local = work.dependencies.some((dep) => dep.repository.startsWith('file://'))
  if (work.dependencies.length > 0 && !local && sameDependencies(work.dependencies, options.headWork.dependencies)) {
    // Same pins as the head: its archives are what the base would download.
    release()
    await copyBuiltArchives(options.headWork.dir, work.dir)
    built = { ...options.headBuilt }
  } else if (work.dependencies.length > 0) {
    const { credentialsFor } = options.build
    const needsCredentials = work.dependencies.some((dep) => dep.repository && credentialsFor(dep.repository))
    if (!needsCredentials) release()
    const step = await buildDependencies(helm, work, { ...options.build, knownVersions: new Map() })
    release()
    if (step.status === 'failed') throw new Error(step.findings[0]?.message ?? 'helm dependency build failed')
    built = step.data?.built ?? {}
  } else {
    release()
    built = {}
  }
  const args = ['template', options.releaseName, work.dir, '--namespace', options.namespace, ...options.valueArgs]
  const result = await helm.run(args)
  if (result.exitCode !== 0) {
    throw new Error(`helm template: ${lastLines(result.stderr, 3) || `exit ${result.exitCode}`}`)
  }
  const parsed = parseRenderDetailed(result.stdout)
  if (parsed.errors.length > 0) throw new Error(parsed.errors[0].toFinding().message)
  return { documents: parsed.documents, missing: false, built }
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file)
    return true
  } catch {
    return false
  }
}

async function copyBuiltArchives(fromChart: string, toChart: string): Promise<void> {
  const from = path.join(fromChart, 'charts')
  const to = path.join(toChart, 'charts')
  await mkdir(to, { recursive: true })
  const names = (await readdir(from)).filter((name) => name.endsWith('.tgz'))
  await Promise.all(names.map((name) => copyFile(path.join(from, name), path.join(to, name))))
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
