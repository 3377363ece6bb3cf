import { describe, expect, it } from '@jest/globals'
import { ImageRefError, parseImageRef } from '../../src/images/image-ref.js'

const D64 = 'sha256:' + '0123456789abcdef'.repeat(4)
const D128 = 'sha512:' + '0123456789abcdef'.repeat(8)

describe('parseImageRef: valid references', () => {
  // raw, domain, path, tag, digest, canonical, familiar
  const cases: Array<[string, string, string, string | undefined, string | undefined, string, string]> = [
    ['nginx', 'docker.io', 'library/nginx', undefined, undefined, 'docker.io/library/nginx', 'nginx'],
    ['nginx:1.25', 'docker.io', 'library/nginx', '1.25', undefined, 'docker.io/library/nginx:1.25', 'nginx'],
    ['a/b', 'docker.io', 'a/b', undefined, undefined, 'docker.io/a/b', 'a/b'],
    [
      'temporalio/server:1.24.2',
      'docker.io',
      'temporalio/server',
      '1.24.2',
      undefined,
      'docker.io/temporalio/server:1.24.2',
      'temporalio/server'
    ],
    ['docker.io/nginx', 'docker.io', 'library/nginx', undefined, undefined, 'docker.io/library/nginx', 'nginx'],
    [
      'index.docker.io/library/nginx:1',
      'docker.io',
      'library/nginx',
      '1',
      undefined,
      'docker.io/library/nginx:1',
      'nginx'
    ],
    ['docker.io/library/a/b', 'docker.io', 'library/a/b', undefined, undefined, 'docker.io/library/a/b', 'library/a/b'],
    ['localhost/a', 'localhost', 'a', undefined, undefined, 'localhost/a', 'localhost/a'],
    ['localhost:5000/a', 'localhost:5000', 'a', undefined, undefined, 'localhost:5000/a', 'localhost:5000/a'],
    // One segment: `localhost:5000` is the image `localhost` with tag 5000 (Docker's reading).
    [
      'localhost:5000',
      'docker.io',
      'library/localhost',
      '5000',
      undefined,
      'docker.io/library/localhost:5000',
      'localhost'
    ],
    // An uppercase first segment can only be a host (paths are lowercase), as in Docker.
    ['LOCALHOST/a', 'LOCALHOST', 'a', undefined, undefined, 'LOCALHOST/a', 'LOCALHOST/a'],
    [
      'Registry.Example.COM/team/app:v1',
      'Registry.Example.COM',
      'team/app',
      'v1',
      undefined,
      'Registry.Example.COM/team/app:v1',
      'Registry.Example.COM/team/app'
    ],
    ['myregistry:5000/x', 'myregistry:5000', 'x', undefined, undefined, 'myregistry:5000/x', 'myregistry:5000/x'],
    [`127.0.0.1:5000/x:1@${D64}`, '127.0.0.1:5000', 'x', '1', D64, `127.0.0.1:5000/x:1@${D64}`, '127.0.0.1:5000/x'],
    ['[::1]:5000/x:tag', '[::1]:5000', 'x', 'tag', undefined, '[::1]:5000/x:tag', '[::1]:5000/x'],
    [
      '[2001:db8::1]/team/x',
      '[2001:db8::1]',
      'team/x',
      undefined,
      undefined,
      '[2001:db8::1]/team/x',
      '[2001:db8::1]/team/x'
    ],
    [
      `ghcr.io/org/app:v1.2.3@${D64}`,
      'ghcr.io',
      'org/app',
      'v1.2.3',
      D64,
      `ghcr.io/org/app:v1.2.3@${D64}`,
      'ghcr.io/org/app'
    ],
    [`nginx@${D64}`, 'docker.io', 'library/nginx', undefined, D64, `docker.io/library/nginx@${D64}`, 'nginx'],
    [`quay.io/a/b/c/d@${D128}`, 'quay.io', 'a/b/c/d', undefined, D128, `quay.io/a/b/c/d@${D128}`, 'quay.io/a/b/c/d'],
    [
      'a__b/c--d/e.f_g',
      'docker.io',
      'a__b/c--d/e.f_g',
      undefined,
      undefined,
      'docker.io/a__b/c--d/e.f_g',
      'a__b/c--d/e.f_g'
    ],
    [
      'nginx:_Under.Score-1',
      'docker.io',
      'library/nginx',
      '_Under.Score-1',
      undefined,
      'docker.io/library/nginx:_Under.Score-1',
      'nginx'
    ]
  ]
  it.each(cases)('%s', (raw, domain, path, tag, digest, canonical, familiar) => {
    const ref = parseImageRef(raw)
    expect(ref).toEqual({
      raw,
      domain,
      path,
      canonical,
      familiar,
      ...(tag === undefined ? {} : { tag }),
      ...(digest === undefined ? {} : { digest })
    })
  })

  it('accepts a 128-character tag and a 255-character name', () => {
    expect(parseImageRef('nginx:' + 'a'.repeat(128)).tag).toHaveLength(128)
    const name = 'r.io/' + 'a'.repeat(250)
    expect(parseImageRef(name).canonical).toBe(name)
  })
})

describe('parseImageRef: invalid references', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['Nginx', /must be lowercase/],
    ['docker.io/Library/nginx', /must be lowercase/],
    ['a/B', /must be lowercase/],
    ['LOCALHOST', /must be lowercase/],
    ['nginx:', /empty tag/],
    ['nginx:-bad', /tag "-bad" must match/],
    ['nginx:' + 'a'.repeat(129), /129 characters long \(at most 128\)/],
    ['nginx@sha256:abc', /not of the form <algorithm>:<hex>/],
    ['nginx@sha256:' + 'a'.repeat(63), /sha256 digest must be 64 lowercase hex characters, got 63/],
    ['nginx@sha256:' + 'A'.repeat(64), /must be 64 lowercase hex.*uppercase/],
    ['nginx:1@sha256:' + 'a'.repeat(65), /got 65/],
    ['nginx@', /empty digest/],
    ['nginx@latest', /not of the form/],
    ['a//b', /empty component/],
    ['a/b/', /empty component/],
    ['-a', /path component "-a"/],
    ['a..b', /path component "a..b"/],
    ['a:b:c', /path component "a:b"/],
    ['exa_mple.com/a', /registry host "exa_mple.com"/],
    [':5000/a', /registry host ":5000"/],
    ['[::1/x', /registry host/],
    ['-bad.example.com/x', /registry host/],
    ['a'.repeat(64), /image id/],
    ['nginx latest', /whitespace/],
    [' nginx', /whitespace/],
    ['r.io/' + 'a'.repeat(251), /256 characters long \(at most 255\)/],
    [':tag', /missing repository name/]
  ]
  it.each(cases)('%j', (raw, why) => {
    let error: unknown
    try {
      parseImageRef(raw)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(ImageRefError)
    const err = error as ImageRefError
    expect(err.message).toMatch(why)
    expect(err.raw).toBe(raw)
    expect(err.message).toContain(JSON.stringify(raw))
  })
})
