import { S as compareCodePoints, o as ActionError, $ as blueprintName, c as require$$2, a6 as indexWorkspace, _ as _builtin_child_process, j as isRecord, z as lastLine, K as yamlLibrary, b as require$$1 } from './action.js';
import { s as siblingDependencies } from './siblings.js';
import './_builtin-require.js';
import 'node:module';

// The release order of the blueprints an event changed: waves. A product umbrella bundles sibling blueprints
// (chart/siblings.ts) at the version it pins, and a release can only bundle what is already published, so a
// blueprint is released after every changed sibling it bundles. Wave 0 holds the changed blueprints that bundle no
// changed sibling; wave n+1 those whose changed siblings are all in waves 0..n (a three-level chain gives three
// waves). Only direct sibling dependencies order the waves: a blueprint bundling an unchanged sibling bundles that
// sibling's published artifact, whatever that one bundles. A cycle of siblings has no order: an ActionError naming
// it (each folder, chart and Chart.yaml line). With `dependents`, the blueprints that bundle a changed one join the
// list, each with its reason (a pull request validates them against the change). Pure: the index is read already.
const label = (bp) => {
    const name = blueprintName(bp);
    return name ? `${bp.dir} (${name})` : bp.dir;
};
function edgesOf(index, registry) {
    const graph = new Map();
    for (const bp of index.blueprints) {
        graph.set(bp.dir, siblingDependencies(index, bp, registry).map(({ dependency, index: i, sibling }) => {
            const line = bp.chart?.lineOf(['dependencies', i]);
            return {
                to: sibling.dir,
                line: `${bp.chart?.file ?? `${bp.chartDir}/Chart.yaml`}${line ? `:${line}` : ''}`,
                name: dependency.name
            };
        }));
    }
    return graph;
}
/** The first cycle reachable from `starts` (sorted, Chart.yaml order), as the edges that close it; or undefined. */
function findCycle(graph, starts) {
    const done = new Set();
    const onPath = [];
    const pathEdges = [];
    const visit = (dir) => {
        if (done.has(dir))
            return undefined;
        const at = onPath.indexOf(dir);
        if (at >= 0)
            return { dirs: [...onPath.slice(at), dir], edges: pathEdges.slice(at) };
        onPath.push(dir);
        for (const edge of graph.get(dir) ?? []) {
            pathEdges.push(edge);
            const cycle = visit(edge.to);
            if (cycle)
                return cycle;
            pathEdges.pop();
        }
        onPath.pop();
        done.add(dir);
        return undefined;
    };
    for (const start of starts) {
        const cycle = visit(start);
        if (cycle)
            return cycle;
    }
    return undefined;
}
/**
 * The release plan of the changed blueprint folders (see the header). Throws an ActionError naming the cycle when
 * sibling blueprints reachable from the changed ones bundle each other.
 */
function planRelease(index, changed, options = {}) {
    const graph = edgesOf(index, options.registry);
    const changedSet = new Set(changed);
    const dependents = new Map();
    if (options.dependents) {
        for (const bp of index.blueprints) {
            if (changedSet.has(bp.dir))
                continue;
            const bundled = (graph.get(bp.dir) ?? []).filter((edge) => changedSet.has(edge.to));
            if (bundled.length === 0)
                continue;
            const names = [...new Set(bundled.map((edge) => `${edge.name} (${edge.to})`))];
            dependents.set(bp.dir, `bundles changed ${names.length === 1 ? 'sibling' : 'siblings'} ${names.join(', ')}`);
        }
    }
    const listed = [...new Set([...changed, ...dependents.keys()])].sort(compareCodePoints);
    const cycle = findCycle(graph, listed);
    if (cycle) {
        const byDir = (dir) => {
            const bp = index.byDir(dir);
            return bp ? label(bp) : dir;
        };
        throw new ActionError(`sibling blueprints bundle each other in a cycle: ${cycle.dirs.map(byDir).join(' → ')}; no release order exists`, `a blueprint is released after the blueprints it bundles: remove one of these dependencies: ${cycle.edges
            .map((edge) => `${edge.name} at ${edge.line}`)
            .join(', ')}`);
    }
    const listedSet = new Set(listed);
    const level = new Map();
    // No cycle among the listed blueprints (checked above), so the recursion ends.
    const levelOf = (dir) => {
        const known = level.get(dir);
        if (known !== undefined)
            return known;
        const below = (graph.get(dir) ?? []).filter((edge) => listedSet.has(edge.to)).map((edge) => levelOf(edge.to));
        const mine = below.length === 0 ? 0 : Math.max(...below) + 1;
        level.set(dir, mine);
        return mine;
    };
    const waves = [];
    for (const dir of listed)
        (waves[levelOf(dir)] ??= []).push(dir);
    return { waves: waves.map((wave) => wave.sort(compareCodePoints)), dependents };
}

