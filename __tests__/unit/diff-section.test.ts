import { describe, expect, it } from '@jest/globals'
import { compareRenders } from '../../src/diff/compare.js'
import { renderDiffSection } from '../../src/report/diff-section.js'
import type { RenderDiff } from '../../src/diff/types.js'
import { parseRender } from '../../src/helm/render.js'
import { COMMENT_LIMIT, renderMarkdown } from '../../src/report/report.js'
import type { ActionReport } from '../../src/types.js'

const sha = '0123456789abcdef0123456789abcdef01234567'

function configMaps(count: number, value: (i: number) => string): string {
  return Array.from(
    { length: count },
    (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-${i}\ndata:\n  big: |\n${value(i)}`
  ).join('\n')
}

function diffOf(base: string, head: string): RenderDiff {
  return {
    base: { sha, label: 'pull request base' },
    status: 'compared',
    comparison: compareRenders(parseRender(base), parseRender(head)),
    durationMs: 1
  }
}

const report = (diff: RenderDiff): ActionReport => ({
  schemaVersion: 1,
  blueprint: 'platform/temporal',
  chart: { name: 'bp-temporal', version: '1.0.0', path: 'platform/temporal/chart' },
  mode: 'validate',
  modeReason: 'pull_request',
  helmVersion: 'v3.17.2',
  status: 'passed',
  steps: [{ id: 'render', title: 'Render', status: 'passed', durationMs: 1, summary: 'ok', findings: [] }],
  values: { files: [], set: [] },
  diff,
  startedAt: '2026-01-01T00:00:00.000Z',
  durationMs: 1
})

describe('renderDiffSection', () => {
  it('nothing rendered changes: one line', () => {
    const text = configMaps(2, () => '    same\n')
    expect(renderDiffSection(diffOf(text, text), 10_000)).toBe(
      '**What changes:** no rendered change against the pull request base `0123456` (2 resources compared).'
    )
  })

  it('no comparison: one line saying why', () => {
    const diff: RenderDiff = {
      base: { sha, label: 'pull request base' },
      status: 'unavailable',
      message: 'the base render failed: helm template: boom',
      durationMs: 1
    }
    expect(renderDiffSection(diff, 10_000)).toBe(
      '**What changes:** not compared with the pull request base `0123456`: the base render failed: helm template: boom'
    )
  })

  it('stays within its budget, leaving the diffs that do not fit to the diff file, and the comment under the limit', () => {
    const big = (tag: string) => (i: number) =>
      Array.from({ length: 150 }, (_, l) => `    line ${l} of ${i} ${tag} ${'x'.repeat(60)}\n`).join('')
    const diff = diffOf(configMaps(40, big('old')), configMaps(40, big('new')))
    const section = renderDiffSection(diff, 30_000)!
    expect(section.length).toBeLessThanOrEqual(30_000)
    expect(section).toContain('**40 changed**')
    expect(section).toMatch(
      /_… \d+ more diffs in the diff file \(output `diff`\) and the JSON report_\n\n_The diff file stays on the runner: keep it with `actions\/upload-artifact` \(`path: \$\{\{ steps\.<id>\.outputs\.diff \}\}`\)\._$/
    )
    expect(section).toContain('# … ')
    const comment = renderMarkdown(report(diff), { limit: COMMENT_LIMIT })
    expect(comment.length).toBeLessThanOrEqual(COMMENT_LIMIT)
    // Before the step table, and the step table survives.
    expect(comment.indexOf('### What changes')).toBeLessThan(
      comment.indexOf('| Render |') === -1 ? comment.length : comment.indexOf('Render')
    )
    expect(comment).toContain('```diff')
  })

  it('at scale (issue 26.7): tables past 10 rows folded, names in natural order, digests short, untagged said so', () => {
    const pod = (i: number, image: string) =>
      `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: app-${i}\n  namespace: smoke-bp-x\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`
    const digest = `sha256:${'ab'.repeat(32)}`
    const base = Array.from({ length: 12 }, (_, i) => pod(i + 1, `reg.example/app-${i + 1}:1.0`)).join('')
    const head = Array.from({ length: 12 }, (_, i) =>
      pod(
        i + 1,
        i === 0 ? `reg.example/app-1:1.1@${digest}` : i === 1 ? 'reg.example/app-2' : `reg.example/app-${i + 1}:1.1`
      )
    ).join('')
    const diff: RenderDiff = {
      base: { sha, label: 'pull request base' },
      status: 'compared',
      comparison: compareRenders(parseRender(base), parseRender(head), { releaseNamespace: 'smoke-bp-x' }),
      durationMs: 1
    }
    const section = renderDiffSection(diff, 60_000)!
    // Folded, with how many in the title; nothing of the tables stands open.
    expect(section).toContain('<details><summary>Resources that change: 12</summary>')
    expect(section).toContain('<details><summary>Images that change: 12</summary>')
    expect(section).not.toContain('**Images that change**')
    // app-2 before app-10; the render's namespace is not part of the names.
    const names = [...section.matchAll(/^\| changed \| Pod \| `([^`]+)`/gm)].map((m) => m[1])
    expect(names).toEqual(Array.from({ length: 12 }, (_, i) => `app-${i + 1}`))
    const images = [...section.matchAll(/^\| `(reg\.example\/app-\d+)`/gm)].map((m) => m[1])
    expect(images).toEqual(Array.from({ length: 12 }, (_, i) => `reg.example/app-${i + 1}`))
    expect(section).not.toContain('smoke-bp-x')
    expect(section).toContain(
      `| \`reg.example/app-1:1.0\` | \`reg.example/app-1:1.1@sha256:${'ab'.repeat(6)}…\` | digest |`
    )
    // Whole in the diff itself, short in the table.
    expect(section.split('\n').filter((line) => line.startsWith('|') && line.includes(digest))).toEqual([])
    expect(section).toContain('| `reg.example/app-2:1.0` | `reg.example/app-2` | untagged (latest) |')
    expect(section).toContain('| `reg.example/app-3:1.0` | `reg.example/app-3:1.1` | tag only |')
    // A few rows stay open, under a title.
    const small = renderDiffSection(
      diffOf(
        configMaps(2, (i) => `    ${i}\n`),
        configMaps(2, (i) => `    ${i + 1}\n`)
      ),
      60_000
    )!
    expect(small).toContain('**Resources that change**\n\n| change | kind | name | what |')
    expect(small).not.toContain('<details><summary>Resources')
  })

  it('a diff line that looks like a fence cannot close the code block early', () => {
    const diff = diffOf(
      configMaps(1, () => '    a\n'),
      configMaps(1, () => '    b\n')
    )
    diff.comparison!.resources[0].diff += ' ```\n'
    const section = renderDiffSection(diff, 10_000)!
    expect(section).toMatch(/````diff\n[\s\S]*\n ```\n````/)
  })

  it('mentions, issue references and tags in resource names and Secret key names stay plain, in <summary> and the table', () => {
    const secret = (keys: string[]) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: "x</summary><img src=y>@octocat"\nstringData:\n${keys
        .map((k, i) => `  "${k}": v${i}`)
        .join('\n')}\n`
    const section = renderDiffSection(diffOf(secret(['a']), secret(['a', '@octocat', '#12', 'www.evil.io'])), 10_000)!
    const summary = /<summary>(.*)<\/summary>/.exec(section)![1]
    expect(summary).toBe(
      'changed: Secret x&lt;/summary&gt;&lt;img src=y&gt;@\u200boctocat (+3 −0; keys added stringData.@\u200boctocat, ' +
        'stringData.#\u200b12, stringData.www.evil.io (values hidden))'
    )
    // In the table the name is a code span (no mention there); the key names are text.
    const row = section.split('\n').find((l) => l.startsWith('| changed'))!
    expect(row).toContain('| `x</summary><img src=y>@octocat` |')
    expect(row).toContain('keys added stringData.@\u200boctocat, stringData.\\#\u200b12, stringData.www\\.evil.io')
    for (const text of [summary, row.replace(/`[^`]*`/g, '')]) {
      expect(text).not.toMatch(/(^|\W)[@#]\w/)
      expect(text).not.toMatch(/<(?!\/?summary>)[a-z/]/i)
    }
  })

  it('a resource too large to diff line by line is one line saying so, pointing at the diff file', () => {
    const diff = diffOf(
      configMaps(1, () => '    a\n'),
      configMaps(1, () => '    b\n')
    )
    Object.assign(diff.comparison!.resources[0], { tooLarge: { before: 50_006, after: 50_006 } })
    const section = renderDiffSection(diff, 10_000)!
    expect(section).toContain(
      '| changed | ConfigMap | `cm-0` | too large to diff line by line \\(50006 lines before, 50006 after\\) |'
    )
    expect(section).toContain(
      "_changed: ConfigMap cm-0 is too large to diff line by line \\(50006 lines before, 50006 after\\) in the run's time; the diff file \\(output `diff`\\) has both sides whole._"
    )
    expect(section).not.toContain('```diff')
  })
})
