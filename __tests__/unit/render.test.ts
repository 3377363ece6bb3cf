import { describe, expect, it } from '@jest/globals'
import { isDeepStrictEqual } from 'node:util'
import YAML from 'yaml'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import {
  cleanAsYaml11,
  fastParseYaml,
  parseCleanYaml11,
  parseRender,
  parseRenderAsHelm,
  parseRenderDetailed,
  parseYamlDocument,
  RenderParseError,
  renderedResources
} from '../../src/helm/render.js'
import type { RenderedDocument } from '../../src/types.js'
import { checkImages, extractImages } from '../../src/images/images.js'
import { PROJECT_ROOT, projectChartFiles } from '../support/project-files.js'

const YAML_OPTIONS = {
  schema: 'core',
  strict: false,
  uniqueKeys: false,
  prettyErrors: false,
  merge: true,
  logLevel: 'error'
} as const

describe('parseRender', () => {
  it('splits documents, keeps the # Source: template and fills the header fields', () => {
    const out = `---
# Source: bp/templates/sa.yaml
apiVersion: v1
kind: ServiceAccount
metadata:
  name: app
  namespace: temporal
---
# Source: bp/charts/temporal/templates/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
`
    expect(parseRender(out)).toEqual([
      {
        source: 'bp/templates/sa.yaml',
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        name: 'app',
        namespace: 'temporal',
        object: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'app', namespace: 'temporal' } }
      },
      {
        source: 'bp/charts/temporal/templates/web.yaml',
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'web',
        object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }
      }
    ])
  })

  it('handles a first document without ---, markers with trailing text, and ... ends', () => {
    const out = 'kind: A\n--- \nkind: B\n---   # comment\nkind: C\n...\n---\nkind: D\n--- {kind: E}\n'
    expect(parseRender(out).map((d) => d.kind)).toEqual(['A', 'B', 'C', 'D', 'E'])
  })

  it('skips empty documents and documents with only comments', () => {
    const out =
      '---\n---\n\n---\n# Source: bp/templates/empty.yaml\n---\n# Source: bp/templates/cm.yaml\nkind: ConfigMap\n---\n   \n'
    const r = parseRenderDetailed(out)
    expect(r.errors).toEqual([])
    expect(r.documents).toHaveLength(1)
    expect(r.documents[0]).toMatchObject({ kind: 'ConfigMap', source: 'bp/templates/cm.yaml' })
  })

  it('keeps an indented --- inside a block scalar in the document', () => {
    const out = `---
# Source: bp/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: cfg
data:
  multi.yaml: |
    a: 1
    ---
    b: 2
  after: x
---
# Source: bp/templates/next.yaml
kind: Secret
`
    const docs = parseRender(out)
    expect(docs).toHaveLength(2)
    expect(docs[0].object.data).toEqual({ 'multi.yaml': 'a: 1\n---\nb: 2\n', after: 'x' })
    expect(docs[1]).toMatchObject({ kind: 'Secret', source: 'bp/templates/next.yaml' })
  })

  it('ends a document at --- in column 0, even where a block scalar was meant to continue', () => {
    const out = `# Source: bp/templates/cm.yaml
kind: ConfigMap
data:
  script: |
    echo start
---
echo this is not part of the script
`
    const r = parseRenderDetailed(out)
    expect(r.documents).toHaveLength(1)
    expect(r.documents[0].object.data).toEqual({ script: 'echo start\n' })
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0].message).toBe('document is a string, not a mapping')
    expect(r.errors[0].line).toBe(7)
  })

  it('does not split on ---- or ---x or on --- preceded by spaces', () => {
    const out = 'kind: A\ndata:\n  x: |\n    ----\n    ---x\n  y: z\n'
    const docs = parseRender(out)
    expect(docs).toHaveLength(1)
    expect(docs[0].object.data).toEqual({ x: '----\n---x\n', y: 'z' })
  })

  it('collects parse errors with template and line, and keeps the other documents', () => {
    const out = `---
# Source: bp/templates/ok.yaml
kind: ConfigMap
metadata:
  name: ok
---
# Source: bp/templates/broken.yaml
kind: Deployment
metadata:
  name: broken
   labels: {a: b}
---
# Source: bp/templates/list.yaml
- a
- b
---
# Source: bp/templates/ok2.yaml
kind: Secret
`
    const r = parseRenderDetailed(out)
    expect(r.documents.map((d) => d.source)).toEqual(['bp/templates/ok.yaml', 'bp/templates/ok2.yaml'])
    expect(r.errors).toHaveLength(2)
    const [broken, list] = r.errors
    expect(broken).toBeInstanceOf(RenderParseError)
    expect(broken.source).toBe('bp/templates/broken.yaml')
    expect(broken.line).toBeGreaterThanOrEqual(10)
    expect(broken.line).toBeLessThanOrEqual(11)
    expect(broken.index).toBe(1)
    expect(list.message).toBe('document is a sequence, not a mapping')
    expect(list.source).toBe('bp/templates/list.yaml')
    expect(list.line).toBe(13)
    const f = broken.toFinding()
    expect(f).toMatchObject({ rule: 'render-parse', severity: 'error', file: 'bp/templates/broken.yaml' })
    expect(f.message).toContain('bp/templates/broken.yaml')
    // parseRender drops the broken documents instead of throwing
    expect(parseRender(out)).toHaveLength(2)
  })

  it('reads CRLF renders (through the full parser)', () => {
    const out = '---\r\n# Source: bp/templates/a.yaml\r\nkind: A\r\nmetadata:\r\n  name: a\r\n---\r\nkind: B\r\n'
    const docs = parseRender(out)
    expect(docs.map((d) => [d.kind, d.name, d.source])).toEqual([
      ['A', 'a', 'bp/templates/a.yaml'],
      ['B', undefined, undefined]
    ])
  })

  it('resolves anchors and merge keys like Kubernetes does (full parser)', () => {
    const out = 'kind: A\nbase: &b\n  x: 1\nderived:\n  <<: *b\n  y: 2\n'
    expect(parseRender(out)[0].object.derived).toEqual({ x: 1, y: 2 })
  })
})

