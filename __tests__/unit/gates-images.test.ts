import { describe, expect, it } from '@jest/globals'
import { parseRender } from '../../src/render.js'
import { parseYamlText } from '../../src/yaml-source.js'
import { findImageValue, imagesStep } from '../../src/gates/images.js'

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
    expect(findImageValue(values, 'ghcr.io/cloudnative-pg/postgresql:16.6')).toEqual({ path: ['db', 'imageName'], line: 17, match: 'exact' })
  })

  it('finds a repository naming the same repository, preferring the one whose tag matches, and points at its tag', () => {
    expect(findImageValue(values, 'temporalio/server:1.28.1')).toEqual({ path: ['temporal', 'server', 'image', 'tag'], line: 5, match: 'repository-and-tag' })
    expect(findImageValue(values, 'docker.io/temporalio/server:9.9.9')).toEqual({ path: ['app', 'image', 'tag'], line: 15, match: 'repository-and-tag' })
    expect(findImageValue(values, 'temporalio/server:2.0')).toEqual({ path: ['temporal', 'server', 'image', 'tag'], line: 5, match: 'repository' })
  })

  it('joins registry and repository', () => {
    expect(findImageValue(values, 'ghcr.io/example/ui:2.0.0')).toMatchObject({ path: ['temporal', 'web', 'image', 'tag'], line: 10 })
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
  const input = { documents: parseRender(RENDER), values, chartName: 'bp-t', displayChartDir: 'platform/t/chart', durationMs: 1 }

  it('places failing images at their values.yaml line, else at the own template; keeps allowlist reasons', () => {
    const { step, verdicts } = imagesStep({ ...input, policy: 'sha', allowlist: [{ pattern: 'busybox', reason: 'debug helper, upstream pins it' }] })
    expect(verdicts).toHaveLength(4)
    expect(step.status).toBe('failed')
    expect(step.summary).toBe('2 of 4 images not pinned (policy sha)')
    const errors = step.findings.filter((f) => f.severity === 'error')
    expect(errors.map((f) => [f.file, f.line])).toEqual([
      ['platform/t/chart/values.yaml', 5],
      ['platform/t/chart/templates/cron.yaml', undefined]
    ])
    // a subchart template: no repository file, the source stays in the message
    expect(errors[0]!.message).toContain('bp-t/charts/temporal/templates/server.yaml')
    expect(errors[0]!.message).toContain('Set by temporal.server.image.tag in platform/t/chart/values.yaml.')
    expect(step.findings.filter((f) => f.severity === 'notice')).toEqual([
      { rule: 'image-allowlisted', severity: 'notice', message: 'Image busybox:1.36 is allowed by pattern busybox: debug helper, upstream pins it.' }
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

  it('passes under no-latest except the :latest image; off skips', () => {
    const noLatest = imagesStep({ ...input, policy: 'no-latest', allowlist: [] }).step
    expect(noLatest.summary).toBe('1 of 4 images not pinned (policy no-latest)')
    expect(noLatest.findings).toHaveLength(1)
    expect(noLatest.findings[0]!.message).toContain('ghcr.io/example/inline:latest')
    const off = imagesStep({ ...input, policy: 'off', allowlist: [] }).step
    expect(off.status).toBe('skipped')
  })
})
