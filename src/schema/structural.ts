// A rendered object checked against a structural schema, as the API server reads it with strict field validation
// (what `kubectl apply` asks for, and kubeconform -strict does offline): an unknown field is an error; types,
// enums and required fields are checked; int-or-string, x-kubernetes-preserve-unknown-fields, embedded resources and
// maps (additionalProperties) are honoured. Pure: built-in kinds (schema/builtin.ts) and CRD versions
// (schema/crd.ts) are both read into `Schema`; value constraints (pattern, minimum, CEL rules, …) are the API
// server's business and not judged here.
import { isRecord } from '../util/text.js'

export type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean'

/** The part of an OpenAPI schema the checks read. A built-in definition is resolved lazily (`resolve`). */
export interface Schema {
  type?: SchemaType
  properties?: Record<string, Schema>
  required?: readonly string[]
  /** A map's values (`true`: any value; absent or `false`: no field outside `properties`). */
  additionalProperties?: Schema | boolean
  items?: Schema
  enum?: readonly unknown[]
  /** Any JSON value (x-kubernetes-preserve-unknown-fields without properties, RawExtension, JSON). */
  any?: boolean
  intOrString?: boolean
  /** Unknown fields are kept: only the declared properties are checked. */
  preserveUnknownFields?: boolean
  /** x-kubernetes-embedded-resource: apiVersion, kind and metadata are allowed beside the declared properties. */
  embeddedResource?: boolean
  /** A union the source could not narrow (a value passes when it passes one of them). */
  anyOf?: readonly Schema[]
  /** A definition resolved on first use (built-in kinds). */
  resolve?: () => Schema
}

/** A path into the object: keys of maps, indexes of lists. */
export type FieldPath = readonly (string | number)[]

export interface SchemaProblem {
  path: FieldPath
  /** `unknown field`, `required field missing`, `expected integer, got string "two"`, … */
  message: string
  kind: 'unknown-field' | 'type' | 'enum' | 'required'
  /** The value found (type and enum problems). */
  value?: unknown
}

/** What an object's metadata is checked against (ObjectMeta), for embedded resources and custom resources. */
export interface CheckOptions {
  objectMeta?: Schema
  /** At most this many problems per object (a wholly wrong object stays readable). */
  limit?: number
}

const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/

/** `spec.template.spec.containers[0].image`, `metadata.annotations["a.b/c"]`. */
export function formatPath(path: FieldPath): string {
  let out = ''
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (SIMPLE_KEY.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out === '' ? '(root)' : out
}

function describeValue(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'a list'
  if (typeof value === 'object') return 'an object'
  if (typeof value === 'string') {
    const text = value.length > 40 ? `${value.slice(0, 37)}...` : value
    return `string ${JSON.stringify(text)}`
  }
  return `${typeof value} ${String(value)}`
}

function typeMatches(type: SchemaType, value: unknown): boolean {
  switch (type) {
    case 'object':
      return isRecord(value)
    case 'array':
      return Array.isArray(value)
    case 'string':
      return typeof value === 'string'
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value)
    case 'number':
      return typeof value === 'number'
    case 'boolean':
      return typeof value === 'boolean'
  }
}

const EMBEDDED_FIELDS = new Set(['apiVersion', 'kind', 'metadata'])

class Checker {
  readonly problems: SchemaProblem[] = []

  constructor(private readonly options: CheckOptions) {}

  private add(problem: SchemaProblem): void {
    if (this.problems.length < (this.options.limit ?? 50)) this.problems.push(problem)
  }

  /** True when nothing was found (for anyOf branches, checked on a scratch checker). */
  check(value: unknown, schema: Schema, path: (string | number)[]): void {
    const s = schema.resolve ? schema.resolve() : schema
    // The API server reads a null field as unset.
    if (value === null || value === undefined || s.any) return
    if (s.anyOf && s.anyOf.length > 0) {
      for (const branch of s.anyOf) {
        const scratch = new Checker(this.options)
        scratch.check(value, branch, path)
        if (scratch.problems.length === 0) return
      }
      this.add({ path, kind: 'type', value, message: `${describeValue(value)} matches none of the allowed types` })
      return
    }
    if (s.intOrString) {
      if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return
      this.add({ path, kind: 'type', value, message: `expected an integer or a string, got ${describeValue(value)}` })
      return
    }
    if (s.type && !typeMatches(s.type, value)) {
      this.add({ path, kind: 'type', value, message: `expected ${s.type}, got ${describeValue(value)}` })
      return
    }
    if (s.enum && s.enum.length > 0 && !s.enum.some((allowed) => allowed === value)) {
      const allowed = s.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ')
      this.add({ path, kind: 'enum', value, message: `${describeValue(value)} is not one of: ${allowed}` })
      return
    }
    if (Array.isArray(value)) {
      if (s.items) value.forEach((item, i) => this.check(item, s.items!, [...path, i]))
      return
    }
    if (isRecord(value)) this.object(value, s, path)
  }

  private object(value: Record<string, unknown>, s: Schema, path: (string | number)[]): void {
    const properties = s.properties ?? {}
    for (const name of s.required ?? []) {
      if (value[name] === undefined || value[name] === null)
        this.add({ path: [...path, name], kind: 'required', message: 'required field missing' })
    }
    for (const [key, item] of Object.entries(value)) {
      const declared = Object.prototype.hasOwnProperty.call(properties, key) ? properties[key] : undefined
      if (declared) {
        this.check(item, declared, [...path, key])
        continue
      }
      if (s.embeddedResource && EMBEDDED_FIELDS.has(key)) {
        if (key === 'metadata' && this.options.objectMeta) this.check(item, this.options.objectMeta, [...path, key])
        continue
      }
      const extra = s.additionalProperties
      if (typeof extra === 'object') this.check(item, extra, [...path, key])
      else if (extra === true || s.preserveUnknownFields) continue
      else if (s.type === 'object' || s.properties !== undefined)
        this.add({ path: [...path, key], kind: 'unknown-field', message: 'unknown field' })
    }
  }
}

/** Every problem of `value` against `schema` (at most `options.limit`, default 50), in document order. */
export function checkAgainst(value: unknown, schema: Schema, options: CheckOptions = {}): SchemaProblem[] {
  const checker = new Checker(options)
  checker.check(value, schema, [])
  return checker.problems
}
