import { j as isRecord, z as lastLine, c as require$$2, b as require$$1, _ as _builtin_child_process, B as loadBlueprint, C as exists$1, D as prepareWorkChart, H as Helm, E as buildDependencies, F as lastLines, G as parseRenderAsHelm, I as compareNatural, J as mapStringsDeep, K as yamlLibrary, L as extractImages, O as OPERATION_LIMITS, u as operationLimit, o as ActionError, f as formatDuration, r as redact, n as notice, i as info, e as require$$0, p as require$$0$1, M as require$$4, N as createHelmHome, P as parseYamlText, Q as tryParseImageRef, S as compareCodePoints, T as scanImages, U as checkImages, V as groupFailing, W as segmentMatcher, X as loadYamlFile, Y as splitRenderBySource, Z as parseRenderDetailed, $ as blueprintName, a0 as MAX_YAML_BYTES, a1 as apiStatus, R as RegistryClient, a2 as isLoopbackHost, a3 as HELM_CHART_LAYER, a4 as withRetry, q as chartRepository, a5 as ociTag } from './action.js';
import { hasCommit, fetchCommits } from './discover.js';
import { r as readTgzEntries, a as runPublish, p as packageChart } from './push.js';
import { A as ArchiveCache, b as buildWorkspaceChart } from './workspace-build.js';
import './_builtin-require.js';
import 'node:module';
import './siblings.js';
import './_builtin_zlib.js';

// The base commit of an event, and folders of the repository as of that
// commit copied out of git (no checkout: the user's tree is never touched).
const SHA_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const ZERO_SHA_RE = /^0+$/;
const strAt = (o, ...keys) => {
    let cur = o;
    for (const k of keys)
        cur = isRecord(cur) ? cur[k] : undefined;
    return typeof cur === 'string' ? cur : undefined;
};
/**
 * The commit to render as the base: the pull request's base commit, or a
 * push's `before`. `auto` compares on pull requests and on pushes with a
 * previous commit; `true` also says why when the event has none; `false` never.
 */
function baseCommitFor(eventName, payload, setting) {
    if (setting === 'false')
        return undefined;
    let found;
    if (eventName === 'pull_request' || eventName === 'pull_request_target') {
        const sha = strAt(payload, 'pull_request', 'base', 'sha');
        if (sha && SHA_RE.test(sha))
            found = { sha, label: 'pull request base' };
    }
    else if (eventName === 'merge_group') {
        const sha = strAt(payload, 'merge_group', 'base_sha');
        if (sha && SHA_RE.test(sha))
            found = { sha, label: 'merge group base' };
    }
    else if (eventName === 'push') {
        const sha = strAt(payload, 'before');
        if (sha && SHA_RE.test(sha) && !ZERO_SHA_RE.test(sha))
            found = { sha, label: 'commit before the push' };
    }
    if (found)
        return found;
    if (setting !== 'true')
        return undefined;
    return { skip: `diff: the ${eventName || 'unknown'} event has no base commit to compare with` };
}
function runGit(cwd, args, input) {
    return new Promise((resolve) => {
        const env = { ...process.env, GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
        const child = _builtin_child_process.spawn('git', args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
        const out = [];
        let err = '';
        child.stdout.on('data', (chunk) => out.push(chunk));
        child.stderr.on('data', (chunk) => (err += chunk.toString()));
        child.on('error', (error) => resolve({ code: -1, stdout: Buffer.alloc(0), stderr: error.message }));
        child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: err }));
        // git may exit before reading its input (an unknown commit): not an error of its own.
        child.stdin.on('error', () => undefined);
        child.stdin.end(input ?? '');
    });
}
/** Makes sure the commit is in the clone (a shallow checkout fetches it from origin, one commit deep). */
async function ensureCommit(cwd, sha) {
    if (await hasCommit(cwd, sha))
        return;
    const fetched = await fetchCommits(cwd, [sha], 1);
    if (!(await hasCommit(cwd, sha))) {
        const why = lastLine(fetched.stderr);
        throw new Error(`commit ${sha.slice(0, 7)} is not in the clone and could not be fetched (${why})`);
    }
}
/**
 * Copies `folders` (relative to `cwd`, the workspace) as of `sha` into `dest`
 * at the same relative paths: regular files only. A symbolic link or a
 * submodule in them is refused (a link could read files outside the chart).
 */
async function copyTree(cwd, sha, folders, dest) {
    const pathspecs = folders.map((f) => `${f.replace(/\/+$/, '')}/`);
    const listed = await runGit(cwd, ['ls-tree', '-r', '-z', '--full-name', sha, '--', ...pathspecs]);
    if (listed.code !== 0)
        throw new Error(`git ls-tree ${sha.slice(0, 7)} failed (${lastLine(listed.stderr)})`);
    const prefix = (await runGit(cwd, ['rev-parse', '--show-prefix'])).stdout.toString().trim();
    const entries = [];
    for (const record of listed.stdout.toString('utf8').split('\0')) {
        if (!record)
            continue;
        const tab = record.indexOf('\t');
        const [mode, type, id] = record.slice(0, tab).split(' ');
        const full = record.slice(tab + 1);
        // ls-tree names paths from the repository root; the workspace may be a folder inside it.
        const file = prefix && full.startsWith(prefix) ? full.slice(prefix.length) : full;
        if (type !== 'blob' || mode === '120000') {
            throw new Error(`${file} is a ${mode === '120000' ? 'symbolic link' : type} at ${sha.slice(0, 7)}`);
        }
        entries.push({ mode: mode, id: id, file });
    }
    if (entries.length === 0)
        return { files: 0 };
    // One git process for every blob: `<id> blob <size>\n<content>\n` per object.
    const batch = await runGit(cwd, ['cat-file', '--batch'], entries.map((e) => e.id).join('\n') + '\n');
    if (batch.code !== 0)
        throw new Error(`git cat-file failed (${lastLine(batch.stderr)})`);
    const buf = batch.stdout;
    let offset = 0;
    const root = require$$2.resolve(dest);
    for (const entry of entries) {
        const newline = buf.indexOf(0x0a, offset);
        const header = buf.subarray(offset, newline).toString();
        const size = Number(header.split(' ')[2]);
        if (!Number.isFinite(size))
            throw new Error(`git cat-file: unexpected answer for ${entry.file}: ${header}`);
        const content = buf.subarray(newline + 1, newline + 1 + size);
        offset = newline + 1 + size + 1;
        const target = require$$2.resolve(root, entry.file);
        if (!target.startsWith(root + require$$2.sep))
            throw new Error(`${entry.file}: path leaves the copy`);
        await require$$1.mkdir(require$$2.dirname(target), { recursive: true });
        await require$$1.writeFile(target, content, { mode: entry.mode === '100755' ? 0o755 : 0o644 });
    }
    return { files: entries.length };
}

// The blueprint as of the base commit: its folders copied out of git (no
// checkout: the user's tree is never touched) and loaded as the head's is;
// undefined when the base has no chart there (a new blueprint: all is added).
async function loadBaseBlueprint(options, sha, tree) {
    await ensureCommit(options.workspace, sha);
    const folders = [...new Set([options.blueprint, options.chart])];
    await copyTree(options.workspace, sha, folders, tree);
    try {
        return await loadBlueprint(tree, options.blueprint, options.chart);
    }
    catch (error) {
        if (!(await exists$1(require$$2.join(tree, options.chart, 'Chart.yaml'))))
            return undefined;
        throw error;
    }
}

// The base side of "What changes": the blueprint as of the base commit
// (base-blueprint.ts) in its own work copy and helm home, its dependencies built as the
// base pins them (or the head's archives reused when the pins are the same),
// rendered once. diff/base.ts runs it beside the gates and compares.
const sameDependencies = (a, b) => {
    const key = (deps) => JSON.stringify(deps.map((d) => [d.name, d.alias ?? '', d.version, d.repository.replace(/\/+$/, '')]));
    return key(a) === key(b);
};
/**
 * The base render; `stop` ends it (its helm processes killed, the next stage not started) when its time is up:
 * it then rejects with the signal's reason.
 */
async function renderBase(options, sha, release, stop) {
    const root = require$$2.join(options.workRoot, 'base');
    await require$$1.mkdir(root, { recursive: true });
    const blueprint = await loadBaseBlueprint(options, sha, require$$2.join(root, 'tree'));
    stop?.throwIfAborted();
    if (!blueprint) {
        release();
        return { documents: [], missing: true, built: {} };
    }
    const { work } = await prepareWorkChart({ blueprint, workRoot: require$$2.join(root, 'chart') });
    const helm = await Helm.create(options.helm.binary, require$$2.join(root, 'helm-home'), options.helm.release, stop);
    let built;
    const local = work.dependencies.some((dep) => dep.repository.startsWith('file://'));
    if (work.dependencies.length > 0 && !local && sameDependencies(work.dependencies, options.headWork.dependencies)) {
        // Same pins as the head: its archives are what the base would download.
        release();
        await copyBuiltArchives(options.headWork.dir, work.dir);
        built = { ...options.headBuilt };
    }
    else if (work.dependencies.length > 0) {
        const { credentialsFor } = options.build;
        const needsCredentials = work.dependencies.some((dep) => dep.repository && credentialsFor(dep.repository));
        if (!needsCredentials)
            release();
        const step = await buildDependencies(helm, work, options.build);
        release();
        if (step.status === 'failed')
            throw new Error(step.findings[0]?.message ?? 'helm dependency build failed');
        built = step.data?.built ?? {};
    }
    else {
        release();
        built = {};
    }
    stop?.throwIfAborted();
    const args = ['template', options.releaseName, work.dir, '--namespace', options.namespace, ...options.valueArgs];
    const result = await helm.run(args, { background: true });
    if (result.exitCode !== 0) {
        throw new Error(`helm template: ${lastLines(result.stderr, 3) || `exit ${result.exitCode}`}`);
    }
    const parsed = await parseRenderAsHelm(result.stdout);
    if (parsed.errors.length > 0)
        throw new Error(parsed.errors[0].toFinding().message);
    return { documents: parsed.documents, missing: false, built };
}
async function copyBuiltArchives(fromChart, toChart) {
    const from = require$$2.join(fromChart, 'charts');
    const to = require$$2.join(toChart, 'charts');
    await require$$1.mkdir(to, { recursive: true });
    const names = (await require$$1.readdir(from)).filter((name) => name.endsWith('.tgz'));
    await Promise.all(names.map((name) => require$$1.copyFile(require$$2.join(from, name), require$$2.join(to, name))));
}

class Diff {
    diff(oldStr, newStr, 
    // Type below is not accurate/complete - see above for full possibilities - but it compiles
    options = {}) {
        let callback;
        if (typeof options === 'function') {
            callback = options;
            options = {};
        }
        else if ('callback' in options) {
            callback = options.callback;
        }
        // Allow subclasses to massage the input prior to running
        const oldString = this.castInput(oldStr, options);
        const newString = this.castInput(newStr, options);
        const oldTokens = this.removeEmpty(this.tokenize(oldString, options));
        const newTokens = this.removeEmpty(this.tokenize(newString, options));
        return this.diffWithOptionsObj(oldTokens, newTokens, options, callback);
    }
    diffWithOptionsObj(oldTokens, newTokens, options, callback) {
        var _a;
        const done = (value) => {
            value = this.postProcess(value, options);
            if (callback) {
                setTimeout(function () { callback(value); }, 0);
                return undefined;
            }
            else {
                return value;
            }
        };
        const newLen = newTokens.length, oldLen = oldTokens.length;
        let editLength = 1;
        let maxEditLength = newLen + oldLen;
        if (options.maxEditLength != null) {
            maxEditLength = Math.min(maxEditLength, options.maxEditLength);
        }
        const maxExecutionTime = (_a = options.timeout) !== null && _a !== void 0 ? _a : Infinity;
        const abortAfterTimestamp = Date.now() + maxExecutionTime;
        const bestPath = [{ oldPos: -1, lastComponent: undefined }];
        // Seed editLength = 0, i.e. the content starts with the same values
        let newPos = this.extractCommon(bestPath[0], newTokens, oldTokens, 0, options);
        if (bestPath[0].oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
            // Identity per the equality and tokenizer
            return done(this.buildValues(bestPath[0].lastComponent, newTokens, oldTokens));
        }
        // Once we hit the right edge of the edit graph on some diagonal k, we can
        // definitely reach the end of the edit graph in no more than k edits, so
        // there's no point in considering any moves to diagonal k+1 any more (from
        // which we're guaranteed to need at least k+1 more edits).
        // Similarly, once we've reached the bottom of the edit graph, there's no
        // point considering moves to lower diagonals.
        // We record this fact by setting minDiagonalToConsider and
        // maxDiagonalToConsider to some finite value once we've hit the edge of
        // the edit graph.
        // This optimization is not faithful to the original algorithm presented in
        // Myers's paper, which instead pointlessly extends D-paths off the end of
        // the edit graph - see page 7 of Myers's paper which notes this point
        // explicitly and illustrates it with a diagram. This has major performance
        // implications for some common scenarios. For instance, to compute a diff
        // where the new text simply appends d characters on the end of the
        // original text of length n, the true Myers algorithm will take O(n+d^2)
        // time while this optimization needs only O(n+d) time.
        let minDiagonalToConsider = -Infinity, maxDiagonalToConsider = Infinity;
        // Main worker method. checks all permutations of a given edit length for acceptance.
        const execEditLength = () => {
            for (let diagonalPath = Math.max(minDiagonalToConsider, -editLength); diagonalPath <= Math.min(maxDiagonalToConsider, editLength); diagonalPath += 2) {
                let basePath;
                const removePath = bestPath[diagonalPath - 1], addPath = bestPath[diagonalPath + 1];
                if (removePath) {
                    // No one else is going to attempt to use this value, clear it
                    // @ts-expect-error - perf optimisation. This type-violating value will never be read.
                    bestPath[diagonalPath - 1] = undefined;
                }
                let canAdd = false;
                if (addPath) {
                    // what newPos will be after we do an insertion:
                    const addPathNewPos = addPath.oldPos - diagonalPath;
                    canAdd = addPath && 0 <= addPathNewPos && addPathNewPos < newLen;
                }
                const canRemove = removePath && removePath.oldPos + 1 < oldLen;
                if (!canAdd && !canRemove) {
                    // If this path is a terminal then prune
                    // @ts-expect-error - perf optimisation. This type-violating value will never be read.
                    bestPath[diagonalPath] = undefined;
                    continue;
                }
                // Select the diagonal that we want to branch from. We select the prior
                // path whose position in the old string is the farthest from the origin
                // and does not pass the bounds of the diff graph
                if (!canRemove || (canAdd && removePath.oldPos < addPath.oldPos)) {
                    basePath = this.addToPath(addPath, true, false, 0, options);
                }
                else {
                    basePath = this.addToPath(removePath, false, true, 1, options);
                }
                newPos = this.extractCommon(basePath, newTokens, oldTokens, diagonalPath, options);
                if (basePath.oldPos + 1 >= oldLen && newPos + 1 >= newLen) {
                    // If we have hit the end of both strings, then we are done
                    return done(this.buildValues(basePath.lastComponent, newTokens, oldTokens)) || true;
                }
                else {
                    bestPath[diagonalPath] = basePath;
                    if (basePath.oldPos + 1 >= oldLen) {
                        maxDiagonalToConsider = Math.min(maxDiagonalToConsider, diagonalPath - 1);
                    }
                    if (newPos + 1 >= newLen) {
                        minDiagonalToConsider = Math.max(minDiagonalToConsider, diagonalPath + 1);
                    }
                }
            }
            editLength++;
        };
        // Performs the length of edit iteration. Is a bit fugly as this has to support the
        // sync and async mode which is never fun. Loops over execEditLength until a value
        // is produced, or until the edit length exceeds options.maxEditLength (if given),
        // in which case it will return undefined.
        if (callback) {
            (function exec() {
                setTimeout(function () {
                    if (editLength > maxEditLength || Date.now() > abortAfterTimestamp) {
                        return callback(undefined);
                    }
                    if (!execEditLength()) {
                        exec();
                    }
                }, 0);
            }());
        }
        else {
            while (editLength <= maxEditLength && Date.now() <= abortAfterTimestamp) {
                const ret = execEditLength();
                if (ret) {
                    return ret;
                }
            }
        }
    }
    addToPath(path, added, removed, oldPosInc, options) {
        const last = path.lastComponent;
        if (last && !options.oneChangePerToken && last.added === added && last.removed === removed) {
            return {
                oldPos: path.oldPos + oldPosInc,
                lastComponent: { count: last.count + 1, added: added, removed: removed, previousComponent: last.previousComponent }
            };
        }
        else {
            return {
                oldPos: path.oldPos + oldPosInc,
                lastComponent: { count: 1, added: added, removed: removed, previousComponent: last }
            };
        }
    }
    extractCommon(basePath, newTokens, oldTokens, diagonalPath, options) {
        const newLen = newTokens.length, oldLen = oldTokens.length;
        let oldPos = basePath.oldPos, newPos = oldPos - diagonalPath, commonCount = 0;
        while (newPos + 1 < newLen && oldPos + 1 < oldLen && this.equals(oldTokens[oldPos + 1], newTokens[newPos + 1], options)) {
            newPos++;
            oldPos++;
            commonCount++;
            if (options.oneChangePerToken) {
                basePath.lastComponent = { count: 1, previousComponent: basePath.lastComponent, added: false, removed: false };
            }
        }
        if (commonCount && !options.oneChangePerToken) {
            basePath.lastComponent = { count: commonCount, previousComponent: basePath.lastComponent, added: false, removed: false };
        }
        basePath.oldPos = oldPos;
        return newPos;
    }
    equals(left, right, options) {
        if (options.comparator) {
            return options.comparator(left, right);
        }
        else {
            return left === right
                || (!!options.ignoreCase && left.toLowerCase() === right.toLowerCase());
        }
    }
    removeEmpty(array) {
        const ret = [];
        for (let i = 0; i < array.length; i++) {
            if (array[i]) {
                ret.push(array[i]);
            }
        }
        return ret;
    }
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    castInput(value, options) {
        return value;
    }
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    tokenize(value, options) {
        return Array.from(value);
    }
    join(chars) {
        // Assumes ValueT is string, which is the case for most subclasses.
        // When it's false, e.g. in diffArrays, this method needs to be overridden (e.g. with a no-op)
        // Yes, the casts are verbose and ugly, because this pattern - of having the base class SORT OF
        // assume tokens and values are strings, but not completely - is weird and janky.
        return chars.join('');
    }
    postProcess(changeObjects, 
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    options) {
        return changeObjects;
    }
    get useLongestToken() {
        return false;
    }
    buildValues(lastComponent, newTokens, oldTokens) {
        // First we convert our linked list of components in reverse order to an
        // array in the right order:
        const components = [];
        let nextComponent;
        while (lastComponent) {
            components.push(lastComponent);
            nextComponent = lastComponent.previousComponent;
            delete lastComponent.previousComponent;
            lastComponent = nextComponent;
        }
        components.reverse();
        const componentLen = components.length;
        let componentPos = 0, newPos = 0, oldPos = 0;
        for (; componentPos < componentLen; componentPos++) {
            const component = components[componentPos];
            if (!component.removed) {
                if (!component.added && this.useLongestToken) {
                    let value = newTokens.slice(newPos, newPos + component.count);
                    value = value.map(function (value, i) {
                        const oldValue = oldTokens[oldPos + i];
                        return oldValue.length > value.length ? oldValue : value;
                    });
                    component.value = this.join(value);
                }
                else {
                    component.value = this.join(newTokens.slice(newPos, newPos + component.count));
                }
                newPos += component.count;
                // Common case
                if (!component.added) {
                    oldPos += component.count;
                }
            }
            else {
                component.value = this.join(oldTokens.slice(oldPos, oldPos + component.count));
                oldPos += component.count;
            }
        }
        return components;
    }
}

class LineDiff extends Diff {
    constructor() {
        super(...arguments);
        this.tokenize = tokenize;
    }
    equals(left, right, options) {
        // If we're ignoring whitespace, we need to normalise lines by stripping
        // whitespace before checking equality. (This has an annoying interaction
        // with newlineIsToken that requires special handling: if newlines get their
        // own token, then we DON'T want to trim the *newline* tokens down to empty
        // strings, since this would cause us to treat whitespace-only line content
        // as equal to a separator between lines, which would be weird and
        // inconsistent with the documented behavior of the options.)
        if (options.ignoreWhitespace) {
            if (!options.newlineIsToken || !left.includes('\n')) {
                left = left.trim();
            }
            if (!options.newlineIsToken || !right.includes('\n')) {
                right = right.trim();
            }
        }
        else if (options.ignoreNewlineAtEof && !options.newlineIsToken) {
            if (left.endsWith('\n')) {
                left = left.slice(0, -1);
            }
            if (right.endsWith('\n')) {
                right = right.slice(0, -1);
            }
        }
        return super.equals(left, right, options);
    }
}
const lineDiff = new LineDiff();
function diffLines(oldStr, newStr, options) {
    return lineDiff.diff(oldStr, newStr, options);
}
// Exported standalone so it can be used from jsonDiff too.
function tokenize(value, options) {
    if (options.stripTrailingCr) {
        // remove one \r before \n to match GNU diff's --strip-trailing-cr behavior
        value = value.replace(/\r\n/g, '\n');
    }
    const retLines = [], linesAndNewlines = value.split(/(\n|\r\n)/);
    // Ignore the final empty token that occurs if the string ends with a new line
    if (!linesAndNewlines[linesAndNewlines.length - 1]) {
        linesAndNewlines.pop();
    }
    // Merge the content and line separators into single tokens
    for (let i = 0; i < linesAndNewlines.length; i++) {
        const line = linesAndNewlines[i];
        if (i % 2 && !options.newlineIsToken) {
            retLines[retLines.length - 1] += line;
        }
        else {
            retLines.push(line);
        }
    }
    return retLines;
}

const INCLUDE_HEADERS = {
    includeIndex: true,
    includeUnderline: true,
    includeFileHeaders: true
};
function structuredPatch(oldFileName, newFileName, oldStr, newStr, oldHeader, newHeader, options) {
    let optionsObj;
    if (!options) {
        optionsObj = {};
    }
    else if (typeof options === 'function') {
        optionsObj = { callback: options };
    }
    else {
        optionsObj = options;
    }
    if (typeof optionsObj.context === 'undefined') {
        optionsObj.context = 4;
    }
    // We copy this into its own variable to placate TypeScript, which thinks
    // optionsObj.context might be undefined in the callbacks below.
    const context = optionsObj.context;
    // @ts-expect-error (runtime check for something that is correctly a static type error)
    if (optionsObj.newlineIsToken) {
        throw new Error('newlineIsToken may not be used with patch-generation functions, only with diffing functions');
    }
    if (!optionsObj.callback) {
        return diffLinesResultToPatch(diffLines(oldStr, newStr, optionsObj));
    }
    else {
        const { callback } = optionsObj;
        diffLines(oldStr, newStr, Object.assign(Object.assign({}, optionsObj), { callback: (diff) => {
                const patch = diffLinesResultToPatch(diff);
                // TypeScript is unhappy without the cast because it does not understand that `patch` may
                // be undefined here only if `callback` is StructuredPatchCallbackAbortable:
                callback(patch);
            } }));
    }
    function diffLinesResultToPatch(diff) {
        // STEP 1: Build up the patch with no "\ No newline at end of file" lines and with the arrays
        //         of lines containing trailing newline characters. We'll tidy up later...
        if (!diff) {
            return;
        }
        diff.push({ value: '', lines: [] }); // Append an empty value to make cleanup easier
        function contextLines(lines) {
            return lines.map(function (entry) { return ' ' + entry; });
        }
        const hunks = [];
        let oldRangeStart = 0, newRangeStart = 0, curRange = [], oldLine = 1, newLine = 1;
        for (let i = 0; i < diff.length; i++) {
            const current = diff[i], lines = current.lines || splitLines(current.value);
            current.lines = lines;
            if (current.added || current.removed) {
                // If we have previous context, start with that
                if (!oldRangeStart) {
                    const prev = diff[i - 1];
                    oldRangeStart = oldLine;
                    newRangeStart = newLine;
                    if (prev) {
                        curRange = context > 0 ? contextLines(prev.lines.slice(-context)) : [];
                        oldRangeStart -= curRange.length;
                        newRangeStart -= curRange.length;
                    }
                }
                // Output our changes
                for (const line of lines) {
                    curRange.push((current.added ? '+' : '-') + line);
                }
                // Track the updated file position
                if (current.added) {
                    newLine += lines.length;
                }
                else {
                    oldLine += lines.length;
                }
            }
            else {
                // Identical context lines. Track line changes
                if (oldRangeStart) {
                    // Close out any changes that have been output (or join overlapping)
                    if (lines.length <= context * 2 && i < diff.length - 2) {
                        // Overlapping
                        for (const line of contextLines(lines)) {
                            curRange.push(line);
                        }
                    }
                    else {
                        // end the range and output
                        const contextSize = Math.min(lines.length, context);
                        for (const line of contextLines(lines.slice(0, contextSize))) {
                            curRange.push(line);
                        }
                        const hunk = {
                            oldStart: oldRangeStart,
                            oldLines: (oldLine - oldRangeStart + contextSize),
                            newStart: newRangeStart,
                            newLines: (newLine - newRangeStart + contextSize),
                            lines: curRange
                        };
                        hunks.push(hunk);
                        oldRangeStart = 0;
                        newRangeStart = 0;
                        curRange = [];
                    }
                }
                oldLine += lines.length;
                newLine += lines.length;
            }
        }
        // Step 2: eliminate the trailing `\n` from each line of each hunk, and, where needed, add
        //         "\ No newline at end of file".
        for (const hunk of hunks) {
            for (let i = 0; i < hunk.lines.length; i++) {
                if (hunk.lines[i].endsWith('\n')) {
                    hunk.lines[i] = hunk.lines[i].slice(0, -1);
                }
                else {
                    hunk.lines.splice(i + 1, 0, '\\ No newline at end of file');
                    i++; // Skip the line we just added, then continue iterating
                }
            }
        }
        return {
            oldFileName: oldFileName, newFileName: newFileName,
            oldHeader: oldHeader, newHeader: newHeader,
            hunks: hunks
        };
    }
}
/**
 * creates a unified diff patch.
 * @param patch either a single structured patch object (as returned by `structuredPatch`) or an array of them (as returned by `parsePatch`)
 */
function formatPatch(patch, headerOptions) {
    if (!headerOptions) {
        headerOptions = INCLUDE_HEADERS;
    }
    if (Array.isArray(patch)) {
        if (patch.length > 1 && !headerOptions.includeFileHeaders) {
            throw new Error('Cannot omit file headers on a multi-file patch. '
                + '(The result would be unparseable; how would a tool trying to apply '
                + 'the patch know which changes are to which file?)');
        }
        return patch.map(p => formatPatch(p, headerOptions)).join('\n');
    }
    const ret = [];
    if (headerOptions.includeIndex && patch.oldFileName == patch.newFileName) {
        ret.push('Index: ' + patch.oldFileName);
    }
    if (headerOptions.includeUnderline) {
        ret.push('===================================================================');
    }
    if (headerOptions.includeFileHeaders) {
        ret.push('--- ' + patch.oldFileName + (typeof patch.oldHeader === 'undefined' ? '' : '\t' + patch.oldHeader));
        ret.push('+++ ' + patch.newFileName + (typeof patch.newHeader === 'undefined' ? '' : '\t' + patch.newHeader));
    }
    for (let i = 0; i < patch.hunks.length; i++) {
        const hunk = patch.hunks[i];
        // Unified Diff Format quirk: If the chunk size is 0,
        // the first number is one lower than one would expect.
        // https://www.artima.com/weblogs/viewpost.jsp?thread=164293
        if (hunk.oldLines === 0) {
            hunk.oldStart -= 1;
        }
        if (hunk.newLines === 0) {
            hunk.newStart -= 1;
        }
        ret.push('@@ -' + hunk.oldStart + ',' + hunk.oldLines
            + ' +' + hunk.newStart + ',' + hunk.newLines
            + ' @@');
        for (const line of hunk.lines) {
            ret.push(line);
        }
    }
    return ret.join('\n') + '\n';
}
function createTwoFilesPatch(oldFileName, newFileName, oldStr, newStr, oldHeader, newHeader, options) {
    if (typeof options === 'function') {
        options = { callback: options };
    }
    if (!(options === null || options === void 0 ? void 0 : options.callback)) {
        const patchObj = structuredPatch(oldFileName, newFileName, oldStr, newStr, oldHeader, newHeader, options);
        if (!patchObj) {
            return;
        }
        return formatPatch(patchObj, options === null || options === void 0 ? void 0 : options.headerOptions);
    }
    else {
        const { callback } = options;
        structuredPatch(oldFileName, newFileName, oldStr, newStr, oldHeader, newHeader, Object.assign(Object.assign({}, options), { callback: patchObj => {
                if (!patchObj) {
                    callback(undefined);
                }
                else {
                    callback(formatPatch(patchObj, options.headerOptions));
                }
            } }));
    }
}
/**
 * Split `text` into an array of lines, including the trailing newline character (where present)
 */
function splitLines(text) {
    const hasTrailingNl = text.endsWith('\n');
    const result = text.split('\n').map(line => line + '\n');
    if (hasTrailingNl) {
        result.pop();
    }
    else {
        result.push(result.pop().slice(0, -1));
    }
    return result;
}

// Compares two renders of a chart (the PR's base and its head) resource by
// resource. Pure: no I/O. What a reviewer must not be distracted by (labels
// that only carry the chart version, checksum annotations) is aligned before
// comparing and counted apart; Secret values never leave this module.
/** Label/annotation keys whose value is the chart's (or app's) version: they change on every bump. */
const VERSION_KEYS = new Set(['helm.sh/chart', 'app.kubernetes.io/version', 'chart']);
/** True for metadata keys that carry no change of their own (the version labels, `checksum/*` annotations). */
function isNoiseKey(key) {
    return VERSION_KEYS.has(key) || key.startsWith('checksum/');
}
/** Placeholders shown instead of Secret values: the same text on both sides unless the value changed. */
const SECRET_HIDDEN = '(hidden)';
const SECRET_CHANGED = '(hidden, changed)';
/** `apps` for `apps/v1`, `` (core) for `v1`. */
function apiGroup(apiVersion) {
    if (!apiVersion)
        return '';
    const slash = apiVersion.indexOf('/');
    return slash === -1 ? '' : apiVersion.slice(0, slash);
}
/**
 * The identity of a resource in a cluster: API group, kind, namespace, name (not the API version). A namespace that
 * is the render's own (`--namespace`, the release's) is the release's, like none: it is not the action's name for it
 * that a reader should see, and a resource is the same whether its template names the release namespace or not.
 */
