import { describe, expect, it } from '@jest/globals'
import { parseRender } from '../../src/helm/render.js'
import { parseYamlText } from '../../src/chart/yaml-source.js'
import { imagesStep } from '../../src/gates/images.js'
import {
  effectiveValues,
  findDoubledRegistry,
  findImageValue,
  repeatsRegistry
} from '../../src/gates/image-location.js'
import { parseImageRef } from '../../src/images/image-ref.js'

const VALUES = `temporal:
  server:
    image:
      repository: temporalio/server
      tag: 1.28.1
  web:
    image:
      registry: ghcr.io
      repository: example/ui
      tag: 2.0.0
helper: busybox:1.36
app:
  image:
    repository: docker.io/temporalio/server
    tag: 9.9.9
db:
  imageName: ghcr.io/cloudnative-pg/postgresql:16.6
`
const values = parseYamlText<Record<string, unknown>>(VALUES, 'platform/t/chart/values.yaml')

describe('findImageValue (values.yaml line of an image)', () => {
  it('finds a string equal to the image', () => {
    expect(findImageValue(values, 'busybox:1.36')).toEqual({ path: ['helper'], line: 11, match: 'exact' })
    expect(findImageValue(values, 'ghcr.io/cloudnative-pg/postgresql:16.6')).toEqual({
      path: ['db', 'imageName'],
      line: 17,
      match: 'exact'
    })
  })

  it('finds a repository naming the same repository, preferring the one whose tag matches, and points at its tag', () => {
    expect(findImageValue(values, 'temporalio/server:1.28.1')).toEqual({
      path: ['temporal', 'server', 'image', 'tag'],
      line: 5,
      match: 'repository-and-tag'
    })
    expect(findImageValue(values, 'docker.io/temporalio/server:9.9.9')).toEqual({
      path: ['app', 'image', 'tag'],
      line: 15,
      match: 'repository-and-tag'
    })
    expect(findImageValue(values, 'temporalio/server:2.0')).toEqual({
      path: ['temporal', 'server', 'image', 'tag'],
      line: 5,
      match: 'repository'
    })
  })

  it('joins registry and repository', () => {
    expect(findImageValue(values, 'ghcr.io/example/ui:2.0.0')).toMatchObject({
      path: ['temporal', 'web', 'image', 'tag'],
      line: 10
    })
  })

  it('finds nothing for an image values.yaml does not set', () => {
    expect(findImageValue(values, 'quay.io/other/thing:1')).toBeUndefined()
    expect(findImageValue(values, '')).toBeUndefined()
  })
})

const RENDER = `---
# Source: bp-t/charts/temporal/templates/server.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: server
spec:
  template:
    spec:
      containers:
        - name: server
          image: temporalio/server:1.28.1
---
# Source: bp-t/templates/cron.yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cron
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: wait
              image: busybox:1.36
          containers:
            - name: main
              image: ghcr.io/example/inline:latest
---
# Source: bp-t/templates/db.yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: db
spec:
  imageName: ghcr.io/cloudnative-pg/postgresql:16.6@sha256:d94d176b3634d44f7b0fef569bc32d1c11fca8069b263bc3a9397b2762a19f3a
`

