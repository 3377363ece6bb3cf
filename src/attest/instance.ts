// Which Sigstore instance signs (pure). The inputs fulcio-url, tsa-url and rekor-url name a private instance;
// without them the choice is @actions/attest's: the public-good instance (Fulcio + Rekor) for a public repository,
// GitHub's own (Fulcio + timestamp authority, no public log) for any other, whose hosts follow GITHUB_SERVER_URL.
import type { SigstoreUrls } from '../inputs/inputs.js'

export interface SigstoreInstance {
  name: 'public-good' | 'github' | 'custom'
  fulcioUrl: string
  /** A transparency log entry in each bundle (public-good; a private instance with rekor-url). */
  rekorUrl?: string
  /** An RFC 3161 timestamp in each bundle (GitHub's instance; a private instance with tsa-url). */
  tsaUrl?: string
}

export function sigstoreInstance(
  urls: SigstoreUrls,
  payload: Record<string, unknown>,
  serverUrl = 'https://github.com'
): SigstoreInstance {
  if (urls.fulcio)
    return {
      name: 'custom',
      fulcioUrl: urls.fulcio,
      ...(urls.rekor ? { rekorUrl: urls.rekor } : {}),
      ...(urls.tsa ? { tsaUrl: urls.tsa } : {})
    }
  const repository = payload.repository as { visibility?: unknown } | undefined
  if (repository?.visibility === 'public')
    return { name: 'public-good', fulcioUrl: 'https://fulcio.sigstore.dev', rekorUrl: 'https://rekor.sigstore.dev' }
  let host = new URL(serverUrl).hostname
  if (host === 'github.com') host = 'githubapp.com'
  return { name: 'github', fulcioUrl: `https://fulcio.${host}`, tsaUrl: `https://timestamp.${host}` }
}
