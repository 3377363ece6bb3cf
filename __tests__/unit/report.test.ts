import { afterEach, beforeAll, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  codeBlock,
  codeSpan,
  escapeCell,
  escapeHtml,
  escapeMarkdown,
  shortDigestRef
} from '../../src/report/markdown.js'
import {
  annotate,
  commentMarker,
  describeUpstream,
  fillPins,
  inlineMarkdown,
  planAnnotations,
  jsonReportName,
  renderLogLines,
  renderComment,
  renderJobSummary,
  renderMarkdown,
  writeJobSummary,
  writeJsonReport
} from '../../src/report/report.js'
import { imagesStep } from '../../src/gates/images.js'
import { parseRender } from '../../src/helm/render.js'
import { registerSecret } from '../../src/util/secrets.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'
import type { ActionReport, AttestedStatement, StepResult } from '../../src/types.js'

const SECRET = 'hunter2-s3cr3t-token-value'

function baseReport(overrides: Partial<ActionReport> = {}): ActionReport {
  const steps: StepResult[] = [
    {
      id: 'resolve-upstream',
      title: 'Upstream version',
      status: 'warning',
      durationMs: 420,
      summary: 'temporal 1.2.0 pinned, 1.3.0 available',
      findings: [
        {
          rule: 'upstream-outdated',
          severity: 'warning',
          message: 'temporal 1.3.0 is available',
          fix: '1.3.0',
          file: 'platform/temporal/chart/Chart.yaml',
          line: 12
        }
      ]
    },
    {
      id: 'lint',
      title: 'Lint',
      status: 'passed',
      durationMs: 1530,
      summary: 'helm lint --strict: 0 errors',
      findings: [],
      details: '==> Linting chart\n1 chart(s) linted, 0 chart(s) failed'
    },
    {
      id: 'render',
      title: 'Smoke render',
      status: 'passed',
      durationMs: 2100,
      summary: '42 resources',
      findings: [],
      data: { kinds: { Deployment: 4, Service: 5, ConfigMap: 3 } }
    },
    {
      id: 'images',
      title: 'Images',
      status: 'failed',
      durationMs: 12,
      summary: '1 of 3 images not pinned',
      findings: [
        {
          rule: 'image-pinned',
          severity: 'error',
          message: 'image temporalio/server:1.24.2 is not pinned to a digest',
          fix: 'temporalio/server:1.24.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
          file: 'platform/temporal/chart/values.yaml',
          line: 30
        },
        { rule: 'image-latest', severity: 'error', message: 'image busybox uses :latest' }
      ],
      data: {
        images: [
          {
            image: 'temporalio/server:1.24.2',
            ok: false,
            reason: 'tag is not a digest',
            where: 'templates/server.yaml'
          },
          {
            image: 'temporalio/ui@sha256:abc',
            ok: true,
            reason: 'digest',
            allowedBy: undefined,
            where: 'templates/web.yaml'
          },
          {
            image: 'busybox:latest',
            ok: true,
            reason: 'allow-listed',
            allowedBy: 'busybox:* # test only',
            where: 'templates/job.yaml'
          }
        ]
      }
    }
  ]
  return {
    schemaVersion: 1,
    blueprint: 'platform/temporal',
    chart: { name: 'bp-temporal', version: '1.0.0', path: 'platform/temporal/chart' },
    upstream: {
      name: 'temporal',
      repository: 'https://go.temporal.io/helm-charts',
      pinned: '1.2.0',
      resolved: '1.2.0',
      latest: '1.3.0',
      outdated: true
    },
    mode: 'validate',
    modeReason: 'pull_request: pull requests only validate (push: auto)',
    helmVersion: 'v3.17.2',
    status: 'failed',
    steps,
    publish: { ref: 'oci://ghcr.io/acme/bp-temporal:1.0.0', pushed: false },
    values: { files: [], set: [] },
    runUrl: 'https://github.com/acme/platform/actions/runs/1',
    commit: '0123abcdef0123abcdef0123abcdef0123abcdef',
    startedAt: '2025-01-01T00:00:00.000Z',
    durationMs: 4100,
    ...overrides
  }
}

function giantReport(): ActionReport {
  const r = baseReport()
  const findings = Array.from({ length: 5000 }, (_, i) => ({
    rule: 'image-pinned',
    severity: 'error' as const,
    message: `image example.com/team/app-${i}:v${i} is not pinned`,
    fix: `example.com/team/app-${i}:v${i}@sha256:${'a'.repeat(64)}`,
    file: `platform/temporal/chart/templates/t${i}.yaml`,
    line: i + 1
  }))
  const lint = Array.from(
    { length: 40_000 },
    (_, i) => `[WARNING] templates/file-${i}.yaml: something looks odd here ${i}`
  ).join('\n')
  r.steps[1] = {
    ...r.steps[1],
    status: 'warning',
    details: lint,
    findings: [{ rule: 'lint', severity: 'warning', message: 'lint warnings' }]
  }
  r.steps[3] = { ...r.steps[3], findings }
  return r
}

