// Stage: the `Attest` step, after the push and the SBOM (a chunk of dist/ of its own, loaded only on a release
// that attests: run/evidence.ts). Input attest (auto, true, false) and the workflow's OIDC token decide whether;
// attest/attest.ts signs and stores. Without the token (attest: auto) nothing is signed, but what earlier runs
// attested is read from the registry: the step says which statements are missing and the permission to grant. A failed attestation fails the step (and the run) and says the chart is
// published but not attested, and that a re-run attests it without pushing. Nothing secret is printed: the token
// is registered as a secret before anything could show it.
import { attestChart, earlierAttestations, loadSigner } from '../attest/attest.js'
import { sigstoreInstance } from '../attest/instance.js'
import { ID_TOKEN_PERMISSION, requestIdToken } from '../attest/oidc.js'
import type { AttestationInfo, AttestedStatement, Finding, PublishInfo, StepResult } from '../types.js'
import { OPERATION_LIMITS, operationLimit } from '../util/deadline.js'
import { registerSecret } from '../util/secrets.js'
import type { RunContext } from './context.js'
import { errorLine } from './failure.js'

type AttestContext = Pick<RunContext, 'inputs' | 'event' | 'registry' | 'credentials' | 'chart'>

/** Attests `publish` (pushed by this run, or already published with the same content). */
export async function attestStep(
  ctx: AttestContext,
  publish: PublishInfo & { digest: string },
  sbomPath: string | undefined,
  outputDir: string,
  env: NodeJS.ProcessEnv = process.env
): Promise<StepResult<AttestationInfo>> {
  const started = performance.now()
  const step = (
    status: StepResult['status'],
    summary: string,
    findings: Finding[],
    data?: AttestationInfo
  ): StepResult<AttestationInfo> => ({
    id: 'attest',
    title: 'Attest',
    status,
    durationMs: Math.round(performance.now() - started),
    summary,
    findings,
    ...(data ? { data } : {})
  })
  const published = `${publish.ref}@${publish.digest}`
  const { inputs, event, registry } = ctx
  if (!registry) return step('skipped', 'not attested: no registry input', [])
  // Each request to the registry, the Sigstore instance, GitHub and the token endpoint, within the run's budget.
  const timeoutMs = operationLimit(OPERATION_LIMITS.http).ms
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    // attest: true without the token stops the run before the push (run/settings.ts). auto cannot sign, but the
    // registry says what earlier runs attested: all of it is a pass; what is missing names the permission to grant.
    const lookup = {
      digest: publish.digest,
      chart: ctx.chart,
      registry,
      credentials: ctx.credentials.registry,
      timeoutMs
    }
    let earlier: Awaited<ReturnType<typeof earlierAttestations>> | undefined
    let unread = ''
    try {
      earlier = await earlierAttestations(lookup)
    } catch (error) {
      unread = ` (what earlier runs attested is unknown: ${errorLine(error)})`
    }
    const found = earlier?.statements ?? []
    if (earlier && earlier.missing.length === 0)
      return step('passed', `already attested: ${kindNames(found)} (by an earlier run; nothing signed)`, [], {
        statements: found
      })
    const missing = kindNames((earlier?.missing ?? ['provenance', 'sbom']).map((kind) => ({ kind })))
    const why = 'this job cannot sign: the workflow gives it no OIDC token'
    return step(
      'skipped',
      `not attested (${missing}): the job needs ${ID_TOKEN_PERMISSION}`,
      [
        {
          rule: 'attest-permission',
          severity: 'notice',
          message: publish.pushed
            ? `${published} is published without attestations (${missing}): ${why}${unread}`
            : `${published} was published by an earlier run and is still not attested (${missing}): ${why}${unread}`,
          fix: `grant the job \`${ID_TOKEN_PERMISSION}\` (and \`attestations: write\` for GitHub's copy), then re-run it: the re-run finds the chart published and attests it without pushing; or set attest: false`
        }
      ],
      found.length ? { statements: found } : undefined
    )
  }
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com'
  try {
    const { info, notices } = await attestChart({
      ref: publish.ref,
      digest: publish.digest,
      chart: ctx.chart,
      registry,
      credentials: ctx.credentials.registry,
      sbomPath,
      outputDir,
      instance: sigstoreInstance(inputs.sigstoreUrls, event.payload, serverUrl),
      serverUrl,
      github:
        inputs.githubToken && event.repo
          ? { apiUrl: env.GITHUB_API_URL || 'https://api.github.com', token: inputs.githubToken, ...event.repo }
          : undefined,
      identityToken: async () => {
        const token = await requestIdToken('sigstore', timeoutMs, env)
        registerSecret(token)
        return token
      },
      timeoutMs
    })
    const signed = info.statements.filter((s) => !s.existing)
    const findings: Finding[] = notices.map((message) => ({
      rule: 'attest-github',
      severity: 'notice',
      message,
      fix: 'the bundles are in the registry beside the chart; GitHub stores attestations for public repositories and plans with artifact attestations, with `attestations: write`'
    }))
    if (signed.length && !inputs.githubToken)
      findings.push({
        rule: 'attest-github',
        severity: 'notice',
        message: 'the attestations were not stored with GitHub: the github-token input is empty',
        fix: 'keep github-token at its default (`${{ github.token }}`) with `attestations: write`'
      })
    const names = kindNames(info.statements)
    const summary = signed.length
      ? `attested: ${names} (${info.instance} Sigstore; ${info.listing === 'tag-scheme' ? 'referrers tag' : 'referrers API'})`
      : `already attested: ${names} (nothing signed)`
    return step('passed', summary, findings, info)
  } catch (error) {
    return step('failed', 'published, not attested', [
      {
        rule: 'attest',
        severity: 'error',
        message: `${published} is published but not attested: ${errorLine(error)}`,
        fix: 're-run the job: the re-run finds the chart published and attests it without pushing again'
      }
    ])
  }
}

/** `provenance, SBOM`. */
function kindNames(statements: readonly { kind: AttestedStatement['kind'] }[]): string {
  return statements.map((s) => (s.kind === 'sbom' ? 'SBOM' : s.kind)).join(', ')
}

/** Starts loading the signing code ahead of attestStep (run/later-stages.ts preloadAttestation); errors are its. */
export function preloadSigner(): void {
  loadSigner().catch(() => undefined)
}
