import { describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { HelmRunResult } from '../../src/helm/helm.js'
import { globFiles, lintStep, parseLintOutput, planLint } from '../../src/gates/lint.js'

// Captured from real helm (v3.17.2 and v4.1.4) runs of `helm lint --strict <dir>` on
// broken copies of __tests__/fixtures/gates/base (chart name bp-gates).
const options = { chartName: 'bp-gates', chartDir: '/tmp/lintcap/a', displayChartDir: 'platform/gates/chart' }

const H3_UNDEFINED_FUNCTION = `==> Linting /tmp/lintcap/a
[ERROR] templates/: parse error at (bp-gates/templates/bad.yaml:6): function "foo" not defined

`
const H4_UNDEFINED_FUNCTION = H3_UNDEFINED_FUNCTION // identical in Helm 4

const H3_NIL_POINTER = `==> Linting /tmp/lintcap/a
[INFO] Chart.yaml: icon is recommended
[ERROR] templates/: template: bp-gates/templates/bad.yaml:6:15: executing "bp-gates/templates/bad.yaml" at <.Values.nothere.x>: nil pointer evaluating interface {}.x

`
const H4_NIL_POINTER = `==> Linting /tmp/lintcap/a
[WARNING] Chart.yaml: failed to strictly parse chart metadata file
\terror unmarshaling JSON: while decoding JSON: json: unknown field "foo"
[INFO] Chart.yaml: icon is recommended
[ERROR] templates/: bp-gates/templates/bad.yaml:6:15
  executing "bp-gates/templates/bad.yaml" at <.Values.nothere.x>:
    nil pointer evaluating interface {}.x

`
const H3_NAME_AND_YAML = `==> Linting /tmp/lintcap/a
[INFO] Chart.yaml: icon is recommended
[WARNING] templates/bad.yaml: object name does not conform to Kubernetes naming requirements: "X_bad": metadata.name: Invalid value: "X_bad": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')
[ERROR] templates/bad2.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 7: mapping values are not allowed in this context

`
const H3_CHART_ERRORS = `==> Linting c
[ERROR] Chart.yaml: version 'notsemver' is not a valid SemVer
[ERROR] values.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 1: did not find expected node content
[ERROR] templates/: cannot load values.yaml: error converting YAML to JSON: yaml: line 1: did not find expected node content
[ERROR] : unable to load chart
\tcannot load values.yaml: error converting YAML to JSON: yaml: line 1: did not find expected node content

`
const H4_CHART_ERRORS = `==> Linting c
[ERROR] Chart.yaml: version 'notsemver' is not a valid SemVer
[WARNING] Chart.yaml: version 'notsemver' is not a valid SemVerV2
[ERROR] values.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 1: did not find expected node content
[ERROR] templates/: cannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 1: did not find expected node content
[ERROR] : unable to load chart
\tcannot load values.yaml: cannot unmarshal yaml document: error converting YAML to JSON: yaml: line 1: did not find expected node content

`
const H3_SUBCHART = `==> Linting e
[ERROR] templates/: template: bp-gates/charts/temporal/templates/bad.yaml:1:10: executing "bp-gates/charts/temporal/templates/bad.yaml" at <.Values.server.nothere.x>: nil pointer evaluating interface {}.x

`
const H4_SUBCHART = `==> Linting e
[ERROR] templates/: bp-gates/charts/temporal/templates/bad.yaml:1:10
  executing "bp-gates/charts/temporal/templates/bad.yaml" at <.Values.server.nothere.x>:
    nil pointer evaluating interface {}.x

`
const MISSING_DEPENDENCIES = `==> Linting /tmp/lintcap/a
[WARNING] /tmp/lintcap/a: chart directory is missing these dependencies: temporal

`
const H3_STDERR_REQUIRED = `engine.go:214: [INFO] Missing required value: app.image.tag is required: set a commit SHA
`
const H4_STDERR_FAILED = `Error: 1 chart(s) linted, 1 chart(s) failed
`

describe('parseLintOutput', () => {
  it('reads a parse error with its template line (both helms)', () => {
    for (const sample of [H3_UNDEFINED_FUNCTION, H4_UNDEFINED_FUNCTION]) {
      expect(parseLintOutput(sample, options)).toEqual([
        {
          level: 'ERROR',
          location: 'templates/',
          message: 'parse error at (bp-gates/templates/bad.yaml:6): function "foo" not defined',
          template: 'bp-gates/templates/bad.yaml',
          file: 'platform/gates/chart/templates/bad.yaml',
          line: 6
        }
      ])
    }
  })

  it('reads a Helm 3 execution error on one line', () => {
    const messages = parseLintOutput(H3_NIL_POINTER, options)
    expect(messages.map((m) => [m.level, m.file, m.line])).toEqual([
      ['INFO', 'platform/gates/chart/Chart.yaml', undefined],
      ['ERROR', 'platform/gates/chart/templates/bad.yaml', 6]
    ])
    expect(messages[1].message).toContain('nil pointer evaluating interface {}.x')
  })

  it('joins Helm 4 continuation lines into the message', () => {
    const messages = parseLintOutput(H4_NIL_POINTER, options)
    expect(messages.map((m) => m.level)).toEqual(['WARNING', 'INFO', 'ERROR'])
    expect(messages[0]).toMatchObject({ location: 'Chart.yaml', file: 'platform/gates/chart/Chart.yaml' })
    expect(messages[0].message).toBe(
      'failed to strictly parse chart metadata file\nerror unmarshaling JSON: while decoding JSON: json: unknown field "foo"'
    )
    expect(messages[2]).toMatchObject({
      file: 'platform/gates/chart/templates/bad.yaml',
      line: 6,
      template: 'bp-gates/templates/bad.yaml'
    })
    expect(messages[2].message).toBe(
      'bp-gates/templates/bad.yaml:6:15\nexecuting "bp-gates/templates/bad.yaml" at <.Values.nothere.x>:\nnil pointer evaluating interface {}.x'
    )
  })

  it('points a named template message at the template, without the render line of a YAML error', () => {
    const messages = parseLintOutput(H3_NAME_AND_YAML, options)
    expect(messages.map((m) => [m.level, m.file, m.line])).toEqual([
      ['INFO', 'platform/gates/chart/Chart.yaml', undefined],
      ['WARNING', 'platform/gates/chart/templates/bad.yaml', undefined],
      ['ERROR', 'platform/gates/chart/templates/bad2.yaml', undefined]
    ])
    expect(messages[1].message).toMatch(/^object name does not conform/)
  })

  it('reads Chart.yaml and values.yaml errors, with the YAML line of values.yaml (both helms)', () => {
    for (const sample of [H3_CHART_ERRORS, H4_CHART_ERRORS]) {
      const messages = parseLintOutput(sample, options)
      const errors = messages.filter((m) => m.level === 'ERROR')
      expect(errors.map((m) => [m.location, m.file, m.line])).toEqual([
        ['Chart.yaml', 'platform/gates/chart/Chart.yaml', undefined],
        ['values.yaml', 'platform/gates/chart/values.yaml', 1],
        ['templates/', undefined, undefined],
        ['', undefined, undefined]
      ])
      expect(errors[3].message).toContain('unable to load chart\ncannot load values.yaml')
    }
    expect(parseLintOutput(H4_CHART_ERRORS, options).filter((m) => m.level === 'WARNING')).toHaveLength(1)
  })

  it('keeps the subchart template but gives no repository file for it (both helms)', () => {
    for (const sample of [H3_SUBCHART, H4_SUBCHART]) {
      const [message] = parseLintOutput(sample, options)
      expect(message).toMatchObject({ level: 'ERROR', template: 'bp-gates/charts/temporal/templates/bad.yaml' })
      expect(message.file).toBeUndefined()
      expect(message.line).toBeUndefined()
    }
  })

  it('maps the chart folder itself to Chart.yaml', () => {
    expect(parseLintOutput(MISSING_DEPENDENCIES, options)).toEqual([
      {
        level: 'WARNING',
        location: '/tmp/lintcap/a',
        message: 'chart directory is missing these dependencies: temporal',
        file: 'platform/gates/chart/Chart.yaml'
      }
    ])
  })

  it('ignores helm log lines and the summary on stderr', () => {
    expect(parseLintOutput(H3_STDERR_REQUIRED, options)).toEqual([])
    expect(parseLintOutput(H4_STDERR_FAILED, options)).toEqual([])
  })

  it('uses the chart folder as is when displayChartDir is the workspace root', () => {
    const [message] = parseLintOutput(H3_UNDEFINED_FUNCTION, { ...options, displayChartDir: '.' })
    expect(message.file).toBe('templates/bad.yaml')
  })
})

function result(args: string[], exitCode: number, stdout: string, stderr = ''): HelmRunResult {
  return { args, exitCode, stdout, stderr, durationMs: 5 }
}

describe('lintStep', () => {
  it('fails with the output in details; a WARNING of a failed strict run is an error; findings are deduplicated', () => {
    const plans = [
      { label: 'default', args: ['lint', '--strict', '/tmp/lintcap/a'] },
      {
        label: 'ci/a-values.yaml',
        args: ['lint', '--strict', '/tmp/lintcap/a', '--values', '/tmp/lintcap/a/ci/a-values.yaml']
      }
    ]
    const step = lintStep(
      [
        { plan: plans[0], result: result(plans[0].args, 1, H4_NIL_POINTER, H4_STDERR_FAILED) },
        {
          plan: plans[1],
          result: result(
            plans[1].args,
            0,
            '==> Linting /tmp/lintcap/a\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n'
          )
        }
      ],
      options,
      42
    )
    expect(step.status).toBe('failed')
    expect(step.id).toBe('lint')
    expect(step.details).toContain('nil pointer evaluating')
    expect(step.details).toContain('$ helm lint --strict /tmp/lintcap/a')
    const bySeverity = step.findings.map((f) => [f.severity, f.file, f.line])
    expect(bySeverity).toEqual([
      ['error', 'platform/gates/chart/Chart.yaml', undefined],
      ['notice', 'platform/gates/chart/Chart.yaml', undefined],
      ['error', 'platform/gates/chart/templates/bad.yaml', 6]
    ])
    // the INFO came from both runs: no "(with …)" suffix; the error only from the default run
    expect(step.findings[1].message).toBe('helm lint [INFO] Chart.yaml: icon is recommended')
    expect(step.summary).toBe('1 of 2 lint runs failed: 2 errors')
    expect(step.data!.runs.map((r) => [r.label, r.exitCode, r.messages.length])).toEqual([
      ['default', 1, 3],
      ['ci/a-values.yaml', 0, 1]
    ])
  })

  it('names the values file of a run that alone failed, and reports a failure without [ERROR] lines', () => {
    const plans = [
      { label: 'default', args: ['lint'] },
      { label: 'ci/x-values.yaml', args: ['lint', '--values', 'x'] }
    ]
    const step = lintStep(
      [
        { plan: plans[0], result: result([], 0, '==> Linting a\n\n1 chart(s) linted, 0 chart(s) failed\n') },
        { plan: plans[1], result: result([], 1, '', 'Error: open nonexist.yaml: no such file or directory\n') }
      ],
      options,
      1
    )
    expect(step.status).toBe('failed')
    expect(step.findings).toHaveLength(1)
    expect(step.findings[0].message).toBe(
      'helm lint failed: Error: open nonexist.yaml: no such file or directory (with ci/x-values.yaml)'
    )
  })

  it('passes when every run exits 0', () => {
    const step = lintStep(
      [
        {
          plan: { label: 'default', args: [] },
          result: result([], 0, '==> Linting a\n\n1 chart(s) linted, 0 chart(s) failed\n')
        }
      ],
      options,
      1
    )
    expect(step).toMatchObject({ status: 'passed', summary: '1 lint run passed', findings: [] })
  })
})

describe('lint values files', () => {
  it('globs ci/*-values.yaml by default and a given pattern otherwise, never outside the chart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'gates-lint-'))
    try {
      await mkdir(path.join(dir, 'ci', 'deep'), { recursive: true })
      for (const f of ['ci/b-values.yaml', 'ci/a-values.yaml', 'ci/other.yaml', 'ci/deep/c-values.yaml'])
        await writeFile(path.join(dir, f), 'x: 1\n')
      expect(await globFiles(dir, 'ci/*-values.yaml')).toEqual(['ci/a-values.yaml', 'ci/b-values.yaml'])
      expect(await globFiles(dir, 'ci/**/*-values.yaml')).toEqual([
        'ci/a-values.yaml',
        'ci/b-values.yaml',
        'ci/deep/c-values.yaml'
      ])
      expect(await globFiles(dir, '../*')).toEqual([])
      const plans = await planLint(dir, ['--set', 'a=b'], undefined)
      expect(plans).toEqual([
        { label: 'default', args: ['lint', '--strict', dir, '--set', 'a=b'] },
        {
          label: 'ci/a-values.yaml',
          args: ['lint', '--strict', dir, '--set', 'a=b', '--values', path.join(dir, 'ci/a-values.yaml')]
        },
        {
          label: 'ci/b-values.yaml',
          args: ['lint', '--strict', dir, '--set', 'a=b', '--values', path.join(dir, 'ci/b-values.yaml')]
        }
      ])
      expect((await planLint(dir, [], 'ci/other.yaml')).map((p) => p.label)).toEqual(['default', 'ci/other.yaml'])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
