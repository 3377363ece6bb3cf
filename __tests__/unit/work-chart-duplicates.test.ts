// A Chart.yaml that writes a key twice (issue 29.1): the work copy is made as helm reads the file (the later value
// counts), never refused by the yaml library, and a packaged version edit lands on the key helm reads (the last).
import { describe, expect, it } from '@jest/globals'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { loadBlueprint } from '../../src/chart/blueprint.js'
import { prepareWorkChart } from '../../src/chart/work-chart.js'

const CHART_YAML = 'apiVersion: v2\nname: bp-twice\nversion: 0.1.0\ndescription: first\nversion: 0.2.0\n'

async function workChart(version?: string): Promise<{ text: string; data: Record<string, unknown> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'bp-work-twice-'))
  try {
    await mkdir(path.join(root, 'platform/twice/chart/templates'), { recursive: true })
    await writeFile(path.join(root, 'platform/twice/chart/Chart.yaml'), CHART_YAML)
    const blueprint = await loadBlueprint(root, 'platform/twice', 'platform/twice/chart')
    const { work } = await prepareWorkChart({ blueprint, workRoot: path.join(root, 'work'), version })
    const text = work.chartYamlText
    return { text, data: parse(text, { uniqueKeys: false }) as Record<string, unknown> }
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

describe('the work copy of a Chart.yaml with a key written twice', () => {
  it('is made, with the later value as helm reads it', async () => {
    expect((await workChart()).data.version).toBe('0.2.0')
  })

  it('takes a packaged version on the key helm reads (the last)', async () => {
    const { text, data } = await workChart('3.0.0')
    expect(data.version).toBe('3.0.0')
    expect(text).toContain('version: 0.1.0') // the earlier one is left, as written (the Chart files step names it)
  })
})