// Which blueprints did an event change? Lists blueprint folders (chart/workspace-index.ts: a folder with a
// blueprint.yaml or a chart/Chart.yaml) and keeps those with a changed file, using git with
// argument arrays (never a shell). Shallow clones are deepened on demand; when
// history cannot be had, every blueprint is returned and the reason says why. Then the release order of what is
// listed (discover/waves.ts): waves by sibling dependency, and with `dependents` on a pull request, the blueprints
// that bundle a changed one.
const ZERO_SHA = /^0+$/;
const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
function git(cwd, args, timeoutMs = 60_000) {
    return new Promise((resolve) => {
        _builtin_child_process.execFile('git', args, {
            cwd,
            encoding: 'utf8',
            maxBuffer: 256 * 1024 * 1024,
            timeout: timeoutMs,
            env: { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }
        }, (error, stdout, stderr) => resolve({ ok: !error, stdout: String(stdout), stderr: String(stderr || (error ? error.message : '')) }));
    });
}
const short = (sha) => sha.slice(0, 7);
async function hasCommit(cwd, sha) {
    return (await git(cwd, ['cat-file', '-e', `${sha}^{commit}`])).ok;
}
async function isShallow(cwd) {
    const r = await git(cwd, ['rev-parse', '--is-shallow-repository']);
    return r.ok && r.stdout.trim() === 'true';
}
/** Fetches commits from origin; `--depth` only in a shallow clone (it would make a full clone shallow). */
async function fetchCommits(cwd, shas, depth) {
    const args = ['fetch', '--no-tags', '--quiet'];
    if (await isShallow(cwd))
        args.push(`--depth=${depth}`);
    args.push('origin', ...shas);
    return git(cwd, args, 300_000);
}
/**
 * Files changed from `base` to `head`. With `mergeBase` (pull requests) the
 * comparison starts at their merge base, like GitHub's "files changed".
 */
async function changedFiles(cwd, base, head, mergeBase, depth) {
    const inside = await git(cwd, ['rev-parse', '--is-inside-work-tree']);
    if (!inside.ok)
        return { error: `${cwd} is not a git checkout (${lastLine(inside.stderr)})` };
    const notes = [];
    let missing = [];
    for (const sha of [base, head])
        if (!(await hasCommit(cwd, sha)))
            missing.push(sha);
    if (missing.length > 0) {
        const wanted = [...new Set(missing)];
        const fetched = await fetchCommits(cwd, wanted, depth);
        missing = [];
        for (const sha of [base, head])
            if (!(await hasCommit(cwd, sha)))
                missing.push(sha);
        const names = missing
            .map((sha) => (sha === base ? `base commit ${short(sha)}` : `head commit ${short(sha)}`))
            .join(' and ');
        if (missing.length > 0) {
            return {
                error: `${names} not in the clone and could not be fetched${fetched.ok ? '' : ` (${lastLine(fetched.stderr)})`}`
            };
        }
        notes.push(`fetched ${wanted.map(short).join(', ')} from origin`);
    }
    let from = base;
    if (mergeBase) {
        let mb = await git(cwd, ['merge-base', base, head]);
        if (!mb.ok && (await isShallow(cwd))) {
            await fetchCommits(cwd, [base, head], depth);
            mb = await git(cwd, ['merge-base', base, head]);
        }
        if (mb.ok && SHA_RE.test(mb.stdout.trim()))
            from = mb.stdout.trim();
        else
            notes.push(`no merge base within ${depth} commits: compared with the base commit directly`);
    }
    const diff = await git(cwd, ['diff', '--name-only', '--no-renames', '-z', '--relative', from, head, '--']);
    if (!diff.ok)
        return { error: `git diff ${short(from)} ${short(head)} failed (${lastLine(diff.stderr)})` };
    const files = diff.stdout.split('\0').filter((f) => f !== '');
    return { files, note: notes.length > 0 ? notes.join('; ') : undefined };
}
// ---------------------------------------------------------------------------
// Blueprint folders
// ---------------------------------------------------------------------------
/**
 * The matrix's `upstream` for a blueprint: what values.yaml
 * `catalystBlueprint.upstream.chart` names; '' otherwise. The action reads an
 * empty upstream input as "decide from the chart" (a scratch blueprint's empty
 * provenance, or the only non-library dependency), so an entry passed on
 * unchanged always agrees with the action's own choice.
 */