describe('escaping', () => {
  it('escapes markdown, HTML and mentions in plain text', () => {
    expect(escapeMarkdown('a*b_c`d[e](f)<img src=x>|g')).toBe('a\\*b\\_c\\`d\\[e\\]\\(f\\)\\<img src=x\\>\\|g')
    expect(escapeMarkdown('ping @octocat please')).toBe('ping @\u200boctocat please')
    // An image digest is not a mention.
    expect(escapeMarkdown('nginx@sha256')).toBe('nginx@sha256')
  })

  it('keeps table cells on one line with | and backticks escaped', () => {
    const cell = escapeCell('one | two\nthree `x`')
    expect(cell).not.toContain('\n')
    expect(cell).toBe('one \\| two three \\`x\\`')
    expect(escapeCell('x'.repeat(1000)).length).toBeLessThanOrEqual(301)
  })

  it('makes code spans and blocks that content cannot close', () => {
    expect(codeSpan('a`b')).toBe('``a`b``')
    expect(codeSpan('`x`')).toBe('`` `x` ``')
    expect(codeSpan('a|b', true)).toBe('`a\\|b`')
    expect(codeSpan('line1\nline2')).toBe('`line1 line2`')
    const block = codeBlock('before\n```\nafter')
    expect(block.startsWith('````\n')).toBe(true)
    expect(block.endsWith('\n````')).toBe(true)
  })

  it('ends no line where the text does not: a lone CR or CRLF quoted from a chart is a plain line end in code blocks', () => {
    const block = codeBlock('image: x\r<img src=y>\r@octocat\r\n```\rdone')
    expect(block).toBe('````\nimage: x\n<img src=y>\n@octocat\n```\ndone\n````')
    // Inline text and HTML never carry a CR either.
    expect(escapeMarkdown('a\r# b')).toBe('a\n\\# b')
    expect(escapeHtml('a\rb\r\nc')).toBe('a b c')
  })

  it('fences code with a fence longer than any backtick run inside, wherever it stands', () => {
    expect(codeBlock('x = `````inline````` y').startsWith('``````\n')).toBe(true)
    expect(codeBlock('    ````\n`').split('\n')[0]).toBe('`````')
    expect(codeBlock('plain', 'y{a}ml`').split('\n')[0]).toBe('```yaml')
  })

  it('keeps mentions, issue references, e-mail addresses and URLs plain, in markdown text and in raw HTML', () => {
    const hostile = 'ping @octocat, see #12 and GH-34, mail evil@example.com, www.evil.io or https://evil.io/x'
    const md = escapeMarkdown(hostile)
    expect(md).toBe(
      'ping @\u200boctocat, see \\#\u200b12 and GH\u200b-34, mail evil@\u200bexample.com, www\\.evil.io or https\\://evil.io/x'
    )
    const html = escapeHtml(`${hostile} </summary><img src=x>`)
    expect(html).toBe(
      'ping @\u200boctocat, see #\u200b12 and GH\u200b-34, mail evil@\u200bexample.com, www.evil.io or https://evil.io/x &lt;/summary&gt;&lt;img src=x&gt;'
    )
    // An image reference keeps its `@` (no mention, no address).
    expect(escapeMarkdown('nginx@sha256:0123')).toBe('nginx@sha256:0123')
  })

  it('escapes step summaries in the steps table', () => {
    const r = baseReport()
    r.steps[1] = { ...r.steps[1], title: 'Lint | strict', summary: 'bad `cell`\nnext <b>x</b>' }
    const md = renderMarkdown(r, { limit: 65_536, durations: true })
    const row = md.split('\n').find((l) => l.startsWith('| Lint'))!
    expect(row).toBe('| Lint \\| strict | ✅ passed | bad \\`cell\\` next \\<b\\>x\\</b\\> | 1.5 s |')
    // A row still has exactly 4 unescaped cell separators + borders.
    expect(row.replace(/\\\|/g, '').split('|').length).toBe(6)
    // Without durations (the PR comment) the row has no time.
    const comment = renderMarkdown(r, { limit: 65_536 })
      .split('\n')
      .find((l) => l.startsWith('| Lint'))!
    expect(comment).toBe('| Lint \\| strict | ✅ passed | bad \\`cell\\` next \\<b\\>x\\</b\\> |')
  })

  it('allows no raw HTML except details/summary and the marker', () => {
    const r = baseReport({ modeReason: '<script>alert(1)</script>' })
    r.steps[1] = { ...r.steps[1], title: '<b>Lint</b>', details: '</details><script>x</script>' }
    const md = renderMarkdown(r, { limit: 65_536, marker: commentMarker('bp-temporal') })
    const outsideCode = md.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1$/gm, '')
    const tags = [...outsideCode.matchAll(/(?<!\\)<\/?([a-z]+)[^>]*>/gi)].map((m) => m[1].toLowerCase())
    expect(new Set(tags)).toEqual(new Set(['details', 'summary']))
    // The details text sits inside a fenced block.
    expect(md).toMatch(/```\n<\/details><script>x<\/script>\n```/)
    // The summary text is entity-escaped.
    expect(md).toContain('<summary>&lt;b&gt;Lint&lt;/b&gt;: details</summary>')
  })
})

