// Hostile input through every sink, as a pull request a workflow runs it: the
// bundled action (dist/index.js), real helm 3 and 4, the loopback chart
// repository and the GitHub API stand-in, a real git history (base and head).
//
// - Secrets (issue 23.1–3): random set-secret values drawn from the characters
//   that need escaping reach the render quoted, base64-encoded (alone and inside
//   a longer value), as JSON, as YAML, inside a Secret inside a `kind: List`, in
//   an image reference and in a lint error; no form of them may appear in the
//   log, the annotations, the job summary, the PR comment, the diff file, the
//   JSON report, the SBOM or the outputs.
// - Markup (issue 23.4–6): resource names, values, image references, template
//   lines and chart-test output carry `</details>`, `<img>`, `@user`, `#1`,
//   lone CRs, backticks, pipes and a 20,000-character line; the PR comment and
//   the job summary, rendered by cmark-gfm as GitHub renders them (raw HTML
//   kept, tagfilter on), keep their structure.
import { afterAll, describe, expect, it } from '@jest/globals'
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import YAML from 'yaml'
import { renderGfm, visibleText } from '../../testkit/gfm.mjs'
import {
  failureMessage,
  helmsUnderTest,
  makeWorkspace,
  pointChartAt,
  prPayload,
  runBundledAction,
  withoutMaskCommands,
  type ActionRun
} from '../support/e2e.js'
import { commitAll, git } from '../support/git-history.js'
import { seededRandom } from '../support/seeded-random.js'
import { useServers } from '../support/servers.js'

/**
 * What YAML, JSON, Go, markdown, HTML, URLs and workflow commands escape. No line break (set-secret is one value a
 * line), and no U+2028: helm's own toYaml writes it raw, and its YAML 1.1 parser then reads a line break there
 * (the unit property test of util/secrets.ts draws it).
 */
const HOSTILE = [...`"'\\#:%,&<>\`|@{}[]=+/!*-_~$ `, '\t', '\x01', '\x1b', '\x7f', '\u00a0', 'é', '😀']
const PLAIN = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789']

function drawSecret(next: () => number): string {
  let out = ''
  const length = 12 + Math.floor(next() * 20)
  for (let i = 0; i < length; i++) {
    const pool = next() < 0.55 ? HOSTILE : PLAIN
    out += pool[Math.floor(next() * pool.length)]
  }
  // Inputs are trimmed: the value starts and ends with a letter. `{{` would be template syntax in no input.
  return `k${out.replace(/\{\{|\}\}/g, '{x}')}z`
}

/** Go's strconv.Quote of the characters drawn above (helm's `quote`, `%q` in its errors). */
function goQuote(value: string): string {
  const named: Record<string, string> = {
    '\t': '\\t',
    '\\': '\\\\',
    '"': '\\"',
    '\x01': '\\x01',
    '\x1b': '\\x1b',
    '\x7f': '\\x7f',
    '\u00a0': '\\u00a0',
    '\u2028': '\\u2028'
  }
  return [...value].map((c) => named[c] ?? c).join('')
}

