// The action's entry: the pipeline loaded (run/action.ts, a chunk of its own: dist/chunks/action.js), then run
// (inputs → one blueprint's run or discover → the report).
async function run() {
    let runAction;
    try {
        ;
        ({ runAction } = await import('./chunks/action.js').then(function (n) { return n.ax; }));
    }
    catch (error) {
        // Not through @actions/core: it is part of what did not load.
        process.exitCode = 1;
        process.stdout.write(`::error::the action's code did not load (dist/ incomplete?): ${String(error)}\n`);
        return;
    }
    await runAction();
}

// Entry point of the bundled action: everything happens in run().
void run();
