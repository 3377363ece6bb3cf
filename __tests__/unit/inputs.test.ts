import { describe, expect, it } from '@jest/globals'
import {
  checkRegistry,
  getInputs,
  parseAllowlist,
  parseHelmDownloadUrl,
  parseImageFields,
  parseMirrors,
  parseSecretValues,
  parseSetValues,
  parseToggleOverrides
} from '../../src/inputs/inputs.js'
import { IMAGE_POLICIES } from '../../src/images/images.js'
import { ActionError } from '../../src/types.js'
import { redact } from '../../src/util/secrets.js'

function reader(values: Record<string, string>) {
  return (name: string) => values[name] ?? ''
}
const env = { GITHUB_WORKSPACE: '/work/repo' }

describe('getInputs', () => {
  it('applies the defaults of action.yml', () => {
    const inputs = getInputs(reader({}), env)
    expect(inputs).toMatchObject({
      mode: 'run',
      workspace: '/work/repo',
      blueprint: 'platform/temporal',
      chart: 'platform/temporal/chart',
      upstream: '',
      push: 'auto',
      imagePolicy: 'sha',
      commentMode: 'update',
      summary: 'always',
      helmDownloadUrl: { url: 'https://get.helm.sh' },
      plainHttp: false,
      overwrite: false,
      chartTests: true,
      neverLatest: 'error',
      kubernetesVersion: { text: 'v1.36.0', minor: 36 },
      crds: [],
      missingSchemas: 'warning'
    })
  })

  it('reads kubernetes-version, crds and missing-schemas', () => {
    const inputs = getInputs(
      reader({
        'kubernetes-version': 'v1.33.4',
        crds: 'platform/crds/*.yaml\n\nvendor/**/crds/*.yml\n',
        'missing-schemas': 'Error'
      }),
      env
    )
    expect(inputs).toMatchObject({
      kubernetesVersion: { text: 'v1.33.4', minor: 33 },
      crds: ['platform/crds/*.yaml', 'vendor/**/crds/*.yml'],
      missingSchemas: 'error'
    })
    expect(getInputs(reader({ 'kubernetes-version': '1.30' }), env).kubernetesVersion.text).toBe('v1.30.0')
  })

  it('reads never-latest', () => {
    expect(getInputs(reader({ 'never-latest': 'Warning' }), env).neverLatest).toBe('warning')
    expect(getInputs(reader({ 'never-latest': 'off' }), env).neverLatest).toBe('off')
  })

  it('reads comment-mode on-failure and the summary switch', () => {
    expect(getInputs(reader({ 'comment-mode': 'on-failure', summary: 'off' }), env)).toMatchObject({
      commentMode: 'on-failure',
      summary: 'off'
    })
    expect(getInputs(reader({ summary: 'On-Failure' }), env).summary).toBe('on-failure')
  })

  it('derives the chart folder from the blueprint and normalizes helm-version', () => {
    const inputs = getInputs(reader({ blueprint: 'products/fabric/', 'helm-version': '4.1.4' }), env)
    expect(inputs.chart).toBe('products/fabric/chart')
    expect(inputs.helmVersion).toBe('v4.1.4')
  })

  it.each([
    [{ blueprint: '../../etc' }, /input blueprint: "\.\.\/\.\.\/etc" is outside the workspace/],
    [{ registry: 'ghcr.io/openova' }, /input registry: "ghcr.io\/openova" is not an oci:\/\/ URL/],
    [{ push: 'sometimes' }, /input push: "sometimes" is not one of auto, true, false/],
    [{ overwrite: 'maybe' }, /input overwrite: "maybe" is not a boolean/],
    [{ 'helm-version': 'latest' }, /input helm-version: "latest" is not a version/],
    [{ 'image-policy': 'strict' }, /input image-policy: "strict" is not one of digest, sha, no-latest, off/],
    [{ 'never-latest': 'fail' }, /input never-latest: "fail" is not one of error, warning, off/],
    [{ 'kubernetes-version': 'latest' }, /input kubernetes-version: "latest" is not a Kubernetes release like 1.36/],
    [{ 'kubernetes-version': '1.12' }, /input kubernetes-version: "1.12" is not a Kubernetes release.*1.16 or later/],
    [{ crds: '../outside/*.yaml' }, /input crds/],
    [{ 'missing-schemas': 'fail' }, /input missing-schemas: "fail" is not one of warning, error, off/],
    [{ summary: 'sometimes' }, /input summary: "sometimes" is not one of always, on-failure, off/],
    [{ 'comment-mode': 'hide' }, /input comment-mode: "hide" is not one of update, recreate, on-failure, off/]
  ])('refuses %p with a message naming the input', (values, message) => {
    expect(() => getInputs(reader(values), env)).toThrow(ActionError)
    expect(() => getInputs(reader(values), env)).toThrow(message)
  })
})

