#!/usr/bin/env node
// The README's Inputs and Outputs tables, generated from action.yml: action.yml is the one source of every input's
// name, default and wording. `npm run docs` rewrites the tables between their markers in README.md;
// `--check` (run by `npm run lint`) fails when README.md is not what action.yml gives, and when action.yml names an
// input src/inputs/inputs.ts never reads. A new input or output: write it in action.yml, run `npm run docs`.
//
// A row: `name` | default | the description. The default is action.yml's `default`; when that is empty and the
// description ends with a sentence `Default: …`, that sentence is the default column (what an empty input means,
// e.g. `<blueprint>/chart`). SEE_ALSO links a row to the README section that says more, and the check fails when
// that section is gone.
//
// Options: --check; --readme FILE, --action FILE, --inputs-source FILE (other files; the script's test uses them).
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const option = (name, fallback) => {
  const i = args.indexOf(name)
  return i >= 0 ? path.resolve(args[i + 1] ?? '') : fallback
}
const check = args.includes('--check')
const readmeFile = option('--readme', path.join(root, 'README.md'))
const actionFile = option('--action', path.join(root, 'action.yml'))
const inputsSource = option('--inputs-source', path.join(root, 'src/inputs/inputs.ts'))

/** Input or output → the README heading (as GitHub makes its anchor) of the section that says more. */
const SEE_ALSO = {
  upstream: 'Which dependency is the upstream',
  'never-latest': 'Never `:latest`',
  'chart-tests': "Chart tests run the chart's code",
  diff: 'What changes: the rendered diff against the base',
  'repository-mirrors': 'Chart.lock and release re-runs',
  'image-fields': 'Which image fields are judged'
}

const TABLES = [
  { key: 'inputs', header: '| input | default | what it does |\n| --- | --- | --- |' },
  { key: 'outputs', header: '| output | what it holds |\n| --- | --- |' }
]
const begin = (key) => `<!-- ${key}: generated from action.yml by \`npm run docs\`; edit action.yml, not this table -->`
const end = (key) => `<!-- end of ${key} -->`

function fail(message) {
  console.error(message)
  process.exit(1)
}

/** GitHub's anchor of a heading: lowercase, punctuation dropped, spaces to dashes. */
function anchor(heading) {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/ /g, '-')
}

/** A table cell: one line, `|` escaped (GFM reads `\|` as a pipe, in code spans too). */
function cell(text) {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim()
}

function row(name, entry, withDefault) {
  let description = String(entry?.description ?? '').trim()
  if (!description) fail(`${path.basename(actionFile)}: ${name} has no description`)
  let shownDefault = ''
  if (withDefault) {
    const literal = entry.default === undefined || entry.default === null ? '' : String(entry.default)
    if (literal !== '') shownDefault = `\`${literal}\``
    else {
      const implied = /(?:^|\s)Default: ([^\n]*?)\.?$/.exec(description)
      if (implied) {
        shownDefault = implied[1]
        description = description.slice(0, implied.index).trim()
      }
    }
  }
  const see = SEE_ALSO[name]
  if (see) description += ` See [${see}](#${anchor(see)}).`
  return withDefault
    ? `| \`${name}\` | ${cell(shownDefault)} | ${cell(description)} |`
    : `| \`${name}\` | ${cell(description)} |`
}

const action = parse(readFileSync(actionFile, 'utf8'))
const tables = {
  inputs: Object.entries(action.inputs ?? {}).map(([name, entry]) => row(name, entry, true)),
  outputs: Object.entries(action.outputs ?? {}).map(([name, entry]) => row(name, entry, false))
}

const readme = readFileSync(readmeFile, 'utf8')
let generated = readme
for (const { key, header } of TABLES) {
  const from = generated.indexOf(begin(key))
  const to = generated.indexOf(end(key))
  if (from < 0 || to < from)
    fail(`${path.basename(readmeFile)}: the ${key} table's markers are missing; put these two lines where it goes:
${begin(key)}
${end(key)}`)
  generated = generated.slice(0, from) + `${begin(key)}\n${header}\n${tables[key].join('\n')}\n` + generated.slice(to)
}

const problems = []
const headings = new Set([...readme.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1].trim())))
for (const [name, heading] of Object.entries(SEE_ALSO)) {
  if (!headings.has(anchor(heading)))
    problems.push(
      `the row of ${name} links to the README section "${heading}", which is not there (scripts/action-docs.mjs SEE_ALSO)`
    )
}
const source = readFileSync(inputsSource, 'utf8')
for (const name of Object.keys(action.inputs ?? {})) {
  if (!source.includes(`'${name}'`))
    problems.push(
      `input ${name} of action.yml is never read by ${path.relative(root, inputsSource)}: read it there, once`
    )
}

if (check) {
  if (generated !== readme) {
    const have = new Set(readme.split('\n'))
    const differ = generated
      .split('\n')
      .filter((line) => line.startsWith('| `') && !have.has(line))
      .map((line) => line.split('|')[1].trim())
    problems.unshift(
      `${path.basename(readmeFile)}'s inputs/outputs tables are not what action.yml says` +
        (differ.length ? ` (rows ${differ.join(', ')})` : '') +
        ': action.yml is the source; run `npm run docs` and commit README.md'
    )
  }
} else if (generated !== readme) {
  writeFileSync(readmeFile, generated)
  console.log(`${path.relative(root, readmeFile)}: inputs and outputs tables written from action.yml`)
}
if (problems.length) fail(problems.join('\n'))
