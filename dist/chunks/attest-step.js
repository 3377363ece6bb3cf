import { m as httpExchange, A as ACTION_NAME, o as ActionError, p as require$$0, j as isRecord, c as require$$2, b as require$$1, R as RegistryClient, q as chartRepository, t as describeNetworkError, u as operationLimit, v as errorLine, x as registerSecret, O as OPERATION_LIMITS } from './action.js';
import { w as withGitHubRetry, G as GitHubApiError } from './github-retry.js';

// A bundle stored with GitHub's artifact attestations API (POST /repos/{owner}/{repo}/attestations), so that
// `gh attestation verify --owner` finds it without the registry. GitHub refuses it for a private repository on a
// plan without artifact attestations, and a token without `attestations: write` is refused too: the bundle is still
// in the registry, so a refusal is the caller's notice, never a failure. Faults are retried by the action's one
// policy for GitHub's REST API (util/github-retry.ts: 5xx and no answer with backoff, a rate limit after its
// reset, within the run's budget), so a spent rate limit is waited out, not taken for a refusal. Through
// net/http.ts (not octokit: the comment's chunk stays unloaded on a release).
/** Stores `bundle` (its JSON form); what GitHub said when it did not. */
async function storeOnGitHub(bundle, target) {
    const url = new URL(`${target.apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(target.owner)}/${encodeURIComponent(target.repo)}/attestations`);
    const body = Buffer.from(JSON.stringify({ bundle }));
    const headers = {
        Accept: 'application/vnd.github+json',
        Authorization: `Bearer ${target.token}`,
        'Content-Length': String(body.length),
        'Content-Type': 'application/json',
        'User-Agent': ACTION_NAME,
        'X-GitHub-Api-Version': '2022-11-28'
    };
    let text;
    try {
        text = await withGitHubRetry(async (_signal, timeoutMs) => {
            // Each attempt within the time the policy gives it (httpExchange ends it then).
            const res = await httpExchange('POST', url, headers, timeoutMs, 1024 * 1024, {
                body,
                contentType: 'application/json'
            });
            const answer = res.body.toString('utf8');
            if (res.status === 201 || res.status === 200)
                return answer;
            // What the policy reads: the status, the rate-limit headers and GitHub's message.
            throw Object.assign(new Error(messageOf(answer)), { status: res.status, headers: res.headers });
        }, { retries: target.retries ?? 2 });
    }
    catch (error) {
        if (error instanceof GitHubApiError)
            return { stored: false, reason: error.fault.text };
        throw error;
    }
    const id = JSON.parse(text).id;
    return typeof id === 'number' ? { stored: true, id } : { stored: false, reason: 'GitHub answered without an id' };
}
function messageOf(text) {
    try {
        const message = JSON.parse(text).message;
        return typeof message === 'string' ? message : '';
    }
    catch {
        return '';
    }
}