describe('renderMarkdown', () => {
  it('starts with the marker, then the status line with upstream drift', () => {
    const md = renderMarkdown(baseReport(), { limit: 65_536, marker: commentMarker('bp-temporal') })
    const lines = md.split('\n')
    expect(lines[0]).toBe('<!-- blueprint-action:bp-temporal -->')
    expect(lines[1]).toBe('### ❌ bp-temporal 1.0.0 failed: Images')
    expect(lines[3]).toBe(
      'upstream temporal 1.2.0 pinned, 1.3.0 available · commit [`0123abc`](https://github.com/acme/platform/commit/0123abcdef0123abcdef0123abcdef0123abcdef) · ' +
        '[run 1](https://github.com/acme/platform/actions/runs/1) · validate only'
    )
    expect(md).toContain('- Mode: validate — pull\\_request: pull requests only validate \\(push: auto\\)')
  })

  it('accepts a chart name as marker', () => {
    const md = renderMarkdown(baseReport(), { limit: 65_536, marker: 'bp-temporal' })
    expect(md.split('\n')[0]).toBe('<!-- blueprint-action:bp-temporal -->')
    expect(renderMarkdown(baseReport(), { limit: 65_536 })).not.toContain('<!--')
  })

  it('shows a passing run with ✅ and no findings section', () => {
    const r = baseReport({
      status: 'passed',
      upstream: {
        name: 'temporal',
        repository: 'x',
        pinned: '1.3.0',
        resolved: '1.3.0',
        latest: '1.3.0',
        outdated: false
      }
    })
    r.steps = r.steps.map((s) => ({ ...s, status: 'passed' as const, findings: [] }))
    const md = renderMarkdown(r, { limit: 65_536 })
    expect(md.split('\n')[0]).toBe('### ✅ bp-temporal 1.0.0 passed')
    expect(md.split('\n')[2]).toMatch(/^upstream temporal 1\.3\.0 pinned, up to date · /)
    expect(md).not.toContain('What to fix')
  })

  it('lists findings of failed/warning steps grouped by step, with file:line and the fix', () => {
    const md = renderMarkdown(baseReport(), { limit: 65_536 })
    expect(md).toContain('**❌ Images** — 1 of 3 images not pinned')
    expect(md).toContain('**⚠️ Upstream version** — temporal 1.2.0 pinned, 1.3.0 available')
    expect(md).toContain('`platform/temporal/chart/values.yaml:30`')
    expect(md).toContain(
      '**Fix:** `temporalio/server:1.24.2@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`'
    )
    // Failed steps first; findings before the folded steps table.
    expect(md.indexOf('**❌ Images**')).toBeLessThan(md.indexOf('**⚠️ Upstream version**'))
    expect(md.indexOf('**❌ Images**')).toBeLessThan(md.indexOf('| Step |'))
    expect(md.indexOf('<details>')).toBeLessThan(md.indexOf('| Step |'))
  })

  it('says what would be / was published', () => {
    expect(renderMarkdown(baseReport(), { limit: 65_536 })).toContain(
      'On a release tag this publishes `oci://ghcr.io/acme/bp-temporal:1.0.0`.'
    )
    const pushed = baseReport({
      mode: 'publish',
      status: 'passed',
      publish: { ref: 'oci://r.io/o/bp-temporal:1.0.0', digest: 'sha256:abc', pushed: true }
    })
    const md = renderMarkdown(pushed, { limit: 65_536 })
    expect(md.split('\n').slice(0, 6).join('\n')).toContain(
      'Pushed `oci://r.io/o/bp-temporal:1.0.0` · digest `sha256:abc`'
    )
    expect(md).toContain(
      '```sh\nhelm pull oci://r.io/o/bp-temporal --version 1.0.0\nhelm install temporal oci://r.io/o/bp-temporal --version 1.0.0\n```'
    )
    // Said once (issue 26.8): the ref and the digest on the first lines only, not again under Published.
    expect(md.split('oci://r.io/o/bp-temporal:1.0.0')).toHaveLength(2)
    expect(md).not.toMatch(/- (Reference|Digest):/)
    expect(md).toContain('#### 📦 Published\n\n```sh')
    const again = baseReport({
      mode: 'publish',
      status: 'passed',
      publish: { ref: 'oci://r/bp-temporal:1.0.0', digest: 'sha256:abc', pushed: false, alreadyPublished: true }
    })
    expect(renderMarkdown(again, { limit: 65_536 })).toContain('#### 📦 Already published')
  })

  it('says which attestations an already published chart lacks and the permission to grant, when the job cannot sign', () => {
    const ref = 'oci://r.io/o/bp-temporal:1.0.0'
    const digest = `sha256:${'a'.repeat(64)}`
    const unsigned = (statements: AttestedStatement[]): ActionReport => {
      const missing = statements.length ? 'SBOM' : 'provenance, SBOM'
      return baseReport({
        mode: 'publish',
        status: 'passed',
        publish: { ref, digest, pushed: false, alreadyPublished: true },
        steps: [
          {
            id: 'attest',
            title: 'Attest',
            status: 'skipped',
            durationMs: 20,
            summary: `not attested (${missing}): the job needs permissions: id-token: write`,
            findings: [
              {
                rule: 'attest-permission',
                severity: 'notice',
                message: `${ref}@${digest} was published by an earlier run and is still not attested (${missing})`,
                fix: 'grant the job `permissions: id-token: write`'
              }
            ]
          }
        ],
        ...(statements.length ? { attestation: { statements } } : {})
      })
    }
    const none = renderMarkdown(unsigned([]), { limit: 65_536 })
    expect(none).toContain('#### 📦 Already published')
    expect(none).toContain(
      "**Not attested: provenance, SBOM.** The job has no OIDC token to sign with: grant it `permissions: id-token: write` (and `attestations: write` for GitHub's copy), then re-run it"
    )
    expect(none).toMatch(/\| Attest \| ⏭️ skipped \| not attested .*: the job needs permissions: id-token: write \|/)
    expect(none).not.toContain('**Attested')
    expect(none).not.toContain('gh attestation verify')

    // An earlier run attested the provenance only: that one is shown with how to verify it, the SBOM is missing.
    const provenance: AttestedStatement = {
      kind: 'provenance',
      predicateType: 'https://slsa.dev/provenance/v1',
      referrer: `sha256:${'b'.repeat(64)}`,
      existing: true
    }
    const partly = renderMarkdown(unsigned([provenance]), { limit: 65_536 })
    expect(partly).toContain('**Attested: provenance** (by an earlier run)')
    expect(partly).toContain(`gh attestation verify oci://r.io/o/bp-temporal@${digest}`)
    expect(partly).toContain('**Not attested: SBOM.** The job has no OIDC token to sign with')
  })

  it('renders resource kinds and images from step data, and skips unknown shapes', () => {
    const md = renderMarkdown(baseReport(), { limit: 65_536 })
    expect(md).toContain('<summary>Smoke render: resources by kind</summary>')
    expect(md).toContain('| Service | 5 |')
    expect(md).toContain('| **Total** | **12** |')
    expect(md).toContain('<summary>Images: 3 images, 1 failing</summary>')
    expect(md).toContain('| `temporalio/server:1.24.2` | ❌ tag is not a digest | 1 | templates/server.yaml |')
    expect(md).toContain('allowed by busybox:\\* \\# test only')

    const odd = baseReport()
    odd.steps[2] = { ...odd.steps[2], data: { kinds: 'not a record' } }
    odd.steps[3] = { ...odd.steps[3], data: [42, null, { nope: true }] }
    const md2 = renderMarkdown(odd, { limit: 65_536 })
    expect(md2).not.toContain('resources by kind')
    expect(md2).not.toContain('<summary>Images:')
  })

  it('accepts ImageVerdict-shaped image data', () => {
    const r = baseReport()
    r.steps[3] = {
      ...r.steps[3],
      data: {
        verdicts: [
          {
            use: { image: 'a/b:1', kind: 'Deployment', name: 'web', source: 'c/templates/web.yaml', field: 'x' },
            ok: false,
            reason: 'no digest'
          }
        ]
      }
    }
    expect(renderMarkdown(r, { limit: 65_536 })).toContain('| `a/b:1` | ❌ no digest | 1 | Deployment/web |')
    // The images gate's own shape: flat ImageData with kind/name and an allow-list reason.
    r.steps[3] = {
      ...r.steps[3],
      data: {
        policy: 'sha',
        total: 1,
        images: [
          {
            image: 'c:1',
            kind: 'Job',
            name: 'migrate',
            field: 'f',
            ok: true,
            reason: 'allowed',
            allowedBy: 'c:*',
            allowReason: 'vendor image'
          }
        ]
      }
    }
    expect(renderMarkdown(r, { limit: 65_536 })).toContain(
      '| `c:1` | ✅ allowed by c:\\* \\(vendor image\\) | 1 | Job/migrate |'
    )
  })

  it('puts details in collapsed blocks with fenced code', () => {
    const md = renderMarkdown(baseReport(), { limit: 65_536 })
    expect(md).toContain(
      '<details><summary>Lint: details</summary>\n\n```\n==> Linting chart\n1 chart(s) linted, 0 chart(s) failed\n```\n\n</details>'
    )
  })

  it('never contains a registered secret', () => {
    registerSecret(SECRET)
    const r = baseReport({ modeReason: `token ${SECRET}` })
    r.values = { files: [], set: [`password=${SECRET}`] }
    r.steps[1] = { ...r.steps[1], summary: `x${SECRET}y`, details: `auth ${SECRET}` }
    r.steps[3].findings[0].message = `leaked *${SECRET}*`
    // A secret with markdown characters would survive escaping if redaction came after.
    registerSecret('under_score*secret')
    r.steps[3].findings[1].message = 'value under_score*secret here'
    for (const limit of [65_536, 2_000]) {
      const md = renderMarkdown(r, { limit, marker: 'bp-temporal' })
      expect(md).not.toContain(SECRET)
      expect(md).not.toContain('under\\_score\\*secret')
      expect(md).not.toContain('under_score*secret')
    }
  })

  describe('truncation on a giant report', () => {
    const giant = giantReport()

    it('is complete when the limit allows', () => {
      const md = renderMarkdown(giant, { limit: 10_000_000 })
      expect(md.length).toBeGreaterThan(2_000_000)
      expect(md).not.toContain('truncated')
    })

    it('keeps a PR comment under 65,536 with status line, steps table and finding counts', () => {
      const md = renderMarkdown(giant, {
        limit: 65_536,
        marker: commentMarker('bp-temporal'),
        runUrl: 'https://github.com/acme/p/actions/runs/9'
      })
      expect(md.length).toBeLessThanOrEqual(65_536)
      expect(md.startsWith('<!-- blueprint-action:bp-temporal -->\n### ❌ bp-temporal 1.0.0 failed')).toBe(true)
      for (const title of ['Upstream version', 'Lint', 'Smoke render', 'Images'])
        expect(md).toMatch(new RegExp(`^\\| ${title} \\|`, 'm'))
      expect(md).toContain('**❌ Images**')
      expect(md).toMatch(/- _… and \d+ more findings: see the job summary_/)
      expect(md).toContain('… truncated')
      expect(md).toContain(
        'the full report is the job summary of [the run](https://github.com/acme/p/actions/runs/9) and the JSON report'
      )
      // Folded blocks go first: the 2 MB lint output is not there whole.
      expect(md).not.toContain('<summary>Lint: details</summary>')
      // Some findings still shown.
      expect(md).toContain('`platform/temporal/chart/templates/t0.yaml:1`')
    })

    it('keeps the job summary under 900,000', () => {
      const md = renderMarkdown(giant, { limit: 900_000 })
      expect(md.length).toBeLessThanOrEqual(900_000)
      expect(md.length).toBeGreaterThan(800_000)
      expect(md.startsWith('### ❌ bp-temporal 1.0.0 failed')).toBe(true)
      expect(md).toContain('**❌ Images**')
      expect(md).toContain('… truncated')
      // The note points at the JSON report and the artifact it can be uploaded as, not at the summary itself.
      const withPath = renderMarkdown(giant, {
        limit: 900_000,
        reportPath: '/runner/temp/blueprint-action-report-bp-temporal.json'
      })
      expect(withPath).toContain(
        'the full report is the JSON report `/runner/temp/blueprint-action-report-bp-temporal.json` (output `report`); ' +
          'upload it with `actions/upload-artifact` as `blueprint-action-report-bp-temporal`_'
      )
      expect(withPath).not.toContain('job summary')
    })

    it('shortens details before it cuts findings', () => {
      const r = giantReport()
      r.steps[3].findings = r.steps[3].findings.slice(0, 2000)
      const md = renderMarkdown(r, { limit: 900_000, maxFindingsPerGroup: 5000 })
      expect(md.length).toBeLessThanOrEqual(900_000)
      // All 2000 findings fit (2 MB of lint does not).
      expect(md).toContain('`platform/temporal/chart/templates/t1999.yaml:2000`')
      expect(md).not.toMatch(/more findings? not shown/)
      expect(md).toContain('<summary>Lint: details (shortened)</summary>')
      expect(md).toMatch(/… \d+ more lines truncated/)
      expect(md).toContain('… truncated (a folded block shortened')
    })

    it('drops details blocks from the end', () => {
      const r = baseReport()
      r.steps[1] = { ...r.steps[1], details: 'L'.repeat(3_000) }
      r.steps[2] = { ...r.steps[2], details: 'R'.repeat(3_000) }
      const full = renderMarkdown(r, { limit: 1_000_000 })
      const md = renderMarkdown(r, { limit: full.length - 2_500 })
      expect(md.length).toBeLessThanOrEqual(full.length - 2_500)
      expect(md).toContain('L'.repeat(3_000))
      expect(md).not.toContain('R'.repeat(3_000))
      expect(md).toContain('… truncated')
    })

    it('stays under tiny limits and keeps the status line', () => {
      for (const limit of [20_000, 5_000, 1_500]) {
        const md = renderMarkdown(giant, { limit, marker: 'bp-temporal' })
        expect(md.length).toBeLessThanOrEqual(limit)
        expect(md).toContain('### ❌ bp-temporal 1.0.0 failed')
      }
    })
  })
})

