// Where an action input is set: the line of the workflow file that gives it (`blueprint: platform/temporl`), so an
// error about an input is annotated there. The workflow file is GITHUB_WORKFLOW_REF's path
// (`owner/repo/.github/workflows/ci.yml@refs/heads/main`), read from the checkout; nothing when it is not there
// (a workflow of another repository, no checkout, a local run) or does not set the input.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { ErrorLocation, SourceLocation } from '../types.js'

/** `.github/workflows/ci.yml` of GITHUB_WORKFLOW_REF (`owner/repo/.github/workflows/ci.yml@ref`). */
export function workflowFileOf(workflowRef: string | undefined): string | undefined {
  const file = /^[^/]+\/[^/]+\/(\.github\/workflows\/[^@]+\.ya?ml)@/.exec(workflowRef ?? '')?.[1]
  return file && !file.split('/').includes('..') ? file : undefined
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/**
 * Pure: the 1-based line of `text` (a workflow file) that sets input `name`, as a block (`name: value`) or flow
 * (`with: { name: value }`) mapping entry. With a value, the line giving that value (quoted or not) wins; else, or
 * when it is given by an expression (`${{ matrix.blueprint }}`), the first line setting the input.
 */
export function inputLine(text: string, name: string, value?: string): number | undefined {
  const key = new RegExp(`(?:^|[\\s{,])${escapeRegExp(name)}\\s*:(?:\\s|$)`)
  const lines = text.split(/\r?\n/)
  const setting = lines.flatMap((line, i) => (key.test(line.replace(/(^|\s)#.*$/, '')) ? [i] : []))
  if (setting.length === 0) return undefined
  if (value) {
    const given = new RegExp(
      `(?:^|[\\s{,])${escapeRegExp(name)}\\s*:\\s*(['"]?)${escapeRegExp(value)}\\1\\s*(?:[,}#]|$)`
    )
    const exact = setting.find((i) => given.test(lines[i]))
    if (exact !== undefined) return exact + 1
  }
  return setting[0] + 1
}

/** The workflow file's line that sets the input (relative to the workspace), when it can be found. */
function inputLocation(
  workspace: string,
  workflowFile: string | undefined,
  input: { input: string; value?: string }
): SourceLocation | undefined {
  if (!workflowFile) return undefined
  let text: string
  try {
    text = readFileSync(path.join(workspace, workflowFile), 'utf8')
  } catch {
    return undefined
  }
  const line = inputLine(text, input.input, input.value)
  return line === undefined ? undefined : { file: workflowFile, line }
}

/** An error's location as a place in a file: an input's is looked up in the workflow file. */
export function resolveLocation(
  at: ErrorLocation | undefined,
  workspace: string,
  workflowFile: string | undefined
): SourceLocation | undefined {
  if (!at) return undefined
  return 'input' in at ? inputLocation(workspace, workflowFile, at) : at
}
