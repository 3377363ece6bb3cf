// The event payload file (GITHUB_EVENT_PATH) read by run/event.ts: a file that is not JSON is an error naming it
// and saying what to do (issue 23.11), not "unexpected error: Unexpected end of JSON input".
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { readEventContext } from '../../src/run/event.js'
import { ActionError } from '../../src/types.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'bp-event-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function eventFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name)
  await writeFile(file, text)
  return file
}

describe('readEventContext', () => {
  it('reads a pull request payload', async () => {
    const file = await eventFile('pr.json', JSON.stringify({ pull_request: { number: 7, head: { sha: 'abc' } } }))
    const event = readEventContext({ GITHUB_EVENT_PATH: file, GITHUB_EVENT_NAME: 'pull_request' })
    expect(event.payload).toEqual({ pull_request: { number: 7, head: { sha: 'abc' } } })
  })

  it.each([
    [
      'cut short',
      '{"pull_request": {"number": 7',
      /^the event payload \S+cut-short\.json \(GITHUB_EVENT_PATH\) is not JSON: /
    ],
    ['empty', '', /^the event payload \S+empty\.json \(GITHUB_EVENT_PATH\) is not JSON: .*\(the file is empty\)$/],
    ['an array', '[1, 2]', /^the event payload \S+an-array\.json \(GITHUB_EVENT_PATH\) is not a JSON object$/]
  ])('a payload file %s is an error naming the file, with what to do', async (name, text, message) => {
    const file = await eventFile(`${name.replace(/ /g, '-')}.json`, text)
    let error: unknown
    try {
      readEventContext({ GITHUB_EVENT_PATH: file })
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ActionError)
    expect((error as ActionError).message).toMatch(message)
    expect((error as ActionError).message).toContain(file)
    expect((error as ActionError).hint).toMatch(/GITHUB_EVENT_PATH/)
  })
})
