// The project's own chart files (the example, the fixtures, the bench's blueprints), for tests that hold a
// reader to what the `yaml` library says on every one of them.
import { readdirSync } from 'node:fs'
import path from 'node:path'

export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..', '..')

/** Files whose name matches `name` under examples/, __tests__/fixtures/ and bench/blueprints/ (templates/ left out). */
export function projectChartFiles(name: RegExp): string[] {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory() && entry.name !== 'node_modules' && entry.name !== 'templates') walk(full)
      else if (entry.isFile() && name.test(entry.name)) files.push(full)
    }
  }
  for (const dir of ['examples', '__tests__/fixtures', 'bench/blueprints']) walk(path.join(PROJECT_ROOT, dir))
  return files
}