describe('describeUpstream', () => {
  it('words drift, ranges and overrides', () => {
    const base = { name: 'temporal', repository: 'r', pinned: '1.2.0', resolved: '1.2.0' }
    expect(describeUpstream({ ...base, latest: '1.3.0', outdated: true })).toBe(
      'temporal 1.2.0 pinned, 1.3.0 available'
    )
    expect(describeUpstream({ ...base, latest: '1.2.0', outdated: false })).toBe('temporal 1.2.0 pinned, up to date')
    expect(describeUpstream({ ...base, pinned: '~1.2', resolved: '1.2.3', latest: '1.3.0', outdated: true })).toBe(
      'temporal ~1.2 pinned (resolved 1.2.3), 1.3.0 available'
    )
    expect(describeUpstream({ ...base, resolved: '1.3.0', override: '1.3.0', latest: '1.3.0', outdated: false })).toBe(
      'temporal 1.3.0 (override; Chart.yaml pins 1.2.0), up to date'
    )
    expect(describeUpstream({ ...base, outdated: false })).toBe('temporal 1.2.0 pinned')
  })
})

describe('annotate', () => {
  let out: string[]
  let spy: ReturnType<typeof jest.spyOn>
  beforeEach(() => {
    out = []
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk))
      return true
    })
  })
  afterEach(() => spy.mockRestore())

  it('writes file annotations with line and title, and plain lines for findings without a file', () => {
    const n = annotate(baseReport(), '/ws')
    spy.mockRestore()
    const text = out.join('')
    expect(n).toBe(3)
    expect(text).toContain(
      '::warning title=Upstream version%3A upstream-outdated,file=platform/temporal/chart/Chart.yaml,line=12::temporal 1.3.0 is available%0AFix: 1.3.0'
    )
    expect(text).toContain(
      '::error title=Images%3A image-pinned,file=platform/temporal/chart/values.yaml,line=30::image temporalio/server:1.24.2 is not pinned'
    )
    expect(text).toContain('::error::Images: image-latest: image busybox uses :latest')
  })

  it('makes absolute paths workspace-relative and redacts', () => {
    registerSecret(SECRET)
    out.length = 0
    const r = baseReport()
    r.steps = [
      {
        id: 'x',
        title: 'X',
        status: 'failed',
        durationMs: 1,
        summary: '',
        findings: [{ rule: 'r', severity: 'notice', message: `m ${SECRET}`, file: '/ws/platform/a.yaml', line: 3 }]
      }
    ]
    annotate(r, '/ws')
    spy.mockRestore()
    const text = out.filter((l) => !l.startsWith('::add-mask::')).join('')
    expect(text).toContain('::notice title=X%3A r,file=platform/a.yaml,line=3::m ***')
    expect(text).not.toContain(SECRET)
  })
})

