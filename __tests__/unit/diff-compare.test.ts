import { describe, expect, it } from '@jest/globals'
import {
  apiGroup,
  compareImages,
  compareRenders,
  imageRepository,
  SECRET_CHANGED,
  SECRET_HIDDEN
} from '../../src/diff/compare.js'
import { baseCommitFor } from '../../src/diff/git-tree.js'
import { parseRender } from '../../src/helm/render.js'

const render = (text: string) => parseRender(text)

const deployment = (
  opts: { image?: string; chart?: string; checksum?: string; replicas?: number; name?: string } = {}
): string => `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${opts.name ?? 'web'}
  namespace: demo
  labels:
    app.kubernetes.io/name: web
    helm.sh/chart: temporal-${opts.chart ?? '1.2.0'}
    app.kubernetes.io/version: "${opts.chart ?? '1.2.0'}"
spec:
  replicas: ${opts.replicas ?? 1}
  template:
    metadata:
      annotations:
        checksum/config: ${opts.checksum ?? 'aaa'}
      labels:
        chart: temporal-${opts.chart ?? '1.2.0'}
    spec:
      containers:
        - name: web
          image: ${opts.image ?? 'temporalio/ui:2.34.0'}
`

describe('compareRenders', () => {
  it('aligns chart-version labels and checksum annotations and counts them apart', () => {
    const base = render(deployment())
    const head = render(deployment({ chart: '1.3.0', checksum: 'bbb' }))
    const c = compareRenders(base, head)
    expect(c.counts).toEqual({ added: 0, removed: 0, changed: 0, unchanged: 1 })
    expect(c.noise).toEqual({ resources: 1, fields: 4 })
    expect(c.resources).toEqual([])
  })

  it('a real change next to noise shows only the real change', () => {
    const c = compareRenders(render(deployment()), render(deployment({ chart: '1.3.0', replicas: 3 })))
    expect(c.counts.changed).toBe(1)
    const [r] = c.resources
    expect(r).toMatchObject({
      change: 'changed',
      group: 'apps',
      kind: 'Deployment',
      namespace: 'demo',
      name: 'web',
      lines: { added: 1, removed: 1 }
    })
    expect(r.diff).toContain('-  replicas: 1\n+  replicas: 3')
    expect(r.diff).not.toMatch(/^[-+].*(helm\.sh\/chart|checksum|temporal-1)/m)
    expect(r.diff.startsWith('--- a/Deployment/demo/web\n+++ b/Deployment/demo/web\n')).toBe(true)
  })

  it('keys resources by group, kind, namespace and name; an apiVersion bump within a group is a change, not add+remove', () => {
    const base = render(
      `apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gone\n`
    )
    const head = render(
      `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: new\n`
    )
    const c = compareRenders(base, head)
    expect(c.resources.map((r) => `${r.change} ${r.kind}/${r.name}`)).toEqual([
      'removed ConfigMap/gone',
      'added ConfigMap/new',
      'changed PodDisruptionBudget/p'
    ])
    expect(apiGroup('v1')).toBe('')
    expect(apiGroup('networking.k8s.io/v1')).toBe('networking.k8s.io')
  })

  it('never lets a Secret value through: changed keys are named, values replaced', () => {
    const secret = (data: Record<string, string>, stringData: Record<string, string> = {}) =>
      `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n${Object.entries(data)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}\n` +
      (Object.keys(stringData).length
        ? `stringData:\n${Object.entries(stringData)
            .map(([k, v]) => `  ${k}: ${v}`)
            .join('\n')}\n`
        : '')
    const base = render(secret({ token: 'T0xE', same: 'U0FNRQ==', gone: 'R09ORQ==' }, { plain: 'old-plain' }))
    const head = render(secret({ token: 'TkVX', same: 'U0FNRQ==', extra: 'RVhUUkE=' }, { plain: 'new-plain' }))
    const c = compareRenders(base, head)
    const [r] = c.resources
    expect(r.secretKeys).toEqual({ added: ['extra'], removed: ['gone'], changed: ['token', 'stringData.plain'] })
    for (const value of ['T0xE', 'TkVX', 'U0FNRQ==', 'R09ORQ==', 'RVhUUkE=', 'old-plain', 'new-plain'])
      expect(r.diff).not.toContain(value)
    expect(r.diff).toContain(`-  token: ${SECRET_HIDDEN}\n+  token: ${SECRET_CHANGED}`)
    expect(r.diff).toContain(`   same: ${SECRET_HIDDEN}`)
    // An added Secret: its keys listed, no values.
    const added = compareRenders([], base).resources[0]
    expect(added.secretKeys).toEqual({ added: ['token', 'same', 'gone', 'stringData.plain'], removed: [], changed: [] })
    expect(added.diff).not.toMatch(/T0xE|old-plain/)
    // The inputs are not modified (the head render is shared with the gates).
    expect((head[0].object.data as Record<string, string>).token).toBe('TkVX')
  })

  it('a Secret inside a kind: List (and a List nested in it) is hidden like any Secret, keyed by its own identity', () => {
    const list = (password: string, token: string) => `# Source: bp/templates/list.yaml
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Secret
    metadata: { name: db, namespace: demo }
    stringData:
      password: ${password}
    data:
      token: ${Buffer.from(token).toString('base64')}
  - apiVersion: v1
    kind: List
    items:
      - apiVersion: v1
        kind: Secret
        metadata: { name: nested }
        stringData: { key: ${password}-nested }
      - apiVersion: v1
        kind: ConfigMap
        metadata: { name: plain }
        data: { shown: ${token}-visible }
`
    const c = compareRenders(render(list('old-pa55word', 'old-t0ken')), render(list('new-pa55word', 'new-t0ken')))
    expect(c.resources.map((r) => [r.kind, r.namespace, r.name, r.change])).toEqual([
      ['ConfigMap', '', 'plain', 'changed'],
      ['Secret', '', 'nested', 'changed'],
      ['Secret', 'demo', 'db', 'changed']
    ])
    const text = c.resources.map((r) => r.diff).join('\n')
    const b64 = (v: string) => Buffer.from(v).toString('base64')
    for (const value of ['pa55word', b64('old-t0ken'), b64('new-t0ken')]) expect(text).not.toContain(value)
    expect(c.resources[2].secretKeys).toEqual({ added: [], removed: [], changed: ['token', 'stringData.password'] })
    expect(c.resources[1].secretKeys).toEqual({ added: [], removed: [], changed: ['stringData.key'] })
    // A ConfigMap is no Secret: its change is shown.
    expect(c.resources[0].diff).toContain('+  shown: new-t0ken-visible')
  })

  it('with a redact function, values are redacted in the data, before the YAML writer quotes and escapes them', () => {
    const secret = 'pa\'ss"w\\ord9\x01'
    const redact = (text: string): string => text.split(secret).join('***')
    const cm = (value: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  v: ${JSON.stringify(value)}\n  ${JSON.stringify(value)}: key\n`
    const head = render(cm(`x ${secret} y`))
    const plain = compareRenders(render(cm('before')), head).resources[0].diff
    // Without it the YAML writer escapes the value: a text search for the raw value finds nothing to hide.
    expect(plain).toContain('+  v: "x pa\'ss\\"w\\\\ord9\\x01 y"')
    expect(redact(plain)).toContain('pa\'ss\\"w\\\\ord9\\x01')
    const diff = compareRenders(render(cm('before')), head, { redact }).resources[0].diff
    expect(diff).toContain('+  v: x *** y')
    expect(diff).toContain('+  x *** y: key')
    expect(diff).not.toMatch(/pa'ss/)
  })

  it('a 50,000-line ConfigMap rewritten whole stays within the deadline: shown removed and added whole, marked tooLarge', () => {
    const big = (word: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  file: |\n${Array.from(
        { length: 50_000 },
        (_, i) => `    ${word} ${i}`
      ).join('\n')}\n`
    const small = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: small\ndata:\n  a: "1"\n'
    const [base, head] = [
      render(big('old') + '---\n' + small),
      render(big('new') + '---\n' + small.replace('"1"', '"2"'))
    ]
    const start = performance.now()
    const c = compareRenders(base, head, { deadline: performance.now() + 1_500 })
    expect(performance.now() - start).toBeLessThan(6_000)
    const [bigChange, smallChange] = c.resources
    expect(bigChange.tooLarge).toEqual({ before: 50_006, after: 50_006 })
    expect(bigChange.lines).toEqual({ added: 50_006, removed: 50_006 })
    expect(bigChange.diff.split('\n').slice(0, 4)).toEqual([
      '--- a/ConfigMap/big',
      '+++ b/ConfigMap/big',
      '@@ -1,50006 +1,50006 @@',
      '-apiVersion: v1'
    ])
    // A small change is still diffed line by line once the time is up (a second more for all of them).
    expect(smallChange.tooLarge).toBeUndefined()
    expect(smallChange.diff).toContain('-  a: "1"\n+  a: "2"')
  })

  it('a deadline passed long ago: changed resources are shown whole, added ones as always', () => {
    const cm = (name: string, v: string) =>
      `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  a: "${v}"\n`
    const c = compareRenders(render(cm('x', '1')), render(cm('x', '2') + cm('y', '1')), {
      deadline: performance.now() - 5_000
    })
    expect(c.resources.map((r) => [r.name, r.change, r.tooLarge])).toEqual([
      ['x', 'changed', { before: 6, after: 6 }],
      ['y', 'added', undefined]
    ])
    expect(c.resources[1].diff).toContain('@@ -0,0 +1,6 @@\n+apiVersion: v1')
  })

  it('an unchanged Secret stays unchanged', () => {
    const text = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  a: QQ==\n'
    expect(compareRenders(render(text), render(text)).counts).toEqual({
      added: 0,
      removed: 0,
      changed: 0,
      unchanged: 1
    })
  })
})

describe('images', () => {
  it('repository of a reference, with registry ports and digests', () => {
    expect(imageRepository('temporalio/server:1.28.1@sha256:abc')).toBe('temporalio/server')
    expect(imageRepository('localhost:5000/a/b')).toBe('localhost:5000/a/b')
    expect(imageRepository('localhost:5000/a/b:1')).toBe('localhost:5000/a/b')
  })

  it('lists repositories whose references change, with the pin status of the new ones', () => {
    const digest = `sha256:${'2'.repeat(64)}`
    const changes = compareImages(
      render(deployment()),
      render(
        deployment({ image: `temporalio/ui:2.35.0@${digest}` }) +
          deployment({ name: 'x', image: 'busybox:1' }) +
          deployment({ name: 'y', image: 'localhost:5000/tools' })
      )
    )
    expect(changes).toEqual([
      { repository: 'busybox', before: [], after: ['busybox:1'], pin: ['tag'] },
      { repository: 'localhost:5000/tools', before: [], after: ['localhost:5000/tools'], pin: ['untagged'] },
      {
        repository: 'temporalio/ui',
        before: ['temporalio/ui:2.34.0'],
        after: [`temporalio/ui:2.35.0@${digest}`],
        pin: ['digest']
      }
    ])
  })
})

describe('names and the release namespace', () => {
  it("keys a resource in the render's namespace as the release's (the same resource with or without it), in natural order", () => {
    const cm = (name: string, namespace?: string, value = 'a') =>
      `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${namespace ? `  namespace: ${namespace}\n` : ''}data:\n  k: ${value}\n`
    const c = compareRenders(
      render(cm('app-10', 'smoke-bp') + cm('app-2') + cm('other', 'kube-system')),
      render(cm('app-10', undefined, 'b') + cm('app-2', 'smoke-bp', 'b') + cm('other', 'kube-system', 'b')),
      { releaseNamespace: 'smoke-bp' }
    )
    expect(c.resources.map((r) => [r.change, r.namespace, r.name])).toEqual([
      ['changed', '', 'app-2'],
      ['changed', '', 'app-10'],
      ['changed', 'kube-system', 'other']
    ])
  })
})

describe('baseCommitFor', () => {
  const sha = 'a'.repeat(40)
  it('pull requests and pushes with a previous commit; nothing for others unless asked', () => {
    expect(baseCommitFor('pull_request', { pull_request: { base: { sha } } }, 'auto')).toEqual({
      sha,
      label: 'pull request base'
    })
    expect(baseCommitFor('push', { before: sha }, 'auto')).toEqual({ sha, label: 'commit before the push' })
    expect(baseCommitFor('push', { before: '0'.repeat(40) }, 'auto')).toBeUndefined()
    expect(baseCommitFor('workflow_dispatch', {}, 'auto')).toBeUndefined()
    expect(baseCommitFor('workflow_dispatch', {}, 'true')).toEqual({
      skip: 'diff: the workflow_dispatch event has no base commit to compare with'
    })
    expect(baseCommitFor('pull_request', { pull_request: { base: { sha } } }, 'false')).toBeUndefined()
    expect(baseCommitFor('pull_request', { pull_request: { base: { sha: 'main; rm -rf /' } } }, 'auto')).toBeUndefined()
  })
})
