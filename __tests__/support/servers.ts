// The loopback servers an end-to-end suite runs against, started once per describe block:
// a real chart repository (packaged with the helm under test), a real docker-registry and,
// when asked, the GitHub API stand-in. Stopped by an afterAll registered with them.
import { afterAll, beforeAll } from '@jest/globals'
import { startChartRepo } from '../../testkit/chart-repo.mjs'
import { startGitHubApi } from '../../testkit/github-api.mjs'
import { startRegistry } from '../../testkit/registry.mjs'
import type { HelmUnderTest } from './e2e.js'

type ChartRepo = Awaited<ReturnType<typeof startChartRepo>>
export type Registry = Awaited<ReturnType<typeof startRegistry>>
type GitHubApi = Awaited<ReturnType<typeof startGitHubApi>>

type ChartRepoOptions = NonNullable<Parameters<typeof startChartRepo>[0]>
type RegistryOptions = NonNullable<Parameters<typeof startRegistry>[0]>
type GitHubApiOptions = NonNullable<Parameters<typeof startGitHubApi>[0]>

export interface ServerOptions {
  /** Chart repository options besides the helm that packages it (versions, extraCharts, …). */
  repo?: Omit<ChartRepoOptions, 'helm'>
  /** Registry options (auth), or false for a suite that pushes nothing. */
  registry?: RegistryOptions | false
  /** Start the GitHub API stand-in too (PR comments). */
  api?: GitHubApiOptions | true
}

/** Filled in by the beforeAll: read the fields inside tests and hooks, not when the describe body runs. */
export interface Servers {
  repo: ChartRepo
  registry: Registry
  api: GitHubApi
}

/**
 * Call in a describe body: starts the servers before its tests (in parallel) and stops them after.
 * A server not asked for (registry: false, no api) throws when read, naming the option.
 */
export function useServers(helm: HelmUnderTest, options: ServerOptions = {}): Servers {
  const started: Partial<Servers> = {}
  beforeAll(async () => {
    const [repo, registry, api] = await Promise.all([
      startChartRepo({ ...options.repo, helm: helm.binary }),
      options.registry === false ? undefined : startRegistry(options.registry),
      options.api ? startGitHubApi(options.api === true ? {} : options.api) : undefined
    ])
    Object.assign(started, { repo, registry, api })
  })
  afterAll(async () => {
    await Promise.all([started.repo?.close(), started.registry?.stop(), started.api?.stop()])
  })
  const read = <K extends keyof Servers>(name: K, option: string): Servers[K] => {
    const server = started[name]
    if (!server) throw new Error(`useServers: no ${name} (${option}), or read before the beforeAll ran`)
    return server
  }
  return {
    get repo() {
      return read('repo', 'always started')
    },
    get registry() {
      return read('registry', 'registry: false')
    },
    get api() {
      return read('api', 'api not set')
    }
  }
}
