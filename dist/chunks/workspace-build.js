import { c as require$$2, ap as applyMirrors, b as require$$1, o as ActionError, aq as fetchChartArchive, ar as normalizeDigest, as as sha256Digest, at as parseOciReference, R as RegistryClient, au as plainHttpFor, ak as isExactVersion, a5 as ociTag, av as maxSatisfying, B as loadBlueprint, D as prepareWorkChart, H as Helm, aw as copyChartFolder } from './action.js';

// A dependency's archive fetched by the action itself, not by `helm dependency build`: for a chart the run builds
// besides its own (a blueprint blueprint.yaml spec.depends names: chart/workspace-build.ts). Through the same path
// as the run's own build: repository-mirrors, the run's IndexCache (each index.yaml once per run), the credentials
// routed to that repository; the version as helm picks it (the locked one, else the highest the range allows); the
// archive checked against what its repository vouches for (index.yaml's `digest`, the OCI manifest's chart layer)
// before anyone reads it. Each archive is fetched once per run (ArchiveCache), and one the run's own build already
// downloaded is read from its charts/ instead. The credentials stay in this process: no helm home holds them, so a
// chart test script running meanwhile finds none (docs/threat-model.md).
/** Each archive of a run once: the first asker fetches it, the others get the same promise. */
class ArchiveCache {
    archives = new Map();
    tagLists = new Map();
    /** Archives downloaded (not read from the run's own charts/): the report's count. */
    downloads = 0;
    /**
     * The archives the run's own dependency build put into `chartDir/charts/` (`built`: name → version), so another
     * build that pins the same chart of the same repository reads them instead of fetching them again. Read on
     * first use; one that is not there is fetched as usual.
     */
    reuseBuilt(chartDir, dependencies, built, options) {
        for (const dep of dependencies) {
            const version = built[dep.name];
            if (!version || !dep.repository || dep.repository.startsWith('file://'))
                continue;
            const file = require$$2.join(chartDir, 'charts', `${dep.name}-${version}.tgz`);
            const key = archiveKey(applyMirrors(dep.repository, options.mirrors), dep.name, version);
            if (this.archives.has(key))
                continue;
            const read = require$$1.readFile(file).then((data) => {
                return { name: dep.name, version, source: `the run's charts/${require$$2.basename(file)}`, data, check: 'reused' };
            });
            read.catch(() => this.archives.delete(key)); // not there: the next asker fetches it
            this.archives.set(key, read);
        }
    }
    /** The archive under `key`, fetched by `fetch` only when no one asked for it before. */
    async once(key, fetch) {
        const known = this.archives.get(key);
        if (known) {
            try {
                return await known;
            }
            catch (error) {
                // A reused file that was not there falls through to a fetch; a failed fetch is every asker's error.
                if (this.archives.get(key) === known)
                    throw error;
                return this.once(key, fetch);
            }
        }
        const fetched = fetch().then((archive) => {
            this.downloads++;
            return archive;
        });
        this.archives.set(key, fetched);
        return fetched;
    }
    /** An OCI repository's tags, listed once per run. */
    tags(repository, list) {
        let tags = this.tagLists.get(repository);
        if (!tags) {
            tags = list();
            this.tagLists.set(repository, tags);
        }
        return tags;
    }
}
function archiveKey(repository, name, version) {
    return `${repository.replace(/\/+$/, '')}\0${name}\0${version}`;
}
/** The version helm builds: the locked one, else the highest of `available` the Chart.yaml version or range allows. */
function pickVersion(dep, locked, available, source) {
    if (locked)
        return locked;
    let version;
    try {
        version = maxSatisfying(available, dep.version);
    }
    catch (error) {
        throw new ActionError(`dependency ${dep.name}: version "${dep.version}" is no version or range (${error.message})`, 'give an exact version or a range helm reads, e.g. 1.2.3 or ^1.2');
    }
    if (!version)
        throw new ActionError(`${source} has no ${dep.name} matching ${dep.version} (it has ${available.slice(-5).join(', ') || 'none'})`, `check dependency ${dep.name}'s version in Chart.yaml`);
    return version;
}
/**
 * The archive of one dependency (http(s) or oci:// repository; not `file://`, which is a folder of the workspace),
 * at its locked version when `locked` is given: fetched, checked against its repository's digest (a mismatch
 * throws, naming both), once per run.
 */
