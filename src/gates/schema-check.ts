// The schema gate's check of a run (gates/schema.ts plans it): each render's documents against the built-in kinds
// of the release, the CRDs known so far, and the removed/deprecated API versions; one finding per field per template
// across the renders; the step. A CRD's source decides which wins when two give the same kind: the chart's own
// (its crds/, its dependencies', what it renders), then the spec.depends blueprints', then input crds'. A document
// of a kind nothing has given a schema for yet waits while spec.depends blueprints are still rendering.
import type { Finding, RenderedDocument, StepResult } from '../types.js'
import type { BuiltinSchemas } from '../schema/builtin.js'
import { crdSchemas, type CrdSchema } from '../schema/crd.js'
import { apiStatus } from '../schema/kube-versions.js'
import { checkAgainst, formatPath, type Schema, type SchemaProblem } from '../schema/structural.js'
import { repoFileForSource, statusOf } from './common.js'
import type { DependsRender, GateContext, SchemaSettings } from './contract.js'
import { ProblemLocator } from './schema-findings.js'

export const SCHEMA_STEP = { id: 'schema', title: 'API schemas' } as const

/** Where a CRD came from, most authoritative first. */
export type CrdSource = 'chart' | 'depends' | 'input'
const RANK: Record<CrdSource, number> = { chart: 0, depends: 1, input: 2 }

interface KindData {
  apiVersion: string
  kind: string
  documents: number
  /** What it was checked against: `built-in`, a CRD's origin, or `none`. */
  schema: string
}

export interface SchemaData {
  /** The release checked (input kubernetes-version, as helm reads it). */
  kubernetes: string
  /** The built-in schemas used: their release and source. */
  schemas: { kubernetes: string; origin: string }
  renders: number
  documents: number
  kinds: KindData[]
  crds: { apiVersion: string; kind: string; origin: string }[]
  /** The spec.depends blueprints rendered for their CRDs (gates/schema-depends.ts): what each gave and cost. */
  depends: DependsData[]
  problems: number
}

interface DependsData {
  blueprint: string
  dir: string
  /** CRDs its render has (each kind once). */
  crds: number
  /** `rendered`, or `failed` (a warning says why). */
  status: 'rendered' | 'failed'
  /** Build and render, wall time; the `helm template` process alone (shared, when rendered together). */
  durationMs: number
  helmMs?: number
  /** Rendered in one helm process with the other spec.depends blueprints (an umbrella of them), not alone. */
  together: boolean
  /** Archives downloaded for it (0: the run's cache or the run's own charts/ had them). */
  downloads: number
}

/** A document of a kind without schema yet, checked once the spec.depends renders are in. */
interface Waiting {
  doc: RenderedDocument
  file: string | undefined
  optIn: boolean
  data: KindData
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? '' : apiVersion.slice(0, slash)
}

/** One check of the whole run: every render's documents go through it; findings de-duplicated per template field. */
export class SchemaRun {
  readonly findings: Finding[] = []
  private readonly seen = new Set<string>()
  private readonly kinds = new Map<string, KindData>()
  private readonly crds = new Map<string, CrdSchema & { source: CrdSource }>()
  private readonly dependsData: DependsData[] = []
  /** spec.depends renders not in yet; documents without schema wait in `waiting` meanwhile. */
  private dependsPending = 0
  private waiting: Waiting[] = []
  private readonly missing = new Set<string>()
  private readonly locator: ProblemLocator
  private renders = 0
  private documents = 0
  private failure?: string

  constructor(
    private readonly ctx: GateContext,
    private readonly settings: SchemaSettings,
    private readonly builtin: BuiltinSchemas
  ) {
    this.locator = new ProblemLocator({
      chartDir: ctx.chartDir,
      chartName: ctx.chartName,
      displayChartDir: ctx.displayChartDir,
      values: ctx.values,
      valueArgs: ctx.valueArgs
    })
  }

  addCrds(crds: readonly CrdSchema[], source: CrdSource): void {
    for (const crd of crds) {
      const key = `${crd.apiVersion}/${crd.kind}`
      const known = this.crds.get(key)
      if (!known || RANK[source] < RANK[known.source]) this.crds.set(key, { ...crd, source })
    }
  }

  /** `count` spec.depends renders are on their way: documents without schema wait for them. */
  expectDepends(count: number): void {
    this.dependsPending += count
  }

  /**
   * One spec.depends render is in: its CRDs (or its warning) taken in; once the last is, the documents that waited
   * are checked.
   */
  async dependsRendered(render: DependsRender): Promise<void> {
    this.addCrds(render.crds, 'depends')
    this.dependsData.push({
      blueprint: render.name,
      dir: render.dir,
      crds: new Set(render.crds.map((crd) => `${crd.apiVersion}/${crd.kind}`)).size,
      status: render.problem ? 'failed' : 'rendered',
      durationMs: render.durationMs,
      ...(render.helmMs === undefined ? {} : { helmMs: render.helmMs }),
      together: render.together === true,
      downloads: render.downloads
    })
    if (render.problem) this.findings.push(render.problem)
    if (--this.dependsPending > 0) return
    const waiting = this.waiting
    this.waiting = []
    for (const entry of waiting) await this.withSchema(entry)
  }

