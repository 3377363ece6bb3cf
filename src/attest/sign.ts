// Keyless signing with @sigstore/sign, as @actions/attest signs: a DSSE envelope of the statement, a short-lived
// certificate from Fulcio for the workflow's OIDC identity, and the instance's witnesses (a Rekor entry, an RFC 3161
// timestamp, or both), packed into a Sigstore bundle v0.3. A chunk of dist/ of its own (with make-fetch-happen, most
// of its size): loaded only when a run attests. The token goes to Fulcio only; nothing here logs.
import type { SerializedBundle } from '@sigstore/bundle'
import { bundleToJSON } from '@sigstore/bundle'
import { DSSEBundleBuilder, FulcioSigner, RekorWitness, TSAWitness, type Witness } from '@sigstore/sign'
import type { SigstoreInstance } from './instance.js'
import { INTOTO_PAYLOAD_TYPE, type Statement } from './statements.js'

export interface SignLimits {
  /** Each request to the instance (ms). */
  timeoutMs: number
  /** Retries of a request that failed with 5xx, 429 or a network error. */
  retries: number
}

/** Signs `statement` with a certificate for `token`'s identity; the bundle as JSON (what is stored and written). */
export async function signStatement(
  statement: Statement,
  instance: SigstoreInstance,
  token: string,
  limits: SignLimits
): Promise<SerializedBundle> {
  const fetchOptions = { timeout: limits.timeoutMs, retry: limits.retries }
  const signer = new FulcioSigner({
    identityProvider: { getToken: () => Promise.resolve(token) },
    fulcioBaseURL: instance.fulcioUrl,
    ...fetchOptions
  })
  const witnesses: Witness[] = []
  if (instance.rekorUrl)
    witnesses.push(new RekorWitness({ rekorBaseURL: instance.rekorUrl, fetchOnConflict: true, ...fetchOptions }))
  if (instance.tsaUrl) witnesses.push(new TSAWitness({ tsaBaseURL: instance.tsaUrl, ...fetchOptions }))
  const bundle = await new DSSEBundleBuilder({ signer, witnesses }).create({
    data: Buffer.from(JSON.stringify(statement)),
    type: INTOTO_PAYLOAD_TYPE
  })
  return bundleToJSON(bundle)
}
