// The runner's folders outside a runner (a local run, @github/local-action): a folder of the action's own, never the
// bare temp folder (issue 26.12).
import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ensureRunnerFolders } from '../../src/util/runner-env.js'

const tmp = mkdtempSync(path.join(os.tmpdir(), 'runner-env-'))
afterAll(() => rmSync(tmp, { recursive: true, force: true }))

describe('ensureRunnerFolders', () => {
  it("without RUNNER_TEMP: <tmp>/blueprint-action (and its tool-cache), made for the action's files only", () => {
    const env: NodeJS.ProcessEnv = {}
    expect(ensureRunnerFolders(env, tmp)).toBe(path.join(tmp, 'blueprint-action'))
    expect(env).toEqual({
      RUNNER_TEMP: path.join(tmp, 'blueprint-action'),
      RUNNER_TOOL_CACHE: path.join(tmp, 'blueprint-action', 'tool-cache')
    })
    expect(statSync(env.RUNNER_TEMP!).isDirectory()).toBe(true)
    expect(statSync(env.RUNNER_TEMP!).mode & 0o077).toBe(0)
    expect(statSync(env.RUNNER_TOOL_CACHE!).isDirectory()).toBe(true)
  })

  it("keeps the runner's folders when they exist; replaces one that does not", () => {
    const env: NodeJS.ProcessEnv = { RUNNER_TEMP: tmp, RUNNER_TOOL_CACHE: path.join(tmp, 'missing') }
    expect(ensureRunnerFolders(env, tmp)).toBe(tmp)
    expect(env.RUNNER_TOOL_CACHE).toBe(path.join(tmp, 'blueprint-action', 'tool-cache'))
  })
})
