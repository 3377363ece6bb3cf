// The publish preview's pure parts: the free version named in the fix, the step each registry answer makes (with the
// lines of Chart.yaml and blueprint.yaml), and the verdict line it gives the comment.
import { describe, expect, it } from '@jest/globals'
import type { ChartMetadata } from '../../src/chart/blueprint.js'
import { readBlueprintManifest } from '../../src/chart/blueprint-manifest.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'
import { freeVersion } from '../../src/oci/preview.js'
import { renderMarkdown } from '../../src/report/report.js'
import { previewStep } from '../../src/run/preview-step.js'
import type { ActionReport, PublishPreview } from '../../src/types.js'

const REF = 'oci://ghcr.io/openova-io/bp-temporal:1.0.0'
const DIGEST = `sha256:${'a'.repeat(64)}`

describe('freeVersion', () => {
  it('is the next patch version no tag holds, above every published one of the same minor', () => {
    expect(freeVersion('1.0.0', ['1.0.0'])).toBe('1.0.1')
    expect(freeVersion('1.0.0', ['1.0.0', '1.0.1', '1.0.2'])).toBe('1.0.3')
    expect(freeVersion('1.0.0', ['1.0.0', '1.0.5', '1.1.0', '2.0.0'])).toBe('1.0.6')
    expect(freeVersion('1.0.0+build.1', ['1.0.0_build.1'])).toBe('1.0.1')
    expect(freeVersion('not-a-version', [])).toBeUndefined()
  })
})

function ctxWith(options: { manifest: boolean; versionFromTag?: boolean }) {
  const chartYaml = parseYamlText<ChartMetadata>(
    'apiVersion: v2\nname: bp-temporal\ndescription: x\nversion: 1.0.0\n',
    'platform/temporal/chart/Chart.yaml'
  )
  const manifest = options.manifest
    ? readBlueprintManifest(
        parseYamlText('metadata:\n  name: bp-temporal\nspec:\n  version: 1.0.0\n', 'platform/temporal/blueprint.yaml')
      )
    : undefined
  return {
    chart: { name: 'bp-temporal', version: '1.0.0', path: 'platform/temporal/chart' },
    blueprint: { dir: 'platform/temporal', chartYaml, manifest } as never,
    inputs: { versionFromTag: options.versionFromTag ?? false } as never
  }
}

const OTHER: PublishPreview = {
  state: 'other',
  ref: REF,
  digest: DIGEST,
  differing: ['bp-temporal/values.yaml'],
  dependenciesOnly: false,
  freeVersion: '1.0.1'
}

describe('previewStep', () => {
  it('not published: passes, saying merging publishes the ref', () => {
    const step = previewStep(ctxWith({ manifest: true }), { state: 'unpublished', ref: REF })
    expect(step).toMatchObject({ id: 'publish-preview', status: 'passed', findings: [] })
    expect(step.summary).toBe(`merging publishes ${REF} (not in the registry yet)`)
  })

  it('published with the same content: a notice, nothing to publish', () => {
    const step = previewStep(ctxWith({ manifest: true }), { state: 'same', ref: REF, digest: DIGEST })
    expect(step.status).toBe('passed')
    expect(step.findings).toEqual([
      expect.objectContaining({ severity: 'notice', message: expect.stringContaining('merging publishes nothing') })
    ])
  })

  it("other content: an error on Chart.yaml's version line, the fix naming the next patch and blueprint.yaml's line", () => {
    const step = previewStep(ctxWith({ manifest: true }), OTHER)
    expect(step.status).toBe('failed')
    expect(step.findings).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'platform/temporal/chart/Chart.yaml',
        line: 4,
        message: expect.stringContaining(
          `${REF} is already published as ${DIGEST} with other content (differing: bp-temporal/values.yaml)`
        ),
        fix: 'bump version in platform/temporal/chart/Chart.yaml:4 to 1.0.1 (the next patch version not published), and spec.version in platform/temporal/blueprint.yaml:4 with it'
      })
    ])
    // A chart-only blueprint: Chart.yaml alone.
    expect(previewStep(ctxWith({ manifest: false }), OTHER).findings[0].fix).toBe(
      'bump version in platform/temporal/chart/Chart.yaml:4 to 1.0.1 (the next patch version not published)'
    )
  })

  it('other content with version-from-tag: says which version is free to tag', () => {
    const step = previewStep(ctxWith({ manifest: true, versionFromTag: true }), OTHER)
    expect(step.findings[0].fix).toBe(
      'with version-from-tag the release tag decides the version: 1.0.0 is taken, 1.0.1 is free: tag the release as platform/temporal/v1.0.1 (and set spec.version in platform/temporal/blueprint.yaml:4 to it)'
    )
  })

  it('only the bundled dependencies differ: no bump asked for, the lock is', () => {
    const step = previewStep(ctxWith({ manifest: true }), { ...OTHER, dependenciesOnly: true })
    expect(step.findings[0].message).toContain("the chart's own files are the same")
    expect(step.findings[0].fix).toContain('commit Chart.lock')
  })

  it('an unreachable registry is a warning, never a failure', () => {
    const step = previewStep(ctxWith({ manifest: true }), { state: 'unreachable', ref: REF, reason: 'ECONNREFUSED' })
    expect(step.status).toBe('warning')
    expect(step.findings[0]).toMatchObject({ severity: 'warning', message: 'publish preview: ECONNREFUSED' })
  })
})

describe('the verdict line with a publish preview', () => {
  const report = (status: 'passed' | 'failed', preview: PublishPreview): ActionReport => ({
    schemaVersion: 1,
    blueprint: 'platform/temporal',
    chart: { name: 'bp-temporal', version: '1.0.0', path: 'platform/temporal/chart' },
    mode: 'validate',
    modeReason: 'pull request',
    helmVersion: 'v3.17.2',
    status,
    steps: [
      {
        ...previewStep(ctxWith({ manifest: false }), preview),
        ...(status === 'failed' && preview.state !== 'other' ? { id: 'lint', title: 'Lint', status: 'failed' } : {})
      }
    ],
    publish: { ref: REF, pushed: false, preview },
    values: { files: [], set: [] },
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 1
  })
  const verdict = (r: ActionReport) =>
    renderMarkdown(r, { limit: 65536 })
      .split('\n')
      .find((line) => line.startsWith('### '))

  it('says what merging publishes, or why it cannot', () => {
    expect(verdict(report('passed', { state: 'unpublished', ref: REF }))).toBe(
      `### ✅ bp-temporal 1.0.0 passed · merging publishes \`${REF}\``
    )
    expect(verdict(report('passed', { state: 'same', ref: REF, digest: DIGEST }))).toBe(
      '### ✅ bp-temporal 1.0.0 passed · already published, nothing to publish'
    )
    expect(verdict(report('failed', OTHER))).toBe(
      `### ❌ bp-temporal 1.0.0 failed: Publish preview · \`${REF}\` is already published with other content`
    )
    expect(verdict(report('failed', { state: 'unpublished', ref: REF }))).toBe(
      `### ❌ bp-temporal 1.0.0 failed: Lint · once it passes, merging publishes \`${REF}\``
    )
    // The verdict line says it; the first screen does not say it again (issue 26.8's rule: the ref once).
    for (const status of ['passed', 'failed'] as const) {
      const firstScreen = renderMarkdown(report(status, { state: 'unpublished', ref: REF }), { limit: 65536 }).split(
        '<details>'
      )[0]
      expect(firstScreen.split(REF)).toHaveLength(2)
    }
  })
})
