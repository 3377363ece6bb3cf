// Compares two renders of a chart (the PR's base and its head) resource by
// resource. Pure: no I/O. What a reviewer must not be distracted by (labels
// that only carry the chart version, checksum annotations) is aligned before
// comparing and counted apart; Secret values never leave this module.
import { createTwoFilesPatch } from 'diff'
import { yamlLibrary } from '../util/yaml-lib.js'
import { extractImages, type ImageField } from '../images/images.js'
import type { RenderedDocument } from '../types.js'
import type { ImageChange, ResourceChange, RenderComparison } from './types.js'
import { compareNatural, isRecord } from '../util/text.js'
import { mapStringsDeep } from '../util/secrets.js'

type Obj = Record<string, unknown>

/** Label/annotation keys whose value is the chart's (or app's) version: they change on every bump. */
const VERSION_KEYS = new Set(['helm.sh/chart', 'app.kubernetes.io/version', 'chart'])

/** True for metadata keys that carry no change of their own (the version labels, `checksum/*` annotations). */
function isNoiseKey(key: string): boolean {
  return VERSION_KEYS.has(key) || key.startsWith('checksum/')
}

/** Placeholders shown instead of Secret values: the same text on both sides unless the value changed. */
export const SECRET_HIDDEN = '(hidden)'
export const SECRET_CHANGED = '(hidden, changed)'

/** `apps` for `apps/v1`, `` (core) for `v1`. */
export function apiGroup(apiVersion: string | undefined): string {
  if (!apiVersion) return ''
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? '' : apiVersion.slice(0, slash)
}

interface Keyed {
  key: string
  group: string
  kind: string
  namespace: string
  name: string
  object: Obj
}

/**
 * The identity of a resource in a cluster: API group, kind, namespace, name (not the API version). A namespace that
 * is the render's own (`--namespace`, the release's) is the release's, like none: it is not the action's name for it
 * that a reader should see, and a resource is the same whether its template names the release namespace or not.
 */
function resourceKey(
  doc: RenderedDocument,
  releaseNamespace: string | undefined
): Omit<Keyed, 'object' | 'key'> & { key: string } {
  const group = apiGroup(doc.apiVersion)
  const kind = doc.kind ?? ''
  const namespace = doc.namespace && doc.namespace !== releaseNamespace ? doc.namespace : ''
  const name = doc.name ?? ''
  return { key: `${group}/${kind}/${namespace}/${name}`, group, kind, namespace, name }
}

function index(docs: readonly RenderedDocument[], releaseNamespace: string | undefined): Map<string, Keyed> {
  const out = new Map<string, Keyed>()
  for (const doc of docs) {
    const id = resourceKey(doc, releaseNamespace)
    // The same resource twice in one render (helm would apply the last): keep both, numbered.
    let key = id.key
    for (let n = 2; out.has(key); n++) key = `${id.key}#${n}`
    out.set(key, { ...id, key, object: doc.object })
  }
  return out
}

/** The object without `metadata.namespace` when it is the render's own (the release's: see resourceKey). */
function withoutReleaseNamespace(object: Obj, releaseNamespace: string | undefined): Obj {
  const metadata = object.metadata
  if (releaseNamespace && isRecord(metadata) && metadata.namespace === releaseNamespace) delete metadata.namespace
  return object
}

/** A deep copy of plain JSON data. */
function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T)
}

/**
 * Gives `base` the head's value for every noise key present on both sides
 * (in any `labels`/`annotations` map, at the same path), so only real changes
 * remain. Returns how many values differed.
 */
