// The PR comment and job summary as a reviewer reads them: each scenario runs
// the bundled action against loopback servers, and the markdown is rendered
// with GitHub's engine (cmark-gfm) and checked on the HTML, not on the text.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { firstScreenText, renderGfm, tableRowsPerImage, visibleMarkupProblems } from '../../testkit/gfm.mjs'
import {
  failingEdits,
  manyImagesEdit,
  runScenario,
  scenarioWorkspace,
  startScenarioServers
} from '../../testkit/report-scenarios.mjs'
import { helmsUnderTest } from '../support/e2e.js'

// The report does not depend on the helm major.
const helm = helmsUnderTest()[1]

interface Annotation {
  level: string
  message: string
  file?: string
  line?: string
}

function perLevel(annotations: Annotation[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const a of annotations) counts[a.level] = (counts[a.level] ?? 0) + 1
  return counts
}

/** Image references of the run's images step (from the JSON report). */
function imagesOf(report: { steps: { id: string; data?: { images?: { image: string }[] } }[] }): string[] {
  return [...new Set(report.steps.find((s) => s.id === 'images')?.data?.images?.map((i) => i.image) ?? [])]
}

const writes = (requests: { method: string }[]): string[] =>
  requests.filter((r) => r.method !== 'GET').map((r) => r.method)

