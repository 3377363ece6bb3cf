// The two in-toto statements the action attests about a published chart (pure): SLSA build provenance v1, the
// predicate `actions/attest-build-provenance` writes (@actions/attest buildSLSAProvenancePredicate: workflow, ref,
// commit, runner, from the OIDC token's claims), and the CycloneDX SBOM the action writes. Their subject is the
// chart's manifest digest under its repository name (`host/path/name`), as attest-build-provenance names an image.
import { ActionError } from '../types.js'
import { isRecord } from '../util/text.js'

const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1'
export const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json'
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1'
const CYCLONEDX_BOM = 'https://cyclonedx.org/bom'
const GITHUB_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1'

/** What a statement is about, in the report's words. */
export type StatementKind = 'provenance' | 'sbom'

export const PREDICATE_TYPES: Readonly<Record<StatementKind, string>> = {
  provenance: SLSA_PROVENANCE_V1,
  sbom: CYCLONEDX_BOM
}

export interface Subject {
  /** `host/path/name`: the chart's repository, without tag or digest. */
  name: string
  digest: { sha256: string }
}

export interface Statement {
  _type: typeof STATEMENT_TYPE
  subject: Subject[]
  predicateType: string
  predicate: unknown
}

/** The claims of the workflow's OIDC token the provenance predicate reads. */
const PROVENANCE_CLAIMS = [
  'ref',
  'sha',
  'repository',
  'event_name',
  'job_workflow_ref',
  'workflow_ref',
  'repository_id',
  'repository_owner_id',
  'runner_environment',
  'run_id',
  'run_attempt'
] as const

export type TokenClaims = Record<(typeof PROVENANCE_CLAIMS)[number], string> & { iss: string }

/** The subject of `oci://host/path/name:tag` at `sha256:<hex>`. */
export function chartSubject(ref: string, digest: string): Subject {
  const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1]
  if (!hex) throw new ActionError(`cannot attest ${ref}: "${digest}" is not a sha256 manifest digest`)
  return { name: ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, ''), digest: { sha256: hex } }
}

export function statement(subject: Subject, predicateType: string, predicate: unknown): Statement {
  return { _type: STATEMENT_TYPE, subject: [subject], predicateType, predicate }
}

/**
 * The claims of the runner's OIDC token. Read without checking its signature: the token comes straight from the
 * runner's token endpoint, and Fulcio checks it before it certifies anything (the certificate carries the same
 * claims, so a predicate that disagreed with the token would disagree with its own certificate).
 */
export function tokenClaims(token: string): TokenClaims {
  const payload = token.split('.')[1]
  let claims: unknown
  try {
    claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'))
  } catch {
    claims = undefined
  }
  if (!isRecord(claims)) throw new ActionError('the OIDC token from the runner is not a JWT')
  const missing = ['iss', ...PROVENANCE_CLAIMS].filter((claim) => claims[claim] === undefined)
  if (missing.length)
    throw new ActionError(
      `the OIDC token from the runner lacks the claims ${missing.join(', ')}`,
      'run the action in a GitHub Actions workflow (its token carries the workflow, ref and commit)'
    )
  return Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, String(v)])) as TokenClaims
}

/** The SLSA v1 predicate of a GitHub Actions build, field for field as @actions/attest writes it. */
export function provenancePredicate(claims: TokenClaims, serverUrl: string): unknown {
  // owner/repo/.github/workflows/main.yml@refs/tags/v1 → .github/workflows/main.yml
  const [workflowPath] = claims.workflow_ref.replace(`${claims.repository}/`, '').split('@')
  return {
    buildDefinition: {
      buildType: GITHUB_BUILD_TYPE,
      externalParameters: {
        workflow: { ref: claims.ref, repository: `${serverUrl}/${claims.repository}`, path: workflowPath }
      },
      internalParameters: {
        github: {
          event_name: claims.event_name,
          repository_id: claims.repository_id,
          repository_owner_id: claims.repository_owner_id,
          runner_environment: claims.runner_environment
        }
      },
      resolvedDependencies: [
        { uri: `git+${serverUrl}/${claims.repository}@${claims.ref}`, digest: { gitCommit: claims.sha } }
      ]
    },
    runDetails: {
      builder: { id: `${serverUrl}/${claims.job_workflow_ref}` },
      metadata: {
        invocationId: `${serverUrl}/${claims.repository}/actions/runs/${claims.run_id}/attempts/${claims.run_attempt}`
      }
    }
  }
}
