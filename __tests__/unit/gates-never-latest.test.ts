import { describe, expect, it } from '@jest/globals'
import type { HelmRunResult } from '../../src/helm/helm.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'
import {
  case4Args,
  classifyTagDefault,
  errorNamesTag,
  findOwnImageTags,
  findValueUsage,
  neverLatestStep
} from '../../src/gates/never-latest.js'

const VALUES = `temporal:
  server:
    image:
      repository: temporalio/server
      tag: latest
image:
  repository: ghcr.io/example/top
  tag: ""
adapter:
  image:
    repository: ghcr.io/example/adapter
    tag:
  sidecar:
    image:
      repository: ghcr.io/example/sidecar
      tag: 0123abc
  legacy:
    image:
      repository: ghcr.io/example/legacy
      tag: latest
  notAnImage:
    image: ghcr.io/example/whole:1.0
imageName: top-level-is-not-own
`

const values = parseYamlText<Record<string, unknown>>(VALUES, 'platform/t/chart/values.yaml')

describe('findOwnImageTags', () => {
  it('finds <x>.image.tag outside the upstream key, including a top-level image.tag', () => {
    expect(findOwnImageTags(values.data, ['temporal']).map((t) => [t.key, t.default, t.kind])).toEqual([
      ['image.tag', '', 'tag'],
      ['adapter.image.tag', null, 'tag'],
      ['adapter.sidecar.image.tag', '0123abc', 'tag'],
      ['adapter.legacy.image.tag', 'latest', 'tag']
    ])
  })

  it('finds <x>.imageName (CloudNativePG style) outside the upstream key', () => {
    const v = parseYamlText<Record<string, unknown>>(
      'temporal:\n  db:\n    imageName: x\noverlay:\n  cnpg:\n    imageName: ghcr.io/c/p:16@sha256:abc\n',
      'v.yaml'
    )
    expect(findOwnImageTags(v.data, ['temporal'])).toEqual([
      {
        path: ['overlay', 'cnpg', 'imageName'],
        key: 'overlay.cnpg.imageName',
        default: 'ghcr.io/c/p:16@sha256:abc',
        kind: 'imageName'
      }
    ])
  })

  it('leaves out every dependency key, not only the upstream one', () => {
    const v = parseYamlText<Record<string, unknown>>(
      'temporal:\n  image:\n    tag: a\npostgresql:\n  image:\n    tag: b\nadapter:\n  image:\n    tag: c\n',
      'v.yaml'
    )
    expect(findOwnImageTags(v.data, ['temporal', 'postgresql']).map((t) => t.key)).toEqual(['adapter.image.tag'])
    expect(findOwnImageTags(v.data, ['temporal']).map((t) => t.key)).toEqual([
      'postgresql.image.tag',
      'adapter.image.tag'
    ])
  })

  it('includes the upstream key when it is another one', () => {
    expect(findOwnImageTags(values.data, ['upstream']).map((t) => t.key)).toContain('temporal.server.image.tag')
  })

  it('classifies defaults', () => {
    expect(['', null, undefined, '  ', 'latest', 'abc', 1.2].map((v) => classifyTagDefault(v))).toEqual([
      'none',
      'none',
      'none',
      'none',
      'latest',
      'value',
      'value'
    ])
    expect(
      [
        '',
        'ghcr.io/a/b',
        'ghcr.io/a/b:latest',
        'localhost:5000/b',
        'b:16.6',
        'b@sha256:abc',
        'b:latest@sha256:abc'
      ].map((v) => classifyTagDefault(v, 'imageName'))
    ).toEqual(['none', 'latest', 'latest', 'latest', 'value', 'value', 'value'])
  })
})

describe('errorNamesTag (case 4 error matching)', () => {
  const tag = ['catalystOverlay', 'adapter', 'image', 'tag']
  it('accepts errors naming <x>.image.tag or image.tag with x', () => {
    expect(errorNamesTag('execution error at (bp-t/templates/d.yaml:19:56): adapter.image.tag is required', tag)).toBe(
      true
    )
    expect(
      errorNamesTag(
        'execution error at (bp-t/templates/d.yaml:19:56): catalystOverlay.adapter.image.tag is required: set a commit SHA',
        tag
      )
    ).toBe(true)
    expect(errorNamesTag('execution error at (x): image.tag is required for the adapter', tag)).toBe(true)
    expect(errorNamesTag('required "Adapter.Image.Tag"', tag)).toBe(true)
  })

  it('rejects errors that do not name it', () => {
    expect(errorNamesTag('execution error at (bp-t/templates/d.yaml:19:56): a value is required', tag)).toBe(false)
    expect(errorNamesTag('execution error at (x): sidecar.image.tag is required', tag)).toBe(false)
    expect(errorNamesTag('execution error at (x): image.tag is required for the adapters', tag)).toBe(false)
    expect(errorNamesTag('execution error at (x): adapter.image.repository is required', tag)).toBe(false)
  })

  it('matches <x>.imageName', () => {
    const name = ['catalystOverlay', 'cnpg', 'imageName']
    expect(
      errorNamesTag(
        'execution error at (bp-temporal/templates/cnpg-cluster.yaml:13:16): catalystOverlay.cnpg.imageName is required (pin it by digest: repo:tag@sha256:...)',
        name
      )
    ).toBe(true)
    expect(errorNamesTag('execution error at (x): imageName is required', name)).toBe(false)
    expect(errorNamesTag('execution error at (x): cnpg.image.tag is required', name)).toBe(false)
  })

  it('accepts any image.tag error for a top-level image.tag', () => {
    expect(errorNamesTag('execution error at (x): image.tag is required', ['image', 'tag'])).toBe(true)
    expect(errorNamesTag('execution error at (x): tag is required', ['image', 'tag'])).toBe(false)
  })
})

