// The work copy's Chart.yaml for the dependency build (chart/work-chart.ts standInChartYaml): a text with exactly the
// packaged Chart.yaml's data, made without the `yaml` library, or nothing when that cannot be shown.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse, parseDocument } from 'yaml'
import { standInChartYaml } from '../../src/chart/work-chart.js'

/** The packaged data: the committed file with the version set, as the library reads it. */
const packagedData = (committed: string, version?: string): unknown => {
  const doc = parseDocument(committed)
  if (version) doc.set('version', version)
  return doc.toJS()
}

const EXAMPLE = readFileSync(
  path.resolve(import.meta.dirname, '..', '..', 'examples/platform/temporal/chart/Chart.yaml'),
  'utf8'
)

describe('standInChartYaml', () => {
  it('keeps the committed text when the version stays', () => {
    expect(standInChartYaml(EXAMPLE)).toEqual({ text: EXAMPLE, data: packagedData(EXAMPLE) })
  })

  it.each(['1.0.7', '2.0.0-rc.1+build.5', '1.0', '010'])(
    'rewrites only the version line for %s, as a string (what the package says)',
    (version) => {
      const standIn = standInChartYaml(EXAMPLE, version)
      expect(standIn).toBeDefined()
      const changed = standIn!.text.split('\n').filter((line, i) => line !== EXAMPLE.split('\n')[i])
      expect(changed).toEqual([`version: "${version}"`])
      expect(standIn!.data).toEqual(packagedData(EXAMPLE, version))
      expect(parse(standIn!.text)).toEqual(packagedData(EXAMPLE, version))
    }
  )

  it('drops a comment on the version line (the packaged text replaces the stand-in after the build)', () => {
    const committed = 'apiVersion: v2\nname: x\nversion: 0.1.0 # bumped by CI\n'
    expect(standInChartYaml(committed, '0.2.0')).toEqual({
      text: 'apiVersion: v2\nname: x\nversion: "0.2.0"\n',
      data: packagedData(committed, '0.2.0')
    })
  })

  it.each([
    ['no version line at column 0', 'apiVersion: v2\nname: x\nmeta:\n  version: 1.0.0\n'],
    ['anchors', 'apiVersion: v2\nname: &n x\nversion: 1.0.0\nalias: *n\n'],
    ['a duplicate key', 'apiVersion: v2\nname: x\nversion: 1.0.0\nversion: 1.0.1\n'],
    ['a document marker', '---\napiVersion: v2\nname: x\nversion: 1.0.0\n'],
    ['not a mapping', '- a\n- b\n']
  ])('leaves %s to the library (the packaged text is written at once)', (_name, committed) => {
    expect(standInChartYaml(committed, '9.9.9')).toBeUndefined()
  })

  it('rewrites the top-level version, not a line of a block scalar that looks like one', () => {
    const committed = 'apiVersion: v2\nname: x\nversion: 1.0.0\nnotes: |\n  version: x\n'
    const standIn = standInChartYaml(committed, '9.9.9')
    expect(standIn?.text).toBe('apiVersion: v2\nname: x\nversion: "9.9.9"\nnotes: |\n  version: x\n')
    expect(parse(standIn!.text)).toEqual(packagedData(committed, '9.9.9'))
  })
})
