// The dependencies' default values (gates/dependency-values.ts), read from an unpacked charts/ folder: keyed by
// alias, parsed with positions when first asked for, and absent when they cannot be parsed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { loadDependencyValues } from '../../src/gates/dependency-values.js'

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
