import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { loadBlueprint } from '../../src/chart/blueprint.js'

let workspace: string

beforeAll(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'blueprint-unit-'))
})
afterAll(async () => {
  await rm(workspace, { recursive: true, force: true })
})

async function blueprintWithName(name: string): Promise<string> {
  const dir = `platform/${Math.random().toString(36).slice(2)}`
  await mkdir(path.join(workspace, dir, 'chart'), { recursive: true })
  await writeFile(
    path.join(workspace, dir, 'chart', 'Chart.yaml'),
    `apiVersion: v2\nname: ${JSON.stringify(name)}\nversion: 1.0.0\n`
  )
  return dir
}

describe('loadBlueprint chart name', () => {
  it.each(['bp-temporal', 'bp.temporal', 'bp_temporal', 'temporal2', 'a--b', 'MyChart'])('accepts %s', async (name) => {
    const dir = await blueprintWithName(name)
    await expect(loadBlueprint(workspace, dir, `${dir}/chart`)).resolves.toMatchObject({
      chartYaml: { data: { name } }
    })
  })

  it.each(['../../etc', 'bp/temporal', '-bp', '.hidden', 'bp..x', 'bp temporal', ''])(
    'refuses %j, naming the file, line and value',
    async (name) => {
      const dir = await blueprintWithName(name)
      await expect(loadBlueprint(workspace, dir, `${dir}/chart`)).rejects.toThrow(
        `${dir}/chart/Chart.yaml:2: chart name "${name}" is not a valid chart name`
      )
    }
  )
})

describe('loadBlueprint manifest', () => {
  it('gives blueprint.yaml as its typed model, and none for a chart-only folder', async () => {
    const dir = await blueprintWithName('bp-typed')
    expect((await loadBlueprint(workspace, dir, `${dir}/chart`)).manifest).toBeUndefined()
    await writeFile(
      path.join(workspace, dir, 'blueprint.yaml'),
      'metadata:\n  name: bp-typed\nspec:\n  version: 1.0.0\n  depends: [bp-cnpg]\n'
    )
    const { manifest } = await loadBlueprint(workspace, dir, `${dir}/chart`)
    expect(manifest).toMatchObject({ file: `${dir}/blueprint.yaml`, name: 'bp-typed', version: '1.0.0' })
    expect(manifest?.depends.map((d) => d.blueprint)).toEqual(['bp-cnpg'])
    expect(manifest?.lineOf(['spec', 'depends', 0])).toBe(5)
  })
})

describe('loadBlueprint with a blueprint.yaml that does not parse', () => {
  it('keeps the error for the contract step instead of stopping', async () => {
    const dir = await blueprintWithName('bp-broken-catalog')
    await writeFile(path.join(workspace, dir, 'blueprint.yaml'), 'metadata:\n  name: [unclosed\n')
    const blueprint = await loadBlueprint(workspace, dir, `${dir}/chart`)
    expect(blueprint.manifest).toBeUndefined()
    expect(blueprint.manifestError?.message).toMatch(new RegExp(`^${dir}/blueprint\\.yaml:\\d+: not valid YAML`))
    expect(blueprint.chartYaml.data.name).toBe('bp-broken-catalog')
  })
})
