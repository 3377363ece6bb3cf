import { describe, expect, it } from '@jest/globals'
import { helmBuildInfo, helmFromModInfo } from '../../src/helm/go-buildinfo.js'
import { askedBeforeTheBuild } from '../../src/helm/path-helm.js'

// Module information as Go writes it (tab-separated lines), from helm's official builds.
const HELM3 = 'path\thelm.sh/helm/v3/cmd/helm\nmod\thelm.sh/helm/v3\t(devel)\t\nbuild\t-trimpath=true\n'
const HELM4 = 'path\thelm.sh/helm/v4/cmd/helm\nmod\thelm.sh/helm/v4\tv4.1.4\t\nbuild\t-trimpath=true\n'

/** A `.go.buildinfo` section as Go 1.18+ writes it: magic, pointer size, flags (2: inline strings), varint strings. */
function section(goVersion: string, modInfo: string, flags = 2): Buffer {
  const header = Buffer.alloc(32)
  header.write('\xff Go buildinf:', 0, 'latin1')
  header[14] = 8
  header[15] = flags
  const varint = (n: number): Buffer => {
    const bytes: number[] = []
    while (n >= 0x80) {
      bytes.push((n & 0x7f) | 0x80)
      n >>>= 7
    }
    bytes.push(n)
    return Buffer.from(bytes)
  }
  const text = (s: string): Buffer => Buffer.concat([varint(Buffer.byteLength(s)), Buffer.from(s)])
  return Buffer.concat([header, text(goVersion), text(modInfo)])
}

describe('helmFromModInfo', () => {
  it('takes the major from the module path, and a release tag as the version', () => {
    expect(helmFromModInfo(HELM3)).toEqual({ major: 3 })
    expect(helmFromModInfo(HELM4)).toEqual({ major: 4, version: 'v4.1.4' })
  })

  it('takes the -X version linker flag (and its metadata) when the build recorded it', () => {
    const ldflags =
      'build\t-ldflags="-w -s -X helm.sh/helm/v3/internal/version.version=v3.17.2 -X helm.sh/helm/v3/internal/version.metadata=distro"\n'
    expect(helmFromModInfo(HELM3 + ldflags)).toEqual({ major: 3, version: 'v3.17.2+distro' })
  })

  it('never takes a pseudo-version, a dirty tree or another major as the version', () => {
    expect(helmFromModInfo(HELM4.replace('v4.1.4', 'v4.1.5-0.20260409045806-05fa37973dc9'))).toEqual({ major: 4 })
    expect(helmFromModInfo(HELM4.replace('v4.1.4', 'v4.1.4+dirty'))).toEqual({ major: 4 })
    expect(helmFromModInfo(HELM4.replace('v4.1.4', 'v3.17.2'))).toEqual({ major: 4 })
  })

  it('knows nothing of a binary that is not helm', () => {
    expect(helmFromModInfo('path\tgithub.com/x/y\nmod\tgithub.com/x/y\tv1.0.0\t\n')).toEqual({})
  })
})

describe('helmBuildInfo', () => {
  it('reads the inline strings of a Go 1.18+ section', () => {
    expect(helmBuildInfo(section('go1.25.9', HELM4))).toEqual({ major: 4, version: 'v4.1.4' })
    // Module information longer than 127 bytes has a two-byte length.
    expect(helmBuildInfo(section('go1.23.7', HELM3 + `dep\t${'x'.repeat(300)}\n`))).toEqual({ major: 3 })
  })

  it('answers nothing for an older layout, a truncated section or other bytes', () => {
    expect(helmBuildInfo(section('go1.17', HELM4, 0))).toEqual({})
    expect(helmBuildInfo(section('go1.25.9', HELM4).subarray(0, 60))).toEqual({})
    expect(helmBuildInfo(Buffer.from('not a build info section at all, no magic here'))).toEqual({})
  })
})

describe('askedBeforeTheBuild: when provisioning runs `helm version` for the helm on PATH', () => {
  it.each([
    { recorded: { major: 3 }, wanted: '', asked: false, why: 'any helm will do: the major picks flags' },
    { recorded: { major: 3 }, wanted: 'v3.17.2', asked: true, why: 'a version is wanted, the build does not say it' },
    { recorded: { major: 3 }, wanted: 'v4.1.4', asked: false, why: 'the recorded major rules the helm out' },
    { recorded: { major: 3 }, wanted: 'v30.0.0', asked: false, why: 'major 30 is not major 3' },
    { recorded: { major: 4, version: 'v4.1.4' }, wanted: 'v4.1.4', asked: false, why: 'the build says it' },
    { recorded: {}, wanted: '', asked: true, why: 'not even the major is known' },
    { recorded: {}, wanted: 'v3.17.2', asked: true, why: 'nothing is known' }
  ])('$recorded, wanted "$wanted": $asked ($why)', ({ recorded, wanted, asked }) => {
    expect(askedBeforeTheBuild(recorded, wanted)).toBe(asked)
  })
})
