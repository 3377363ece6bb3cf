// Redaction as a property: random secrets drawn from the characters that need
// escaping, written by the encoders the action's sinks use (YAML as the diff
// writes it, folded YAML, JSON, base64 inside a longer encoded text, Go's %q,
// percent-encoding, workflow commands, a multi-line value in a diff), must
// not survive redact() in any form. The sinks are decoded back where they can
// be: the decoded text must not hold the secret.
import { describe, expect, it } from '@jest/globals'
import YAML from 'yaml'
import { compareRenders } from '../../src/diff/compare.js'
import { parseRender } from '../../src/helm/render.js'
import { redact, redactDeep, registerSecret, secretForms } from '../../src/util/secrets.js'
import { seededRandom } from '../support/seeded-random.js'

/** Characters that YAML, JSON, Go, markdown, HTML, URLs or workflow commands escape, and some that need nothing. */
const HOSTILE = [
  ...`"'\\#:%,&<>\`|@{}[]=+/!*-_~$ `,
  '\t',
  '\x01',
  '\x1b',
  '\x7f',
  '\u0085',
  '\u00a0',
  '\u2028',
  'é',
  '😀'
]
const PLAIN = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'

function secretFrom(next: () => number, multiLine: boolean): string {
  const length = 8 + Math.floor(next() * 40)
  let out = ''
  for (let i = 0; i < length; i++) {
    const pool = next() < 0.5 ? HOSTILE : [...PLAIN]
    out += pool[Math.floor(next() * pool.length)]
    if (multiLine && i > 2 && i < length - 3 && next() < 0.1) out += '\n'
  }
  // Inputs are trimmed; a value never starts or ends with a space.
  return out.trim().length >= 8 ? out.trim() : `${out.trim()}-padding`
}

/** Go's strconv.Quote, written independently of the action's (the few escapes helm's `quote` makes). */
function goQuote(value: string): string {
  return [...value]
    .map((c) => {
      const named: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\\': '\\\\', '"': '\\"', '\x7f': '\\x7f' }
      if (named[c]) return named[c]
      if (c === '\x01' || c === '\x1b') return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
      if (c === '\u0085' || c === '\u00a0' || c === '\u2028')
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
      return c
    })
    .join('')
}

const configMap = (value: string, name = 'cm'): string =>
  YAML.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { value, other: 'kept' } })

