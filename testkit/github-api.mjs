// A loopback stand-in for the parts of GitHub's REST API the action uses.
// Point the action at it with GITHUB_API_URL=<url> (or octokit `baseUrl`).
//
// Routes (owner/repo are accepted as given; comments are keyed by issue number
// and, when a comment has `repo` set, by 'owner/repo' too):
//   GET    /repos/{o}/{r}/issues/{n}/comments     paginated (per_page, page, Link)
//   POST   /repos/{o}/{r}/issues/{n}/comments     {body} -> 201 comment
//   GET    /repos/{o}/{r}/issues/comments/{id}
//   PATCH  /repos/{o}/{r}/issues/comments/{id}    {body} -> 200 comment
//   DELETE /repos/{o}/{r}/issues/comments/{id}    -> 204
//   GET    /repos/{o}/{r}/pulls/{n}/files         paginated, from `pullFiles`
//   GET    /repos/{o}/{r}/compare/{base}...{head} from `compare`
//   GET    /user                                  the token's account (`user`) when it is not a Bot, as for a
//                                                 personal access token; 403 for a Bot, as for GITHUB_TOKEN
//   POST   /repos/{o}/{r}/attestations            {bundle} -> 201 {id}, kept in `attestations` (or `attestationsFailWith`)
//   GET    /repos/{o}/{r}/attestations/{digest}   {attestations: [{bundle}]} of bundles about that subject digest
//   GET    /oidc/token?audience=…                 the runner's OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL, see
//                                                 `idTokenEnv`): {value: JWT with `idTokenClaims` and aud=audience},
//                                                 when the bearer is ID_TOKEN_REQUEST_TOKEN
// Anything else: 404 {message: 'Not Found'}. `setResponder` overrides any route.

import * as http from 'node:http'
import { identityToken } from './sigstore.mjs'

/** The bearer the stand-in's OIDC token endpoint expects (ACTIONS_ID_TOKEN_REQUEST_TOKEN). */
export const ID_TOKEN_REQUEST_TOKEN = 'stand-in-id-token-request-token'

/**
 * The environment a job with `permissions: id-token: write` has, pointing at the stand-in's token endpoint.
 * @param {{ url: string }} api
 * @returns {Record<string, string>}
 */
export function idTokenEnv(api) {
  return {
    ACTIONS_ID_TOKEN_REQUEST_URL: `${api.url}/oidc/token?api-version=2.0`,
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: ID_TOKEN_REQUEST_TOKEN
  }
}

/**
 * @typedef {object} GitHubUser
 * @property {string} login
 * @property {number} id
 * @property {string} type
 */

/**
 * @typedef {object} StoredComment
 * @property {number} id
 * @property {string} body
 * @property {number} issue
 * @property {string} [repo] 'owner/repo'; when absent the comment matches any repo
 * @property {GitHubUser} user
 * @property {string} html_url
 * @property {string} created_at
 * @property {string} updated_at
 */

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path pathname only
 * @property {Record<string, string>} query
 * @property {http.IncomingHttpHeaders} headers
 * @property {any} body parsed JSON when possible, else the raw string ('' when empty)
 */

/**
 * @typedef {object} Reply
 * @property {number} [status] default 200
 * @property {any} [body] serialized as JSON unless a string
 * @property {Record<string, string>} [headers]
 */

/**
 * @callback Responder
 * @param {RecordedRequest} req
 * @param {RegExpExecArray} match
 * @returns {Reply | undefined | Promise<Reply | undefined>} undefined = fall through to built-in routes
 */

/**
 * @typedef {object} FailWith
 * @property {number} [status] default 403
 * @property {string} [message] default 'Resource not accessible by integration'
 * @property {string[]} [methods] which methods on comment routes fail; default ['POST', 'PATCH', 'DELETE']
 */

/**
 * @typedef {object} GitHubApi
 * @property {string} url base URL, e.g. 'http://127.0.0.1:PORT'
 * @property {number} port
 * @property {RecordedRequest[]} requests
 * @property {StoredComment[]} comments live store
 * @property {(method: string, pathRegex: RegExp | string, handler: Responder | Reply) => () => void} setResponder
 *   add an override (checked newest first); returns a remover
 * @property {(failWith: FailWith | number | undefined) => void} setFailWith make comment writes fail (or stop failing)
 * @property {(issue: number) => StoredComment[]} commentsOn
 * @property {{ id: number, repo: string, bundle: any }[]} attestations stored through POST …/attestations
 * @property {string[]} idTokens every OIDC token the token endpoint gave
 * @property {() => Promise<void>} stop
 */

