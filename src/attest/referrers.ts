// Sigstore bundles stored beside the chart as OCI referrers of its manifest, in the layout @sigstore/oci writes
// and `gh attestation verify --bundle-from-oci` reads: an image manifest with `subject` = the chart's manifest,
// `artifactType` = the bundle's media type, the empty config, one layer (the bundle) and annotations naming the
// predicate type. Listed through the registry's referrers API when it has one (it answers the manifest PUT with
// `OCI-Subject`), else through the referrers tag scheme: an image index at tag `sha256-<hex>` that the client keeps
// (OCI distribution 1.1). Everything goes through the action's registry client, with the push credentials.
import { createHash } from 'node:crypto'
import type { RegistryClient } from '../oci/registry.js'
import { ActionError } from '../types.js'
import { isRecord } from '../util/text.js'

const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const EMPTY_CONFIG = Buffer.from('{}')
const EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json'
export const PREDICATE_ANNOTATION = 'dev.sigstore.bundle.predicateType'

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

/** How the registry lists the referrers of a manifest. */
export type ReferrersListing = 'referrers-api' | 'tag-scheme'

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`

/** The tag of the referrers tag scheme: `sha256:<hex>` → `sha256-<hex>`. */
export function referrersTag(digest: string): string {
  return digest.replace(':', '-')
}

/** Pure: the referrer manifest of one bundle, and the annotations its index entry repeats. */
export function referrerManifest(
  subject: Descriptor,
  bundle: Buffer,
  predicateType: string,
  created: Date
): { manifest: Buffer; annotations: Record<string, string> } {
  const annotations = {
    'org.opencontainers.image.created': created.toISOString(),
    'dev.sigstore.bundle.content': 'dsse-envelope',
    [PREDICATE_ANNOTATION]: predicateType
  }
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: BUNDLE_MEDIA_TYPE,
    config: { mediaType: EMPTY_MEDIA_TYPE, digest: sha256(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
    layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: sha256(bundle), size: bundle.length }],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations
  }
  return { manifest: Buffer.from(JSON.stringify(manifest)), annotations }
}

/** Pure: the descriptors of an image index (a referrers response or the tag scheme's index); [] for anything else. */
export function indexEntries(body: Buffer | undefined): Descriptor[] {
  if (!body) return []
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    return []
  }
  const manifests = isRecord(parsed) && Array.isArray(parsed.manifests) ? (parsed.manifests as unknown[]) : []
  return manifests.filter(
    (m): m is Descriptor => isRecord(m) && typeof m.digest === 'string' && typeof m.mediaType === 'string'
  )
}

/** The Sigstore bundles the registry lists for `digest`: the referrers API, else the tag scheme's index. */
export async function bundleReferrers(
  client: RegistryClient,
  repository: string,
  digest: string
): Promise<Descriptor[]> {
  const listed =
    (await client.referrers(repository, digest)) ?? (await client.getManifest(repository, referrersTag(digest)))?.body
  return indexEntries(listed).filter((d) => d.artifactType === BUNDLE_MEDIA_TYPE)
}

/** The chart's manifest as a referrer's `subject` names it (media type and size as the registry serves it). */
export async function subjectDescriptor(
  client: RegistryClient,
  repository: string,
  digest: string
): Promise<Descriptor> {
  const served = await client.getManifest(repository, digest)
  if (!served || served.digest !== digest)
    throw new ActionError(`the registry does not serve ${repository}@${digest} as it was published`)
  return { mediaType: served.mediaType ?? OCI_MANIFEST, digest, size: served.body.length }
}

/** Stores one bundle as a referrer of `subject`; returns the referrer manifest's digest and how it is listed. */
export async function storeBundle(
  client: RegistryClient,
  repository: string,
  subject: Descriptor,
  bundle: Buffer,
  predicateType: string,
  created = new Date()
): Promise<{ digest: string; listing: ReferrersListing }> {
  const { manifest, annotations } = referrerManifest(subject, bundle, predicateType, created)
  await client.pushBlob(repository, sha256(EMPTY_CONFIG), EMPTY_CONFIG)
  await client.pushBlob(repository, sha256(bundle), bundle)
  const { digest, subjectIndexed } = await client.putReferrer(repository, manifest, OCI_MANIFEST)
  if (subjectIndexed) return { digest, listing: 'referrers-api' }
  // No referrers API: the index at the subject's tag lists it (read, extended, written back).
  const tag = referrersTag(subject.digest)
  const current = await client.getManifest(repository, tag)
  if (current && current.mediaType !== undefined && current.mediaType !== OCI_INDEX)
    throw new ActionError(
      `${repository}:${tag} is a ${current.mediaType}, not the image index of the referrers tag scheme`,
      `remove the tag ${tag} (it names the chart's digest and is kept by the attestation), then re-run the job`
    )
  const entries = indexEntries(current?.body)
  if (!entries.some((d) => d.digest === digest)) {
    entries.push({
      mediaType: OCI_MANIFEST,
      digest,
      size: manifest.length,
      artifactType: BUNDLE_MEDIA_TYPE,
      annotations
    })
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }))
    await client.putManifest(repository, tag, index, OCI_INDEX)
  }
  return { digest, listing: 'tag-scheme' }
}