function alignNoise(base: unknown, head: unknown): number {
  let count = 0
  if (Array.isArray(base) && Array.isArray(head)) {
    for (let i = 0; i < Math.min(base.length, head.length); i++) count += alignNoise(base[i], head[i])
    return count
  }
  if (!isRecord(base) || !isRecord(head)) return 0
  for (const key of Object.keys(base)) {
    if (!(key in head)) continue
    const b = base[key]
    const h = head[key]
    if ((key === 'labels' || key === 'annotations') && isRecord(b) && isRecord(h)) {
      for (const k of Object.keys(b)) {
        if (isNoiseKey(k) && k in h && JSON.stringify(b[k]) !== JSON.stringify(h[k])) {
          b[k] = h[k]
          count++
        }
      }
    }
    count += alignNoise(b, h)
  }
  return count
}

const isSecret = (r: Keyed): boolean => r.group === '' && r.kind === 'Secret'

/**
 * Replaces every value of a Secret's `data`/`stringData` with a placeholder
 * (changed values get a different one, so the diff shows the key) and says
 * which keys were added, removed or changed.
 */
function hideSecretValues(base: Obj | undefined, head: Obj | undefined): NonNullable<ResourceChange['secretKeys']> {
  const keys = { added: [] as string[], removed: [] as string[], changed: [] as string[] }
  for (const field of ['data', 'stringData']) {
    const b = isRecord(base?.[field]) ? base[field] : undefined
    const h = isRecord(head?.[field]) ? head[field] : undefined
    const label = (k: string): string => (field === 'data' ? k : `${field}.${k}`)
    for (const k of Object.keys(h ?? {})) {
      if (!b || !(k in b)) {
        if (base) keys.added.push(label(k))
      } else if (JSON.stringify(b[k]) !== JSON.stringify(h![k])) keys.changed.push(label(k))
    }
    for (const k of Object.keys(b ?? {})) if (head && (!h || !(k in h))) keys.removed.push(label(k))
    if (b) for (const k of Object.keys(b)) b[k] = SECRET_HIDDEN
    if (h) {
      for (const k of Object.keys(h)) {
        h[k] = b && k in b && keys.changed.includes(label(k)) ? SECRET_CHANGED : SECRET_HIDDEN
      }
    }
  }
  return keys
}

/** YAML of a resource for diffs: keys sorted (their order means nothing to Kubernetes), no line folding. */
function resourceYaml(object: unknown): string {
  if (object === undefined) return ''
  return yamlLibrary().stringify(object, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false })
}

/**
 * Changed lines the line diff looks for before it gives up on a resource: Myers' algorithm costs about
 * (lines × changes), so a resource rewritten whole (a 50,000-line ConfigMap) would take minutes of the run's time.
 */
const MAX_EDIT_LENGTH = 2_000

/**
 * Past the deadline, small resources (up to SMALL_LINES lines on both sides together) are still diffed for at most
 * SMALL_GRACE_MS more in all: their diff costs little, and is all a reviewer needs of them.
 */
const SMALL_LINES = 1_000
const SMALL_GRACE_MS = 1_000

const lineCount = (text: string): number => (text === '' ? 0 : text.replace(/\n$/, '').split('\n').length)

/** A unified diff of `before` replaced by `after` as a whole (one hunk): linear, whatever their size. */
function wholeReplacement(label: string, before: string, after: string): string {
  const lines = (text: string): string[] => (text === '' ? [] : text.replace(/\n$/, '').split('\n'))
  const [b, a] = [lines(before), lines(after)]
  const range = (n: number): string => (n === 0 ? '0,0' : `1,${n}`)
  const body = [...b.map((line) => `-${line}`), ...a.map((line) => `+${line}`)]
  return [`--- a/${label}`, `+++ b/${label}`, `@@ -${range(b.length)} +${range(a.length)} @@`, ...body, ''].join('\n')
}

/**
 * A unified diff without the `===` banner line the diff library starts with; when the diff library gives up (more
 * than MAX_EDIT_LENGTH changed lines, or past `deadline`), the two sides whole, marked `tooLarge`.
 */
