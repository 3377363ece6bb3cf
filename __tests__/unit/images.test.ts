import { describe, expect, it } from '@jest/globals'
import { parseImageRef } from '../../src/images/image-ref.js'
import {
  checkImages,
  extractImages,
  parseImageField,
  scanImages,
  imageFindings,
  isCommitShaTag,
  matchesPattern,
  type ImagePolicy,
  type ImageUse
} from '../../src/images/images.js'
import { parseRender } from '../../src/helm/render.js'
import type { RenderedDocument } from '../../src/types.js'

const D = 'sha256:' + 'ab'.repeat(32)

const RENDER = `---
# Source: bp/charts/app/templates/cronjob.yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: cleanup
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: wait
              image: busybox:1.36
          containers:
            - name: run
              image: ghcr.io/org/cleanup:0123abc
---
# Source: bp/charts/db/templates/cluster.yaml
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: pg
spec:
  instances: 3
  imageName: ghcr.io/cloudnative-pg/postgresql:16.2
---
# Source: bp/templates/debug-pod.yaml
apiVersion: v1
kind: Pod
metadata:
  name: debug
  annotations:
    image: not-an-image-but-an-annotation
spec:
  containers:
  - name: main
    image: alpine:3.19
  ephemeralContainers:
  - name: dbg
    image: nicolaka/netshoot
---
# Source: bp/charts/kps/templates/prometheus.yaml
apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  name: prom
spec:
  image: quay.io/prometheus/prometheus:v2.51.0
  thanos:
    image: quay.io/thanos/thanos:v0.34.1
---
# Source: bp/templates/workflow.yaml
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: wf
spec:
  templates:
    - name: build
      container:
        image: golang:1.22
      initContainers:
        - name: fetch
          image: alpine/git:2.43.0
      sidecars:
        - name: dind
          image: docker:24-dind
    - name: report
      script:
        image: python:3.12
        source: print(1)
---
# Source: bp/templates/cronworkflow.yaml
apiVersion: argoproj.io/v1alpha1
kind: CronWorkflow
metadata:
  name: nightly
spec:
  schedule: "0 0 * * *"
  workflowSpec:
    templates:
      - name: main
        container:
          image: busybox
---
# Source: bp/templates/scaledjob.yaml
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata:
  name: consumer
spec:
  jobTargetRef:
    template:
      spec:
        containers:
          - name: consumer
            image: ghcr.io/org/consumer:1.0.0
---
# Source: bp/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.25@${D}
        - name: sidecar
          image: ""
---
# Source: bp/templates/rollout.yaml
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: canary
spec:
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/org/app:latest
---
# Source: bp/templates/custom.yaml
apiVersion: example.com/v1
kind: Thing
metadata:
  name: thing
spec:
  engine:
    image: registry.example.com/engine:2.0
  workers:
    - name: w1
      imageName: registry.example.com/worker:2.0
---
# Source: bp/crds/things.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: things.example.com
spec:
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          properties:
            image:
              type: string
`

type Row = Pick<ImageUse, 'image' | 'kind' | 'name' | 'field'> & { container?: string; source?: string }