  fail(error: unknown): void {
    this.failure ??= error instanceof Error ? error.message : String(error)
  }

  /** Checks one render's documents (the CRDs it renders are known before its custom resources are checked). */
  async check(documents: readonly RenderedDocument[], optIn = false): Promise<void> {
    this.renders++
    // `kind: List` documents come as their items (helm/render.ts renderedResources).
    const flat = documents
    for (const doc of flat) this.addCrds(crdSchemas(doc.object, `rendered by ${doc.source ?? 'the chart'}`), 'chart')
    for (const doc of flat) await this.document(doc, optIn)
  }

  private record(key: string): boolean {
    if (this.seen.has(key)) return false
    this.seen.add(key)
    return true
  }

  private async document(doc: RenderedDocument, optIn: boolean): Promise<void> {
    const { apiVersion, kind } = doc
    if (!apiVersion || !kind) return
    this.documents++
    const kindKey = `${apiVersion}/${kind}`
    const data = this.kinds.get(kindKey) ?? { apiVersion, kind, documents: 0, schema: 'none' }
    data.documents++
    this.kinds.set(kindKey, data)
    const where = doc.source ?? 'the render'
    const file = repoFileForSource(doc.source, this.ctx.chartName, this.ctx.displayChartDir)
    const version = this.settings.kubeVersion
    const status = apiStatus(apiVersion, kind, version)
    if (status && this.record(`${where}\0${kindKey}\0api`)) {
      const at = file ? { file, ...(await this.kindLine(doc.source)) } : {}
      if (status.status === 'removed')
        this.findings.push({
          rule: 'schema-removed-api',
          severity: 'error',
          message: `${kind} ${apiVersion} (${where}${doc.name ? `, ${doc.name}` : ''}) is not served by Kubernetes ${version.text}: removed in ${status.removedIn}.`,
          fix: `Use ${status.replacement}${status.replacement.includes(' ') ? '' : ` ${kind}`} (check the fields that changed between the versions).`,
          ...at
        })
      else
        this.findings.push({
          rule: 'schema-deprecated-api',
          severity: 'warning',
          message: `${kind} ${apiVersion} (${where}) is deprecated since Kubernetes ${status.deprecatedIn}${status.removedIn ? ` and removed in ${status.removedIn}` : ''}.`,
          fix: `Move to ${status.replacement}${status.replacement.includes(' ') ? '' : ` ${kind}`}.`,
          ...at
        })
    }
    if (status?.status === 'removed') return
    await this.withSchema({ doc, file, optIn, data })
  }

  /** Checks a document against its kind's schema; without one, it waits for the spec.depends renders, or is missing. */
  private async withSchema(entry: Waiting): Promise<void> {
    const { doc, file, optIn, data } = entry
    const { apiVersion = '', kind = '' } = doc
    const crd = this.crds.get(`${apiVersion}/${kind}`)
    let schema: Schema | undefined
    if (crd) {
      schema = crd.schema
      data.schema = crd.origin
    } else {
      schema = this.builtin.kind(apiVersion, kind)
      if (schema) data.schema = 'built-in'
    }
    if (!schema) {
      if (this.dependsPending > 0) this.waiting.push(entry)
      else this.missingSchema(doc, file, optIn)
      return
    }
    const problems = checkAgainst(doc.object, schema, { objectMeta: this.builtin.objectMeta })
    for (const problem of problems) await this.problem(doc, problem)
  }

  private async kindLine(source: string | undefined): Promise<{ line?: number }> {
    const at = await this.locator.locate(source, ['apiVersion'])
    return at.line === undefined ? {} : { line: at.line }
  }

  /**
   * A kind without schema. Seen only in an opt-in render (a toggle off by default: the monitoring kinds, which a
   * fresh cluster does not have by design), it is a notice unless missing-schemas is error.
   */
  private missingSchema(doc: RenderedDocument, file: string | undefined, optIn: boolean): void {
    const { apiVersion = '', kind = '' } = doc
    const served = this.builtin.versionsOf(kind).filter((v) => groupOf(v) === groupOf(apiVersion))
    const builtinGroup = served.length > 0
    if (!builtinGroup && this.settings.missingSchemas === 'off') return
    if (!this.record(`${apiVersion}/${kind}\0missing`)) return
    this.missing.add(`${apiVersion}/${kind}`)
    const finding: Finding = builtinGroup
      ? {
          rule: 'schema-unknown-api',
          severity: 'error',
          message: `${kind} ${apiVersion} (${doc.source ?? 'the render'}) is not served by Kubernetes ${this.settings.kubeVersion.text}; it serves ${kind} as ${served.join(', ')}.`,
          fix: `Use ${served[served.length - 1]}.`
        }
      : {
          rule: 'schema-missing',
          severity: this.settings.missingSchemas === 'error' ? 'error' : optIn ? 'notice' : 'warning',
          message: `No schema for ${kind} ${apiVersion} (${doc.source ?? 'the render'}${optIn ? ', rendered when opted in' : ''}): no CRD for it in the chart, its dependencies, the blueprints spec.depends names or input crds, so it is not checked.`,
          fix: `Add the blueprint that installs its CRD to blueprint.yaml spec.depends, or give a CRD manifest of ${groupOf(apiVersion) || apiVersion} to input crds (a glob in the workspace); missing-schemas: off silences this.`
        }
    if (file) finding.file = file
    this.findings.push(finding)
  }

