// Hollow-chart guards on the dependencies: a blueprint chart declares an
// upstream (or says it has none), and after \`helm dependency build\` every
// declared dependency is under charts/ at the version expected; the
// `Dependency build` step from helm's result, the archives' digests and guard 1.
import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { yamlLibrary } from '../util/yaml-lib.js'
import { isNoUpstream, type Blueprint } from './blueprint.js'
import { parseConstraint, parseVersion } from '../util/semver.js'
import type { Finding, StepResult } from '../types.js'
import type { WorkChart } from './work-chart.js'
import { archiveSources, ociLoopbackFix, verifyDependencyArchives, type ArchiveOrigins } from './dependency-digests.js'
import { redact } from '../util/secrets.js'
import { lastLines } from '../util/text.js'

export interface DependencyBuildData {
  /** Exact version of each dependency that landed under charts/. */
  built: Record<string, string>
  repositories: string[]
}
/** What the dependency build did, for its step. */
export interface DependencyBuildRun {
  /** The last `helm dependency build` (after a retry without an out-of-sync lock). */
  result: { exitCode: number; stdout: string; stderr: string }
  /** What guard 1 expects of each dependency (dependency-plan.ts). */
  expected: ReadonlyMap<string, string>
  /** Where the archives came from, to check their digests. */
  origins: ArchiveOrigins
  /** The repositories the build read, for the step's data. */
  repositories: string[]
  /** performance.now() when the build started. */
  start: number
}

/**
 * The `Dependency build` step: helm's failure as helm said it; else each archive's digest against what its
 * repository vouches for, and guard 1 on what landed under charts/.
 */
export async function dependencyBuildStep(
  work: WorkChart,
  run: DependencyBuildRun
): Promise<StepResult<DependencyBuildData>> {
  const { result } = run
  if (result.exitCode !== 0) {
    const fix =
      ociLoopbackFix(work, run.origins, result.stderr) ??
      'check the dependencies in Chart.yaml and their repositories (repository-mirrors for air-gapped runners)'
    return {
      id: 'dependency-build',
      title: 'Dependency build',
      status: 'failed',
      durationMs: Math.round(performance.now() - run.start),
      summary: 'helm dependency build failed',
      findings: [
        {
          rule: 'dependency-build',
          severity: 'error',
          message: `helm dependency build failed: ${lastLines(redact(result.stderr), 3)}`,
          fix
        }
      ],
      details: redact(result.stderr + result.stdout)
    }
  }
  const digestFindings = await verifyDependencyArchives(
    path.join(work.dir, 'charts'),
    archiveSources(work, run.origins)
  )
  const checked = await checkBuiltDependencies(work, run.expected)
  const digestFailed = digestFindings.some((finding) => finding.severity === 'error')
  const guard = digestFindings.length
    ? {
        ...checked,
        status: digestFailed ? ('failed' as const) : checked.status,
        summary: digestFailed ? 'a dependency archive differs from what its repository vouches for' : checked.summary,
        findings: [...digestFindings, ...checked.findings]
      }
    : checked
  return {
    ...guard,
    durationMs: Math.round(performance.now() - run.start),
    details: redact(result.stdout + result.stderr).trim() || undefined,
    data: guard.data ? { ...guard.data, repositories: run.repositories } : undefined
  }
}

/** Hollow-chart guard 1: every declared dependency is under charts/ at the expected version. */
async function checkBuiltDependencies(
  work: WorkChart,
  expected: ReadonlyMap<string, string>
): Promise<StepResult<DependencyBuildData>> {
  const chartsDir = path.join(work.dir, 'charts')
  let entries: string[] = []
  try {
    entries = await readdir(chartsDir)
  } catch {
    entries = []
  }
  const built: Record<string, string> = {}
  const findings: Finding[] = []
  for (const dep of work.dependencies) {
    const wanted = expected.get(dep.name) ?? dep.version
    const found = await findBuiltVersion(chartsDir, entries, dep.name)
    const ok = found.some((version) => {
      const parsed = parseVersion(version)
      try {
        return parsed !== undefined && (version === wanted || parseConstraint(wanted).test(parsed))
      } catch {
        return version === wanted
      }
    })
    if (ok) built[dep.name] = found.find((version) => version === wanted) ?? found[0]
    else
      findings.push({
        rule: 'hollow-chart',
        severity: 'error',
        message: found.length
          ? `charts/ holds ${dep.name} ${found.join(', ')}, but ${wanted} was expected after helm dependency build`
          : `charts/ has no ${dep.name} (${wanted}) after helm dependency build: the chart would ship without its upstream payload`,
        fix: `check dependency ${dep.name} in Chart.yaml and that .helmignore does not drop charts/`
      })
  }
  const summary = findings.length
    ? `${findings.length} of ${work.dependencies.length} dependencies missing under charts/`
    : work.dependencies.map((dep) => `${dep.name} ${built[dep.name]}`).join(', ') || 'no dependencies'
  return {
    id: 'dependency-build',
    title: 'Dependency build',
    status: findings.length ? 'failed' : 'passed',
    durationMs: 0,
    summary,
    findings,
    data: { built, repositories: [] }
  }
}

async function findBuiltVersion(chartsDir: string, entries: string[], name: string): Promise<string[]> {
  const versions: string[] = []
  for (const entry of entries) {
    if (entry.startsWith(`${name}-`) && entry.endsWith('.tgz')) {
      const version = entry.slice(name.length + 1, -'.tgz'.length)
      if (parseVersion(version)) versions.push(version)
    } else if (entry === name) {
      try {
        const meta = yamlLibrary().parse(await readFile(path.join(chartsDir, entry, 'Chart.yaml'), 'utf8')) as {
          version?: unknown
        }
        if (meta?.version !== undefined) versions.push(String(meta.version))
      } catch {
        // an unpacked folder without Chart.yaml is no chart
      }
    }
  }
  return versions
}

/** A chart must wrap an upstream chart unless it says it has none. */
export function hollowByDeclaration(blueprint: Blueprint): Finding | undefined {
  const chart = blueprint.chartYaml.data
  if ((chart.dependencies ?? []).length > 0 || isNoUpstream(chart)) return undefined
  return {
    rule: 'hollow-chart',
    severity: 'error',
    message: `${blueprint.chartYaml.displayPath} declares no dependencies: a blueprint chart wraps an upstream chart`,
    fix: `declare the upstream chart under dependencies:, or annotate the chart with catalyst.openova.io/no-upstream: "true"`,
    file: blueprint.chartYaml.displayPath,
    line: blueprint.chartYaml.lineOf(['name'])
  }
}
