// What `helm lint` is given for a pure wrapper: a chart with no `templates/`
// folder whose dependencies (under charts/ of the work copy) carry the payload.
//
// Helm 4 warns `[WARNING] templates/: directory does not exist` for such a chart,
// which fails `--strict`, and then lints no template at all: not its
// dependencies' either (the template rule returns before rendering). Helm 3 says
// nothing and renders the whole chart, dependencies included. Half of the real
// blueprints are pure wrappers, so the warning would fail them all under Helm 4
// while saying nothing about the chart. Linting the chart with an empty
// `templates/` folder makes both helms do what Helm 3 does: no warning, every
// dependency's template linted. The folder is added to a view of the work copy,
// never to the work copy itself (the package, the renders and the chart tests
// see the chart as it is). A chart with neither templates/ nor dependencies keeps
// Helm 4's warning: it has nothing to render.
import { copyFile, link, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises'
import path from 'node:path'

export interface LintTarget {
  /** The folder `helm lint` is given: the work copy, or a view of it with an empty templates/. */
  dir: string
  /** True when the chart has no templates/ and is linted through a view with an empty one. */
  pureWrapper: boolean
}

async function exists(file: string): Promise<boolean> {
  return lstat(file).then(
    () => true,
    () => false
  )
}

/** True when charts/ holds a dependency (an archive or an unpacked chart folder). */
async function hasBuiltDependency(chartDir: string): Promise<boolean> {
  const entries = await readdir(path.join(chartDir, 'charts'), { withFileTypes: true }).catch(() => [])
  return entries.some((e) => (e.isFile() && e.name.endsWith('.tgz')) || e.isDirectory())
}

/**
 * A read-only view of `from` at `to`: folders made, files hard-linked (copied
 * where the file system cannot link), links recreated verbatim (the work copy's
 * links are relative and stay inside it). Hard links are sound here: helm lint
 * only reads, and nothing else works in the view.
 */
async function linkTree(from: string, to: string): Promise<void> {
  await mkdir(to, { recursive: true })
  const entries = await readdir(from, { withFileTypes: true })
  await Promise.all(
    entries.map(async (entry) => {
      const source = path.join(from, entry.name)
      const target = path.join(to, entry.name)
      if (entry.isDirectory()) await linkTree(source, target)
      else if (entry.isSymbolicLink()) await symlink(await readlink(source), target)
      else if (entry.isFile()) await link(source, target).catch(() => copyFile(source, target))
    })
  )
}

/** The folder to lint: `chartDir` itself, or for a pure wrapper a view of it at `viewDir` with an empty templates/. */
export async function lintTarget(chartDir: string, viewDir: string): Promise<LintTarget> {
  // A templates/ that is there in any form (a file too: helm says so) is linted as it is.
  if ((await exists(path.join(chartDir, 'templates'))) || !(await hasBuiltDependency(chartDir)))
    return { dir: chartDir, pureWrapper: false }
  await rm(viewDir, { recursive: true, force: true })
  await linkTree(chartDir, viewDir)
  await mkdir(path.join(viewDir, 'templates'))
  return { dir: viewDir, pureWrapper: true }
}
