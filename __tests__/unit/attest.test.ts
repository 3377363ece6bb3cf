import { describe, expect, it } from '@jest/globals'
import { sigstoreInstance } from '../../src/attest/instance.js'
import { indexEntries, referrerManifest, referrersTag } from '../../src/attest/referrers.js'
import {
  chartSubject,
  provenancePredicate,
  statement,
  tokenClaims,
  SLSA_PROVENANCE_V1
} from '../../src/attest/statements.js'
import { attests } from '../../src/run/evidence.js'
import { preloadAttestation } from '../../src/run/later-stages.js'
import { identityToken } from '../../testkit/sigstore.mjs'

const DIGEST = `sha256:${'ab'.repeat(32)}`
const NO_URLS = { fulcio: '', tsa: '', rekor: '' }

describe('the statements', () => {
  it("name the chart's repository and manifest digest as the subject", () => {
    expect(chartSubject('oci://ghcr.io/openova-io/bp-temporal:1.0.0', DIGEST)).toEqual({
      name: 'ghcr.io/openova-io/bp-temporal',
      digest: { sha256: 'ab'.repeat(32) }
    })
    expect(chartSubject('oci://127.0.0.1:5000/charts/bp-temporal:1.0.0_build.1', DIGEST).name).toBe(
      '127.0.0.1:5000/charts/bp-temporal'
    )
    expect(() => chartSubject('oci://ghcr.io/o/bp:1', 'sha512:00')).toThrow('"sha512:00" is not a sha256')
  })

  it('write the SLSA v1 predicate of a GitHub workflow from the token claims, as @actions/attest does', () => {
    const claims = tokenClaims(identityToken({ run_attempt: '2' }))
    const predicate = provenancePredicate(claims, 'https://github.com')
    expect(predicate).toEqual({
      buildDefinition: {
        buildType: 'https://actions.github.io/buildtypes/workflow/v1',
        externalParameters: {
          workflow: {
            ref: 'refs/tags/platform/temporal/v1.0.0',
            repository: 'https://github.com/openova-io/platform',
            path: '.github/workflows/blueprint.yml'
          }
        },
        internalParameters: {
          github: {
            event_name: 'push',
            repository_id: '123456',
            repository_owner_id: '654321',
            runner_environment: 'github-hosted'
          }
        },
        resolvedDependencies: [
          {
            uri: 'git+https://github.com/openova-io/platform@refs/tags/platform/temporal/v1.0.0',
            digest: { gitCommit: '0123456789abcdef0123456789abcdef01234567' }
          }
        ]
      },
      runDetails: {
        builder: {
          id: 'https://github.com/openova-io/platform/.github/workflows/blueprint.yml@refs/tags/platform/temporal/v1.0.0'
        },
        metadata: { invocationId: 'https://github.com/openova-io/platform/actions/runs/42/attempts/2' }
      }
    })
    const s = statement(chartSubject('oci://ghcr.io/o/bp:1.0.0', DIGEST), SLSA_PROVENANCE_V1, predicate)
    expect(s).toMatchObject({ _type: 'https://in-toto.io/Statement/v1', predicateType: SLSA_PROVENANCE_V1 })
  })

  it('refuse a token that is no JWT or lacks the workflow claims, naming them', () => {
    expect(() => tokenClaims('not-a-token')).toThrow('the OIDC token from the runner is not a JWT')
    expect(() => tokenClaims(identityToken({ workflow_ref: undefined, sha: undefined }))).toThrow(
      'lacks the claims sha, workflow_ref'
    )
  })
})

describe('the Sigstore instance', () => {
  it("is public-good for a public repository and GitHub's for any other, as @actions/attest chooses", () => {
    expect(sigstoreInstance(NO_URLS, { repository: { visibility: 'public' } })).toEqual({
      name: 'public-good',
      fulcioUrl: 'https://fulcio.sigstore.dev',
      rekorUrl: 'https://rekor.sigstore.dev'
    })
    expect(sigstoreInstance(NO_URLS, { repository: { visibility: 'private' } })).toEqual({
      name: 'github',
      fulcioUrl: 'https://fulcio.githubapp.com',
      tsaUrl: 'https://timestamp.githubapp.com'
    })
    expect(sigstoreInstance(NO_URLS, {}, 'https://acme.ghe.com')).toMatchObject({
      fulcioUrl: 'https://fulcio.acme.ghe.com',
      tsaUrl: 'https://timestamp.acme.ghe.com'
    })
  })

  it('is the private instance the inputs name, whatever the visibility', () => {
    const urls = { fulcio: 'https://f.example', tsa: '', rekor: 'https://r.example' }
    expect(sigstoreInstance(urls, { repository: { visibility: 'public' } })).toEqual({
      name: 'custom',
      fulcioUrl: 'https://f.example',
      rekorUrl: 'https://r.example'
    })
  })
})

