// A newcomer's mistakes, each stopped before the gates, are annotated at the line to change (issue 26.5): a blueprint
// folder that is not there (the workflow's `blueprint:` line), a dependency repository that cannot be reached (its
// `repository:` line in Chart.yaml), a release tag whose version is not Chart.yaml's (its `version:` line), a YAML
// syntax error (its line and column). The bundled action runs as a workflow runs it, under Helm 3 and Helm 4.
import { describe, expect, it } from '@jest/globals'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { helmsUnderTest, runBundledAction, withWorkspace, type ActionRun } from '../support/e2e.js'
import { useServers } from '../support/servers.js'

const WORKFLOW = '.github/workflows/blueprint.yml'
const WORKFLOW_REF = `openova-io/openova/${WORKFLOW}@refs/heads/main`

/** The workflow that runs the action, as a newcomer writes it: `blueprint:` on line 11. */
function workflowText(blueprint: string): string {
  return [
    'name: blueprint',
    'on: [pull_request, push]',
    'jobs:',
    '  temporal:',
    '    runs-on: ubuntu-latest',
    '    steps:',
    '      - uses: actions/checkout@v4',
    '      - uses: openova/bp-temporal-action@v1',
    '        with:',
    '          helm-version: v3.17.2',
    `          blueprint: '${blueprint}'`,
    ''
  ].join('\n')
}

/** 1-based line of the first line of `file` matching `pattern`. */
async function lineOf(file: string, pattern: RegExp): Promise<number> {
  const index = (await readFile(file, 'utf8')).split('\n').findIndex((line) => pattern.test(line))
  expect(index).toBeGreaterThanOrEqual(0)
  return index + 1
}

/** The run's error annotations (the failure line's excepted: it names no file). */
function errorsAt(run: ActionRun): { file?: string; line?: string; message: string }[] {
  return run.annotations
    .filter((a: { level: string; file?: string }) => a.level === 'error' && a.file)
    .map((a: { file?: string; line?: string; message: string }) => ({ file: a.file, line: a.line, message: a.message }))
}

/** The last line core.setFailed wrote (no file: it sums up). */
function failureLine(run: ActionRun): string {
  const lines = run.annotations.filter((a: { level: string; file?: string }) => a.level === 'error' && !a.file)
  return (lines[lines.length - 1] as { message: string } | undefined)?.message ?? ''
}