/** The login GITHUB_TOKEN comments appear under. */
export const BOT_USER = Object.freeze({ login: 'github-actions[bot]', id: 41898282, type: 'Bot' })

export const FORK_PR_FAILURE = Object.freeze({ status: 403, message: 'Resource not accessible by integration' })

/**
 * Start the stand-in on 127.0.0.1:<ephemeral>.
 * @param {object} [options]
 * @param {Array<Partial<StoredComment> & { body: string }>} [options.comments] initial comments (issue defaults to 1)
 * @param {FailWith | number} [options.failWith] make comment writes fail; `403` or `{}` = fork-PR token
 * @param {GitHubUser} [options.user] author of comments created through the API and of initial comments without
 *   `user` (default BOT_USER, as for GITHUB_TOKEN); a non-Bot user also answers GET /user (a personal access token)
 * @param {Record<string, any[]> | any[]} [options.pullFiles] files per PR number ('*' = any PR), or one list for any PR
 * @param {Record<string, any>} [options.compare] compare result per 'base...head' ('*' = any)
 * @param {Record<string, unknown>} [options.idTokenClaims] claims of the OIDC tokens given (over identityToken's)
 * @param {{ status: number, message: string }} [options.attestationsFailWith] how POST …/attestations refuses
 *   (e.g. 404 for a private repository on a plan without artifact attestations)
 * @returns {Promise<GitHubApi>}
 */