function resourceKey$1(doc, releaseNamespace) {
    const group = apiGroup(doc.apiVersion);
    const kind = doc.kind ?? '';
    const namespace = doc.namespace && doc.namespace !== releaseNamespace ? doc.namespace : '';
    const name = doc.name ?? '';
    return { key: `${group}/${kind}/${namespace}/${name}`, group, kind, namespace, name };
}
function index(docs, releaseNamespace) {
    const out = new Map();
    for (const doc of docs) {
        const id = resourceKey$1(doc, releaseNamespace);
        // The same resource twice in one render (helm would apply the last): keep both, numbered.
        let key = id.key;
        for (let n = 2; out.has(key); n++)
            key = `${id.key}#${n}`;
        out.set(key, { ...id, key, object: doc.object });
    }
    return out;
}
/** The object without `metadata.namespace` when it is the render's own (the release's: see resourceKey). */
function withoutReleaseNamespace(object, releaseNamespace) {
    const metadata = object.metadata;
    if (releaseNamespace && isRecord(metadata) && metadata.namespace === releaseNamespace)
        delete metadata.namespace;
    return object;
}
/** A deep copy of plain JSON data. */
function clone(value) {
    return value === undefined ? value : JSON.parse(JSON.stringify(value));
}
/**
 * Gives `base` the head's value for every noise key present on both sides
 * (in any `labels`/`annotations` map, at the same path), so only real changes
 * remain. Returns how many values differed.
 */
function alignNoise(base, head) {
    let count = 0;
    if (Array.isArray(base) && Array.isArray(head)) {
        for (let i = 0; i < Math.min(base.length, head.length); i++)
            count += alignNoise(base[i], head[i]);
        return count;
    }
    if (!isRecord(base) || !isRecord(head))
        return 0;
    for (const key of Object.keys(base)) {
        if (!(key in head))
            continue;
        const b = base[key];
        const h = head[key];
        if ((key === 'labels' || key === 'annotations') && isRecord(b) && isRecord(h)) {
            for (const k of Object.keys(b)) {
                if (isNoiseKey(k) && k in h && JSON.stringify(b[k]) !== JSON.stringify(h[k])) {
                    b[k] = h[k];
                    count++;
                }
            }
        }
        count += alignNoise(b, h);
    }
    return count;
}
const isSecret = (r) => r.group === '' && r.kind === 'Secret';
/**
 * Replaces every value of a Secret's `data`/`stringData` with a placeholder
 * (changed values get a different one, so the diff shows the key) and says
 * which keys were added, removed or changed.
 */
function hideSecretValues(base, head) {
    const keys = { added: [], removed: [], changed: [] };
    for (const field of ['data', 'stringData']) {
        const b = isRecord(base?.[field]) ? base[field] : undefined;
        const h = isRecord(head?.[field]) ? head[field] : undefined;
        const label = (k) => (field === 'data' ? k : `${field}.${k}`);
        for (const k of Object.keys(h ?? {})) {
            if (!b || !(k in b)) {
                if (base)
                    keys.added.push(label(k));
            }
            else if (JSON.stringify(b[k]) !== JSON.stringify(h[k]))
                keys.changed.push(label(k));
        }
        for (const k of Object.keys(b ?? {}))
            if (head && (!h || !(k in h)))
                keys.removed.push(label(k));
        if (b)
            for (const k of Object.keys(b))
                b[k] = SECRET_HIDDEN;
        if (h) {
            for (const k of Object.keys(h)) {
                h[k] = b && k in b && keys.changed.includes(label(k)) ? SECRET_CHANGED : SECRET_HIDDEN;
            }
        }
    }
    return keys;
}
/** YAML of a resource for diffs: keys sorted (their order means nothing to Kubernetes), no line folding. */
function resourceYaml(object) {
    if (object === undefined)
        return '';
    return yamlLibrary().stringify(object, { sortMapEntries: true, lineWidth: 0, aliasDuplicateObjects: false });
}
/**
 * Changed lines the line diff looks for before it gives up on a resource: Myers' algorithm costs about
 * (lines × changes), so a resource rewritten whole (a 50,000-line ConfigMap) would take minutes of the run's time.
 */
const MAX_EDIT_LENGTH = 2_000;
/**
 * Past the deadline, small resources (up to SMALL_LINES lines on both sides together) are still diffed for at most
 * SMALL_GRACE_MS more in all: their diff costs little, and is all a reviewer needs of them.
 */
const SMALL_LINES = 1_000;
const SMALL_GRACE_MS = 1_000;
const lineCount = (text) => (text === '' ? 0 : text.replace(/\n$/, '').split('\n').length);
/** A unified diff of `before` replaced by `after` as a whole (one hunk): linear, whatever their size. */
function wholeReplacement(label, before, after) {
    const lines = (text) => (text === '' ? [] : text.replace(/\n$/, '').split('\n'));
    const [b, a] = [lines(before), lines(after)];
    const range = (n) => (n === 0 ? '0,0' : `1,${n}`);
    const body = [...b.map((line) => `-${line}`), ...a.map((line) => `+${line}`)];
    return [`--- a/${label}`, `+++ b/${label}`, `@@ -${range(b.length)} +${range(a.length)} @@`, ...body, ''].join('\n');
}
/**
 * A unified diff without the `===` banner line the diff library starts with; when the diff library gives up (more
 * than MAX_EDIT_LENGTH changed lines, or past `deadline`), the two sides whole, marked `tooLarge`.
 */
function unified(label, before, after, context, deadline) {
    const small = deadline !== undefined && lineCount(before) + lineCount(after) <= SMALL_LINES;
    const until = deadline === undefined ? undefined : small ? deadline + SMALL_GRACE_MS : deadline;
    const timeout = until === undefined ? undefined : Math.floor(until - performance.now());
    const patch = timeout !== undefined && timeout <= 0
        ? undefined
        : createTwoFilesPatch(`a/${label}`, `b/${label}`, before, after, undefined, undefined, {
            context,
            maxEditLength: MAX_EDIT_LENGTH,
            ...(timeout !== undefined ? { timeout } : {})
        });
    if (patch !== undefined)
        return { diff: patch.replace(/^=+\n/, '') };
    return {
        diff: wholeReplacement(label, before, after),
        tooLarge: { before: lineCount(before), after: lineCount(after) }
    };
}
function countLines(diff) {
    let added = 0;
    let removed = 0;
    for (const line of diff.split('\n')) {
        if (line.startsWith('+') && !line.startsWith('+++'))
            added++;
        else if (line.startsWith('-') && !line.startsWith('---'))
            removed++;
    }
    return { added, removed };
}
/** `temporalio/server` of `temporalio/server:1.28.1@sha256:…`. */
function imageRepository(image) {
    const noDigest = image.replace(/@.*$/, '');
    const slash = noDigest.lastIndexOf('/');
    const colon = noDigest.lastIndexOf(':');
    return colon > slash ? noDigest.slice(0, colon) : noDigest;
}
/** `digest`, `tag`, or `untagged` (neither: the runtime pulls `latest`). */
function pinStatus(image) {
    if (/@sha256:[0-9a-f]{64}$/.test(image))
        return 'digest';
    const name = image.replace(/@.*$/, '');
    return name.lastIndexOf(':') > name.lastIndexOf('/') ? 'tag' : 'untagged';
}
/** Images by repository whose set of references differs between the renders. */
function compareImages(base, head, imageFields = []) {
    const byRepo = (docs) => {
        const out = new Map();
        for (const use of extractImages(docs, imageFields)) {
            const repo = imageRepository(use.image);
            if (!out.has(repo))
                out.set(repo, new Set());
            out.get(repo).add(use.image);
        }
        return out;
    };
    const before = byRepo(base);
    const after = byRepo(head);
    const changes = [];
    for (const repo of [...new Set([...before.keys(), ...after.keys()])].sort(compareNatural)) {
        const b = [...(before.get(repo) ?? [])].sort(compareNatural);
        const a = [...(after.get(repo) ?? [])].sort(compareNatural);
        if (b.join('\n') === a.join('\n'))
            continue;
        changes.push({ repository: repo, before: b, after: a, pin: a.map(pinStatus) });
    }
    return changes;
}
/**
 * Compares the base render with the head render. Added and removed resources
 * get a diff from/to nothing; unchanged ones (after noise alignment) none.
 */
function compareRenders(baseRender, headRender, options = {}) {
    const context = options.context ?? 3;
    const { redact } = options;
    const redacted = (docs) => redact ? docs.map((doc) => mapStringsDeep(doc, redact)) : docs;
    const base = redacted(baseRender);
    const head = redacted(headRender);
    const before = index(base, options.releaseNamespace);
    const after = index(head, options.releaseNamespace);
    const resources = [];
    let unchanged = 0;
    let noiseOnly = 0;
    let noiseFields = 0;
    const keys = [...new Set([...before.keys(), ...after.keys()])].sort(compareNatural);
    for (const key of keys) {
        const b = before.get(key);
        const h = after.get(key);
        const id = (h ?? b);
        const baseObject = b ? withoutReleaseNamespace(clone(b.object), options.releaseNamespace) : undefined;
        const headObject = h ? withoutReleaseNamespace(clone(h.object), options.releaseNamespace) : undefined;
        let noise = 0;
        if (baseObject && headObject) {
            const rawEqual = JSON.stringify(b.object) === JSON.stringify(h.object);
            if (rawEqual) {
                unchanged++;
                continue;
            }
            noise = alignNoise(baseObject, headObject);
        }
        const secretKeys = isSecret(id) ? hideSecretValues(baseObject, headObject) : undefined;
        const beforeText = resourceYaml(baseObject);
        const afterText = resourceYaml(headObject);
        if (baseObject && headObject && beforeText === afterText) {
            unchanged++;
            if (noise > 0) {
                noiseOnly++;
                noiseFields += noise;
            }
            continue;
        }
        noiseFields += noise;
        const duplicate = key.includes('#') ? key.slice(key.indexOf('#')) : '';
        const label = [id.kind, id.namespace, id.name].filter(Boolean).join('/') + duplicate;
        // An added or removed resource is one side whole: no line diff to compute (linear whatever its size).
        const { diff, tooLarge } = b && h
            ? unified(label, beforeText, afterText, context, options.deadline)
            : { diff: wholeReplacement(label, beforeText, afterText), tooLarge: undefined };
        const change = {
            change: !b ? 'added' : !h ? 'removed' : 'changed',
            group: id.group,
            kind: id.kind,
            namespace: id.namespace,
            name: id.name,
            lines: countLines(diff),
            diff
        };
        if (tooLarge)
            change.tooLarge = tooLarge;
        if (secretKeys && change.change === 'changed')
            change.secretKeys = secretKeys;
        if (secretKeys && change.change !== 'changed') {
            const whole = (headObject ?? baseObject);
            const fields = ['data', 'stringData'].flatMap((f) => isRecord(whole[f]) ? Object.keys(whole[f]).map((k) => (f === 'data' ? k : `${f}.${k}`)) : []);
            const added = change.change === 'added';
            change.secretKeys = { added: added ? fields : [], removed: added ? [] : fields, changed: [] };
        }
        resources.push(change);
    }
    const count = (c) => resources.filter((r) => r.change === c).length;
    return {
        counts: { added: count('added'), removed: count('removed'), changed: count('changed'), unchanged },
        noise: { resources: noiseOnly, fields: noiseFields },
        resources,
        images: compareImages(base, head, options.imageFields)
    };
}
/** The whole diff as one text (what output `diff` points to). */
function diffFileText(comparison, header) {
    const parts = [header.endsWith('\n') ? header : `${header}\n`];
    for (const r of comparison.resources)
        parts.push(r.diff.endsWith('\n') ? r.diff : `${r.diff}\n`);
    return parts.join('');
}

// Renders the blueprint as of the event's base commit, beside the gates, and
// compares it with the head's default render ("What changes").
//
// The base render itself (own work copy out of git, own helm home, dependencies
// as the base pins them) is diff/base-render.ts. The run's `values` files and
// `set` values apply to both sides (they are the run's configuration); each
// side keeps its own chart values.yaml. Whatever goes wrong on the base side is
// a notice in the report, never a failed run.
/**
 * The base render is optional work: it gets a third of what is left of the run's work time when it starts (at most
 * one helm process's limit), and once the gates are done at most BASE_GRACE_MS more; then it is stopped (a notice).
 */
const BASE_SHARE = 1 / 3;
const BASE_GRACE_MS = 15_000;
/** How long a stopped base render is waited for, to let go of its folder (its helm processes are killed at once). */
const BASE_LET_GO_MS = 5_000;
/** The value of `work`, or undefined when it has not settled within `ms`. */
async function within(work, ms) {
    let timer;
    const late = new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
    try {
        return await Promise.race([work, late]);
    }
    finally {
        clearTimeout(timer);
    }
}
/**
 * Starts the base render, or returns undefined when the diff is off for this
 * event. The render runs in the background; `compare` waits for it.
 */
function startBaseDiff(given) {
    let options = given;
    const base = baseCommitFor(options.eventName, options.payload, options.setting);
    if (!base)
        return undefined;
    const start = performance.now();
    if ('skip' in base) {
        const diff = { base: { sha: '', label: '' }, status: 'unavailable', message: base.skip, durationMs: 0 };
        return { credentialsReleased: Promise.resolve(), compare: () => Promise.resolve(diff) };
    }
    let release;
    const credentialsReleased = new Promise((resolve) => (release = resolve));
    // The gates (chart test scripts) wait for the base only while it may hold credentials. Without
    // dependency credentials, and without registry credentials for a repository the head uses, they
    // start at once and the base builds anonymously.
    const { credentialsFor } = options.build;
    const anyCredentials = credentialsFor('https://probe.invalid') !== undefined ||
        options.headWork.dependencies.some((dep) => dep.repository && credentialsFor(dep.repository));
    if (!anyCredentials) {
        release();
        options = { ...options, build: { ...options.build, credentialsFor: () => undefined } };
    }
    const budgetMs = Math.min(OPERATION_LIMITS.helm, Math.floor(operationLimit(Number.MAX_SAFE_INTEGER).ms * BASE_SHARE));
    const baseEnd = performance.now() + budgetMs;
    const stop = new AbortController();
    const budget = setTimeout(() => {
        stop.abort(new ActionError(`the base render did not finish within its share of the run's time (${formatDuration(budgetMs)})`));
    }, budgetMs);
    budget.unref();
    const rendered = renderBase(options, base.sha, release, stop.signal).then((r) => r, (error) => 
    // Once stopped, whatever failed says less than why it was stopped.
    stop.signal.aborted
        ? { error: stop.signal.reason.message, stopped: true }
        : { error: error instanceof Error ? error.message : String(error) });
    void rendered.finally(() => {
        release();
        clearTimeout(budget);
    }); // rendered never rejects (errors become { error })
    return {
        credentialsReleased,
        compare: async (head) => {
            // The gates are done: the base gets what is left of its budget, at most BASE_GRACE_MS, then it is stopped.
            const grace = Math.max(0, Math.min(BASE_GRACE_MS, Math.floor(baseEnd - performance.now())));
            let result = await within(rendered, grace);
            if (result === undefined) {
                stop.abort(new ActionError(`the base render was still running ${formatDuration(Math.max(grace, 1000))} after the checks were done`));
                result = (await within(rendered, BASE_LET_GO_MS)) ?? { error: 'the base render did not stop', stopped: true };
            }
            const finish = (fields) => ({
                base,
                status: 'unavailable',
                ...fields,
                durationMs: Math.round(performance.now() - start)
            });
            if ('error' in result) {
                const message = 'stopped' in result ? redact(result.error) : `the base render failed: ${redact(result.error)}`;
                notice(`What changes: not compared with ${base.label} ${base.sha.slice(0, 7)}: ${message}`);
                return finish({ message });
            }
            if (!head)
                return finish({ message: 'the head render failed: nothing to compare' });
            // The line diffs run on the main thread: bounded, so that the run keeps its time (diff/compare.ts).
            const deadline = performance.now() + operationLimit(OPERATION_LIMITS.renderedDiff).ms;
            const comparison = compareRenders(result.documents, head, {
                redact,
                imageFields: options.imageFields,
                releaseNamespace: options.namespace,
                deadline
            });
            const name = options.upstream;
            const upstream = { name, before: result.built[name], after: options.headBuilt[name] };
            const diff = finish({
                status: 'compared',
                comparison,
                ...(result.missing
                    ? { baseMissing: true, message: `${options.blueprint} does not exist at the base: every resource is added` }
                    : {}),
                ...(upstream.before || upstream.after ? { upstream } : {})
            });
            const n = comparison.counts;
            const where = `${base.label} ${base.sha.slice(0, 7)}`;
            info(`What changes against ${where}: ${n.added} added, ${n.removed} removed, ${n.changed} changed`);
            try {
                diff.file = await writeDiffFile(diff, options);
            }
            catch (error) {
                diff.message = `the diff file could not be written: ${error instanceof Error ? error.message : String(error)}`;
            }
            return diff;
        }
    };
}
async function writeDiffFile(diff, options) {
    await require$$1.mkdir(options.outputDir, { recursive: true });
    const file = require$$2.join(options.outputDir, `${options.headWork.name}-rendered.diff`);
    const c = diff.comparison;
    const header = [
        `# ${options.headWork.name}: rendered diff, ${diff.base.label} ${diff.base.sha.slice(0, 12)} -> head`,
        `# ${c.counts.added} added, ${c.counts.removed} removed, ${c.counts.changed} changed, ` +
            `${c.counts.unchanged} unchanged` +
            (c.noise.resources > 0 ? ` (${c.noise.resources} differ only in version labels/checksums)` : ''),
        '# Secret values are hidden.'
    ].join('\n');
    await require$$1.writeFile(file, redact(diffFileText(c, header)), 'utf8');
    return file;
}

// Small helpers shared by the gates: mapping rendered template paths to files of
// the repository, step status from findings, text tails, helm value paths.
/** Joins a chart-relative path onto the chart folder shown to people (posix separators). */
function displayJoin(displayChartDir, relative) {
    const dir = displayChartDir.split(require$$2.sep).join('/').replace(/\/+$/, '');
    return dir === '' || dir === '.' ? relative : `${dir}/${relative}`;
}
/**
 * The repository file of a rendered template: `<chart>/templates/x.yaml` →
 * `<displayChartDir>/templates/x.yaml`. Templates of subcharts
 * (`<chart>/charts/<dep>/...`) have no file in the repository (charts/ is built,
 * never committed): undefined.
 */
function repoFileForSource(source, chartName, displayChartDir) {
    if (!source)
        return undefined;
    const prefix = `${chartName}/`;
    if (!source.startsWith(prefix))
        return undefined;
    const relative = source.slice(prefix.length);
    if (relative.startsWith('charts/') || relative.includes('..'))
        return undefined;
    return displayJoin(displayChartDir, relative);
}
/** failed when any finding is an error, warning when any is a warning, else passed. */
function statusOf(findings) {
    if (findings.some((f) => f.severity === 'error'))
        return 'failed';
    if (findings.some((f) => f.severity === 'warning'))
        return 'warning';
    return 'passed';
}
function escapeKey(key) {
    return key.replace(/[\\.,=[\]]/g, (c) => `\\${c}`);
}
/** `a.b[0].c` as `--set` reads it (dots, commas, `=` and brackets in keys escaped). */
function setPath(valuePath) {
    let out = '';
    for (const segment of valuePath) {
        if (typeof segment === 'number')
            out += `[${segment}]`;
        else
            out += out === '' ? escapeKey(segment) : `.${escapeKey(segment)}`;
    }
    return out;
}
/** `a.b.c` (as written by people, e.g. in the observability-toggles input) → segments; `\.` keeps a dot in a key, `[n]` is a list index. */
function parseDottedPath(text) {
    const out = [];
    let current = '';
    let pending = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '\\' && i + 1 < text.length) {
            current += text[++i];
            pending = true;
        }
        else if (c === '.') {
            if (pending)
                out.push(current);
            current = '';
            pending = false;
        }
        else if (c === '[') {
            const close = text.indexOf(']', i);
            const index = close > i ? text.slice(i + 1, close) : '';
            if (/^\d+$/.test(index)) {
                if (pending)
                    out.push(current);
                out.push(Number(index));
                current = '';
                pending = false;
                i = close;
            }
            else {
                current += c;
                pending = true;
            }
        }
        else {
            current += c;
            pending = true;
        }
    }
    if (pending)
        out.push(current);
    return out;
}
/** Value at a path of plain data, or undefined. */
function valueAt(data, valuePath) {
    let cur = data;
    for (const segment of valuePath) {
        if (cur === null || typeof cur !== 'object')
            return undefined;
        cur = cur[segment];
    }
    return cur;
}
/**
 * helm's error message: the `Error: …` line of stderr with its indented
 * continuation lines (Helm 4 spreads template errors over several), joined into
 * one line; else the last non-empty line.
 */
function helmErrorLine(stderr, stdout = '') {
    const text = stderr.trim() || stdout.trim();
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.startsWith('Error: '));
    if (at === -1)
        return (lines
            .map((l) => l.trim())
            .filter((l) => l !== '')
            .pop() ?? '');
    const parts = [lines[at].slice('Error: '.length).trim()];
    for (const line of lines.slice(at + 1)) {
        if (!/^\s+\S/.test(line))
            break;
        parts.push(line.trim());
    }
    return parts.join(' ');
}
/** `<chart>/templates/x.yaml:7` (or `…:7:12`) anywhere in a helm message. */
function templateLocation(text, chartName) {
    const escaped = chartName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const match = new RegExp(`(?:^|[\\s("'])(${escaped}/[^\\s:()"']+):(\\d+)`).exec(text);
    if (!match)
        return undefined;
    return { source: match[1], line: Number(match[2]) };
}
/** Visits every mapping entry of a values tree, depth first; `visit` returns false to skip the entry's subtree. */
function walkValues(node, visit, at = []) {
    if (Array.isArray(node)) {
        node.forEach((item, i) => walkValues(item, visit, [...at, i]));
        return;
    }
    if (!isRecord(node))
        return;
    for (const [key, value] of Object.entries(node)) {
        if (visit(key, value, at) !== false)
            walkValues(value, visit, [...at, key]);
    }
}
/** `a.b.c: v` as nested YAML (`a:\n  b:\n    c: v`), for a copy-paste fix. */
function nestedYaml(valuePath, valueText) {
    const keys = valuePath.map((k) => typeof k === 'number' ? `- ` : /^[A-Za-z_][\w.-]*$/.test(k) ? k : JSON.stringify(k));
    if (valuePath.some((k) => typeof k === 'number'))
        return `${setPath(valuePath)}: ${valueText}`;
    return keys.map((k, i) => `${'  '.repeat(i)}${k}:${i === keys.length - 1 ? ` ${valueText}` : ''}`).join('\n');
}

// Bounded concurrency for helm processes: the runner has few cores, and
// helm renders are CPU-bound, so running all at once only adds contention.
/**
 * The gates pool's bound: one job per core (at least 2: the chart tests and one gate), at most 6. Not one more than
 * the cores: helm processes started side by side slow each other down well beyond their share of CPU (process start-up
 * is most of a helm run), and the chart tests are the run's critical path. Measured on 2 cores (`npm run bench --
 * --compare-env`): the chart tests beside one gate at a time took the run 0-5% less time than beside two.
 */
function defaultConcurrency() {
    return Math.max(2, Math.min(6, require$$0.availableParallelism?.() ?? require$$0.cpus().length));
}

/** `--kube-version <input>` for every render and lint, so `.Capabilities.KubeVersion` is the release checked. */
function kubeVersionArgs(ctx) {
    return ctx.kubeVersion ? ['--kube-version', ctx.kubeVersion] : [];
}
function handle(id, kind, work) {
    let out;
    let ran = false;
    const afterwards = [];
    return {
        job: {
            id,
            kind,
            run: async (processEnded) => {
                const result = await work(processEnded);
                out = result.out;
                ran = true;
                for (const next of afterwards)
                    await next(result.out);
                return result.done;
            }
        },
        get: () => {
            if (!ran)
                throw new Error(`gate job ${id} was read before it ran`);
            return out;
        },
        after: (next) => {
            afterwards.push(next);
        }
    };
}
/**
 * The observability cases' opt-in renders, published by the job that produced each (merged or separate), so
 * another gate can read them while the pool runs. A subscriber also gets what was published before it subscribed.
 */
class RenderFeed {
    published = [];
    subscribers = [];
    async publish(outcome) {
        this.published.push(outcome);
        for (const subscriber of this.subscribers)
            await subscriber(outcome);
    }
    subscribe(subscriber) {
        this.subscribers.push(subscriber);
        for (const outcome of this.published)
            void subscriber(outcome);
    }
}
/** A `helm template` job, parsed as asked. */
function renderJob(helm, id, args, parse = {}) {
    return handle(id, 'helm', async (processEnded) => {
        const start = performance.now();
        const result = await helm.run(args, { background: true });
        processEnded();
        const parsed = result.exitCode !== 0 || parse === 'none'
            ? { documents: [], errors: [] }
            : await parseRenderAsHelm(result.stdout, parse);
        const out = {
            result,
            documents: parsed.documents,
            parseErrors: parsed.errors,
            span: { start, end: performance.now() }
        };
        return { out, done: result };
    });
}
/** Any other helm job (e.g. lint): the raw result and its span. */
function helmJob(helm, id, args) {
    return handle(id, 'helm', async (processEnded) => {
        const start = performance.now();
        const result = await helm.run(args, { background: true });
        processEnded();
        return { out: { result, span: { start, end: performance.now() } }, done: result };
    });
}
/** A job of any kind whose result is what `work` returns, plus the follow-ups it adds. */
function customJob(id, kind, work) {
    return handle(id, kind, work);
}
/** Wall time covered by spans (first start to last end). */
function wall(spans) {
    const list = spans.filter((s) => s !== undefined);
    if (list.length === 0)
        return 0;
    return Math.round(Math.max(...list.map((s) => s.end)) - Math.min(...list.map((s) => s.start)));
}
function skippedStep(id, title, summary) {
    return { id, title, status: 'skipped', durationMs: 0, summary, findings: [] };
}
/**
 * A bounded pool that jobs join as their gates finish planning, so the first planned start without waiting for
 * the slowest plan. `first` jobs go before every queued job, then the heaviest (`weight`); while a slot is held
 * (`hold()`, by a gate still planning its `first` jobs: the chart tests, the critical path of a run) no other job
 * starts, so the chart tests are the first process of the pool. Jobs a finished job adds (`then`) join the queue.
 * A failing job (or `fail()`) starts nothing new; `finish()` throws it once the running jobs ended (the caller may
 * then remove their folders).
 */
class JobPool {
    limit;
    queue = [];
    stats = [];
    failure;
    /** Jobs started and not ended. */
    running = 0;
    /** Slots in use: started jobs whose process has not exited (Job.run's processEnded). */
    busy = 0;
    held = 0;
    closed = false;
    drained;
    constructor(limit = defaultConcurrency()) {
        this.limit = limit;
    }
    add(jobs) {
        for (const job of jobs) {
            // After every queued job that goes before it: `first` ones, then the heavier, then the as heavy (in order added).
            const at = this.queue.findIndex((queued) => goesBefore(job, queued));
            this.queue.splice(at < 0 ? this.queue.length : at, 0, job);
        }
        this.pump();
    }
    /** Holds back every job that is not `first` until the returned release is called (once is enough). */
    hold() {
        this.held++;
        let released = false;
        return () => {
            if (released)
                return;
            released = true;
            this.held--;
            this.pump();
        };
    }
    fail(error) {
        this.failure ??= { error };
        this.pump();
    }
    /** Once every job is added: resolves with each job's stat when the pool is empty. */
    async finish() {
        this.closed = true;
        await new Promise((resolve) => {
            this.drained = resolve;
            this.pump();
        });
        if (this.failure)
            throw this.failure.error;
        return this.stats;
    }
    pump() {
        while (!this.failure && this.busy < Math.max(1, this.limit) && this.queue.length > 0) {
            if (this.held > 0 && !this.queue[0].first)
                break;
            const job = this.queue.shift();
            this.running++;
            this.busy++;
            let slotFreed = false;
            const freeSlot = () => {
                if (slotFreed)
                    return;
                slotFreed = true;
                this.busy--;
                this.pump();
            };
            job
                .run(freeSlot)
                .then((done) => {
                this.stats.push({ id: job.id, kind: job.kind, exitCode: done.exitCode, durationMs: done.durationMs });
                if (done.then)
                    this.add(done.then);
            }, (error) => {
                this.failure ??= { error };
            })
                .finally(() => {
                this.running--;
                if (slotFreed)
                    this.pump();
                else
                    freeSlot();
            });
        }
        if (this.closed && this.running === 0 && (this.queue.length === 0 || this.failure))
            this.drained?.();
    }
}
/** Whether job `a` starts before `b`, queued earlier: `first` before the rest, then the heavier (see Job.weight). */
function goesBefore(a, b) {
    if (Boolean(a.first) !== Boolean(b.first))
        return Boolean(a.first);
    return (a.weight ?? 1) > (b.weight ?? 1);
}

