import { u as operationLimit, O as OPERATION_LIMITS, y as timeLeft, f as formatDuration } from './action.js';

// The one retry policy for GitHub's REST API (the PR comment, report/github.ts; any other call the action makes to
// GitHub): what GitHub documents for its faults, within the run's budget.
// - 5xx and no answer at all (a reset, a refused connection) are transient: retried with a doubling backoff.
// - 429, and a 403 with `x-ratelimit-remaining: 0`, a `retry-after`, or a message naming the rate limit, are a rate
//   limit, not a permission error: retried after `retry-after` seconds, or at `x-ratelimit-reset` (epoch seconds),
//   else after a minute (GitHub's advice for its secondary limit) — only when the budget holds the wait.
// - 401, any other 403, 404 and the other 4xx are answers: never retried.
// - A call that got no answer within its time says "timed out", never the "HTTP 500" octokit makes of an abort.
// Independent of the HTTP client: the call is given a signal and its time; what it throws is read for `status`,
// the response headers (`response.headers`, or `headers`) and `message`.
/** A GitHub API call that failed for good: `fault` says how (`message` is its text). */
class GitHubApiError extends Error {
    fault;
    attempts;
    constructor(fault, attempts) {
        super(fault.text);
        this.fault = fault;
        this.attempts = attempts;
        this.name = 'GitHubApiError';
    }
}
const header = (headers, name) => {
    if (typeof headers !== 'object' || headers === null)
        return undefined;
    const value = headers[name];
    if (Array.isArray(value))
        return typeof value[0] === 'string' ? value[0] : undefined;
    return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
};
/** Seconds of `retry-after` (GitHub sends seconds; an HTTP date is read too). */
function retryAfterMs(value, now) {
    if (value === undefined || value.trim() === '')
        return undefined;
    if (/^\d+$/.test(value.trim()))
        return Number(value.trim()) * 1000;
    const date = Date.parse(value);
    return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
/**
 * What one failed call came to. `error` is what the HTTP client threw (octokit's RequestError, or any error with
 * `status` and `headers`); `timedOut` when the call's own time ran out; `now` is Date.now() (for `x-ratelimit-reset`).
 */
function classifyGitHubFault(error, timedOut = false, timeoutMs = 0, now = Date.now()) {
    const e = (typeof error === 'object' && error !== null ? error : {});
    const raw = error instanceof Error ? error.message : typeof e.message === 'string' ? e.message : String(error);
    // Octokit appends " - https://docs.github.com/..." to messages; the first line is the message.
    const message = raw
        .split('\n')[0]
        .replace(/ - https:\/\/docs\.github\.com\S*$/, '')
        .trim();
    if (timedOut) {
        return { kind: 'timeout', text: `timed out: no answer within ${Math.round(timeoutMs / 1000)} s`, retryable: true };
    }
    const headers = e.response?.headers ?? e.headers;
    const status = typeof e.status === 'number' ? e.status : undefined;
    // Octokit reports a call that got no answer as status 500 without a response: it is a network failure.
    if (status === undefined || (e.response === undefined && e.headers === undefined && status === 500)) {
        return { kind: 'network', text: `no answer: ${message}`, retryable: true };
    }
    const http = `HTTP ${status}${message ? `: ${message}` : ''}`;
    const remaining = header(headers, 'x-ratelimit-remaining');
    const reset = header(headers, 'x-ratelimit-reset');
    const after = retryAfterMs(header(headers, 'retry-after'), now);
    const limited = status === 429 || (status === 403 && (remaining === '0' || after !== undefined || /rate limit/i.test(message)));
    if (limited) {
        const resetMs = remaining === '0' && reset && /^\d+$/.test(reset) ? Math.max(0, Number(reset) * 1000 - now) : undefined;
        const waitMs = after ?? resetMs ?? 60_000;
        const said = [
            `HTTP ${status}`,
            remaining === '0' ? 'x-ratelimit-remaining 0' : '',
            after !== undefined ? `retry-after ${formatDuration(after)}` : '',
            resetMs !== undefined ? `resets in ${formatDuration(resetMs)}` : ''
        ].filter(Boolean);
        return {
            kind: 'rate-limit',
            status,
            text: `rate limited (${said.join(', ')})${message ? `: ${message}` : ''}`,
            retryable: true,
            waitMs
        };
    }
    if (status >= 500)
        return { kind: 'server', status, text: http, retryable: true, waitMs: after };
    if (status === 401 || status === 403)
        return { kind: 'permission', status, text: http, retryable: false };
    if (status === 404)
        return { kind: 'not-found', status, text: http, retryable: false };
    return { kind: 'other', status, text: http, retryable: false };
}
/** The least time an attempt is worth starting with. */
const MIN_ATTEMPT_MS = 5_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Runs one GitHub API call with the action's retry policy (see the top of this file). `call` gets a signal that
 * ends it when its time is up (one HTTP request's limit, within the run's budget) and that time in ms. Resolves with
 * its value; rejects with a GitHubApiError whose fault says what the last attempt came to (and, when a wait did not
 * fit, that it was not retried).
 */
async function withGitHubRetry(call, options = {}) {
    const phase = options.phase ?? 'work';
    const retries = Math.max(0, Math.floor(options.retries ?? 3));
    const base = options.baseDelayMs ?? 500;
    const maxWait = options.maxWaitMs ?? 5 * 60_000;
    for (let attempt = 1;; attempt++) {
        const timeoutMs = operationLimit(OPERATION_LIMITS.http, phase).ms;
        const stop = new AbortController();
        const timer = setTimeout(() => stop.abort(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        let fault;
        try {
            return await call(stop.signal, timeoutMs);
        }
        catch (error) {
            fault = classifyGitHubFault(error, stop.signal.aborted, timeoutMs);
        }
        finally {
            clearTimeout(timer);
        }
        if (!fault.retryable || attempt > retries)
            throw new GitHubApiError(fault, attempt);
        const backoff = Math.min(30_000, base * 2 ** (attempt - 1));
        const waitMs = fault.waitMs ?? Math.round(backoff / 2 + (Math.random() * backoff) / 2);
        if (waitMs > maxWait || timeLeft(phase) - waitMs < MIN_ATTEMPT_MS) {
            const text = `${fault.text}; not retried: waiting ${formatDuration(waitMs)} does not fit in the run's time`;
            throw new GitHubApiError({ ...fault, text }, attempt);
        }
        options.onRetry?.(fault, attempt, waitMs);
        await sleep(waitMs);
    }
}

export { GitHubApiError as G, classifyGitHubFault as c, withGitHubRetry as w };
