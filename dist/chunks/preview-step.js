import { a7 as chartRef, q as chartRepository, R as RegistryClient, a5 as ociTag, a8 as parseVersion, a9 as compareVersions, aa as PR_EVENTS, ab as MANIFEST_PATHS } from './action.js';
import { c as comparePublished, n as noOverwriteFix } from './push.js';
import './_builtin-require.js';
import 'node:module';
import './_builtin_zlib.js';

/** Starts the lookup of the tag now; `judge` compares with the package once it exists. */
function startPreview(options) {
    const { target, name, version } = options;
    const ref = chartRef(target, name, version);
    const repository = chartRepository(target, name);
    const client = new RegistryClient({
        host: target.host,
        plainHttp: target.plainHttp,
        credentials: options.credentials,
        retries: options.retries ?? 1,
        baseDelayMs: options.baseDelayMs ?? 500
    });
    const lookup = client
        .chartManifest(repository, ociTag(version))
        .catch((error) => ({ error: error instanceof Error ? error.message : String(error) }));
    return {
        judge: async (packaged) => {
            const found = await lookup;
            if ('error' in found)
                return { state: 'unreachable', ref, reason: found.error };
            if (!found.exists)
                return { state: 'unpublished', ref };
            if (packaged && found.layerDigest === packaged.layerDigest)
                return { state: 'same', ref, digest: found.digest };
            if (!packaged)
                return { state: 'published', ref, digest: found.digest };
            // Same files, other timestamps (a shallow checkout, a later commit that left the chart alone): the same chart.
            const comparison = found.layerDigest
                ? await comparePublished(client, repository, found.digest, packaged, found.layerDigest)
                : undefined;
            if (comparison?.same)
                return { state: 'same', ref, digest: found.digest };
            const tags = await client.listTags(repository).catch(() => []);
            return {
                state: 'other',
                ref,
                digest: found.digest,
                differing: comparison?.differing ?? [],
                dependenciesOnly: comparison?.dependenciesOnly ?? false,
                freeVersion: freeVersion(version, tags)
            };
        }
    };
}
/**
 * The next patch version after `version` that `tags` does not hold (the tags as OCI writes them: `_` for `+`),
 * and above every published version of the same major.minor (so a free version is not below one already out).
 */
function freeVersion(version, tags) {
    const current = parseVersion(version);
    if (!current)
        return undefined;
    const published = new Set(tags.map((tag) => tag.replace(/_/g, '+')));
    let patch = current.patch + 1;
    for (const text of published) {
        const v = parseVersion(text);
        if (v && v.major === current.major && v.minor === current.minor && compareVersions(v, current) > 0) {
            patch = Math.max(patch, v.patch + 1);
        }
    }
    for (;;) {
        const candidate = `${current.major}.${current.minor}.${patch}`;
        if (!published.has(candidate))
            return candidate;
        patch++;
    }
}

// Stage: the publish preview of a pull request (oci/preview.ts), when a registry is set: the tag is asked for as soon
// as the dependency build runs (run/later-stages.ts startLaterPreview: its round trip overlaps the build), the content compared once the chart is packaged
// (beside the gates), and the `Publish preview` step says what merging publishes. Only the comparison's wait, if it
// outlasts the gates, is on the run's critical path.
/** Starts the preview of a pull request's validate run with a registry; undefined for every other run. */
function startPreviewRun(ctx) {
    if (ctx.mode !== 'validate' || !ctx.registry || !PR_EVENTS.has(ctx.event.eventName))
        return undefined;
    const started = startPreview({
        target: ctx.registry,
        credentials: ctx.credentials.registry,
        name: ctx.chart.name,
        version: ctx.chart.version
    });
    let judged;
    const judge = (packaged) => (judged ??= started.judge(packaged));
    return {
        packaged: (packaged) => void judge(packaged),
        step: async () => {
            const start = performance.now();
            const preview = await judge(undefined);
            return { ...previewStep(ctx, preview), durationMs: Math.round(performance.now() - start) };
        },
        settled: async () => {
            await judge(undefined).catch(() => undefined);
        }
    };
}
/** The step a preview makes (pure): what the verdict line and the findings say. */
function previewStep(ctx, preview) {
    const step = (status, summary, findings = []) => ({
        id: 'publish-preview',
        title: 'Publish preview',
        status,
        durationMs: 0,
        summary,
        findings,
        data: preview
    });
    const { ref } = preview;
    switch (preview.state) {
        case 'unpublished':
            return step('passed', `merging publishes ${ref} (not in the registry yet)`);
        case 'same':
            return step('passed', `${ref} is already published with this content (${preview.digest}): nothing to publish`, [
                {
                    rule: 'publish-preview',
                    severity: 'notice',
                    message: `${ref} is already published with the same content (${preview.digest}): merging publishes nothing`
                }
            ]);
        case 'published':
            return step('skipped', `${ref} is published (${preview.digest}); not compared: the chart was not packaged`);
        case 'unreachable':
            return step('warning', `the registry could not be asked what ${ref} holds`, [
                {
                    rule: 'publish-preview',
                    severity: 'warning',
                    message: `publish preview: ${preview.reason}`,
                    fix: 'the check does not depend on it; check the registry input and registry-username/registry-password to see what merging publishes'
                }
            ]);
        case 'other':
            return step('failed', `${ref} is already published with other content: merging cannot publish this chart`, [
                otherContentFinding(ctx, preview)
            ]);
    }
}
function otherContentFinding(ctx, preview) {
    const { chartYaml, manifest, dir } = ctx.blueprint;
    const line = chartYaml.lineOf(['version']);
    const chartAt = `${chartYaml.displayPath}:${line ?? 1}`;
    const manifestLine = manifest?.lineOf(MANIFEST_PATHS.version);
    const manifestAt = manifest ? `${manifest.file}:${manifestLine ?? 1}` : undefined;
    const differing = preview.differing.length > 0 ? ` (differing: ${preview.differing.join(', ')})` : '';
    const free = preview.freeVersion;
    let fix;
    if (preview.dependenciesOnly)
        fix = noOverwriteFix(preview.ref, preview);
    else if (ctx.inputs.versionFromTag)
        fix =
            `with version-from-tag the release tag decides the version: ${ctx.chart.version} is taken` +
                (free
                    ? `, ${free} is free: tag the release as ${dir}/v${free}`
                    : ': tag the release with a version not published yet') +
                (manifestAt ? ` (and set spec.version in ${manifestAt} to it)` : '');
    else
        fix =
            `bump version in ${chartAt} to ${free ?? 'a version not published yet'}${free ? ' (the next patch version not published)' : ''}` +
                (manifestAt ? `, and spec.version in ${manifestAt} with it` : '');
    return {
        rule: 'publish-preview',
        severity: 'error',
        message: `${preview.ref} is already published as ${preview.digest} with other content${differing}: ` +
            (preview.dependenciesOnly
                ? "the chart's own files are the same, its bundled dependencies are not; the release after merging would refuse to replace it"
                : 'the release after merging would refuse to replace it, so the version must be bumped'),
        fix,
        file: chartYaml.displayPath,
        line
    };
}

export { previewStep, startPreviewRun };