describe('list inputs', () => {
  it('parses mirrors, trimming trailing slashes and skipping comments', () => {
    expect(parseMirrors('# air-gapped\nhttps://go.temporal.io/helm-charts/ = http://mirror.local/temporal/\n')).toEqual(
      [{ from: 'https://go.temporal.io/helm-charts', to: 'http://mirror.local/temporal' }]
    )
    expect(() => parseMirrors('go.temporal.io=mirror')).toThrow(/is not of the form <repository URL>=<mirror URL>/)
  })
  it('parses allowlist patterns with their reasons', () => {
    expect(parseAllowlist('docker.io/temporalio/* # upstream images\nnginx')).toEqual([
      { pattern: 'docker.io/temporalio/*', reason: 'upstream images' },
      { pattern: 'nginx', reason: 'allow-listed' }
    ])
  })
  it('parses image-fields lines, and names a line that is not apiVersion/Kind:path', () => {
    expect(
      parseImageFields('# runners\nexample.com/v1/Runner:spec.runner.image\nexample.com/*/Pool:spec.pools[].image')
    ).toEqual([
      { apiVersion: 'example.com/v1', kind: 'Runner', path: 'spec.runner.image' },
      { apiVersion: 'example.com/*', kind: 'Pool', path: 'spec.pools[].image' }
    ])
    expect(() => parseImageFields('Runner.spec.image')).toThrow(
      'input image-fields: "Runner.spec.image" is not apiVersion/Kind:path'
    )
    expect(getInputs(reader({ 'image-fields': 'v1/ConfigMap:data.image' }), env).imageFields).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', path: 'data.image' }
    ])
  })
  it('parses toggle overrides and set values', () => {
    expect(parseToggleOverrides('a.metrics.enabled\n!temporal.server.metrics.serviceMonitor.enabled')).toEqual({
      include: ['a.metrics.enabled'],
      exclude: ['temporal.server.metrics.serviceMonitor.enabled']
    })
    expect(parseSetValues('image.tag=abc1234\n')).toEqual(['image.tag=abc1234'])
    expect(() => parseSetValues('just-a-key')).toThrow(/input set: "just-a-key" is not key=value/)
  })
})

