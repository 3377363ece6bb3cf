import { o as ActionError, c as require$$2, p as require$$0, M as require$$4, ac as require$$1, ad as parseYamlDocument, ae as cleanAsYaml11, b as require$$1$1, af as isStrictSemver, ag as parseCleanYaml11, K as yamlLibrary, F as lastLines, r as redact, i as info, a8 as parseVersion, a5 as ociTag, a7 as chartRef, ah as withProgress, ai as DeadlineError, aj as RegistryError, u as operationLimit, e as require$$0$1 } from './action.js';
import { r as require$$3 } from './_builtin_zlib.js';

// Pure-Node tools for Helm chart archives (`.tgz`): list entries, read one file,
// make an archive reproducible (normalizeTgz) and write one as helm does (writeHelmTgz).
// Hand-written, not tar-stream: the archive must be helm's bytes, and tar-stream writes other headers
// (its headers.js: octal fields "000644 \0" where Go writes "0000644\0"; a long name's prefix takes the fewest
// folders where Go's takes the most), so the same files would get another layer digest; node-package.test.ts
// compares the bytes written here with helm's.
//
// What Helm writes (3.17 and 4.1, checked with real binaries): a gzip stream whose
// header carries MTIME 0, OS 255, an EXTRA field with Helm's marker and the comment
// "Helm"; inside, a ustar tar (magic "ustar\0", version "00") with regular-file
// entries only (no directory entries), mode 0644, uid/gid 0, empty uname/gname,
// and each header's mtime set to the time of `helm package` (not the file's own
// mtime). No PAX headers for ordinary ASCII names; Go's archive/tar adds a PAX
// 'x' header for names over 100 bytes that cannot be split into prefix/name, or for
// non-ASCII names. The archive ends with two zero blocks (no padding to 10 KiB).
const gunzipAsync = require$$1.promisify(require$$3.gunzip);
const deflateRawAsync = require$$1.promisify(require$$3.deflateRaw);
const BLOCK = 512;
/** Refuse to inflate archives bigger than this (a chart is a few MiB at most). */
const MAX_TAR_BYTES = 1024 * 1024 * 1024;
/** Lists entry names (regular files and directories) in archive order. */
async function listTgz(file) {
    const tar = await readTar(file);
    const names = [];
    for (const e of parseTar(tar, file)) {
        if (isRegular(e.type) || e.type === '5')
            names.push(e.name);
    }
    return names;
}
/** Returns the content of one regular file of the archive, or undefined when absent. */
async function readTgzFile(file, entry) {
    const tar = await readTar(file);
    const wanted = stripDotSlash(entry);
    let found;
    for (const e of parseTar(tar, file)) {
        // The last entry of a name wins, as when tar extracts.
        if (isRegular(e.type) && stripDotSlash(e.name) === wanted) {
            found = Buffer.from(tar.subarray(e.dataOffset, e.dataOffset + e.size));
        }
    }
    return found;
}
/**
 * sha256 over what an archive ships, timestamps aside: each entry's name, type,
 * mode and content, in order. Two packages of the same files made at different
 * times (different tar mtimes, so different archive digests) agree here.
 */
async function tgzContentDigest(archive, source) {
    const tar = await inflate(archive, source);
    const hash = require$$0.createHash('sha256');
    for (const e of parseTar(tar, source)) {
        const mode = parseNumeric(tar, e.headerOffset + 100, 8);
        const linkTarget = cString(tar, e.headerOffset + 157, 100);
        const data = isRegular(e.type)
            ? shippedContent(e.name, tar.subarray(e.dataOffset, e.dataOffset + e.size))
            : Buffer.alloc(0);
        hash.update(`${JSON.stringify([e.name, e.type, mode, isRegular(e.type) ? data.length : e.size, linkTarget])}\n`);
        hash.update(data);
    }
    return `sha256:${hash.digest('hex')}`;
}
/**
 * An entry's content as the content digest sees it: the chart's Chart.lock
 * without its `generated` time (a timestamp like the tar mtimes: the same lock
 * written for another commit time ships the same dependencies).
 */
function shippedContent(name, data) {
    if (!/^[^/]+\/Chart\.lock$/.test(stripDotSlash(name)))
        return data;
    return Buffer.from(data.toString('utf8').replace(/^generated:.*$/m, 'generated:'), 'utf8');
}
/** Each entry of an archive with the sha256 of what it ships (type, mode, content), timestamps aside. */
async function tgzEntrySummaries(archive, source) {
    const tar = await inflate(archive, source);
    return parseTar(tar, source).map((e) => {
        const hash = require$$0.createHash('sha256');
        hash.update(`${JSON.stringify([e.type, parseNumeric(tar, e.headerOffset + 100, 8), cString(tar, e.headerOffset + 157, 100)])}\n`);
        if (isRegular(e.type))
            hash.update(shippedContent(e.name, tar.subarray(e.dataOffset, e.dataOffset + e.size)));
        return { name: e.name, digest: hash.digest('hex') };
    });
}
/**
 * Makes a chart archive reproducible: every tar header's mtime (and mtime/atime/ctime
 * records of PAX headers) becomes `epochSeconds`, checksums are recomputed, the tar is
 * re-gzipped deterministically (gzip MTIME 0, OS 255, Helm's EXTRA/comment kept), the
 * file is replaced atomically and its own atime/mtime set to `epochSeconds`.
 * Entry order, names, modes and contents are unchanged.
 */
async function normalizeTgz(file, epochSeconds) {
    if (!Number.isInteger(epochSeconds) || epochSeconds < 0 || epochSeconds > 0o77777777777) {
        throw new ActionError(`Cannot normalize ${file}: timestamp ${epochSeconds} is not a whole number of seconds between 0 and 8589934591.`, 'Use the commit time in seconds since the epoch (e.g. `git log -1 --format=%ct`).');
    }
    const raw = await readFileOrFail(file);
    const gz = parseGzipHeader(raw, file);
    const tar = await inflate(raw, file);
    const normalized = normalizeTar(tar, epochSeconds, file);
    const deflated = await deflateRawAsync(normalized, { level: 9 });
    const out = Buffer.concat([gzipHeader(gz), deflated, gzipTrailer(normalized)]);
    const dir = require$$2.dirname(file);
    const tmp = require$$2.join(dir, `.${require$$2.basename(file)}.${process.pid}.${require$$0.randomBytes(4).toString('hex')}.tmp`);
    const mode = (await require$$4.promises.stat(file)).mode & 0o7777;
    try {
        await require$$4.promises.writeFile(tmp, out, { mode });
        await require$$4.promises.chmod(tmp, mode);
        await require$$4.promises.utimes(tmp, epochSeconds, epochSeconds);
        await require$$4.promises.rename(tmp, file);
    }
    catch (e) {
        await require$$4.promises.rm(tmp, { force: true }).catch(() => undefined);
        throw new ActionError(`Cannot write normalized archive ${file}: ${e.message}`);
    }
    // rename keeps the times, but set them again in case the filesystem did not.
    await require$$4.promises.utimes(file, epochSeconds, epochSeconds);
}
/** Helm's gzip header fields (pkg/chart/v2/util/save.go): its marker as EXTRA, "Helm" as the comment. */
const HELM_GZIP = {
    extra: Buffer.from('+aHR0cHM6Ly95b3V0dS5iZS96OVV6MWljandyTQo=', 'latin1'),
    comment: Buffer.from('Helm', 'latin1')
};
/**
 * Writes a chart archive from `entries` (full names, `<chart>/…`, in order) as
 * `helm package` writes it, already normalized: Go archive/tar's headers
 * (USTAR; a long name split into prefix/name, else a PAX `path` record), every
 * mtime `epochSeconds`, gzip as normalizeTgz writes it. The bytes equal
 * normalizeTgz applied to `helm package`'s output for the same entries.
 */
async function writeHelmTgz(file, entries, epochSeconds) {
    const blocks = [];
    for (const entry of entries)
        blocks.push(...goTarEntry(entry.name, entry.data, epochSeconds));
    blocks.push(Buffer.alloc(2 * BLOCK));
    const tar = Buffer.concat(blocks);
    const deflated = await deflateRawAsync(tar, { level: 9 });
    await require$$4.promises.writeFile(file, Buffer.concat([gzipHeader(HELM_GZIP), deflated, gzipTrailer(tar)]));
    await require$$4.promises.utimes(file, epochSeconds, epochSeconds);
}
/**
 * The entries already read, by the archive's sha256: a run reads one dependency archive (charts/<upstream>.tgz)
 * for the package, the schema gate's CRDs and the observability gate's dependency values, and each read inflates
 * and walks it (~8 ms of node's CPU a read for a real-size upstream, beside the gates' processes). Only reads that
 * succeeded are kept (a failure is each caller's to word); a few archives at most, the oldest dropped first.
 */
