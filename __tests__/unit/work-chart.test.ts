// The work copy's Chart.yaml (chart/work-chart.ts versionEditedChartYaml): the committed text with only its version
// line edited, exactly the packaged Chart.yaml's data, made without the `yaml` library, or nothing when that cannot be
// shown.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse, parseDocument } from 'yaml'
import { versionEditedChartYaml } from '../../src/chart/work-chart.js'

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

describe('versionEditedChartYaml', () => {
  it('keeps the committed text when the version stays', () => {
    expect(versionEditedChartYaml(EXAMPLE)).toEqual({ text: EXAMPLE, data: packagedData(EXAMPLE) })
  })

  it.each([
    ['1.0.7', 'version: 1.0.7'],
    ['2.0.0-rc.1+build.5', 'version: 2.0.0-rc.1+build.5'],
    // Plain, these would be a number: quoted, so the version stays a string (what the package says).
    ['1.0', 'version: "1.0"'],
    ['010', 'version: "010"']
  ])('rewrites only the version line for %s, as yaml writes a string: %s', (version, line) => {
    const edited = versionEditedChartYaml(EXAMPLE, version)
    expect(edited).toBeDefined()
    const changed = edited!.text.split('\n').filter((text, i) => text !== EXAMPLE.split('\n')[i])
    expect(changed).toEqual([line])
    expect(edited!.data).toEqual(packagedData(EXAMPLE, version))
    expect(parse(edited!.text)).toEqual(packagedData(EXAMPLE, version))
  })

  it('keeps a comment after a plain version, and every other line as written (nothing refolded)', () => {
    const description = `description: ${'a long description, longer than the eighty columns yaml folds at, '.repeat(2)}end`
    const committed = `apiVersion: v2\nname: x\n${description}\nversion: 0.1.0 # bumped by CI\n`
    expect(versionEditedChartYaml(committed, '0.2.0')).toEqual({
      text: `apiVersion: v2\nname: x\n${description}\nversion: 0.2.0 # bumped by CI\n`,
      data: packagedData(committed, '0.2.0')
    })
    // The library would have refolded the long line: the user's text is what a chart test script reads.
    const doc = parseDocument(committed)
    doc.set('version', '0.2.0')
    expect(doc.toString()).not.toContain(description)
    // A comment after a quoted version is not told from the quotes: the line is written without it.
    expect(versionEditedChartYaml('name: x\nversion: "0.1.0" # q\n', '0.2.0')?.text).toBe('name: x\nversion: 0.2.0\n')
  })

  it.each([
    ['no version line at column 0', 'apiVersion: v2\nname: x\nmeta:\n  version: 1.0.0\n'],
    ['anchors', 'apiVersion: v2\nname: &n x\nversion: 1.0.0\nalias: *n\n'],
    ['a duplicate key', 'apiVersion: v2\nname: x\nversion: 1.0.0\nversion: 1.0.1\n'],
    ['a document marker', '---\napiVersion: v2\nname: x\nversion: 1.0.0\n'],
    ['not a mapping', '- a\n- b\n']
  ])('leaves %s to the library (its serialization is written)', (_name, committed) => {
    expect(versionEditedChartYaml(committed, '9.9.9')).toBeUndefined()
  })

  it('rewrites the top-level version, not a line of a block scalar that looks like one', () => {
    const committed = 'apiVersion: v2\nname: x\nversion: 1.0.0\nnotes: |\n  version: x\n'
    const edited = versionEditedChartYaml(committed, '9.9.9')
    expect(edited?.text).toBe('apiVersion: v2\nname: x\nversion: 9.9.9\nnotes: |\n  version: x\n')
    expect(parse(edited!.text)).toEqual(packagedData(committed, '9.9.9'))
  })
})