async function fetchDependencyArchive(dep, locked, options, cache) {
    const repository = applyMirrors(dep.repository, options.mirrors);
    if (repository.startsWith('oci://'))
        return fetchOciArchive(dep, locked, repository, options, cache);
    if (!/^https?:\/\//.test(repository))
        throw new ActionError(`dependency ${dep.name}: repository "${dep.repository}" is neither http(s):// nor oci:// nor file://`, 'point the dependency at a chart repository');
    const credentials = options.credentialsFor(repository);
    const index = await options.indexes.fetch(repository, credentials);
    const entries = index.entries()[dep.name] ?? [];
    const version = pickVersion(dep, locked, entries.map((entry) => String(entry.version)), index.url);
    const entry = entries.find((candidate) => String(candidate.version) === version);
    const url = entry?.urls?.[0];
    if (!entry || !url)
        throw new ActionError(`${index.url} has no archive URL for ${dep.name} ${version}`, `check dependency ${dep.name}'s version in Chart.yaml`);
    return cache.once(archiveKey(repository, dep.name, version), async () => {
        // A relative URL is relative to the repository, as helm reads it.
        const absolute = new URL(url, `${repository}/`).href;
        const data = await fetchChartArchive(absolute, repository, credentials);
        const expected = normalizeDigest(entry.digest);
        const actual = sha256Digest(data);
        if (expected && expected !== actual)
            throw new ActionError(`dependency ${dep.name} ${version} from ${absolute} has digest ${actual}, but ${index.url} says ${expected}`, 'the repository serves an archive that differs from its index: ask its owner to reindex, or pin another version');
        return { name: dep.name, version, source: absolute, data, check: expected ? 'digest' : 'unchecked' };
    });
}
async function fetchOciArchive(dep, locked, repository, options, cache) {
    const { host, repository: base } = parseOciReference(repository);
    const name = base ? `${base}/${dep.name}` : dep.name;
    const client = new RegistryClient({
        host,
        plainHttp: plainHttpFor(options, host),
        credentials: options.credentialsFor(`oci://${host}`)
    });
    const source = `oci://${host}/${name}`;
    // An exact version is its tag; a range is resolved against the tags (OCI tags hold `_` for `+`), as helm does.
    const version = locked ??
        (isExactVersion(dep.version)
            ? dep.version.replace(/^[\s=]+/, '').trim()
            : pickVersion(dep, undefined, (await cache.tags(source, () => client.listTags(name))).map((tag) => tag.replace(/_/g, '+')), source));
    return cache.once(archiveKey(repository, dep.name, version), async () => {
        const tag = ociTag(version);
        const manifest = await client.manifest(name, tag);
        if (!manifest.exists)
            throw new ActionError(`${source}:${tag} does not exist`, `check dependency ${dep.name}'s version in Chart.yaml`);
        const pulled = await client.pullChart(name, manifest.digest);
        if (pulled.manifestDigest !== manifest.digest || pulled.archiveDigest !== pulled.layerDigest)
            throw new ActionError(`dependency ${dep.name} ${version} from ${source}:${tag}: the registry served content that differs from its digest`, 'try again; if it persists, the registry is not serving what the tag names');
        return { name: dep.name, version, source: `${source}:${tag}`, data: pulled.archive, check: 'digest' };
    });
}

// A workspace blueprint's chart, built: another blueprint of the monorepo than the run's own (the schema gate renders
// those blueprint.yaml spec.depends names, for their CRDs; a product umbrella's sibling blueprints can be built the
// same way: a pull request builds an unpublished sibling it bundles from source, run/sibling-sources.ts). Its chart
// folder copied into a work folder of its own (chart/work-chart.ts: the user's tree is never written, a link leaving
// the chart is refused, a committed Chart.lock that fits Chart.yaml is honoured), its dependencies placed under charts/
// as `helm dependency build` would place them (archives fetched and checked by the action: chart/archive-fetch.ts, each
// once per run; a `file://` dependency copied as helm packs it: as it is, its own charts/ included), and a helm home of
// its own, empty: no repository entry, no login, no credential. No helm process runs here; whoever renders or packages
// the chart does that with the returned helm.
/**
 * Builds a workspace blueprint's chart (see the header). Throws what stops it (an ActionError naming the file, the
 * dependency or the repository): a blueprint that cannot be read, a dependency that cannot be fetched or whose
 * archive differs from its repository's digest.
 */
async function buildWorkspaceChart(options) {
    const start = performance.now();
    const blueprint = await loadBlueprint(options.workspace, options.dir, options.chartDir);
    const { work } = await prepareWorkChart({ blueprint, workRoot: require$$2.join(options.workRoot, 'chart') });
    const helm = await Helm.create(options.helm.binary, require$$2.join(options.workRoot, 'helm-home'), options.helm.release);
    const charts = require$$2.join(work.dir, 'charts');
    await require$$1.mkdir(charts, { recursive: true });
    const built = {};
    const archives = [];
    await Promise.all(work.dependencies.map(async (dep) => {
        if (!dep.repository)
            return; // helm reads it from charts/ as it is (kept by the copy)
        if (dep.repository.startsWith('file://')) {
            // As helm packs a local dependency: the folder as it is, relative to the chart in the user's tree.
            const source = require$$2.resolve(work.sourceDir, dep.repository.slice('file://'.length));
            copyChartFolder({
                source,
                destination: require$$2.join(charts, dep.name),
                displayDir: require$$2.relative(options.workspace, source) || source
            });
            built[dep.name] = dep.version;
            return;
        }
        const locked = work.lock?.dependencies.find((entry) => entry.name === dep.name)?.version;
        const archive = await fetchDependencyArchive(dep, locked, options.fetch, options.archives);
        await require$$1.writeFile(require$$2.join(charts, `${dep.name}-${archive.version}.tgz`), archive.data);
        built[dep.name] = archive.version;
        archives.push({ name: archive.name, version: archive.version, source: archive.source, check: archive.check });
    }));
    return { blueprint, work, helm, built, archives, durationMs: Math.round(performance.now() - start) };
}

export { ArchiveCache as A, buildWorkspaceChart as b };
