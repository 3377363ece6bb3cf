// How a stopped run points at the line to change (issue 26.5): the workflow line of an input, the closest blueprint
// folders, the failure line, the report's subject.
import { describe, expect, it } from '@jest/globals'
import { inputLine, workflowFileOf } from '../../src/run/input-location.js'
import { failureLine, stoppedStep } from '../../src/run/failure.js'
import { ActionError, reportSubject, type ActionReport } from '../../src/types.js'
import { closestTo, editDistance } from '../../src/util/text.js'

const WORKFLOW = [
  'on: pull_request',
  'jobs:',
  '  a:',
  '    steps:',
  '      - uses: openova/bp-temporal-action@v1',
  '        with:',
  '          blueprint: platform/cnpg # the first',
  '      - uses: openova/bp-temporal-action@v1',
  '        with: { push: \'false\', blueprint: "platform/temporl" }',
  '      - uses: openova/bp-temporal-action@v1',
  '        with:',
  '          blueprint: ${{ matrix.blueprint }}',
  '          # blueprint: platform/old',
  '          blueprints-extra: platform/temporl',
  ''
].join('\n')

describe('inputLine', () => {
  it('finds the line giving the value, in block or flow mappings, quoted or not', () => {
    expect(inputLine(WORKFLOW, 'blueprint', 'platform/temporl')).toBe(9)
    expect(inputLine(WORKFLOW, 'blueprint', 'platform/cnpg')).toBe(7)
    expect(inputLine(WORKFLOW, 'push', 'false')).toBe(9)
  })

  it('falls back to the first line setting the input (an expression gives the value), never a comment or a longer name', () => {
    expect(inputLine(WORKFLOW, 'blueprint', 'platform/nope')).toBe(7)
    expect(inputLine(WORKFLOW, 'blueprint')).toBe(7)
    expect(inputLine(WORKFLOW.split('\n').slice(9).join('\n'), 'blueprint', 'platform/old')).toBe(3)
    expect(inputLine(WORKFLOW, 'chart')).toBeUndefined()
  })
})

describe('workflowFileOf', () => {
  it("reads GITHUB_WORKFLOW_REF's path inside the repository", () => {
    expect(workflowFileOf('openova-io/openova/.github/workflows/blueprint.yml@refs/pull/7/merge')).toBe(
      '.github/workflows/blueprint.yml'
    )
    expect(workflowFileOf(undefined)).toBeUndefined()
    expect(workflowFileOf('o/r/.github/workflows/../../etc/x.yml@main')).toBeUndefined()
  })
})

describe('closest blueprint folders', () => {
  it('ranks by edit distance, ties in code-point order', () => {
    expect(editDistance('platform/temporl', 'platform/temporal')).toBe(1)
    expect(editDistance('', 'abc')).toBe(3)
    expect(closestTo('platform/temporl', ['products/shop', 'platform/cnpg', 'platform/temporal'], 2)).toEqual([
      'platform/temporal',
      'platform/cnpg'
    ])
    expect(closestTo('b', ['c', 'a'], 3)).toEqual(['a', 'c'])
  })
})

const report = (over: Partial<ActionReport>): ActionReport => ({
  schemaVersion: 1,
  blueprint: 'platform/temporl',
  chart: { name: '', version: '', path: 'platform/temporl/chart' },
  mode: 'validate',
  modeReason: 'the blueprint could not be read',
  helmVersion: 'unknown',
  status: 'failed',
  steps: [stoppedStep(new ActionError('no folder', 'set it', { input: 'blueprint' }), undefined, 'Blueprint')],
  values: { files: [], set: [] },
  startedAt: '2024-01-01T00:00:00.000Z',
  durationMs: 0,
  ...over
})

describe('the failure line and the report subject', () => {
  it('names the blueprint folder when no chart was read, and the chart and version otherwise (no stray space)', () => {
    expect(reportSubject(report({}))).toBe('blueprint platform/temporl')
    expect(reportSubject(report({ chart: { name: 'bp-temporal', version: '', path: '' } }))).toBe('bp-temporal')
    expect(reportSubject(report({ chart: { name: 'bp-temporal', version: '1.0.0', path: '' } }))).toBe(
      'bp-temporal 1.0.0'
    )
  })

  it('says the errors are in the job summary only when one was written', () => {
    expect(failureLine(report({}))).toBe(
      'blueprint platform/temporl: Blueprint failed — 1 error, annotated above and in the job summary'
    )
    expect(failureLine(report({}), { summaryWritten: false })).toBe(
      'blueprint platform/temporl: Blueprint failed — 1 error, annotated above'
    )
  })

  it('puts the error where it points', () => {
    const step = stoppedStep(new ActionError('x'), { file: 'platform/temporal/chart/Chart.yaml', line: 7 })
    expect(step.findings[0]).toMatchObject({ file: 'platform/temporal/chart/Chart.yaml', line: 7, message: 'x' })
    expect(step.title).toBe('Run')
  })
})
