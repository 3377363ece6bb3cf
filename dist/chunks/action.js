import { r as require$1 } from './_builtin-require.js';
import { createRequire } from 'node:module';

function _mergeNamespaces(n, m) {
    m.forEach(function (e) {
        e && typeof e !== 'string' && !Array.isArray(e) && Object.keys(e).forEach(function (k) {
            if (k !== 'default' && !(k in n)) {
                var d = Object.getOwnPropertyDescriptor(e, k);
                Object.defineProperty(n, k, d.get ? d : {
                    enumerable: true,
                    get: function () { return e[k]; }
                });
            }
        });
    });
    return Object.freeze(n);
}

var require$$0$1 = require$1("node:os");

// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}

/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + require$$0$1.EOL);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return toCommandValue(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}

var require$$0 = require$1("node:crypto");

var require$$4 = require$1("node:fs");

// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
function issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!require$$4.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    require$$4.appendFileSync(filePath, `${toCommandValue(message)}${require$$0$1.EOL}`, {
        encoding: 'utf8'
    });
}
function prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${require$$0.randomUUID()}`;
    const convertedValue = toCommandValue(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${require$$0$1.EOL}${convertedValue}${require$$0$1.EOL}${delimiter}`;
}

var require$$2 = require$1("node:path");

var require$$1$3 = require$1("node:http");

var http = /*#__PURE__*/_mergeNamespaces({
    __proto__: null
}, [require$$1$3]);

var require$$1$2 = require$1("node:util");

var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
const { access, appendFile, writeFile } = require$$4.promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return __awaiter(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, require$$4.constants.R_OK | require$$4.constants.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return __awaiter(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return __awaiter(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(require$$0$1.EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
const summary = _summary;

var _builtin_child_process = require$1("node:child_process");

(undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};
/**
 * The code to exit an action
 */
var ExitCode;
(function (ExitCode) {
    /**
     * A code indicating that the action was successful
     */
    ExitCode[ExitCode["Success"] = 0] = "Success";
    /**
     * A code indicating that the action was a failure
     */
    ExitCode[ExitCode["Failure"] = 1] = "Failure";
})(ExitCode || (ExitCode = {}));
/**
 * Registers a secret which will get masked from logs
 *
 * @param secret - Value of the secret to be masked
 * @remarks
 * This function instructs the Actions runner to mask the specified value in any
 * logs produced during the workflow run. Once registered, the secret value will
 * be replaced with asterisks (***) whenever it appears in console output, logs,
 * or error messages.
 *
 * This is useful for protecting sensitive information such as:
 * - API keys
 * - Access tokens
 * - Authentication credentials
 * - URL parameters containing signatures (SAS tokens)
 *
 * Note that masking only affects future logs; any previous appearances of the
 * secret in logs before calling this function will remain unmasked.
 *
 * @example
 * ```typescript
 * // Register an API token as a secret
 * const apiToken = "abc123xyz456";
 * setSecret(apiToken);
 *
 * // Now any logs containing this value will show *** instead
 * console.log(`Using token: ${apiToken}`); // Outputs: "Using token: ***"
 * ```
 */
function setSecret(secret) {
    issueCommand('add-mask', {}, secret);
}
/**
 * Gets the value of an input.
 * Unless trimWhitespace is set to false in InputOptions, the value is also trimmed.
 * Returns an empty string if the value is not defined.
 *
 * @param     name     name of the input to get
 * @param     options  optional. See InputOptions.
 * @returns   string
 */
function getInput(name, options) {
    const val = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] || '';
    return val.trim();
}
/**
 * Sets the value of an output.
 *
 * @param     name     name of the output to set
 * @param     value    value to store. Non-string values will be converted to a string via JSON.stringify
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function setOutput(name, value) {
    const filePath = process.env['GITHUB_OUTPUT'] || '';
    if (filePath) {
        return issueFileCommand('OUTPUT', prepareKeyValueMessage(name, value));
    }
    process.stdout.write(require$$0$1.EOL);
    issueCommand('set-output', { name }, toCommandValue(value));
}
//-----------------------------------------------------------------------
// Results
//-----------------------------------------------------------------------
/**
 * Sets the action status to failed.
 * When the action exits it will be with an exit code of 1
 * @param message add error issue message
 */
function setFailed(message) {
    process.exitCode = ExitCode.Failure;
    error(message);
}
//-----------------------------------------------------------------------
// Logging Commands
//-----------------------------------------------------------------------
/**
 * Gets whether Actions Step Debug is on or not
 */
function isDebug() {
    return process.env['RUNNER_DEBUG'] === '1';
}
/**
 * Writes debug message to user log
 * @param message debug message
 */
function debug(message) {
    issueCommand('debug', {}, message);
}
/**
 * Adds an error issue
 * @param message error issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function error(message, properties = {}) {
    issueCommand('error', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a warning issue
 * @param message warning issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function warning(message, properties = {}) {
    issueCommand('warning', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Adds a notice issue
 * @param message notice issue message. Errors will be converted to string via toString()
 * @param properties optional properties to add to the annotation.
 */
function notice(message, properties = {}) {
    issueCommand('notice', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
}
/**
 * Writes info to log with console.log.
 * @param message info message
 */
function info(message) {
    process.stdout.write(message + require$$0$1.EOL);
}

var require$$1$1 = require$1("node:fs/promises");

// The action's own name for what it leaves behind: the PR comment's marker, the JSON report's file name, the SBOM's
// tool, the HTTP user agent, its folder when the runner gives none. Not temporal's: it validates any blueprint (the
// action's repository and its default blueprint keep their names).
const ACTION_NAME = 'blueprint-action';

/**
 * Error carrying a message fit for `core.setFailed`: names the file/field/value and what to do, and where it is
 * (`at`), so the run's annotation lands on that line of the pull request.
 */
class ActionError extends Error {
    hint;
    at;
    constructor(message, hint, at) {
        super(message);
        this.hint = hint;
        this.at = at;
        this.name = 'ActionError';
    }
}
/** What a report is about, in one phrase: the chart and its version, or the blueprint folder when no chart was read. */
function reportSubject(report) {
    return report.chart.name
        ? [report.chart.name, report.chart.version].filter(Boolean).join(' ')
        : `blueprint ${report.blueprint}`;
}

// Bounded time: the run's budget (input `timeout`) and the limit of each
// operation within it. Every helm process, chart test script and HTTP request
// asks operationLimit() for its time; when it runs out the operation is
// stopped and fails with a DeadlineError naming what was stuck. A slice of the
// budget is kept back for the report (job summary, outputs, PR comment), so a
// run stopped by its timeout still says why. Retries with backoff (`withRetry`: the registry client, the chart
// repositories' index.yaml fetch, helm push) wait only as long as the budget can hold.
const DEFAULT_TIMEOUT = '15m';
/** GitHub stops a job after 6 h: a longer run budget would never be reached. */
const MAX_TIMEOUT_MS = 6 * 60 * 60 * 1000;
const MIN_TIMEOUT_MS = 10 * 1000;
/** Per-operation limits (each also capped by what is left of the run's budget). */
const OPERATION_LIMITS = {
    /** helm template/lint/package/dependency build. */
    helm: 10 * 60 * 1000,
    /** helm push / registry login: a registry that takes longer is not answering. */
    registryWrite: 5 * 60 * 1000,
    /** One HTTP request (index.yaml, a registry API call, the GitHub API). */
    http: 60 * 1000,
    /** The line diffs of "What changes" (diff/compare.ts): they run on the main thread, every timer waits for them. */
    renderedDiff: 20 * 1000
};
/**
 * Parses a duration such as `90s`, `10m`, `1h30m` or `1h5m30s` into milliseconds.
 * Throws an ActionError naming the input for anything else.
 */
function parseDuration(text, input = 'timeout') {
    const value = text.trim().toLowerCase();
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value);
    if (value === '' || !match) {
        throw new ActionError(`input ${input}: "${text.trim()}" is not a duration`, `write it as e.g. 90s, 10m or 1h30m (default ${DEFAULT_TIMEOUT})`);
    }
    const ms = ((Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 1000;
    if (ms < MIN_TIMEOUT_MS || ms > MAX_TIMEOUT_MS) {
        throw new ActionError(`input ${input}: ${value} is outside 10s to 6h`, 'a run needs at least 10s, and GitHub stops a job after 6h');
    }
    return ms;
}
/** `90s`, `10m`, `1h30m`: how a duration reads in messages. */
function formatDuration(ms) {
    const total = Math.round(ms / 1000);
    const [h, m, s] = [Math.floor(total / 3600), Math.floor((total % 3600) / 60), total % 60];
    return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
let current;
/** Starts the run's clock; a tenth of the budget (at most 60 s) is kept for the report. */
function startRunBudget(totalMs, label = formatDuration(totalMs), now = performance.now()) {
    const reserve = Math.min(60_000, Math.round(totalMs / 10));
    current = { label, totalMs, workEnd: now + totalMs - reserve, end: now + totalMs };
    return current;
}
/**
 * How long an operation may take: its own limit, capped by what is left of the
 * run's work budget (or, for `phase: 'report'`, of the whole budget, with a few
 * seconds at least so a stopped run still gets its comment out).
 */
function operationLimit(limitMs, phase = 'work', now = performance.now()) {
    if (!current)
        return { ms: limitMs, byRun: false };
    const left = phase === 'work' ? current.workEnd - now : Math.max(5000, current.end - now);
    return left < limitMs ? { ms: Math.max(0, Math.floor(left)), byRun: true } : { ms: limitMs, byRun: false };
}
/**
 * What is left of the run's work budget (`work`) or of the whole budget, the report's slice included (`report`):
 * may be negative; Infinity without a budget (tests).
 */
function timeLeft(phase = 'work', now = performance.now()) {
    if (!current)
        return Infinity;
    return (phase === 'work' ? current.workEnd : current.end) - now;
}
/** An operation stopped by its time limit: names what was stuck and for how long. */
class DeadlineError extends ActionError {
    what;
    waitedMs;
    byRun;
    constructor(what, waitedMs, byRun) {
        const budget = current?.label ?? '?';
        super(waitedMs <= 0 && byRun
            ? `${what}: not started, the run's timeout (${budget}) ran out`
            : `${what}: no answer for ${Math.round(waitedMs / 1000)} s`, byRun
            ? `the run's timeout (${budget}) ran out: find out why it is this slow, or raise the timeout input`
            : 'check the server is reachable and answering; the operation was stopped at its time limit');
        this.what = what;
        this.waitedMs = waitedMs;
        this.byRun = byRun;
        this.name = 'DeadlineError';
    }
}
/**
 * Calls `report(elapsedMs)` every `intervalMs` until the promise settles, so a
 * long wait (a push to a slow registry) is not silent in the log.
 */
async function withProgress(work, report, intervalMs = progressInterval()) {
    const start = performance.now();
    const timer = setInterval(() => report(performance.now() - start), intervalMs);
    try {
        return await work;
    }
    finally {
        clearInterval(timer);
    }
}
/** 15 s; BP_PROGRESS_INTERVAL_MS changes it (tests watch a few lines in seconds). */
function progressInterval(env = process.env) {
    const raw = Number(env.BP_PROGRESS_INTERVAL_MS);
    return Number.isInteger(raw) && raw >= 100 ? raw : 15_000;
}
/**
 * The last resort: should anything outlive the run's budget by half a minute
 * (every operation has its own limit, so nothing should), the run fails and
 * ends instead of hanging until GitHub's 6 h job limit.
 */
function armWatchdog(totalMs, grace = 30_000) {
    const timer = setTimeout(() => {
        const line = `the run did not end within its timeout (${formatDuration(totalMs)}) and was stopped`;
        process.stdout.write(`::error::${line}\n`);
        process.exit(1);
    }, totalMs + grace);
    timer.unref();
    return timer;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/**
 * Runs `fn`, retrying retryable failures up to `retries` times with exponential
 * backoff (baseDelayMs · 2^(n-1), capped at maxDelayMs, default 30 s) and jitter
 * (each delay is drawn from [d/2, d]). The last error is rethrown unchanged.
 */
async function withRetry(fn, opts) {
    const retries = Math.max(0, Math.floor(opts.retries));
    const maxDelay = opts.maxDelayMs ?? 30_000;
    for (let attempt = 1;; attempt++) {
        try {
            return await fn();
        }
        catch (e) {
            if (attempt > retries || !opts.isRetryable(e))
                throw e;
            const full = Math.min(maxDelay, Math.max(0, opts.baseDelayMs) * 2 ** (attempt - 1));
            const delayMs = Math.round(full / 2 + (Math.random() * full) / 2);
            // No retry the run's budget cannot hold: the last error says more than a timeout would.
            if (operationLimit(delayMs).byRun)
                throw e;
            opts.onRetry?.(attempt, e, delayMs);
            await sleep(delayMs);
        }
    }
}

// Network rules shared by every client of the action (registry, chart repositories, helm logins):
// which hosts count as loopback (the only ones plain HTTP and credentials over http:// may reach),
// the host of a repository URL, and credentials in URLs (found and hidden). Pure; imports nothing from src/.
/** True for loopback names and addresses; accepts `host`, `host:port`, `[::1]:port`. */
function isLoopbackHost(hostname) {
    const h = hostname
        .replace(/^(\[[^\]]*\]|[^:[\]]+):\d+$/, '$1')
        .replace(/^\[|\]$/g, '')
        .toLowerCase();
    return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1';
}
/** Host (with port) of an http(s):// or oci:// repository URL. */
function repositoryHost(url) {
    try {
        return new URL(url.replace(/^oci:\/\//, 'https://')).host.toLowerCase();
    }
    catch {
        return undefined;
    }
}
/**
 * The text with the userinfo of every URL in it (`scheme://user[:password]@`;
 * the authority ends at `/`, `?`, `#` or a space) replaced by `***`, so an
 * error can name the URL without the credentials.
 */
function withoutUserinfo(text) {
    return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, '$1***@');
}
/** The userinfo (`user[:password]`) of a URL at the start of the text, if it has one. */
function urlUserinfo(text) {
    return /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]*)@/i.exec(text)?.[1];
}
/**
 * The fix for a TLS failure with a loopback registry reached without input plain-http (a local registry speaks
 * plain HTTP): it names the input. Undefined when plain HTTP was on, the host is not loopback, or the failure
 * is not TLS's.
 */
function plainHttpFix(host, plainHttp, failure) {
    if (plainHttp || !isLoopbackHost(host))
        return undefined;
    if (!/HTTP response to HTTPS client|EPROTO|wrong version number|SSL|TLS|handshake/i.test(failure))
        return undefined;
    return `${host} is a loopback registry answering in plain HTTP: set input plain-http: true (on loopback hosts it applies to the registry published to, OCI dependencies and the OCI upstream's tag listing)`;
}

// A library loaded on its first use, not with the pipeline (util/yaml-lib.ts, util/glob.ts). Its users are
// synchronous, so it is `require`d: the package when run from source, its own ES chunk in dist/ (rollup.config.js
// lazyLibraries rewrites each loader's specifier to the chunk's file; Node ≥ 20.19 requires an ES module
// synchronously, and gives its namespace, which holds a CommonJS package's exports as `default`).
/** A getter that requires `specifier` on its first call (then `onLoad()`), and gives the same module after. */
function onFirstUse(specifier, onLoad) {
    let loaded;
    return () => {
        if (loaded === undefined) {
            const required = createRequire(import.meta.url)(specifier);
            loaded = required.default ?? required;
            onLoad?.();
        }
        return loaded;
    };
}

// HTTP for every client of the action (the OCI registry, chart repositories' index.yaml): one exchange
// through node:http(s), network errors in words, and redirects followed with the Authorization header
// dropped when the origin changes. node:http and not the global fetch: fetch's first use loads and compiles
// undici's HTTP parser (~60-90 ms of CPU, measured), on the path to the dependency build. node:https (and with it
// node:tls) is loaded on the first https request, not with the pipeline: a run against plain-HTTP servers never
// needs it. Imports nothing from src/ but util/on-first-use.ts.
const https = onFirstUse('node:https');
/** An `Authorization` header value for HTTP Basic auth. */
function basicAuth(credentials) {
    return 'Basic ' + Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64');
}
/** Connection failures the registry client retries. */
const RETRYABLE_CODES = new Set([
    'ECONNRESET',
    'ECONNREFUSED',
    'ETIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'ENOTFOUND',
    'ENETUNREACH',
    'EHOSTUNREACH',
    'ECONNABORTED',
    'ESOCKETTIMEDOUT',
    'UND_ERR_SOCKET'
]);
/** A network failure in words (a timeout named as one), and whether another attempt may get past it. */
function describeNetworkError(e, timeoutMs) {
    const err = e;
    if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || err?.cause?.name === 'TimeoutError') {
        return { text: `no answer within ${Math.round(timeoutMs / 1000)} s (timeout)`, retryable: true };
    }
    const code = err?.code;
    const msg = err?.message ?? String(e);
    const retryable = (code !== undefined && RETRYABLE_CODES.has(code)) || /socket hang up/i.test(msg);
    return { text: code && !msg.includes(code) ? `${code}: ${msg}` : msg, retryable };
}
/**
 * One HTTP exchange (no redirects followed) with node:http(s): the whole body read up to `maxBody` bytes
 * (larger: an error with code EBODYTOOLARGE), connection to last byte within `timeoutMs`.
 */
function httpExchange(method, url, headers, timeoutMs, maxBody, upload) {
    return new Promise((resolve, reject) => {
        const mod = url.protocol === 'https:' ? https() : http;
        let settled = false;
        const fail = (e) => {
            if (!settled) {
                settled = true;
                // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- passes on what the socket raised
                reject(e);
            }
        };
        const req = mod.request(url, { method, headers, signal: AbortSignal.timeout(timeoutMs) }, (res) => {
            const chunks = [];
            let size = 0;
            res.on('data', (c) => {
                size += c.length;
                if (size > maxBody) {
                    // Rejected here: the response may end in this same tick, before the destroyed request's error.
                    const tooLarge = Object.assign(new Error(`response body larger than ${maxBody} bytes`), {
                        code: 'EBODYTOOLARGE'
                    });
                    fail(tooLarge);
                    req.destroy();
                    return;
                }
                chunks.push(c);
            });
            res.on('error', fail);
            res.on('aborted', () => fail(Object.assign(new Error('connection closed before the response ended'), { code: 'ECONNRESET' })));
            res.on('end', () => {
                if (settled)
                    return;
                settled = true;
                const raw = res.headersDistinct?.['www-authenticate'];
                const wa = raw ?? (res.headers['www-authenticate'] ? [res.headers['www-authenticate']] : []);
                resolve({
                    status: res.statusCode ?? 0,
                    headers: res.headers,
                    wwwAuthenticate: wa,
                    body: Buffer.concat(chunks),
                    url
                });
            });
        });
        req.on('error', fail);
        req.end(upload?.body);
    });
}
/** Why a redirect was not followed; the caller words it for its own server. */
class RedirectError extends Error {
    reason;
    location;
    status;
    constructor(reason, location, status) {
        super(`redirect ${reason}: ${location}`);
        this.reason = reason;
        this.location = location;
        this.status = status;
        this.name = 'RedirectError';
    }
}
/**
 * Sends to `url` and follows redirects (301/302/303/307/308 with a Location) up to `maxRedirects` times;
 * `send` makes each exchange and is told whether the URL is still on the first one's origin (only then may
 * it send credentials).
 */
async function followRedirects(url, maxRedirects, send) {
    let current = url;
    for (let hop = 0;; hop++) {
        const res = await send(current, current.origin === url.origin);
        const location = res.headers.location;
        if (![301, 302, 303, 307, 308].includes(res.status) || !location)
            return res;
        if (hop >= maxRedirects)
            throw new RedirectError('too-many', location, res.status);
        let next;
        try {
            next = new URL(location, current);
        }
        catch {
            throw new RedirectError('invalid', location, res.status);
        }
        if (next.protocol !== 'http:' && next.protocol !== 'https:')
            throw new RedirectError('not-http', next.href, res.status);
        current = next;
    }
}

// A small OCI distribution (registry v2) client: manifest existence/digest and tag
// listing, with anonymous → Basic/Bearer auth, bounded retries and clear errors.
//
// Rules kept throughout:
// - "absent" is only ever a 404 (or NAME_UNKNOWN); every other failure is an error.
// - 401/403 after authenticating is an 'auth' error and is not retried.
// - 5xx, 429 and connection failures are retried with backoff, then 'unavailable'.
// - The password and tokens never appear in messages, and credentials are never sent
//   over plain HTTP to a host that is not loopback.
class RegistryError extends ActionError {
    kind;
    status;
    url;
    /** Whether another attempt may succeed (5xx, 429, connection errors, timeouts). */
    retryable;
    constructor(kind, message, opts) {
        super(message, opts.hint);
        this.name = 'RegistryError';
        this.kind = kind;
        this.status = opts.status;
        this.url = opts.url;
        this.retryable = opts.retryable ?? false;
    }
}
/** Media type of the chart archive layer in a Helm OCI artifact. */
const HELM_CHART_LAYER = 'application/vnd.cncf.helm.chart.content.v1.tar+gzip';
const MANIFEST_ACCEPT = [
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.docker.distribution.manifest.list.v2+json'
].join(', ');
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** A chart archive pulled back for verification; charts are far smaller. */
const MAX_CHART_BYTES = 256 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const MAX_TAG_PAGES = 1000;
const REPO_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/** One path component of an OCI repository name (lowercase, single separators). */
function isRepositoryComponent(name) {
    return REPO_COMPONENT.test(name);
}
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
// ---------------------------------------------------------------------------
// Pure helpers
/**
 * Splits an `oci://host[:port]/path` registry URL. The path may be empty
 * (`oci://127.0.0.1:5000`: helm then pushes to `<host>/<chart>`).
 */
function parseOciReference(url) {
    const example = 'e.g. oci://ghcr.io/openova-io/charts';
    const bad = (why, hint) => {
        throw new ActionError(`Invalid OCI registry URL "${url}": ${why}.`, hint ?? `Write it as oci://HOST[:PORT]/PATH, ${example}.`);
    };
    const trimmed = url.trim();
    const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/(.*)$/.exec(trimmed);
    if (!m)
        bad('it has no oci:// scheme');
    const [, scheme, rest] = m;
    if (scheme.toLowerCase() !== 'oci')
        bad(`the scheme is "${scheme}://", not "oci://"`);
    if (/[?#\s]/.test(rest))
        bad('it contains a query, fragment or whitespace');
    const slash = rest.indexOf('/');
    const hostPart = slash === -1 ? rest : rest.slice(0, slash);
    const pathPart = (slash === -1 ? '' : rest.slice(slash + 1)).replace(/\/+$/, '');
    if (hostPart === '')
        bad('the host is empty');
    if (hostPart.includes('@'))
        bad('it contains credentials', 'Pass credentials with registry-username and registry-password, not in the URL.');
    const hm = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*)(?::(\d{1,5}))?$/.exec(hostPart);
    if (!hm)
        bad(`"${hostPart}" is not a valid host[:port]`);
    const port = hm[2];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535))
        bad(`port ${port} is out of range`);
    if (pathPart !== '') {
        for (const comp of pathPart.split('/')) {
            if (comp === '')
                bad('the path has an empty segment');
            if (/[:@]/.test(comp))
                bad(`the path segment "${comp}" holds a tag or digest`, `Give only the repository path; the chart name and version are added on push (${example}).`);
            if (comp !== comp.toLowerCase())
                bad(`the path segment "${comp}" has uppercase letters`, `OCI repository names are lowercase: use "${comp.toLowerCase()}".`);
            if (!REPO_COMPONENT.test(comp))
                bad(`the path segment "${comp}" is not a valid repository name component`, 'Use lowercase letters, digits and single separators (".", "_", "__", "-").');
        }
    }
    return { host: hostPart.toLowerCase(), repository: pathPart };
}
function parseRegistryTarget(url, plainHttp) {
    const { host, repository } = parseOciReference(url);
    if (plainHttp && !isLoopbackHost(host)) {
        throw new ActionError(`input plain-http: registry ${host} is not a loopback address`, 'plain HTTP is only for registries on 127.0.0.1/localhost/::1; remove plain-http');
    }
    return { url: url.trim().replace(/\/+$/, ''), host, path: repository, plainHttp };
}
/** The OCI repository a chart is pushed to: `<path>/<name>` (helm push's layout). */
function chartRepository(target, name) {
    return target.path ? `${target.path}/${name}` : name;
}
/** `oci://host/path/name:tag`, the reference `helm pull` takes. */
function chartRef(target, name, version) {
    return `${target.url}/${name}:${ociTag(version)}`;
}
/** The OCI tag helm uses for a chart version: `+` becomes `_`. */
function ociTag(version) {
    const tag = version.replace(/\+/g, '_');
    if (!TAG.test(tag)) {
        throw new ActionError(`Version "${version}" does not make a valid OCI tag ("${tag}").`, 'Use a semver version such as 1.2.3 or 1.2.3+build.1.');
    }
    return tag;
}
/**
 * Parses `WWW-Authenticate` values (RFC 7235): several challenges, quoted values with
 * commas and escapes, unquoted tokens. Several header lines may be passed.
 */
function parseWwwAuthenticate(header) {
    const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
    const out = [];
    for (const s of values) {
        let i = 0;
        let current;
        const skip = (re) => {
            while (i < s.length && re.test(s[i]))
                i++;
        };
        while (i < s.length) {
            skip(/[\s,]/);
            if (i >= s.length)
                break;
            const start = i;
            while (i < s.length && !/[\s,=]/.test(s[i]))
                i++;
            const token = s.slice(start, i);
            let j = i;
            while (j < s.length && /[ \t]/.test(s[j]))
                j++;
            if (current && s[j] === '=' && s[j + 1] !== '=') {
                // auth-param: token = ( token / quoted-string )
                i = j + 1;
                skip(/[ \t]/);
                let value = '';
                if (s[i] === '"') {
                    i++;
                    while (i < s.length && s[i] !== '"') {
                        if (s[i] === '\\' && i + 1 < s.length)
                            i++;
                        value += s[i];
                        i++;
                    }
                    i++; // closing quote
                }
                else {
                    const vs = i;
                    while (i < s.length && !/[\s,]/.test(s[i]))
                        i++;
                    value = s.slice(vs, i);
                }
                current.params[token.toLowerCase()] = value;
            }
            else if (current && token.length > 0 && s[j] === '=' && Object.keys(current.params).length === 0) {
                // token68 (e.g. `Negotiate abc==`): keep it whole, it carries no parameters we use.
                while (i < s.length && s[i] === '=')
                    i++;
            }
            else if (token.length > 0) {
                current = { scheme: token.toLowerCase(), params: {} };
                out.push(current);
                i = j;
            }
            else {
                i++;
            }
        }
    }
    return out;
}
// ---------------------------------------------------------------------------
// HTTP
function errorSummary(body) {
    const text = body.toString('utf8').trim();
    if (!text)
        return '';
    try {
        const j = JSON.parse(text);
        if (Array.isArray(j.errors) && j.errors.length > 0) {
            return j.errors.map((e) => [e.code, e.message].filter(Boolean).join(': ')).join('; ');
        }
    }
    catch {
        // not JSON
    }
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}
function isNameUnknown(body) {
    try {
        const j = JSON.parse(body.toString('utf8'));
        return Array.isArray(j.errors) && j.errors.some((e) => e?.code === 'NAME_UNKNOWN');
    }
    catch {
        return false;
    }
}
function statusText(status) {
    const t = require$$1$3.STATUS_CODES[status];
    return t ? `HTTP ${status} ${t}` : `HTTP ${status}`;
}
// ---------------------------------------------------------------------------
// Client
class RegistryClient {
    host;
    base;
    creds;
    retries;
    baseDelayMs;
    timeoutMs;
    userAgent;
    /** Bearer tokens by scope (`repository:<repo>:pull`). */
    tokens = new Map();
    /** Set once the registry asked for Basic auth: later requests send it up front. */
    basic = false;
    constructor(opts) {
        const host = opts.host.trim();
        if (!host || /[/\s@?#]/.test(host)) {
            throw new ActionError(`Invalid registry host "${opts.host}": give host[:port] only, e.g. ghcr.io or 127.0.0.1:5000.`);
        }
        this.host = host.toLowerCase();
        this.base = `${opts.plainHttp ? 'http' : 'https'}://${this.host}`;
        this.creds =
            opts.credentials && (opts.credentials.username || opts.credentials.password) ? opts.credentials : undefined;
        this.retries = opts.retries ?? 4;
        this.baseDelayMs = opts.baseDelayMs ?? 500;
        this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
        this.userAgent = opts.userAgent ?? ACTION_NAME;
    }
    /** /v2/<repo>/manifests/<ref>, the repository and the reference checked first. */
    manifestUrl(repository, reference) {
        this.checkRepository(repository);
        if (!TAG.test(reference) && !DIGEST.test(reference)) {
            throw new ActionError(`Invalid manifest reference "${reference}": expected a tag or a digest.`);
        }
        return new URL(`${this.base}/v2/${repository}/manifests/${reference}`);
    }
    /** HEAD /v2/<repo>/manifests/<ref>: the digest when the tag (or digest) exists. */
    async manifest(repository, reference) {
        const url = this.manifestUrl(repository, reference);
        const head = await this.call('HEAD', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES);
        if (head.status === 404)
            return { exists: false };
        const mediaType = contentType(head);
        const digest = headerDigest(head);
        if (digest)
            return { exists: true, digest, ...(mediaType ? { mediaType } : {}) };
        // No Docker-Content-Digest: fetch the manifest and hash it ourselves.
        const get = await this.call('GET', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES);
        if (get.status === 404)
            return { exists: false };
        const getType = contentType(get) ?? mediaType;
        const d = headerDigest(get) ?? bodyDigest(get.body);
        return { exists: true, digest: d, ...(getType ? { mediaType: getType } : {}) };
    }
    /**
     * One GET of a tag's manifest: whether it exists, its digest (the registry's header, else the body's sha256) and
     * its Helm chart layer's digest (undefined when the manifest is no Helm chart). One request where `manifest()` +
     * `chartLayerDigest()` take two: the publish preview asks it on a pull request's critical path.
     */
    async chartManifest(repository, reference) {
        const url = this.manifestUrl(repository, reference);
        const res = await this.call('GET', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES);
        if (res.status === 404)
            return { exists: false };
        const digest = headerDigest(res) ?? bodyDigest(res.body);
        try {
            const manifest = JSON.parse(res.body.toString('utf8'));
            return {
                exists: true,
                digest,
                layerDigest: manifest.layers?.find((l) => l.mediaType === HELM_CHART_LAYER)?.digest
            };
        }
        catch {
            throw this.error('protocol', `Registry ${this.host} returned a manifest that is not JSON (GET ${url.href}).`, url, res.status);
        }
    }
    /**
     * The digest of a Helm chart manifest's content layer (the .tgz), or
     * undefined when the manifest is no Helm chart. Compared with a local
     * archive's sha256, it tells "same chart already published" from "other content".
     */
    async chartLayerDigest(repository, reference) {
        this.checkRepository(repository);
        const url = new URL(`${this.base}/v2/${repository}/manifests/${reference}`);
        const res = await this.call('GET', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES);
        if (res.status === 404)
            return undefined;
        try {
            const manifest = JSON.parse(res.body.toString('utf8'));
            return manifest.layers?.find((layer) => layer.mediaType === HELM_CHART_LAYER)?.digest;
        }
        catch {
            throw this.error('protocol', `Registry ${this.host} returned a manifest that is not JSON (GET ${url.href}).`, url, res.status);
        }
    }
    /**
     * Pulls a Helm chart by manifest digest through the registry API: the
     * manifest, then its chart layer. Both are checked against their digests,
     * so what comes back is exactly what the registry serves under that digest.
     * `expectedLayer` (what was pushed) is fetched beside the manifest, and used
     * only when the manifest names that layer.
     */
    async pullChart(repository, digest, expectedLayer) {
        this.checkRepository(repository);
        const manifestUrl = new URL(`${this.base}/v2/${repository}/manifests/${digest}`);
        const layerAt = (layer) => new URL(`${this.base}/v2/${repository}/blobs/${layer}`);
        // The layer the caller expects is asked for beside the manifest (one round trip less right after a push);
        // used only when the manifest names it.
        const expected = expectedLayer && DIGEST.test(expectedLayer)
            ? this.call('GET', layerAt(expectedLayer), '*/*', repository, MAX_CHART_BYTES)
            : undefined;
        expected?.catch(() => undefined);
        const manifestRes = await this.call('GET', manifestUrl, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES);
        if (manifestRes.status === 404)
            throw this.error('protocol', `Registry ${this.host} has no manifest ${digest} in ${repository} right after the push.`, manifestUrl, 404);
        const manifestDigest = bodyDigest(manifestRes.body);
        let layerDigest;
        try {
            const manifest = JSON.parse(manifestRes.body.toString('utf8'));
            layerDigest = manifest.layers?.find((layer) => layer.mediaType === HELM_CHART_LAYER)?.digest;
        }
        catch {
            throw this.error('protocol', `Registry ${this.host} returned a manifest that is not JSON (GET ${manifestUrl.href}).`, manifestUrl, manifestRes.status);
        }
        if (!layerDigest || !DIGEST.test(layerDigest)) {
            throw this.error('protocol', `The manifest ${digest} in ${repository} has no Helm chart layer (${HELM_CHART_LAYER}).`, manifestUrl, manifestRes.status);
        }
        const blobUrl = layerAt(layerDigest);
        const blobRes = await (layerDigest === expectedLayer && expected
            ? expected
            : this.call('GET', blobUrl, '*/*', repository, MAX_CHART_BYTES));
        if (blobRes.status === 404)
            throw this.error('protocol', `Registry ${this.host} has no blob ${layerDigest} in ${repository}.`, blobUrl, 404);
        const archiveDigest = bodyDigest(blobRes.body);
        return { manifestDigest, layerDigest, archiveDigest, archive: blobRes.body };
    }
    /**
     * Uploads a blob unless the repository has it: POST an upload session, PUT
     * the bytes with their digest (monolithic upload, which every distribution
     * registry takes). A failed session is retried whole, never resumed.
     */
    async pushBlob(repository, digest, body) {
        this.checkRepository(repository);
        const blobUrl = new URL(`${this.base}/v2/${repository}/blobs/${digest}`);
        const head = await this.call('HEAD', blobUrl, '*/*', repository, MAX_JSON_BYTES);
        if (head.status !== 404)
            return;
        const start = new URL(`${this.base}/v2/${repository}/blobs/uploads/`);
        await this.retried(`upload of ${digest} to ${repository}`, async () => {
            const session = await this.attempt('POST', start, '*/*', repository, MAX_JSON_BYTES, {
                body: Buffer.alloc(0),
                contentType: 'application/octet-stream'
            });
            const location = session.headers.location;
            if (session.status !== 202 || !location) {
                throw this.error('protocol', `Registry ${this.host} answered POST ${start.href} with ${statusText(session.status)} and no upload location.`, start, session.status);
            }
            const target = new URL(location, start);
            if (target.origin !== start.origin) {
                throw this.error('protocol', `Registry ${this.host} sent an upload location on another origin (${target.origin}); not followed.`, start, session.status);
            }
            target.searchParams.set('digest', digest);
            const put = await this.attempt('PUT', target, '*/*', repository, MAX_JSON_BYTES, {
                body,
                contentType: 'application/octet-stream'
            });
            if (put.status !== 201 && put.status !== 204) {
                throw this.error('protocol', `Registry ${this.host} answered the upload of ${digest} with ${statusText(put.status)}${suffix(errorSummary(put.body))}.`, start, put.status);
            }
        });
    }
    /** PUT /v2/<repo>/manifests/<tag>: tags the manifest; returns its digest. */
    async putManifest(repository, tag, manifest, mediaType) {
        if (!TAG.test(tag))
            throw new ActionError(`Invalid tag "${tag}".`);
        return (await this.put(repository, tag, manifest, mediaType)).digest;
    }
    /**
     * PUT /v2/<repo>/manifests/<digest>: a manifest with a `subject` (a referrer), untagged. `subjectIndexed`: the
     * registry answered with `OCI-Subject`, i.e. its referrers API lists it; otherwise the client keeps the
     * referrers tag (`sha256-<hex>`) itself (OCI distribution 1.1).
     */
    async putReferrer(repository, manifest, mediaType) {
        const digest = bodyDigest(manifest);
        const res = await this.put(repository, digest, manifest, mediaType);
        return { digest, subjectIndexed: res.headers['oci-subject'] !== undefined };
    }
    async put(repository, reference, manifest, mediaType) {
        this.checkRepository(repository);
        const url = new URL(`${this.base}/v2/${repository}/manifests/${reference}`);
        const res = await this.call('PUT', url, '*/*', repository, MAX_JSON_BYTES, {
            body: manifest,
            contentType: mediaType
        });
        if (res.status !== 201 && res.status !== 200) {
            throw this.error('protocol', `Registry ${this.host} answered PUT ${url.href} with ${statusText(res.status)}${suffix(errorSummary(res.body))}.`, url, res.status);
        }
        return { digest: bodyDigest(manifest), headers: res.headers };
    }
    /** GET /v2/<repo>/manifests/<tag or digest>: the bytes as served and their media type; undefined when absent. */
    async getManifest(repository, reference) {
        const url = this.manifestUrl(repository, reference);
        const res = await this.call('GET', url, MANIFEST_ACCEPT, repository, MAX_MANIFEST_BYTES);
        if (res.status === 404)
            return undefined;
        const mediaType = contentType(res);
        return {
            digest: bodyDigest(res.body),
            ...(mediaType ? { mediaType } : {}),
            body: res.body
        };
    }
    /**
     * GET /v2/<repo>/referrers/<digest> (OCI distribution 1.1): the index of the manifests whose `subject` is that
     * digest, or undefined when the registry has no referrers API (404; then the `sha256-<hex>` tag stands in).
     */
    async referrers(repository, digest) {
        this.checkRepository(repository);
        if (!DIGEST.test(digest))
            throw new ActionError(`Invalid digest "${digest}".`);
        const url = new URL(`${this.base}/v2/${repository}/referrers/${digest}`);
        const res = await this.call('GET', url, 'application/vnd.oci.image.index.v1+json', repository, MAX_MANIFEST_BYTES);
        if (res.status === 404)
            return undefined;
        return res.body;
    }
    /**
     * GET /v2/<repo>/tags/list, following `Link: <…>; rel="next"`. Unknown repository → [].
     * `pageSize` asks for pages of that size (`?n=`); by default the registry chooses.
     */
    async listTags(repository, opts = {}) {
        this.checkRepository(repository);
        const tags = [];
        const seen = new Set();
        let url = new URL(`${this.base}/v2/${repository}/tags/list`);
        if (opts.pageSize !== undefined)
            url.searchParams.set('n', String(Math.max(1, Math.floor(opts.pageSize))));
        for (let page = 0;; page++) {
            if (page >= MAX_TAG_PAGES) {
                throw this.error('too-large', `Registry ${this.host} returned more than ${MAX_TAG_PAGES} pages of tags for ${repository}.`, url);
            }
            seen.add(url.href);
            const res = await this.call('GET', url, 'application/json', repository, MAX_JSON_BYTES);
            if (res.status === 404) {
                if (isNameUnknown(res.body))
                    return tags;
                throw this.error('protocol', `Registry ${this.host} answered GET ${url.href} with HTTP 404 without a NAME_UNKNOWN error${suffix(errorSummary(res.body))}. Is ${this.host} an OCI registry?`, url, 404);
            }
            let parsed;
            try {
                parsed = JSON.parse(res.body.toString('utf8'));
            }
            catch {
                throw this.error('protocol', `Registry ${this.host} returned a tag list that is not JSON (GET ${url.href}).`, url, res.status);
            }
            if (parsed.tags != null) {
                if (!Array.isArray(parsed.tags) || !parsed.tags.every((t) => typeof t === 'string')) {
                    throw this.error('protocol', `Registry ${this.host} returned a malformed tag list (GET ${url.href}).`, url, res.status);
                }
                tags.push(...parsed.tags);
            }
            const next = nextLink(res.headers.link);
            if (!next)
                return tags;
            let nextUrl;
            try {
                nextUrl = new URL(next, url);
            }
            catch {
                throw this.error('protocol', `Registry ${this.host} sent an invalid Link header: ${next}`, url);
            }
            if (nextUrl.origin !== url.origin) {
                throw this.error('protocol', `Registry ${this.host} sent a pagination link to another origin (${nextUrl.origin}); not followed.`, url);
            }
            if (seen.has(nextUrl.href))
                return tags;
            url = nextUrl;
        }
    }
    // -------------------------------------------------------------------------
    checkRepository(repository) {
        const comps = repository.split('/');
        if (!repository || comps.some((c) => !REPO_COMPONENT.test(c))) {
            throw new ActionError(`Invalid repository name "${repository}": OCI names are lowercase path components like "openova-io/charts/bp-temporal".`);
        }
    }
    redact(text) {
        let t = text;
        const secrets = [...this.tokens.values()];
        if (this.creds?.password)
            secrets.push(this.creds.password, basicAuth(this.creds).slice(6));
        for (const s of secrets)
            if (s && s.length >= 4)
                t = t.split(s).join('***');
        return t;
    }
    error(kind, message, url, status, retryable = false, hint) {
        return new RegistryError(kind, this.redact(message), { url: url.href, status, retryable, hint });
    }
    authError(url, status, what, body) {
        const detail = body ? suffix(errorSummary(body)) : '';
        const who = this.creds ? `user "${this.creds.username}"` : 'anonymous access';
        return this.error('auth', `Registry ${this.host} refused ${who}: ${what} (${statusText(status)}${detail}). ` +
            `Check the registry-username and registry-password inputs${this.creds ? ' (and that the token may read this repository)' : ' (credentials are needed)'}.`, url, status);
    }
    /** Refuses to send credentials (or tokens obtained with them) in clear text off this machine. */
    assertSafeForCredentials(url) {
        if (this.creds && url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
            throw this.error('auth', `Refusing to send registry credentials over plain HTTP to ${url.host}: only loopback registries may be used with plain HTTP and credentials.`, url, undefined, false, 'Use HTTPS for this registry.');
        }
    }
    /** One HTTP exchange, following redirects (Authorization is dropped when the origin changes). */
    async send(method, url, accept, authorization, maxBody, upload) {
        const exchange = async (current, sameOrigin) => {
            const headers = { Accept: accept, 'User-Agent': this.userAgent };
            if (upload) {
                headers['Content-Type'] = upload.contentType;
                headers['Content-Length'] = String(upload.body.length);
            }
            if (authorization && sameOrigin)
                headers.Authorization = authorization;
            // Each request within what is left of the run's budget.
            const limit = operationLimit(this.timeoutMs);
            if (limit.ms <= 0)
                throw new DeadlineError(`${method} ${current.href}`, 0, true);
            try {
                return await httpExchange(method, current, headers, limit.ms, maxBody, upload);
            }
            catch (e) {
                if (e?.code === 'EBODYTOOLARGE') {
                    throw this.error('too-large', `Registry ${this.host}: ${method} ${current.href}: ${e.message}.`, current);
                }
                const d = describeNetworkError(e, limit.ms);
                throw this.error('unavailable', `${method} ${current.href}: ${d.text}`, current, undefined, d.retryable);
            }
        };
        try {
            return await followRedirects(url, MAX_REDIRECTS, exchange);
        }
        catch (e) {
            if (!(e instanceof RedirectError))
                throw e;
            const message = {
                'too-many': `Registry ${this.host}: too many redirects from ${method} ${url.href}.`,
                invalid: `Registry ${this.host} redirected to an invalid location: ${e.location}`,
                'not-http': `Registry ${this.host} redirected to a non-HTTP location: ${e.location}`
            }[e.reason];
            throw this.error('protocol', message, url, e.status);
        }
    }
    async fetchToken(challenge, repository, requestUrl, actions) {
        const realm = challenge.params.realm;
        if (!realm) {
            throw this.error('protocol', `Registry ${this.host} sent a Bearer challenge without a realm.`, requestUrl, 401);
        }
        let tokenUrl;
        try {
            tokenUrl = new URL(realm);
        }
        catch {
            throw this.error('protocol', `Registry ${this.host} sent an invalid token realm "${realm}".`, requestUrl, 401);
        }
        if (tokenUrl.protocol !== 'http:' && tokenUrl.protocol !== 'https:') {
            throw this.error('protocol', `Registry ${this.host} sent a token realm that is not http(s): "${realm}".`, requestUrl, 401);
        }
        if (challenge.params.service)
            tokenUrl.searchParams.set('service', challenge.params.service);
        const scope = challenge.params.scope || `repository:${repository}:${actions}`;
        for (const s of scope.split(' ').filter(Boolean))
            tokenUrl.searchParams.append('scope', s);
        let authorization;
        if (this.creds) {
            this.assertSafeForCredentials(tokenUrl);
            authorization = basicAuth(this.creds);
        }
        const res = await this.send('GET', tokenUrl, 'application/json', authorization, MAX_JSON_BYTES);
        if (res.status === 401 || res.status === 403) {
            throw this.authError(tokenUrl, res.status, `the token service ${tokenUrl.origin}${tokenUrl.pathname} denied a token`, res.body);
        }
        if (res.status === 429 || res.status >= 500) {
            throw this.error('unavailable', `GET ${tokenUrl.href}: ${statusText(res.status)}`, tokenUrl, res.status, true);
        }
        if (res.status < 200 || res.status > 299) {
            throw this.error('protocol', `Token service ${tokenUrl.origin}${tokenUrl.pathname} answered ${statusText(res.status)}${suffix(errorSummary(res.body))}.`, tokenUrl, res.status);
        }
        let token;
        try {
            const j = JSON.parse(res.body.toString('utf8'));
            token = j.token || j.access_token;
        }
        catch {
            // handled below
        }
        if (typeof token !== 'string' || token === '') {
            throw this.error('protocol', `Token service ${tokenUrl.origin}${tokenUrl.pathname} returned no token.`, tokenUrl, res.status);
        }
        return token;
    }
    /**
     * One authenticated attempt: anonymous (or cached auth) first, then the challenge's
     * scheme. Returns 2xx and 404 responses; throws RegistryError for everything else.
     */
    async attempt(method, url, accept, repository, maxBody, upload) {
        // Writes need a token for pull,push; reads one for pull.
        const actions = method === 'POST' || method === 'PUT' ? 'pull,push' : 'pull';
        const scopeKey = `repository:${repository}:${actions}`;
        let authorization;
        const cached = this.tokens.get(scopeKey);
        if (cached) {
            if (this.creds)
                this.assertSafeForCredentials(url);
            authorization = `Bearer ${cached}`;
        }
        else if (this.basic && this.creds) {
            this.assertSafeForCredentials(url);
            authorization = basicAuth(this.creds);
        }
        let res = await this.send(method, url, accept, authorization, maxBody, upload);
        if (res.status === 401) {
            const challenges = parseWwwAuthenticate(res.wwwAuthenticate);
            const bearer = challenges.find((c) => c.scheme === 'bearer');
            const basic = challenges.find((c) => c.scheme === 'basic');
            if (bearer) {
                // A cached token may have expired: get a fresh one, once.
                this.tokens.delete(scopeKey);
                const token = await this.fetchToken(bearer, repository, url, actions);
                this.tokens.set(scopeKey, token);
                if (this.creds)
                    this.assertSafeForCredentials(url);
                res = await this.send(method, url, accept, `Bearer ${token}`, maxBody, upload);
            }
            else if (basic) {
                if (!this.creds) {
                    throw this.error('auth', `Registry ${this.host} requires credentials (Basic auth) for ${method} ${url.href}. Set the registry-username and registry-password inputs.`, url, 401);
                }
                if (authorization?.startsWith('Basic '))
                    throw this.authError(url, 401, `${method} ${url.pathname}`, res.body);
                this.assertSafeForCredentials(url);
                this.basic = true;
                res = await this.send(method, url, accept, basicAuth(this.creds), maxBody, upload);
            }
            else {
                throw this.error('auth', `Registry ${this.host} answered ${method} ${url.href} with HTTP 401 and no usable WWW-Authenticate challenge` +
                    `${res.wwwAuthenticate.length ? ` (${res.wwwAuthenticate.join(', ').slice(0, 120)})` : ''}. Check the registry-username and registry-password inputs.`, url, 401);
            }
        }
        if (res.status === 401 || res.status === 403)
            throw this.authError(url, res.status, `${method} ${url.pathname}`, res.body);
        if (res.status === 404 || (res.status >= 200 && res.status <= 299))
            return res;
        if (res.status === 429 || res.status >= 500) {
            throw this.error('unavailable', `${method} ${url.href}: ${statusText(res.status)}${suffix(errorSummary(res.body))}`, url, res.status, true);
        }
        throw this.error('protocol', `Registry ${this.host} answered ${method} ${url.href} with ${statusText(res.status)}${suffix(errorSummary(res.body))}.`, url, res.status);
    }
    /** attempt() with retries; exhausted retries become one 'unavailable' error naming the URL. */
    async call(method, url, accept, repository, maxBody, upload) {
        return this.retried(`${method} ${url.href}`, () => this.attempt(method, url, accept, repository, maxBody, upload));
    }
    /** `fn` with retries; exhausted retries become one 'unavailable' error naming `what`. */
    async retried(what, fn) {
        let attempts = 0;
        try {
            return await withRetry(() => {
                attempts++;
                return fn();
            }, {
                retries: this.retries,
                baseDelayMs: this.baseDelayMs,
                isRetryable: (e) => e instanceof RegistryError && e.retryable
            });
        }
        catch (e) {
            if (e instanceof RegistryError && e.kind === 'unavailable') {
                const prefix = `${what}: `;
                const last = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
                throw new RegistryError('unavailable', `Registry ${this.host} is unavailable: ${what} failed after ${attempts} attempt${attempts === 1 ? '' : 's'} (last error: ${last}).`, {
                    url: e.url,
                    status: e.status,
                    retryable: e.retryable,
                    hint: 'Retry the job later; check the registry status page.'
                });
            }
            throw e;
        }
    }
}
function suffix(s) {
    return s ? `: ${s}` : '';
}
function contentType(res) {
    const ct = res.headers['content-type'];
    const t = ct?.split(';')[0].trim();
    return t || undefined;
}
/** The sha256 digest of content (a manifest or blob body) as the registry writes it: `sha256:<hex>`. */
function bodyDigest(content) {
    return `sha256:${require$$0.createHash('sha256').update(content).digest('hex')}`;
}
function headerDigest(res) {
    const d = res.headers['docker-content-digest'];
    const v = (Array.isArray(d) ? d[0] : d)?.trim();
    return v && DIGEST.test(v) ? v : undefined;
}
/** The target of `rel="next"` in a Link header, if any. */
function nextLink(link) {
    if (!link)
        return undefined;
    const s = Array.isArray(link) ? link.join(', ') : link;
    const re = /<([^>]*)>\s*((?:;\s*[^;,]+)*)/g;
    let m;
    while ((m = re.exec(s)) !== null) {
        const params = m[2];
        if (/;\s*rel\s*=\s*"?(?:[^";,]*\s)?next(?:\s[^";,]*)?"?/i.test(params))
            return m[1];
    }
    return undefined;
}

var require$$1 = require$1("node:url");

/** What is required: the package; rewritten by the bundle to the file of its chunk. */
const YAML_MODULE = require$$1.fileURLToPath(new URL('yaml.js', import.meta.url).href);
/** The `yaml` library (loaded now if no one has yet). */
const yamlLibrary = onFirstUse(YAML_MODULE, () => 
// A debug line: which runs pay for the library shows in a debug log (and the tests read it).
debug('yaml library loaded: a file or document outside the fast reader’s subset'));

// Secrets are registered once (and masked by the runner via core.setSecret);
// every text that leaves the action (summary, comment, JSON report, SBOM, the
// diff file, log lines, annotations) goes through redact() as a second line of
// defence, and data is redacted before it is serialised (redactDeep), so that
// no escaping can hide a secret from the text pass.
//
// A value can reach text in another form than its own: YAML double- or
// single-quoted, JSON- or Go-escaped (helm's `quote` and `toJson`, its error messages),
// base64 (`b64enc`, also inside a longer encoded text), percent-encoded, or
// split across lines (a multi-line value, a folded scalar, a diff's `+` lines).
// redact() replaces every one of those forms (secretForms).
/** Shorter values are not redacted (they would blank out ordinary text). */
const MIN_SECRET = 3;
/** Shortest base64 text of a value at another offset than 0 that is redacted (a shorter one matches too much). */
const MIN_SHIFTED_BASE64 = 6;
/** Shortest form looked for across line breaks (a shorter one would match parts of unrelated lines). */
const MIN_ACROSS_LINES = 8;
const secrets = new Set();
/** Every form of every registered secret, longest first; rebuilt when a secret is added. */
let forms;
function registerSecret(value) {
    if (!value || secrets.has(value))
        return;
    secrets.add(value);
    setSecret(value);
    forms = undefined;
}
/** Go's strconv.Quote body (helm's `quote`, `%q` in its error messages). */
function goQuoted(value) {
    const named = {
        '\x07': '\\a',
        '\b': '\\b',
        '\f': '\\f',
        '\n': '\\n',
        '\r': '\\r',
        '\t': '\\t',
        '\v': '\\v',
        '\\': '\\\\',
        '"': '\\"'
    };
    let out = '';
    for (const char of value) {
        const code = char.codePointAt(0);
        if (named[char])
            out += named[char];
        else if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(char))
            out += char;
        else if (code < 0x80)
            out += `\\x${code.toString(16).padStart(2, '0')}`;
        else if (code < 0x10000)
            out += `\\u${code.toString(16).padStart(4, '0')}`;
        else
            out += `\\U${code.toString(16).padStart(8, '0')}`;
    }
    return out;
}
/** A JSON string body as Go's encoding/json writes it (helm's `toJson`): `<`, `>`, `&`, U+2028 and U+2029 escaped too. */
function goJson(value) {
    return JSON.stringify(value)
        .slice(1, -1)
        .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
/** The body of a YAML double-quoted scalar as the `yaml` library writes it (the diff, the SBOM's source). */
function yamlDoubleQuoted(value) {
    return yamlLibrary().stringify(value, { defaultStringType: 'QUOTE_DOUBLE', lineWidth: 0 }).trimEnd().slice(1, -1);
}
/**
 * The base64 text that `value` gives inside any base64-encoded text, at each of
 * the three offsets it can start at: the characters that only its bytes decide.
 */
function base64Forms(value) {
    const bytes = Buffer.from(value, 'utf8');
    const out = [];
    for (const offset of [0, 1, 2]) {
        const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
        const stable = encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6));
        if (stable.length >= (offset === 0 ? MIN_SECRET : MIN_SHIFTED_BASE64))
            out.push(stable);
    }
    return out;
}
/** The runner's workflow-command escaping: of a message (an annotation, the failure line), and of a property. */
function commandEscaped(value, property) {
    const message = value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    return property ? message.replace(/:/g, '%3A').replace(/,/g, '%2C') : message;
}
/**
 * Every form in which `value` can appear in a text the action writes (see the
 * header); forms shorter than 3 characters are left out. Exported for tests.
 */
function secretForms(value) {
    // A multi-line value also shows line by line (a block scalar, a diff's lines): each line is a value of its own.
    const lines = value.split(/\r\n|\r|\n/).map((line) => line.trim());
    const values = lines.length > 1 ? [value, ...lines.filter((line) => line.length >= MIN_SECRET)] : [value];
    const quoted = values.flatMap((v) => [
        v,
        JSON.stringify(v).slice(1, -1),
        goJson(v),
        yamlDoubleQuoted(v),
        v.replace(/'/g, "''"),
        goQuoted(v),
        encodeURIComponent(v),
        commandEscaped(v, false),
        commandEscaped(v, true)
    ]);
    // Quoted text inside JSON (the JSON report holds diffs and messages with these forms).
    const all = [...quoted, ...quoted.map((form) => JSON.stringify(form).slice(1, -1)), ...values.flatMap(base64Forms)];
    return [...new Set(all)].filter((form) => form.length >= MIN_SECRET);
}
function registeredForms() {
    forms ??= [...new Set([...secrets].filter((s) => s.length >= MIN_SECRET).flatMap(secretForms))].sort((a, b) => b.length - a.length);
    return forms;
}
/**
 * What the search across lines skips: a line break with the indentation after it (a diff's `+`/`-` before it, the
 * `\` of an escaped break in a YAML double-quoted scalar, not the second of an escaped `\\`, and the `\` of an
 * escaped blank after it), and spaces and tabs (a fold turns a space into a break).
 */
const SKIPPED = /(?:(?<=(?:^|[^\\])(?:\\\\)*)\\)?\r?\n[-+]?[ \t]*(?:\\(?=[ \t]))?|[ \t]+/g;
/** A form as the search across lines sees it: without spaces and tabs. */
const squeezed = (form) => form.replace(/[ \t]/g, '');
/**
 * Replaces each form that a line break splits (a value folded by a YAML writer,
 * a diff's continuation lines) part by part with `***`, keeping the breaks: the
 * text is searched once without breaks and blanks, the matches mapped back.
 */
function redactAcrossLines(text, all) {
    if (!text.includes('\n'))
        return text;
    const wanted = [...new Set(all.map(squeezed))].filter((form) => form.length >= MIN_ACROSS_LINES);
    if (wanted.length === 0)
        return text;
    // joined = text without what SKIPPED matches; at[i] = offset in text of joined[i].
    const parts = [];
    const at = new Int32Array(text.length);
    let length = 0;
    let last = 0;
    const keep = (end) => {
        for (let i = last; i < end; i++)
            at[length++] = i;
        parts.push(text.slice(last, end));
    };
    const breaks = [];
    for (const m of text.matchAll(SKIPPED)) {
        keep(m.index);
        last = m.index + m[0].length;
        if (m[0].includes('\n'))
            breaks.push([m.index, last]);
    }
    keep(text.length);
    const joined = parts.join('');
    // hidden[i]: text[i] belongs to a secret (from a match's first character to its last, the line breaks kept).
    const hidden = new Uint8Array(text.length);
    let found = false;
    for (const form of wanted) {
        for (let i = joined.indexOf(form); i !== -1; i = joined.indexOf(form, i + form.length)) {
            hidden.fill(1, at[i], at[i + form.length - 1] + 1);
            found = true;
        }
    }
    if (!found)
        return text;
    for (const [start, end] of breaks)
        hidden.fill(0, start, end);
    let out = '';
    for (let i = 0; i < text.length; i++) {
        if (!hidden[i])
            out += text[i];
        else if (i === 0 || !hidden[i - 1])
            out += '***';
    }
    return out;
}
function redact(text) {
    const all = registeredForms();
    if (all.length === 0)
        return text;
    let out = text;
    for (const form of all)
        if (out.includes(form))
            out = out.split(form).join('***');
    return redactAcrossLines(out, all);
}
/** A copy of a JSON-like value with `fn` applied to every string (keys too). */
function mapStringsDeep(value, fn) {
    const seen = new WeakSet();
    const walk = (v) => {
        if (typeof v === 'string')
            return fn(v);
        if (typeof v === 'bigint')
            return v.toString();
        if (typeof v === 'function' || typeof v === 'symbol')
            return undefined;
        if (v === null || typeof v !== 'object')
            return v;
        if (seen.has(v))
            return '[Circular]';
        seen.add(v);
        try {
            if (v instanceof Date)
                return v.toISOString();
            if (v instanceof Error)
                return { name: v.name, message: fn(v.message) };
            if (v instanceof Map)
                return walk(Object.fromEntries(v));
            if (v instanceof Set)
                return walk([...v]);
            if (ArrayBuffer.isView(v))
                return `[${v.byteLength} bytes]`;
            if (Array.isArray(v))
                return v.map(walk);
            const out = {};
            for (const [key, val] of Object.entries(v)) {
                const w = walk(val);
                if (w !== undefined)
                    out[fn(key)] = w;
            }
            return out;
        }
        finally {
            seen.delete(v);
        }
    };
    return walk(value);
}
/** A copy of a JSON-like value with every string (keys too) redacted: data redacted before it is serialised. */
function redactDeep(value) {
    return mapStringsDeep(value, redact);
}
/**
 * The last net for the job log: everything written to stdout (log lines, annotations, the failure line) is
 * redacted, except the `::add-mask::` commands that hand the secrets to the runner's own masker.
 */
let stdoutRedacted = false;
function redactStandardOutput() {
    if (stdoutRedacted)
        return;
    stdoutRedacted = true;
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = (chunk, ...rest) => {
        if (typeof chunk !== 'string' || chunk.startsWith('::add-mask::') || registeredForms().length === 0)
            return write(chunk, ...rest);
        return write(redact(chunk), ...rest);
    };
}

// Where an action input is set: the line of the workflow file that gives it (`blueprint: platform/temporl`), so an
// error about an input is annotated there. The workflow file is GITHUB_WORKFLOW_REF's path
// (`owner/repo/.github/workflows/ci.yml@refs/heads/main`), read from the checkout; nothing when it is not there
// (a workflow of another repository, no checkout, a local run) or does not set the input.
/** `.github/workflows/ci.yml` of GITHUB_WORKFLOW_REF (`owner/repo/.github/workflows/ci.yml@ref`). */
function workflowFileOf(workflowRef) {
    const file = /^[^/]+\/[^/]+\/(\.github\/workflows\/[^@]+\.ya?ml)@/.exec(workflowRef ?? '')?.[1];
    return file && !file.split('/').includes('..') ? file : undefined;
}
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/**
 * Pure: the 1-based line of `text` (a workflow file) that sets input `name`, as a block (`name: value`) or flow
 * (`with: { name: value }`) mapping entry. With a value, the line giving that value (quoted or not) wins; else, or
 * when it is given by an expression (`${{ matrix.blueprint }}`), the first line setting the input.
 */
function inputLine(text, name, value) {
    const key = new RegExp(`(?:^|[\\s{,])${escapeRegExp(name)}\\s*:(?:\\s|$)`);
    const lines = text.split(/\r?\n/);
    const setting = lines.flatMap((line, i) => (key.test(line.replace(/(^|\s)#.*$/, '')) ? [i] : []));
    if (setting.length === 0)
        return undefined;
    if (value) {
        const given = new RegExp(`(?:^|[\\s{,])${escapeRegExp(name)}\\s*:\\s*(['"]?)${escapeRegExp(value)}\\1\\s*(?:[,}#]|$)`);
        const exact = setting.find((i) => given.test(lines[i]));
        if (exact !== undefined)
            return exact + 1;
    }
    return setting[0] + 1;
}
/** The workflow file's line that sets the input (relative to the workspace), when it can be found. */
function inputLocation(workspace, workflowFile, input) {
    if (!workflowFile)
        return undefined;
    let text;
    try {
        text = require$$4.readFileSync(require$$2.join(workspace, workflowFile), 'utf8');
    }
    catch {
        return undefined;
    }
    const line = inputLine(text, input.input, input.value);
    return line === undefined ? undefined : { file: workflowFile, line };
}
/** An error's location as a place in a file: an input's is looked up in the workflow file. */
function resolveLocation(at, workspace, workflowFile) {
    if (!at)
        return undefined;
    return 'input' in at ? inputLocation(workspace, workflowFile, at) : at;
}

// How a run that stopped says so: the one line for core.setFailed, the `Run` step of an error that stopped
// the run early (so the PR comment and job summary say what stopped it), and the annotation of an error that
// stopped the action before any report, each at the file and line the error points at.
/** One line for core.setFailed: what is wrong, then what to do. */
function errorLine(error) {
    if (error instanceof ActionError)
        return redact(error.hint ? `${error.message} — ${error.hint}` : error.message);
    if (error instanceof Error)
        return redact(`unexpected error: ${error.message}`);
    return redact(`unexpected error: ${String(error)}`);
}
/** Where the error points, as a place in the workspace (an input: the workflow file's line that sets it). */
function errorLocation(error, workspace, workflowFile) {
    return error instanceof ActionError ? resolveLocation(error.at, workspace, workflowFile) : undefined;
}
/** The last line of a failed run: the chart, the failed steps and how many errors were annotated. */
function failureLine(report, context = { summaryWritten: true }) {
    const failed = report.steps.filter((step) => step.status === 'failed');
    const errors = failed.flatMap((step) => step.findings.filter((finding) => finding.severity === 'error')).length;
    // Each error was annotated already (emitReport): the last line counts them instead of printing one twice.
    const where = context.summaryWritten ? 'annotated above and in the job summary' : 'annotated above';
    const count = errors ? ` — ${errors} error${errors === 1 ? '' : 's'}, ${where}` : '';
    return redact(`${reportSubject(report)}: ${failed.map((step) => step.title).join(', ')} failed${count}`);
}
/** The step of an error that stopped the run: `Run`, or the stage it stopped (`Blueprint`, `Run settings`). */
function stoppedStep(error, where, title = 'Run') {
    return {
        id: 'error',
        title,
        status: 'failed',
        durationMs: 0,
        summary: 'stopped',
        findings: [
            {
                rule: 'error',
                severity: 'error',
                message: errorLine(error),
                ...(where ? { file: where.file, ...(where.line ? { line: where.line } : {}) } : {})
            }
        ]
    };
}
/**
 * Fails the action for an error that stopped it before any report (an input that is not valid): the failure
 * annotated at the workflow file's line that sets the input, when the error names one.
 */
function failAction(error$1, env = process.env) {
    const where = errorLocation(error$1, env.GITHUB_WORKSPACE || process.cwd(), workflowFileOf(env.GITHUB_WORKFLOW_REF));
    if (!where) {
        setFailed(errorLine(error$1));
        return;
    }
    process.exitCode = 1;
    error(errorLine(error$1), { title: 'Inputs', file: where.file, startLine: where.line });
}

// The report of one blueprint's run: what the run was about (load.ts), what the stages returned, the run's time;
// an error that stopped the run becomes its last step (`Run`, or the stage it stopped), at the file and line it
// points at, so the report says what stopped it. Pure, but for reading the workflow file when the error names an
// input (run/input-location.ts).
/** The report of a run that went past its settings: when nothing was pushed, it still names where the chart goes. */
function assembleReport(frame, time, identity, outcome) {
    const { registry } = identity;
    const ref = registry ? chartRef(registry, identity.chart.name, identity.chart.version) : undefined;
    return reportOf(frame, time, identity, outcome, ref);
}
/** The report of a run stopped before any work (an unreadable blueprint, a run setting that does not hold). */
function stoppedEarlyReport(frame, time, identity, error, stoppedAt) {
    return reportOf(frame, time, identity, { steps: [], error, stoppedAt });
}
function reportOf(frame, time, identity, outcome, ref) {
    const { inputs, event } = frame;
    const steps = outcome.error === undefined
        ? outcome.steps
        : [
            ...outcome.steps,
            stoppedStep(outcome.error, errorLocation(outcome.error, inputs.workspace, event.workflowFile), outcome.stoppedAt)
        ];
    return {
        schemaVersion: 1,
        blueprint: inputs.blueprint,
        chart: identity.chart,
        upstream: outcome.upstream,
        mode: identity.mode,
        modeReason: identity.modeReason,
        helmVersion: outcome.helmVersion ?? 'unknown',
        status: steps.some((step) => step.status === 'failed') ? 'failed' : 'passed',
        steps,
        publish: withPreview(outcome.publish ?? (ref ? { ref, pushed: false } : undefined), outcome.preview),
        values: { files: inputs.valuesFiles, set: inputs.setValues },
        sbom: outcome.sbom,
        attestation: outcome.attestation,
        diff: outcome.diff,
        runUrl: event.runUrl,
        commit: event.commit,
        startedAt: time.startedAt.toISOString(),
        durationMs: time.durationMs
    };
}
function withPreview(publish, preview) {
    if (!preview)
        return publish;
    return { ...(publish ?? { ref: preview.ref, pushed: false }), preview };
}

// Input repository-mirrors as a rule of chart repositories: a repository URL rewritten by the longest matching
// mirror prefix (resolution, dependency build, archive digests). Pure; imports nothing from src/, so inputs/ can
// parse into its type without depending on the chart modules that use it.
/** Rewrites a repository URL by the longest matching mirror prefix. */
function applyMirrors(url, mirrors) {
    const trimmed = url.replace(/\/+$/, '');
    let best;
    for (const mirror of mirrors) {
        if ((trimmed === mirror.from || trimmed.startsWith(`${mirror.from}/`)) &&
            (!best || mirror.from.length > best.from.length))
            best = mirror;
    }
    return best ? best.to + trimmed.slice(best.from.length) : trimmed;
}

// Splits and parses `helm template` output once, so every gate shares the same
// parsed documents.
//
// Splitting is done here, not by the YAML library: a line that starts at column 0
// with `---` or `...` followed by whitespace or the end of the line is always a
// document marker in YAML (inside a block scalar such a line would be indented;
// at column 0 it ends the document in YAML too), so cutting on those lines is
// exact. Each chunk is then read by a small fast reader for the block-YAML subset
// Helm emits, or by `YAML.parse` when the chunk is outside that subset (see
// "fast path" below). A chunk that fails to parse is reported with its
// `# Source:` template and line; the others are still returned.
/** Options for each document: YAML 1.2 core schema, no key-uniqueness or pretty-error work. */
const YAML_OPTIONS = {
    schema: 'core',
    strict: false,
    uniqueKeys: false,
    prettyErrors: false,
    // Helm passes template text through verbatim, so anchors and `<<` merge keys
    // (which Kubernetes' YAML reader honours) can reach the render.
    merge: true,
    // Errors still throw; warnings are not printed to the console.
    logLevel: 'error'
};
/** A document of the render that is not valid YAML (or not a mapping). */
class RenderParseError extends Error {
    source;
    line;
    index;
    constructor(message, 
    /** Template path from the `# Source:` comment, if the document had one. */
    source, 
    /** 1-based line in the whole render output where the problem is (or the document starts). */
    line, 
    /** 0-based index of the document among the render's non-empty chunks. */
    index) {
        super(message);
        this.source = source;
        this.line = line;
        this.index = index;
        this.name = 'RenderParseError';
    }
    toFinding() {
        const where = this.source ? `${this.source} (render line ${this.line})` : `render line ${this.line}`;
        const finding = {
            rule: 'render-parse',
            severity: 'error',
            message: `Rendered document in ${where} is not valid Kubernetes YAML: ${this.message}`,
            fix: 'Fix the template so it renders valid YAML (run `helm template` and inspect that document).'
        };
        if (this.source)
            finding.file = this.source;
        return finding;
    }
}
/**
 * Matches document markers: `---` or `...` at the start of a line (only `\n`
 * ends a line here, unlike a multiline regex, which would also split on `\r`,
 * U+2028 and U+2029), then whitespace or the end of the line.
 */
const MARKER_RE = /(?:^|\n)(---|\.\.\.)(?=[ \t\r\n]|$)/g;
const SOURCE_RE = /^#\s*Source:\s*(.+?)\s*$/;
function splitChunks(output) {
    const chunks = [];
    let start = 0;
    MARKER_RE.lastIndex = 0;
    let m;
    while ((m = MARKER_RE.exec(output)) !== null) {
        const at = m.index + (m[0].length - 3); // skip the leading newline, if any
        if (at > start)
            chunks.push({ start, text: output.slice(start, at) });
        let eol = output.indexOf('\n', at);
        if (eol === -1)
            eol = output.length;
        if (m[1] === '---') {
            // `--- <content>` on the marker line belongs to the new document: keep the
            // whole line (YAML.parse accepts a leading `---`), unless it is just a comment.
            const restOfLine = output.slice(at + 3, eol).trim();
            start = restOfLine === '' || restOfLine.startsWith('#') ? eol + 1 : at;
        }
        else {
            start = eol + 1;
        }
        MARKER_RE.lastIndex = eol;
    }
    if (start < output.length)
        chunks.push({ start, text: output.slice(start) });
    return chunks;
}
/** Scans the leading comment/blank lines of a chunk: the `# Source:` value, and whether anything else follows. */
function scanHead(text) {
    let source;
    let pos = 0;
    const n = text.length;
    while (pos < n) {
        let eol = text.indexOf('\n', pos);
        if (eol === -1)
            eol = n;
        // skip leading spaces/tabs
        let p = pos;
        while (p < eol && (text.charCodeAt(p) === 32 || text.charCodeAt(p) === 9))
            p++;
        const c = text.charCodeAt(p);
        if (p === eol || c === 13 /* \r */) {
            pos = eol + 1;
            continue;
        }
        if (c !== 35 /* # */)
            return source === undefined ? { empty: false } : { source, empty: false };
        if (source === undefined && p === pos) {
            const sm = SOURCE_RE.exec(text.slice(pos, eol));
            if (sm)
                source = sm[1];
        }
        pos = eol + 1;
    }
    return source === undefined ? { empty: true } : { source, empty: true };
}
// ---------------------------------------------------------------- fast path
//
// `yaml`'s full pipeline (lexer, CST, Document AST, toJS) costs about 250 ms per
// MB, too slow for a 10 MB render. Helm output is overwhelmingly plain block
// YAML, so a small line-based reader handles that subset directly and returns
// exactly what `YAML.parse` would with YAML_OPTIONS (core schema). Anything
// outside the subset (anchors, aliases, tags, explicit keys, multi-line flow
// collections or double-quoted scalars, `|+`/indentation indicators, tabs, CR,
// duplicate keys, non-string keys, anything that looks wrong) makes it give up,
// and the document goes through `YAML.parse`, which also produces the errors.
/** Thrown (never escapes this module) when the fast reader gives up on a document. */
// The fast path's "not mine, use the YAML library" signal: one Error made once at load and thrown by
// reference (no stack captured per throw, so it costs what the former symbol cost).
class FastPathGiveUp extends Error {
}
const GIVE_UP = new FastPathGiveUp('fast path gave up');
/** Characters that send a whole document to the full parser. */
// eslint-disable-next-line no-control-regex
const SLOW_CHARS_RE = /[\t\r\x00-\x08\x0b-\x1f\x7f\x85\u2028\u2029\ufeff]/;
const NULL_RE = /^(?:~|[Nn]ull|NULL)$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT_OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const INT_HEX_RE = /^0x[0-9a-fA-F]+$/;
const FLOAT_NAN_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const FLOAT_EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** Core-schema resolution of a plain scalar, as `yaml` does it. */
function resolvePlain(s) {
    const c = s.charCodeAt(0);
    // Only ~ n N t T f F + - . and digits can start a non-string.
    if (c === 126 || c === 110 || c === 78)
        return NULL_RE.test(s) ? null : s;
    if (c === 116 || c === 84 || c === 102 || c === 70) {
        return BOOL_RE.test(s) ? c === 116 || c === 84 : s;
    }
    if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 46) {
        if (INT_OCT_RE.test(s))
            return parseInt(s.substring(2), 8);
        if (INT_RE.test(s))
            return parseInt(s, 10);
        if (INT_HEX_RE.test(s))
            return parseInt(s.substring(2), 16);
        if (FLOAT_NAN_RE.test(s)) {
            return s.slice(-3).toLowerCase() === 'nan'
                ? NaN
                : s[0] === '-'
                    ? Number.NEGATIVE_INFINITY
                    : Number.POSITIVE_INFINITY;
        }
        if (FLOAT_EXP_RE.test(s) || FLOAT_RE.test(s))
            return parseFloat(s);
    }
    return s;
}
/** Characters that cannot start a plain scalar in our subset. */
function isIndicator(c) {
    // - ? : , [ ] { } # & * ! | > ' " % @ `
    return (c === 45 ||
        c === 63 ||
        c === 58 ||
        c === 44 ||
        c === 91 ||
        c === 93 ||
        c === 123 ||
        c === 125 ||
        c === 35 ||
        c === 38 ||
        c === 42 ||
        c === 33 ||
        c === 124 ||
        c === 62 ||
        c === 39 ||
        c === 34 ||
        c === 37 ||
        c === 64 ||
        c === 96);
}
/** Whether a plain scalar may start at `pos`: not an indicator, except `-` followed by a safe character (`-1`, `--flag`). */
function plainMayStart(line, pos, flow) {
    const c = line.charCodeAt(pos);
    if (!isIndicator(c))
        return true;
    if (c !== 45)
        return false;
    const nx = line.charCodeAt(pos + 1);
    if (nx !== nx || nx === 32)
        return false;
    return !(flow && (nx === 44 || nx === 91 || nx === 93 || nx === 123 || nx === 125));
}
function indentOf(line) {
    let i = 0;
    while (line.charCodeAt(i) === 32)
        i++;
    return i;
}
/** Strips trailing spaces only (String#trimEnd would also strip NBSP and other Unicode spaces). */
function trimSpacesEnd(s, from = 0, to = s.length) {
    while (to > from && s.charCodeAt(to - 1) === 32)
        to--;
    return s.slice(from, to);
}
/** Index of a ` #` comment at or after `from`, or the line length. */
function commentAt(line, from) {
    const i = line.indexOf(' #', from);
    return i === -1 ? line.length : i;
}
function isSeqItem(line, ind) {
    return line.charCodeAt(ind) === 45 && (ind + 1 === line.length || line.charCodeAt(ind + 1) === 32);
}
/** Rest of a line after a scalar/collection must be blank or a comment. */
function expectLineEnd(line, pos) {
    while (line.charCodeAt(pos) === 32)
        pos++;
    if (pos < line.length && !(line.charCodeAt(pos) === 35 && line.charCodeAt(pos - 1) === 32))
        throw GIVE_UP;
}
const ESCAPES = {
    '0': '\0',
    a: '\x07',
    b: '\b',
    t: '\t',
    n: '\n',
    v: '\v',
    f: '\f',
    r: '\r',
    e: '\x1b',
    ' ': ' ',
    '"': '"',
    '/': '/',
    '\\': '\\',
    N: '\x85',
    _: '\xa0',
    L: '\u2028',
    P: '\u2029'
};
/** Double-quoted scalar on one line starting at `pos` (the quote). */
function doubleQuoted(line, pos) {
    let i = pos + 1;
    let out = '';
    let from = i;
    for (;;) {
        const q = line.indexOf('"', i);
        const b = line.indexOf('\\', i);
        if (q === -1)
            throw GIVE_UP; // multi-line double-quoted
        if (b === -1 || q < b) {
            out += line.slice(from, q);
            return { value: out, end: q + 1 };
        }
        out += line.slice(from, b);
        const e = line[b + 1];
        if (e === undefined)
            throw GIVE_UP;
        const simple = ESCAPES[e];
        if (simple !== undefined) {
            out += simple;
            i = b + 2;
        }
        else {
            const len = e === 'x' ? 2 : e === 'u' ? 4 : e === 'U' ? 8 : 0;
            const hex = line.slice(b + 2, b + 2 + len);
            if (len === 0 || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len)
                throw GIVE_UP;
            const cp = parseInt(hex, 16);
            if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
                throw GIVE_UP;
            out += String.fromCodePoint(cp);
            i = b + 2 + len;
        }
        from = i;
    }
}
/** Single-quoted content on one line from `pos` (after the opening quote): text and the index after the closing quote, or -1. */
function singleQuotedPart(line, pos) {
    let out = '';
    let i = pos;
    for (;;) {
        const q = line.indexOf("'", i);
        if (q === -1)
            return { text: out + line.slice(i), end: -1 };
        if (line.charCodeAt(q + 1) === 39) {
            out += line.slice(i, q + 1);
            i = q + 2;
            continue;
        }
        return { text: out + line.slice(i, q), end: q + 1 };
    }
}
class FastReader {
    positions;
    plainStrings;
    lines;
    n;
    finalNewline;
    li = 0;
    /** The key path of what is being read, kept only when positions are recorded. */
    at = [];
    /**
     * `positions`: filled with the 1-based line of each map key and one-line sequence item (see FastPositions).
     * `plainStrings`: filled with every value read as a string from a plain (unquoted) scalar.
     */
    constructor(text, positions, plainStrings) {
        this.positions = positions;
        this.plainStrings = plainStrings;
        this.lines = text.split('\n');
        this.finalNewline = this.lines[this.lines.length - 1] === '';
        if (this.finalNewline)
            this.lines.pop();
        this.n = this.lines.length;
    }
    read() {
        this.skipBlank();
        if (this.li >= this.n)
            return null;
        const line = this.lines[this.li];
        const v = this.node(indentOf(line));
        this.skipBlank();
        if (this.li < this.n)
            throw GIVE_UP;
        return v;
    }
    /** Skips blank and comment-only lines. */
    skipBlank() {
        const { lines, n } = this;
        while (this.li < n) {
            const line = lines[this.li];
            const i = indentOf(line);
            if (i !== line.length && line.charCodeAt(i) !== 35)
                return;
            this.li++;
        }
    }
    /** A block collection starting at the current line, whose indentation is `ind`. */
    node(ind) {
        const line = this.lines[this.li];
        if (isSeqItem(line, ind))
            return this.seq(ind);
        if (this.key(line, ind) !== undefined)
            return this.map(ind);
        throw GIVE_UP;
    }
    /** Parses `key:` at `ind`; returns the key and the index after the colon, or undefined if the line is not a key. */
    key(line, ind) {
        const c = line.charCodeAt(ind);
        if (c === 34 || c === 39) {
            let key;
            let end;
            if (c === 34) {
                const dq = doubleQuoted(line, ind);
                key = dq.value;
                end = dq.end;
            }
            else {
                const sq = singleQuotedPart(line, ind + 1);
                if (sq.end === -1)
                    return undefined;
                key = sq.text;
                end = sq.end;
            }
            while (line.charCodeAt(end) === 32)
                end++;
            if (line.charCodeAt(end) !== 58)
                return undefined;
            if (end - ind > 1024)
                throw GIVE_UP;
            const after = end + 1;
            if (after < line.length && line.charCodeAt(after) !== 32)
                return undefined;
            if (key === '__proto__')
                throw GIVE_UP;
            return { key, after };
        }
        if (isIndicator(c))
            return undefined;
        let colon = line.indexOf(':', ind);
        while (colon !== -1 && colon + 1 < line.length && line.charCodeAt(colon + 1) !== 32) {
            colon = line.indexOf(':', colon + 1);
        }
        if (colon === -1)
            return undefined;
        if (commentAt(line, ind) < colon)
            return undefined;
        if (colon - ind > 1024)
            throw GIVE_UP; // implicit keys are limited to 1024 characters
        const key = trimSpacesEnd(line, ind, colon);
        if (key === '' || key === '<<' || key === '__proto__')
            throw GIVE_UP;
        if (resolvePlain(key) !== key)
            throw GIVE_UP; // 80:, true:, null: … become non-string keys
        return { key, after: colon + 1 };
    }
    map(ind) {
        const obj = {};
        const { lines, n } = this;
        for (;;) {
            this.skipBlank();
            if (this.li >= n)
                break;
            const line = lines[this.li];
            const i = indentOf(line);
            if (i < ind)
                break;
            if (i > ind || isSeqItem(line, i))
                throw GIVE_UP;
            const k = this.key(line, i);
            if (k === undefined)
                throw GIVE_UP;
            if (Object.prototype.hasOwnProperty.call(obj, k.key))
                throw GIVE_UP;
            if (this.positions) {
                this.at.push(k.key);
                this.positions.set(positionKey(this.at), this.li + 1);
            }
            this.li++;
            obj[k.key] = this.value(line, k.after, ind, true);
            if (this.positions)
                this.at.pop();
        }
        return obj;
    }
    seq(ind) {
        const arr = [];
        const { lines, n } = this;
        for (;;) {
            this.skipBlank();
            if (this.li >= n)
                break;
            const line = lines[this.li];
            const i = indentOf(line);
            if (i < ind)
                break;
            if (i > ind)
                throw GIVE_UP;
            if (!isSeqItem(line, i))
                break;
            let p = i + 1;
            while (line.charCodeAt(p) === 32)
                p++;
            const c = line.charCodeAt(p);
            if (this.positions) {
                this.at.push(String(arr.length));
                // Where `yaml` starts the item's node when it starts on this line (a block scalar's at its header); an item
                // on the lines after its `-` is left to the library (FastPositions.lineOf answers null).
                if (p < line.length && c !== 35)
                    this.positions.set(positionKey(this.at), this.li + 1);
            }
            if (p < line.length && c !== 35 && (isSeqItem(line, p) || this.key(line, p) !== undefined)) {
                // Compact nested collection (`- key: v` or `- - x`): reread this line as if it started at column p.
                lines[this.li] = ' '.repeat(p) + line.slice(p);
                arr.push(this.node(p));
            }
            else {
                this.li++;
                arr.push(this.value(line, p, ind, false));
            }
            if (this.positions)
                this.at.pop();
        }
        return arr;
    }
    /** The value after `key:` or `- ` on `line` from `pos`; `parent` is the indentation of the owning collection. */
    value(line, pos, parent, inMap) {
        while (line.charCodeAt(pos) === 32)
            pos++;
        if (pos >= line.length || line.charCodeAt(pos) === 35) {
            // Value on the following lines, or null.
            this.skipBlank();
            if (this.li >= this.n)
                return null;
            const next = this.lines[this.li];
            const i = indentOf(next);
            if (i > parent && (next.charCodeAt(i) === 123 || next.charCodeAt(i) === 91))
                return this.flowOnOwnLine(next, i, parent);
            if (i > parent)
                return this.node(i);
            if (inMap && i === parent && isSeqItem(next, i))
                return this.seq(i);
            return null;
        }
        const c = line.charCodeAt(pos);
        switch (c) {
            case 124: // |
            case 62: // >
                return this.blockScalar(line, pos, parent);
            case 34: {
                const dq = doubleQuoted(line, pos);
                expectLineEnd(line, dq.end);
                return dq.value;
            }
            case 39:
                return this.singleQuoted(line, pos, parent);
            case 91: // [
            case 123: {
                // {
                const flow = new FlowReader(line, pos, this.plainStrings);
                const v = flow.value();
                expectLineEnd(line, flow.pos);
                return v;
            }
            default:
                if (!plainMayStart(line, pos, false))
                    throw GIVE_UP;
                return this.plain(line, pos, parent);
        }
    }
    /**
     * `key:` with `{}` or `[…]` alone on the next line: what `toYaml … | nindent`
     * writes for an empty map in every `helm create` chart, so it must stay fast.
     */
    flowOnOwnLine(line, pos, parent) {
        const flow = new FlowReader(line, pos, this.plainStrings);
        const value = flow.value();
        expectLineEnd(line, flow.pos);
        this.li++;
        this.skipBlank();
        // Anything more indented after it would continue the flow value: leave that to the full parser.
        if (this.li < this.n && indentOf(this.lines[this.li]) > parent)
            throw GIVE_UP;
        return value;
    }
    plain(line, pos, parent) {
        const end = commentAt(line, pos);
        const first = trimSpacesEnd(line, pos, end);
        if (first.includes(': ') || first.endsWith(':'))
            throw GIVE_UP;
        const { lines, n } = this;
        // Continuation lines (multi-line plain scalar): more indented than the parent, not comments.
        let j = this.li;
        let text;
        let breaks = 0;
        while (j < n) {
            const l = lines[j];
            const i = indentOf(l);
            if (i === l.length) {
                breaks++;
                j++;
                continue;
            }
            if (i <= parent || l.charCodeAt(i) === 35)
                break;
            if (end !== line.length)
                throw GIVE_UP; // comment, then more text
            const content = trimSpacesEnd(l, i);
            if (!plainMayStart(l, i, false) || content.includes(': ') || content.endsWith(':') || content.includes(' #'))
                throw GIVE_UP;
            text = (text ?? first) + (breaks === 0 ? ' ' : '\n'.repeat(breaks)) + content;
            breaks = 0;
            j++;
            this.li = j;
        }
        const value = text === undefined ? resolvePlain(first) : text;
        if (typeof value === 'string')
            this.plainStrings?.push(value);
        return value;
    }
    singleQuoted(line, pos, parent) {
        const part = singleQuotedPart(line, pos + 1);
        if (part.end !== -1) {
            expectLineEnd(line, part.end);
            return part.text;
        }
        let text = trimSpacesEnd(part.text);
        let breaks = 0;
        const { lines, n } = this;
        while (this.li < n) {
            const l = lines[this.li++];
            const i = indentOf(l);
            if (i === l.length) {
                breaks++;
                continue;
            }
            if (i <= parent)
                throw GIVE_UP;
            const p = singleQuotedPart(l, i);
            const sep = breaks === 0 ? ' ' : '\n'.repeat(breaks);
            breaks = 0;
            if (p.end !== -1) {
                expectLineEnd(l, p.end);
                return text + sep + p.text;
            }
            text += sep + trimSpacesEnd(p.text);
        }
        throw GIVE_UP;
    }
    blockScalar(line, pos, parent) {
        const folded = line.charCodeAt(pos) === 62;
        let p = pos + 1;
        let strip = false;
        if (line.charCodeAt(p) === 45) {
            strip = true;
            p++;
        }
        else if (line.charCodeAt(p) === 43) {
            throw GIVE_UP; // keep chomping: rare, left to the full parser
        }
        const h = line.charCodeAt(p);
        if (h >= 48 && h <= 57)
            throw GIVE_UP; // explicit indentation indicator
        expectLineEnd(line, p);
        const { lines, n } = this;
        let j = this.li;
        let leadingMax = 0;
        while (j < n) {
            const l = lines[j];
            const i = indentOf(l);
            if (i !== l.length)
                break;
            if (i > leadingMax)
                leadingMax = i;
            j++;
        }
        if (j >= n || indentOf(lines[j]) <= parent) {
            // No content: the scalar is empty (trailing blank lines are not consumed).
            if (j >= n && !this.finalNewline)
                throw GIVE_UP;
            return '';
        }
        const indent = indentOf(lines[j]);
        if (leadingMax > indent)
            throw GIVE_UP;
        const out = [];
        for (let k = this.li; k < j; k++)
            out.push('');
        while (j < n) {
            const l = lines[j];
            const i = indentOf(l);
            if (i === l.length)
                out.push(i > indent ? l.slice(indent) : '');
            else if (i >= indent)
                out.push(l.slice(indent));
            else
                break;
            j++;
        }
        if (j >= n && !this.finalNewline)
            throw GIVE_UP;
        this.li = j;
        let last = out.length - 1;
        while (last >= 0 && out[last] === '')
            last--;
        if (last < 0)
            return '';
        let body;
        if (!folded) {
            body = out.length === last + 1 ? out.join('\n') : out.slice(0, last + 1).join('\n');
        }
        else {
            body = '';
            let breaks = 0;
            let started = false;
            for (let k = 0; k <= last; k++) {
                const l = out[k];
                if (l === '') {
                    breaks++;
                    continue;
                }
                if (l.charCodeAt(0) === 32)
                    throw GIVE_UP; // more-indented lines keep their breaks: full parser
                body += started ? (breaks === 0 ? ' ' : '\n'.repeat(breaks)) : '\n'.repeat(breaks);
                body += l;
                breaks = 0;
                started = true;
            }
        }
        return strip ? body : body + '\n';
    }
}
/** Single-line flow collections: `[]`, `{}`, `[a, "b", 1]`, `{a: 1, "b": [x]}`. */
class FlowReader {
    line;
    pos;
    plainStrings;
    constructor(line, pos, plainStrings) {
        this.line = line;
        this.pos = pos;
        this.plainStrings = plainStrings;
    }
    ws() {
        while (this.line.charCodeAt(this.pos) === 32)
            this.pos++;
    }
    value() {
        this.ws();
        const c = this.line.charCodeAt(this.pos);
        if (c === 91)
            return this.seq();
        if (c === 123)
            return this.map();
        return this.scalar(false);
    }
    seq() {
        this.pos++;
        const arr = [];
        for (;;) {
            this.ws();
            const c = this.line.charCodeAt(this.pos);
            if (c === 93) {
                this.pos++;
                return arr;
            }
            arr.push(this.value());
            this.ws();
            const d = this.line.charCodeAt(this.pos);
            if (d === 44)
                this.pos++;
            else if (d !== 93)
                throw GIVE_UP;
        }
    }
    map() {
        this.pos++;
        const obj = {};
        for (;;) {
            this.ws();
            const c = this.line.charCodeAt(this.pos);
            if (c === 125) {
                this.pos++;
                return obj;
            }
            const key = this.scalar(true);
            if (typeof key !== 'string' || key === '__proto__' || key === '<<')
                throw GIVE_UP;
            if (Object.prototype.hasOwnProperty.call(obj, key))
                throw GIVE_UP;
            this.ws();
            if (this.line.charCodeAt(this.pos) !== 58)
                throw GIVE_UP;
            this.pos++;
            this.ws();
            const v = this.line.charCodeAt(this.pos);
            if (v === 44 || v === 125)
                throw GIVE_UP; // empty value
            obj[key] = this.value();
            this.ws();
            const d = this.line.charCodeAt(this.pos);
            if (d === 44)
                this.pos++;
            else if (d !== 125)
                throw GIVE_UP;
        }
    }
    scalar(isKey) {
        const { line } = this;
        const c = line.charCodeAt(this.pos);
        if (c === 34) {
            const dq = doubleQuoted(line, this.pos);
            this.pos = dq.end;
            return dq.value;
        }
        if (c === 39) {
            const sq = singleQuotedPart(line, this.pos + 1);
            if (sq.end === -1)
                throw GIVE_UP;
            this.pos = sq.end;
            return sq.text;
        }
        if (c !== c || !plainMayStart(line, this.pos, true))
            throw GIVE_UP;
        const start = this.pos;
        let i = start;
        for (; i < line.length; i++) {
            const ch = line.charCodeAt(i);
            if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125)
                break;
            if (ch === 58) {
                const nx = line.charCodeAt(i + 1);
                if (nx === 32 || nx === 44 || nx === 93 || nx === 125 || nx !== nx)
                    break;
            }
            if (ch === 35 && line.charCodeAt(i - 1) === 32)
                throw GIVE_UP; // comment inside a flow collection
        }
        const text = trimSpacesEnd(line, start, i);
        this.pos = i;
        if (text === '')
            throw GIVE_UP;
        if (!isKey && line.charCodeAt(i) === 58)
            throw GIVE_UP; // `[a: b]` single-pair map
        const v = resolvePlain(text);
        if (isKey && v !== text)
            throw GIVE_UP;
        if (!isKey && typeof v === 'string')
            this.plainStrings?.push(v);
        return v;
    }
}
/**
 * The fast reader's result for one document, or undefined when the document is
 * outside its subset (the caller then uses `YAML.parse`). Exported for tests.
 */
function fastParseYaml(text) {
    return fastRead(text);
}
/** The fast reader on `text` (recording positions when given a map), or undefined outside its subset. */
function fastRead(text, positions, plainStrings) {
    if (SLOW_CHARS_RE.test(text) || text.startsWith('---') || text.startsWith('%'))
        return undefined;
    try {
        return { value: new FastReader(text, positions, plainStrings).read() };
    }
    catch (e) {
        if (e === GIVE_UP)
            return undefined;
        throw e;
    }
}
/** fastParseYaml with positions: a chart file's lines without the `yaml` library's parse (~5-15 ms a file, cold). */
function fastParseYamlWithPositions(text) {
    const positions = new Map();
    const read = fastRead(text, positions);
    if (!read)
        return undefined;
    const { value } = read;
    return {
        value,
        lineOf(path) {
            if (path.length === 0)
                return 1;
            const line = positions.get(positionKey(path.map(String)));
            if (line !== undefined)
                return line;
            return holdsPath(value, path) ? null : undefined;
        }
    };
}
function positionKey(path) {
    return JSON.stringify(path);
}
/** Whether `path` names something in `value`; a sequence index the reader did not record counts as present. */
function holdsPath(value, path) {
    let current = value;
    for (const segment of path) {
        // What `yaml` reads as an index is its business: a path through a sequence is asked of the library.
        if (Array.isArray(current))
            return true;
        if (typeof current !== 'object' || current === null)
            return false;
        if (!Object.prototype.hasOwnProperty.call(current, String(segment)))
            return false;
        current = current[String(segment)];
    }
    return true;
}
/**
 * Keys the fast reader reads as the same string in YAML 1.1: a plain name that YAML 1.1 does not read as a
 * boolean, a null or a merge (`yes` and `on` are both `true` there: two keys of one map in 1.1 terms).
 */
const YAML11_PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_./-]*$/;
const YAML11_SPECIAL_KEY = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE|null|Null|NULL)$/;
function keysReadAlikeIn11(value) {
    if (Array.isArray(value))
        return value.every(keysReadAlikeIn11);
    if (typeof value !== 'object' || value === null)
        return true;
    return Object.entries(value).every(([key, item]) => YAML11_PLAIN_KEY.test(key) && !YAML11_SPECIAL_KEY.test(key) && keysReadAlikeIn11(item));
}
/**
 * True when the fast reader shows that `yaml` would parse `text` as YAML 1.1 with unique keys without an error or
 * a warning (what a values file must do to be packaged in node, oci/chart-package.ts): it read the document, and
 * every key is a plain name YAML 1.1 reads as that string. Undefined when it cannot tell (the library decides).
 * The fast reader gives up on everything else that could differ (anchors, merges, tags, duplicate keys, several
 * documents); values never make a 1.1 parse fail.
 */
function cleanAsYaml11(text) {
    const fast = fastParseYaml(text);
    return fast && keysReadAlikeIn11(fast.value) ? true : undefined;
}
/**
 * Plain scalars YAML 1.1 reads as something else than a string (the `yaml` library's yaml-1.1 schema: booleans
 * such as `yes` and `off`, nulls, binary/octal/hex/sexagesimal numbers and floats, dates, the merge key): a string
 * of this shape may have been written plain, and YAML 1.2 (the fast reader) and 1.1 would then read it apart.
 */
const YAML11_NOT_A_STRING = new RegExp([
    '^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON|N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$',
    '^(?:~|[Nn]ull|NULL)?$',
    '^[-+]?(?:\\.(?:inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN)$',
    '^[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+$',
    '^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*$',
    '^[-+]?(?:0b[0-1_]+|0[0-7_]+|[0-9][0-9_]*|0x[0-9a-fA-F_]+)$',
    '^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\\.[0-9_]*)?$',
    '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}',
    '^<<$'
].join('|'));
/** No number in `value`: YAML 1.1 reads some numbers apart from 1.2 (`0o17`, `017`); the library decides. */
function holdsNoNumber(value) {
    if (Array.isArray(value))
        return value.every(holdsNoNumber);
    if (typeof value === 'number')
        return false;
    if (typeof value === 'object' && value !== null)
        return Object.values(value).every(holdsNoNumber);
    return true;
}
/**
 * The data `yaml` gives `text` parsed as YAML 1.1 with unique keys, without an error or a warning, read by the fast
 * reader; undefined when it cannot show that (the library decides): every key is one YAML 1.1 reads as the fast
 * reader does, no value is a number, and no string was written plain in a shape YAML 1.1 reads as something else
 * (a quoted one is a string in both: Chart.lock's quoted `generated` timestamp). A Chart.yaml or Chart.lock
 * packaged in node (oci/chart-package.ts) names its fields this way.
 */
function parseCleanYaml11(text) {
    const plainStrings = [];
    const fast = fastRead(text, undefined, plainStrings);
    if (!fast || !keysReadAlikeIn11(fast.value) || !holdsNoNumber(fast.value))
        return undefined;
    return plainStrings.some((s) => YAML11_NOT_A_STRING.test(s)) ? undefined : fast;
}
/**
 * Parses one YAML document like `YAML.parse(text, options)`, through the fast reader when it can (where it reads
 * exactly what the library does); the library, loaded on its first use (util/yaml-lib.ts), only for the rest.
 */
function parseYamlFastFirst(text, options) {
    const fast = fastParseYaml(text);
    return fast ? fast.value : yamlLibrary().parse(text, options);
}
/** Parses one YAML document like `YAML.parse(text, YAML_OPTIONS)`, through the fast reader when it can. */
function parseYamlDocument(text) {
    return parseYamlFastFirst(text, YAML_OPTIONS);
}
function lineAt(output, offset) {
    let line = 1;
    let i = output.indexOf('\n');
    while (i !== -1 && i < offset) {
        line++;
        i = output.indexOf('\n', i + 1);
    }
    return line;
}
function describe$1(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'a sequence';
    return `a ${typeof value}`;
}
/**
 * Splits and parses a `helm template` output into its resources: a list document (`kind: List`) gives its items
 * instead ({@link renderedResources}). Empty documents (only comments or blank lines) are skipped. Documents that
 * are not valid YAML, or are not a mapping (or a list item that is not), are returned in `errors` with their
 * `# Source:` template and line.
 */
function parseRenderDetailed(output, options = {}) {
    const documents = [];
    const errors = [];
    let index = 0;
    for (const chunk of splitChunks(output)) {
        const head = scanHead(chunk.text);
        if (head.empty)
            continue;
        const i = index++;
        if (options.mentioning !== undefined && !chunk.text.includes(options.mentioning))
            continue;
        let value;
        try {
            value = parseYamlDocument(chunk.text);
        }
        catch (e) {
            // What `yaml` refuses, go-yaml may read (helm/lenient-yaml.ts): helm and the cluster would.
            const lenient = options.lenient ? readLeniently(options.lenient, chunk.text) : undefined;
            if (lenient === undefined) {
                let line = lineAt(output, chunk.start);
                let message = e instanceof Error ? e.message : String(e);
                if (e instanceof yamlLibrary().YAMLParseError) {
                    const offset = e.pos?.[0];
                    if (typeof offset === 'number')
                        line = lineAt(output, chunk.start + offset);
                    message = message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, '');
                }
                errors.push(new RenderParseError(message, head.source, line, i));
                continue;
            }
            value = lenient.value;
        }
        if (value === null || value === undefined)
            continue;
        if (typeof value !== 'object' || Array.isArray(value)) {
            errors.push(new RenderParseError(`document is ${describe$1(value)}, not a mapping`, head.source, lineAt(output, chunk.start), i));
            continue;
        }
        const document = renderedDocument(value, head.source);
        flattenInto(document, documents, (item, why) => {
            errors.push(new RenderParseError(`${item} ${why}`, head.source, lineAt(output, chunk.start), i));
        });
    }
    return { documents, errors };
}
/** A parsed document (or list item) with its identity read once. */
function renderedDocument(object, source, listItem) {
    const doc = { object };
    if (source !== undefined)
        doc.source = source;
    if (listItem !== undefined)
        doc.listItem = listItem;
    if (typeof object.apiVersion === 'string')
        doc.apiVersion = object.apiVersion;
    if (typeof object.kind === 'string')
        doc.kind = object.kind;
    const metadata = object.metadata;
    if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
        const md = metadata;
        if (typeof md.name === 'string')
            doc.name = md.name;
        if (typeof md.namespace === 'string')
            doc.namespace = md.namespace;
    }
    return doc;
}
const isMapping$1 = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
/**
 * Adds `doc` to `out`, or, when it is a list, its items (depth first, nested lists too): what Helm and kubectl
 * apply. Like apimachinery's unstructured decoder, any document whose `items` is a sequence is a list, whatever
 * its kind (`List`, `ConfigMapList`, …); the list itself is no resource. An item that is not a mapping is given
 * to `bad` (kubectl refuses such a list).
 */
function flattenInto(doc, out, bad) {
    const items = doc.object.items;
    if (!Array.isArray(items)) {
        out.push(doc);
        return;
    }
    items.forEach((item, n) => {
        const at = `${doc.listItem ? `${doc.listItem}.` : ''}items[${n}]`;
        if (isMapping$1(item))
            flattenInto(renderedDocument(item, doc.source, at), out, bad);
        else
            bad?.(`list item ${at} of ${doc.kind ?? 'a list'}`, `is ${describe$1(item)}, not a mapping`);
    });
}
/** The lenient reader's value, or undefined when it refuses the document too. */
function readLeniently(read, text) {
    try {
        return { value: read(text) };
    }
    catch {
        return undefined;
    }
}
/**
 * The render as helm reads it: like parseRenderDetailed, and the documents the `yaml` library refuses read again by
 * go-yaml's rules (helm/lenient-yaml.ts, loaded only then). What neither reads stays an error.
 */
async function parseRenderAsHelm(output, options = {}) {
    const parsed = parseRenderDetailed(output, options);
    if (parsed.errors.length === 0)
        return parsed;
    const { parseLeniently } = await import('./lenient-yaml.js');
    return parseRenderDetailed(output, { ...options, lenient: parseLeniently });
}
/**
 * Pure: a `helm template` output cut into the documents helm wrote, each with
 * the `# Source:` it names. Helm starts every document with `---` then
 * `# Source: <path>` (Helm 3 and 4); a cut is made only at such a pair, so a
 * `---` inside a template's own output stays in its document. Concatenating the
 * chunks' text gives the output back.
 */
function splitRenderBySource(output) {
    const chunks = [];
    const starts = [];
    const header = /(?:^|\n)---[ \t]*\n#\s*Source:[ \t]*([^\n]*?)[ \t]*(?=\n|$)/g;
    for (let match = header.exec(output); match; match = header.exec(output)) {
        starts.push({ at: match.index === 0 && output.startsWith('---') ? 0 : match.index + 1, source: match[1] });
    }
    if (starts.length === 0)
        return output === '' ? [] : [{ text: output }];
    if (starts[0].at > 0)
        chunks.push({ text: output.slice(0, starts[0].at) });
    starts.forEach((start, i) => {
        const end = i + 1 < starts.length ? starts[i + 1].at : output.length;
        chunks.push({ source: start.source, text: output.slice(start.at, end) });
    });
    return chunks;
}

// A chart repository's index.yaml: fetched once per run (IndexCache: the library check, the upstream resolution,
// the dependency build and the base render all read it), through node:http(s) with retries, bounded size and
// redirects, credentials only on the repository's origin; parsed on first use.
/**
 * Each repository's index.yaml, fetched once per run: the library check, the
 * upstream resolution, the dependency build and the base render all read it.
 * A failed fetch is remembered too (every reader gets the same error).
 */
class IndexCache {
    fetched = new Map();
    fetch(repository, credentials) {
        const key = repository.replace(/\/+$/, '');
        let entry = this.fetched.get(key);
        if (!entry) {
            entry = readIndex(key, credentials);
            this.fetched.set(key, entry);
        }
        return entry;
    }
}
/** The index of a repository: from the run's cache when there is one, else fetched now. */
async function readIndex(repository, credentials, cache) {
    if (cache)
        return cache.fetch(repository, credentials);
    const { url, text } = await fetchIndex(repository, credentials);
    let parsed;
    return { repository: repository.replace(/\/+$/, ''), url, text, entries: () => (parsed ??= parseIndex(text, url)) };
}
function parseIndex(text, source) {
    let data;
    try {
        // The fast reader where it reads exactly what the library does (helm writes plain indexes): an index is
        // megabytes for large public repositories, and the library's parse of even a small one is ~15 ms cold.
        data = parseYamlFastFirst(text, { maxAliasCount: -1 });
    }
    catch (error) {
        throw new ActionError(`${source} is not valid YAML: ${error.message.split('\n')[0]}`, 'check the repository URL serves a Helm chart repository index');
    }
    const entries = data?.entries;
    if (!entries || typeof entries !== 'object') {
        throw new ActionError(`${source} has no entries: it is not a Helm chart repository index`, 'check the dependency repository URL');
    }
    return entries;
}
/** Bounds on an index.yaml: large public repositories serve tens of MB; a redirect chain ends within a few hops. */
const MAX_INDEX_BYTES = 256 * 2 ** 20;
const MAX_INDEX_REDIRECTS = 10;
/** Connection failures another attempt may get past (a refused connection is a wrong URL more often than not). */
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ECONNABORTED', 'ESOCKETTIMEDOUT']);
/** A repository's index.yaml could not be fetched; `repository` is the URL asked (after mirrors). */
class IndexFetchError extends ActionError {
    transient;
    repository;
    constructor(message, hint, transient, repository) {
        super(message, hint);
        this.transient = transient;
        this.repository = repository;
    }
}
/**
 * An index that could not be fetched, at the Chart.yaml line of the first dependency it serves (its `repository:`),
 * so the run's error is annotated there; any other error as it is.
 */
function atDependencyLine(error, chartYaml, mirrors) {
    if (!(error instanceof IndexFetchError))
        return error;
    const dependencies = chartYaml.data.dependencies ?? [];
    const index = dependencies.findIndex((dep) => typeof dep.repository === 'string' && applyMirrors(dep.repository, mirrors) === error.repository);
    if (index < 0)
        return error;
    const line = chartYaml.lineOf(['dependencies', index, 'repository']) ?? chartYaml.lineOf(['dependencies', index]);
    return new ActionError(`dependency ${String(dependencies[index].name)}: ${error.message}`, error.hint, {
        file: chartYaml.displayPath,
        line
    });
}
/**
 * Fetches `<repository>/index.yaml`, retrying transient failures with backoff,
 * each attempt within the run's budget; errors name the URL and what to check.
 */
async function fetchIndex(repository, credentials, retry = { retries: 3, baseDelayMs: 500 }) {
    const repositoryUrl = repository.replace(/\/+$/, '');
    const url = `${repositoryUrl}/index.yaml`;
    const body = await fetchRepositoryFile(url, repositoryUrl, credentials, MAX_INDEX_BYTES, retry);
    // As fetch's text() read it: UTF-8 without a byte-order mark.
    return { url, text: body.toString('utf8').replace(/^\uFEFF/, '') };
}
/** Bound on a chart archive (the registry client's bound on a chart layer). */
const MAX_ARCHIVE_BYTES = 256 * 2 ** 20;
/**
 * Fetches a chart archive an index entry names (`url`, absolute), as the index is fetched: retries, a bounded body,
 * redirects. The repository's credentials go only to the repository's own origin (helm's default: an archive
 * served from another host gets none), and are dropped when a redirect leaves it.
 */
async function fetchChartArchive(url, repository, credentials, retry = { retries: 3, baseDelayMs: 500 }) {
    const repositoryUrl = repository.replace(/\/+$/, '');
    const sameOrigin = new URL(url).origin === new URL(repositoryUrl).origin;
    return fetchRepositoryFile(url, repositoryUrl, sameOrigin ? credentials : undefined, MAX_ARCHIVE_BYTES, retry);
}
/** One file of a chart repository (its index, an archive) with retries; `credentials` only on `url`'s origin. */
async function fetchRepositoryFile(url, repositoryUrl, credentials, maxBytes, retry) {
    const headers = { 'user-agent': ACTION_NAME };
    const withoutAuthorization = { ...headers };
    if (credentials)
        headers.authorization = basicAuth(credentials);
    const attempt = async () => {
        const limit = operationLimit(OPERATION_LIMITS.http);
        if (limit.ms <= 0)
            throw new DeadlineError(`GET ${url}`, 0, true);
        const mirrorHint = 'check the dependency repository URL, or map it to a reachable mirror with the repository-mirrors input';
        try {
            const send = (current, sameOrigin) => httpExchange('GET', current, sameOrigin ? headers : withoutAuthorization, limit.ms, maxBytes);
            const response = await followRedirects(new URL(url), MAX_INDEX_REDIRECTS, send);
            if (response.status === 401 || response.status === 403) {
                throw new IndexFetchError(`chart repository ${url} answered HTTP ${response.status}`, 'a private repository needs dependency-username and dependency-password' +
                    (/^http:/i.test(url)
                        ? ' and https:// (credentials are never sent over plain http except to loopback)'
                        : ''), false, repositoryUrl);
            }
            if (response.status < 200 || response.status > 299) {
                const transient = (response.status >= 500 && response.status !== 501) || response.status === 429;
                const hint = 'check the dependency repository URL, or set repository-mirrors';
                throw new IndexFetchError(`chart repository ${url} answered HTTP ${response.status}`, hint, transient, repositoryUrl);
            }
            return response.body;
        }
        catch (error) {
            if (error instanceof ActionError)
                throw error;
            if (error instanceof RedirectError) {
                throw new IndexFetchError(`chart repository ${url}: redirect not followed (${error.reason}): ${error.location}`, mirrorHint, false, repositoryUrl);
            }
            const failure = error;
            if (failure.name === 'TimeoutError' || failure.name === 'AbortError') {
                if (limit.byRun)
                    throw new DeadlineError(`GET ${url}`, limit.ms, true);
                throw new IndexFetchError(`chart repository ${url}: no answer within ${Math.round(limit.ms / 1000)} s`, mirrorHint, true, repositoryUrl);
            }
            if (failure.code === 'EBODYTOOLARGE') {
                throw new IndexFetchError(`chart repository ${url}: ${require$$2.posix.basename(new URL(url).pathname)} is larger than ${maxBytes / 2 ** 20} MiB`, 'check the dependency repository URL', false, repositoryUrl);
            }
            // Worded as for the registry; retried on fewer codes (a refused connection is a wrong URL more often).
            const reason = describeNetworkError(error, limit.ms).text;
            const transient = failure.code !== undefined && TRANSIENT_CODES.has(failure.code);
            throw new IndexFetchError(`chart repository ${url} is unreachable: ${reason}`, mirrorHint, transient, repositoryUrl);
        }
    };
    return withRetry(attempt, {
        ...retry,
        isRetryable: (error) => error instanceof IndexFetchError && error.transient,
        onRetry: (n, error, delayMs) => {
            info(`${error.message}; retry ${n} of ${retry.retries} in ${(delayMs / 1000).toFixed(1)} s`);
        }
    });
}

// Loads a YAML file once, keeping the source positions so findings can point
// at file:line, and turning parse errors into messages that name the file, line
// and column. A key written twice in one mapping is not an error (helm reads the
// file, keeping the last value): it is recorded (`duplicates`) for a finding.
/** Helm 4 refuses values files over 5 MiB; no chart file the action reads may be larger. */
const MAX_YAML_BYTES = 5 * 1024 * 1024;
/**
 * Throws an ActionError when `file` is over MAX_YAML_BYTES: checked before any
 * work, so a huge file fails at once instead of stalling the run.
 */
async function assertYamlFileSize(file, displayPath) {
    let size;
    try {
        size = (await require$$1$1.stat(file)).size;
    }
    catch {
        return; // missing or unreadable: reading it says so
    }
    if (size > MAX_YAML_BYTES) {
        throw new ActionError(`${displayPath} is ${(size / 1024 / 1024).toFixed(1)} MiB, over Helm's 5 MiB limit for values files`, `make ${displayPath} smaller than 5 MiB (move bulky data to files/ and read it with .Files.Get)`);
    }
}
async function loadYamlFile(file, displayPath) {
    await assertYamlFileSize(file, displayPath);
    let text;
    try {
        text = await require$$1$1.readFile(file, 'utf8');
    }
    catch (error) {
        const code = error.code;
        throw new ActionError(code === 'ENOENT' ? `${displayPath} not found` : `${displayPath} cannot be read (${code ?? String(error)})`, 'check the blueprint/chart inputs point at a blueprint folder with chart/Chart.yaml');
    }
    return parseYamlText(text, displayPath);
}
/**
 * The file's data and its positions. Chart files are mostly inside the fast reader's subset (helm/render.ts
 * fastParseYamlWithPositions: it answers only where it reads exactly what `yaml` does, and gives up on anything that
 * could be an error, a duplicate key, an anchor or a tag): their data and the lines of their keys then come without
 * the `yaml` library, whose first use is a cold parser (~30 ms for a blueprint's three files, on the way to the
 * dependency build; ~15 ms for a real-size values.yaml's lines beside the gates' helm processes). The library parses
 * the text only when a line the reader did not record is asked for (a sequence item on the lines after its `-`, a
 * place inside a flow collection). Everything else goes to the library at once.
 */
function parseYamlText(text, displayPath) {
    const fast = fastParseYamlWithPositions(text);
    if (fast) {
        let library;
        return {
            displayPath,
            data: (fast.value ?? {}),
            lineOf: (path) => {
                const line = fast.lineOf(path);
                if (line !== null)
                    return line;
                library ??= linesOf(text, displayPath);
                return library(path);
            }
        };
    }
    return libraryParse(text, displayPath);
}
/** Positions from `yaml`'s parse of a text the fast reader read (so the library reads it too; if not, no line). */
function linesOf(text, displayPath) {
    try {
        const parsed = libraryParse(text, displayPath);
        return (path) => parsed.lineOf(path);
    }
    catch {
        return () => undefined;
    }
}
/**
 * `yaml`'s parse of the text: its data (a key written twice keeps its last value, as helm reads it), positions and
 * duplicate keys, or an ActionError naming the file, line and column. Exported for tests: parseYamlText's fast way
 * must give what this gives.
 */
function libraryParse(text, displayPath) {
    const { LineCounter, parseDocument } = yamlLibrary();
    const lineCounter = new LineCounter();
    // yaml's own uniqueKeys check compares each key with every earlier one of its
    // map (quadratic: minutes for a few MB); duplicateKeys does it in one pass.
    const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
    if (doc.errors.length > 0)
        throw syntaxError(doc, doc.errors[0], text, lineCounter, displayPath);
    const duplicates = duplicateKeys(doc, lineCounter);
    let data;
    try {
        data = (doc.toJS({ maxAliasCount: 1000 }) ?? {});
    }
    catch (error) {
        // yaml's alias-bomb guard ("Excessive alias count …") names no file.
        throw new ActionError(`${displayPath}: not valid YAML: ${error.message.split('\n')[0]}`, `${displayPath} expands its aliases (*name) too many times; write the values out instead of nesting aliases`);
    }
    const source = {
        displayPath,
        data,
        lineOf: (path) => lineOfPath(doc, lineCounter, path)
    };
    if (duplicates.length > 0)
        source.duplicates = duplicates;
    return source;
}
/**
 * Where a syntax error is, as a person looks for it: the file, line and column, and the line's text. An unclosed
 * quote or flow collection is found where it opens (`yaml` reports it where the text ends).
 */
function syntaxError(doc, error, text, lineCounter, displayPath) {
    const opened = error.code === 'MISSING_CHAR' || /^Flow (map|sequence)/.test(error.message);
    const offset = (opened ? openingOf(doc, error.pos[0]) : undefined) ?? error.pos[0];
    const { line, col } = lineCounter.linePos(Math.min(offset, text.length));
    const lineText = (text.split('\n')[line - 1] ?? '').replace(/\r$/, '');
    const reason = error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    const shown = lineText.trim() === '' ? '' : `: \`${lineText.trim().slice(0, 80)}\``;
    return new ActionError(`${displayPath}:${line}: not valid YAML: ${reason} (column ${col}${shown})`, `fix the YAML syntax at line ${line}, column ${col} of ${displayPath}`, { file: displayPath, line, column: col });
}
/** Start of the innermost quoted scalar or flow collection still open at `offset` (the error's place). */
function openingOf(doc, offset) {
    const { isCollection, isNode, isScalar, visit } = yamlLibrary();
    let found;
    visit(doc, (_, node) => {
        if (!isNode(node) || !node.range)
            return undefined;
        const [start, , end] = node.range;
        const open = (isScalar(node) && (node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE')) ||
            (isCollection(node) && node.flow === true);
        if (open && start < offset && end >= offset && (found === undefined || start > found))
            found = start;
        return undefined;
    });
    return found;
}
/** A value as short text for a message. */
function shortValue(value) {
    const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? 'null');
    return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
/**
 * Keys that repeat an earlier key of the same mapping (as yaml's uniqueKeys compares them: scalar keys by value),
 * in one pass over the document: a Map per mapping. Each repeat is paired with the occurrence before it.
 */
function duplicateKeys(doc, lineCounter) {
    const { isAlias, isMap, isNode, isScalar, isSeq } = yamlLibrary();
    const found = [];
    const valueOf = (node) => {
        try {
            return isNode(node) || isAlias(node) ? node.toJS(doc, { maxAliasCount: 1000 }) : node;
        }
        catch {
            return undefined;
        }
    };
    const walk = (node, at) => {
        if (isSeq(node)) {
            node.items.forEach((item, i) => walk(item, [...at, i]));
            return;
        }
        if (!isMap(node))
            return;
        const seen = new Map();
        for (const pair of node.items) {
            const key = pair.key;
            if (!isScalar(key))
                continue;
            // Scalar keys compare by value (1 and "1" differ, as in yaml's own check).
            const line = lineCounter.linePos(key.range?.[0] ?? 0).line;
            const earlier = seen.get(key.value);
            if (earlier) {
                const [before, after] = [valueOf(earlier.value), valueOf(pair.value)];
                found.push({
                    path: [...at, String(key.value)],
                    lines: [earlier.line, line],
                    equal: JSON.stringify(before) === JSON.stringify(after),
                    values: [shortValue(before), shortValue(after)]
                });
            }
            seen.set(key.value, { line, value: pair.value });
            walk(pair.value, [...at, String(key.value)]);
        }
    };
    walk(doc.contents, []);
    return found;
}
function lineOfPath(doc, lineCounter, path) {
    if (path.length === 0)
        return 1;
    const { isMap, isScalar } = yamlLibrary();
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const last = path[path.length - 1];
    if (isMap(parent)) {
        // The last of a key written twice: the one helm keeps.
        let line;
        for (const pair of parent.items) {
            const key = pair.key;
            const keyValue = isScalar(key) ? key.value : key;
            if (String(keyValue) === String(last) && key?.range)
                line = lineCounter.linePos(key.range[0]).line;
        }
        if (line !== undefined)
            return line;
    }
    const node = doc.getIn(path, true);
    return node?.range ? lineCounter.linePos(node.range[0]).line : undefined;
}

// Small helpers for process output and parsed YAML/JSON shared across src/.
/** The last `count` lines of a process's output, for an error message. */
function lastLines(text, count) {
    return text.trim().split('\n').slice(-count).join('\n');
}
/** The last non-empty line of a process's output (trimmed), or 'no output'. */
function lastLine(text) {
    const lines = text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
    return lines[lines.length - 1] ?? 'no output';
}
/** A plain object (a YAML mapping), not null and not an array. */
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/**
 * Code-point order, for `sort`: deterministic and free. Not `localeCompare`: its first call builds ICU's collator
 * (~15 ms of CPU in a run that sorts a few file names).
 */
function compareCodePoints(a, b) {
    return a < b ? -1 : a > b ? 1 : 0;
}
/** Levenshtein distance: the fewest one-character insertions, deletions and substitutions from `a` to `b`. */
function editDistance(a, b) {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}
/** The `count` candidates closest to `target` by edit distance (ties in code-point order). */
function closestTo(target, candidates, count) {
    return [...new Set(candidates)]
        .map((candidate) => ({ candidate, distance: editDistance(target, candidate) }))
        .sort((x, y) => x.distance - y.distance || compareCodePoints(x.candidate, y.candidate))
        .slice(0, count)
        .map((entry) => entry.candidate);
}
/**
 * Natural order, for `sort`: runs of digits compare as numbers (`app-2` before `app-10`), the rest in code-point
 * order (deterministic, no ICU collator).
 */
function compareNatural(a, b) {
    const x = a.match(/\d+|\D+/g) ?? [];
    const y = b.match(/\d+|\D+/g) ?? [];
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
        if (x[i] === y[i])
            continue;
        const digits = /^\d/.test(x[i]) && /^\d/.test(y[i]);
        if (digits) {
            const byValue = BigInt(x[i]) < BigInt(y[i]) ? -1 : BigInt(x[i]) > BigInt(y[i]) ? 1 : 0;
            if (byValue !== 0)
                return byValue;
        }
        return compareCodePoints(x[i], y[i]);
    }
    return x.length - y.length;
}

// Copies the user's chart folder into the private work copy. The folder itself
// is dereferenced (a symlinked chart or blueprint folder gives a real copy, so
// nothing the run writes can reach the user's tree), and every link inside it
// is checked: a link whose target leaves the chart folder is refused (it would
// publish that file), a link inside it is recreated relative, pointing into the
// copy, so helm treats it as it would in the user's tree.
/** Whether `target` is `root` or inside it (both absolute, normalized). */
function isInside(root, target) {
    const relative = require$$2.relative(root, target);
    return relative === '' || (!relative.startsWith('..') && !require$$2.isAbsolute(relative));
}
/**
 * Where a link points, as an absolute path with every link on the way resolved;
 * for a dangling link, the nearest existing parent resolved and the rest appended.
 */
function resolveLinkTarget(link) {
    const lexical = require$$2.resolve(require$$2.dirname(link), require$$4.readlinkSync(link));
    try {
        return require$$4.realpathSync(lexical);
    }
    catch {
        let existing = require$$2.dirname(lexical);
        const rest = [require$$2.basename(lexical)];
        for (;;) {
            try {
                return require$$2.join(require$$4.realpathSync(existing), ...rest);
            }
            catch {
                if (require$$2.dirname(existing) === existing)
                    return lexical;
                rest.unshift(require$$2.basename(existing));
                existing = require$$2.dirname(existing);
            }
        }
    }
}
function linkLeavesChart(displayDir, relative, rawTarget) {
    return new ActionError(`${require$$2.join(displayDir, relative)} is a symbolic link to ${rawTarget}, which is outside the chart folder ${displayDir}`, 'a link that leaves the chart would publish that file: copy the file into the chart, or remove the link');
}
/**
 * Throws the same error as copyChartFolder for the first link that leaves the
 * chart, without copying: run before any file of the chart is read, so that
 * a values.yaml linked to /etc/passwd is never parsed (nor quoted in an error).
 */
function assertLinksStayInside(source, displayDir) {
    const root = require$$4.realpathSync(source);
    const walk = (relativeDir) => {
        const entries = require$$4.readdirSync(require$$2.join(root, relativeDir), { withFileTypes: true });
        entries.sort((a, b) => compareCodePoints(a.name, b.name));
        for (const entry of entries) {
            const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
            if (entry.isSymbolicLink()) {
                const link = require$$2.join(root, relative);
                const target = resolveLinkTarget(link);
                if (!isInside(root, target))
                    throw linkLeavesChart(displayDir, relative, require$$4.readlinkSync(link));
            }
            else if (entry.isDirectory())
                walk(relative);
        }
    };
    walk('');
}
/**
 * Copies the chart folder; throws an ActionError naming the first link that leaves it. Synchronous: a chart is
 * a few dozen small files, and the copy is on the way to the dependency build, so it is done in one go rather
 * than one event-loop turn per file behind the index fetch and the rest of the run's start (issue 15).
 */
function copyChartFolder(options) {
    const root = require$$4.realpathSync(options.source);
    const exclude = options.exclude ?? (() => false);
    require$$4.mkdirSync(options.destination, { recursive: true });
    const walk = (relativeDir) => {
        const entries = require$$4.readdirSync(require$$2.join(root, relativeDir), { withFileTypes: true });
        entries.sort((a, b) => compareCodePoints(a.name, b.name));
        for (const entry of entries) {
            const relative = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
            if (exclude(relative))
                continue;
            const from = require$$2.join(root, relative);
            const to = require$$2.join(options.destination, relative);
            const stat = require$$4.lstatSync(from);
            if (stat.isSymbolicLink()) {
                const target = resolveLinkTarget(from);
                if (!isInside(root, target)) {
                    throw linkLeavesChart(options.displayDir, relative, require$$4.readlinkSync(from));
                }
                // Same place, relative to the copy: never back into the user's tree.
                const inCopy = require$$2.join(options.destination, require$$2.relative(root, target));
                require$$4.symlinkSync(require$$2.relative(require$$2.dirname(to), inCopy) || '.', to);
            }
            else if (stat.isDirectory()) {
                require$$4.mkdirSync(to, { recursive: true });
                walk(relative);
            }
            else if (stat.isFile()) {
                require$$4.copyFileSync(from, to);
            }
            // Sockets, FIFOs and devices are not chart content: left out.
        }
    };
    walk('');
}

// File-system helpers shared across src/.
/** Whether a path exists (any kind); false when it cannot be reached. */
async function exists(file) {
    try {
        await require$$1$1.access(file);
        return true;
    }
    catch {
        return false;
    }
}

// The typed model of blueprint.yaml, the catalog entry of a blueprint (`metadata.name`, `spec.version`,
// `spec.manifests.chart`, `spec.depends`), read from its parsed YAML. Pure: no I/O, no positions parsed up front.
// Every field keeps its YAML path; `lineOf(path)` gives its line in the file (yaml-source.ts: parsed on the first
// ask, so a run that finds nothing wrong never pays for positions). Wrong types are `problems`, never a throw: the
// contract gate (and discover) decide what they mean.
const MANIFEST_PATHS = {
    name: ['metadata', 'name'],
    version: ['spec', 'version'],
    chart: ['spec', 'manifests', 'chart'],
    depends: ['spec', 'depends']
};
const isMapping = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
/** A scalar as text: a string as it is, a number (YAML reads `version: 1.0` as one) as JavaScript prints it. */
const scalarText = (value) => typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
/** The manifest from a parsed blueprint.yaml. */
function readBlueprintManifest(source) {
    const file = source.displayPath;
    const problems = [];
    const manifest = {
        file,
        depends: [],
        problems,
        lineOf: (at) => source.lineOf(at)
    };
    const root = source.data;
    if (!isMapping(root)) {
        problems.push({
            path: [],
            message: `${file}: the top level must be a mapping (apiVersion, kind, metadata, spec)`,
            fix: `write ${file} as a Blueprint: apiVersion: catalyst.openova.io/v1alpha1, kind: Blueprint, metadata.name, spec.version`
        });
        return manifest;
    }
    const text = (at, value, example) => {
        if (value === undefined || value === null)
            return undefined;
        const read = scalarText(value);
        if (read === undefined || read.trim() === '') {
            problems.push({
                path: at,
                message: `${at.join('.')} must be a non-empty string, not ${describe(value)}`,
                fix: `write ${at.join('.')}: ${example} in ${file}`
            });
            return undefined;
        }
        return read.trim();
    };
    const mapping = (at, value) => {
        if (value === undefined || value === null)
            return undefined;
        if (isMapping(value))
            return value;
        problems.push({
            path: at,
            message: `${at.join('.')} must be a mapping, not ${describe(value)}`,
            fix: `fix ${at.join('.')} in ${file}`
        });
        return undefined;
    };
    manifest.apiVersion = scalarText(root.apiVersion);
    manifest.kind = scalarText(root.kind);
    const metadata = mapping(['metadata'], root.metadata);
    const spec = mapping(['spec'], root.spec);
    manifest.name = text(MANIFEST_PATHS.name, metadata?.name, 'bp-<name>');
    manifest.version = text(MANIFEST_PATHS.version, spec?.version, '1.0.0');
    const manifests = mapping(['spec', 'manifests'], spec?.manifests);
    manifest.chart = text(MANIFEST_PATHS.chart, manifests?.chart, './chart');
    manifest.depends = readDepends(spec?.depends, file, problems);
    return manifest;
}
function readDepends(value, file, problems) {
    if (value === undefined || value === null)
        return [];
    const at = MANIFEST_PATHS.depends;
    if (!Array.isArray(value)) {
        problems.push({
            path: at,
            message: `spec.depends must be a list, not ${describe(value)}`,
            fix: `write spec.depends as a list of blueprints: [{blueprint: bp-cnpg, version: ^1}] or [bp-cert-manager] in ${file}`
        });
        return [];
    }
    const depends = [];
    for (const [index, entry] of value.entries()) {
        const entryPath = [...at, index];
        const bare = scalarText(entry);
        if (bare !== undefined && bare.trim() !== '') {
            depends.push({ blueprint: bare.trim(), form: 'name', path: entryPath });
            continue;
        }
        // `blueprint:` is the catalog's key; some blueprints write `name:` (this repository's example does).
        const named = isMapping(entry) ? scalarText(entry.blueprint ?? entry.name) : undefined;
        if (!isMapping(entry) || named === undefined || named.trim() === '') {
            problems.push({
                path: entryPath,
                message: isMapping(entry)
                    ? `spec.depends[${index}] names no blueprint (a mapping needs blueprint: <name>, or name: <name>)`
                    : `spec.depends[${index}] must be a blueprint name or a mapping {blueprint, version, alias}, not ${describe(entry)}`,
                fix: `write spec.depends[${index}] as {blueprint: bp-<name>, version: ^1} or as a bare bp-<name> in ${file}`
            });
            continue;
        }
        const dependency = { blueprint: named.trim(), form: 'mapping', path: entryPath };
        for (const field of ['version', 'alias']) {
            const raw = entry[field];
            if (raw === undefined || raw === null)
                continue;
            const read = scalarText(raw);
            if (read === undefined || read.trim() === '') {
                problems.push({
                    path: [...entryPath, field],
                    message: `spec.depends[${index}].${field} must be a non-empty string, not ${describe(raw)}`,
                    fix: field === 'version'
                        ? `write the range as a string, e.g. version: "^1", in ${file}`
                        : `write alias: <name> as a string in ${file}`
                });
                continue;
            }
            dependency[field] = read.trim();
        }
        depends.push(dependency);
    }
    return depends;
}
function describe(value) {
    if (Array.isArray(value))
        return 'a list';
    if (isMapping(value))
        return 'a mapping';
    if (typeof value === 'string')
        return value.trim() === '' ? 'an empty string' : `"${value}"`;
    return `${typeof value} ${JSON.stringify(value)}`;
}
/**
 * The chart folder `spec.manifests.chart` names, relative to the workspace (`/`-separated): the blueprint folder
 * joined with it. `undefined` when it leaves the blueprint folder or is the folder itself (then the blueprint's
 * default `<dir>/chart` applies, and the contract gate says why).
 */
function manifestChartDir(dir, chart) {
    const base = toPosix(dir) || '.';
    const named = toPosix(chart.trim());
    if (require$$2.posix.isAbsolute(named))
        return undefined;
    const joined = require$$2.posix.normalize(require$$2.posix.join(base, named)).replace(/\/+$/, '');
    if (joined === base)
        return undefined;
    // A blueprint at the workspace's root (`.`): anything below it that does not climb out.
    if (base === '.')
        return joined === '..' || joined.startsWith('../') ? undefined : joined;
    return joined.startsWith(`${base}/`) ? joined : undefined;
}
const toPosix = (p) => p.replace(/\\/g, '/').replace(/\/+$/, '');

// Reads a blueprint folder: blueprint.yaml (optional), chart/Chart.yaml and
// chart/values.yaml, each once, with file:line kept for findings; for the report
// of a blueprint that cannot be read, the chart's name and version from its text.
/** A name that is safe as a folder name: no separators, no leading dot or dash. */
const CHART_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const NO_UPSTREAM_ANNOTATION = 'catalyst.openova.io/no-upstream';
/** Folders that hold a chart (`<folder>/chart/Chart.yaml`), where blueprints live: `platform/*`, `products/*`, beside
 * the folder asked for, and at the top of the workspace. */
async function blueprintFolders(workspace, asked) {
    const parents = new Set(['platform', 'products', '.', require$$2.dirname(asked)]);
    const found = [];
    for (const parent of parents) {
        let names;
        try {
            names = await require$$1$1.readdir(require$$2.resolve(workspace, parent));
        }
        catch {
            continue;
        }
        for (const name of names) {
            const folder = require$$2.posix.join(parent, name);
            if (await exists(require$$2.resolve(workspace, folder, 'chart', 'Chart.yaml')))
                found.push(folder);
        }
    }
    return found;
}
/** A blueprint folder that is not there: the closest folders that hold a chart, or what to check when none does. */
async function missingBlueprint(workspace, dir) {
    const close = closestTo(dir, await blueprintFolders(workspace, dir), 3);
    const at = { input: 'blueprint', value: dir };
    if (close.length === 0) {
        return new ActionError(`blueprint folder ${dir} does not exist in the workspace, and no folder there holds a chart (<folder>/chart/Chart.yaml)`, 'check out the repository first (actions/checkout), then set the blueprint input to the blueprint folder, e.g. platform/<name>', at);
    }
    return new ActionError(`blueprint folder ${dir} does not exist in the workspace (did you mean ${close[0]}?)`, `set the blueprint input to a folder holding chart/Chart.yaml (the closest here: ${close.join(', ')})`, at);
}
async function loadBlueprint(workspace, dir, chartDir) {
    const absDir = require$$2.resolve(workspace, dir);
    const absChart = require$$2.resolve(workspace, chartDir);
    if (!(await exists(absDir)))
        throw await missingBlueprint(workspace, dir);
    const chartYamlPath = require$$2.join(chartDir, 'Chart.yaml');
    if (!(await exists(require$$2.join(absChart, 'Chart.yaml')))) {
        throw new ActionError(`${chartYamlPath} not found`, `put the umbrella chart in ${chartDir}, or set the chart input to its folder`);
    }
    // Before any chart file is read: a values.yaml linked outside the chart is refused, not parsed.
    assertLinksStayInside(absChart, chartDir);
    const blueprintYamlPath = require$$2.join(dir, 'blueprint.yaml');
    const [chartYaml, values, blueprintYaml] = await Promise.all([
        loadYamlFile(require$$2.join(absChart, 'Chart.yaml'), chartYamlPath),
        (async () => (await exists(require$$2.join(absChart, 'values.yaml')))
            ? loadYamlFile(require$$2.join(absChart, 'values.yaml'), require$$2.join(chartDir, 'values.yaml'))
            : emptyValues(require$$2.join(chartDir, 'values.yaml')))(),
        (async () => (await exists(require$$2.join(absDir, 'blueprint.yaml')))
            ? loadYamlFile(require$$2.join(absDir, 'blueprint.yaml'), blueprintYamlPath).catch((error) => {
                if (error instanceof ActionError)
                    return error;
                throw error;
            })
            : undefined)()
    ]);
    validateChartMetadata(chartYaml);
    if (values.data === null || typeof values.data !== 'object' || Array.isArray(values.data)) {
        throw new ActionError(`${values.displayPath}: the top level must be a mapping of values`, `fix ${values.displayPath}`);
    }
    if (blueprintYaml instanceof ActionError) {
        return { workspace, dir, chartDir, chartYaml, values, manifestError: blueprintYaml };
    }
    const manifest = blueprintYaml ? readBlueprintManifest(blueprintYaml) : undefined;
    return { workspace, dir, chartDir, chartYaml, values, blueprintYaml, manifest };
}
function emptyValues(displayPath) {
    return { displayPath, data: {}, lineOf: () => undefined };
}
/**
 * Checks Chart.yaml's shape (a mapping with a name and version, dependencies a list of named, versioned entries)
 * and normalises it in place (versions and repositories as strings); throws an ActionError naming file:line.
 */
function validateChartMetadata(chart) {
    const file = chart.displayPath;
    const data = chart.data;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
        throw new ActionError(`${file}: the top level must be a mapping`, `fix ${file}`);
    }
    const meta = data;
    for (const field of ['name', 'version']) {
        if (typeof meta[field] !== 'string' && typeof meta[field] !== 'number') {
            throw new ActionError(`${file}: field ${field} is missing`, `add ${field}: to ${file}`);
        }
        meta[field] = String(meta[field]);
    }
    // The name becomes a folder of the work copy (and the archive's top folder):
    // refuse what could leave that folder before using it. Publishing also needs
    // it lowercase (an OCI repository name): main checks that in publish mode.
    if (!CHART_NAME.test(meta.name) || meta.name.includes('..')) {
        throw new ActionError(`${file}:${chart.lineOf(['name']) ?? 1}: chart name "${meta.name}" is not a valid chart name`, 'use letters, digits and single separators (-, _ or .), e.g. bp-temporal');
    }
    if (meta.dependencies !== undefined && !Array.isArray(meta.dependencies)) {
        throw new ActionError(`${file}:${chart.lineOf(['dependencies']) ?? 1}: dependencies must be a list`, `fix dependencies in ${file}`);
    }
    for (const [index, dep] of (meta.dependencies ?? []).entries()) {
        // Asked only for an error: the positions cost a parse by the yaml library (yaml-source.ts).
        const line = () => chart.lineOf(['dependencies', index]) ?? 1;
        if (!dep || typeof dep !== 'object' || typeof dep.name !== 'string') {
            throw new ActionError(`${file}:${line()}: dependencies[${index}] has no name`, `give every dependency a name, version and repository`);
        }
        if (dep.version === undefined || dep.version === null || String(dep.version).trim() === '') {
            throw new ActionError(`${file}:${line()}: dependency ${dep.name} has no version`, `pin dependency ${dep.name} to a version or range`);
        }
        dep.version = String(dep.version);
        dep.repository = dep.repository ? String(dep.repository) : '';
    }
}
/** The dependency named by the `upstream` input (by name or alias). */
function findUpstream(blueprint, upstream) {
    const deps = blueprint.chartYaml.data.dependencies ?? [];
    const index = deps.findIndex((dep) => dep.name === upstream || dep.alias === upstream);
    if (index < 0) {
        const declared = deps.map((dep) => dep.name).join(', ') || 'none';
        throw new ActionError(`${blueprint.chartYaml.displayPath}: dependency "${upstream}" is not declared (dependencies: ${declared})`, `add ${upstream} under dependencies: in ${blueprint.chartYaml.displayPath}, or set the upstream input to the dependency's name`);
    }
    return { dependency: deps[index], index };
}
function isNoUpstream(chart) {
    return String(chart.annotations?.[NO_UPSTREAM_ANNOTATION] ?? '').toLowerCase() === 'true';
}
/**
 * Name and version for the report of a blueprint that could not be read: from
 * Chart.yaml's text when there is one (the PR comment's marker stays the same
 * once it is fixed), else no name: the report then names the blueprint folder as given.
 */
async function chartIdentityGuess(workspace, chart) {
    let text = '';
    try {
        text = await require$$1$1.readFile(require$$2.resolve(workspace, chart, 'Chart.yaml'), 'utf8');
    }
    catch {
        // no Chart.yaml: no name (not the folder's: it may be a typo of the blueprint input)
    }
    const field = (key) => new RegExp(`^${key}:[ \\t]*["']?([A-Za-z0-9][^\\s"'#]*)`, 'm').exec(text)?.[1];
    return {
        name: field('name') ?? '',
        version: field('version') ?? '',
        path: chart
    };
}

// Semantic versions and version constraints with the semantics Helm uses when it
// resolves a Chart.yaml dependency range against a repository index: those of
// Masterminds/semver v3 (NewVersion, StrictNewVersion, NewConstraint, Check),
// including the v3.4 rule that a prerelease version may satisfy an AND group
// only when some comparator of that same group carries a prerelease.
//
// Pure and dependency-free. Everything here is synchronous and side-effect free.
/** A version constraint that cannot be parsed; names the whole text and the offending part. */
class ConstraintError extends Error {
    /** The whole constraint text. */
    constraint;
    /** The offending part of it ('' when an alternative is empty). */
    part;
    /** What is wrong, without the leading constraint text. */
    detail;
    constructor(constraint, part, detail) {
        super(`invalid version constraint ${JSON.stringify(constraint)}: ${detail}`);
        this.name = 'ConstraintError';
        this.constraint = constraint;
        this.part = part;
        this.detail = detail;
    }
}
// ---------------------------------------------------------------------------
// Versions
const IDENT = '[0-9A-Za-z-]+';
const DOTTED = `${IDENT}(?:\\.${IDENT})*`;
// Tolerant form (Masterminds NewVersion): optional 'v', minor and patch may be
// omitted (coerced to 0), leading zeros in the numeric core are accepted.
const LOOSE_VERSION = new RegExp(`^v?([0-9]+)(?:\\.([0-9]+))?(?:\\.([0-9]+))?(?:-(${DOTTED}))?(?:\\+(${DOTTED}))?$`);
// SemVer 2.0.0 §2, §9, §10: no 'v', all three numbers, no leading zeros in
// numbers or numeric prerelease identifiers, no empty identifiers.
const NUMERIC_ID = '0|[1-9][0-9]*';
const PRE_ID$1 = `(?:${NUMERIC_ID}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)`;
const STRICT_VERSION = new RegExp(`^(?:${NUMERIC_ID})\\.(?:${NUMERIC_ID})\\.(?:${NUMERIC_ID})(?:-${PRE_ID$1}(?:\\.${PRE_ID$1})*)?(?:\\+${DOTTED})?$`);
const ALL_DIGITS = /^[0-9]+$/;
const UINT64_MAX = 18446744073709551615n;
function toSafeInt(digits) {
    if (digits === undefined)
        return 0;
    const n = Number(digits);
    return Number.isSafeInteger(n) ? n : undefined;
}
/**
 * Parse a version the way Masterminds `NewVersion` does: an optional leading
 * `v`, and `1` or `1.2` coerced to `1.0.0` / `1.2.0`. Returns undefined for
 * anything else. Numeric prerelease identifiers with leading zeros are
 * rejected (as Masterminds does). Core numbers above Number.MAX_SAFE_INTEGER
 * are rejected too (Masterminds would accept up to 2^64-1).
 */
function parseVersion(text) {
    if (typeof text !== 'string')
        return undefined;
    const m = LOOSE_VERSION.exec(text);
    if (!m)
        return undefined;
    const major = toSafeInt(m[1]);
    const minor = toSafeInt(m[2]);
    const patch = toSafeInt(m[3]);
    if (major === undefined || minor === undefined || patch === undefined)
        return undefined;
    const prerelease = m[4] === undefined ? [] : m[4].split('.');
    for (const id of prerelease) {
        if (id.length > 1 && id.startsWith('0') && ALL_DIGITS.test(id))
            return undefined;
    }
    const build = m[5] === undefined ? [] : m[5].split('.');
    return { major, minor, patch, prerelease, build, raw: text };
}
/** True when `text` is a SemVer 2.0.0 version exactly (no `v`, no partials, no leading zeros). */
function isStrictSemver(text) {
    return typeof text === 'string' && STRICT_VERSION.test(text) && parseVersion(text) !== undefined;
}
function sign(n) {
    return n < 0 ? -1 : n > 0 ? 1 : 0;
}
// A prerelease identifier counts as numeric when it would parse as a uint64,
// which is how Masterminds decides; longer digit strings compare as text.
function numericId(id) {
    if (!ALL_DIGITS.test(id))
        return undefined;
    const n = BigInt(id);
    return n <= UINT64_MAX ? n : undefined;
}
function compareIdentifier(a, b) {
    if (a === b)
        return 0;
    // A missing identifier (shorter list) sorts first.
    if (a === '')
        return -1;
    if (b === '')
        return 1;
    const na = numericId(a);
    const nb = numericId(b);
    if (na !== undefined && nb !== undefined)
        return na < nb ? -1 : na > nb ? 1 : 0;
    if (na !== undefined)
        return -1; // numeric identifiers have lower precedence
    if (nb !== undefined)
        return 1;
    return a < b ? -1 : 1; // ASCII order
}
function comparePrerelease(a, b) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) {
        const d = compareIdentifier(a[i] ?? '', b[i] ?? '');
        if (d !== 0)
            return d;
    }
    return 0;
}
/** SemVer 2.0.0 §11 precedence: -1, 0 or 1. Build metadata is ignored. */
function compareVersions(a, b) {
    const core = sign(a.major - b.major) || sign(a.minor - b.minor) || sign(a.patch - b.patch);
    if (core !== 0)
        return core;
    const ap = a.prerelease.length > 0;
    const bp = b.prerelease.length > 0;
    if (!ap && !bp)
        return 0;
    if (!ap)
        return 1;
    if (!bp)
        return -1;
    return comparePrerelease(a.prerelease, b.prerelease);
}
/**
 * Whether two full versions are the same as Helm (Masterminds `Equal`) compares them: a leading `v` and build
 * metadata do not count (`v1.21.1` = `1.21.1`). Anything else (a partial `1.2`, a range, not a version) is equal
 * only as the same text.
 */
function sameVersion(a, b) {
    if (a === b)
        return true;
    const full = /^v?[0-9]+\.[0-9]+\.[0-9]+(?:[-+]|$)/;
    if (!full.test(a) || !full.test(b))
        return false;
    const pa = parseVersion(a);
    const pb = parseVersion(b);
    return pa !== undefined && pb !== undefined && compareVersions(pa, pb) === 0;
}
// ---------------------------------------------------------------------------
// Constraints
// Go's \s (RE2, no Unicode spaces, no \v).
const WS = '[\\t\\n\\f\\r ]';
const WS_CHARS = new Set(['\t', '\n', '\f', '\r', ' ']);
// A version part in a constraint: digits or a wildcard. Masterminds' character
// class also admits '|'; kept so that the same texts are accepted or rejected.
const PART = '[0-9xX*|]+';
function versionPattern(capture) {
    const g = capture ? '(' : '(?:';
    return `v?${g}${PART})(?:\\.${g}${PART}))?(?:\\.${g}${PART}))?(?:-${g}${DOTTED}))?(?:\\+${g}${DOTTED}))?`;
}
// The operators Masterminds accepts ('' is a bare version). Longest first, so
// the alternation takes the whole operator.
const OPERATOR = '!=|>=|=>|<=|=<|~>|=|>|<|~|\\^';
// One comparator at a given position: groups 1 operator, 2 version text,
// 3 major, 4 minor, 5 patch, 6 prerelease, 7 build.
const COMPARATOR = new RegExp(`${WS}*(${OPERATOR})?${WS}*(${versionPattern(true)})`, 'y');
// Hyphen ranges, rewritten to `>= a, <= b ` before anything else (the
// surrounding whitespace is part of what is replaced, as in Masterminds).
const HYPHEN_RANGE = new RegExp(`${WS}*(${versionPattern(false)})${WS}+-${WS}+(${versionPattern(false)})${WS}*`, 'g');
const OPS = {
    '': '=',
    '=': '=',
    '!=': '!=',
    '>': '>',
    '<': '<',
    '>=': '>=',
    '=>': '>=',
    '<=': '<=',
    '=<': '<=',
    '~': '~',
    '~>': '~',
    '^': '^'
};
function isWildcard(part) {
    return part === 'x' || part === 'X' || part === '*';
}
function isWs(ch) {
    return ch !== undefined && WS_CHARS.has(ch);
}
function tokenAt(text, from) {
    let i = from;
    while (isWs(text[i]))
        i++;
    const start = i;
    // an operator may be followed by whitespace before its version
    while (i < text.length && '!=<>~^'.includes(text[i]))
        i++;
    if (i > start)
        while (isWs(text[i]))
            i++;
    while (i < text.length && !isWs(text[i]) && text[i] !== ',')
        i++;
    return text.slice(start, i).trim();
}
/**
 * Split one `||` alternative into comparators. Accepts exactly the texts
 * Masterminds' validation pattern accepts: comparators separated by whitespace
 * or by a single comma (with optional whitespace around it).
 */
function scanAlternative(raw, alternative) {
    if (alternative.trim() === '') {
        throw new ConstraintError(raw, alternative, raw.trim() === '' ? 'the constraint is empty' : 'an alternative between "||" separators is empty');
    }
    const found = [];
    let pos = 0;
    for (;;) {
        COMPARATOR.lastIndex = pos;
        const m = COMPARATOR.exec(alternative);
        if (!m) {
            const rest = alternative.slice(pos).replace(/^[\t\n\f\r ]+/, '');
            if (rest === '')
                throw new ConstraintError(raw, ',', 'a trailing "," is not followed by a comparator');
            if (rest.startsWith(',')) {
                throw new ConstraintError(raw, ',', 'unexpected "," (comparators are separated by one comma or by whitespace)');
            }
            const token = tokenAt(alternative, pos);
            throw new ConstraintError(raw, token, `${JSON.stringify(token)} is not a valid comparator`);
        }
        const start = pos;
        pos = COMPARATOR.lastIndex;
        found.push({
            text: m[0].trim(),
            operator: m[1] ?? '',
            version: m[2],
            major: m[3],
            minor: m[4],
            patch: m[5],
            prerelease: m[6]
        });
        const afterComparator = pos;
        while (isWs(alternative[pos]))
            pos++;
        if (pos >= alternative.length)
            return found;
        if (alternative[pos] === ',') {
            pos++;
            continue;
        }
        if (pos > afterComparator)
            continue;
        // Something is glued to the version (`1.2.3.4`, `1.2~`, `>=1<2`).
        let end = pos;
        while (end < alternative.length && !isWs(alternative[end]) && alternative[end] !== ',')
            end++;
        const token = alternative.slice(start, end).trim();
        throw new ConstraintError(raw, token, `${JSON.stringify(token)} is not a valid comparator`);
    }
}
function buildComparator(raw, c) {
    const op = OPS[c.operator];
    const pre = c.prerelease === undefined ? '' : `-${c.prerelease}`;
    let dirty = false;
    let minorDirty = false;
    let patchDirty = false;
    let text;
    // The first wildcard or missing part makes every later part irrelevant; the
    // prerelease is kept, build metadata is dropped (as Masterminds does).
    if (isWildcard(c.major)) {
        dirty = true;
        text = `0.0.0${pre}`;
    }
    else if (c.minor === undefined || isWildcard(c.minor)) {
        dirty = minorDirty = true;
        text = `${c.major}.0.0${pre}`;
    }
    else if (c.patch === undefined || isWildcard(c.patch)) {
        dirty = patchDirty = true;
        text = `${c.major}.${c.minor}.0${pre}`;
    }
    else {
        text = c.version;
    }
    const con = parseVersion(text);
    if (!con) {
        throw new ConstraintError(raw, c.text, `${JSON.stringify(c.text)} does not hold a valid version`);
    }
    return { op, con, dirty, minorDirty, patchDirty };
}
function tilde(c, v) {
    if (compareVersions(v, c.con) < 0)
        return false;
    // ~0.0.0 (and so ~*, ~x) accepts everything at or above 0.0.0.
    if (c.con.major === 0 && c.con.minor === 0 && c.con.patch === 0 && !c.minorDirty && !c.patchDirty)
        return true;
    if (v.major !== c.con.major)
        return false;
    return v.minor === c.con.minor || c.minorDirty;
}
function caret(c, v) {
    if (compareVersions(v, c.con) < 0)
        return false;
    if (c.con.major > 0 || c.minorDirty)
        return v.major === c.con.major;
    if (v.major > 0)
        return false;
    if (c.con.minor > 0 || c.patchDirty)
        return v.minor === c.con.minor;
    if (v.minor > 0)
        return false;
    return v.patch === c.con.patch;
}
function notEqual(c, v) {
    if (c.dirty) {
        if (c.con.major !== v.major)
            return true;
        if (c.con.minor !== v.minor && !c.minorDirty)
            return true;
        if (c.minorDirty)
            return false;
        if (c.con.patch !== v.patch && !c.patchDirty)
            return true;
        if (c.patchDirty)
            return comparePrerelease(v.prerelease, c.con.prerelease) !== 0;
    }
    return compareVersions(v, c.con) !== 0;
}
function greaterThan(c, v) {
    if (c.dirty) {
        if (v.major > c.con.major)
            return true;
        if (v.major < c.con.major)
            return false;
        // `>1` needs 2.0.0 or more; `>1.2` needs 1.3.0 or more.
        if (c.minorDirty)
            return false;
        if (c.patchDirty)
            return v.minor > c.con.minor;
    }
    return compareVersions(v, c.con) > 0;
}
function lessThanOrEqual(c, v) {
    if (!c.dirty)
        return compareVersions(v, c.con) <= 0;
    // `<=1` allows all of 1.x; `<=1.2` all of 1.2.x.
    if (v.major > c.con.major)
        return false;
    if (v.major === c.con.major && v.minor > c.con.minor && !c.minorDirty)
        return false;
    return true;
}
function satisfies$1(c, v) {
    switch (c.op) {
        case '=':
            return c.dirty ? tilde(c, v) : compareVersions(v, c.con) === 0;
        case '!=':
            return notEqual(c, v);
        case '>':
            return greaterThan(c, v);
        case '<':
            return compareVersions(v, c.con) < 0;
        case '>=':
            return compareVersions(v, c.con) >= 0;
        case '<=':
            return lessThanOrEqual(c, v);
        case '~':
            return tilde(c, v);
        case '^':
            return caret(c, v);
    }
}
/**
 * Parse a constraint as Masterminds `NewConstraint` does: `||` separates
 * alternatives; within one, comparators are joined by whitespace or commas
 * (AND); `a - b` hyphen ranges; operators `=`, `!=`, `>`, `<`, `>=`, `=>`,
 * `<=`, `=<`, `~`, `~>`, `^`; wildcards `x`, `X`, `*`; partial versions
 * (`1.2` = `1.2.x` = `>=1.2.0 <1.3.0`). Throws ConstraintError.
 */
function parseConstraint(text) {
    if (typeof text !== 'string')
        throw new ConstraintError(String(text), String(text), 'a constraint must be a string');
    const rewritten = text.replace(HYPHEN_RANGE, (_all, from, to) => `>= ${from}, <= ${to} `);
    let groups;
    try {
        groups = rewritten.split('||').map((alternative) => {
            const comparators = scanAlternative(text, alternative).map((c) => buildComparator(text, c));
            return { comparators, admitsPrerelease: comparators.some((c) => c.con.prerelease.length > 0) };
        });
    }
    catch (e) {
        if (e instanceof ConstraintError && rewritten !== text) {
            throw new ConstraintError(text, e.part, `${e.detail} (after rewriting hyphen ranges: ${JSON.stringify(rewritten.trim())})`);
        }
        throw e;
    }
    return {
        raw: text,
        test(v) {
            const pre = v.prerelease.length > 0;
            return groups.some((g) => (!pre || g.admitsPrerelease) && g.comparators.every((c) => satisfies$1(c, v)));
        }
    };
}
/**
 * True when the text pins one exact version: a full `major.minor.patch`
 * (optionally `v`-prefixed, with prerelease/build), optionally preceded by `=`.
 * Ranges, wildcards and partial versions such as `1.2` are not exact.
 */
function isExactVersion(text) {
    if (typeof text !== 'string')
        return false;
    const m = /^[\t\n\f\r ]*=?[\t\n\f\r ]*(v?[0-9]+\.[0-9]+\.[0-9]+(?:[-+][^\t\n\f\r ]*)?)[\t\n\f\r ]*$/.exec(text);
    return m !== null && parseVersion(m[1]) !== undefined;
}
function highest(versions, accept) {
    let best;
    for (const text of versions) {
        const v = parseVersion(text);
        if (!v || !accept(v))
            continue;
        if (!best || compareVersions(v, best) > 0)
            best = v;
    }
    return best?.raw;
}
/**
 * The highest version in the list that satisfies the range, as written in the
 * list; unparsable versions are ignored. Among versions of equal precedence
 * (differing only in build metadata or a `v`) the first listed wins.
 * Throws ConstraintError when the range itself is invalid.
 */
function maxSatisfying(versions, range) {
    const constraint = parseConstraint(range);
    return highest(versions, (v) => constraint.test(v));
}
/** The highest version without a prerelease, as written in the list. */
function latestStable(versions) {
    return highest(versions, (v) => v.prerelease.length === 0);
}
/**
 * Whether `latest` is newer than `pinned`, and by which part. Not outdated when
 * `latest` is missing or either text is not a version.
 */
function describeDrift(pinned, latest) {
    if (latest === undefined)
        return { outdated: false };
    const p = parseVersion(pinned);
    const l = parseVersion(latest);
    if (!p || !l || compareVersions(l, p) <= 0)
        return { outdated: false };
    if (l.major !== p.major)
        return { outdated: true, behind: 'major' };
    if (l.minor !== p.minor)
        return { outdated: true, behind: 'minor' };
    return { outdated: true, behind: 'patch' };
}

// The committed Chart.lock: whether it still satisfies Chart.yaml, and how a
// lock that helm writes is made independent of the wall clock. Pure functions:
// dependencies.ts does the file and helm work.
/** What to do about a lock that does not fit Chart.yaml; the same words wherever it is found. */
function lockFix(chartDir) {
    return `run \`helm dependency update ${chartDir}\` and commit Chart.lock, or delete Chart.lock`;
}
/**
 * A lock problem is an error on a release (what it pins is what would ship,
 * and it does not fit Chart.yaml) and a warning on a pull request (the run
 * builds from Chart.yaml without it).
 */
function lockFinding(message, lockFile, chartDir, publishing) {
    const consequence = publishing
        ? 'a release publishes what the lock pins'
        : 'this run built from Chart.yaml without it';
    return {
        rule: 'chart-lock',
        severity: publishing ? 'error' : 'warning',
        message: `${message}: ${consequence}`,
        fix: lockFix(chartDir),
        file: lockFile
    };
}
/** Parses a Chart.lock; undefined when it is not YAML or has no dependency list. */
function parseLock(text, displayPath) {
    let data;
    try {
        data = yamlLibrary().parse(text);
    }
    catch {
        return undefined;
    }
    const list = data?.dependencies;
    if (!Array.isArray(list))
        return undefined;
    const dependencies = list.map((entry) => {
        const dep = (entry ?? {});
        return {
            name: String(dep.name ?? ''),
            version: String(dep.version ?? ''),
            repository: String(dep.repository ?? '')
        };
    });
    return { text, displayPath, dependencies };
}
/**
 * Why a lock does not satisfy Chart.yaml's dependencies, one sentence each
 * (empty when it does): a dependency missing from either side, another
 * repository, or a locked version outside the range Chart.yaml asks for.
 * Helm checks the same on `helm dependency build` (its digest over both
 * lists); this check also holds when the build runs through mirrors.
 */
function lockMismatches(lock, dependencies, chartYamlPath) {
    const problems = [];
    for (const dep of dependencies) {
        const locked = lock.dependencies.find((entry) => entry.name === dep.name);
        if (!locked) {
            problems.push(`${lock.displayPath} has no entry for ${dep.name}, which ${chartYamlPath} declares`);
            continue;
        }
        // `@name` and `alias:` repositories are resolved by helm into the lock: only URLs compare.
        const repository = String(dep.repository ?? '');
        if (/^(https?|oci):\/\//.test(repository) && !sameRepository(locked.repository, repository)) {
            problems.push(`${lock.displayPath} locks ${dep.name} from ${locked.repository}, but ${chartYamlPath} names ${dep.repository}`);
            continue;
        }
        if (!satisfies(locked.version, String(dep.version))) {
            problems.push(`${lock.displayPath} locks ${dep.name} ${locked.version}, but ${chartYamlPath} asks for ${dep.version}`);
        }
    }
    for (const locked of lock.dependencies) {
        if (!dependencies.some((dep) => dep.name === locked.name)) {
            problems.push(`${lock.displayPath} locks ${locked.name}, which ${chartYamlPath} no longer declares`);
        }
    }
    return problems;
}
function sameRepository(a, b) {
    return a.replace(/\/+$/, '') === b.replace(/\/+$/, '');
}
function satisfies(version, constraint) {
    try {
        const parsed = parseVersion(version);
        return parsed !== undefined && parseConstraint(constraint).test(parsed);
    }
    catch {
        return false;
    }
}
/** helm's words when a Chart.lock's digest does not match Chart.yaml's dependencies. */
function isOutOfSyncError(helmOutput) {
    return /out of sync/i.test(helmOutput);
}
/** The finding when helm's digest over Chart.yaml's dependencies disagrees with the committed lock's. */
function outOfSyncFinding(lock, helmStderr, chartDir, publishing) {
    return lockFinding(`${lock.displayPath} is out of sync with Chart.yaml (helm dependency build: ${lastLines(redact(helmStderr), 1)})`, lock.displayPath, chartDir, publishing);
}
/**
 * A lock written by `helm dependency build` carries `generated: <now>`, and
 * `helm package` ships it: two packages of one commit would differ. The time
 * becomes the package's (the commit time), so the lock depends on the commit only.
 */
function lockGeneratedAt(lockText, epochSeconds) {
    const stamp = new Date(epochSeconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
    const line = `generated: "${stamp}"`;
    return /^generated:.*$/m.test(lockText)
        ? lockText.replace(/^generated:.*$/m, line)
        : `${lockText.replace(/\n*$/, '\n')}${line}\n`;
}
/** The Chart.lock step: failed on an error (a release), warning otherwise; undefined without findings. */
function chartLockStep(findings) {
    if (findings.length === 0)
        return undefined;
    const failed = findings.some((finding) => finding.severity === 'error');
    return {
        id: 'chart-lock',
        title: 'Chart.lock',
        status: failed ? 'failed' : 'warning',
        durationMs: 0,
        summary: failed
            ? 'Chart.lock does not fit Chart.yaml: nothing is published'
            : 'Chart.lock does not fit Chart.yaml: built without it',
        findings
    };
}
/**
 * The version the committed Chart.lock pins for one dependency, when the lock
 * fits Chart.yaml (else undefined: the lock is a finding, not a pin).
 */
async function lockedVersion(chartDir, displayDir, dependencies, name) {
    const text = await require$$1$1.readFile(require$$2.join(chartDir, 'Chart.lock'), 'utf8').catch(() => undefined);
    if (text === undefined)
        return undefined;
    const lock = parseLock(text, require$$2.join(displayDir, 'Chart.lock'));
    if (!lock || lockMismatches(lock, dependencies, require$$2.join(displayDir, 'Chart.yaml')).length)
        return undefined;
    return lock.dependencies.find((entry) => entry.name === name)?.version;
}

// Every dependency archive helm downloaded into charts/ is checked against what
// its repository vouches for before it is bundled: the sha256 `digest` of its
// entry in index.yaml (http repositories), or the chart layer digest of the
// manifest its tag names (OCI). Helm itself checks neither without provenance
// files, so an archive swapped on the server without reindexing would ship.
/** `abc…` or `sha256:abc…` → `sha256:abc…`; anything else undefined. */
function normalizeDigest(digest) {
    if (typeof digest !== 'string')
        return undefined;
    const hex = digest
        .trim()
        .replace(/^sha256:/, '')
        .toLowerCase();
    return /^[0-9a-f]{64}$/.test(hex) ? `sha256:${hex}` : undefined;
}
function sha256Digest$1(content) {
    return `sha256:${require$$0.createHash('sha256').update(content).digest('hex')}`;
}
/**
 * Checks `charts/<name>-<version>.tgz` of each source; returns an error
 * finding per archive whose sha256 differs from the repository's digest, and
 * a warning per archive the repository gives no digest for.
 */
async function verifyDependencyArchives(chartsDir, sources) {
    let entries = [];
    try {
        entries = await require$$1$1.readdir(chartsDir);
    }
    catch {
        return [];
    }
    const findings = [];
    for (const source of sources) {
        for (const entry of entries) {
            if (!entry.startsWith(`${source.name}-`) || !entry.endsWith('.tgz'))
                continue;
            const version = entry.slice(source.name.length + 1, -'.tgz'.length);
            if (!parseVersion(version))
                continue;
            const expected = await source.expectedDigest(version);
            const actual = sha256Digest$1(await require$$1$1.readFile(require$$2.join(chartsDir, entry)));
            if (!expected) {
                findings.push({
                    rule: 'dependency-digest',
                    severity: 'warning',
                    message: `${source.source} gives no digest for ${source.name} ${version}: charts/${entry} could not be checked`,
                    fix: "reindex the repository with `helm repo index` (it records each archive's sha256)"
                });
            }
            else if (expected !== actual) {
                findings.push({
                    rule: 'dependency-digest',
                    severity: 'error',
                    message: `dependency ${source.name} ${version} downloaded as ${entry} has digest ${actual}, ` +
                        `but ${source.source} says ${expected}: the archive is not what the repository vouches for, nothing is bundled`,
                    fix: 'the repository serves an archive that differs from its index (or tag): ' +
                        'ask its owner to reindex or republish, or pin another version'
                });
            }
        }
    }
    return findings;
}
/** A failed build's fix when an oci:// dependency on a loopback host was asked over TLS (input plain-http unset). */
function ociLoopbackFix(work, origins, stderr) {
    for (const dep of work.dependencies) {
        const effective = applyMirrors(dep.repository, origins.mirrors);
        if (!effective.startsWith('oci://'))
            continue;
        const host = repositoryHost(effective);
        const fix = host === undefined ? undefined : plainHttpFix(host, origins.plainHttpFor(host), stderr);
        if (fix)
            return fix;
    }
    return undefined;
}
/** Where each downloaded dependency came from and how to ask for its expected digest. */
function archiveSources(work, origins) {
    const { indexes, plainHttpFor } = origins;
    const sources = [];
    for (const dep of work.dependencies) {
        if (dep.repository.startsWith('file://') || origins.fromSource?.has(dep.name))
            continue;
        const effective = applyMirrors(dep.repository, origins.mirrors);
        const index = indexes.find((candidate) => candidate.repository === effective);
        if (index) {
            const source = index.url;
            const entries = index.entries()[dep.name] ?? [];
            sources.push({
                name: dep.name,
                source,
                expectedDigest: async (version) => normalizeDigest(entries.find((entry) => String(entry.version) === version)?.digest)
            });
        }
        else if (effective.startsWith('oci://')) {
            const { host, repository: base } = parseOciReference(effective);
            const repository = base ? `${base}/${dep.name}` : dep.name;
            const credentials = origins.credentialsFor(`oci://${host}`);
            const client = new RegistryClient({ host, plainHttp: plainHttpFor(host), credentials });
            sources.push({
                name: dep.name,
                source: `oci://${host}/${repository}`,
                expectedDigest: (version) => client.chartLayerDigest(repository, ociTag(version))
            });
        }
    }
    return sources;
}

// Hollow-chart guards on the dependencies: a blueprint chart declares an
// upstream (or says it has none), and after \`helm dependency build\` every
// declared dependency is under charts/ at the version expected; the
// `Dependency build` step from helm's result, the archives' digests and guard 1.
/**
 * The `Dependency build` step: helm's failure as helm said it; else each archive's digest against what its
 * repository vouches for, and guard 1 on what landed under charts/.
 */
async function dependencyBuildStep(work, run) {
    const { result } = run;
    if (result.exitCode !== 0) {
        const fix = ociLoopbackFix(work, run.origins, result.stderr) ??
            'check the dependencies in Chart.yaml and their repositories (repository-mirrors for air-gapped runners)';
        return {
            id: 'dependency-build',
            title: 'Dependency build',
            status: 'failed',
            durationMs: Math.round(performance.now() - run.start),
            summary: 'helm dependency build failed',
            findings: [
                {
                    rule: 'dependency-build',
                    severity: 'error',
                    message: `helm dependency build failed: ${lastLines(redact(result.stderr), 3)}`,
                    fix
                }
            ],
            details: redact(result.stderr + result.stdout)
        };
    }
    const digestFindings = await verifyDependencyArchives(require$$2.join(work.dir, 'charts'), archiveSources(work, run.origins));
    const checked = await checkBuiltDependencies(work, run.expected);
    const digestFailed = digestFindings.some((finding) => finding.severity === 'error');
    const guard = digestFindings.length
        ? {
            ...checked,
            status: digestFailed ? 'failed' : checked.status,
            summary: digestFailed ? 'a dependency archive differs from what its repository vouches for' : checked.summary,
            findings: [...digestFindings, ...checked.findings]
        }
        : checked;
    return {
        ...guard,
        durationMs: Math.round(performance.now() - run.start),
        details: redact(result.stdout + result.stderr).trim() || undefined,
        data: guard.data ? { ...guard.data, repositories: run.repositories } : undefined
    };
}
/** Hollow-chart guard 1: every declared dependency is under charts/ at the expected version. */
async function checkBuiltDependencies(work, expected) {
    const chartsDir = require$$2.join(work.dir, 'charts');
    let entries = [];
    try {
        entries = await require$$1$1.readdir(chartsDir);
    }
    catch {
        entries = [];
    }
    const built = {};
    const findings = [];
    for (const dep of work.dependencies) {
        const wanted = expected.get(dep.name) ?? dep.version;
        const found = await findBuiltVersion(chartsDir, entries, dep.name);
        const ok = found.some((version) => {
            const parsed = parseVersion(version);
            try {
                return parsed !== undefined && (version === wanted || parseConstraint(wanted).test(parsed));
            }
            catch {
                return version === wanted;
            }
        });
        if (ok)
            built[dep.name] = found.find((version) => version === wanted) ?? found[0];
        else
            findings.push({
                rule: 'hollow-chart',
                severity: 'error',
                message: found.length
                    ? `charts/ holds ${dep.name} ${found.join(', ')}, but ${wanted} was expected after helm dependency build`
                    : `charts/ has no ${dep.name} (${wanted}) after helm dependency build: the chart would ship without its upstream payload`,
                fix: `check dependency ${dep.name} in Chart.yaml and that .helmignore does not drop charts/`
            });
    }
    const summary = findings.length
        ? `${findings.length} of ${work.dependencies.length} dependencies missing under charts/`
        : work.dependencies.map((dep) => `${dep.name} ${built[dep.name]}`).join(', ') || 'no dependencies';
    return {
        id: 'dependency-build',
        title: 'Dependency build',
        status: findings.length ? 'failed' : 'passed',
        durationMs: 0,
        summary,
        findings,
        data: { built, repositories: [] }
    };
}
async function findBuiltVersion(chartsDir, entries, name) {
    const versions = [];
    for (const entry of entries) {
        if (entry.startsWith(`${name}-`) && entry.endsWith('.tgz')) {
            const version = entry.slice(name.length + 1, -'.tgz'.length);
            if (parseVersion(version))
                versions.push(version);
        }
        else if (entry === name) {
            try {
                const meta = yamlLibrary().parse(await require$$1$1.readFile(require$$2.join(chartsDir, entry, 'Chart.yaml'), 'utf8'));
                if (meta?.version !== undefined)
                    versions.push(String(meta.version));
            }
            catch {
                // an unpacked folder without Chart.yaml is no chart
            }
        }
    }
    return versions;
}
/** A chart must wrap an upstream chart unless it says it has none. */
function hollowByDeclaration(blueprint) {
    const chart = blueprint.chartYaml.data;
    if ((chart.dependencies ?? []).length > 0 || isNoUpstream(chart))
        return undefined;
    return {
        rule: 'hollow-chart',
        severity: 'error',
        message: `${blueprint.chartYaml.displayPath} declares no dependencies: a blueprint chart wraps an upstream chart`,
        fix: `declare the upstream chart under dependencies:, or annotate the chart with catalyst.openova.io/no-upstream: "true"`,
        file: blueprint.chartYaml.displayPath,
        line: blueprint.chartYaml.lineOf(['name'])
    };
}

// The private work copy of the blueprint chart: the user's tree is never
// written. The version override and an upstream-version override are applied
// to its Chart.yaml; a committed Chart.lock is honoured when it fits Chart.yaml
// (built from and shipped as committed), else findings say why not.
async function prepareWorkChart(options) {
    const { blueprint } = options;
    const source = require$$2.resolve(blueprint.workspace, blueprint.chartDir);
    const chartName = blueprint.chartYaml.data.name;
    const dir = require$$2.join(options.workRoot, chartName);
    // Synchronous up to the lock: the copy is on the way to the dependency build (see copyChartFolder).
    require$$4.rmSync(dir, { recursive: true, force: true });
    require$$4.mkdirSync(options.workRoot, { recursive: true });
    // Downloaded archives are rebuilt; unpacked subcharts under charts/ are the
    // chart's own and are kept. The lock is placed by the build when it is honoured.
    // A real copy, also when the chart or blueprint folder is a link; links leaving the chart are refused.
    copyChartFolder({
        source,
        destination: dir,
        displayDir: blueprint.chartDir,
        exclude: (rel) => rel === 'Chart.lock' || (require$$2.posix.dirname(rel) === 'charts' && rel.endsWith('.tgz'))
    });
    const committedText = require$$4.readFileSync(require$$2.join(source, 'Chart.yaml'), 'utf8');
    let edited = options.upstreamOverride
        ? undefined
        : versionEditedChartYaml(committedText, options.version || undefined);
    /** The packaged Chart.yaml: one commit gives one archive. */
    const packaged = () => {
        if (!edited) {
            // A key written twice is a finding of its own (chart-inputs.ts), and the run goes on with helm's reading:
            // the later value counts, so a version edit goes to the last `version` key.
            const { isMap, isScalar, parseDocument } = yamlLibrary();
            const doc = parseDocument(committedText, { uniqueKeys: false });
            if (options.version) {
                const pairs = isMap(doc.contents)
                    ? doc.contents.items.filter((pair) => isScalar(pair.key) && pair.key.value === 'version')
                    : [];
                const last = pairs.at(-1);
                if (last)
                    last.value = doc.createNode(options.version);
                else
                    doc.set('version', options.version);
            }
            if (options.upstreamOverride)
                doc.setIn(['dependencies', options.upstreamOverride.index, 'version'], options.upstreamOverride.version);
            edited = { text: doc.toString(), data: doc.toJS() };
        }
        return edited;
    };
    // A Chart.yaml that is a link is replaced by a file, not written through.
    require$$4.rmSync(require$$2.join(dir, 'Chart.yaml'), { force: true });
    require$$4.writeFileSync(require$$2.join(dir, 'Chart.yaml'), packaged().text);
    const chartData = packaged().data;
    const dependencies = (chartData?.dependencies ?? []).map((dep) => ({
        ...dep,
        version: String(dep.version),
        repository: dep.repository ? String(dep.repository) : ''
    }));
    const work = {
        dir,
        sourceDir: source,
        name: chartName,
        version: options.version ?? blueprint.chartYaml.data.version,
        chartYamlText: packaged().text,
        dependencies,
        displayDir: blueprint.chartDir,
        publishing: options.publishing
    };
    const { lock, findings } = await committedLock(blueprint, source, dependencies, options);
    if (lock)
        work.lock = lock;
    return { work, findings };
}
/**
 * The committed Chart.yaml with only its top-level `version:` line edited when the run packages another version (a
 * comment after a plain version kept), without the `yaml` library (its first use, a cold parser, is ~15 ms on the
 * way to the build): when the fast reader (helm/render.ts) reads it as exactly the data the packaged Chart.yaml has.
 * The version is written plain, as `yaml` writes it, or quoted where plain would read otherwise (`1.0`, `010`). The
 * user's text stays as it was (no line refolded), which is what a chart test script reads. Undefined when the data
 * cannot be shown to be the same: the `yaml` library's serialization is used then.
 */
function versionEditedChartYaml(committedText, version) {
    const committed = fastParseYaml(committedText);
    if (!committed || !isRecord(committed.value))
        return undefined;
    if (version === undefined)
        return { text: committedText, data: committed.value };
    const lines = committedText.split('\n');
    const at = lines.flatMap((line, i) => (/^version[ ]*:/.test(line) ? [i] : []));
    if (at.length !== 1)
        return undefined;
    const comment = /^version[ ]*:[ ]*[^\s'"#][^#]*?([ \t]+#.*)$/.exec(lines[at[0]])?.[1] ?? '';
    const wanted = { ...committed.value, version };
    // A JSON string is a YAML double-quoted scalar: the version stays a string whatever it looks like.
    for (const written of [version, JSON.stringify(version)]) {
        lines[at[0]] = `version: ${written}${comment}`;
        const text = lines.join('\n');
        const read = fastParseYaml(text);
        if (read && require$$1$2.isDeepStrictEqual(read.value, wanted))
            return { text, data: read.value };
    }
    return undefined;
}
/**
 * The committed Chart.lock, when it satisfies Chart.yaml (it is then honoured:
 * built from and shipped as committed); otherwise findings saying why not.
 * An upstream-version override asks for another upstream on purpose: the lock
 * does not apply to that run, and a mismatch is only a warning.
 */
async function committedLock(blueprint, source, dependencies, options) {
    let text;
    try {
        text = await require$$1$1.readFile(require$$2.join(source, 'Chart.lock'), 'utf8');
    }
    catch {
        return { findings: [] };
    }
    const lockFile = require$$2.join(blueprint.chartDir, 'Chart.lock');
    const strict = Boolean(options.publishing) && !options.upstreamOverride;
    const lock = parseLock(text, lockFile);
    if (!lock)
        return {
            findings: [
                lockFinding(`${lockFile} is not a Chart.lock (no YAML with a dependencies list)`, lockFile, blueprint.chartDir, strict)
            ]
        };
    const problems = lockMismatches(lock, dependencies, blueprint.chartYaml.displayPath);
    const findings = problems.map((problem) => lockFinding(problem, lockFile, blueprint.chartDir, strict));
    if (options.upstreamOverride) {
        for (const finding of findings)
            finding.message = `${finding.message.replace(/: this run built.*$/, '')}: input upstream-version overrides it for this run`;
        return { findings };
    }
    return problems.length ? { findings } : { lock, findings };
}
/** The build's Chart.yaml: the packaged text with the edits, the rest as `yaml` keeps it. */
function editedChartYaml(text, edits) {
    const doc = yamlLibrary().parseDocument(text);
    for (const [at, value] of edits)
        doc.setIn(at, value);
    return doc.toString();
}

// The dependency build planned before helm runs, as pure decisions: which
// repository each dependency is fetched from (after repository-mirrors), the
// helm repository entries `helm repo add` would write, the OCI hosts to log
// into, whether plain HTTP may be used (loopback only), the Chart.yaml the
// build reads, and the version guard 1 expects of each dependency.
// dependencies.ts runs helm with it.
/** Plain HTTP only ever reaches loopback registries, whatever the input says. */
function plainHttpFor(options, host) {
    return options.plainHttp && isLoopbackHost(host);
}
/**
 * The http(s) repositories (after mirrors) whose index the build reads, once each in Chart.yaml's order: what
 * the run fetches at its start (run/prepare.ts), before the work copy and helm are ready.
 */
function httpRepositoryUrls(dependencies, mirrors) {
    const urls = new Set();
    for (const dep of dependencies) {
        const repository = typeof dep.repository === 'string' ? dep.repository : '';
        if (repository.startsWith('file://'))
            continue;
        const effective = applyMirrors(repository, mirrors);
        if (/^https?:\/\//.test(effective))
            urls.add(effective);
    }
    return [...urls];
}
/**
 * What guard 1 expects of each dependency before ranges are resolved against the indexes: a local one its
 * Chart.yaml version; any other the locked version, else the known (resolved) one, else Chart.yaml's.
 */
function expectedVersions(work, knownVersions) {
    const expected = new Map();
    for (const dep of work.dependencies) {
        if (dep.repository.startsWith('file://')) {
            expected.set(dep.name, dep.version);
            continue;
        }
        const locked = work.lock?.dependencies.find((entry) => entry.name === dep.name)?.version;
        expected.set(dep.name, locked ?? knownVersions.get(dep.name) ?? dep.version);
    }
    return expected;
}
function planDependencyBuild(work, options) {
    // The build's Chart.yaml differs from the packaged one only with mirrors or local paths: the edits are collected,
    // and the text is parsed (the `yaml` library, cold on the way to the build) only then.
    const edits = [];
    const ociHosts = new Set();
    let rewritten = false;
    const fromSource = options.fromSource ?? new Map();
    if (work.publishing && fromSource.size > 0)
        // A release bundles only what is published (run/siblings-step.ts refuses it first): this is the last guard.
        throw new ActionError(`a release never bundles a sibling blueprint built from source (${[...fromSource.keys()].join(', ')}): release it first`);
    for (const [index, dep] of work.dependencies.entries()) {
        const repository = dep.repository;
        const source = fromSource.get(dep.name);
        if (source !== undefined) {
            // Only the build's Chart.yaml points at the built sibling: the work copy's dependency keeps its registry, so
            // guard 1 expects the pinned version, the packaged Chart.yaml names the registry, and a lock written against
            // this path is not shipped (as with mirrors). Helm packs the folder into charts/ as `helm package` would.
            edits.push([['dependencies', index, 'repository'], `file://${source}`]);
            rewritten = true;
            continue;
        }
        if (repository.startsWith('file://')) {
            const target = repository.slice('file://'.length);
            if (!require$$2.isAbsolute(target)) {
                // The work copy lives elsewhere: make relative local dependencies absolute for the build.
                edits.push([['dependencies', index, 'repository'], `file://${require$$2.resolve(work.sourceDir, target)}`]);
                rewritten = true;
            }
            continue;
        }
        const effective = applyMirrors(repository, options.mirrors);
        if (effective !== repository.replace(/\/+$/, '')) {
            edits.push([['dependencies', index, 'repository'], effective]);
            rewritten = true;
        }
        if (effective.startsWith('oci://'))
            ociHosts.add(parseOciReference(effective).host);
        // With mirrors or local paths the build's Chart.yaml is not the committed one, so helm
        // cannot use the lock as it is: the build asks for exactly the locked versions instead.
        const locked = work.lock?.dependencies.find((entry) => entry.name === dep.name)?.version;
        if (locked)
            edits.push([['dependencies', index, 'version'], locked]);
    }
    const args = ['dependency', 'build', work.dir, '--skip-refresh'];
    // One flag for every OCI dependency of the build: only when all of them are loopback.
    if (ociHosts.size > 0 && [...ociHosts].every((host) => plainHttpFor(options, host)))
        args.push('--plain-http');
    return {
        ...(rewritten ? { buildChartYaml: editedChartYaml(work.chartYamlText, edits) } : {}),
        httpRepositories: httpRepositoryUrls(work.dependencies, options.mirrors).map((url, i) => ({
            url,
            name: `bp-dep-${i}`
        })),
        ociHosts: [...ociHosts],
        expected: expectedVersions(work, options.knownVersions),
        args
    };
}
/**
 * Ranges of http dependencies without a lock or a known version, resolved against the same indexes the
 * build reads (`entries[i]`: the parsed index.yaml of `plan.httpRepositories[i]`), so guard 1 checks exact
 * versions. Returns the plan's expectations with those filled in.
 */
function expectedFromIndexes(plan, work, options, entries) {
    const expected = new Map(plan.expected);
    if (work.lock)
        return expected;
    for (const [i, { url }] of plan.httpRepositories.entries()) {
        for (const dep of work.dependencies) {
            if (applyMirrors(dep.repository, options.mirrors) !== url || options.knownVersions.has(dep.name))
                continue;
            const versions = (entries[i][dep.name] ?? []).map((entry) => String(entry.version));
            const exact = maxSatisfying(versions, dep.version);
            if (exact)
                expected.set(dep.name, exact);
        }
    }
    return expected;
}
/** After helm found the committed lock out of sync: what guard 1 expects without it (known versions, else Chart.yaml's). */
function expectedWithoutLock(expected, work, knownVersions) {
    const unlocked = new Map(expected);
    for (const dep of work.dependencies) {
        if (!dep.repository.startsWith('file://'))
            unlocked.set(dep.name, knownVersions.get(dep.name) ?? dep.version);
    }
    return unlocked;
}
/** The repository entries for the build, with credentials only where `credentialsFor` routes them. */
function repositoryEntries(plan, credentialsFor) {
    return plan.httpRepositories.map(({ url, name }) => {
        const credentials = credentialsFor(url);
        return { name, url, ...(credentials ? { username: credentials.username, password: credentials.password } : {}) };
    });
}
/** The OCI hosts to log into before the build: those with credentials routed to them. */
function registryLogins(plan, options) {
    return plan.ociHosts.flatMap((host) => {
        const credentials = options.credentialsFor(`oci://${host}`);
        return credentials ? [{ host, credentials, plainHttp: plainHttpFor(options, host) }] : [];
    });
}

// The isolated helm home given the dependency build's repositories: the
// repository config and cached index.yaml of each http repository, as `helm
// repo add` would write them (the index was already fetched: no second
// download), `helm registry login` for OCI hosts, and the credentials forgotten
// once the build is done.
function repositoryConfig(repositories) {
    return JSON.stringify({ apiVersion: '', generated: '0001-01-01T00:00:00Z', repositories }, null, 2);
}
/** Writes repositories.yaml and each repository's cached index (`indexTexts[i]` for `repositories[i]`). */
async function writeRepositories(helm, repositories, indexTexts) {
    await require$$1$1.writeFile(helm.home.repositoryConfig, repositoryConfig(repositories));
    await Promise.all(repositories.map(({ name }, i) => require$$1$1.writeFile(require$$2.join(helm.home.repositoryCache, `${name}-index.yaml`), indexTexts[i])));
}
/** Logs into each OCI host in turn; a refused login stops the run, naming the host and what to check. */
async function loginRegistries(helm, logins) {
    for (const { host, credentials, plainHttp } of logins) {
        const login = await helm.registryLogin(host, credentials, plainHttp);
        if (login.exitCode !== 0) {
            throw new ActionError(`registry ${host} refused the login for dependency download: ${lastLines(redact(login.stderr), 2)}`, 'check dependency-username/dependency-password (or registry-username/registry-password)');
        }
    }
}
/**
 * Rewrites the repository config without usernames and passwords, and drops registry logins: the credentials
 * are needed for the download only, and chart test scripts run later as the same user.
 */
async function forgetCredentials(helm, repositories) {
    const anonymous = repositories.map(({ name, url }) => ({ name, url }));
    await Promise.all([
        require$$1$1.writeFile(helm.home.repositoryConfig, repositoryConfig(anonymous)),
        require$$1$1.rm(helm.home.registryConfig, { force: true })
    ]);
}

// Builds the work copy's dependencies with helm (\`helm dependency build\` in an
// isolated helm home given the repositories and their indexes, planned by
// dependency-plan.ts), honours or reports the committed Chart.lock, and turns
// the result into the `Dependency build` step (archive digests and hollow-chart
// guard 1: chart/built-dependencies.ts).
/**
 * Runs `helm dependency build` in the work copy. The isolated helm home is given
 * a repository entry (and cached index) for each http repository, which is what
 * `helm repo add` would write, so the build works with or without a Chart.lock
 * and no index is downloaded twice.
 */
async function buildDependencies(helm, work, options) {
    const start = performance.now();
    // What helm is asked to do does not depend on the known versions; only guard 1's expectations do (after helm).
    const plan = planDependencyBuild(work, { ...options, knownVersions: new Map() });
    // Indexes: reuse what upstream resolution fetched; fetch the others concurrently.
    const indexes = await Promise.all(plan.httpRepositories.map(({ url }) => options.indexes.fetch(url, options.credentialsFor(url))));
    const repositories = repositoryEntries(plan, options.credentialsFor);
    await writeRepositories(helm, repositories, indexes.map((index) => index.text));
    try {
        await loginRegistries(helm, registryLogins(plan, options));
        const lockPath = require$$2.join(work.dir, 'Chart.lock');
        const rewritten = plan.buildChartYaml !== undefined;
        // With mirrors or local paths the build's Chart.yaml is not the committed one, so
        // helm cannot use the lock as it is: the build asks for exactly the locked versions
        // instead (in the plan's Chart.yaml), and the committed lock is put back for the package.
        if (plan.buildChartYaml !== undefined)
            await require$$1$1.writeFile(require$$2.join(work.dir, 'Chart.yaml'), plan.buildChartYaml);
        else if (work.lock)
            await require$$1$1.writeFile(lockPath, work.lock.text);
        let result = await helm.run(plan.args, {
            onSpawn: () => options.whileBuilding?.()
        });
        const knownVersions = new Map(await options.knownVersions?.());
        let expected = expectedFromIndexes({ ...plan, expected: expectedVersions(work, knownVersions) }, work, { ...options, knownVersions }, indexes.map((index) => index.entries()));
        if (result.exitCode !== 0 && work.lock && !rewritten && isOutOfSyncError(result.stderr + result.stdout)) {
            // Helm's digest over Chart.yaml's dependencies disagrees with the lock's: it does not
            // fit. A finding (an error on a release), and the run goes on from Chart.yaml alone.
            options.lockFindings?.push(outOfSyncFinding(work.lock, result.stderr, work.displayDir ?? '.', Boolean(work.publishing)));
            delete work.lock;
            expected = expectedWithoutLock(expected, work, knownVersions);
            await require$$1$1.rm(lockPath, { force: true });
            result = await helm.run(plan.args);
        }
        if (rewritten) {
            // The package must name the real repositories, not mirrors or local paths.
            await require$$1$1.writeFile(require$$2.join(work.dir, 'Chart.yaml'), work.chartYamlText);
        }
        if (work.lock) {
            // Shipped as committed (helm package writes its own serialization of it).
            await require$$1$1.writeFile(lockPath, work.lock.text);
        }
        else if (rewritten) {
            // A lock written against mirrors or local paths would mislead: not shipped.
            await require$$1$1.rm(lockPath, { force: true });
        }
        else if (options.lockEpoch !== undefined) {
            const epoch = await options.lockEpoch();
            const written = await require$$1$1.readFile(lockPath, 'utf8').catch(() => undefined);
            if (written !== undefined)
                await require$$1$1.writeFile(lockPath, lockGeneratedAt(written, epoch));
        }
        return await dependencyBuildStep(work, {
            result,
            expected,
            origins: { ...options, indexes, plainHttpFor: (host) => plainHttpFor(options, host) },
            repositories: [...plan.httpRepositories.map(({ url }) => url), ...plan.ociHosts.map((host) => `oci://${host}`)],
            start
        });
    }
    finally {
        // The credentials are needed for the download only. Chart test scripts run
        // later as the same user: nothing of them stays in the helm home (publish
        // logs in again with the registry's own).
        await forgetCredentials(helm, repositories);
    }
}

// Stage: the chart's private work copy (started beside upstream resolution: it needs the resolved upstream only
// when input upstream-version overrides the pin) and `helm dependency build` in it (chart/dependencies.ts), with
// the committed Chart.lock's step.
/** Whether the work copy must wait for upstream resolution (input upstream-version rewrites the pin in it). */
function workCopyNeedsUpstream(ctx) {
    return ctx.inputs.upstreamVersion !== '';
}
/** The work copy: Chart.yaml with the packaged version, and the upstream's when the input overrode the pin. */
async function prepareWork(ctx, upstream) {
    const { blueprint } = ctx;
    const override = upstream?.info.override
        ? { index: findUpstream(blueprint, upstream.info.name).index, version: upstream.info.resolved }
        : undefined;
    const { work, findings } = await prepareWorkChart({
        blueprint,
        workRoot: ctx.folders.chart,
        version: ctx.chart.version === blueprint.chartYaml.data.version ? undefined : ctx.chart.version,
        upstreamOverride: override,
        publishing: ctx.mode === 'publish'
    });
    return { work, lockFindings: findings };
}
/**
 * The dependency build, started as soon as helm and the work copy are there: the upstream resolution and the
 * commit time (asked for here once helm has run: guard 1's expected versions, the lock's time) go on beside it;
 * the caller starts them from `whileBuilding`. `fromSource`: sibling blueprints a pull request built at this commit
 * (run/sibling-sources.ts), read from their folders instead of the registry.
 */
async function buildStep(ctx, upstream, prepared, epoch, whileBuilding, fromSource) {
    const { inputs } = ctx;
    const options = {
        mirrors: inputs.repositoryMirrors,
        indexes: ctx.indexes,
        credentialsFor: ctx.credentials.forRepository,
        plainHttp: inputs.plainHttp
    };
    const { work, lockFindings } = prepared;
    const build = await buildDependencies(ctx.helm, work, {
        ...options,
        knownVersions: async () => {
            const { resolution } = await upstream();
            return new Map(resolution ? [[resolution.info.name, resolution.info.resolved]] : []);
        },
        lockEpoch: async () => (await epoch()).epoch,
        lockFindings,
        whileBuilding,
        // Not in `options`: the base commit's build (the rendered diff) bundles what its own Chart.yaml pins.
        ...(fromSource?.size ? { fromSource } : {})
    });
    const lockStep = chartLockStep(lockFindings);
    return {
        steps: lockStep ? [build, lockStep] : [build],
        failed: build.status === 'failed',
        work,
        built: build.data?.built ?? {},
        options
    };
}

/** `a.b.c` for a message (keys as written). */
function dotted(path) {
    return path.map((key) => (typeof key === 'number' ? `[${key}]` : key)).join('.');
}
/** One finding per key written twice in the file (its later line: the value helm keeps). */
function duplicateKeyFindings(source) {
    return (source.duplicates ?? []).map((duplicate) => {
        const key = dotted(duplicate.path);
        const [first, second] = duplicate.lines;
        const where = `${source.displayPath} at lines ${first} and ${second}`;
        return duplicate.equal
            ? {
                rule: 'yaml-duplicate-key',
                severity: 'warning',
                message: `\`${key}\` is written twice in ${where}, with the same value: helm keeps the later one, nothing is lost.`,
                fix: `delete one of them (line ${first} or ${second})`,
                file: source.displayPath,
                line: second
            }
            : {
                rule: 'yaml-duplicate-key',
                severity: 'error',
                message: `\`${key}\` is written twice in ${where}, with different values: helm keeps the later one ` +
                    `(\`${duplicate.values[1]}\`, line ${second}) and line ${first}'s (\`${duplicate.values[0]}\`) is lost without a word.`,
                fix: `keep the value you mean and delete the other line (${first} or ${second})`,
                file: source.displayPath,
                line: second
            };
    });
}
/**
 * The `Chart files` step, when a file the run reads writes a key twice (else none: the step table stays as it was).
 * Its errors stop the publish like any failed step.
 */
function duplicateKeysStep(sources) {
    const findings = sources.flatMap((source) => duplicateKeyFindings(source));
    if (findings.length === 0)
        return undefined;
    const differing = findings.filter((f) => f.severity === 'error').length;
    const files = [...new Set(findings.map((f) => f.file))].join(', ');
    const n = findings.length;
    return {
        id: 'chart-files',
        title: 'Chart files',
        status: differing > 0 ? 'failed' : 'warning',
        durationMs: 0,
        summary: `${n} key${n === 1 ? '' : 's'} written twice in ${files}` +
            (differing > 0 ? `: ${differing} with different values (helm keeps the later)` : ', with the same values'),
        findings
    };
}
/** The `Chart files` step of a blueprint: Chart.yaml, values.yaml, blueprint.yaml and the `values` input's files. */
function chartFilesStep(blueprint) {
    const { chartYaml, values, blueprintYaml, valuesFiles } = blueprint;
    return duplicateKeysStep([chartYaml, values, ...(blueprintYaml ? [blueprintYaml] : []), ...(valuesFiles ?? [])]);
}

// Input set-secret reaches helm without a shell and without its values in any
// argument list (another process on the runner can read argv): each value is
// written to its own file (mode 0600) in the run's private work folder and
// given as `--set-file key=FILE`, so helm reads it as a string.
/** Writes one file per value under `dir` (created 0700) and returns the helm arguments that read them. */
async function secretValueArgs(dir, entries) {
    if (entries.length === 0)
        return [];
    await require$$1$1.mkdir(dir, { recursive: true, mode: 0o700 });
    const args = [];
    for (const [index, entry] of entries.entries()) {
        // A name without commas or `=`: helm splits --set-file on both.
        const file = require$$2.join(dir, `value-${index}`);
        await require$$1$1.writeFile(file, entry.value, { mode: 0o600 });
        args.push('--set-file', `${entry.key}=${file}`);
    }
    return args;
}

// What the chart stages take from the inputs and the files beside the chart: the values arguments of every render
// and lint (inputs values, set, set-secret), and the `Chart files` step (a key written twice in Chart.yaml,
// values.yaml, blueprint.yaml or a values input file: chart/duplicate-keys.ts), which leads the steps.
/** `--values`, `--set` and `--set-file` (set-secret) arguments for every render and lint. */
async function valueArguments(ctx) {
    const { inputs } = ctx;
    return [
        ...inputs.valuesFiles.flatMap((file) => ['--values', require$$2.resolve(inputs.workspace, file)]),
        ...inputs.setValues.flatMap((value) => ['--set', value]),
        ...(await secretValueArgs(ctx.folders.secretValues, inputs.setSecretValues))
    ];
}
/** The steps before any other: the chart files' duplicate keys, when there are any. */
function leadingSteps(ctx) {
    const files = chartFilesStep(ctx.blueprint);
    return files ? [files] : [];
}

/**
 * Loads the later stages; called when `helm dependency build` has started (chart-steps.ts), so node compiles them
 * while it waits for helm instead of before the run's first helm process. Once per run; emit.ts is only warmed
 * here (run/action.ts imports it, also when a run stops before the build).
 */
function loadLaterStages() {
    if (!laterStages) {
        laterStages = Promise.all([import('./check-step.js'), import('./publish-step.js'), import('./emit.js')]).then(([check, publish]) => [check, publish]);
        // Started without waiting (during the build): a chunk that does not load is the awaiting stage's error to
        // report, not an unhandled rejection that ends the process first.
        laterStages.catch(() => undefined);
    }
    return laterStages;
}
let laterStages;
/**
 * A pull request's publish preview (preview-step.ts), its code loaded on its own and its request sent as soon as
 * the dependency build runs (chart-steps.ts): the round trip overlaps the build. Undefined for every other run.
 */
function startLaterPreview(ctx) {
    // A release or a run without a registry never previews: its code is not even loaded (startPreviewRun says the rest).
    if (ctx.mode !== 'validate' || !ctx.registry)
        return Promise.resolve(undefined);
    const started = import('./preview-step.js').then((module) => module.startPreviewRun(ctx));
    started.catch(() => undefined); // awaited by chart-steps; a chunk that does not load is its error to report
    return started;
}
/**
 * The sibling blueprints' lookups (siblings-step.ts), their code loaded on its own and their requests sent when the
 * chart stages start: on a release the round trip overlaps the dependency build; a pull request waits for it before
 * its build (an unpublished sibling may have to be built from source first). Undefined for a run without a sibling blueprint;
 * a run without a registry or without an OCI dependency does not even load the code.
 */
function startLaterSiblings(...args) {
    const [base] = args;
    const dependencies = base.blueprint.chartYaml.data.dependencies ?? [];
    const oci = dependencies.some((dep) => typeof dep?.repository === 'string' && /^oci:\/\//i.test(dep.repository.trim()));
    if (!base.registry || !oci)
        return Promise.resolve(undefined);
    const started = import('./siblings-step.js').then((module) => module.startSiblingsStep(...args));
    started.catch(() => undefined); // awaited by chart-steps; a chunk that does not load is its error to report
    return started;
}
/**
 * A release that will attest (input attest not false, the job has an OIDC token, no step failed) loads the
 * attestation's code (run/attest-step.ts and the signing chunk, ~0.5 s of loading and compiling) while the push
 * runs (chart-steps.ts calls this just before the publish): the push waits on the registry, not on node's CPU, so
 * the load no longer follows it. A run that will not attest loads none of it. True when it started the load.
 */
function preloadAttestation(ctx, steps, env = process.env) {
    if (ctx.mode !== 'publish' || ctx.inputs.attest === 'false' || !env.ACTIONS_ID_TOKEN_REQUEST_URL)
        return false;
    if (steps.some((step) => step.status === 'failed'))
        return false;
    import('./attest-step.js').then(function (n) { return n.a; }).then((module) => module.preloadSigner()).catch(() => undefined);
    return true;
}

// A CycloneDX 1.5 SBOM of what the chart deploys: the chart itself, the charts
// it bundles (at the versions the dependency build put in charts/), and every
// container image of the default render. Built from results the run already
// has (no extra helm process), and deterministic: the same chart, images and
// timestamp give the same bytes, so a re-run can attest it again unchanged.
// Attaching it to the pushed digest is left to the signing step (cosign
// attest, keyless), which needs the workflow's OIDC token anyway.
/** Where an image is used is listed up to this many times per image. */
const MAX_USES = 20;
/**
 * purl of an OCI artifact (package-url spec, type `oci`): the name is the last
 * path segment, the version the digest; repository_url and tag as qualifiers.
 */
function ociPurl(repository, digest, tag) {
    const name = repository.split('/').pop() ?? repository;
    const qualifiers = [`repository_url=${encodeURIComponent(repository).replace(/%2F/g, '/')}`];
    if (tag)
        qualifiers.push(`tag=${encodeURIComponent(tag)}`);
    return `pkg:oci/${encodeURIComponent(name.toLowerCase())}@${encodeURIComponent(digest)}?${qualifiers.join('&')}`;
}
function sha256Hex(digest) {
    return digest && /^sha256:[0-9a-f]{64}$/.test(digest) ? digest.slice('sha256:'.length) : undefined;
}
function chartComponent(input) {
    const { chart, artifact } = input;
    const component = {
        type: 'application',
        'bom-ref': `chart:${chart.name}@${chart.version}`,
        name: chart.name,
        version: chart.version
    };
    if (chart.description)
        component.description = chart.description;
    const properties = [{ name: 'bp:kind', value: 'helm-chart' }];
    if (chart.appVersion)
        properties.push({ name: 'bp:appVersion', value: chart.appVersion });
    if (artifact) {
        const repository = artifact.ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, '');
        const tag = /:([^/:]+)$/.exec(artifact.ref)?.[1];
        component.purl = ociPurl(repository, artifact.digest, tag);
        const hex = sha256Hex(artifact.digest);
        if (hex)
            component.hashes = [{ alg: 'SHA-256', content: hex }];
        component.externalReferences = [{ type: 'distribution', url: artifact.ref }];
    }
    component.properties = properties;
    return component;
}
function dependencyComponent(dep) {
    const component = {
        type: 'application',
        'bom-ref': `chart:${dep.name}@${dep.version}`,
        name: dep.name,
        version: dep.version,
        properties: [{ name: 'bp:kind', value: 'helm-chart' }]
    };
    if (dep.repository)
        component.externalReferences = [{ type: 'distribution', url: dep.repository }];
    return component;
}
function imageComponents(images) {
    const byReference = new Map();
    for (const verdict of images) {
        const key = verdict.ref?.canonical ?? verdict.use.image;
        const entry = byReference.get(key) ?? { verdict, uses: [] };
        const { use } = verdict;
        entry.uses.push(`${use.kind}/${use.name}${use.container ? ` container ${use.container}` : ''}${use.source ? ` (${use.source})` : ''}`);
        byReference.set(key, entry);
    }
    return [...byReference.entries()]
        .sort(([a], [b]) => compareCodePoints(a, b))
        .map(([reference, { verdict, uses }]) => {
        const ref = verdict.ref;
        const component = {
            type: 'container',
            'bom-ref': `image:${reference}`,
            name: ref ? `${ref.domain}/${ref.path}` : reference
        };
        if (ref?.tag)
            component.version = ref.tag;
        else if (ref?.digest)
            component.version = ref.digest;
        const hex = sha256Hex(ref?.digest);
        if (ref?.digest)
            component.purl = ociPurl(`${ref.domain}/${ref.path}`, ref.digest, ref.tag);
        if (hex)
            component.hashes = [{ alg: 'SHA-256', content: hex }];
        const sorted = [...new Set(uses)].sort();
        component.properties = [
            { name: 'bp:reference', value: verdict.use.image },
            { name: 'bp:pinned', value: ref?.digest ? 'digest' : 'no' },
            {
                name: 'bp:imagePolicy',
                value: verdict.ok ? (verdict.allowedBy ? `allowlisted (${verdict.allowedBy})` : 'passed') : 'failed'
            },
            ...sorted.slice(0, MAX_USES).map((value) => ({ name: 'bp:usedBy', value })),
            ...(sorted.length > MAX_USES ? [{ name: 'bp:usedBy', value: `… and ${sorted.length - MAX_USES} more` }] : [])
        ];
        return component;
    });
}
/** A UUID (version 5 layout) from a sha256 of the content, so the serial number is reproducible. */
function contentUuid(text) {
    const bytes = require$$0.createHash('sha256').update(text).digest().subarray(0, 16);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
function buildSbom(input) {
    const chart = chartComponent(input);
    const dependencies = input.dependencies.map(dependencyComponent);
    const images = imageComponents(input.images);
    const body = {
        bomFormat: 'CycloneDX',
        specVersion: '1.5',
        version: 1,
        metadata: {
            timestamp: input.timestamp,
            tools: { components: [{ type: 'application', ...input.tool }] },
            component: chart
        },
        components: [...dependencies, ...images],
        dependencies: [
            { ref: chart['bom-ref'], dependsOn: [...dependencies, ...images].map((c) => c['bom-ref']) },
            ...dependencies.map((c) => ({ ref: c['bom-ref'], dependsOn: [] })),
            ...images.map((c) => ({ ref: c['bom-ref'], dependsOn: [] }))
        ]
    };
    const { bomFormat, specVersion, ...rest } = body;
    return { bomFormat, specVersion, serialNumber: `urn:uuid:${contentUuid(JSON.stringify(body))}`, ...rest };
}
/** Writes `<chart>.cdx.json` into `dir`; returns its path. */
async function writeSbom(bom, dir) {
    await require$$1$1.mkdir(dir, { recursive: true });
    const file = require$$2.join(dir, `${bom.metadata.component.name}-${bom.metadata.component.version}.cdx.json`);
    // Like every text the action writes: a set-secret value rendered into an image reference is not shown.
    await require$$1$1.writeFile(file, redact(`${JSON.stringify(redactDeep(bom), null, 2)}\n`), 'utf8');
    return file;
}

/** Pure: the SBOM's content from what the run already has. */
function sbomContent(sources) {
    const { work, chartMeta, built } = sources;
    return {
        chart: {
            name: work.name,
            version: work.version,
            appVersion: chartMeta.appVersion,
            description: typeof chartMeta.description === 'string' ? chartMeta.description : undefined
        },
        dependencies: work.dependencies.map((dep) => ({
            name: dep.name,
            version: built[dep.name] ?? dep.version,
            repository: dep.repository
        })),
        images: sources.images,
        timestamp: new Date(sources.epoch * 1000).toISOString(),
        tool: { name: ACTION_NAME, version: sources.toolVersion || 'unreleased' }
    };
}
/** The published artifact the SBOM names: only with a digest (pushed, or found already there). */
function sbomArtifact(publish) {
    return publish?.digest ? { ref: publish.ref, digest: publish.digest } : undefined;
}
/** Writes the SBOM into `dir`; returns its path. */
function writeRunSbom(content, publish, dir) {
    return writeSbom(buildSbom({ ...content, artifact: sbomArtifact(publish) }), dir);
}

// Stages on the chart once helm and the upstream are ready: dependency build → gates and package (with the base
// render beside them) → publish. Each stage returns its results; what the run has when a stage throws is kept
// (the steps so far, the diff, the SBOM's content) and the error is returned for the report's `Run` step.
async function runChartSteps(ctx, preparation) {
    const { upstream, work, epoch, contract, workspace } = preparation;
    // A key written twice in a file the run reads leads (an error stops the publish like a failed gate).
    const outcome = { steps: leadingSteps(ctx) };
    const leading = outcome.steps.length;
    // The sibling blueprints' registry lookups (only a chart that bundles one): sent now, beside the work copy. A pull
    // request waits for them before its dependency build (one round trip): an unpublished sibling whose source has the
    // pinned version is built from source and bundled from there (run/sibling-sources.ts); a release never does that.
    const siblings = startLaterSiblings(ctx, preparation.workspace);
    let sources;
    const siblingsStep = async () => {
        const run = await siblings.catch(() => undefined);
        return run?.step(sources);
    };
    // A pull request's publish preview: started once the build runs (its round trip beside the build).
    let previewStarted;
    const startPreview = () => (previewStarted ??= startLaterPreview(ctx));
    try {
        // Once helm has started: the upstream resolution, the commit time, the blueprint.yaml contract and the later
        // stages' code, beside it.
        const whileBuilding = () => {
            void upstream();
            void epoch();
            void contract().catch(() => undefined);
            void startPreview();
            loadLaterStages()
                .then(([check]) => check.preloadChecks(ctx))
                .catch(() => undefined); // a chunk that does not load is the check stage's error to report
        };
        if (ctx.mode === 'validate') {
            sources = await (await siblings.catch(() => undefined))?.fromSource(ctx);
            if (sources?.failed.size) {
                // The product cannot be built without it: the siblings step says which and why; no build runs.
                const [{ step }, contracted, sibling] = await Promise.all([upstream(), contract(), siblingsStep()]);
                outcome.steps.push(...(step ? [step] : []), contracted, ...(sibling ? [sibling] : []));
                return outcome;
            }
        }
        const build = await buildStep(ctx, upstream, await work, epoch, whileBuilding, sources?.built);
        const [{ resolution, step }, timestamps, contracted, sibling] = await Promise.all([
            upstream(),
            epoch(),
            contract(),
            siblingsStep()
        ]);
        outcome.upstream = resolution?.info;
        // The contract and the siblings lead with the upstream: a failed one stops the publish like a failed gate.
        outcome.steps.push(...(step ? [step] : []), contracted, ...(sibling ? [sibling] : []), ...build.steps);
        if (build.failed)
            return outcome;
        const [[{ checkStep }, { publishStep }], preview] = await Promise.all([loadLaterStages(), startPreview()]);
        const checked = await checkStep(ctx, build, await valueArguments(ctx), timestamps, resolution?.info.name, (p) => preview?.packaged(p), workspace);
        outcome.diff = checked.diff;
        outcome.scratchRemoved = checked.scratchRemoved;
        // The report names helm's version. When neither provisioning knew it nor the merged observability render printed
        // it (Helm.heardVersion), it is asked now, beside the publish, rather than as a helm start on the way to the build.
        void ctx.helm.version();
        if (checked.error !== undefined)
            return { ...outcome, error: checked.error };
        outcome.steps.push(...checked.steps);
        if (checked.images && checked.packaged) {
            outcome.sbom = sbomContent({
                work: build.work,
                chartMeta: ctx.blueprint.chartYaml.data,
                built: build.built,
                images: checked.images,
                epoch: timestamps.epoch,
                toolVersion: process.env.GITHUB_ACTION_REF
            });
        }
        if (preview) {
            // Beside the gates since the package was made: waited for here only if it outlasts them.
            const previewed = await preview.step();
            outcome.steps.push(previewed);
            outcome.preview = previewed.data;
        }
        preloadAttestation(ctx, outcome.steps);
        const published = await publishStep(ctx, build.work, checked.staged, outcome.steps);
        outcome.steps.push(published);
        outcome.publish = published.data;
        return outcome;
    }
    catch (error) {
        // Stopped before the upstream's step was taken in (the work copy or the build threw): it still leads.
        if (outcome.steps.length === leading) {
            const [settled, contracted, sibling] = await Promise.all([
                upstream().catch(() => undefined),
                contract().catch(() => undefined),
                siblingsStep().catch(() => undefined)
            ]);
            if (settled?.step)
                outcome.steps.push(settled.step);
            if (contracted)
                outcome.steps.push(contracted);
            if (sibling)
                outcome.steps.push(sibling);
            outcome.upstream = settled?.resolution?.info;
        }
        // An index that could not be fetched points at the Chart.yaml line of the dependency it serves.
        return { ...outcome, error: atDependencyLine(error, ctx.blueprint.chartYaml, ctx.inputs.repositoryMirrors) };
    }
    finally {
        // It reads the package in the work folder, which goes once the run ends.
        await (await previewStarted?.catch(() => undefined))?.settled();
    }
}

// The one home of credentials: their type, and the policy of which credentials go to which host, built
// from the inputs (registry-username/password, dependency-username/password). Pure.
// May import: net/, types.ts. The inputs it reads are described here (`CredentialInputs`), not imported from
// inputs/: inputs/ sits below the modules that use credentials (helm/, chart/, oci/registry.ts).
/**
 * Which credentials a dependency repository gets: dependency-username/password
 * for every dependency repository; otherwise the registry's, but only for
 * repositories on the registry's own host, so they never reach another host.
 * Never any over plain http:// to a host that is not loopback (they would
 * cross the network in clear text).
 */
function credentialsForRepository(dependency, registry) {
    return (repository) => {
        if (/^http:\/\//i.test(repository)) {
            const host = repositoryHost(repository);
            if (!host || !isLoopbackHost(host))
                return undefined;
        }
        if (dependency)
            return dependency;
        if (registry &&
            repositoryHost(repository) !== undefined &&
            repositoryHost(repository) === repositoryHost(registry.url))
            return registry.credentials;
        return undefined;
    };
}
function dependencyCredentials(inputs) {
    if (inputs.dependencyUsername && inputs.dependencyPassword)
        return { username: inputs.dependencyUsername, password: inputs.dependencyPassword };
    return undefined;
}
/** The credentials of each dependency repository URL, from the inputs (see credentialsForRepository). */
function repositoryCredentials(inputs) {
    const registry = registryCredentials(inputs);
    return credentialsForRepository(dependencyCredentials(inputs), registry && inputs.registry ? { url: inputs.registry, credentials: registry } : undefined);
}
/** The registry's credentials; throws when only one of registry-username and registry-password is set. */
function registryCredentials(inputs) {
    if (inputs.registryUsername && inputs.registryPassword)
        return { username: inputs.registryUsername, password: inputs.registryPassword };
    if (inputs.registryUsername || inputs.registryPassword) {
        throw new ActionError('registry-username and registry-password go together: only one is set', 'set both, or neither for an anonymous registry');
    }
    return undefined;
}

// The one context of a run, built once the run settings hold and helm is ready: what every stage reads
// (inputs, event, blueprint, mode, chart identity, helm, credentials, work folders, the time budget)
// instead of positional parameters and a shared mutable state. Stages return their results.
function workFolders(root, output) {
    return {
        root,
        chart: require$$2.join(root, 'chart'),
        package: require$$2.join(root, 'package'),
        chartTests: require$$2.join(root, 'chart-tests'),
        secretValues: require$$2.join(root, 'secret-values'),
        helmHome: require$$2.join(root, 'helm-home'),
        output
    };
}
/**
 * What every stage that talks to a repository or registry shares: the credentials (an ActionError when only
 * one of registry-username/registry-password is set) and the run's index cache.
 */
function repositoryAccess(inputs) {
    return {
        credentials: { registry: registryCredentials(inputs), forRepository: repositoryCredentials(inputs) },
        indexes: new IndexCache()
    };
}

/**
 * Whether a run attests (pure): input attest is not false, the run published (pushed, or found the same chart at
 * the tag: a re-run attests what an earlier run did not), and no step failed (a chart that failed guard 3 after
 * the push is not vouched for).
 */
function attests(attest, publish, steps) {
    return (attest !== 'false' &&
        publish?.digest !== undefined &&
        (publish.pushed || publish.alreadyPublished === true) &&
        !steps.some((step) => step.status === 'failed'));
}
async function handOn(ctx, chart, outputDir) {
    const sbom = chart.sbom ? await writeRunSbom(chart.sbom, chart.publish, outputDir) : undefined;
    if (!ctx ||
        ctx.mode !== 'publish' ||
        chart.error !== undefined ||
        !attests(ctx.inputs.attest, chart.publish, chart.steps))
        return { sbom };
    const { attestStep } = await import('./attest-step.js').then(function (n) { return n.a; });
    return { sbom, attest: await attestStep(ctx, chart.publish, sbom, outputDir) };
}

// semver.org's grammar: no leading zeros in numeric identifiers.
const NUM = '(?:0|[1-9]\\d*)';
const PRE_ID = `(?:${NUM}|\\d*[A-Za-z-][0-9A-Za-z-]*)`;
const SEMVER = `${NUM}\\.${NUM}\\.${NUM}(?:-${PRE_ID}(?:\\.${PRE_ID})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?`;
const RELEASE_TAG_RE = new RegExp(`^(?:((?:platform|products)/[^/]+)/)?v(${SEMVER})$`);
/** Parses a release tag (`platform/<name>/v1.2.3`, `products/<name>/v1.2.3`, `v1.2.3`); undefined for anything else. */
function parseReleaseTag(tag) {
    const m = RELEASE_TAG_RE.exec(tag);
    if (!m)
        return undefined;
    return { tag, blueprint: m[1], version: m[2] };
}
function normalizeFolder(folder) {
    return folder
        .replace(/\\/g, '/')
        .replace(/^(\.\/)+/, '')
        .replace(/\/+$/, '')
        .replace(/\/{2,}/g, '/');
}
/** A tag's `platform/<name>` names this blueprint when it is the folder or its trailing path. */
function sameBlueprint(tagBlueprint, blueprint) {
    const bp = normalizeFolder(blueprint);
    return bp === tagBlueprint || bp.endsWith(`/${tagBlueprint}`);
}
/** Events of a pull request (the publish preview and the mode decision read them). */
const PR_EVENTS = new Set(['pull_request', 'pull_request_target']);
/** Events whose ref is a release tag that asks for a release (`on: release` has refs/tags/<tag_name>). */
const TAG_EVENTS = new Set(['push', 'release']);
/** Decides validate / publish / skip for an event; pure. */
function decideMode(input) {
    const { eventName, ref, push } = input;
    const chartVersion = input.chartVersion.trim().replace(/^v(?=\d)/, '');
    const blueprint = normalizeFolder(input.blueprint);
    if (PR_EVENTS.has(eventName)) {
        if (push === 'true')
            return { mode: 'publish', reason: `${eventName} with push: true publishes from the pull request` };
        return { mode: 'validate', reason: `${eventName}: pull requests only validate (push: ${push})` };
    }
    const tagName = ref.startsWith('refs/tags/') ? ref.slice('refs/tags/'.length) : undefined;
    if (tagName !== undefined && TAG_EVENTS.has(eventName)) {
        const tag = parseReleaseTag(tagName);
        if (!tag) {
            if (push === 'true')
                return {
                    mode: 'publish',
                    reason: `tag ${tagName} is not a release tag, but push: true publishes Chart.yaml ${chartVersion}`
                };
            return {
                mode: 'validate',
                reason: `tag ${tagName} is not a release tag (${blueprint}/vX.Y.Z or vX.Y.Z): validate only`
            };
        }
        if (tag.blueprint && !sameBlueprint(tag.blueprint, blueprint)) {
            return {
                mode: 'skip',
                reason: `tag ${tagName} is for blueprint ${tag.blueprint}, not ${blueprint}: nothing to do`
            };
        }
        const mode = push === 'false' ? 'validate' : 'publish';
        const why = push === 'false' ? ' (push: false: validate only)' : '';
        if (input.versionFromTag) {
            return {
                mode,
                reason: `tag ${tagName} sets version ${tag.version} (version-from-tag)${why}`,
                version: tag.version,
                tagVersion: tag.version
            };
        }
        if (tag.version !== chartVersion) {
            return {
                mode,
                reason: `tag ${tagName} does not match Chart.yaml ${chartVersion}${why}`,
                error: `tag ${tagName} has version ${tag.version} but Chart.yaml version is ${chartVersion}`,
                tagVersion: tag.version
            };
        }
        return { mode, reason: `tag ${tagName} matches Chart.yaml ${chartVersion}${why}`, tagVersion: tag.version };
    }
    const where = ref.startsWith('refs/heads/')
        ? `${eventName} to branch ${ref.slice('refs/heads/'.length)}`
        : ref
            ? `${eventName} on ${ref}`
            : eventName || 'unknown event';
    if (push === 'true')
        return { mode: 'publish', reason: `${where} with push: true publishes Chart.yaml ${chartVersion}` };
    return {
        mode: 'validate',
        reason: `${where}: validate only; releases publish from tags ${blueprint}/v${chartVersion || 'X.Y.Z'} (or set push: true)`
    };
}
/** The version the run packages: input `version`, else the release tag's (version-from-tag), else Chart.yaml's. */
function packagedVersion({ inputs, blueprint, decision }) {
    return inputs.version || decision.version || blueprint.chartYaml.data.version;
}
/**
 * Settings that must hold before anything runs: throws an ActionError naming the input, tag or file, at the line it
 * is about (Chart.yaml's, or the workflow's that sets the input); returns the `registry` input parsed once (if set).
 */
function checkRunSettings(settings) {
    const { inputs, blueprint, decision, ref } = settings;
    const version = packagedVersion(settings);
    const chartMeta = blueprint.chartYaml.data;
    const chartYaml = blueprint.chartYaml.displayPath;
    const atChartYaml = (key) => ({
        file: chartYaml,
        line: blueprint.chartYaml.lineOf([key])
    });
    if (decision.error) {
        const tag = ref.replace(/^refs\/tags\//, '');
        throw new ActionError(`tag ${tag} has version ${decision.tagVersion}, but ${chartYaml} has version ${chartMeta.version}`, `make them agree (version: ${decision.tagVersion} in ${chartYaml}, or the tag v${chartMeta.version}), or set version-from-tag: true`, atChartYaml('version'));
    }
    // A release tag publishes exactly the tagged version: input version cannot say otherwise.
    if (decision.mode === 'publish' && decision.tagVersion && inputs.version && inputs.version !== decision.tagVersion) {
        throw new ActionError(`input version ${inputs.version} differs from tag ${ref.replace(/^refs\/tags\//, '')} (version ${decision.tagVersion})`, 'a release tag publishes the tagged version: remove the version input, or tag the version you mean', { input: 'version', value: inputs.version });
    }
    // Published names are OCI repository components: lowercase (validating accepts what helm accepts).
    if (decision.mode === 'publish' && !isRepositoryComponent(chartMeta.name)) {
        throw new ActionError(`${chartYaml}:${blueprint.chartYaml.lineOf(['name']) ?? 1}: chart name "${chartMeta.name}" cannot be an OCI repository name`, 'use lowercase letters, digits and single separators (-, _ or .), e.g. bp-temporal', atChartYaml('name'));
    }
    if (!isStrictSemver(version)) {
        const where = inputs.version
            ? 'input version'
            : decision.version
                ? `tag ${ref}`
                : `${chartYaml}:${blueprint.chartYaml.lineOf(['version']) ?? 1} version`;
        throw new ActionError(`${where}: "${version}" is not a semantic version`, 'use MAJOR.MINOR.PATCH, e.g. 1.0.0 (Helm and OCI tags need semver)', inputs.version
            ? { input: 'version', value: inputs.version }
            : decision.version
                ? undefined
                : atChartYaml('version'));
    }
    if (decision.mode === 'publish' && !inputs.registry) {
        throw new ActionError(`publishing ${chartMeta.name} ${version} (${decision.reason}) needs the registry input`, 'set registry: oci://ghcr.io/<owner>, or push: false to only validate');
    }
    // attest: true promises attestations: without the token nothing may be published unattested.
    if (decision.mode === 'publish' && inputs.attest === 'true' && !settings.idToken) {
        throw new ActionError(`attest: true, but the workflow gives this job no OIDC token (ACTIONS_ID_TOKEN_REQUEST_URL is not set), so ${chartMeta.name} ${version} could not be attested; nothing was pushed`, 'add `permissions: id-token: write` (and `attestations: write`) to the job, or set attest: auto to publish without attestations');
    }
    // Plain HTTP to a registry that is not loopback is refused here (parseRegistryTarget).
    const target = inputs.registry ? parseRegistryTarget(inputs.registry, inputs.plainHttp) : undefined;
    registryCredentials(inputs);
    return target;
}

// Stage: the blueprint read and checked before any work: Chart.yaml, values.yaml and blueprint.yaml
// (chart/blueprint.ts), the values input's files read (Helm's size limit, YAML syntax, duplicate keys), the mode the event asks for
// (settings.ts decideMode) and the run settings (settings.ts). What stops here still gets a report.
/**
 * A file of the values input is there and a file: else one input error naming it, located at the workflow's input,
 * saying what the input wants (not the blueprint/chart advice of a missing Chart.yaml).
 */
async function assertValuesFile(workspace, file) {
    const found = await require$$1$1.stat(require$$2.resolve(workspace, file)).catch((error) => error);
    if (!(found instanceof Error) && found.isFile())
        return;
    const what = found instanceof Error
        ? found.code === 'ENOENT'
            ? 'not found'
            : `cannot be read (${found.code ?? found.message})`
        : 'is not a file';
    throw new ActionError(`input values: ${file} ${what} in the workspace (${workspace})`, 'give the values files as paths relative to the workspace, one a line, and check the file is committed (and checked out)', { input: 'values', value: file });
}
async function loadRun(inputs, event) {
    let blueprint;
    try {
        blueprint = await loadBlueprint(inputs.workspace, inputs.blueprint, inputs.chart);
        // Helm reads the values input's files; one over Helm's limit or not YAML fails now, not after minutes.
        blueprint.valuesFiles = await Promise.all(inputs.valuesFiles.map(async (file) => {
            await assertValuesFile(inputs.workspace, file);
            return loadYamlFile(require$$2.resolve(inputs.workspace, file), file);
        }));
    }
    catch (error) {
        const chart = await chartIdentityGuess(inputs.workspace, inputs.chart);
        return {
            kind: 'stopped',
            identity: { chart, mode: 'validate', modeReason: 'the blueprint could not be read' },
            error,
            stage: 'Blueprint'
        };
    }
    const chartMeta = blueprint.chartYaml.data;
    const decision = decideMode({
        eventName: event.eventName,
        ref: event.ref,
        push: inputs.push,
        blueprint: inputs.blueprint,
        chartVersion: chartMeta.version,
        versionFromTag: inputs.versionFromTag
    });
    if (decision.mode === 'skip')
        return { kind: 'skip', reason: decision.reason };
    const settings = {
        inputs,
        blueprint,
        decision,
        ref: event.ref,
        idToken: Boolean(process.env.ACTIONS_ID_TOKEN_REQUEST_URL)
    };
    const identity = {
        chart: { name: chartMeta.name, version: packagedVersion(settings), path: blueprint.chartDir },
        mode: decision.mode,
        modeReason: decision.reason
    };
    try {
        identity.registry = checkRunSettings(settings);
    }
    catch (error) {
        return { kind: 'stopped', identity, error, stage: 'Run settings' };
    }
    return { kind: 'ready', identity, blueprint };
}

// The action's outputs (action.yml `outputs`), computed from the report (pure) and written once.
// A new output: its value here, its line in action.yml, then `npm run docs` (README's outputs table).
/** `host/path/name@sha256:…` of the published chart: what `gh attestation verify oci://…` and `cosign verify-attestation` take. */
function digestRef(publish) {
    if (!publish?.digest)
        return '';
    return `${publish.ref.replace(/^oci:\/\//, '').replace(/:[^/:]+$/, '')}@${publish.digest}`;
}
/**
 * Output attestations: a JSON list, one entry per statement of the published chart (its predicate type, the
 * referrer manifest's digest, GitHub's attestation id when GitHub stored it); `[]` when nothing is attested.
 */
function attestationsOutput(report) {
    return JSON.stringify((report.attestation?.statements ?? []).map((s) => ({
        predicateType: s.predicateType,
        referrer: s.referrer,
        ...(s.githubId !== undefined ? { githubId: s.githubId } : {}),
        ...(s.existing ? { existing: true } : {})
    })));
}
/** The outputs of a run (`mode: run`), in the order they are written. */
function runOutputs(report, reportPath) {
    return {
        'chart-name': report.chart.name,
        'chart-version': report.chart.version,
        'upstream-version': report.upstream?.resolved ?? '',
        'upstream-latest': report.upstream?.latest ?? '',
        'upstream-outdated': String(report.upstream?.outdated ?? false),
        ref: report.publish?.ref ?? '',
        digest: report.publish?.digest ?? '',
        'digest-ref': digestRef(report.publish),
        sbom: report.sbom ?? '',
        attestations: attestationsOutput(report),
        bundles: (report.attestation?.statements ?? []).flatMap((s) => (s.bundle ? [s.bundle] : [])).join('\n'),
        diff: report.diff?.file ?? '',
        pushed: String(report.publish?.pushed ?? false),
        mode: report.mode,
        report: reportPath
    };
}
/** The outputs of `mode: discover`: the blueprint folders as a JSON list, as a job matrix, and in release waves. */
function discoverOutputs(result) {
    return {
        blueprints: JSON.stringify(result.blueprints),
        matrix: JSON.stringify(result.matrix),
        waves: JSON.stringify(result.waves),
        mode: 'discover'
    };
}
/** GitHub's limits a discover matrix meets: 256 jobs per matrix, 1 MB of outputs per job. */
const MAX_MATRIX_JOBS = 256;
const MAX_OUTPUT_BYTES = 1024 * 1024;
/**
 * Warnings for a discover result GitHub would not run whole: more blueprints than a matrix has jobs, or outputs near
 * a job's outputs limit (the matrix is written twice: `blueprints` and `matrix`). Each says what to do: waves.
 */
function discoverWarnings(blueprints, outputs) {
    const warnings = [];
    const waves = 'run discover in waves: one discover job per group of folders (input discover-glob, e.g. `platform/[a-m]*` and `platform/[n-z]*`), each feeding its own matrix';
    if (blueprints.length > MAX_MATRIX_JOBS) {
        warnings.push(`discover: ${blueprints.length} blueprints, but a GitHub Actions matrix runs at most ${MAX_MATRIX_JOBS} jobs: the workflow fails to start the matrix. Fix: ${waves}.`);
    }
    const bytes = Object.entries(outputs).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
    if (bytes > MAX_OUTPUT_BYTES * 0.9) {
        warnings.push(`discover: the outputs are ${Math.round(bytes / 1024)} KiB, ${bytes > MAX_OUTPUT_BYTES ? 'over' : 'near'} GitHub's 1 MiB limit for a job's outputs. Fix: ${waves}.`);
    }
    return warnings;
}
/** The outputs of an event for another blueprint (a notice, not a failure). */
const SKIP_OUTPUTS = { mode: 'skip' };
function writeOutputs(outputs) {
    for (const [name, value] of Object.entries(outputs))
        setOutput(name, redact(value));
}

// The Go runtime settings of the helm processes the action starts itself (never a chart test script's).
// No imports: path-helm.ts, in the small first chunk of dist/, uses it too.
/**
 * The Go runtime's settings for the action's own helm processes: no garbage collection until the heap nears
 * 512 MiB. Most of a helm process's CPU on a blueprint is its start-up (Kubernetes' API types registered), which
 * allocates enough for the collector to run several times in a process that lives ~60 ms: GOGC=off takes ~25 ms of
 * CPU off each (~30%: `helm version` 50 → 30 ms, a real-size render 88 → 60 ms, measured on 2 vCPUs, bench/README.md)
 * for ~5 MB more memory. GOMEMLIMIT keeps a large render bounded: near the limit the collector runs as usual (a 5 MB
 * render stays under 300 MB). Empty when the runner sets either variable: the user's tuning is kept as it is.
 * Never for a chart test script's environment (Helm.env with the script's home): what a script sees is the user's.
 */
function goRuntimeEnv(env) {
    if (env.GOGC || env.GOMEMLIMIT)
        return {};
    return { GOGC: 'off', GOMEMLIMIT: '512MiB' };
}

// The one place that starts helm. Argument arrays only (never a shell), output
// captured, and every run confined to a private set of HELM_* homes so the
// action neither reads nor changes the user's helm state.
// Not passed on to helm or to chart test scripts: HELM_* would point helm at the
// user's own state; INPUT_* hold the action's inputs (registry-password among
// them); the runner's tokens are for the action, never for a chart's script;
// the runner's command files would let a script set this step's outputs or
// the environment of later steps.
const WITHHELD_VARIABLES = /^(HELM_|INPUT_|ACTIONS_(RUNTIME|ID_TOKEN_REQUEST|CACHE|RESULTS)_|GITHUB_TOKEN$|GH_TOKEN$|GITHUB_(ENV|OUTPUT|PATH|STATE|STEP_SUMMARY)$)/;
/**
 * The command line of a background run: helm started through `nice -n 10`, which execs it (same pid, same
 * process group), so every thread the Go runtime starts inherits the priority. Setting it after the spawn
 * would miss the threads helm started meanwhile. Without `nice` (not a Linux runner) helm runs as usual.
 */
const NICE = ['/usr/bin/nice', '/bin/nice'].find((file) => require$$4.existsSync(file));
function commandLine(binary, args, background) {
    return background && NICE ? [NICE, ['-n', '10', binary, ...args]] : [binary, args];
}
/** The HELM_* homes under `base` (nothing created). */
function helmHomeAt(base) {
    return {
        root: base,
        config: require$$2.join(base, 'config'),
        cache: require$$2.join(base, 'cache'),
        data: require$$2.join(base, 'data'),
        registryConfig: require$$2.join(base, 'config', 'registry', 'config.json'),
        repositoryConfig: require$$2.join(base, 'config', 'repositories.yaml'),
        repositoryCache: require$$2.join(base, 'cache', 'repository')
    };
}
/**
 * Creates the folders of a helm home. Synchronous (a few mkdirs): a chart test script's home is made just before
 * the script starts.
 */
function createHelmHome(base) {
    const home = helmHomeAt(base);
    for (const dir of [home.config, home.cache, home.data, require$$2.dirname(home.registryConfig), home.repositoryCache])
        require$$4.mkdirSync(dir, { recursive: true });
    return home;
}
/** The release of a known version (`v3.17.2`); undefined for anything that is not `vMAJOR.…`. */
function helmRelease(version) {
    const major = /^v(\d+)\./.exec(version)?.[1];
    return major === undefined ? undefined : { major: Number(major), version };
}
class Helm {
    binary;
    home;
    release;
    ownsHome;
    stop;
    /** `helm version`'s answer once asked (`version()`), when provisioning did not know it. */
    versionAnswer;
    constructor(binary, home, 
    /** As provisioning knew it; another Helm of the same binary (base render, workspace builds) starts from it. */
    release, ownsHome, 
    /** Stops every run of this helm (the base render of "What changes" when its time is up): the reason is the error. */
    stop) {
        this.binary = binary;
        this.home = home;
        this.release = release;
        this.ownsHome = ownsHome;
        this.stop = stop;
    }
    get major() {
        return this.release.major;
    }
    /**
     * What `helm version` prints (undefined when it does not answer): known from provisioning, printed by one of the
     * action's own renders (`heardVersion`), or asked once, on the first call. Asking is a whole helm start (~45 ms of
     * CPU): the run asks once the gates are done (run/chart-steps.ts), not on the way to the dependency build.
     */
    version() {
        if (this.release.version !== undefined)
            return Promise.resolve(this.release.version);
        this.versionAnswer ??= this.askRelease().then(({ release }) => release?.version, () => undefined);
        return this.versionAnswer;
    }
    /** `helm version`'s run, and the release it names (undefined when it does not answer as helm does). */
    async askRelease() {
        const result = await this.run(['version', '--template', '{{.Version}}']);
        return { result, release: result.exitCode === 0 ? helmRelease(result.stdout.trim()) : undefined };
    }
    /**
     * The version as one of the action's own renders printed it (`.Capabilities.HelmVersion.Version`, what
     * `helm version` prints: gates/merged-render.ts): `version()` then starts no process.
     */
    heardVersion(version) {
        if (this.release.version === undefined && helmRelease(version)?.major === this.major)
            this.versionAnswer ??= Promise.resolve(version);
    }
    /**
     * Creates isolated homes (under `root`, or a fresh temp folder). The binary's release is read with
     * `helm version` unless the caller already knows it (provisioning did): one helm process fewer on the
     * critical path.
     */
    static async create(binary, root, known, stop) {
        const ownsHome = root === undefined;
        const base = root ?? (await require$$1$1.mkdtemp(require$$2.join(require$$0$1.tmpdir(), 'bp-helm-')));
        const home = createHelmHome(base);
        if (known)
            return new Helm(binary, home, known, ownsHome, stop);
        const probe = new Helm(binary, home, { major: 3 }, ownsHome, stop);
        const { result, release } = await probe.askRelease();
        if (!release) {
            throw new ActionError(`helm at ${binary} does not run: ${lastLines(result.stderr || result.stdout, 3) || `exit ${result.exitCode}`}`, 'set helm-version so the action installs a working helm');
        }
        return new Helm(binary, home, release, ownsHome, stop);
    }
    /** process.env without what helm must not see; taken once, at the first spawn (see `env`). */
    inherited;
    /** The environment of this helm's own home, built once: every helm process gets the same. */
    ownEnv;
    /**
     * Environment for helm (its isolated homes, and goRuntimeEnv) or for a chart test script (given a home of its
     * own, so it never sees the registry login or repository credentials of the action's home, and the Go settings
     * the user's environment has); this helm first on PATH either way.
     * Built from process.env once per Helm, at the first call (filtering process.env
     * for every spawn cost ~45 ms of CPU a run); the action never changes process.env
     * after that. The object for this helm's own home is shared and frozen.
     */
    env(home = this.home) {
        if (home === this.home && this.ownEnv)
            return this.ownEnv;
        if (!this.inherited) {
            const inherited = {};
            for (const [key, value] of Object.entries(process.env)) {
                if (!WITHHELD_VARIABLES.test(key))
                    inherited[key] = value;
            }
            this.inherited = inherited;
        }
        const env = {
            ...this.inherited,
            PATH: `${require$$2.dirname(this.binary)}${require$$2.delimiter}${this.inherited.PATH ?? ''}`,
            HELM_CONFIG_HOME: home.config,
            HELM_CACHE_HOME: home.cache,
            HELM_DATA_HOME: home.data,
            HELM_REGISTRY_CONFIG: home.registryConfig,
            HELM_REPOSITORY_CONFIG: home.repositoryConfig,
            HELM_REPOSITORY_CACHE: home.repositoryCache,
            // Never pick up a cluster: template/lint must work offline and alike everywhere.
            KUBECONFIG: require$$2.join(home.root, 'no-kubeconfig')
        };
        if (home !== this.home)
            return env;
        this.ownEnv = Object.freeze({ ...env, ...goRuntimeEnv(this.inherited) });
        return this.ownEnv;
    }
    /**
     * `helm registry login` with the password on stdin. Plain HTTP only when the
     * caller says so (loopback registries): Helm 4 never falls back to it on its
     * own; Helm 3 only knows --insecure.
     */
    registryLogin(host, credentials, plainHttp) {
        const args = ['registry', 'login', host, '--username', credentials.username, '--password-stdin'];
        if (plainHttp)
            args.push(this.major >= 4 ? '--plain-http' : '--insecure');
        const what = `helm registry login to ${host}`;
        return this.run(args, { input: credentials.password, what, limitMs: OPERATION_LIMITS.registryWrite });
    }
    /**
     * Runs helm; resolves with the result whatever the exit code. Rejects with a
     * DeadlineError when it outlives its limit: helm (and anything it started)
     * is killed, as a process group of its own.
     */
    run(args, options = {}) {
        const start = performance.now();
        const what = options.what ??
            `helm ${args
                .filter((arg) => !arg.startsWith('-'))
                .slice(0, 2)
                .join(' ')}`;
        const limit = operationLimit(options.limitMs ?? OPERATION_LIMITS.helm);
        if (limit.ms <= 0)
            return Promise.reject(new DeadlineError(what, 0, true));
        const { stop } = this;
        if (stop?.aborted)
            return Promise.reject(stopReason(stop));
        return new Promise((resolve, reject) => {
            const detached = process.platform !== 'win32';
            const stdio = ['pipe', 'pipe', 'pipe'];
            const [file, argv] = commandLine(this.binary, args, options.background);
            const child = _builtin_child_process.spawn(file, argv, { cwd: options.cwd, env: this.env(), stdio, detached });
            options.onSpawn?.();
            const stdout = [];
            const stderr = [];
            let timedOut = false;
            let stopped = false;
            const kill = () => {
                try {
                    if (detached && child.pid !== undefined)
                        process.kill(-child.pid, 'SIGKILL');
                    else
                        child.kill('SIGKILL');
                }
                catch {
                    // already gone
                }
            };
            const timer = setTimeout(() => {
                timedOut = true;
                kill();
            }, limit.ms);
            const onStop = () => {
                stopped = true;
                kill();
            };
            stop?.addEventListener('abort', onStop, { once: true });
            child.stdout.on('data', (chunk) => stdout.push(chunk));
            child.stderr.on('data', (chunk) => stderr.push(chunk));
            child.on('error', (error) => {
                clearTimeout(timer);
                stop?.removeEventListener('abort', onStop);
                reject(new ActionError(`cannot start helm at ${this.binary}: ${error.message}`, 'set helm-version so the action installs helm'));
            });
            child.on('close', (code, signal) => {
                clearTimeout(timer);
                stop?.removeEventListener('abort', onStop);
                if (stopped && stop) {
                    reject(stopReason(stop));
                    return;
                }
                if (timedOut) {
                    reject(new DeadlineError(what, performance.now() - start, limit.byRun));
                    return;
                }
                resolve({
                    args,
                    exitCode: code ?? (signal ? 128 : 1),
                    stdout: Buffer.concat(stdout).toString('utf8'),
                    stderr: Buffer.concat(stderr).toString('utf8'),
                    durationMs: Math.round(performance.now() - start)
                });
            });
            child.stdin.on('error', () => undefined);
            child.stdin.end(options.input ?? '');
        });
    }
    async dispose() {
        if (this.ownsHome)
            await require$$1$1.rm(this.home.root, { recursive: true, force: true });
    }
}
/** Why a stopped helm run failed: the signal's reason when it is an error. */
function stopReason(signal) {
    return signal.reason instanceof Error ? signal.reason : new ActionError(`helm was stopped: ${String(signal.reason)}`);
}

// Which helm a binary is, read from the Go build information in the file (no process started):
// `helm version` costs a whole helm start (100+ ms CPU) on the critical path.
// ELF only (Linux runners); any other format, or a field not found, answers nothing and the caller runs
// `helm version`. A few small reads, synchronous on purpose: at start-up the thread pool is busy with the
// work copy, and queueing behind it would delay helm by more than the reads block. Format: Go's debug/buildinfo (Go 1.18+: the `.go.buildinfo` section holds the Go
// version and the module information inline, each prefixed by its varint length).
const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
/** Enough for the module information of a helm binary (~13 KB); the section is read no further. */
const BUILDINFO_READ_LIMIT = 256 * 1024;
/** The build information of the helm binary at `file`; `{}` when it cannot be read. */
function readHelmBuildInfo(file) {
    let handle;
    try {
        handle = require$$4.openSync(file, 'r');
        const section = buildInfoSection(handle);
        return section ? helmBuildInfo(section) : {};
    }
    catch {
        return {};
    }
    finally {
        if (handle !== undefined)
            require$$4.closeSync(handle);
    }
}
function readAt(handle, position, length) {
    const buffer = Buffer.alloc(length);
    const bytesRead = require$$4.readSync(handle, buffer, 0, length, position);
    return buffer.subarray(0, bytesRead);
}
/** The bytes of the `.go.buildinfo` section of an ELF file (up to the read limit), or undefined. */
function buildInfoSection(handle) {
    const header = readAt(handle, 0, 64);
    if (header.length < 52 || header.readUInt32BE(0) !== 0x7f454c46)
        return undefined; // not ELF
    const is64 = header[4] === 2;
    const little = header[5] === 1;
    const u16 = (b, at) => (little ? b.readUInt16LE(at) : b.readUInt16BE(at));
    const u32 = (b, at) => (little ? b.readUInt32LE(at) : b.readUInt32BE(at));
    const word = (b, at) => is64 ? Number(little ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at)) : u32(b, at);
    const sectionTable = word(header, is64 ? 0x28 : 0x20);
    const entrySize = u16(header, is64 ? 0x3a : 0x2e);
    const count = u16(header, is64 ? 0x3c : 0x30);
    const namesIndex = u16(header, is64 ? 0x3e : 0x32);
    if (!sectionTable || !count || namesIndex >= count || entrySize < (is64 ? 64 : 40))
        return undefined;
    const table = readAt(handle, sectionTable, entrySize * count);
    if (table.length < entrySize * count)
        return undefined;
    const offsetOf = (i) => word(table, i * entrySize + (is64 ? 24 : 16));
    const sizeOf = (i) => word(table, i * entrySize + (is64 ? 32 : 20));
    const names = readAt(handle, offsetOf(namesIndex), Math.min(sizeOf(namesIndex), 64 * 1024));
    for (let i = 0; i < count; i++) {
        const nameAt = u32(table, i * entrySize);
        const end = names.indexOf(0, nameAt);
        if (names.toString('latin1', nameAt, end < 0 ? undefined : end) !== '.go.buildinfo')
            continue;
        return readAt(handle, offsetOf(i), Math.min(sizeOf(i), BUILDINFO_READ_LIMIT));
    }
    return undefined;
}
/** Reads a varint-length-prefixed string at `at`; undefined when it runs past the buffer. */
function lengthPrefixed(data, at) {
    let length = 0;
    let shift = 0;
    let position = at;
    for (;;) {
        if (position >= data.length || shift > 28)
            return undefined;
        const byte = data[position++];
        length |= (byte & 0x7f) << shift;
        if (!(byte & 0x80))
            break;
        shift += 7;
    }
    if (position + length > data.length)
        return undefined;
    return { text: data.toString('utf8', position, position + length), next: position + length };
}
/** Helm's major and version from a `.go.buildinfo` section's bytes (exported for tests). */
function helmBuildInfo(section) {
    if (section.length < 32 || !section.subarray(0, BUILDINFO_MAGIC.length).equals(BUILDINFO_MAGIC))
        return {};
    const flags = section[15];
    if (!(flags & 2))
        return {}; // before Go 1.18: pointers into the data segment, not read here
    const goVersion = lengthPrefixed(section, 32);
    const modInfo = goVersion && lengthPrefixed(section, goVersion.next);
    if (!modInfo)
        return {};
    return helmFromModInfo(modInfo.text);
}
/** Helm's major and version from Go module information text (`path`, `mod`, `build` lines; exported for tests). */
function helmFromModInfo(text) {
    const lines = text.split('\n').map((line) => line.split('\t'));
    const main = lines.find((fields) => fields[0] === 'mod');
    const module = /^helm\.sh\/helm(?:\/v(\d+))?$/.exec(main?.[1] ?? '');
    if (!main || !module)
        return {};
    const major = Number(module[1] ?? 2);
    const ldflags = lines.find((fields) => fields[0] === 'build' && fields[1]?.startsWith('-ldflags='))?.[1] ?? '';
    const linked = (name) => new RegExp(`-X[= ]?["']?helm\\.sh/helm(?:/v\\d+)?/internal/version\\.${name}=([^\\s"']*)`).exec(ldflags)?.[1];
    const linkedVersion = linked('version');
    if (linkedVersion) {
        const metadata = linked('metadata');
        return { major, version: metadata ? `${linkedVersion}+${metadata}` : linkedVersion };
    }
    // A module version is a release tag only when it is plain vX.Y.Z (a pseudo-version or +dirty is not).
    const tagged = /^v(\d+)\.\d+\.\d+$/.exec(main[2] ?? '');
    return tagged && Number(tagged[1]) === major ? { major, version: main[2] } : { major };
}

// The helm on PATH, and the early question of its version. Helm 3's official builds record neither their
// version nor their tag in the Go build information (go-buildinfo.ts), only their major, so a wanted version
// (input helm-version) needs `helm version`: a whole helm start (~45 ms of CPU with GOGC off) on the way to the
// dependency build. run/action.ts starts it as soon as the inputs are read, beside the pipeline's start. With no
// version wanted (the default) the major is enough before the build, and the run asks the version after the gates.
const execFileAsync$1 = require$$1$2.promisify(_builtin_child_process.execFile);
/** `helm version` processes started early, by binary; each is taken once (helm-install.ts). */
const earlyProbes = new Map();
/** What `<binary> version` prints as the version, or undefined when it does not run. */
async function versionOf(binary) {
    try {
        const { stdout } = await execFileAsync$1(binary, ['version', '--template', '{{.Version}}'], {
            env: { ...process.env, ...goRuntimeEnv(process.env) },
            timeout: 15000
        });
        return stdout.trim() || undefined;
    }
    catch {
        return undefined;
    }
}
/** Synchronous on purpose (microseconds): queued in the thread pool behind the work copy it would wait longer. */
function findOnPath(name) {
    for (const dir of (process.env.PATH ?? '').split(require$$2.delimiter)) {
        if (!dir)
            continue;
        const candidate = require$$2.join(dir, name);
        try {
            require$$4.accessSync(candidate, require$$4.constants.X_OK);
            return candidate;
        }
        catch {
            // not here
        }
    }
    return undefined;
}
/**
 * Whether provisioning runs `helm version` for a helm on PATH with this build information before the build
 * (helm-install.ts): when the build did not record its version and a version is wanted (unless the recorded
 * major rules it out), or when it recorded not even its major, which picks flags. With the major recorded and
 * no version wanted, the run asks later, once the gates are done (`Helm.version()`).
 */
function askedBeforeTheBuild(recorded, wanted) {
    if (recorded.version !== undefined)
        return false;
    if (recorded.major === undefined)
        return true;
    return helmRelease(wanted)?.major === recorded.major;
}
/**
 * Starts the `helm version` provisioning will run for the helm on PATH (`askedBeforeTheBuild`), as soon as the
 * inputs are read, before the blueprint's files are.
 */
function startPathHelmProbe(wanted) {
    const binary = findOnPath('helm');
    if (!binary || earlyProbes.has(binary) || !askedBeforeTheBuild(readHelmBuildInfo(binary), wanted))
        return;
    const probe = versionOf(binary);
    probe.catch(() => undefined);
    earlyProbes.set(binary, probe);
}
/** The early probe's answer for `binary` (once), else a `helm version` started now. */
function pathHelmVersion(binary) {
    const early = earlyProbes.get(binary);
    earlyProbes.delete(binary);
    return early ?? versionOf(binary);
}

// Finds or installs the helm binary the run uses: a matching helm on PATH, one
// in the runner's tool cache, or the official tarball (checksum verified).
// Which helm a binary is comes from its Go build information when the build recorded it
// (`go-buildinfo.ts`, no process); `helm version` runs only when it did not.
/**
 * @actions/tool-cache, loaded only when the helm on PATH is not the one wanted: with node-semver, @actions/exec and
 * @actions/io it is ~150 KB of the bundle, compiled on the way to the dependency build otherwise.
 */
const toolCache = () => import('./tool-cache.js');
/** Used when helm-version is empty and no helm is on PATH. */
const DEFAULT_HELM_VERSION = 'v3.17.2';
function helmPlatform(platform = require$$0$1.platform(), arch = require$$0$1.arch()) {
    const osName = platform === 'win32' ? 'windows' : platform;
    if (!['linux', 'darwin'].includes(osName)) {
        throw new ActionError(`helm download: platform ${platform} is not supported`, 'run on a Linux or macOS runner, or put helm on PATH');
    }
    const archName = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x' }[arch];
    if (!archName)
        throw new ActionError(`helm download: architecture ${arch} is not supported`, 'put helm on PATH');
    return { os: osName, arch: archName };
}
async function sha256File(file) {
    const hash = require$$0.createHash('sha256');
    for await (const chunk of require$$4.createReadStream(file))
        hash.update(chunk);
    return hash.digest('hex');
}
/** `.sha256sum` files hold `<hex>  <file name>`; older ones only the hex. */
function parseChecksumFile(text) {
    const match = /^([0-9a-f]{64})\b/i.exec(text.trim());
    return match?.[1].toLowerCase();
}
/**
 * The helm on PATH when it is the one wanted (any, when `wanted` is empty). Its build information answers
 * without a process when the build recorded the version, and rules out another major at once. A build that
 * recorded its major alone (Helm 3's official builds, `(devel)`) is asked with `helm version` only when a
 * version is wanted; when any helm will do, its version is only reported, and the run asks it once the gates
 * are done. A build that recorded neither is asked now: its major picks flags.
 */
async function helmOnPath(wanted) {
    const binary = findOnPath('helm');
    if (!binary)
        return undefined;
    const recorded = readHelmBuildInfo(binary);
    const release = recorded.major !== undefined && !askedBeforeTheBuild(recorded, wanted)
        ? { major: recorded.major, version: recorded.version }
        : helmRelease((await pathHelmVersion(binary)) ?? '');
    return release && (!wanted || release.version === wanted) ? { binary, release, source: 'path' } : undefined;
}
/**
 * The tool cache's helm for `version`: the folder is named by the version this action (or a setup action)
 * verified when it cached it, so it is trusted without running it; the binary's build information must not
 * say otherwise (another major, or another recorded version).
 */
async function helmInToolCache(version) {
    const tc = await toolCache();
    const cached = tc.find('helm', version.replace(/^v/, ''));
    if (!cached)
        return undefined;
    const binary = require$$2.join(cached, 'helm');
    try {
        await require$$1$1.access(binary, 1);
    }
    catch {
        return undefined;
    }
    const recorded = readHelmBuildInfo(binary);
    const release = helmRelease(version);
    if (!release || (recorded.major !== undefined && recorded.major !== release.major))
        return undefined;
    if (recorded.version !== undefined && recorded.version !== version)
        return undefined;
    return { binary, release, source: 'tool-cache' };
}
async function provisionHelm(wanted, download) {
    const onPath = await helmOnPath(wanted);
    if (onPath)
        return onPath;
    const version = wanted || DEFAULT_HELM_VERSION;
    const cached = await helmInToolCache(version);
    if (cached)
        return cached;
    const binary = await downloadHelm(version, download);
    return { binary, release: helmRelease(version) ?? { major: 3, version }, source: 'download' };
}
async function downloadHelm(version, download) {
    if (download.refusal)
        throw download.refusal;
    const tc = await toolCache();
    const downloadBase = download.url;
    const { os: osName, arch } = helmPlatform();
    const file = `helm-${version}-${osName}-${arch}.tar.gz`;
    const url = `${downloadBase}/${file}`;
    info(`Downloading ${url}`);
    let archive;
    let checksumFile;
    try {
        ;
        [archive, checksumFile] = await Promise.all([tc.downloadTool(url), tc.downloadTool(`${url}.sha256sum`)]);
    }
    catch (error) {
        throw new ActionError(`cannot download helm ${version} from ${url}: ${error.message}`, 'check helm-version and helm-download-url, or put helm on PATH');
    }
    const expected = parseChecksumFile(await require$$1$1.readFile(checksumFile, 'utf8'));
    if (!expected)
        throw new ActionError(`${url}.sha256sum holds no sha256 checksum`, 'check helm-download-url serves the official .sha256sum files');
    const actual = await sha256File(archive);
    if (actual !== expected) {
        throw new ActionError(`helm ${version} download ${url} has sha256 ${actual}, but ${url}.sha256sum says ${expected}`, 'the download is corrupt or tampered with; check helm-download-url');
    }
    const extracted = await tc.extractTar(archive);
    const folder = require$$2.join(extracted, `${osName}-${arch}`);
    // Checked before it is cached: the tool cache's folder name is trusted from then on.
    const got = await versionOf(require$$2.join(folder, 'helm'));
    if (got !== version)
        throw new ActionError(`the helm in ${file} reports version ${got ?? 'nothing'}, expected ${version}`, 'check helm-download-url');
    const cachedFolder = await tc.cacheDir(folder, 'helm', version.replace(/^v/, ''));
    return require$$2.join(cachedFolder, 'helm');
}

// The time a chart's package carries: SOURCE_DATE_EPOCH, else the last commit of the chart folder, else a fixed
// time. Started once the dependency build runs (one `git log`, run/prepare.ts) and used by the build's
// Chart.lock and by the package.
const execFileAsync = require$$1$2.promisify(_builtin_child_process.execFile);
/**
 * The archive's timestamps become the pushed manifest's `created` annotation,
 * so they are pinned to the commit time: the same commit gives the same digest.
 */
async function sourceDateEpoch(env, workspace, chartDir) {
    const fromEnv = env.SOURCE_DATE_EPOCH?.trim();
    if (fromEnv) {
        if (!/^\d+$/.test(fromEnv))
            throw new ActionError(`SOURCE_DATE_EPOCH "${fromEnv}" is not a number of seconds`, 'unset it or set it to a Unix time');
        return { epoch: Number(fromEnv), source: 'SOURCE_DATE_EPOCH' };
    }
    try {
        const { stdout } = await execFileAsync('git', ['log', '-1', '--format=%ct', '--', chartDir], {
            cwd: workspace,
            timeout: 15000
        });
        const epoch = Number(stdout.trim());
        if (Number.isInteger(epoch) && epoch > 0)
            return { epoch, source: `last commit of ${chartDir}` };
    }
    catch {
        // not a git checkout: fall through
    }
    // Still reproducible without git: a fixed time (the zip epoch), said in the report.
    return { epoch: 315532800, source: 'fixed 1980-01-01 (no git history, no SOURCE_DATE_EPOCH)' };
}

// Which dependency is the blueprint's upstream chart, or none (a scratch
// blueprint). Decided in this order:
//   1. the `upstream` input, when non-empty;
//   2. values.yaml `catalystBlueprint.upstream.chart`: a name picks that
//      dependency; an empty string declares a scratch blueprint;
//   3. the chart's only non-library dependency (no non-library dependency at
//      all: scratch; two or more: an error saying what to set).
// A library dependency is one whose Chart.yaml says `type: library`: read from
// the chart folder of a file:// dependency, or from the repository index entry
// of an http(s) dependency (`helm repo index` copies `type` into it). An OCI
// dependency is not fetched to find out: it counts as non-library (name it in
// catalystBlueprint.upstream.chart when that is wrong).
const SCRATCH_SUMMARY = 'scratch blueprint (no upstream chart)';
/** values.yaml `catalystBlueprint.upstream.chart`: undefined when not written, else its trimmed text. */
function provenanceChart(values) {
    const upstream = values.data.catalystBlueprint?.upstream;
    if (!upstream || typeof upstream !== 'object' || !('chart' in upstream))
        return undefined;
    const chart = upstream.chart;
    return chart === null || chart === undefined ? '' : String(chart).trim();
}
/** Pure: the upstream by the rules above; `libraries` holds the names of the library dependencies. */
function chooseUpstream(blueprint, input, libraries) {
    if (input !== '')
        return { kind: 'dependency', ...findUpstream(blueprint, input), source: 'input' };
    const deps = blueprint.chartYaml.data.dependencies ?? [];
    const named = provenanceChart(blueprint.values);
    const valuesFile = blueprint.values.displayPath;
    if (named === '')
        return { kind: 'scratch', reason: `${valuesFile} catalystBlueprint.upstream.chart is empty` };
    if (named !== undefined) {
        const index = deps.findIndex((dep) => dep.name === named || dep.alias === named);
        if (index < 0) {
            const line = blueprint.values.lineOf(['catalystBlueprint', 'upstream', 'chart']);
            throw new ActionError(`${valuesFile}:${line ?? 1}: catalystBlueprint.upstream.chart is "${named}", but ${blueprint.chartYaml.displayPath} declares no such dependency (dependencies: ${deps.map((dep) => dep.name).join(', ') || 'none'})`, `set catalystBlueprint.upstream.chart to the upstream dependency's name, or to "" for a scratch blueprint`);
        }
        return { kind: 'dependency', dependency: deps[index], index, source: 'values' };
    }
    const candidates = deps
        .map((dependency, index) => ({ dependency, index }))
        .filter(({ dependency }) => !libraries.has(dependency.name));
    if (candidates.length === 1)
        return { kind: 'dependency', ...candidates[0], source: 'only-dependency' };
    if (candidates.length === 0)
        return { kind: 'scratch', reason: `every dependency in ${blueprint.chartYaml.displayPath} is a library chart` };
    const names = candidates.map(({ dependency }) => dependency.alias ?? dependency.name);
    throw new ActionError(`${blueprint.chartYaml.displayPath}: ${names.length} dependencies (${names.join(', ')}) could be the upstream chart and nothing says which`, `set catalystBlueprint.upstream.chart in ${valuesFile} (or the upstream input) to one of ${names.join(', ')}; "" declares a scratch blueprint`);
}
/** Whether the chooser needs to know which dependencies are library charts. */
function needsLibraryCheck(blueprint, input) {
    return (input === '' &&
        provenanceChart(blueprint.values) === undefined &&
        (blueprint.chartYaml.data.dependencies ?? []).length > 0);
}
/**
 * Names of the dependencies that are library charts. What cannot be read (an
 * unreachable index, an OCI dependency) counts as non-library: the upstream
 * resolution or dependency build reports the real problem.
 */
async function libraryDependencies(blueprint, options) {
    const deps = blueprint.chartYaml.data.dependencies ?? [];
    const chartDir = require$$2.resolve(blueprint.workspace, blueprint.chartDir);
    const indexes = new Map();
    const indexOf = (url) => {
        if (!indexes.has(url)) {
            indexes.set(url, readIndex(url, options.credentialsFor?.(url), options.indexes)
                .then((index) => index.entries())
                .catch(() => undefined));
        }
        return indexes.get(url);
    };
    const verdicts = await Promise.all(deps.map(async (dep) => {
        if (dep.repository.startsWith('file://')) {
            const target = require$$2.resolve(chartDir, dep.repository.slice('file://'.length));
            try {
                return (yamlLibrary().parse(await require$$1$1.readFile(require$$2.join(target, 'Chart.yaml'), 'utf8'))
                    ?.type === 'library');
            }
            catch {
                return false;
            }
        }
        const effective = applyMirrors(dep.repository, options.mirrors);
        if (!/^https?:\/\//.test(effective))
            return false;
        const entries = (await indexOf(effective))?.[dep.name];
        if (!Array.isArray(entries))
            return false;
        let exact;
        try {
            exact = maxSatisfying(entries.map((entry) => String(entry.version)), dep.version);
        }
        catch {
            exact = undefined; // not a range: the upstream resolution names the bad pin
        }
        const entry = entries.find((candidate) => String(candidate.version) === exact) ?? entries[0];
        return entry?.type === 'library';
    }));
    return new Set(deps.filter((_, i) => verdicts[i]).map((dep) => dep.name));
}

/**
 * The versions a repository has. An OCI registry's tags are listed page by page; a list too large to read
 * (more than 1000 pages, a page over 16 MiB) is no failure for an exact pin (`exact`): it is resolved by its tag alone
 * (one manifest request), and only the drift report, which needs the list, is lost.
 */
async function availableVersions(repository, name, options, exact) {
    if (repository.startsWith('oci://')) {
        const { host, repository: path } = parseOciReference(repository);
        // Plain HTTP only ever reaches loopback registries, whatever the input says.
        const client = new RegistryClient({
            host,
            plainHttp: options.plainHttp && isLoopbackHost(host),
            credentials: options.credentialsFor?.(repository)
        });
        const source = `${repository}/${name}`;
        const tagRepository = path ? `${path}/${name}` : name;
        try {
            const tags = await client.listTags(tagRepository);
            // OCI tags cannot hold '+': Helm publishes build metadata with '_'.
            return { versions: tags.map((tag) => tag.replace(/_/g, '+')), source };
        }
        catch (error) {
            if (!(error instanceof RegistryError && error.kind === 'too-large')) {
                const message = error.message;
                const fix = plainHttpFix(host, options.plainHttp, message);
                if (fix)
                    throw new ActionError(`dependency ${name}: listing the tags of ${source} failed: ${message}`, fix);
                throw error;
            }
            // An exact pin is its tag: resolved without the list (which only the drift report needs).
            if (exact !== undefined && (await client.manifest(tagRepository, ociTag(exact))).exists) {
                return { versions: [exact], source, unlisted: error.message };
            }
            throw new ActionError(exact === undefined
                ? `${error.message} A version range needs the list to be resolved.`
                : `${source} has no tag ${ociTag(exact)}, and its tag list is too large to read: ${error.message}`, exact === undefined
                ? `pin an exact version in Chart.yaml (e.g. ${name} 1.2.3): an exact version is resolved by its tag, without the list`
                : `pin ${name} to a version the registry has`);
        }
    }
    if (!/^https?:\/\//.test(repository)) {
        throw new ActionError(`dependency ${name}: repository "${repository}" is neither http(s):// nor oci://`, 'point the dependency at a chart repository');
    }
    const credentials = options.credentialsFor?.(repository);
    const index = await readIndex(repository, credentials, options.indexes);
    const { url } = index;
    const entries = index.entries();
    const list = entries[name];
    if (!Array.isArray(list) || list.length === 0) {
        throw new ActionError(`${url} has no chart named ${name}`, `check the dependency name in Chart.yaml (charts there: ${Object.keys(entries).slice(0, 10).join(', ') || 'none'})`);
    }
    return { versions: list.map((entry) => String(entry.version)), source: url };
}
function newestFirst(versions, count) {
    return versions.slice(-5).reverse().join(', ');
}
async function resolveUpstream(options) {
    const start = performance.now();
    const { blueprint, dependency } = options;
    const chartFile = blueprint.chartYaml.displayPath;
    const pinLine = blueprint.chartYaml.lineOf(['dependencies', options.dependencyIndex, 'version']);
    const pinned = dependency.version;
    const range = options.override === '' ? pinned : options.override;
    try {
        parseConstraint(range === 'latest' ? '*' : range);
    }
    catch (error) {
        const where = options.override ? 'input upstream-version' : `${chartFile}:${pinLine ?? 1}`;
        throw new ActionError(`${where}: "${range}" is not a version or range: ${error.message}`, 'write an exact version (1.2.0) or a range (~1.2, ^1, >=1.2 <2)');
    }
    const effectiveRepository = applyMirrors(dependency.repository, options.mirrors);
    // The one version the run can only end at (an exact pin, or the committed Chart.lock's): it needs no tag list.
    const exact = range !== 'latest' && isExactVersion(range)
        ? range.replace(/^[\s=]+/, '').trim()
        : options.locked && !options.override
            ? options.locked
            : undefined;
    const { versions, source, unlisted } = await availableVersions(effectiveRepository, dependency.name, options, exact);
    const sorted = sortAscending(versions);
    const latest = unlisted ? undefined : latestStable(sorted);
    const newest = range === 'latest' ? latest : maxSatisfying(sorted, range);
    // A committed Chart.lock decides within the range (unless the input overrides the pin).
    const locked = options.locked && !options.override && sorted.includes(options.locked) ? options.locked : undefined;
    const resolved = locked ?? newest;
    if (!resolved) {
        throw new ActionError(`${options.override ? 'input upstream-version' : `${chartFile}:${pinLine ?? 1}`}: no ${dependency.name} release in ${source} satisfies "${range}" (newest: ${newestFirst(sorted) || 'none'})`, `pin ${dependency.name} to a version the repository has`);
    }
    const drift = describeDrift(resolved, latest);
    const info = {
        name: dependency.name,
        repository: dependency.repository,
        pinned,
        resolved,
        latest,
        outdated: drift.outdated,
        ...(options.override ? { override: options.override } : {})
    };
    const findings = [];
    if (unlisted) {
        findings.push({
            rule: 'upstream-drift-unknown',
            severity: 'warning',
            message: `${dependency.name} ${resolved} is pinned and exists in ${source}, but whether a newer release is out is unknown: ${unlisted}`,
            fix: `check ${source} for newer releases yourself; the registry's tag list is too large for the action to read (more than 1000 pages, or a page over 16 MiB)`,
            file: chartFile,
            line: pinLine
        });
    }
    if (drift.outdated && latest) {
        findings.push({
            rule: 'upstream-outdated',
            severity: 'notice',
            message: `${dependency.name} ${resolved} is in use; ${latest} is available (${drift.behind} release behind)`,
            fix: `bump ${dependency.name} to ${latest} in ${chartFile} and catalystBlueprint.upstream.version in ${blueprint.values.displayPath} together`,
            file: chartFile,
            line: pinLine
        });
    }
    findings.push(...consistencyFindings(blueprint, dependency, resolved, options.override !== '' && !options.publishing));
    const failed = findings.some((finding) => finding.severity === 'error');
    const pinText = isExactVersion(pinned)
        ? `${resolved} pinned`
        : locked
            ? `${pinned}: ${resolved} locked by Chart.lock`
            : `${pinned} resolves to ${resolved}`;
    const summary = (options.override ? `${resolved} (override "${options.override}"; Chart.yaml pins ${pinned})` : pinText) +
        (unlisted
            ? ', newer releases unknown (tag list too large)'
            : drift.outdated && latest
                ? `, ${latest} available`
                : latest
                    ? ', up to date'
                    : '');
    return {
        info,
        effectiveRepository,
        step: {
            id: 'resolve-upstream',
            title: 'Upstream version',
            status: failed ? 'failed' : 'passed',
            durationMs: Math.round(performance.now() - start),
            summary,
            findings,
            data: info
        }
    };
}
function sortAscending(versions) {
    // maxSatisfying/latestStable pick by precedence whatever the order; a sorted
    // list only makes the "newest" hint in errors read right.
    return versions
        .map((raw) => ({ raw, parsed: parseVersion(raw) }))
        .filter((entry) => entry.parsed !== undefined)
        .sort((a, b) => compareVersions(a.parsed, b.parsed))
        .map((entry) => entry.raw);
}
/**
 * The upstream version is written in three places that are bumped together:
 * Chart.yaml, values.yaml catalystBlueprint.upstream, and the blueprint's docs.
 */
function consistencyFindings(blueprint, dependency, resolved, overridden) {
    const values = blueprint.values;
    const provenance = values.data.catalystBlueprint?.upstream;
    if (!provenance || typeof provenance !== 'object')
        return [];
    // An empty chart declares a scratch blueprint: no provenance to agree with (the upstream input chose a dependency).
    if ('chart' in provenance && String(provenance.chart ?? '').trim() === '')
        return [];
    const findings = [];
    const chartFile = blueprint.chartYaml.displayPath;
    const checks = [
        ['version', resolved, 'version'],
        ['chart', dependency.name, 'name'],
        ['repo', dependency.repository.replace(/\/+$/, ''), 'repository']
    ];
    for (const [key, expected, chartField] of checks) {
        const actual = provenance[key];
        if (actual === undefined)
            continue;
        const normalized = String(actual).replace(/\/+$/, '');
        // Versions compare as Helm compares them: `v1.21.1` in values.yaml names the index's `1.21.1`.
        if (key === 'version' ? sameVersion(normalized, expected) : normalized === expected)
            continue;
        const line = values.lineOf(['catalystBlueprint', 'upstream', key]);
        findings.push({
            rule: 'upstream-consistency',
            // A validate-only override run tries another upstream on purpose: say so, do not fail it.
            severity: overridden && key === 'version' ? 'warning' : 'error',
            message: `${values.displayPath} catalystBlueprint.upstream.${key} is "${normalized}" but ${chartFile} dependency ${dependency.name} ${chartField} ${key === 'version' ? `resolves to "${expected}" (pinned "${dependency.version}")` : `is "${expected}"`}`,
            fix: `set catalystBlueprint.upstream.${key} to "${expected}" in ${values.displayPath}, or change ${chartFile}: they are bumped together`,
            file: values.displayPath,
            line
        });
    }
    return findings;
}

// Stage: which dependency is the upstream and which version of it the blueprint gets (chart/upstream-choice.ts,
// chart/upstream.ts), as the `Upstream version` step. Runs beside helm provisioning and the work copy.
function upstreamStep(status, summary, findings = []) {
    return { step: { id: 'resolve-upstream', title: 'Upstream version', status, durationMs: 0, summary, findings } };
}
async function resolveBlueprintUpstream(ctx) {
    const { inputs, blueprint } = ctx;
    const hollow = hollowByDeclaration(blueprint);
    if (hollow)
        return upstreamStep('failed', 'no upstream chart declared', [hollow]);
    const dependencies = blueprint.chartYaml.data.dependencies ?? [];
    if (isNoUpstream(blueprint.chartYaml.data) &&
        !dependencies.some((dep) => dep.name === inputs.upstream || dep.alias === inputs.upstream)) {
        return upstreamStep('skipped', 'chart is annotated catalyst.openova.io/no-upstream');
    }
    const libraries = needsLibraryCheck(blueprint, inputs.upstream)
        ? await libraryDependencies(blueprint, {
            mirrors: inputs.repositoryMirrors,
            credentialsFor: ctx.credentials.forRepository,
            indexes: ctx.indexes
        })
        : new Set();
    const choice = chooseUpstream(blueprint, inputs.upstream, libraries);
    // Dependencies are still built, bundled and guarded; only resolution and the consistency check are skipped.
    if (choice.kind === 'scratch')
        return upstreamStep('skipped', `${SCRATCH_SUMMARY}: ${choice.reason}`);
    const { dependency, index } = choice;
    const resolution = await resolveUpstream({
        blueprint,
        dependency,
        dependencyIndex: index,
        override: inputs.upstreamVersion,
        publishing: ctx.mode === 'publish',
        mirrors: inputs.repositoryMirrors,
        credentialsFor: ctx.credentials.forRepository,
        plainHttp: inputs.plainHttp,
        indexes: ctx.indexes,
        locked: await lockedVersion(require$$2.resolve(blueprint.workspace, blueprint.chartDir), blueprint.chartDir, dependencies, dependency.name)
    });
    return { resolution, step: resolution.step };
}

const RULE = 'blueprint-contract';
/** The `blueprint.yaml` step: the contract's findings, or a skipped step for a chart-only blueprint. */
function blueprintContractStep(input) {
    const start = performance.now();
    const file = `${input.dir}/blueprint.yaml`;
    const step = (status, summary, findings, data) => ({
        id: 'blueprint',
        title: 'blueprint.yaml',
        status,
        durationMs: Math.round(performance.now() - start),
        summary,
        findings,
        data
    });
    if (input.manifestError) {
        const at = /^(.+?):(\d+):/.exec(input.manifestError.message);
        return step('failed', `${file} cannot be read`, [
            {
                rule: RULE,
                severity: 'error',
                message: input.manifestError.message,
                fix: input.manifestError.hint ?? `fix ${file}`,
                file: at?.[1] ?? file,
                line: at ? Number(at[2]) : undefined
            }
        ], { chartOnly: false, depends: [] });
    }
    const manifest = input.manifest;
    if (!manifest) {
        return step('skipped', 'no blueprint.yaml: a chart-only blueprint, no catalog entry to check', [], {
            chartOnly: true,
            depends: []
        });
    }
    const findings = [
        ...manifest.problems.map((problem) => ({
            rule: RULE,
            severity: 'error',
            message: problem.message,
            fix: problem.fix,
            file: manifest.file,
            line: manifest.lineOf(problem.path)
        })),
        ...nameFindings(input, manifest),
        ...versionFindings(input, manifest),
        ...chartFolderFindings(input, manifest)
    ];
    const depends = dependsFindings(input, manifest, findings);
    const errors = findings.filter((f) => f.severity === 'error').length;
    const warnings = findings.filter((f) => f.severity === 'warning').length;
    const inWorkspace = depends.filter((d) => d.dir).length;
    const dependsText = depends.length > 0 ? `; depends: ${inWorkspace} of ${depends.length} in the workspace` : '; no depends';
    const summary = errors > 0
        ? `${errors} contract error${errors === 1 ? '' : 's'} in ${manifest.file}`
        : `${manifest.name ?? '(no name)'} ${manifest.version ?? '(no version)'} agrees with ${input.chartYaml.displayPath}${dependsText}`;
    return step(errors > 0 ? 'failed' : warnings > 0 ? 'warning' : 'passed', summary, findings, {
        chartOnly: false,
        depends
    });
}
const at = (source, path) => {
    const line = source.lineOf(path);
    return line ? `${source.displayPath}:${line}` : source.displayPath;
};
function nameFindings(input, manifest) {
    const chartName = input.chartYaml.data.name;
    const line = manifest.lineOf(MANIFEST_PATHS.name);
    if (manifest.problems.some((p) => p.path.join('.') === MANIFEST_PATHS.name.join('.')))
        return [];
    if (manifest.name === undefined) {
        return [
            {
                rule: RULE,
                severity: 'error',
                message: `${manifest.file} has no metadata.name: the catalog cannot name the blueprint (the chart is ${chartName})`,
                fix: `add metadata.name: ${chartName} to ${manifest.file} (the name in ${at(input.chartYaml, ['name'])})`,
                file: manifest.file,
                line: manifest.lineOf(['metadata']) ?? 1
            }
        ];
    }
    if (manifest.name === chartName)
        return [];
    return [
        {
            rule: RULE,
            severity: 'error',
            message: `metadata.name is ${manifest.name}, but the chart is ${chartName}: the catalog names a blueprint the registry does not hold under that name`,
            fix: `make ${manifest.file}:${line ?? 1} metadata.name and ${at(input.chartYaml, ['name'])} name the same (e.g. both ${chartName})`,
            file: manifest.file,
            line
        }
    ];
}
function versionFindings(input, manifest) {
    const chartVersion = input.chartYaml.data.version;
    const line = manifest.lineOf(MANIFEST_PATHS.version);
    const chartAt = at(input.chartYaml, ['version']);
    if (manifest.problems.some((p) => p.path.join('.') === MANIFEST_PATHS.version.join('.')))
        return [];
    const tag = input.releaseTag;
    // A release with version-from-tag publishes the tag's version: that is what the catalog must advertise.
    const expected = tag ? tag.version : chartVersion;
    if (manifest.version === undefined) {
        return [
            {
                rule: RULE,
                severity: 'error',
                message: `${manifest.file} has no spec.version: the catalog advertises no version (the chart packages ${expected})`,
                fix: `add spec.version: ${expected} to ${manifest.file} (${tag ? `the version of tag ${tag.tag}` : `the version in ${chartAt}`})`,
                file: manifest.file,
                line: manifest.lineOf(['spec']) ?? 1
            }
        ];
    }
    if (manifest.version === expected)
        return [];
    const where = `${manifest.file}:${line ?? 1}`;
    if (tag) {
        return [
            {
                rule: RULE,
                severity: 'error',
                message: `spec.version is ${manifest.version}, but this release publishes ${tag.version} ` +
                    `(version-from-tag: the tag ${tag.tag} decides the packaged version, not ${chartAt})`,
                fix: `set spec.version in ${where} to ${tag.version}, the version the tag publishes`,
                file: manifest.file,
                line
            }
        ];
    }
    if (input.versionFromTag) {
        // Not a release: the tag that will publish is not known yet; Chart.yaml's version is only a stand-in.
        return [
            {
                rule: RULE,
                severity: 'warning',
                message: `spec.version is ${manifest.version} and ${chartAt} says ${chartVersion}; with version-from-tag the release ` +
                    `tag decides the version published, and spec.version must equal it then`,
                fix: `tag the release as ${input.dir}/v${manifest.version}, or set spec.version in ${where} to the version you will tag`,
                file: manifest.file,
                line
            }
        ];
    }
    return [
        {
            rule: RULE,
            severity: 'error',
            message: `spec.version is ${manifest.version}, but ${chartAt} version is ${chartVersion}: the catalog advertises one version and the registry holds another`,
            fix: `bump both together: set ${where} spec.version and ${chartAt} version to the same version (e.g. both ${chartVersion})`,
            file: manifest.file,
            line
        }
    ];
}
function chartFolderFindings(input, manifest) {
    if (manifest.chart === undefined)
        return [];
    const line = manifest.lineOf(MANIFEST_PATHS.chart);
    const named = manifestChartDir(input.dir, manifest.chart);
    const checked = input.chartDir.replace(/\\/g, '/').replace(/\/+$/, '');
    if (named === checked)
        return [];
    const relative = checked.startsWith(`${input.dir}/`) ? `./${checked.slice(input.dir.length + 1)}` : undefined;
    return [
        {
            rule: RULE,
            severity: 'error',
            message: named === undefined
                ? `spec.manifests.chart is ${manifest.chart}, which is not a folder inside ${input.dir}`
                : `spec.manifests.chart names ${named}, but the chart checked (and published) is ${checked}`,
            fix: relative
                ? `set spec.manifests.chart in ${manifest.file}:${line ?? 1} to ${relative}${named ? `, or set the chart input to ${named}` : ''}`
                : `set the chart input to ${named ?? `a folder inside ${input.dir}`}, and spec.manifests.chart in ${manifest.file}:${line ?? 1} to it`,
            file: manifest.file,
            line
        }
    ];
}
function dependsFindings(input, manifest, findings) {
    const others = input.index?.blueprints.filter((bp) => bp.dir !== input.dir) ?? [];
    if (manifest.depends.length > 0 && input.index && others.length === 0) {
        // A repository of one blueprint: every name would be "not in the workspace", which says nothing. One notice.
        const names = manifest.depends.map((entry) => entry.blueprint).join(', ');
        findings.push({
            rule: RULE,
            severity: 'notice',
            message: `spec.depends (${names}) is not checked against the workspace: it holds no other blueprint under the discover globs`,
            fix: 'nothing to do in a repository of one blueprint; in a monorepo, set discover-glob to the folders of its blueprints',
            file: manifest.file,
            line: manifest.lineOf(MANIFEST_PATHS.depends)
        });
        return manifest.depends.map((entry) => ({ blueprint: entry.blueprint, range: entry.version }));
    }
    return manifest.depends.map((entry) => checkDependency(input, manifest, entry, findings));
}
function checkDependency(input, manifest, entry, findings) {
    const line = manifest.lineOf(entry.path);
    const where = `${manifest.file}:${line ?? 1}`;
    const checked = { blueprint: entry.blueprint, range: entry.version };
    const sibling = input.index?.byBlueprintName(entry.blueprint);
    let range;
    if (entry.version !== undefined) {
        try {
            range = parseConstraint(entry.version);
        }
        catch (error) {
            findings.push({
                rule: RULE,
                severity: 'error',
                message: `spec.depends ${entry.blueprint}: "${entry.version}" is not a version range (${error instanceof ConstraintError ? error.message : String(error)})`,
                fix: `write a range Helm reads at ${where}, e.g. version: "^1" or ">=1.2.0 <2.0.0"`,
                file: manifest.file,
                line
            });
        }
    }
    if (!sibling) {
        findings.push({
            rule: RULE,
            severity: 'warning',
            message: `spec.depends names ${entry.blueprint}, which is no blueprint of this workspace (no folder under the discover globs has that metadata.name or chart name)`,
            fix: `check the name at ${where}; ignore this if ${entry.blueprint} is installed from elsewhere`,
            file: manifest.file,
            line
        });
        return checked;
    }
    checked.dir = sibling.dir;
    checked.version = sibling.chart?.version;
    if (!sibling.chart) {
        findings.push({
            rule: RULE,
            severity: 'warning',
            message: `spec.depends ${entry.blueprint} is ${sibling.dir}, whose chart cannot be read (${sibling.problems[0]?.message ?? 'no Chart.yaml'}): its version is not checked`,
            fix: sibling.problems[0]?.fix ?? `fix ${sibling.chartDir}/Chart.yaml`,
            file: manifest.file,
            line
        });
        return checked;
    }
    if (range && entry.version !== undefined) {
        const version = parseVersion(sibling.chart.version);
        if (!version || !range.test(version)) {
            const siblingAt = `${sibling.chart.file}:${sibling.chart.lineOf(['version']) ?? 1}`;
            findings.push({
                rule: RULE,
                severity: 'error',
                message: `spec.depends ${entry.blueprint} asks for ${entry.version}, but ${sibling.dir} is at ${sibling.chart.version} (${siblingAt})`,
                fix: `widen the range at ${where} to include ${sibling.chart.version}, or change the version at ${siblingAt}`,
                file: manifest.file,
                line
            });
        }
    }
    return checked;
}

/** What is required: the package; rewritten by the bundle to the file of its chunk. */
const PICOMATCH_MODULE = require$$1.fileURLToPath(new URL('picomatch.js', import.meta.url).href);
const picomatch = onFirstUse(PICOMATCH_MODULE);
/** A matcher for one path segment (`*`, `?`, `[…]`, `{a,b}`); dot names match (callers decide on hidden folders). */
function segmentMatcher(segment) {
    // picomatch reads `[!t]` as "`!` or `t`"; the shell (and the old discover glob) read it as "not t".
    return picomatch()(segment.replace(/\[!/g, '[^'), { dot: true });
}

// Folder globs over the workspace (`platform/*`, `products/*`, `**` for any depth): the folders a pattern
// matches, walked segment by segment with the one glob engine (glob.ts). Hidden folders match only a pattern
// segment that starts with a dot; node_modules and .git are never entered.
const SKIP_DIRS = new Set(['node_modules', '.git']);
/** How deep `**` walks: a monorepo's blueprints are a few levels down, never a dozen. */
const MAX_DEPTH = 12;
async function subdirectories(dir) {
    try {
        const entries = await require$$1$1.readdir(dir, { withFileTypes: true });
        return entries.filter((e) => e.isDirectory()).map((e) => e.name);
    }
    catch {
        return [];
    }
}
/** The folders (relative to `workspace`, `/`-separated) a folder glob matches; `*`, `?`, `[…]` within a segment. */
async function expandFolderGlob(workspace, pattern) {
    const segments = pattern.split('/').filter((s) => s !== '' && s !== '.');
    const out = [];
    const walk = async (rel, i, depth) => {
        if (depth > MAX_DEPTH)
            return;
        if (i === segments.length) {
            out.push(rel);
            return;
        }
        const seg = segments[i];
        const abs = require$$2.join(workspace, rel);
        if (seg === '**') {
            await walk(rel, i + 1, depth);
            for (const name of await subdirectories(abs)) {
                if (name.startsWith('.') || SKIP_DIRS.has(name))
                    continue;
                await walk(rel ? `${rel}/${name}` : name, i, depth + 1);
            }
            return;
        }
        if (!/[*?[]/.test(seg)) {
            await walk(rel ? `${rel}/${seg}` : seg, i + 1, depth + 1);
            return;
        }
        const matches = segmentMatcher(seg);
        for (const name of await subdirectories(abs)) {
            if ((name.startsWith('.') && !seg.startsWith('.')) || SKIP_DIRS.has(name))
                continue;
            if (matches(name))
                await walk(rel ? `${rel}/${name}` : name, i + 1, depth + 1);
        }
    };
    await walk('', 0, 0);
    return out;
}

// The workspace's blueprints: every folder under the discover globs (default `platform/*` and `products/*`) that
// holds a `blueprint.yaml` or a `chart/Chart.yaml` (a chart-only folder, such as a product umbrella, is a blueprint
// without catalog metadata). Each with its folder, its chart folder (blueprint.yaml `spec.manifests.chart`, default
// `./chart`), its chart's name, version and dependencies, and its blueprint.yaml manifest (blueprint-manifest.ts).
// A file that cannot be read is recorded on its blueprint, never thrown: one broken folder does not hide the others.
// Used by discover (which folders exist, which changed), the blueprint.yaml contract (spec.depends against the
// workspace), sibling blueprints (a Chart.yaml dependency that is another blueprint's chart) and the schema gate
// (the CRDs of the blueprints spec.depends names).
const DEFAULT_BLUEPRINT_GLOBS = ['platform/*', 'products/*'];
/** A blueprint's catalog name: blueprint.yaml `metadata.name`, else (chart-only, or no name) its chart's name. */
function blueprintName(blueprint) {
    return blueprint.manifest?.name ?? blueprint.chart?.name;
}
/** The files that make a folder a blueprint: either is enough. */
const MARKERS = ['blueprint.yaml', 'chart/Chart.yaml'];
/**
 * A discover glob as a folder pattern inside the workspace (`./platform/*` → `platform/*`, a trailing slash
 * dropped); a pattern ending in `/blueprint.yaml` or `/chart/Chart.yaml` names its folders and the file they must
 * hold. Throws an ActionError naming the input for an absolute pattern or one that leaves the workspace.
 */
function parseBlueprintGlob(glob) {
    const g = glob
        .trim()
        .replace(/\\/g, '/')
        .replace(/^(\.\/)+/, '')
        .replace(/\/+$/, '');
    const marker = MARKERS.find((file) => g.endsWith(`/${file}`));
    const folder = marker ? g.slice(0, -marker.length - 1) : g;
    if (folder === '' || folder.startsWith('/') || /^[A-Za-z]:/.test(folder) || folder.split('/').includes('..')) {
        throw new ActionError(`input discover-glob: "${glob}" is not a folder pattern inside the repository`, 'use patterns like platform/* or products/*');
    }
    return { folder, marker };
}
async function isFile(file) {
    try {
        return (await require$$1$1.stat(file)).isFile();
    }
    catch {
        return false;
    }
}
/** A folder is a blueprint when it holds a blueprint.yaml or a chart/Chart.yaml (or the one file a glob names). */
async function isBlueprintFolder(workspace, folder, marker) {
    for (const file of marker ? [marker] : MARKERS)
        if (await isFile(require$$2.join(workspace, folder, file)))
            return true;
    return false;
}
/** Every blueprint folder the globs match (relative, `/`-separated), sorted; no file is parsed. */
async function listBlueprintFolders(workspace, globs = DEFAULT_BLUEPRINT_GLOBS) {
    const found = new Set();
    for (const glob of globs.length > 0 ? globs : DEFAULT_BLUEPRINT_GLOBS) {
        const { folder: pattern, marker } = parseBlueprintGlob(glob);
        const folders = await expandFolderGlob(workspace, pattern);
        const kept = await Promise.all(folders.map((folder) => isBlueprintFolder(workspace, folder, marker)));
        folders.forEach((folder, i) => kept[i] && found.add(folder));
    }
    return [...found].sort(compareCodePoints);
}
function problemOf(error, file) {
    if (error instanceof ActionError)
        return { file, message: error.message, fix: error.hint };
    return { file, message: `${file} cannot be read: ${error.message ?? String(error)}` };
}
/** One blueprint folder read: blueprint.yaml (when there), then the chart folder it names and its Chart.yaml. */
async function readWorkspaceBlueprint(workspace, dir) {
    const problems = [];
    let manifest;
    const manifestFile = `${dir}/blueprint.yaml`;
    if (await isFile(require$$2.join(workspace, manifestFile))) {
        try {
            manifest = readBlueprintManifest(await loadYamlFile(require$$2.join(workspace, manifestFile), manifestFile));
        }
        catch (error) {
            problems.push(problemOf(error, manifestFile));
        }
    }
    const chartDir = (manifest?.chart && manifestChartDir(dir, manifest.chart)) || `${dir}/chart`;
    const chartFile = `${chartDir}/Chart.yaml`;
    let chart;
    if (await isFile(require$$2.join(workspace, chartFile))) {
        try {
            const source = await loadYamlFile(require$$2.join(workspace, chartFile), chartFile);
            validateChartMetadata(source);
            const data = source.data;
            chart = {
                file: chartFile,
                name: data.name,
                version: data.version,
                dependencies: data.dependencies ?? [],
                lineOf: (at) => source.lineOf(at)
            };
        }
        catch (error) {
            problems.push(problemOf(error, chartFile));
        }
    }
    else {
        problems.push({
            file: chartFile,
            message: `${chartFile} not found`,
            fix: manifest?.chart
                ? `point spec.manifests.chart in ${manifestFile} at the chart folder`
                : `put the blueprint's chart in ${chartDir}`
        });
    }
    return { dir, chartDir, manifest, chart, problems };
}
/** The index of already-read blueprints (pure): lookups by folder, chart name and catalog name. */
function blueprintIndex(workspace, blueprints) {
    const sorted = [...blueprints].sort((a, b) => compareCodePoints(a.dir, b.dir));
    const first = (key) => {
        const map = new Map();
        for (const bp of sorted) {
            const k = key(bp);
            if (k !== undefined && !map.has(k))
                map.set(k, bp);
        }
        return map;
    };
    const dirs = first((bp) => bp.dir);
    const charts = first((bp) => bp.chart?.name);
    const names = first(blueprintName);
    return {
        workspace,
        blueprints: sorted,
        byDir: (dir) => dirs.get(dir.replace(/\\/g, '/').replace(/\/+$/, '')),
        byChartName: (name) => charts.get(name),
        byBlueprintName: (name) => names.get(name)
    };
}
/** Reads every blueprint folder the globs match (default `platform/*`, `products/*`) into an index. */
async function indexWorkspace(workspace, globs = DEFAULT_BLUEPRINT_GLOBS) {
    const root = require$$2.resolve(workspace);
    const folders = await listBlueprintFolders(root, globs);
    return blueprintIndex(root, await Promise.all(folders.map((dir) => readWorkspaceBlueprint(root, dir))));
}

// Stage: the blueprint.yaml contract (chart/blueprint-contract.ts) of the run's blueprint, and the workspace's
// blueprint index it looks spec.depends up in (chart/workspace-index.ts: read once per run, on demand, with the
// discover-glob input's globs). Both start once the dependency build runs (run/chart-steps.ts): on the way to the
// build they would only take the main thread.
/** The workspace's blueprints (the discover-glob input's folders, default platform/* and products/*). */
function loadWorkspaceIndex(base) {
    return indexWorkspace(base.inputs.workspace, base.inputs.discoverGlob);
}
/** The `blueprint.yaml` step; the index is read only when spec.depends names blueprints to look up. */
async function contractStep(base, workspace) {
    const { inputs, blueprint } = base;
    const index = (blueprint.manifest?.depends.length ?? 0) > 0 ? await workspace() : undefined;
    // On a release with version-from-tag the packaged version is the tag's (run/settings.ts packagedVersion).
    const releaseTag = base.mode === 'publish' && inputs.versionFromTag && base.event.ref.startsWith('refs/tags/')
        ? { version: base.chart.version, tag: base.event.ref.slice('refs/tags/'.length) }
        : undefined;
    return blueprintContractStep({
        dir: blueprint.dir,
        chartDir: blueprint.chartDir,
        chartYaml: blueprint.chartYaml,
        manifest: blueprint.manifest,
        manifestError: blueprint.manifestError,
        releaseTag,
        versionFromTag: inputs.versionFromTag,
        index
    });
}

// Stage: everything the dependency build needs, started at once and run concurrently: the indexes it reads
// (fetched first, into the run's cache: the upstream resolution reads the same), helm (provisioned, then its
// isolated home) and the work copy (synchronous; it waits for the upstream only when input upstream-version
// rewrites the pin). The build starts once helm and the work copy are there and it has the indexes' text; the
// upstream resolution and the commit time (git log) start once it has, and are awaited once helm has run.
function startPreparation(base) {
    const { inputs, blueprint, folders } = base;
    const started = [];
    // Awaited later (or never, when an earlier task fails): a rejection is the awaiting stage's to report.
    const track = (task) => {
        started.push(task.catch(() => undefined));
        return task;
    };
    /** A task started on its first call (and tracked from then on). */
    const onDemand = (start) => {
        let task;
        return () => (task ??= track(start()));
    };
    // The indexes the build reads, asked for first: the upstream resolution and the build share them.
    prefetchIndexes(base);
    // Helm next: on PATH it may still need a `helm version` process, the longest of these to start.
    const helm = track(provisionHelm(inputs.helmVersion, inputs.helmDownloadUrl).then(async (installed) => ({
        installed,
        helm: await Helm.create(installed.binary, folders.helmHome, installed.release)
    })));
    const upstream = onDemand(() => resolveBlueprintUpstream(base));
    const epoch = onDemand(() => sourceDateEpoch(process.env, inputs.workspace, blueprint.chartDir));
    const workspace = onDemand(() => loadWorkspaceIndex(base));
    const contract = onDemand(() => contractStep(base, workspace));
    // Synchronous (chart/work-copy.ts), done in this turn unless it needs the upstream.
    const work = track(workCopyNeedsUpstream(base)
        ? upstream().then((outcome) => prepareWork(base, outcome.resolution))
        : Promise.resolve().then(() => prepareWork(base, undefined)));
    const ready = helm.then(({ installed, helm }) => {
        const { major, version } = installed.release;
        info(version
            ? `helm ${version} (${installed.source}: ${installed.binary})`
            : `helm ${major} (${installed.source}: ${installed.binary}; its exact version is known once the gates have run)`);
        const ctx = { ...base, helm };
        return ctx;
    });
    return {
        ready,
        upstream,
        work,
        epoch,
        workspace,
        contract,
        settled: async () => {
            await Promise.all(started);
        }
    };
}
/** Starts fetching every index the build reads (the run's cache keeps each); a failure is its reader's to report. */
function prefetchIndexes(base) {
    const dependencies = base.blueprint.chartYaml.data.dependencies ?? [];
    for (const url of httpRepositoryUrls(dependencies, base.inputs.repositoryMirrors)) {
        base.indexes.fetch(url, base.credentials.forRepository(url)).catch(() => undefined);
    }
}

// One blueprint's run, in the order of the pipeline: load and check (load.ts) → prepare concurrently
// (prepare.ts: helm, upstream, commit time, work copy) → the chart's stages (chart-steps.ts: dependency build,
// gates and package, publish) → SBOM → the report (assemble.ts). Errors that stop the run early (an unreadable
// Chart.yaml, a tag that does not match) still give a report, so the PR comment and job summary say what stopped it.
/** Runs every stage for one blueprint; undefined when the event is for another blueprint (a notice). */
async function validateBlueprint(frame) {
    const { inputs, outputDir } = frame;
    const startedAt = new Date();
    const start = performance.now();
    const time = () => ({
        startedAt,
        durationMs: Math.round(performance.now() - start)
    });
    const loaded = await loadRun(inputs, frame.event);
    if (loaded.kind === 'skip') {
        notice(loaded.reason);
        writeOutputs(SKIP_OUTPUTS);
        return undefined;
    }
    if (loaded.kind === 'stopped') {
        return {
            report: stoppedEarlyReport(frame, time(), loaded.identity, loaded.error, loaded.stage),
            cleanup: () => Promise.resolve()
        };
    }
    const { identity, blueprint } = loaded;
    const folders = workFolders(await require$$1$1.mkdtemp(require$$2.join(outputDir, 'bp-work-')), outputDir);
    const preparation = startPreparation({
        inputs,
        event: frame.event,
        blueprint,
        mode: identity.mode,
        chart: identity.chart,
        registry: identity.registry,
        ...repositoryAccess(inputs),
        folders,
        budget: frame.budget
    });
    const outcome = { steps: [] };
    let sbomContent;
    let ctx;
    let cleanup = () => Promise.resolve();
    let scratchRemoved;
    try {
        ctx = await preparation.ready;
        const chart = await runChartSteps(ctx, preparation);
        outcome.upstream = chart.upstream;
        outcome.steps.push(...chart.steps);
        outcome.publish = chart.publish;
        outcome.preview = chart.preview;
        outcome.diff = chart.diff;
        outcome.error = chart.error;
        sbomContent = chart.sbom;
        scratchRemoved = chart.scratchRemoved;
    }
    catch (error) {
        // A fatal error still gets a report: the PR comment says what stopped the run.
        outcome.error = error;
    }
    finally {
        // Nothing may still work in the folder when it goes (a work copy or git log started beside a failure).
        await preparation.settled();
        cleanup = async () => {
            await scratchRemoved;
            try {
                require$$4.rmSync(folders.root, { recursive: true, force: true });
            }
            catch {
                // Best effort: what is left is in RUNNER_TEMP, which the runner empties after the job.
            }
        };
    }
    // After publishing, so the SBOM names the digest that was pushed (or found already there); then attested.
    const evidence = await handOn(ctx, { ...outcome, sbom: sbomContent }, outputDir);
    outcome.sbom = evidence.sbom;
    if (evidence.attest) {
        outcome.steps.push(evidence.attest);
        outcome.attestation = evidence.attest.data;
    }
    // Asked once the gates were done (run/chart-steps.ts), or now when the run stopped before them.
    outcome.helmVersion = await ctx?.helm.version();
    if (ctx && ctx.helm.release.version === undefined)
        info(`helm ${outcome.helmVersion ?? 'gave no version'}`);
    return { report: assembleReport(frame, time(), identity, outcome), cleanup };
}

// The event a run is for, read once from the runner's environment: its name, ref and payload
// (GITHUB_EVENT_PATH), the run's link and the commit checked. Read here as @actions/github's Context reads it,
// without loading @actions/github: its REST client (octokit, undici) loads only when a PR comment is written.
/** The event of this run (GITHUB_EVENT_NAME, GITHUB_REF, the payload file, …). */
function readEventContext(env = process.env) {
    let payload = {};
    if (env.GITHUB_EVENT_PATH) {
        if (require$$4.existsSync(env.GITHUB_EVENT_PATH))
            payload = parsePayload(env.GITHUB_EVENT_PATH);
        else
            process.stdout.write(`GITHUB_EVENT_PATH ${env.GITHUB_EVENT_PATH} does not exist${require$$0$1.EOL}`);
    }
    return eventContextFrom(env, payload);
}
/** The event payload file as JSON: an error naming the file when it is not a JSON object. */
function parsePayload(file) {
    const text = require$$4.readFileSync(file, 'utf8');
    let payload;
    try {
        payload = JSON.parse(text);
    }
    catch (error) {
        throw new ActionError(`the event payload ${file} (GITHUB_EVENT_PATH) is not JSON: ${error.message}${text.trim() === '' ? ' (the file is empty)' : ''}`, 'the runner writes this file for the event that started the workflow; when running the action locally, point GITHUB_EVENT_PATH at a JSON file of the event (e.g. {"pull_request": {"number": 1}}), or unset it');
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
        throw new ActionError(`the event payload ${file} (GITHUB_EVENT_PATH) is not a JSON object`, 'point GITHUB_EVENT_PATH at a JSON object of the event, or unset it');
    }
    return payload;
}
/** The event context from the environment and the event payload (pure). */
function eventContextFrom(env, payload) {
    const repo = repositoryOf(env, payload);
    const runId = parseInt(env.GITHUB_RUN_ID ?? '', 10);
    const serverUrl = env.GITHUB_SERVER_URL ?? 'https://github.com';
    return {
        eventName: env.GITHUB_EVENT_NAME ?? '',
        ref: env.GITHUB_REF ?? '',
        payload,
        repo,
        // Only with GITHUB_REPOSITORY (a local run with @github/local-action has none): no link to a guessed repository.
        runUrl: env.GITHUB_REPOSITORY && repo && runId
            ? `${serverUrl}/${repo.owner}/${repo.repo}/actions/runs/${runId}`
            : undefined,
        commit: headCommit(payload, env),
        workflowFile: workflowFileOf(env.GITHUB_WORKFLOW_REF)
    };
}
function repositoryOf(env, payload) {
    if (env.GITHUB_REPOSITORY) {
        const [owner, repo] = env.GITHUB_REPOSITORY.split('/');
        return { owner, repo };
    }
    const repository = payload.repository;
    const owner = repository?.owner?.login;
    const name = repository?.name;
    return typeof owner === 'string' && typeof name === 'string' ? { owner, repo: name } : undefined;
}
/** A pull request's head commit (GITHUB_SHA is the merge commit there), else GITHUB_SHA. */
function headCommit(payload, env) {
    const pr = payload.pull_request;
    const sha = typeof pr?.head?.sha === 'string' ? pr.head.sha : env.GITHUB_SHA;
    return sha && /^[0-9a-f]{7,64}$/i.test(sha) ? sha : undefined;
}

// Pure parser for container image references, following the grammar of
// github.com/distribution/reference (the one Docker, containerd and the kubelet
// use) together with Docker's normalisation of "familiar" names:
//
//   reference := name [ ':' tag ] [ '@' digest ]
//   name      := [ domain [ ':' port ] '/' ] path-component [ '/' path-component ]*
//
// Normalisation (docker's splitDockerDomain):
// - no '/' at all: domain docker.io, path `library/<name>`;
// - the first segment is a domain when it is `localhost`, contains `.` or `:`,
//   or contains an uppercase letter (paths must be lowercase, so an uppercase
//   first segment can only be a host name, e.g. `LOCALHOST/a` or `Registry/x`);
// - `index.docker.io` is rewritten to `docker.io`;
// - a one-segment path on docker.io gets `library/`.
// A bare 64-hex string is rejected (it is an image id, not a name).
// Digests: the grammar's `algo:hex{32,}`; the registered algorithms must be
// lowercase hex of exact length (sha256: 64, sha384: 96, sha512: 128), as
// go-digest validates them. Other grammar-valid algorithms are accepted as-is.
const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
const OFFICIAL_REPO_PREFIX = 'library/';
const NAME_TOTAL_LENGTH_MAX = 255;
/** Raised for a value that is not a valid image reference; names the value and the reason. */
class ImageRefError extends Error {
    raw;
    reason;
    constructor(raw, reason) {
        super(`invalid image reference ${JSON.stringify(raw)}: ${reason}`);
        this.raw = raw;
        this.reason = reason;
        this.name = 'ImageRefError';
    }
}
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const DIGEST_RE = /^([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]{32,})$/;
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const KNOWN_DIGEST_HEX = {
    sha256: /^[a-f0-9]{64}$/,
    sha384: /^[a-f0-9]{96}$/,
    sha512: /^[a-f0-9]{128}$/
};
/** Length in hex characters a registered digest algorithm requires. */
const KNOWN_DIGEST_LEN = { sha256: 64, sha384: 96, sha512: 128 };
function validateDigest(raw, digest) {
    const m = DIGEST_RE.exec(digest);
    if (!m) {
        throw new ImageRefError(raw, `digest ${JSON.stringify(digest)} is not of the form <algorithm>:<hex> (at least 32 hex digits)`);
    }
    const algo = m[1];
    const hex = m[2];
    const known = KNOWN_DIGEST_HEX[algo];
    if (known && !known.test(hex)) {
        const want = KNOWN_DIGEST_LEN[algo];
        throw new ImageRefError(raw, `${algo} digest must be ${want} lowercase hex characters, got ${hex.length}${hex === hex.toLowerCase() ? '' : ' (with uppercase)'}`);
    }
}
/** Splits `name` into domain and remote path per docker's normalisation (see file header). */
function splitDomain(name) {
    const slash = name.indexOf('/');
    if (slash === -1)
        return { domain: DEFAULT_DOMAIN, path: OFFICIAL_REPO_PREFIX + name };
    const first = name.slice(0, slash);
    let domain;
    let path;
    let written;
    if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
        written = first;
        domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first;
        path = name.slice(slash + 1);
    }
    else {
        domain = DEFAULT_DOMAIN;
        path = name;
    }
    if (domain === DEFAULT_DOMAIN && !path.includes('/'))
        path = OFFICIAL_REPO_PREFIX + path;
    return written === undefined ? { domain, path } : { domain, path, written };
}
/** Familiar form of a normalized name: drops `docker.io/` and `library/` (official images only). */
function familiarName(domain, path) {
    if (domain !== DEFAULT_DOMAIN)
        return `${domain}/${path}`;
    if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
        const rest = path.slice(OFFICIAL_REPO_PREFIX.length);
        if (!rest.includes('/'))
            return rest;
    }
    return path;
}
/**
 * Parses an image reference such as `nginx`, `ghcr.io/org/app:1.2`,
 * `localhost:5000/a@sha256:…` or `[::1]:5000/x:tag`.
 * Throws {@link ImageRefError} naming the value and why it is invalid.
 */
function parseImageRef(raw) {
    if (typeof raw !== 'string')
        throw new ImageRefError(String(raw), 'not a string');
    if (raw.length === 0)
        throw new ImageRefError(raw, 'empty');
    if (/\s/.test(raw))
        throw new ImageRefError(raw, 'contains whitespace');
    if (IDENTIFIER_RE.test(raw)) {
        throw new ImageRefError(raw, 'a bare 64-character hex string is an image id, not a repository name');
    }
    let rest = raw;
    let digest;
    const at = rest.indexOf('@');
    if (at !== -1) {
        digest = rest.slice(at + 1);
        rest = rest.slice(0, at);
        if (digest.length === 0)
            throw new ImageRefError(raw, "empty digest after '@'");
        validateDigest(raw, digest);
    }
    let tag;
    const colon = rest.lastIndexOf(':');
    if (colon !== -1 && colon > rest.lastIndexOf('/')) {
        tag = rest.slice(colon + 1);
        rest = rest.slice(0, colon);
        if (tag.length === 0)
            throw new ImageRefError(raw, "empty tag after ':'");
        if (tag.length > 128)
            throw new ImageRefError(raw, `tag is ${tag.length} characters long (at most 128)`);
        if (!TAG_RE.test(tag)) {
            throw new ImageRefError(raw, `tag ${JSON.stringify(tag)} must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}`);
        }
    }
    if (rest.length === 0)
        throw new ImageRefError(raw, 'missing repository name');
    const { domain, path, written } = splitDomain(rest);
    if (written !== undefined && !DOMAIN_RE.test(written)) {
        throw new ImageRefError(raw, `registry host ${JSON.stringify(written)} is not a valid host[:port]`);
    }
    if (path.toLowerCase() !== path) {
        throw new ImageRefError(raw, `repository path ${JSON.stringify(path)} must be lowercase`);
    }
    for (const component of path.split('/')) {
        if (component.length === 0)
            throw new ImageRefError(raw, `repository path ${JSON.stringify(path)} has an empty component`);
        if (!PATH_COMPONENT_RE.test(component)) {
            throw new ImageRefError(raw, `path component ${JSON.stringify(component)} must be lowercase letters and digits separated by '.', '_', '__' or '-'`);
        }
    }
    const name = `${domain}/${path}`;
    if (name.length > NAME_TOTAL_LENGTH_MAX) {
        throw new ImageRefError(raw, `repository name is ${name.length} characters long (at most ${NAME_TOTAL_LENGTH_MAX})`);
    }
    let canonical = name;
    if (tag !== undefined)
        canonical += `:${tag}`;
    if (digest !== undefined)
        canonical += `@${digest}`;
    const ref = { raw, domain, path, canonical, familiar: familiarName(domain, path) };
    if (tag !== undefined)
        ref.tag = tag;
    if (digest !== undefined)
        ref.digest = digest;
    return ref;
}
/** `parseImageRef` that returns the error instead of throwing. */
function tryParseImageRef(raw) {
    try {
        return { ref: parseImageRef(raw) };
    }
    catch (e) {
        if (e instanceof ImageRefError)
            return { error: e };
        throw e;
    }
}

// Finds every container image in a rendered chart and applies the pinning
// policy. Pure: no I/O, no registry lookups.
//
// Policy choices:
// - `digest`: the reference must carry `@sha256:<64 hex>`.
// - `sha` (default): a sha256 digest, or a tag that is a git commit SHA:
//   7–40 lowercase hex characters with at least one letter a–f (so numeric tags
//   such as `20240101` or `1234567` are not mistaken for a SHA), optionally
//   prefixed `sha-` (the form docker/metadata-action's `type=sha` produces).
// - `no-latest`: a tag other than `latest`, or a digest.
// - `off`: everything passes.
// A reference with both a tag and a digest is judged by its digest.
//
// Allowlist patterns are image names normalised like references (`nginx` =
// `docker.io/library/nginx`, `temporalio/*` = `docker.io/temporalio/*`); `*`
// matches one path segment (or part of one, e.g. `temporal-*`), `**` any number
// of segments (at least one when it ends the pattern), a lone `**` matches every
// image; `:tag` in a pattern must match the tag too (`*` globbing allowed).
const IMAGE_POLICIES = ['digest', 'sha', 'no-latest', 'off'];
function child(o, ...keys) {
    let cur = o;
    for (const k of keys) {
        if (!isRecord(cur))
            return undefined;
        cur = cur[k];
    }
    return cur;
}
function imageString(v) {
    if (typeof v === 'string')
        return v;
    if (v === null || v === undefined)
        return '';
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
}
const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'];
const ARGO_KINDS = new Set(['Workflow', 'WorkflowTemplate', 'ClusterWorkflowTemplate']);
/** Keys that look like an image but are judged only where a rule above says they hold one. */
const IMAGE_LIKE_KEYS = new Set(['image', 'imageName']);
const IDENT_RE = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;
/**
 * Custom-resource fields known to hold a container image (README "Which image fields are judged"). Pod specs
 * (containers, initContainers, ephemeralContainers) are found wherever a document embeds one, and Argo Workflows'
 * templates by their own rule, so they are not listed here.
 */
const DOCUMENTED_IMAGE_FIELDS = [
    { apiVersion: 'postgresql.cnpg.io/*', kind: 'Cluster', path: 'spec.imageName' },
    { apiVersion: 'postgresql.cnpg.io/*', kind: 'ImageCatalog', path: 'spec.images[].image' },
    { apiVersion: 'postgresql.cnpg.io/*', kind: 'ClusterImageCatalog', path: 'spec.images[].image' },
    { apiVersion: 'monitoring.coreos.com/*', kind: 'Prometheus', path: 'spec.image' },
    { apiVersion: 'monitoring.coreos.com/*', kind: 'Prometheus', path: 'spec.thanos.image' },
    { apiVersion: 'monitoring.coreos.com/*', kind: 'PrometheusAgent', path: 'spec.image' },
    { apiVersion: 'monitoring.coreos.com/*', kind: 'Alertmanager', path: 'spec.image' },
    { apiVersion: 'monitoring.coreos.com/*', kind: 'ThanosRuler', path: 'spec.image' }
];
const FIELD_API_VERSION_RE = /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?(?:v[0-9][a-z0-9]*|\*)$/;
const FIELD_KIND_RE = /^[A-Za-z][A-Za-z0-9]*$/;
const FIELD_SEGMENT_RE = /^[A-Za-z_$][A-Za-z0-9_$-]*(?:\[\])?$/;
/** One line of input image-fields, or undefined when it is not `apiVersion/Kind:path`. */
function parseImageField(line) {
    const colon = line.indexOf(':');
    if (colon === -1)
        return undefined;
    const type = line.slice(0, colon).trim();
    const path = line.slice(colon + 1).trim();
    const slash = type.lastIndexOf('/');
    if (slash === -1)
        return undefined;
    const field = { apiVersion: type.slice(0, slash), kind: type.slice(slash + 1), path };
    if (!FIELD_API_VERSION_RE.test(field.apiVersion) || field.apiVersion === '*' || !FIELD_KIND_RE.test(field.kind))
        return undefined;
    if (path === '' || !path.split('.').every((segment) => FIELD_SEGMENT_RE.test(segment)))
        return undefined;
    return field;
}
function group(apiVersion) {
    if (!apiVersion)
        return '';
    const slash = apiVersion.indexOf('/');
    return slash === -1 ? '' : apiVersion.slice(0, slash);
}
function fieldApplies(field, apiVersion, kind) {
    if (field.kind !== kind)
        return false;
    if (field.apiVersion.endsWith('/*'))
        return group(apiVersion) === field.apiVersion.slice(0, -2);
    return field.apiVersion === apiVersion;
}
function fieldSegment(path, key) {
    const seg = IDENT_RE.test(key) ? key : `[${JSON.stringify(key)}]`;
    return path === '' ? seg : seg.startsWith('[') ? `${path}${seg}` : `${path}.${seg}`;
}
class Collector {
    doc;
    out;
    covered = new Set();
    constructor(doc, out) {
        this.doc = doc;
        this.out = out;
    }
    use(value, field, container) {
        const use = {
            image: imageString(value),
            kind: this.doc.kind ?? '',
            name: this.doc.name ?? '',
            field
        };
        if (container !== undefined)
            use.container = container;
        if (this.doc.source !== undefined)
            use.source = this.doc.source;
        return use;
    }
    add(value, field, container) {
        if (this.covered.has(field))
            return;
        this.covered.add(field);
        this.out.push(this.use(value, field, container));
    }
    /** `containers`-style list: every element with an `image` key. */
    containerList(list, prefix) {
        if (!Array.isArray(list))
            return;
        list.forEach((c, i) => {
            if (isRecord(c) && 'image' in c) {
                this.add(c.image, `${prefix}[${i}].image`, typeof c.name === 'string' ? c.name : undefined);
            }
        });
    }
    /**
     * Every pod spec the document embeds, wherever it stands (a Deployment's `spec.template.spec`, a CronJob's job
     * template, a custom resource's pod template): a mapping with a `containers`, `initContainers` or
     * `ephemeralContainers` list.
     */
    podSpecs(value, path) {
        if (Array.isArray(value)) {
            value.forEach((el, i) => {
                if (typeof el === 'object' && el !== null)
                    this.podSpecs(el, `${path}[${i}]`);
            });
            return;
        }
        if (!isRecord(value))
            return;
        for (const list of CONTAINER_LISTS) {
            if (Array.isArray(value[list]))
                this.containerList(value[list], fieldSegment(path, list));
        }
        for (const key of Object.keys(value)) {
            if (path === '' && key === 'metadata')
                continue;
            const v = value[key];
            if (typeof v === 'object' && v !== null)
                this.podSpecs(v, fieldSegment(path, key));
        }
    }
    argoWorkflowSpec(spec, prefix) {
        const templates = child(spec, 'templates');
        if (!Array.isArray(templates))
            return;
        templates.forEach((t, i) => {
            if (!isRecord(t))
                return;
            const p = `${prefix}.templates[${i}]`;
            const tname = typeof t.name === 'string' ? t.name : undefined;
            for (const key of ['container', 'script']) {
                const c = t[key];
                if (isRecord(c) && 'image' in c)
                    this.add(c.image, `${p}.${key}.image`, typeof c.name === 'string' ? c.name : tname);
            }
            this.containerList(t.initContainers, `${p}.initContainers`);
            this.containerList(t.sidecars, `${p}.sidecars`);
            this.containerList(child(t, 'containerSet', 'containers'), `${p}.containerSet.containers`);
        });
    }
    /** The value(s) at an image field's path (`[]`: every element of that list). */
    field(node, segments, path) {
        if (segments.length === 0) {
            if (node !== undefined && (typeof node === 'string' || node === null))
                this.add(node, path);
            return;
        }
        const [segment, ...rest] = segments;
        const each = segment.endsWith('[]');
        const key = each ? segment.slice(0, -2) : segment;
        if (!isRecord(node) || !(key in node))
            return;
        const value = node[key];
        const at = fieldSegment(path, key);
        if (!each)
            this.field(value, rest, at);
        else if (Array.isArray(value))
            value.forEach((el, i) => this.field(el, rest, `${at}[${i}]`));
    }
    /** String `image`/`imageName` fields no rule above judged (metadata is skipped): listed as not judged. */
    unjudged(value, path, parentName, into) {
        if (Array.isArray(value)) {
            value.forEach((el, i) => {
                if (typeof el === 'object' && el !== null) {
                    const name = isRecord(el) && typeof el.name === 'string' ? el.name : undefined;
                    this.unjudged(el, `${path}[${i}]`, name, into);
                }
            });
            return;
        }
        if (!isRecord(value))
            return;
        for (const key of Object.keys(value)) {
            if (path === '' && key === 'metadata')
                continue;
            const v = value[key];
            const field = fieldSegment(path, key);
            if (typeof v === 'string') {
                if (IMAGE_LIKE_KEYS.has(key) && !this.covered.has(field))
                    into.push(this.use(v, field, parentName));
            }
            else if (typeof v === 'object' && v !== null) {
                this.unjudged(v, field, undefined, into);
            }
        }
    }
}
/**
 * Every container image of a rendered chart, with where it stands (kind/name/container/field/template): the
 * containers of every embedded pod spec, Argo Workflows templates, DOCUMENTED_IMAGE_FIELDS and `fields` (input
 * image-fields). Any other `image`/`imageName` value is listed as not judged.
 */
function scanImages(docs, fields = []) {
    const uses = [];
    const notJudged = [];
    const known = [...DOCUMENTED_IMAGE_FIELDS, ...fields];
    for (const doc of docs) {
        const o = doc.object;
        if (!isRecord(o))
            continue;
        const kind = doc.kind ?? (typeof o.kind === 'string' ? o.kind : '');
        const apiVersion = doc.apiVersion ?? (typeof o.apiVersion === 'string' ? o.apiVersion : '');
        const c = new Collector(doc, uses);
        if (group(apiVersion) === 'argoproj.io') {
            if (ARGO_KINDS.has(kind))
                c.argoWorkflowSpec(o.spec, 'spec');
            else if (kind === 'CronWorkflow')
                c.argoWorkflowSpec(child(o.spec, 'workflowSpec'), 'spec.workflowSpec');
        }
        c.podSpecs(o, '');
        for (const field of known) {
            if (fieldApplies(field, apiVersion, kind))
                c.field(o, field.path.split('.'), '');
        }
        c.unjudged(o, '', undefined, notJudged);
    }
    return { uses, notJudged };
}
/** Every container image of a rendered chart (see {@link scanImages}). */
function extractImages(docs, fields = []) {
    return scanImages(docs, fields).uses;
}
// ---------------------------------------------------------------- policy
const COMMIT_SHA_TAG_RE = /^(?:sha-)?(?=[0-9a-f]*[a-f])[0-9a-f]{7,40}$/;
/** True for a tag that names a git commit: 7–40 lowercase hex with a letter, optionally `sha-`-prefixed. */
function isCommitShaTag(tag) {
    return COMMIT_SHA_TAG_RE.test(tag);
}
function globToRegexSource(glob) {
    return glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*');
}
function compilePattern(pattern) {
    let p = pattern.trim();
    if (p === '')
        return undefined;
    if (p === '**')
        return { pattern, name: /^/, all: true };
    let digest;
    const at = p.indexOf('@');
    if (at !== -1) {
        digest = p.slice(at + 1);
        p = p.slice(0, at);
    }
    let tag;
    const colon = p.lastIndexOf(':');
    if (colon !== -1 && colon > p.lastIndexOf('/')) {
        tag = p.slice(colon + 1);
        p = p.slice(0, colon);
    }
    // Domain normalisation as for references (a segment with a wildcard is a domain only if it has `.` or `:`).
    const slash = p.indexOf('/');
    let domain = DEFAULT_DOMAIN;
    let path = p;
    if (slash !== -1) {
        const first = p.slice(0, slash);
        if (first === 'localhost' || /[.:]/.test(first) || (first.toLowerCase() !== first && !first.includes('*'))) {
            domain = first.toLowerCase() === 'index.docker.io' ? DEFAULT_DOMAIN : first;
            path = p.slice(slash + 1);
        }
    }
    if (domain === DEFAULT_DOMAIN && !path.includes('/') && path !== '**')
        path = `library/${path}`;
    const segs = path.split('/');
    let src = '';
    segs.forEach((seg, i) => {
        const last = i === segs.length - 1;
        if (seg === '**')
            src += last ? '(?:/[^/]+)+' : '(?:/[^/]+)*';
        else
            src += `/${globToRegexSource(seg)}`;
    });
    const compiled = {
        pattern,
        name: new RegExp(`^${globToRegexSource(domain.toLowerCase())}${src}$`),
        all: false
    };
    if (tag !== undefined)
        compiled.tag = new RegExp(`^${globToRegexSource(tag)}$`);
    if (digest !== undefined)
        compiled.digest = digest;
    return compiled;
}
const patternCache = new Map();
function compiled(pattern) {
    if (patternCache.has(pattern))
        return patternCache.get(pattern);
    const c = compilePattern(pattern);
    if (patternCache.size > 1000)
        patternCache.clear();
    patternCache.set(pattern, c);
    return c;
}
function matchCompiled(ref, c) {
    if (c.all)
        return true;
    if (!c.name.test(`${ref.domain.toLowerCase()}/${ref.path}`))
        return false;
    if (c.tag && (ref.tag === undefined || !c.tag.test(ref.tag)))
        return false;
    if (c.digest !== undefined && ref.digest !== c.digest)
        return false;
    return true;
}
function sha256Digest(ref) {
    return ref.digest !== undefined && ref.digest.startsWith('sha256:');
}
function judge(ref, policy) {
    const digestNote = ref.digest && !sha256Digest(ref) ? ` (digest ${ref.digest.split(':')[0]} is not sha256)` : '';
    switch (policy) {
        case 'off':
            return { ok: true, reason: 'image policy is off' };
        case 'digest':
            if (sha256Digest(ref))
                return { ok: true, reason: 'pinned by sha256 digest' };
            return { ok: false, reason: `not pinned by a sha256 digest${digestNote}` };
        case 'sha':
            if (sha256Digest(ref))
                return { ok: true, reason: 'pinned by sha256 digest' };
            if (ref.tag !== undefined && isCommitShaTag(ref.tag))
                return { ok: true, reason: `tag ${ref.tag} is a commit SHA` };
            if (ref.tag === undefined)
                return { ok: false, reason: `no tag and no sha256 digest (means latest)${digestNote}` };
            return { ok: false, reason: `tag ${ref.tag} is neither a sha256 digest nor a commit SHA${digestNote}` };
        case 'no-latest':
            if (ref.digest !== undefined)
                return { ok: true, reason: 'pinned by digest' };
            if (ref.tag === undefined)
                return { ok: false, reason: 'no tag (means latest)' };
            if (ref.tag === 'latest')
                return { ok: false, reason: 'tag is latest' };
            return { ok: true, reason: `tagged ${ref.tag}` };
    }
}
/** Applies the policy and the allowlist to every use. */
function checkImages(uses, policy, allowlist) {
    const patterns = allowlist.map(compiled).filter((c) => c !== undefined);
    const cache = new Map();
    return uses.map((use) => {
        let v = cache.get(use.image);
        if (!v) {
            v = verdictFor(use.image, policy, patterns);
            cache.set(use.image, v);
        }
        return { use, ...v };
    });
}
function verdictFor(image, policy, patterns) {
    let ref;
    try {
        ref = parseImageRef(image);
    }
    catch (e) {
        if (policy === 'off')
            return { ok: true, reason: 'image policy is off' };
        const reason = image.trim() === '' ? 'image is empty' : e instanceof ImageRefError ? e.reason : String(e);
        return { ok: false, reason };
    }
    const j = judge(ref, policy);
    if (!j.ok) {
        const allowed = patterns.find((p) => matchCompiled(ref, p));
        if (allowed)
            return { ref, ok: true, reason: `allowed by pattern ${allowed.pattern}`, allowedBy: allowed.pattern };
    }
    return { ref, ...j };
}
/** Failing verdicts grouped by image reference (normalized), in order of first use. */
function groupFailing(verdicts) {
    const groups = new Map();
    for (const v of verdicts) {
        if (v.ok)
            continue;
        const key = v.ref ? v.ref.canonical : `raw:${v.use.image}`;
        const list = groups.get(key);
        if (list)
            list.push(v);
        else
            groups.set(key, [v]);
    }
    return [...groups.values()];
}

/** The default of input `kubernetes-version`. */
const DEFAULT_KUBERNETES_VERSION = '1.36';
/** The oldest release accepted (every removal the table knows happened after it). */
const OLDEST_MINOR = 16;
/** `1.36`, `v1.36`, `1.36.2`, `v1.36.2` → KubeVersion; undefined when it is none of those (or older than 1.16). */
function parseKubeVersion(text) {
    const match = /^v?1\.(\d{1,3})(?:\.(\d{1,4}))?$/.exec(text.trim());
    if (!match)
        return undefined;
    const minor = Number(match[1]);
    if (minor < OLDEST_MINOR)
        return undefined;
    return { text: `v1.${minor}.${match[2] ?? '0'}`, minor };
}
const WORKLOADS = ['Deployment', 'DaemonSet', 'ReplicaSet', 'StatefulSet', 'ControllerRevision'];
const API_CHANGES = [
    {
        apiVersion: 'extensions/v1beta1',
        kinds: ['Deployment', 'DaemonSet', 'ReplicaSet', 'NetworkPolicy', 'PodSecurityPolicy'],
        deprecatedIn: 9,
        removedIn: 16,
        replacement: {
            Deployment: 'apps/v1',
            DaemonSet: 'apps/v1',
            ReplicaSet: 'apps/v1',
            NetworkPolicy: 'networking.k8s.io/v1',
            PodSecurityPolicy: 'policy/v1beta1'
        }
    },
    { apiVersion: 'apps/v1beta1', kinds: WORKLOADS, deprecatedIn: 9, removedIn: 16, replacement: 'apps/v1' },
    { apiVersion: 'apps/v1beta2', kinds: WORKLOADS, deprecatedIn: 9, removedIn: 16, replacement: 'apps/v1' },
    {
        apiVersion: 'extensions/v1beta1',
        kinds: ['Ingress'],
        deprecatedIn: 14,
        removedIn: 22,
        replacement: 'networking.k8s.io/v1'
    },
    {
        apiVersion: 'admissionregistration.k8s.io/v1beta1',
        kinds: ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'],
        deprecatedIn: 16,
        removedIn: 22,
        replacement: 'admissionregistration.k8s.io/v1'
    },
    {
        apiVersion: 'apiextensions.k8s.io/v1beta1',
        kinds: ['CustomResourceDefinition'],
        deprecatedIn: 16,
        removedIn: 22,
        replacement: 'apiextensions.k8s.io/v1'
    },
    {
        apiVersion: 'apiregistration.k8s.io/v1beta1',
        kinds: ['APIService'],
        deprecatedIn: 19,
        removedIn: 22,
        replacement: 'apiregistration.k8s.io/v1'
    },
    {
        apiVersion: 'authentication.k8s.io/v1beta1',
        kinds: ['TokenReview'],
        deprecatedIn: 19,
        removedIn: 22,
        replacement: 'authentication.k8s.io/v1'
    },
    {
        apiVersion: 'authorization.k8s.io/v1beta1',
        kinds: ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview'],
        deprecatedIn: 19,
        removedIn: 22,
        replacement: 'authorization.k8s.io/v1'
    },
    {
        apiVersion: 'certificates.k8s.io/v1beta1',
        kinds: ['CertificateSigningRequest'],
        deprecatedIn: 19,
        removedIn: 22,
        replacement: 'certificates.k8s.io/v1'
    },
    {
        apiVersion: 'coordination.k8s.io/v1beta1',
        kinds: ['Lease'],
        deprecatedIn: 19,
        removedIn: 22,
        replacement: 'coordination.k8s.io/v1'
    },
    {
        apiVersion: 'networking.k8s.io/v1beta1',
        kinds: ['Ingress', 'IngressClass'],
        deprecatedIn: 19,
        removedIn: 22,
        replacement: 'networking.k8s.io/v1'
    },
    {
        apiVersion: 'rbac.authorization.k8s.io/v1beta1',
        kinds: ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
        deprecatedIn: 17,
        removedIn: 22,
        replacement: 'rbac.authorization.k8s.io/v1'
    },
    {
        apiVersion: 'scheduling.k8s.io/v1beta1',
        kinds: ['PriorityClass'],
        deprecatedIn: 14,
        removedIn: 22,
        replacement: 'scheduling.k8s.io/v1'
    },
    {
        apiVersion: 'storage.k8s.io/v1beta1',
        kinds: ['CSIDriver', 'CSINode', 'StorageClass', 'VolumeAttachment'],
        deprecatedIn: 19,
        removedIn: 22,
        replacement: 'storage.k8s.io/v1'
    },
    { apiVersion: 'batch/v1beta1', kinds: ['CronJob'], deprecatedIn: 21, removedIn: 25, replacement: 'batch/v1' },
    {
        apiVersion: 'discovery.k8s.io/v1beta1',
        kinds: ['EndpointSlice'],
        deprecatedIn: 21,
        removedIn: 25,
        replacement: 'discovery.k8s.io/v1'
    },
    {
        apiVersion: 'events.k8s.io/v1beta1',
        kinds: ['Event'],
        deprecatedIn: 19,
        removedIn: 25,
        replacement: 'events.k8s.io/v1'
    },
    {
        apiVersion: 'autoscaling/v2beta1',
        kinds: ['HorizontalPodAutoscaler'],
        deprecatedIn: 23,
        removedIn: 25,
        replacement: 'autoscaling/v2'
    },
    {
        apiVersion: 'policy/v1beta1',
        kinds: ['PodDisruptionBudget'],
        deprecatedIn: 21,
        removedIn: 25,
        replacement: 'policy/v1'
    },
    {
        apiVersion: 'policy/v1beta1',
        kinds: ['PodSecurityPolicy'],
        deprecatedIn: 21,
        removedIn: 25,
        replacement: 'nothing: use Pod Security Admission (namespace labels)'
    },
    {
        apiVersion: 'node.k8s.io/v1beta1',
        kinds: ['RuntimeClass'],
        deprecatedIn: 20,
        removedIn: 25,
        replacement: 'node.k8s.io/v1'
    },
    {
        apiVersion: 'autoscaling/v2beta2',
        kinds: ['HorizontalPodAutoscaler'],
        deprecatedIn: 23,
        removedIn: 26,
        replacement: 'autoscaling/v2'
    },
    {
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta1',
        kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
        deprecatedIn: 23,
        removedIn: 26,
        replacement: 'flowcontrol.apiserver.k8s.io/v1'
    },
    {
        apiVersion: 'storage.k8s.io/v1beta1',
        kinds: ['CSIStorageCapacity'],
        deprecatedIn: 24,
        removedIn: 27,
        replacement: 'storage.k8s.io/v1'
    },
    {
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta2',
        kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
        deprecatedIn: 26,
        removedIn: 29,
        replacement: 'flowcontrol.apiserver.k8s.io/v1'
    },
    {
        apiVersion: 'flowcontrol.apiserver.k8s.io/v1beta3',
        kinds: ['FlowSchema', 'PriorityLevelConfiguration'],
        deprecatedIn: 29,
        removedIn: 32,
        replacement: 'flowcontrol.apiserver.k8s.io/v1'
    },
    {
        apiVersion: 'v1',
        kinds: ['Endpoints'],
        deprecatedIn: 33,
        replacement: { Endpoints: 'discovery.k8s.io/v1 EndpointSlice' }
    }
];
/** Whether `apiVersion` `kind` is removed or deprecated in `version`; undefined when it is neither. */
function apiStatus(apiVersion, kind, version) {
    for (const change of API_CHANGES) {
        if (change.apiVersion !== apiVersion || !change.kinds.includes(kind))
            continue;
        if (version.minor < change.deprecatedIn)
            return undefined;
        const replacement = typeof change.replacement === 'string' ? change.replacement : (change.replacement[kind] ?? 'a served version');
        const out = {
            status: change.removedIn !== undefined && version.minor >= change.removedIn ? 'removed' : 'deprecated',
            replacement,
            deprecatedIn: `1.${change.deprecatedIn}`
        };
        if (change.removedIn !== undefined)
            out.removedIn = `1.${change.removedIn}`;
        return out;
    }
    return undefined;
}

// Every input is read and validated here, once, into a typed object; nothing
// else in the action calls core.getInput.
const defaultReader = (name) => getInput(name);
function lines(text) {
    return text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== '' && !line.startsWith('#'));
}
function boolean(read, name, fallback) {
    const raw = read(name).trim().toLowerCase();
    if (raw === '')
        return fallback;
    if (['true', 'yes', '1', 'on'].includes(raw))
        return true;
    if (['false', 'no', '0', 'off'].includes(raw))
        return false;
    throw new ActionError(`input ${name}: "${raw}" is not a boolean`, `set ${name} to true or false`, {
        input: name,
        value: read(name).trim()
    });
}
function oneOf(read, name, allowed, fallback) {
    const raw = read(name).trim().toLowerCase();
    if (raw === '')
        return fallback;
    if (allowed.includes(raw))
        return raw;
    throw new ActionError(`input ${name}: "${raw}" is not one of ${allowed.join(', ')}`, `set ${name} to one of ${allowed.join(', ')}`, { input: name, value: read(name).trim() });
}
/**
 * Input version: `v1.2.3` (how release tags are written) is read as `1.2.3`, the chart version Helm and OCI tags
 * need, with a notice saying so; anything else is taken as given (the run settings check it is semver).
 */
function versionInput(text) {
    const value = text.trim();
    const bare = /^v(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)$/.exec(value);
    if (!bare)
        return value;
    notice(`input version: "${value}" is read as ${bare[1]} (a chart version has no "v"; the OCI tag is ${bare[1].replace(/\+/g, '_')})`);
    return bare[1];
}
/** Input kubernetes-version: `1.36`, `v1.33.2` (1.16 or later); empty: the default. */
function readKubernetesVersion(raw) {
    const text = raw.trim() || DEFAULT_KUBERNETES_VERSION;
    const version = parseKubeVersion(text);
    if (!version)
        throw new ActionError(`input kubernetes-version: "${text}" is not a Kubernetes release like 1.36 or v1.33.2 (1.16 or later)`, `set kubernetes-version to the minor your clusters run, e.g. ${DEFAULT_KUBERNETES_VERSION}`);
    return version;
}
/** Keeps a path inside the workspace: inputs name folders of the repository, never elsewhere. */
function workspacePath(workspace, name, value) {
    const normalized = require$$2.normalize(value).replace(/\/+$/, '');
    const absolute = require$$2.resolve(workspace, normalized);
    const relative = require$$2.relative(workspace, absolute);
    if (relative.startsWith('..') || require$$2.isAbsolute(relative)) {
        throw new ActionError(`input ${name}: "${value}" is outside the workspace ${workspace}`, `give ${name} as a path inside the repository`, { input: name, value });
    }
    return relative === '' ? '.' : relative;
}
/**
 * The registry input without a trailing slash. Credentials in it
 * (`oci://user:token@host`) are masked before anything else is logged, then
 * refused with a message that never quotes them.
 */
function checkRegistry(text) {
    const registry = text.trim().replace(/\/+$/, '');
    const userinfo = urlUserinfo(registry);
    if (userinfo === undefined)
        return registry;
    const password = userinfo.includes(':') ? userinfo.slice(userinfo.indexOf(':') + 1) : userinfo;
    for (const secret of [userinfo, password, safeDecode(password)])
        registerSecret(secret);
    throw new ActionError(`input registry: ${withoutUserinfo(registry)} has credentials in the URL (user:password@); credentials in URLs would reach logs`, 'remove user:password@ from registry and set the registry-username and registry-password inputs (from secrets) instead');
}
function safeDecode(text) {
    try {
        return decodeURIComponent(text);
    }
    catch {
        return text;
    }
}
function parseMirrors(text) {
    const mirrors = [];
    for (const [index, raw] of text.split(/\r?\n/).entries()) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#'))
            continue;
        // Checked before anything else, so that no message ever quotes the password.
        if (withoutUserinfo(line) !== line) {
            throw new ActionError(`input repository-mirrors: line ${index + 1} (${withoutUserinfo(line)}) has credentials in a URL (user:password@); credentials in URLs would reach logs`, 'remove user:password@ from the URL and set the dependency-username and dependency-password inputs instead');
        }
        const at = line.indexOf('=');
        const from = line.slice(0, at).trim().replace(/\/+$/, '');
        const to = line
            .slice(at + 1)
            .trim()
            .replace(/\/+$/, '');
        if (at <= 0 || !/^(https?|oci):\/\/\S+$/.test(from) || !/^(https?|oci):\/\/\S+$/.test(to)) {
            throw new ActionError(`input repository-mirrors: "${line}" is not of the form <repository URL>=<mirror URL>`, 'write one mirror a line, e.g. https://go.temporal.io/helm-charts=https://charts.mirror.example/temporal');
        }
        mirrors.push({ from, to });
    }
    return mirrors;
}
const DEFAULT_HELM_DOWNLOAD_URL = 'https://get.helm.sh';
/**
 * A service URL an input names: https://, or plain http:// only to a loopback host (tests, a local mirror or
 * stand-in): over plain http anyone on the path could answer in the service's place. No credentials in it: they
 * would reach logs. `example` is what the error suggests instead.
 */
function serviceUrl(input, text, example) {
    const value = text.trim().replace(/\/+$/, '');
    let url;
    try {
        url = new URL(value);
    }
    catch {
        url = undefined;
    }
    const shown = withoutUserinfo(value);
    if (url && (url.username || url.password)) {
        throw new ActionError(`input ${input}: "${shown}" has credentials in the URL; they would reach logs`, 'use a URL that needs no credentials in it');
    }
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
        throw new ActionError(`input ${input}: "${shown}" is not an https:// URL`, `set ${input} to ${example}`);
    }
    if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
        throw new ActionError(`input ${input}: "${shown}" uses plain http to ${url.host}, which is not a loopback host`, 'use https://; plain http is only accepted for 127.0.0.1, ::1 or localhost');
    }
    return value;
}
/** Base URL Helm tarballs (and their .sha256sum) are downloaded from (a mirror). */
function parseHelmDownloadUrl(text) {
    return serviceUrl('helm-download-url', text.trim() || DEFAULT_HELM_DOWNLOAD_URL, 'an https:// mirror of https://get.helm.sh');
}
/**
 * Inputs fulcio-url, tsa-url, rekor-url: a private Sigstore instance. Fulcio issues the certificate; a bundle
 * also needs a timestamp (tsa-url) or a transparency log entry (rekor-url) to verify after the certificate's ten
 * minutes, so fulcio-url goes with at least one of them, and neither means anything without fulcio-url.
 */
function parseSigstoreUrls(read) {
    const [fulcio, tsa, rekor] = ['fulcio-url', 'tsa-url', 'rekor-url'].map((input) => {
        const text = read(input).trim();
        return text ? serviceUrl(input, text, `the https:// base URL of your Sigstore instance's service`) : '';
    });
    if (!fulcio && (tsa || rekor))
        throw new ActionError(`input ${tsa ? 'tsa-url' : 'rekor-url'} is set without fulcio-url`, 'a private Sigstore instance needs fulcio-url (the certificate authority) too; or remove it to use the instance @actions/attest would choose');
    if (fulcio && !tsa && !rekor)
        throw new ActionError('input fulcio-url is set without tsa-url or rekor-url', 'set tsa-url (a timestamp authority) or rekor-url (a transparency log) of the same instance: a bundle needs one to verify');
    return { fulcio, tsa, rekor };
}
/** Input helm-download-url, checked now; a refusal is raised only if a download is needed. */
function readHelmDownloadUrl(text) {
    try {
        return { url: parseHelmDownloadUrl(text) };
    }
    catch (error) {
        if (!(error instanceof ActionError))
            throw error;
        return { url: withoutUserinfo(text.trim()), refusal: error };
    }
}
function parseAllowlist(text) {
    return lines(text).map((line) => {
        const hash = line.indexOf(' #');
        const pattern = (hash >= 0 ? line.slice(0, hash) : line).trim();
        const reason = hash >= 0 ? line.slice(hash + 2).trim() : '';
        return { pattern, reason: reason || 'allow-listed' };
    });
}
/** Input image-fields: one `apiVersion/Kind:path` a line (images/images.ts parseImageField). */
function parseImageFields(text) {
    return lines(text).map((line) => {
        const field = parseImageField(line);
        if (!field) {
            throw new ActionError(`input image-fields: "${line}" is not apiVersion/Kind:path`, 'write one field a line, e.g. example.com/v1/Runner:spec.runner.image (group/* for every version, name[] for every element of a list)');
        }
        return field;
    });
}
function parseToggleOverrides(text) {
    const include = [];
    const exclude = [];
    for (const line of lines(text)) {
        if (line.startsWith('!'))
            exclude.push(line.slice(1).trim());
        else
            include.push(line);
    }
    return { include, exclude };
}
function parseSetValues(text) {
    return lines(text).map((line) => {
        if (!/^[^=\s]+=/.test(line)) {
            throw new ActionError(`input set: "${line}" is not key=value`, 'write one key=value a line, e.g. temporal.server.replicaCount=1');
        }
        return line;
    });
}
/**
 * Input set-secret: `key=value` lines whose values are secrets. Every value
 * (and a malformed line as a whole) is masked before anything else happens,
 * and no message quotes one.
 */
function parseSecretValues(text) {
    const entries = [];
    for (const [index, raw] of text.split(/\r?\n/).entries()) {
        const line = raw.trim();
        if (line === '')
            continue;
        const at = line.indexOf('=');
        if (at <= 0 || /\s/.test(line.slice(0, at))) {
            registerSecret(line);
            throw new ActionError(`input set-secret: line ${index + 1} is not key=value (the line is not shown: it may hold a secret)`, 'write one key=value a line, e.g. temporal.server.config.persistence.default.sql.password=${{ secrets.DB_PASSWORD }}');
        }
        const value = line.slice(at + 1);
        registerSecret(value);
        entries.push({ key: line.slice(0, at), value });
    }
    return entries;
}
function getInputs(read = defaultReader, env = process.env) {
    // Masked before any other input is read, so that no error below can show one.
    const setSecretValues = parseSecretValues(read('set-secret'));
    const workspace = require$$2.resolve(env.GITHUB_WORKSPACE || process.cwd());
    const blueprint = workspacePath(workspace, 'blueprint', read('blueprint').trim() || 'platform/temporal');
    const chartRaw = read('chart').trim();
    const chart = workspacePath(workspace, 'chart', chartRaw || require$$2.join(blueprint, 'chart'));
    const registry = checkRegistry(read('registry'));
    if (registry && !registry.startsWith('oci://')) {
        throw new ActionError(`input registry: "${registry}" is not an oci:// URL`, 'set registry to e.g. oci://ghcr.io/<owner>', { input: 'registry', value: registry });
    }
    const helmVersion = read('helm-version').trim();
    if (helmVersion && !/^v?\d+\.\d+\.\d+$/.test(helmVersion)) {
        throw new ActionError(`input helm-version: "${helmVersion}" is not a version like v3.17.2`, 'set helm-version to an exact Helm release, e.g. v3.17.2', { input: 'helm-version', value: helmVersion });
    }
    const imagePolicy = oneOf(read, 'image-policy', IMAGE_POLICIES, 'sha');
    return {
        mode: oneOf(read, 'mode', ['run', 'discover'], 'run'),
        workspace,
        blueprint,
        chart,
        // Empty: decided from the chart (values.yaml catalystBlueprint.upstream.chart, else the only non-library dependency).
        upstream: read('upstream').trim(),
        upstreamVersion: read('upstream-version').trim(),
        repositoryMirrors: parseMirrors(read('repository-mirrors')),
        registry,
        registryUsername: read('registry-username').trim(),
        registryPassword: read('registry-password'),
        dependencyUsername: read('dependency-username').trim(),
        dependencyPassword: read('dependency-password'),
        push: oneOf(read, 'push', ['auto', 'true', 'false'], 'auto'),
        version: versionInput(read('version')),
        versionFromTag: boolean(read, 'version-from-tag', false),
        overwrite: boolean(read, 'overwrite', false),
        helmVersion: helmVersion && !helmVersion.startsWith('v') ? `v${helmVersion}` : helmVersion,
        // Checked when a download happens (helm-install.ts): a runner with helm
        // already in place never contacts it, whatever it says.
        helmDownloadUrl: readHelmDownloadUrl(read('helm-download-url')),
        plainHttp: boolean(read, 'plain-http', false),
        valuesFiles: lines(read('values')).map((file) => workspacePath(workspace, 'values', file)),
        setValues: parseSetValues(read('set')),
        setSecretValues,
        lintValues: read('lint-values').trim(),
        observabilityToggles: parseToggleOverrides(read('observability-toggles')),
        imagePolicy,
        imageAllowlist: parseAllowlist(read('image-allowlist')),
        imageFields: parseImageFields(read('image-fields')),
        neverLatest: oneOf(read, 'never-latest', ['error', 'warning', 'off'], 'error'),
        kubernetesVersion: readKubernetesVersion(read('kubernetes-version')),
        crds: lines(read('crds')).map((glob) => {
            workspacePath(workspace, 'crds', glob.replace(/[*?[{].*$/, '') || '.');
            return glob;
        }),
        missingSchemas: oneOf(read, 'missing-schemas', ['warning', 'error', 'off'], 'warning'),
        resolveDigests: boolean(read, 'resolve-digests', false),
        chartTests: boolean(read, 'chart-tests', true),
        commentMode: oneOf(read, 'comment-mode', ['update', 'recreate', 'on-failure', 'off'], 'update'),
        summary: oneOf(read, 'summary', ['always', 'on-failure', 'off'], 'always'),
        githubToken: read('github-token').trim(),
        discoverGlob: lines(read('discover-glob')),
        dependents: boolean(read, 'dependents', false),
        diff: oneOf(read, 'diff', ['auto', 'true', 'false'], 'auto'),
        timeoutMs: parseDuration(read('timeout').trim() || DEFAULT_TIMEOUT),
        attest: oneOf(read, 'attest', ['auto', 'true', 'false'], 'auto'),
        sigstoreUrls: parseSigstoreUrls(read)
    };
}

// The runner's folders, with a fallback: outside a GitHub runner (a local run,
// a container without RUNNER_TEMP) the action still works, in a folder of its
// own in the OS temp folder (not the bare temp folder: the report, the SBOM and
// the diff file stay together, and away from other programs' files).
function isDirectory(dir) {
    if (!dir)
        return false;
    try {
        return require$$4.statSync(dir).isDirectory();
    }
    catch {
        return false;
    }
}
/**
 * Points RUNNER_TEMP (and RUNNER_TOOL_CACHE, which the tool cache needs) at
 * existing folders: `<tmp>/blueprint-action` (and its `tool-cache`) when either
 * is unset or missing, so that everything reading them (the work folder, the
 * report, the SBOM, the diff file, the helm download) finds a place to write.
 * Returns the folder used for RUNNER_TEMP.
 */
function ensureRunnerFolders(env = process.env, tmp = require$$0$1.tmpdir()) {
    const own = require$$2.join(tmp, ACTION_NAME);
    if (!isDirectory(env.RUNNER_TEMP)) {
        require$$4.mkdirSync(own, { recursive: true, mode: 0o700 });
        env.RUNNER_TEMP = own;
    }
    if (!isDirectory(env.RUNNER_TOOL_CACHE)) {
        require$$4.mkdirSync(require$$2.join(own, 'tool-cache'), { recursive: true, mode: 0o700 });
        env.RUNNER_TOOL_CACHE = require$$2.join(own, 'tool-cache');
    }
    return env.RUNNER_TEMP;
}

// Stage: what every run does first: the runner's folders (RUNNER_TEMP, RUNNER_TOOL_CACHE, with fallbacks), the
// inputs read and validated once, the run's time budget and watchdog (input `timeout`), and every secret input
// registered with the runner's masker before anything is logged.
/** Throws an ActionError naming the input when one is not valid. */
function startRun() {
    // Before any input is read: from here on nothing reaches the log unredacted.
    redactStandardOutput();
    const outputDir = ensureRunnerFolders();
    const inputs = getInputs();
    const budget = startRunBudget(inputs.timeoutMs);
    armWatchdog(inputs.timeoutMs);
    for (const secret of [inputs.registryPassword, inputs.dependencyPassword, inputs.githubToken])
        registerSecret(secret);
    return { inputs, budget, outputDir };
}

// The action, in the order it runs: the runner's folders and the inputs (secrets registered first, the time
// budget started) → discover mode, or one blueprint's run (blueprint-run.ts: load → prepare → dependency
// build → gates and package → publish → SBOM) → the report out (emit.ts: outputs, annotations, job summary,
// PR comment) → the failure line. Each stage lives in src/run/ and returns its results. Loaded by main.ts
// once the question of helm's version is on its way.
async function runAction() {
    try {
        const { inputs, budget, outputDir } = startRun();
        // Beside the pipeline's start (the blueprint's files, the work copy, the index fetch), when provisioning will
        // need it; not beside the loading of the code, which is memory-heavy like helm's start: on 2 vCPUs the two
        // slowed each other more than the overlap gained (bench/README.md: X/A 0.95–0.98 on the light shapes).
        if (inputs.mode !== 'discover')
            startPathHelmProbe(inputs.helmVersion);
        const event = readEventContext();
        if (inputs.mode === 'discover') {
            // Its own chunk of dist/: a blueprint's run loads it only for the rendered diff's git helpers.
            const { discoverBlueprints } = await import('./discover.js');
            const result = await discoverBlueprints({
                workspace: inputs.workspace,
                eventName: event.eventName,
                payload: event.payload,
                globs: inputs.discoverGlob.length ? inputs.discoverGlob : undefined,
                registry: inputs.registry || undefined,
                dependents: inputs.dependents
            });
            info(`${result.blueprints.length} blueprint(s): ${result.blueprints.join(', ') || 'none'} (${result.reason})`);
            if (result.waves.length > 1) {
                info(`release order: ${result.waves.map((wave, i) => `wave ${i}: ${wave.include.map((e) => e.blueprint).join(', ')}`).join('; ')}`);
            }
            for (const folder of result.unnameable ?? []) {
                warning(`discover: blueprint folder ${JSON.stringify(folder)} is left out: its name holds a backslash, which input blueprint reads as a path separator. Fix: rename the folder without \\`);
            }
            const outputs = discoverOutputs(result);
            for (const warning$1 of discoverWarnings(result.blueprints, outputs))
                warning(warning$1);
            writeOutputs(outputs);
            return;
        }
        const run = await validateBlueprint({ inputs, event, budget, outputDir });
        if (!run)
            return;
        // Its own chunk of dist/, usually loaded already (run/chart-steps.ts, during the dependency build).
        const { emitReport } = await import('./emit.js');
        const emitted = await emitReport(run.report, inputs, event, outputDir);
        await run.cleanup();
        if (run.report.status === 'failed')
            setFailed(failureLine(run.report, emitted));
    }
    catch (error) {
        failAction(error);
    }
}

var action = /*#__PURE__*/Object.freeze({
    __proto__: null,
    runAction: runAction
});

export { blueprintName as $, ACTION_NAME as A, loadBlueprint as B, exists as C, prepareWorkChart as D, buildDependencies as E, lastLines as F, parseRenderAsHelm as G, Helm as H, compareNatural as I, mapStringsDeep as J, yamlLibrary as K, extractImages as L, require$$4 as M, createHelmHome as N, OPERATION_LIMITS as O, parseYamlText as P, tryParseImageRef as Q, RegistryClient as R, compareCodePoints as S, scanImages as T, checkImages as U, groupFailing as V, segmentMatcher as W, loadYamlFile as X, splitRenderBySource as Y, parseRenderDetailed as Z, _builtin_child_process as _, reportSubject as a, MAX_YAML_BYTES as a0, apiStatus as a1, isLoopbackHost as a2, HELM_CHART_LAYER as a3, withRetry as a4, ociTag as a5, indexWorkspace as a6, chartRef as a7, parseVersion as a8, compareVersions as a9, PR_EVENTS as aa, MANIFEST_PATHS as ab, require$$1$2 as ac, parseYamlDocument as ad, cleanAsYaml11 as ae, isStrictSemver as af, parseCleanYaml11 as ag, withProgress as ah, DeadlineError as ai, RegistryError as aj, isExactVersion as ak, http as al, require$$1$3 as am, isDebug as an, require$$1 as ao, applyMirrors as ap, fetchChartArchive as aq, normalizeDigest as ar, sha256Digest$1 as as, parseOciReference as at, plainHttpFor as au, maxSatisfying as av, copyChartFolder as aw, action as ax, require$$1$1 as b, require$$2 as c, redactDeep as d, require$$0$1 as e, formatDuration as f, error as g, debug as h, info as i, isRecord as j, writeOutputs as k, runOutputs as l, httpExchange as m, notice as n, ActionError as o, require$$0 as p, chartRepository as q, redact as r, summary as s, describeNetworkError as t, operationLimit as u, errorLine as v, warning as w, registerSecret as x, timeLeft as y, lastLine as z };