/** Every sink text for `secret`, each with a check of what it still says once redacted. */
function sinks(secret: string): { name: string; text: string; leaks(redacted: string): boolean }[] {
  const holds = (text: string): boolean => text.includes(secret)
  const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64')
  const decodesTo = (redacted: string): string =>
    Buffer.from(redacted.replace(/\*\*\*/g, ''), 'base64').toString('utf8')
  const diff = compareRenders(parseRender(configMap('before')), parseRender(configMap(`x ${secret} y`))).resources[0]
    .diff
  const yamlLeaks = (redacted: string): boolean => {
    try {
      return JSON.stringify(YAML.parse(redacted)).includes(JSON.stringify(secret).slice(1, -1))
    } catch {
      return holds(redacted)
    }
  }
  return [
    { name: 'raw', text: `before ${secret} after`, leaks: holds },
    {
      name: 'JSON',
      text: JSON.stringify({ p: secret, q: [`a${secret}b`] }),
      leaks: (r) => holds(JSON.stringify(JSON.parse(r))) && holds(String(JSON.parse(r).p))
    },
    {
      name: 'YAML',
      text: YAML.stringify({ p: secret, l: [{ q: `a ${secret}` }] }, { lineWidth: 0 }),
      leaks: yamlLeaks
    },
    {
      name: 'YAML double-quoted',
      text: YAML.stringify({ p: secret }, { defaultStringType: 'QUOTE_DOUBLE' }),
      leaks: yamlLeaks
    },
    { name: 'YAML single-quoted', text: `p: '${secret.replace(/'/g, "''")}'\n`, leaks: yamlLeaks },
    {
      name: 'YAML folded at 20 columns',
      text: YAML.stringify({ p: `${secret} ${secret}` }, { lineWidth: 20, minContentWidth: 0 }),
      leaks: yamlLeaks
    },
    ...[0, 1, 2].map((shift) => ({
      name: `base64 at offset ${shift}`,
      text: `token: ${b64(`${'u:'.slice(0, shift)}${secret}:tail`)}`,
      leaks: (r: string) => decodesTo(r.slice(7)).includes(secret)
    })),
    {
      name: "Go's %q",
      text: `error: value "${goQuote(secret)}" is not valid`,
      leaks: (r) => r.includes(goQuote(secret))
    },
    {
      name: 'percent-encoded',
      text: `https://host/?p=${encodeURIComponent(secret)}`,
      leaks: (r) => holds(decodeURIComponent(r.replace(/\*\*\*/g, '')))
    },
    {
      name: 'workflow command',
      text: `::error title=t::${secret.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}`,
      leaks: (r) => holds(r.replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%'))
    },
    {
      name: 'a diff',
      text: diff,
      leaks: (r) => {
        const added = r.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'))
        return yamlLeaks(added.map((l) => l.slice(1)).join('\n'))
      }
    },
    {
      name: 'a diff inside the JSON report',
      text: JSON.stringify({ diff }),
      leaks: (r) =>
        yamlLeaks(
          (JSON.parse(r) as { diff: string }).diff
            .split('\n')
            .filter((l) => l.startsWith('+') && !l.startsWith('+++'))
            .map((l) => l.slice(1))
            .join('\n')
        )
    }
  ]
}

describe('redact: every form of a secret, as a property', () => {
  const seed = Number(process.env.BP_TEST_SEED ?? 23)
  it(`random secrets (seed ${seed}) leave no trace in any sink, and the text around them stays`, () => {
    const next = seededRandom(seed)
    const leaks: string[] = []
    for (let n = 0; n < 150; n++) {
      const secret = secretFrom(next, n % 5 === 4)
      registerSecret(secret)
      for (const sink of sinks(secret)) {
        const redacted = redact(sink.text)
        if (sink.leaks(redacted)) leaks.push(`${sink.name}: ${JSON.stringify(secret)} -> ${JSON.stringify(redacted)}`)
      }
      // What is not secret is kept.
      expect(redact(`KEEP ${secret} THIS`)).toMatch(/^KEEP .*\*\*\*.* THIS$/)
    }
    expect(leaks).toEqual([])
  })

  it('data is redacted before it is serialised: keys and values, deep', () => {
    registerSecret('deep-s3cr"et')
    expect(redactDeep({ 'deep-s3cr"et': ['x deep-s3cr"et y', 1, { n: null }] })).toEqual({
      '***': ['x *** y', 1, { n: null }]
    })
  })

  it("names the forms: YAML and JSON escapes, Go's %q, base64 inside a longer text, each line of a multi-line value", () => {
    const forms = secretForms('pa\'ss"w\\or\x01d9')
    expect(forms).toEqual(
      expect.arrayContaining([
        'pa\'ss"w\\or\x01d9',
        'pa\'ss\\"w\\\\or\\u0001d9', // JSON
        'pa\'ss\\"w\\\\or\\x01d9', // YAML double-quoted, Go's %q
        "pa''ss\"w\\or\x01d9", // YAML single-quoted
        // base64 at offset 0: the characters its bytes alone decide (`cGEnc3Mid1xvcgFkOQ==` whole)
        'cGEnc3Mid1xvcgFkO'
      ])
    )
    expect(secretForms('line-one\nline-two')).toEqual(expect.arrayContaining(['line-one', 'line-two']))
    // Too short to redact: nothing.
    expect(secretForms('ab')).toEqual([])
  })

  it('a value split across lines (a diff of a multi-line value, a fold) is hidden part by part, the lines kept', () => {
    registerSecret('multi-line-secret-value')
    expect(redact('+  key: multi-line-\n+    secret-value\n   other: x')).toBe('+  key: ***\n+    ***\n   other: x')
  })
})
