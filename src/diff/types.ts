// Result types of the rendered diff against the base commit ("What changes").
// Part of the JSON report (ActionReport.diff); reporting turns them into text.

export interface ResourceChange {
  change: 'added' | 'removed' | 'changed'
  /** API group (`` for the core group), kind, namespace (`` when the render sets none), name. */
  group: string
  kind: string
  namespace: string
  name: string
  /** Lines added and removed in the diff. */
  lines: { added: number; removed: number }
  /** Secrets only: the `data`/`stringData` keys added, removed or changed (values are never shown). */
  secretKeys?: { added: string[]; removed: string[]; changed: string[] }
  /** Unified diff of the resource's YAML (Secret values replaced by placeholders). */
  diff: string
  /**
   * Set when the resource was too large to diff line by line within the diff's time budget (or needed more than
   * its edit cap): `diff` then shows the base lines removed and the head lines added, whole; the line counts here.
   */
  tooLarge?: { before: number; after: number }
}

export interface ImageChange {
  /** Image repository, e.g. `temporalio/server`. */
  repository: string
  /** Every reference of it in the base render, and in the head render (sorted). */
  before: string[]
  after: string[]
  /** Per `after` reference: pinned by `digest`, only by `tag`, or `untagged` (the runtime pulls `latest`). */
  pin: Array<'digest' | 'tag' | 'untagged'>
}

export interface RenderComparison {
  counts: { added: number; removed: number; changed: number; unchanged: number }
  /** Resources that differ only in version labels / checksum annotations, and how many such values changed in all. */
  noise: { resources: number; fields: number }
  resources: ResourceChange[]
  images: ImageChange[]
}

/** The "What changes" result: a comparison, or why there is none (a notice, never a failure). */
export interface RenderDiff {
  /** The commit rendered as the base, and what it is (e.g. `pull request base`). */
  base: { sha: string; label: string }
  status: 'compared' | 'unavailable'
  /** Why there is no comparison (status unavailable), or a note on it (e.g. the base had no blueprint). */
  message?: string
  /** True when the base commit has no such blueprint: every resource is added. */
  baseMissing?: boolean
  comparison?: RenderComparison
  /** The upstream chart version bundled at the base and at the head. */
  upstream?: { name: string; before?: string; after?: string }
  /** Path of the whole diff as a file (output `diff`). */
  file?: string
  durationMs: number
}