function unified(
  label: string,
  before: string,
  after: string,
  context: number,
  deadline: number | undefined
): { diff: string; tooLarge?: ResourceChange['tooLarge'] } {
  const small = deadline !== undefined && lineCount(before) + lineCount(after) <= SMALL_LINES
  const until = deadline === undefined ? undefined : small ? deadline + SMALL_GRACE_MS : deadline
  const timeout = until === undefined ? undefined : Math.floor(until - performance.now())
  const patch =
    timeout !== undefined && timeout <= 0
      ? undefined
      : createTwoFilesPatch(`a/${label}`, `b/${label}`, before, after, undefined, undefined, {
          context,
          maxEditLength: MAX_EDIT_LENGTH,
          ...(timeout !== undefined ? { timeout } : {})
        })
  if (patch !== undefined) return { diff: patch.replace(/^=+\n/, '') }
  return {
    diff: wholeReplacement(label, before, after),
    tooLarge: { before: lineCount(before), after: lineCount(after) }
  }
}

function countLines(diff: string): { added: number; removed: number } {
  let added = 0
  let removed = 0
  for (const line of diff.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++')) added++
    else if (line.startsWith('-') && !line.startsWith('---')) removed++
  }
  return { added, removed }
}

/** `temporalio/server` of `temporalio/server:1.28.1@sha256:…`. */
export function imageRepository(image: string): string {
  const noDigest = image.replace(/@.*$/, '')
  const slash = noDigest.lastIndexOf('/')
  const colon = noDigest.lastIndexOf(':')
  return colon > slash ? noDigest.slice(0, colon) : noDigest
}

/** `digest`, `tag`, or `untagged` (neither: the runtime pulls `latest`). */
function pinStatus(image: string): ImageChange['pin'][number] {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return 'digest'
  const name = image.replace(/@.*$/, '')
  return name.lastIndexOf(':') > name.lastIndexOf('/') ? 'tag' : 'untagged'
}

/** Images by repository whose set of references differs between the renders. */
export function compareImages(
  base: readonly RenderedDocument[],
  head: readonly RenderedDocument[],
  imageFields: readonly ImageField[] = []
): ImageChange[] {
  const byRepo = (docs: readonly RenderedDocument[]): Map<string, Set<string>> => {
    const out = new Map<string, Set<string>>()
    for (const use of extractImages(docs, imageFields)) {
      const repo = imageRepository(use.image)
      if (!out.has(repo)) out.set(repo, new Set())
      out.get(repo)!.add(use.image)
    }
    return out
  }
  const before = byRepo(base)
  const after = byRepo(head)
  const changes: ImageChange[] = []
  for (const repo of [...new Set([...before.keys(), ...after.keys()])].sort(compareNatural)) {
    const b = [...(before.get(repo) ?? [])].sort(compareNatural)
    const a = [...(after.get(repo) ?? [])].sort(compareNatural)
    if (b.join('\n') === a.join('\n')) continue
    changes.push({ repository: repo, before: b, after: a, pin: a.map(pinStatus) })
  }
  return changes
}

export interface CompareOptions {
  /** Lines of context in each diff (default 3). */
  context?: number
  /**
   * Applied to every string of both renders (keys too) before they are compared and written as YAML: secret
   * values are taken out of the data, so that no quoting or escaping of the YAML can carry them (util/secrets.ts).
   */
  redact?: (text: string) => string
  /** Input image-fields: custom-resource fields judged as images (images/images.ts scanImages). */
  imageFields?: readonly ImageField[]
  /**
   * performance.now() by which the line diffs must be done (the diff runs on the main thread: it must not take the
   * run's time). A resource not diffed by then, or with more than MAX_EDIT_LENGTH changed lines, is shown removed
   * and added whole (`ResourceChange.tooLarge`): linear in its size.
   */
  deadline?: number
  /** The namespace both sides were rendered in (`--namespace`): shown as none (the release's). */
  releaseNamespace?: string
}

