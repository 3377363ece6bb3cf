// The typed model of blueprint.yaml, the catalog entry of a blueprint (`metadata.name`, `spec.version`,
// `spec.manifests.chart`, `spec.depends`), read from its parsed YAML. Pure: no I/O, no positions parsed up front.
// Every field keeps its YAML path; `lineOf(path)` gives its line in the file (yaml-source.ts: parsed on the first
// ask, so a run that finds nothing wrong never pays for positions). Wrong types are `problems`, never a throw: the
// contract gate (and discover) decide what they mean.
import path from 'node:path'
import type { YamlSource } from './yaml-source.js'

/** A path into the YAML document, as `YamlSource.lineOf` takes it. */
export type YamlPath = readonly (string | number)[]

export const MANIFEST_PATHS = {
  name: ['metadata', 'name'],
  version: ['spec', 'version'],
  chart: ['spec', 'manifests', 'chart'],
  depends: ['spec', 'depends']
} as const satisfies Record<string, YamlPath>

/** One `spec.depends` entry, in either form the monorepo writes. */
interface BlueprintDependency {
  /** The named blueprint (its `metadata.name`, e.g. `bp-cnpg`). */
  blueprint: string
  /** The semver range the entry asks for (mapping form only), as written, e.g. `^1`. */
  version?: string
  alias?: string
  /**
   * `mapping`: `{blueprint: bp-cnpg, version: ^1, alias: db}` (`name:` is read as `blueprint:`); `name`: a bare
   * `bp-cert-manager`.
   */
  form: 'mapping' | 'name'
  /** Where the entry stands: `['spec', 'depends', index]`. */
  path: YamlPath
}

/** Something in blueprint.yaml of the wrong shape: where, what, and what to write instead. */
interface ManifestProblem {
  path: YamlPath
  message: string
  fix: string
}

export interface BlueprintManifest {
  /** blueprint.yaml as shown to people, e.g. `platform/temporal/blueprint.yaml`. */
  file: string
  apiVersion?: string
  kind?: string
  /** `metadata.name` (the blueprint's catalog name, e.g. `bp-temporal`). */
  name?: string
  /** `spec.version` as written (a YAML number is read as its text). */
  version?: string
  /** `spec.manifests.chart` as written, e.g. `./chart`. */
  chart?: string
  depends: BlueprintDependency[]
  /** Fields of the wrong type and malformed `spec.depends` entries (the field is then left out). */
  problems: ManifestProblem[]
  /** 1-based line of the value (or key) at `path` in the file, e.g. `lineOf(MANIFEST_PATHS.version)`. */
  lineOf(path: YamlPath): number | undefined
}

const isMapping = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

/** A scalar as text: a string as it is, a number (YAML reads `version: 1.0` as one) as JavaScript prints it. */
const scalarText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined

/** The manifest from a parsed blueprint.yaml. */
export function readBlueprintManifest(source: YamlSource<unknown>): BlueprintManifest {
  const file = source.displayPath
  const problems: ManifestProblem[] = []
  const manifest: BlueprintManifest = {
    file,
    depends: [],
    problems,
    lineOf: (at) => source.lineOf(at)
  }
  const root = source.data
  if (!isMapping(root)) {
    problems.push({
      path: [],
      message: `${file}: the top level must be a mapping (apiVersion, kind, metadata, spec)`,
      fix: `write ${file} as a Blueprint: apiVersion: catalyst.openova.io/v1alpha1, kind: Blueprint, metadata.name, spec.version`
    })
    return manifest
  }
  const text = (at: YamlPath, value: unknown, example: string): string | undefined => {
    if (value === undefined || value === null) return undefined
    const read = scalarText(value)
    if (read === undefined || read.trim() === '') {
      problems.push({
        path: at,
        message: `${at.join('.')} must be a non-empty string, not ${describe(value)}`,
        fix: `write ${at.join('.')}: ${example} in ${file}`
      })
      return undefined
    }
    return read.trim()
  }
  const mapping = (at: YamlPath, value: unknown): Record<string, unknown> | undefined => {
    if (value === undefined || value === null) return undefined
    if (isMapping(value)) return value
    problems.push({
      path: at,
      message: `${at.join('.')} must be a mapping, not ${describe(value)}`,
      fix: `fix ${at.join('.')} in ${file}`
    })
    return undefined
  }
  manifest.apiVersion = scalarText(root.apiVersion)
  manifest.kind = scalarText(root.kind)
  const metadata = mapping(['metadata'], root.metadata)
  const spec = mapping(['spec'], root.spec)
  manifest.name = text(MANIFEST_PATHS.name, metadata?.name, 'bp-<name>')
  manifest.version = text(MANIFEST_PATHS.version, spec?.version, '1.0.0')
  const manifests = mapping(['spec', 'manifests'], spec?.manifests)
  manifest.chart = text(MANIFEST_PATHS.chart, manifests?.chart, './chart')
  manifest.depends = readDepends(spec?.depends, file, problems)
  return manifest
}