describe('extractImages', () => {
  const docs = parseRender(RENDER)
  const uses = extractImages(docs)
  const rows = uses.map((u) => {
    const r: Row = { image: u.image, kind: u.kind, name: u.name, field: u.field }
    if (u.container !== undefined) r.container = u.container
    if (u.source !== undefined) r.source = u.source
    return r
  })

  it('finds every image with kind, name, container, field and template', () => {
    expect(rows).toEqual([
      {
        image: 'busybox:1.36',
        kind: 'CronJob',
        name: 'cleanup',
        container: 'wait',
        field: 'spec.jobTemplate.spec.template.spec.initContainers[0].image',
        source: 'bp/charts/app/templates/cronjob.yaml'
      },
      {
        image: 'ghcr.io/org/cleanup:0123abc',
        kind: 'CronJob',
        name: 'cleanup',
        container: 'run',
        field: 'spec.jobTemplate.spec.template.spec.containers[0].image',
        source: 'bp/charts/app/templates/cronjob.yaml'
      },
      {
        image: 'ghcr.io/cloudnative-pg/postgresql:16.2',
        kind: 'Cluster',
        name: 'pg',
        field: 'spec.imageName',
        source: 'bp/charts/db/templates/cluster.yaml'
      },
      {
        image: 'alpine:3.19',
        kind: 'Pod',
        name: 'debug',
        container: 'main',
        field: 'spec.containers[0].image',
        source: 'bp/templates/debug-pod.yaml'
      },
      {
        image: 'nicolaka/netshoot',
        kind: 'Pod',
        name: 'debug',
        container: 'dbg',
        field: 'spec.ephemeralContainers[0].image',
        source: 'bp/templates/debug-pod.yaml'
      },
      {
        image: 'quay.io/prometheus/prometheus:v2.51.0',
        kind: 'Prometheus',
        name: 'prom',
        field: 'spec.image',
        source: 'bp/charts/kps/templates/prometheus.yaml'
      },
      {
        image: 'quay.io/thanos/thanos:v0.34.1',
        kind: 'Prometheus',
        name: 'prom',
        field: 'spec.thanos.image',
        source: 'bp/charts/kps/templates/prometheus.yaml'
      },
      {
        image: 'golang:1.22',
        kind: 'WorkflowTemplate',
        name: 'wf',
        container: 'build',
        field: 'spec.templates[0].container.image',
        source: 'bp/templates/workflow.yaml'
      },
      {
        image: 'alpine/git:2.43.0',
        kind: 'WorkflowTemplate',
        name: 'wf',
        container: 'fetch',
        field: 'spec.templates[0].initContainers[0].image',
        source: 'bp/templates/workflow.yaml'
      },
      {
        image: 'docker:24-dind',
        kind: 'WorkflowTemplate',
        name: 'wf',
        container: 'dind',
        field: 'spec.templates[0].sidecars[0].image',
        source: 'bp/templates/workflow.yaml'
      },
      {
        image: 'python:3.12',
        kind: 'WorkflowTemplate',
        name: 'wf',
        container: 'report',
        field: 'spec.templates[1].script.image',
        source: 'bp/templates/workflow.yaml'
      },
      {
        image: 'busybox',
        kind: 'CronWorkflow',
        name: 'nightly',
        container: 'main',
        field: 'spec.workflowSpec.templates[0].container.image',
        source: 'bp/templates/cronworkflow.yaml'
      },
      {
        image: 'ghcr.io/org/consumer:1.0.0',
        kind: 'ScaledJob',
        name: 'consumer',
        container: 'consumer',
        field: 'spec.jobTargetRef.template.spec.containers[0].image',
        source: 'bp/templates/scaledjob.yaml'
      },
      {
        image: `nginx:1.25@${D}`,
        kind: 'Deployment',
        name: 'web',
        container: 'web',
        field: 'spec.template.spec.containers[0].image',
        source: 'bp/templates/deployment.yaml'
      },
      {
        image: '',
        kind: 'Deployment',
        name: 'web',
        container: 'sidecar',
        field: 'spec.template.spec.containers[1].image',
        source: 'bp/templates/deployment.yaml'
      },
      {
        image: 'ghcr.io/org/app:latest',
        kind: 'Rollout',
        name: 'canary',
        container: 'app',
        field: 'spec.template.spec.containers[0].image',
        source: 'bp/templates/rollout.yaml'
      }
    ])
  })

  it('lists image fields of no known image field as not judged', () => {
    const { notJudged } = scanImages(docs)
    expect(notJudged.map((u) => [u.kind, u.field, u.image, u.container])).toEqual([
      ['Thing', 'spec.engine.image', 'registry.example.com/engine:2.0', undefined],
      ['Thing', 'spec.workers[0].imageName', 'registry.example.com/worker:2.0', 'w1']
    ])
  })

  it('judges the fields input image-fields names, every version of a group with group/*', () => {
    const fields = ['example.com/*/Thing:spec.engine.image', 'example.com/v1/Thing:spec.workers[].imageName'].map(
      (line) => parseImageField(line)!
    )
    const { uses: judged, notJudged } = scanImages(docs, fields)
    expect(judged.filter((u) => u.kind === 'Thing').map((u) => [u.field, u.image])).toEqual([
      ['spec.engine.image', 'registry.example.com/engine:2.0'],
      ['spec.workers[0].imageName', 'registry.example.com/worker:2.0']
    ])
    expect(notJudged).toEqual([])
    const otherVersion = scanImages(docs, [parseImageField('example.com/v2/Thing:spec.engine.image')!])
    expect(otherVersion.notJudged.map((u) => u.field)).toContain('spec.engine.image')
  })

  it('judges no OS image name of a Crossplane-style resource, and judges a pod spec embedded anywhere', () => {
    const server: RenderedDocument = {
      apiVersion: 'hcloud.crossplane.io/v1alpha1',
      kind: 'Server',
      name: 'edge-1',
      object: { spec: { forProvider: { image: 'ubuntu-24.04', location: 'fsn1' } } }
    }
    const runner: RenderedDocument = {
      apiVersion: 'ci.example.com/v1',
      kind: 'RunnerSet',
      name: 'r',
      object: { spec: { runners: [{ pod: { spec: { containers: [{ name: 'run', image: 'ghcr.io/o/run:1' }] } } }] } }
    }
    const scan = scanImages([server, runner])
    expect(scan.uses.map((u) => [u.kind, u.field, u.image])).toEqual([
      ['RunnerSet', 'spec.runners[0].pod.spec.containers[0].image', 'ghcr.io/o/run:1']
    ])
    expect(scan.notJudged.map((u) => [u.kind, u.field, u.image])).toEqual([
      ['Server', 'spec.forProvider.image', 'ubuntu-24.04']
    ])
  })

  it('reads input image-fields lines as apiVersion/Kind:path, refusing anything else', () => {
    expect(parseImageField('example.com/v1beta1/Runner:spec.runner.image')).toEqual({
      apiVersion: 'example.com/v1beta1',
      kind: 'Runner',
      path: 'spec.runner.image'
    })
    expect(parseImageField('v1/ConfigMap:data.image')).toEqual({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      path: 'data.image'
    })
    expect(parseImageField('example.com/*/Runner:spec.pools[].image')?.apiVersion).toBe('example.com/*')
    for (const bad of [
      'Runner:spec.image',
      'example.com/v1/Runner',
      'example.com/v1/Runner:',
      '*/Runner:spec.image',
      'example.com/v1/Runner:spec..image',
      'example.com/v1/Runner:spec.images[0]',
      'Example.com/v1/Runner:spec.image'
    ])
      expect(parseImageField(bad)).toBeUndefined()
  })

  it('does not report a field twice (kind rule and pod spec walk)', () => {
    const keys = uses.map((u) => `${u.kind}/${u.name}/${u.field}`)
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('ignores metadata and non-string image values (CRD schemas)', () => {
    expect(rows.some((r) => r.image.includes('annotation'))).toBe(false)
    expect(rows.some((r) => r.kind === 'CustomResourceDefinition')).toBe(false)
  })

  it('works on documents built by hand (no render)', () => {
    const doc: RenderedDocument = {
      kind: 'StatefulSet',
      name: 'db',
      object: { kind: 'StatefulSet', spec: { template: { spec: { initContainers: [{ name: 'i', image: 'x:1' }] } } } }
    }
    expect(extractImages([doc])).toEqual([
      {
        image: 'x:1',
        kind: 'StatefulSet',
        name: 'db',
        container: 'i',
        field: 'spec.template.spec.initContainers[0].image'
      }
    ])
  })
})

function use(image: string, extra: Partial<ImageUse> = {}): ImageUse {
  return {
    image,
    kind: 'Deployment',
    name: 'web',
    container: 'c',
    field: 'spec.template.spec.containers[0].image',
    ...extra
  }
}

describe('checkImages policy', () => {
  // image, digest, sha, no-latest, off
  const table: Array<[string, boolean, boolean, boolean, boolean]> = [
    ['foo:latest', false, false, false, true],
    ['foo', false, false, false, true],
    ['ghcr.io/x/y:0123abc', false, true, true, true],
    ['ghcr.io/x/y:sha-0123abc', false, true, true, true],
    ['ghcr.io/x/y:' + 'deadbeef'.repeat(5), false, true, true, true],
    ['ghcr.io/x/y:0123ab', false, false, true, true], // 6 hex: too short for a SHA
    ['ghcr.io/x/y:' + 'a'.repeat(41), false, false, true, true], // 41: too long
    ['ghcr.io/x/y:0123ABC', false, false, true, true], // uppercase
    ['ghcr.io/x/y:20240101', false, false, true, true], // all digits: a date, not a SHA
    ['nginx:1.2.3', false, false, true, true],
    [`nginx@${D}`, true, true, true, true],
    [`nginx:latest@${D}`, true, true, true, true], // digest wins
    [`nginx:1.2@sha512:${'a'.repeat(128)}`, false, false, true, true],
    ['', false, false, false, true],
    ['Bad/Image', false, false, false, true]
  ]
  const policies: ImagePolicy[] = ['digest', 'sha', 'no-latest', 'off']
  for (const [pi, policy] of policies.entries()) {
    it.each(table.map((row) => [row[0], row[pi + 1]] as const))(`${policy}: %j ok=%s`, (image, ok) => {
      const [v] = checkImages([use(image)], policy, [])
      expect(v.ok).toBe(ok)
      expect(v.reason).not.toBe('')
      expect(v.allowedBy).toBeUndefined()
    })
  }

  it('explains failures', () => {
    const [a, b, c, d] = checkImages([use('nginx:1.2.3'), use(''), use('nginx'), use('x:latest')], 'sha', [])
    expect(a.reason).toBe('tag 1.2.3 is neither a sha256 digest nor a commit SHA')
    expect(a.ref?.canonical).toBe('docker.io/library/nginx:1.2.3')
    expect(b.reason).toBe('image is empty')
    expect(b.ref).toBeUndefined()
    expect(c.reason).toMatch(/no tag/)
    const [e] = checkImages([use('x:latest')], 'no-latest', [])
    expect(e.reason).toBe('tag is latest')
    expect(d.ok).toBe(false)
  })

  it('lets the allowlist exempt images and names the pattern', () => {
    const uses = [
      'temporalio/server:1.24',
      'docker.io/temporalio/ui:2.0',
      'temporalio/a/b:1',
      'ghcr.io/org/a/b/c:1',
      'nginx:1.25',
      'redis:7',
      'Bad Image'
    ]
    const verdicts = checkImages(
      uses.map((i) => use(i)),
      'digest',
      ['docker.io/temporalio/*', 'ghcr.io/org/**', 'nginx']
    )
    expect(verdicts.map((v) => [v.use.image, v.ok, v.allowedBy])).toEqual([
      ['temporalio/server:1.24', true, 'docker.io/temporalio/*'],
      ['docker.io/temporalio/ui:2.0', true, 'docker.io/temporalio/*'],
      ['temporalio/a/b:1', false, undefined],
      ['ghcr.io/org/a/b/c:1', true, 'ghcr.io/org/**'],
      ['nginx:1.25', true, 'nginx'],
      ['redis:7', false, undefined],
      ['Bad Image', false, undefined]
    ])
    expect(verdicts[0].reason).toBe('allowed by pattern docker.io/temporalio/*')
  })

  it('does not mark images the policy already accepts as allowed', () => {
    const [v] = checkImages([use(`nginx@${D}`)], 'digest', ['nginx'])
    expect(v.ok).toBe(true)
    expect(v.allowedBy).toBeUndefined()
  })
})

describe('matchesPattern', () => {
  const cases: Array<[string, string, boolean]> = [
    ['nginx:1.25', 'nginx', true],
    ['docker.io/library/nginx', 'nginx', true],
    ['nginx', 'docker.io/library/nginx', true],
    ['nginx', 'index.docker.io/library/nginx', true],
    ['bitnami/nginx', 'nginx', false],
    ['temporalio/server', 'temporalio/*', true],
    ['temporalio/server', 'docker.io/temporalio/*', true],
    ['temporalio/a/b', 'temporalio/*', false],
    ['temporalio/a/b', 'temporalio/**', true],
    ['temporalio', 'temporalio/**', false],
    ['ghcr.io/org/app', 'ghcr.io/org/**', true],
    ['ghcr.io/org/a/b/c', 'ghcr.io/org/**', true],
    ['ghcr.io/other/app', 'ghcr.io/org/**', false],
    ['ghcr.io/org/team/app', 'ghcr.io/**/app', true],
    ['ghcr.io/org/app', 'ghcr.io/org/temporal-*', false],
    ['ghcr.io/org/temporal-ui', 'ghcr.io/org/temporal-*', true],
    ['redis', '*', true],
    ['bitnami/redis', '*', false],
    ['quay.io/x/y', '**', true],
    ['nginx:1.25.3', 'nginx:1.25.*', true],
    ['nginx:1.26.0', 'nginx:1.25.*', false],
    ['nginx', 'nginx:1.25', false],
    ['localhost:5000/a', 'localhost:5000/*', true],
    ['quay.io/x/y', 'ghcr.io/x/y', false],
    ['quay.io/x/y', '', false],
    ['quay.io/x/yz', 'quay.io/x/y', false],
    ['quay.io/x/y.z', 'quay.io/x/y', false]
  ]
  it.each(cases)('%s vs %j -> %s', (image, pattern, expected) => {
    expect(matchesPattern(parseImageRef(image), pattern)).toBe(expected)
  })
})

describe('isCommitShaTag', () => {
  it.each([
    ['0123abc', true],
    ['sha-0123abc', true],
    ['1234567', false],
    ['abcdef', false],
    ['v0123abc', false],
    ['SHA-0123abc', false]
  ])('%s -> %s', (tag, expected) => {
    expect(isCommitShaTag(tag)).toBe(expected)
  })
})

describe('imageFindings', () => {
  it('reports each failing reference once, listing where it is used', () => {
    const uses: ImageUse[] = [
      use('nginx:1.25', { name: 'web', container: 'web', source: 'bp/templates/web.yaml' }),
      use('docker.io/library/nginx:1.25', {
        kind: 'StatefulSet',
        name: 'db',
        container: 'proxy',
        source: 'bp/templates/db.yaml'
      }),
      use('ghcr.io/org/app:0123abc', { source: 'bp/templates/app.yaml' }),
      use('', { kind: 'Job', name: 'migrate', container: 'm' })
    ]
    const findings = imageFindings(checkImages(uses, 'sha', []), 'sha')
    expect(findings).toHaveLength(2)
    const [nginx, empty] = findings
    expect(nginx).toMatchObject({ rule: 'image-pinned', severity: 'error', file: 'bp/templates/web.yaml' })
    expect(nginx.message).toContain('nginx:1.25')
    expect(nginx.message).toContain('"sha"')
    expect(nginx.message).toContain('Deployment/web container web (bp/templates/web.yaml)')
    expect(nginx.message).toContain('StatefulSet/db container proxy (bp/templates/db.yaml)')
    expect(nginx.fix).toContain('nginx:1.25@sha256:<digest>')
    expect(empty.message).toContain('image is empty')
    expect(empty.message).toContain('Job/migrate container m')
    expect(empty.file).toBeUndefined()
  })

  it('returns nothing when every image passes', () => {
    expect(imageFindings(checkImages([use(`nginx@${D}`)], 'digest', []), 'digest')).toEqual([])
    expect(imageFindings(checkImages([use('nginx')], 'off', []), 'off')).toEqual([])
  })

  it('suggests a version tag under no-latest', () => {
    const [f] = imageFindings(checkImages([use('redis:latest')], 'no-latest', []), 'no-latest')
    expect(f.fix).toContain('redis:<version>')
    expect(f.message).toContain('tag is latest')
  })

  it('shortens long lists of uses', () => {
    const uses = Array.from({ length: 8 }, (_, i) => use('x:1', { name: `w${i}` }))
    const [f] = imageFindings(checkImages(uses, 'digest', []), 'digest')
    expect(f.message).toContain('and 3 more')
  })
})
