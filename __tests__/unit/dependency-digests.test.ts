import { describe, expect, it } from '@jest/globals'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { normalizeDigest, sha256Digest, verifyDependencyArchives } from '../../src/chart/dependency-digests.js'

describe('normalizeDigest', () => {
  it('accepts index.yaml (bare hex) and OCI (sha256:) forms, nothing else', () => {
    const hex = 'a'.repeat(64)
    expect(normalizeDigest(hex)).toBe(`sha256:${hex}`)
    expect(normalizeDigest(`sha256:${hex.toUpperCase()}`)).toBe(`sha256:${hex}`)
    expect(normalizeDigest('sha512:abc')).toBeUndefined()
    expect(normalizeDigest(undefined)).toBeUndefined()
    expect(normalizeDigest(42)).toBeUndefined()
  })
})

describe('verifyDependencyArchives', () => {
  it('passes a matching archive, names chart, version, expected and actual digest on a mismatch, warns without a digest', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bp-digests-'))
    try {
      const charts = path.join(dir, 'charts')
      await mkdir(charts)
      const good = Buffer.from('good archive')
      const swapped = Buffer.from('swapped archive')
      await Promise.all([
        writeFile(path.join(charts, 'temporal-1.2.0.tgz'), swapped),
        writeFile(path.join(charts, 'cnpg-0.3.1.tgz'), good),
        writeFile(path.join(charts, 'extra-1.0.0.tgz'), good),
        // another chart whose name starts like one of the sources: not mistaken for it
        writeFile(path.join(charts, 'temporal-ui-2.0.0.tgz'), good)
      ])
      const findings = await verifyDependencyArchives(charts, [
        { name: 'temporal', source: 'http://127.0.0.1:1/index.yaml', expectedDigest: async () => sha256Digest(good) },
        {
          name: 'cnpg',
          source: 'oci://127.0.0.1:2/charts/cnpg',
          expectedDigest: async (version) => (version === '0.3.1' ? sha256Digest(good) : undefined)
        },
        { name: 'extra', source: 'http://127.0.0.1:3/index.yaml', expectedDigest: async () => undefined }
      ])
      expect(findings).toEqual([
        expect.objectContaining({
          severity: 'error',
          message: expect.stringContaining(
            `dependency temporal 1.2.0 downloaded as temporal-1.2.0.tgz has digest ${sha256Digest(swapped)}, but http://127.0.0.1:1/index.yaml says ${sha256Digest(good)}`
          )
        }),
        expect.objectContaining({
          severity: 'warning',
          message: expect.stringContaining('gives no digest for extra 1.0.0')
        })
      ])
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
