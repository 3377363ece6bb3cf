import { i as isPublishingRepository, s as siblingDependencies } from './siblings.js';
import { R as RegistryClient, ak as isExactVersion, q as chartRepository, a5 as ociTag } from './action.js';
import './_builtin-require.js';
import 'node:module';

// Stage: the sibling blueprints the run's chart bundles (chart/siblings.ts: a Chart.yaml dependency that is another
// blueprint of the workspace, from the registry this monorepo publishes to). A release can only bundle what is
// published, so each sibling's pinned version is asked for in the registry (one `GET` of its manifest, all siblings at
// once, sent when the chart stages start: on a release the round trip overlaps the dependency build) and the `Sibling
// blueprints` step says what holds: on a release, an unpublished sibling fails the run before anything is pushed,
// naming the sibling, its version and the blueprint to release first; on a pull request, an unpublished sibling whose
// source in this checkout has another version fails naming both files, and one whose source has exactly that version is
// built from source at this commit (sibling-sources.ts: the lookups are then awaited before the product's dependency
// build, which reads the built sibling instead of the registry). Only for a chart with such a dependency and a registry
// set: every other run sends nothing.
/**
 * Starts the lookups when the run's chart bundles a sibling blueprint and a registry is set; undefined otherwise
 * (nothing is read, not even the workspace index).
 */
function startSiblingsStep(base, workspace) {
    const { registry, inputs, blueprint } = base;
    const dependencies = blueprint.chartYaml.data.dependencies ?? [];
    if (!registry ||
        !dependencies.some((dep) => typeof dep?.repository === 'string' && isPublishingRepository(dep.repository, inputs.registry))) {
        return undefined;
    }
    const start = performance.now();
    const client = new RegistryClient({
        host: registry.host,
        plainHttp: registry.plainHttp,
        credentials: base.credentials.registry,
        retries: 1,
        baseDelayMs: 500
    });
    const checked = workspace().then((index) => {
        const self = { dir: blueprint.dir, chart: { dependencies } };
        return Promise.all(siblingDependencies(index, self, inputs.registry).map(async ({ dependency, index: i, sibling }) => {
            const check = {
                name: dependency.name,
                version: String(dependency.version),
                line: blueprint.chartYaml.lineOf(['dependencies', i]),
                dir: sibling.dir,
                chartDir: sibling.chartDir,
                sourceFile: sibling.chart?.file ?? `${sibling.chartDir}/Chart.yaml`,
                sourceLine: sibling.chart?.lineOf(['version']),
                sourceVersion: sibling.chart?.version,
                state: 'unknown'
            };
            if (!isExactVersion(check.version))
                return { ...check, reason: 'a range: helm picks among the published versions' };
            try {
                const found = await client.chartManifest(chartRepository(registry, check.name), ociTag(check.version.trim()));
                return { ...check, state: found.exists ? 'published' : 'unpublished' };
            }
            catch (error) {
                return { ...check, reason: error instanceof Error ? error.message : String(error) };
            }
        }));
    });
    checked.catch(() => undefined); // awaited by the step; a failure is its to report
    const fromSource = async (ctx) => {
        const none = { built: new Map(), failed: new Map() };
        const wanted = siblingsToBuildFromSource(ctx.mode, await checked.catch(() => []));
        if (wanted.length === 0)
            return none;
        // Its code (the workspace build, the archive fetches) is loaded only by a pull request that needs it.
        const { buildSiblingSources } = await import('./sibling-sources.js');
        return buildSiblingSources(ctx, wanted);
    };
    const step = async (sources) => {
        let siblings;
        try {
            siblings = withSources(await checked, sources);
        }
        catch (error) {
            // The workspace index could not be read: the build says what the registry holds.
            return {
                ...siblingsStep(base, registry.url, []),
                status: 'warning',
                summary: 'the sibling blueprints could not be looked up',
                findings: [
                    {
                        rule: 'sibling-blueprint',
                        severity: 'warning',
                        message: `sibling blueprints: ${error instanceof Error ? error.message : String(error)}`
                    }
                ],
                durationMs: Math.round(performance.now() - start)
            };
        }
        return { ...siblingsStep(base, registry.url, siblings), durationMs: Math.round(performance.now() - start) };
    };
    return { fromSource, step };
}
/**
 * The siblings to build from source (pure): on a pull request only, each whose exact pinned version the registry
 * said is not published and whose Chart.yaml at this commit has that version. A registry that could not be asked
 * (`unknown`) builds nothing: the dependency build asks the registry as it always did.
 */
