import { r as redact, i as info, f as formatDuration$1, a as reportSubject, b as require$$1, c as require$$2, d as redactDeep, e as require$$0, g as error, w as warning, n as notice, s as summary, h as debug, A as ACTION_NAME, j as isRecord, k as writeOutputs, l as runOutputs } from './action.js';
import { w as withGitHubRetry, G as GitHubApiError, c as classifyGitHubFault } from './github-retry.js';
import './_builtin-require.js';
import 'node:module';

// GitHub specifics: the pull request of an event, and the one PR comment per chart that is updated in place.
// (Which mode an event asks for is a run setting: run/settings.ts decideMode.)
/**
 * @actions/github (octokit, and undici behind it) is loaded only when a comment is written: most of the
 * bundle's start-up cost, and a run without a PR comment never needs it.
 */
async function octokitFor(token, options) {
    const { getOctokit } = await import('./github.js');
    return getOctokit(token, options);
}
const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);
/** Owner, repository and PR number of a pull_request / pull_request_target event; undefined otherwise. */
function prContext(context) {
    if (!PR_EVENTS.has(context.eventName))
        return undefined;
    const payload = context.payload ?? {};
    // Webhook payloads are untyped JSON: each value read here is type-checked before use.
    /* eslint-disable @typescript-eslint/no-unsafe-member-access */
    const number = payload.pull_request?.number ?? payload.number;
    if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0)
        return undefined;
    let owner = payload.repository?.owner?.login;
    let repo = payload.repository?.name;
    /* eslint-enable @typescript-eslint/no-unsafe-member-access */
    if (typeof owner !== 'string' || typeof repo !== 'string') {
        try {
            // Context.repo reads GITHUB_REPOSITORY and throws without it.
            const r = context.repo;
            owner = r?.owner;
            repo = r?.repo;
        }
        catch {
            return undefined;
        }
    }
    if (typeof owner !== 'string' || typeof repo !== 'string' || !owner || !repo)
        return undefined;
    return { owner, repo, issueNumber: number };
}
/** GitHub's cap on a comment body. */
const MAX_BODY = 65_536;
/** What a failed call came to (util/github-retry.ts): the retries' last fault, or the error read the same way. */
function faultOf(err) {
    return err instanceof GitHubApiError ? err.fault : classifyGitHubFault(err);
}
function warningFor(what, err) {
    const fault = faultOf(err);
    if (fault.kind === 'permission' || fault.kind === 'not-found') {
        return redact(`could not ${what} (${fault.text}). The token cannot write comments here — a pull request from a fork gets a read-only token; ` +
            'give the job `permissions: pull-requests: write` for same-repository PRs. The findings are in the job summary.');
    }
    if (fault.kind === 'rate-limit') {
        return redact(`could not ${what} (${fault.text}). GitHub's API rate limit for this token is spent: not a permission problem, ` +
            'the token may write comments; a later run writes it. The findings are in the job summary.');
    }
    return redact(`could not ${what} (${fault.text}). The findings are in the job summary.`);
}
/** A write refused for this comment only (written by another token, or deleted meanwhile): try the next one. */
const refusedStatus = (err) => {
    const fault = faultOf(err);
    return (fault.kind === 'permission' && fault.status === 403) || fault.kind === 'not-found' ? fault.status : undefined;
};
/** The body as posted: the marker is its first line (ownComments only takes comments that start with it). */
function withMarker(body, marker) {
    let text = body.startsWith(marker) ? body : `${marker}\n${body}`;
    text = redact(text);
    if (text.length > MAX_BODY) {
        const note = '\n\n_… truncated; full report in the job summary_\n';
        text = text.slice(0, MAX_BODY - note.length) + note;
    }
    return text;
}
/** True when the comment's body starts with the marker (a marker quoted later in a comment does not count). */
function startsWithMarker(comment, marker) {
    return marker !== '' && typeof comment.body === 'string' && comment.body.startsWith(marker);
}
/**
 * The comments this action may edit or delete, in the order they are tried.
 *
 * Ownership rule — a marker is text anyone can type, so the marker alone
 * proves nothing; we never edit a human's comment we cannot prove is ours:
 *
 * 1. the body must START with the marker (the action always writes it as the
 *    first line), and
 * 2. the author must be a bot (`user.type === 'Bot'`: the GITHUB_TOKEN writes
 *    as `github-actions[bot]`, a GitHub App token as `<app>[bot]`; a human
 *    account can never have that type), or the account the token itself
 *    belongs to (`self`: the login `GET /user` returns for a personal access
 *    token; GITHUB_TOKEN and app tokens cannot call `GET /user`, so for them
 *    `self` is undefined and only bot comments qualify).
 *
 * `marker` may be several: the current one first, then those earlier versions
 * wrote. Comments by `self` come first (the token can certainly edit them), then
 * bot comments; within each, the current marker's, then oldest first.
 */
function ownComments(comments, marker, self) {
    const markers = typeof marker === 'string' ? [marker] : marker;
    const markerRank = (c) => markers.findIndex((m) => startsWithMarker(c, m));
    const bySelf = (c) => self !== undefined && self !== '' && c.user?.login === self;
    return comments
        .filter((c) => markerRank(c) >= 0 && (bySelf(c) || c.user?.type === 'Bot'))
        .sort((a, b) => Number(bySelf(b)) - Number(bySelf(a)) || markerRank(a) - markerRank(b) || a.id - b.id);
}
/**
 * The REST client for the PR comment: every request (pages of a list included) through the action's GitHub retry
 * policy (util/github-retry.ts: 5xx, no answer and rate limits retried, each request bounded). The comment is part of
 * the report: it gets the report's slice of time even when the run's work budget is spent.
 */
async function commentClient(token, apiUrl) {
    const octokit = await octokitFor(token, { baseUrl: apiUrl.replace(/\/+$/, '') });
    octokit.hook.wrap('request', (request, options) => withGitHubRetry(async (signal) => {
        // Set in place: a copy of the options is not the request octokit sends (the signal would be lost).
        options.request = Object.assign(options.request ?? {}, { signal });
        return request(options);
    }, {
        phase: 'report',
        onRetry: (fault, attempt, waitMs) => info(redact(`GitHub API: ${options.method} ${options.url}: ${fault.text}; trying again in ${formatDuration$1(waitMs)} (attempt ${attempt + 1})`))
    }));
    return octokit;
}
/**
 * The marked comments of an issue that are ours (ownComments). Only when a marked
 * comment is not a bot's is it worth asking who the token is: a personal access
 * token's own comments are then ours too (GITHUB_TOKEN and app tokens get 403).
 */
async function listOwnComments(octokit, where, issueNumber, markers) {
    const all = await octokit.paginate(octokit.rest.issues.listComments, {
        ...where,
        issue_number: issueNumber,
        per_page: 100
    });
    let self;
    if (all.some((c) => markers.some((m) => startsWithMarker(c, m)) && c.user?.type !== 'Bot')) {
        try {
            self = (await octokit.rest.users.getAuthenticated()).data.login;
        }
        catch {
            self = undefined; // unknown self: only bot comments are ours
        }
    }
    return ownComments(all, markers, self);
}
/**
 * Creates, updates in place, or recreates the one PR comment that carries
 * `marker` as its first line and is ours by the rule of ownComments. Never
 * throws for API errors: a missing token, a read-only fork token (403/404) or
 * any other failure comes back as `warning`.
 */
