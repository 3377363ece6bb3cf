// The report scenarios a reviewer meets, run with the bundled action against
// real loopback servers (chart repository, OCI registry, recording GitHub
// stand-in): a passing PR, a failing PR (unpinned images, an observability
// toggle defaulting to true, an own image tag that is empty without
// `required`), a release, and a PR with many unpinned images. Used by the
// report integration tests and by `npm run preview` (screenshots).
import { execFileSync } from 'node:child_process'
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { prPayload, runAction } from './action-runner.mjs'
import { startChartRepo } from './chart-repo.mjs'
import { EXAMPLE_DEPENDS } from './example-charts.mjs'
import { idTokenEnv, startGitHubApi } from './github-api.mjs'
import { startRegistry } from './registry.mjs'
import { startSigstore } from './sigstore.mjs'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
export const EXAMPLE = path.join(ROOT, 'examples', 'platform', 'temporal')
export const UPSTREAM_URL = 'https://go.temporal.io/helm-charts'
export const TOKEN = 'ghs_scenario-token-0123456789'
export const HEAD_SHA = '3f2c1d9e8b7a6f5e4d3c2b1a09f8e7d6c5b4a392'

/** The servers every scenario shares; `close()` stops them all. */
export async function startScenarioServers({ helm }) {
  const [repo, registry, api, sigstore] = await Promise.all([
    // The example's spec.depends blueprints' upstream charts too: the schema gate renders them for their CRDs.
    startChartRepo({ helm, extraCharts: EXAMPLE_DEPENDS.map((example) => example.chart) }),
    startRegistry(),
    startGitHubApi(),
    startSigstore()
  ])
  return {
    repo,
    registry,
    api,
    sigstore,
    close: () => Promise.all([repo.close(), registry.stop(), api.stop(), sigstore.stop()]).then(() => undefined)
  }
}

/**
 * A throwaway workspace with platform/temporal copied from the example (and the
 * blueprints its spec.depends names), changed by `edit(chartDir)`. Chart.yaml and values.yaml name the loopback chart
 * repository directly (the path users take: no repository-mirrors).
 */
export async function scenarioWorkspace(servers, edit) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-scenario-'))
  const chart = path.join(dir, 'platform', 'temporal', 'chart')
  await cp(EXAMPLE, path.join(dir, 'platform', 'temporal'), {
    recursive: true,
    filter: (file) => !/\/chart\/(charts|Chart\.lock)(\/|$)/.test(file)
  })
  for (const file of ['Chart.yaml', 'values.yaml']) {
    await editFile(path.join(chart, file), (text) => text.split(UPSTREAM_URL).join(servers.repo.url))
  }
  // The blueprints the example's spec.depends names, beside it as in the monorepo (and in `npm run local`).
  for (const example of EXAMPLE_DEPENDS) {
    const target = path.join(dir, example.dir)
    await cp(path.join(ROOT, 'examples', example.dir), target, {
      recursive: true,
      filter: (file) => !/\/chart\/(charts|Chart\.lock)(\/|$)/.test(file)
    })
    for (const file of ['Chart.yaml', 'values.yaml'])
      await editFile(path.join(target, 'chart', file), (text) => text.split(example.upstream).join(servers.repo.url))
  }
  // A git repository: the example is the base commit, the scenario's edit the
  // head, so a PR scenario also shows "What changes" against its base.
  git(dir, 'init', '-q', '-b', 'main')
  const baseSha = commitAll(dir, 'base')
  if (edit) await edit(chart)
  commitAll(dir, 'head')
  return { dir, chart, baseSha, remove: () => rm(dir, { recursive: true, force: true }) }
}

// Fixed identities and dates: the same scenario gives the same commits, so a
// re-run of a PR scenario in a new workspace has the same base (and comment).
const GIT_ENV = {
  GIT_AUTHOR_NAME: 't',
  GIT_AUTHOR_EMAIL: 't@example.invalid',
  GIT_COMMITTER_NAME: 't',
  GIT_COMMITTER_EMAIL: 't@example.invalid',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z'
}

function git(cwd, ...args) {
  return execFileSync('git', args, { cwd, env: { ...process.env, ...GIT_ENV }, encoding: 'utf8' }).trim()
}

function commitAll(cwd, message) {
  git(cwd, 'add', '-A')
  git(cwd, 'commit', '-q', '--allow-empty', '-m', message)
  return git(cwd, 'rev-parse', 'HEAD')
}

/** The base commit of a scenario workspace (the example before the scenario's edit). */
function baseCommitOf(workspace) {
  try {
    return git(workspace, 'rev-parse', 'HEAD~1')
  } catch {
    return 'a'.repeat(40)
  }
}

