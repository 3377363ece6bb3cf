import { p as path, a as _builtin_child_process } from '../index.js';
import { a1 as indexWorkspace, i as isRecord, l as lastLine, x as distExports, p as promises, E as compareCodePoints } from './action.js';
import 'node:module';

// Which blueprints did an event change? Lists blueprint folders (chart/workspace-index.ts: a folder with a
// blueprint.yaml or a chart/Chart.yaml) and keeps those with a changed file, using git with
// argument arrays (never a shell). Shallow clones are deepened on demand; when
// history cannot be had, every blueprint is returned and the reason says why.
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
        const values = distExports.parse(await promises.readFile(path.join(workspace, chart, 'values.yaml'), 'utf8'));
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
function result(blueprints, index, reason) {
    return Promise.all(blueprints.map(async (blueprint) => {
        const chart = index.byDir(blueprint)?.chartDir ?? `${blueprint}/chart`;
        return { blueprint, chart, upstream: await upstreamOf(index.workspace, chart) };
    })).then((include) => ({
        blueprints,
        matrix: { include },
        reason
    }));
}
/**
 * Lists the blueprints an event changed: pull request base..head (from their
 * merge base), push before..after, merge_group base..head; all blueprints on
 * a first push, workflow_dispatch and other events, or when the history needed
 * cannot be fetched. A release tag `platform/<name>/vX.Y.Z` selects that
 * blueprint. Deleted blueprints (neither blueprint.yaml nor chart/Chart.yaml any more) are dropped.
 */
async function discoverBlueprints(opts) {
    const workspace = path.resolve(opts.workspace);
    const depth = opts.fetchDepth && opts.fetchDepth > 0 ? Math.floor(opts.fetchDepth) : 100;
    const index = await indexWorkspace(workspace, opts.globs);
    const all = index.blueprints.map((bp) => bp.dir);
    const count = (n) => `${n} blueprint${n === 1 ? '' : 's'}`;
    const range = eventRange(opts.eventName, opts.payload);
    if ('all' in range)
        return result(all, index, `${range.all} (${count(all.length)})`);
    if ('none' in range)
        return result([], index, range.none);
    if ('tag' in range) {
        const hit = all.filter((bp) => bp === range.blueprint || bp.endsWith(`/${range.blueprint}`));
        return result(hit, index, hit.length > 0
            ? `release tag ${range.tag}: ${hit.join(', ')}`
            : `release tag ${range.tag}: no blueprint folder ${range.blueprint}`);
    }
    const { base, head, label } = range;
    if (!base || !head || !SHA_RE.test(base) || !SHA_RE.test(head)) {
        return result(all, index, `${label}: the event has no usable base/head commits, all blueprints (${count(all.length)})`);
    }
    const diff = await changedFiles(workspace, base, head, range.mergeBase, depth);
    if ('error' in diff)
        return result(all, index, `${label}: ${diff.error}; all blueprints (${count(all.length)})`);
    const changed = changedBlueprints(all, diff.files);
    const what = changed.length > 0
        ? `${changed.length} of ${count(all.length)} changed: ${changed.join(', ')}`
        : `no blueprint changed (${count(all.length)} checked)`;
    const note = diff.note ? ` (${diff.note})` : '';
    return result(changed, index, `${label} ${short(base)}..${short(head)}: ${what}${note}`);
}

export { discoverBlueprints, fetchCommits, hasCommit };