async function upsertComment(opts) {
    if (opts.mode === 'off')
        return { action: 'skipped' };
    const unusable = tokenProblem(opts.token);
    if (unusable)
        return { action: 'skipped', warning: unusable };
    if (!opts.marker)
        throw new Error('upsertComment: marker is empty');
    const body = withMarker(opts.body, opts.marker);
    const octokit = await commentClient(opts.token, opts.apiUrl);
    const where = { owner: opts.owner, repo: opts.repo };
    let ours;
    try {
        ours = await listOwnComments(octokit, where, opts.issueNumber, [opts.marker, ...(opts.formerMarkers ?? [])]);
    }
    catch (err) {
        return { action: 'skipped', warning: warningFor(`list the comments of #${opts.issueNumber}`, err) };
    }
    const create = async (action, note) => {
        try {
            const { data } = await octokit.rest.issues.createComment({ ...where, issue_number: opts.issueNumber, body });
            return note ? { action, id: data.id, warning: note } : { action, id: data.id };
        }
        catch (err) {
            return { action: 'skipped', warning: warningFor(`create the PR comment on #${opts.issueNumber}`, err) };
        }
    };
    /** Deletes comments; a 404 means already gone. Returns a warning on other failures. */
    const remove = async (ids) => {
        for (const id of ids) {
            try {
                await octokit.rest.issues.deleteComment({ ...where, comment_id: id });
            }
            catch (err) {
                if (faultOf(err).kind === 'not-found')
                    continue;
                return warningFor(`delete the old PR comment ${id}`, err);
            }
        }
        return undefined;
    };
    if (opts.mode === 'recreate') {
        const warning = await remove(ours.map((c) => c.id));
        if (warning)
            return { action: 'skipped', warning };
        return create(ours.length > 0 ? 'recreated' : 'created');
    }
    // Update the first comment the token can write. A 403/404 (written by
    // another bot or token, or deleted meanwhile) moves on to the next one and,
    // when none is left, to a new comment; the next run then finds that one.
    const refused = [];
    for (const [i, candidate] of ours.entries()) {
        // Nothing changed: nothing is sent (no edit, no notification, no rate limit spent).
        if (i === 0 && candidate.body === body) {
            const warning = await remove(ours.slice(1).map((c) => c.id));
            return warning ? { action: 'unchanged', id: candidate.id, warning } : { action: 'unchanged', id: candidate.id };
        }
        try {
            const { data } = await octokit.rest.issues.updateComment({ ...where, comment_id: candidate.id, body });
            // Earlier runs racing each other may have left a second comment: keep one.
            // The refused ones are left alone: the token cannot delete them either.
            const warning = await remove(ours.slice(i + 1).map((c) => c.id));
            return warning ? { action: 'updated', id: data.id, warning } : { action: 'updated', id: data.id };
        }
        catch (err) {
            const status = refusedStatus(err);
            if (status === undefined) {
                return {
                    action: 'skipped',
                    id: candidate.id,
                    warning: warningFor(`update the PR comment ${candidate.id}`, err)
                };
            }
            refused.push({ id: candidate.id, status });
        }
    }
    if (refused.length === 0)
        return create('created');
    const which = refused.map((r) => `${r.id} (HTTP ${r.status})`).join(', ');
    return create('created', redact(`could not update the PR comment ${which}; posted a new comment instead`));
}
/**
 * Why a github-token cannot be used, or undefined. An unevaluated `${{ … }}`
 * reaches the action when the input is not a workflow expression GitHub
 * evaluates (a `.env` file for local-action, a value quoted into a script):
 * calling the API with it would end in a 401 blamed on a fork.
 */
function tokenProblem(token) {
    if (!token)
        return 'no github-token: the PR comment was not written; the findings are in the job summary';
    if (/^\$\{\{[\s\S]*\}\}$/.test(token.trim())) {
        return (
        // The text itself is not echoed: it is registered as a secret, so the log would show *** anyway.
        'github-token is an unevaluated ${{ … }} expression: nothing evaluated it (a .env file or a quoted value passes it ' +
            'literally); set a real token, e.g. INPUT_GITHUB-TOKEN from `gh auth token`. The PR comment was not written');
    }
    return undefined;
}
/**
 * Deletes the action's own comments for one chart (comment-mode on-failure once
 * the check passes); the ownership rule is ownComments'. Never throws: API
 * failures come back as `warning`; a PR without our comment sends no write.
 */
async function removeOwnComments(opts) {
    const unusable = tokenProblem(opts.token);
    if (unusable)
        return { action: 'skipped', warning: unusable };
    if (!opts.marker)
        throw new Error('removeOwnComments: marker is empty');
    const octokit = await commentClient(opts.token, opts.apiUrl);
    const where = { owner: opts.owner, repo: opts.repo };
    let ours;
    try {
        ours = await listOwnComments(octokit, where, opts.issueNumber, [opts.marker, ...(opts.formerMarkers ?? [])]);
    }
    catch (err) {
        return { action: 'skipped', warning: warningFor(`list the comments of #${opts.issueNumber}`, err) };
    }
    if (ours.length === 0)
        return { action: 'skipped' };
    for (const c of ours) {
        try {
            await octokit.rest.issues.deleteComment({ ...where, comment_id: c.id });
        }
        catch (err) {
            if (faultOf(err).kind === 'not-found')
                continue;
            return { action: 'skipped', id: c.id, warning: warningFor(`delete the PR comment ${c.id}`, err) };
        }
    }
    return { action: 'deleted', id: ours[0].id };
}

// Markdown building blocks shared by every text report/ writes: escaping for
// inline text, table cells, raw HTML and code, so that no value can break the
// layout, open a tag, end a code block, mention anyone or become a link.
//
// This module is the one place where text enters markdown: every function here
// starts from normalizeLineEnds (CommonMark also ends a line at a lone CR, so a
// `\r` quoted from a chart would otherwise end a line the report did not plan)
// and the inline ones end with unlink (what GitHub links by itself after
// rendering). Other modules build markdown only from these.
/** Longest text of one steps-table cell; the table must always fit. */
const CELL_MAX = 300;
/** Every line end CommonMark knows (`\r\n`, a lone `\r`, `\n`) as `\n`. */
function normalizeLineEnds(text) {
    return text.replace(/\r\n?/g, '\n');
}
/**
 * What GitHub turns into a link or a ping by itself, in markdown text and in raw
 * HTML alike, kept plain by a zero-width space: `@name` mentions (and the `@` of
 * an e-mail address, which GFM's autolink extension links), `#123` and `GH-123`
 * issue references. `nginx@sha256:…` is left alone (no mention, no address).
 */