async function upstreamOf(workspace, chart) {
    try {
        const values = yamlLibrary().parse(await require$$1.readFile(require$$2.join(workspace, chart, 'values.yaml'), 'utf8'));
        const named = values?.catalystBlueprint?.upstream?.chart;
        if (typeof named === 'string')
            return named.trim();
    }
    catch {
        // no values.yaml, or not YAML: the action reports that when it runs on the blueprint
    }
    return '';
}
function sortStrings(values) {
    return [...new Set(values)].sort(compareCodePoints);
}
/** Blueprints with at least one changed file under their folder. */
function changedBlueprints(blueprints, files) {
    const normalized = files.map((f) => f.replace(/\\/g, '/'));
    return sortStrings(blueprints.filter((bp) => normalized.some((f) => f.startsWith(`${bp}/`))));
}
// ---------------------------------------------------------------------------
// discoverBlueprints
// ---------------------------------------------------------------------------
const strAt = (o, ...keys) => {
    let cur = o;
    for (const k of keys)
        cur = isRecord(cur) ? cur[k] : undefined;
    return typeof cur === 'string' ? cur : undefined;
};
/** The git range an event stands for, or a decision that needs no git. */
function eventRange(eventName, payload) {
    if (eventName === 'pull_request' || eventName === 'pull_request_target') {
        return {
            base: strAt(payload, 'pull_request', 'base', 'sha'),
            head: strAt(payload, 'pull_request', 'head', 'sha'),
            mergeBase: true,
            label: `pull request #${isRecord(payload) && isRecord(payload.pull_request) ? String(payload.pull_request.number ?? '?') : '?'}`
        };
    }
    if (eventName === 'merge_group') {
        return {
            base: strAt(payload, 'merge_group', 'base_sha'),
            head: strAt(payload, 'merge_group', 'head_sha'),
            mergeBase: false,
            label: 'merge group'
        };
    }
    if (eventName === 'push') {
        const ref = strAt(payload, 'ref') ?? '';
        const before = strAt(payload, 'before');
        const after = strAt(payload, 'after');
        if ((isRecord(payload) && payload.deleted === true) || (after !== undefined && ZERO_SHA.test(after))) {
            return { none: `push deleted ${ref || 'a ref'}: nothing to validate` };
        }
        const tag = /^refs\/tags\/((?:platform|products)\/[^/]+)\/v\d+\.\d+\.\d+\S*$/.exec(ref);
        if (tag)
            return { tag: ref.slice('refs/tags/'.length), blueprint: tag[1] };
        if (!before || ZERO_SHA.test(before)) {
            return { all: `push of ${ref || 'a new ref'} has no previous commit (first push): all blueprints` };
        }
        return {
            base: before,
            head: after,
            mergeBase: false,
            label: `push to ${ref.replace(/^refs\/(heads|tags)\//, '') || 'a ref'}`
        };
    }
    if (eventName === 'workflow_dispatch')
        return { all: 'workflow_dispatch: all blueprints' };
    return { all: `${eventName || 'unknown event'}: no change range, all blueprints` };
}
const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);
/** What discover lists: the blueprints the event selected, with their dependents when asked, in release order. */
async function result(changed, index, reason, opts) {
    const plan = planRelease(index, changed, {
        registry: opts.registry,
        dependents: opts.dependents === true && PR_EVENTS.has(opts.eventName)
    });
    const entryOf = async (blueprint) => {
        const chart = index.byDir(blueprint)?.chartDir ?? `${blueprint}/chart`;
        const why = plan.dependents.get(blueprint);
        return { blueprint, chart, upstream: await upstreamOf(index.workspace, chart), ...(why ? { reason: why } : {}) };
    };
    const waves = await Promise.all(plan.waves.map(async (wave) => ({ include: await Promise.all(wave.map(entryOf)) })));
    const include = waves.flatMap((wave) => wave.include).sort((a, b) => compareCodePoints(a.blueprint, b.blueprint));
    const added = plan.dependents.size;
    return {
        blueprints: include.map((entry) => entry.blueprint),
        matrix: { include },
        waves,
        reason: added > 0 ? `${reason}; ${added} bundling a changed one: ${[...plan.dependents.keys()].join(', ')}` : reason
    };
}
/**
 * Lists the blueprints an event changed: pull request base..head (from their
 * merge base), push before..after, merge_group base..head; all blueprints on
 * a first push, workflow_dispatch and other events, or when the history needed
 * cannot be fetched. A release tag `platform/<name>/vX.Y.Z` selects that
 * blueprint. Deleted blueprints (neither blueprint.yaml nor chart/Chart.yaml any more) are dropped. Throws an
 * ActionError naming a cycle of sibling blueprints reachable from the listed ones (no release order exists).
 */