// ---------------------------------------------------------------- fast reader

const DEPLOYMENT = `# Source: bp/templates/web.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web   # trailing comment
  labels:
    app.kubernetes.io/name: "web"
    'quoted key': 'it''s'
    helm.sh/chart: web-1.2.3
  annotations: {}
spec:
  replicas: 1
  selector:
    matchLabels: {app: web, "tier": 'front'}
  template:
    spec:
      containers:
      - name: web
        image: "nginx:1.25"
        args: ["--port", "8080", -v, 1.5, true, null, ~]
        command:
          - /bin/sh
          - -c
          - |
            echo "hello: world" # not a comment
              indented

            done
        env:
        - name: A
          value: "line\\n\\ttab \\"q\\" \\u00e9"
        - name: B
          value: >-
            folded text
            continues here

            new paragraph
        - name: C
          value: plain text that is long
            and continues on the next line
        - name: D
          value: '0123'
        - name: E
          value: 0x1F
        - {name: F, value: "x"}
        resources: {}
        ports:
          - containerPort: 8080
            protocol: TCP
      - - nested
        - seq
      -
        name: late
      - ""
      -
      volumes: []
  empty:
  nulls: [~, null, Null, NULL]
  nums: [1, -2, +3, 0o17, 0x1f, 1.5, .5, 1e3, -1.5E-2, .inf, -.Inf, 007, 1_000, 1.0]
  bools: [true, True, TRUE, false, yes, no, on]
  specials: "a: b # c"
  url: http://example.com:8080/path#frag
  colon: a:b
  hash: a#b
`

