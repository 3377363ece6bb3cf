// Where the schema gate's CRDs come from, before any render: the chart's own `crds/` folder, the `crds/` folders of
// its bundled dependencies (archives under charts/, nested ones too, and unpacked folders), and input `crds`
// (globs of manifests in the workspace). CRDs a chart renders from its templates (cloudnative-pg's
// `templates/crds/` behind `crds.create`) are read from the renders themselves (gates/schema.ts).
import { readdir, readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { readTgzEntries } from '../chart/archive.js'
import { MAX_YAML_BYTES } from '../chart/yaml-source.js'
import { parseRenderAsHelm } from '../helm/render.js'
import { crdSchemas, type CrdSchema } from '../schema/crd.js'
import { globFiles } from './lint.js'

/** Helm reads these files of a `crds/` folder (chartutil's manifest extensions). */
const MANIFEST = /\.(ya?ml|json)$/i

/**
 * The CRDs of one manifest text (several documents), read as helm reads them (go-yaml's leniencies too); documents
 * that are not CRDs or do not parse are skipped.
 */
async function crdsOfText(text: string, origin: string): Promise<CrdSchema[]> {
  return (await parseRenderAsHelm(text)).documents.flatMap((doc) => crdSchemas(doc.object, origin))
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  const out: string[] = []
  for (const entry of entries) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...(await filesUnder(full)))
    else if (entry.isFile()) out.push(full)
  }
  return out.sort()
}

/** `crds/` files of an archive's chart and of the archives it bundles, recursively. */
async function archiveCrds(archive: Buffer, label: string, depth = 0): Promise<CrdSchema[]> {
  const entries = await readTgzEntries(archive, label)
  const out: CrdSchema[] = []
  for (const entry of entries) {
    // `<chart>/crds/x.yaml`, and `<chart>/charts/<dep>.tgz` (a dependency of the dependency).
    const parts = entry.name.replace(/^\.\//, '').split('/')
    if (parts[1] === 'crds' && parts.length >= 3 && MANIFEST.test(entry.name))
      out.push(...(await crdsOfText(entry.data.toString('utf8'), `${label}: ${entry.name}`)))
    else if (depth < 4 && parts[1] === 'charts' && parts.length === 3 && entry.name.endsWith('.tgz'))
      out.push(...(await archiveCrds(entry.data, `${label} > ${parts[2]}`, depth + 1)))
  }
  return out
}

/** The CRDs the chart ships in `crds/` folders: its own and its dependencies' (archives and unpacked folders). */
export async function chartCrds(chartDir: string, displayChartDir: string): Promise<CrdSchema[]> {
  const out: CrdSchema[] = []
  for (const file of await filesUnder(path.join(chartDir, 'crds'))) {
    if (!MANIFEST.test(file)) continue
    out.push(...(await crdsOfText(await readFile(file, 'utf8'), `${displayChartDir}/${path.relative(chartDir, file)}`)))
  }
  const charts = path.join(chartDir, 'charts')
  for (const entry of await readdir(charts, { withFileTypes: true }).catch(() => [])) {
    const full = path.join(charts, entry.name)
    if (entry.isFile() && entry.name.endsWith('.tgz'))
      out.push(...(await archiveCrds(await readFile(full), `charts/${entry.name}`)))
    else if (entry.isDirectory()) out.push(...(await chartCrds(full, `${displayChartDir}/charts/${entry.name}`)))
  }
  return out
}

/** Input `crds`: each glob (relative to the workspace) → the CRDs of the files it matches; a glob matching none is named. */
export async function inputCrds(
  workspace: string,
  globs: readonly string[]
): Promise<{ crds: CrdSchema[]; unmatched: string[]; tooLarge: string[] }> {
  const crds: CrdSchema[] = []
  const unmatched: string[] = []
  const tooLarge: string[] = []
  for (const glob of globs) {
    const matched = await globFiles(workspace, glob)
    if (matched.length === 0) unmatched.push(glob)
    for (const file of matched) {
      const full = path.join(workspace, file)
      // The limit of every YAML file the action reads (docs/threat-model.md): a bigger one is named, not read.
      if ((await stat(full)).size > MAX_YAML_BYTES) tooLarge.push(file)
      else crds.push(...(await crdsOfText(await readFile(full, 'utf8'), file)))
    }
  }
  return { crds, unmatched, tooLarge }
}
