// Stage: the `Attest` step, after the push and the SBOM (a chunk of dist/ of its own, loaded only on a release
// that attests: run/evidence.ts). Input attest (auto, true, false) and the workflow's OIDC token decide whether;
// attest/attest.ts signs and stores. A failed attestation fails the step (and the run) and says the chart is
// published but not attested, and that a re-run attests it without pushing. Nothing secret is printed: the token
// is registered as a secret before anything could show it.
import { attestChart } from '../attest/attest.js'
import { sigstoreInstance } from '../attest/instance.js'
import { ID_TOKEN_PERMISSION, requestIdToken } from '../attest/oidc.js'
import type { AttestationInfo, Finding, PublishInfo, StepResult } from '../types.js'
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
  if (!env.ACTIONS_ID_TOKEN_REQUEST_URL) {
    // attest: true without the token stops the run before the push (run/settings.ts); auto says what is missing.
    return step('skipped', 'not attested: the job has no OIDC token', [
      {
        rule: 'attest-permission',
        severity: 'notice',
        message: `${published} is not attested: the workflow does not give this job an OIDC token`,
        fix: `add \`${ID_TOKEN_PERMISSION}\` (and \`attestations: write\`) to the job, or set attest: false`
      }
    ])
  }
  const { inputs, event, registry } = ctx
  if (!registry) return step('skipped', 'not attested: no registry input', [])
  // Each request to the registry, the Sigstore instance, GitHub and the token endpoint, within the run's budget.
  const timeoutMs = operationLimit(OPERATION_LIMITS.http).ms
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
    const names = info.statements.map((s) => (s.kind === 'sbom' ? 'SBOM' : s.kind)).join(', ')
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