describe('renderedResources: list documents are their items', () => {
  const LIST = `---
# Source: bp/templates/list.yaml
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: { name: first, namespace: demo }
  - apiVersion: v1
    kind: ConfigMapList
    items:
      - apiVersion: apps/v1
        kind: Deployment
        metadata: { name: inner }
        spec: { template: { spec: { containers: [{ name: c, image: "nginx:1.25" }] } } }
  - just a string
---
# Source: bp/templates/plain.yaml
apiVersion: v1
kind: Service
metadata: { name: svc }
---
# Source: bp/templates/empty-list.yaml
apiVersion: v1
kind: List
items: []
`

  it("parseRenderDetailed gives each item (nested lists too) as a resource with the list's source, never the list", () => {
    const { documents, errors } = parseRenderDetailed(LIST)
    expect(documents.map((d) => [d.kind, d.name, d.namespace, d.source, d.listItem])).toEqual([
      ['ConfigMap', 'first', 'demo', 'bp/templates/list.yaml', 'items[0]'],
      ['Deployment', 'inner', undefined, 'bp/templates/list.yaml', 'items[1].items[0]'],
      ['Service', 'svc', undefined, 'bp/templates/plain.yaml', undefined]
    ])
    // The item that is no mapping is an error naming it, as kubectl refuses it.
    expect(errors.map((e) => [e.source, e.message])).toEqual([
      ['bp/templates/list.yaml', 'list item items[2] of List is a string, not a mapping']
    ])
    // Readers of the resources see the item's own kind: the image is used by the Deployment, not by "List".
    expect(extractImages(documents).map((u) => [u.kind, u.name, u.field])).toEqual([
      ['Deployment', 'inner', 'spec.template.spec.containers[0].image']
    ])
  })

  it('renderedResources flattens documents parsed elsewhere, and leaves flat ones as they are', () => {
    const list: RenderedDocument = {
      kind: 'List',
      source: 's.yaml',
      object: { kind: 'List', items: [{ kind: 'Secret', metadata: { name: 'x' } }] }
    }
    const flat = renderedResources([list])
    expect(flat).toEqual([
      {
        kind: 'Secret',
        name: 'x',
        source: 's.yaml',
        listItem: 'items[0]',
        object: { kind: 'Secret', metadata: { name: 'x' } }
      }
    ])
    expect(renderedResources(flat)).toEqual(flat)
  })
})

