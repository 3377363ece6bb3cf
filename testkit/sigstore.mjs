// A loopback stand-in for a Sigstore instance: Fulcio (`POST /api/v2/signingCert`), Rekor
// (`POST /api/v1/log/entries`) and a timestamp authority (`POST /api/v1/timestamp`), each answered by
// @sigstore/mock's handlers (a real ephemeral CA, CT log, transparency log and TSA: what they sign verifies).
// `trustedRoot` is the instance's trust root in the JSON form of Sigstore's TrustedRoot, for @sigstore/verify.
//
// The handlers are loaded from @sigstore/mock's own modules, not its index: the index loads nock, which patches
// node:http for the whole process.

import * as crypto from 'node:crypto'
import * as http from 'node:http'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const fulcio = require('@sigstore/mock/dist/fulcio/index.js')
const rekor = require('@sigstore/mock/dist/rekor/index.js')
const timestamp = require('@sigstore/mock/dist/timestamp/index.js')

/**
 * @typedef {object} SigstoreRequest
 * @property {'fulcio' | 'rekor' | 'tsa'} service
 * @property {string} path
 * @property {string} body
 * @property {number} status what the stand-in answered
 */

/**
 * @typedef {object} SigstoreStandIn
 * @property {string} url base URL of all three services, e.g. 'http://127.0.0.1:PORT'
 * @property {any} trustedRoot the instance's trust root (TrustedRoot JSON)
 * @property {SigstoreRequest[]} requests
 * @property {(service: 'fulcio' | 'rekor' | 'tsa', status: number | undefined) => void} failWith
 *   make one service answer `status` (undefined: answer again)
 * @property {() => Promise<void>} stop
 */

const keyPair = () => crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
const b64 = (/** @type {Buffer | Uint8Array} */ bytes) => Buffer.from(bytes).toString('base64')

/**
 * Start the stand-in on 127.0.0.1:<ephemeral>.
 * @returns {Promise<SigstoreStandIn>}
 */
export async function startSigstore() {
  /** @type {SigstoreRequest[]} */
  const requests = []
  /** @type {Partial<Record<'fulcio' | 'rekor' | 'tsa', number>>} */
  const failures = {}
  const server = http.createServer()
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(undefined))
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  const url = `http://127.0.0.1:${port}`

  // A minute back, so that certificates issued now are inside every authority's validity.
  const since = new Date(Date.now() - 60_000).toISOString()
  // No CT log: the mock writes its SCT list without the per-SCT length prefix (RFC 6962 §3.3), which
  // @sigstore/verify cannot parse; certificates without SCTs verify with `ctlogThreshold: 0`.
  const ca = await fulcio.initializeCA(keyPair())
  const tlogKeys = keyPair()
  const tlog = await rekor.initializeTLog(url, tlogKeys)
  const tsa = await timestamp.initializeTSA(keyPair())
  // The mock stamps `new Date()`; asn1js writes its milliseconds without trailing zeros (`.12Z`), which
  // @sigstore/verify's GeneralizedTime reader refuses (it takes `.NNNZ` only): one timestamp in ten would not verify.
  // The time is kept to its second's last millisecond instead (never before now, always three digits).
  tsa.getCurrentTime = () => new Date(Math.floor(Date.now() / 1000) * 1000 + 999)
  const rekorHandler = rekor.rekorHandler(tlog)
  const handlers = {
    fulcio: fulcio.fulcioHandler(ca),
    rekor: { path: rekorHandler.path, fn: (/** @type {string} */ body) => rekorHandler.fn(asRekorStores(body)) },
    tsa: timestamp.tsaHandler(tsa)
  }

  const ecdsaKey = (/** @type {Buffer} */ der) => ({
    rawBytes: b64(der),
    keyDetails: 'PKIX_ECDSA_P256_SHA_256',
    validFor: { start: since }
  })
  const trustedRoot = {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: url,
        hashAlgorithm: 'SHA2_256',
        publicKey: ecdsaKey(tlog.publicKey),
        logId: { keyId: b64(crypto.createHash('sha256').update(tlog.publicKey).digest()) }
      }
    ],
    certificateAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'sigstore' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(ca.rootCertificate) }] },
        validFor: { start: since }
      }
    ],
    ctlogs: [],
    timestampAuthorities: [
      {
        subject: { organization: 'sigstore.mock', commonName: 'tsa' },
        uri: url,
        certChain: { certificates: [{ rawBytes: b64(tsa.intCertificate) }, { rawBytes: b64(tsa.rootCertificate) }] },
        validFor: { start: since }
      }
    ]
  }

  server.on('request', (req, res) => {
    /** @type {Buffer[]} */
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const path = new URL(req.url ?? '/', url).pathname
      const body = Buffer.concat(chunks).toString('utf8')
      const service = /** @type {const} */ (['fulcio', 'rekor', 'tsa']).find((s) => handlers[s].path === path)
      /** @type {{ statusCode: number, response: string | Buffer, contentType?: string }} */
      let reply
      if (!service || req.method !== 'POST') reply = { statusCode: 404, response: 'not found' }
      else if (failures[service] !== undefined)
        reply = { statusCode: /** @type {number} */ (failures[service]), response: '{"message":"stand-in failure"}' }
      else reply = await handlers[service].fn(body)
      if (service) requests.push({ service, path, body, status: reply.statusCode })
      res.writeHead(reply.statusCode, { 'content-type': reply.contentType ?? 'application/json' })
      res.end(reply.response)
    })
  })

  /** @type {Promise<void> | undefined} */
  let stopping
  return {
    url,
    trustedRoot,
    requests,
    failWith(service, status) {
      if (status === undefined) delete failures[service]
      else failures[service] = status
    },
    stop: () =>
      (stopping ??= new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }))
  }
}

