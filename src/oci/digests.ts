// Optional (input resolve-digests): for each image that fails the pinning
// policy, ask its registry for the digest of its tag, so the finding's fix is
// the exact pinned reference to copy into values.yaml or the template. The
// result is data of the images step: other steps' findings are not rewritten.
import type { ImagesData } from '../gates/images.js'
import { tryParseImageRef } from '../images/image-ref.js'
import { isLoopbackHost } from '../net/net.js'
import { RegistryClient } from './registry.js'
import type { StepResult } from '../types.js'

export interface PinSuggestion {
  image: string
  pinned?: string
  error?: string
}

/** Docker Hub's API host differs from its image domain. */
function registryHostOf(domain: string): string {
  return domain === 'docker.io' ? 'registry-1.docker.io' : domain
}

async function suggestPin(image: string): Promise<PinSuggestion> {
  const parsed = tryParseImageRef(image)
  if ('error' in parsed) return { image, error: parsed.error.message }
  const ref = parsed.ref
  const tag = ref.tag ?? 'latest'
  const host = registryHostOf(ref.domain)
  try {
    // Loopback registries (tests, local mirrors) speak plain HTTP; nothing else does.
    const client = new RegistryClient({ host, plainHttp: isLoopbackHost(host), retries: 1, baseDelayMs: 200 })
    const found = await client.manifest(ref.path, tag)
    if (!found.exists) return { image, error: `${ref.familiar}:${tag} is not in ${host}` }
    return { image, pinned: `${ref.familiar}:${tag}@${found.digest}` }
  } catch (error) {
    return { image, error: (error as Error).message.split('\n')[0] }
  }
}

/**
 * Looks up every failing image of the images step concurrently and records the
 * pinned reference as data of the step (ImageData.pinned); reporting puts it
 * into the images table and into the findings' copy-paste snippets.
 */
export async function addPinSuggestions(step: StepResult<ImagesData>): Promise<PinSuggestion[]> {
  const failing = [
    ...new Set((step.data?.images ?? []).filter((image) => !image.ok && image.image !== '').map((image) => image.image))
  ]
  const suggestions = await Promise.all(failing.map((image) => suggestPin(image)))
  for (const suggestion of suggestions) {
    for (const image of step.data?.images ?? []) {
      if (image.image !== suggestion.image) continue
      if (suggestion.pinned) image.pinned = suggestion.pinned
      else if (suggestion.error) image.pinError = suggestion.error
    }
  }
  return suggestions
}
