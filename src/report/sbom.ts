// A CycloneDX 1.5 SBOM of what the chart deploys: the chart itself, the charts
// it bundles (at the versions the dependency build put in charts/), and every
// container image of the default render. Built from results the run already
// has (no extra helm process), and deterministic: the same chart, images and
// timestamp give the same bytes, so a re-run can attest it again unchanged.
// Attaching it to the pushed digest is left to the signing step (cosign
// attest, keyless), which needs the workflow's OIDC token anyway.
import { createHash } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { ImageVerdict } from '../images/images.js'
import { redact, redactDeep } from '../util/secrets.js'
import { compareCodePoints } from '../util/text.js'

export interface SbomInput {
  chart: { name: string; version: string; appVersion?: string; description?: string }
  /** The published artifact, when there is one: `oci://host/path/name:tag` and its manifest digest. */
  artifact?: { ref: string; digest: string }
  /** Bundled charts at the versions built, with the repository Chart.yaml names. */
  dependencies: { name: string; version: string; repository: string }[]
  /** Verdicts of the images gate: every image of the default render, with where it is used. */
  images: ImageVerdict[]
  /** ISO time: the package's timestamps (commit time), not the time of the run. */
  timestamp: string
  tool: { name: string; version: string }
}

interface Property {
  name: string
  value: string
}

interface CycloneDxComponent {
  type: 'application' | 'container'
  'bom-ref': string
  name: string
  version?: string
  description?: string
  purl?: string
  hashes?: { alg: 'SHA-256'; content: string }[]
  externalReferences?: { type: 'distribution'; url: string }[]
  properties?: Property[]
}

export interface CycloneDxBom {
  bomFormat: 'CycloneDX'
  specVersion: '1.5'
  serialNumber: string
  version: 1
  metadata: {
    timestamp: string
    tools: { components: { type: 'application'; name: string; version: string }[] }
    component: CycloneDxComponent
  }
  components: CycloneDxComponent[]
  dependencies: { ref: string; dependsOn: string[] }[]
}

/** Where an image is used is listed up to this many times per image. */
const MAX_USES = 20

/**
 * purl of an OCI artifact (package-url spec, type `oci`): the name is the last
 * path segment, the version the digest; repository_url and tag as qualifiers.
 */
export function ociPurl(repository: string, digest: string, tag?: string): string {
  const name = repository.split('/').pop() ?? repository
  const qualifiers = [`repository_url=${encodeURIComponent(repository).replace(/%2F/g, '/')}`]
  if (tag) qualifiers.push(`tag=${encodeURIComponent(tag)}`)
  return `pkg:oci/${encodeURIComponent(name.toLowerCase())}@${encodeURIComponent(digest)}?${qualifiers.join('&')}`
}

function sha256Hex(digest: string | undefined): string | undefined {
  return digest && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest.slice('sha256:'.length) : undefined
}

function chartComponent(input: SbomInput): CycloneDxComponent {
  const { chart, artifact } = input
  const component: CycloneDxComponent = {
    type: 'application',
    'bom-ref': `chart:${chart.name}@${chart.version}`,
    name: chart.name,
    version: chart.version
  }
  if (chart.description) component.description = chart.description
  const properties: Property[] = [{ name: 'bp:kind', value: 'helm-chart' }]
  if (chart.appVersion) properties.push({ name: 'bp:appVersion', value: chart.appVersion })
  if (artifact) {
    const repository = artifact.ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, '')
    const tag = /:([^/:]+)$/.exec(artifact.ref)?.[1]
    component.purl = ociPurl(repository, artifact.digest, tag)
    const hex = sha256Hex(artifact.digest)
    if (hex) component.hashes = [{ alg: 'SHA-256', content: hex }]
    component.externalReferences = [{ type: 'distribution', url: artifact.ref }]
  }
  component.properties = properties
  return component
}

function dependencyComponent(dep: SbomInput['dependencies'][number]): CycloneDxComponent {
  const component: CycloneDxComponent = {
    type: 'application',
    'bom-ref': `chart:${dep.name}@${dep.version}`,
    name: dep.name,
    version: dep.version,
    properties: [{ name: 'bp:kind', value: 'helm-chart' }]
  }
  if (dep.repository) component.externalReferences = [{ type: 'distribution', url: dep.repository }]
  return component
}