  private async problem(doc: RenderedDocument, problem: SchemaProblem): Promise<void> {
    const field = formatPath(problem.path)
    const where = doc.source ?? 'the render'
    if (!this.record(`${where}\0${field}\0${problem.kind}`)) return
    const at = await this.locator.locate(doc.source, problem.path)
    const value =
      at.valuesKey && (problem.kind === 'type' || problem.kind === 'enum')
        ? ` The value comes from ${at.valuesKey}${at.valueOrigin ? ` (${at.valueOrigin})` : ''}.`
        : ''
    const finding: Finding = {
      rule: 'schema',
      severity: 'error',
      message: `${field}: ${problem.message} (${doc.kind} ${doc.name ?? ''} from ${where}, ${doc.apiVersion}).${value}`,
      fix: fixFor(problem, field, at.valuesKey)
    }
    if (at.file) finding.file = at.file
    if (at.line !== undefined) finding.line = at.line
    this.findings.push(finding)
  }

  step(durationMs: number): StepResult<SchemaData> {
    const kinds = [...this.kinds.values()].sort((a, b) =>
      a.apiVersion === b.apiVersion ? (a.kind < b.kind ? -1 : 1) : a.apiVersion < b.apiVersion ? -1 : 1
    )
    const data: SchemaData = {
      kubernetes: this.settings.kubeVersion.text,
      schemas: { kubernetes: this.builtin.kubernetes, origin: this.builtin.origin },
      renders: this.renders,
      documents: this.documents,
      kinds,
      crds: [...this.crds.values()].map((c) => ({ apiVersion: c.apiVersion, kind: c.kind, origin: c.origin })),
      depends: [...this.dependsData].sort((a, b) => (a.dir < b.dir ? -1 : 1)),
      problems: this.findings.filter((f) => f.rule === 'schema').length
    }
    const findings = [...this.findings]
    if (this.failure)
      findings.push({
        rule: 'schema',
        severity: 'error',
        message: `The schema check could not finish: ${this.failure}`,
        fix: 'Report this as a bug of the action, with the blueprint that shows it.'
      })
    const errors = findings.filter((f) => f.severity === 'error').length
    const warnings = findings.filter((f) => f.severity === 'warning').length
    const parts = [
      `${this.documents} documents of ${this.renders} render${this.renders === 1 ? '' : 's'} against Kubernetes ${this.settings.kubeVersion.text}`
    ]
    if (this.crds.size > 0) {
      // Which spec.depends blueprints gave CRDs the check uses, e.g. `6 CRDs (2 from spec.depends: bp-cnpg)`.
      const fromDepends = [...this.crds.values()].filter((crd) => crd.source === 'depends').length
      const givers = data.depends.filter((d) => d.status === 'rendered' && d.crds > 0).map((d) => d.blueprint)
      parts.push(
        `${this.crds.size} CRD${this.crds.size === 1 ? '' : 's'}${fromDepends > 0 ? ` (${fromDepends} from spec.depends: ${givers.join(', ')})` : ''}`
      )
    }
    if (errors > 0) parts.push(`${errors} error${errors === 1 ? '' : 's'}`)
    if (this.missing.size > 0)
      parts.push(`${this.missing.size} kind${this.missing.size === 1 ? '' : 's'} without schema`)
    else if (warnings > 0) parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`)
    if (errors === 0 && warnings === 0) parts.push('all valid')
    return { ...SCHEMA_STEP, status: statusOf(findings), durationMs, summary: parts.join(', '), findings, data }
  }
}

function fixFor(problem: SchemaProblem, field: string, valuesKey: string | undefined): string {
  switch (problem.kind) {
    case 'unknown-field':
      return `Remove ${field} or correct its spelling: the API rejects fields it does not know (kubectl apply and Flux fail on it).`
    case 'required':
      return `Set ${field}: the API requires it.`
    default:
      return valuesKey
        ? `Give ${valuesKey} a value of the right type (a number without quotes for an integer; --set-string only for strings).`
        : `Correct the value of ${field} in the template.`
  }
}
