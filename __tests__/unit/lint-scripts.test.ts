// The project's own checks that `npm run lint` runs beside ESLint: scripts/import-count.mjs (the import bound and
// no import cycle) and scripts/action-docs.mjs (README's inputs/outputs tables are action.yml's). Each runs on small
// trees of its own written here, and once on the project itself.
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { PROJECT_ROOT } from '../support/project-files.js'

const scratch = mkdtempSync(path.join(os.tmpdir(), 'lint-scripts-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** A tree of modules: path → text. */
function tree(name: string, files: Record<string, string>): string {
  const root = path.join(scratch, name)
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true })
    writeFileSync(path.join(root, file), text)
  }
  return root
}

function importCount(...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts/import-count.mjs'), ...args], {
    encoding: 'utf8'
  })
  return { status: run.status, out: run.stdout + run.stderr }
}

describe('scripts/import-count.mjs: no import cycle', () => {
  it('fails on a cycle made only of type imports, naming the chain', () => {
    // The shape issue 26 found: credentials → inputs (a type) → chart → credentials.
    const src = tree('type-cycle', {
      'credentials/credentials.ts': "import type { ActionInputs } from '../inputs/inputs.js'\nexport type C = 1\n",
      'inputs/inputs.ts': "import type { Mirror } from '../chart/upstream.js'\nexport interface ActionInputs {}\n",
      'chart/upstream.ts': "import type { C } from '../credentials/credentials.js'\nexport interface Mirror {}\n",
      'util/leaf.ts': 'export const x = 1\n'
    })
    const { status, out } = importCount('--src', src)
    expect(status).toBe(1)
    expect(out).toContain('1 import cycle(s)')
    expect(out).toContain(
      'src/chart/upstream.ts → src/credentials/credentials.ts → src/inputs/inputs.ts → src/chart/upstream.ts (3 modules in the cycle)'
    )
  })

  it('fails on two modules that import each other through a re-export, and on each cycle apart', () => {
    const src = tree('two-cycles', {
      'gates/contract.ts': "import type { T } from './observability.js'\nexport type U = T\n",
      'gates/observability.ts': "export type { U } from './contract.js'\nexport type T = 1\n",
      'a.ts': "import { b } from './b.js'\nexport const a = b\n",
      'b.ts': "export const b = 1\nexport const later = () => import('./a.js')\n"
    })
    const { status, out } = importCount('--src', src)
    expect(status).toBe(1)
    expect(out).toContain('2 import cycle(s)')
    expect(out).toContain('src/a.ts → src/b.ts → src/a.ts')
    expect(out).toContain('src/gates/contract.ts → src/gates/observability.ts → src/gates/contract.ts')
  })

  it('passes a tree whose imports go one way', () => {
    const src = tree('one-way', {
      'inputs/inputs.ts': "import type { Mirror } from '../chart/mirrors.js'\nexport interface ActionInputs {}\n",
      'chart/mirrors.ts': 'export interface Mirror {}\n',
      'credentials/credentials.ts': 'interface CredentialInputs {}\nexport type C = CredentialInputs\n'
    })
    expect(importCount('--src', src)).toMatchObject({ status: 0 })
  })

  it("passes the project's src/ (npm run lint's bound and allowance)", () => {
    const { status, out } = importCount('--max', '8', '--allow', 'gates/index.ts=10')
    expect(out).not.toContain('cycle')
    expect(status).toBe(0)
  })
})

function actionDocs(...args: string[]): { status: number | null; out: string } {
  const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'scripts/action-docs.mjs'), ...args], {
    encoding: 'utf8'
  })
  return { status: run.status, out: run.stdout + run.stderr }
}

