// Finds every container image in a rendered chart and applies the pinning
// policy. Pure: no I/O, no registry lookups.
//
// Policy choices:
// - `digest`: the reference must carry `@sha256:<64 hex>`.
// - `sha` (default): a sha256 digest, or a tag that is a git commit SHA:
//   7–40 lowercase hex characters with at least one letter a–f (so numeric tags
//   such as `20240101` or `1234567` are not mistaken for a SHA), optionally
//   prefixed `sha-` (the form docker/metadata-action's `type=sha` produces).
// - `no-latest`: a tag other than `latest`, or a digest.
// - `off`: everything passes.
// A reference with both a tag and a digest is judged by its digest.
//
// Allowlist patterns are image names normalised like references (`nginx` =
// `docker.io/library/nginx`, `temporalio/*` = `docker.io/temporalio/*`); `*`
// matches one path segment (or part of one, e.g. `temporal-*`), `**` any number
// of segments (at least one when it ends the pattern), a lone `**` matches every
// image; `:tag` in a pattern must match the tag too (`*` globbing allowed).

import { DEFAULT_DOMAIN, parseImageRef, ImageRefError, type ImageRef } from './image-ref.js'
import type { Finding, RenderedDocument } from '../types.js'
import { isRecord } from '../util/text.js'

export interface ImageUse {
  image: string
  kind: string
  name: string
  container?: string
  /** Path of the field in the document, e.g. `spec.template.spec.initContainers[0].image`. */
  field: string
  /** Template path from the render's `# Source:` comment. */
  source?: string
}

export type ImagePolicy = 'digest' | 'sha' | 'no-latest' | 'off'

export const IMAGE_POLICIES: readonly ImagePolicy[] = ['digest', 'sha', 'no-latest', 'off']

export interface ImageVerdict {
  use: ImageUse
  ref?: ImageRef
  ok: boolean
  reason: string
  allowedBy?: string
}

function child(o: unknown, ...keys: string[]): unknown {
  let cur: unknown = o
  for (const k of keys) {
    if (!isRecord(cur)) return undefined
    cur = cur[k]
  }
  return cur
}

function imageString(v: unknown): string {
  if (typeof v === 'string') return v
  if (v === null || v === undefined) return ''
  return typeof v === 'object' ? JSON.stringify(v) : String(v)
}

const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const
const ARGO_KINDS = new Set(['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate'])
/** Keys that look like an image but are judged only where a rule above says they hold one. */
const IMAGE_LIKE_KEYS = new Set(['image', 'imageName'])
const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$-]*$/

/**
 * One field of a custom resource that holds a container image reference: the documented ones
 * (DOCUMENTED_IMAGE_FIELDS) and input `image-fields`, written `apiVersion/Kind:path`.
 */
export interface ImageField {
  /** `group/version`, `group/*` (every version of the group), or `v1`. */
  apiVersion: string
  kind: string
  /** Dotted path from the document's root; `name[]` stands for every element of that list. */
  path: string
}

/**
 * Custom-resource fields known to hold a container image (README "Which image fields are judged"). Pod specs
 * (containers, initContainers, ephemeralContainers) are found wherever a document embeds one, and Argo Workflows'
 * templates by their own rule, so they are not listed here.
 */
const DOCUMENTED_IMAGE_FIELDS: readonly ImageField[] = [
  { apiVersion: 'postgresql.cnpg.io/*', kind: 'Cluster', path: 'spec.imageName' },
  { apiVersion: 'postgresql.cnpg.io/*', kind: 'ImageCatalog', path: 'spec.images[].image' },
  { apiVersion: 'postgresql.cnpg.io/*', kind: 'ClusterImageCatalog', path: 'spec.images[].image' },
  { apiVersion: 'monitoring.coreos.com/*', kind: 'Prometheus', path: 'spec.image' },
  { apiVersion: 'monitoring.coreos.com/*', kind: 'Prometheus', path: 'spec.thanos.image' },
  { apiVersion: 'monitoring.coreos.com/*', kind: 'PrometheusAgent', path: 'spec.image' },
  { apiVersion: 'monitoring.coreos.com/*', kind: 'Alertmanager', path: 'spec.image' },
  { apiVersion: 'monitoring.coreos.com/*', kind: 'ThanosRuler', path: 'spec.image' }
]

