import { r as require$1 } from './chunks/_builtin-require.js';
import 'node:module';

var _builtin_child_process = require$1("node:child_process");

var require$$4 = require$1("node:fs");

var require$$2 = require$1("node:path");

var require$$1 = require$1("node:util");

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

// The helm on PATH, and the early question of its version. Helm 3's official builds record neither their
// version nor their tag in the Go build information (go-buildinfo.ts), so `helm version` has to run, a whole helm
// start (~45 ms of CPU with GOGC off) on the way to the dependency build. main.ts starts it as soon as the pipeline's
// code has loaded, beside the pipeline's start (not beside the loading: the two slowed each other on 2 vCPUs).
// Node built-ins and go-buildinfo only: this module is in the small first chunk of dist/.
const execFileAsync = require$$1.promisify(_builtin_child_process.execFile);
/** `helm version` processes started early, by binary; each is taken once (helm-install.ts). */
const earlyProbes = new Map();
/** What `<binary> version` prints as the version, or undefined when it does not run. */
async function versionOf(binary) {
    try {
        const { stdout } = await execFileAsync(binary, ['version', '--template', '{{.Version}}'], {
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
 * Starts `helm version` for the helm on PATH when its build does not record the version. Whatever the inputs say
 * (they are not read yet): when they want another helm, the answer is not used, at the cost of one process beside
 * the pipeline's start.
 */
function startPathHelmProbe() {
    const binary = findOnPath('helm');
    if (!binary || earlyProbes.has(binary) || readHelmBuildInfo(binary).version !== undefined)
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

// The action's entry: the pipeline loaded (run/action.ts, a chunk of its own: dist/chunks/action.js), helm's version
// asked as soon as it has (helm/path-helm.ts: Helm 3 must run `helm version`), then the pipeline run (inputs → one
// blueprint's run or discover → the report). The question runs beside the pipeline's start (the inputs, the work copy,
// the index fetch), not beside the loading: the loading is memory-heavy work like helm's start, and on 2 vCPUs the
// two slowed each other more than the overlap gained (bench/README.md: X/A 0.95–0.98 on the light shapes).
async function run() {
    let runAction;
    try {
        ;
        ({ runAction } = await import('./chunks/action.js').then(function (n) { return n.aG; }));
    }
    catch (error) {
        // Not through @actions/core: it is part of what did not load.
        process.exitCode = 1;
        process.stdout.write(`::error::the action's code did not load (dist/ incomplete?): ${String(error)}\n`);
        return;
    }
    startPathHelmProbe();
    await runAction();
}

// Entry point of the bundled action: everything happens in run().
void run();

export { _builtin_child_process as _, require$$1 as a, require$$2 as b, readHelmBuildInfo as c, findOnPath as f, goRuntimeEnv as g, pathHelmVersion as p, require$$4 as r, versionOf as v };
