// Several renders of the work chart (each with a few `--set` of its own) as ONE
// `helm template`: one helm process instead of one per case (issue 15; each helm
// start costs ~100+ ms of CPU). A generated umbrella chart holds one wrapper
// chart per case (`case-<n>`), each holding the work chart (a link to it) under
// its own name, so `.Chart.Name` inside stays what it is in a render of its own
// (an alias would change it, and the names of what it renders with it). The
// values of case n go under `case-<n>.<chart>.`; the output is cut at each
// `# Source: <umbrella>/charts/case-<n>/charts/<chart>/…` back into one text per
// case, with those paths written as a render of its own writes them.
//
// What differs when the work chart is a subchart, and how it is kept out:
//  - `.Values.global` is `{}` where the root has none: merged only when values.yaml
//    has a `global` map or the chart's own templates never read `global`;
//  - a null in the chart's values.yaml is dropped (Helm 3) or kept (Helm 4):
//    merged only without nulls there or in the run's `--set`;
//  - `.Chart.IsRoot` is false: merged only when the own templates never read it;
//  - `tags` are read from the top-level values only, `import-values` go to the
//    parent: merged only when Chart.yaml's dependencies use neither;
//  - `--values` files would have to be nested under each case: not merged;
//    `--set`/`--set-string`/`--set-file` are prefixed (one assignment each).
// A failing merged render (a `required` or any error in one case fails them all)
// or an output that does not cut cleanly adds the separate renders to the pool,
// and those decide: the cases' errors are then helm's own words.
// The umbrella has one template of its own: a comment with `.Capabilities.HelmVersion.Version`, what `helm version`
// prints, so a run whose helm did not record its version learns it without a process of its own (helm/helm.ts).
import { mkdir, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseRenderAsHelm, splitRenderBySource } from '../helm/render.js'
import { loadYamlFile } from '../chart/yaml-source.js'
import {
  customJob,
  kubeVersionArgs,
  renderJob,
  type GateContext,
  type Job,
  type PlanContext,
  type RenderJobOutcome
} from './contract.js'
import { walkValues } from './common.js'
import { isRecord } from '../util/text.js'

const UMBRELLA = 'gates-cases'
const caseName = (i: number): string => `case-${i}`
/** The umbrella's own template, and the comment line it renders. */
const VERSION_TEMPLATE = 'helm-version.yaml'
const VERSION_LINE = /^# helm version: (v\d+\.\S+)$/m

export interface RenderCase {
  id: string
  /** After the run's values: `--set`-style assignments (`key=value`, key as `--set` reads it). */
  set: string[]
}

export interface CaseRenders {
  jobs: Job[]
  /** Case i's outcome (the merged render cut, or its own render after a fallback). */
  get(i: number): RenderJobOutcome
  /** Whether the cases ran as one merged render (for the stats and tests). */
  merged(): boolean
}

const PREFIXABLE = new Set(['--set', '--set-string', '--set-file'])

/** `a=b` with one assignment (no unescaped comma), or undefined. */
function singleAssignment(text: string): { key: string; value: string } | undefined {
  let escaped = false
  let eq = -1
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (escaped) escaped = false
    else if (c === '\\') escaped = true
    else if (c === ',') return undefined
    else if (c === '=' && eq === -1) eq = i
  }
  return eq > 0 ? { key: text.slice(0, eq), value: text.slice(eq + 1) } : undefined
}

/** The run's value arguments under `prefix.`, or undefined when one cannot be (then no merge). */
export function prefixValueArgs(valueArgs: readonly string[], prefix: string): string[] | undefined {
  const out: string[] = []
  for (let i = 0; i < valueArgs.length; i += 2) {
    const flag = valueArgs[i]
    const assignment = valueArgs[i + 1] === undefined ? undefined : singleAssignment(valueArgs[i + 1])
    if (!PREFIXABLE.has(flag) || !assignment) return undefined
    if (/^global(\.|\[|$)/.test(assignment.key)) return undefined
    if (flag === '--set' && assignment.value === 'null') return undefined
    out.push(flag, `${prefix}.${assignment.key}=${assignment.value}`)
  }
  return out
}

async function ownTemplateTexts(chartDir: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
    for (const entry of entries) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) await walk(full)
      else if (entry.isFile()) out.push(await readFile(full, 'utf8'))
    }
  }
  await walk(path.join(chartDir, 'templates'))
  return out
}