const FIELD_API_VERSION_RE = /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?(?:v[0-9][a-z0-9]*|\*)$/
const FIELD_KIND_RE = /^[A-Za-z][A-Za-z0-9]*$/
const FIELD_SEGMENT_RE = /^[A-Za-z_$][A-Za-z0-9_$-]*(?:\[\])?$/

/** One line of input image-fields, or undefined when it is not `apiVersion/Kind:path`. */
export function parseImageField(line: string): ImageField | undefined {
  const colon = line.indexOf(':')
  if (colon === -1) return undefined
  const type = line.slice(0, colon).trim()
  const path = line.slice(colon + 1).trim()
  const slash = type.lastIndexOf('/')
  if (slash === -1) return undefined
  const field = { apiVersion: type.slice(0, slash), kind: type.slice(slash + 1), path }
  if (!FIELD_API_VERSION_RE.test(field.apiVersion) || field.apiVersion === '*' || !FIELD_KIND_RE.test(field.kind))
    return undefined
  if (path === '' || !path.split('.').every((segment) => FIELD_SEGMENT_RE.test(segment))) return undefined
  return field
}

function group(apiVersion: string | undefined): string {
  if (!apiVersion) return ''
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? '' : apiVersion.slice(0, slash)
}

function fieldApplies(field: ImageField, apiVersion: string, kind: string): boolean {
  if (field.kind !== kind) return false
  if (field.apiVersion.endsWith('/*')) return group(apiVersion) === field.apiVersion.slice(0, -2)
  return field.apiVersion === apiVersion
}

function fieldSegment(path: string, key: string): string {
  const seg = IDENT_RE.test(key) ? key : `[${JSON.stringify(key)}]`
  return path === '' ? seg : seg.startsWith('[') ? `${path}${seg}` : `${path}.${seg}`
}

class Collector {
  private readonly covered = new Set<string>()
  constructor(
    private readonly doc: RenderedDocument,
    private readonly out: ImageUse[]
  ) {}

  private use(value: unknown, field: string, container?: string): ImageUse {
    const use: ImageUse = {
      image: imageString(value),
      kind: this.doc.kind ?? '',
      name: this.doc.name ?? '',
      field
    }
    if (container !== undefined) use.container = container
    if (this.doc.source !== undefined) use.source = this.doc.source
    return use
  }

  add(value: unknown, field: string, container?: string): void {
    if (this.covered.has(field)) return
    this.covered.add(field)
    this.out.push(this.use(value, field, container))
  }

  /** `containers`-style list: every element with an `image` key. */
  containerList(list: unknown, prefix: string): void {
    if (!Array.isArray(list)) return
    list.forEach((c, i) => {
      if (isRecord(c) && 'image' in c) {
        this.add(c.image, `${prefix}[${i}].image`, typeof c.name === 'string' ? c.name : undefined)
      }
    })
  }

  /**
   * Every pod spec the document embeds, wherever it stands (a Deployment's `spec.template.spec`, a CronJob's job
   * template, a custom resource's pod template): a mapping with a `containers`, `initContainers` or
   * `ephemeralContainers` list.
   */
  podSpecs(value: unknown, path: string): void {
    if (Array.isArray(value)) {
      value.forEach((el, i) => {
        if (typeof el === 'object' && el !== null) this.podSpecs(el, `${path}[${i}]`)
      })
      return
    }
    if (!isRecord(value)) return
    for (const list of CONTAINER_LISTS) {
      if (Array.isArray(value[list])) this.containerList(value[list], fieldSegment(path, list))
    }
    for (const key of Object.keys(value)) {
      if (path === '' && key === 'metadata') continue
      const v = value[key]
      if (typeof v === 'object' && v !== null) this.podSpecs(v, fieldSegment(path, key))
    }
  }

  argoWorkflowSpec(spec: unknown, prefix: string): void {
    const templates = child(spec, 'templates')
    if (!Array.isArray(templates)) return
    templates.forEach((t, i) => {
      if (!isRecord(t)) return
      const p = `${prefix}.templates[${i}]`
      const tname = typeof t.name === 'string' ? t.name : undefined
      for (const key of ['container', 'script'] as const) {
        const c = t[key]
        if (isRecord(c) && 'image' in c)
          this.add(c.image, `${p}.${key}.image`, typeof c.name === 'string' ? c.name : tname)
      }
      this.containerList(t.initContainers, `${p}.initContainers`)
      this.containerList(t.sidecars, `${p}.sidecars`)
      this.containerList(child(t, 'containerSet', 'containers'), `${p}.containerSet.containers`)
    })
  }

