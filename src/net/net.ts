// Network rules shared by every client of the action (registry, chart repositories, helm logins):
// which hosts count as loopback (the only ones plain HTTP and credentials over http:// may reach),
// the host of a repository URL, and credentials in URLs (found and hidden). Pure; imports nothing from src/.

/** True for loopback names and addresses; accepts `host`, `host:port`, `[::1]:port`. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname
    .replace(/^(\[[^\]]*\]|[^:[\]]+):\d+$/, '$1')
    .replace(/^\[|\]$/g, '')
    .toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || h === '::ffff:127.0.0.1'
}

/** Host (with port) of an http(s):// or oci:// repository URL. */
export function repositoryHost(url: string): string | undefined {
  try {
    return new URL(url.replace(/^oci:\/\//, 'https://')).host.toLowerCase()
  } catch {
    return undefined
  }
}

/**
 * The text with the userinfo of every URL in it (`scheme://user[:password]@`;
 * the authority ends at `/`, `?`, `#` or a space) replaced by `***`, so an
 * error can name the URL without the credentials.
 */
export function withoutUserinfo(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, '$1***@')
}

/** The userinfo (`user[:password]`) of a URL at the start of the text, if it has one. */
export function urlUserinfo(text: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]*)@/i.exec(text)?.[1]
}

/**
 * The fix for a TLS failure with a loopback registry reached without input plain-http (a local registry speaks
 * plain HTTP): it names the input. Undefined when plain HTTP was on, the host is not loopback, or the failure
 * is not TLS's.
 */
export function plainHttpFix(host: string, plainHttp: boolean, failure: string): string | undefined {
  if (plainHttp || !isLoopbackHost(host)) return undefined
  if (!/HTTP response to HTTPS client|EPROTO|wrong version number|SSL|TLS|handshake/i.test(failure)) return undefined
  return `${host} is a loopback registry answering in plain HTTP: set input plain-http: true (on loopback hosts it applies to the registry published to, OCI dependencies and the OCI upstream's tag listing)`
}
