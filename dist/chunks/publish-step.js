import { a7 as chartRef } from './action.js';
import './_builtin-require.js';
import 'node:module';

async function publishStep(ctx, work, staged, stepsSoFar) {
    const { registry, mode } = ctx;
    const ref = registry ? chartRef(registry, work.name, work.version) : undefined;
    const gateFailed = stepsSoFar.some((step) => step.status === 'failed');
    if (mode !== 'publish' || !staged || gateFailed) {
        await staged?.abandon(); // blobs uploaded during the gates stay unreferenced: no manifest, no tag
        const why = mode !== 'publish'
            ? 'validate mode: nothing is pushed'
            : gateFailed
                ? 'a gate failed: nothing is pushed'
                : 'no registry input';
        return {
            id: 'publish',
            title: 'Publish',
            status: 'skipped',
            durationMs: 0,
            summary: ref ? `${why} (would publish ${ref})` : why,
            findings: []
        };
    }
    return staged.commit();
}

export { publishStep };
