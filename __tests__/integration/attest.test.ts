// Signed attestations of a release, end to end through the bundled action: the real registry (Debian's
// docker-registry: no referrers API, so the `sha256-<hex>` tag scheme), a Sigstore instance on loopback built from
// @sigstore/mock's handlers (testkit/sigstore.mjs), the runner's OIDC token endpoint and GitHub's attestations API
// in the GitHub API stand-in. The bundles are checked with @sigstore/verify against the stand-in's trust root.
import { createRequire } from 'node:module'
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { idTokenEnv, ID_TOKEN_REQUEST_TOKEN, startGitHubApi } from '../../testkit/github-api.mjs'
import { startSigstore } from '../../testkit/sigstore.mjs'
import {
  failureMessage,
  helmsUnderTest,
  pointChartAt,
  withWorkspace,
  withoutMaskCommands,
  type ActionRun
} from '../support/e2e.js'
import { expectSuccess, registryTags } from '../support/publishing.js'
import { commitWorkspace, releaser, stepOf } from '../support/release.js'
import { useServers } from '../support/servers.js'

const require = createRequire(import.meta.url)
const { Verifier, toSignedEntity, toTrustMaterial } = require('@sigstore/verify') as typeof import('@sigstore/verify')
const { bundleFromJSON } = require('@sigstore/bundle') as typeof import('@sigstore/bundle')
const { TrustedRoot } = require('@sigstore/protobuf-specs') as typeof import('@sigstore/protobuf-specs')

const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json'
const PROVENANCE = 'https://slsa.dev/provenance/v1'
const CYCLONEDX = 'https://cyclonedx.org/bom'
const IDENTITY = 'repo:openova-io/platform:ref:refs/tags/platform/temporal/v1.0.0'

type Sigstore = Awaited<ReturnType<typeof startSigstore>>

interface Descriptor {
  mediaType: string
  digest: string
  size: number
  artifactType?: string
  annotations?: Record<string, string>
}

// What the registry serves, as JSON (manifests, the tag scheme's index, bundles), read field by field below.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

async function registryJson(url: string, repository: string, what: string, accept: string): Promise<Json> {
  const response = await fetch(`${url}/v2/${repository}/${what}`, { headers: { accept } })
  if (response.status === 404) return undefined
  expect(response.status).toBe(200)
  return JSON.parse(await response.text())
}

/** The referrers the tag scheme lists for `digest` (Debian's registry has no referrers API). */
async function referrersOf(url: string, repository: string, digest: string): Promise<Descriptor[]> {
  const referrersApi = await fetch(`${url}/v2/${repository}/referrers/${digest}`)
  expect(referrersApi.status).toBe(404)
  const index = await registryJson(
    url,
    repository,
    `manifests/${digest.replace(':', '-')}`,
    'application/vnd.oci.image.index.v1+json'
  )
  return index?.manifests ?? []
}

/** Each referrer's manifest and bundle as the registry serves them. */
async function bundlesOf(url: string, repository: string, referrers: Descriptor[]) {
  return Promise.all(
    referrers.map(async (referrer) => {
      const manifest = await registryJson(
        url,
        repository,
        `manifests/${referrer.digest}`,
        'application/vnd.oci.image.manifest.v1+json'
      )
      const bundle = await registryJson(url, repository, `blobs/${manifest.layers[0].digest}`, '*/*')
      return { manifest, bundle }
    })
  )
}

function verifyBundle(sigstore: Sigstore, bundle: unknown): { statement: Json } {
  const trust = toTrustMaterial(TrustedRoot.fromJSON(sigstore.trustedRoot))
  const verifier = new Verifier(trust, { tlogThreshold: 1, tsaThreshold: 1, ctlogThreshold: 0 })
  const parsed = bundleFromJSON(bundle)
  const signer = verifier.verify(toSignedEntity(parsed), {
    subjectAlternativeName: IDENTITY,
    extensions: { issuer: 'https://token.actions.githubusercontent.com' }
  })
  expect(signer.identity?.subjectAlternativeName).toBe(IDENTITY)
  const envelope = (bundle as { dsseEnvelope: { payload: string; payloadType: string } }).dsseEnvelope
  expect(envelope.payloadType).toBe('application/vnd.in-toto+json')
  return { statement: JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) }
}

function expectNoTokens(run: ActionRun, api: { idTokens: string[] }): void {
  const text = withoutMaskCommands(`${run.stdout}\n${run.stderr}\n${run.summary}\n${JSON.stringify(run.report)}`)
  expect(text).not.toContain(ID_TOKEN_REQUEST_TOKEN)
  for (const token of api.idTokens) expect(text).not.toContain(token.split('.')[1])
}