describe('repository-mirrors credentials', () => {
  const PASSWORD = 's3cret-pa55'
  const refused = (text: string): ActionError => {
    try {
      parseMirrors(text)
    } catch (err) {
      return err as ActionError
    }
    throw new Error(`parseMirrors accepted ${text}`)
  }

  it.each([
    [`https://go.temporal.io/helm-charts=https://user:${PASSWORD}@charts.mirror.example/temporal`, 'mirror URL'],
    [`https://user:${PASSWORD}@go.temporal.io/helm-charts=https://charts.mirror.example/temporal`, 'repository URL'],
    [`oci://registry.example/charts=oci://robot:${PASSWORD}@mirror.example/charts`, 'oci mirror'],
    [`https://go.temporal.io/helm-charts=https://${PASSWORD}@charts.mirror.example`, 'token only, no path'],
    [`https://go.temporal.io/helm-charts=https://user:pa=${PASSWORD}@charts.mirror.example`, 'a password with ='],
    [`https://go.temporal.io/helm-charts=https://user:${PASSWORD}@charts.mirror.example`, 'no trailing path']
  ])('refuses userinfo in %s (%s), naming the input and line, never the password', (line) => {
    const err = refused(`# mirrors\n\n${line}\n`)
    expect(err).toBeInstanceOf(ActionError)
    expect(err.message).toMatch(/^input repository-mirrors: line 3 .*has credentials in a URL/)
    expect(err.message).toContain('***@')
    expect(`${err.message} ${err.hint ?? ''}`).not.toContain(PASSWORD)
    expect(err.hint).toMatch(/dependency-username and dependency-password/)
  })

  it('is refused through getInputs too', () => {
    expect(() =>
      getInputs(reader({ 'repository-mirrors': 'https://a.example/x=https://u:p@b.example/y' }), env)
    ).toThrow(
      /input repository-mirrors: line 1 \(https:\/\/a\.example\/x=https:\/\/\*\*\*@b\.example\/y\) has credentials/
    )
  })

  it("still accepts '@' in a path (not userinfo)", () => {
    expect(parseMirrors('https://a.example/x=https://b.example/team@2/charts')).toEqual([
      { from: 'https://a.example/x', to: 'https://b.example/team@2/charts' }
    ])
  })
})

describe('helm-download-url', () => {
  it.each([
    'https://get.helm.sh',
    'https://mirror.example/helm/',
    'http://127.0.0.1:8080/helm',
    'http://localhost:9000',
    'http://[::1]:8080/helm',
    'http://127.5.0.1'
  ])('accepts %s', (url) => {
    expect(parseHelmDownloadUrl(url)).toBe(url.replace(/\/+$/, ''))
    expect(getInputs(reader({ 'helm-download-url': url }), env).helmDownloadUrl).toEqual({
      url: url.replace(/\/+$/, '')
    })
  })

  it('defaults to https://get.helm.sh', () => {
    expect(parseHelmDownloadUrl('  ')).toBe('https://get.helm.sh')
  })

  it.each([
    [
      'http://mirror.example/helm',
      /input helm-download-url: "http:\/\/mirror\.example\/helm" uses plain http to mirror\.example, which is not a loopback host/
    ],
    ['http://10.0.0.5:8080', /input helm-download-url: "http:\/\/10\.0\.0\.5:8080" uses plain http/],
    ['http://localhost.evil.example', /input helm-download-url: .*not a loopback host/],
    ['ftp://mirror.example/helm', /input helm-download-url: "ftp:\/\/mirror\.example\/helm" is not an https:\/\/ URL/],
    ['get.helm.sh', /input helm-download-url: "get\.helm\.sh" is not an https:\/\/ URL/],
    [
      'https://user:pa55@mirror.example/helm',
      /input helm-download-url: "https:\/\/\*\*\*@mirror\.example\/helm" has credentials in the URL/
    ]
  ])('refuses %s with a message naming the input and value', (url, message) => {
    expect(() => parseHelmDownloadUrl(url)).toThrow(ActionError)
    expect(() => parseHelmDownloadUrl(url)).toThrow(message)
    expect(() => parseHelmDownloadUrl(url)).not.toThrow(/pa55/)
  })

  it('is checked by getInputs but refused only at download time: a runner with helm in place never downloads', () => {
    const { helmDownloadUrl } = getInputs(reader({ 'helm-download-url': 'http://artifactory.internal/helm/' }), env)
    expect(helmDownloadUrl.refusal).toBeInstanceOf(ActionError)
    expect(helmDownloadUrl.refusal?.message).toContain('uses plain http to artifactory.internal')
  })

  it('never keeps credentials of a refused URL', () => {
    const { helmDownloadUrl } = getInputs(reader({ 'helm-download-url': 'https://u:pa55@mirror.example/helm' }), env)
    expect(helmDownloadUrl.refusal).toBeInstanceOf(ActionError)
    expect(helmDownloadUrl.url).toBe('https://***@mirror.example/helm')
    expect(helmDownloadUrl.refusal?.message).not.toContain('pa55')
  })
})

