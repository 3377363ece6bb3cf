// Publishes the packaged chart in two steps, so uploads overlap the gates:
// stagePublish uploads the config and chart blobs through the registry API at
// once, and commit() pushes the manifest (push.ts: never over other content,
// pulled back, tag read back); a chart packaged by helm is pushed by helm
// (helm-push.ts) on commit().
import { readFile } from 'node:fs/promises'
import type { Helm } from '../helm/helm.js'
import { OPERATION_LIMITS } from '../util/deadline.js'
import { RegistryClient, chartRepository, ociTag } from './registry.js'
import { helmArtifact, type HelmArtifact } from './artifact.js'
import type { PublishInfo, StepResult } from '../types.js'
import { runPublish, type PushOptions } from './push.js'
import { publishWithHelm } from './helm-push.js'

export interface PublishOptions extends PushOptions {
  /** Pushes a chart packaged by helm (no metadata in node). */
  helm: Helm
}

/**
 * A publish in two steps, so uploads overlap the gates: stagePublish starts
 * uploading the config and chart blobs at once; commit() (once every gate
 * passed) checks the tag, PUTs the manifest (which creates the tag) and
 * verifies; abandon() (a gate failed) tags nothing. Blobs without a manifest
 * are harmless: no tag or manifest names them, pulls cannot reach them, and
 * the registry's garbage collection removes them; a later run reuses them.
 */
export interface StagedPublish {
  commit(): Promise<StepResult<PublishInfo>>
  abandon(): Promise<void>
}

export function stagePublish(options: PublishOptions): StagedPublish {
  const { work, packaged, target } = options
  const repository = chartRepository(target, work.name)
  const settings = {
    host: target.host,
    plainHttp: target.plainHttp,
    credentials: options.credentials,
    retries: options.retries ?? 4,
    baseDelayMs: options.baseDelayMs ?? 500
  }
  const client = new RegistryClient(settings)
  // Uploads may take longer than a read: each request gets the registry-write limit.
  const writer = new RegistryClient({ ...settings, timeoutMs: OPERATION_LIMITS.registryWrite })
  // Shapes packaged by helm have no metadata in node: helm pushes those (no staging).
  const artifact = packaged.metadata
    ? readFile(packaged.archive).then((layer) => helmArtifact(packaged, layer))
    : undefined
  const upload = (a: HelmArtifact): Promise<void> =>
    Promise.all([
      writer.pushBlob(repository, a.configDigest, a.config),
      writer.pushBlob(repository, packaged.layerDigest, a.layer)
    ]).then(() => undefined)
  // Uploads only for a tag that does not exist yet (or is to be replaced): a re-run writes nothing, and
  // what commit() decides about a published version is decided before any write. Settles without
  // throwing: commit() asks the registry again and says what went wrong (uploading again after a failure).
  const staged = artifact
    ?.then(async (a) => {
      if (!options.overwrite && (await client.manifest(repository, ociTag(work.version))).exists) return false
      await upload(a)
      return true
    })
    .catch(() => false)
  return {
    commit: async () => {
      if (!artifact) return publishWithHelm(options.helm, options, client, repository)
      const uploaded = await staged
      const a = await artifact
      return runPublish(options, client, repository, async () => {
        if (!uploaded) await upload(a)
        return { digest: await writer.putManifest(repository, ociTag(work.version), a.manifest, a.manifestMediaType) }
      })
    },
    abandon: async () => {
      await staged
    }
  }
}