// Sigstore bundles stored beside the chart as OCI referrers of its manifest, in the layout @sigstore/oci writes
// and `gh attestation verify --bundle-from-oci` reads: an image manifest with `subject` = the chart's manifest,
// `artifactType` = the bundle's media type, the empty config, one layer (the bundle) and annotations naming the
// predicate type. Listed through the registry's referrers API when it has one (it answers the manifest PUT with
// `OCI-Subject`), else through the referrers tag scheme: an image index at tag `sha256-<hex>` that the client keeps
// (OCI distribution 1.1). Everything goes through the action's registry client, with the push credentials.
const BUNDLE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const EMPTY_CONFIG = Buffer.from('{}');
const EMPTY_MEDIA_TYPE = 'application/vnd.oci.empty.v1+json';
const PREDICATE_ANNOTATION = 'dev.sigstore.bundle.predicateType';
const sha256 = (bytes) => `sha256:${require$$0.createHash('sha256').update(bytes).digest('hex')}`;
/** The tag of the referrers tag scheme: `sha256:<hex>` → `sha256-<hex>`. */
function referrersTag(digest) {
    return digest.replace(':', '-');
}
/** Pure: the referrer manifest of one bundle, and the annotations its index entry repeats. */
function referrerManifest(subject, bundle, predicateType, created) {
    const annotations = {
        'org.opencontainers.image.created': created.toISOString(),
        'dev.sigstore.bundle.content': 'dsse-envelope',
        [PREDICATE_ANNOTATION]: predicateType
    };
    const manifest = {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: BUNDLE_MEDIA_TYPE,
        config: { mediaType: EMPTY_MEDIA_TYPE, digest: sha256(EMPTY_CONFIG), size: EMPTY_CONFIG.length },
        layers: [{ mediaType: BUNDLE_MEDIA_TYPE, digest: sha256(bundle), size: bundle.length }],
        subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
        annotations
    };
    return { manifest: Buffer.from(JSON.stringify(manifest)), annotations };
}
/** Pure: the descriptors of an image index (a referrers response or the tag scheme's index); [] for anything else. */
function indexEntries(body) {
    if (!body)
        return [];
    let parsed;
    try {
        parsed = JSON.parse(body.toString('utf8'));
    }
    catch {
        return [];
    }
    const manifests = isRecord(parsed) && Array.isArray(parsed.manifests) ? parsed.manifests : [];
    return manifests.filter((m) => isRecord(m) && typeof m.digest === 'string' && typeof m.mediaType === 'string');
}
/** The Sigstore bundles the registry lists for `digest`: the referrers API, else the tag scheme's index. */
async function bundleReferrers(client, repository, digest) {
    const listed = (await client.referrers(repository, digest)) ?? (await client.getManifest(repository, referrersTag(digest)))?.body;
    return indexEntries(listed).filter((d) => d.artifactType === BUNDLE_MEDIA_TYPE);
}
/** The chart's manifest as a referrer's `subject` names it (media type and size as the registry serves it). */
async function subjectDescriptor(client, repository, digest) {
    const served = await client.getManifest(repository, digest);
    if (!served || served.digest !== digest)
        throw new ActionError(`the registry does not serve ${repository}@${digest} as it was published`);
    return { mediaType: served.mediaType ?? OCI_MANIFEST, digest, size: served.body.length };
}
/** Stores one bundle as a referrer of `subject`; returns the referrer manifest's digest and how it is listed. */
async function storeBundle(client, repository, subject, bundle, predicateType, created = new Date()) {
    const { manifest, annotations } = referrerManifest(subject, bundle, predicateType, created);
    await client.pushBlob(repository, sha256(EMPTY_CONFIG), EMPTY_CONFIG);
    await client.pushBlob(repository, sha256(bundle), bundle);
    const { digest, subjectIndexed } = await client.putReferrer(repository, manifest, OCI_MANIFEST);
    if (subjectIndexed)
        return { digest, listing: 'referrers-api' };
    // No referrers API: the index at the subject's tag lists it (read, extended, written back).
    const tag = referrersTag(subject.digest);
    const current = await client.getManifest(repository, tag);
    if (current && current.mediaType !== undefined && current.mediaType !== OCI_INDEX)
        throw new ActionError(`${repository}:${tag} is a ${current.mediaType}, not the image index of the referrers tag scheme`, `remove the tag ${tag} (it names the chart's digest and is kept by the attestation), then re-run the job`);
    const entries = indexEntries(current?.body);
    if (!entries.some((d) => d.digest === digest)) {
        entries.push({
            mediaType: OCI_MANIFEST,
            digest,
            size: manifest.length,
            artifactType: BUNDLE_MEDIA_TYPE,
            annotations
        });
        const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries }));
        await client.putManifest(repository, tag, index, OCI_INDEX);
    }
    return { digest, listing: 'tag-scheme' };
}

// The two in-toto statements the action attests about a published chart (pure): SLSA build provenance v1, the
// predicate `actions/attest-build-provenance` writes (@actions/attest buildSLSAProvenancePredicate: workflow, ref,
// commit, runner, from the OIDC token's claims), and the CycloneDX SBOM the action writes. Their subject is the
// chart's manifest digest under its repository name (`host/path/name`), as attest-build-provenance names an image.
const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
const INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
const CYCLONEDX_BOM = 'https://cyclonedx.org/bom';
const GITHUB_BUILD_TYPE = 'https://actions.github.io/buildtypes/workflow/v1';
const PREDICATE_TYPES = {
    provenance: SLSA_PROVENANCE_V1,
    sbom: CYCLONEDX_BOM
};
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
];
/** The subject of `oci://host/path/name:tag` at `sha256:<hex>`. */
function chartSubject(ref, digest) {
    const hex = /^sha256:([0-9a-f]{64})$/.exec(digest)?.[1];
    if (!hex)
        throw new ActionError(`cannot attest ${ref}: "${digest}" is not a sha256 manifest digest`);
    return { name: ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, ''), digest: { sha256: hex } };
}
function statement(subject, predicateType, predicate) {
    return { _type: STATEMENT_TYPE, subject: [subject], predicateType, predicate };
}
/**
 * The claims of the runner's OIDC token. Read without checking its signature: the token comes straight from the
 * runner's token endpoint, and Fulcio checks it before it certifies anything (the certificate carries the same
 * claims, so a predicate that disagreed with the token would disagree with its own certificate).
 */