describe('image-policy', () => {
  it('accepts exactly the policies images.ts knows', () => {
    for (const policy of IMAGE_POLICIES)
      expect(getInputs(reader({ 'image-policy': policy }), env).imagePolicy).toBe(policy)
    expect(() => getInputs(reader({ 'image-policy': 'strict' }), env)).toThrow(
      `is not one of ${IMAGE_POLICIES.join(', ')}`
    )
  })
})

describe('registry with credentials in the URL', () => {
  const TOKEN = 'ghp_unitRegistryToken77'
  it.each([`oci://bot:${TOKEN}@ghcr.io/acme`, `oci://${TOKEN}@ghcr.io/acme`, `oci://bot:pa%40${TOKEN}@ghcr.io/acme/`])(
    'refuses %s naming the input, never the token, and masks the token first',
    (registry) => {
      let err: ActionError | undefined
      try {
        checkRegistry(registry)
      } catch (error) {
        err = error as ActionError
      }
      expect(err).toBeInstanceOf(ActionError)
      expect(err?.message).toMatch(/^input registry: oci:\/\/\*\*\*@ghcr\.io\/acme has credentials in the URL/)
      expect(`${err?.message} ${err?.hint}`).not.toContain(TOKEN)
      expect(err?.hint).toMatch(/registry-username and registry-password/)
      expect(redact(`leak ${registry}`)).not.toContain(TOKEN)
    }
  )

  it('keeps a registry without credentials (trailing slash dropped)', () => {
    expect(checkRegistry(' oci://ghcr.io/acme/ ')).toBe('oci://ghcr.io/acme')
    expect(() => getInputs(reader({ registry: 'oci://u:p4ssw0rd@ghcr.io/acme' }), env)).toThrow(
      /input registry: oci:\/\/\*\*\*@ghcr\.io\/acme/
    )
  })
})

describe('set-secret', () => {
  it('parses key=value lines (a value may hold = and #) and registers every value as a secret', () => {
    const entries = parseSecretValues('db.password=s3cr=t#not-a-comment\n\n  api.token=tok-123456  \n')
    expect(entries).toEqual([
      { key: 'db.password', value: 's3cr=t#not-a-comment' },
      { key: 'api.token', value: 'tok-123456' }
    ])
    expect(redact('password s3cr=t#not-a-comment token tok-123456')).toBe('password *** token ***')
    expect(getInputs(reader({ 'set-secret': 'a.b=value-42x' }), env).setSecretValues).toEqual([
      { key: 'a.b', value: 'value-42x' }
    ])
  })

  it('refuses a line that is not key=value without quoting it, and masks it', () => {
    expect(() => parseSecretValues('ok=1\njust-a-secret-9876')).toThrow(
      /^input set-secret: line 2 is not key=value \(the line is not shown/
    )
    expect(redact('just-a-secret-9876')).toBe('***')
  })
})

describe('input version', () => {
  it('v1.2.3 (as release tags are written) is read as 1.2.3, with a notice; other text is left to the semver check', () => {
    const written: string[] = []
    const write = process.stdout.write.bind(process.stdout)
    process.stdout.write = (chunk: string | Uint8Array): boolean => {
      written.push(String(chunk))
      return true
    }
    let version: string
    try {
      version = getInputs(reader({ version: 'v1.2.3+build.1' }), env).version
    } finally {
      process.stdout.write = write
    }
    expect(version).toBe('1.2.3+build.1')
    expect(written.join('')).toContain(
      '::notice::input version: "v1.2.3+build.1" is read as 1.2.3+build.1 (a chart version has no "v"; the OCI tag is 1.2.3_build.1)'
    )
    expect(getInputs(reader({ version: '1.2.3' }), env).version).toBe('1.2.3')
    expect(getInputs(reader({ version: 'v1.2' }), env).version).toBe('v1.2')
  })
})
