// The node packager (src/oci/chart-package.ts) against real `helm package`
// (3.17.2 and 4.1.4): the same entries, the same contents, and (one
// dependency, so helm's order is fixed) the same bytes once helm's archive is
// normalized as the action normalizes it. The result must pull, render and lint.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { normalizeTgz, readTgzEntries, writeHelmTgz } from '../../src/chart/archive.js'
import { nodePackage, Unsupported } from '../../src/oci/chart-package.js'
import { helmsUnderTest, REPO_ROOT } from '../support/e2e.js'

const execFileAsync = promisify(execFile)
const EPOCH = 1_700_000_000
const FIXTURES = path.join(REPO_ROOT, '__tests__', 'fixtures')
const helms = helmsUnderTest()

let tmp: string
let helmEnv: NodeJS.ProcessEnv

async function helm(bin: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(bin, args, { cwd: tmp, env: helmEnv, maxBuffer: 32 * 1024 * 1024 })
  return stdout
}

/** `charts/<name>-<version>.tgz` made by helm 3 from a fixture chart. */
async function dependencyArchive(fixture: string, version: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true })
  await helm(helms[0].binary, ['package', path.join(FIXTURES, fixture), '--version', version, '-d', into])
}

async function chartFrom(example: string, name: string): Promise<string> {
  const dir = path.join(tmp, name)
  await cp(path.join(REPO_ROOT, 'examples', 'platform', example, 'chart'), dir, { recursive: true })
  return dir
}

async function viaHelm(bin: string, chartDir: string, out: string): Promise<string> {
  await mkdir(out, { recursive: true })
  await helm(bin, ['package', chartDir, '-d', out])
  const [file] = await readdir(out)
  const archive = path.join(out, file)
  await normalizeTgz(archive, EPOCH)
  return archive
}

async function viaNode(chartDir: string, out: string): Promise<string> {
  await mkdir(out, { recursive: true })
  const packaged = await nodePackage(chartDir)
  const archive = path.join(out, `${packaged.name}-${packaged.version}.tgz`)
  await writeHelmTgz(archive, packaged.entries, EPOCH)
  return archive
}

async function entries(archive: string): Promise<Map<string, string>> {
  const list = await readTgzEntries(await readFile(archive), archive)
  return new Map(list.map((e) => [e.name, e.data.toString('utf8')]))
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'bp-node-package-'))
  helmEnv = {
    ...process.env,
    HELM_CONFIG_HOME: path.join(tmp, 'config'),
    HELM_CACHE_HOME: path.join(tmp, 'cache'),
    HELM_DATA_HOME: path.join(tmp, 'data')
  }
})
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true })
})

async function temporalChart(): Promise<string> {
  const dir = await chartFrom('temporal', 'temporal-chart')
  await dependencyArchive('upstream-temporal', '1.2.0', path.join(dir, 'charts'))
  await writeFile(
    path.join(dir, 'Chart.lock'),
    'dependencies:\n- name: temporal\n  repository: https://go.temporal.io/helm-charts\n  version: 1.2.0\n' +
      'digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n' +
      'generated: "2026-01-02T03:04:05.500+01:00"\n'
  )
  return dir
}

async function adapterChart(): Promise<string> {
  const dir = await chartFrom('anthropic-adapter', 'adapter-chart')
  await dependencyArchive('library-common', '1.0.0', path.join(dir, 'charts'))
  return dir
}

/** A .helmignore with negation and folder rules, a path over 100 bytes (USTAR prefix) and a name over 100 (PAX). */
async function ignoredChart(): Promise<string> {
  const dir = await chartFrom('temporal', 'ignore-chart')
  await dependencyArchive('upstream-temporal', '1.2.0', path.join(dir, 'charts'))
  await writeFile(path.join(dir, '.helmignore'), '# comment\n*.bak\ntests/\n/secret.txt\ndocs/*.tmp\n.git/\n')
  const deep = path.join(dir, 'files', 'a'.repeat(40), 'b'.repeat(45))
  await mkdir(deep, { recursive: true })
  await writeFile(path.join(deep, `${'c'.repeat(30)}.txt`), 'deep\n')
  await writeFile(path.join(dir, 'files', `${'z'.repeat(110)}.txt`), 'long name\n')
  await writeFile(path.join(dir, 'secret.txt'), 'ignored\n')
  await writeFile(path.join(dir, 'notes.bak'), 'ignored\n')
  await mkdir(path.join(dir, 'docs'), { recursive: true })
  await writeFile(path.join(dir, 'docs', 'a.tmp'), 'ignored\n')
  await writeFile(path.join(dir, 'docs', 'keep.md'), 'kept\n')
  await writeFile(path.join(dir, 'templates', '.hidden.yaml'), 'ignored by helm default rule\n')
  await writeFile(path.join(dir, 'values.schema.json'), '{"type":"object"}\n')
  // Chart.yaml shapes go-yaml writes in particular ways: key order (digits, case, punctuation), quoting, folding.
  const chartYaml = await readFile(path.join(dir, 'Chart.yaml'), 'utf8')
  await writeFile(
    path.join(dir, 'Chart.yaml'),
    chartYaml
      .replace(/^appVersion: .*$/m, 'appVersion: "1.10"')
      .replace(
        /^annotations:\n/m,
        'annotations:\n  a10: "x"\n  a9: "true"\n  A: "- dash"\n  a.b: "#hash"\n  ab: "it\'s: here"\n  a-b: ""\n' +
          '  long: "' +
          'word '.repeat(30).trim() +
          ': and a colon at the end of a long line that folds"\n'
      ) +
      'kubeVersion: ">=1.25.0-0"\nmaintainers:\n  - name: Ann\n  - name: Bob\n    email: x@y.z\n    url: https://y.z\n'
  )
  return dir
}