function hasNull(values: unknown): boolean {
  let found = false
  walkValues(values, (_key, value) => {
    if (value === null) found = true
  })
  return found
}

/** Why the cases cannot be merged into one render (undefined: they can). */
export async function mergeBlocker(ctx: GateContext, cases: readonly RenderCase[]): Promise<string | undefined> {
  if (cases.length < 2) return 'fewer than two cases'
  if (!prefixValueArgs(ctx.valueArgs, 'x')) return 'the run passes values files or multi-value --set'
  if (
    cases.some(
      (c) =>
        !prefixValueArgs(
          c.set.flatMap((s) => ['--set', s]),
          'x'
        )
    )
  )
    return 'a case sets global or null'
  return subchartBlocker(ctx.chartDir, ctx.values.data)
}

/**
 * Why a chart could render otherwise as a subchart of a generated umbrella than as a chart of its own, with the
 * values it ships (undefined: it renders the same; see the header). Shared with the spec.depends blueprints' one
 * render (gates/schema-depends-jobs.ts).
 */
export async function subchartBlocker(chartDir: string, values: Record<string, unknown>): Promise<string | undefined> {
  if (hasNull(values)) return 'values.yaml has a null'
  if ('tags' in values) return 'values.yaml has tags'
  const chart = await loadYamlFile<{ dependencies?: unknown }>(path.join(chartDir, 'Chart.yaml'), 'Chart.yaml')
  const dependencies = Array.isArray(chart.data.dependencies) ? (chart.data.dependencies as unknown[]) : []
  if (dependencies.some((d) => isRecord(d) && ('tags' in d || 'import-values' in d)))
    return 'a dependency uses tags or import-values'
  const templates = await ownTemplateTexts(chartDir)
  if (templates.some((t) => t.includes('IsRoot'))) return 'a template reads .Chart.IsRoot'
  if (!isRecord(values.global) && templates.some((t) => /Values\.global\b|"global"/.test(t)))
    return 'a template reads .Values.global and values.yaml has none'
  return undefined
}

/**
 * A generated chart at `dir` whose Chart.yaml names `subcharts` (no version, no repository: helm reads them from
 * charts/), each `charts/<name>` a link to `linkTo`, or left for the caller to fill. Shared with the spec.depends
 * blueprints' umbrella (gates/schema-depends-jobs.ts).
 */
export async function writeUmbrellaChart(
  dir: string,
  name: string,
  subcharts: readonly { name: string; linkTo?: string }[]
): Promise<void> {
  await mkdir(path.join(dir, 'charts'), { recursive: true })
  const dependencies = subcharts.map((sub) => `  - name: ${JSON.stringify(sub.name)}\n`).join('')
  await writeFile(
    path.join(dir, 'Chart.yaml'),
    `apiVersion: v2\nname: ${name}\nversion: 0.0.0\ndependencies:\n${dependencies}`
  )
  await Promise.all(
    subcharts.flatMap((sub) => (sub.linkTo ? [symlink(sub.linkTo, path.join(dir, 'charts', sub.name), 'dir')] : []))
  )
}

/** Writes the umbrella: `<dir>/charts/case-<n>/charts/<chart>` → the work chart, and the version comment. */
async function writeUmbrella(dir: string, chartDir: string, chartName: string, count: number): Promise<void> {
  await rm(dir, { recursive: true, force: true })
  const names = Array.from({ length: count }, (_, i) => caseName(i))
  await writeUmbrellaChart(
    dir,
    UMBRELLA,
    names.map((name) => ({ name }))
  )
  await mkdir(path.join(dir, 'templates'))
  await writeFile(
    path.join(dir, 'templates', VERSION_TEMPLATE),
    '# helm version: {{ .Capabilities.HelmVersion.Version }}\n'
  )
  await Promise.all(
    names.map((name) =>
      writeUmbrellaChart(path.join(dir, 'charts', name), name, [{ name: chartName, linkTo: chartDir }])
    )
  )
}

/**
 * Pure: the merged output cut into one text per case, written as the case's own
 * render writes it (`<umbrella>/charts/case-<n>/charts/` dropped wherever it
 * appears), and helm's version from the umbrella's own template. Undefined when a
 * document belongs to no case.
 */