const ACTION_YML = `name: x
inputs:
  chart:
    description: 'Chart folder. Default: \`<blueprint>/chart\`.'
    default: ''
  image-policy:
    description: 'How images are pinned: \`sha\` | \`digest\`.'
    default: 'sha'
  upstream:
    description: 'The upstream dependency.'
    default: ''
outputs:
  digest-ref:
    description: 'The artifact by digest.'
`
const README = `# x

## Which dependency is the upstream

## Inputs

<!-- inputs: generated from action.yml by \`npm run docs\`; edit action.yml, not this table -->
<!-- end of inputs -->

## Outputs

<!-- outputs: generated from action.yml by \`npm run docs\`; edit action.yml, not this table -->
<!-- end of outputs -->

## Never \`:latest\`

## Chart tests run the chart's code

## What changes: the rendered diff against the base

## Chart.lock and release re-runs

## Which image fields are judged
`
const READS = "read('chart'); read('image-policy'); read('upstream')\n"

/** A README, action.yml and inputs source of their own, for --readme/--action/--inputs-source. */
function docsProject(name: string, files: { action?: string; readme?: string; reads?: string } = {}) {
  const dir = tree(name, {
    'action.yml': files.action ?? ACTION_YML,
    'README.md': files.readme ?? README,
    'inputs.ts': files.reads ?? READS
  })
  const options = [
    '--readme',
    `${dir}/README.md`,
    '--action',
    `${dir}/action.yml`,
    '--inputs-source',
    `${dir}/inputs.ts`
  ]
  return { dir, options, readme: () => readFileSync(path.join(dir, 'README.md'), 'utf8') }
}

describe('scripts/action-docs.mjs: the README tables from action.yml', () => {
  it("passes the project's README.md and action.yml (npm run lint)", () => {
    const { status, out } = actionDocs('--check')
    expect(out).toBe('')
    expect(status).toBe(0)
  })

  it('writes the rows: the default, a trailing "Default:" sentence as the default, pipes escaped, section links', () => {
    const project = docsProject('docs-write')
    expect(actionDocs('--check', ...project.options).status).toBe(1)
    expect(actionDocs(...project.options)).toMatchObject({ status: 0 })
    const readme = project.readme()
    expect(readme).toContain('| input | default | what it does |\n| --- | --- | --- |\n')
    expect(readme).toContain('| `chart` | `<blueprint>/chart` | Chart folder. |')
    expect(readme).toContain('| `image-policy` | `sha` | How images are pinned: `sha` \\| `digest`. |')
    expect(readme).toContain(
      '| `upstream` |  | The upstream dependency. See [Which dependency is the upstream](#which-dependency-is-the-upstream). |'
    )
    expect(readme).toContain('| output | what it holds |\n| --- | --- |\n| `digest-ref` | The artifact by digest. |\n')
    // Written once, the check passes; a second write changes nothing.
    expect(actionDocs('--check', ...project.options)).toMatchObject({ status: 0 })
    actionDocs(...project.options)
    expect(project.readme()).toBe(readme)
  })

  it('fails when a row is edited in README.md instead of action.yml, naming the row and the command', () => {
    const project = docsProject('docs-edited')
    actionDocs(...project.options)
    writeFileSync(
      path.join(project.dir, 'README.md'),
      project.readme().replace('| `chart` | `<blueprint>/chart` |', '| `chart` | `chart` |')
    )
    const { status, out } = actionDocs('--check', ...project.options)
    expect(status).toBe(1)
    expect(out).toContain("README.md's inputs/outputs tables are not what action.yml says (rows `chart`)")
    expect(out).toContain('run `npm run docs`')
  })

  it('fails on an input src/inputs/inputs.ts never reads, and on a table without its markers', () => {
    const unread = docsProject('docs-unread', { reads: "read('chart'); read('upstream')\n" })
    actionDocs(...unread.options)
    const { status, out } = actionDocs('--check', ...unread.options)
    expect(status).toBe(1)
    expect(out).toContain('input image-policy of action.yml is never read by')

    const unmarked = docsProject('docs-unmarked', { readme: README.replace(/<!-- end of outputs -->\n/, '') })
    const missing = actionDocs('--check', ...unmarked.options)
    expect(missing.status).toBe(1)
    expect(missing.out).toContain("README.md: the outputs table's markers are missing")
  })
})