function siblingsToBuildFromSource(mode, siblings) {
    if (mode !== 'validate')
        return [];
    return siblings.filter((check) => check.state === 'unpublished' && check.sourceVersion === check.version);
}
/** The checks with what the source builds gave. */
function withSources(siblings, sources) {
    if (!sources)
        return siblings;
    return siblings.map((check) => {
        if (sources.built.has(check.name))
            return { ...check, fromSource: { built: true } };
        const cause = sources.failed.get(check.name);
        return cause === undefined ? check : { ...check, fromSource: { built: false, cause } };
    });
}
/** The `Sibling blueprints` step (pure): what the lookups mean for this run. */
function siblingsStep(base, registry, siblings) {
    const chartFile = base.blueprint.chartYaml.displayPath;
    const at = (check) => `${chartFile}${check.line ? `:${check.line}` : ''}`;
    const sourceAt = (check) => `${check.sourceFile}${check.sourceLine ? `:${check.sourceLine}` : ''}`;
    const findings = [];
    for (const check of siblings) {
        const ref = `${registry}/${check.name}:${check.version}`;
        if (check.state === 'unknown' && check.reason && !check.reason.startsWith('a range')) {
            findings.push({
                rule: 'sibling-blueprint',
                severity: 'warning',
                message: `sibling blueprint ${check.name} ${check.version} (${check.dir}): the registry could not be asked whether ${ref} is published (${check.reason})`,
                file: chartFile,
                line: check.line
            });
        }
        if (check.state !== 'unpublished')
            continue;
        const location = { file: chartFile, line: check.line };
        if (check.sourceVersion !== undefined && check.sourceVersion !== check.version) {
            findings.push({
                rule: 'sibling-blueprint',
                severity: 'error',
                message: `${at(check)} bundles sibling blueprint ${check.name} ${check.version}, which is not published (${ref}), and ${check.dir} has ${check.sourceVersion} at this commit (${sourceAt(check)})`,
                fix: `pin ${check.name} to a published version in ${at(check)}, or set version in ${sourceAt(check)} to ${check.version} and release ${check.dir} first`,
                ...location
            });
        }
        else if (base.mode !== 'publish' && check.fromSource?.built) {
            findings.push({
                rule: 'sibling-blueprint',
                severity: 'notice',
                message: `${builtFromSource(check)}: the gates ran on ${chartFile} with it bundled; merging does not publish it, its own release does (discover's waves order it first)`,
                ...location
            });
        }
        else if (base.mode !== 'publish' && check.fromSource?.built === false) {
            findings.push({
                rule: 'sibling-blueprint',
                severity: 'error',
                message: `sibling blueprint ${check.name} ${check.version} is not published yet (${ref}), and ${check.dir} could not be built from source at this commit: ${check.fromSource.cause}`,
                fix: `make ${check.chartDir} build (the action run on ${check.dir} says what fails), or pin ${check.name} to a published version in ${at(check)}`,
                ...location
            });
        }
        else if (base.mode === 'publish') {
            findings.push({
                rule: 'sibling-blueprint',
                severity: 'error',
                message: `sibling blueprint ${check.name} ${check.version} is not published (${ref}): a release never bundles an unpublished sibling, so nothing is pushed`,
                fix: `release ${check.dir} first (its tag ${check.dir}/v${check.version}; discover's waves order it before this blueprint), then re-run this release`,
                ...location
            });
        }
        else {
            findings.push({
                rule: 'sibling-blueprint',
                severity: 'error',
                message: `sibling blueprint ${check.name} ${check.version} is not published yet (${ref}); ${check.dir} has ${check.version} at this commit (${sourceAt(check)})`,
                fix: `release ${check.dir} at ${check.version} first (its tag ${check.dir}/v${check.version}), then this blueprint: discover's waves order the release`,
                ...location
            });
        }
    }
    const errors = findings.filter((finding) => finding.severity === 'error').length;
    const warnings = findings.filter((finding) => finding.severity === 'warning').length;
    const listed = siblings.map((check) => check.state === 'unpublished' && check.fromSource?.built && base.mode !== 'publish'
        ? builtFromSource(check)
        : `${check.name} ${check.version} ${check.state === 'unknown' ? 'not looked up' : check.state}`);
    return {
        id: 'siblings',
        title: 'Sibling blueprints',
        status: errors > 0 ? 'failed' : warnings > 0 ? 'warning' : 'passed',
        durationMs: 0,
        summary: siblings.length === 0 ? 'no sibling blueprint bundled' : listed.join(', '),
        findings,
        data: { siblings }
    };
}
/** The report's line for a sibling a pull request built from source. */
function builtFromSource(check) {
    return `${check.name} ${check.version} built from ${check.dir} at this commit (not yet published)`;
}

export { siblingsStep, siblingsToBuildFromSource, startSiblingsStep };
