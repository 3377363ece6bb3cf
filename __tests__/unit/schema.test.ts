// The schema checks as pure functions: built-in kinds of the shipped releases, CRD schemas, removed and deprecated
// API versions, the kubernetes-version input's grammar.
import { describe, expect, it } from '@jest/globals'
import { loadBuiltinSchemas, schemaMinorFor, SHIPPED_MINORS } from '../../src/schema/builtin.js'
import { crdSchemas } from '../../src/schema/crd.js'
import { apiStatus, parseKubeVersion } from '../../src/schema/kube-versions.js'
import { checkAgainst, formatPath } from '../../src/schema/structural.js'

const v = (text: string) => parseKubeVersion(text)!

function deployment(container: Record<string, unknown>, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, creationTimestamp: null },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', ...container }] }
      },
      ...spec
    }
  }
}

async function problemsOf(object: Record<string, unknown>, minor = '1.36') {
  const builtin = await loadBuiltinSchemas(minor)
  const schema = builtin.kind(object.apiVersion as string, object.kind as string)
  if (!schema) throw new Error(`no schema for ${String(object.kind)}`)
  return checkAgainst(object, schema, { objectMeta: builtin.objectMeta }).map(
    (p) => `${formatPath(p.path)}: ${p.message}`
  )
}

describe('built-in kinds', () => {
  it.each(SHIPPED_MINORS)(
    '%s: a valid Deployment has no problem; resource limits, int-or-string ports pass',
    async (minor) => {
      const object = deployment({
        imagePullPolicy: 'IfNotPresent',
        ports: [{ name: 'http', containerPort: 8080 }],
        resources: { limits: { cpu: 1, memory: '512Mi' }, requests: { cpu: '250m', 'nvidia.com/gpu': 1 } },
        livenessProbe: { httpGet: { path: '/', port: 'http' } },
        readinessProbe: { httpGet: { path: '/', port: 8080 } }
      })
      expect(await problemsOf(object, minor)).toEqual([])
    }
  )

  it('a misspelled container field is an unknown field, with its path', async () => {
    expect(await problemsOf(deployment({ imagePullPolcy: 'Always' }))).toEqual([
      'spec.template.spec.containers[0].imagePullPolcy: unknown field'
    ])
  })

  it('a string where an integer belongs, a wrong enum value, a missing required field', async () => {
    const object = deployment({ imagePullPolicy: 'always' }, { replicas: 'two' })
    delete (object.spec as Record<string, unknown>).selector
    expect(await problemsOf(object)).toEqual([
      'spec.selector: required field missing',
      'spec.replicas: expected number, got string "two"',
      'spec.template.spec.containers[0].imagePullPolicy: string "always" is not one of: Always, IfNotPresent, Never'
    ])
  })

  it('int-or-string: a Service targetPort by number or name; a float or a list is refused', async () => {
    const service = (targetPort: unknown) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', annotations: { 'example.com/x': 'y' } },
      spec: { ports: [{ port: 80, targetPort }] }
    })
    expect(await problemsOf(service(8080))).toEqual([])
    expect(await problemsOf(service('http'))).toEqual([])
    expect(await problemsOf(service([1]))).toEqual([
      'spec.ports[0].targetPort: expected an integer or a string, got a list'
    ])
  })

  it('free-form fields (a CRD default, RawExtension) accept any value; metadata is strict', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com', labelz: {} },
      spec: {
        group: 'example.com',
        names: { kind: 'Widget', plural: 'widgets' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: { default: { any: ['thing'] } } } } }
          }
        ]
      }
    }
    expect(await problemsOf(crd)).toEqual(['metadata.labelz: unknown field'])
  })
})