const entriesRead = new Map();
const ENTRIES_KEPT = 8;
async function readTgzEntries(archive, source) {
    const read = async () => {
        const tar = await inflate(archive, source);
        return parseTar(tar, source).map((e) => ({
            name: e.name,
            type: e.type,
            data: Buffer.from(tar.subarray(e.dataOffset, e.dataOffset + e.size))
        }));
    };
    const key = require$$0.createHash('sha256').update(archive).digest('hex');
    const shared = entriesRead.get(key);
    if (shared) {
        // A list of its own for each caller; the entries' bytes are shared (no reader writes them). A read that failed
        // meanwhile is read again here, so that the error names this caller's source.
        return shared.then((entries) => [...entries], read);
    }
    const first = read();
    entriesRead.set(key, first);
    if (entriesRead.size > ENTRIES_KEPT)
        entriesRead.delete(entriesRead.keys().next().value);
    first.catch(() => entriesRead.delete(key));
    return first.then((entries) => [...entries]);
}
function goTarEntry(name, data, epoch) {
    const out = [];
    const ascii = [...name].every((c) => c.charCodeAt(0) < 0x80);
    let headerName = name;
    let prefix = '';
    if (!ascii || Buffer.byteLength(name) > 100) {
        const split = ascii ? splitUstarPath(name) : undefined;
        if (split)
            [prefix, headerName] = split;
        else {
            // Go's writePAXHeader: a PAX 'x' entry named <dir>/PaxHeaders.0/<file>, then the main header.
            const records = formatPax([{ key: 'path', value: Buffer.from(name, 'utf8') }]);
            const slash = name.lastIndexOf('/');
            const paxName = toAscii(`${name.slice(0, slash + 1)}PaxHeaders.0/${name.slice(slash + 1)}`)
                .slice(0, 100)
                .replace(/\/+$/, '');
            out.push(rawHeader(paxName, 0, records.length, epoch, 'x', '', false), padded(records));
            headerName = toAscii(name);
        }
    }
    out.push(rawHeader(headerName, 0o644, data.length, epoch, '0', prefix, true), padded(data));
    return out;
}
function rawHeader(name, mode, size, mtime, type, prefix, devNumbers) {
    const header = Buffer.alloc(BLOCK);
    header.write(name.slice(0, 100), 0, 100, 'latin1');
    writeOctal(header, 100, 8, mode);
    writeOctal(header, 108, 8, 0);
    writeOctal(header, 116, 8, 0);
    writeOctal(header, 124, 12, size);
    writeOctal(header, 136, 12, mtime);
    header.write(type, 156, 1, 'latin1');
    header.write('ustar\x0000', 257, 8, 'latin1');
    if (devNumbers) {
        writeOctal(header, 329, 8, 0);
        writeOctal(header, 337, 8, 0);
    }
    header.write(prefix, 345, 155, 'latin1');
    writeChecksum(header);
    return header;
}
function padded(data) {
    const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
    return pad ? Buffer.concat([data, Buffer.alloc(pad)]) : data;
}
function toAscii(text) {
    return [...text].filter((c) => c.charCodeAt(0) < 0x80).join('');
}
/** Go archive/tar's splitUSTARPath: a prefix (≤155) and a name (≤100) split at a slash. */
function splitUstarPath(name) {
    let length = name.length;
    if (length <= 100)
        return undefined;
    if (length > 156)
        length = 156;
    else if (name[length - 1] === '/')
        length--;
    const i = name.slice(0, length).lastIndexOf('/');
    const nlen = name.length - i - 1;
    if (i <= 0 || nlen > 100 || nlen === 0 || i > 155)
        return undefined;
    return [name.slice(0, i), name.slice(i + 1)];
}
function isRegular(type) {
    return type === '0' || type === '\0' || type === '7';
}
function stripDotSlash(name) {
    let n = name;
    while (n.startsWith('./'))
        n = n.slice(2);
    return n;
}
async function readFileOrFail(file) {
    try {
        return await require$$4.promises.readFile(file);
    }
    catch (e) {
        throw new ActionError(`Cannot read chart archive ${file}: ${e.message}`);
    }
}
async function readTar(file) {
    return inflate(await readFileOrFail(file), file);
}
async function inflate(raw, file) {
    if (raw.length < 18 || raw[0] !== 0x1f || raw[1] !== 0x8b) {
        throw new ActionError(`${file} is not a gzip-compressed archive (a Helm chart .tgz was expected).`);
    }
    try {
        return await gunzipAsync(raw, { maxOutputLength: MAX_TAR_BYTES });
    }
    catch (e) {
        throw new ActionError(`${file} is not a valid gzip archive: ${e.message}`);
    }
}
function isZeroBlock(buf, off) {
    for (let i = off; i < off + BLOCK; i++)
        if (buf[i] !== 0)
            return false;
    return true;
}
function cString(buf, start, len) {
    const field = buf.subarray(start, start + len);
    const nul = field.indexOf(0);
    return field.subarray(0, nul === -1 ? len : nul).toString('utf8');
}
function parseNumeric(buf, start, len) {
    const first = buf[start];
    if (first & 0x80) {
        // GNU base-256: big-endian two's complement, high bit of the first byte is the marker.
        let v = first & 0x7f;
        for (let i = start + 1; i < start + len; i++)
            v = v * 256 + buf[i];
        return v;
    }
    const s = buf
        .subarray(start, start + len)
        .toString('latin1')
        .replace(/[\0 ]+$/g, '')
        .replace(/^[\0 ]+/, '');
    if (s === '')
        return 0;
    if (!/^[0-7]+$/.test(s))
        return NaN;
    return parseInt(s, 8);
}
function headerChecksum(block, off) {
    let sum = 0;
    for (let i = off; i < off + BLOCK; i++)
        sum += i >= off + 148 && i < off + 156 ? 0x20 : block[i];
    return sum;
}
function signedHeaderChecksum(block, off) {
    let sum = 0;
    for (let i = off; i < off + BLOCK; i++) {
        const b = i >= off + 148 && i < off + 156 ? 0x20 : block[i];
        sum += b > 127 ? b - 256 : b;
    }
    return sum;
}
function magicOf(buf, off) {
    const m = buf.toString('latin1', off + 257, off + 265);
    if (m === 'ustar  \0')
        return 'gnu';
    if (m.startsWith('ustar\0'))
        return 'ustar';
    return 'v7';
}
/** Parses PAX extended header records ("%d %s=%s\n"); lengths are byte counts. */
function parsePax(data, file) {
    const records = [];
    let i = 0;
    while (i < data.length) {
        if (data[i] === 0)
            break; // trailing NUL padding written by some tools
        const sp = data.indexOf(0x20, i);
        const lenStr = sp === -1 ? '' : data.toString('latin1', i, sp);
        const len = /^[0-9]+$/.test(lenStr) ? parseInt(lenStr, 10) : NaN;
        if (!Number.isFinite(len) || len <= sp - i + 1 || i + len > data.length || data[i + len - 1] !== 0x0a) {
            throw new ActionError(`${file}: malformed PAX extended header record at byte ${i}.`);
        }
        const rec = data.subarray(sp + 1, i + len - 1);
        const eq = rec.indexOf(0x3d);
        if (eq <= 0)
            throw new ActionError(`${file}: malformed PAX extended header record at byte ${i}.`);
        records.push({ key: rec.toString('utf8', 0, eq), value: Buffer.from(rec.subarray(eq + 1)) });
        i += len;
    }
    return records;
}
function formatPax(records) {
    const parts = [];
    for (const { key, value } of records) {
        const body = Buffer.concat([Buffer.from(` ${key}=`, 'utf8'), value, Buffer.from('\n')]);
        // The length prefix counts its own digits: iterate to the fixpoint.
        let len = body.length + 1;
        while (String(len).length + body.length !== len)
            len = String(len).length + body.length;
        parts.push(Buffer.concat([Buffer.from(String(len), 'latin1'), body]));
    }
    return Buffer.concat(parts);
}
/** Walks the raw tar headers (including PAX/GNU meta entries); stops at the end marker. */
function walkTar(tar, file, visit) {
    let off = 0;
    while (off + BLOCK <= tar.length) {
        if (isZeroBlock(tar, off))
            return off;
        const stored = parseNumeric(tar, off + 148, 8);
        if (stored !== headerChecksum(tar, off) && stored !== signedHeaderChecksum(tar, off)) {
            throw new ActionError(`${file}: corrupt tar header at byte ${off} (checksum mismatch).`);
        }
        const size = parseNumeric(tar, off + 124, 12);
        if (!Number.isFinite(size) || size < 0)
            throw new ActionError(`${file}: corrupt tar header at byte ${off} (bad size).`);
        const type = String.fromCharCode(tar[off + 156]);
        const dataOffset = off + BLOCK;
        // Hard links, symlinks, devices, directories and FIFOs carry no data even if size is set.
        const hasData = !['1', '2', '3', '4', '5', '6'].includes(type);
        const dataLen = hasData ? size : 0;
        if (dataOffset + dataLen > tar.length)
            throw new ActionError(`${file}: truncated tar archive at byte ${off}.`);
        visit({ headerOffset: off, type, size: dataLen, dataOffset, magic: magicOf(tar, off) });
        off = dataOffset + Math.ceil(dataLen / BLOCK) * BLOCK;
    }
    return Math.min(off, tar.length);
}
function parseTar(tar, file) {
    const entries = [];
    let longName;
    let paxPath;
    walkTar(tar, file, (b) => {
        const data = tar.subarray(b.dataOffset, b.dataOffset + b.size);
        switch (b.type) {
            case 'L': {
                const nul = data.indexOf(0);
                longName = data.subarray(0, nul === -1 ? data.length : nul).toString('utf8');
                return;
            }
            case 'K': // GNU long link name: not needed for names
                return;
            case 'x':
            case 'g': {
                // A global ('g') path would name every later entry; tar tools ignore it, so do we.
                if (b.type === 'x') {
                    for (const r of parsePax(data, file))
                        if (r.key === 'path')
                            paxPath = r.value.toString('utf8');
                }
                return;
            }
        }
        let name = cString(tar, b.headerOffset, 100);
        if (b.magic === 'ustar') {
            const prefix = cString(tar, b.headerOffset + 345, 155);
            if (prefix)
                name = `${prefix}/${name}`;
        }
        if (longName !== undefined)
            name = longName;
        if (paxPath !== undefined)
            name = paxPath;
        entries.push({ name, type: b.type, size: b.size, headerOffset: b.headerOffset, dataOffset: b.dataOffset });
        longName = undefined;
        paxPath = undefined;
    });
    return entries;
}
function writeOctal(buf, off, len, value) {
    // len-1 octal digits, then NUL (the form Go and GNU tar write for size/mtime).
    const s = value.toString(8).padStart(len - 1, '0');
    if (s.length > len - 1)
        throw new Error(`value ${value} does not fit in a ${len}-byte tar field`);
    buf.write(s, off, len - 1, 'latin1');
    buf[off + len - 1] = 0;
}
function writeChecksum(header) {
    const sum = headerChecksum(header, 0);
    header.write(sum.toString(8).padStart(6, '0'), 148, 6, 'latin1');
    header[154] = 0;
    header[155] = 0x20;
}
const PAX_TIME_KEYS = new Set(['mtime', 'atime', 'ctime']);
function normalizeTar(tar, epoch, file) {
    const out = [];
    const end = walkTar(tar, file, (b) => {
        const header = Buffer.from(tar.subarray(b.headerOffset, b.headerOffset + BLOCK));
        let data = tar.subarray(b.dataOffset, b.dataOffset + b.size);
        writeOctal(header, 136, 12, epoch);
        if (b.magic === 'gnu') {
            // Old GNU format keeps atime/ctime where ustar has the prefix; only set when present.
            for (const off of [345, 357]) {
                const v = parseNumeric(header, off, 12);
                if (Number.isFinite(v) && v > 0)
                    writeOctal(header, off, 12, epoch);
            }
        }
        if (b.type === 'x' || b.type === 'g') {
            const records = parsePax(data, file).map((r) => PAX_TIME_KEYS.has(r.key) ? { key: r.key, value: Buffer.from(String(epoch), 'latin1') } : r);
            data = formatPax(records);
            writeOctal(header, 124, 12, data.length);
        }
        writeChecksum(header);
        out.push(header, data);
        const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
        if (pad)
            out.push(Buffer.alloc(pad));
    });
    // End-of-archive zero blocks (and any trailing padding) kept as they were.
    out.push(tar.subarray(end));
    return Buffer.concat(out);
}
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
function parseGzipHeader(raw, file) {
    const bad = () => {
        throw new ActionError(`${file} is not a valid gzip archive (bad header).`);
    };
    if (raw.length < 18 || raw[0] !== 0x1f || raw[1] !== 0x8b || raw[2] !== 8)
        bad();
    const flg = raw[3];
    let p = 10;
    const fields = {};
    if (flg & FEXTRA) {
        if (p + 2 > raw.length)
            bad();
        const xlen = raw.readUInt16LE(p);
        p += 2;
        if (p + xlen > raw.length)
            bad();
        fields.extra = Buffer.from(raw.subarray(p, p + xlen));
        p += xlen;
    }
    const zstring = () => {
        const nul = raw.indexOf(0, p);
        if (nul === -1)
            bad();
        const s = Buffer.from(raw.subarray(p, nul));
        p = nul + 1;
        return s;
    };
    if (flg & FNAME)
        fields.name = zstring();
    if (flg & FCOMMENT)
        fields.comment = zstring();
    if (flg & FHCRC)
        p += 2;
    return fields;
}
function gzipHeader(f) {
    let flg = 0;
    const parts = [];
    if (f.extra) {
        flg |= FEXTRA;
        const len = Buffer.alloc(2);
        len.writeUInt16LE(f.extra.length);
        parts.push(len, f.extra);
    }
    if (f.name) {
        flg |= FNAME;
        parts.push(f.name, Buffer.from([0]));
    }
    if (f.comment) {
        flg |= FCOMMENT;
        parts.push(f.comment, Buffer.from([0]));
    }
    // ID1 ID2 CM FLG MTIME(4)=0 XFL=2 (max compression) OS=255 (unknown: same on every platform)
    return Buffer.concat([Buffer.from([0x1f, 0x8b, 8, flg, 0, 0, 0, 0, 2, 0xff]), ...parts]);
}
let crcTable;
function crc32(buf) {
    if (!crcTable) {
        crcTable = new Uint32Array(256);
        for (let n = 0; n < 256; n++) {
            let c = n;
            for (let k = 0; k < 8; k++)
                c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
            crcTable[n] = c >>> 0;
        }
    }
    let c = 0xffffffff;
    for (let i = 0; i < buf.length; i++)
        c = crcTable[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}
function gzipTrailer(data) {
    const t = Buffer.alloc(8);
    t.writeUInt32LE(crc32(data), 0);
    t.writeUInt32LE(data.length % 0x100000000, 4);
    return t;
}

// Writes YAML the way Helm writes Chart.yaml and Chart.lock into a package
// (sigs.k8s.io/yaml → go-yaml v2: keys in go-yaml's order, libyaml's scalar
// styles, plain and single-quoted scalars folded at column 80). Only the shapes
// chart metadata has (maps, lists, strings, booleans); anything else throws
// Unsupported and the caller falls back to `helm package`.
/** A value this writer cannot reproduce byte for byte as go-yaml would. */
class Unsupported extends Error {
}
const BEST_WIDTH = 80;
/**
 * go-yaml v2's key order (sorter.go keyList.Less): letters compare as runes, a
 * letter sorts after a non-letter, digit runs compare as numbers.
 */
function goYamlKeyLess(a, b) {
    const ar = [...a];
    const br = [...b];
    const isLetter = (c) => /\p{L}/u.test(c);
    const isDigit = (c) => c !== undefined && c >= '0' && c <= '9';
    for (let i = 0; i < ar.length && i < br.length; i++) {
        if (ar[i] === br[i])
            continue;
        const al = isLetter(ar[i]);
        const bl = isLetter(br[i]);
        if (al && bl)
            return ar[i] < br[i];
        if (al || bl)
            return bl;
        let an = 0;
        let bn = 0;
        if (ar[i] === '0' || br[i] === '0') {
            for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
                if (ar[j] !== '0') {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let ai = i;
        let bi = i;
        for (; ai < ar.length && isDigit(ar[ai]); ai++)
            an = an * 10 + Number(ar[ai]);
        for (; bi < br.length && isDigit(br[bi]); bi++)
            bn = bn * 10 + Number(br[bi]);
        if (an !== bn)
            return an < bn;
        if (ai !== bi)
            return ai < bi;
        return ar[i] < br[i];
    }
    return ar.length < br.length;
}
/** Whether go-yaml v2 reads `s`, written plain, as something other than a string. */
function resolvesAsNonString(s) {
    if (s === '' || s === '~' || /^(null|Null|NULL)$/.test(s))
        return true;
    if (/^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/.test(s))
        return true;
    if (s === '<<')
        return true;
    if (/^[-+]?(\.inf|\.Inf|\.INF)$/.test(s) || /^(\.nan|\.NaN|\.NAN)$/.test(s))
        return true;
    if (/^[-+]?[0-9][0-9_]*$/.test(s) || /^[-+]?0b[01_]+$/.test(s))
        return true;
    if (/^[-+]?0x[0-9a-fA-F_]+$/.test(s) || /^[-+]?0o?[0-7_]+$/.test(s))
        return true;
    if (/^[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?$/.test(s))
        return true;
    // base-60 numbers (1:20) and timestamps (2006-01-02, RFC 3339 forms) are quoted by go-yaml.
    if (/^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/.test(s))
        return true;
    if (/^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ]|$)/.test(s))
        return true;
    return false;
}
/** libyaml's yaml_emitter_analyze_scalar, for printable ASCII (anything else is Unsupported). */
function analyze(value) {
    if (!/^[\x20-\x7e]*$/.test(value))
        throw new Unsupported(`"${value}" has characters other than printable ASCII`);
    if (value.length === 0)
        return { blockPlain: true };
    let blockIndicators = value.startsWith('---') || value.startsWith('...');
    let precededByWhitespace = true;
    let leadingSpace = false;
    let trailingSpace = false;
    for (let i = 0; i < value.length; i++) {
        const c = value[i];
        const followedByWhitespace = i + 1 >= value.length || value[i + 1] === ' ';
        if (i === 0) {
            if ('#,[]{}&*!|>\'"%@`'.includes(c))
                blockIndicators = true;
            else if ((c === '?' || c === ':' || c === '-') && followedByWhitespace)
                blockIndicators = true;
        }
        else if ((c === ':' && followedByWhitespace) || (c === '#' && precededByWhitespace)) {
            blockIndicators = true;
        }
        if (c === ' ') {
            if (i === 0)
                leadingSpace = true;
            if (i === value.length - 1)
                trailingSpace = true;
        }
        precededByWhitespace = c === ' ';
    }
    return { blockPlain: !(leadingSpace || trailingSpace || blockIndicators) };
}
class Emitter {
    out = '';
    column = 0;
    write(text) {
        this.out += text;
        this.column += text.length;
    }
    newline(indent) {
        this.out += `\n${' '.repeat(indent)}`;
        this.column = indent;
    }
    /** A scalar value after `key:` or `-`; `indent` is where folded lines continue. */
    scalar(value, indent) {
        if (value.includes('\n'))
            throw new Unsupported('multi-line strings');
        const analysis = analyze(value);
        // go-yaml asks for plain unless the text would read as another type (then double quotes);
        // libyaml turns a plain request into single quotes when plain is not allowed.
        if (resolvesAsNonString(value))
            this.doubleQuoted(value);
        else if (analysis.blockPlain) {
            this.write(' ');
            this.plain(value, indent);
        }
        else {
            this.write(" '");
            this.singleQuoted(value, indent);
        }
    }
    plain(value, indent) {
        let spaces = false;
        for (let i = 0; i < value.length; i++) {
            if (value[i] === ' ') {
                if (!spaces && this.column > BEST_WIDTH && value[i + 1] !== ' ')
                    this.newline(indent);
                else
                    this.write(' ');
                spaces = true;
            }
            else {
                this.write(value[i]);
                spaces = false;
            }
        }
    }
    singleQuoted(value, indent) {
        let spaces = false;
        for (let i = 0; i < value.length; i++) {
            if (value[i] === ' ') {
                if (!spaces && this.column > BEST_WIDTH && i !== 0 && i !== value.length - 1 && value[i + 1] !== ' ')
                    this.newline(indent);
                else
                    this.write(' ');
                spaces = true;
            }
            else {
                this.write(value[i] === "'" ? "''" : value[i]);
                spaces = false;
            }
        }
        this.write("'");
    }
    doubleQuoted(value) {
        // Without escapes and within the width, libyaml writes the text as is between quotes.
        if (/["\\]/.test(value))
            throw new Unsupported(`"${value}" would need escapes`);
        const text = ` "${value}"`;
        if (this.column + text.length > BEST_WIDTH)
            throw new Unsupported(`"${value}" would be folded`);
        this.write(text);
    }
    node(value, indent) {
        if (typeof value === 'boolean') {
            this.write(` ${String(value)}`);
        }
        else if (typeof value === 'string') {
            this.scalar(value, indent + 2);
        }
        else if (Array.isArray(value)) {
            if (value.length === 0)
                throw new Unsupported('empty lists');
            // A list inside a mapping is indentless: `- item` at the key's column.
            for (const item of value) {
                this.newline(indent);
                this.write('-');
                this.item(item, indent);
            }
        }
        else {
            const keys = sortedKeys(value);
            if (keys.length === 0)
                throw new Unsupported('empty maps');
            for (const key of keys) {
                this.newline(indent + 2);
                this.key(key);
                this.node(value[key], indent + 2);
            }
        }
    }
    item(item, indent) {
        if (typeof item === 'string' || typeof item === 'boolean') {
            this.node(item, indent);
        }
        else if (Array.isArray(item)) {
            throw new Unsupported('lists of lists');
        }
        else {
            const keys = sortedKeys(item);
            if (keys.length === 0)
                throw new Unsupported('empty maps');
            keys.forEach((key, index) => {
                if (index === 0)
                    this.write(' ');
                else
                    this.newline(indent + 2);
                this.key(key);
                this.node(item[key], indent + 2);
            });
        }
    }
    key(key) {
        if (resolvesAsNonString(key) || !analyze(key).blockPlain || key.length > 128)
            throw new Unsupported(`key "${key}" would be quoted`);
        this.write(`${key}:`);
    }
}
function sortedKeys(map) {
    return Object.keys(map).sort((a, b) => (goYamlKeyLess(a, b) ? -1 : goYamlKeyLess(b, a) ? 1 : 0));
}
/** A top-level mapping as sigs.k8s.io/yaml.Marshal writes it (ends with a newline). */
function goYamlDocument(map) {
    const emitter = new Emitter();
    const keys = sortedKeys(map);
    if (keys.length === 0)
        return '{}\n';
    keys.forEach((key, index) => {
        if (index > 0)
            emitter.newline(0);
        emitter.write(`${key}:`);
        emitter.node(map[key], 0);
    });
    return `${emitter.out}\n`;
}

// `helm package` in node: loads the chart folder as Helm's loader does (its
// .helmignore, charts/ archives and folders) and lists what chartutil.Save
// writes, in its order: Chart.yaml and Chart.lock re-marshalled (go-yaml.ts),
// values.yaml and values.schema.json as they are, templates, other files, then
// every dependency unpacked under charts/<name>/, recursively. Checked against
// Helm 3.17 and 4.1 (__tests__/integration/node-package.test.ts). Whatever it
// cannot reproduce exactly throws Unsupported; the caller then runs `helm package`.
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
/** What `helm package <chartDir>` would archive, or Unsupported. */
async function nodePackage(chartDir) {
    const chart = await loadFiles(await loadDirFiles(chartDir), require$$2.basename(chartDir));
    const required = chart.metadata.dependencies ?? [];
    const present = new Set(chart.dependencies.map((dep) => dep.metadata.name));
    // helm package fails on a missing dependency; its message (hollow chart) comes from helm itself.
    const missing = required.filter((dep) => !present.has(dep.name));
    if (missing.length)
        throw new Unsupported(`dependencies missing in charts/: ${missing.map((d) => d.name).join(', ')}`);
    const entries = [];
    save(chart, '', entries);
    return {
        name: chart.metadata.name,
        version: chart.metadata.version,
        metadata: chart.metadata,
        entries
    };
}
function parseHelmignore(text) {
    const rules = [];
    for (const line of [...text.split('\n'), 'templates/.?*']) {
        let rule = line.trim();
        if (rule === '' || rule.startsWith('#'))
            continue;
        if (rule.includes('**'))
            throw new Unsupported(`.helmignore rule "${rule}" uses **`);
        const negate = rule.startsWith('!');
        if (negate)
            rule = rule.slice(1);
        const mustDir = rule.endsWith('/');
        if (mustDir)
            rule = rule.slice(0, -1);
        let match;
        if (rule.startsWith('/')) {
            const re = globRegex(rule.slice(1));
            match = (name) => re.test(name);
        }
        else if (rule.includes('/')) {
            const re = globRegex(rule);
            match = (name) => re.test(name);
        }
        else {
            const re = globRegex(rule);
            match = (name) => re.test(require$$2.posix.basename(name));
        }
        rules.push({ negate, mustDir, match });
    }
    return rules;
}
/** Go's filepath.Match as a regex (`*`, `?`, `\x`); character classes are left to helm. */
function globRegex(pattern) {
    if (pattern.includes('['))
        throw new Unsupported(`.helmignore pattern "${pattern}" has a character class`);
    let re = '';
    for (let i = 0; i < pattern.length; i++) {
        const c = pattern[i];
        if (c === '*')
            re += '[^/]*';
        else if (c === '?')
            re += '[^/]';
        else if (c === '\\') {
            i++;
            if (i >= pattern.length)
                throw new Unsupported(`.helmignore pattern "${pattern}" ends with \\`);
            re += escapeRegex(pattern[i]);
        }
        else
            re += escapeRegex(c);
    }
    return new RegExp(`^${re}$`, 's');
}
function escapeRegex(c) {
    return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
function isIgnored(rules, name, isDir) {
    if (name === '' || name === '.' || name === './')
        return false;
    for (const rule of rules) {
        // helm's rule: a negated pattern that does not match ignores the path.
        if (rule.negate) {
            if (rule.mustDir && !isDir)
                return true;
            if (!rule.match(name))
                return true;
            continue;
        }
        if (rule.mustDir && !isDir)
            continue;
        if (rule.match(name))
            return true;
    }
    return false;
}
// ---------------------------------------------------------------------------
// loading
async function loadDirFiles(chartDir) {
    const helmignore = await require$$1$1.readFile(require$$2.join(chartDir, '.helmignore'), 'utf8').catch(() => '');
    const rules = parseHelmignore(helmignore);
    const files = [];
    const walk = async (dir, relative) => {
        // Go's Walk visits names in byte order.
        const names = (await require$$1$1.readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
        for (const name of names) {
            const full = require$$2.join(dir, name);
            const rel = relative ? `${relative}/${name}` : name;
            const stat = await require$$1$1.lstat(full);
            if (stat.isSymbolicLink())
                throw new Unsupported(`${rel} is a symbolic link`);
            if (stat.isDirectory()) {
                if (!isIgnored(rules, rel, true))
                    await walk(full, rel);
                continue;
            }
            if (isIgnored(rules, rel, false))
                continue;
            if (!stat.isFile())
                throw new Unsupported(`${rel} is not a regular file`);
            files.push({ name: rel, data: stripBom(await require$$1$1.readFile(full)) });
        }
    };
    await walk(chartDir, '');
    return files;
}
function stripBom(data) {
    return data.subarray(0, 3).equals(UTF8_BOM) ? data.subarray(3) : data;
}
async function loadFiles(files, source) {
    const chart = { metadata: {}, templates: [], files: [], dependencies: [] };
    const subcharts = new Map();
    let chartYaml;
    let lockYaml;
    const seen = new Set();
    for (const file of files) {
        if (seen.has(file.name))
            throw new Unsupported(`${source} holds ${file.name} twice`);
        seen.add(file.name);
        if (file.name === 'Chart.yaml')
            chartYaml = file.data;
        else if (file.name === 'Chart.lock')
            lockYaml = file.data;
        else if (file.name === 'values.yaml')
            chart.values = file.data;
        else if (file.name === 'values.schema.json')
            chart.schema = file.data;
        else if (file.name === 'requirements.yaml' || file.name === 'requirements.lock')
            throw new Unsupported(`${source} has ${file.name}`);
        else if (file.name.startsWith('templates/'))
            chart.templates.push(file);
        else if (file.name.startsWith('charts/')) {
            if (file.name.endsWith('.prov')) {
                chart.files.push(file);
                continue;
            }
            const rest = file.name.slice('charts/'.length);
            const cname = rest.split('/')[0];
            subcharts.set(cname, [...(subcharts.get(cname) ?? []), { name: rest, data: file.data }]);
        }
        else
            chart.files.push(file);
    }
    if (!chartYaml)
        throw new Unsupported(`${source} has no Chart.yaml`);
    chart.metadata = chartMetadata(chartYaml, `${source}/Chart.yaml`);
    if (lockYaml)
        chart.lock = chartLock(lockYaml, `${source}/Chart.lock`);
    // Only whether it parses: the fast reader tells in a few ms what the library takes 20–40 ms for (cold).
    if (chart.values && !cleanAsYaml11(chart.values.toString('utf8')))
        parseYamlOrUnsupported(chart.values, `${source}/values.yaml`);
    if (chart.schema) {
        try {
            JSON.parse(chart.schema.toString('utf8'));
        }
        catch {
            throw new Unsupported(`${source}/values.schema.json is not valid JSON`);
        }
    }
    // Helm takes the subcharts from a Go map (random order); sorted by name here, so every run writes one order.
    for (const cname of [...subcharts.keys()].sort()) {
        if (cname.startsWith('_') || cname.startsWith('.'))
            continue;
        const subFiles = subcharts.get(cname) ?? [];
        const where = `${source}/charts/${cname}`;
        if (cname.endsWith('.tgz')) {
            if (subFiles.length !== 1 || subFiles[0].name !== cname)
                throw new Unsupported(`${where} is not one archive`);
            chart.dependencies.push(await loadArchive(subFiles[0].data, where));
        }
        else {
            const inner = subFiles
                .filter((f) => f.name.includes('/'))
                .map((f) => ({ name: f.name.slice(f.name.indexOf('/') + 1), data: f.data }));
            chart.dependencies.push(await loadFiles(inner, where));
        }
    }
    return chart;
}
/** Helm's LoadArchiveFiles: the archive's files without their top folder, no .helmignore. */
async function loadArchive(archive, where) {
    const entries = await readTgzEntries(archive, where);
    const files = [];
    for (const entry of entries) {
        if (entry.type === '5')
            continue;
        if (!['0', '\0', '7'].includes(entry.type))
            throw new Unsupported(`${where} has a ${entry.name} that is no file`);
        const parts = entry.name.split('/');
        const name = require$$2.posix.normalize(parts.slice(1).join('/'));
        if (entry.name.includes('\\') ||
            name === '.' ||
            name.startsWith('..') ||
            name.startsWith('/') ||
            parts[0] === 'Chart.yaml')
            throw new Unsupported(`${where} has an unusual entry ${entry.name}`);
        files.push({ name, data: stripBom(entry.data) });
    }
    return loadFiles(files, where);
}
function parseYamlOrUnsupported(data, where) {
    const text = data.toString('utf8');
    // Most Chart.yaml and Chart.lock files: without the `yaml` library's parser (cold, ~5 ms a file beside the gates).
    const clean = parseCleanYaml11(text);
    if (clean)
        return clean.value;
    const doc = yamlLibrary().parseDocument(text, { version: '1.1', uniqueKeys: true });
    if (doc.errors.length || doc.warnings.length)
        throw new Unsupported(`${where} does not parse cleanly`);
    return doc.toJS({ maxAliasCount: 1000 });
}
const METADATA_FIELDS = [
    'name',
    'home',
    'sources',
    'version',
    'description',
    'keywords',
    'maintainers',
    'icon',
    'apiVersion',
    'condition',
    'tags',
    'appVersion',
    'deprecated',
    'annotations',
    'kubeVersion',
    'dependencies',
    'type'
];
const DEPENDENCY_FIELDS = ['name', 'version', 'repository', 'condition', 'tags', 'enabled', 'alias'];
const MAINTAINER_FIELDS = ['name', 'email', 'url'];
/** Dependency fields Go writes even when empty (no omitempty). */
const DEPENDENCY_ALWAYS = new Set(['name', 'repository']);
function isRecord(value) {
    return typeof value === 'object' && value !== null && !Array.isArray(value);
}
/** Go's encoding/json: known fields (matched exactly; a case-only match is left to helm), the rest dropped. */
function pick(raw, fields, where) {
    if (!isRecord(raw))
        throw new Unsupported(`${where} is not a mapping`);
    const out = {};
    const lower = new Map(fields.map((field) => [field.toLowerCase(), field]));
    for (const [key, value] of Object.entries(raw)) {
        if (fields.includes(key)) {
            if (value !== null && value !== undefined)
                out[key] = value;
        }
        else if (lower.has(key.toLowerCase()))
            throw new Unsupported(`${where}: ${key} differs from ${lower.get(key.toLowerCase())} in case only`);
        else if (key === 'import-values' && fields === DEPENDENCY_FIELDS)
            throw new Unsupported(`${where}: import-values`);
    }
    return out;
}
function printable(value, where) {
    if (typeof value !== 'string')
        throw new Unsupported(`${where} is not a string`);
    if (!/^[\x20-\x7e]*$/.test(value))
        throw new Unsupported(`${where} has characters other than printable ASCII`);
    return value;
}
function stringList(value, where) {
    if (!Array.isArray(value))
        throw new Unsupported(`${where} is not a list`);
    return value.map((item, i) => printable(item, `${where}[${i}]`));
}
/** Copies `from` into a Go-struct-shaped object in field order, leaving out what omitempty leaves out. */
function goStruct(from, fields, convert, always = new Set()) {
    const out = {};
    for (const field of fields) {
        const value = from[field] === undefined ? undefined : convert(field, from[field]);
        const empty = value === undefined ||
            value === '' ||
            value === false ||
            (Array.isArray(value) && value.length === 0) ||
            (isRecord(value) && Object.keys(value).length === 0);
        if (!empty)
            out[field] = value;
        else if (always.has(field))
            out[field] = typeof value === 'string' ? value : '';
    }
    return out;
}
function dependency(raw, where) {
    return goStruct(pick(raw, DEPENDENCY_FIELDS, where), DEPENDENCY_FIELDS, (field, value) => {
        if (field === 'tags')
            return stringList(value, `${where}.tags`);
        if (field === 'enabled') {
            if (typeof value !== 'boolean')
                throw new Unsupported(`${where}.enabled is not a boolean`);
            return value;
        }
        const text = printable(value, `${where}.${field}`);
        if (field === 'alias' && !/^[a-zA-Z0-9-_]+$/.test(text))
            throw new Unsupported(`${where}.alias is invalid`);
        return text;
    }, DEPENDENCY_ALWAYS);
}
function chartMetadata(data, where) {
    const raw = pick(parseYamlOrUnsupported(data, where), METADATA_FIELDS, where);
    const metadata = goStruct(raw, METADATA_FIELDS, (field, value) => {
        const at = `${where}: ${field}`;
        switch (field) {
            case 'sources':
            case 'keywords':
                return stringList(value, at);
            case 'maintainers':
                if (!Array.isArray(value))
                    throw new Unsupported(`${at} is not a list`);
                return value.map((m, i) => goStruct(pick(m, MAINTAINER_FIELDS, `${at}[${i}]`), MAINTAINER_FIELDS, (f, v) => printable(v, `${at}[${i}].${f}`)));
            case 'deprecated':
                if (typeof value !== 'boolean')
                    throw new Unsupported(`${at} is not a boolean`);
                return value;
            case 'annotations': {
                if (!isRecord(value))
                    throw new Unsupported(`${at} is not a mapping`);
                const out = {};
                for (const [key, v] of Object.entries(value))
                    out[key] = printable(v, `${at}.${key}`);
                return out;
            }
            case 'dependencies':
                if (!Array.isArray(value))
                    throw new Unsupported(`${at} is not a list`);
                return value.map((dep, i) => dependency(dep, `${at}[${i}]`));
            case 'description':
                // Helm's sanitizeString: white space becomes a space (a folded or literal description is one line).
                if (typeof value !== 'string')
                    throw new Unsupported(`${at} is not a string`);
                return printable(value.replace(/[\t\n\v\f\r]/g, ' '), at);
            default:
                return printable(value, at);
        }
    });
    if (metadata.apiVersion !== 'v2')
        throw new Unsupported(`${where}: apiVersion is not v2`);
    const name = metadata.name;
    if (typeof name !== 'string' || !name || name !== require$$2.posix.basename(name) || name.includes('\\'))
        throw new Unsupported(`${where}: name is missing or invalid`);
    if (typeof metadata.version !== 'string' || !isStrictSemver(metadata.version))
        throw new Unsupported(`${where}: version is not strict semver`);
    if (metadata.type !== undefined && metadata.type !== 'application' && metadata.type !== 'library')
        throw new Unsupported(`${where}: type is invalid`);
    return metadata;
}
function chartLock(data, where) {
    const raw = pick(parseYamlOrUnsupported(data, where), ['generated', 'digest', 'dependencies'], where);
    if (typeof raw.digest !== 'string' || !Array.isArray(raw.dependencies))
        throw new Unsupported(`${where} lacks digest or dependencies`);
    return {
        dependencies: raw.dependencies.map((dep, i) => dependency(dep, `${where}: dependencies[${i}]`)),
        digest: printable(raw.digest, `${where}: digest`),
        generated: goTime(raw.generated, `${where}: generated`)
    };
}
/** A time as Go's time.Time writes it to JSON (RFC 3339 with the offset kept, fraction without trailing zeros). */
function goTime(value, where) {
    const m = typeof value === 'string'
        ? /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|\+00:00|[+-](?!00:00)\d\d:\d\d)$/.exec(value)
        : null;
    if (!m)
        throw new Unsupported(`${where} is not an RFC 3339 time helm would write back unchanged`);
    const fraction = (m[2] ?? '').replace(/0+$/, '');
    return `${m[1]}${fraction ? `.${fraction}` : ''}${m[3] === '+00:00' ? 'Z' : m[3]}`;
}
// ---------------------------------------------------------------------------
// saving (chartutil.Save's writeTarContents)
function save(chart, prefix, out) {
    const base = prefix ? `${prefix}/${chart.metadata.name}` : chart.metadata.name;
    out.push({ name: `${base}/Chart.yaml`, data: Buffer.from(goYamlDocument(chart.metadata), 'utf8') });
    if (chart.lock)
        out.push({ name: `${base}/Chart.lock`, data: Buffer.from(goYamlDocument(chart.lock), 'utf8') });
    if (chart.values)
        out.push({ name: `${base}/values.yaml`, data: chart.values });
    if (chart.schema)
        out.push({ name: `${base}/values.schema.json`, data: chart.schema });
    for (const file of [...chart.templates, ...chart.files])
        out.push({ name: `${base}/${file.name}`, data: file.data });
    for (const dep of chart.dependencies)
        save(dep, `${base}/charts`, out);
}
/**
 * The `version` a Chart.yaml's text names (a packaged subchart's, for guard 3), undefined when it names none;
 * through the fast reader first: a Chart.yaml as helm writes it rarely needs the yaml library.
 */
function chartYamlVersion(text) {
    const meta = parseYamlDocument(text);
    return meta?.version === undefined ? undefined : String(meta.version);
}

// Packages the work chart reproducibly (in node as `helm package` would, else
// with helm) and checks the archive still carries its dependencies (guard 2;
// archiveFindings is guard 3's check too, on the artifact pulled back).
async function packageChart(helm, work, destination, timestamps, built) {
    const start = performance.now();
    const epoch = timestamps.epoch;
    const archive = require$$2.join(destination, `${work.name}-${work.version}.tgz`);
    // `helm package` in node (one helm process less); shapes it cannot write exactly as helm go to helm.
    const metadata = await packageInNode(work, archive, epoch);
    const result = metadata ? undefined : await helm.run(['package', work.dir, '--destination', destination]);
    if (result && result.exitCode !== 0) {
        const step = failedStep('package', 'Package', start, 'helm package failed', `helm package failed: ${lastLines(redact(result.stderr), 3)}`, result);
        // charts/ was built (guard 1 passed) yet helm does not see it: .helmignore dropped it.
        if (/missing in charts\/ directory/i.test(result.stderr + result.stdout)) {
            step.summary = 'helm package found no dependencies under charts/';
            step.findings = [
                {
                    rule: 'hollow-chart',
                    severity: 'error',
                    message: `${step.findings[0].message}: the package would ship without its upstream payload`,
                    fix: 'check .helmignore does not exclude charts/ (or the dependency archives in it)'
                }
            ];
        }
        return { step };
    }
    if (result)
        await normalizeTgz(archive, epoch);
    const [listing, content] = await Promise.all([listTgz(archive), require$$1$1.readFile(archive)]);
    const layerDigest = `sha256:${require$$0.createHash('sha256').update(content).digest('hex')}`;
    const findings = await archiveFindings(archive, listing, work, 'the packaged archive', built);
    return {
        packaged: { archive, listing, layerDigest, epoch, ...(metadata ? { metadata } : {}) },
        step: {
            id: 'package',
            title: 'Package',
            status: findings.length ? 'failed' : 'passed',
            durationMs: Math.round(performance.now() - start),
            summary: findings.length
                ? `${require$$2.basename(archive)} is missing ${findings.length} dependenc${findings.length === 1 ? 'y' : 'ies'}`
                : `${require$$2.basename(archive)}, ${listing.length} entries, dependencies inside; timestamps from ${timestamps.source}`,
            findings,
            data: {
                archive,
                entries: listing.length,
                layerDigest,
                timestamps: new Date(epoch * 1000).toISOString(),
                timestampSource: timestamps.source
            }
        }
    };
}
/** Writes the archive in node; undefined (after saying why) when the chart's shape is left to helm. */
async function packageInNode(work, archive, epoch) {
    try {
        const packaged = await nodePackage(work.dir);
        if (packaged.name !== work.name || packaged.version !== work.version)
            throw new Unsupported(`Chart.yaml names ${packaged.name} ${packaged.version}, not ${work.name} ${work.version}`);
        await require$$1$1.mkdir(require$$2.dirname(archive), { recursive: true });
        await writeHelmTgz(archive, packaged.entries, epoch);
        return packaged.metadata;
    }
    catch (error) {
        if (!(error instanceof Unsupported))
            throw error;
        info(`packaging with helm package: ${error.message}`);
        return undefined;
    }
}
/**
 * Hollow-chart guards 2 and 3: the archive holds every dependency under
 * <chart>/charts/, as an archive or (as `helm package` writes it) unpacked,
 * at the version the dependency build put there.
 */
async function archiveFindings(archive, listing, work, what, built) {
    const entries = new Set(listing.map((entry) => entry.replace(/\/$/, '')));
    const findings = [];
    for (const dep of work.dependencies) {
        const prefix = `${work.name}/charts/${dep.name}`;
        const version = built[dep.name];
        let found;
        if (version && entries.has(`${prefix}-${version}.tgz`))
            found = version;
        else if (entries.has(`${prefix}/Chart.yaml`)) {
            found = chartYamlVersion((await readTgzFile(archive, `${prefix}/Chart.yaml`))?.toString('utf8') ?? '');
        }
        else {
            // Only <dep>-<semver>.tgz: `temporal-web-1.0.0.tgz` is another chart, not temporal.
            found = [...entries]
                .filter((entry) => entry.startsWith(`${prefix}-`) && entry.endsWith('.tgz'))
                .map((entry) => entry.slice(prefix.length + 1, -'.tgz'.length))
                .find((candidate) => parseVersion(candidate) !== undefined);
        }
        if (found === undefined) {
            findings.push({
                rule: 'hollow-chart',
                severity: 'error',
                message: `${what} has no ${prefix}/ (nor ${prefix}-${version ?? '<version>'}.tgz): the chart would ship without its ${dep.name} payload`,
                fix: 'check .helmignore does not exclude charts/ and that helm dependency build ran'
            });
        }
        else if (version && found !== version) {
            findings.push({
                rule: 'hollow-chart',
                severity: 'error',
                message: `${what} holds ${dep.name} ${found}, but the dependency build resolved ${version}`,
                fix: 'rebuild the chart: the archive does not hold the dependency that was validated'
            });
        }
    }
    return findings;
}
function failedStep(id, title, start, summary, message, result) {
    return {
        id,
        title,
        status: 'failed',
        durationMs: Math.round(performance.now() - start),
        summary,
        findings: [{ rule: id, severity: 'error', message }],
        details: result ? redact(`${result.stderr}\n${result.stdout}`).trim() : undefined
    };
}

// Pushes a packaged chart to its tag without ever replacing other content: the
// tag is asked first (same content: nothing pushed; other content: refused
// unless overwrite), the push is given by the caller (registry API or helm
// push), the artifact is pulled back by digest (guard 3) and the tag read back.
/** A registry's refusal of the given credentials: the run stops with the error a refused login gave. */
function refusedLogin(error, options) {
    if (!(error instanceof RegistryError) || error.kind !== 'auth' || !options.credentials)
        return undefined;
    return new ActionError(`registry ${options.target.host} refused the login of user ${options.credentials.username}: ${redact(error.message)}`, 'check registry-username and registry-password (for ghcr.io: a token with write:packages)');
}
/**
 * The publish's last step: the tag asked first, then `push()` (the manifest PUT, or `helm push`) with progress
 * lines, the artifact pulled back by digest and the tag read back; the `Publish` step says what happened.
 */
async function runPublish(options, client, repository, push) {
    const start = performance.now();
    const { work, packaged, target } = options;
    const host = target.host;
    const tag = ociTag(work.version);
    const ref = chartRef(target, work.name, work.version);
    const step = (status, summary, findings, data, details) => ({
        id: 'publish',
        title: 'Publish',
        status,
        durationMs: Math.round(performance.now() - start),
        summary,
        findings,
        data,
        details
    });
    // Never overwrite by accident: ask first, and an error is never read as "absent".
    const existing = await client.manifest(repository, tag).catch((error) => {
        throw refusedLogin(error, options) ?? error;
    });
    if (existing.exists) {
        const remoteLayer = await client.chartLayerDigest(repository, existing.digest);
        if (remoteLayer === packaged.layerDigest) {
            return step('passed', `${ref} already published with the same content (${existing.digest}); nothing pushed`, [], {
                ref,
                digest: existing.digest,
                pushed: false,
                alreadyPublished: true
            });
        }
        // Same files, other timestamps: a shallow checkout or another commit that
        // left the chart alone moves the archive's mtimes, not what it ships.
        const comparison = remoteLayer && !options.overwrite
            ? await comparePublished(client, repository, existing.digest, packaged)
            : undefined;
        if (comparison?.same) {
            return step('passed', `${ref} already published with the same files (${existing.digest}; only the archive's timestamps differ); nothing pushed`, [], { ref, digest: existing.digest, pushed: false, alreadyPublished: true });
        }
        if (!options.overwrite) {
            return step('failed', `${ref} already exists with other content`, [
                {
                    rule: 'no-overwrite',
                    severity: 'error',
                    message: `${ref} is already published as ${existing.digest} (chart layer ${remoteLayer ?? 'unknown'}), and this chart's content is ${packaged.layerDigest}${comparison?.differing.length ? ` (differing: ${comparison.differing.join(', ')})` : ''}: a published version is never replaced`,
                    fix: noOverwriteFix(ref, comparison)
                }
            ], { ref, pushed: false });
        }
    }
    info(`pushing ${ref} …`);
    const pushStart = performance.now();
    const pushed = await withProgress(push().catch((error) => {
        const refused = refusedLogin(error, options);
        if (refused)
            throw refused;
        // Out of the run's time: named as the operation users know (what `helm push` does), like a stuck helm.
        if (error instanceof DeadlineError)
            throw new DeadlineError(`helm push to ${host}`, error.waitedMs, error.byRun);
        if (error instanceof RegistryError && error.kind === 'unavailable' && operationLimit(1).byRun)
            throw new DeadlineError(`helm push to ${host}`, performance.now() - pushStart, true);
        if (!(error instanceof RegistryError))
            throw error;
        return { failed: { message: redact(error.message), auth: error.kind === 'auth' } };
    }), (ms) => info(`still pushing ${ref} to ${host} (${Math.round(ms / 1000)} s)`));
    if ('failed' in pushed) {
        return step('failed', `push to ${target.url} failed`, [
            {
                rule: 'push',
                severity: 'error',
                message: `push of ${ref} failed: ${pushed.failed.message}`,
                fix: pushed.failed.auth
                    ? 'check registry-username/registry-password and that the token may write packages'
                    : 'check the registry is reachable; the push was retried'
            }
        ], { ref, pushed: false }, pushed.failed.details);
    }
    const digest = pushed.digest;
    // The push happened whatever the check says: a failing pull keeps ref, digest and pushed=true.
    info(`pulling ${ref}@${digest} back to verify it …`);
    const pulledBack = withProgress(verifyPublished(client, options, repository, digest), (ms) => info(`still pulling ${ref}@${digest} back from ${host} (${Math.round(ms / 1000)} s)`));
    // Another run may have pushed the same tag meanwhile: what the tag serves decides (digest-ref is signed next).
    // Read beside the pull-back; used only once the pulled artifact passed (its error is then the step's).
    const readBack = tagReadBack(client, repository, tag, ref, digest, packaged);
    readBack.catch(() => undefined);
    const findings = await pulledBack.then((verify) => verify.findings, (error) => [
        {
            rule: 'verify',
            severity: 'error',
            message: `pushed ${ref}@${digest}, but pulling it back failed: ${error instanceof Error ? redact(error.message) : String(error)}`,
            fix: `pull ${ref} by hand to check it; re-running is safe (an identical chart is not pushed again)`
        }
    ]);
    if (findings.length) {
        const summary = `pushed ${ref}, but the pulled artifact failed verification`;
        return step('failed', summary, findings, { ref, digest, pushed: true });
    }
    const served = await readBack;
    if (served) {
        const findings = served.finding ? [served.finding] : [];
        return step(served.finding ? 'failed' : 'passed', served.summary, findings, served.data);
    }
    return step('passed', `pushed ${ref}@${digest}, pulled back and verified`, [], { ref, digest, pushed: true });
}
/**
 * Reads the tag back after the push. Undefined when it serves what this run
 * pushed; else the outcome: the same chart content under another manifest
 * (another run published it: pushed=false, the tag's digest), or other
 * content (a racing publish won: failed), or no tag at all (failed).
 */
async function tagReadBack(client, repository, tag, ref, pushedDigest, packaged) {
    const current = await client.manifest(repository, tag);
    if (current.exists && current.digest === pushedDigest)
        return undefined;
    if (!current.exists) {
        return {
            summary: `pushed ${ref}@${pushedDigest}, but the tag is gone`,
            finding: {
                rule: 'publish-race',
                severity: 'error',
                message: `pushed ${ref}@${pushedDigest}, but reading the tag back finds nothing: it was deleted meanwhile`,
                fix: 're-run the publish once nothing else writes this tag'
            },
            data: { ref, pushed: false }
        };
    }
    const layer = await client.chartLayerDigest(repository, current.digest);
    const sameContent = layer === packaged.layerDigest ||
        (layer !== undefined && (await comparePublished(client, repository, current.digest, packaged))?.same === true);
    if (sameContent) {
        return {
            summary: `${ref} was published meanwhile with the same content (${current.digest}); the tag serves that, not this run's push`,
            data: { ref, digest: current.digest, pushed: false, alreadyPublished: true }
        };
    }
    return {
        summary: `${ref} now serves ${current.digest}, not ${pushedDigest} pushed by this run`,
        finding: {
            rule: 'publish-race',
            severity: 'error',
            message: `${ref} was pushed as ${pushedDigest}, but the tag now serves ${current.digest} (chart layer ${layer ?? 'unknown'}) ` +
                'with other content: another publish of the same version raced this one',
            fix: `check which run published ${ref}; publish each version from one workflow run (a concurrency group), ` +
                'and bump the version for new content'
        },
        // No digest: digest-ref (signed next) and the SBOM never name an artifact that is not this chart.
        data: { ref, pushed: false }
    };
}
/**
 * The published chart at `digest` against the packaged one, file by file (names, modes, contents; timestamps
 * aside); undefined when the published archive cannot be read (treated as other content: fails safe).
 */
async function comparePublished(client, repository, digest, packaged, 
/** The published chart layer, when known: fetched beside the manifest (one round trip less). */
publishedLayer) {
    try {
        const pulled = await client.pullChart(repository, digest, publishedLayer);
        const local = await require$$1$1.readFile(packaged.archive);
        const [remote, mine] = await Promise.all([
            tgzContentDigest(pulled.archive, `${repository}@${digest}`),
            tgzContentDigest(local, packaged.archive)
        ]);
        const [remoteEntries, localEntries] = await Promise.all([
            tgzEntrySummaries(pulled.archive, `${repository}@${digest}`),
            tgzEntrySummaries(local, packaged.archive)
        ]);
        const remoteByName = new Map(remoteEntries.map((entry) => [entry.name, entry.digest]));
        const localByName = new Map(localEntries.map((entry) => [entry.name, entry.digest]));
        const names = [...new Set([...localByName.keys(), ...remoteByName.keys()])];
        const differing = names.filter((name) => remoteByName.get(name) !== localByName.get(name));
        return {
            same: remote === mine,
            differing: differing.length > 5 ? [...differing.slice(0, 5), `${differing.length - 5} more`] : differing,
            dependenciesOnly: differing.length > 0 && differing.every((name) => /^[^/]+\/(charts\/|Chart\.lock$)/.test(name))
        };
    }
    catch {
        // Unreadable or not a chart archive: treated as other content, which fails safe (no push).
        return undefined;
    }
}
/**
 * What to do about a published version with other content. When only the
 * bundled dependencies differ, the chart itself is unchanged (a re-run of the
 * same commit, say): telling the user to bump the version would be wrong; what
 * moved is what the dependency build fetched.
 */
function noOverwriteFix(ref, comparison) {
    if (comparison?.dependenciesOnly) {
        return ("the chart's own files are unchanged, only the bundled dependencies differ: commit Chart.lock " +
            '(`helm dependency update`) so every run bundles the same versions, and check the repository did not replace an archive; ' +
            `set overwrite: true only if replacing ${ref} is intended`);
    }
    return `the chart changed since ${ref} was published: bump version in Chart.yaml (a new version), or set overwrite: true if replacing ${ref} is intended`;
}
/**
 * Guard 3: pull the artifact back by digest through the registry API (no helm
 * process: the registry is asked directly), check the manifest and layer
 * digests, and that every dependency is still inside the archive.
 */
async function verifyPublished(client, options, repository, digest) {
    const source = `oci://${options.target.host}/${repository}@${digest}`;
    const pulled = await client.pullChart(repository, digest, options.packaged.layerDigest);
    const findings = [];
    if (pulled.manifestDigest !== digest) {
        findings.push({
            rule: 'verify',
            severity: 'error',
            message: `pulled ${source} but its manifest hashes to ${pulled.manifestDigest}`
        });
    }
    if (pulled.archiveDigest !== pulled.layerDigest || pulled.layerDigest !== options.packaged.layerDigest) {
        findings.push({
            rule: 'verify',
            severity: 'error',
            message: `the chart layer of ${source} is ${pulled.archiveDigest} (manifest says ${pulled.layerDigest}); the packaged archive is ${options.packaged.layerDigest}`
        });
    }
    // The very bytes guard 2 inspected (oci/package.ts): their listing cannot differ. The archive is opened only
    // when it is something else, and then what it holds is part of the finding.
    if (pulled.archiveDigest === options.packaged.layerDigest)
        return { findings };
    const destination = await require$$1$1.mkdtemp(require$$2.join(require$$0$1.tmpdir(), 'bp-pull-'));
    try {
        const archive = require$$2.join(destination, `${options.work.name}-${options.work.version}.tgz`);
        await require$$1$1.writeFile(archive, pulled.archive);
        findings.push(...(await archiveFindings(archive, await listTgz(archive), options.work, `the artifact pulled back from ${source}`, options.built)));
        return { findings };
    }
    finally {
        await require$$1$1.rm(destination, { recursive: true, force: true });
    }
}

export { runPublish as a, comparePublished as c, noOverwriteFix as n, packageChart as p, readTgzEntries as r };