/**
 * The mock logs a proposed entry as it is; Rekor stores a `dsse` entry as the hashes and signatures of its
 * envelope, and that canonical body is what a bundle's tlog entry carries and @sigstore/verify compares. Other kinds
 * pass unchanged.
 * @param {string} body the proposed entry (JSON)
 * @returns {string}
 */
function asRekorStores(body) {
  const proposed = JSON.parse(body)
  if (proposed.kind !== 'dsse') return body
  const { envelope, verifiers } = proposed.spec.proposedContent
  const parsed = JSON.parse(envelope)
  const sha256 = (/** @type {string | Buffer} */ data) => crypto.createHash('sha256').update(data).digest('hex')
  return JSON.stringify({
    apiVersion: proposed.apiVersion,
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256(envelope) },
      payloadHash: { algorithm: 'sha256', value: sha256(Buffer.from(parsed.payload, 'base64')) },
      signatures: parsed.signatures.map((/** @type {{ sig: string }} */ s) => ({
        signature: s.sig,
        verifier: verifiers[0]
      }))
    }
  })
}

/**
 * An OIDC identity token as the runner's token endpoint gives one for GitHub Actions (the claims Fulcio and the
 * SLSA predicate read). Unsigned: the stand-in Fulcio reads its claims without checking a signature, as the mock
 * does.
 * @param {Record<string, unknown>} claims merged over the defaults
 * @returns {string}
 */
export function identityToken(claims = {}) {
  const now = Math.floor(Date.now() / 1000)
  const payload = {
    iss: 'https://token.actions.githubusercontent.com',
    aud: 'sigstore',
    sub: 'repo:openova-io/platform:ref:refs/tags/platform/temporal/v1.0.0',
    ref: 'refs/tags/platform/temporal/v1.0.0',
    sha: '0123456789abcdef0123456789abcdef01234567',
    repository: 'openova-io/platform',
    repository_id: '123456',
    repository_owner: 'openova-io',
    repository_owner_id: '654321',
    repository_visibility: 'public',
    event_name: 'push',
    workflow: 'blueprint',
    workflow_ref: 'openova-io/platform/.github/workflows/blueprint.yml@refs/tags/platform/temporal/v1.0.0',
    job_workflow_ref: 'openova-io/platform/.github/workflows/blueprint.yml@refs/tags/platform/temporal/v1.0.0',
    runner_environment: 'github-hosted',
    run_id: '42',
    run_attempt: '1',
    iat: now,
    nbf: now,
    exp: now + 300,
    ...claims
  }
  const part = (/** @type {object} */ o) => Buffer.from(JSON.stringify(o)).toString('base64url')
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(payload)}.${Buffer.from('stand-in').toString('base64url')}`
}
