// Attests a published chart: what the registry already holds is looked up first (a re-run adds nothing; a job
// without an OIDC token reads it too: earlierAttestations), then each missing statement (SLSA provenance, the
// CycloneDX SBOM) is signed keylessly (attest/sign.ts, loaded here on demand), its bundle written to a file, stored
// as a referrer of the chart's manifest (attest/referrers.ts) and with GitHub's attestations API
// (attest/github-store.ts; a refusal is a notice). Errors are thrown for the caller's step; what was refused but is
// not needed comes back as notices.
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Credentials } from '../credentials/credentials.js'
import { chartRepository, RegistryClient, type RegistryTarget } from '../oci/registry.js'
import type { AttestationInfo, AttestedStatement } from '../types.js'
import { storeOnGitHub } from './github-store.js'
import type { SigstoreInstance } from './instance.js'
import { bundleReferrers, PREDICATE_ANNOTATION, storeBundle, subjectDescriptor } from './referrers.js'
import {
  chartSubject,
  PREDICATE_TYPES,
  provenancePredicate,
  statement,
  tokenClaims,
  type Statement,
  type StatementKind
} from './statements.js'

export interface AttestRequest {
  /** `oci://host/path/name:tag` and the manifest digest the tag serves. */
  ref: string
  digest: string
  chart: { name: string; version: string }
  registry: RegistryTarget
  credentials?: Credentials
  /** The SBOM file the run wrote (it names the digest). */
  sbomPath?: string
  /** Where the bundle files go (RUNNER_TEMP). */
  outputDir: string
  /** The Sigstore instance that signs (attest/instance.ts). */
  instance: SigstoreInstance
  /** GITHUB_SERVER_URL, for the provenance's URLs. */
  serverUrl: string
  /** GitHub's attestations API; absent without a token or repository. */
  github?: { apiUrl: string; token: string; owner: string; repo: string }
  /** The workflow's OIDC token for the audience `sigstore` (asked only when something is signed). */
  identityToken: () => Promise<string>
  /** Each request to the registry, the Sigstore instance and GitHub (ms). */
  timeoutMs: number
}

export interface AttestOutcome {
  info: AttestationInfo
  /** What was refused without failing the attestation (GitHub's API). */
  notices: string[]
}

const KINDS: readonly StatementKind[] = ['provenance', 'sbom']

/** What the registry holds for the chart's digest: the statements earlier runs attested, and the kinds missing. */
export interface EarlierAttestations {
  statements: AttestedStatement[]
  missing: StatementKind[]
}

/** The registry's side of a request: enough to read what is attested, without signing (no OIDC token). */
export type AttestationLookup = Pick<AttestRequest, 'digest' | 'chart' | 'registry' | 'credentials' | 'timeoutMs'>

function registryOf(request: AttestationLookup): { client: RegistryClient; repository: string } {
  const { registry } = request
  const client = new RegistryClient({
    host: registry.host,
    plainHttp: registry.plainHttp,
    credentials: request.credentials,
    timeoutMs: request.timeoutMs
  })
  return { client, repository: chartRepository(registry, request.chart.name) }
}

async function listEarlier(client: RegistryClient, repository: string, digest: string): Promise<EarlierAttestations> {
  const listed = await bundleReferrers(client, repository, digest)
  const statements: AttestedStatement[] = []
  const missing: StatementKind[] = []
  for (const kind of KINDS) {
    const found = listed.find((d) => d.annotations?.[PREDICATE_ANNOTATION] === PREDICATE_TYPES[kind])
    if (found) statements.push({ kind, predicateType: PREDICATE_TYPES[kind], referrer: found.digest, existing: true })
    else missing.push(kind)
  }
  return { statements, missing }
}

/** What earlier runs attested about the chart's digest (read only: a job without an OIDC token can still say). */
export async function earlierAttestations(request: AttestationLookup): Promise<EarlierAttestations> {
  const { client, repository } = registryOf(request)
  return listEarlier(client, repository, request.digest)
}

export async function attestChart(request: AttestRequest): Promise<AttestOutcome> {
  const { digest, chart } = request
  const { client, repository } = registryOf(request)
  const { statements, missing } = await listEarlier(client, repository, digest)
  if (missing.length === 0) return { info: { statements }, notices: [] }

  const subject = chartSubject(request.ref, digest)
  const token = await request.identityToken()
  const claims = tokenClaims(token)
  const { instance } = request
  const predicate = async (kind: StatementKind): Promise<unknown> => {
    if (kind === 'provenance') return provenancePredicate(claims, request.serverUrl)
    if (!request.sbomPath) throw new Error('the SBOM was not written, so it cannot be attested')
    return JSON.parse(await readFile(request.sbomPath, 'utf8')) as unknown
  }
  const toSign: { kind: StatementKind; statement: Statement }[] = await Promise.all(
    missing.map(async (kind) => ({ kind, statement: statement(subject, PREDICATE_TYPES[kind], await predicate(kind)) }))
  )
  const { signStatement } = await loadSigner()
  const limits = { timeoutMs: request.timeoutMs, retries: 2 }
  const [bundles, subjectManifest] = await Promise.all([
    Promise.all(toSign.map(({ statement: s }) => signStatement(s, instance, token, limits))),
    subjectDescriptor(client, repository, digest)
  ])

  const notices: string[] = []
  let listing: AttestationInfo['listing']
  // One after the other: without a referrers API each store reads and rewrites the same index tag.
  for (const [i, { kind }] of toSign.entries()) {
    const bytes = Buffer.from(JSON.stringify(bundles[i]))
    const file = path.join(request.outputDir, `${chart.name}-${chart.version}.${kind}.sigstore.json`)
    await writeFile(file, bytes)
    const stored = await storeBundle(client, repository, subjectManifest, bytes, PREDICATE_TYPES[kind])
    listing = stored.listing
    const attested: AttestedStatement = {
      kind,
      predicateType: PREDICATE_TYPES[kind],
      referrer: stored.digest,
      bundle: file
    }
    if (request.github) {
      const outcome = await storeOnGitHub(bundles[i], request.github)
      if (outcome.stored) attested.githubId = outcome.id
      else notices.push(`GitHub did not store the ${kind} attestation (${outcome.reason})`)
    }
    statements.push(attested)
  }
  statements.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind))
  return { info: { instance: instance.name, listing, statements }, notices }
}

/**
 * The signing code: its own chunk of dist/ (@sigstore/sign and make-fetch-happen, ~0.5 s to load on a small
 * runner), loaded once, only by a release that attests; run/later-stages.ts preloadAttestation starts it while the
 * push runs.
 */
export function loadSigner(): Promise<typeof import('./sign.js')> {
  signer ??= import('./sign.js')
  return signer
}
let signer: Promise<typeof import('./sign.js')> | undefined