  /** The value(s) at an image field's path (`[]`: every element of that list). */
  field(node: unknown, segments: readonly string[], path: string): void {
    if (segments.length === 0) {
      if (node !== undefined && (typeof node === 'string' || node === null)) this.add(node, path)
      return
    }
    const [segment, ...rest] = segments
    const each = segment.endsWith('[]')
    const key = each ? segment.slice(0, -2) : segment
    if (!isRecord(node) || !(key in node)) return
    const value = node[key]
    const at = fieldSegment(path, key)
    if (!each) this.field(value, rest, at)
    else if (Array.isArray(value)) value.forEach((el, i) => this.field(el, rest, `${at}[${i}]`))
  }

  /** String `image`/`imageName` fields no rule above judged (metadata is skipped): listed as not judged. */
  unjudged(value: unknown, path: string, parentName: string | undefined, into: ImageUse[]): void {
    if (Array.isArray(value)) {
      value.forEach((el, i) => {
        if (typeof el === 'object' && el !== null) {
          const name = isRecord(el) && typeof el.name === 'string' ? el.name : undefined
          this.unjudged(el, `${path}[${i}]`, name, into)
        }
      })
      return
    }
    if (!isRecord(value)) return
    for (const key of Object.keys(value)) {
      if (path === '' && key === 'metadata') continue
      const v = value[key]
      const field = fieldSegment(path, key)
      if (typeof v === 'string') {
        if (IMAGE_LIKE_KEYS.has(key) && !this.covered.has(field)) into.push(this.use(v, field, parentName))
      } else if (typeof v === 'object' && v !== null) {
        this.unjudged(v, field, undefined, into)
      }
    }
  }
}

/** The images a render uses, and the fields named like one that hold no container image as far as it knows. */
export interface ImageScan {
  /** Judged by the policy: pod specs, Argo templates, the documented and input image fields. */
  uses: ImageUse[]
  /** `image`/`imageName` fields of no known image field (e.g. a Crossplane Server's OS image name): not judged. */
  notJudged: ImageUse[]
}

/**
 * Every container image of a rendered chart, with where it stands (kind/name/container/field/template): the
 * containers of every embedded pod spec, Argo Workflows templates, DOCUMENTED_IMAGE_FIELDS and `fields` (input
 * image-fields). Any other `image`/`imageName` value is listed as not judged.
 */
export function scanImages(docs: readonly RenderedDocument[], fields: readonly ImageField[] = []): ImageScan {
  const uses: ImageUse[] = []
  const notJudged: ImageUse[] = []
  const known = [...DOCUMENTED_IMAGE_FIELDS, ...fields]
  for (const doc of docs) {
    const o = doc.object
    if (!isRecord(o)) continue
    const kind = doc.kind ?? (typeof o.kind === 'string' ? o.kind : '')
    const apiVersion = doc.apiVersion ?? (typeof o.apiVersion === 'string' ? o.apiVersion : '')
    const c = new Collector(doc, uses)
    if (group(apiVersion) === 'argoproj.io') {
      if (ARGO_KINDS.has(kind)) c.argoWorkflowSpec(o.spec, 'spec')
      else if (kind === 'CronWorkflow') c.argoWorkflowSpec(child(o.spec, 'workflowSpec'), 'spec.workflowSpec')
    }
    c.podSpecs(o, '')
    for (const field of known) {
      if (fieldApplies(field, apiVersion, kind)) c.field(o, field.path.split('.'), '')
    }
    c.unjudged(o, '', undefined, notJudged)
  }
  return { uses, notJudged }
}

/** Every container image of a rendered chart (see {@link scanImages}). */
export function extractImages(docs: readonly RenderedDocument[], fields: readonly ImageField[] = []): ImageUse[] {
  return scanImages(docs, fields).uses
}

// ---------------------------------------------------------------- policy

const COMMIT_SHA_TAG_RE = /^(?:sha-)?(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}$/

/** True for a tag that names a git commit: 7–40 lowercase hex with a letter, optionally `sha-`-prefixed. */
export function isCommitShaTag(tag: string): boolean {
  return COMMIT_SHA_TAG_RE.test(tag)
}

interface CompiledPattern {
  pattern: string
  name: RegExp
  tag?: RegExp
  digest?: string
  all: boolean
}

function globToRegexSource(glob: string): string {
  return glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*')
}

