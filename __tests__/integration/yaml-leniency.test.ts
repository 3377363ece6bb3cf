// The render parser reads what helm reads: a differential test against go-yaml itself (helm's `fromYaml`, i.e.
// sigs.k8s.io/yaml, the reader of helm, kubectl and the API server), under Helm 3 and Helm 4, on the corpus of
// __tests__/fixtures/yaml-leniency: documents the `yaml` library refuses (quoted scalars and flow collections
// continued at or below their key's indentation) and a plain control.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { promisify } from 'node:util'
import { parse } from 'yaml'
import { parseRenderAsHelm, parseRenderDetailed } from '../../src/helm/render.js'
import { isolatedHelmEnv } from '../../testkit/chart-repo.mjs'
import { helmsUnderTest, REPO_ROOT } from '../support/e2e.js'

const CORPUS = path.join(REPO_ROOT, '__tests__', 'fixtures', 'yaml-leniency')
const execFileAsync = promisify(execFile)

/** A chart whose one template is every corpus document as go-yaml reads it, as JSON (fromYaml | toJson). */
const READER = `apiVersion: v1
kind: ConfigMap
metadata:
  name: corpus
data:
{{- range $path, $_ := .Files.Glob "corpus/*.yaml" }}
  {{ base $path | quote }}: {{ $.Files.Get $path | fromYaml | toJson | quote }}
{{- end }}
`

async function corpusFiles(): Promise<string[]> {
  return (await readdir(CORPUS)).filter((name) => name.endsWith('.yaml')).sort()
}

/** One corpus document as helm template writes a rendered document. */
async function asRender(file: string): Promise<string> {
  return `---\n# Source: corpus/templates/${file}\n${await readFile(path.join(CORPUS, file), 'utf8')}`
}

describe.each(helmsUnderTest())('documents go-yaml reads, with $label', (helm) => {
  let dir: string
  let goYaml: Record<string, string>
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bp-yaml-leniency-'))
    const chart = path.join(dir, 'reader')
    await mkdir(path.join(chart, 'templates'), { recursive: true })
    await writeFile(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: reader\nversion: 0.1.0\n')
    await writeFile(path.join(chart, 'templates', 'read.yaml'), READER)
    await cp(CORPUS, path.join(chart, 'corpus'), { recursive: true, filter: (f) => !f.endsWith('.md') })
    const { stdout } = await execFileAsync(helm.binary, ['template', 'corpus', chart], {
      env: { ...process.env, ...isolatedHelmEnv(path.join(dir, 'home')) }
    })
    goYaml = (parse(stdout) as { data: Record<string, string> }).data
  })
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('reads every document of the corpus as go-yaml does', async () => {
    const files = await corpusFiles()
    expect(Object.keys(goYaml).sort()).toEqual(files)
    for (const file of files) {
      const byGo: unknown = JSON.parse(goYaml[file])
      expect({ file, error: (byGo as { Error?: string }).Error }).toEqual({ file, error: undefined })
      const ours = await parseRenderAsHelm(await asRender(file))
      expect({ file, errors: ours.errors.map((e) => e.message) }).toEqual({ file, errors: [] })
      expect({ file, read: JSON.parse(JSON.stringify(ours.documents.map((d) => d.object))) }).toEqual({
        file,
        read: [byGo]
      })
    }
  })

  it('needs its fallback for all but the plain control: the yaml library alone refuses them', async () => {
    const refused: string[] = []
    for (const file of await corpusFiles()) {
      if (parseRenderDetailed(await asRender(file)).errors.length > 0) refused.push(file)
    }
    expect(refused).toEqual((await corpusFiles()).filter((file) => file !== 'plain.yaml'))
  })
})
