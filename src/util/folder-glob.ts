// Folder globs over the workspace (`platform/*`, `products/*`, `**` for any depth): the folders a pattern
// matches, walked segment by segment with the one glob engine (glob.ts). Hidden folders match only a pattern
// segment that starts with a dot; node_modules and .git are never entered.
import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { segmentMatcher } from './glob.js'

const SKIP_DIRS = new Set(['node_modules', '.git'])
/** How deep `**` walks: a monorepo's blueprints are a few levels down, never a dozen. */
const MAX_DEPTH = 12

async function subdirectories(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true })
    return entries.filter((e) => e.isDirectory()).map((e) => e.name)
  } catch {
    return []
  }
}

/** The folders (relative to `workspace`, `/`-separated) a folder glob matches; `*`, `?`, `[…]` within a segment. */
export async function expandFolderGlob(workspace: string, pattern: string): Promise<string[]> {
  const segments = pattern.split('/').filter((s) => s !== '' && s !== '.')
  const out: string[] = []
  const walk = async (rel: string, i: number, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH) return
    if (i === segments.length) {
      out.push(rel)
      return
    }
    const seg = segments[i]
    const abs = path.join(workspace, rel)
    if (seg === '**') {
      await walk(rel, i + 1, depth)
      for (const name of await subdirectories(abs)) {
        if (name.startsWith('.') || SKIP_DIRS.has(name)) continue
        await walk(rel ? `${rel}/${name}` : name, i, depth + 1)
      }
      return
    }
    if (!/[*?[]/.test(seg)) {
      await walk(rel ? `${rel}/${seg}` : seg, i + 1, depth + 1)
      return
    }
    const matches = segmentMatcher(seg)
    for (const name of await subdirectories(abs)) {
      if ((name.startsWith('.') && !seg.startsWith('.')) || SKIP_DIRS.has(name)) continue
      if (matches(name)) await walk(rel ? `${rel}/${name}` : name, i + 1, depth + 1)
    }
  }
  await walk('', 0, 0)
  return out
}