describe('case4Args', () => {
  it('empties the tag under test and gives the other tag-less images a placeholder', () => {
    const tags = findOwnImageTags(values.data, ['temporal'])
    expect(case4Args(tags[1], tags)).toEqual(['--set', 'image.tag=case4-placeholder', '--set', 'adapter.image.tag='])
    const withName = [
      ...tags,
      { path: ['db', 'imageName'], key: 'db.imageName', default: '', kind: 'imageName' as const }
    ]
    expect(case4Args(tags[0], withName)).toEqual([
      '--set',
      'adapter.image.tag=case4-placeholder',
      '--set',
      'db.imageName=example.invalid/case4-placeholder:case4-placeholder',
      '--set',
      'image.tag='
    ])
  })
})

function run(exitCode: number, stderr = ''): HelmRunResult {
  return { args: [], exitCode, stdout: exitCode === 0 ? 'kind: x\n' : '', stderr, durationMs: 2 }
}

describe('neverLatestStep', () => {
  const tags = findOwnImageTags(values.data, ['temporal'])
  const input = { tags, values, chartName: 'bp-t', displayChartDir: 'platform/t/chart', durationMs: 9 }

  it('judges only values whose default is empty or latest, at the template line that uses them', () => {
    const usages = new Map([
      ['adapter.image.tag', { file: 'platform/t/chart/templates/adapter.yaml', line: 7 }],
      ['adapter.sidecar.image.tag', { file: 'platform/t/chart/templates/adapter.yaml', line: 30 }],
      ['adapter.legacy.image.tag', { file: 'platform/t/chart/templates/legacy.yaml', line: 2 }]
    ])
    const step = neverLatestStep({
      ...input,
      usages,
      renders: [
        run(
          1,
          'Error: execution error at (bp-t/templates/top.yaml:3:9): image.tag is required\n\nUse --debug flag to render out invalid YAML\n'
        ),
        run(1, 'Error: execution error at (bp-t/templates/adapter.yaml:7:9): something else is required\n'),
        run(0),
        run(0)
      ]
    })
    expect(step.status).toBe('failed')
    expect(step.findings.map((f) => [f.rule, f.severity, f.file, f.line])).toEqual([
      // adapter: the error does not name the value → points at the template helm named
      ['image-tag-required', 'error', 'platform/t/chart/templates/adapter.yaml', 7],
      // sidecar: a default that is not latest is the image policy's business; a notice at most
      ['image-empty-renders', 'notice', 'platform/t/chart/templates/adapter.yaml', 30],
      // legacy defaults to latest (values.yaml) and renders empty (at the template line)
      ['image-tag-default', 'error', 'platform/t/chart/values.yaml', 20],
      ['image-tag-required', 'error', 'platform/t/chart/templates/legacy.yaml', 2]
    ])
    expect(step.findings[3].message).toBe(
      'An empty adapter.legacy.image.tag renders: it has no default (platform/t/chart/values.yaml:20), CI sets it, and an install without it would run :latest.'
    )
    // One fix, said once: no file or line in it (the finding has them), the code in a Go template block.
    expect(step.findings[3].fix).toBe('wrap the value in `required` on this template line')
    expect(step.findings[3].snippet).toEqual({
      language: 'gotmpl',
      text: '{{ required "adapter.legacy.image.tag is required" .Values.adapter.legacy.image.tag }}'
    })
    expect(step.findings[0].message).toContain(
      'does not name adapter.image.tag: execution error at (bp-t/templates/adapter.yaml:7:9): something else is required'
    )
    expect(step.findings.some((f) => /case 4/i.test(`${f.message} ${f.fix}`))).toBe(false)
    expect(step.title).toBe('Never :latest')
    expect(
      step.data!.images.map((i) => [i.path, i.line, i.defaultKind, i.judged, i.case4.rendered, i.case4.namesValue])
    ).toEqual([
      ['image.tag', 8, 'none', true, false, true],
      ['adapter.image.tag', 12, 'none', true, false, false],
      ['adapter.sidecar.image.tag', 16, 'value', false, true, false],
      ['adapter.legacy.image.tag', 20, 'latest', true, true, false]
    ])
    expect(step.summary).toBe(
      '2 of 3 own image values without a default: empty does not fail the render with its name; 1 with a default (judged by the image policy)'
    )
  })

  it('points at values.yaml when no template line was found', () => {
    const step = neverLatestStep({ ...input, tags: tags.slice(1, 2), renders: [run(0)] })
    expect(step.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
      ['image-tag-required', 'platform/t/chart/values.yaml', 12]
    ])
  })

  it('reports the findings as warnings with never-latest: warning', () => {
    const step = neverLatestStep({ ...input, tags: tags.slice(1, 2), renders: [run(0)], severity: 'warning' })
    expect(step.status).toBe('warning')
    expect(step.findings.map((f) => f.severity)).toEqual(['warning'])
  })

  it("passes bp-temporal's tag-pinned CNPG imageName without `required`", () => {
    const v = parseYamlText<Record<string, unknown>>(
      'catalystOverlay:\n  cnpg:\n    imageName: "ghcr.io/cloudnative-pg/postgresql:16.4"\n',
      'platform/temporal/chart/values.yaml'
    )
    const step = neverLatestStep({
      ...input,
      values: v,
      tags: findOwnImageTags(v.data, ['temporal']),
      renders: [run(0)]
    })
    expect(step.status).toBe('passed')
    expect(step.findings.map((f) => [f.rule, f.severity])).toEqual([['image-empty-renders', 'notice']])
  })

  it('passes when every empty tag fails naming itself', () => {
    const only = values
    const step = neverLatestStep({
      ...input,
      values: only,
      tags: tags.slice(0, 1),
      renders: [run(1, 'Error: execution error at (bp-t/templates/top.yaml:3:9): image.tag is required\n')]
    })
    expect(step).toMatchObject({
      status: 'passed',
      findings: [],
      summary: '1 own image value without a default: empty fails the render'
    })
  })

  it('has no "no default" warning for a pinned imageName default, but fails an unpinned latest one', () => {
    const v = parseYamlText<Record<string, unknown>>(
      'db:\n  imageName: ghcr.io/c/p:16@sha256:abc\nold:\n  imageName: ghcr.io/c/p\n',
      'platform/t/chart/values.yaml'
    )
    const named = findOwnImageTags(v.data, ['temporal'])
    const step = neverLatestStep({
      ...input,
      values: v,
      tags: named,
      renders: [
        run(1, 'Error: execution error at (bp-t/templates/db.yaml:7:16): db.imageName is required\n'),
        run(1, 'Error: execution error at (x): old.imageName is required\n')
      ]
    })
    expect(step.findings.map((f) => [f.rule, f.severity, f.line])).toEqual([['image-tag-default', 'error', 4]])
    expect(step.findings[0].message).toBe(
      'old.imageName defaults to ghcr.io/c/p (latest, no digest): never ship :latest.'
    )
  })

  it('skips without own images', () => {
    expect(neverLatestStep({ ...input, tags: [], renders: [] })).toMatchObject({
      status: 'skipped',
      summary: "no image values of the blueprint's own"
    })
  })
})

