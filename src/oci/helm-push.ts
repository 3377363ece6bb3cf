// The push of a chart that `helm package` packaged (a shape the node packager
// leaves to helm): `helm registry login`, then `helm push`, retried only on
// transient failures; the digest is read from helm's output.
import type { Helm, HelmRunResult } from '../helm/helm.js'
import { lastLines } from '../util/text.js'
import type { RegistryClient } from './registry.js'
import { OPERATION_LIMITS, withRetry } from '../util/deadline.js'
import type { Credentials } from '../credentials/credentials.js'
import { redact } from '../util/secrets.js'
import { ActionError, type PublishInfo, type StepResult } from '../types.js'
import { runPublish, type PushOptions } from './push.js'

/** `Digest: sha256:…` is on stderr for some helm versions and stdout for others. */
export function parsePushedDigest(result: Pick<HelmRunResult, 'stdout' | 'stderr'>): string | undefined {
  return /Digest:\s*(sha256:[0-9a-f]{64})/.exec(`${result.stdout}\n${result.stderr}`)?.[1]
}

const TRANSIENT =
  /\b(50[0234]|429)\b|Service Unavailable|Bad Gateway|Gateway Timeout|Too Many Requests|connection reset|broken pipe|\bEOF\b|i\/o timeout|connection refused|TLS handshake timeout/i
// "permission denied" is a local file error, not the registry refusing credentials.
const AUTH = /\b(401|403)\b|unauthorized|(?<!permission )denied|authentication required|forbidden/i

export function isTransientHelmFailure(text: string): boolean {
  return TRANSIENT.test(text) && !AUTH.test(text)
}

async function loginRegistry(helm: Helm, host: string, credentials: Credentials, plainHttp: boolean): Promise<void> {
  const result = await helm.registryLogin(host, credentials, plainHttp)
  if (result.exitCode !== 0) {
    throw new ActionError(
      `registry ${host} refused the login of user ${credentials.username}: ${lastLines(redact(result.stderr || result.stdout), 2)}`,
      'check registry-username and registry-password (for ghcr.io: a token with write:packages)'
    )
  }
}

export async function publishWithHelm(
  helm: Helm,
  options: PushOptions,
  client: RegistryClient,
  repository: string
): Promise<StepResult<PublishInfo>> {
  const { target } = options
  if (options.credentials) await loginRegistry(helm, target.host, options.credentials, target.plainHttp)
  const plain = target.plainHttp ? ['--plain-http'] : []
  return runPublish(options, client, repository, async () => {
    const push = await withRetry(
      async () => {
        const result = await helm.run(['push', options.packaged.archive, target.url, ...plain], {
          what: `helm push to ${target.host}`,
          limitMs: OPERATION_LIMITS.registryWrite
        })
        if (result.exitCode !== 0) throw new PushFailure(result)
        return result
      },
      {
        retries: options.retries ?? 4,
        baseDelayMs: options.baseDelayMs ?? 500,
        isRetryable: (error) =>
          error instanceof PushFailure && isTransientHelmFailure(error.result.stderr + error.result.stdout)
      }
    ).catch((error: unknown) => {
      if (error instanceof PushFailure) return error.result
      throw error
    })
    if (push.exitCode !== 0) {
      const text = redact(push.stderr || push.stdout)
      return { failed: { message: lastLines(text, 3), details: text, auth: AUTH.test(text) } }
    }
    const digest = parsePushedDigest(push)
    if (!digest) {
      return {
        failed: {
          message: 'helm push succeeded but printed no Digest: line',
          details: redact(push.stdout + push.stderr),
          auth: false
        }
      }
    }
    return { digest }
  })
}

class PushFailure extends Error {
  constructor(readonly result: HelmRunResult) {
    super(lastLines(result.stderr || result.stdout, 2))
  }
}
