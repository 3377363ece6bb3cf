// Packages the work chart reproducibly (in node as `helm package` would, else
// with helm) and checks the archive still carries its dependencies (guard 2;
// archiveFindings is guard 3's check too, on the artifact pulled back).
import * as core from '@actions/core'
import { createHash } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { listTgz, normalizeTgz, readTgzFile, writeHelmTgz } from '../chart/archive.js'
import type { WorkChart } from '../chart/work-chart.js'
import type { Helm, HelmRunResult } from '../helm/helm.js'
import { lastLines } from '../util/text.js'
import { chartYamlVersion, nodePackage, Unsupported, type ChartMetadata } from './chart-package.js'
import { redact } from '../util/secrets.js'
import { parseVersion } from '../util/semver.js'
import type { Finding, StepResult } from '../types.js'

export interface PackagedChart {
  archive: string
  listing: string[]
  /** sha256 of the normalized archive: the chart content layer's digest once pushed. */
  layerDigest: string
  epoch: number
  /**
   * The chart's metadata as helm holds it, when the archive was written in node:
   * the push then goes through the registry API (config blob from it). Without
   * it (a chart shape left to `helm package`), `helm push` pushes.
   */
  metadata?: ChartMetadata
}

export interface PackageData {
  archive: string
  entries: number
  layerDigest: string
  /** ISO time every archive entry (and the manifest's `created`) carries. */
  timestamps: string
  timestampSource: string
}

export async function packageChart(
  helm: Helm,
  work: WorkChart,
  destination: string,
  timestamps: { epoch: number; source: string },
  built: Record<string, string>
): Promise<{ packaged?: PackagedChart; step: StepResult<PackageData> }> {
  const start = performance.now()
  const epoch = timestamps.epoch
  const archive = path.join(destination, `${work.name}-${work.version}.tgz`)
  // `helm package` in node (one helm process less); shapes it cannot write exactly as helm go to helm.
  const metadata = await packageInNode(work, archive, epoch)
  const result = metadata ? undefined : await helm.run(['package', work.dir, '--destination', destination])
  if (result && result.exitCode !== 0) {
    const step = failedStep<PackageData>(
      'package',
      'Package',
      start,
      'helm package failed',
      `helm package failed: ${lastLines(redact(result.stderr), 3)}`,
      result
    )
    // charts/ was built (guard 1 passed) yet helm does not see it: .helmignore dropped it.
    if (/missing in charts\/ directory/i.test(result.stderr + result.stdout)) {
      step.summary = 'helm package found no dependencies under charts/'
      step.findings = [
        {
          rule: 'hollow-chart',
          severity: 'error',
          message: `${step.findings[0].message}: the package would ship without its upstream payload`,
          fix: 'check .helmignore does not exclude charts/ (or the dependency archives in it)'
        }
      ]
    }
    return { step }
  }
  if (result) await normalizeTgz(archive, epoch)
  const [listing, content] = await Promise.all([listTgz(archive), readFile(archive)])
  const layerDigest = `sha256:${createHash('sha256').update(content).digest('hex')}`
  const findings = await archiveFindings(archive, listing, work, 'the packaged archive', built)
  return {
    packaged: { archive, listing, layerDigest, epoch, ...(metadata ? { metadata } : {}) },
    step: {
      id: 'package',
      title: 'Package',
      status: findings.length ? 'failed' : 'passed',
      durationMs: Math.round(performance.now() - start),
      summary: findings.length
        ? `${path.basename(archive)} is missing ${findings.length} dependenc${findings.length === 1 ? 'y' : 'ies'}`
        : `${path.basename(archive)}, ${listing.length} entries, dependencies inside; timestamps from ${timestamps.source}`,
      findings,
      data: {
        archive,
        entries: listing.length,
        layerDigest,
        timestamps: new Date(epoch * 1000).toISOString(),
        timestampSource: timestamps.source
      }
    }
  }
}

/** Writes the archive in node; undefined (after saying why) when the chart's shape is left to helm. */
async function packageInNode(work: WorkChart, archive: string, epoch: number): Promise<ChartMetadata | undefined> {
  try {
    const packaged = await nodePackage(work.dir)
    if (packaged.name !== work.name || packaged.version !== work.version)
      throw new Unsupported(`Chart.yaml names ${packaged.name} ${packaged.version}, not ${work.name} ${work.version}`)
    await mkdir(path.dirname(archive), { recursive: true })
    await writeHelmTgz(archive, packaged.entries, epoch)
    return packaged.metadata
  } catch (error) {
    if (!(error instanceof Unsupported)) throw error
    core.info(`packaging with helm package: ${error.message}`)
    return undefined
  }
}

/**
 * Hollow-chart guards 2 and 3: the archive holds every dependency under
 * <chart>/charts/, as an archive or (as `helm package` writes it) unpacked,
 * at the version the dependency build put there.
 */
export async function archiveFindings(
  archive: string,
  listing: string[],
  work: WorkChart,
  what: string,
  built: Record<string, string>
): Promise<Finding[]> {
  const entries = new Set(listing.map((entry) => entry.replace(/\/$/, '')))
  const findings: Finding[] = []
  for (const dep of work.dependencies) {
    const prefix = `${work.name}/charts/${dep.name}`
    const version = built[dep.name]
    let found: string | undefined
    if (version && entries.has(`${prefix}-${version}.tgz`)) found = version
    else if (entries.has(`${prefix}/Chart.yaml`)) {
      found = chartYamlVersion((await readTgzFile(archive, `${prefix}/Chart.yaml`))?.toString('utf8') ?? '')
    } else {
      // Only <dep>-<semver>.tgz: `temporal-web-1.0.0.tgz` is another chart, not temporal.
      found = [...entries]
        .filter((entry) => entry.startsWith(`${prefix}-`) && entry.endsWith('.tgz'))
        .map((entry) => entry.slice(prefix.length + 1, -'.tgz'.length))
        .find((candidate) => parseVersion(candidate) !== undefined)
    }
    if (found === undefined) {
      findings.push({
        rule: 'hollow-chart',
        severity: 'error',
        message: `${what} has no ${prefix}/ (nor ${prefix}-${version ?? '<version>'}.tgz): the chart would ship without its ${dep.name} payload`,
        fix: 'check .helmignore does not exclude charts/ and that helm dependency build ran'
      })
    } else if (version && found !== version) {
      findings.push({
        rule: 'hollow-chart',
        severity: 'error',
        message: `${what} holds ${dep.name} ${found}, but the dependency build resolved ${version}`,
        fix: 'rebuild the chart: the archive does not hold the dependency that was validated'
      })
    }
  }
  return findings
}

function failedStep<D>(
  id: string,
  title: string,
  start: number,
  summary: string,
  message: string,
  result?: HelmRunResult
): StepResult<D> {
  return {
    id,
    title,
    status: 'failed',
    durationMs: Math.round(performance.now() - start),
    summary,
    findings: [{ rule: id, severity: 'error', message }],
    details: result ? redact(`${result.stderr}\n${result.stdout}`).trim() : undefined
  }
}