describe('findValueUsage', () => {
  const templates: [string, string][] = [
    ['templates/NOTES.txt', 'Image: {{ .Values.other.image.tag }}\n'],
    [
      'templates/cnpg.yaml',
      '{{- with .Values.catalystOverlay.cnpg }}\nspec:\n  imageName: {{ .imageName | quote }}\n{{- end }}\n'
    ],
    [
      'templates/deploy.yaml',
      'a: 1\n  image: "{{ .Values.adapter.image.repository }}:{{ .Values.adapter.image.tag }}"\n'
    ],
    [
      'templates/with.yaml',
      '{{- with .Values.worker }}\nx: 1\nimage: {{ .image.repository }}:{{ .image.tag }}\n{{- end }}\n'
    ]
  ]
  it('finds .Values.<path> written out', () => {
    expect(findValueUsage(templates, ['adapter', 'image', 'tag'])).toEqual({
      template: 'templates/deploy.yaml',
      line: 2
    })
  })
  it("finds the leaf inside a with scope of the value's top key", () => {
    expect(findValueUsage(templates, ['catalystOverlay', 'cnpg', 'imageName'])).toEqual({
      template: 'templates/cnpg.yaml',
      line: 3
    })
    expect(findValueUsage(templates, ['worker', 'image', 'tag'])).toEqual({ template: 'templates/with.yaml', line: 3 })
  })
  it('is undefined for a value no template uses', () => {
    expect(findValueUsage(templates, ['unused', 'image', 'tag'])).toBeUndefined()
  })
})