describe('fast YAML reader', () => {
  it('handles typical Helm output itself and agrees with YAML.parse', () => {
    const fast = fastParseYaml(DEPLOYMENT)
    expect(fast).toBeDefined()
    expect(fast!.value).toEqual(YAML.parse(DEPLOYMENT, YAML_OPTIONS))
    expect(isDeepStrictEqual(fast!.value, YAML.parse(DEPLOYMENT, YAML_OPTIONS))).toBe(true)
  })

  const snippets: string[] = [
    'a: |\n  x\n\n  y\n\n\nb: 1\n',
    'a: |-\n  x\n   \n  y\n',
    'a: |\n  foo\n     \n  bar\n',
    'a: |\n\n  x\n',
    'a: |\nb: 1\n',
    'a: >\n  one\n  two\n\n  three\n',
    'a: >\n\n  x\n  y\n',
    'a: >\n  x\n    more\n  y\n',
    'a: |+\n  x\n\n',
    'a: |2\n   x\n',
    'a:\n- 1\n- 2\nb: 3\n',
    'a:\n  - b: 1\n    c: 2\n  - d\n',
    '- - a\n  - b\n- c\n',
    '-   a: 1\n    b: 2\n',
    "a: 'x\n  y\n\n  z'\n",
    "a: 'x  \n   y'\n",
    'a: "x\n  y"\n',
    'a: x\n  y\n\n  z\n',
    'a: x\n  # c\n  y\n',
    'a: x # c\n  y\n',
    'a: b: c\n',
    'a: - b\n',
    'a: "b" c\n',
    'a: [b, c\n',
    'a: [b, c]]\n',
    'a: {b: 1, b: 2}\n',
    'a: 1\na: 2\n',
    '80: http\n',
    'true: x\n',
    '"80": http\n',
    '__proto__: x\n',
    'a: &x 1\nb: *x\n',
    'a: !!str 1\n',
    '? a\n: b\n',
    'a: #fff\n',
    'a:#fff\n',
    'a: ""\nb: \'\'\n',
    'a: "\\x41\\u00e9\\U0001F600"\n',
    'a: "\\q"\n',
    'a:  \u00a0x\u00a0 \n',
    'a: [a, b, ]\n',
    'a: {"x":1}\n',
    'a: {x:1}\n',
    'a: [a: b]\n',
    'a: [-1, --x, -]\n',
    'a: [[1, [2]], {b: {c: []}}]\n',
    'a: [1 # c\n',
    'key with spaces: v\n',
    'a : b\n',
    'a:\n  b:\n    c: 1\n  d: 2\n',
    'a:\n    b: 1\n   c: 2\n',
    '  a: 1\n  b: 2\n',
    'a: 1\n b: 2\n',
    'a:\n\n  - x\n\n  - y\n',
    '- a\n-\n- c\n',
    'a: |\n  x',
    'a: x',
    'a: -1\nb: -x\nc: ?x\nd: :x\n',
    'a: @x\n',
    'a: %x\n',
    'a: 1e3\nb: 1E3\nc: 1.e3\nd: .e3\n',
    'a: 0o8\nb: 0xG\nc: +0x1\n',
    '# only a comment\n',
    ''
  ]
  it.each(snippets.map((s) => [s]))('agrees with YAML.parse or defers to it: %j', (text) => {
    const fast = fastParseYaml(text)
    if (!fast) return
    let expected: unknown
    expect(() => {
      expected = YAML.parse(text, YAML_OPTIONS)
    }).not.toThrow()
    expect(isDeepStrictEqual(fast.value, expected)).toBe(true)
  })

  it('takes the fast path for the common constructs', () => {
    for (const text of [
      'a:\n- 1\n- 2\nb: 3\n',
      '- - a\n  - b\n- c\n',
      "a: 'x\n  y\n\n  z'\n",
      'a: x\n  y\n\n  z\n',
      'a: |\n  x\n\n  y\n\n\nb: 1\n',
      'a: >\n  one\n  two\n\n  three\n',
      'a: [[1, [2]], {b: {c: []}}]\n',
      // `resources:` then `{}` on its own line: toYaml | nindent of an empty map, in every helm create chart
      'spec:\n  resources:\n    {}\n  name: x\n',
      'args:\n  [a, b]\n# c\nnext: 1\n'
    ]) {
      const fast = fastParseYaml(text)
      expect(fast).toBeDefined()
      expect(fast?.value).toEqual(YAML.parse(text, YAML_OPTIONS))
    }
  })

  it('defers when more follows a flow value on its own line', () => {
    const text = 'a:\n  {}\n  b: 1\n'
    expect(fastParseYaml(text)).toBeUndefined()
    expect(() => parseYamlDocument(text)).toThrow()
  })

  it('defers to YAML.parse for constructs outside its subset', () => {
    for (const text of [
      'a: &x 1\nb: *x\n',
      'a: |+\n  x\n\n',
      'a: "x\n  y"\n',
      'a: 1\na: 2\n',
      '80: http\n',
      'a:\tb\n',
      'a: b\r\n'
    ]) {
      expect(fastParseYaml(text)).toBeUndefined()
      expect(parseYamlDocument(text)).toEqual(YAML.parse(text, YAML_OPTIONS))
    }
  })

  it('agrees with YAML.parse on random documents and mutations of them', () => {
    let seed = 42
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff
      return seed / 0x7fffffff
    }
    const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)]
    const CH = [
      'a',
      'b',
      'Z',
      '0',
      '1',
      ' ',
      ' ',
      ':',
      '#',
      '-',
      '?',
      "'",
      '"',
      '\\',
      '\n',
      '\n',
      ',',
      '[',
      ']',
      '{',
      '}',
      '&',
      '*',
      '!',
      '|',
      '>',
      '%',
      '@',
      '.',
      '~',
      'é',
      '\u00a0'
    ]
    const TOK = [
      'true',
      'null',
      '~',
      '1.0',
      '0x1F',
      '0o17',
      '.inf',
      '1e3',
      '+12',
      '007',
      '',
      '  lead',
      'trail  ',
      'a: b',
      'a #b',
      '- x',
      '---',
      'key:',
      'a\n\nb',
      'a\n b\n',
      'x\n',
      '\n',
      '-',
      '--flag'
    ]
    const str = (): string => {
      if (rnd() < 0.4) return pick(TOK)
      let s = ''
      const n = Math.floor(rnd() * 12)
      for (let i = 0; i < n; i++) s += pick(CH)
      return s
    }
    const val = (d: number): unknown => {
      const r = rnd()
      if (d < 4 && r < 0.25) {
        const o: Record<string, unknown> = {}
        const n = Math.floor(rnd() * 5)
        for (let i = 0; i < n; i++)
          o[rnd() < 0.7 ? pick(['a', 'name', 'image', 'c d', 'x.y/z']) + i : str()] = val(d + 1)
        return o
      }
      if (d < 4 && r < 0.45) return Array.from({ length: Math.floor(rnd() * 4) }, () => val(d + 1))
      if (r < 0.8) return str()
      return pick([1, -2, 3.5, 0, true, false, null])
    }
    const mutate = (t: string): string => {
      const lines = t.split('\n')
      for (let m = 0; m < 2; m++) {
        const i = Math.floor(rnd() * lines.length)
        const l = lines[i] ?? ''
        const p = Math.floor(rnd() * (l.length + 1))
        switch (Math.floor(rnd() * 6)) {
          case 0:
            lines[i] = ' ' + l
            break
          case 1:
            lines[i] = l.replace(/^ /, '')
            break
          case 2:
            lines[i] = l.slice(0, p) + pick(CH.filter((c) => c !== '\n')) + l.slice(p)
            break
          case 3:
            lines[i] = l.slice(0, p) + l.slice(p + 1)
            break
          case 4:
            lines.splice(i, 0, ' '.repeat(Math.floor(rnd() * 6)) + pick(['', '# c', 'x']))
            break
          case 5:
            lines[i] = l + pick([' # c', ' ', ':'])
            break
        }
      }
      return lines.join('\n')
    }
    let fastCount = 0
    const mismatches: string[] = []
    for (let it = 0; it < 1500; it++) {
      const text = YAML.stringify(val(0), {
        indentSeq: rnd() < 0.5,
        lineWidth: pick([0, 20, 80]),
        defaultStringType: pick([
          'PLAIN',
          'PLAIN',
          'QUOTE_SINGLE',
          'QUOTE_DOUBLE',
          'BLOCK_LITERAL',
          'BLOCK_FOLDED'
        ] as const),
        collectionStyle: pick(['any', 'block', 'flow'] as const)
      })
      if (text.startsWith('---')) continue
      for (const t of [text, mutate(text), mutate(text)]) {
        const fast = fastParseYaml(t)
        if (!fast) continue
        fastCount++
        let expected: unknown
        try {
          expected = YAML.parse(t, YAML_OPTIONS)
        } catch (e) {
          mismatches.push(`${JSON.stringify(t)}: fast read it, YAML.parse threw ${String(e)}`)
          continue
        }
        if (!isDeepStrictEqual(fast.value, expected)) mismatches.push(JSON.stringify(t))
      }
    }
    expect(mismatches.slice(0, 5)).toEqual([])
    expect(fastCount).toBeGreaterThan(500)
  })
})