async function editFile(file, change) {
  await writeFile(file, change(await readFile(file, 'utf8')))
}

/**
 * The failing PR: an own debug pod on busybox:latest; the upstream UI image's
 * digest dropped (set through temporal.web.image in values.yaml); the upstream
 * admin-tools image left to the subchart's default (no digest there); the
 * overlay's ServiceMonitor toggle defaulting to true; an own worker image whose
 * empty tag renders (no `required`), its container with a misspelled field.
 */
export async function failingEdits(chart) {
  await editFile(path.join(chart, 'values.yaml'), (text) =>
    text
      .replace(/(\n {2}web:[\s\S]*?tag: 2\.34\.0\n)\s+digest: sha256:[0-9a-f]+\n/, '$1')
      .replace(/\n {2}admintools:\n {4}image:\n( {6}.*\n)+/, '\n')
      .replace(/(\n {2}serviceMonitor:\n {4}enabled: )false/, '$1true')
      .replace(
        /\ncatalystOverlay:\n/,
        '\ncatalystOverlay:\n  # The team\'s own worker; CI sets the tag.\n  worker:\n    image:\n      repository: ghcr.io/openova-io/temporal-worker\n      tag: ""\n\n'
      )
  )
  await writeFile(
    path.join(chart, 'templates', 'debug-pod.yaml'),
    [
      'apiVersion: v1',
      'kind: Pod',
      'metadata:',
      '  name: debug',
      'spec:',
      '  containers:',
      '    - name: shell',
      '      image: busybox:latest',
      ''
    ].join('\n')
  )
  await writeFile(
    path.join(chart, 'templates', 'worker.yaml'),
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: {{ .Release.Name }}-worker',
      'spec:',
      '  selector: { matchLabels: { app: worker } }',
      '  template:',
      '    metadata: { labels: { app: worker } }',
      '    spec:',
      '      containers:',
      '        - name: worker',
      '          image: "{{ .Values.catalystOverlay.worker.image.repository }}{{ with .Values.catalystOverlay.worker.image.tag }}:{{ . }}{{ end }}"',
      '          imagePullPolcy: IfNotPresent',
      ''
    ].join('\n')
  )
}

/** `count` Deployments of the blueprint's own, each on its own unpinned image. */
export function manyImagesEdit(count) {
  return async (chart) => {
    await writeFile(
      path.join(chart, 'templates', 'many.yaml'),
      [
        `{{- range $i := until ${count} }}`,
        '---',
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: app-{{ $i }}',
        'spec:',
        '  selector: { matchLabels: { app: "app-{{ $i }}" } }',
        '  template:',
        '    metadata: { labels: { app: "app-{{ $i }}" } }',
        '    spec:',
        '      containers:',
        '        - name: app',
        '          image: registry.example.com/team/app-{{ $i }}:1.0.{{ $i }}',
        '{{- end }}',
        ''
      ].join('\n')
    )
  }
}

/**
 * Runs the bundled action once. `pr`: a pull_request event for that PR number;
 * else `tag`: a push of that tag. Returns the run, the PR's comments after it,
 * and the API requests this run made.
 */
export async function runScenario(servers, { helm, helmVersion, workspace, pr, tag, inputs = {} }) {
  const before = servers.api.requests.length
  const event = pr
    ? {
        eventName: 'pull_request',
        ref: `refs/pull/${pr}/merge`,
        payload: prPayload(pr, baseCommitOf(workspace), HEAD_SHA)
      }
    : { eventName: 'push', ref: `refs/tags/${tag}`, payload: { ref: `refs/tags/${tag}` } }
  // A release job with `id-token: write`, signing with the loopback Sigstore instance: the release is attested.
  const attesting = pr
    ? { inputs: {}, env: {} }
    : {
        inputs: { 'fulcio-url': servers.sigstore.url, 'tsa-url': servers.sigstore.url },
        env: idTokenEnv(servers.api)
      }
  const run = await runAction({
    workspace,
    ...event,
    inputs: {
      blueprint: 'platform/temporal',
      'helm-version': helmVersion,
      registry: `${servers.registry.oci}/charts`,
      'plain-http': 'true',
      'github-token': TOKEN,
      ...attesting.inputs,
      ...inputs
    },
    env: {
      PATH: `${path.dirname(helm)}${path.delimiter}${process.env.PATH ?? ''}`,
      SOURCE_DATE_EPOCH: '1700000000',
      GITHUB_API_URL: servers.api.url,
      GITHUB_SHA: HEAD_SHA,
      ...attesting.env
    }
  })
  const requests = servers.api.requests.slice(before)
  const comments = pr ? servers.api.commentsOn(pr) : []
  return { run, requests, comments, comment: comments[0]?.body }
}
