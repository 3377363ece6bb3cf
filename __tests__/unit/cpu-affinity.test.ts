// Which CPUs the action keeps once the chart tests run (util/cpu-affinity.ts): the upper half of its own.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { actionCpus, keepToActionCpus, parseCpuList, restoreActionCpus } from '../../src/util/cpu-affinity.js'

const ownCpus = (): number[] =>
  parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '')

describe('parseCpuList (a Cpus_allowed_list value)', () => {
  it.each([
    ['0', [0]],
    ['0-1', [0, 1]],
    ['0-3,6', [0, 1, 2, 3, 6]],
    ['1,3-4\n', [1, 3, 4]]
  ])('%j', (list, cpus) => {
    expect(parseCpuList(list)).toEqual(cpus)
  })

  it.each(['', 'ff', '0-', 'a,b'])('%j is no list: nothing to narrow', (list) => {
    expect(parseCpuList(list)).toEqual([])
  })
})

describe('actionCpus', () => {
  it.each([
    [[0, 1], [1]],
    [[0, 1, 2], [2]],
    [
      [0, 1, 2, 3],
      [2, 3]
    ],
    [
      [4, 5, 6, 7, 9],
      [7, 9]
    ]
  ])('keeps the upper half of %j', (allowed, kept) => {
    expect(actionCpus(allowed)).toEqual(kept)
  })

  it('changes nothing with one CPU (or none known)', () => {
    expect(actionCpus([3])).toEqual([])
    expect(actionCpus([])).toEqual([])
  })
})

describe('keepToActionCpus, then restoreActionCpus (this process, for real)', () => {
  const all = process.platform === 'linux' ? ownCpus() : []
  const narrows = all.length >= 2

  it('narrows to the upper half while the scripts run, and gives every CPU back once they have ended', () => {
    expect(keepToActionCpus()).toBe(narrows)
    expect(ownCpus()).toEqual(narrows ? actionCpus(all) : all)
    restoreActionCpus()
    expect(ownCpus()).toEqual(all)
    // Once restored, a second restore changes nothing (nothing narrowed any more).
    restoreActionCpus()
    expect(ownCpus()).toEqual(all)
  })
})
