// The one home of credentials: their type, and the policy of which credentials go to which host, built
// from the inputs (registry-username/password, dependency-username/password). Pure.
// May import: net/, types.ts. The inputs it reads are described here (`CredentialInputs`), not imported from
// inputs/: inputs/ sits below the modules that use credentials (helm/, chart/, oci/registry.ts).
import { isLoopbackHost, repositoryHost } from '../net/net.js'
import { ActionError } from '../types.js'

/** A username and a password (or token): for a registry, a chart repository or `helm registry login`. */
export interface Credentials {
  username: string
  password: string
}

/** The inputs credentials are built from (`ActionInputs` has them). */
interface CredentialInputs {
  /** Input registry: the OCI base pushed to (its host is the one the registry's credentials may reach). */
  registry: string
  registryUsername: string
  registryPassword: string
  dependencyUsername: string
  dependencyPassword: string
}

/**
 * Which credentials a dependency repository gets: dependency-username/password
 * for every dependency repository; otherwise the registry's, but only for
 * repositories on the registry's own host, so they never reach another host.
 * Never any over plain http:// to a host that is not loopback (they would
 * cross the network in clear text).
 */
export function credentialsForRepository(
  dependency: Credentials | undefined,
  registry: { url: string; credentials: Credentials } | undefined
): (repository: string) => Credentials | undefined {
  return (repository) => {
    if (/^http:\/\//i.test(repository)) {
      const host = repositoryHost(repository)
      if (!host || !isLoopbackHost(host)) return undefined
    }
    if (dependency) return dependency
    if (
      registry &&
      repositoryHost(repository) !== undefined &&
      repositoryHost(repository) === repositoryHost(registry.url)
    )
      return registry.credentials
    return undefined
  }
}

function dependencyCredentials(inputs: CredentialInputs): Credentials | undefined {
  if (inputs.dependencyUsername && inputs.dependencyPassword)
    return { username: inputs.dependencyUsername, password: inputs.dependencyPassword }
  return undefined
}

/** The credentials of each dependency repository URL, from the inputs (see credentialsForRepository). */
export function repositoryCredentials(inputs: CredentialInputs): (repository: string) => Credentials | undefined {
  const registry = registryCredentials(inputs)
  return credentialsForRepository(
    dependencyCredentials(inputs),
    registry && inputs.registry ? { url: inputs.registry, credentials: registry } : undefined
  )
}

/** The registry's credentials; throws when only one of registry-username and registry-password is set. */
export function registryCredentials(inputs: CredentialInputs): Credentials | undefined {
  if (inputs.registryUsername && inputs.registryPassword)
    return { username: inputs.registryUsername, password: inputs.registryPassword }
  if (inputs.registryUsername || inputs.registryPassword) {
    throw new ActionError(
      'registry-username and registry-password go together: only one is set',
      'set both, or neither for an anonymous registry'
    )
  }
  return undefined
}