describe('custom resources', () => {
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'clusters.postgresql.example.io' },
    spec: {
      group: 'postgresql.example.io',
      names: { kind: 'Cluster', plural: 'clusters' },
      versions: [
        { name: 'v1alpha1', served: false, storage: false },
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              required: ['spec'],
              properties: {
                apiVersion: { type: 'string' },
                kind: { type: 'string' },
                metadata: { type: 'object' },
                spec: {
                  type: 'object',
                  required: ['instances'],
                  properties: {
                    instances: { type: 'integer', minimum: 1 },
                    imageName: { type: 'string' },
                    logLevel: { type: 'string', enum: ['error', 'info', 'debug'] },
                    port: { 'x-kubernetes-int-or-string': true },
                    postgresql: {
                      type: 'object',
                      properties: { parameters: { type: 'object', additionalProperties: { type: 'string' } } }
                    },
                    template: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                    extra: { 'x-kubernetes-preserve-unknown-fields': true },
                    sidecar: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: {} }
                  }
                }
              }
            }
          }
        }
      ]
    }
  }

  it('only served versions, each with its own schema', () => {
    expect(crdSchemas(crd, 'test').map((c) => `${c.apiVersion} ${c.kind}`)).toEqual([
      'postgresql.example.io/v1 Cluster'
    ])
  })

  it('strict, typed, enums; preserve-unknown-fields, maps and embedded resources honoured', async () => {
    const [cluster] = crdSchemas(crd, 'test')
    const builtin = await loadBuiltinSchemas('1.36')
    const check = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'db' }) =>
      checkAgainst({ apiVersion: cluster.apiVersion, kind: 'Cluster', metadata, spec }, cluster.schema, {
        objectMeta: builtin.objectMeta
      }).map((p) => `${formatPath(p.path)}: ${p.message}`)
    expect(
      check({
        instances: 3,
        port: 'pg',
        postgresql: { parameters: { max_connections: '200' } },
        template: { anything: { goes: [1] } },
        extra: 'also',
        sidecar: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }
      })
    ).toEqual([])
    expect(check({ instances: '3', imageNme: 'x', logLevel: 'trace' }, { name: 'db', nmespace: 'y' })).toEqual([
      'metadata.nmespace: unknown field',
      'spec.instances: expected integer, got string "3"',
      'spec.imageNme: unknown field',
      'spec.logLevel: string "trace" is not one of: error, info, debug'
    ])
    expect(check({})).toEqual(['spec.instances: required field missing'])
  })
})

describe('kubernetes-version', () => {
  it('reads 1.N, v1.N, 1.N.P; refuses others and releases before 1.16', () => {
    expect(parseKubeVersion('1.36')).toEqual({ text: 'v1.36.0', minor: 36 })
    expect(parseKubeVersion('v1.33.2')).toEqual({ text: 'v1.33.2', minor: 33 })
    expect(parseKubeVersion('1.15')).toBeUndefined()
    expect(parseKubeVersion('2.0')).toBeUndefined()
    expect(parseKubeVersion('latest')).toBeUndefined()
  })

  it('uses the oldest shipped schemas not older than the release, else the newest', () => {
    expect(schemaMinorFor(v('1.36'))).toBe('1.36')
    expect(schemaMinorFor(v('1.40'))).toBe('1.36')
    expect(schemaMinorFor(v('1.34'))).toBe('1.36')
    expect(schemaMinorFor(v('1.33'))).toBe('1.33')
    expect(schemaMinorFor(v('1.20'))).toBe('1.33')
  })

  it('removed API versions name the replacement; deprecated ones are told apart', () => {
    expect(apiStatus('policy/v1beta1', 'PodDisruptionBudget', v('1.25'))).toMatchObject({
      status: 'removed',
      replacement: 'policy/v1',
      removedIn: '1.25'
    })
    expect(apiStatus('policy/v1beta1', 'PodDisruptionBudget', v('1.24'))).toMatchObject({ status: 'deprecated' })
    expect(apiStatus('policy/v1beta1', 'PodDisruptionBudget', v('1.20'))).toBeUndefined()
    expect(apiStatus('v1', 'Endpoints', v('1.36'))).toMatchObject({ status: 'deprecated' })
    expect(apiStatus('apps/v1', 'Deployment', v('1.36'))).toBeUndefined()
  })
})