// Finds every process a chart test script started, to end them all when the
// script ends. A process group is not enough: `setsid` (or a double fork)
// leaves it. So each script runs with a marker variable of its own in its
// environment, which its children inherit, and while it runs the process
// table is sampled for descendants (by parent chain), which catches a child
// that clears its environment as long as it lives through one sample. Linux
// only (/proc); elsewhere the process group is all there is.
const MARKER_VARIABLE = 'BP_CHART_TEST_RUN';
/** Parses /proc/<pid>/stat; `comm` may hold spaces and parentheses, so it is cut at the last ')'. */
function parseProcStat(text) {
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    if (open < 0 || close < open)
        return undefined;
    const fields = text
        .slice(close + 2)
        .trim()
        .split(/\s+/);
    // fields[0] is field 3 (state); starttime is field 22.
    if (fields.length < 20)
        return undefined;
    return {
        pid: Number(text.slice(0, open).trim()),
        comm: text.slice(open + 1, close),
        state: fields[0],
        ppid: Number(fields[1]),
        pgrp: Number(fields[2]),
        session: Number(fields[3]),
        startTime: fields[19]
    };
}
function readProcess(pid) {
    try {
        return parseProcStat(require$$4.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    }
    catch {
        return undefined;
    }
}
function listPids() {
    try {
        return require$$4.readdirSync('/proc')
            .filter((name) => /^\d+$/.test(name))
            .map(Number);
    }
    catch {
        return [];
    }
}
function carriesMarker(pid, marker) {
    try {
        return require$$4.readFileSync(`/proc/${pid}/environ`).includes(`${MARKER_VARIABLE}=${marker}\0`);
    }
    catch {
        return false;
    }
}
/** `sleep 300` for a process: its command line, or its name when that is unreadable. */
function describeProcess(pid, fallback) {
    try {
        const cmdline = require$$4.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
        const text = cmdline || fallback;
        return text.length > 120 ? `${text.slice(0, 117)}…` : text;
    }
    catch {
        return fallback;
    }
}
/** The processes of one chart test run: the script (a group leader) and all it started. */
class ProcessTracker {
    marker = require$$0$1.randomBytes(12).toString('hex');
    rootPid;
    known = new Map();
    /** Processes found not to be ours (by start time), so their environment is read once. */
    strangers = new Map();
    available = process.platform === 'linux';
    /** The environment for the script: `env` and the marker. */
    env(env) {
        return { ...env, [MARKER_VARIABLE]: this.marker };
    }
    /** The script's start time (clock ticks since boot): a process started before it cannot be one of its own. */
    rootStart;
    start(rootPid) {
        this.rootPid = rootPid;
        const root = this.available ? readProcess(rootPid) : undefined;
        if (root)
            this.rootStart = Number(root.startTime);
    }
    /** Pids of the previous sample's process table. */
    listed = new Set();
    /**
     * Records the script's living descendants, by parent chain, group or marker. Between two samples a process
     * found not to be ours stays so (nothing is re-parented to the script, and a process of another session
     * cannot join its group), so only the pids new since the previous sample are read; `full` reads every one,
     * which also tells a pid reused meanwhile by its start time (the last sample, when the script has ended).
     * On a runner with a few hundred processes that is ~10× less /proc reading per sample while the script runs.
     */
    sample(full = false) {
        if (!this.available || this.rootPid === undefined)
            return;
        const pids = listPids();
        const table = pids
            .filter((pid) => pid !== process.pid && (full || !this.listed.has(pid) || !this.strangers.has(pid)))
            .map(readProcess)
            .filter((info) => info !== undefined);
        this.listed = new Set(pids);
        const ours = new Set([this.rootPid, ...this.known.keys()]);
        let grew = true;
        while (grew) {
            grew = false;
            for (const info of table) {
                if (ours.has(info.pid))
                    continue;
                // Its environment is read once per process, and never for one older than the script (on a runner, most of
                // the few hundred in the table: each read is a file the kernel writes out).
                const checked = this.strangers.get(info.pid) === info.startTime ||
                    (this.rootStart !== undefined && Number(info.startTime) < this.rootStart);
                if (ours.has(info.ppid) || info.pgrp === this.rootPid || (!checked && carriesMarker(info.pid, this.marker))) {
                    ours.add(info.pid);
                    this.known.set(info.pid, info);
                    this.strangers.delete(info.pid);
                    grew = true;
                }
            }
        }
        // Not ours now; a later child of ours is seen by its parent chain.
        for (const info of table)
            if (!ours.has(info.pid))
                this.strangers.set(info.pid, info.startTime);
    }
    /** Known processes still alive (not zombies) and still the same process (same start time). */
    alive() {
        const living = [];
        for (const [pid, seen] of this.known) {
            const now = readProcess(pid);
            if (!now || now.startTime !== seen.startTime || now.state === 'Z')
                this.known.delete(pid);
            else
                living.push(now);
        }
        return living;
    }
    /**
     * After the script ended: kills its group and every process of it still
     * running, until none is left (a survivor may fork while being killed).
     * Returns what was found running, for the finding.
     */
    async killAll() {
        const survivors = new Map();
        const name = (living) => {
            for (const info of living) {
                if (!survivors.has(info.pid))
                    survivors.set(info.pid, describeProcess(info.pid, info.comm));
            }
        };
        // Named before anything is killed: a group member is as much a leftover as a setsid child.
        this.sample(true);
        name(this.alive().filter((info) => info.pid !== this.rootPid));
        if (this.rootPid !== undefined) {
            try {
                process.kill(-this.rootPid, 'SIGKILL');
            }
            catch {
                // the group is empty
            }
        }
        if (!this.available)
            return [];
        for (let round = 0; round < 50; round++) {
            this.sample();
            const living = this.alive().filter((info) => info.pid !== this.rootPid);
            if (living.length === 0)
                break;
            name(living);
            for (const info of living) {
                try {
                    process.kill(info.pid, 'SIGKILL');
                }
                catch {
                    // gone meanwhile
                }
            }
            await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return [...survivors].map(([pid, command]) => ({ pid, command }));
    }
}

// The action's own CPUs while the chart test scripts run. The scripts are a run's critical path; node's own work
// beside them (packaging, parsing renders, uploads) and the gates' helm processes are not. Spread over every CPU,
// they land on the scripts' CPU too and slow the scripts' helm processes; kept to the upper half of the CPUs node
// may use, they leave the lower half to the scripts (measured on 2 vCPUs: bench/README.md). The scripts themselves
// keep every CPU: node narrows its own set only once they have started, and what it starts after (the gates' helm
// processes) inherits that set; once they have all ended, node takes its whole set back (restoreActionCpus), so
// that the gates' renders a light script leaves behind, and the publish, use every CPU. Linux only (`taskset`, util-linux); elsewhere, or with one CPU, nothing changes.
/** CPUs of a `Cpus_allowed_list` value (/proc/<pid>/status), e.g. `0-3,6` → [0, 1, 2, 3, 6]. */
function parseCpuList(list) {
    const cpus = [];
    for (const part of list.trim().split(',')) {
        const range = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
        if (!range)
            return [];
        const [from, to] = [Number(range[1]), Number(range[2] ?? range[1])];
        for (let cpu = from; cpu <= to; cpu++)
            cpus.push(cpu);
    }
    return cpus;
}
/** The CPUs node keeps once the scripts run: the upper half of its own (none to change with fewer than two). */
function actionCpus(allowed) {
    if (allowed.length < 2)
        return [];
    return allowed.slice(Math.ceil(allowed.length / 2));
}
function ownAllowedCpus() {
    try {
        const status = require$$4.readFileSync('/proc/self/status', 'utf8');
        return parseCpuList(/^Cpus_allowed_list:\s*(.+)$/m.exec(status)?.[1] ?? '');
    }
    catch {
        return [];
    }
}
/** The CPUs node had before it narrowed its set: restored by restoreActionCpus. */
let narrowedFrom;
function setOwnCpus(cpus) {
    const taskset = _builtin_child_process.spawnSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cpus.join(','), String(process.pid)], {
        stdio: 'ignore',
        timeout: 5000
    });
    return taskset.status === 0;
}
/**
 * Narrows node (every thread: the main one, V8's and libuv's workers) to the upper half of its CPUs; true when it
 * did. Synchronous (a few ms), so that every process node starts after inherits the set. Best effort: no
 * `taskset`, a refusal (a container without the right) or one CPU leave it as it is.
 */
function keepToActionCpus() {
    const allowed = process.platform === 'linux' ? ownAllowedCpus() : [];
    const cpus = actionCpus(allowed);
    if (cpus.length === 0 || !setOwnCpus(cpus))
        return false;
    narrowedFrom = allowed;
    return true;
}
/**
 * Gives node back every CPU it had before keepToActionCpus, once the chart test scripts have ended: what the gates
 * start after them (a light script ends before the gates' renders) and node's own work then use both halves again.
 * A no-op when node did not narrow its set.
 */
function restoreActionCpus() {
    if (!narrowedFrom)
        return;
    const cpus = narrowedFrom;
    narrowedFrom = undefined;
    setOwnCpus(cpus);
}

// Gate `chart-tests`: the chart's own `tests/*.sh` (self-contained `helm template`
// assertions, e.g. tests/observability-toggle.sh CHART_DIR). Each runs as
// `bash <script> <chartDir>` (argument array, no shell string) in a copy of the
// chart of its own (what it writes cannot reach the renders or the package),
// with the action's helm first on PATH, HELM_* homes of its own that hold no
// credentials, and a time limit. The copy sits at the chart's place in a view of
// the workspace (workspaceView), so `$CHART_DIR/../../../infra/x` reads what it
// reads in the checkout.
const CHART_TEST_TIMEOUT_MS = 5 * 60 * 1000;
/** Output kept per script (the head is dropped beyond this). */
const MAX_OUTPUT_BYTES = 1024 * 1024;
const TAIL_LINES = 20;
/** `tests/*.sh` of the chart, sorted, relative to the chart folder (synchronous: see copyChart). */
function listChartTests(chartDir) {
    try {
        const entries = require$$4.readdirSync(require$$2.join(chartDir, 'tests'), { withFileTypes: true });
        return entries
            .filter((e) => e.isFile() && e.name.endsWith('.sh'))
            .map((e) => `tests/${e.name}`)
            .sort();
    }
    catch {
        return [];
    }
}
/** How often the process table is sampled for the script's descendants while it runs. */
const SAMPLE_INTERVAL_MS = 200;
/**
 * Runs one script in a process group of its own. When it ends (or its time is
 * up), everything it started is killed - the group, and whatever left it
 * (`setsid`, double forks) found by a marker variable and by parent chain -
 * and the result resolves only once none of them is running, so nothing a
 * script started is still there when publishing logs in to the registry.
 */
function runChartTest(chartDir, script, env, timeoutMs = CHART_TEST_TIMEOUT_MS) {
    const start = performance.now();
    const limit = operationLimit(timeoutMs);
    return new Promise((resolve) => {
        const chunks = [];
        let size = 0;
        const keep = (chunk) => {
            chunks.push(chunk);
            size += chunk.length;
            while (size > MAX_OUTPUT_BYTES && chunks.length > 1)
                size -= chunks.shift().length;
        };
        let timedOut = false;
        let settled = false;
        const tracker = new ProcessTracker();
        const child = _builtin_child_process.spawn('bash', [require$$2.join(chartDir, script), chartDir], {
            cwd: chartDir,
            env: tracker.env(env),
            stdio: ['ignore', 'pipe', 'pipe'],
            detached: process.platform !== 'win32'
        });
        if (child.pid !== undefined)
            tracker.start(child.pid);
        const sampler = setInterval(() => tracker.sample(), SAMPLE_INTERVAL_MS);
        let cleanup;
        // Once: on exit, on timeout, and again (a no-op then) before resolving.
        const killAll = () => {
            clearInterval(sampler);
            cleanup ??= tracker.killAll();
            return cleanup;
        };
        const timer = setTimeout(() => {
            timedOut = true;
            void killAll();
        }, limit.ms);
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        const finish = async (exitCode, signal, extra) => {
            if (settled)
                return;
            settled = true;
            clearTimeout(timer);
            const leftovers = await killAll();
            let output = Buffer.concat(chunks).toString('utf8');
            if (extra)
                output += `${output.endsWith('\n') || output === '' ? '' : '\n'}${extra}\n`;
            const result = {
                script,
                exitCode,
                timedOut,
                durationMs: Math.round(performance.now() - start),
                output
            };
            if (signal)
                result.signal = signal;
            // A script stopped at its time limit is reported as such; what it ran was killed with it.
            if (leftovers.length > 0 && !timedOut)
                result.leftovers = leftovers;
            resolve(result);
        };
        child.on('error', (error) => void finish(127, undefined, `cannot start bash: ${error.message}`));
        // Whatever the script left running ends with it (and releases the output
        // pipes, so 'close' follows).
        child.on('exit', () => void killAll());
        child.on('close', (code, signal) => {
            const why = limit.byRun ? ": the run's timeout ran out" : '';
            const stopped = timedOut ? `(stopped after ${Math.round(limit.ms / 1000)} s${why})` : undefined;
            void finish(code ?? 128, signal ?? undefined, stopped);
        });
    });
}
function chartTestsSkipped(summary) {
    return {
        id: 'chart-tests',
        title: 'Chart tests',
        status: 'skipped',
        durationMs: 0,
        summary,
        findings: [],
        data: { scripts: [] }
    };
}
function chartTestsStep(results, displayChartDir, durationMs) {
    if (results.length === 0)
        return chartTestsSkipped('no tests/*.sh in the chart');
    const findings = [];
    const details = [];
    for (const r of results) {
        if (r.leftovers?.length) {
            const names = r.leftovers.map((p) => `\`${p.command}\` (pid ${p.pid})`);
            const count = `${r.leftovers.length} process${r.leftovers.length === 1 ? '' : 'es'}`;
            const listed = `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`;
            findings.push({
                rule: 'chart-test-leftover',
                severity: 'error',
                message: `Chart test ${r.script} left ${count} running after it ended, killed: ${listed}`,
                fix: 'wait for background jobs before the script exits (`wait`), and do not detach them (setsid, nohup, disown)',
                file: displayJoin(displayChartDir, r.script)
            });
        }
        if (r.exitCode === 0 && !r.timedOut)
            continue;
        const last = lastLines(r.output, TAIL_LINES);
        const lastLine = last
            .split('\n')
            .filter((l) => l.trim() !== '')
            .pop() ?? '';
        const how = r.timedOut
            ? `timed out after ${Math.round(r.durationMs / 1000)} s`
            : r.signal
                ? `was killed (${r.signal})`
                : `exited ${r.exitCode}`;
        findings.push({
            rule: 'chart-test',
            severity: 'error',
            message: `Chart test ${r.script} ${how}${lastLine ? `: ${lastLine.trim()}` : ''}`,
            fix: `Run \`bash ${r.script} .\` in the chart folder to reproduce.`,
            file: displayJoin(displayChartDir, r.script)
        });
        details.push(`${r.script} (${how}), last ${TAIL_LINES} lines:\n${last}`);
    }
    const failed = results.filter((r) => r.exitCode !== 0 || r.timedOut || (r.leftovers?.length ?? 0) > 0).length;
    const step = {
        id: 'chart-tests',
        title: 'Chart tests',
        status: failed > 0 ? 'failed' : 'passed',
        durationMs,
        summary: failed > 0
            ? `${failed} of ${results.length} chart test${results.length === 1 ? '' : 's'} failed`
            : `${results.length} chart test${results.length === 1 ? '' : 's'} passed`,
        findings,
        data: { scripts: results }
    };
    if (details.length > 0)
        step.details = details.join('\n\n');
    return step;
}
/**
 * A script's own copy of the chart: every file copied (a clone where the file
 * system can), every folder made, links recreated verbatim (the work copy's links
 * are relative, so they point into this copy). Not hard links: a script runs as
 * the action's user (root on runners), whom no file mode stops, and a write into
 * a hard-linked file would change the work chart the renders and the package
 * read. Synchronous: the script waits for nothing else, and queued behind the other gates' planning in the
 * event loop, an asynchronous copy finished later (the chart tests are a run's critical path).
 */
function copyChart(from, to) {
    require$$4.mkdirSync(to, { recursive: true });
    for (const entry of require$$4.readdirSync(from, { withFileTypes: true })) {
        const source = require$$2.join(from, entry.name);
        const target = require$$2.join(to, entry.name);
        if (entry.isDirectory())
            copyChart(source, target);
        else if (entry.isSymbolicLink())
            require$$4.symlinkSync(require$$4.readlinkSync(source), target);
        else if (entry.isFile())
            require$$4.copyFileSync(source, target, require$$4.constants.COPYFILE_FICLONE);
    }
}
/**
 * Where a script's chart copy goes: at the chart's own path (`platform/x/chart`) under `<own>/workspace`, every
 * other entry along that path a link to the checkout's (the workspace's top level, the blueprint folder's
 * siblings, the chart's siblings). A path that leaves the chart folder (`$CHART_DIR/../../../infra/x`, a
 * `cd ..`) resolves to what it resolves to in the checkout, as in CI's shell job; the chart folder itself is the
 * private copy. Links, not copies: nothing of the checkout is read or copied unless a script asks for it. A chart
 * outside the workspace (or no workspace): the copy alone, at `<own>/<chart folder's name>`.
 */
function workspaceView(own, workspace, displayChartDir) {
    const relative = displayChartDir.split(/[\\/]+/).filter((part) => part !== '' && part !== '.');
    const alone = require$$2.join(own, relative.at(-1) ?? 'chart');
    if (!workspace || relative.length === 0 || relative.includes('..') || require$$2.isAbsolute(displayChartDir))
        return alone;
    let real = workspace;
    let view = require$$2.join(own, 'workspace');
    for (const part of relative) {
        require$$4.mkdirSync(view, { recursive: true });
        let entries;
        try {
            entries = require$$4.readdirSync(real);
        }
        catch {
            return alone; // not a folder of the checkout (a chart given elsewhere): no view
        }
        for (const name of entries)
            if (name !== part)
                require$$4.symlinkSync(require$$2.join(real, name), require$$2.join(view, name));
        real = require$$2.join(real, part);
        view = require$$2.join(view, part);
    }
    return view;
}
/**
 * The gate: each `tests/*.sh` in a chart copy and helm home of its own, started
 * first in the pool (the longest jobs, the critical path of a run): no other job
 * starts before this gate has planned (`startsFirst`).
 */
const chartTestsGate = {
    id: 'chart-tests',
    startsFirst: true,
    async plan(pc) {
        const { ctx } = pc;
        if (!ctx.chartTests)
            return { jobs: [], finish: () => ({ step: chartTestsSkipped('chart-tests is false') }) };
        const scripts = listChartTests(ctx.chartDir);
        let started = 0;
        let ended = 0;
        const runs = scripts.map((script, i) => {
            // What a script writes (a dependency update, a lock, temp files) cannot race
            // the package or the renders, and the action's registry login and repository
            // credentials stay out of reach.
            const own = require$$2.join(ctx.scriptRoot, String(i));
            let copy = '';
            // Made when the job starts, synchronously: the script's spawn is the pool's first.
            const prepare = () => {
                copy = workspaceView(own, ctx.workspace, ctx.displayChartDir);
                copyChart(ctx.chartDir, copy);
                return createHelmHome(require$$2.join(own, 'helm-home'));
            };
            const handle = customJob(`script:${script}`, 'script', async () => {
                const start = performance.now();
                const home = prepare();
                // $HELM too: scripts often run `${HELM:-helm}`.
                const running = runChartTest(copy, script, { ...ctx.helm.env(home), HELM: ctx.helm.binary });
                // Once every script has been started (with all of node's CPUs), node keeps to half of them.
                if (++started === scripts.length && ctx.yieldCpusToChartTests)
                    keepToActionCpus();
                let result;
                try {
                    result = await running;
                }
                finally {
                    // The scripts are over (or one could not be run): what the gates still run gets every CPU again.
                    if (++ended === scripts.length)
                        restoreActionCpus();
                }
                return { out: { result, span: { start, end: performance.now() } }, done: result };
            });
            handle.job.first = true;
            return handle;
        });
        return {
            jobs: runs.map((r) => r.job),
            finish() {
                const done = runs.map((r) => r.get());
                return {
                    step: chartTestsStep(done.map((r) => r.result), ctx.displayChartDir, wall(done.map((r) => r.span)))
                };
            }
        };
    }
};

const DIGEST_PLACEHOLDER = 'sha256:<digest>';
const LISTED = 10;
const SNIPPET_LINES = 25;
function shown(image) {
    return image === '' ? '(empty)' : image;
}
function list$1(problems) {
    const names = problems.slice(0, LISTED).map((p) => `\`${shown(p.image)}\``);
    const more = problems.length > LISTED ? `, and ${problems.length - LISTED} more` : '';
    return `${names.join(', ')}${more}`;
}
/** `repo:tag@sha256:<digest>` for an image (its tag kept, `<tag>` when it has none). */
function pinnedPlaceholder(p) {
    if (!p.ref)
        return `${shown(p.image)}@${DIGEST_PLACEHOLDER}`;
    return `${p.ref.familiar}:${p.ref.tag ?? '<tag>'}@${DIGEST_PLACEHOLDER}`;
}
/** A YAML snippet setting each problem's values key; each line names its image in a comment. */
function valuesSnippet(problems) {
    const root = { children: new Map() };
    for (const p of problems) {
        const key = p.valuesKey;
        let path = key.path.map(String);
        let value;
        const last = path[path.length - 1];
        if (last === 'tag' && key.hasDigestKey) {
            path = [...path.slice(0, -1), 'digest'];
            value = `${DIGEST_PLACEHOLDER}  # ${p.image}`;
        }
        else if (last === 'tag') {
            value = `"${p.ref?.tag ?? '<tag>'}@${DIGEST_PLACEHOLDER}"  # ${p.image}`;
        }
        else {
            value = `"${pinnedPlaceholder(p)}"`;
        }
        let node = root;
        for (const segment of path.slice(0, -1)) {
            if (!node.children.has(segment))
                node.children.set(segment, { children: new Map() });
            node = node.children.get(segment);
        }
        node.children.set(path[path.length - 1], { children: new Map(), leaf: value });
    }
    const lines = [];
    const yamlKey = (k) => (/^[A-Za-z_][\w.-]*$/.test(k) ? k : JSON.stringify(k));
    const emit = (node, indent) => {
        for (const [k, child] of node.children) {
            if (child.leaf !== undefined)
                lines.push(`${indent}${yamlKey(k)}: ${child.leaf}`);
            else {
                lines.push(`${indent}${yamlKey(k)}:`);
                emit(child, `${indent}  `);
            }
        }
    };
    emit(root, '');
    return capLines(lines);
}
function capLines(lines, max = SNIPPET_LINES) {
    if (lines.length <= max)
        return lines.join('\n');
    const more = `# … and ${lines.length - max} more lines: see the images table and the JSON report`;
    return [...lines.slice(0, max), more].join('\n');
}
function allowlistSnippet(problems, why) {
    const lines = problems.map((p) => `  ${p.ref ? p.ref.familiar : shown(p.image)} # ${why}`);
    return {
        language: 'yaml',
        label: 'or allow-list them in the workflow step:',
        text: ['image-allowlist: |', ...capLines(lines).split('\n')].join('\n')
    };
}
function digestHint(problems) {
    const first = problems.find((p) => p.ref?.tag !== undefined);
    if (!first?.ref)
        return '';
    return ` (digest: \`crane digest ${first.ref.familiar}:${first.ref.tag}\`, or input \`resolve-digests: true\`)`;
}
/** One finding per group of identical problems. */
function problemFindings(problems, ctx) {
    const groups = new Map();
    for (const p of problems) {
        let kind = 'nokey';
        if (!p.ref)
            kind = `invalid:${p.image}`;
        else if (p.valuesKey)
            kind = 'values';
        else if (p.template)
            kind = `template:${p.template.file}`;
        const key = `${p.dependency ?? ''}|${kind}`;
        const group = groups.get(key);
        if (group)
            group.push(p);
        else
            groups.set(key, [p]);
    }
    const findings = [];
    for (const group of groups.values()) {
        const first = group[0];
        const of = first.dependency ? ` of the ${first.dependency} chart` : '';
        const one = group.length === 1;
        const subject = one
            ? `Image \`${shown(first.image)}\`${of} is not pinned`
            : `${group.length} images${of} are not pinned`;
        const base = { rule: 'image-pinned', severity: 'error', message: '' };
        if (!first.ref) {
            const message = `Image \`${shown(first.image)}\`${of} is not a valid reference: ${first.reason}.`;
            findings.push({ ...base, message, ...where(first, ctx) });
            continue;
        }
        if (first.valuesKey) {
            const keys = group.map((p) => `\`${setPath(p.valuesKey.path)}\``);
            const withLine = group.find((p) => p.valuesKey.line !== undefined);
            const line = withLine?.valuesKey.line ?? (first.dependency ? ctx.valuesLineOf([first.dependency]) : undefined);
            findings.push({
                ...base,
                message: one
                    ? `${subject} (policy ${ctx.policy}): ${first.reason}. Set by ${keys[0]}.`
                    : `${subject} (policy ${ctx.policy}): ${list$1(group)}. ` +
                        `Set by ${keys.slice(0, LISTED).join(', ')}${group.length > LISTED ? ', …' : ''}.`,
                fix: `pin by digest in ${ctx.valuesFile}${digestHint(group)}`,
                snippet: { language: 'yaml', text: valuesSnippet(group) },
                file: ctx.valuesFile,
                ...(line !== undefined ? { line } : {})
            });
            continue;
        }
        if (first.template) {
            const withLine = group.find((p) => p.template.line !== undefined);
            const snippet = one && first.template.text !== undefined
                ? {
                    // A template line is YAML until it holds template actions.
                    language: first.template.text.includes('{{') ? 'gotmpl' : 'yaml',
                    text: first.template.text.replace(first.image, pinnedPlaceholder(first))
                }
                : {
                    language: 'text',
                    text: capLines(group.map((p) => pinnedPlaceholder(p)), LISTED)
                };
            findings.push({
                ...base,
                message: `${subject} (policy ${ctx.policy}): ${one ? first.reason : list$1(group)}.`,
                fix: `pin by digest where ${first.template.file} sets ${one ? 'it' : 'them'}${digestHint(group)}, ` +
                    `or add ${one ? 'it' : 'them'} to input \`image-allowlist\``,
                snippet,
                file: first.template.file,
                ...(withLine?.template.line !== undefined ? { line: withLine.template.line } : {})
            });
            continue;
        }
        // A dependency's image that no values key sets: the blueprint cannot pin it.
        const line = first.dependency ? ctx.dependencyLine(first.dependency) : undefined;
        findings.push({
            ...base,
            message: `${subject} (policy ${ctx.policy}) and no values key sets ${one ? 'it' : 'them'}: ${list$1(group)}.`,
            fix: `ask the chart's maintainers for an image value, or accept ${one ? 'it' : 'them'}`,
            snippet: allowlistSnippet(group, `set by the ${first.dependency ?? 'dependency'} chart without a values key`),
            file: ctx.chartFile,
            ...(line !== undefined ? { line } : {})
        });
    }
    return findings;
}
function where(p, ctx) {
    if (p.template)
        return { file: p.template.file, ...(p.template.line !== undefined ? { line: p.template.line } : {}) };
    if (p.valuesKey) {
        return { file: ctx.valuesFile, ...(p.valuesKey.line !== undefined ? { line: p.valuesKey.line } : {}) };
    }
    return {};
}
/**
 * One warning per image that names its registry twice (`registry.k8s.io/registry.k8s.io/…`): no registry serves
 * that path, so the pod cannot start. The fix is the `repository` value without the host the registry adds.
 */
function doubledRegistryFindings(images, valuesFile) {
    return images.map(({ image, ref, key }) => {
        const host = ref.domain;
        const message = `Image \`${image}\` names its registry twice (\`${host}/${host}/…\`): no registry serves that path, so the pod cannot pull it.`;
        if (!key) {
            return {
                rule: 'image-registry-twice',
                severity: 'warning',
                message: `${message} No values key of the chart's was found to compose it.`,
                fix: `give the image's repository without \`${host}/\` where its registry is set`
            };
        }
        const finding = {
            rule: 'image-registry-twice',
            severity: 'warning',
            message: `${message} Set by \`${setPath(key.path)}\`, whose registry (\`${host}\`) is given apart already.`,
            fix: `drop \`${host}/\` from \`${setPath(key.path)}\` in ${valuesFile}`,
            snippet: { language: 'yaml', text: nestedYaml(key.path, key.repository) },
            file: valuesFile
        };
        if (key.line !== undefined)
            finding.line = key.line;
        return finding;
    });
}

// The default values of the chart's dependencies, read from the built charts/
// folder of the work copy (archives or unpacked folders), keyed by the values
// key the umbrella chart uses for them (alias, else name), as helm reads them:
// each dependency's own values.yaml with the defaults of its subcharts (nested
// charts, unpacked or archived, under their alias or name) beneath, the
// parent's values over them and its `global` passed down. They tell which
// values key sets an upstream image (e.g. `temporal.server.image.tag`): reading
// the files is cheaper and as sound as rendering once per image with a changed value.
/**
 * Helm's coalescing of two values trees: `over` wins; mappings merge key by key; a null in `over` removes the key.
 * Pure; neither input is changed.
 */
function coalesceValues(base, over) {
    if (over === undefined)
        return base;
    if (!isRecord(base) || !isRecord(over))
        return over;
    const out = { ...base };
    for (const [key, value] of Object.entries(over)) {
        if (value === null)
            delete out[key];
        else
            out[key] = coalesceValues(base[key], value);
    }
    return out;
}
/** A chart's defaults with each subchart's beneath its key (the chart's own values over them, globals passed down). */
function defaultsTree(chart) {
    const own = parseYamlText(chart.text, chart.file).data;
    let tree = isRecord(own) ? own : {};
    for (const [key, sub] of chart.subcharts) {
        const parent = tree;
        let merged = coalesceValues(defaultsTree(sub), parent[key]);
        if (isRecord(merged) && isRecord(parent.global))
            merged = { ...merged, global: coalesceValues(merged.global, parent.global) };
        tree = { ...parent, [key]: merged };
    }
    return tree;
}
/**
 * Parsed when first asked for: only a failing image's location reads them (image-location.ts), and the parse with
 * positions is the costly part (~45 ms for a values.yaml the size of the real Temporal chart's), during the gates.
 */
