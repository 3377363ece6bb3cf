// Copies the user's chart folder into the private work copy. The folder itself
// is dereferenced (a symlinked chart or blueprint folder gives a real copy, so
// nothing the run writes can reach the user's tree), and every link inside it
// is checked: a link whose target leaves the chart folder is refused (it would
// publish that file), a link inside it is recreated relative, pointing into the
// copy, so helm treats it as it would in the user's tree.
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, symlinkSync } from 'node:fs'
import path from 'node:path'
import { ActionError } from '../types.js'
import { compareCodePoints } from '../util/text.js'

export interface CopyChartOptions {
  /** Absolute path of the chart folder in the user's tree (may itself be a link). */
  source: string
  /** Absolute path of the copy; must not exist yet. */
  destination: string
  /** The chart folder as the user names it (relative to the workspace), for messages. */
  displayDir: string
  /** Entries (relative to the chart folder, `/`-separated) left out of the copy. */
  exclude?: (relative: string) => boolean
}

/** Whether `target` is `root` or inside it (both absolute, normalized). */
function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target)
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative))
}

/**
 * Where a link points, as an absolute path with every link on the way resolved;
 * for a dangling link, the nearest existing parent resolved and the rest appended.
 */
function resolveLinkTarget(link: string): string {
  const lexical = path.resolve(path.dirname(link), readlinkSync(link))
  try {
    return realpathSync(lexical)
  } catch {
    let existing = path.dirname(lexical)
    const rest = [path.basename(lexical)]
    for (;;) {
      try {
        return path.join(realpathSync(existing), ...rest)
      } catch {
        if (path.dirname(existing) === existing) return lexical
        rest.unshift(path.basename(existing))
        existing = path.dirname(existing)
      }
    }
  }
}

function linkLeavesChart(displayDir: string, relative: string, rawTarget: string): ActionError {
  return new ActionError(
    `${path.join(displayDir, relative)} is a symbolic link to ${rawTarget}, which is outside the chart folder ${displayDir}`,
    'a link that leaves the chart would publish that file: copy the file into the chart, or remove the link'
  )
}

/**
 * Throws the same error as copyChartFolder for the first link that leaves the
 * chart, without copying: run before any file of the chart is read, so that
 * a values.yaml linked to /etc/passwd is never parsed (nor quoted in an error).
 */
export function assertLinksStayInside(source: string, displayDir: string): void {
  const root = realpathSync(source)
  const walk = (relativeDir: string): void => {
    const entries = readdirSync(path.join(root, relativeDir), { withFileTypes: true })
    entries.sort((a, b) => compareCodePoints(a.name, b.name))
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name
      if (entry.isSymbolicLink()) {
        const link = path.join(root, relative)
        const target = resolveLinkTarget(link)
        if (!isInside(root, target)) throw linkLeavesChart(displayDir, relative, readlinkSync(link))
      } else if (entry.isDirectory()) walk(relative)
    }
  }
  walk('')
}

/**
 * Copies the chart folder; throws an ActionError naming the first link that leaves it. Synchronous: a chart is
 * a few dozen small files, and the copy is on the way to the dependency build, so it is done in one go rather
 * than one event-loop turn per file behind the index fetch and the rest of the run's start (issue 15).
 */
export function copyChartFolder(options: CopyChartOptions): void {
  const root = realpathSync(options.source)
  const exclude = options.exclude ?? (() => false)
  mkdirSync(options.destination, { recursive: true })
  const walk = (relativeDir: string): void => {
    const entries = readdirSync(path.join(root, relativeDir), { withFileTypes: true })
    entries.sort((a, b) => compareCodePoints(a.name, b.name))
    for (const entry of entries) {
      const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name
      if (exclude(relative)) continue
      const from = path.join(root, relative)
      const to = path.join(options.destination, relative)
      const stat = lstatSync(from)
      if (stat.isSymbolicLink()) {
        const target = resolveLinkTarget(from)
        if (!isInside(root, target)) {
          throw linkLeavesChart(options.displayDir, relative, readlinkSync(from))
        }
        // Same place, relative to the copy: never back into the user's tree.
        const inCopy = path.join(options.destination, path.relative(root, target))
        symlinkSync(path.relative(path.dirname(to), inCopy) || '.', to)
      } else if (stat.isDirectory()) {
        mkdirSync(to, { recursive: true })
        walk(relative)
      } else if (stat.isFile()) {
        copyFileSync(from, to)
      }
      // Sockets, FIFOs and devices are not chart content: left out.
    }
  }
  walk('')
}