function tokenClaims(token) {
    const payload = token.split('.')[1];
    let claims;
    try {
        claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
    }
    catch {
        claims = undefined;
    }
    if (!isRecord(claims))
        throw new ActionError('the OIDC token from the runner is not a JWT');
    const missing = ['iss', ...PROVENANCE_CLAIMS].filter((claim) => claims[claim] === undefined);
    if (missing.length)
        throw new ActionError(`the OIDC token from the runner lacks the claims ${missing.join(', ')}`, 'run the action in a GitHub Actions workflow (its token carries the workflow, ref and commit)');
    return Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, String(v)]));
}
/** The SLSA v1 predicate of a GitHub Actions build, field for field as @actions/attest writes it. */
function provenancePredicate(claims, serverUrl) {
    // owner/repo/.github/workflows/main.yml@refs/tags/v1 → .github/workflows/main.yml
    const [workflowPath] = claims.workflow_ref.replace(`${claims.repository}/`, '').split('@');
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
    };
}

// Attests a published chart: what the registry already holds is looked up first (a re-run adds nothing; a job
// without an OIDC token reads it too: earlierAttestations), then each missing statement (SLSA provenance, the
// CycloneDX SBOM) is signed keylessly (attest/sign.ts, loaded here on demand), its bundle written to a file, stored
// as a referrer of the chart's manifest (attest/referrers.ts) and with GitHub's attestations API
// (attest/github-store.ts; a refusal is a notice). Errors are thrown for the caller's step; what was refused but is
// not needed comes back as notices.
const KINDS = ['provenance', 'sbom'];
function registryOf(request) {
    const { registry } = request;
    const client = new RegistryClient({
        host: registry.host,
        plainHttp: registry.plainHttp,
        credentials: request.credentials,
        timeoutMs: request.timeoutMs
    });
    return { client, repository: chartRepository(registry, request.chart.name) };
}
async function listEarlier(client, repository, digest) {
    const listed = await bundleReferrers(client, repository, digest);
    const statements = [];
    const missing = [];
    for (const kind of KINDS) {
        const found = listed.find((d) => d.annotations?.[PREDICATE_ANNOTATION] === PREDICATE_TYPES[kind]);
        if (found)
            statements.push({ kind, predicateType: PREDICATE_TYPES[kind], referrer: found.digest, existing: true });
        else
            missing.push(kind);
    }
    return { statements, missing };
}
/** What earlier runs attested about the chart's digest (read only: a job without an OIDC token can still say). */
async function earlierAttestations(request) {
    const { client, repository } = registryOf(request);
    return listEarlier(client, repository, request.digest);
}
async function attestChart(request) {
    const { digest, chart } = request;
    const { client, repository } = registryOf(request);
    const { statements, missing } = await listEarlier(client, repository, digest);
    if (missing.length === 0)
        return { info: { statements }, notices: [] };
    const subject = chartSubject(request.ref, digest);
    const token = await request.identityToken();
    const claims = tokenClaims(token);
    const { instance } = request;
    const predicate = async (kind) => {
        if (kind === 'provenance')
            return provenancePredicate(claims, request.serverUrl);
        if (!request.sbomPath)
            throw new Error('the SBOM was not written, so it cannot be attested');
        return JSON.parse(await require$$1.readFile(request.sbomPath, 'utf8'));
    };
    const toSign = await Promise.all(missing.map(async (kind) => ({ kind, statement: statement(subject, PREDICATE_TYPES[kind], await predicate(kind)) })));
    const { signStatement } = await loadSigner();
    const limits = { timeoutMs: request.timeoutMs, retries: 2 };
    const [bundles, subjectManifest] = await Promise.all([
        Promise.all(toSign.map(({ statement: s }) => signStatement(s, instance, token, limits))),
        subjectDescriptor(client, repository, digest)
    ]);
    const notices = [];
    let listing;
    // One after the other: without a referrers API each store reads and rewrites the same index tag.
    for (const [i, { kind }] of toSign.entries()) {
        const bytes = Buffer.from(JSON.stringify(bundles[i]));
        const file = require$$2.join(request.outputDir, `${chart.name}-${chart.version}.${kind}.sigstore.json`);
        await require$$1.writeFile(file, bytes);
        const stored = await storeBundle(client, repository, subjectManifest, bytes, PREDICATE_TYPES[kind]);
        listing = stored.listing;
        const attested = {
            kind,
            predicateType: PREDICATE_TYPES[kind],
            referrer: stored.digest,
            bundle: file
        };
        if (request.github) {
            const outcome = await storeOnGitHub(bundles[i], request.github);
            if (outcome.stored)
                attested.githubId = outcome.id;
            else
                notices.push(`GitHub did not store the ${kind} attestation (${outcome.reason})`);
        }
        statements.push(attested);
    }
    statements.sort((a, b) => KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind));
    return { info: { instance: instance.name, listing, statements }, notices };
}
/**
 * The signing code: its own chunk of dist/ (@sigstore/sign and make-fetch-happen, ~0.5 s to load on a small
 * runner), loaded once, only by a release that attests; run/later-stages.ts preloadAttestation starts it while the
 * push runs.
 */
