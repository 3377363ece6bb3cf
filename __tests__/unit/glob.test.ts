import { describe, expect, it } from '@jest/globals'
import { segmentMatcher } from '../../src/util/glob.js'

// The one segment matcher behind lint-values (gates/lint.ts) and discover folders (discover/discover.ts).
describe('segmentMatcher', () => {
  it('matches * and ? within one segment only', () => {
    const values = segmentMatcher('*-values.yaml')
    expect(values('prod-values.yaml')).toBe(true)
    expect(values('prod-values.yml')).toBe(false)
    expect(values('ci/prod-values.yaml')).toBe(false)
    expect(segmentMatcher('v?')('v1')).toBe(true)
    expect(segmentMatcher('v?')('v12')).toBe(false)
  })

  it('supports classes, negated classes and braces', () => {
    expect(segmentMatcher('[tc]*')('temporal')).toBe(true)
    expect(segmentMatcher('[!t]*')('temporal')).toBe(false)
    expect(segmentMatcher('[!t]*')('cnpg')).toBe(true)
    expect(segmentMatcher('{temporal,cnpg}')('cnpg')).toBe(true)
  })

  it('lets * match names that start with a dot (callers decide about hidden folders)', () => {
    expect(segmentMatcher('*')('.hidden')).toBe(true)
  })

  it('treats regex characters literally', () => {
    expect(segmentMatcher('a.b')('a.b')).toBe(true)
    expect(segmentMatcher('a.b')('axb')).toBe(false)
    expect(segmentMatcher('a+b')('a+b')).toBe(true)
  })
})