export function splitCases(
  output: string,
  chartName: string,
  count: number
): { texts: string[]; helmVersion?: string } | undefined {
  const texts: string[][] = Array.from({ length: count }, () => [])
  const prefix = `${UMBRELLA}/charts/`
  let helmVersion: string | undefined
  for (const chunk of splitRenderBySource(output)) {
    if (chunk.source === undefined) {
      if (chunk.text.trim() === '') continue
      return undefined
    }
    if (chunk.source === `${UMBRELLA}/templates/${VERSION_TEMPLATE}`) {
      helmVersion = VERSION_LINE.exec(chunk.text)?.[1]
      continue
    }
    const match = /^case-(\d+)\/charts\/(.+)$/.exec(
      chunk.source.startsWith(prefix) ? chunk.source.slice(prefix.length) : ''
    )
    const index = match ? Number(match[1]) : -1
    if (!match || index >= count || !match[2].startsWith(`${chartName}/`)) return undefined
    texts[index].push(chunk.text.split(`${prefix}${caseName(index)}/charts/`).join(''))
  }
  return { texts: texts.map((parts) => parts.join('')), helmVersion }
}

/**
 * Plans the cases' renders: one merged job when they can be merged (falling
 * back to separate renders added to the pool when it fails), else one job per case.
 * Documents are parsed as `mentioning` asks.
 */
export async function planCaseRenders(
  pc: PlanContext,
  cases: readonly RenderCase[],
  commonArgs: readonly string[],
  mentioning: string,
  /** Called inside the job that produced case i's outcome (merged or its own render), once it is in. */
  onOutcome?: (i: number, outcome: RenderJobOutcome) => Promise<void>
): Promise<CaseRenders> {
  const { ctx } = pc
  const separate = (): ReturnType<typeof renderJob>[] =>
    cases.map((c, i) => {
      const job = renderJob(ctx.helm, c.id, pc.templateArgs([...c.set.flatMap((s) => ['--set', s]), ...commonArgs]), {
        mentioning
      })
      if (onOutcome) job.after((outcome) => onOutcome(i, outcome))
      return job
    })
  if ((await mergeBlocker(ctx, cases)) !== undefined) {
    const jobs = separate()
    return { jobs: jobs.map((j) => j.job), get: (i) => jobs[i].get(), merged: () => false }
  }
  const dir = path.join(ctx.scriptRoot, UMBRELLA)
  await writeUmbrella(dir, ctx.chartDir, ctx.chartName, cases.length)
  const args = ['template', ctx.releaseName, dir, '--namespace', ctx.namespace, ...kubeVersionArgs(ctx)]
  cases.forEach((c, i) => {
    const prefix = `${caseName(i)}.${ctx.chartName.replace(/[\\.,=[\]]/g, (ch) => `\\${ch}`)}`
    args.push(...prefixValueArgs(ctx.valueArgs, prefix)!)
    args.push(
      ...prefixValueArgs(
        c.set.flatMap((s) => ['--set', s]),
        prefix
      )!
    )
  })
  args.push(...commonArgs)
  let fallback: ReturnType<typeof renderJob>[] | undefined
  const merged = customJob<RenderJobOutcome[] | undefined>(
    `${cases[0].id}+${cases.length - 1}`,
    'helm',
    async (processEnded) => {
      const start = performance.now()
      const result = await ctx.helm.run(args, { background: true })
      processEnded()
      const cut = result.exitCode === 0 ? splitCases(result.stdout, ctx.chartName, cases.length) : undefined
      if (!cut) {
        fallback = separate()
        return { out: undefined, done: { ...result, then: fallback.map((j) => j.job) } }
      }
      if (cut.helmVersion) ctx.helm.heardVersion(cut.helmVersion)
      const span = { start, end: performance.now() }
      const outcomes = await Promise.all(
        cut.texts.map(async (stdout): Promise<RenderJobOutcome> => {
          const parsed = await parseRenderAsHelm(stdout, { mentioning })
          return {
            result: { ...result, stdout },
            documents: parsed.documents,
            parseErrors: parsed.errors,
            span
          }
        })
      )
      if (onOutcome) for (const [i, outcome] of outcomes.entries()) await onOutcome(i, outcome)
      return { out: outcomes, done: result }
    }
  )
  merged.job.weight = cases.length // the chart rendered once per case: started before the single renders
  return {
    jobs: [merged.job],
    get: (i) => fallback?.[i].get() ?? merged.get()![i],
    merged: () => fallback === undefined
  }
}