describe.each(helms)('node packaging equals helm package ($label)', (h) => {
  it.each([
    ['examples/platform/temporal (+ Chart.lock)', temporalChart],
    ['examples/platform/anthropic-adapter', adapterChart],
    ['.helmignore, a >100-byte path and a >100-byte name', ignoredChart]
  ])('%s: byte for byte', async (_label, make) => {
    const dir = await make()
    const out = path.join(tmp, `${path.basename(dir)}-${h.version}`)
    const [fromHelm, fromNode] = await Promise.all([viaHelm(h.binary, dir, `${out}-helm`), viaNode(dir, `${out}-node`)])
    const [helmEntries, nodeEntries] = await Promise.all([entries(fromHelm), entries(fromNode)])
    expect([...nodeEntries.keys()]).toEqual([...helmEntries.keys()])
    for (const [name, content] of helmEntries)
      expect({ name, content: nodeEntries.get(name) }).toEqual({ name, content })
    expect((await readFile(fromNode)).equals(await readFile(fromHelm))).toBe(true)

    // What the registry serves is what helm reads: template and lint work on the node archive.
    const set = ['--set', 'adapter.image.tag=test'] // the adapter's CI sets it
    const rendered = await helm(h.binary, ['template', 'smoke', fromNode, ...set])
    expect(rendered).toContain('kind:')
    await helm(h.binary, ['lint', fromNode, ...set])
    await rm(dir, { recursive: true, force: true })
  })

  it('two dependencies: the same entries and contents (helm orders them at random)', async () => {
    const dir = await temporalChart()
    await dependencyArchive('library-common', '1.0.0', path.join(dir, 'charts'))
    const chartYaml = await readFile(path.join(dir, 'Chart.yaml'), 'utf8')
    await writeFile(
      path.join(dir, 'Chart.yaml'),
      `${chartYaml}  - name: common\n    version: 1.0.0\n    repository: https://charts.openova.io/library\n` +
        'maintainers:\n  - name: Jane Doe\n    email: jane@example.com\n'
    )
    const out = path.join(tmp, `two-${h.version}`)
    const [helmEntries, nodeEntries] = await Promise.all([
      viaHelm(h.binary, dir, `${out}-helm`).then(entries),
      viaNode(dir, `${out}-node`).then(entries)
    ])
    expect([...nodeEntries.keys()].sort()).toEqual([...helmEntries.keys()].sort())
    for (const [name, content] of helmEntries)
      expect({ name, content: nodeEntries.get(name) }).toEqual({ name, content })
    await rm(dir, { recursive: true, force: true })
  })
})

describe('shapes left to helm package', () => {
  it('a missing dependency, an apiVersion v1 chart and a non-ASCII description are Unsupported', async () => {
    const missing = await chartFrom('temporal', 'missing-dep')
    await expect(nodePackage(missing)).rejects.toThrow(Unsupported)
    const v1 = await chartFrom('anthropic-adapter', 'v1-chart')
    await writeFile(path.join(v1, 'Chart.yaml'), 'apiVersion: v1\nname: v1-chart\nversion: 0.1.0\n')
    await expect(nodePackage(v1)).rejects.toThrow(/apiVersion/)
    const unicode = await chartFrom('anthropic-adapter', 'unicode-chart')
    await writeFile(
      path.join(unicode, 'Chart.yaml'),
      'apiVersion: v2\nname: unicode-chart\nversion: 0.1.0\ndescription: Größe\n'
    )
    await expect(nodePackage(unicode)).rejects.toThrow(/ASCII/)
  })
})
