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

export const DEFAULT_DOMAIN = 'docker.io'
const LEGACY_DEFAULT_DOMAIN = 'index.docker.io'
const OFFICIAL_REPO_PREFIX = 'library/'
const NAME_TOTAL_LENGTH_MAX = 255

export interface ImageRef {
  /** The string as given. */
  raw: string
  /** Registry host, with port if any, e.g. `docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`. */
  domain: string
  /** Repository path on that registry, e.g. `library/nginx`, `temporalio/server`. */
  path: string
  tag?: string
  /** `algo:hex`, e.g. `sha256:0123…`. */
  digest?: string
  /** Normalized `docker.io/library/nginx:1.2@sha256:..` (domain/path, then tag and digest when present). */
  canonical: string
  /** Name without the default domain (and without `library/` for official images), e.g. `nginx`, `ghcr.io/org/app`. */
  familiar: string
}

/** Raised for a value that is not a valid image reference; names the value and the reason. */
export class ImageRefError extends Error {
  constructor(
    readonly raw: string,
    readonly reason: string
  ) {
    super(`invalid image reference ${JSON.stringify(raw)}: ${reason}`)
    this.name = 'ImageRefError'
  }
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])'
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`)
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/
const DIGEST_RE = /^([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*):([0-9a-fA-F]{32,})$/
const IDENTIFIER_RE = /^[a-f0-9]{64}$/
const KNOWN_DIGEST_HEX: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha384: /^[a-f0-9]{96}$/,
  sha512: /^[a-f0-9]{128}$/
}

/** Length in hex characters a registered digest algorithm requires. */
const KNOWN_DIGEST_LEN: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 }

function validateDigest(raw: string, digest: string): void {
  const m = DIGEST_RE.exec(digest)
  if (!m) {
    throw new ImageRefError(
      raw,
      `digest ${JSON.stringify(digest)} is not of the form <algorithm>:<hex> (at least 32 hex digits)`
    )
  }
  const algo = m[1]
  const hex = m[2]
  const known = KNOWN_DIGEST_HEX[algo]
  if (known && !known.test(hex)) {
    const want = KNOWN_DIGEST_LEN[algo]
    throw new ImageRefError(
      raw,
      `${algo} digest must be ${want} lowercase hex characters, got ${hex.length}${hex === hex.toLowerCase() ? '' : ' (with uppercase)'}`
    )
  }
}

/** Splits `name` into domain and remote path per docker's normalisation (see file header). */
function splitDomain(name: string): { domain: string; path: string; written?: string } {
  const slash = name.indexOf('/')
  if (slash === -1) return { domain: DEFAULT_DOMAIN, path: OFFICIAL_REPO_PREFIX + name }
  const first = name.slice(0, slash)
  let domain: string
  let path: string
  let written: string | undefined
  if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    written = first
    domain = first === LEGACY_DEFAULT_DOMAIN ? DEFAULT_DOMAIN : first
    path = name.slice(slash + 1)
  } else {
    domain = DEFAULT_DOMAIN
    path = name
  }
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_REPO_PREFIX + path
  return written === undefined ? { domain, path } : { domain, path, written }
}

/** Familiar form of a normalized name: drops `docker.io/` and `library/` (official images only). */
function familiarName(domain: string, path: string): string {
  if (domain !== DEFAULT_DOMAIN) return `${domain}/${path}`
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = path.slice(OFFICIAL_REPO_PREFIX.length)
    if (!rest.includes('/')) return rest
  }
  return path
}

/**
 * Parses an image reference such as `nginx`, `ghcr.io/org/app:1.2`,
 * `localhost:5000/a@sha256:…` or `[::1]:5000/x:tag`.
 * Throws {@link ImageRefError} naming the value and why it is invalid.
 */
export function parseImageRef(raw: string): ImageRef {
  if (typeof raw !== 'string') throw new ImageRefError(String(raw), 'not a string')
  if (raw.length === 0) throw new ImageRefError(raw, 'empty')
  if (/\s/.test(raw)) throw new ImageRefError(raw, 'contains whitespace')
  if (IDENTIFIER_RE.test(raw)) {
    throw new ImageRefError(raw, 'a bare 64-character hex string is an image id, not a repository name')
  }

  let rest = raw
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (digest.length === 0) throw new ImageRefError(raw, "empty digest after '@'")
    validateDigest(raw, digest)
  }

  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon !== -1 && colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (tag.length === 0) throw new ImageRefError(raw, "empty tag after ':'")
    if (tag.length > 128) throw new ImageRefError(raw, `tag is ${tag.length} characters long (at most 128)`)
    if (!TAG_RE.test(tag)) {
      throw new ImageRefError(raw, `tag ${JSON.stringify(tag)} must match [A-Za-z0-9_][A-Za-z0-9._-]{0,127}`)
    }
  }

  if (rest.length === 0) throw new ImageRefError(raw, 'missing repository name')
  const { domain, path, written } = splitDomain(rest)
  if (written !== undefined && !DOMAIN_RE.test(written)) {
    throw new ImageRefError(raw, `registry host ${JSON.stringify(written)} is not a valid host[:port]`)
  }
  if (path.toLowerCase() !== path) {
    throw new ImageRefError(raw, `repository path ${JSON.stringify(path)} must be lowercase`)
  }
  for (const component of path.split('/')) {
    if (component.length === 0)
      throw new ImageRefError(raw, `repository path ${JSON.stringify(path)} has an empty component`)
    if (!PATH_COMPONENT_RE.test(component)) {
      throw new ImageRefError(
        raw,
        `path component ${JSON.stringify(component)} must be lowercase letters and digits separated by '.', '_', '__' or '-'`
      )
    }
  }
  const name = `${domain}/${path}`
  if (name.length > NAME_TOTAL_LENGTH_MAX) {
    throw new ImageRefError(raw, `repository name is ${name.length} characters long (at most ${NAME_TOTAL_LENGTH_MAX})`)
  }

  let canonical = name
  if (tag !== undefined) canonical += `:${tag}`
  if (digest !== undefined) canonical += `@${digest}`
  const ref: ImageRef = { raw, domain, path, canonical, familiar: familiarName(domain, path) }
  if (tag !== undefined) ref.tag = tag
  if (digest !== undefined) ref.digest = digest
  return ref
}

/** `parseImageRef` that returns the error instead of throwing. */
export function tryParseImageRef(raw: string): { ref: ImageRef } | { error: ImageRefError } {
  try {
    return { ref: parseImageRef(raw) }
  } catch (e) {
    if (e instanceof ImageRefError) return { error: e }
    throw e
  }
}