function loadSigner() {
    signer ??= import('./sign.js');
    return signer;
}
let signer;

function sigstoreInstance(urls, payload, serverUrl = 'https://github.com') {
    if (urls.fulcio)
        return {
            name: 'custom',
            fulcioUrl: urls.fulcio,
            ...(urls.rekor ? { rekorUrl: urls.rekor } : {}),
            ...(urls.tsa ? { tsaUrl: urls.tsa } : {})
        };
    const repository = payload.repository;
    if (repository?.visibility === 'public')
        return { name: 'public-good', fulcioUrl: 'https://fulcio.sigstore.dev', rekorUrl: 'https://rekor.sigstore.dev' };
    let host = new URL(serverUrl).hostname;
    if (host === 'github.com')
        host = 'githubapp.com';
    return { name: 'github', fulcioUrl: `https://fulcio.${host}`, tsaUrl: `https://timestamp.${host}` };
}

// The workflow's OIDC token, asked of the runner's token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL with the bearer
// ACTIONS_ID_TOKEN_REQUEST_TOKEN) for one audience, as @actions/core getIDToken asks, through net/http.ts: the
// action's bundle keeps @actions/core's OIDC client and its HTTP client's retry loop out. Neither the request token
// nor the identity token appears in a message.
/** The permission whose absence leaves a job without a token, as messages name it. */
const ID_TOKEN_PERMISSION = 'permissions: id-token: write';
async function requestIdToken(audience, timeoutMs, env = process.env) {
    const endpoint = env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const bearer = env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (!endpoint || !bearer)
        throw new ActionError('the job has no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set)', `add \`${ID_TOKEN_PERMISSION}\` to the job`);
    const url = new URL(endpoint);
    url.searchParams.set('audience', audience);
    const headers = { Accept: 'application/json', Authorization: `Bearer ${bearer}`, 'User-Agent': ACTION_NAME };
    let last = '';
    for (let attempt = 0; attempt < 3; attempt++) {
        if (attempt > 0)
            await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
        try {
            const res = await httpExchange('GET', url, headers, timeoutMs, 64 * 1024);
            if (res.status === 200) {
                const value = JSON.parse(res.body.toString('utf8')).value;
                if (typeof value === 'string' && value)
                    return value;
                throw new ActionError(`the runner's token endpoint ${url.host} answered without a token`);
            }
            last = `HTTP ${res.status}`;
            if (res.status < 500 && res.status !== 429)
                break;
        }
        catch (error) {
            if (error instanceof ActionError)
                throw error;
            const network = describeNetworkError(error, timeoutMs);
            last = network.text;
            if (!network.retryable)
                break;
        }
    }
    throw new ActionError(`the runner's token endpoint ${url.host} gave no OIDC token (${last})`, `check that the job has \`${ID_TOKEN_PERMISSION}\`, then re-run the job`);
}