describe('the referrer layout', () => {
  it('is an OCI manifest with the chart as subject, the bundle as its one layer and the predicate annotated', () => {
    const subject = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 731 }
    const bundle = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}')
    const { manifest, annotations } = referrerManifest(
      subject,
      bundle,
      'https://cyclonedx.org/bom',
      new Date('2026-01-02T03:04:05Z')
    )
    expect(JSON.parse(manifest.toString())).toEqual({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      config: {
        mediaType: 'application/vnd.oci.empty.v1+json',
        digest: 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a',
        size: 2
      },
      layers: [
        {
          mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
          digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
          size: bundle.length
        }
      ],
      subject,
      annotations: {
        'org.opencontainers.image.created': '2026-01-02T03:04:05.000Z',
        'dev.sigstore.bundle.content': 'dsse-envelope',
        'dev.sigstore.bundle.predicateType': 'https://cyclonedx.org/bom'
      }
    })
    expect(annotations['dev.sigstore.bundle.predicateType']).toBe('https://cyclonedx.org/bom')
    expect(referrersTag(DIGEST)).toBe(`sha256-${'ab'.repeat(32)}`)
  })

  it('reads the descriptors of an index, and nothing from what is not one', () => {
    const entry = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: DIGEST, size: 3 }
    expect(indexEntries(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [entry, { bad: 1 }] })))).toEqual([
      entry
    ])
    expect(indexEntries(Buffer.from('not json'))).toEqual([])
    expect(indexEntries(undefined)).toEqual([])
  })
})

describe('whether a run attests', () => {
  const pushed = { ref: 'oci://r/bp:1.0.0', digest: DIGEST, pushed: true }
  const passed = [
    { id: 'publish', title: 'Publish', status: 'passed' as const, durationMs: 0, summary: '', findings: [] }
  ]
  it('attests a push, and a re-run that finds the chart published, unless attest is false', () => {
    expect(attests('auto', pushed, passed)).toBe(true)
    expect(attests('true', { ...pushed, pushed: false, alreadyPublished: true }, passed)).toBe(true)
    expect(attests('false', pushed, passed)).toBe(false)
  })
  it('does not attest what was not published, nor a chart a step failed on', () => {
    expect(attests('auto', { ref: 'oci://r/bp:1.0.0', pushed: false }, passed)).toBe(false)
    expect(attests('auto', { ...pushed, pushed: false }, passed)).toBe(false)
    expect(attests('auto', pushed, [{ ...passed[0], status: 'failed' }])).toBe(false)
  })
})

describe('preloadAttestation: the signing code loads during the push only for a release that will attest', () => {
  const token = { ACTIONS_ID_TOKEN_REQUEST_URL: 'http://127.0.0.1:1/token' }
  const release = { mode: 'publish' as const, inputs: { attest: 'auto' as const } }
  const ok = [{ id: 'lint', title: 'Lint', status: 'passed' as const, durationMs: 1, summary: '', findings: [] }]
  it('starts the load on a release with an OIDC token and no failed step', () => {
    expect(preloadAttestation(release, ok, token)).toBe(true)
    expect(preloadAttestation({ ...release, inputs: { attest: 'true' } }, ok, token)).toBe(true)
  })
  it('loads nothing for a run that will not attest', () => {
    expect(preloadAttestation({ ...release, mode: 'validate' }, ok, token)).toBe(false)
    expect(preloadAttestation({ ...release, inputs: { attest: 'false' } }, ok, token)).toBe(false)
    expect(preloadAttestation(release, ok, {})).toBe(false)
    expect(preloadAttestation(release, [{ ...ok[0], status: 'failed' }], token)).toBe(false)
  })
})