function readDepends(value: unknown, file: string, problems: ManifestProblem[]): BlueprintDependency[] {
  if (value === undefined || value === null) return []
  const at = MANIFEST_PATHS.depends
  if (!Array.isArray(value)) {
    problems.push({
      path: at,
      message: `spec.depends must be a list, not ${describe(value)}`,
      fix: `write spec.depends as a list of blueprints: [{blueprint: bp-cnpg, version: ^1}] or [bp-cert-manager] in ${file}`
    })
    return []
  }
  const depends: BlueprintDependency[] = []
  for (const [index, entry] of value.entries()) {
    const entryPath = [...at, index]
    const bare = scalarText(entry)
    if (bare !== undefined && bare.trim() !== '') {
      depends.push({ blueprint: bare.trim(), form: 'name', path: entryPath })
      continue
    }
    // `blueprint:` is the catalog's key; some blueprints write `name:` (this repository's example does).
    const named = isMapping(entry) ? scalarText(entry.blueprint ?? entry.name) : undefined
    if (!isMapping(entry) || named === undefined || named.trim() === '') {
      problems.push({
        path: entryPath,
        message: isMapping(entry)
          ? `spec.depends[${index}] names no blueprint (a mapping needs blueprint: <name>, or name: <name>)`
          : `spec.depends[${index}] must be a blueprint name or a mapping {blueprint, version, alias}, not ${describe(entry)}`,
        fix: `write spec.depends[${index}] as {blueprint: bp-<name>, version: ^1} or as a bare bp-<name> in ${file}`
      })
      continue
    }
    const dependency: BlueprintDependency = { blueprint: named.trim(), form: 'mapping', path: entryPath }
    for (const field of ['version', 'alias'] as const) {
      const raw = entry[field]
      if (raw === undefined || raw === null) continue
      const read = scalarText(raw)
      if (read === undefined || read.trim() === '') {
        problems.push({
          path: [...entryPath, field],
          message: `spec.depends[${index}].${field} must be a non-empty string, not ${describe(raw)}`,
          fix:
            field === 'version'
              ? `write the range as a string, e.g. version: "^1", in ${file}`
              : `write alias: <name> as a string in ${file}`
        })
        continue
      }
      dependency[field] = read.trim()
    }
    depends.push(dependency)
  }
  return depends
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (isMapping(value)) return 'a mapping'
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : `"${value}"`
  return `${typeof value} ${JSON.stringify(value)}`
}

/**
 * The chart folder `spec.manifests.chart` names, relative to the workspace (`/`-separated): the blueprint folder
 * joined with it. `undefined` when it leaves the blueprint folder or is the folder itself (then the blueprint's
 * default `<dir>/chart` applies, and the contract gate says why).
 */
export function manifestChartDir(dir: string, chart: string): string | undefined {
  const base = toPosix(dir) || '.'
  const named = toPosix(chart.trim())
  if (path.posix.isAbsolute(named)) return undefined
  const joined = path.posix.normalize(path.posix.join(base, named)).replace(/\/+$/, '')
  if (joined === base) return undefined
  // A blueprint at the workspace's root (`.`): anything below it that does not climb out.
  if (base === '.') return joined === '..' || joined.startsWith('../') ? undefined : joined
  return joined.startsWith(`${base}/`) ? joined : undefined
}

const toPosix = (p: string): string => p.replace(/\\/g, '/').replace(/\/+$/, '')
