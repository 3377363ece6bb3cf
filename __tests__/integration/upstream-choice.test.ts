// Which dependencies are library charts, read from a real chart repository's
// index.yaml (built with `helm package` + `helm repo index`) and from a
// file:// chart folder; and the upstream chosen from that.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { loadBlueprint } from '../../src/chart/blueprint.js'
import { chooseUpstream, libraryDependencies } from '../../src/chart/upstream-choice.js'
import { helmsUnderTest, REPO_ROOT } from '../support/e2e.js'
import { useServers } from '../support/servers.js'

const LIBRARY = path.join(REPO_ROOT, '__tests__', 'fixtures', 'library-common')

describe('library dependencies', () => {
  const servers = useServers(helmsUnderTest()[1], {
    repo: { extraCharts: [{ source: LIBRARY, versions: ['1.0.0'] }] },
    registry: false
  })
  let ws: string

  beforeAll(async () => {
    ws = await mkdtemp(path.join(os.tmpdir(), 'bp-choice-'))
    await cp(LIBRARY, path.join(ws, 'libs', 'local-common'), { recursive: true })
  })
  afterAll(async () => {
    if (ws) await rm(ws, { recursive: true, force: true })
  })

  async function blueprintWith(dependencies: string, values = '') {
    const chart = path.join(ws, 'platform', 'x', 'chart')
    await cp(
      path.join(REPO_ROOT, 'examples', 'platform', 'anthropic-adapter', 'chart', 'templates'),
      path.join(chart, 'templates'),
      { recursive: true }
    )
    await writeFile(
      path.join(chart, 'Chart.yaml'),
      `apiVersion: v2\nname: bp-x\nversion: 1.0.0\ndependencies:\n${dependencies}`
    )
    await writeFile(path.join(chart, 'values.yaml'), values)
    return loadBlueprint(ws, 'platform/x', 'platform/x/chart')
  }

  it('reads type: library from the repository index and a file:// chart, and picks the only other dependency', async () => {
    const bp = await blueprintWith(
      `  - name: common\n    version: "^1"\n    repository: ${servers.repo.url}\n` +
        `  - name: temporal\n    version: 1.2.0\n    repository: ${servers.repo.url}\n` +
        `  - name: common\n    alias: local\n    version: 1.0.0\n    repository: file://../../../libs/local-common\n`
    )
    const libraries = await libraryDependencies(bp, { mirrors: [] })
    expect([...libraries]).toEqual(['common'])
    expect(chooseUpstream(bp, '', libraries)).toMatchObject({
      kind: 'dependency',
      source: 'only-dependency',
      dependency: { name: 'temporal' }
    })
  })

  it('makes a chart whose only dependency is a library a scratch blueprint', async () => {
    const bp = await blueprintWith(`  - name: common\n    version: 1.0.0\n    repository: ${servers.repo.url}\n`)
    expect(chooseUpstream(bp, '', await libraryDependencies(bp, { mirrors: [] }))).toMatchObject({ kind: 'scratch' })
  })
})
