// The base side of "What changes": the blueprint as of the base commit
// (base-blueprint.ts) in its own work copy and helm home, its dependencies built as the
// base pins them (or the head's archives reused when the pins are the same),
// rendered once. diff/base.ts runs it beside the gates and compares.
import { copyFile, mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import { buildDependencies, type BuildOptions } from '../chart/dependencies.js'
import { prepareWorkChart, type WorkChart } from '../chart/work-chart.js'
import { Helm } from '../helm/helm.js'
import { parseRenderAsHelm } from '../helm/render.js'
import type { RenderedDocument } from '../types.js'
import { lastLines } from '../util/text.js'
import { loadBaseBlueprint } from './base-blueprint.js'

export interface BaseRenderOptions {
  workspace: string
  /** Blueprint and chart folders, relative to the workspace. */
  blueprint: string
  chart: string
  /** The head's helm: its binary and release are used with a home of the base's own. */
  helm: Helm
  /** Private folder of the run; the base works under `<workRoot>/base`. */
  workRoot: string
  headWork: WorkChart
  /** Versions the head's dependency build bundled. */
  headBuilt: Record<string, string>
  /** How the head built its dependencies (mirrors, indexes already fetched, credentials). */
  build: Omit<BuildOptions, 'knownVersions' | 'lockEpoch'>
  /** The run's `--values`/`--set` arguments, and the release and namespace of the head's default render. */
  valueArgs: string[]
  releaseName: string
  namespace: string
}

export type BaseRender =
  { documents: RenderedDocument[]; missing: boolean; built: Record<string, string> } | { error: string }

const sameDependencies = (a: WorkChart['dependencies'], b: WorkChart['dependencies']): boolean => {
  const key = (deps: WorkChart['dependencies']): string =>
    JSON.stringify(deps.map((d) => [d.name, d.alias ?? '', d.version, d.repository.replace(/\/+$/, '')]))
  return key(a) === key(b)
}

/**
 * The base render; `stop` ends it (its helm processes killed, the next stage not started) when its time is up:
 * it then rejects with the signal's reason.
 */
export async function renderBase(
  options: BaseRenderOptions,
  sha: string,
  release: () => void,
  stop?: AbortSignal
): Promise<BaseRender> {
  const root = path.join(options.workRoot, 'base')
  await mkdir(root, { recursive: true })
  const blueprint = await loadBaseBlueprint(options, sha, path.join(root, 'tree'))
  stop?.throwIfAborted()
  if (!blueprint) {
    release()
    return { documents: [], missing: true, built: {} }
  }
  const { work } = await prepareWorkChart({ blueprint, workRoot: path.join(root, 'chart') })
  const helm = await Helm.create(options.helm.binary, path.join(root, 'helm-home'), options.helm.release, stop)
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
    const step = await buildDependencies(helm, work, options.build)
    release()
    if (step.status === 'failed') throw new Error(step.findings[0]?.message ?? 'helm dependency build failed')
    built = step.data?.built ?? {}
  } else {
    release()
    built = {}
  }
  stop?.throwIfAborted()
  const args = ['template', options.releaseName, work.dir, '--namespace', options.namespace, ...options.valueArgs]
  const result = await helm.run(args, { background: true })
  if (result.exitCode !== 0) {
    throw new Error(`helm template: ${lastLines(result.stderr, 3) || `exit ${result.exitCode}`}`)
  }
  const parsed = await parseRenderAsHelm(result.stdout)
  if (parsed.errors.length > 0) throw new Error(parsed.errors[0].toFinding().message)
  return { documents: parsed.documents, missing: false, built }
}

async function copyBuiltArchives(fromChart: string, toChart: string): Promise<void> {
  const from = path.join(fromChart, 'charts')
  const to = path.join(toChart, 'charts')
  await mkdir(to, { recursive: true })
  const names = (await readdir(from)).filter((name) => name.endsWith('.tgz'))
  await Promise.all(names.map((name) => copyFile(path.join(from, name), path.join(to, name))))
}