// ---------------------------------------------------------------- scale

/** A synthetic `helm template` output of about `bytes` with `docs` documents (Deployments, ConfigMaps, CRDs, CronJobs, Services). */
function generateRender(bytes: number, docs: number): string {
  const per = bytes / docs
  const env = (n: number, ind: string) =>
    Array.from(
      { length: n },
      (_, j) => `${ind}- name: ENV_VAR_${j}\n${ind}  value: "some value number ${j} with text"\n`
    ).join('')
  const container = (name: string, image: string, ind: string, envs: number) =>
    `${ind}- name: ${name}\n${ind}  image: "${image}"\n${ind}  imagePullPolicy: IfNotPresent\n${ind}  args: ["--port=8080", "--log-level=info"]\n` +
    `${ind}  ports:\n${ind}    - name: http\n${ind}      containerPort: 8080\n${ind}  env:\n${env(envs, ind + '    ')}` +
    `${ind}  resources:\n${ind}    limits: {cpu: 500m, memory: 512Mi}\n${ind}  securityContext: {}\n`
  const parts: string[] = []
  for (let i = 0; i < docs; i++) {
    const k = i % 10
    if (k < 4 || k === 9) {
      parts.push(
        `---\n# Source: bp/charts/app${i % 37}/templates/workload-${i}.yaml\napiVersion: apps/v1\nkind: ${k === 9 ? 'StatefulSet' : 'Deployment'}\nmetadata:\n  name: app-${i}\n  labels:\n    app.kubernetes.io/name: app-${i}\n    helm.sh/chart: app-1.0.0\n` +
          `spec:\n  replicas: 2\n  template:\n    metadata:\n      annotations:\n        checksum/config: ${'0123456789abcdef'.repeat(4)}\n    spec:\n      initContainers:\n` +
          container('init', 'busybox:1.36', '        ', 2) +
          `      containers:\n` +
          container('main', `ghcr.io/org/app${i % 50}:1.2.${i % 7}`, '        ', 30) +
          container('sidecar', `docker.io/envoyproxy/envoy:v1.29@sha256:${'a'.repeat(64)}`, '        ', 5)
      )
    } else if (k < 7) {
      const lines = Math.max(1, Math.floor((per - 300) / 70))
      let body = ''
      for (let j = 0; j < lines; j++) body += `    line ${j} of the embedded file for ${i}: some text ---\n`
      parts.push(
        `---\n# Source: bp/charts/cfg/templates/configmap-${i}.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg-${i}\ndata:\n  config.yaml: |\n${body}    ---\n  other: "a=b"\n`
      )
    } else if (k === 7) {
      const n = Math.max(1, Math.floor((per * 2) / 160))
      let props = ''
      for (let j = 0; j < n; j++) {
        props += `                field${j}:\n                  description: 'A field number ${j} that is described at length here,\n                    over two lines.'\n                  type: string\n`
      }
      parts.push(
        `---\n# Source: bp/charts/op/crds/crd-${i}.yaml\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: things${i}.example.com\nspec:\n  versions:\n    - name: v1\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:\n${props}`
      )
    } else {
      parts.push(
        `---\n# Source: bp/charts/jobs/templates/cronjob-${i}.yaml\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: job-${i}\nspec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n` +
          container('job', `temporalio/admin-tools:1.2${i % 5}.0`, '            ', 20)
      )
    }
  }
  return parts.join('')
}

