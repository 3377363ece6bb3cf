// Input repository-mirrors as a rule of chart repositories: a repository URL rewritten by the longest matching
// mirror prefix (resolution, dependency build, archive digests). Pure; imports nothing from src/, so inputs/ can
// parse into its type without depending on the chart modules that use it.

/** One line of input repository-mirrors: a repository URL and the mirror that serves it. */
export interface RepositoryMirror {
  from: string
  to: string
}

/** Rewrites a repository URL by the longest matching mirror prefix. */
export function applyMirrors(url: string, mirrors: readonly RepositoryMirror[]): string {
  const trimmed = url.replace(/\/+$/, '')
  let best: RepositoryMirror | undefined
  for (const mirror of mirrors) {
    if (
      (trimmed === mirror.from || trimmed.startsWith(`${mirror.from}/`)) &&
      (!best || mirror.from.length > best.from.length)
    )
      best = mirror
  }
  return best ? best.to + trimmed.slice(best.from.length) : trimmed
}