describe.each(helmsUnderTest())('attestations of a release with $label', (helm) => {
  const servers = useServers(helm, { api: true })
  const { release } = releaser(helm)
  let sigstore: Sigstore
  beforeAll(async () => {
    sigstore = await startSigstore()
  })
  afterAll(async () => {
    await sigstore?.stop()
  })
  const instanceInputs = () => ({
    'fulcio-url': sigstore.url,
    'tsa-url': sigstore.url,
    'rekor-url': sigstore.url,
    'github-token': 'ghs_attestStandInToken'
  })
  const jobEnv = () => ({ ...idTokenEnv(servers.api), GITHUB_API_URL: servers.api.url })

  it('attest: true stores provenance and SBOM referrers of the pushed digest that verify; a re-run adds nothing', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, servers.repo.url)
      await commitWorkspace(ws.dir)
      const base = `${servers.registry.oci}/attested`
      const repository = 'attested/bp-temporal'
      const storedBefore = servers.api.attestations.length
      const first = await release(ws.dir, servers.repo.url, base, {
        inputs: { attest: 'true', ...instanceInputs() },
        env: jobEnv()
      })
      expectSuccess(first)
      expect(first.outputs.pushed).toBe('true')
      const digest = first.outputs.digest
      expect(stepOf(first, 'attest')).toMatchObject({ status: 'passed' })

      const referrers = await referrersOf(servers.registry.url, repository, digest)
      expect(referrers).toHaveLength(2)
      for (const r of referrers) expect(r.artifactType).toBe(BUNDLE_TYPE)
      expect(referrers.map((r) => r.annotations?.['dev.sigstore.bundle.predicateType']).sort()).toEqual([
        CYCLONEDX,
        PROVENANCE
      ])
      const stored = await bundlesOf(servers.registry.url, repository, referrers)
      for (const { manifest, bundle } of stored) {
        expect(manifest.subject.digest).toBe(digest)
        expect(manifest.artifactType).toBe(BUNDLE_TYPE)
        expect(manifest.layers).toHaveLength(1)
        expect(manifest.layers[0].mediaType).toBe(BUNDLE_TYPE)
        expect(bundle.mediaType).toBe(BUNDLE_TYPE)
        const { statement } = verifyBundle(sigstore, bundle)
        expect(statement.subject).toEqual([
          { name: `${servers.registry.host}/${repository}`, digest: { sha256: digest.replace('sha256:', '') } }
        ])
        expect(statement.predicateType).toBe(manifest.annotations['dev.sigstore.bundle.predicateType'])
        if (statement.predicateType === CYCLONEDX) {
          // The SBOM the action wrote, naming the pushed digest.
          expect(statement.predicate).toEqual(JSON.parse(first.sbom ?? ''))
          expect(JSON.stringify(statement.predicate)).toContain(digest.replace('sha256:', ''))
        } else {
          expect(statement.predicate.buildDefinition.resolvedDependencies[0].digest.gitCommit).toMatch(/^[0-9a-f]{40}$/)
        }
      }
      // The same bundles with GitHub's attestations API, and in the outputs.
      const posted = servers.api.attestations.slice(storedBefore)
      expect(posted.map((a) => a.repo)).toEqual(['openova-io/openova', 'openova-io/openova'])
      expect(posted.map((a) => a.bundle).sort(byPayload)).toEqual(stored.map((s) => s.bundle).sort(byPayload))
      const listed = JSON.parse(first.outputs.attestations) as { referrer: string; githubId?: number }[]
      expect(listed.map((a) => a.referrer).sort()).toEqual(referrers.map((r) => r.digest).sort())
      expect(listed.map((a) => a.githubId).sort()).toEqual(posted.map((a) => a.id).sort())
      expect(first.outputs.bundles.split('\n')).toEqual([
        expect.stringMatching(/\/bp-temporal-1\.0\.0\.provenance\.sigstore\.json$/),
        expect.stringMatching(/\/bp-temporal-1\.0\.0\.sbom\.sigstore\.json$/)
      ])
      expect(first.summary).toContain('attested: provenance, SBOM')
      expectNoTokens(first, servers.api)

      // The re-run finds the chart published and attested: nothing pushed, signed or stored.
      const signedBefore = sigstore.requests.length
      const second = await release(ws.dir, servers.repo.url, base, {
        inputs: { attest: 'true', ...instanceInputs() },
        env: jobEnv()
      })
      expectSuccess(second)
      expect(second.outputs.pushed).toBe('false')
      expect(stepOf(second, 'attest')).toMatchObject({
        status: 'passed',
        summary: expect.stringMatching(/^already attested/)
      })
      expect(sigstore.requests.length).toBe(signedBefore)
      expect(servers.api.attestations.length).toBe(storedBefore + 2)
      expect(await referrersOf(servers.registry.url, repository, digest)).toEqual(referrers)
      expect(second.outputs.bundles).toBe('')

      // A job without the OIDC token cannot sign, but finds what the earlier run attested: attested, no notice.
      const unsigned = await release(ws.dir, servers.repo.url, base, {
        inputs: instanceInputs(),
        env: { GITHUB_API_URL: servers.api.url }
      })
      expectSuccess(unsigned)
      expect(unsigned.outputs.pushed).toBe('false')
      expect(stepOf(unsigned, 'attest')).toMatchObject({
        status: 'passed',
        summary: 'already attested: provenance, SBOM (by an earlier run; nothing signed)'
      })
      expect(unsigned.summary).toContain('**Attested: provenance, SBOM** (by an earlier run)')
      expect(unsigned.summary).not.toContain('Not attested')
      expect(unsigned.annotations.filter((a) => /attest/i.test(a.message))).toEqual([])
      expect(
        JSON.parse(unsigned.outputs.attestations)
          .map((a: { referrer: string }) => a.referrer)
          .sort()
      ).toEqual(referrers.map((r) => r.digest).sort())
      expect(sigstore.requests.length).toBe(signedBefore)
    })
  })

  it('a Fulcio failure fails the step naming the published ref; the re-run attests it without pushing', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, servers.repo.url)
      await commitWorkspace(ws.dir)
      const base = `${servers.registry.oci}/fulcio-down`
      const repository = 'fulcio-down/bp-temporal'
      sigstore.failWith('fulcio', 500)
      let failed: ActionRun
      try {
        failed = await release(ws.dir, servers.repo.url, base, { inputs: instanceInputs(), env: jobEnv() })
      } finally {
        sigstore.failWith('fulcio', undefined)
      }
      expect(failed.exitCode).not.toBe(0)
      expect(failed.outputs.pushed).toBe('true')
      const digest = failed.outputs.digest
      const published = `${base}/bp-temporal:1.0.0@${digest}`
      expect(stepOf(failed, 'attest')).toMatchObject({ status: 'failed' })
      expect(failureMessage(failed)).toContain(`${published} is published but not attested`)
      expect(failureMessage(failed)).toContain('500')
      expect(failed.summary).toContain('published but not attested')
      expect(await referrersOf(servers.registry.url, repository, digest)).toEqual([])
      expectNoTokens(failed, servers.api)

      const rerun = await release(ws.dir, servers.repo.url, base, { inputs: instanceInputs(), env: jobEnv() })
      expectSuccess(rerun)
      expect(rerun.outputs.pushed).toBe('false')
      expect(rerun.outputs.digest).toBe(digest)
      expect(stepOf(rerun, 'attest')).toMatchObject({ status: 'passed' })
      const referrers = await referrersOf(servers.registry.url, repository, digest)
      expect(referrers).toHaveLength(2)
      for (const { bundle } of await bundlesOf(servers.registry.url, repository, referrers))
        expect(verifyBundle(sigstore, bundle).statement.subject[0].digest.sha256).toBe(digest.replace('sha256:', ''))
    })
  })

  it('GitHub refusing the attestations (a plan without them) is a notice: the run passes, the bundles are in the registry', async () => {
    // A GitHub of its own, whose attestations API answers as for a private repository on a plan without them.
    const refusing = await startGitHubApi({ attestationsFailWith: { status: 404, message: 'Not Found' } })
    try {
      await withWorkspace(async (ws) => {
        await pointChartAt(ws.chart, servers.repo.url)
        await commitWorkspace(ws.dir)
        const run = await release(ws.dir, servers.repo.url, `${servers.registry.oci}/refused`, {
          inputs: instanceInputs(),
          env: { ...idTokenEnv(refusing), GITHUB_API_URL: refusing.url }
        })
        expectSuccess(run)
        expect(stepOf(run, 'attest')).toMatchObject({ status: 'passed' })
        const posts = refusing.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/attestations'))
        expect(posts).toHaveLength(2)
        expect(refusing.attestations).toEqual([])
        for (const kind of ['provenance', 'sbom'])
          expect(run.annotations).toContainEqual(
            expect.objectContaining({
              level: 'notice',
              message: expect.stringContaining(`GitHub did not store the ${kind} attestation (HTTP 404: Not Found)`)
            })
          )
        const listed = JSON.parse(run.outputs.attestations) as { referrer: string; githubId?: number }[]
        expect(listed).toHaveLength(2)
        expect(listed.every((a) => a.githubId === undefined)).toBe(true)
        expect(await referrersOf(servers.registry.url, 'refused/bp-temporal', run.outputs.digest)).toHaveLength(2)
        expect(run.summary).toContain('attested: provenance, SBOM')
        expectNoTokens(run, refusing)
      })
    } finally {
      await refusing.stop()
    }
  })

  it("GitHub's rate limit on the attestations API is waited out (GitHub's retry policy): both stored, no notice", async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, servers.repo.url)
      await commitWorkspace(ws.dir)
      // Each statement's first POST meets a spent rate limit (403, x-ratelimit-remaining 0, resetting in a second).
      let limited = 0
      const remove = servers.api.setResponder('POST', /\/attestations$/, () => {
        if (limited >= 2) return undefined
        limited++
        return {
          status: 403,
          body: { message: 'API rate limit exceeded for installation ID 1.' },
          headers: {
            'x-ratelimit-remaining': '0',
            'x-ratelimit-reset': String(Math.ceil(Date.now() / 1000) + 1)
          }
        }
      })
      const storedBefore = servers.api.attestations.length
      let run: ActionRun
      try {
        run = await release(ws.dir, servers.repo.url, `${servers.registry.oci}/rate-limited`, {
          inputs: instanceInputs(),
          env: jobEnv()
        })
      } finally {
        remove()
      }
      expectSuccess(run)
      expect(limited).toBe(2)
      expect(stepOf(run, 'attest')).toMatchObject({ status: 'passed', findings: [] })
      const stored = servers.api.attestations.slice(storedBefore)
      expect(stored).toHaveLength(2)
      const listed = JSON.parse(run.outputs.attestations) as { githubId?: number }[]
      expect(listed.map((a) => a.githubId).sort()).toEqual(stored.map((a) => a.id).sort())
    })
  })

  it('auto without an OIDC token publishes with a notice naming the permission; true without one pushes nothing', async () => {
    await withWorkspace(async (ws) => {
      await pointChartAt(ws.chart, servers.repo.url)
      await commitWorkspace(ws.dir)
      const env = { GITHUB_API_URL: servers.api.url }
      const signedBefore = sigstore.requests.length

      const auto = await release(ws.dir, servers.repo.url, `${servers.registry.oci}/no-token`, {
        inputs: instanceInputs(),
        env
      })
      expectSuccess(auto)
      expect(auto.outputs.pushed).toBe('true')
      expect(stepOf(auto, 'attest')).toMatchObject({ status: 'skipped' })
      const published = `${servers.registry.oci}/no-token/bp-temporal:1.0.0@${auto.outputs.digest}`
      const notice = auto.annotations.find((a) => a.level === 'notice' && a.message.includes(published))
      expect(notice?.message).toContain(
        `${published} is published without attestations (provenance, SBOM): this job cannot sign: the workflow gives it no OIDC token`
      )
      expect(auto.stdout).toContain('permissions: id-token: write')
      expect(auto.outputs.attestations).toBe('[]')
      expect(await referrersOf(servers.registry.url, 'no-token/bp-temporal', auto.outputs.digest)).toEqual([])

      // The re-run (still no token) finds the chart published and unattested: it says what is missing and the
      // permission to grant, in the notice, the step and the job summary's publish section.
      const again = await release(ws.dir, servers.repo.url, `${servers.registry.oci}/no-token`, {
        inputs: instanceInputs(),
        env
      })
      expectSuccess(again)
      expect(again.outputs.pushed).toBe('false')
      expect(stepOf(again, 'attest')).toMatchObject({
        status: 'skipped',
        summary: 'not attested (provenance, SBOM): the job needs permissions: id-token: write'
      })
      const still = again.annotations.find((a) => a.level === 'notice' && a.message.includes(published))
      expect(still?.message).toContain(
        `${published} was published by an earlier run and is still not attested (provenance, SBOM): this job cannot sign: the workflow gives it no OIDC token`
      )
      expect(again.summary).toContain('#### 📦 Already published')
      expect(again.summary).toContain(
        "**Not attested: provenance, SBOM.** The job has no OIDC token to sign with: grant it `permissions: id-token: write` (and `attestations: write` for GitHub's copy), then re-run it: it finds the chart published and attests it without pushing again."
      )
      expect(again.outputs.attestations).toBe('[]')

      const strict = await release(ws.dir, servers.repo.url, `${servers.registry.oci}/token-required`, {
        inputs: { ...instanceInputs(), attest: 'true' },
        env
      })
      expect(strict.exitCode).not.toBe(0)
      expect(failureMessage(strict)).toContain('attest: true, but the workflow gives this job no OIDC token')
      expect(failureMessage(strict)).toContain('permissions: id-token: write')
      expect(strict.outputs.pushed).toBe('false')
      expect(await registryTags(servers.registry.url, 'token-required/bp-temporal')).toEqual([])
      expect(sigstore.requests.length).toBe(signedBefore)
    })
  })
})

function byPayload(a: Json, b: Json): number {
  return String(a.dsseEnvelope.payload).localeCompare(String(b.dsseEnvelope.payload))
}