describe('a large render', () => {
  it('parses a ~10 MB, 2,000-document render completely, through the fast reader', () => {
    const text = generateRender(10 * 1024 * 1024, 2000)
    expect(text.length).toBeGreaterThan(8 * 1024 * 1024)
    const r = parseRenderDetailed(text)
    expect(r.errors).toEqual([])
    expect(r.documents).toHaveLength(2000)
    expect(r.documents[1999].source).toBe('bp/charts/app1/templates/workload-1999.yaml')
    const verdicts = checkImages(extractImages(r.documents), 'sha', [])
    expect(verdicts).toHaveLength(1000 * 3 + 200)
    // Every document must be within the fast reader's subset (a regression here costs seconds).
    const chunks = text.split(/^---$/m).filter((c) => c.trim() !== '')
    expect(chunks.filter((c) => fastParseYaml(c) === undefined)).toHaveLength(0)
  })
})

describe('parseRenderDetailed({ mentioning })', () => {
  it('parses only the documents that mention the string, and skips a broken one that does not', () => {
    const output = [
      '---',
      '# Source: c/templates/sm.yaml',
      'apiVersion: monitoring.coreos.com/v1',
      'kind: ServiceMonitor',
      'metadata:',
      '  name: sm',
      '---',
      '# Source: c/templates/broken.yaml',
      'kind: [unclosed',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: cm',
      ''
    ].join('\n')
    const only = parseRenderDetailed(output, { mentioning: 'monitoring.coreos.com' })
    expect(only.documents.map((d) => d.kind)).toEqual(['ServiceMonitor'])
    expect(only.errors).toEqual([])
    const all = parseRenderDetailed(output)
    expect(all.documents.map((d) => d.kind)).toEqual(['ServiceMonitor', 'ConfigMap'])
    expect(all.errors).toHaveLength(1)
  })
})