function unlink(text) {
    return text
        .replace(/(^|[^\w])@(?=\w)|@(?=[\w+-]+(?:\.[\w+-]+)*\.[A-Za-z0-9])/g, (m, before) => before !== undefined ? `${before}@\u200b` : '@\u200b')
        .replace(/(^|[^\w])#(?=\d)/g, '$1#\u200b')
        .replace(/\b(GH)-(?=\d)/gi, '$1\u200b-');
}
/**
 * Escapes text for inline markdown: every markdown-significant ASCII punctuation
 * gets a backslash (so does the `:` of `https:`, `ftp:`, `mailto:`, `xmpp:` and
 * the dot of `www.`, so that GFM's autolink extension finds no URL), HTML-significant characters can never open a tag,
 * and mentions, issue references and e-mail addresses stay plain text.
 */
function escapeMarkdown(text) {
    return unlink(normalizeLineEnds(text)
        .replace(/[\\`*_{}[\]()<>#+!|~&$]/g, (c) => `\\${c}`)
        .replace(/\b(www)\./gi, '$1\\.')
        .replace(/\b(https?|ftp|mailto|xmpp):/gi, '$1\\:')
        .replace(/^(\s*)([-=])/gm, '$1\\$2')
        .replace(/^(\s*\d+)([.)])/gm, '$1\\$2'));
}
/** One table cell: escaped, single-line, `|` escaped (also inside code spans), bounded. */
function escapeCell(text, max = CELL_MAX) {
    return escapeMarkdown(clip(oneLine(text), max));
}
/** A code span that survives any content, including backticks, pipes and newlines. */
function codeSpan(text, inTable = false) {
    let body = oneLine(text);
    if (body === '')
        return '` `';
    const fence = '`'.repeat(longestRun(body, '`') + 1);
    if (body.startsWith('`') || body.endsWith('`') || (body.startsWith(' ') && body.endsWith(' ')))
        body = ` ${body} `;
    // GFM splits table rows on `|` before inline parsing, even inside code spans.
    if (inTable)
        body = body.replace(/\|/g, '\\|');
    return `${fence}${body}${fence}`;
}
/**
 * A fenced code block that content cannot close early: line ends normalised
 * (a lone CR would end a line CommonMark sees and the fence does not), and a
 * fence longer than any backtick run inside.
 */
function codeBlock(text, info = '') {
    const normalized = normalizeLineEnds(text);
    const fence = '`'.repeat(Math.max(3, longestRun(normalized, '`') + 1));
    const body = normalized.endsWith('\n') ? normalized : `${normalized}\n`;
    return `${fence}${info.replace(/[^\w+-]/g, '')}\n${body}${fence}`;
}
/** Text inside raw HTML (`<summary>`): markdown does not apply, HTML entities do. */
function escapeHtml(text) {
    return unlink(oneLine(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
}
function oneLine(text) {
    return text.replace(/\r\n|\r|\n|\u2028|\u2029/g, ' ').replace(/\t/g, ' ');
}
function clip(text, max) {
    if (text.length <= max)
        return text;
    return `${text.slice(0, Math.max(0, max - 1))}…`;
}
/** Length of the longest run of `char` in `text`. */
function longestRun(text, char) {
    let longest = 0;
    let run = 0;
    for (let i = 0; i < text.length; i++) {
        run = text[i] === char ? run + 1 : 0;
        if (run > longest)
            longest = run;
    }
    return longest;
}
/** `repo:tag@sha256:0123456789ab…`: the digest cut to 12 hex digits in tables (the JSON report has it whole). */
function shortDigestRef(image) {
    return image.replace(/@(sha256|sha512):([0-9a-f]{12})[0-9a-f]{8,}/gi, '@$1:$2…');
}

// The "What changes" section of the PR comment and job summary: counts, the
// changed resources, the images that change, the upstream version change,
// then each changed resource's diff folded, within a size budget.
/** Rows of the resource table before the rest is only counted. */
const MAX_ROWS = 60;
/** Rows of a table shown open; a longer one is folded, like the report's other tables. */
const OPEN_ROWS = 10;
/** The files the section points at are on the runner: how a reader gets them. */
const DIFF_FILE = 'the diff file (output `diff`)';
const KEEP_IT = '_The diff file stays on the runner: keep it with `actions/upload-artifact` (`path: ${{ steps.<id>.outputs.diff }}`)._';
/** Lines of one resource's diff in the comment; the diff file has all. */
const MAX_DIFF_LINES = 200;
const plural$1 = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;
const kindLabel = (r) => (r.group ? `${r.kind} (${r.group})` : r.kind);
const nameLabel = (r) => (r.namespace ? `${r.namespace}/${r.name}` : r.name);
function what(r) {
    const parts = [
        r.tooLarge
            ? `too large to diff line by line (${r.tooLarge.before} lines before, ${r.tooLarge.after} after)`
            : `+${r.lines.added} −${r.lines.removed}`
    ];
    const keys = r.secretKeys;
    if (keys) {
        const bits = [
            keys.added.length ? `added ${keys.added.join(', ')}` : '',
            keys.removed.length ? `removed ${keys.removed.join(', ')}` : '',
            keys.changed.length ? `changed ${keys.changed.join(', ')}` : ''
        ].filter(Boolean);
        if (bits.length)
            parts.push(`keys ${bits.join('; ')} (values hidden)`);
    }
    return parts.join('; ');
}
function imageCell(refs) {
    return refs.length ? refs.map((ref) => codeSpan(shortDigestRef(ref), true)).join('<br>') : '—';
}
/** How the new references are pinned: by digest, partly, by tag only, or not at all (the runtime pulls latest). */
function pinLabel(pin) {
    const count = (status) => pin.filter((p) => p === status).length;
    if (pin.length === 0)
        return '—';
    if (count('digest') === pin.length)
        return 'digest';
    if (count('digest') > 0)
        return 'partly';
    if (count('untagged') === pin.length)
        return 'untagged (latest)';
    return count('untagged') > 0 ? 'tag only, some untagged' : 'tag only';
}
function imagesTable$1(images) {
    const rows = images.map((i) => `| ${codeSpan(i.repository, true)} | ${imageCell(i.before)} | ${imageCell(i.after)} | ${pinLabel(i.pin)} |`);
    return ['| image | before | after | pinned |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
/** A table under its title: open up to OPEN_ROWS rows, folded beyond (the title then says how many). */
function titledTable(title, rows, table) {
    if (rows <= OPEN_ROWS)
        return [`**${title}**`, '', table];
    return [`<details><summary>${escapeHtml(`${title}: ${rows}`)}</summary>`, '', table, '', '</details>'];
}
function foldedDiff(r) {
    if (r.tooLarge) {
        const note = `${r.change}: ${kindLabel(r)} ${nameLabel(r)} is ${what(r)} in the run's time; the diff file (output `;
        return `_${escapeMarkdown(note)}${codeSpan('diff')}${escapeMarkdown(') has both sides whole.')}_`;
    }
    const lines = r.diff.replace(/\n$/, '').split('\n');
    const more = lines.length - MAX_DIFF_LINES;
    const shown = more > 0 ? [...lines.slice(0, MAX_DIFF_LINES), `# … ${more} more lines in the diff file (output diff)`] : lines;
    const summary = escapeHtml(`${r.change}: ${kindLabel(r)} ${nameLabel(r)} (${what(r)})`);
    return `<details><summary>${summary}</summary>\n\n${codeBlock(shown.join('\n'), 'diff')}\n\n</details>`;
}
/**
 * Markdown of the section, at most `budget` characters (diffs that do not fit
 * are left to the diff file); undefined when there is no diff to show.
 */
function renderDiffSection(diff, budget) {
    if (!diff)
        return undefined;
    const against = diff.base.sha ? `the ${diff.base.label} ${codeSpan(diff.base.sha.slice(0, 7))}` : 'the base';
    if (diff.status !== 'compared' || !diff.comparison) {
        const why = escapeMarkdown(diff.message ?? 'no base render');
        return clipTo(`**What changes:** not compared with ${against}: ${why}`, budget);
    }
    const c = diff.comparison;
    const noise = c.noise.resources > 0 ? `; ${plural$1(c.noise.resources, 'resource')} differ only in version labels or checksums` : '';
    const upstream = diff.upstream && diff.upstream.before !== diff.upstream.after
        ? `Upstream ${codeSpan(diff.upstream.name)}: ` +
            `${codeSpan(diff.upstream.before ?? 'none')} → ${codeSpan(diff.upstream.after ?? 'none')}`
        : undefined;
    if (c.resources.length === 0) {
        const compared = `${plural$1(c.counts.unchanged, 'resource')} compared${noise}`;
        return clipTo(`**What changes:** no rendered change against ${against} (${compared}).`, budget);
    }
    const head = ['#### What changes', ''];
    const n = c.counts;
    const counts = [`**${n.added} added**`, `**${n.removed} removed**`, `**${n.changed} changed**`];
    counts.push(`${n.unchanged} unchanged`);
    head.push(`Against ${against}: ${counts.join(', ')}${noise}.`);
    if (diff.message)
        head.push('', `_${escapeMarkdown(diff.message)}_`);
    if (upstream)
        head.push('', upstream);
    const row = (r) => `| ${r.change} | ${escapeCell(kindLabel(r))} | ${codeSpan(nameLabel(r), true)} | ${escapeCell(what(r), 300)} |`;
    const rows = c.resources.slice(0, MAX_ROWS).map(row);
    const table = ['| change | kind | name | what |', '| --- | --- | --- | --- |', ...rows];
    if (c.resources.length > MAX_ROWS)
        table.push('', `_… ${c.resources.length - MAX_ROWS} more resources in ${DIFF_FILE}_`);
    head.push('', ...titledTable('Resources that change', c.resources.length, table.join('\n')));
    if (c.images.length > 0)
        head.push('', ...titledTable('Images that change', c.images.length, imagesTable$1(c.images)));
    let text = head.join('\n');
    const note = (count) => `_… ${plural$1(count, 'more diff')} in ${DIFF_FILE} and the JSON report_`;
    const reserve = note(9999).length + KEEP_IT.length + 4;
    const diffs = c.resources.filter((r) => r.change === 'changed');
    let shown = 0;
    for (const r of diffs) {
        const block = foldedDiff(r);
        if (text.length + 2 + block.length + reserve > budget)
            break;
        text += `\n\n${block}`;
        shown++;
    }
    if (shown < diffs.length)
        text += `\n\n${note(diffs.length - shown)}`;
    // Whatever the comment leaves to the diff file, the reader learns how to get it.
    if (shown < diffs.length || c.resources.length > MAX_ROWS || diffs.some((r) => lineCount(r) > MAX_DIFF_LINES))
        text += `\n\n${KEEP_IT}`;
    return clipTo(text, budget);
}
const lineCount = (r) => r.diff.replace(/\n$/, '').split('\n').length;
function clipTo(text, budget) {
    if (text.length <= budget)
        return text;
    const short = `**What changes:** too long for this space: see ${DIFF_FILE}. ${KEEP_IT}`;
    return short.length <= budget ? short : undefined;
}

// Turns an ActionReport into text: markdown (PR comment, job summary),
// annotations, and the JSON report file. Every text that leaves here goes
// through redact(): the report is deep-redacted before rendering (so that
// escaping or truncation can never expose part of a secret) and the final text
// once more. `set` values are shown (they are not secret: they are rendered
// into the manifests the findings describe); secret values come through input
// set-secret, are registered with secrets.ts and redacted like any secret.
//
// renderMarkdown is pure apart from redact(); the other functions do I/O.
/** A PR comment body is capped at 65,536 characters by GitHub. */
const COMMENT_LIMIT = 65_536;
/** The job summary is capped at 1 MiB per step; stay well below. */
const SUMMARY_LIMIT = 900_000;
const SUMMARY_MAX_BYTES = 1_000_000;
/** Longest message / fix of one finding. */
const FINDING_TEXT_MAX = 2_000;
/** A shortened details block keeps at least this much text, or is dropped. */
const MIN_DETAILS_TEXT = 200;
/** Longest copy-paste snippet of one finding. */
const SNIPPET_MAX = 4_000;
// ---------------------------------------------------------------------------
// Marker, escaping
// ---------------------------------------------------------------------------
const MARKER_PREFIX = `${ACTION_NAME}:`;
/** The marker's prefix before the action had a name of its own: comments written under it are still ours. */
const FORMER_MARKER_PREFIX = 'bp-temporal-action:';
function markerWith(prefix, chartName) {
    // An HTML comment ends at the first `-->`; keep the name from closing it early.
    const safe = chartName.replace(/-->|--!>|[<>]|\s+/g, '_');
    return `<!-- ${prefix}${safe} -->`;
}
/** The hidden comment that identifies this action's PR comment for one chart. */
function commentMarker(chartName) {
    return markerWith(MARKER_PREFIX, chartName);
}
/** The markers earlier versions wrote for the chart: their comment is found, and updated under the new marker. */
function formerCommentMarkers(chartName) {
    return [markerWith(FORMER_MARKER_PREFIX, chartName)];
}
function resolveMarker(marker) {
    const trimmed = marker.trim();
    if (/^<!--[\s\S]*-->$/.test(trimmed) && trimmed.indexOf('-->') === trimmed.length - 3 && !trimmed.includes('\n')) {
        return trimmed;
    }
    return commentMarker(trimmed);
}
// ---------------------------------------------------------------------------
// Pieces
// ---------------------------------------------------------------------------
const STEP_ICON = { passed: '✅', failed: '❌', warning: '⚠️', skipped: '⏭️' };
const SEVERITY_ICON = { error: '❌', warning: '⚠️', notice: 'ℹ️' };
function stepIcon(status) {
    return STEP_ICON[status] ?? '❔';
}
function severityIcon(severity) {
    return SEVERITY_ICON[severity] ?? 'ℹ️';
}
function formatDuration(ms) {
    if (!Number.isFinite(ms) || ms < 0)
        return '–';
    if (ms < 1000)
        return `${Math.round(ms)} ms`;
    if (ms < 60_000)
        return `${(ms / 1000).toFixed(1)} s`;
    const minutes = Math.floor(ms / 60_000);
    const seconds = Math.round((ms % 60_000) / 1000);
    return `${minutes} min ${seconds} s`;
}
/** "temporal 1.2.0 pinned, 1.3.0 available", "temporal 1.2.0 pinned (latest)", … */
function describeUpstream(u) {
    const parts = [];
    if (u.override) {
        parts.push(`${u.name} ${u.resolved} (override; Chart.yaml pins ${u.pinned})`);
    }
    else if (u.resolved && u.resolved !== u.pinned) {
        parts.push(`${u.name} ${u.pinned} pinned (resolved ${u.resolved})`);
    }
    else {
        parts.push(`${u.name} ${u.pinned} pinned`);
    }
    if (u.outdated && u.latest)
        return `${parts[0]}, ${u.latest} available`;
    if (u.outdated)
        return `${parts[0]}, a newer release is available`;
    if (u.latest && u.latest === u.resolved)
        return `${parts[0]}, up to date`;
    if (u.latest)
        return `${parts[0]}, latest ${u.latest}`;
    return parts[0];
}
/**
 * Text with `code spans` kept as code and everything else escaped: finding
 * messages and fixes are written with backticks around commands, keys and
 * references, and a reader must see code, not backticks.
 */
function inlineMarkdown(text, max = FINDING_TEXT_MAX) {
    const flat = clip(oneLine(text), max);
    const out = [];
    let last = 0;
    for (const m of flat.matchAll(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g)) {
        out.push(escapeMarkdown(flat.slice(last, m.index)), codeSpan(m[2]));
        last = m.index + m[0].length;
    }
    out.push(escapeMarkdown(flat.slice(last)));
    return out.join('');
}
/** Where the commit and the run are shown: `https://github.com/o/r/commit/<sha>` from the run URL. */
function commitUrl(runUrl, commit) {
    const m = runUrl ? /^(https?:\/\/[^\s]+?\/[^/\s]+\/[^/\s]+)\/actions\/runs\/\d+/.exec(runUrl) : null;
    return m && /^[0-9a-f]{7,64}$/i.test(commit) ? `${m[1]}/commit/${commit}` : undefined;
}
function link(text, url) {
    if (!url || !/^https?:\/\/[^\s<>()[\]`|]+$/.test(url))
        return text;
    return `[${text}](${url})`;
}
function plural(n, word) {
    return `${n} ${word}${n === 1 ? '' : 's'}`;
}
/** The verdict: what the run decided, in one heading (on a pull request with a registry: what merging publishes). */
function verdictLine(report) {
    const name = escapeMarkdown(reportSubject(report));
    const steps = Array.isArray(report.steps) ? report.steps : [];
    const preview = previewText(report.publish?.preview, report.status === 'passed');
    if (report.status !== 'passed') {
        const failed = steps.filter((s) => s.status === 'failed').map((s) => s.title || s.id);
        return `### ❌ ${name} failed${failed.length > 0 ? `: ${escapeMarkdown(clip(failed.join(', '), 300))}` : ''}${preview}`;
    }
    const warnings = steps.filter((s) => s.status === 'warning').length;
    const withWarnings = warnings > 0 ? ` with ${plural(warnings, 'warning')}` : '';
    if (report.publish?.pushed)
        return `### ✅ ${name} published${withWarnings}`;
    if (report.publish?.alreadyPublished)
        return `### ✅ ${name} already published${withWarnings}`;
    return `### ✅ ${name} passed${withWarnings}${preview}`;
}
/** The publish preview as the verdict line's tail: ` · merging publishes \`ref\``, or '' without one. */
function previewText(preview, passed) {
    if (!preview || typeof preview.ref !== 'string')
        return '';
    const ref = codeSpan(preview.ref);
    switch (preview.state) {
        case 'unpublished':
            return passed ? ` · merging publishes ${ref}` : ` · once it passes, merging publishes ${ref}`;
        case 'same':
            return ' · already published, nothing to publish';
        case 'other':
            return ` · ${ref} is already published with other content`;
        case 'unreachable':
            return ' · publish preview unavailable (registry not reachable)';
        default:
            return '';
    }
}
/** Upstream, head commit, run link, mode: the facts a reviewer checks first. */
function metaLine(report, runUrl) {
    const bits = [];
    if (report.upstream)
        bits.push(`upstream ${escapeMarkdown(describeUpstream(report.upstream))}`);
    if (report.commit)
        bits.push(`commit ${link(codeSpan(report.commit.slice(0, 7)), commitUrl(runUrl, report.commit))}`);
    const runId = runUrl ? /\/actions\/runs\/(\d+)/.exec(runUrl)?.[1] : undefined;
    if (runUrl)
        bits.push(link(runId ? `run ${runId}` : 'run', runUrl));
    bits.push(report.mode === 'publish' ? 'publish' : 'validate only');
    return bits.join(' · ');
}
/** On a release the ref and digest belong in the first lines (and whether they are attested). */
function publishedLine(report) {
    const p = report.publish;
    if (!p || !(p.pushed || p.alreadyPublished))
        return undefined;
    const digest = p.digest ? ` · digest ${codeSpan(p.digest)}` : '';
    const attested = attestedKinds(report);
    return `${p.pushed ? 'Pushed' : 'Already at'} ${codeSpan(p.ref)}${digest}${attested ? ` · attested: ${attested}` : ''}`;
}
/** `provenance, SBOM`: what the published chart is attested with; undefined when nothing is. */
function attestedKinds(report) {
    const statements = report.attestation?.statements ?? [];
    if (statements.length === 0)
        return undefined;
    return statements.map((s) => (s.kind === 'sbom' ? 'SBOM' : s.kind)).join(', ');
}
/**
 * How anyone checks the attestations: `gh attestation verify` (GitHub's API, or the registry's referrers with
 * --bundle-from-oci) and `cosign verify-attestation`, for `host/path/name@digest`. The workflow's identity comes
 * from the run's link (`https://github.com/<owner>/<repo>/actions/runs/…`); placeholders without one.
 */
function verificationCommands(report, digestRef) {
    const m = report.runUrl ? /^(https?:\/\/[^/\s]+)\/([^/\s]+)\/([^/\s]+)\/actions\/runs\/\d+/.exec(report.runUrl) : null;
    const [server, owner, repo] = m ? [m[1], m[2], m[3]] : ['https://github.com', '<owner>', '<repo>'];
    const identity = `^${server.replace(/\./g, '\\.')}/${owner}/${repo}/\\.github/workflows/`;
    const lines = [
        `gh attestation verify oci://${digestRef} --owner ${owner}`,
        `gh attestation verify oci://${digestRef} --owner ${owner} --bundle-from-oci`,
        `cosign verify-attestation --new-bundle-format --type slsaprovenance1 \\`,
        `  --certificate-oidc-issuer https://token.actions.githubusercontent.com \\`,
        `  --certificate-identity-regexp '${identity}' \\`,
        `  ${digestRef}`
    ];
    return codeBlock(lines.join('\n'), 'sh');
}
/** `oci://host/path/name:1.0.0` → `oci://host/path/name` and `1.0.0` (a `_` in the tag is the version's `+`). */
function splitRef(ref) {
    const m = /^(oci:\/\/.+\/([^/:]+)):([^/:]+)$/.exec(ref);
    return m ? { repository: m[1], version: m[3].replace(/_/g, '+') } : undefined;
}
function publishSection(report) {
    const p = report.publish;
    if (!p)
        return undefined;
    const parts = split(p.ref);
    if (p.pushed || p.alreadyPublished) {
        // The ref and digest are on the first lines already (publishedLine): here, how to use what was published.
        const lines = [
            `#### 📦 ${p.pushed ? 'Published' : 'Already published (nothing pushed: the same chart is at that tag)'}`
        ];
        if (parts) {
            const release = report.chart.name.replace(/^bp-/, '') || 'release';
            lines.push('', codeBlock([
                `helm pull ${parts.repository} --version ${parts.version}`,
                `helm install ${release} ${parts.repository} --version ${parts.version}`
            ].join('\n'), 'sh'));
        }
        lines.push(...attestationLines(report, p));
        return lines.join('\n');
    }
    if (report.mode === 'publish' && report.status === 'failed')
        return `**Not published** (checks failed): ${codeSpan(p.ref)}`;
    if (report.mode === 'publish')
        return `**Not published:** ${codeSpan(p.ref)}`;
    switch (p.preview?.state) {
        case 'unpublished':
            return undefined; // the verdict line says it: ` · merging publishes <ref>`, once
        case 'same':
            return `Already published: ${codeSpan(p.ref)} holds this chart (${codeSpan(p.preview.digest)}); merging publishes nothing.`;
        case 'other':
            return `**Not publishable:** ${codeSpan(p.ref)} holds other content (${codeSpan(p.preview.digest)})${p.preview.freeVersion ? `; ${codeSpan(p.preview.freeVersion)} is free` : ''}.`;
        default:
            return `On a release tag this publishes ${codeSpan(p.ref)}.`;
    }
}
const split = splitRef;
/** The attestations of a published chart, how to verify them, or that it is not attested (and what to do). */
function attestationLines(report, p) {
    const attested = attestedKinds(report);
    const step = report.steps.find((s) => s.id === 'attest');
    const lines = [];
    if (attested && p.digest) {
        const digestRef = `${p.ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, '')}@${p.digest}`;
        const earlier = report.attestation?.statements.every((s) => s.existing) ? ' (by an earlier run)' : '';
        lines.push('', `**Attested: ${attested}**${earlier}: signed with Sigstore, stored beside the chart. Verify:`, '', verificationCommands(report, digestRef));
    }
    if (step?.status === 'failed')
        lines.push('', '**Published but not attested.** Re-run the job: it finds the chart published and attests it without pushing again.');
    // attest: auto in a job without the OIDC token: nothing could be signed; say what is missing and what to grant.
    if (step?.status === 'skipped' && step.findings.some((f) => f.rule === 'attest-permission')) {
        const have = new Set((report.attestation?.statements ?? []).map((s) => s.kind));
        const missing = ATTESTED_KINDS.filter((k) => !have.has(k)).map((k) => (k === 'sbom' ? 'SBOM' : k));
        lines.push('', `**Not attested: ${missing.join(', ')}.** The job has no OIDC token to sign with: grant it ${codeSpan('permissions: id-token: write')} (and ${codeSpan('attestations: write')} for GitHub's copy), then re-run it: it finds the chart published and attests it without pushing again.`);
    }
    return lines;
}
const ATTESTED_KINDS = ['provenance', 'sbom'];
// --- what to fix -------------------------------------------------------------
function findingWhere(f) {
    return f.file ? `${codeSpan(f.line ? `${f.file}:${f.line}` : f.file)} ` : '';
}
/**
 * Digests looked up by resolve-digests (image → `sha256:…`), filled into a
 * snippet's `sha256:<digest>` placeholders on the lines that name the image.
 */
function fillPins(text, pins) {
    if (pins.size === 0)
        return text;
    return text
        .split('\n')
        .map((line) => {
        if (!line.includes('sha256:<digest>'))
            return line;
        for (const [image, digest] of pins) {
            // The whole image: `app:1.0.1` is not named by a line about `app:1.0.10`.
            const at = line.indexOf(image);
            if (at >= 0 && !/^[\w.:/-]/.test(line.slice(at + image.length)))
                return line.replace('sha256:<digest>', digest);
        }
        return line;
    })
        .join('\n');
}
function pinsOf(step) {
    const pins = new Map();
    for (const row of imageRows(step.data) ?? []) {
        const digest = row.pinned ? /@(sha256:[0-9a-f]{64})$/.exec(row.pinned)?.[1] : undefined;
        if (digest)
            pins.set(row.image, digest);
    }
    return pins;
}
/** One finding: where and what, the fix as text, the copy-paste part in a fenced block. */
function findingItem(f, pins = new Map()) {
    const lines = [`- ${severityIcon(f.severity)} ${findingWhere(f)}${inlineMarkdown(f.message ?? '')}`];
    if (f.fix && f.fix.trim() !== '') {
        const fix = oneLine(f.fix).trim();
        // A fix without spaces is a value to paste (an image reference, a version): show it as code.
        const shown = /\s/.test(fix) ? inlineMarkdown(fix) : codeSpan(clip(fix, FINDING_TEXT_MAX));
        lines.push('', `  **Fix:** ${shown}`);
    }
    const snippet = f.snippet;
    if (snippet && typeof snippet.text === 'string' && snippet.text.trim() !== '') {
        if (snippet.label)
            lines.push('', `  ${inlineMarkdown(snippet.label)}`);
        const block = codeBlock(fillPins(clip(snippet.text, SNIPPET_MAX), pins), (snippet.language ?? '').replace(/[^\w+-]/g, ''));
        lines.push('', ...block.split('\n').map((l) => `  ${l}`));
    }
    return lines.join('\n');
}
const SEVERITY_ORDER = { error: 0, warning: 1, notice: 2 };
/** Findings of failed and warning steps, failed steps first; notices are not things to fix. */
function findingGroups(steps) {
    const rank = (s) => (s.status === 'failed' ? 0 : 1);
    return steps
        .filter((s) => (s.status === 'failed' || s.status === 'warning') && Array.isArray(s.findings))
        .map((s) => ({ s, findings: s.findings.filter((f) => f.severity !== 'notice') }))
        .filter(({ findings }) => findings.length > 0)
        .sort((a, b) => rank(a.s) - rank(b.s))
        .map(({ s, findings }) => {
        const sorted = [...findings].sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 3) - (SEVERITY_ORDER[b.severity] ?? 3));
        const summary = s.summary ? ` — ${escapeMarkdown(clip(oneLine(s.summary), CELL_MAX))}` : '';
        const pins = pinsOf(s);
        return {
            header: `**${stepIcon(s.status)} ${escapeMarkdown(s.title || s.id)}**${summary}`,
            items: sorted.map((f) => findingItem(f, pins))
        };
    });
}
function groupText(g, more) {
    const lines = [g.header, '', ...g.items.map((item) => `${item}\n`)];
    if (g.omitted > 0)
        lines.push(`- _… and ${plural(g.omitted, 'more finding')}: ${more}_`, '');
    return lines.join('\n').replace(/\n+$/, '');
}
function renderDetails(block) {
    const parts = [`<details><summary>${escapeHtml(block.summary)}</summary>`, ''];
    if (block.markdown)
        parts.push(block.markdown, '');
    if (block.code !== undefined)
        parts.push(codeBlock(block.code), '');
    parts.push('</details>');
    return parts.join('\n');
}
/** Shortens a block to at most `budget` characters, or returns undefined if it cannot be useful. */
function shortenDetails(block, budget) {
    const note = '\n… (shortened)';
    const overhead = renderDetails({
        ...block,
        markdown: block.markdown ? '' : undefined,
        code: block.code !== undefined ? '' : undefined
    }).length +
        note.length +
        64;
    let room = budget - overhead;
    if (room < MIN_DETAILS_TEXT)
        return undefined;
    let markdown = block.markdown;
    let code = block.code;
    if (markdown && markdown.length > room) {
        // Tables: keep whole lines.
        const kept = [];
        let used = 0;
        for (const line of markdown.split('\n')) {
            if (used + line.length + 1 > room)
                break;
            kept.push(line);
            used += line.length + 1;
        }
        markdown = `${kept.join('\n')}\n\n_… shortened_`;
        code = undefined;
        room = 0;
    }
    else if (markdown) {
        room -= markdown.length + 2;
    }
    if (code !== undefined) {
        if (room < MIN_DETAILS_TEXT)
            code = undefined;
        else if (code.length > room) {
            const cut = code.slice(0, room);
            const lastNl = cut.lastIndexOf('\n');
            const kept = lastNl > room / 2 ? cut.slice(0, lastNl) : cut;
            const dropped = code.slice(kept.length).split('\n').length;
            code = `${kept}\n… ${dropped} more line${dropped === 1 ? '' : 's'} truncated`;
        }
    }
    if (!markdown && code === undefined)
        return undefined;
    const out = renderDetails({ summary: `${block.summary} (shortened)`, markdown, code });
    return out.length <= budget ? out : undefined;
}
function kindsOf(data) {
    const kinds = isRecord(data) ? data.kinds : undefined;
    if (!isRecord(kinds))
        return undefined;
    const out = {};
    for (const [k, v] of Object.entries(kinds))
        if (typeof v === 'number' && Number.isFinite(v))
            out[k] = v;
    return Object.keys(out).length > 0 ? out : undefined;
}
function str(v) {
    return typeof v === 'string' && v !== '' ? v : undefined;
}
/**
 * One row per image reference, failing first. Accepts `{images: [...]}`,
 * `{verdicts: [...]}` or a bare array; items are uses (`{image, kind, name,
 * container, ok, reason, allowedBy, valuesPath, pinned}`, or ImageVerdict-like
 * `{use: {image, …}, ok, …}`): uses of the same image fold into one row.
 */
function imageRows(data) {
    let list;
    if (Array.isArray(data))
        list = data;
    else if (isRecord(data))
        list = Array.isArray(data.images) ? data.images : Array.isArray(data.verdicts) ? data.verdicts : undefined;
    if (!Array.isArray(list))
        return undefined;
    const rows = new Map();
    for (const item of list) {
        const it = typeof item === 'string' ? { image: item } : isRecord(item) ? item : {};
        const use = isRecord(it.use) ? it.use : undefined;
        const image = str(it.image) ?? str(use?.image) ?? str(it.ref);
        if (!image)
            continue;
        let row = rows.get(image);
        if (!row) {
            row = { image, uses: 0, usedBy: [] };
            rows.set(image, row);
        }
        row.uses++;
        const ok = typeof it.ok === 'boolean' ? it.ok : undefined;
        // One failing use makes the image fail; its reason wins.
        if (ok === false || row.ok === undefined) {
            if (ok !== undefined && row.ok !== false)
                row.ok = ok;
            row.reason = str(it.reason) ?? row.reason;
        }
        const allowedBy = str(it.allowedBy);
        const allowReason = str(it.allowReason);
        if (allowedBy)
            row.allowedBy = allowReason ? `${allowedBy} (${allowReason})` : allowedBy;
        row.valuesKey = str(it.valuesPath) ?? row.valuesKey;
        row.pinned = str(it.pinned) ?? row.pinned;
        row.pinError = str(it.pinError) ?? row.pinError;
        const kind = str(it.kind) ?? str(use?.kind);
        const name = str(it.name) ?? str(use?.name);
        const container = str(it.container) ?? str(use?.container);
        let where = kind || name ? [kind, name].filter(Boolean).join('/') : (str(it.where) ?? str(it.source) ?? str(use?.source));
        if (where && container && container !== name)
            where += ` (${container})`;
        if (where && !row.usedBy.includes(where))
            row.usedBy.push(where);
    }
    const out = [...rows.values()];
    return out.length > 0 ? out.sort((a, b) => Number(a.ok !== false) - Number(b.ok !== false)) : undefined;
}
function kindsTable(kinds) {
    const entries = Object.entries(kinds).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const total = entries.reduce((n, [, c]) => n + c, 0);
    return [
        '| Kind | Count |',
        '| --- | ---: |',
        ...entries.map(([k, c]) => `| ${escapeCell(k)} | ${c} |`),
        `| **Total** | **${total}** |`
    ].join('\n');
}
const USED_BY_SHOWN = 2;
/** A table cell stays narrow: the full reason is in the finding above. */
function shortReason(reason) {
    if (!reason)
        return 'failing';
    if (reason.length <= 24)
        return escapeCell(reason);
    return /empty|not valid|invalid/i.test(reason) ? 'invalid' : 'not pinned';
}
function imagesTable(rows, maxRows) {
    const withKey = rows.some((r) => r.valuesKey || r.pinned || r.pinError);
    const shown = rows.slice(0, Math.max(1, maxRows));
    const lines = [
        `| Image | Result | Uses | Used by${withKey ? ' | Set by / pinned' : ''} |`,
        `| --- | --- | ---: | ---${withKey ? ' | ---' : ''} |`,
        ...shown.map((r) => {
            const result = r.ok === undefined
                ? '–'
                : r.ok
                    ? r.allowedBy
                        ? `✅ allowed by ${escapeCell(r.allowedBy, 120)}`
                        : '✅'
                    : `❌ ${shortReason(r.reason)}`;
            const more = r.usedBy.length > USED_BY_SHOWN ? `, +${r.usedBy.length - USED_BY_SHOWN} more` : '';
            const usedBy = escapeCell(r.usedBy.slice(0, USED_BY_SHOWN).join(', ')) + more;
            const image = codeSpan(shortDigestRef(clip(r.image, CELL_MAX)), true);
            const key = [
                r.valuesKey ? codeSpan(r.valuesKey, true) : '',
                r.pinned ? codeSpan(shortDigestRef(r.pinned), true) : '',
                r.pinError ? `digest lookup failed: ${escapeCell(r.pinError, 160)}` : ''
            ]
                .filter(Boolean)
                .join(' → ');
            return `| ${image} | ${result} | ${r.uses} | ${usedBy}${withKey ? ` | ${key}` : ''} |`;
        })
    ];
    if (rows.length > shown.length)
        lines.push('', `_… and ${rows.length - shown.length} more images in the JSON report (output \`report\`, on the runner: keep it with \`actions/upload-artifact\`)._`);
    return lines.join('\n');
}
function stepsTable(steps, durations) {
    if (steps.length === 0)
        return '_No steps ran._';
    const rows = steps.map((s) => {
        const icon = `${stepIcon(s.status)} ${escapeCell(s.status, 20)}`;
        const duration = durations ? ` ${formatDuration(s.durationMs)} |` : '';
        return `| ${escapeCell(s.title || s.id)} | ${icon} | ${escapeCell(s.summary ?? '')} |${duration}`;
    });
    const head = durations
        ? ['| Step | Result | Summary | Duration |', '| --- | --- | --- | --- |']
        : ['| Step | Result | Summary |', '| --- | --- | --- |'];
    return [...head, ...rows].join('\n');
}
function stepsSummary(steps) {
    const counts = new Map();
    for (const s of steps)
        counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
    const order = ['failed', 'warning', 'passed', 'skipped'];
    const parts = order.filter((k) => counts.has(k)).map((k) => `${counts.get(k)} ${k}`);
    return `${plural(steps.length, 'step')}: ${parts.join(', ')}`;
}
function detailsBlocks(report, runUrl, opts) {
    const durations = opts.durations ?? false;
    const steps = Array.isArray(report.steps) ? report.steps : [];
    const blocks = [{ summary: stepsSummary(steps), markdown: stepsTable(steps, durations) }];
    for (const s of steps) {
        const title = s.title || s.id;
        const images = s.id === 'images' || /image/i.test(s.id) ? imageRows(s.data) : undefined;
        if (images) {
            const failing = images.filter((r) => r.ok === false).length;
            const what = `${plural(images.length, 'image')}${failing > 0 ? `, ${failing} failing` : ''}`;
            blocks.push({ summary: `${title}: ${what}`, markdown: imagesTable(images, opts.maxImageRows ?? 1_000) });
        }
    }
    for (const s of steps) {
        const title = s.title || s.id;
        const kinds = kindsOf(s.data);
        if (kinds)
            blocks.push({ summary: `${title}: resources by kind`, markdown: kindsTable(kinds) });
        if (typeof s.details === 'string' && s.details.trim() !== '') {
            blocks.push({ summary: `${title}: details`, code: s.details.replace(/\s+$/, '') });
        }
    }
    const run = [];
    run.push(`- Mode: ${report.mode === 'publish' ? 'publish' : 'validate'}${report.modeReason ? ` — ${escapeMarkdown(clip(oneLine(report.modeReason), 1000))}` : ''}`);
    if (report.blueprint)
        run.push(`- Blueprint ${codeSpan(report.blueprint)}`);
    if (report.helmVersion)
        run.push(`- Helm ${codeSpan(report.helmVersion)}`);
    if (report.chart.path)
        run.push(`- Chart ${codeSpan(report.chart.path)}`);
    if (report.upstream)
        run.push(`- Upstream ${codeSpan(report.upstream.name)} from ${codeSpan(report.upstream.repository)}`);
    if (report.commit)
        run.push(`- Commit ${codeSpan(report.commit)}`);
    const files = report.values?.files ?? [];
    const sets = report.values?.set ?? [];
    if (files.length > 0)
        run.push(`- Values files: ${files.map((f) => codeSpan(f)).join(', ')}`);
    if (sets.length > 0)
        run.push(`- \`--set\`: ${sets.map((v) => codeSpan(String(v))).join(', ')}`);
    // Times change on every run: only where a changed body costs nothing (the job summary).
    if (durations && report.startedAt)
        run.push(`- Started ${escapeMarkdown(report.startedAt)}, took ${formatDuration(report.durationMs)}`);
    if (runUrl)
        run.push(`- Run: ${safeUrl(runUrl)}`);
    blocks.push({ summary: 'Run', markdown: run.join('\n') });
    return blocks;
}
/** A bare http(s) URL (GFM autolinks it) or, if it is anything else, a code span. */
function safeUrl(url) {
    return /^https?:\/\/[^\s<>()[\]`|]+$/.test(url) ? url : codeSpan(url);
}
/** Where the whole report is: the JSON report (path, and the artifact it can be uploaded as), and the run. */
function fullReportPointer(r, opts, runUrl) {
    const artifact = codeSpan(jsonReportName(r.chart?.name ?? 'chart').replace(/\.json$/, ''));
    const file = opts.reportPath
        ? `${codeSpan(opts.reportPath)} (output ${codeSpan('report')})`
        : `output ${codeSpan('report')}`;
    const json = `the JSON report ${file}; upload it with ${codeSpan('actions/upload-artifact')} as ${artifact}`;
    return opts.marker && runUrl ? `the job summary of ${link('the run', runUrl)} and ${json}` : json;
}
function truncationNote(what, pointer) {
    return `_… truncated${what}: the full report is ${pointer}_`;
}
/**
 * Markdown for a PR comment or the job summary, in the order a reviewer acts:
 * the verdict (chart, version, upstream, head commit, run link; on a release the
 * ref and digest), what to fix grouped by step, the publish information
 * (`helm pull`/`helm install`), extra sections (opts.sections), then folded: the
 * steps table (durations only with opts.durations), the images (one row per
 * image), resource kinds, step details, run facts. Never longer than
 * `opts.limit`: folded blocks are shortened or dropped from the end first, then
 * finding lists are cut (their counts are kept); the verdict always stays.
 */
function renderMarkdown(report, opts) {
    const r = redactDeep(report);
    const limit = Math.max(0, Math.floor(opts.limit));
    const runUrl = opts.runUrl ?? r.runUrl;
    const steps = Array.isArray(r.steps) ? r.steps : [];
    const head = [];
    if (opts.marker)
        head.push(resolveMarker(opts.marker));
    head.push(verdictLine(r), '', metaLine(r, runUrl));
    const published = publishedLine(r);
    if (published)
        head.push('', published);
    const headText = head.join('\n');
    const pointer = fullReportPointer(r, opts, runUrl);
    const more = opts.marker ? 'see the job summary' : 'see the JSON report (output `report`)';
    const perGroup = Math.max(1, opts.maxFindingsPerGroup ?? 200);
    const groups = findingGroups(steps).map((g) => ({
        ...g,
        omitted: Math.max(0, g.items.length - perGroup),
        items: g.items.slice(0, perGroup)
    }));
    // Only warnings: nothing blocks the merge, the heading says so.
    const fixHeading = r.status === 'failed' ? '#### What to fix' : '#### Worth a look';
    const publish = publishSection(r);
    // The rendered diff against the base (src/diff/report.ts) is the first extra section; at most half the limit.
    const changes = renderDiffSection(r.diff, Math.floor(limit / 2));
    const extra = [
        ...(changes ? [changes] : []),
        ...(opts.sections ?? [])
            .filter((s) => s && typeof s.markdown === 'string' && s.markdown.trim() !== '')
            .map((s) => `#### ${escapeMarkdown(oneLine(s.title))}\n\n${redact(s.markdown.replace(/\s+$/, ''))}`)
    ];
    const blocks = detailsBlocks(r, runUrl, opts).map((b) => ({ block: b, text: renderDetails(b) }));
    const sep = '\n\n';
    const findingsText = (gs) => gs.length === 0 ? '' : [fixHeading, ...gs.map((g) => groupText(g, more))].join(sep);
    const assemble = (findings, sections, details, note) => [headText, findings, publish ?? '', ...sections, ...details, note ?? ''].filter((p) => p !== '').join(sep) + '\n';
    const fullFindings = findingsText(groups);
    const full = assemble(fullFindings, extra, blocks.map((b) => b.text));
    if (full.length <= limit)
        return finalize(full, limit);
    // 1. Keep all findings; keep extra sections that fit whole, then fit folded
    //    blocks from the start, shortening the one that overflows and dropping the rest.
    const noteFor = (dropped, shortened, findingsOmitted) => {
        const bits = [];
        if (shortened)
            bits.push('a folded block shortened');
        if (dropped > 0)
            bits.push(`${plural(dropped, 'section')} left out`);
        if (findingsOmitted > 0)
            bits.push(`${plural(findingsOmitted, 'finding')} not shown`);
        return truncationNote(bits.length > 0 ? ` (${bits.join(', ')})` : '', pointer);
    };
    const worstNote = noteFor(blocks.length + extra.length, true, 9_999_999);
    const baseLen = assemble(fullFindings, [], [], worstNote).length;
    if (baseLen <= limit) {
        let room = limit - baseLen;
        const keptSections = [];
        for (const s of extra) {
            if (s.length + sep.length > room)
                continue;
            keptSections.push(s);
            room -= s.length + sep.length;
        }
        const kept = [];
        let shortened = false;
        for (let i = 0; i < blocks.length; i++) {
            const need = blocks[i].text.length + sep.length;
            if (need <= room) {
                kept.push(blocks[i].text);
                room -= need;
                continue;
            }
            const short = shortenDetails(blocks[i].block, room - sep.length);
            if (short) {
                kept.push(short);
                room -= short.length + sep.length;
                shortened = true;
            }
            break;
        }
        const dropped = blocks.length - kept.length + extra.length - keptSections.length;
        return finalize(assemble(fullFindings, keptSections, kept, noteFor(dropped, shortened, 0)), limit);
    }
    // 2. Nothing folded; cut finding lists, keeping every group header and its count.
    const totalFindings = groups.reduce((n, g) => n + g.items.length + g.omitted, 0);
    let room = limit - assemble(fixHeading, [], [], worstNote).length;
    const cut = [];
    const reserve = groups.map((g) => g.header.length + 120 + sep.length);
    room -= reserve.reduce((a, b) => a + b, 0);
    let shown = 0;
    for (const g of groups) {
        const items = [];
        for (const item of g.items) {
            if (room - (item.length + 2) < 0)
                break;
            items.push(item);
            room -= item.length + 2;
        }
        shown += items.length;
        cut.push({ header: g.header, items, omitted: g.items.length + g.omitted - items.length });
    }
    const dropped = blocks.length + extra.length;
    if (room < 0) {
        // Too many groups even for their headers: keep one summary line.
        const text = `${fixHeading}\n\n- _${plural(totalFindings, 'finding')} not shown_`;
        return finalize(assemble(text, [], [], noteFor(dropped, false, totalFindings)), limit);
    }
    return finalize(assemble(findingsText(cut), [], [], noteFor(dropped, false, totalFindings - shown)), limit);
}
/** Last line of defence: redact once more and never exceed the limit. */
function finalize(text, limit) {
    const out = redact(text);
    if (out.length <= limit)
        return out;
    const note = '\n\n_… truncated_\n';
    if (limit <= note.length)
        return out.slice(0, limit);
    let cut = out.slice(0, limit - note.length);
    // Do not leave half a surrogate pair.
    if (/[\uD800-\uDBFF]$/.test(cut))
        cut = cut.slice(0, -1);
    return cut + note;
}
// ---------------------------------------------------------------------------
// Annotations
// ---------------------------------------------------------------------------
/** GitHub shows at most 10 annotations of a kind (error, warning, notice) per step; more are dropped silently. */
const ANNOTATIONS_PER_KIND = 10;
/**
 * Pure: the annotations for a report, at most ANNOTATIONS_PER_KIND of each kind
 * including `reserved`. Findings with a file and line come first, then with a
 * file, then the rest; what does not fit is summed up in one annotation of its
 * kind ("… and 37 more: see the job summary"). Allowlist notices (one per image)
 * are collapsed into one.
 */
function planAnnotations(report, workspace, reserved = {}) {
    const byLevel = {
        error: [],
        warning: [],
        notice: []
    };
    let order = 0;
    const allowed = [];
    for (const step of report.steps ?? []) {
        for (const f of step.findings ?? []) {
            if (f.rule === 'image-allowlisted') {
                allowed.push(f.message);
                continue;
            }
            const level = f.severity === 'error' || f.severity === 'warning' ? f.severity : 'notice';
            const message = redact(f.fix ? `${f.message}\nFix: ${f.fix}` : f.message);
            // A step's own finding (a stopped run's: rule `error` of step `error`) is titled by the step alone.
            const title = redact(f.rule && f.rule !== step.id ? `${step.title}: ${f.rule}` : step.title);
            let a;
            let rank = 2;
            if (f.file) {
                const props = { title, file: redact(relativeFile(workspace, f.file)) };
                rank = 1;
                if (typeof f.line === 'number' && f.line > 0) {
                    props.startLine = Math.floor(f.line);
                    rank = 0;
                }
                a = { level, message, props };
            }
            else {
                a = { level, message: `${title}: ${message}` };
            }
            byLevel[level].push({ rank, order: order++, a });
        }
    }
    if (allowed.length > 0) {
        const first = allowed.slice(0, 3).join(' ');
        const rest = allowed.length > 3 ? ` … and ${allowed.length - 3} more (see the job summary).` : '';
        byLevel.notice.push({
            rank: 3,
            order: order++,
            a: {
                level: 'notice',
                message: redact(`${plural(allowed.length, 'image')} allowed by the image allowlist: ${first}${rest}`)
            }
        });
    }
    const out = [];
    for (const level of ['error', 'warning', 'notice']) {
        const list = byLevel[level].sort((x, y) => x.rank - y.rank || x.order - y.order).map((e) => e.a);
        const budget = Math.max(1, ANNOTATIONS_PER_KIND - Math.max(0, reserved[level] ?? 0));
        if (list.length <= budget) {
            out.push(...list);
            continue;
        }
        const shown = list.slice(0, budget - 1);
        out.push(...shown, {
            level,
            message: `… and ${list.length - shown.length} more ${level === 'notice' ? 'notices' : `${level}s`}: see the job summary and the JSON report`
        });
    }
    return out;
}
/**
 * Writes the planned annotations (planAnnotations); `reserved` counts the
 * annotations written elsewhere (the failure line, a comment warning). Returns
 * how many were written.
 */
function annotate(input, workspace, reserved = {}) {
    const planned = planAnnotations(input, workspace, reserved);
    for (const a of planned) {
        const emit = a.level === 'error' ? error : a.level === 'warning' ? warning : notice;
        if (a.props)
            emit(a.message, a.props);
        else
            emit(a.message);
    }
    return planned.length;
}
function relativeFile(workspace, file) {
    if (!require$$2.isAbsolute(file))
        return file.split(require$$2.sep).join('/');
    const rel = require$$2.relative(workspace, file);
    return rel.startsWith('..') || require$$2.isAbsolute(rel) ? file : rel.split(require$$2.sep).join('/');
}
// ---------------------------------------------------------------------------
// JSON report, job summary
// ---------------------------------------------------------------------------
/** `blueprint-action-report-<chart>.json`, with the chart name reduced to safe file-name characters. */
function jsonReportName(chartName) {
    const safe = chartName.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_') || 'chart';
    return `${ACTION_NAME}-report-${safe}.json`;
}
/**
 * Writes the report as pretty JSON (schema: ActionReport, `schemaVersion: 1`),
 * deep-redacted, into `dir` (default RUNNER_TEMP or the OS temp dir). Returns its path.
 */
async function writeJsonReport(report, dir = process.env.RUNNER_TEMP || require$$0.tmpdir()) {
    await require$$1.mkdir(dir, { recursive: true });
    const file = require$$2.join(dir, jsonReportName(report.chart.name));
    const text = redact(`${JSON.stringify(redactDeep(report), null, 2)}\n`);
    await require$$1.writeFile(file, text, 'utf8');
    return file;
}
/** The job summary's markdown: durations shown, under the byte cap (1 MiB per step). */
function renderJobSummary(report, opts = {}) {
    let limit = Math.min(opts.limit ?? SUMMARY_LIMIT, SUMMARY_LIMIT);
    const render = () => renderMarkdown(report, {
        limit,
        runUrl: opts.runUrl,
        durations: true,
        reportPath: opts.reportPath,
        sections: opts.sections,
        maxFindingsPerGroup: 200
    });
    let md = render();
    // The cap is in bytes; non-ASCII text takes more than one byte a character.
    while (Buffer.byteLength(md, 'utf8') > SUMMARY_MAX_BYTES && limit > 10_000) {
        limit = Math.floor(limit * 0.7);
        md = render();
    }
    return md;
}
/** Appends the markdown report to the job summary; without GITHUB_STEP_SUMMARY it is a no-op (debug line). */
async function writeJobSummary(report, opts = {}) {
    const md = renderJobSummary(report, opts);
    try {
        await summary.addRaw(md, true).write();
        return true;
    }
    catch (err) {
        summary.emptyBuffer();
        debug(`job summary not written: ${redact(err instanceof Error ? err.message : String(err))}`);
        return false;
    }
}
/** The PR comment's markdown: no durations (an unchanged result is an unchanged body), findings capped per step. */
function renderComment(report, opts = {}) {
    return renderMarkdown(report, {
        limit: COMMENT_LIMIT,
        runUrl: opts.runUrl,
        marker: commentMarker(report.chart.name),
        reportPath: opts.reportPath,
        sections: opts.sections,
        maxFindingsPerGroup: 20,
        maxImageRows: 60
    });
}
/** Plain lines for the job log: the verdict, then one line a step (findings are annotations already). */
function renderLogLines(report) {
    const lines = [
        redact(`${report.status === 'passed' ? '✅' : '❌'} ${reportSubject(report)}: ${report.status} (${report.mode}: ${report.modeReason})`)
    ];
    if (report.upstream)
        lines.push(redact(`   upstream ${describeUpstream(report.upstream)}`));
    for (const step of report.steps) {
        lines.push(redact(`   ${stepIcon(step.status)} ${step.title.padEnd(24)} ${step.summary} (${formatDuration(step.durationMs)})`));
    }
    if (report.publish?.digest)
        lines.push(redact(`   ${report.publish.pushed ? 'pushed' : 'published'} ${report.publish.ref}@${report.publish.digest}`));
    for (const s of report.attestation?.statements ?? [])
        lines.push(redact(`   attested ${s.kind === 'sbom' ? 'SBOM' : s.kind} (${s.predicateType}): referrer ${s.referrer}${s.githubId !== undefined ? `, GitHub attestation ${s.githubId}` : ''}${s.existing ? ' (earlier run)' : ''}`));
    return lines;
}

// Stage: the report leaves the action: log lines, the JSON report, the outputs (outputs.ts), annotations, the
// job summary and the PR comment (report/report.ts renders, report/github.ts writes the comment).
async function emitReport(report, inputs, event, outputDir) {
    for (const line of renderLogLines(report))
        info(line);
    const reportPath = await writeJsonReport(report, outputDir);
    writeOutputs(runOutputs(report, reportPath));
    // The files stay on the runner: the log names each (a workflow keeps them with actions/upload-artifact).
    info(`JSON report: ${reportPath}`);
    if (report.sbom)
        info(`SBOM (CycloneDX): ${report.sbom}`);
    if (report.diff?.file)
        info(`rendered diff: ${report.diff.file}`);
    const failed = report.status === 'failed';
    // The failure line (core.setFailed) and a comment warning are annotations too.
    annotate(report, inputs.workspace, { error: failed ? 1 : 0, warning: 1 });
    // Optional extra sections go here (after the fixes and publish info, before the folded steps); the rendered
    // diff needs none: report.ts renders report.diff itself.
    const sections = [];
    let summaryWritten = false;
    if (inputs.summary === 'always' || (inputs.summary === 'on-failure' && failed)) {
        summaryWritten = await writeJobSummary(report, { limit: SUMMARY_LIMIT, runUrl: event.runUrl, reportPath, sections });
    }
    const pr = prContext(event);
    if (pr && inputs.commentMode !== 'off') {
        const marker = commentMarker(report.chart.name);
        const formerMarkers = formerCommentMarkers(report.chart.name);
        const apiUrl = process.env.GITHUB_API_URL || 'https://api.github.com';
        // on-failure: no comment while the check passes, and ours goes once it does.
        const outcome = inputs.commentMode === 'on-failure' && !failed
            ? await removeOwnComments({ token: inputs.githubToken, apiUrl, ...pr, marker, formerMarkers })
            : await upsertComment({
                token: inputs.githubToken,
                apiUrl,
                ...pr,
                body: renderComment(report, { runUrl: event.runUrl, reportPath, sections }),
                marker,
                formerMarkers,
                mode: inputs.commentMode === 'on-failure' ? 'update' : inputs.commentMode
            });
        if (outcome.warning)
            warning(outcome.warning);
        else
            info(`PR comment ${outcome.action}${outcome.id ? ` (${outcome.id})` : ''}`);
    }
    return { summaryWritten };
}

export { emitReport };