describe(`the report a reviewer reads (${helm.label})`, () => {
  let servers: Awaited<ReturnType<typeof startScenarioServers>>
  beforeAll(async () => {
    servers = await startScenarioServers({ helm: helm.binary })
  })
  afterAll(async () => {
    await servers?.close()
  })

  async function scenario(options: {
    edit?: (chart: string) => Promise<void>
    pr?: number
    tag?: string
    inputs?: Record<string, string>
  }) {
    const ws = await scenarioWorkspace(servers, options.edit)
    try {
      return await runScenario(servers, {
        helm: helm.binary,
        helmVersion: helm.version,
        workspace: ws.dir,
        pr: options.pr,
        tag: options.tag,
        inputs: options.inputs
      })
    } finally {
      await ws.remove()
    }
  }

  it('a passing PR: a verdict first, code as code, each image in one row; a re-run with the same result sends nothing', async () => {
    const first = await scenario({ pr: 21 })
    expect(first.run.exitCode).toBe(0)
    expect(writes(first.requests)).toEqual(['POST'])
    const html = renderGfm(first.comment)
    expect(visibleMarkupProblems(html)).toEqual([])
    // The example's whole workspace (its spec.depends blueprints beside it): a clean pass, no warning to explain.
    expect(firstScreenText(html).split('\n')[0]).toMatch(/^✅ bp-temporal 1\.0\.0 passed · /)
    const images = imagesOf(first.run.report)
    expect(images.length).toBeGreaterThan(2)
    for (const [image, rows] of Object.entries(
      tableRowsPerImage(
        html,
        images.map((i) => i.replace(/@sha256:([0-9a-f]{12}).*/, '@sha256:$1'))
      )
    )) {
      expect({ image, rows }).toEqual({ image, rows: 1 })
    }
    // No durations in the comment: the same result is the same body.
    expect(first.comment).not.toMatch(/\d+(\.\d)? (ms|s)\b/)
    // The scenario's workspace is a git repository whose head changes nothing rendered.
    expect(first.comment).toContain('**What changes:** no rendered change against the pull request base')

    const again = await scenario({ pr: 21 })
    expect(again.run.exitCode).toBe(0)
    expect(writes(again.requests)).toEqual([])
    expect(again.run.stdout).toContain('PR comment unchanged')
    expect(again.comments).toHaveLength(1)
  })

  it('a failing PR: the first finding on the first screen, upstream images at their values keys, one fix per problem, annotations capped', async () => {
    const { run, comment } = await scenario({ pr: 22, edit: failingEdits })
    expect(run.exitCode).not.toBe(0)
    const html = renderGfm(comment)
    expect(visibleMarkupProblems(html)).toEqual([])
    const screen = firstScreenText(html)
    expect(screen.split('\n')[0]).toMatch(/^❌ bp-temporal 1\.0\.0 failed/)
    // The toggle that defaults to true is the first finding; it is on the first screen, with file and line.
    expect(screen).toMatch(
      /platform\/temporal\/chart\/values\.yaml:\d+ Observability toggle catalystOverlay\.serviceMonitor\.enabled defaults to true/
    )
    expect(screen).toContain(`commit 3f2c1d9`)
    // Upstream images: one finding at the blueprint's values.yaml naming the keys to set, with one snippet.
    const upstream = run.report.steps
      .find((s: { id: string }) => s.id === 'images')
      .findings.filter((f: { message: string }) => /temporal chart/.test(f.message))
    expect(upstream).toHaveLength(1)
    expect(upstream[0].file).toBe('platform/temporal/chart/values.yaml')
    expect(upstream[0].message).toContain('`temporal.web.image.tag`')
    expect(upstream[0].message).toContain('`temporal.admintools.image.tag`')
    expect(upstream[0].snippet.text).toMatch(/^temporal:\n {2}web:\n {4}image:\n/)
    expect(html).toMatch(/<pre[^>]*><code class="language-yaml">temporal:\n {2}web:/)
    // The empty tag without `required`: the template line to paste, in a code block.
    expect(html).toMatch(
      /<pre[^>]*><code[^>]*>\{\{ required &quot;catalystOverlay\.worker\.image\.tag is required&quot;/
    )
    for (const [, rows] of Object.entries(tableRowsPerImage(html, imagesOf(run.report))))
      expect(rows).toBeLessThanOrEqual(1)
    for (const [level, n] of Object.entries(perLevel(run.annotations)))
      expect({ level, n: Math.min(n, 10) }).toEqual({ level, n })
    // Annotations on the diff: no path inside the package.
    expect(run.annotations.filter((a: Annotation) => a.file?.includes('/charts/'))).toEqual([])
    // What changes against the base commit (the example before the edit): the added debug Pod, after the fixes.
    expect(run.report.diff.status).toBe('compared')
    expect(
      run.report.diff.comparison.resources.map((r: { change: string; kind: string }) => [r.change, r.kind])
    ).toContainEqual(['added', 'Pod'])
    expect(comment!.indexOf('#### What changes')).toBeGreaterThan(comment!.indexOf('What to fix'))
    expect(html).toContain('<code class="language-diff">')
    // The worker's misspelled container field: a schema finding in the comment, at its template line.
    expect(html).toMatch(
      /platform\/temporal\/chart\/templates\/worker\.yaml:13<\/code>\s*<code>spec\.template\.spec\.containers\[0\]\.imagePullPolcy<\/code>: unknown field|platform\/temporal\/chart\/templates\/worker\.yaml:13[^\n]*imagePullPolcy[^\n]*unknown field/
    )
    expect(comment).toMatch(/\| API schemas \| ❌ failed \|/)
  })

  it('a release: the pushed ref, digest and attestations in the first lines of the job summary, with helm pull, helm install and how to verify', async () => {
    const { run } = await scenario({ tag: 'platform/temporal/v1.0.0' })
    expect(run.exitCode).toBe(0)
    expect(run.outputs.pushed).toBe('true')
    const html = renderGfm(run.summary)
    expect(visibleMarkupProblems(html)).toEqual([])
    const top = firstScreenText(html).split('\n').slice(0, 4).join('\n')
    expect(top).toContain(run.outputs.ref)
    expect(top).toContain(run.outputs.digest)
    const repository = run.outputs.ref.replace(/:[^:/]+$/, '')
    expect(html).toContain(`helm pull ${repository} --version 1.0.0`)
    expect(html).toContain(`helm install temporal ${repository} --version 1.0.0`)
    // Attested (the job has id-token: write; the loopback Sigstore instance signs), with the verification commands.
    expect(top).toContain('attested: provenance, SBOM')
    const digestRef = run.outputs['digest-ref']
    expect(html).toContain(`gh attestation verify oci://${digestRef} --owner openova-io`)
    expect(html).toContain(`gh attestation verify oci://${digestRef} --owner openova-io --bundle-from-oci`)
    expect(html).toContain('cosign verify-attestation --new-bundle-format --type slsaprovenance1')
    expect(html).toContain(
      "--certificate-identity-regexp '^https://github\\.com/openova-io/openova/\\.github/workflows/'"
    )
  })

  it('200 unpinned images: one grouped finding, annotations within 10 a kind, the comment within 65,536 characters', async () => {
    const { run, comment } = await scenario({ pr: 23, edit: manyImagesEdit(200) })
    expect(run.exitCode).not.toBe(0)
    for (const [level, n] of Object.entries(perLevel(run.annotations)))
      expect({ level, n: Math.min(n, 10) }).toEqual({ level, n })
    // The failure line (core.setFailed) is among the annotations, not dropped. (When the release scenario has
    // published 1.0.0 first, this unbumped change fails the publish preview too: listed after the images.)
    expect(
      run.annotations.some(
        (a: Annotation) => a.level === 'error' && /Images pinned(, Publish preview)? failed/.test(a.message)
      )
    ).toBe(true)
    expect(comment!.length).toBeLessThan(65_536)
    const images = run.report.steps.find((s: { id: string }) => s.id === 'images')
    expect(images.findings.filter((f: { rule: string }) => f.rule === 'image-pinned')).toHaveLength(1)
    const html = renderGfm(comment)
    expect(visibleMarkupProblems(html)).toEqual([])
    for (const [, rows] of Object.entries(tableRowsPerImage(html, imagesOf(run.report))))
      expect(rows).toBeLessThanOrEqual(1)
  })

  it('comment-mode on-failure comments while failing and deletes its comment once the PR passes; summary off writes none', async () => {
    const failing = await scenario({
      pr: 24,
      edit: failingEdits,
      inputs: { 'comment-mode': 'on-failure', summary: 'off' }
    })
    expect(failing.run.exitCode).not.toBe(0)
    expect(failing.comments).toHaveLength(1)
    expect(failing.run.summary).toBe('')
    const passing = await scenario({ pr: 24, inputs: { 'comment-mode': 'on-failure', summary: 'on-failure' } })
    expect(passing.run.exitCode).toBe(0)
    expect(writes(passing.requests)).toEqual(['DELETE'])
    expect(passing.comments).toHaveLength(0)
    expect(passing.run.summary).toBe('')
    const stillPassing = await scenario({ pr: 24, inputs: { 'comment-mode': 'on-failure' } })
    expect(writes(stillPassing.requests)).toEqual([])
    expect(stillPassing.run.summary).toContain('bp-temporal')
  })

  it('an unevaluated ${{ github.token }} is named as such, not blamed on a fork', async () => {
    const { run, requests } = await scenario({ pr: 25, inputs: { 'github-token': '${{ github.token }}' } })
    expect(run.exitCode).toBe(0)
    expect(requests).toEqual([])
    const warning = run.annotations.find((a: Annotation) => a.level === 'warning' && /github-token/.test(a.message))
    expect(warning?.message).toMatch(/unevaluated \$\{\{ … \}\} expression/)
    expect(warning?.message).not.toMatch(/fork/)
  })
})