describe('2,000 unpinned images', () => {
  it('the job summary stays well under 1 MiB, one row per image, one grouped finding', () => {
    const documents = parseRender(
      Array.from(
        { length: 2000 },
        (_, i) =>
          `---\n# Source: bp-temporal/templates/many.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${i}\n` +
          `spec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: registry.example.com/team/app-${i}:1.0.${i}\n`
      ).join('')
    )
    const values = parseYamlText<Record<string, unknown>>('a: 1\n', 'platform/temporal/chart/values.yaml')
    const { step } = imagesStep({
      documents,
      policy: 'sha',
      allowlist: [],
      values,
      chartName: 'bp-temporal',
      displayChartDir: 'platform/temporal/chart',
      durationMs: 1
    })
    expect(step.findings).toHaveLength(1)
    const r = baseReport()
    r.steps[3] = step
    const md = renderJobSummary(r, { reportPath: '/tmp/blueprint-action-report-bp-temporal.json' })
    expect(Buffer.byteLength(md, 'utf8')).toBeLessThan(500_000)
    const rows = md.split('\n').filter((l) => l.startsWith('| `registry.example.com/team/app-'))
    expect(rows).toHaveLength(1000)
    expect(md).toContain(
      '_… and 1000 more images in the JSON report (output `report`, on the runner: keep it with `actions/upload-artifact`)._'
    )
    const comment = renderComment(r, { reportPath: '/tmp/x.json' })
    expect(comment.length).toBeLessThan(65_536)
  })
})