describe('imagesStep', () => {
  const input = {
    documents: parseRender(RENDER),
    values,
    chartName: 'bp-t',
    displayChartDir: 'platform/t/chart',
    durationMs: 1
  }

  it('image-allowlist `*` alone is read as every image (`**`), with a warning that says so', () => {
    const { step, verdicts } = imagesStep({
      ...input,
      policy: 'sha',
      allowlist: [{ pattern: '*', reason: 'all of them' }]
    })
    expect(verdicts.every((v) => v.ok)).toBe(true)
    expect(step.status).toBe('warning')
    expect(step.findings.filter((f) => f.severity === 'warning')).toEqual([
      {
        rule: 'image-allowlist-everything',
        severity: 'warning',
        message:
          'input image-allowlist: `*` alone is read as `**`, every image: the image policy judges nothing. (`*` matches one path segment: `temporalio/*` covers docker.io/temporalio/server, not ghcr.io/x/y.)',
        fix: 'write `**` for every image (or set image-policy: off), or patterns for the images you mean, e.g. `docker.io/temporalio/*`'
      }
    ])
    // `**` says it without a warning.
    const written = imagesStep({ ...input, policy: 'sha', allowlist: [{ pattern: '**', reason: 'all of them' }] }).step
    expect(written.status).toBe('passed')
    expect(written.findings.map((f) => f.rule)).toEqual(['image-allowlisted'])
  })

  it('places failing images at their values.yaml line, else at the own template; keeps allowlist reasons', () => {
    const { step, verdicts } = imagesStep({
      ...input,
      policy: 'sha',
      allowlist: [{ pattern: 'busybox', reason: 'debug helper, upstream pins it' }]
    })
    expect(verdicts).toHaveLength(4)
    expect(step.status).toBe('failed')
    expect(step.summary).toBe('2 of 4 images not pinned (policy sha)')
    const errors = step.findings.filter((f) => f.severity === 'error')
    expect(errors.map((f) => [f.file, f.line])).toEqual([
      ['platform/t/chart/values.yaml', 5],
      ['platform/t/chart/templates/cron.yaml', undefined]
    ])
    // a subchart's image: the values key that sets it and a snippet to paste, never the path inside the package
    expect(errors[0].message).toBe(
      'Image `temporalio/server:1.28.1` of the temporal chart is not pinned (policy sha): tag 1.28.1 is neither a sha256 digest nor a commit SHA. ' +
        'Set by `temporal.server.image.tag`.'
    )
    expect(errors[0].snippet).toEqual({
      language: 'yaml',
      text: 'temporal:\n  server:\n    image:\n      tag: "1.28.1@sha256:<digest>"  # temporalio/server:1.28.1'
    })
    expect(step.findings.filter((f) => f.severity === 'notice')).toEqual([
      {
        rule: 'image-allowlisted',
        severity: 'notice',
        message:
          '1 image is allowed by the image allowlist: `busybox:1.36` (pattern `busybox`: debug helper, upstream pins it).'
      }
    ])
    const data = step.data!
    expect([data.total, data.pinned, data.allowed, data.failing]).toEqual([4, 1, 1, 2])
    expect(data.images.map((i) => [i.kind, i.field, i.ok])).toEqual([
      ['Deployment', 'spec.template.spec.containers[0].image', false],
      ['CronJob', 'spec.jobTemplate.spec.template.spec.initContainers[0].image', true],
      ['CronJob', 'spec.jobTemplate.spec.template.spec.containers[0].image', false],
      ['Cluster', 'spec.imageName', true]
    ])
    expect(data.images[1]).toMatchObject({ allowedBy: 'busybox', allowReason: 'debug helper, upstream pins it' })
    expect(data.images[0]).toMatchObject({ valuesPath: 'temporal.server.image.tag', valuesLine: 5 })
  })

  it("finds an upstream image's key in the dependency's values, points at the blueprint's values.yaml, one finding per problem", () => {
    const bare = parseYamlText<Record<string, unknown>>(
      'temporal:\n  web: {}\nown: {}\n',
      'platform/t/chart/values.yaml'
    )
    const upstream = parseYamlText(
      'server:\n  image:\n    repository: temporalio/server\n    tag: 1.28.1\n    digest: ""\nadmin:\n  image: temporalio/admin-tools:1.0\n',
      'x'
    )
    const render = [0, 1]
      .map(
        (i) =>
          `---\n# Source: bp-t/charts/temporal/templates/s${i}.yaml\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n    - name: c\n      image: ${i ? 'temporalio/admin-tools:1.0' : 'temporalio/server:1.28.1'}\n`
      )
      .join('')
    const chartYaml = parseYamlText<{ dependencies?: unknown[] }>(
      'name: bp-t\ndependencies:\n  - name: temporal\n    version: 1.2.0\n',
      'platform/t/chart/Chart.yaml'
    )
    const { step } = imagesStep({
      ...input,
      documents: parseRender(render),
      values: bare,
      policy: 'sha',
      allowlist: [],
      dependencyValues: new Map([['temporal', upstream]]),
      chartYaml
    })
    expect(step.findings).toHaveLength(1)
    const [f] = step.findings
    expect([f.file, f.line]).toEqual(['platform/t/chart/values.yaml', 1])
    expect(f.message).toContain('2 images of the temporal chart are not pinned')
    expect(f.message).toContain('Set by `temporal.server.image.tag`, `temporal.admin.image`.')
    expect(f.snippet!.text).toBe(
      'temporal:\n  server:\n    image:\n      digest: sha256:<digest>  # temporalio/server:1.28.1\n  admin:\n    image: "temporalio/admin-tools:1.0@sha256:<digest>"'
    )
    // Without the dependency's values: no key to set, so the Chart.yaml dependency line and allowlist lines.
    const { step: noKey } = imagesStep({
      ...input,
      documents: parseRender(render),
      values: bare,
      policy: 'sha',
      allowlist: [],
      chartYaml
    })
    expect(noKey.findings.map((x) => [x.file, x.line])).toEqual([['platform/t/chart/Chart.yaml', 3]])
    expect(noKey.findings[0].snippet!.text).toBe(
      'image-allowlist: |\n  temporalio/server # set by the temporal chart without a values key\n  temporalio/admin-tools # set by the temporal chart without a values key'
    )
  })

  it('passes under no-latest except the :latest image; off skips', () => {
    const noLatest = imagesStep({ ...input, policy: 'no-latest', allowlist: [] }).step
    expect(noLatest.summary).toBe('1 of 4 images not pinned (policy no-latest)')
    expect(noLatest.findings).toHaveLength(1)
    expect(noLatest.findings[0].message).toContain('ghcr.io/example/inline:latest')
    const off = imagesStep({ ...input, policy: 'off', allowlist: [] }).step
    expect(off.status).toBe('skipped')
  })
})

