#!/usr/bin/env node
// `npm run local`: the main job on both bundled example blueprints (the
// umbrella platform/temporal and the scratch platform/anthropic-adapter), on
// this machine, against loopback servers it starts itself: a chart repository
// serving the stand-in upstream charts (`temporal`; `cloudnative-pg` and
// `cert-manager`, the upstreams of examples/platform/cnpg and cert-manager,
// which platform/temporal's spec.depends names: the schema gate renders them
// for their CRDs) and the library chart `common`, and a real OCI registry.
// Prints each summary and the pushed reference and digest; stops everything.
// Exits non-zero when either fails.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runAction, DIST_ENTRY } from '../testkit/action-runner.mjs'
import { startChartRepo } from '../testkit/chart-repo.mjs'
import { EXAMPLE_DEPENDS } from '../testkit/example-charts.mjs'
import { helmBinaries } from '../testkit/helm-binaries.mjs'
import { ensureRegistryInstalled, startRegistry } from '../testkit/registry.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const major = process.env.HELM_MAJOR === '4' ? 'v4' : 'v3'

if (!existsSync(DIST_ENTRY)) {
  console.error('dist/index.js is missing: run `npm run build` first')
  process.exit(1)
}
ensureRegistryInstalled()
const helm = (await helmBinaries())[major]
const repo = await startChartRepo({
  helm,
  extraCharts: [
    { source: path.join(root, '__tests__', 'fixtures', 'library-common'), versions: ['1.0.0'] },
    ...EXAMPLE_DEPENDS.map((example) => example.chart)
  ]
})
const mirrors = [
  `https://go.temporal.io/helm-charts=${repo.url}`,
  `https://charts.openova.io/library=${repo.url}`,
  ...EXAMPLE_DEPENDS.map((example) => `${example.upstream}=${repo.url}`)
]
// The scratch blueprint's own image is built by CI, which sets its tag (any commit SHA here).
const BLUEPRINTS = [
  { blueprint: 'platform/temporal', set: '' },
  { blueprint: 'platform/anthropic-adapter', set: 'adapter.image.tag=0123456789abcdef0123456789abcdef01234567' }
]
const registry = await startRegistry()
let exitCode = 0
try {
  console.log(
    `chart repository ${repo.url} (stand-in for ${mirrors.map((mirror) => mirror.split('=')[0]).join(', ')}), registry ${registry.oci}, helm ${major}`
  )
  for (const { blueprint, set } of BLUEPRINTS) {
    console.log(`\n════ ${blueprint} ════`)
    const result = await runAction({
      workspace: path.join(root, 'examples'),
      eventName: 'workflow_dispatch',
      inputs: {
        blueprint,
        upstream: '',
        set,
        registry: `${registry.oci}/blueprints`,
        push: 'true',
        'plain-http': 'true',
        'repository-mirrors': mirrors.join('\n'),
        'github-token': ''
      },
      // helm-version as action.yml leaves it (empty): the helm first on PATH, this one.
      env: { PATH: `${path.dirname(helm)}${path.delimiter}${process.env.PATH}` }
    })
    if (result.exitCode !== 0) exitCode = result.exitCode
    process.stdout.write(result.stdout)
    process.stderr.write(result.stderr)
    console.log('\n──── job summary ────\n' + result.summary)
    console.log('──── outputs ────')
    for (const [name, value] of Object.entries(result.outputs)) console.log(`${name}: ${value}`)
    if (result.sbom) {
      // The runner's temp folder (where report and SBOM were written) is gone with the run: show what the SBOM held.
      const bom = JSON.parse(result.sbom)
      console.log(`\n──── SBOM (CycloneDX ${bom.specVersion}) ────`)
      for (const c of bom.components) console.log(`${c.type.padEnd(11)} ${c.name} ${c.version ?? ''}`)
    }
    console.log(
      `\n${blueprint}: pushed ${result.outputs.ref ?? '(nothing)'} digest ${result.outputs.digest || '(none)'} in ${result.durationMs} ms, exit ${result.exitCode}`
    )
  }
} finally {
  await Promise.all([repo.close(), registry.stop()])
}
process.exit(exitCode)
