// The isolated helm home given the dependency build's repositories: the
// repository config and cached index.yaml of each http repository, as `helm
// repo add` would write them (the index was already fetched: no second
// download), `helm registry login` for OCI hosts, and the credentials forgotten
// once the build is done.
import { rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Helm } from '../helm/helm.js'
import { ActionError } from '../types.js'
import { lastLines } from '../util/text.js'
import { redact } from '../util/secrets.js'
import type { RegistryLogin, RepositoryEntry } from './dependency-plan.js'

function repositoryConfig(repositories: RepositoryEntry[]): string {
  return JSON.stringify({ apiVersion: '', generated: '0001-01-01T00:00:00Z', repositories }, null, 2)
}

/** Writes repositories.yaml and each repository's cached index (`indexTexts[i]` for `repositories[i]`). */
export async function writeRepositories(
  helm: Helm,
  repositories: RepositoryEntry[],
  indexTexts: readonly string[]
): Promise<void> {
  await writeFile(helm.home.repositoryConfig, repositoryConfig(repositories))
  await Promise.all(
    repositories.map(({ name }, i) =>
      writeFile(path.join(helm.home.repositoryCache, `${name}-index.yaml`), indexTexts[i])
    )
  )
}

/** Logs into each OCI host in turn; a refused login stops the run, naming the host and what to check. */
export async function loginRegistries(helm: Helm, logins: readonly RegistryLogin[]): Promise<void> {
  for (const { host, credentials, plainHttp } of logins) {
    const login = await helm.registryLogin(host, credentials, plainHttp)
    if (login.exitCode !== 0) {
      throw new ActionError(
        `registry ${host} refused the login for dependency download: ${lastLines(redact(login.stderr), 2)}`,
        'check dependency-username/dependency-password (or registry-username/registry-password)'
      )
    }
  }
}

/**
 * Rewrites the repository config without usernames and passwords, and drops registry logins: the credentials
 * are needed for the download only, and chart test scripts run later as the same user.
 */
export async function forgetCredentials(helm: Helm, repositories: RepositoryEntry[]): Promise<void> {
  const anonymous = repositories.map(({ name, url }) => ({ name, url }))
  await Promise.all([
    writeFile(helm.home.repositoryConfig, repositoryConfig(anonymous)),
    rm(helm.home.registryConfig, { force: true })
  ])
}