describe('where an image is set, as helm reads the values', () => {
  const deps = (entries: Record<string, string>): Map<string, ReturnType<typeof parseYamlText>> =>
    new Map(Object.entries(entries).map(([key, text]) => [key, parseYamlText(text, `charts/${key}/values.yaml`)]))
  // The provider chart's defaults, its subchart `nodeAgent` (an alias) already beneath them.
  const providerDefaults = [
    'controller:',
    '  image: {registry: ghcr.io, repository: acme/server-controller, tag: "", digest: ""}',
    'recommender:',
    '  image: {registry: registry.k8s.io, repository: autoscaling/vpa-recommender, tag: 1.5.0}',
    'nodeAgent:',
    '  image: quay.io/acme/node-agent',
    '  tag: 0.3.0',
    'global: {imageRegistry: ""}',
    ''
  ].join('\n')
  const blueprint = parseYamlText<Record<string, unknown>>(
    [
      'global:',
      '  imageRegistry: mirror.example.io',
      'fleet:',
      '  recommender:',
      '    image:',
      '      repository: registry.k8s.io/autoscaling/vpa-recommender',
      '  nodeAgent:',
      '    tag: 0.3.1',
      'app:',
      '  image:',
      '    repository: ghcr.io/acme/agents-app',
      '    tag: ""',
      ''
    ].join('\n'),
    'platform/a/chart/values.yaml'
  )
  const tree = effectiveValues(blueprint.data, deps({ fleet: providerDefaults }))

  it("finds a key only the dependency's defaults hold, under a global registry override (no line: not in the file)", () => {
    expect(findImageValue(blueprint, 'mirror.example.io/acme/server-controller:1.21.1', tree, 'fleet')).toEqual({
      path: ['fleet', 'controller', 'image', 'tag'],
      match: 'repository'
    })
  })

  it('finds {image, tag} side by side in an aliased subchart, at the line the blueprint sets it', () => {
    expect(findImageValue(blueprint, 'quay.io/acme/node-agent:0.3.1', tree, 'fleet')).toEqual({
      path: ['fleet', 'nodeAgent', 'tag'],
      line: 8,
      match: 'repository-and-tag'
    })
  })

  it('points an untagged own image at its tag, not at the repository string that equals it', () => {
    expect(findImageValue(blueprint, 'ghcr.io/acme/agents-app', tree)).toEqual({
      path: ['app', 'image', 'tag'],
      line: 12,
      match: 'repository'
    })
  })

  it("finds the repository that repeats its registry's host, and the repository without it", () => {
    const image = 'registry.k8s.io/registry.k8s.io/autoscaling/vpa-recommender:1.5.0'
    const ref = parseImageRef(image)
    expect(repeatsRegistry(ref)).toBe(true)
    expect(repeatsRegistry(parseImageRef('registry.k8s.io/autoscaling/vpa-recommender:1.5.0'))).toBe(false)
    expect(findDoubledRegistry(blueprint, ref, tree)).toEqual({
      path: ['fleet', 'recommender', 'image', 'repository'],
      line: 6,
      repository: 'autoscaling/vpa-recommender'
    })
  })

  it('gives an image the never-latest gate owns no finding of its own, and warns about a doubled registry', () => {
    const render = [
      ['bp-a/templates/app.yaml', 'ghcr.io/acme/agents-app'],
      ['bp-a/charts/fleet/templates/c.yaml', 'registry.k8s.io/registry.k8s.io/autoscaling/vpa-recommender:1.5.0']
    ]
      .map(
        ([source, image], i) =>
          `---\n# Source: ${source}\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\nspec:\n  containers:\n    - name: c\n      image: ${image}\n`
      )
      .join('')
    const { step } = imagesStep({
      documents: parseRender(render),
      values: blueprint,
      chartName: 'bp-a',
      displayChartDir: 'platform/a/chart',
      durationMs: 1,
      policy: 'sha',
      allowlist: [],
      dependencyValues: deps({ fleet: providerDefaults }),
      ownedByNeverLatest: [['app', 'image', 'tag']]
    })
    expect(step.findings.map((f) => [f.rule, f.severity, f.line])).toEqual([
      ['image-pinned', 'error', 3], // the key is the chart's default: the line of `fleet:`
      ['image-registry-twice', 'warning', 6]
    ])
    expect(step.findings[0].message).toContain('Set by `fleet.recommender.image.tag`')
    expect(step.findings[1].snippet?.text).toBe(
      'fleet:\n  recommender:\n    image:\n      repository: autoscaling/vpa-recommender'
    )
    expect(step.data!.leftToNeverLatest).toEqual(['ghcr.io/acme/agents-app'])
    expect(step.summary).toBe(
      '1 of 2 images not pinned (policy sha); 1 own image without a default left to never-latest'
    )
  })
})
