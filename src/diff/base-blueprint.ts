// The blueprint as of the base commit: its folders copied out of git (no
// checkout: the user's tree is never touched) and loaded as the head's is;
// undefined when the base has no chart there (a new blueprint: all is added).
import path from 'node:path'
import { loadBlueprint, type Blueprint } from '../chart/blueprint.js'
import { exists } from '../util/files.js'
import { copyTree, ensureCommit } from './git-tree.js'

export async function loadBaseBlueprint(
  options: { workspace: string; blueprint: string; chart: string },
  sha: string,
  tree: string
): Promise<Blueprint | undefined> {
  await ensureCommit(options.workspace, sha)
  const folders = [...new Set([options.blueprint, options.chart])]
  await copyTree(options.workspace, sha, folders, tree)
  try {
    return await loadBlueprint(tree, options.blueprint, options.chart)
  } catch (error) {
    if (!(await exists(path.join(tree, options.chart, 'Chart.yaml')))) return undefined
    throw error
  }
}
