// Right verdicts on the shapes real monorepo blueprints have (issues 22, 26 and 29), end to end with the bundled
// action under Helm 3 and Helm 4, on the users' path (action.yml's defaults, no repository-mirrors): a provider
// chart served by a loopback chart repository (__tests__/fixtures/provider-shapes/upstream-servers: Crossplane-style
// Servers whose spec.forProvider.image is an OS image name, a CRD with a single-quoted description continued at
// the key's indentation, images in {registry, repository, tag}, "<ref>" and {image, tag} forms, a global registry
// override, a vendored subchart under an alias), wrapped by two blueprints of a workspace
// (__tests__/fixtures/provider-shapes/workspace) whose chart tests agree with the action.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { runAction } from '../../testkit/action-runner.mjs'
import {
  chartTestRun,
  failureMessage,
  helmsUnderTest,
  REPO_ROOT,
  type ActionRun,
  type HelmUnderTest
} from '../support/e2e.js'
import { useServers } from '../support/servers.js'

const FIXTURES = path.join(REPO_ROOT, '__tests__', 'fixtures', 'provider-shapes')
/** The repository the fixtures' Chart.yaml and values.yaml name; the test's copy names the loopback one. */
const PROVIDER_REPOSITORY = 'https://charts.example-provider.io'
const BLUEPRINTS = ['platform/servers', 'platform/agents']

interface Finding {
  rule: string
  severity: string
  message: string
  fix?: string
  snippet?: { language: string; text: string }
  file?: string
  line?: number
}
interface Step {
  id: string
  status: string
  summary: string
  findings: Finding[]
  details?: string
  data?: Record<string, unknown>
}

function stepOf(run: ActionRun, id: string): Step {
  const found = (run.report?.steps ?? []).find((step: Step) => step.id === id)
  if (!found) throw new Error(`no step ${id} in the report: ${failureMessage(run) || run.stderr}`)
  return found
}

/** A copy of the fixture workspace whose charts name the loopback chart repository. */
async function shapesWorkspace(repoUrl: string): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-shapes-ws-'))
  await cp(path.join(FIXTURES, 'workspace'), dir, { recursive: true })
  for (const blueprint of BLUEPRINTS) {
    for (const file of ['Chart.yaml', 'values.yaml']) {
      const full = path.join(dir, blueprint, 'chart', file)
      await writeFile(full, (await readFile(full, 'utf8')).split(PROVIDER_REPOSITORY).join(repoUrl))
    }
  }
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) }
}

function runBlueprint(
  helm: HelmUnderTest,
  workspace: string,
  blueprint: string,
  inputs: Record<string, string> = {}
): Promise<ActionRun> {
  return runAction({
    workspace,
    inputs: { blueprint, 'helm-version': helm.version, 'github-token': '', ...inputs },
    env: {
      PATH: `${path.dirname(helm.binary)}${path.delimiter}${process.env.PATH ?? ''}`,
      SOURCE_DATE_EPOCH: '1700000000'
    }
  })
}