function compilePattern(pattern: string): CompiledPattern | undefined {
  let p = pattern.trim()
  if (p === '') return undefined
  if (p === '**') return { pattern, name: /^/, all: true }
  let digest: string | undefined
  const at = p.indexOf('@')
  if (at !== -1) {
    digest = p.slice(at + 1)
    p = p.slice(0, at)
  }
  let tag: string | undefined
  const colon = p.lastIndexOf(':')
  if (colon !== -1 && colon > p.lastIndexOf('/')) {
    tag = p.slice(colon + 1)
    p = p.slice(0, colon)
  }
  // Domain normalisation as for references (a segment with a wildcard is a domain only if it has `.` or `:`).
  const slash = p.indexOf('/')
  let domain = DEFAULT_DOMAIN
  let path = p
  if (slash !== -1) {
    const first = p.slice(0, slash)
    if (first === 'localhost' || /[.:]/.test(first) || (first.toLowerCase() !== first && !first.includes('*'))) {
      domain = first.toLowerCase() === 'index.docker.io' ? DEFAULT_DOMAIN : first
      path = p.slice(slash + 1)
    }
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/') && path !== '**') path = `library/${path}`
  const segs = path.split('/')
  let src = ''
  segs.forEach((seg, i) => {
    const last = i === segs.length - 1
    if (seg === '**') src += last ? '(?:/[^/]+)+' : '(?:/[^/]+)*'
    else src += `/${globToRegexSource(seg)}`
  })
  const compiled: CompiledPattern = {
    pattern,
    name: new RegExp(`^${globToRegexSource(domain.toLowerCase())}${src}$`),
    all: false
  }
  if (tag !== undefined) compiled.tag = new RegExp(`^${globToRegexSource(tag)}$`)
  if (digest !== undefined) compiled.digest = digest
  return compiled
}

const patternCache = new Map<string, CompiledPattern | undefined>()

function compiled(pattern: string): CompiledPattern | undefined {
  if (patternCache.has(pattern)) return patternCache.get(pattern)
  const c = compilePattern(pattern)
  if (patternCache.size > 1000) patternCache.clear()
  patternCache.set(pattern, c)
  return c
}

function matchCompiled(ref: ImageRef, c: CompiledPattern): boolean {
  if (c.all) return true
  if (!c.name.test(`${ref.domain.toLowerCase()}/${ref.path}`)) return false
  if (c.tag && (ref.tag === undefined || !c.tag.test(ref.tag))) return false
  if (c.digest !== undefined && ref.digest !== c.digest) return false
  return true
}

/** One line of input image-allowlist: a pattern (see file header) and why it is allowed. */
export interface AllowlistEntry {
  pattern: string
  reason: string
}

/** Whether an allowlist pattern (see file header) covers the image. */
export function matchesPattern(ref: ImageRef, pattern: string): boolean {
  const c = compiled(pattern)
  return c !== undefined && matchCompiled(ref, c)
}

function sha256Digest(ref: ImageRef): boolean {
  return ref.digest !== undefined && ref.digest.startsWith('sha256:')
}

function judge(ref: ImageRef, policy: ImagePolicy): { ok: boolean; reason: string } {
  const digestNote = ref.digest && !sha256Digest(ref) ? ` (digest ${ref.digest.split(':')[0]} is not sha256)` : ''
  switch (policy) {
    case 'off':
      return { ok: true, reason: 'image policy is off' }
    case 'digest':
      if (sha256Digest(ref)) return { ok: true, reason: 'pinned by sha256 digest' }
      return { ok: false, reason: `not pinned by a sha256 digest${digestNote}` }
    case 'sha':
      if (sha256Digest(ref)) return { ok: true, reason: 'pinned by sha256 digest' }
      if (ref.tag !== undefined && isCommitShaTag(ref.tag))
        return { ok: true, reason: `tag ${ref.tag} is a commit SHA` }
      if (ref.tag === undefined) return { ok: false, reason: `no tag and no sha256 digest (means latest)${digestNote}` }
      return { ok: false, reason: `tag ${ref.tag} is neither a sha256 digest nor a commit SHA${digestNote}` }
    case 'no-latest':
      if (ref.digest !== undefined) return { ok: true, reason: 'pinned by digest' }
      if (ref.tag === undefined) return { ok: false, reason: 'no tag (means latest)' }
      if (ref.tag === 'latest') return { ok: false, reason: 'tag is latest' }
      return { ok: true, reason: `tagged ${ref.tag}` }
  }
}

/** Applies the policy and the allowlist to every use. */
export function checkImages(uses: ImageUse[], policy: ImagePolicy, allowlist: string[]): ImageVerdict[] {
  const patterns = allowlist.map(compiled).filter((c): c is CompiledPattern => c !== undefined)
  const cache = new Map<string, Omit<ImageVerdict, 'use'>>()
  return uses.map((use) => {
    let v = cache.get(use.image)
    if (!v) {
      v = verdictFor(use.image, policy, patterns)
      cache.set(use.image, v)
    }
    return { use, ...v }
  })
}

function verdictFor(image: string, policy: ImagePolicy, patterns: CompiledPattern[]): Omit<ImageVerdict, 'use'> {
  let ref: ImageRef
  try {
    ref = parseImageRef(image)
  } catch (e) {
    if (policy === 'off') return { ok: true, reason: 'image policy is off' }
    const reason = image.trim() === '' ? 'image is empty' : e instanceof ImageRefError ? e.reason : String(e)
    return { ok: false, reason }
  }
  const j = judge(ref, policy)
  if (!j.ok) {
    const allowed = patterns.find((p) => matchCompiled(ref, p))
    if (allowed) return { ref, ok: true, reason: `allowed by pattern ${allowed.pattern}`, allowedBy: allowed.pattern }
  }
  return { ref, ...j }
}

// ---------------------------------------------------------------- findings

const MAX_LISTED_USES = 5

function describeUse(u: ImageUse): string {
  let s = `${u.kind || 'document'}/${u.name || '?'}`
  if (u.container) s += ` container ${u.container}`
  if (u.source) s += ` (${u.source})`
  return s
}

function fixFor(v: ImageVerdict, policy: ImagePolicy): string {
  const ref = v.ref
  if (!ref) {
    return 'Set a valid image reference, e.g. `registry/repo:tag@sha256:<digest>`.'
  }
  const base = ref.familiar
  const withTag = ref.tag !== undefined ? `${base}:${ref.tag}` : `${base}:<tag>`
  const pinned = `${withTag}@sha256:<digest>`
  const lookup =
    ref.tag !== undefined
      ? ` (get the digest with \`docker buildx imagetools inspect ${base}:${ref.tag}\` or \`crane digest ${base}:${ref.tag}\`)`
      : ''
  if (policy === 'no-latest') {
    return `Use an explicit version tag instead of latest, e.g. \`${base}:<version>\`, or pin by digest: \`${pinned}\`.`
  }
  const shaTag = policy === 'sha' ? `, use a commit-SHA tag (\`${base}:<7-40 hex>\`)` : ''
  return `Pin by digest: \`${pinned}\`${lookup}${shaTag}, or add a pattern for it to the image allowlist.`
}

/** Failing verdicts grouped by image reference (normalized), in order of first use. */
export function groupFailing(verdicts: readonly ImageVerdict[]): ImageVerdict[][] {
  const groups = new Map<string, ImageVerdict[]>()
  for (const v of verdicts) {
    if (v.ok) continue
    const key = v.ref ? v.ref.canonical : `raw:${v.use.image}`
    const list = groups.get(key)
    if (list) list.push(v)
    else groups.set(key, [v])
  }
  return [...groups.values()]
}

/** The error for one group of uses of the same failing image, listing where it is used. */
function imageFinding(group: readonly ImageVerdict[], policy: ImagePolicy): Finding {
  const first = group[0]
  const uses: string[] = []
  const seen = new Set<string>()
  for (const v of group) {
    const d = describeUse(v.use)
    if (!seen.has(d)) {
      seen.add(d)
      uses.push(d)
    }
  }
  const shown = uses.slice(0, MAX_LISTED_USES).join('; ')
  const more = uses.length > MAX_LISTED_USES ? `; and ${uses.length - MAX_LISTED_USES} more` : ''
  const shownImage = first.use.image === '' ? '(empty)' : first.use.image
  const finding: Finding = {
    rule: 'image-pinned',
    severity: 'error',
    message: `Image ${shownImage} does not satisfy image policy "${policy}": ${first.reason}. Used by ${shown}${more}.`,
    fix: fixFor(first, policy)
  }
  const source = group.find((v) => v.use.source !== undefined)?.use.source
  if (source !== undefined) finding.file = source
  return finding
}

/** One error per distinct failing image reference, listing where it is used. */
export function imageFindings(verdicts: ImageVerdict[], policy: ImagePolicy): Finding[] {
  return groupFailing(verdicts).map((group) => imageFinding(group, policy))
}