describe('planAnnotations (GitHub shows 10 a kind per step)', () => {
  const many = (n: number, withLine: number, severity: 'error' | 'warning' | 'notice' = 'error') =>
    Array.from({ length: n }, (_, i) => ({
      rule: 'r',
      severity,
      message: `m${i}`,
      ...(i >= n - withLine ? { file: `f${i}.yaml`, line: i + 1 } : {})
    }))

  it('keeps at most 10 of each kind, findings with a file and line first, the rest summed up in one', () => {
    const r = baseReport()
    r.steps = [
      { id: 'a', title: 'A', status: 'failed', durationMs: 1, summary: '', findings: many(47, 3) },
      { id: 'b', title: 'B', status: 'warning', durationMs: 1, summary: '', findings: many(4, 0, 'warning') }
    ]
    const planned = planAnnotations(r, '/ws', { error: 1, warning: 1 })
    const errors = planned.filter((a) => a.level === 'error')
    // 10 with the failure line: 8 findings and one "… and N more".
    expect(errors).toHaveLength(9)
    expect(errors.slice(0, 3).map((a) => a.props?.file)).toEqual(['f44.yaml', 'f45.yaml', 'f46.yaml'])
    expect(errors[8].message).toBe('… and 39 more errors: see the job summary and the JSON report')
    expect(planned.filter((a) => a.level === 'warning')).toHaveLength(4)
  })

  it('collapses the allowlist notices into one', () => {
    const r = baseReport()
    r.steps = [
      {
        id: 'images',
        title: 'Images',
        status: 'passed',
        durationMs: 1,
        summary: '',
        findings: Array.from({ length: 30 }, (_, i) => ({
          rule: 'image-allowlisted',
          severity: 'notice' as const,
          message: `Image i${i} is allowed.`
        }))
      }
    ]
    const planned = planAnnotations(r, '/ws')
    expect(planned).toHaveLength(1)
    expect(planned[0].message).toBe(
      '30 images allowed by the image allowlist: Image i0 is allowed. Image i1 is allowed. Image i2 is allowed. … and 27 more (see the job summary).'
    )
  })
})