describe.each(helmsUnderTest())("a provider chart's shapes with $label", (helm) => {
  const servers = useServers(helm, {
    repo: { chartSource: path.join(FIXTURES, 'upstream-servers'), versions: ['1.21.0', '1.21.1'] },
    registry: false
  })
  let workspace: Awaited<ReturnType<typeof shapesWorkspace>>
  beforeAll(async () => {
    workspace = await shapesWorkspace(servers.repo.url)
  })
  afterAll(async () => {
    await workspace?.remove()
  })

  describe('the provider chart under an alias, with an image of its own (platform/agents)', () => {
    let run: ActionRun
    beforeAll(async () => {
      run = await runBlueprint(helm, workspace.dir, 'platform/agents')
    })

    it('points every upstream image at the values key helm reads: aliases, subcharts, forms and globals', () => {
      const pinned = stepOf(run, 'images').findings.filter((f) => f.rule === 'image-pinned')
      expect(pinned).toHaveLength(1)
      const [finding] = pinned
      expect([finding.severity, finding.file]).toEqual(['error', 'platform/agents/chart/values.yaml'])
      // nested subchart under its alias ({image, tag}), "<ref>" string, {registry, repository, tag} under the
      // blueprint's global registry (a key only the chart's defaults hold), and the registry given twice
      expect(finding.message).toContain(
        'Set by `fleet.nodeAgent.tag`, `fleet.installer.image`, `fleet.controller.image.tag`, `fleet.recommender.image.tag`.'
      )
      expect(finding.message).not.toMatch(/no values key/)
      expect(finding.snippet?.text).toContain(
        '  nodeAgent:\n    tag: "0.3.1@sha256:<digest>"  # quay.io/acme/node-agent:0.3.1'
      )
      expect(finding.snippet?.text).toContain(
        '  controller:\n    image:\n      digest: sha256:<digest>  # mirror.example.io/acme/server-controller:1.21.1'
      )
    })

    it('warns about an image whose repository repeats its registry, at the key to fix', () => {
      const twice = stepOf(run, 'images').findings.filter((f) => f.rule === 'image-registry-twice')
      expect(twice).toEqual([
        expect.objectContaining({
          severity: 'warning',
          file: 'platform/agents/chart/values.yaml',
          line: 18,
          snippet: {
            language: 'yaml',
            text: 'fleet:\n  recommender:\n    image:\n      repository: autoscaling/vpa-recommender'
          }
        })
      ])
      expect(twice[0].message).toContain('registry.k8s.io/registry.k8s.io/autoscaling/vpa-recommender:1.5.0')
    })

    it("gives the own image without a default one finding, never-latest's, with one fix in a Go template block", () => {
      const neverLatest = stepOf(run, 'never-latest')
      expect(neverLatest.findings.map((f) => [f.rule, f.file, f.line])).toEqual([
        ['image-tag-required', 'platform/agents/chart/templates/app.yaml', 15]
      ])
      const [finding] = neverLatest.findings
      expect(finding.snippet).toEqual({
        language: 'gotmpl',
        text: '{{ required "app.image.tag is required" .Values.app.image.tag }}'
      })
      expect(`${finding.message} ${finding.fix}`.match(/required/g)).toHaveLength(1)
      // The image policy stays quiet about it: no finding names the image or its key.
      const images = stepOf(run, 'images')
      expect(images.findings.filter((f) => /agents-app|app\.image/.test(f.message))).toEqual([])
      expect(images.summary).toContain('1 own image without a default left to never-latest')
    })

    it('reports a key written twice with different values as an error with both lines, and goes on', () => {
      const files = stepOf(run, 'chart-files')
      expect(files.status).toBe('failed')
      expect(files.findings).toEqual([
        expect.objectContaining({
          rule: 'yaml-duplicate-key',
          severity: 'error',
          file: 'platform/agents/chart/values.yaml',
          line: 33
        })
      ])
      expect(files.findings[0].message).toContain(
        '`replicas` is written twice in platform/agents/chart/values.yaml at lines 30 and 33'
      )
      expect(files.findings[0].message).toContain('helm keeps the later one (`3`, line 33)')
      // The run went on with the value helm uses: every gate ran.
      for (const id of ['render', 'lint', 'never-latest', 'images']) expect(stepOf(run, id).status).not.toBe('skipped')
      expect(stepOf(run, 'render').status).toBe('passed')
    })

    it('judges no OS image name of a Crossplane-style resource, and lists it as not judged', () => {
      const images = stepOf(run, 'images')
      const judged = (images.data?.images as { image: string }[]).map((i) => i.image)
      expect(judged).not.toContain('ubuntu-24.04')
      expect(images.findings.filter((f) => f.message.includes('ubuntu-24.04'))).toEqual([])
      expect(images.data?.notJudged).toEqual([
        expect.objectContaining({ value: 'ubuntu-24.04', kind: 'Server', field: 'spec.forProvider.image' }),
        expect.objectContaining({ value: 'ubuntu-24.04', kind: 'Server', field: 'spec.forProvider.image' })
      ])
      expect(images.summary).toContain('2 other image fields not judged')
      expect(images.details).toContain('Server/edge-1 spec.forProvider.image: ubuntu-24.04')
    })
  })

  describe('a v-prefixed upstream version (platform/servers)', () => {
    let run: ActionRun
    beforeAll(async () => {
      run = await runBlueprint(helm, workspace.dir, 'platform/servers')
    })

    it("runs its chart test at the chart's place in a view of the repository: ../../../infra is the checkout's", () => {
      const tests = stepOf(run, 'chart-tests')
      expect([tests.status, tests.summary, tests.findings]).toEqual(['passed', '1 chart test passed', []])
      const script = chartTestRun(run, 'tests/infra-locations.sh')
      expect(script).toMatchObject({ exitCode: 0 })
      expect(script?.output).toContain('ok: fsn1\nok: hel1\ninfra-locations: all checks passed')
    })

    it("reads the CRD whose quoted descriptions go on at the key's indentation, as helm does", () => {
      const render = stepOf(run, 'render')
      expect([render.status, render.findings]).toEqual(['passed', []])
      expect(render.data?.kinds).toMatchObject({ CustomResourceDefinition: 1, Server: 2 })
    })

    it('warns about a key written twice with the same value, naming both lines', () => {
      const files = stepOf(run, 'chart-files')
      expect(files.status).toBe('warning')
      expect(files.findings).toEqual([
        {
          rule: 'yaml-duplicate-key',
          severity: 'warning',
          message:
            '`catalystOverlay.region` is written twice in platform/servers/chart/values.yaml at lines 9 and 12, with the same value: helm keeps the later one, nothing is lost.',
          fix: 'delete one of them (line 9 or 12)',
          file: 'platform/servers/chart/values.yaml',
          line: 12
        }
      ])
    })

    it("names the index's 1.21.1 with v1.21.1 in Chart.yaml and values.yaml, as helm does", () => {
      const upstream = stepOf(run, 'resolve-upstream')
      expect([upstream.status, upstream.summary, upstream.findings]).toEqual([
        'passed',
        '1.21.1 pinned, up to date',
        []
      ])
      expect(run.outputs['upstream-version']).toBe('1.21.1')
      expect(stepOf(run, 'dependency-build').status).toBe('passed')
    })
  })

  describe('keys written twice in Chart.yaml, blueprint.yaml and a values input file (a copy of platform/servers)', () => {
    let run: ActionRun
    beforeAll(async () => {
      const copy = path.join(workspace.dir, 'platform/servers-twice')
      await cp(path.join(workspace.dir, 'platform/servers'), copy, { recursive: true })
      const append = async (file: string, text: string): Promise<void> =>
        writeFile(path.join(copy, file), (await readFile(path.join(copy, file), 'utf8')) + text)
      await append('chart/Chart.yaml', 'type: application\n') // line 4 said it already: the same value
      await append('blueprint.yaml', 'kind: Blueprint\n') // line 2 said it already: the same value
      await writeFile(path.join(copy, 'ci-values.yaml'), 'catalystOverlay:\n  owner: a\n  owner: b\n')
      run = await runBlueprint(helm, workspace.dir, 'platform/servers-twice', {
        values: 'platform/servers-twice/ci-values.yaml'
      })
    })

    it('reports each with both lines (warning when equal, error when not), and the run goes on', () => {
      const files = stepOf(run, 'chart-files')
      expect(files.status).toBe('failed')
      const found = files.findings.map((f) => [f.severity, f.file, f.line])
      expect(found).toEqual(
        expect.arrayContaining([
          ['warning', 'platform/servers-twice/chart/Chart.yaml', 12],
          ['warning', 'platform/servers-twice/blueprint.yaml', 9],
          ['error', 'platform/servers-twice/ci-values.yaml', 3]
        ])
      )
      expect(files.findings.find((f) => f.file?.endsWith('ci-values.yaml'))?.message).toContain('lines 2 and 3')
      // Every gate ran, with the values helm uses.
      for (const id of ['render', 'lint', 'images']) expect(stepOf(run, id).status).not.toBe('skipped')
      expect(stepOf(run, 'render').status).toBe('passed')
    })
  })

  describe('a values file that is not YAML (platform/agents with input values)', () => {
    let run: ActionRun
    beforeAll(async () => {
      const lines = Array.from({ length: 20 }, (_, i) => `key${i + 1}: ${i + 1}`)
      lines[11] = "note: 'an unclosed quote"
      await writeFile(path.join(workspace.dir, 'platform/agents/broken-values.yaml'), `${lines.join('\n')}\n`)
      run = await runBlueprint(helm, workspace.dir, 'platform/agents', { values: 'platform/agents/broken-values.yaml' })
    })

    it('stops the run at the line and column where the quote opens', () => {
      expect(run.exitCode).not.toBe(0)
      const stopped = stepOf(run, 'error')
      expect(stopped.findings).toEqual([
        expect.objectContaining({ file: 'platform/agents/broken-values.yaml', line: 12 })
      ])
      expect(stopped.findings[0].message).toContain(
        "platform/agents/broken-values.yaml:12: not valid YAML: Missing closing 'quote (column 7: `note: 'an unclosed quote`)"
      )
    })
  })
})