class LazyDependencyValues {
    charts;
    parsed = new Map();
    constructor(charts) {
        this.charts = charts;
    }
    get(key) {
        if (!this.parsed.has(key)) {
            const chart = this.charts.get(key);
            let values;
            try {
                if (chart) {
                    const own = parseYamlText(chart.text, chart.file);
                    values = chart.subcharts.size === 0 ? own : { ...own, data: defaultsTree(chart) };
                }
            }
            catch {
                // unparsable defaults: no key to point at
            }
            this.parsed.set(key, values);
        }
        return this.parsed.get(key);
    }
    has(key) {
        return this.get(key) !== undefined;
    }
    keys() {
        return this.charts.keys();
    }
}
/** The `dependencies` of a Chart.yaml text: name and values key (alias, else name). */
function dependencyKeys(chartYaml) {
    if (chartYaml === undefined)
        return [];
    // Only the names and aliases: parseYamlText parses positions only when asked for a line.
    const chart = parseYamlText(chartYaml, 'Chart.yaml').data;
    return (isRecord(chart) && Array.isArray(chart.dependencies) ? chart.dependencies : [])
        .filter(isRecord)
        .filter((d) => typeof d.name === 'string')
        .map((d) => ({ name: d.name, key: typeof d.alias === 'string' && d.alias !== '' ? d.alias : d.name }));
}
/** The chart at `root` of an archive's files (its values, its subcharts: folders and archives under charts/). */
async function chartInArchive(files, root, label) {
    const text = (name) => files.get(`${root}/${name}`)?.toString('utf8');
    const byName = new Map();
    const prefix = `${root}/charts/`;
    const folders = new Set();
    for (const [name, data] of files) {
        if (!name.startsWith(prefix))
            continue;
        const rest = name.slice(prefix.length);
        if (!rest.includes('/') && rest.endsWith('.tgz')) {
            const sub = await chartArchive(data, `${label}/charts/${rest}`).catch(() => undefined);
            if (sub)
                byName.set(sub.name, sub.chart);
        }
        else if (rest.endsWith('/Chart.yaml') && rest.split('/').length === 2)
            folders.add(rest.split('/')[0]);
    }
    for (const folder of folders) {
        const sub = await chartInArchive(files, `${prefix}${folder}`, `${label}/charts/${folder}`);
        const name = chartName(files.get(`${prefix}${folder}/Chart.yaml`)?.toString('utf8')) ?? folder;
        byName.set(name, sub);
    }
    return { text: text('values.yaml') ?? '', file: `${label}/values.yaml`, subcharts: keyed(text('Chart.yaml'), byName) };
}
/** Subcharts by the key the parent's Chart.yaml gives them (alias, else name); undeclared ones by their name. */
function keyed(chartYaml, byName) {
    const out = new Map();
    const declared = dependencyKeys(chartYaml);
    for (const [name, chart] of byName) {
        const keys = declared.filter((d) => d.name === name).map((d) => d.key);
        for (const key of keys.length > 0 ? keys : [name])
            out.set(key, chart);
    }
    return out;
}
function chartName(chartYaml) {
    const name = /^name:[ \t]*["']?([^\s"'#]+)/m.exec(chartYaml ?? '')?.[1];
    return name;
}
async function chartArchive(archive, label) {
    const files = new Map();
    for (const entry of await readTgzEntries(archive, label))
        files.set(entry.name.replace(/^\.\//, ''), entry.data);
    const top = [...files.keys()][0]?.split('/')[0];
    if (!top)
        throw new Error(`${label}: empty archive`);
    const name = chartName(files.get(`${top}/Chart.yaml`)?.toString('utf8')) ?? top;
    return { name, chart: await chartInArchive(files, top, `charts/${name}`) };
}
/** An unpacked chart folder: its values.yaml, Chart.yaml and charts/ (folders and archives). */
async function chartFolder(dir, label) {
    const read = (name) => require$$1.readFile(require$$2.join(dir, name), 'utf8').catch(() => undefined);
    const byName = new Map();
    for (const entry of await require$$1.readdir(require$$2.join(dir, 'charts')).catch(() => [])) {
        const file = require$$2.join(dir, 'charts', entry);
        try {
            if (entry.endsWith('.tgz')) {
                const sub = await chartArchive(await require$$1.readFile(file), `${label}/charts/${entry}`);
                byName.set(sub.name, sub.chart);
            }
            else {
                const chartYaml = await require$$1.readFile(require$$2.join(file, 'Chart.yaml'), 'utf8').catch(() => undefined);
                const name = chartName(chartYaml) ?? entry;
                byName.set(name, await chartFolder(file, `${label}/charts/${entry}`));
            }
        }
        catch {
            // not a chart: nothing to learn from it
        }
    }
    return {
        text: (await read('values.yaml')) ?? '',
        file: `${label}/values.yaml`,
        subcharts: keyed(await read('Chart.yaml'), byName)
    };
}
/** Values of each dependency by values key; a dependency whose values cannot be read is left out. */
async function loadDependencyValues(chartDir) {
    const out = new Map();
    let deps = [];
    try {
        deps = dependencyKeys(await require$$1.readFile(require$$2.join(chartDir, 'Chart.yaml'), 'utf8'));
    }
    catch {
        return new LazyDependencyValues(out);
    }
    const built = await chartFolder(chartDir, '.').catch(() => undefined);
    // chartFolder keyed the built charts by the umbrella's own Chart.yaml: one entry per dependency's values key.
    for (const dep of deps) {
        const chart = built?.subcharts.get(dep.key);
        if (chart)
            out.set(dep.key, { ...chart, file: `charts/${dep.name}/values.yaml` });
    }
    return new LazyDependencyValues(out);
}

// Where a failing image is set, for its finding: the values key that sets it,
// found the way helm reads values (the blueprint's values.yaml over each
// dependency's defaults with its subcharts', aliases as keys, globals passed
// down; `image: {registry, repository, tag}`, `image: "<ref>"` and
// `{image, tag}` forms), else the line of the blueprint's own template that
// writes it; and the line of a dependency in Chart.yaml.
function sameRepository(a, b) {
    return a.domain === b.domain && a.path === b.path;
}
/**
 * The values helm renders the chart with, as far as its files say: each dependency's defaults (its subcharts'
 * beneath) under its values key with the blueprint's values over them and the blueprint's `global` passed down,
 * and the blueprint's own values. Pure.
 */
function effectiveValues(values, dependencies) {
    if (!dependencies || !isRecord(values))
        return values;
    const out = { ...values };
    for (const key of dependencies.keys()) {
        const defaults = dependencies.get(key)?.data;
        if (defaults === undefined || values[key] === null)
            continue;
        let merged = coalesceValues(defaults, values[key]);
        if (isRecord(merged) && isRecord(values.global))
            merged = { ...merged, global: coalesceValues(merged.global, values.global) };
        out[key] = merged;
    }
    return out;
}
/** Registry overrides a chart scope's `global` may hold (`global.imageRegistry`, `global.image.registry`, …). */
function globalRegistries(global) {
    if (!isRecord(global))
        return [];
    const found = [global.imageRegistry, global.registry, isRecord(global.image) ? global.image.registry : undefined];
    return found.filter((r) => typeof r === 'string' && r !== '');
}
const REGISTRY_KEYS = new Set(['repository', 'registry']);
/** Where `node` (a mapping) sets the image, by the forms charts use; registries: the enclosing scopes' globals. */
function nodeCandidates(node, at, ref, registries) {
    const out = [];
    const names = (name, own) => {
        const prefixes = [...(typeof own === 'string' && own !== '' ? [own] : []), ...registries, ''];
        return prefixes
            .map((prefix) => tryParseImageRef(prefix === '' ? name : `${prefix.replace(/\/+$/, '')}/${name}`))
            .flatMap((parsed) => ('ref' in parsed ? [parsed.ref] : []));
    };
    const tagged = (repositoryKey) => {
        const tag = node.tag === undefined || node.tag === null ? undefined : String(node.tag);
        const tagMatches = tag !== undefined && tag !== '' && tag === ref.tag;
        // The tag goes to `tag` (the key every chart of this form reads), also when only the chart's template defaults it.
        const key = 'tag' in node || repositoryKey === 'repository' ? 'tag' : repositoryKey;
        out.push({
            path: [...at, key],
            rank: tagMatches ? 2 : 1,
            match: tagMatches ? 'repository-and-tag' : 'repository'
        });
    };
    // image: {registry, repository, tag}
    if (typeof node.repository === 'string' && node.repository !== '') {
        if (names(node.repository, node.registry).some((named) => sameRepository(named, ref)))
            tagged('repository');
    }
    // {image: "<repository>", tag} (a component's image and tag side by side)
    if (typeof node.image === 'string' && node.image !== '' && 'tag' in node) {
        if (names(node.image, node.registry).some((named) => sameRepository(named, ref)))
            tagged('image');
    }
    return out;
}
/**
 * Pure: where a values tree sets an image, best match first. `tree` is what helm renders with (effectiveValues;
 * default: the file's own data); lines come from `values`, the blueprint's file (none for a key only a
 * dependency's defaults hold). `prefer`: the values key of the dependency whose templates use the image.
 */
function findImageValue(values, image, tree = values.data, prefer) {
    const parsed = tryParseImageRef(image);
    const ref = 'ref' in parsed ? parsed.ref : undefined;
    const candidates = [];
    const walk = (node, at, registries) => {
        if (Array.isArray(node)) {
            node.forEach((item, i) => walk(item, [...at, i], registries));
            return;
        }
        if (!isRecord(node))
            return;
        const scope = [...globalRegistries(node.global), ...registries];
        if (ref)
            candidates.push(...nodeCandidates(node, at, ref, scope));
        for (const [key, value] of Object.entries(node)) {
            if (typeof value === 'string') {
                // `repository: <ref>` beside a `tag` is the repository form's, which points at the tag.
                const partOfForm = REGISTRY_KEYS.has(key) && 'tag' in node;
                if (value === image && image !== '' && !partOfForm)
                    candidates.push({ path: [...at, key], rank: 3, match: 'exact' });
            }
            else if (key !== 'global') {
                walk(value, [...at, key], scope);
            }
        }
    };
    walk(tree, [], []);
    if (candidates.length === 0)
        return undefined;
    // Rank first; then a key under the dependency that renders the image, then one the blueprint's file writes.
    const score = (c) => c.rank * 4 + (prefer !== undefined && c.path[0] === prefer ? 2 : 0) + (values.lineOf(c.path) !== undefined ? 1 : 0);
    const best = candidates.reduce((a, b) => (score(b) > score(a) ? b : a));
    const out = { path: best.path, match: best.match };
    const line = values.lineOf(best.path);
    if (line !== undefined)
        out.line = line;
    return out;
}
/**
 * Pure: for an image whose path repeats its registry host (`registry.k8s.io/registry.k8s.io/…`, which no registry
 * serves), the `repository` key that repeats it: one beside a `registry` (or under a global registry) that it
 * starts with.
 */
function findDoubledRegistry(values, ref, tree = values.data) {
    let found;
    const walk = (node, at, registries) => {
        if (found)
            return;
        if (Array.isArray(node)) {
            node.forEach((item, i) => walk(item, [...at, i], registries));
            return;
        }
        if (!isRecord(node))
            return;
        const scope = [...globalRegistries(node.global), ...registries];
        const repository = node.repository;
        if (typeof repository === 'string') {
            const own = typeof node.registry === 'string' && node.registry !== '' ? [node.registry] : [];
            for (const registry of [...own, ...scope].map((r) => r.replace(/\/+$/, ''))) {
                if (!repository.startsWith(`${registry}/`))
                    continue;
                const named = tryParseImageRef(`${registry}/${repository}`);
                if (!('ref' in named) || !sameRepository(named.ref, ref))
                    continue;
                found = { path: [...at, 'repository'], repository: repository.slice(registry.length + 1) };
                const line = values.lineOf(found.path);
                if (line !== undefined)
                    found.line = line;
                return;
            }
        }
        for (const [key, value] of Object.entries(node))
            if (key !== 'global')
                walk(value, [...at, key], scope);
    };
    walk(tree, [], []);
    return found;
}
/** Whether an image's path starts with its own registry host again (`registry.k8s.io/registry.k8s.io/x`). */
function repeatsRegistry(ref) {
    const first = ref.path.split('/')[0];
    return ref.path.includes('/') && first.toLowerCase() === ref.domain.toLowerCase();
}
/** `<chart>/charts/<key>/…` → `<key>`: the dependency whose templates rendered a document. */
function dependencyOfSource(source, chartName) {
    const m = source?.startsWith(`${chartName}/charts/`) ? /^[^/]+\/charts\/([^/]+)\//.exec(source) : null;
    return m?.[1];
}
/** 1-based line of the first occurrence of `image` in an own template, if it is written there literally. */
function literalImageLine(chartDir, source, chartName, image) {
    const prefix = `${chartName}/`;
    if (!source.startsWith(`${prefix}templates/`))
        return undefined;
    let text;
    try {
        text = require$$4.readFileSync(require$$2.join(chartDir, source.slice(prefix.length)), 'utf8');
    }
    catch {
        return undefined;
    }
    const index = text.split('\n').findIndex((line) => line.includes(image));
    return index >= 0 ? index + 1 : undefined;
}
/** The text of one line of an own template (for a copy-paste fix), without its line break. */
function templateLineText(chartDir, source, chartName, line) {
    try {
        const lines = require$$4.readFileSync(require$$2.join(chartDir, source.slice(`${chartName}/`.length)), 'utf8').split('\n');
        return lines[line - 1]?.replace(/\r$/, '');
    }
    catch {
        return undefined;
    }
}
/**
 * The problem of one failing image (`list`: its verdicts, one per use) with where it is set: a values key of the
 * blueprint, else of its dependency (overridable under the dependency's key), else the own template.
 * `lookup` is findImageValue on the blueprint's values.yaml (cached by the caller).
 */
function locateProblem(list, sources, lookup, tree = sources.values.data) {
    const first = list[0];
    const problem = { image: first.use.image, reason: first.reason };
    if (first.ref)
        problem.ref = first.ref;
    const dependency = list.map((v) => dependencyOfSource(v.use.source, sources.chartName)).find((d) => d !== undefined);
    const ownSource = list.find((v) => repoFileForSource(v.use.source, sources.chartName, sources.displayChartDir) !== undefined)?.use.source;
    if (dependency && !ownSource)
        problem.dependency = dependency;
    const match = lookup(first.use.image, problem.dependency);
    if (match) {
        // A `digest` beside the key, in the blueprint's values or in the dependency's defaults: the pin goes there.
        const parent = valueAt(tree, match.path.slice(0, -1));
        problem.valuesKey = { path: match.path, hasDigestKey: isRecord(parent) && 'digest' in parent };
        if (match.line !== undefined)
            problem.valuesKey.line = match.line;
    }
    if (!problem.valuesKey && ownSource) {
        const file = repoFileForSource(ownSource, sources.chartName, sources.displayChartDir);
        problem.template = { file };
        const line = sources.chartDir
            ? literalImageLine(sources.chartDir, ownSource, sources.chartName, first.use.image)
            : undefined;
        if (line !== undefined) {
            problem.template.line = line;
            const text = templateLineText(sources.chartDir, ownSource, sources.chartName, line);
            if (text !== undefined)
                problem.template.text = text;
        }
    }
    return problem;
}
/** The line of the dependency with this values key (alias, else name) in Chart.yaml. */
function dependencyLine(chartYaml, key) {
    const deps = chartYaml?.data.dependencies;
    if (!Array.isArray(deps))
        return undefined;
    const index = deps.findIndex((d) => isRecord(d) && (d.alias === key || (d.alias === undefined && d.name === key)));
    return index >= 0 ? chartYaml.lineOf(['dependencies', index]) : undefined;
}

// Gate `never-latest` (docs/rules.md rule 5, "never :latest"): an image value of the
// blueprint's own (`<x>.image.tag`, or a CloudNativePG-style `<x>.imageName`
// holding a whole reference, in values.yaml outside every dependency's key)
// whose default is EMPTY or `latest` must be supplied by CI, so rendering with it
// empty has to fail with an error that names the value (a `required` in the
// template). A value with any other default (a pinned third-party image such as
// the CNPG Cluster's `imageName`) is not this rule's business: the image policy
// judges the rendered reference; at most a notice says an empty override renders.
//
// For each own value, one render of the chart with `--set <value>=` (empty). It
// uses the chart's values.yaml only, NOT the run's `values`/`set` inputs (they
// may set the tag); the other own values without a default get a placeholder so
// their own `required` does not mask the one under test. A failing finding names
// the template file and line that uses the value (where the `required` goes).
//
// Severity: input `never-latest` (error, the default; warning; off: not run).
/** Pure: `<x>.image.tag` (and `<x>.imageName`) keys of values.yaml outside the upstream dependency's subtree. */
function findOwnImageTags(values, dependencyKeys) {
    const found = [];
    walkValues(values, (key, value, at) => {
        // The dependencies' images are their charts' business: only the blueprint's own.
        if (at.length === 0 && dependencyKeys.includes(key))
            return false;
        const here = [...at, key];
        if (key === 'image' && isRecord(value) && 'tag' in value) {
            const tagPath = [...here, 'tag'];
            found.push({ path: tagPath, key: setPath(tagPath), default: value.tag, kind: 'tag' });
        }
        if (key === 'imageName' && at.length > 0 && (typeof value === 'string' || value === null)) {
            found.push({ path: here, key: setPath(here), default: value, kind: 'imageName' });
        }
    });
    return found;
}
function classifyTagDefault(value, kind = 'tag') {
    if (value === null || value === undefined)
        return 'none';
    const text = String(value).trim();
    if (text === '')
        return 'none';
    if (kind === 'imageName') {
        // A whole reference: `latest` when tagged latest, or untagged without a digest.
        const noDigest = text.split('@')[0];
        const lastSegment = noDigest.slice(noDigest.lastIndexOf('/') + 1);
        const tag = lastSegment.includes(':') ? lastSegment.slice(lastSegment.indexOf(':') + 1) : undefined;
        return !text.includes('@') && (tag === undefined || tag === 'latest') ? 'latest' : 'value';
    }
    return text === 'latest' ? 'latest' : 'value';
}
/**
 * Pure: whether a failed render's error names the tag value: it contains
 * `image.tag` and the key above `image` (as `<x>.image.tag`, or both apart),
 * case-insensitive. For `<x>.imageName`: `imageName` and `<x>`.
 */
function errorNamesTag(error, tagPath) {
    const text = error.toLowerCase();
    const imageName = tagPath[tagPath.length - 1] === 'imageName';
    const leaf = imageName ? 'imagename' : 'image.tag';
    if (!text.includes(leaf))
        return false;
    const owner = imageName ? tagPath[tagPath.length - 2] : tagPath.length >= 3 ? tagPath[tagPath.length - 3] : undefined;
    if (owner === undefined)
        return true;
    const name = String(owner).toLowerCase();
    if (text.includes(`${name}.${leaf}`))
        return true;
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return new RegExp(`(^|[^a-z0-9_-])${escaped}([^a-z0-9_-]|$)`).test(text);
}
const CASE4_PLACEHOLDER_TAG = 'case4-placeholder';
const CASE4_PLACEHOLDER_IMAGE = 'example.invalid/case4-placeholder:case4-placeholder';
/** Arguments after `template <release> <chart> --namespace <ns>` for the empty-value render of one own image value. */
function case4Args(tag, all) {
    const args = [];
    for (const other of all) {
        if (other.key === tag.key || classifyTagDefault(other.default, other.kind) !== 'none')
            continue;
        args.push('--set', `${other.key}=${other.kind === 'imageName' ? CASE4_PLACEHOLDER_IMAGE : CASE4_PLACEHOLDER_TAG}`);
    }
    args.push('--set', `${tag.key}=`);
    return args;
}
function escapeRegExp$1(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
/**
 * Pure: the first line of the templates that uses an own image value:
 * `.Values.<path>` written out; else, inside a file that mentions
 * `.Values.<first key>`, the value's leaf as a field of a `with`/`range`/helper
 * scope (`.image.tag`, then `.tag`; `.imageName`). Templates are (path relative
 * to the chart, text) pairs, in a stable order.
 */
function findValueUsage(templates, valuePath) {
    const keys = valuePath.map(String);
    const full = new RegExp(`\\.Values\\.${keys.map(escapeRegExp$1).join('\\.')}(?![A-Za-z0-9_])`);
    const leaf = keys[keys.length - 1];
    const scoped = leaf === 'tag' && keys.length >= 2 ? [`.${keys[keys.length - 2]}.tag`, '.tag'] : [`.${leaf}`];
    const scopedPatterns = scoped.map((text) => new RegExp(`${escapeRegExp$1(text)}(?![A-Za-z0-9_])`));
    const rootMention = new RegExp(`\\.Values\\.${escapeRegExp$1(keys[0])}(?![A-Za-z0-9_])`);
    const lineOf = (text, pattern) => {
        const index = text.split('\n').findIndex((line) => pattern.test(line));
        return index < 0 ? undefined : index + 1;
    };
    for (const [template, text] of templates) {
        const line = lineOf(text, full);
        if (line !== undefined)
            return { template, line };
    }
    for (const pattern of scopedPatterns) {
        for (const [template, text] of templates) {
            if (!rootMention.test(text))
                continue;
            const line = lineOf(text, pattern);
            if (line !== undefined)
                return { template, line };
        }
    }
    return undefined;
}
/** The chart's own templates (templates/**, never charts/), as (chart-relative path, text), sorted. */
async function readOwnTemplates(chartDir) {
    const out = [];
    const walk = async (relative) => {
        let entries;
        try {
            entries = await require$$1.readdir(require$$2.join(chartDir, relative), { withFileTypes: true });
        }
        catch {
            return;
        }
        for (const entry of entries.sort((a, b) => compareCodePoints(a.name, b.name))) {
            const child = `${relative}/${entry.name}`;
            if (entry.isDirectory())
                await walk(child);
            else if (entry.isFile() && /\.(ya?ml|tpl|txt)$/.test(entry.name))
                out.push([child, await require$$1.readFile(require$$2.join(chartDir, child), 'utf8')]);
        }
    };
    await walk('templates');
    return out;
}
/** Usage of each own image value (by `--set` key) in the chart's own templates. */
async function findValueUsages(chartDir, displayChartDir, tags) {
    const usages = new Map();
    if (tags.length === 0)
        return usages;
    const templates = await readOwnTemplates(chartDir);
    for (const tag of tags) {
        const found = findValueUsage(templates, tag.path);
        if (found)
            usages.set(tag.key, { file: displayJoin(displayChartDir, found.template), line: found.line });
    }
    return usages;
}
const NEVER_LATEST_TITLE = 'Never :latest';
/** The fence language of a template line: a Go template, not YAML. */
const GO_TEMPLATE = 'gotmpl';
function neverLatestSkipped(summary) {
    return {
        id: 'never-latest',
        title: NEVER_LATEST_TITLE,
        status: 'skipped',
        durationMs: 0,
        summary,
        findings: [],
        data: { images: [] }
    };
}
function neverLatestStep(input) {
    const { tags, values } = input;
    if (tags.length === 0)
        return neverLatestSkipped("no image values of the blueprint's own");
    const severity = input.severity ?? 'error';
    const findings = [];
    const images = tags.map((tag, i) => {
        const line = values.lineOf(tag.path);
        const inValues = { file: values.displayPath };
        if (line !== undefined)
            inValues.line = line;
        const usage = input.usages?.get(tag.key);
        // The fix goes where the template uses the value; values.yaml when no template line was found.
        const inTemplate = usage ? { file: usage.file, line: usage.line } : inValues;
        const defaultWhere = `${values.displayPath}${line !== undefined ? `:${line}` : ''}`;
        const defaultKind = classifyTagDefault(tag.default, tag.kind);
        const judged = defaultKind !== 'value';
        const result = input.renders[i];
        const rendered = result.exitCode === 0;
        const error = rendered ? undefined : helmErrorLine(result.stderr, result.stdout);
        const namesValue = error !== undefined && errorNamesTag(error, tag.path);
        const data = {
            path: tag.key,
            kind: tag.kind,
            default: tag.default,
            defaultKind,
            judged,
            case4: { rendered, namesValue }
        };
        if (line !== undefined)
            data.line = line;
        if (usage)
            data.usage = usage;
        if (error !== undefined)
            data.case4.error = error;
        const required = `{{ required "${tag.key} is required" .Values.${tag.key} }}`;
        if (!judged) {
            // A default that is neither empty nor latest: the image policy judges what renders.
            if (rendered) {
                findings.push({
                    rule: 'image-empty-renders',
                    severity: 'notice',
                    message: `${tag.key} defaults to ${String(tag.default)} (judged by the image policy); an empty override would render.`,
                    fix: `To make an empty value fail: ${required}`,
                    ...inTemplate
                });
            }
            return data;
        }
        if (defaultKind === 'latest') {
            findings.push({
                rule: 'image-tag-default',
                severity,
                message: `${tag.key} defaults to ${tag.kind === 'imageName' ? `${String(tag.default)} (latest, no digest)` : 'latest'}: never ship :latest.`,
                fix: tag.kind === 'imageName'
                    ? `Pin ${tag.key} by digest (repo:tag@sha256:…) or leave it empty and make the template \`required\`.`
                    : `Remove the default (${tag.key}: "") and make the template \`required\`; CI sets a commit SHA.`,
                ...inValues
            });
        }
        if (rendered) {
            // Said once: the message the problem, the fix the action (the finding's file and line say where), the snippet the code.
            findings.push({
                rule: 'image-tag-required',
                severity,
                message: `An empty ${tag.key} renders: it has no default (${defaultWhere}), CI sets it, and an install without it would run :latest.`,
                fix: usage
                    ? 'wrap the value in `required` on this template line'
                    : `wrap \`.Values.${tag.key}\` in \`required\` where the templates read it`,
                snippet: { language: GO_TEMPLATE, text: required },
                ...inTemplate
            });
        }
        else if (!namesValue) {
            const finding = {
                rule: 'image-tag-required',
                severity,
                message: `Rendering with an empty ${tag.key} fails, but the error does not name ${tag.key}: ${error}`,
                fix: "make the template's `required` message name the value (this render uses the chart's own values.yaml only, not the values/set inputs)",
                snippet: { language: GO_TEMPLATE, text: required }
            };
            const where = error ? templateLocation(error, input.chartName) : undefined;
            const file = where ? repoFileForSource(where.source, input.chartName, input.displayChartDir) : undefined;
            if (file && where) {
                finding.file = file;
                finding.line = where.line;
            }
            else {
                Object.assign(finding, inTemplate);
            }
            findings.push(finding);
        }
        return data;
    });
    const judged = images.filter((img) => img.judged);
    const failing = judged.filter((img) => img.case4.rendered || !img.case4.namesValue).length;
    const others = images.length - judged.length;
    const n = judged.length;
    const plural = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;
    let summary = n === 0
        ? 'no own image value without a default'
        : failing === 0
            ? `${plural(n, 'own image value')} without a default: empty fails the render`
            : `${failing} of ${plural(n, 'own image value')} without a default: empty does not fail the render with its name`;
    if (others > 0)
        summary += `; ${others} with a default (judged by the image policy)`;
    return {
        id: 'never-latest',
        title: NEVER_LATEST_TITLE,
        status: statusOf(findings),
        durationMs: input.durationMs,
        summary,
        findings,
        data: { images }
    };
}
/**
 * The gate: one render per own image value, with the chart's own values only
 * (not the run's values/set: they may set the tag). Not folded into lint: see
 * gates/README.md.
 */
const neverLatestGate = {
    id: 'never-latest',
    async plan(pc) {
        const { ctx } = pc;
        const severity = ctx.neverLatest ?? 'error';
        if (severity === 'off')
            return { jobs: [], finish: () => ({ step: neverLatestSkipped('never-latest is off') }) };
        const tags = findOwnImageTags(ctx.values.data, ctx.dependencyKeys);
        const usages = await findValueUsages(ctx.chartDir, ctx.displayChartDir, tags);
        const renders = tags.map((tag, i) => renderJob(ctx.helm, `case4:${i}`, pc.templateArgs(case4Args(tag, tags), false), 'none'));
        return {
            jobs: renders.map((r) => r.job),
            finish() {
                const outcomes = renders.map((r) => r.get());
                const step = neverLatestStep({
                    tags,
                    renders: outcomes.map((r) => r.result),
                    values: ctx.values,
                    chartName: ctx.chartName,
                    displayChartDir: ctx.displayChartDir,
                    durationMs: wall(outcomes.map((r) => r.span)),
                    usages,
                    severity
                });
                return { step };
            }
        };
    }
};

// Gate `images` (docs/rules.md rule 5): every image of the default render satisfies the
// image policy, unless an allowlist pattern covers it (its reason is kept). Judged: the
// fields known to hold a container image (images/images.ts scanImages: pod specs, Argo
// templates, the documented custom-resource fields, input image-fields); other `image`
// fields are listed as not judged. An own image value the never-latest gate owns (its
// default is empty or latest: CI sets it) is that gate's finding, not this one's.
//
// Where a finding points (image-location.ts): the values.yaml line that sets the image when one is
// found (a string equal to the image, or an `image` map whose `repository`
// (with `registry`, if any) names the same repository — then its `tag` line);
// else the blueprint's own template (`<chart>/templates/x.yaml`); templates of
// subcharts have no file in the repository, their source stays in the message.
const MAX_NOT_JUDGED = 50;
function imagesStep(input) {
    const { policy, values } = input;
    const scan = scanImages(input.documents, input.imageFields);
    const uses = scan.uses;
    // `*` alone would cover one path segment of docker.io/library (Docker Hub's official images) and nothing else:
    // it is read as what its writer means, every image (`**`), with a warning to write that.
    const lonelyStar = input.allowlist.some((entry) => entry.pattern === '*');
    const allowlist = input.allowlist.map((entry) => (entry.pattern === '*' ? { ...entry, pattern: '**' } : entry));
    const verdicts = checkImages(uses, policy, allowlist.map((entry) => entry.pattern));
    const reasonOf = (pattern) => allowlist.find((e) => e.pattern === pattern)?.reason;
    // What helm renders with: the blueprint's values over the dependencies' defaults (built once, when asked).
    let tree;
    const effective = () => (tree ??= effectiveValues(values.data, input.dependencyValues));
    const lookups = new Map();
    const lookup = (image, prefer) => {
        const key = `${prefer ?? ''}\n${image}`;
        if (!lookups.has(key))
            lookups.set(key, findImageValue(values, image, effective(), prefer));
        return lookups.get(key);
    };
    const images = verdicts.map((v) => {
        const d = {
            image: v.use.image,
            kind: v.use.kind,
            name: v.use.name,
            field: v.use.field,
            ok: v.ok,
            reason: v.reason
        };
        if (v.use.container !== undefined)
            d.container = v.use.container;
        if (v.use.source !== undefined)
            d.source = v.use.source;
        if (v.allowedBy !== undefined) {
            d.allowedBy = v.allowedBy;
            const reason = reasonOf(v.allowedBy);
            if (reason !== undefined)
                d.allowReason = reason;
        }
        if (!v.ok) {
            const match = lookup(v.use.image);
            if (match) {
                d.valuesPath = setPath(match.path);
                if (match.line !== undefined)
                    d.valuesLine = match.line;
            }
        }
        return d;
    });
    // Where each failing image is set: a values key of the blueprint, else of its
    // dependency (overridable under the dependency's key), else the own template.
    const problems = [];
    const owned = new Set((input.ownedByNeverLatest ?? []).map((p) => setPath(p)));
    const leftToNeverLatest = [];
    for (const list of groupFailing(verdicts)) {
        const problem = locateProblem(list, input, lookup, effective());
        const first = list[0];
        for (const d of images) {
            if (d.image !== first.use.image || !problem.valuesKey)
                continue;
            d.valuesPath = setPath(problem.valuesKey.path);
            if (problem.valuesKey.line !== undefined)
                d.valuesLine = problem.valuesKey.line;
            else
                delete d.valuesLine;
        }
        // One problem, one finding: an own image value without a default is never-latest's (a `required`, CI sets it).
        if (problem.valuesKey && !problem.dependency && owned.has(setPath(problem.valuesKey.path))) {
            leftToNeverLatest.push(first.use.image);
            continue;
        }
        problems.push(problem);
    }
    const chartFile = input.chartYaml?.displayPath ?? displayJoin(input.displayChartDir, 'Chart.yaml');
    const findings = problemFindings(problems, {
        policy,
        valuesFile: values.displayPath,
        valuesLineOf: (at) => values.lineOf(at),
        chartFile,
        dependencyLine: (key) => dependencyLine(input.chartYaml, key)
    });
    // An image whose path repeats its registry host cannot be pulled, pinned or not: a warning at the key to fix.
    const doubled = new Map();
    for (const v of verdicts)
        if (v.ref && repeatsRegistry(v.ref) && !doubled.has(v.use.image))
            doubled.set(v.use.image, v);
    findings.push(...doubledRegistryFindings([...doubled.values()].map((v) => ({
        image: v.use.image,
        ref: v.ref,
        key: findDoubledRegistry(values, v.ref, effective())
    })), values.displayPath));
    if (lonelyStar && policy !== 'off') {
        findings.push({
            rule: 'image-allowlist-everything',
            severity: 'warning',
            message: 'input image-allowlist: `*` alone is read as `**`, every image: the image policy judges nothing. (`*` matches one path segment: `temporalio/*` covers docker.io/temporalio/server, not ghcr.io/x/y.)',
            fix: 'write `**` for every image (or set image-policy: off), or patterns for the images you mean, e.g. `docker.io/temporalio/*`'
        });
    }
    // Allow-listed images: one notice for all of them (the images table lists each).
    const allowedSeen = new Map();
    for (const v of verdicts) {
        if (!v.allowedBy || allowedSeen.has(v.use.image))
            continue;
        const reason = reasonOf(v.allowedBy);
        allowedSeen.set(v.use.image, `\`${v.use.image}\` (pattern \`${v.allowedBy}\`${reason ? `: ${reason}` : ''})`);
    }
    if (allowedSeen.size > 0) {
        const shown = [...allowedSeen.values()].slice(0, 10).join(', ');
        const more = allowedSeen.size > 10 ? `, and ${allowedSeen.size - 10} more` : '';
        const n = allowedSeen.size;
        findings.push({
            rule: 'image-allowlisted',
            severity: 'notice',
            message: `${n} image${n === 1 ? ' is' : 's are'} allowed by the image allowlist: ${shown}${more}.`
        });
    }
    const distinct = new Map();
    for (const v of verdicts)
        if (!distinct.has(v.use.image) || !v.ok)
            distinct.set(v.use.image, v);
    const total = distinct.size;
    const failing = [...distinct.values()].filter((v) => !v.ok).length;
    const allowed = [...distinct.values()].filter((v) => v.ok && v.allowedBy !== undefined).length;
    const pinned = total - failing - allowed;
    const notJudged = scan.notJudged.slice(0, MAX_NOT_JUDGED).map((u) => {
        const field = { value: u.image, kind: u.kind, name: u.name, field: u.field };
        if (u.source !== undefined)
            field.source = u.source;
        return field;
    });
    const data = { policy, total, pinned, allowed, failing, images, notJudged };
    if (leftToNeverLatest.length > 0)
        data.leftToNeverLatest = leftToNeverLatest;
    const noun = `image${total === 1 ? '' : 's'}`;
    // Failing images never-latest reports count as failing in the data, not in this step's verdict.
    const judgedHere = failing - new Set(leftToNeverLatest).size;
    let summary;
    if (policy === 'off')
        summary = `${total} ${noun}; image policy off`;
    else if (judgedHere > 0)
        summary = `${judgedHere} of ${total} ${noun} not pinned (policy ${policy})`;
    else
        summary = `${total} ${noun}, ${pinned} pinned${allowed > 0 ? `, ${allowed} allow-listed` : ''}`;
    if (policy !== 'off' && leftToNeverLatest.length > 0) {
        const n = leftToNeverLatest.length;
        summary += `; ${n} own image${n === 1 ? '' : 's'} without a default left to never-latest`;
    }
    if (scan.notJudged.length > 0) {
        const n = scan.notJudged.length;
        summary += `; ${n} other image field${n === 1 ? '' : 's'} not judged`;
    }
    const warned = findings.some((f) => f.severity === 'warning');
    const status = policy === 'off'
        ? 'skipped'
        : judgedHere > 0 || findings.some((f) => f.severity === 'error')
            ? 'failed'
            : warned
                ? 'warning'
                : 'passed';
    const step = {
        id: 'images',
        title: 'Images pinned',
        status,
        durationMs: input.durationMs,
        summary,
        findings,
        data
    };
    if (scan.notJudged.length > 0)
        step.details = notJudgedDetails(scan.notJudged);
    return { step, verdicts };
}
/** The step's details: the fields not judged, each once, and how to judge one. */
function notJudgedDetails(fields) {
    const seen = new Set();
    const lines = [];
    for (const f of fields) {
        const line = `${f.kind}/${f.name} ${f.field}: ${f.image}`;
        if (seen.has(line))
            continue;
        seen.add(line);
        lines.push(line);
    }
    const shown = lines.slice(0, 20);
    if (lines.length > shown.length)
        shown.push(`… and ${lines.length - shown.length} more`);
    return [
        'Not judged (a field named like an image, of no field known to hold a container image):',
        ...shown,
        'A container image among them: add its field to input image-fields (apiVersion/Kind:path).'
    ].join('\n');
}
/** The own image values never-latest judges (default empty or latest), unless that rule is off. */
function ownedByNeverLatest(values, dependencyKeys, neverLatest) {
    if (neverLatest === 'off')
        return [];
    return findOwnImageTags(values, dependencyKeys)
        .filter((tag) => classifyTagDefault(tag.default, tag.kind) !== 'value')
        .map((tag) => tag.path);
}
/** The gate: the policy on the images of the shared default render; no process of its own. */
const imagesGate = {
    id: 'images',
    async plan(pc) {
        const { ctx } = pc;
        const dependencyValues = await loadDependencyValues(ctx.chartDir);
        const judge = (render) => {
            // Its own time: judging the default render's images, not the render (the Smoke render step's time).
            const start = performance.now();
            const judged = imagesStep({
                documents: render.documents,
                policy: ctx.imagePolicy,
                allowlist: ctx.imageAllowlist,
                values: ctx.values,
                chartName: ctx.chartName,
                displayChartDir: ctx.displayChartDir,
                chartDir: ctx.chartDir,
                dependencyValues,
                chartYaml: ctx.chartYaml,
                durationMs: 0,
                imageFields: ctx.imageFields,
                ownedByNeverLatest: ownedByNeverLatest(ctx.values.data, ctx.dependencyKeys, ctx.neverLatest)
            });
            judged.step.durationMs = Math.round(performance.now() - start);
            return judged;
        };
        // Judged as soon as the default render is in, inside its job (beside the pool's other processes), not after the
        // pool on the run's way to the publish. A throw here is finish()'s to raise, as before.
        let judged;
        pc.defaultRender.after((render) => {
            if (render.result.exitCode !== 0)
                return;
            try {
                judged = judge(render);
            }
            catch {
                judged = undefined;
            }
        });
        return {
            jobs: [],
            finish() {
                const render = pc.defaultRender.get();
                if (render.result.exitCode !== 0)
                    return { step: skippedStep('images', 'Images pinned', 'skipped: the default render failed') };
                const { step, verdicts } = judged ?? judge(render);
                return { step, images: verdicts };
            }
        };
    }
};

// What `helm lint` is given for a pure wrapper: a chart with no `templates/`
// folder whose dependencies (under charts/ of the work copy) carry the payload.
//
// Helm 4 warns `[WARNING] templates/: directory does not exist` for such a chart,
// which fails `--strict`, and then lints no template at all: not its
// dependencies' either (the template rule returns before rendering). Helm 3 says
// nothing and renders the whole chart, dependencies included. Half of the real
// blueprints are pure wrappers, so the warning would fail them all under Helm 4
// while saying nothing about the chart. Linting the chart with an empty
// `templates/` folder makes both helms do what Helm 3 does: no warning, every
// dependency's template linted. The folder is added to a view of the work copy,
// never to the work copy itself (the package, the renders and the chart tests
// see the chart as it is). A chart with neither templates/ nor dependencies keeps
// Helm 4's warning: it has nothing to render.
async function exists(file) {
    return require$$1.lstat(file).then(() => true, () => false);
}
/** True when charts/ holds a dependency (an archive or an unpacked chart folder). */
async function hasBuiltDependency(chartDir) {
    const entries = await require$$1.readdir(require$$2.join(chartDir, 'charts'), { withFileTypes: true }).catch(() => []);
    return entries.some((e) => (e.isFile() && e.name.endsWith('.tgz')) || e.isDirectory());
}
/**
 * A read-only view of `from` at `to`: folders made, files hard-linked (copied
 * where the file system cannot link), links recreated verbatim (the work copy's
 * links are relative and stay inside it). Hard links are sound here: helm lint
 * only reads, and nothing else works in the view.
 */
async function linkTree(from, to) {
    await require$$1.mkdir(to, { recursive: true });
    const entries = await require$$1.readdir(from, { withFileTypes: true });
    await Promise.all(entries.map(async (entry) => {
        const source = require$$2.join(from, entry.name);
        const target = require$$2.join(to, entry.name);
        if (entry.isDirectory())
            await linkTree(source, target);
        else if (entry.isSymbolicLink())
            await require$$1.symlink(await require$$1.readlink(source), target);
        else if (entry.isFile())
            await require$$1.link(source, target).catch(() => require$$1.copyFile(source, target));
    }));
}
/** The folder to lint: `chartDir` itself, or for a pure wrapper a view of it at `viewDir` with an empty templates/. */
async function lintTarget(chartDir, viewDir) {
    // A templates/ that is there in any form (a file too: helm says so) is linted as it is.
    if ((await exists(require$$2.join(chartDir, 'templates'))) || !(await hasBuiltDependency(chartDir)))
        return { dir: chartDir, pureWrapper: false };
    await require$$1.rm(viewDir, { recursive: true, force: true });
    await linkTree(chartDir, viewDir);
    await require$$1.mkdir(require$$2.join(viewDir, 'templates'));
    return { dir: viewDir, pureWrapper: true };
}

// Gate `lint`: `helm lint --strict` with the run's values, then once more per
// values file matching `lint-values` (default ci/*-values.yaml). The output of
// Helm 3 and Helm 4 is parsed into findings with the file and line helm names.
//
// Output shapes seen (both helms unless noted):
//   [ERROR] templates/: parse error at (bp-x/templates/cm.yaml:7): function "foo" not defined
//   [ERROR] templates/: template: bp-x/templates/cm.yaml:6:15: executing "…" at <…>: nil pointer …   (helm 3)
//   [ERROR] templates/: bp-x/templates/cm.yaml:6:15                                                  (helm 4,
//     executing "bp-x/templates/cm.yaml" at <…>:                                                      continued on
//       nil pointer evaluating interface {}.x                                                         indented lines)
//   [WARNING] templates/cm.yaml: object name does not conform to Kubernetes naming requirements: …
//   [ERROR] templates/cm.yaml: unable to parse YAML: error converting YAML to JSON: yaml: line 7: …   (line of the render, not the template)
//   [ERROR] Chart.yaml: version 'x' is not a valid SemVer
//   [ERROR] values.yaml: unable to parse YAML: … yaml: line 1: …
//   [WARNING] /abs/chart: chart directory is missing these dependencies: temporal
//   [ERROR] : unable to load chart
//   [INFO] Chart.yaml: icon is recommended
// INFO lines become notices. WARNINGs fail the run under --strict, so a WARNING of
// a failed run is an error finding. One warning is never asked for: Helm 4's
// `templates/: directory does not exist` for a pure wrapper, which is linted with an
// empty templates/ folder instead (lint-view.ts says why).
const LEVEL_RE = /^\[(ERROR|WARNING|INFO)\]\s?(.*)$/;
const LOCATION_RE = /^([^\s:]*):(?:\s(.*)|$)/;
/** Pure parser of `helm lint` output (stdout and stderr together) into messages. */
function parseLintOutput(output, options) {
    const messages = [];
    let current;
    const flush = () => {
        if (current)
            messages.push(toMessage(current.level, current.location, current.lines.join('\n'), options));
        current = undefined;
    };
    for (const raw of output.split(/\r?\n/)) {
        const line = raw.replace(/\s+$/, '');
        const level = LEVEL_RE.exec(line);
        if (level) {
            flush();
            const rest = level[2] ?? '';
            const located = LOCATION_RE.exec(rest);
            current = located
                ? { level: level[1], location: located[1], lines: [located[2] ?? ''] }
                : { level: level[1], location: '', lines: [rest] };
            continue;
        }
        if (!current)
            continue;
        if (line.trim() === '' || line.startsWith('==> ') || /^(Error: )?\d+ chart\(s\) linted/.test(line)) {
            flush();
            continue;
        }
        current.lines.push(line.trim());
    }
    flush();
    return messages;
}
function toMessage(level, location, message, options) {
    const out = { level, location, message: message.trim() };
    const template = templateLocation(message, options.chartName);
    if (template) {
        out.template = template.source;
        const file = repoFileForSource(template.source, options.chartName, options.displayChartDir);
        if (file) {
            out.file = file;
            out.line = template.line;
        }
        return out;
    }
    const file = locationFile(location, options);
    if (file) {
        out.file = file;
        // Only Chart.yaml / values.yaml: a YAML line of a template is a line of the render.
        const yamlLine = /\byaml: line (\d+)/.exec(message);
        if (yamlLine && /(^|\/)(Chart|values)\.yaml$/.test(file))
            out.line = Number(yamlLine[1]);
    }
    return out;
}
function locationFile(location, options) {
    if (location === '')
        return undefined;
    const chartDir = options.chartDir.replace(/\/+$/, '');
    // The chart folder itself (e.g. missing dependencies): point at Chart.yaml.
    if (location.replace(/\/+$/, '') === chartDir || location === '.')
        return displayJoin(options.displayChartDir, 'Chart.yaml');
    let relative = location;
    if (location.startsWith(`${chartDir}/`))
        relative = location.slice(chartDir.length + 1);
    else if (require$$2.isAbsolute(location))
        return undefined;
    if (relative.endsWith('/') || relative.includes('..') || relative.startsWith('charts/'))
        return undefined;
    return displayJoin(options.displayChartDir, relative);
}
// ------------------------------------------------------------------ values files
/**
 * Files under `root` matching a glob relative to it (`*`, `?` within a segment,
 * `**` any number of folders). Sorted, posix, relative to root. A pattern that
 * leaves the folder (`..`, absolute) matches nothing.
 */
async function globFiles(root, pattern) {
    const segments = pattern
        .trim()
        .replace(/^\.\//, '')
        .split('/')
        .filter((s) => s !== '' && s !== '.');
    if (segments.length === 0 || require$$2.isAbsolute(pattern.trim()) || segments.includes('..'))
        return [];
    const found = new Set();
    const walk = async (dir, rel, index) => {
        const segment = segments[index];
        const last = index === segments.length - 1;
        let entries;
        try {
            entries = await require$$1.readdir(dir, { withFileTypes: true });
        }
        catch {
            return;
        }
        if (segment === '**') {
            if (!last)
                await walk(dir, rel, index + 1);
            for (const entry of entries) {
                if (!entry.isDirectory()) {
                    if (last)
                        found.add(rel + entry.name);
                    continue;
                }
                await walk(require$$2.join(dir, entry.name), `${rel}${entry.name}/`, index);
            }
            return;
        }
        const matches = segmentMatcher(segment);
        for (const entry of entries) {
            if (!matches(entry.name))
                continue;
            if (last) {
                if (entry.isFile())
                    found.add(rel + entry.name);
            }
            else if (entry.isDirectory()) {
                await walk(require$$2.join(dir, entry.name), `${rel}${entry.name}/`, index + 1);
            }
        }
    };
    await walk(root, '', 0);
    return [...found].sort();
}
const DEFAULT_LINT_VALUES_GLOB = 'ci/*-values.yaml';
async function planLint(chartDir, valueArgs, lintValuesGlob, kubeVersion = []) {
    const base = ['lint', '--strict', chartDir, ...kubeVersion, ...valueArgs];
    const files = await globFiles(chartDir, lintValuesGlob?.trim() || DEFAULT_LINT_VALUES_GLOB);
    return [
        { label: 'default', args: base },
        ...files.map((file) => ({ label: file, args: [...base, '--values', require$$2.join(chartDir, file)] }))
    ];
}
function lintStep(runs, options, durationMs, pureWrapper = false) {
    const data = { runs: [] };
    if (pureWrapper)
        data.pureWrapper = true;
    const byKey = new Map();
    const details = [];
    let failedRuns = 0;
    for (const { plan, result } of runs) {
        const output = `${result.stdout}\n${result.stderr}`;
        // [LEVEL] lines are on stdout; stderr has helm's own error and log lines.
        const messages = [...parseLintOutput(result.stdout, options), ...parseLintOutput(result.stderr, options)];
        data.runs.push({
            label: plan.label,
            args: plan.args,
            exitCode: result.exitCode,
            durationMs: result.durationMs,
            messages
        });
        const failed = result.exitCode !== 0;
        if (failed) {
            failedRuns++;
            details.push(`$ helm ${plan.args.join(' ')}\n${output.trim()}`);
        }
        for (const m of messages) {
            const severity = m.level === 'ERROR' || (m.level === 'WARNING' && failed)
                ? 'error'
                : m.level === 'WARNING'
                    ? 'warning'
                    : 'notice';
            const key = `${severity}\u0000${m.file ?? ''}\u0000${m.line ?? ''}\u0000${m.message}`;
            const existing = byKey.get(key);
            if (existing) {
                if (!existing.labels.includes(plan.label))
                    existing.labels.push(plan.label);
                continue;
            }
            const finding = {
                rule: 'lint',
                severity,
                message: `helm lint [${m.level}] ${m.location ? `${m.location}: ` : ''}${m.message}`
            };
            if (m.level === 'WARNING' && failed)
                finding.fix = 'helm lint --strict fails on warnings: fix the warning';
            if (m.file)
                finding.file = m.file;
            if (m.line !== undefined)
                finding.line = m.line;
            byKey.set(key, { finding, labels: [plan.label] });
        }
        // A failed run that printed no [ERROR]/[WARNING] (e.g. a values file helm cannot open).
        if (failed && !messages.some((m) => m.level !== 'INFO')) {
            const finding = {
                rule: 'lint',
                severity: 'error',
                message: `helm lint failed: ${lastLines(result.stderr || result.stdout, 3)}`
            };
            byKey.set(`run\u0000${plan.label}`, { finding, labels: [plan.label] });
        }
    }
    const findings = [...byKey.values()].map(({ finding, labels }) => {
        if (!(labels.length === 1 && labels[0] === 'default') && labels.length < runs.length) {
            finding.message += ` (with ${labels.map((l) => (l === 'default' ? 'the default values' : l)).join(', ')})`;
        }
        return finding;
    });
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    const runsText = `${runs.length} lint run${runs.length === 1 ? '' : 's'}`;
    const status = failedRuns > 0 ? 'failed' : warnings > 0 ? 'warning' : 'passed';
    const summary = (failedRuns > 0
        ? `${failedRuns} of ${runsText} failed: ${errors} error${errors === 1 ? '' : 's'}`
        : `${runsText} passed${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`) +
        (pureWrapper ? ' (no templates/: linted with an empty one, the dependencies carry the payload)' : '');
    const step = { id: 'lint', title: 'Helm lint', status, durationMs, summary, findings, data };
    if (details.length > 0)
        step.details = details.join('\n\n');
    return step;
}
/**
 * The gate: one `helm lint --strict` per planned run (the default values, then each lint values file), of the
 * work copy, or for a pure wrapper of a view of it with an empty templates/ (lint-view.ts).
 */
const lintGate = {
    id: 'lint',
    async plan(pc) {
        const { ctx } = pc;
        const target = await lintTarget(ctx.chartDir, require$$2.join(ctx.scriptRoot, 'lint-view', require$$2.basename(ctx.chartDir)));
        const plans = await planLint(target.dir, ctx.valueArgs, ctx.lintValuesGlob, kubeVersionArgs(ctx));
        const runs = plans.map((plan) => ({ plan, job: helmJob(ctx.helm, `lint:${plan.label}`, plan.args) }));
        // A lint renders the chart and then checks it: ~1.3 renders' time in bench/results.md, so it starts before the
        // single renders queued with it (contract.ts Job.weight).
        for (const run of runs)
            run.job.job.weight = 1.5;
        return {
            jobs: runs.map((r) => r.job.job),
            finish() {
                const done = runs.map((r) => ({ plan: r.plan, ...r.job.get() }));
                const options = { chartName: ctx.chartName, chartDir: target.dir, displayChartDir: ctx.displayChartDir };
                return { step: lintStep(done, options, wall(done.map((r) => r.span)), target.pureWrapper) };
            }
        };
    }
};

// Several renders of the work chart (each with a few `--set` of its own) as ONE
// `helm template`: one helm process instead of one per case (issue 15; each helm
// start costs ~100+ ms of CPU). A generated umbrella chart holds one wrapper
// chart per case (`case-<n>`), each holding the work chart (a link to it) under
// its own name, so `.Chart.Name` inside stays what it is in a render of its own
// (an alias would change it, and the names of what it renders with it). The
// values of case n go under `case-<n>.<chart>.`; the output is cut at each
// `# Source: <umbrella>/charts/case-<n>/charts/<chart>/…` back into one text per
// case, with those paths written as a render of its own writes them.
//
// What differs when the work chart is a subchart, and how it is kept out:
//  - `.Values.global` is `{}` where the root has none: merged only when values.yaml
//    has a `global` map or the chart's own templates never read `global`;
//  - a null in the chart's values.yaml is dropped (Helm 3) or kept (Helm 4):
//    merged only without nulls there or in the run's `--set`;
//  - `.Chart.IsRoot` is false: merged only when the own templates never read it;
//  - `tags` are read from the top-level values only, `import-values` go to the
//    parent: merged only when Chart.yaml's dependencies use neither;
//  - `--values` files would have to be nested under each case: not merged;
//    `--set`/`--set-string`/`--set-file` are prefixed (one assignment each).
// A failing merged render (a `required` or any error in one case fails them all)
// or an output that does not cut cleanly adds the separate renders to the pool,
// and those decide: the cases' errors are then helm's own words.
// The umbrella has one template of its own: a comment with `.Capabilities.HelmVersion.Version`, what `helm version`
// prints, so a run whose helm did not record its version learns it without a process of its own (helm/helm.ts).
const UMBRELLA$1 = 'gates-cases';
const caseName = (i) => `case-${i}`;
/** The umbrella's own template, and the comment line it renders. */
const VERSION_TEMPLATE = 'helm-version.yaml';
const VERSION_LINE = /^# helm version: (v\d+\.\S+)$/m;
const PREFIXABLE = new Set(['--set', '--set-string', '--set-file']);
/** `a=b` with one assignment (no unescaped comma), or undefined. */
function singleAssignment(text) {
    let escaped = false;
    let eq = -1;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (escaped)
            escaped = false;
        else if (c === '\\')
            escaped = true;
        else if (c === ',')
            return undefined;
        else if (c === '=' && eq === -1)
            eq = i;
    }
    return eq > 0 ? { key: text.slice(0, eq), value: text.slice(eq + 1) } : undefined;
}
/** The run's value arguments under `prefix.`, or undefined when one cannot be (then no merge). */
function prefixValueArgs(valueArgs, prefix) {
    const out = [];
    for (let i = 0; i < valueArgs.length; i += 2) {
        const flag = valueArgs[i];
        const assignment = valueArgs[i + 1] === undefined ? undefined : singleAssignment(valueArgs[i + 1]);
        if (!PREFIXABLE.has(flag) || !assignment)
            return undefined;
        if (/^global(\.|\[|$)/.test(assignment.key))
            return undefined;
        if (flag === '--set' && assignment.value === 'null')
            return undefined;
        out.push(flag, `${prefix}.${assignment.key}=${assignment.value}`);
    }
    return out;
}
async function ownTemplateTexts(chartDir) {
    const out = [];
    const walk = async (dir) => {
        const entries = await require$$1.readdir(dir, { withFileTypes: true }).catch(() => []);
        for (const entry of entries) {
            const full = require$$2.join(dir, entry.name);
            if (entry.isDirectory())
                await walk(full);
            else if (entry.isFile())
                out.push(await require$$1.readFile(full, 'utf8'));
        }
    };
    await walk(require$$2.join(chartDir, 'templates'));
    return out;
}
function hasNull(values) {
    let found = false;
    walkValues(values, (_key, value) => {
        if (value === null)
            found = true;
    });
    return found;
}
/** Why the cases cannot be merged into one render (undefined: they can). */
async function mergeBlocker(ctx, cases) {
    if (cases.length < 2)
        return 'fewer than two cases';
    if (!prefixValueArgs(ctx.valueArgs, 'x'))
        return 'the run passes values files or multi-value --set';
    if (cases.some((c) => !prefixValueArgs(c.set.flatMap((s) => ['--set', s]), 'x')))
        return 'a case sets global or null';
    return subchartBlocker(ctx.chartDir, ctx.values.data);
}
/**
 * Why a chart could render otherwise as a subchart of a generated umbrella than as a chart of its own, with the
 * values it ships (undefined: it renders the same; see the header). Shared with the spec.depends blueprints' one
 * render (gates/schema-depends-jobs.ts).
 */
async function subchartBlocker(chartDir, values) {
    if (hasNull(values))
        return 'values.yaml has a null';
    if ('tags' in values)
        return 'values.yaml has tags';
    const chart = await loadYamlFile(require$$2.join(chartDir, 'Chart.yaml'), 'Chart.yaml');
    const dependencies = Array.isArray(chart.data.dependencies) ? chart.data.dependencies : [];
    if (dependencies.some((d) => isRecord(d) && ('tags' in d || 'import-values' in d)))
        return 'a dependency uses tags or import-values';
    const templates = await ownTemplateTexts(chartDir);
    if (templates.some((t) => t.includes('IsRoot')))
        return 'a template reads .Chart.IsRoot';
    if (!isRecord(values.global) && templates.some((t) => /Values\.global\b|"global"/.test(t)))
        return 'a template reads .Values.global and values.yaml has none';
    return undefined;
}
/**
 * A generated chart at `dir` whose Chart.yaml names `subcharts` (no version, no repository: helm reads them from
 * charts/), each `charts/<name>` a link to `linkTo`, or left for the caller to fill. Shared with the spec.depends
 * blueprints' umbrella (gates/schema-depends-jobs.ts).
 */
async function writeUmbrellaChart(dir, name, subcharts) {
    await require$$1.mkdir(require$$2.join(dir, 'charts'), { recursive: true });
    const dependencies = subcharts.map((sub) => `  - name: ${JSON.stringify(sub.name)}\n`).join('');
    await require$$1.writeFile(require$$2.join(dir, 'Chart.yaml'), `apiVersion: v2\nname: ${name}\nversion: 0.0.0\ndependencies:\n${dependencies}`);
    await Promise.all(subcharts.flatMap((sub) => (sub.linkTo ? [require$$1.symlink(sub.linkTo, require$$2.join(dir, 'charts', sub.name), 'dir')] : [])));
}
/** Writes the umbrella: `<dir>/charts/case-<n>/charts/<chart>` → the work chart, and the version comment. */
async function writeUmbrella(dir, chartDir, chartName, count) {
    await require$$1.rm(dir, { recursive: true, force: true });
    const names = Array.from({ length: count }, (_, i) => caseName(i));
    await writeUmbrellaChart(dir, UMBRELLA$1, names.map((name) => ({ name })));
    await require$$1.mkdir(require$$2.join(dir, 'templates'));
    await require$$1.writeFile(require$$2.join(dir, 'templates', VERSION_TEMPLATE), '# helm version: {{ .Capabilities.HelmVersion.Version }}\n');
    await Promise.all(names.map((name) => writeUmbrellaChart(require$$2.join(dir, 'charts', name), name, [{ name: chartName, linkTo: chartDir }])));
}
/**
 * Pure: the merged output cut into one text per case, written as the case's own
 * render writes it (`<umbrella>/charts/case-<n>/charts/` dropped wherever it
 * appears), and helm's version from the umbrella's own template. Undefined when a
 * document belongs to no case.
 */
function splitCases(output, chartName, count) {
    const texts = Array.from({ length: count }, () => []);
    const prefix = `${UMBRELLA$1}/charts/`;
    let helmVersion;
    for (const chunk of splitRenderBySource(output)) {
        if (chunk.source === undefined) {
            if (chunk.text.trim() === '')
                continue;
            return undefined;
        }
        if (chunk.source === `${UMBRELLA$1}/templates/${VERSION_TEMPLATE}`) {
            helmVersion = VERSION_LINE.exec(chunk.text)?.[1];
            continue;
        }
        const match = /^case-(\d+)\/charts\/(.+)$/.exec(chunk.source.startsWith(prefix) ? chunk.source.slice(prefix.length) : '');
        const index = match ? Number(match[1]) : -1;
        if (!match || index >= count || !match[2].startsWith(`${chartName}/`))
            return undefined;
        texts[index].push(chunk.text.split(`${prefix}${caseName(index)}/charts/`).join(''));
    }
    return { texts: texts.map((parts) => parts.join('')), helmVersion };
}
/**
 * Plans the cases' renders: one merged job when they can be merged (falling
 * back to separate renders added to the pool when it fails), else one job per case.
 * Documents are parsed as `mentioning` asks.
 */
async function planCaseRenders(pc, cases, commonArgs, mentioning, 
/** Called inside the job that produced case i's outcome (merged or its own render), once it is in. */
onOutcome) {
    const { ctx } = pc;
    const separate = () => cases.map((c, i) => {
        const job = renderJob(ctx.helm, c.id, pc.templateArgs([...c.set.flatMap((s) => ['--set', s]), ...commonArgs]), {
            mentioning
        });
        if (onOutcome)
            job.after((outcome) => onOutcome(i, outcome));
        return job;
    });
    if ((await mergeBlocker(ctx, cases)) !== undefined) {
        const jobs = separate();
        return { jobs: jobs.map((j) => j.job), get: (i) => jobs[i].get(), merged: () => false };
    }
    const dir = require$$2.join(ctx.scriptRoot, UMBRELLA$1);
    await writeUmbrella(dir, ctx.chartDir, ctx.chartName, cases.length);
    const args = ['template', ctx.releaseName, dir, '--namespace', ctx.namespace, ...kubeVersionArgs(ctx)];
    cases.forEach((c, i) => {
        const prefix = `${caseName(i)}.${ctx.chartName.replace(/[\\.,=[\]]/g, (ch) => `\\${ch}`)}`;
        args.push(...prefixValueArgs(ctx.valueArgs, prefix));
        args.push(...prefixValueArgs(c.set.flatMap((s) => ['--set', s]), prefix));
    });
    args.push(...commonArgs);
    let fallback;
    const merged = customJob(`${cases[0].id}+${cases.length - 1}`, 'helm', async (processEnded) => {
        const start = performance.now();
        const result = await ctx.helm.run(args, { background: true });
        processEnded();
        const cut = result.exitCode === 0 ? splitCases(result.stdout, ctx.chartName, cases.length) : undefined;
        if (!cut) {
            fallback = separate();
            return { out: undefined, done: { ...result, then: fallback.map((j) => j.job) } };
        }
        if (cut.helmVersion)
            ctx.helm.heardVersion(cut.helmVersion);
        const span = { start, end: performance.now() };
        const outcomes = await Promise.all(cut.texts.map(async (stdout) => {
            const parsed = await parseRenderAsHelm(stdout, { mentioning });
            return {
                result: { ...result, stdout },
                documents: parsed.documents,
                parseErrors: parsed.errors,
                span
            };
        }));
        if (onOutcome)
            for (const [i, outcome] of outcomes.entries())
                await onOutcome(i, outcome);
        return { out: outcomes, done: result };
    });
    merged.job.weight = cases.length; // the chart rendered once per case: started before the single renders
    return {
        jobs: [merged.job],
        get: (i) => fallback?.[i].get() ?? merged.get()[i],
        merged: () => fallback === undefined
    };
}

const MONITORING_GROUP = 'monitoring.coreos.com';
/** `--api-versions` flags that make `.Capabilities.APIVersions.Has` see the prometheus-operator API. */
const MONITORING_API_ARGS = [
    '--api-versions',
    'monitoring.coreos.com/v1',
    '--api-versions',
    'monitoring.coreos.com/v1/ServiceMonitor',
    '--api-versions',
    'monitoring.coreos.com/v1/PodMonitor',
    '--api-versions',
    'monitoring.coreos.com/v1/PrometheusRule'
];
const MONITOR_KEYS = [
    'servicemonitor',
    'podmonitor',
    'prometheusrule',
    'metrics',
    'prometheus',
    'monitoring',
    'tracing'
];
/** Values named for these exist to render a monitoring.coreos.com resource. */
const RESOURCE_KEYS = new Set(['servicemonitor', 'podmonitor', 'prometheusrule']);
const SWITCH_KEYS = new Set(['enabled', 'create']);
/** `podMonitorEnabled`, `serviceMonitorCreate`, `enablePodMonitor`, `createServiceMonitor` (lower-cased). */
const COMPOUND_KEY = new RegExp(`^(?:(?:enable|create)(${MONITOR_KEYS.join('|')})|(${MONITOR_KEYS.join('|')})(?:enabled|create))$`);
function toggleKind(valuePath) {
    const last = valuePath[valuePath.length - 1];
    if (typeof last !== 'string')
        return { toggle: false, expectsResource: false };
    const parent = valuePath[valuePath.length - 2];
    const p = typeof parent === 'string' ? parent.toLowerCase() : '';
    if (SWITCH_KEYS.has(last.toLowerCase()) && MONITOR_KEYS.includes(p))
        return { toggle: true, expectsResource: RESOURCE_KEYS.has(p) };
    const compound = COMPOUND_KEY.exec(last.toLowerCase());
    if (compound)
        return { toggle: true, expectsResource: RESOURCE_KEYS.has(compound[1] ?? compound[2]) };
    return { toggle: false, expectsResource: false };
}
function matchesPattern(valuePath, pattern) {
    if (pattern.length !== valuePath.length)
        return false;
    return pattern.every((segment, i) => segment === '*' || String(segment) === String(valuePath[i]));
}
/**
 * Pure: the `<parent>.enabled` flags along a value's path (the value itself left
 * out): false ones are switched on with it; non-booleans are named, never set.
 */
function enablingFlags(valuePath, lookup) {
    const enabling = [];
    const notSwitchable = [];
    const own = setPath(valuePath);
    for (let depth = 1; depth < valuePath.length; depth++) {
        const flag = [...valuePath.slice(0, depth), 'enabled'];
        const key = setPath(flag);
        if (key === own)
            continue;
        const value = lookup(flag);
        if (value === false)
            enabling.push({ path: flag, key });
        else if (value !== undefined && typeof value !== 'boolean')
            notSwitchable.push(key);
    }
    return { enabling, notSwitchable };
}
/**
 * Pure: the values to probe in a values tree, with the input's includes and
 * excludes applied, and the enabling flags of each (`lookup`: the default values
 * helm sees, values.yaml over the dependencies' defaults; values.yaml alone when not given).
 */
function discoverToggles(values, overrides = { include: [], exclude: [] }, lookup = (p) => valueAt(values, p)) {
    const found = [];
    const add = (valuePath, value, origin) => {
        found.push({
            path: valuePath,
            key: setPath(valuePath),
            default: value,
            origin,
            expectsResource: toggleKind(valuePath).expectsResource,
            ...enablingFlags(valuePath, lookup),
            heldOff: []
        });
    };
    walkValues(values, (key, value, at) => {
        if (typeof value !== 'boolean')
            return;
        const here = [...at, key];
        if (toggleKind(here).toggle)
            add(here, value, 'values');
    });
    for (const text of overrides.include) {
        const valuePath = parseDottedPath(text.trim());
        if (valuePath.length === 0)
            continue;
        if (found.some((t) => t.key === setPath(valuePath)))
            continue;
        add(valuePath, valueAt(values, valuePath), 'input');
    }
    const excluded = overrides.exclude.map((text) => parseDottedPath(text.trim())).filter((p) => p.length > 0);
    const probed = found.filter((t) => !excluded.some((pattern) => matchesPattern(t.path, pattern)));
    for (const toggle of probed)
        toggle.heldOff = probed.filter((t) => t.default === true && isBelow(t.path, toggle.path)).map((t) => t.key);
    return probed;
}
/** Whether `valuePath` lies below `<x>` of a flag `<x>.enabled` (deeper than the flag itself). */
function isBelow(valuePath, flag) {
    if (flag[flag.length - 1] !== 'enabled' || valuePath.length <= flag.length)
        return false;
    return flag.slice(0, -1).every((segment, i) => segment === valuePath[i]);
}
function groupOf$1(apiVersion) {
    if (!apiVersion)
        return '';
    const slash = apiVersion.indexOf('/');
    return slash === -1 ? '' : apiVersion.slice(0, slash);
}
function monitoringDocuments(docs) {
    return docs.filter((d) => groupOf$1(d.apiVersion) === MONITORING_GROUP);
}
/**
 * A custom resource of an operator: an API group with a dot outside Kubernetes'
 * own (`*.k8s.io`) and outside monitoring.coreos.com, e.g. `postgresql.cnpg.io`.
 */
function isOperatorResource(apiVersion) {
    const group = groupOf$1(apiVersion);
    return group.includes('.') && !group.endsWith('.k8s.io') && group !== MONITORING_GROUP;
}
/**
 * Pure (case 1): monitoring.coreos.com resources of a render, and every other
 * mention of `monitoring.coreos.com` in its text (outside those resources),
 * with the template it came from.
 */
function monitoringReferences(renderText, docs) {
    const refs = [];
    const docSources = new Set();
    for (const doc of monitoringDocuments(docs)) {
        const ref = { type: 'document' };
        if (doc.source !== undefined) {
            ref.source = doc.source;
            docSources.add(doc.source);
        }
        if (doc.kind !== undefined)
            ref.kind = doc.kind;
        if (doc.name !== undefined)
            ref.name = doc.name;
        refs.push(ref);
    }
    let source;
    const lines = renderText.split('\n');
    for (let i = 0; i < lines.length; i++) {
        const line = lines[i];
        if (/^---(\s|$)/.test(line)) {
            source = undefined;
            continue;
        }
        const sourceMatch = /^#\s*Source:\s*(.+?)\s*$/.exec(line);
        if (sourceMatch) {
            source = sourceMatch[1];
            continue;
        }
        if (!line.includes(MONITORING_GROUP))
            continue;
        if (source !== undefined && docSources.has(source))
            continue;
        const ref = { type: 'text', renderLine: i + 1, excerpt: line.trim().slice(0, 200) };
        if (source !== undefined)
            ref.source = source;
        refs.push(ref);
        // One mention per template is enough to point at it.
        if (source !== undefined)
            docSources.add(source);
    }
    return refs;
}
function resourceKey(doc) {
    return `${doc.kind ?? '?'}/${doc.name ?? '?'}${doc.source ? ` (${doc.source})` : ''}`;
}
/**
 * Pure: the operators' custom resources (isOperatorResource) that differ between
 * two renders of the chart: in `on` and not, as they are there, in `off`.
 */
function changedOperatorResources(on, off) {
    const offChunks = new Map();
    for (const chunk of splitRenderBySource(off))
        offChunks.set(chunk.text, (offChunks.get(chunk.text) ?? 0) + 1);
    const changed = [];
    for (const chunk of splitRenderBySource(on)) {
        const left = offChunks.get(chunk.text) ?? 0;
        if (left > 0)
            offChunks.set(chunk.text, left - 1);
        else
            changed.push(chunk.text);
    }
    return parseRenderDetailed(changed.join(''))
        .documents.filter((d) => isOperatorResource(d.apiVersion))
        .map((d) => `${d.kind ?? '?'}/${d.name ?? '?'} (${d.apiVersion ?? '?'})`);
}
function renderErrorFinding(rule, what, outcome, input, fallback) {
    const error = helmErrorLine(outcome.result.stderr, outcome.result.stdout);
    const finding = { rule, severity: 'error', message: `${what} fails: ${error}` };
    const at = templateLocation(error, input.chartName);
    const file = at ? repoFileForSource(at.source, input.chartName, input.displayChartDir) : undefined;
    if (file && at) {
        finding.file = file;
        finding.line = at.line;
    }
    else if (fallback.file) {
        finding.file = fallback.file;
        if (fallback.line !== undefined)
            finding.line = fallback.line;
    }
    return finding;
}
const code = (text) => `\`${text}\``;
const list = (keys) => keys.map(code).join(', ');
function case1Findings(input, references) {
    return references.map((ref) => {
        const file = repoFileForSource(ref.source, input.chartName, input.displayChartDir);
        const where = ref.source ?? 'the render';
        const finding = ref.type === 'document'
            ? {
                rule: 'observability-default-off',
                severity: 'error',
                message: `The default render has a ${MONITORING_GROUP} resource ${ref.kind ?? '?'}/${ref.name ?? '?'} from ${where}: a fresh cluster has no such CRD.`,
                fix: 'Render it only when its toggle is true (default false) and `.Capabilities.APIVersions.Has "monitoring.coreos.com/v1"`.'
            }
            : {
                rule: 'observability-default-off',
                severity: 'notice',
                message: `The default render names ${MONITORING_GROUP} in ${where} (render line ${ref.renderLine}), outside any resource of that API: ` +
                    `${ref.excerpt ?? ''}. Not judged: only a resource of the API needs its CRDs (an operator's RBAC rule granting the group is fine).`
            };
        if (file)
            finding.file = file;
        return finding;
    });
}
function observabilityStep(input) {
    const { values } = input;
    const valuesFile = values.displayPath;
    // Case 1: the default render.
    const references = monitoringReferences(input.defaultRender.result.stdout, input.defaultRender.documents);
    const findings = case1Findings(input, references);
    // Case 3: one render with every toggle off and the API present.
    const case3 = input.case3;
    let baseline = new Set();
    let case3Data;
    if (case3) {
        if (case3.result.exitCode !== 0) {
            const finding = renderErrorFinding('observability-explicit-off', 'Rendering with every observability toggle false and the monitoring API present', case3, input, { file: valuesFile });
            findings.push(finding);
            case3Data = { ok: false, resources: [], error: helmErrorLine(case3.result.stderr, case3.result.stdout) };
        }
        else {
            const monitors = monitoringDocuments(case3.documents);
            baseline = new Set(monitors.map(resourceKey));
            for (const doc of monitors) {
                const finding = {
                    rule: 'observability-explicit-off',
                    severity: 'error',
                    message: `With every observability toggle false and the monitoring API present, the render still has ${resourceKey(doc)}.`,
                    fix: 'Guard the resource with its toggle, not only with `.Capabilities.APIVersions.Has`.'
                };
                const file = repoFileForSource(doc.source, input.chartName, input.displayChartDir);
                if (file)
                    finding.file = file;
                findings.push(finding);
            }
            case3Data = { ok: monitors.length === 0, resources: monitors.map(resourceKey) };
        }
    }
    // The monitors of each opt-in render, and what each is compared with: the all-off render, or for a toggle
    // that defaults to true its own render switched off; minus what its enabling flags render on their own.
    const monitorsOf = (outcome) => new Set(outcome && outcome.result.exitCode === 0 ? monitoringDocuments(outcome.documents).map(resourceKey) : []);
    const indexByKey = new Map(input.toggles.map((t, i) => [t.key, i]));
    const reference = (i) => input.switchedOff?.get(i) ?? case3;
    const own = (i) => {
        const outcome = input.case2[i];
        const compared = input.switchedOff?.has(i) ? monitorsOf(input.switchedOff.get(i)) : baseline;
        const fromFlags = input.toggles[i].enabling.flatMap((flag) => {
            const j = indexByKey.get(flag.key);
            return j === undefined ? [] : [...monitorsOf(input.case2[j])];
        });
        return monitoringDocuments(outcome.documents).filter((d) => !compared.has(resourceKey(d)) && !fromFlags.includes(resourceKey(d)));
    };
    const toggles = input.toggles.map((toggle, i) => {
        const line = values.lineOf(toggle.path);
        const at = { file: valuesFile };
        if (line !== undefined)
            at.line = line;
        const enabling = toggle.enabling.map((f) => f.key);
        const alongside = [...enabling.map((k) => `${k}=true`), ...toggle.heldOff.map((k) => `${k}=false`)];
        const withFlags = alongside.length > 0 ? ` with ${list(alongside)}` : '';
        const outcome = input.case2[i];
        const data = {
            path: toggle.key,
            default: toggle.default,
            origin: toggle.origin,
            expectsResource: toggle.expectsResource,
            enabling,
            case2: { ok: false, kinds: [], resources: [] },
            case3Ok: case3Data?.ok ?? false
        };
        if (toggle.notSwitchable.length > 0)
            data.notSwitchable = toggle.notSwitchable;
        if (toggle.heldOff.length > 0)
            data.heldOff = toggle.heldOff;
        if (line !== undefined)
            data.line = line;
        if (!outcome)
            return data;
        if (outcome.result.exitCode !== 0) {
            findings.push(renderErrorFinding('observability-opt-in', `Opting in (--set ${toggle.key}=true${withFlags}, the monitoring API present)`, outcome, input, at));
            data.case2.error = helmErrorLine(outcome.result.stderr, outcome.result.stdout);
            return data;
        }
        const produced = own(i);
        data.rendersMonitor = produced.length > 0;
        data.case2.ok = true;
        data.case2.kinds = [...new Set(produced.map((d) => d.kind ?? '?'))].sort();
        data.case2.resources = produced.map(resourceKey);
        const compared = reference(i);
        if (compared && compared.result.exitCode === 0) {
            data.case2.changesRender = outcome.result.stdout !== compared.result.stdout;
            if (!data.rendersMonitor && toggle.expectsResource && data.case2.changesRender) {
                const configures = changedOperatorResources(outcome.result.stdout, compared.result.stdout);
                if (configures.length > 0)
                    data.case2.configures = configures;
            }
        }
        if (data.rendersMonitor && toggle.default === true) {
            findings.push({
                rule: 'observability-default-off',
                severity: 'error',
                message: `Observability toggle ${toggle.key} defaults to true: switched on (with the monitoring API present) it renders ${list(data.case2.resources)}, and a fresh cluster has no ${MONITORING_GROUP}/v1 CRDs.`,
                fix: `Set \`${toggle.key}: false\`; clusters with the CRDs opt in.`,
                snippet: { language: 'yaml', label: `in ${valuesFile}:`, text: nestedYaml(toggle.path, 'false') },
                ...at
            });
        }
        if (!data.rendersMonitor && toggle.expectsResource)
            findings.push(noMonitorFinding(toggle, data, withFlags, at));
        return data;
    });
    const data = {
        toggles,
        case1: { ok: references.every((r) => r.type !== 'document'), references }
    };
    if (case3Data)
        data.case3 = case3Data;
    const step = {
        id: 'observability',
        title: 'Observability toggles',
        status: statusOf(findings),
        durationMs: input.durationMs,
        summary: summaryOf(toggles, references, case3Data),
        findings,
        data
    };
    if (toggles.length > 0)
        step.details = detailsOf(toggles);
    return step;
}
/** A value named for a monitor resource that renders none when switched on: a notice when it configures an operator, else a warning. */
function noMonitorFinding(toggle, data, withFlags, at) {
    const opted = `Opting in to ${toggle.key}${withFlags} (the monitoring API present) renders no ${MONITORING_GROUP} resource`;
    const configures = data.case2.configures ?? [];
    if (configures.length > 0)
        return {
            rule: 'observability-opt-in',
            severity: 'notice',
            message: `${opted}; it changes ${list(configures)}: it configures an operator, which renders the monitor itself. Expected.`,
            ...at
        };
    const notSwitchable = toggle.notSwitchable.length > 0
        ? ` Its path also has ${list(toggle.notSwitchable)}, which holds no boolean: the action leaves it as it is.`
        : '';
    return {
        rule: 'observability-opt-in',
        severity: 'warning',
        message: `${opted}` + (data.case2.changesRender === false ? ': the render does not change at all.' : '.') + notSwitchable,
        fix: 'Check the template condition that reads this toggle. If it needs another value to render its monitor, give that value with the `set` input or a `values` file; ' +
            'if it is not an observability toggle, list it as `!path` in observability-toggles.',
        ...at
    };
}
function summaryOf(toggles, references, case3) {
    const resources = references.filter((r) => r.type === 'document').length;
    const mentions = references.length - resources;
    const monitors = toggles.filter((t) => t.rendersMonitor === true);
    const defaultsTrue = monitors.filter((t) => t.default === true).length;
    const parts = [`${toggles.length} value${toggles.length === 1 ? '' : 's'} probed`];
    if (defaultsTrue > 0)
        parts.push(`${defaultsTrue} toggle${defaultsTrue === 1 ? '' : 's'} default true`);
    parts.push(resources === 0
        ? 'default render clean'
        : `default render has ${resources} monitoring resource${resources === 1 ? '' : 's'}`);
    if (mentions > 0)
        parts.push(`${mentions} mention${mentions === 1 ? '' : 's'} of ${MONITORING_GROUP} elsewhere`);
    if (toggles.length > 0) {
        const paired = monitors.filter((t) => t.enabling.length > 0).length;
        parts.push(`${monitors.length} of ${toggles.length} render a monitoring resource when on` +
            (paired > 0 ? ` (${paired} with ${paired === 1 ? 'its' : 'their'} enabling flags)` : ''));
    }
    if (case3)
        parts.push(case3.ok ? 'all-off clean' : 'all-off not clean');
    return parts.join(', ');
}
/** One line per probed value: what its opt-in render set and produced (the flags it switched on said here). */
function detailsOf(toggles) {
    const lines = toggles.map((t) => {
        const set = [
            `${t.path}=true`,
            ...t.enabling.map((k) => `${k}=true`),
            ...(t.heldOff ?? []).map((k) => `${k}=false`)
        ].join(' ');
        const verdict = t.case2.error !== undefined
            ? `fails: ${t.case2.error}`
            : t.rendersMonitor
                ? `renders ${t.case2.resources.join(', ')}`
                : t.case2.configures
                    ? `no monitoring resource; configures ${t.case2.configures.join(', ')}`
                    : `no monitoring resource: not an observability toggle`;
        return `--set ${set}: ${verdict}`;
    });
    return [`Opt-in renders (case 2), each with the ${MONITORING_GROUP} API present:`, ...lines].join('\n');
}
/** A value switched on or off, with its enabling flags on and the default-true values below it held off. */
function caseSet(toggle, on) {
    return [
        ...toggle.enabling.map((f) => `${f.key}=true`),
        `${toggle.key}=${on}`,
        ...toggle.heldOff.map((key) => `${key}=false`)
    ];
}
/**
 * Pure: the renders the gate needs: each probed value on (with its enabling flags), every value off, and for a
 * value that defaults to true, itself off (with its enabling flags on). `switchedOff` maps a toggle's index to its
 * case's index.
 */
function observabilityCases(toggles) {
    const cases = [
        ...toggles.map((toggle, i) => ({ id: `case2:${i}`, set: caseSet(toggle, true) })),
        { id: 'case3', set: toggles.map((t) => `${t.key}=false`) }
    ];
    const switchedOff = new Map();
    toggles.forEach((toggle, i) => {
        if (toggle.default !== true)
            return;
        switchedOff.set(i, cases.length);
        cases.push({ id: `case2-off:${i}`, set: caseSet(toggle, false) });
    });
    return { cases, switchedOff };
}
/**
 * The gate: cases 2 and 3 as one merged render when they can be
 * (gates/merged-render.ts), case 1 on the shared default render.
 */
const observabilityGate = {
    id: 'observability',
    async plan(pc) {
        const { ctx } = pc;
        // Enabling flags below a dependency's key may be set only in its default values.
        const dependencies = await loadDependencyValues(ctx.chartDir);
        const lookup = (valuePath) => {
            const value = valueAt(ctx.values.data, valuePath);
            const [key, ...rest] = valuePath;
            if (value !== undefined || typeof key !== 'string')
                return value;
            return valueAt(dependencies.get(key)?.data, rest);
        };
        const toggles = discoverToggles(ctx.values.data, ctx.toggles, lookup);
        const { cases, switchedOff } = observabilityCases(toggles);
        // Each opt-in render (case 2: one toggle on) is published as it comes in: the schema gate checks its documents.
        const renders = await planCaseRenders(pc, cases, MONITORING_API_ARGS, MONITORING_GROUP, (i, outcome) => i < toggles.length ? pc.optInRenders.publish(outcome) : Promise.resolve());
        return {
            jobs: renders.jobs,
            finish() {
                const defaultRender = pc.defaultRender.get();
                if (defaultRender.result.exitCode !== 0)
                    return { step: skippedStep('observability', 'Observability toggles', 'skipped: the default render failed') };
                const case2 = toggles.map((_, i) => renders.get(i));
                const case3 = renders.get(toggles.length);
                const off = new Map([...switchedOff].map(([i, c]) => [i, renders.get(c)]));
                const step = observabilityStep({
                    toggles,
                    values: ctx.values,
                    chartName: ctx.chartName,
                    displayChartDir: ctx.displayChartDir,
                    defaultRender,
                    case2,
                    case3,
                    switchedOff: off,
                    durationMs: wall([
                        defaultRender.span,
                        case3.span,
                        ...case2.map((r) => r.span),
                        ...[...off.values()].map((r) => r.span)
                    ])
                });
                return { step };
            }
        };
    }
};

/** True for helm errors of a value the chart requires (`required`, `fail`, any template `execution error`). */
function isRequiredValueError(error) {
    return /execution error|required|is required|missing required/i.test(error);
}
function renderStep(input) {
    const { result, documents, chartName, displayChartDir } = input;
    const findings = [];
    const output = result.stdout;
    const data = {
        args: input.args,
        exitCode: result.exitCode,
        resources: 0,
        documents: documents.length,
        kinds: {},
        lines: output === '' ? 0 : output.split('\n').length,
        bytes: Buffer.byteLength(output),
        parseErrors: input.parseErrors.length
    };
    if (result.exitCode !== 0) {
        const error = helmErrorLine(result.stderr, result.stdout);
        data.error = error;
        const finding = {
            rule: 'render',
            severity: 'error',
            message: `helm template fails with the default values: ${error}`
        };
        const at = templateLocation(error, chartName);
        const file = at ? repoFileForSource(at.source, chartName, displayChartDir) : undefined;
        if (file && at) {
            finding.file = file;
            finding.line = at.line;
        }
        finding.fix = isRequiredValueError(error)
            ? 'The chart requires a value that values.yaml does not set: set it with the `set` input or a `values` file.'
            : 'Run `helm template` on the chart to reproduce, and fix the template or values.';
        findings.push(finding);
        return {
            id: 'render',
            title: 'Smoke render',
            status: 'failed',
            durationMs: result.durationMs,
            summary: `helm template failed: ${error.length > 160 ? `${error.slice(0, 157)}...` : error}`,
            findings,
            details: `$ helm ${input.args.join(' ')}\n${lastLines(result.stderr || result.stdout, 40)}`,
            data
        };
    }
    for (const doc of documents) {
        if (!doc.apiVersion || !doc.kind)
            continue;
        data.resources++;
        data.kinds[doc.kind] = (data.kinds[doc.kind] ?? 0) + 1;
    }
    for (const error of input.parseErrors) {
        const finding = error.toFinding();
        const file = repoFileForSource(error.source, chartName, displayChartDir);
        if (file)
            finding.file = file;
        else
            delete finding.file;
        findings.push(finding);
    }
    if (data.resources === 0) {
        findings.push({
            rule: 'render',
            severity: 'error',
            message: `helm template with the default values renders no resource (${data.lines} lines of output).`,
            fix: 'A blueprint must render its upstream chart: check the dependency is built and enabled by default.'
        });
    }
    const kinds = Object.entries(data.kinds)
        .sort((a, b) => b[1] - a[1] || compareCodePoints(a[0], b[0]))
        .map(([kind, n]) => `${n} ${kind}`);
    const failed = findings.some((f) => f.severity === 'error');
    const step = {
        id: 'render',
        title: 'Smoke render',
        status: failed ? 'failed' : 'passed',
        durationMs: result.durationMs,
        summary: data.resources > 0
            ? `${data.resources} resources (${kinds.slice(0, 6).join(', ')}${kinds.length > 6 ? ', …' : ''})`
            : 'no resources rendered',
        findings,
        data
    };
    if (input.parseErrors.length > 0)
        step.details = input.parseErrors.map((e) => `${e.source ?? '?'} (render line ${e.line}): ${e.message}`).join('\n');
    return step;
}
/** The gate: the shared default render (planned by runGates, `PlanContext.defaultRender`), judged. */
const renderGate = {
    id: 'render',
    plan(pc) {
        return Promise.resolve({
            jobs: [],
            finish() {
                const render = pc.defaultRender.get();
                const step = renderStep({
                    args: pc.templateArgs([]),
                    result: render.result,
                    documents: render.documents,
                    parseErrors: render.parseErrors,
                    chartName: pc.ctx.chartName,
                    displayChartDir: pc.ctx.displayChartDir
                });
                return { step };
            }
        });
    }
};

/** The minors whose schemas ship, and the module of each. */
const DATA = {
    '1.33': () => import('./kubernetes-1.33.js'),
    '1.36': () => import('./kubernetes-1.36.js')
};
const SHIPPED_MINORS = Object.keys(DATA);
/**
 * The shipped schemas' minor used for a release: the oldest shipped one not older than it, else the newest. Between
 * two shipped releases the newer one's schemas are used: a field added in between is accepted rather than flagged
 * (the API versions a release serves come from the table below, not from the schemas).
 */
function schemaMinorFor(version) {
    const shipped = SHIPPED_MINORS.map((m) => ({ text: m, minor: Number(m.split('.')[1]) })).sort((a, b) => a.minor - b.minor);
    const fit = shipped.find((m) => m.minor >= version.minor);
    return (fit ?? shipped[shipped.length - 1]).text;
}
function builtinSchemas(data) {
    const resolved = new Map();
    const definition = (name) => {
        let schema = resolved.get(name);
        if (schema)
            return schema;
        const text = data.types[name];
        // A reference the source leaves undefined: accept anything rather than flag what the API accepts.
        schema = text === undefined ? { any: true } : {};
        resolved.set(name, schema);
        if (text !== undefined)
            Object.assign(schema, fromCompact(JSON.parse(text)));
        return schema;
    };
    const reference = (name) => ({ resolve: () => definition(name) });
    const fromCompact = (c) => {
        if (typeof c === 'string') {
            switch (c) {
                case 'string':
                case 'boolean':
                    return { type: c };
                // The declarations do not tell int32 from double: any number is accepted where a number belongs.
                case 'number':
                    return { type: 'number' };
                case 'any':
                    return { any: true };
                case 'int-or-string':
                    return { intOrString: true };
                default:
                    return reference(c);
            }
        }
        if ('enum' in c)
            return { type: 'string', enum: c.enum };
        if ('items' in c)
            return { type: 'array', items: fromCompact(c.items) };
        if ('values' in c)
            return { type: 'object', additionalProperties: fromCompact(c.values) };
        if ('anyOf' in c)
            return { anyOf: c.anyOf.map(fromCompact) };
        const properties = {};
        for (const [key, value] of Object.entries(c.properties))
            properties[key] = fromCompact(value);
        return c.required ? { type: 'object', properties, required: c.required } : { type: 'object', properties };
    };
    let versions;
    const byKind = new Map();
    for (const key of Object.keys(data.kinds)) {
        const slash = key.lastIndexOf('/');
        const kind = key.slice(slash + 1);
        byKind.set(kind, [...(byKind.get(kind) ?? []), key.slice(0, slash)]);
    }
    return {
        kubernetes: data.kubernetes,
        origin: data.origin,
        kind(apiVersion, kind) {
            const name = data.kinds[`${apiVersion}/${kind}`];
            return name === undefined ? undefined : definition(name);
        },
        apiVersions() {
            versions ??= new Set(Object.keys(data.kinds).map((key) => key.slice(0, key.lastIndexOf('/'))));
            return versions;
        },
        versionsOf: (kind) => byKind.get(kind) ?? [],
        objectMeta: reference('IoK8sApimachineryPkgApisMetaV1ObjectMeta')
    };
}
const loaded = new Map();
/** The built-in schemas of a shipped minor (`1.36`), loaded once per process. */
function loadBuiltinSchemas(minor) {
    const load = DATA[minor];
    if (!load)
        return Promise.reject(new Error(`no Kubernetes schemas ship for ${minor} (${SHIPPED_MINORS.join(', ')})`));
    let promise = loaded.get(minor);
    if (!promise) {
        promise = load().then(builtinSchemas);
        loaded.set(minor, promise);
    }
    return promise;
}

// The schema gate's CRDs from the blueprints blueprint.yaml `spec.depends` names (issue 25, source 2): each one the
// workspace holds is built (chart/workspace-build.ts: a work folder and an empty helm home of its own, its
// dependency archives fetched by the action as pinned, each once per run) and rendered with its own values as it
// ships them, `--include-crds` and the run's `--kube-version`, in a job of the gates' one pool
// (gates/schema-depends-jobs.ts: several in one helm process); the CRDs of that render (cloudnative-pg's
// `templates/crds/` behind `crds.create`, the `crds/` folders) are what its custom resources are checked against.
// A depends blueprint that cannot be built or rendered is a warning naming it, never a failure.
//
// No credential reaches a helm home here: the archives are fetched by the action's own HTTP client with the run's
// credentials in memory, and the build's helm home stays empty, so a chart test script running meanwhile finds none.
/**
 * The workspace blueprints the run's spec.depends names, each once, in the order written; never the run's own.
 * A name the workspace does not hold is the blueprint.yaml step's finding (chart/blueprint-contract.ts), not this.
 */
async function dependsTargets(settings) {
    if (settings.manifest.depends.length === 0)
        return [];
    const index = await settings.index();
    const out = [];
    const seen = new Set([require$$2.resolve(index.workspace, settings.ownDir)]);
    for (const entry of settings.manifest.depends) {
        const blueprint = index.byBlueprintName(entry.blueprint);
        if (!blueprint || seen.has(require$$2.resolve(index.workspace, blueprint.dir)))
            continue;
        seen.add(require$$2.resolve(index.workspace, blueprint.dir));
        const line = settings.manifest.lineOf(entry.path);
        out.push({ name: blueprintName(blueprint) ?? entry.blueprint, blueprint, ...(line === undefined ? {} : { line }) });
    }
    return out;
}
/** The run's archives for the depends builds: each fetched once, the run's own build's read from its charts/. */
function dependsArchives(settings) {
    const archives = new ArchiveCache();
    const own = settings.ownBuild;
    if (own)
        archives.reuseBuilt(own.chartDir, own.dependencies, own.built, settings.fetch);
    return archives;
}
/** The warning of a depends blueprint that could not be built or rendered, at its spec.depends line. */
function problemFor(target, settings, reason) {
    const { name, blueprint } = target;
    const finding = {
        rule: 'schema-depends',
        severity: 'warning',
        message: `spec.depends ${name} (${blueprint.dir}) could not be rendered for its CRDs: ${reason} The custom resources whose CRD it installs are not checked against it.`,
        fix: `Make ${blueprint.chartDir} build and render with its own values (this action run on ${blueprint.dir} says what fails), or give its CRD manifests to input crds.`,
        file: settings.manifest.file
    };
    if (target.line !== undefined)
        finding.line = target.line;
    return finding;
}
/** One sentence of a tool's message: whitespace folded, a full stop added. */
function sentence(text) {
    const trimmed = text.trim().replace(/\s+/g, ' ');
    return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

// Custom resources' schemas from CustomResourceDefinition manifests: each served version's `openAPIV3Schema`
// (apiextensions.k8s.io/v1; v1beta1's top-level `validation` too), read into a `Schema`. Pure.
const TYPES = new Set(['object', 'array', 'string', 'integer', 'number', 'boolean']);
/** An OpenAPI v3 schema of a CRD (JSONSchemaProps) as a `Schema`. */
function fromOpenApi(node) {
    if (!isRecord(node))
        return { any: true };
    const out = {};
    if (typeof node.type === 'string' && TYPES.has(node.type))
        out.type = node.type;
    if (node['x-kubernetes-int-or-string'] === true) {
        delete out.type;
        out.intOrString = true;
    }
    if (node['x-kubernetes-preserve-unknown-fields'] === true) {
        out.preserveUnknownFields = true;
        if (!isRecord(node.properties) && node.type === undefined)
            out.any = true;
    }
    if (node['x-kubernetes-embedded-resource'] === true)
        out.embeddedResource = true;
    if (isRecord(node.properties)) {
        const properties = {};
        for (const [key, value] of Object.entries(node.properties))
            properties[key] = fromOpenApi(value);
        out.properties = properties;
    }
    if (Array.isArray(node.required))
        out.required = node.required.filter((r) => typeof r === 'string');
    if (node.additionalProperties === true)
        out.additionalProperties = true;
    else if (isRecord(node.additionalProperties))
        out.additionalProperties = fromOpenApi(node.additionalProperties);
    if (isRecord(node.items))
        out.items = fromOpenApi(node.items);
    if (Array.isArray(node.enum) && node.enum.length > 0)
        out.enum = node.enum;
    return out;
}
/** True for a CustomResourceDefinition document. */
function isCrd(object) {
    return (object.kind === 'CustomResourceDefinition' &&
        typeof object.apiVersion === 'string' &&
        object.apiVersion.startsWith('apiextensions.k8s.io/'));
}
/** The served versions of a CRD with their schemas (a version without a schema accepts any object). */
function crdSchemas(object, origin) {
    if (!isCrd(object) || !isRecord(object.spec))
        return [];
    const spec = object.spec;
    const group = typeof spec.group === 'string' ? spec.group : undefined;
    const kind = isRecord(spec.names) && typeof spec.names.kind === 'string' ? spec.names.kind : undefined;
    if (!group || !kind)
        return [];
    const shared = isRecord(spec.validation) ? spec.validation.openAPIV3Schema : undefined;
    const versions = [];
    if (Array.isArray(spec.versions)) {
        for (const v of spec.versions) {
            if (!isRecord(v) || typeof v.name !== 'string' || v.served === false)
                continue;
            const own = isRecord(v.schema) ? v.schema.openAPIV3Schema : undefined;
            versions.push({ name: v.name, schema: own ?? shared });
        }
    }
    else if (typeof spec.version === 'string')
        versions.push({ name: spec.version, schema: shared });
    return versions.map((v) => {
        const schema = v.schema === undefined ? { any: true } : fromOpenApi(v.schema);
        // apiVersion, kind and metadata of every custom resource are the API server's (metadata is checked as ObjectMeta).
        schema.embeddedResource = true;
        if (schema.properties) {
            const { apiVersion: _a, kind: _k, metadata: _m, ...rest } = schema.properties;
            schema.properties = rest;
        }
        return { apiVersion: `${group}/${v.name}`, kind, origin, schema };
    });
}

// The pool jobs of the spec.depends blueprints (gates/schema-depends.ts finds them): each built
// (chart/workspace-build.ts), then rendered for its CRDs, several in ONE `helm template` of a generated umbrella
// holding them as subcharts (a helm start is ~55 ms of CPU: issue 28), each alone when that could change a render.
/** A render's CRDs only are read: the other documents (an operator's Deployment, its RBAC) are not parsed. */
const crdDocuments = (stdout) => parseRenderDetailed(stdout, { mentioning: 'CustomResourceDefinition' }).documents;
/** The umbrella of the one render of every depends blueprint: `<scriptRoot>/depends/umbrella`, this chart name. */
const UMBRELLA = 'depends-crds';
async function buildTarget(ctx, options, target, slot) {
    const start = performance.now();
    const { blueprint } = target;
    const render = { name: target.name, dir: blueprint.dir, crds: [], durationMs: 0, downloads: 0 };
    try {
        const downloadsBefore = options.archives.downloads;
        const built = await buildWorkspaceChart({
            workspace: options.workspace,
            dir: blueprint.dir,
            chartDir: blueprint.chartDir,
            workRoot: require$$2.join(ctx.scriptRoot, 'depends', String(slot)),
            helm: ctx.helm,
            fetch: options.settings.fetch,
            archives: options.archives
        });
        render.downloads = options.archives.downloads - downloadsBefore;
        return { target, render, built, start };
    }
    catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        render.problem = problemFor(target, options.settings, `its chart could not be built: ${sentence(message)}`);
        return { target, render, start };
    }
}
/** Its own values as it ships them (the run's values and set are the run's chart's), every CRD it installs. */
function templateArgs(ctx, release, chartDir) {
    return ['template', release, chartDir, '--namespace', `smoke-${release}`, '--include-crds', ...kubeVersionArgs(ctx)];
}
/** Takes a render's CRDs (or its failure) into the target's DependsRender; `documents` as their source names them. */
function takeRender(entry, settings, result, documents) {
    const { target, render } = entry;
    if (result.exitCode !== 0) {
        render.problem = problemFor(target, settings, `helm template failed: ${sentence(lastLines(result.stderr || result.stdout, 3) || `exit ${result.exitCode}`)}`);
        return;
    }
    for (const doc of documents)
        render.crds.push(...crdSchemas(doc.object, `${target.name} (${target.blueprint.dir}: ${doc.source ?? 'its render'})`));
}
async function finishTarget(entry, options) {
    entry.render.durationMs = Math.round(performance.now() - entry.start);
    await options.done(entry.render);
}
/** Renders one built depends blueprint alone (a chart of its own, as helm installs it); its exit code. */
async function renderAlone(ctx, options, entry) {
    const built = entry.built;
    const helmStart = performance.now();
    const result = await built.helm.run(templateArgs(ctx, built.work.name, built.work.dir), { background: true });
    entry.render.helmMs = Math.round(performance.now() - helmStart);
    takeRender(entry, options.settings, result, result.exitCode === 0 ? crdDocuments(result.stdout) : []);
    await finishTarget(entry, options);
    return result.exitCode;
}
/** A pool job of its own rendering one built depends blueprint alone. */
function renderAloneJob(ctx, options, entry) {
    return customJob(`schema:depends:${entry.target.name}`, 'helm', async () => {
        const exitCode = await renderAlone(ctx, options, entry);
        return { out: undefined, done: { exitCode, durationMs: entry.render.helmMs ?? 0 } };
    }).job;
}
/**
 * Pure: which depends blueprint each document of the umbrella's render belongs to (by its `# Source:`
 * `depends-crds/charts/<chart>/…`), its source written as the blueprint's own render writes it (`<chart>/…`).
 */
function splitUmbrellaRender(documents, chartNames) {
    const out = new Map(chartNames.map((name) => [name, []]));
    const prefix = `${UMBRELLA}/charts/`;
    for (const doc of documents) {
        if (!doc.source?.startsWith(prefix))
            continue;
        const rest = doc.source.slice(prefix.length);
        const name = rest.slice(0, rest.indexOf('/'));
        out.get(name)?.push({ ...doc, source: rest });
    }
    return out;
}
/**
 * The pool job of the depends blueprints: each built, then every built one rendered in ONE `helm template` of a
 * generated umbrella holding them as subcharts (`--include-crds` takes each one's `crds/`; one helm process instead
 * of one per blueprint: a helm start is ~55 ms of CPU, issue 28), its output cut back by `# Source:`. Rendered alone
 * instead (the first in this job, the others in jobs added to the pool): one blueprint, two with the same chart
 * name, one that could render otherwise as a subchart (`subchartBlocker`: tags, nulls, .Chart.IsRoot,
 * .Values.global), or an umbrella render that failed (each alone then says which blueprint fails and how). In the
 * umbrella the release name and namespace are the umbrella's, not `<chart>` and `smoke-<chart>`: a CRD's schema
 * does not read them. No job ever fails the pool: what stops a blueprint is the warning of its DependsRender.
 */
function dependsJobs(ctx, options) {
    if (options.targets.length === 0)
        return [];
    const id = options.targets.length === 1 ? `schema:depends:${options.targets[0].name}` : 'schema:depends';
    return [
        customJob(id, 'helm', async (processEnded) => {
            // One after the other: each build's download count is its own (they share the run's archive cache), and a
            // build is file copies and fetches, not CPU.
            const entries = [];
            for (const [slot, target] of options.targets.entries())
                entries.push(await buildTarget(ctx, options, target, slot));
            const built = entries.filter((entry) => entry.built);
            for (const entry of entries)
                if (!entry.built)
                    await finishTarget(entry, options);
            // Each alone: the first in this job, the others in jobs of their own (side by side in the pool).
            const alone = async (umbrellaExit = 0) => {
                const [first, ...rest] = built;
                const exitCode = first ? await renderAlone(ctx, options, first) : 0;
                return {
                    out: undefined,
                    done: {
                        exitCode: umbrellaExit || exitCode,
                        durationMs: first?.render.helmMs ?? 0,
                        then: rest.map((entry) => renderAloneJob(ctx, options, entry))
                    }
                };
            };
            const names = built.map((entry) => entry.built.work.name);
            if (built.length < 2 || new Set(names).size < names.length)
                return alone();
            const blockers = await Promise.all(built.map((entry) => subchartBlocker(entry.built.work.dir, entry.built.blueprint.values.data)));
            if (blockers.some((blocker) => blocker !== undefined))
                return alone();
            const umbrella = require$$2.join(ctx.scriptRoot, 'depends', 'umbrella');
            await require$$1.rm(umbrella, { recursive: true, force: true });
            await writeUmbrellaChart(umbrella, UMBRELLA, built.map((entry) => ({ name: entry.built.work.name, linkTo: entry.built.work.dir })));
            const helmStart = performance.now();
            // Any built one's helm: each has an empty home of its own, and the render reads no repository.
            const result = await built[0].built.helm.run(templateArgs(ctx, UMBRELLA, umbrella), { background: true });
            const helmMs = Math.round(performance.now() - helmStart);
            if (result.exitCode !== 0)
                return alone(result.exitCode);
            processEnded(); // no other process in this job: the CRDs are read beside the pool's next one
            const byChart = splitUmbrellaRender(crdDocuments(result.stdout), names);
            for (const entry of built) {
                entry.render.helmMs = helmMs;
                entry.render.together = true;
                takeRender(entry, options.settings, result, byChart.get(entry.built.work.name) ?? []);
                await finishTarget(entry, options);
            }
            return { out: undefined, done: { exitCode: 0, durationMs: helmMs } };
        }).job
    ];
}

// Where the schema gate's CRDs come from, before any render: the chart's own `crds/` folder, the `crds/` folders of
// its bundled dependencies (archives under charts/, nested ones too, and unpacked folders), and input `crds`
// (globs of manifests in the workspace). CRDs a chart renders from its templates (cloudnative-pg's
// `templates/crds/` behind `crds.create`) are read from the renders themselves (gates/schema.ts).
/** Helm reads these files of a `crds/` folder (chartutil's manifest extensions). */
const MANIFEST = /\.(ya?ml|json)$/i;
/**
 * The CRDs of one manifest text (several documents), read as helm reads them (go-yaml's leniencies too); documents
 * that are not CRDs or do not parse are skipped.
 */
async function crdsOfText(text, origin) {
    return (await parseRenderAsHelm(text)).documents.flatMap((doc) => crdSchemas(doc.object, origin));
}
async function filesUnder(dir) {
    const entries = await require$$1.readdir(dir, { withFileTypes: true }).catch(() => []);
    const out = [];
    for (const entry of entries) {
        const full = require$$2.join(dir, entry.name);
        if (entry.isDirectory())
            out.push(...(await filesUnder(full)));
        else if (entry.isFile())
            out.push(full);
    }
    return out.sort();
}
/** `crds/` files of an archive's chart and of the archives it bundles, recursively. */
async function archiveCrds(archive, label, depth = 0) {
    const entries = await readTgzEntries(archive, label);
    const out = [];
    for (const entry of entries) {
        // `<chart>/crds/x.yaml`, and `<chart>/charts/<dep>.tgz` (a dependency of the dependency).
        const parts = entry.name.replace(/^\.\//, '').split('/');
        if (parts[1] === 'crds' && parts.length >= 3 && MANIFEST.test(entry.name))
            out.push(...(await crdsOfText(entry.data.toString('utf8'), `${label}: ${entry.name}`)));
        else if (depth < 4 && parts[1] === 'charts' && parts.length === 3 && entry.name.endsWith('.tgz'))
            out.push(...(await archiveCrds(entry.data, `${label} > ${parts[2]}`, depth + 1)));
    }
    return out;
}
/** The CRDs the chart ships in `crds/` folders: its own and its dependencies' (archives and unpacked folders). */
async function chartCrds(chartDir, displayChartDir) {
    const out = [];
    for (const file of await filesUnder(require$$2.join(chartDir, 'crds'))) {
        if (!MANIFEST.test(file))
            continue;
        out.push(...(await crdsOfText(await require$$1.readFile(file, 'utf8'), `${displayChartDir}/${require$$2.relative(chartDir, file)}`)));
    }
    const charts = require$$2.join(chartDir, 'charts');
    for (const entry of await require$$1.readdir(charts, { withFileTypes: true }).catch(() => [])) {
        const full = require$$2.join(charts, entry.name);
        if (entry.isFile() && entry.name.endsWith('.tgz'))
            out.push(...(await archiveCrds(await require$$1.readFile(full), `charts/${entry.name}`)));
        else if (entry.isDirectory())
            out.push(...(await chartCrds(full, `${displayChartDir}/charts/${entry.name}`)));
    }
    return out;
}
/** Input `crds`: each glob (relative to the workspace) → the CRDs of the files it matches; a glob matching none is named. */
async function inputCrds(workspace, globs) {
    const crds = [];
    const unmatched = [];
    const tooLarge = [];
    for (const glob of globs) {
        const matched = await globFiles(workspace, glob);
        if (matched.length === 0)
            unmatched.push(glob);
        for (const file of matched) {
            const full = require$$2.join(workspace, file);
            // The limit of every YAML file the action reads (docs/threat-model.md): a bigger one is named, not read.
            if ((await require$$1.stat(full)).size > MAX_YAML_BYTES)
                tooLarge.push(file);
            else
                crds.push(...(await crdsOfText(await require$$1.readFile(full, 'utf8'), file)));
        }
    }
    return { crds, unmatched, tooLarge };
}

// A rendered object checked against a structural schema, as the API server reads it with strict field validation
// (what `kubectl apply` asks for, and kubeconform -strict does offline): an unknown field is an error; types,
// enums and required fields are checked; int-or-string, x-kubernetes-preserve-unknown-fields, embedded resources and
// maps (additionalProperties) are honoured. Pure: built-in kinds (schema/builtin.ts) and CRD versions
// (schema/crd.ts) are both read into `Schema`; value constraints (pattern, minimum, CEL rules, …) are the API
// server's business and not judged here.
const SIMPLE_KEY = /^[A-Za-z_$][\w$-]*$/;
/** `spec.template.spec.containers[0].image`, `metadata.annotations["a.b/c"]`. */
function formatPath(path) {
    let out = '';
    for (const segment of path) {
        if (typeof segment === 'number')
            out += `[${segment}]`;
        else if (SIMPLE_KEY.test(segment))
            out += out === '' ? segment : `.${segment}`;
        else
            out += `[${JSON.stringify(segment)}]`;
    }
    return out === '' ? '(root)' : out;
}
function describeValue(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'a list';
    if (typeof value === 'object')
        return 'an object';
    if (typeof value === 'string') {
        const text = value.length > 40 ? `${value.slice(0, 37)}...` : value;
        return `string ${JSON.stringify(text)}`;
    }
    return `${typeof value} ${String(value)}`;
}
function typeMatches(type, value) {
    switch (type) {
        case 'object':
            return isRecord(value);
        case 'array':
            return Array.isArray(value);
        case 'string':
            return typeof value === 'string';
        case 'integer':
            return typeof value === 'number' && Number.isInteger(value);
        case 'number':
            return typeof value === 'number';
        case 'boolean':
            return typeof value === 'boolean';
    }
}
const EMBEDDED_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);
class Checker {
    options;
    problems = [];
    constructor(options) {
        this.options = options;
    }
    add(problem) {
        if (this.problems.length < (this.options.limit ?? 50))
            this.problems.push(problem);
    }
    /** True when nothing was found (for anyOf branches, checked on a scratch checker). */
    check(value, schema, path) {
        const s = schema.resolve ? schema.resolve() : schema;
        // The API server reads a null field as unset.
        if (value === null || value === undefined || s.any)
            return;
        if (s.anyOf && s.anyOf.length > 0) {
            for (const branch of s.anyOf) {
                const scratch = new Checker(this.options);
                scratch.check(value, branch, path);
                if (scratch.problems.length === 0)
                    return;
            }
            this.add({ path, kind: 'type', value, message: `${describeValue(value)} matches none of the allowed types` });
            return;
        }
        if (s.intOrString) {
            if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))
                return;
            this.add({ path, kind: 'type', value, message: `expected an integer or a string, got ${describeValue(value)}` });
            return;
        }
        if (s.type && !typeMatches(s.type, value)) {
            this.add({ path, kind: 'type', value, message: `expected ${s.type}, got ${describeValue(value)}` });
            return;
        }
        if (s.enum && s.enum.length > 0 && !s.enum.some((allowed) => allowed === value)) {
            const allowed = s.enum.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(', ');
            this.add({ path, kind: 'enum', value, message: `${describeValue(value)} is not one of: ${allowed}` });
            return;
        }
        if (Array.isArray(value)) {
            if (s.items)
                value.forEach((item, i) => this.check(item, s.items, [...path, i]));
            return;
        }
        if (isRecord(value))
            this.object(value, s, path);
    }
    object(value, s, path) {
        const properties = s.properties ?? {};
        for (const name of s.required ?? []) {
            if (value[name] === undefined || value[name] === null)
                this.add({ path: [...path, name], kind: 'required', message: 'required field missing' });
        }
        for (const [key, item] of Object.entries(value)) {
            const declared = Object.prototype.hasOwnProperty.call(properties, key) ? properties[key] : undefined;
            if (declared) {
                this.check(item, declared, [...path, key]);
                continue;
            }
            if (s.embeddedResource && EMBEDDED_FIELDS.has(key)) {
                if (key === 'metadata' && this.options.objectMeta)
                    this.check(item, this.options.objectMeta, [...path, key]);
                continue;
            }
            const extra = s.additionalProperties;
            if (typeof extra === 'object')
                this.check(item, extra, [...path, key]);
            else if (extra === true || s.preserveUnknownFields)
                continue;
            else if (s.type === 'object' || s.properties !== undefined)
                this.add({ path: [...path, key], kind: 'unknown-field', message: 'unknown field' });
        }
    }
}
/** Every problem of `value` against `schema` (at most `options.limit`, default 50), in document order. */
function checkAgainst(value, schema, options = {}) {
    const checker = new Checker(options);
    checker.check(value, schema, []);
    return checker.problems;
}

// Where a schema problem is, for its finding: the template that produced the resource (helm's `# Source:`), the line
// there that writes the field, and the values key that line reads (`{{ .Values.x.y }}`), with where that value comes
// from (input `set`, or a line of values.yaml).
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** The template lines of own templates, read once each. */
class ProblemLocator {
    input;
    texts = new Map();
    constructor(input) {
        this.input = input;
    }
    lines(source) {
        let lines = this.texts.get(source);
        if (!lines) {
            const relative = source.slice(this.input.chartName.length + 1);
            lines = require$$1.readFile(require$$2.join(this.input.chartDir, relative), 'utf8').then((text) => text.split('\n'), () => undefined);
            this.texts.set(source, lines);
        }
        return lines;
    }
    /** The location of a problem at `fieldPath` of a document from `source`. */
    async locate(source, fieldPath) {
        const file = repoFileForSource(source, this.input.chartName, this.input.displayChartDir);
        if (!file || !source)
            return {};
        const out = { file };
        const lines = await this.lines(source);
        if (!lines)
            return out;
        // The deepest key of the path that a line of the template writes (`imagePullPolcy:`), else its parents'.
        const keys = fieldPath.filter((s) => typeof s === 'string');
        for (let i = keys.length - 1; i >= 0; i--) {
            const pattern = new RegExp(`^\\s*(?:-\\s+)?["']?${escapeRegExp(keys[i])}["']?\\s*:`);
            const index = lines.findIndex((line) => pattern.test(line));
            if (index === -1)
                continue;
            out.line = index + 1;
            if (i === keys.length - 1)
                this.valueOf(lines[index], source, out);
            return out;
        }
        return out;
    }
    /** The values key the line reads, and where the run's value of it comes from. */
    valueOf(line, source, out) {
        const match = /\.Values\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)/.exec(line);
        if (!match)
            return;
        const subchart = /^[^/]+\/charts\/([^/]+)\//.exec(source);
        const key = subchart ? `${subchart[1]}.${match[1]}` : match[1];
        out.valuesKey = key;
        const args = this.input.valueArgs;
        for (let i = args.length - 2; i >= 0; i -= 2) {
            if (args[i] !== '--set' && args[i] !== '--set-string')
                continue;
            const assignment = args[i + 1];
            if (assignment.startsWith(`${key}=`)) {
                out.valueOrigin = `input set (${assignment})`;
                return;
            }
        }
        const line2 = this.input.values.lineOf(parseDottedPath(key));
        if (line2 !== undefined)
            out.valueOrigin = `${this.input.values.displayPath}:${line2}`;
    }
}

const SCHEMA_STEP = { id: 'schema', title: 'API schemas' };
const RANK = { chart: 0, depends: 1, input: 2 };
function groupOf(apiVersion) {
    const slash = apiVersion.indexOf('/');
    return slash === -1 ? '' : apiVersion.slice(0, slash);
}
/** One check of the whole run: every render's documents go through it; findings de-duplicated per template field. */
class SchemaRun {
    ctx;
    settings;
    builtin;
    findings = [];
    seen = new Set();
    kinds = new Map();
    crds = new Map();
    dependsData = [];
    /** spec.depends renders not in yet; documents without schema wait in `waiting` meanwhile. */
    dependsPending = 0;
    waiting = [];
    missing = new Set();
    locator;
    renders = 0;
    documents = 0;
    failure;
    constructor(ctx, settings, builtin) {
        this.ctx = ctx;
        this.settings = settings;
        this.builtin = builtin;
        this.locator = new ProblemLocator({
            chartDir: ctx.chartDir,
            chartName: ctx.chartName,
            displayChartDir: ctx.displayChartDir,
            values: ctx.values,
            valueArgs: ctx.valueArgs
        });
    }
    addCrds(crds, source) {
        for (const crd of crds) {
            const key = `${crd.apiVersion}/${crd.kind}`;
            const known = this.crds.get(key);
            if (!known || RANK[source] < RANK[known.source])
                this.crds.set(key, { ...crd, source });
        }
    }
    /** `count` spec.depends renders are on their way: documents without schema wait for them. */
    expectDepends(count) {
        this.dependsPending += count;
    }
    /**
     * One spec.depends render is in: its CRDs (or its warning) taken in; once the last is, the documents that waited
     * are checked.
     */
    async dependsRendered(render) {
        this.addCrds(render.crds, 'depends');
        this.dependsData.push({
            blueprint: render.name,
            dir: render.dir,
            crds: new Set(render.crds.map((crd) => `${crd.apiVersion}/${crd.kind}`)).size,
            status: render.problem ? 'failed' : 'rendered',
            durationMs: render.durationMs,
            ...(render.helmMs === undefined ? {} : { helmMs: render.helmMs }),
            together: render.together === true,
            downloads: render.downloads
        });
        if (render.problem)
            this.findings.push(render.problem);
        if (--this.dependsPending > 0)
            return;
        const waiting = this.waiting;
        this.waiting = [];
        for (const entry of waiting)
            await this.withSchema(entry);
    }
    fail(error) {
        this.failure ??= error instanceof Error ? error.message : String(error);
    }
    /** Checks one render's documents (the CRDs it renders are known before its custom resources are checked). */
    async check(documents, optIn = false) {
        this.renders++;
        // `kind: List` documents come as their items (helm/render.ts renderedResources).
        const flat = documents;
        for (const doc of flat)
            this.addCrds(crdSchemas(doc.object, `rendered by ${doc.source ?? 'the chart'}`), 'chart');
        for (const doc of flat)
            await this.document(doc, optIn);
    }
    record(key) {
        if (this.seen.has(key))
            return false;
        this.seen.add(key);
        return true;
    }
    async document(doc, optIn) {
        const { apiVersion, kind } = doc;
        if (!apiVersion || !kind)
            return;
        this.documents++;
        const kindKey = `${apiVersion}/${kind}`;
        const data = this.kinds.get(kindKey) ?? { apiVersion, kind, documents: 0, schema: 'none' };
        data.documents++;
        this.kinds.set(kindKey, data);
        const where = doc.source ?? 'the render';
        const file = repoFileForSource(doc.source, this.ctx.chartName, this.ctx.displayChartDir);
        const version = this.settings.kubeVersion;
        const status = apiStatus(apiVersion, kind, version);
        if (status && this.record(`${where}\0${kindKey}\0api`)) {
            const at = file ? { file, ...(await this.kindLine(doc.source)) } : {};
            if (status.status === 'removed')
                this.findings.push({
                    rule: 'schema-removed-api',
                    severity: 'error',
                    message: `${kind} ${apiVersion} (${where}${doc.name ? `, ${doc.name}` : ''}) is not served by Kubernetes ${version.text}: removed in ${status.removedIn}.`,
                    fix: `Use ${status.replacement}${status.replacement.includes(' ') ? '' : ` ${kind}`} (check the fields that changed between the versions).`,
                    ...at
                });
            else
                this.findings.push({
                    rule: 'schema-deprecated-api',
                    severity: 'warning',
                    message: `${kind} ${apiVersion} (${where}) is deprecated since Kubernetes ${status.deprecatedIn}${status.removedIn ? ` and removed in ${status.removedIn}` : ''}.`,
                    fix: `Move to ${status.replacement}${status.replacement.includes(' ') ? '' : ` ${kind}`}.`,
                    ...at
                });
        }
        if (status?.status === 'removed')
            return;
        await this.withSchema({ doc, file, optIn, data });
    }
    /** Checks a document against its kind's schema; without one, it waits for the spec.depends renders, or is missing. */
    async withSchema(entry) {
        const { doc, file, optIn, data } = entry;
        const { apiVersion = '', kind = '' } = doc;
        const crd = this.crds.get(`${apiVersion}/${kind}`);
        let schema;
        if (crd) {
            schema = crd.schema;
            data.schema = crd.origin;
        }
        else {
            schema = this.builtin.kind(apiVersion, kind);
            if (schema)
                data.schema = 'built-in';
        }
        if (!schema) {
            if (this.dependsPending > 0)
                this.waiting.push(entry);
            else
                this.missingSchema(doc, file, optIn);
            return;
        }
        const problems = checkAgainst(doc.object, schema, { objectMeta: this.builtin.objectMeta });
        for (const problem of problems)
            await this.problem(doc, problem);
    }
    async kindLine(source) {
        const at = await this.locator.locate(source, ['apiVersion']);
        return at.line === undefined ? {} : { line: at.line };
    }
    /**
     * A kind without schema. Seen only in an opt-in render (a toggle off by default: the monitoring kinds, which a
     * fresh cluster does not have by design), it is a notice unless missing-schemas is error.
     */
    missingSchema(doc, file, optIn) {
        const { apiVersion = '', kind = '' } = doc;
        const served = this.builtin.versionsOf(kind).filter((v) => groupOf(v) === groupOf(apiVersion));
        const builtinGroup = served.length > 0;
        if (!builtinGroup && this.settings.missingSchemas === 'off')
            return;
        if (!this.record(`${apiVersion}/${kind}\0missing`))
            return;
        this.missing.add(`${apiVersion}/${kind}`);
        const finding = builtinGroup
            ? {
                rule: 'schema-unknown-api',
                severity: 'error',
                message: `${kind} ${apiVersion} (${doc.source ?? 'the render'}) is not served by Kubernetes ${this.settings.kubeVersion.text}; it serves ${kind} as ${served.join(', ')}.`,
                fix: `Use ${served[served.length - 1]}.`
            }
            : {
                rule: 'schema-missing',
                severity: this.settings.missingSchemas === 'error' ? 'error' : optIn ? 'notice' : 'warning',
                message: `No schema for ${kind} ${apiVersion} (${doc.source ?? 'the render'}${optIn ? ', rendered when opted in' : ''}): no CRD for it in the chart, its dependencies, the blueprints spec.depends names or input crds, so it is not checked.`,
                fix: `Add the blueprint that installs its CRD to blueprint.yaml spec.depends, or give a CRD manifest of ${groupOf(apiVersion) || apiVersion} to input crds (a glob in the workspace); missing-schemas: off silences this.`
            };
        if (file)
            finding.file = file;
        this.findings.push(finding);
    }
    async problem(doc, problem) {
        const field = formatPath(problem.path);
        const where = doc.source ?? 'the render';
        if (!this.record(`${where}\0${field}\0${problem.kind}`))
            return;
        const at = await this.locator.locate(doc.source, problem.path);
        const value = at.valuesKey && (problem.kind === 'type' || problem.kind === 'enum')
            ? ` The value comes from ${at.valuesKey}${at.valueOrigin ? ` (${at.valueOrigin})` : ''}.`
            : '';
        const finding = {
            rule: 'schema',
            severity: 'error',
            message: `${field}: ${problem.message} (${doc.kind} ${doc.name ?? ''} from ${where}, ${doc.apiVersion}).${value}`,
            fix: fixFor(problem, field, at.valuesKey)
        };
        if (at.file)
            finding.file = at.file;
        if (at.line !== undefined)
            finding.line = at.line;
        this.findings.push(finding);
    }
    step(durationMs) {
        const kinds = [...this.kinds.values()].sort((a, b) => a.apiVersion === b.apiVersion ? (a.kind < b.kind ? -1 : 1) : a.apiVersion < b.apiVersion ? -1 : 1);
        const data = {
            kubernetes: this.settings.kubeVersion.text,
            schemas: { kubernetes: this.builtin.kubernetes, origin: this.builtin.origin },
            renders: this.renders,
            documents: this.documents,
            kinds,
            crds: [...this.crds.values()].map((c) => ({ apiVersion: c.apiVersion, kind: c.kind, origin: c.origin })),
            depends: [...this.dependsData].sort((a, b) => (a.dir < b.dir ? -1 : 1)),
            problems: this.findings.filter((f) => f.rule === 'schema').length
        };
        const findings = [...this.findings];
        if (this.failure)
            findings.push({
                rule: 'schema',
                severity: 'error',
                message: `The schema check could not finish: ${this.failure}`,
                fix: 'Report this as a bug of the action, with the blueprint that shows it.'
            });
        const errors = findings.filter((f) => f.severity === 'error').length;
        const warnings = findings.filter((f) => f.severity === 'warning').length;
        const parts = [
            `${this.documents} documents of ${this.renders} render${this.renders === 1 ? '' : 's'} against Kubernetes ${this.settings.kubeVersion.text}`
        ];
        if (this.crds.size > 0) {
            // Which spec.depends blueprints gave CRDs the check uses, e.g. `6 CRDs (2 from spec.depends: bp-cnpg)`.
            const fromDepends = [...this.crds.values()].filter((crd) => crd.source === 'depends').length;
            const givers = data.depends.filter((d) => d.status === 'rendered' && d.crds > 0).map((d) => d.blueprint);
            parts.push(`${this.crds.size} CRD${this.crds.size === 1 ? '' : 's'}${fromDepends > 0 ? ` (${fromDepends} from spec.depends: ${givers.join(', ')})` : ''}`);
        }
        if (errors > 0)
            parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
        if (this.missing.size > 0)
            parts.push(`${this.missing.size} kind${this.missing.size === 1 ? '' : 's'} without schema`);
        else if (warnings > 0)
            parts.push(`${warnings} warning${warnings === 1 ? '' : 's'}`);
        if (errors === 0 && warnings === 0)
            parts.push('all valid');
        return { ...SCHEMA_STEP, status: statusOf(findings), durationMs, summary: parts.join(', '), findings, data };
    }
}
function fixFor(problem, field, valuesKey) {
    switch (problem.kind) {
        case 'unknown-field':
            return `Remove ${field} or correct its spelling: the API rejects fields it does not know (kubectl apply and Flux fail on it).`;
        case 'required':
            return `Set ${field}: the API requires it.`;
        default:
            return valuesKey
                ? `Give ${valuesKey} a value of the right type (a number without quotes for an integer; --set-string only for strings).`
                : `Correct the value of ${field} in the template.`;
    }
}

/** The documents of an opt-in render that the default render does not have (those were checked already). */
function newDocuments(outcome, seen) {
    if (outcome.result.exitCode !== 0)
        return [];
    const fresh = splitRenderBySource(outcome.result.stdout)
        .filter((chunk) => !seen.has(chunk.text))
        .map((chunk) => chunk.text);
    return fresh.length === 0 ? [] : parseRenderDetailed(fresh.join('')).documents;
}
/** Starts loading the built-in schemas of the run's Kubernetes version (what the gate reads first), before the gates. */
function preloadSchemas(kubeVersion) {
    loadBuiltinSchemas(schemaMinorFor(kubeVersion)).catch(() => undefined); // the gate's own load says what went wrong
}
/** The gate: checks planned on the renders' jobs (see the header); finish() waits for them and assembles. */
const schemaGate = {
    id: SCHEMA_STEP.id,
    async plan(pc) {
        const { ctx } = pc;
        const settings = ctx.schema;
        if (!settings)
            return {
                jobs: [],
                finish: () => ({ step: { ...SCHEMA_STEP, status: 'skipped', durationMs: 0, summary: 'skipped', findings: [] } })
            };
        const started = performance.now();
        let busyMs = 0;
        const timed = async (work) => {
            const start = performance.now();
            try {
                await work();
            }
            catch (error) {
                run?.fail(error);
            }
            finally {
                busyMs += performance.now() - start;
            }
        };
        let run;
        // The workspace index is read once per run (the blueprint.yaml step has read it already when spec.depends names any).
        const targets = settings.depends
            ? dependsTargets(settings.depends).catch((error) => error instanceof Error ? error : new Error(String(error)))
            : Promise.resolve([]);
        const setup = (async () => {
            const [builtin, own, input, depends] = await Promise.all([
                loadBuiltinSchemas(schemaMinorFor(settings.kubeVersion)),
                chartCrds(ctx.chartDir, ctx.displayChartDir),
                inputCrds(settings.workspace, settings.crdGlobs),
                targets
            ]);
            run = new SchemaRun(ctx, settings, builtin);
            run.addCrds(own, 'chart');
            run.addCrds(input.crds, 'input');
            if (depends instanceof Error)
                run.findings.push({
                    rule: 'schema-depends',
                    severity: 'warning',
                    message: `The blueprints spec.depends names could not be looked up in the workspace: ${depends.message}`,
                    fix: 'Check input discover-glob and the blueprint folders it matches.'
                });
            else
                run.expectDepends(depends.length);
            for (const file of input.tooLarge)
                run.findings.push({
                    rule: 'schema-crds',
                    severity: 'warning',
                    message: `Input crds: ${file} is over 5 MiB and was not read.`,
                    fix: 'Split it into one file per CRD, or name only the CRDs the blueprint uses.',
                    file
                });
            for (const glob of input.unmatched)
                run.findings.push({
                    rule: 'schema-crds',
                    severity: 'warning',
                    message: `Input crds: ${glob} matches no file in the workspace.`,
                    fix: 'Give a glob relative to the workspace, e.g. platform/crds/*.yaml.'
                });
            return run;
        })();
        setup.catch(() => undefined); // read by every check below
        let seen;
        const defaultChecked = new Promise((resolve) => {
            pc.defaultRender.after((outcome) => timed(async () => {
                const check = await setup;
                if (outcome.result.exitCode === 0) {
                    seen = new Set(splitRenderBySource(outcome.result.stdout).map((chunk) => chunk.text));
                    await check.check(outcome.documents);
                }
            }).finally(resolve));
        });
        const optIn = [];
        pc.optInRenders.subscribe((outcome) => {
            const done = timed(async () => {
                const check = await setup;
                await defaultChecked;
                if (seen)
                    await check.check(newDocuments(outcome, seen), true);
            });
            optIn.push(done);
            return done;
        });
        // The spec.depends blueprints of the workspace: built and rendered in the pool beside the renders, in one helm
        // process when they can be (schema-depends.ts; the index is read by now: setup waits for the same promise).
        const found = await targets;
        const jobs = [];
        if (settings.depends && Array.isArray(found) && found.length > 0)
            jobs.push(...dependsJobs(ctx, {
                settings: settings.depends,
                workspace: settings.workspace,
                targets: found,
                archives: dependsArchives(settings.depends),
                done: (render) => timed(async () => (await setup).dependsRendered(render))
            }));
        return {
            jobs,
            async finish() {
                await defaultChecked;
                await Promise.all(optIn);
                const check = await setup.catch((error) => error);
                if (!(check instanceof SchemaRun)) {
                    const message = check instanceof Error ? check.message : String(check);
                    return {
                        step: {
                            ...SCHEMA_STEP,
                            status: 'failed',
                            durationMs: Math.round(performance.now() - started),
                            summary: `schemas could not be loaded: ${message}`,
                            findings: [{ rule: 'schema', severity: 'error', message: `The schema check could not start: ${message}` }]
                        }
                    };
                }
                if (pc.defaultRender.get().result.exitCode !== 0)
                    return {
                        step: {
                            ...SCHEMA_STEP,
                            status: 'skipped',
                            durationMs: 0,
                            summary: 'skipped: the default render failed',
                            findings: []
                        }
                    };
                return { step: check.step(Math.round(busyMs)) };
            }
        };
    }
};

/** The gates, in the order of their steps. */
const GATES = [
    renderGate,
    lintGate,
    observabilityGate,
    neverLatestGate,
    imagesGate,
    schemaGate,
    chartTestsGate
];
/** A gate's step with its typed data, or undefined when the result has no such step. */
function gateStep(result, id) {
    return result.steps.find((step) => step.id === id);
}
async function runGates(ctx) {
    const templateArgs = (extra, withRunValues = true) => [
        'template',
        ctx.releaseName,
        ctx.chartDir,
        '--namespace',
        ctx.namespace,
        ...kubeVersionArgs(ctx),
        ...(withRunValues ? ctx.valueArgs : []),
        ...extra
    ];
    const defaultRender = renderJob(ctx.helm, 'render:default', templateArgs([]));
    const pc = { ctx, templateArgs, defaultRender, optInRenders: new RenderFeed() };
    // Each gate's jobs join the pool as soon as it has planned (the chart tests first, see JobPool).
    const start = performance.now();
    const pool = new JobPool(ctx.concurrency);
    // Gates that start first plan first, alone, and hold the pool: the others plan once their jobs (the chart tests)
    // have started, so that none of the others' planning (~20 ms of node's CPU: values walked, files globbed, schemas
    // set up) runs before the first process. No job of theirs could start earlier: the pool is held until then.
    const planOrder = [...GATES.filter((g) => g.startsFirst), ...GATES.filter((g) => !g.startsFirst)];
    const releases = planOrder.map((gate) => (gate.startsFirst ? pool.hold() : undefined));
    pool.add([defaultRender.job]);
    const planGate = async (gate, i) => {
        try {
            const plan = await gate.plan(pc);
            pool.add(plan.jobs);
            return plan;
        }
        finally {
            releases[i]?.();
        }
    };
    const firstCount = planOrder.filter((g) => g.startsFirst).length;
    const first = await Promise.allSettled(planOrder.slice(0, firstCount).map(planGate));
    const rest = await Promise.allSettled(planOrder.slice(firstCount).map((gate, i) => planGate(gate, firstCount + i)));
    const settled = [...first, ...rest];
    const planned = GATES.map((gate) => settled[planOrder.indexOf(gate)]);
    const plans = planned.flatMap((p) => (p.status === 'fulfilled' ? [p.value] : []));
    const failedPlan = planned.find((p) => p.status === 'rejected');
    if (failedPlan)
        pool.fail(failedPlan.reason);
    const jobs = await pool.finish(); // throws a failed job's or plan's error once nothing runs
    const wallMs = Math.round(performance.now() - start);
    const outputs = await Promise.all(plans.map(async (plan) => plan.finish()));
    const render = defaultRender.get();
    const out = {
        steps: outputs.map((o) => o.step),
        stats: {
            jobs,
            helmProcesses: jobs.filter((s) => s.kind === 'helm').length,
            scripts: jobs.filter((s) => s.kind === 'script').length,
            wallMs
        }
    };
    if (render.result.exitCode === 0)
        out.defaultRender = render.documents;
    const images = outputs.find((o) => o.images)?.images;
    if (images)
        out.images = images;
    return out;
}
/**
 * Starts loading what the gates read first while the dependency build runs (run/chart-steps.ts), so that it is not
 * compiled at the start of the gates, when the chart tests and the first renders start: the built-in schemas.
 */
function preloadGates(kubeVersion) {
    preloadSchemas(kubeVersion);
}

/** Docker Hub's API host differs from its image domain. */
function registryHostOf(domain) {
    return domain === 'docker.io' ? 'registry-1.docker.io' : domain;
}
async function suggestPin(image) {
    const parsed = tryParseImageRef(image);
    if ('error' in parsed)
        return { image, error: parsed.error.message };
    const ref = parsed.ref;
    const tag = ref.tag ?? 'latest';
    const host = registryHostOf(ref.domain);
    try {
        // Loopback registries (tests, local mirrors) speak plain HTTP; nothing else does.
        const client = new RegistryClient({ host, plainHttp: isLoopbackHost(host), retries: 1, baseDelayMs: 200 });
        const found = await client.manifest(ref.path, tag);
        if (!found.exists)
            return { image, error: `${ref.familiar}:${tag} is not in ${host}` };
        return { image, pinned: `${ref.familiar}:${tag}@${found.digest}` };
    }
    catch (error) {
        return { image, error: error.message.split('\n')[0] };
    }
}
/**
 * Looks up every failing image of the images step concurrently and records the
 * pinned reference as data of the step (ImageData.pinned); reporting puts it
 * into the images table and into the findings' copy-paste snippets.
 */
async function addPinSuggestions(step) {
    const failing = [
        ...new Set((step.data?.images ?? []).filter((image) => !image.ok && image.image !== '').map((image) => image.image))
    ];
    const suggestions = await Promise.all(failing.map((image) => suggestPin(image)));
    for (const suggestion of suggestions) {
        for (const image of step.data?.images ?? []) {
            if (image.image !== suggestion.image)
                continue;
            if (suggestion.pinned)
                image.pinned = suggestion.pinned;
            else if (suggestion.error)
                image.pinError = suggestion.error;
        }
    }
    return suggestions;
}

// The OCI artifact `helm push` makes of a chart archive (Helm 3.17 and 4.1 write
// the same): a config blob with the chart's metadata as JSON, the archive as
// the one layer, and a manifest with helm's annotations. `created` is the
// archive's mtime (the commit time), so one commit gives one manifest digest.
const HELM_CONFIG = 'application/vnd.cncf.helm.config.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
function sha256(data) {
    return `sha256:${require$$0$1.createHash('sha256').update(data).digest('hex')}`;
}
/** Go's encoding/json: struct fields in order (as given), map keys sorted, <, > and & escaped. */
function goJson(value, sortKeys) {
    const sorted = (v, sort) => {
        if (Array.isArray(v))
            return v.map((item) => sorted(item, false));
        if (typeof v !== 'object' || v === null)
            return v;
        const entries = Object.entries(v);
        if (sort)
            entries.sort(([a], [b]) => compareCodePoints(a, b));
        // Only `annotations` is a Go map in chart metadata; every other object is a struct.
        return Object.fromEntries(entries.map(([k, item]) => [k, sorted(item, k === 'annotations')]));
    };
    return JSON.stringify(sorted(value, sortKeys))
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e')
        .replace(/&/g, '\\u0026')
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029');
}
/** Go's time.Format(time.RFC3339) in the process's time zone, as helm formats the archive's mtime. */
function goRfc3339Local(epochSeconds) {
    const date = new Date(epochSeconds * 1000);
    const offset = -date.getTimezoneOffset();
    const pad = (n) => String(n).padStart(2, '0');
    const local = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
    if (offset === 0)
        return `${local}Z`;
    const abs = Math.abs(offset);
    return `${local}${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}
/** helm's generateOCIAnnotations: chart attributes, then the chart's own annotations (title and version kept). */
function helmAnnotations(metadata, created) {
    const text = (key) => (typeof metadata[key] === 'string' ? metadata[key] : '');
    const annotations = {};
    const add = (key, value) => {
        if (value.trim())
            annotations[key] = value;
    };
    add('org.opencontainers.image.description', text('description'));
    add('org.opencontainers.image.title', text('name'));
    add('org.opencontainers.image.version', text('version'));
    add('org.opencontainers.image.url', text('home'));
    add('org.opencontainers.image.created', created);
    const sources = metadata.sources;
    if (Array.isArray(sources) && typeof sources[0] === 'string')
        add('org.opencontainers.image.source', sources[0]);
    const maintainers = metadata.maintainers;
    if (Array.isArray(maintainers) && maintainers.length) {
        const authors = maintainers
            .map((m) => {
            const { name, email } = m;
            return `${name ?? ''}${email ? ` (${email})` : ''}`;
        })
            .join(', ');
        add('org.opencontainers.image.authors', authors);
    }
    const own = metadata.annotations;
    if (own && typeof own === 'object' && !Array.isArray(own)) {
        for (const [key, value] of Object.entries(own)) {
            if (key === 'org.opencontainers.image.version' || key === 'org.opencontainers.image.title')
                continue;
            annotations[key] = value;
        }
    }
    return annotations;
}
/** Config, layer and manifest bytes exactly as `helm push` writes them for this archive. */
function helmArtifact(packaged, layer) {
    if (!packaged.metadata)
        throw new Error('helmArtifact needs the chart metadata');
    const config = Buffer.from(goJson(packaged.metadata, false), 'utf8');
    const configDigest = sha256(config);
    const manifest = Buffer.from(goJson({
        schemaVersion: 2,
        config: { mediaType: HELM_CONFIG, digest: configDigest, size: config.length },
        layers: [{ mediaType: HELM_CHART_LAYER, digest: packaged.layerDigest, size: layer.length }],
        annotations: helmAnnotations(packaged.metadata, goRfc3339Local(packaged.epoch))
    }, false), 'utf8');
    return { config, configDigest, layer, manifest, manifestDigest: sha256(manifest), manifestMediaType: OCI_MANIFEST };
}

/** `Digest: sha256:…` is on stderr for some helm versions and stdout for others. */
function parsePushedDigest(result) {
    return /Digest:\s*(sha256:[0-9a-f]{64})/.exec(`${result.stdout}\n${result.stderr}`)?.[1];
}
const TRANSIENT = /\b(50[0234]|429)\b|Service Unavailable|Bad Gateway|Gateway Timeout|Too Many Requests|connection reset|broken pipe|\bEOF\b|i\/o timeout|connection refused|TLS handshake timeout/i;
// "permission denied" is a local file error, not the registry refusing credentials.
const AUTH = /\b(401|403)\b|unauthorized|(?<!permission )denied|authentication required|forbidden/i;
function isTransientHelmFailure(text) {
    return TRANSIENT.test(text) && !AUTH.test(text);
}
async function loginRegistry(helm, host, credentials, plainHttp) {
    const result = await helm.registryLogin(host, credentials, plainHttp);
    if (result.exitCode !== 0) {
        throw new ActionError(`registry ${host} refused the login of user ${credentials.username}: ${lastLines(redact(result.stderr || result.stdout), 2)}`, 'check registry-username and registry-password (for ghcr.io: a token with write:packages)');
    }
}
async function publishWithHelm(helm, options, client, repository) {
    const { target } = options;
    if (options.credentials)
        await loginRegistry(helm, target.host, options.credentials, target.plainHttp);
    const plain = target.plainHttp ? ['--plain-http'] : [];
    return runPublish(options, client, repository, async () => {
        const push = await withRetry(async () => {
            const result = await helm.run(['push', options.packaged.archive, target.url, ...plain], {
                what: `helm push to ${target.host}`,
                limitMs: OPERATION_LIMITS.registryWrite
            });
            if (result.exitCode !== 0)
                throw new PushFailure(result);
            return result;
        }, {
            retries: options.retries ?? 4,
            baseDelayMs: options.baseDelayMs ?? 500,
            isRetryable: (error) => error instanceof PushFailure && isTransientHelmFailure(error.result.stderr + error.result.stdout)
        }).catch((error) => {
            if (error instanceof PushFailure)
                return error.result;
            throw error;
        });
        if (push.exitCode !== 0) {
            const text = redact(push.stderr || push.stdout);
            return { failed: { message: lastLines(text, 3), details: text, auth: AUTH.test(text) } };
        }
        const digest = parsePushedDigest(push);
        if (!digest) {
            return {
                failed: {
                    message: 'helm push succeeded but printed no Digest: line',
                    details: redact(push.stdout + push.stderr),
                    auth: false
                }
            };
        }
        return { digest };
    });
}
class PushFailure extends Error {
    result;
    constructor(result) {
        super(lastLines(result.stderr || result.stdout, 2));
        this.result = result;
    }
}

// Publishes the packaged chart in two steps, so uploads overlap the gates:
// stagePublish uploads the config and chart blobs through the registry API at
// once, and commit() pushes the manifest (push.ts: never over other content,
// pulled back, tag read back); a chart packaged by helm is pushed by helm
// (helm-push.ts) on commit().
function stagePublish(options) {
    const { work, packaged, target } = options;
    const repository = chartRepository(target, work.name);
    const settings = {
        host: target.host,
        plainHttp: target.plainHttp,
        credentials: options.credentials,
        retries: options.retries ?? 4,
        baseDelayMs: options.baseDelayMs ?? 500
    };
    const client = new RegistryClient(settings);
    // Uploads may take longer than a read: each request gets the registry-write limit.
    const writer = new RegistryClient({ ...settings, timeoutMs: OPERATION_LIMITS.registryWrite });
    // Shapes packaged by helm have no metadata in node: helm pushes those (no staging).
    const artifact = packaged.metadata
        ? require$$1.readFile(packaged.archive).then((layer) => helmArtifact(packaged, layer))
        : undefined;
    const upload = (a) => Promise.all([
        writer.pushBlob(repository, a.configDigest, a.config),
        writer.pushBlob(repository, packaged.layerDigest, a.layer)
    ]).then(() => undefined);
    // Uploads only for a tag that does not exist yet (or is to be replaced): a re-run writes nothing, and
    // what commit() decides about a published version is decided before any write. Settles without
    // throwing: commit() asks the registry again and says what went wrong (uploading again after a failure).
    const staged = artifact
        ?.then(async (a) => {
        if (!options.overwrite && (await client.manifest(repository, ociTag(work.version))).exists)
            return false;
        await upload(a);
        return true;
    })
        .catch(() => false);
    return {
        commit: async () => {
            if (!artifact)
                return publishWithHelm(options.helm, options, client, repository);
            const uploaded = await staged;
            const a = await artifact;
            return runPublish(options, client, repository, async () => {
                if (!uploaded)
                    await upload(a);
                return { digest: await writer.putManifest(repository, ociTag(work.version), a.manifest, a.manifestMediaType) };
            });
        },
        abandon: async () => {
            await staged;
        }
    };
}

// Stage: the gates (gates/index.ts) and the package (oci/package.ts packageChart) concurrently on the built work
// copy, the base commit's render beside them for "What changes" (diff/base.ts), then resolve-digests' pins on a
// failed images step (oci/digests.ts).
/** Starts loading what the gates read first (gates/index.ts preloadGates): called while the dependency build runs. */
function preloadChecks(ctx) {
    preloadGates(ctx.inputs.kubernetesVersion);
}
async function checkStep(ctx, build, valueArgs, epoch, upstreamName, 
/** Told once the package is there (undefined when packaging failed): a pull request's publish preview compares. */
onPackaged, 
/** The schema gate renders the blueprints spec.depends names, looked up here (none looked up without it). */
workspaceIndex) {
    const { inputs, blueprint, helm, folders } = ctx;
    const { work, built } = build;
    // The blueprints spec.depends names are rendered for their CRDs (gates/schema-depends.ts), their archives
    // fetched as the run's own build fetched its own (build.options), the run's own archives reused.
    const depends = workspaceIndex && blueprint.manifest && blueprint.manifest.depends.length > 0
        ? {
            manifest: blueprint.manifest,
            ownDir: blueprint.dir,
            index: workspaceIndex,
            fetch: build.options,
            ownBuild: { chartDir: work.dir, dependencies: work.dependencies, built }
        }
        : undefined;
    // The base commit's render for "What changes" runs beside the gates (src/diff/base.ts); a notice at worst.
    const baseDiff = startBaseDiff({
        setting: inputs.diff,
        eventName: ctx.event.eventName,
        payload: ctx.event.payload,
        workspace: inputs.workspace,
        blueprint: inputs.blueprint,
        chart: inputs.chart,
        upstream: upstreamName ?? '', // the chosen upstream (input, values.yaml or the only non-library dependency)
        helm,
        workRoot: folders.root,
        headWork: work,
        headBuilt: built,
        build: build.options,
        // The base renders for the same release as the head (`.Capabilities.KubeVersion` alike on both sides).
        valueArgs: ['--kube-version', inputs.kubernetesVersion.text, ...valueArgs],
        releaseName: work.name,
        namespace: `smoke-${work.name}`,
        outputDir: folders.output,
        imageFields: inputs.imageFields
    });
    await baseDiff?.credentialsReleased; // no repository credentials in any helm home once chart tests start
    // Both sides settle before anything is thrown: the work folder is removed
    // after a failure, and must not be while helm or a script still works in it.
    const [gatesOutcome, packagedOutcome] = await Promise.allSettled([
        runGates({
            helm,
            chartDir: work.dir,
            chartName: work.name,
            scriptRoot: folders.chartTests,
            displayChartDir: blueprint.chartDir,
            workspace: inputs.workspace,
            values: blueprint.values,
            // The upstream's key stays the upstream's even when it is not (yet) a dependency.
            // Local file:// subcharts are the blueprint's own: their images stay checked.
            dependencyKeys: [
                ...new Set([
                    ...work.dependencies
                        .filter((dep) => !dep.repository.startsWith('file://'))
                        .map((dep) => dep.alias ?? dep.name),
                    inputs.upstream
                ].filter(Boolean))
            ],
            valueArgs,
            releaseName: work.name,
            namespace: `smoke-${work.name}`,
            lintValuesGlob: inputs.lintValues || undefined,
            toggles: inputs.observabilityToggles,
            imagePolicy: inputs.imagePolicy,
            imageAllowlist: inputs.imageAllowlist,
            imageFields: inputs.imageFields,
            chartTests: inputs.chartTests,
            yieldCpusToChartTests: true,
            neverLatest: inputs.neverLatest,
            chartYaml: blueprint.chartYaml,
            kubeVersion: inputs.kubernetesVersion.text,
            schema: {
                kubeVersion: inputs.kubernetesVersion,
                missingSchemas: inputs.missingSchemas,
                crdGlobs: inputs.crds,
                workspace: inputs.workspace,
                ...(depends ? { depends } : {})
            }
        }),
        // Blobs upload while the gates run; only commit() (once every gate passed) tags the chart.
        packageChart(helm, work, folders.package, epoch, built).then((packaged) => {
            onPackaged?.(packaged.packaged);
            return {
                ...packaged,
                staged: ctx.mode === 'publish' && ctx.registry && packaged.packaged
                    ? stagePublish({
                        helm,
                        work,
                        packaged: packaged.packaged,
                        target: ctx.registry,
                        credentials: ctx.credentials.registry,
                        overwrite: inputs.overwrite,
                        built
                    })
                    : undefined
            };
        }, (error) => {
            onPackaged?.(undefined);
            throw error;
        })
    ]);
    // Nothing runs in the gates' folder any more (the pool ends only once its processes have): it goes now.
    const scratchRemoved = require$$1.rm(folders.chartTests, { recursive: true, force: true }).catch(() => undefined);
    const headRender = gatesOutcome.status === 'fulfilled' ? gatesOutcome.value.defaultRender : undefined;
    const diff = await baseDiff?.compare(headRender); // after the base settled, before anything is thrown
    if (gatesOutcome.status === 'rejected') {
        if (packagedOutcome.status === 'fulfilled')
            await packagedOutcome.value.staged?.abandon(); // nothing tagged
        return { steps: [], error: gatesOutcome.reason, diff, scratchRemoved };
    }
    if (packagedOutcome.status === 'rejected')
        return { steps: [], error: packagedOutcome.reason, diff, scratchRemoved };
    const [gates, packaged] = [gatesOutcome.value, packagedOutcome.value];
    const imagesStep = gateStep(gates, 'images');
    try {
        if (inputs.resolveDigests && imagesStep?.status === 'failed')
            await addPinSuggestions(imagesStep);
    }
    catch (error) {
        await packaged.staged?.abandon();
        return { steps: [], error, diff, scratchRemoved };
    }
    return {
        steps: [...gates.steps, packaged.step],
        images: gates.images,
        packaged: packaged.packaged,
        staged: packaged.staged,
        diff,
        scratchRemoved
    };
}

export { checkStep, preloadChecks };