describe('cleanAsYaml11 (the values check of packaging in node)', () => {
  /** What it stands in for: `yaml` parsing as YAML 1.1 with unique keys, without an error or a warning. */
  const libraryClean = (text: string): boolean => {
    const doc = YAML.parseDocument(text, { version: '1.1', uniqueKeys: true })
    return doc.errors.length === 0 && doc.warnings.length === 0
  }
  const CASES: Record<string, string> = {
    plain: 'a: 1\nb:\n  c: [1, 2]\n  d: {e: x}\n# comment\nf: |\n  text\n',
    nested: 'a:\n  b:\n    - c: 1\n      d: 2\n    - e\n',
    yesAndOn: 'yes: 1\non: 2\n',
    trueAndYes: 'true: 1\nyes: 2\n',
    quotedYes: '"yes": 1\n',
    nestedNo: 'a:\n  no: 1\n',
    mergeScalar: '<<: foo\na: 1\n',
    mergeAlias: 'base: &b {a: 1}\nx:\n  <<: *b\n',
    numericKey: '80: http\n',
    dateKey: '2001-12-14: x\n',
    duplicate: 'a: 1\na: 2\n',
    twoDocuments: 'a: 1\n---\nb: 2\n',
    badEscape: 'a: "x\\qy"\n',
    badIndent: 'a:\n  b: 1\n c: 2\n',
    tab: 'a:\t1\n'
  }

  it.each(Object.entries(CASES))('%s: never clean where the library is not', (_name, text) => {
    if (cleanAsYaml11(text)) expect(libraryClean(text)).toBe(true)
  })

  it('takes the fast way for plain values and leaves YAML 1.1 booleans, merges and odd keys to the library', () => {
    expect(cleanAsYaml11(CASES.plain)).toBe(true)
    expect(cleanAsYaml11(CASES.nested)).toBe(true)
    // yes and on are one key in YAML 1.1: the library refuses what the fast reader would accept.
    expect(fastParseYaml(CASES.yesAndOn)).toBeDefined()
    expect(libraryClean(CASES.yesAndOn)).toBe(false)
    expect(cleanAsYaml11(CASES.yesAndOn)).toBeUndefined()
    for (const name of ['quotedYes', 'nestedNo', 'mergeScalar', 'mergeAlias', 'numericKey', 'dateKey'])
      expect(cleanAsYaml11(CASES[name])).toBeUndefined()
  })

  it("agrees with the library on every values and Chart.yaml file of the project's charts, and reads the example's itself", () => {
    const root = PROJECT_ROOT
    const files = projectChartFiles(/(values|Chart)\.ya?ml$/)
    expect(files.length).toBeGreaterThan(10)
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      if (cleanAsYaml11(text)) expect([file, libraryClean(text)]).toEqual([file, true])
    }
    expect(cleanAsYaml11(readFileSync(path.join(root, 'examples/platform/temporal/chart/values.yaml'), 'utf8'))).toBe(
      true
    )
  })
})

