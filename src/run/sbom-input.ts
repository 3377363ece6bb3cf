// What the SBOM describes (report/sbom.ts builds it): the packaged chart, the charts bundled at the versions
// built, the images of the default render, the package's time. Assembled once the chart is packaged and its
// default render checked; written after publishing, so it names the digest that was pushed (or found there).
import type { ChartMetadata } from '../chart/blueprint.js'
import type { WorkChart } from '../chart/work-chart.js'
import { buildSbom, writeSbom, type SbomInput } from '../report/sbom.js'
import type { PublishInfo } from '../types.js'
import { ACTION_NAME } from '../util/action-name.js'

export type SbomContent = Omit<SbomInput, 'artifact'>

export interface SbomSources {
  work: Pick<WorkChart, 'name' | 'version' | 'dependencies'>
  /** Chart.yaml of the blueprint (appVersion, description). */
  chartMeta: Pick<ChartMetadata, 'appVersion'> & { description?: unknown }
  /** Exact versions the dependency build put in charts/. */
  built: Record<string, string>
  images: SbomInput['images']
  /** The package's time (commit time), in seconds. */
  epoch: number
  /** The action's version (GITHUB_ACTION_REF), or `unreleased`. */
  toolVersion?: string
}

/** Pure: the SBOM's content from what the run already has. */
export function sbomContent(sources: SbomSources): SbomContent {
  const { work, chartMeta, built } = sources
  return {
    chart: {
      name: work.name,
      version: work.version,
      appVersion: chartMeta.appVersion,
      description: typeof chartMeta.description === 'string' ? chartMeta.description : undefined
    },
    dependencies: work.dependencies.map((dep) => ({
      name: dep.name,
      version: built[dep.name] ?? dep.version,
      repository: dep.repository
    })),
    images: sources.images,
    timestamp: new Date(sources.epoch * 1000).toISOString(),
    tool: { name: ACTION_NAME, version: sources.toolVersion || 'unreleased' }
  }
}

/** The published artifact the SBOM names: only with a digest (pushed, or found already there). */
export function sbomArtifact(publish: PublishInfo | undefined): SbomInput['artifact'] {
  return publish?.digest ? { ref: publish.ref, digest: publish.digest } : undefined
}

/** Writes the SBOM into `dir`; returns its path. */
export function writeRunSbom(content: SbomContent, publish: PublishInfo | undefined, dir: string): Promise<string> {
  return writeSbom(buildSbom({ ...content, artifact: sbomArtifact(publish) }), dir)
}