/**
 * Compares the base render with the head render. Added and removed resources
 * get a diff from/to nothing; unchanged ones (after noise alignment) none.
 */
export function compareRenders(
  baseRender: readonly RenderedDocument[],
  headRender: readonly RenderedDocument[],
  options: CompareOptions = {}
): RenderComparison {
  const context = options.context ?? 3
  const { redact } = options
  const redacted = (docs: readonly RenderedDocument[]): readonly RenderedDocument[] =>
    redact ? docs.map((doc) => mapStringsDeep(doc, redact)) : docs
  const base = redacted(baseRender)
  const head = redacted(headRender)
  const before = index(base, options.releaseNamespace)
  const after = index(head, options.releaseNamespace)
  const resources: ResourceChange[] = []
  let unchanged = 0
  let noiseOnly = 0
  let noiseFields = 0
  const keys = [...new Set([...before.keys(), ...after.keys()])].sort(compareNatural)
  for (const key of keys) {
    const b = before.get(key)
    const h = after.get(key)
    const id = (h ?? b)!
    const baseObject = b ? withoutReleaseNamespace(clone(b.object), options.releaseNamespace) : undefined
    const headObject = h ? withoutReleaseNamespace(clone(h.object), options.releaseNamespace) : undefined
    let noise = 0
    if (baseObject && headObject) {
      const rawEqual = JSON.stringify(b!.object) === JSON.stringify(h!.object)
      if (rawEqual) {
        unchanged++
        continue
      }
      noise = alignNoise(baseObject, headObject)
    }
    const secretKeys = isSecret(id) ? hideSecretValues(baseObject, headObject) : undefined
    const beforeText = resourceYaml(baseObject)
    const afterText = resourceYaml(headObject)
    if (baseObject && headObject && beforeText === afterText) {
      unchanged++
      if (noise > 0) {
        noiseOnly++
        noiseFields += noise
      }
      continue
    }
    noiseFields += noise
    const duplicate = key.includes('#') ? key.slice(key.indexOf('#')) : ''
    const label = [id.kind, id.namespace, id.name].filter(Boolean).join('/') + duplicate
    // An added or removed resource is one side whole: no line diff to compute (linear whatever its size).
    const { diff, tooLarge } =
      b && h
        ? unified(label, beforeText, afterText, context, options.deadline)
        : { diff: wholeReplacement(label, beforeText, afterText), tooLarge: undefined }
    const change: ResourceChange = {
      change: !b ? 'added' : !h ? 'removed' : 'changed',
      group: id.group,
      kind: id.kind,
      namespace: id.namespace,
      name: id.name,
      lines: countLines(diff),
      diff
    }
    if (tooLarge) change.tooLarge = tooLarge
    if (secretKeys && change.change === 'changed') change.secretKeys = secretKeys
    if (secretKeys && change.change !== 'changed') {
      const whole = (headObject ?? baseObject)!
      const fields = ['data', 'stringData'].flatMap((f) =>
        isRecord(whole[f]) ? Object.keys(whole[f]).map((k) => (f === 'data' ? k : `${f}.${k}`)) : []
      )
      const added = change.change === 'added'
      change.secretKeys = { added: added ? fields : [], removed: added ? [] : fields, changed: [] }
    }
    resources.push(change)
  }
  const count = (c: ResourceChange['change']): number => resources.filter((r) => r.change === c).length
  return {
    counts: { added: count('added'), removed: count('removed'), changed: count('changed'), unchanged },
    noise: { resources: noiseOnly, fields: noiseFields },
    resources,
    images: compareImages(base, head, options.imageFields)
  }
}

/** The whole diff as one text (what output `diff` points to). */
export function diffFileText(comparison: RenderComparison, header: string): string {
  const parts = [header.endsWith('\n') ? header : `${header}\n`]
  for (const r of comparison.resources) parts.push(r.diff.endsWith('\n') ? r.diff : `${r.diff}\n`)
  return parts.join('')
}