describe('parseCleanYaml11 (a Chart.yaml packaged in node: its data as YAML 1.1 reads it)', () => {
  /** What it stands in for: `yaml`'s YAML 1.1 data, when the parse has no error and no warning. */
  const library11 = (text: string): { value: unknown } | undefined => {
    const doc = YAML.parseDocument(text, { version: '1.1', uniqueKeys: true })
    return doc.errors.length === 0 && doc.warnings.length === 0 ? { value: doc.toJS() } : undefined
  }
  // Plain scalars YAML 1.2 (the fast reader) reads as strings or numbers and YAML 1.1 reads otherwise.
  const APART: Record<string, string> = {
    yes: 'deprecated: yes\n',
    off: 'a: off\n',
    capitalN: 'a: N\n',
    octal: 'a: 017\n',
    octalO: 'a: 0o17\n',
    underscore: 'a: 1_000\n',
    binary: 'a: 0b101\n',
    sexagesimal: 'a: 1:20\n',
    sexagesimalFloat: 'a: 1:20.5\n',
    date: 'created: 2024-01-31\n',
    dateTime: 'created: 2024-01-31T10:00:00Z\n',
    inList: 'keywords:\n  - temporal\n  - on\n'
  }

  it.each(Object.entries(APART))('%s: left to the library, which reads it otherwise than YAML 1.2', (_name, text) => {
    expect(parseCleanYaml11(text)).toBeUndefined()
    expect(library11(text)?.value).not.toEqual(YAML.parse(text))
  })

  it.each(['a: 1e3\n', 'a: .5\n', 'a: -.inf\n', 'a: 42\n'])(
    'leaves every number to the library (some read alike, some not): %j',
    (text) => {
      expect(parseCleanYaml11(text)).toBeUndefined()
      expect(typeof (library11(text)?.value as { a: unknown }).a).toBe('number')
    }
  )

  it('reads what both read alike: versions, quoted look-alikes, URLs, booleans, nulls', () => {
    const text = [
      'apiVersion: v2',
      'name: bp-temporal',
      'version: 1.0.7-rc.1+build.5',
      'appVersion: "1.28.1"',
      'quoted: "yes"',
      "single: '2024-01-31'",
      'flow: ["on", \'017\']',
      'url: https://go.temporal.io/helm-charts',
      'deprecated: false',
      'icon:',
      'kubeVersion: ">=1.29.0-0"',
      ''
    ].join('\n')
    // Quoted, "yes", '2024-01-31' and "on" are strings in YAML 1.1 too.
    expect(parseCleanYaml11(text)).toEqual(library11(text))
    expect(parseCleanYaml11(text)?.value).toMatchObject({
      version: '1.0.7-rc.1+build.5',
      quoted: 'yes',
      single: '2024-01-31',
      flow: ['on', '017'],
      deprecated: false,
      icon: null
    })
  })

  it('reads a Chart.lock as helm writes it (the generated timestamp quoted) without the library', () => {
    const lock = [
      'dependencies:',
      '- name: temporal',
      '  repository: https://go.temporal.io/helm-charts',
      '  version: 1.2.0',
      'digest: sha256:6b2f5f0c2a3c1f1e0e3f7d9a1b2c3d4e5f60718293a4b5c6d7e8f90123456789',
      'generated: "2026-12-06T22:29:08.123456789Z"',
      ''
    ].join('\n')
    expect(parseCleanYaml11(lock)).toEqual(library11(lock))
    expect(parseCleanYaml11(lock)?.value).toMatchObject({ generated: '2026-12-06T22:29:08.123456789Z' })
    // Unquoted, YAML 1.1 reads a timestamp: the library decides.
    expect(parseCleanYaml11(lock.replace(/"(2026[^"]*)"/, '$1'))).toBeUndefined()
  })

  it.each([
    ['in a flow sequence', 'a: ["x", on]\n'],
    ['in a flow mapping', 'a: {b: off}\n'],
    ['on continuation lines', 'a: 2024-01-31\n  more\n']
  ])('leaves a plain look-alike %s to the library', (_where, text) => {
    expect(parseCleanYaml11(text)).toBeUndefined()
  })

  it("gives the library's data on every Chart.yaml, Chart.lock and values file of the project, and reads the example's Chart.yaml itself", () => {
    const files = projectChartFiles(/(values|Chart)\.ya?ml$|Chart\.lock$/)
    expect(files.length).toBeGreaterThan(10)
    let fast = 0
    for (const file of files) {
      const text = readFileSync(file, 'utf8')
      const clean = parseCleanYaml11(text)
      if (!clean) continue
      fast++
      expect({ file, data: clean }).toEqual({ file, data: library11(text) })
    }
    expect(fast).toBeGreaterThan(files.length / 2)
    expect(
      parseCleanYaml11(readFileSync(path.join(PROJECT_ROOT, 'examples/platform/temporal/chart/Chart.yaml'), 'utf8'))
    ).toBeDefined()
  })
})

describe('parseRenderAsHelm: what go-yaml reads and the yaml library refuses', () => {
  const crd = [
    '---',
    '# Source: op/templates/crds/widgets.yaml',
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    '  name: widgets.example.io',
    'spec:',
    "  description: 'A widget, continued",
    "  at the key''s indentation'",
    '---',
    '# Source: op/templates/cm.yaml',
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: plain',
    ''
  ].join('\n')

  it('reads a quoted scalar continued at its key indentation, as helm does', async () => {
    expect(parseRenderDetailed(crd).errors.map((e) => e.message)).toEqual(["Missing closing 'quote"])
    const parsed = await parseRenderAsHelm(crd)
    expect(parsed.errors).toEqual([])
    expect(parsed.documents.map((d) => [d.kind, d.source])).toEqual([
      ['CustomResourceDefinition', 'op/templates/crds/widgets.yaml'],
      ['ConfigMap', 'op/templates/cm.yaml']
    ])
    expect(parsed.documents[0].object.spec).toEqual({ description: "A widget, continued at the key's indentation" })
  })

  it('still reports what go-yaml refuses too, with its template', async () => {
    const broken = '---\n# Source: op/templates/bad.yaml\nkind: ConfigMap\nmetadata: {name: [unclosed\n'
    const parsed = await parseRenderAsHelm(broken)
    expect(parsed.documents).toEqual([])
    expect(parsed.errors.map((e) => e.source)).toEqual(['op/templates/bad.yaml'])
  })
})
