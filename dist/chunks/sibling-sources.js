import { c as require$$2, b as require$$1 } from './action.js';
import { b as buildWorkspaceChart, A as ArchiveCache } from './workspace-build.js';
import './_builtin-require.js';
import 'node:module';

// A pull request that bumps a sibling blueprint and the product's pin on it together: the pinned version is not in
// the registry yet (run/siblings-step.ts asked), but the sibling's Chart.yaml at this commit has exactly that version.
// The sibling is then built from source (chart/workspace-build.ts: its own work copy, its dependencies fetched and
// digest-checked by the same rules as its own run, an empty helm home), and the product's dependency build reads it
// from that folder (chart/dependency-plan.ts `fromSource`) instead of the registry: every gate runs on the product
// with the sibling as this commit has it. Never on a release: a release bundles only what is published (the siblings
// step refuses it, and the dependency plan throws if it were ever asked to).
/**
 * Builds the given siblings at this commit, all at once, each into a folder of its own under the run's folder. A
 * sibling that cannot be built is in `failed` with its cause (a message naming the file, dependency or repository).
 */
async function buildSiblingSources(ctx, siblings) {
    const sources = { built: new Map(), failed: new Map() };
    // Never on a release (siblings-step.ts siblingsToBuildFromSource chose them; checked again here).
    if (ctx.mode !== 'validate')
        return sources;
    const archives = new ArchiveCache();
    await Promise.all(siblings.map(async (sibling, slot) => {
        try {
            const build = await buildWorkspaceChart({
                workspace: ctx.blueprint.workspace,
                dir: sibling.dir,
                chartDir: sibling.chartDir,
                workRoot: require$$2.join(ctx.folders.root, 'siblings', String(slot)),
                helm: ctx.helm,
                fetch: {
                    mirrors: ctx.inputs.repositoryMirrors,
                    credentialsFor: ctx.credentials.forRepository,
                    plainHttp: ctx.inputs.plainHttp,
                    indexes: ctx.indexes
                },
                archives
            });
            // As its own run packages it: the packaged Chart.yaml text, and its committed Chart.lock when that fits.
            await require$$1.writeFile(require$$2.join(build.work.dir, 'Chart.yaml'), build.work.chartYamlText);
            if (build.work.lock)
                await require$$1.writeFile(require$$2.join(build.work.dir, 'Chart.lock'), build.work.lock.text);
            if (build.work.version !== sibling.version) {
                throw new Error(`its chart has version ${build.work.version}, not ${sibling.version}`);
            }
            sources.built.set(sibling.name, build.work.dir);
        }
        catch (error) {
            sources.failed.set(sibling.name, error instanceof Error ? error.message : String(error));
        }
    }));
    return sources;
}

export { buildSiblingSources };