describe('inline code, digests, pins', () => {
  it('renders `code` as code spans and escapes the rest', () => {
    expect(inlineMarkdown('run `crane digest a:1` then *b*')).toBe('run `crane digest a:1` then \\*b\\*')
    expect(inlineMarkdown('a lone ` backtick')).toBe('a lone \\` backtick')
  })

  it('shortens digests in table cells', () => {
    expect(shortDigestRef(`a/b:1@sha256:${'0123456789ab'.repeat(5)}abcd`)).toBe('a/b:1@sha256:0123456789ab…')
  })

  it('fills looked-up digests into the lines that name the image, and only the whole image', () => {
    const text = 'tag: "1.0.1@sha256:<digest>"  # app:1.0.1\ntag: "1.0.10@sha256:<digest>"  # app:1.0.10'
    expect(fillPins(text, new Map([['app:1.0.1', 'sha256:aaa']]))).toBe(
      'tag: "1.0.1@sha256:aaa"  # app:1.0.1\ntag: "1.0.10@sha256:<digest>"  # app:1.0.10'
    )
  })
})

describe('writeJsonReport / writeJobSummary', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bp-report-'))
  })
  afterEach(async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await rm(dir, { recursive: true, force: true })
  })

  it('writes pretty, redacted JSON named after the chart', async () => {
    registerSecret(SECRET)
    const r = baseReport({ modeReason: `has ${SECRET}` })
    r.steps[0].data = { nested: [{ token: SECRET }], big: BigInt(5) }
    const file = await writeJsonReport(r, path.join(dir, 'sub'))
    expect(file).toBe(path.join(dir, 'sub', 'blueprint-action-report-bp-temporal.json'))
    const text = await readFile(file, 'utf8')
    expect(text).not.toContain(SECRET)
    expect(text).toContain('\n  "schemaVersion": 1,')
    const parsed = JSON.parse(text) as ActionReport
    expect(parsed.modeReason).toBe('has ***')
    expect(parsed.steps[0].data).toEqual({ nested: [{ token: '***' }], big: '5' })
    expect(parsed.chart.name).toBe('bp-temporal')
    expect(jsonReportName('../evil/name')).toBe('blueprint-action-report-__evil_name.json')
  })

  it('appends the summary, and is a no-op without GITHUB_STEP_SUMMARY', async () => {
    delete process.env.GITHUB_STEP_SUMMARY
    await expect(writeJobSummary(baseReport())).resolves.toBe(false)
    const file = path.join(dir, 'summary.md')
    await writeFile(file, 'before\n')
    process.env.GITHUB_STEP_SUMMARY = file
    await expect(writeJobSummary(baseReport(), { runUrl: 'https://example.test/run' })).resolves.toBe(true)
    const text = await readFile(file, 'utf8')
    expect(text.startsWith('before\n### ❌ bp-temporal 1.0.0 failed')).toBe(true)
    expect(text).not.toContain('<!--')
  })
})

