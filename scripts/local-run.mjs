#!/usr/bin/env node
// `npm run local`: the main job on the bundled example blueprint, on this
// machine, against loopback servers it starts itself: a chart repository
// serving the stand-in upstream `temporal` chart, and a real OCI registry.
// Prints the summary and the pushed reference and digest; stops everything.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runAction, DIST_ENTRY } from '../testkit/action-runner.mjs'
import { startChartRepo } from '../testkit/chart-repo.mjs'
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
const repo = await startChartRepo({ helm })
const registry = await startRegistry()
let exitCode = 1
try {
  console.log(`chart repository ${repo.url} (stand-in for https://go.temporal.io/helm-charts), registry ${registry.oci}, helm ${major}`)
  const result = await runAction({
    workspace: path.join(root, 'examples'),
    eventName: 'workflow_dispatch',
    inputs: {
      blueprint: 'platform/temporal',
      upstream: 'temporal',
      registry: `${registry.oci}/blueprints`,
      push: 'true',
      'plain-http': 'true',
      'repository-mirrors': `https://go.temporal.io/helm-charts=${repo.url}`,
      'helm-version': major === 'v4' ? 'v4.1.4' : 'v3.17.2',
      'github-token': ''
    },
    env: { PATH: `${path.dirname(helm)}${path.delimiter}${process.env.PATH}` }
  })
  exitCode = result.exitCode
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
  console.log(`\npushed ${result.outputs.ref ?? '(nothing)'} digest ${result.outputs.digest || '(none)'} in ${result.durationMs} ms, exit ${exitCode}`)
} finally {
  await Promise.all([repo.close(), registry.stop()])
}
process.exit(exitCode)
