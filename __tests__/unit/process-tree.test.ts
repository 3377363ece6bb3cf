import { describe, expect, it } from '@jest/globals'
import { parseProcStat } from '../../src/gates/process-tree.js'

describe('parseProcStat', () => {
  it('reads pid, parent, group, session, state and start time, whatever the command name holds', () => {
    const rest = 'S 100 200 300 0 -1 4194560 97 0 0 0 0 0 0 0 20 0 1 0 123456 4321 10 18446744073709551615'
    expect(parseProcStat(`4242 (sleep) ${rest}`)).toEqual({
      pid: 4242,
      comm: 'sleep',
      state: 'S',
      ppid: 100,
      pgrp: 200,
      session: 300,
      startTime: '123456'
    })
    // A name may hold spaces and parentheses: only the last ')' ends it.
    expect(parseProcStat(`77 (evil) Z 1 1 1 (x) ${rest}`)).toMatchObject({
      pid: 77,
      comm: 'evil) Z 1 1 1 (x',
      state: 'S',
      ppid: 100,
      startTime: '123456'
    })
    expect(parseProcStat('garbage')).toBeUndefined()
  })
})
