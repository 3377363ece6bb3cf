// The OCI artifact `helm push` makes of a chart archive (Helm 3.17 and 4.1 write
// the same): a config blob with the chart's metadata as JSON, the archive as
// the one layer, and a manifest with helm's annotations. `created` is the
// archive's mtime (the commit time), so one commit gives one manifest digest.
import { createHash } from 'node:crypto'
import type { GoYamlValue } from './go-yaml.js'
import { HELM_CHART_LAYER } from './registry.js'
import { compareCodePoints } from '../util/text.js'

const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

export interface HelmArtifact {
  config: Buffer
  configDigest: string
  layer: Buffer
  manifest: Buffer
  manifestDigest: string
  manifestMediaType: string
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`
}

/** Go's encoding/json: struct fields in order (as given), map keys sorted, <, > and & escaped. */
function goJson(value: unknown, sortKeys: boolean): string {
  const sorted = (v: unknown, sort: boolean): unknown => {
    if (Array.isArray(v)) return v.map((item) => sorted(item, false))
    if (typeof v !== 'object' || v === null) return v
    const entries = Object.entries(v as Record<string, unknown>)
    if (sort) entries.sort(([a], [b]) => compareCodePoints(a, b))
    // Only `annotations` is a Go map in chart metadata; every other object is a struct.
    return Object.fromEntries(entries.map(([k, item]) => [k, sorted(item, k === 'annotations')]))
  }
  return JSON.stringify(sorted(value, sortKeys))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}

/** Go's time.Format(time.RFC3339) in the process's time zone, as helm formats the archive's mtime. */
function goRfc3339Local(epochSeconds: number): string {
  const date = new Date(epochSeconds * 1000)
  const offset = -date.getTimezoneOffset()
  const pad = (n: number): string => String(n).padStart(2, '0')
  const local = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  if (offset === 0) return `${local}Z`
  const abs = Math.abs(offset)
  return `${local}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`
}

/** helm's generateOCIAnnotations: chart attributes, then the chart's own annotations (title and version kept). */
function helmAnnotations(metadata: Record<string, GoYamlValue>, created: string): Record<string, string> {
  const text = (key: string): string => (typeof metadata[key] === 'string' ? metadata[key] : '')
  const annotations: Record<string, string> = {}
  const add = (key: string, value: string): void => {
    if (value.trim()) annotations[key] = value
  }
  add('org.opencontainers.image.description', text('description'))
  add('org.opencontainers.image.title', text('name'))
  add('org.opencontainers.image.version', text('version'))
  add('org.opencontainers.image.url', text('home'))
  add('org.opencontainers.image.created', created)
  const sources = metadata.sources
  if (Array.isArray(sources) && typeof sources[0] === 'string') add('org.opencontainers.image.source', sources[0])
  const maintainers = metadata.maintainers
  if (Array.isArray(maintainers) && maintainers.length) {
    const authors = maintainers
      .map((m) => {
        const { name, email } = m as Record<string, string | undefined>
        return `${name ?? ''}${email ? ` (${email})` : ''}`
      })
      .join(', ')
    add('org.opencontainers.image.authors', authors)
  }
  const own = metadata.annotations
  if (own && typeof own === 'object' && !Array.isArray(own)) {
    for (const [key, value] of Object.entries(own)) {
      if (key === 'org.opencontainers.image.version' || key === 'org.opencontainers.image.title') continue
      annotations[key] = value as string
    }
  }
  return annotations
}

/** Config, layer and manifest bytes exactly as `helm push` writes them for this archive. */
export function helmArtifact(
  packaged: { metadata?: Record<string, GoYamlValue>; layerDigest: string; epoch: number },
  layer: Buffer
): HelmArtifact {
  if (!packaged.metadata) throw new Error('helmArtifact needs the chart metadata')
  const config = Buffer.from(goJson(packaged.metadata, false), 'utf8')
  const configDigest = sha256(config)
  const manifest = Buffer.from(
    goJson(
      {
        schemaVersion: 2,
        config: { mediaType: HELM_CONFIG, digest: configDigest, size: config.length },
        layers: [{ mediaType: HELM_CHART_LAYER, digest: packaged.layerDigest, size: layer.length }],
        annotations: helmAnnotations(packaged.metadata, goRfc3339Local(packaged.epoch))
      },
      false
    ),
    'utf8'
  )
  return { config, configDigest, layer, manifest, manifestDigest: sha256(manifest), manifestMediaType: OCI_MANIFEST }
}