function imageComponents(images: ImageVerdict[]): CycloneDxComponent[] {
  const byReference = new Map<string, { verdict: ImageVerdict; uses: string[] }>()
  for (const verdict of images) {
    const key = verdict.ref?.canonical ?? verdict.use.image
    const entry = byReference.get(key) ?? { verdict, uses: [] }
    const { use } = verdict
    entry.uses.push(
      `${use.kind}/${use.name}${use.container ? ` container ${use.container}` : ''}${use.source ? ` (${use.source})` : ''}`
    )
    byReference.set(key, entry)
  }
  return [...byReference.entries()]
    .sort(([a], [b]) => compareCodePoints(a, b))
    .map(([reference, { verdict, uses }]) => {
      const ref = verdict.ref
      const component: CycloneDxComponent = {
        type: 'container',
        'bom-ref': `image:${reference}`,
        name: ref ? `${ref.domain}/${ref.path}` : reference
      }
      if (ref?.tag) component.version = ref.tag
      else if (ref?.digest) component.version = ref.digest
      const hex = sha256Hex(ref?.digest)
      if (ref?.digest) component.purl = ociPurl(`${ref.domain}/${ref.path}`, ref.digest, ref.tag)
      if (hex) component.hashes = [{ alg: 'SHA-256', content: hex }]
      const sorted = [...new Set(uses)].sort()
      component.properties = [
        { name: 'bp:reference', value: verdict.use.image },
        { name: 'bp:pinned', value: ref?.digest ? 'digest' : 'no' },
        {
          name: 'bp:imagePolicy',
          value: verdict.ok ? (verdict.allowedBy ? `allowlisted (${verdict.allowedBy})` : 'passed') : 'failed'
        },
        ...sorted.slice(0, MAX_USES).map((value) => ({ name: 'bp:usedBy', value })),
        ...(sorted.length > MAX_USES ? [{ name: 'bp:usedBy', value: `… and ${sorted.length - MAX_USES} more` }] : [])
      ]
      return component
    })
}

/** A UUID (version 5 layout) from a sha256 of the content, so the serial number is reproducible. */
function contentUuid(text: string): string {
  const bytes = createHash('sha256').update(text).digest().subarray(0, 16)
  bytes[6] = (bytes[6] & 0x0f) | 0x50
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = bytes.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

export function buildSbom(input: SbomInput): CycloneDxBom {
  const chart = chartComponent(input)
  const dependencies = input.dependencies.map(dependencyComponent)
  const images = imageComponents(input.images)
  const body: Omit<CycloneDxBom, 'serialNumber'> = {
    bomFormat: 'CycloneDX',
    specVersion: '1.5',
    version: 1,
    metadata: {
      timestamp: input.timestamp,
      tools: { components: [{ type: 'application', ...input.tool }] },
      component: chart
    },
    components: [...dependencies, ...images],
    dependencies: [
      { ref: chart['bom-ref'], dependsOn: [...dependencies, ...images].map((c) => c['bom-ref']) },
      ...dependencies.map((c) => ({ ref: c['bom-ref'], dependsOn: [] })),
      ...images.map((c) => ({ ref: c['bom-ref'], dependsOn: [] }))
    ]
  }
  const { bomFormat, specVersion, ...rest } = body
  return { bomFormat, specVersion, serialNumber: `urn:uuid:${contentUuid(JSON.stringify(body))}`, ...rest }
}

/** Writes `<chart>.cdx.json` into `dir`; returns its path. */
export async function writeSbom(bom: CycloneDxBom, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true })
  const file = path.join(dir, `${bom.metadata.component.name}-${bom.metadata.component.version}.cdx.json`)
  // Like every text the action writes: a set-secret value rendered into an image reference is not shown.
  await writeFile(file, redact(`${JSON.stringify(redactDeep(bom), null, 2)}\n`), 'utf8')
  return file
}