async function discoverBlueprints(opts) {
    const workspace = require$$2.resolve(opts.workspace);
    const index = await indexWorkspace(workspace, opts.globs);
    // A matrix job passes the folder back as input blueprint, where `\` is a path separator: it would name another one.
    const unnameable = index.blueprints.map((bp) => bp.dir).filter((dir) => dir.includes('\\'));
    const found = await discoverIn(opts, workspace, index, new Set(unnameable));
    return unnameable.length > 0 ? { ...found, unnameable } : found;
}
async function discoverIn(opts, workspace, index, unnameable) {
    const depth = opts.fetchDepth && opts.fetchDepth > 0 ? Math.floor(opts.fetchDepth) : 100;
    const all = index.blueprints.map((bp) => bp.dir).filter((dir) => !unnameable.has(dir));
    const count = (n) => `${n} blueprint${n === 1 ? '' : 's'}`;
    const range = eventRange(opts.eventName, opts.payload);
    const listed = (blueprints, reason) => result(blueprints, index, reason, opts);
    if ('all' in range)
        return listed(all, `${range.all} (${count(all.length)})`);
    if ('none' in range)
        return listed([], range.none);
    if ('tag' in range) {
        const hit = all.filter((bp) => bp === range.blueprint || bp.endsWith(`/${range.blueprint}`));
        return listed(hit, hit.length > 0
            ? `release tag ${range.tag}: ${hit.join(', ')}`
            : `release tag ${range.tag}: no blueprint folder ${range.blueprint}`);
    }
    const { base, head, label } = range;
    if (!base || !head || !SHA_RE.test(base) || !SHA_RE.test(head)) {
        return listed(all, `${label}: the event has no usable base/head commits, all blueprints (${count(all.length)})`);
    }
    const diff = await changedFiles(workspace, base, head, range.mergeBase, depth);
    if ('error' in diff)
        return listed(all, `${label}: ${diff.error}; all blueprints (${count(all.length)})`);
    const changed = changedBlueprints(all, diff.files);
    const what = changed.length > 0
        ? `${changed.length} of ${count(all.length)} changed: ${changed.join(', ')}`
        : `no blueprint changed (${count(all.length)} checked)`;
    const note = diff.note ? ` (${diff.note})` : '';
    return listed(changed, `${label} ${short(base)}..${short(head)}: ${what}${note}`);
}

export { discoverBlueprints, fetchCommits, hasCommit };
