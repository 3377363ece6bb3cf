// What the schema gate (gates/schema.ts) is given by the run: inputs kubernetes-version, crds and missing-schemas, and
// where the blueprints spec.depends names are found and how their dependency archives are fetched (the run's own
// build's way: mirrors, index cache, credentials).
import type { ArchiveFetchOptions } from '../chart/archive-fetch.js'
import type { ChartDependency } from '../chart/blueprint.js'
import type { BlueprintManifest } from '../chart/blueprint-manifest.js'
import type { WorkspaceIndex } from '../chart/workspace-index.js'
import type { CrdSchema } from '../schema/crd.js'
import type { KubeVersion } from '../schema/kube-versions.js'
import type { Finding } from '../types.js'

/** Inputs kubernetes-version, crds and missing-schemas, as the schema gate needs them. */
export interface SchemaSettings {
  kubeVersion: KubeVersion
  /** Input missing-schemas: how a rendered kind without a schema counts. */
  missingSchemas: 'warning' | 'error' | 'off'
  /** Input crds: globs relative to the workspace. */
  crdGlobs: string[]
  workspace: string
  /** The blueprints spec.depends names, rendered for their CRDs (gates/schema-depends.ts); absent: none. */
  depends?: DependsSettings
}

/** The run's spec.depends and how the blueprints it names are built. */
export interface DependsSettings {
  /** The run's blueprint.yaml (its spec.depends, and their lines for findings). */
  manifest: BlueprintManifest
  /** The run's blueprint folder, relative to the workspace: a spec.depends naming itself is not rendered twice. */
  ownDir: string
  /** The workspace's blueprints (chart/workspace-index.ts), read once per run. */
  index: () => Promise<WorkspaceIndex>
  /** How the run's own dependency build reached its repositories. */
  fetch: ArchiveFetchOptions
  /** The run's own build: its archives under charts/ are read instead of fetched again. */
  ownBuild?: { chartDir: string; dependencies: readonly ChartDependency[]; built: Readonly<Record<string, string>> }
}

/** What rendering one depends blueprint gave: its CRDs, or the warning saying why there are none. */
export interface DependsRender {
  name: string
  dir: string
  crds: CrdSchema[]
  /** Build (archives fetched and placed) and render, wall time. */
  durationMs: number
  /** The helm process (`helm template`) alone; absent when the build failed before it. */
  helmMs?: number
  /** Rendered in one `helm template` with the other depends blueprints (gates/schema-depends-jobs.ts), not alone. */
  together?: boolean
  /** Archives this build downloaded (the others were read from the run's cache or its own charts/). */
  downloads: number
  problem?: Finding
}
