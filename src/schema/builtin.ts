// The built-in kinds' schemas of one Kubernetes minor, from the data scripts/kube-schemas.mjs generated
// (schema/data/kubernetes-<minor>.ts, each a chunk of dist/ of its own, loaded only when a run asks for that minor).
// A definition is JSON text, parsed and turned into a `Schema` only when a rendered kind reaches it.
import type { KubeVersion } from './kube-versions.js'
import type { Schema } from './structural.js'

/** The compact form of a definition (scripts/kube-schemas.mjs says what each shape means). */
type Compact =
  | string
  | { enum: unknown[] }
  | { items: Compact }
  | { values: Compact }
  | { anyOf: Compact[] }
  | { properties: Record<string, Compact>; required?: string[] }

interface SchemaData {
  kubernetes: string
  origin: string
  kinds: Record<string, string>
  types: Record<string, string>
}

/** The minors whose schemas ship, and the module of each. */
const DATA: Record<string, () => Promise<SchemaData>> = {
  '1.33': () => import('./data/kubernetes-1.33.js'),
  '1.36': () => import('./data/kubernetes-1.36.js')
}

export const SHIPPED_MINORS: readonly string[] = Object.keys(DATA)

/**
 * The shipped schemas' minor used for a release: the oldest shipped one not older than it, else the newest. Between
 * two shipped releases the newer one's schemas are used: a field added in between is accepted rather than flagged
 * (the API versions a release serves come from the table below, not from the schemas).
 */
export function schemaMinorFor(version: KubeVersion): string {
  const shipped = SHIPPED_MINORS.map((m) => ({ text: m, minor: Number(m.split('.')[1]) })).sort(
    (a, b) => a.minor - b.minor
  )
  const fit = shipped.find((m) => m.minor >= version.minor)
  return (fit ?? shipped[shipped.length - 1]).text
}

export interface BuiltinSchemas {
  /** `v1.36.0`: the release the schemas are of. */
  kubernetes: string
  /** The npm packages they were generated from. */
  origin: string
  /** The schema of `apiVersion` + `kind`, or undefined when this release has no such kind. */
  kind(apiVersion: string, kind: string): Schema | undefined
  /** Every apiVersion (group/version) that has some kind here. */
  apiVersions(): ReadonlySet<string>
  /** The apiVersions serving `kind`. */
  versionsOf(kind: string): string[]
  objectMeta: Schema
}

function builtinSchemas(data: SchemaData): BuiltinSchemas {
  const resolved = new Map<string, Schema>()
  const definition = (name: string): Schema => {
    let schema = resolved.get(name)
    if (schema) return schema
    const text = data.types[name]
    // A reference the source leaves undefined: accept anything rather than flag what the API accepts.
    schema = text === undefined ? { any: true } : {}
    resolved.set(name, schema)
    if (text !== undefined) Object.assign(schema, fromCompact(JSON.parse(text) as Compact))
    return schema
  }
  const reference = (name: string): Schema => ({ resolve: () => definition(name) })
  const fromCompact = (c: Compact): Schema => {
    if (typeof c === 'string') {
      switch (c) {
        case 'string':
        case 'boolean':
          return { type: c }
        // The declarations do not tell int32 from double: any number is accepted where a number belongs.
        case 'number':
          return { type: 'number' }
        case 'any':
          return { any: true }
        case 'int-or-string':
          return { intOrString: true }
        default:
          return reference(c)
      }
    }
    if ('enum' in c) return { type: 'string', enum: c.enum }
    if ('items' in c) return { type: 'array', items: fromCompact(c.items) }
    if ('values' in c) return { type: 'object', additionalProperties: fromCompact(c.values) }
    if ('anyOf' in c) return { anyOf: c.anyOf.map(fromCompact) }
    const properties: Record<string, Schema> = {}
    for (const [key, value] of Object.entries(c.properties)) properties[key] = fromCompact(value)
    return c.required ? { type: 'object', properties, required: c.required } : { type: 'object', properties }
  }
  let versions: Set<string> | undefined
  const byKind = new Map<string, string[]>()
  for (const key of Object.keys(data.kinds)) {
    const slash = key.lastIndexOf('/')
    const kind = key.slice(slash + 1)
    byKind.set(kind, [...(byKind.get(kind) ?? []), key.slice(0, slash)])
  }
  return {
    kubernetes: data.kubernetes,
    origin: data.origin,
    kind(apiVersion, kind) {
      const name = data.kinds[`${apiVersion}/${kind}`]
      return name === undefined ? undefined : definition(name)
    },
    apiVersions() {
      versions ??= new Set(Object.keys(data.kinds).map((key) => key.slice(0, key.lastIndexOf('/'))))
      return versions
    },
    versionsOf: (kind) => byKind.get(kind) ?? [],
    objectMeta: reference('IoK8sApimachineryPkgApisMetaV1ObjectMeta')
  }
}

const loaded = new Map<string, Promise<BuiltinSchemas>>()

/** The built-in schemas of a shipped minor (`1.36`), loaded once per process. */
export function loadBuiltinSchemas(minor: string): Promise<BuiltinSchemas> {
  const load = DATA[minor]
  if (!load) return Promise.reject(new Error(`no Kubernetes schemas ship for ${minor} (${SHIPPED_MINORS.join(', ')})`))
  let promise = loaded.get(minor)
  if (!promise) {
    promise = load().then(builtinSchemas)
    loaded.set(minor, promise)
  }
  return promise
}