export async function startGitHubApi({
  comments = [],
  failWith,
  user = BOT_USER,
  pullFiles,
  compare,
  idTokenClaims = {},
  attestationsFailWith
} = {}) {
  let nextId = 1000
  for (const c of comments) if (typeof c.id === 'number' && c.id >= nextId) nextId = c.id + 1

  /** @type {RecordedRequest[]} */
  const requests = []
  /** @type {StoredComment[]} */
  const store = []
  /** @type {{ id: number, repo: string, bundle: any }[]} */
  const attestations = []
  /** @type {string[]} */
  const idTokens = []
  /** @type {{ method: string, re: RegExp, handler: Responder | Reply }[]} */
  const responders = []
  /** @type {Required<FailWith> | undefined} */
  let failure = normalizeFailWith(failWith)
  let baseUrl = ''

  /**
   * @param {Partial<StoredComment> & { body: string }} c
   * @param {string} [repo]
   * @returns {StoredComment}
   */
  const makeComment = (c, repo) => {
    const now = new Date().toISOString()
    const id = typeof c.id === 'number' ? c.id : nextId++
    const issue = c.issue ?? 1
    const r = c.repo ?? repo
    return {
      id,
      body: c.body,
      issue,
      ...(r ? { repo: r } : {}),
      user: c.user ?? user,
      html_url: c.html_url ?? `https://github.com/${r ?? 'owner/repo'}/pull/${issue}#issuecomment-${id}`,
      created_at: c.created_at ?? now,
      updated_at: c.updated_at ?? c.created_at ?? now
    }
  }
  for (const c of comments) store.push(makeComment(c))

  /** @param {StoredComment} c */
  const toJson = (c) => ({
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${baseUrl}/repos/${c.repo ?? 'owner/repo'}/issues/comments/${c.id}`,
    html_url: c.html_url,
    issue_url: `${baseUrl}/repos/${c.repo ?? 'owner/repo'}/issues/${c.issue}`,
    body: c.body,
    user: c.user,
    created_at: c.created_at,
    updated_at: c.updated_at,
    author_association: 'NONE'
  })

  /** @param {string} repo @param {number} id */
  const findComment = (repo, id) => store.find((c) => c.id === id && (c.repo === undefined || c.repo === repo))

  /**
   * @param {RecordedRequest} req
   * @returns {Reply}
   */
  const route = (req) => {
    const { method, path: p } = req
    let m
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(p))) {
      const repo = `${m[1]}/${m[2]}`
      const issue = Number(m[3])
      if (method === 'GET') {
        const list = store.filter((c) => c.issue === issue && (c.repo === undefined || c.repo === repo))
        return paginate(req, list.map(toJson))
      }
      if (method === 'POST') {
        if (failure && failure.methods.includes('POST')) return failReply(failure)
        const body = req.body && typeof req.body === 'object' ? req.body.body : undefined
        if (typeof body !== 'string') return validationFailed('body')
        const c = makeComment({ body, issue }, repo)
        store.push(c)
        return {
          status: 201,
          body: toJson(c),
          headers: { location: `${baseUrl}/repos/${repo}/issues/comments/${c.id}` }
        }
      }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(p))) {
      const repo = `${m[1]}/${m[2]}`
      const id = Number(m[3])
      if (method === 'GET' || method === 'PATCH' || method === 'DELETE') {
        if (method !== 'GET' && failure && failure.methods.includes(method)) return failReply(failure)
        const c = findComment(repo, id)
        if (!c) return notFound()
        if (method === 'GET') return { status: 200, body: toJson(c) }
        if (method === 'PATCH') {
          const body = req.body && typeof req.body === 'object' ? req.body.body : undefined
          if (typeof body !== 'string') return validationFailed('body')
          c.body = body
          c.updated_at = new Date().toISOString()
          return { status: 200, body: toJson(c) }
        }
        store.splice(store.indexOf(c), 1)
        return { status: 204 }
      }
    }
    if (method === 'GET' && p === '/oidc/token') {
      if (req.headers.authorization !== `Bearer ${ID_TOKEN_REQUEST_TOKEN}`)
        return { status: 401, body: { message: 'Bad credentials' } }
      const token = identityToken({ ...idTokenClaims, aud: req.query.audience ?? 'sigstore' })
      idTokens.push(token)
      return { status: 200, body: { count: 1, value: token } }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/attestations$/.exec(p)) && method === 'POST') {
      if (attestationsFailWith)
        return { status: attestationsFailWith.status, body: { message: attestationsFailWith.message } }
      const bundle = req.body && typeof req.body === 'object' ? req.body.bundle : undefined
      if (!bundle || typeof bundle !== 'object') return validationFailed('bundle')
      const stored = { id: nextId++, repo: `${m[1]}/${m[2]}`, bundle }
      attestations.push(stored)
      return { status: 201, body: { id: stored.id } }
    }
    if ((m = /^\/repos\/([^/]+)\/([^/]+)\/attestations\/(sha256:[0-9a-f]{64})$/.exec(p)) && method === 'GET') {
      const hex = m[3].slice('sha256:'.length)
      const about = attestations.filter((a) => {
        const payload = a.bundle?.dsseEnvelope?.payload
        const statement = payload ? JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) : undefined
        return (
          a.repo === `${m?.[1]}/${m?.[2]}` &&
          statement?.subject?.some((/** @type {any} */ s) => s.digest?.sha256 === hex)
        )
      })
      if (!about.length) return notFound()
      return { status: 200, body: { attestations: about.map((a) => ({ bundle: a.bundle, repository_id: 1 })) } }
    }
    if (method === 'GET' && p === '/user') {
      // Installation tokens (GITHUB_TOKEN, app tokens) cannot read /user.
      if (user.type === 'Bot')
        return failReply({ status: 403, message: 'Resource not accessible by integration', methods: [] })
      return { status: 200, body: { ...user } }
    }
    if (
      method === 'GET' &&
      (m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)\/files$/.exec(p)) &&
      pullFiles !== undefined
    ) {
      const files = Array.isArray(pullFiles) ? pullFiles : (pullFiles[m[3]] ?? pullFiles['*'])
      if (files) return paginate(req, files)
    }
    if (method === 'GET' && (m = /^\/repos\/([^/]+)\/([^/]+)\/compare\/(.+)$/.exec(p)) && compare !== undefined) {
      const key = decodeURIComponent(m[3])
      const result = compare[key] ?? compare['*']
      if (result !== undefined) return { status: 200, body: result }
    }
    return notFound()
  }

  /**
   * @param {RecordedRequest} req
   * @param {any[]} list
   * @returns {Reply}
   */
  const paginate = (req, list) => {
    const perPage = clamp(parseInt(req.query.per_page ?? '30', 10) || 30, 1, 100)
    const page = Math.max(parseInt(req.query.page ?? '1', 10) || 1, 1)
    const lastPage = Math.max(Math.ceil(list.length / perPage), 1)
    const items = list.slice((page - 1) * perPage, page * perPage)
    /** @type {Record<string, string>} */
    const headers = {}
    /** @param {number} n */
    const link = (n) => {
      const u = new URL(baseUrl + req.path)
      for (const [k, v] of Object.entries(req.query)) u.searchParams.set(k, v)
      u.searchParams.set('per_page', String(perPage))
      u.searchParams.set('page', String(n))
      return u.toString()
    }
    const rels = []
    if (page > 1) rels.push(`<${link(page - 1)}>; rel="prev"`)
    if (page < lastPage) rels.push(`<${link(page + 1)}>; rel="next"`, `<${link(lastPage)}>; rel="last"`)
    if (page > 1) rels.push(`<${link(1)}>; rel="first"`)
    if (rels.length) headers.link = rels.join(', ')
    return { status: 200, body: items, headers }
  }

  const server = http.createServer((req, res) => {
    /** @type {Buffer[]} */
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const u = new URL(req.url ?? '/', 'http://127.0.0.1')
      const raw = Buffer.concat(chunks).toString('utf8')
      /** @type {any} */
      let body = raw
      if (raw) {
        try {
          body = JSON.parse(raw)
        } catch {
          // keep raw
        }
      }
      /** @type {RecordedRequest} */
      const rec = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: u.pathname.replace(/\/+$/, '') || '/',
        query: Object.fromEntries(u.searchParams),
        headers: req.headers,
        body
      }
      requests.push(rec)
      /** @type {Reply | undefined} */
      let reply
      try {
        for (let i = responders.length - 1; i >= 0 && !reply; i--) {
          const r = responders[i]
          if (r.method !== '*' && r.method !== rec.method) continue
          r.re.lastIndex = 0
          const match = r.re.exec(rec.path)
          if (!match) continue
          reply = typeof r.handler === 'function' ? await r.handler(rec, match) : r.handler
        }
        reply ??= route(rec)
      } catch (err) {
        reply = { status: 500, body: { message: `github-api stand-in error: ${/** @type {Error} */ (err).message}` } }
      }
      send(res, reply)
    })
  })
  server.keepAliveTimeout = 1000

  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve(undefined))
  })
  const addr = server.address()
  const port = typeof addr === 'object' && addr ? addr.port : 0
  baseUrl = `http://127.0.0.1:${port}`

  /** @type {Promise<void> | undefined} */
  let stopping
  return {
    url: baseUrl,
    port,
    requests,
    comments: store,
    setResponder(method, pathRegex, handler) {
      const entry = {
        method: method.toUpperCase(),
        re: typeof pathRegex === 'string' ? new RegExp(pathRegex) : pathRegex,
        handler
      }
      responders.push(entry)
      return () => {
        const i = responders.indexOf(entry)
        if (i >= 0) responders.splice(i, 1)
      }
    },
    setFailWith(f) {
      failure = normalizeFailWith(f)
    },
    commentsOn: (issue) => store.filter((c) => c.issue === issue),
    attestations,
    idTokens,
    stop: () =>
      (stopping ??= new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }))
  }
}