describe('set values are shown; set-secret values (registered secrets) never are', () => {
  const SECRET_VALUE = 'set-secret-value-9931'
  const SETS = ['temporal.server.image.tag=1.24.2-abc1234', 'replicaCount=1']

  // As getInputs does for each set-secret value.
  beforeAll(() => registerSecret(SECRET_VALUE))

  function reportWithValues(): ActionReport {
    const r = baseReport()
    r.values = { files: ['ci/values.yaml'], set: [...SETS] }
    r.steps[1] = {
      ...r.steps[1],
      status: 'failed',
      summary: `helm lint failed with --set ${SETS[0]}`,
      details: `$ helm template bp-temporal /tmp/chart --set ${SETS[0]}\nannotations:\n  db: ${SECRET_VALUE}\nError: boom`,
      findings: [{ rule: 'lint', severity: 'error', message: `image tag 1.24.2-abc1234, password ${SECRET_VALUE}` }]
    }
    return r
  }

  it('shows set entries whole in the markdown, the log lines and the JSON report', async () => {
    const md = renderMarkdown(reportWithValues(), { limit: 65_536 })
    expect(md).toContain('`--set`: `temporal.server.image.tag=1.24.2-abc1234`, `replicaCount=1`')
    expect(renderLogLines(reportWithValues()).join('\n')).toContain('--set temporal.server.image.tag=1.24.2-abc1234')
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-report-'))
    try {
      const parsed = JSON.parse(await readFile(await writeJsonReport(reportWithValues(), dir), 'utf8')) as ActionReport
      expect(parsed.values).toEqual({ files: ['ci/values.yaml'], set: SETS })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('replaces a secret value with *** in the markdown (any limit), annotations and the JSON report', async () => {
    for (const limit of [65_536, 3_000]) {
      const md = renderMarkdown(reportWithValues(), { limit, marker: 'bp-temporal' })
      expect(md).not.toContain(SECRET_VALUE)
    }
    expect(renderMarkdown(reportWithValues(), { limit: 65_536 })).toContain('password \\*\\*\\*')
    const out: string[] = []
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      out.push(String(chunk))
      return true
    })
    try {
      annotate(reportWithValues(), '/ws')
    } finally {
      spy.mockRestore()
    }
    expect(out.join('')).toContain('password ***')
    expect(out.join('')).not.toContain(SECRET_VALUE)
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-report-'))
    try {
      const text = await readFile(await writeJsonReport(reportWithValues(), dir), 'utf8')
      expect(text).not.toContain(SECRET_VALUE)
      expect(text).toContain('db: ***')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