describe.each(helmsUnderTest())('errors before the gates point at the line, with $label', (helm) => {
  const servers = useServers(helm, { registry: false })

  it('a blueprint folder that is not there: the workflow line, the closest folders, no chart named after the typo', async () => {
    await withWorkspace(async (ws) => {
      await mkdir(path.join(ws.dir, 'platform', 'cnpg', 'chart'), { recursive: true })
      await writeFile(path.join(ws.dir, 'platform', 'cnpg', 'chart', 'Chart.yaml'), 'apiVersion: v2\nname: bp-cnpg\n')
      await mkdir(path.join(ws.dir, '.github', 'workflows'), { recursive: true })
      await writeFile(path.join(ws.dir, WORKFLOW), workflowText('platform/temporl'))
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { blueprint: 'platform/temporl' },
        env: { GITHUB_WORKFLOW_REF: WORKFLOW_REF }
      })
      expect(run.exitCode).toBe(1)
      const [error, ...more] = errorsAt(run)
      expect(more).toEqual([])
      expect(error).toMatchObject({ file: WORKFLOW, line: '11' })
      expect(error.message).toBe(
        'blueprint folder platform/temporl does not exist in the workspace (did you mean platform/temporal?) — ' +
          'set the blueprint input to a folder holding chart/Chart.yaml (the closest here: platform/temporal, platform/cnpg)'
      )
      // Not named after the typo: no chart was read.
      expect(run.outputs['chart-name']).toBe('')
      expect(path.basename(run.outputs.report)).not.toContain('temporl')
      expect(run.stdout).toContain('❌ blueprint platform/temporl: failed (validate: the blueprint could not be read)')
      expect(run.summary).toContain('### ❌ blueprint platform/temporl failed: Blueprint')
      expect(failureLine(run)).toBe(
        'blueprint platform/temporl: Blueprint failed — 1 error, annotated above and in the job summary'
      )
    })
  })

  it('no chart anywhere in the workspace (no checkout): says to check out the repository', async () => {
    await withWorkspace(async (ws) => {
      await rm(path.join(ws.dir, 'platform'), { recursive: true })
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { summary: 'off' }
      })
      expect(run.exitCode).toBe(1)
      expect(run.annotations[0]).toMatchObject({
        level: 'error',
        message:
          'Blueprint: blueprint folder platform/temporal does not exist in the workspace, and no folder there holds a chart ' +
          '(<folder>/chart/Chart.yaml) — check out the repository first (actions/checkout), then set the blueprint ' +
          'input to the blueprint folder, e.g. platform/<name>'
      })
      // Without a job summary, the last line does not send the reader to one.
      expect(run.summary).toBe('')
      expect(failureLine(run)).toBe('blueprint platform/temporal: Blueprint failed — 1 error, annotated above')
    })
  })

  it('an unreachable dependency repository: the Chart.yaml line of the dependency it serves', async () => {
    await withWorkspace(async (ws) => {
      const chartYaml = path.join(ws.chart, 'Chart.yaml')
      const text = await readFile(chartYaml, 'utf8')
      await writeFile(chartYaml, text.replace('https://go.temporal.io/helm-charts', 'http://127.0.0.1:9/charts'))
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: servers.repo.url })
      expect(run.exitCode).toBe(1)
      const [error, ...more] = errorsAt(run)
      expect(more).toEqual([])
      expect(error).toMatchObject({
        file: 'platform/temporal/chart/Chart.yaml',
        line: String(await lineOf(chartYaml, /repository: http:\/\/127\.0\.0\.1:9\/charts/))
      })
      expect(error.message).toMatch(
        /^dependency temporal: chart repository http:\/\/127\.0\.0\.1:9\/charts\/index\.yaml is unreachable: .*ECONNREFUSED.* — check the dependency repository URL, or map it to a reachable mirror with the repository-mirrors input$/
      )
    })
  })

  it("a release tag whose version is not Chart.yaml's: the Chart.yaml version line, the path written one way", async () => {
    await withWorkspace(async (ws) => {
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        eventName: 'push',
        ref: 'refs/tags/platform/temporal/v1.0.1',
        inputs: { registry: 'oci://127.0.0.1:9/charts', 'plain-http': 'true' }
      })
      expect(run.exitCode).toBe(1)
      const [error, ...more] = errorsAt(run)
      expect(more).toEqual([])
      expect(error).toEqual({
        file: 'platform/temporal/chart/Chart.yaml',
        line: String(await lineOf(path.join(ws.chart, 'Chart.yaml'), /^version: 1\.0\.0$/)),
        message:
          'tag platform/temporal/v1.0.1 has version 1.0.1, but platform/temporal/chart/Chart.yaml has version 1.0.0 — ' +
          'make them agree (version: 1.0.1 in platform/temporal/chart/Chart.yaml, or the tag v1.0.0), or set version-from-tag: true'
      })
    })
  })

  it("a YAML syntax error in the chart's values.yaml: its line and column, the line quoted", async () => {
    await withWorkspace(async (ws) => {
      // The issue's own shape: an unclosed quote on line 12 of the example's 136-line values.yaml (it was reported at
      // line 137, past the end of the file).
      const valuesYaml = path.join(ws.chart, 'values.yaml')
      const lines = (await readFile(valuesYaml, 'utf8')).split('\n')
      expect(lines[11]).toBe('      repository: temporalio/server')
      lines[11] = "      repository: 'temporalio/server"
      await writeFile(valuesYaml, lines.join('\n'))
      const run = await runBundledAction({ helm, workspace: ws.dir, repoUrl: servers.repo.url })
      expect(run.exitCode).toBe(1)
      const [error, ...more] = errorsAt(run)
      expect(more).toEqual([])
      expect(error).toMatchObject({ file: 'platform/temporal/chart/values.yaml', line: '12' })
      expect(error.message).toContain(
        "platform/temporal/chart/values.yaml:12: not valid YAML: Missing closing 'quote (column 19: `repository: 'temporalio/server`)"
      )
    })
  })

  it('an input that is not valid: the workflow line that sets it, before any report', async () => {
    await withWorkspace(async (ws) => {
      await mkdir(path.join(ws.dir, '.github', 'workflows'), { recursive: true })
      await writeFile(
        path.join(ws.dir, WORKFLOW),
        workflowText('platform/temporal').replace(
          'helm-version: v3.17.2',
          'helm-version: v3.17.2\n          push: maybe'
        )
      )
      const run = await runBundledAction({
        helm,
        workspace: ws.dir,
        repoUrl: servers.repo.url,
        inputs: { push: 'maybe' },
        env: { GITHUB_WORKFLOW_REF: WORKFLOW_REF }
      })
      expect(run.exitCode).toBe(1)
      expect(errorsAt(run)).toEqual([
        {
          file: WORKFLOW,
          line: '11',
          message: 'input push: "maybe" is not one of auto, true, false — set push to one of auto, true, false'
        }
      ])
    })
  })
})