/**
 * @param {FailWith | number | undefined} f
 * @returns {Required<FailWith> | undefined}
 */
function normalizeFailWith(f) {
  if (f === undefined || f === null) return undefined
  const o = typeof f === 'number' ? { status: f } : f
  return {
    status: o.status ?? FORK_PR_FAILURE.status,
    message: o.message ?? FORK_PR_FAILURE.message,
    methods: (o.methods ?? ['POST', 'PATCH', 'DELETE']).map((m) => m.toUpperCase())
  }
}

/** @param {Required<FailWith>} f @returns {Reply} */
function failReply(f) {
  return {
    status: f.status,
    body: {
      message: f.message,
      documentation_url: 'https://docs.github.com/rest/issues/comments',
      status: String(f.status)
    }
  }
}

/** @returns {Reply} */
function notFound() {
  return {
    status: 404,
    body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' }
  }
}

/** @param {string} field @returns {Reply} */
function validationFailed(field) {
  return {
    status: 422,
    body: {
      message: 'Validation Failed',
      errors: [{ resource: 'IssueComment', code: 'missing_field', field }],
      status: '422'
    }
  }
}

/** @param {number} n @param {number} lo @param {number} hi */
function clamp(n, lo, hi) {
  return Math.min(Math.max(n, lo), hi)
}

/**
 * @param {http.ServerResponse} res
 * @param {Reply} reply
 */
function send(res, reply) {
  const status = reply.status ?? 200
  /** @type {Record<string, string>} */
  const headers = {
    'x-github-request-id': `TEST:${Math.random().toString(16).slice(2, 10)}`,
    'x-ratelimit-limit': '5000',
    'x-ratelimit-remaining': '4999',
    'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
    'x-ratelimit-resource': 'core',
    ...Object.fromEntries(Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]))
  }
  if (status === 204 || status === 304 || reply.body === undefined) {
    res.writeHead(status, headers)
    res.end()
    return
  }
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body)
  headers['content-type'] ??=
    typeof reply.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8'
  headers['content-length'] = String(Buffer.byteLength(text))
  res.writeHead(status, headers)
  res.end(text)
}
