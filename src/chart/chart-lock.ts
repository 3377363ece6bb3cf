// The committed Chart.lock: whether it still satisfies Chart.yaml, and how a
// lock that helm writes is made independent of the wall clock. Pure functions:
// dependencies.ts does the file and helm work.
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { yamlLibrary } from '../util/yaml-lib.js'
import type { ChartDependency } from './blueprint.js'
import { parseConstraint, parseVersion } from '../util/semver.js'
import type { Finding, StepResult } from '../types.js'
import { redact } from '../util/secrets.js'
import { lastLines } from '../util/text.js'

interface LockedDependency {
  name: string
  version: string
  repository: string
}

export interface CommittedLock {
  /** The file as committed. */
  text: string
  /** Path for findings, relative to the workspace. */
  displayPath: string
  dependencies: LockedDependency[]
}

/** What to do about a lock that does not fit Chart.yaml; the same words wherever it is found. */
function lockFix(chartDir: string): string {
  return `run \`helm dependency update ${chartDir}\` and commit Chart.lock, or delete Chart.lock`
}

/**
 * A lock problem is an error on a release (what it pins is what would ship,
 * and it does not fit Chart.yaml) and a warning on a pull request (the run
 * builds from Chart.yaml without it).
 */
export function lockFinding(message: string, lockFile: string, chartDir: string, publishing: boolean): Finding {
  const consequence = publishing
    ? 'a release publishes what the lock pins'
    : 'this run built from Chart.yaml without it'
  return {
    rule: 'chart-lock',
    severity: publishing ? 'error' : 'warning',
    message: `${message}: ${consequence}`,
    fix: lockFix(chartDir),
    file: lockFile
  }
}

/** Parses a Chart.lock; undefined when it is not YAML or has no dependency list. */
export function parseLock(text: string, displayPath: string): CommittedLock | undefined {
  let data: unknown
  try {
    data = yamlLibrary().parse(text)
  } catch {
    return undefined
  }
  const list = (data as { dependencies?: unknown } | null)?.dependencies
  if (!Array.isArray(list)) return undefined
  const dependencies = list.map((entry) => {
    const dep = (entry ?? {}) as Record<string, unknown>
    return {
      name: String(dep.name ?? ''),
      version: String(dep.version ?? ''),
      repository: String(dep.repository ?? '')
    }
  })
  return { text, displayPath, dependencies }
}

/**
 * Why a lock does not satisfy Chart.yaml's dependencies, one sentence each
 * (empty when it does): a dependency missing from either side, another
 * repository, or a locked version outside the range Chart.yaml asks for.
 * Helm checks the same on `helm dependency build` (its digest over both
 * lists); this check also holds when the build runs through mirrors.
 */
export function lockMismatches(lock: CommittedLock, dependencies: ChartDependency[], chartYamlPath: string): string[] {
  const problems: string[] = []
  for (const dep of dependencies) {
    const locked = lock.dependencies.find((entry) => entry.name === dep.name)
    if (!locked) {
      problems.push(`${lock.displayPath} has no entry for ${dep.name}, which ${chartYamlPath} declares`)
      continue
    }
    // `@name` and `alias:` repositories are resolved by helm into the lock: only URLs compare.
    const repository = String(dep.repository ?? '')
    if (/^(https?|oci):\/\//.test(repository) && !sameRepository(locked.repository, repository)) {
      problems.push(
        `${lock.displayPath} locks ${dep.name} from ${locked.repository}, but ${chartYamlPath} names ${dep.repository}`
      )
      continue
    }
    if (!satisfies(locked.version, String(dep.version))) {
      problems.push(
        `${lock.displayPath} locks ${dep.name} ${locked.version}, but ${chartYamlPath} asks for ${dep.version}`
      )
    }
  }
  for (const locked of lock.dependencies) {
    if (!dependencies.some((dep) => dep.name === locked.name)) {
      problems.push(`${lock.displayPath} locks ${locked.name}, which ${chartYamlPath} no longer declares`)
    }
  }
  return problems
}

function sameRepository(a: string, b: string): boolean {
  return a.replace(/\/+$/, '') === b.replace(/\/+$/, '')
}

function satisfies(version: string, constraint: string): boolean {
  try {
    const parsed = parseVersion(version)
    return parsed !== undefined && parseConstraint(constraint).test(parsed)
  } catch {
    return false
  }
}

/** helm's words when a Chart.lock's digest does not match Chart.yaml's dependencies. */
export function isOutOfSyncError(helmOutput: string): boolean {
  return /out of sync/i.test(helmOutput)
}

/** The finding when helm's digest over Chart.yaml's dependencies disagrees with the committed lock's. */
export function outOfSyncFinding(
  lock: Pick<CommittedLock, 'displayPath'>,
  helmStderr: string,
  chartDir: string,
  publishing: boolean
): Finding {
  return lockFinding(
    `${lock.displayPath} is out of sync with Chart.yaml (helm dependency build: ${lastLines(redact(helmStderr), 1)})`,
    lock.displayPath,
    chartDir,
    publishing
  )
}

/**
 * A lock written by `helm dependency build` carries `generated: <now>`, and
 * `helm package` ships it: two packages of one commit would differ. The time
 * becomes the package's (the commit time), so the lock depends on the commit only.
 */
export function lockGeneratedAt(lockText: string, epochSeconds: number): string {
  const stamp = new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z')
  const line = `generated: "${stamp}"`
  return /^generated:.*$/m.test(lockText)
    ? lockText.replace(/^generated:.*$/m, line)
    : `${lockText.replace(/\n*$/, '\n')}${line}\n`
}

/** The Chart.lock step: failed on an error (a release), warning otherwise; undefined without findings. */
export function chartLockStep(findings: Finding[]): StepResult | undefined {
  if (findings.length === 0) return undefined
  const failed = findings.some((finding) => finding.severity === 'error')
  return {
    id: 'chart-lock',
    title: 'Chart.lock',
    status: failed ? 'failed' : 'warning',
    durationMs: 0,
    summary: failed
      ? 'Chart.lock does not fit Chart.yaml: nothing is published'
      : 'Chart.lock does not fit Chart.yaml: built without it',
    findings
  }
}

/**
 * The version the committed Chart.lock pins for one dependency, when the lock
 * fits Chart.yaml (else undefined: the lock is a finding, not a pin).
 */
export async function lockedVersion(
  chartDir: string,
  displayDir: string,
  dependencies: ChartDependency[],
  name: string
): Promise<string | undefined> {
  const text = await readFile(path.join(chartDir, 'Chart.lock'), 'utf8').catch(() => undefined)
  if (text === undefined) return undefined
  const lock = parseLock(text, path.join(displayDir, 'Chart.lock'))
  if (!lock || lockMismatches(lock, dependencies, path.join(displayDir, 'Chart.yaml')).length) return undefined
  return lock.dependencies.find((entry) => entry.name === name)?.version
}
