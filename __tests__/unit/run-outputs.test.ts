import { describe, expect, it } from '@jest/globals'
import { assembleReport, stoppedEarlyReport } from '../../src/run/assemble.js'
import { eventContextFrom } from '../../src/run/event.js'
import { getInputs } from '../../src/inputs/inputs.js'
import { parseRegistryTarget } from '../../src/oci/registry.js'
import { digestRef, discoverOutputs, discoverWarnings, runOutputs } from '../../src/run/outputs.js'
import { sbomArtifact, sbomContent } from '../../src/run/sbom-input.js'
import { ActionError, type ActionReport } from '../../src/types.js'

const DIGEST = `sha256:${'a'.repeat(64)}`

function report(fields: Partial<ActionReport> = {}): ActionReport {
  return {
    schemaVersion: 1,
    blueprint: 'platform/temporal',
    chart: { name: 'bp-temporal', version: '1.2.0', path: 'platform/temporal/chart' },
    mode: 'publish',
    modeReason: 'release tag',
    helmVersion: 'v3.17.2',
    status: 'passed',
    steps: [],
    values: { files: [], set: [] },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1,
    ...fields
  }
}

describe('digestRef', () => {
  it('is host/path/name@digest of the published chart (what cosign takes)', () => {
    expect(digestRef({ ref: 'oci://ghcr.io/openova-io/bp-temporal:1.2.0', pushed: true, digest: DIGEST })).toBe(
      `ghcr.io/openova-io/bp-temporal@${DIGEST}`
    )
    // A registry with a port keeps it; only the tag goes.
    expect(digestRef({ ref: 'oci://127.0.0.1:5000/b/bp-temporal:1.2.0', pushed: false, digest: DIGEST })).toBe(
      `127.0.0.1:5000/b/bp-temporal@${DIGEST}`
    )
  })

  it('is empty without a digest', () => {
    expect(digestRef(undefined)).toBe('')
    expect(digestRef({ ref: 'oci://ghcr.io/o/bp-temporal:1.2.0', pushed: false })).toBe('')
  })
})

describe('runOutputs', () => {
  it('gives every output of action.yml, from the report', () => {
    const outputs = runOutputs(
      report({
        upstream: {
          name: 'temporal',
          repository: 'https://go.temporal.io/helm-charts',
          pinned: '1.2.0',
          resolved: '1.2.0',
          latest: '1.3.0',
          outdated: true
        },
        publish: { ref: 'oci://ghcr.io/o/bp-temporal:1.2.0', pushed: true, digest: DIGEST },
        sbom: '/tmp/sbom.json'
      }),
      '/tmp/report.json'
    )
    expect(outputs).toEqual({
      'chart-name': 'bp-temporal',
      'chart-version': '1.2.0',
      'upstream-version': '1.2.0',
      'upstream-latest': '1.3.0',
      'upstream-outdated': 'true',
      ref: 'oci://ghcr.io/o/bp-temporal:1.2.0',
      digest: DIGEST,
      'digest-ref': `ghcr.io/o/bp-temporal@${DIGEST}`,
      sbom: '/tmp/sbom.json',
      attestations: '[]',
      bundles: '',
      diff: '',
      pushed: 'true',
      mode: 'publish',
      report: '/tmp/report.json'
    })
  })

  it('lists the attestations as JSON and the bundle files this run signed one a line', () => {
    const outputs = runOutputs(
      report({
        attestation: {
          instance: 'github',
          listing: 'tag-scheme',
          statements: [
            {
              kind: 'provenance',
              predicateType: 'https://slsa.dev/provenance/v1',
              referrer: `sha256:${'1'.repeat(64)}`,
              githubId: 7,
              bundle: '/tmp/bp-temporal-1.2.0.provenance.sigstore.json'
            },
            {
              kind: 'sbom',
              predicateType: 'https://cyclonedx.org/bom',
              referrer: `sha256:${'2'.repeat(64)}`,
              existing: true
            }
          ]
        }
      }),
      '/tmp/r.json'
    )
    expect(JSON.parse(outputs.attestations)).toEqual([
      { predicateType: 'https://slsa.dev/provenance/v1', referrer: `sha256:${'1'.repeat(64)}`, githubId: 7 },
      { predicateType: 'https://cyclonedx.org/bom', referrer: `sha256:${'2'.repeat(64)}`, existing: true }
    ])
    expect(outputs.bundles).toBe('/tmp/bp-temporal-1.2.0.provenance.sigstore.json')
  })

  it('writes empty values and false for what the run did not do', () => {
    const outputs = runOutputs(report({ mode: 'validate' }), '/tmp/r.json')
    expect(outputs).toMatchObject({ 'upstream-outdated': 'false', pushed: 'false', ref: '', digest: '', sbom: '' })
  })
})

describe('discoverOutputs', () => {
  it('lists the blueprints as JSON, as a matrix and in release waves', () => {
    const matrix = { include: [{ blueprint: 'platform/temporal', upstream: 'temporal' }] }
    expect(discoverOutputs({ blueprints: ['platform/temporal'], matrix, waves: [matrix] })).toEqual({
      blueprints: '["platform/temporal"]',
      matrix: JSON.stringify(matrix),
      waves: JSON.stringify([matrix]),
      mode: 'discover'
    })
  })
})

