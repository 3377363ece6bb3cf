// Custom resources' schemas from CustomResourceDefinition manifests: each served version's `openAPIV3Schema`
// (apiextensions.k8s.io/v1; v1beta1's top-level `validation` too), read into a `Schema`. Pure.
import { isRecord } from '../util/text.js'
import type { Schema, SchemaType } from './structural.js'

const TYPES = new Set<string>(['object', 'array', 'string', 'integer', 'number', 'boolean'])

/** An OpenAPI v3 schema of a CRD (JSONSchemaProps) as a `Schema`. */
function fromOpenApi(node: unknown): Schema {
  if (!isRecord(node)) return { any: true }
  const out: Schema = {}
  if (typeof node.type === 'string' && TYPES.has(node.type)) out.type = node.type as SchemaType
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type
    out.intOrString = true
  }
  if (node['x-kubernetes-preserve-unknown-fields'] === true) {
    out.preserveUnknownFields = true
    if (!isRecord(node.properties) && node.type === undefined) out.any = true
  }
  if (node['x-kubernetes-embedded-resource'] === true) out.embeddedResource = true
  if (isRecord(node.properties)) {
    const properties: Record<string, Schema> = {}
    for (const [key, value] of Object.entries(node.properties)) properties[key] = fromOpenApi(value)
    out.properties = properties
  }
  if (Array.isArray(node.required)) out.required = node.required.filter((r): r is string => typeof r === 'string')
  if (node.additionalProperties === true) out.additionalProperties = true
  else if (isRecord(node.additionalProperties)) out.additionalProperties = fromOpenApi(node.additionalProperties)
  if (isRecord(node.items)) out.items = fromOpenApi(node.items)
  if (Array.isArray(node.enum) && node.enum.length > 0) out.enum = node.enum
  return out
}

export interface CrdSchema {
  apiVersion: string
  kind: string
  /** Where the CRD was found, e.g. `chart crds/clusters.yaml`, `bp-cnpg (cloudnative-pg/templates/crds/crds.yaml)`. */
  origin: string
  schema: Schema
}

/** True for a CustomResourceDefinition document. */
function isCrd(object: Record<string, unknown>): boolean {
  return (
    object.kind === 'CustomResourceDefinition' &&
    typeof object.apiVersion === 'string' &&
    object.apiVersion.startsWith('apiextensions.k8s.io/')
  )
}

/** The served versions of a CRD with their schemas (a version without a schema accepts any object). */
export function crdSchemas(object: Record<string, unknown>, origin: string): CrdSchema[] {
  if (!isCrd(object) || !isRecord(object.spec)) return []
  const spec = object.spec
  const group = typeof spec.group === 'string' ? spec.group : undefined
  const kind = isRecord(spec.names) && typeof spec.names.kind === 'string' ? spec.names.kind : undefined
  if (!group || !kind) return []
  const shared = isRecord(spec.validation) ? spec.validation.openAPIV3Schema : undefined
  const versions: { name: string; schema: unknown }[] = []
  if (Array.isArray(spec.versions)) {
    for (const v of spec.versions) {
      if (!isRecord(v) || typeof v.name !== 'string' || v.served === false) continue
      const own = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined
      versions.push({ name: v.name, schema: own ?? shared })
    }
  } else if (typeof spec.version === 'string') versions.push({ name: spec.version, schema: shared })
  return versions.map((v) => {
    const schema: Schema = v.schema === undefined ? { any: true } : fromOpenApi(v.schema)
    // apiVersion, kind and metadata of every custom resource are the API server's (metadata is checked as ObjectMeta).
    schema.embeddedResource = true
    if (schema.properties) {
      const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = schema.properties
      schema.properties = rest
    }
    return { apiVersion: `${group}/${v.name}`, kind, origin, schema }
  })
}
