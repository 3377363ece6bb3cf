// The project's own checks that `npm run lint` runs beside ESLint: scripts/import-count.mjs (the import bound and
// no import cycle). Each runs on a small tree of its own written here, and once on the real src/.
import { afterAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
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
    const { status, out } = importCount('--max', '8', '--allow', 'gates/index.ts=9')
    expect(out).not.toContain('cycle')
    expect(status).toBe(0)
  })
})