describe('eventContextFrom', () => {
  it("links the run and takes a pull request's head commit", () => {
    const event = eventContextFrom(
      {
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_REF: 'refs/pull/7/merge',
        GITHUB_REPOSITORY: 'openova-io/openova',
        GITHUB_RUN_ID: '42',
        GITHUB_SHA: 'f'.repeat(40)
      },
      { pull_request: { head: { sha: 'b'.repeat(40) } } }
    )
    expect(event).toMatchObject({
      eventName: 'pull_request',
      ref: 'refs/pull/7/merge',
      repo: { owner: 'openova-io', repo: 'openova' },
      runUrl: 'https://github.com/openova-io/openova/actions/runs/42',
      commit: 'b'.repeat(40)
    })
  })

  it('has no run link without GITHUB_REPOSITORY, and no commit that is not a SHA', () => {
    const event = eventContextFrom({ GITHUB_RUN_ID: '42', GITHUB_SHA: 'main' }, {})
    expect(event.runUrl).toBeUndefined()
    expect(event.commit).toBeUndefined()
    expect(event.eventName).toBe('')
  })
})

describe('sbomContent', () => {
  it('names the bundled charts at the versions built and the package time', () => {
    const content = sbomContent({
      work: {
        name: 'bp-temporal',
        version: '1.2.0',
        dependencies: [{ name: 'temporal', version: '~1.2.0', repository: 'https://go.temporal.io/helm-charts' }]
      },
      chartMeta: { appVersion: '1.29.0', description: 'Temporal blueprint' },
      built: { temporal: '1.2.3' },
      images: [],
      epoch: 1700000000
    })
    expect(content).toEqual({
      chart: { name: 'bp-temporal', version: '1.2.0', appVersion: '1.29.0', description: 'Temporal blueprint' },
      dependencies: [{ name: 'temporal', version: '1.2.3', repository: 'https://go.temporal.io/helm-charts' }],
      images: [],
      timestamp: '2023-11-14T22:13:20.000Z',
      tool: { name: 'blueprint-action', version: 'unreleased' }
    })
  })

  it('names the artifact only with a digest', () => {
    expect(sbomArtifact({ ref: 'oci://r/c:1.0.0', pushed: true, digest: DIGEST })).toEqual({
      ref: 'oci://r/c:1.0.0',
      digest: DIGEST
    })
    expect(sbomArtifact({ ref: 'oci://r/c:1.0.0', pushed: false })).toBeUndefined()
  })
})

describe('assembleReport', () => {
  const inputs = getInputs((name) => ({ registry: 'oci://ghcr.io/o' })[name] ?? '', { GITHUB_WORKSPACE: '/w' })
  const frame = { inputs, event: eventContextFrom({}, {}) }
  const time = { startedAt: new Date(0), durationMs: 5 }
  const identity = {
    chart: { name: 'bp-temporal', version: '1.2.0', path: 'platform/temporal/chart' },
    mode: 'validate' as const,
    modeReason: 'pull request',
    // The registry input as run/settings.ts parsed it (RunIdentity.registry).
    registry: parseRegistryTarget(inputs.registry, false)
  }

  it('names the registry target when nothing was pushed, and ends with the Run step of an error', () => {
    const built = assembleReport(frame, time, identity, {
      steps: [{ id: 'lint', title: 'Lint', status: 'passed', durationMs: 1, summary: '', findings: [] }],
      error: new ActionError('registry refused the login', 'check registry-password'),
      helmVersion: 'v4.1.4'
    })
    expect(built.publish).toEqual({ ref: 'oci://ghcr.io/o/bp-temporal:1.2.0', pushed: false })
    expect(built.status).toBe('failed')
    expect(built.helmVersion).toBe('v4.1.4')
    expect(built.steps.map((step) => step.id)).toEqual(['lint', 'error'])
    expect(built.steps[1].findings[0].message).toBe('registry refused the login — check registry-password')
  })

  it('a run stopped before any work names no target and no helm', () => {
    const stopped = stoppedEarlyReport(frame, time, identity, new Error('boom'))
    expect(stopped.publish).toBeUndefined()
    expect(stopped.helmVersion).toBe('unknown')
    expect(stopped.steps).toHaveLength(1)
    expect(stopped.steps[0].findings[0].message).toBe('unexpected error: boom')
  })
})

describe('discoverWarnings', () => {
  it('no warning for a matrix GitHub runs whole', () => {
    const blueprints = Array.from({ length: 256 }, (_, i) => `platform/bp-${i}`)
    expect(discoverWarnings(blueprints, discoverOutputs({ blueprints, matrix: { include: [] }, waves: [] }))).toEqual(
      []
    )
  })

  it('more than 256 blueprints: a warning with the count and the fix (waves with discover-glob)', () => {
    const blueprints = Array.from({ length: 257 }, (_, i) => `platform/bp-${i}`)
    expect(discoverWarnings(blueprints, discoverOutputs({ blueprints, matrix: { include: [] }, waves: [] }))).toEqual([
      'discover: 257 blueprints, but a GitHub Actions matrix runs at most 256 jobs: the workflow fails to start the matrix. Fix: run discover in waves: one discover job per group of folders (input discover-glob, e.g. `platform/[a-m]*` and `platform/[n-z]*`), each feeding its own matrix.'
    ])
  })

  it('outputs near 1 MiB: a warning with their size', () => {
    const blueprints = Array.from({ length: 200 }, (_, i) => `platform/${'x'.repeat(2_400)}-${i}`)
    const include = blueprints.map((blueprint) => ({ blueprint, chart: `${blueprint}/chart`, upstream: '' }))
    const warnings = discoverWarnings(blueprints, discoverOutputs({ blueprints, matrix: { include }, waves: [] }))
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^discover: the outputs are \d+ KiB, (near|over) GitHub's 1 MiB limit for a job's outputs\. Fix: run discover in waves/
    )
  })
})