// Stage: the `Attest` step, after the push and the SBOM (a chunk of dist/ of its own, loaded only on a release
// that attests: run/evidence.ts). Input attest (auto, true, false) and the workflow's OIDC token decide whether;
// attest/attest.ts signs and stores. Without the token (attest: auto) nothing is signed, but what earlier runs
// attested is read from the registry: the step says which statements are missing and the permission to grant. A failed attestation fails the step (and the run) and says the chart is
// published but not attested, and that a re-run attests it without pushing. Nothing secret is printed: the token
// is registered as a secret before anything could show it.
/** Attests `publish` (pushed by this run, or already published with the same content). */
async function attestStep(ctx, publish, sbomPath, outputDir, env = process.env) {
    const started = performance.now();
    const step = (status, summary, findings, data) => ({
        id: 'attest',
        title: 'Attest',
        status,
        durationMs: Math.round(performance.now() - started),
        summary,
        findings,
        ...(data ? { data } : {})
    });
    const published = `${publish.ref}@${publish.digest}`;
    const { inputs, event, registry } = ctx;
    if (!registry)
        return step('skipped', 'not attested: no registry input', []);
    // Each request to the registry, the Sigstore instance, GitHub and the token endpoint, within the run's budget.
    const timeoutMs = operationLimit(OPERATION_LIMITS.http).ms;
    if (!env.ACTIONS_ID_TOKEN_REQUEST_URL) {
        // attest: true without the token stops the run before the push (run/settings.ts). auto cannot sign, but the
        // registry says what earlier runs attested: all of it is a pass; what is missing names the permission to grant.
        const lookup = {
            digest: publish.digest,
            chart: ctx.chart,
            registry,
            credentials: ctx.credentials.registry,
            timeoutMs
        };
        let earlier;
        let unread = '';
        try {
            earlier = await earlierAttestations(lookup);
        }
        catch (error) {
            unread = ` (what earlier runs attested is unknown: ${errorLine(error)})`;
        }
        const found = earlier?.statements ?? [];
        if (earlier && earlier.missing.length === 0)
            return step('passed', `already attested: ${kindNames(found)} (by an earlier run; nothing signed)`, [], {
                statements: found
            });
        const missing = kindNames((earlier?.missing ?? ['provenance', 'sbom']).map((kind) => ({ kind })));
        const why = 'this job cannot sign: the workflow gives it no OIDC token';
        return step('skipped', `not attested (${missing}): the job needs ${ID_TOKEN_PERMISSION}`, [
            {
                rule: 'attest-permission',
                severity: 'notice',
                message: publish.pushed
                    ? `${published} is published without attestations (${missing}): ${why}${unread}`
                    : `${published} was published by an earlier run and is still not attested (${missing}): ${why}${unread}`,
                fix: `grant the job \`${ID_TOKEN_PERMISSION}\` (and \`attestations: write\` for GitHub's copy), then re-run it: the re-run finds the chart published and attests it without pushing; or set attest: false`
            }
        ], found.length ? { statements: found } : undefined);
    }
    const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
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
            github: inputs.githubToken && event.repo
                ? { apiUrl: env.GITHUB_API_URL || 'https://api.github.com', token: inputs.githubToken, ...event.repo }
                : undefined,
            identityToken: async () => {
                const token = await requestIdToken('sigstore', timeoutMs, env);
                registerSecret(token);
                return token;
            },
            timeoutMs
        });
        const signed = info.statements.filter((s) => !s.existing);
        const findings = notices.map((message) => ({
            rule: 'attest-github',
            severity: 'notice',
            message,
            fix: 'the bundles are in the registry beside the chart; GitHub stores attestations for public repositories and plans with artifact attestations, with `attestations: write`'
        }));
        if (signed.length && !inputs.githubToken)
            findings.push({
                rule: 'attest-github',
                severity: 'notice',
                message: 'the attestations were not stored with GitHub: the github-token input is empty',
                fix: 'keep github-token at its default (`${{ github.token }}`) with `attestations: write`'
            });
        const names = kindNames(info.statements);
        const summary = signed.length
            ? `attested: ${names} (${info.instance} Sigstore; ${info.listing === 'tag-scheme' ? 'referrers tag' : 'referrers API'})`
            : `already attested: ${names} (nothing signed)`;
        return step('passed', summary, findings, info);
    }
    catch (error) {
        return step('failed', 'published, not attested', [
            {
                rule: 'attest',
                severity: 'error',
                message: `${published} is published but not attested: ${errorLine(error)}`,
                fix: 're-run the job: the re-run finds the chart published and attests it without pushing again'
            }
        ]);
    }
}
/** `provenance, SBOM`. */
function kindNames(statements) {
    return statements.map((s) => (s.kind === 'sbom' ? 'SBOM' : s.kind)).join(', ');
}
/** Starts loading the signing code ahead of attestStep (run/later-stages.ts preloadAttestation); errors are its. */
function preloadSigner() {
    loadSigner().catch(() => undefined);
}

var attestStep$1 = /*#__PURE__*/Object.freeze({
    __proto__: null,
    attestStep: attestStep,
    preloadSigner: preloadSigner
});

export { INTOTO_PAYLOAD_TYPE as I, attestStep$1 as a };
