// The dependencies' default values (gates/dependency-values.ts), read from an unpacked charts/ folder: keyed by
// alias, parsed with positions when first asked for, and absent when they cannot be parsed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { writeHelmTgz } from '../../src/chart/archive.js'
import { coalesceValues, loadDependencyValues } from '../../src/gates/dependency-values.js'

let chartDir: string

beforeAll(async () => {
  chartDir = await mkdtemp(path.join(os.tmpdir(), 'bp-dep-values-'))
  await writeFile(
    path.join(chartDir, 'Chart.yaml'),
    'apiVersion: v2\nname: bp\nversion: 1.0.0\ndependencies:\n  - name: temporal\n    alias: t\n    version: 1.2.0\n  - name: broken\n    version: 1.0.0\n'
  )
  await mkdir(path.join(chartDir, 'charts', 'temporal'), { recursive: true })
  await writeFile(
    path.join(chartDir, 'charts', 'temporal', 'values.yaml'),
    'server:\n  image:\n    repository: temporalio/server\n    tag: 1.2.0\n'
  )
  await mkdir(path.join(chartDir, 'charts', 'broken'), { recursive: true })
  await writeFile(path.join(chartDir, 'charts', 'broken', 'values.yaml'), 'a: [unclosed\n')
})
afterAll(async () => {
  await rm(chartDir, { recursive: true, force: true })
})

describe('loadDependencyValues', () => {
  it('keys values by alias, with the lines of their keys', async () => {
    const values = await loadDependencyValues(chartDir)
    expect(values.has('temporal')).toBe(false) // the umbrella's key is the alias
    expect(values.has('t')).toBe(true)
    const t = values.get('t')!
    expect(t.displayPath).toBe('charts/temporal/values.yaml')
    expect(t.data).toEqual({ server: { image: { repository: 'temporalio/server', tag: '1.2.0' } } })
    expect(t.lineOf(['server', 'image', 'tag'])).toBe(4)
    expect(values.get('t')).toBe(t) // parsed once
  })

  it('leaves out values that do not parse, and charts it cannot find', async () => {
    const values = await loadDependencyValues(chartDir)
    expect(values.has('broken')).toBe(false)
    expect(values.get('broken')).toBeUndefined()
    expect(values.has('missing')).toBe(false)
  })
})

describe('nested charts, as helm reads their values', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bp-dep-nested-'))
    await writeFile(
      path.join(dir, 'Chart.yaml'),
      'apiVersion: v2\nname: bp\nversion: 1.0.0\ndependencies:\n  - name: provider\n    alias: fleet\n    version: 1.0.0\n'
    )
    // The provider chart packaged (an archive in charts/), its subchart `agent` unpacked inside under the alias
    // nodeAgent, and a second subchart `probe` as an archive of its own inside the archive.
    const nested = path.join(dir, 'probe.tgz')
    await writeHelmTgz(
      nested,
      [
        { name: 'probe/Chart.yaml', data: Buffer.from('apiVersion: v2\nname: probe\nversion: 0.1.0\n') },
        { name: 'probe/values.yaml', data: Buffer.from('image: {repository: ghcr.io/acme/probe, tag: 0.1.0}\n') }
      ],
      1700000000
    )
    await mkdir(path.join(dir, 'charts'))
    await writeHelmTgz(
      path.join(dir, 'charts', 'provider-1.0.0.tgz'),
      [
        {
          name: 'provider/Chart.yaml',
          data: Buffer.from(
            'apiVersion: v2\nname: provider\nversion: 1.0.0\ndependencies:\n  - name: agent\n    alias: nodeAgent\n    version: 0.3.0\n  - name: probe\n    version: 0.1.0\n'
          )
        },
        {
          name: 'provider/values.yaml',
          data: Buffer.from('global: {imageRegistry: ""}\nnodeAgent:\n  tag: 0.3.1\ncontroller: {image: {tag: ""}}\n')
        },
        {
          name: 'provider/charts/agent/Chart.yaml',
          data: Buffer.from('apiVersion: v2\nname: agent\nversion: 0.3.0\n')
        },
        {
          name: 'provider/charts/agent/values.yaml',
          data: Buffer.from('image: quay.io/acme/node-agent\ntag: 0.3.0\nglobal: {imageRegistry: own}\n')
        },
        { name: 'provider/charts/probe-0.1.0.tgz', data: await readFile(nested) }
      ],
      1700000000
    )
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it("puts each subchart's defaults under its alias, the parent's values and globals over them", async () => {
    const fleet = (await loadDependencyValues(dir)).get('fleet')!
    expect(fleet.displayPath).toBe('charts/provider/values.yaml')
    expect(fleet.data).toEqual({
      global: { imageRegistry: '' },
      controller: { image: { tag: '' } },
      nodeAgent: { image: 'quay.io/acme/node-agent', tag: '0.3.1', global: { imageRegistry: '' } },
      probe: { image: { repository: 'ghcr.io/acme/probe', tag: '0.1.0' }, global: { imageRegistry: '' } }
    })
  })

  it('coalesces as helm does: the override wins, maps merge, a null removes the key', () => {
    expect(coalesceValues({ a: { b: 1, c: 2 }, d: [1], e: 1 }, { a: { b: 3 }, d: [2], e: null })).toEqual({
      a: { b: 3, c: 2 },
      d: [2]
    })
  })
})