/** Every form a value can take in what the action writes, computed here independently of the action. */
function formsOf(secret: string): Record<string, string> {
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')
  /** The characters of a base64 text that only the value's bytes decide, at offset `shift` in the encoded text. */
  const b64At = (shift: number): string => {
    const bytes = Buffer.byteLength(secret, 'utf8')
    return b64('\0'.repeat(shift) + secret).slice(Math.ceil((shift * 8) / 6), Math.floor(((shift + bytes) * 8) / 6))
  }
  const yamlScalar = (options: YAML.ToStringOptions): string =>
    YAML.stringify({ k: secret }, { lineWidth: 0, ...options })
      .trimEnd()
      .slice(3)
      .replace(/^(["'])([\s\S]*)\1$/, '$2')
  const forms: Record<string, string> = {
    raw: secret,
    json: JSON.stringify(secret).slice(1, -1),
    "go's json": JSON.stringify(secret)
      .slice(1, -1)
      .replace(/[<>&\u2028]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
    'json in json': JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1),
    'yaml double-quoted': yamlScalar({ defaultStringType: 'QUOTE_DOUBLE' }),
    'yaml single-quoted': secret.replace(/'/g, "''"),
    'yaml as the diff writes it': yamlScalar({}),
    "go's %q": goQuote(secret),
    'url-encoded': encodeURIComponent(secret),
    'workflow command': secret.replace(/%/g, '%25'),
    'base64 at 0': b64At(0),
    'base64 at 1': b64At(1),
    'base64 at 2': b64At(2),
    'markdown-escaped': secret.replace(/[\\`*_{}[\]()<>#+!|~&$]/g, (c) => `\\${c}`),
    'html-escaped': secret.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  }
  return forms
}

/** What a pull request's author can put in names, values, image references, template lines and script output. */
const MARKUP = '</details><img src=x onerror=alert(1)><h1>big</h1> @octocat #1 `tick` |pipe| www.evil.io'
const LONG_LINE = `long-${'x'.repeat(20_000)}-end`

const HOSTILE_TEMPLATE = (cr: string) => `{{- if .Values.hostile.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: hostile-config
  annotations:
    note: {{ .Values.hostile.note | quote }}
data:
  quoted: {{ .Values.hostile.s1 | quote }}
  b64: {{ .Values.hostile.s1 | b64enc | quote }}
  b64-inside: {{ printf "user:%s@host" .Values.hostile.s2 | b64enc | quote }}
  json: {{ dict "password" .Values.hostile.s2 "user" "app" | toJson | quote }}
  yaml: |
{{ dict "password" .Values.hostile.s3 | toYaml | indent 4 }}
  long: {{ .Values.hostile.long | quote }}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata:
      name: hostile-in-list
    stringData:
      password: {{ .Values.hostile.s1 | quote }}
      "@octocat #1": "key name with markup"
    data:
      token: {{ .Values.hostile.s3 | b64enc | quote }}
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: {{ .Values.hostile.name | quote }}
    data:
      what: {{ .Values.hostile.note | quote }}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: hostile-job
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: secret-tag
          image: {{ printf "busybox:%s" .Values.hostile.s4 | quote }}
        - name: markup
          image: busybox:1.36.1 {{- /* a template line a finding quotes:${cr}<img src=x>${cr}@octocat #1 \`\`\`${cr}</details> */}}
{{- end }}
`

const LINT_TRAP = `{{- if .Values.hostile.failLint }}
{{- fail (printf "hostile lint values refused %q" .Values.hostile.s2) }}
{{- end }}
`

const CHART_TEST = `#!/usr/bin/env bash
# A chart test whose output carries markup, lone CRs and a very long line, then fails.
printf '%s\\n' '${MARKUP}'
printf 'before\\rafter <img src=y>\\r@octocat\\r\\n'
printf '\`\`\`\\n</details>\\n'
printf '%s\\n' '${LONG_LINE}'
exit 3
`

for (const helm of helmsUnderTest()) {
  describe(`hostile input through every sink (${helm.label})`, () => {
    const servers = useServers(helm, { registry: false, api: true })
    const cleanup: Array<() => Promise<void>> = []
    afterAll(async () => {
      await Promise.all(cleanup.map((fn) => fn()))
    })

    const seed = Number(process.env.BP_TEST_SEED ?? (helm.label === 'helm 3' ? 2303 : 2304))
    const next = seededRandom(seed)
    const secrets = Array.from({ length: 4 }, () => drawSecret(next))
    let run: ActionRun
    let comment: string

    it(`runs a pull request with random secrets (seed ${seed}) and hostile markup: the verdict names the failures`, async () => {
      const ws = await makeWorkspace()
      cleanup.push(() => ws.remove())
      await git(ws.dir, 'init', '-q', '-b', 'main')
      await pointChartAt(ws.chart, servers.repo.url)
      // The base: a List whose Secret holds a literal value (hidden when it changes), no hostile resources.
      await writeFile(
        path.join(ws.chart, 'templates', 'hostile.yaml'),
        `apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata:\n      name: hostile-in-list\n    stringData:\n      password: base-literal-Vq7Wm2\n`
      )
      const baseSha = await commitAll(ws.dir, 'base')
      // The head: the hostile chart.
      await writeFile(path.join(ws.chart, 'templates', 'hostile.yaml'), HOSTILE_TEMPLATE('\r'))
      await writeFile(path.join(ws.chart, 'templates', 'lint-trap.yaml'), LINT_TRAP)
      const values = path.join(ws.chart, 'values.yaml')
      await writeFile(
        values,
        `${await readFile(values, 'utf8')}\nhostile:\n  enabled: true\n  failLint: false\n  note: ""\n  name: ""\n  long: ""\n  s1: ""\n  s2: ""\n  s3: ""\n  s4: ""\n`
      )
      await mkdir(path.join(ws.chart, 'ci'), { recursive: true })
      await writeFile(path.join(ws.chart, 'ci', 'hostile-values.yaml'), 'hostile:\n  failLint: true\n')
      await rm(path.join(ws.chart, 'tests'), { recursive: true, force: true })
      await mkdir(path.join(ws.chart, 'tests'))
      await writeFile(path.join(ws.chart, 'tests', 'hostile.sh'), CHART_TEST)
      await chmod(path.join(ws.chart, 'tests', 'hostile.sh'), 0o755)
      const headSha = await commitAll(ws.dir, 'head')

      run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        eventName: 'pull_request',
        ref: 'refs/pull/23/merge',
        payload: prPayload(23, baseSha, headSha),
        inputs: {
          'github-token': 'ghs_hostile-input-token',
          set: [
            `hostile.note=${MARKUP.replace(/,/g, '\\,')}`,
            `hostile.name=x</details><img src=y>@octocat`,
            `hostile.long=${LONG_LINE}`
          ].join('\n'),
          'set-secret': secrets.map((s, i) => `hostile.s${i + 1}=${s}`).join('\n')
        },
        env: { GITHUB_API_URL: servers.api.url }
      })
      const comments = servers.api.commentsOn(23)
      expect(comments).toHaveLength(1)
      comment = comments[0].body
      // The run failed for what the chart does (not for a crash): lint, images and the chart test.
      expect(run.exitCode).toBe(1)
      const failed = (run.report?.steps ?? [])
        .filter((s: { status: string }) => s.status === 'failed')
        .map((s: { id: string }) => s.id)
      expect(failed).toEqual(expect.arrayContaining(['lint', 'images', 'chart-tests']))
      expect(failureMessage(run)).toMatch(/failed/)
      // The secrets reached the render: the diff compared, the SBOM lists the secret-tagged image as ***.
      expect(run.report.diff.status).toBe('compared')
      expect(run.diff).toBeDefined()
    }, 300_000)

    it('no form of any secret shows in the log, annotations, summary, comment, diff file, JSON report, SBOM or outputs', () => {
      const sinks: Record<string, string> = {
        log: withoutMaskCommands(run.stdout) + run.stderr,
        annotations: JSON.stringify(run.annotations),
        summary: run.summary,
        comment,
        'diff file': run.diff ?? '',
        'JSON report': JSON.stringify(run.report ?? {}) + JSON.stringify(run.report ?? {}, null, 2),
        SBOM: run.sbom ?? '',
        outputs: JSON.stringify(run.outputs),
        'GitHub API': JSON.stringify(servers.api.requests.map((r: { path: string; body: unknown }) => [r.path, r.body]))
      }
      const leaks: string[] = []
      for (const [i, secret] of secrets.entries())
        for (const [form, text] of Object.entries(formsOf(secret)))
          for (const [sink, written] of Object.entries(sinks))
            if (text.length >= 6 && written.includes(text))
              leaks.push(`s${i + 1} ${JSON.stringify(secret)} as ${form} in ${sink}`)
      expect(leaks).toEqual([])
      // The base's literal Secret value is hidden too (it changed: the key is named, the value is not).
      for (const [sink, written] of Object.entries(sinks))
        expect({ sink, leak: written.includes('base-literal-Vq7Wm2') }).toEqual({ sink, leak: false })
      // The Secret inside the List is compared as a Secret: keys named, values hidden.
      const inList = run.report.diff.comparison.resources.find(
        (r: { kind: string; name: string }) => r.kind === 'Secret' && r.name === 'hostile-in-list'
      )
      expect(inList.secretKeys).toEqual({
        added: ['token', 'stringData.@octocat #1'],
        removed: [],
        changed: ['stringData.password']
      })
      // The lint error and the image finding were written, as *** (the secrets reached them).
      expect(comment).toContain('hostile lint values refused')
      expect(run.sbom).toContain('busybox:***')
    })

    it('the PR comment and the job summary keep their structure when rendered as GitHub renders them', () => {
      for (const [where, markdown] of [
        ['comment', comment],
        ['summary', run.summary]
      ] as const) {
        const html = renderGfm(markdown)
        // Only the tags the report writes: no <img>, <h1>, <script> from the chart.
        const tags = new Set([...html.matchAll(/<([a-z][a-z0-9]*)\b/gi)].map((m) => m[1].toLowerCase()))
        const allowed = [
          'details',
          'summary',
          'p',
          'h3',
          'h4',
          'ul',
          'ol',
          'li',
          'strong',
          'em',
          'code',
          'pre',
          'a',
          'table',
          'thead',
          'tbody',
          'tr',
          'th',
          'td',
          'br',
          'hr',
          'del',
          'blockquote'
        ]
        expect({ where, tags: [...tags].filter((t) => !allowed.includes(t)) }).toEqual({ where, tags: [] })
        // <details> balanced and never nested inside a code block's escape: each opens before it closes.
        let depth = 0
        for (const m of html.matchAll(/<(\/?)details>/g)) {
          depth += m[1] ? -1 : 1
          expect({ where, depth: depth >= 0 }).toEqual({ where, depth: true })
        }
        expect({ where, depth }).toEqual({ where, depth: 0 })
        // No mention, issue reference or link in the text a reader sees (code aside).
        const text = visibleText(html)
        expect({ where, mentions: text.match(/(^|[^\w])@\w+/g) ?? [] }).toEqual({ where, mentions: [] })
        expect({ where, issues: text.match(/(^|[^\w&])#\d+/g) ?? [] }).toEqual({ where, issues: [] })
        const links = [...html.matchAll(/<a href="([^"]*)"/g)].map((m) => m[1])
        expect({ where, links: links.filter((l) => !/^https:\/\/github\.com\/openova-io\/openova\//.test(l)) }).toEqual(
          { where, links: [] }
        )
        // Every table row has as many cells as its header.
        for (const table of html.matchAll(/<table>[\s\S]*?<\/table>/g)) {
          const rows = [...table[0].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map(
            (r) => (r[1].match(/<t[hd][ >]/g) ?? []).length
          )
          expect({ where, rows: rows.filter((n) => n !== rows[0]) }).toEqual({ where, rows: [] })
        }
        // The hostile template line is quoted in a code block, its lone CRs made line ends inside it.
        expect(html).toMatch(
          /<pre><code[^>]*>[^<]*a template line a finding quotes:\n&lt;img src=x&gt;\n@octocat #1 ```\n&lt;\/details&gt;/
        )
      }
    })
  })
}
