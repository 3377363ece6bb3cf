import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { goRuntimeEnv } from '../../src/helm/go-runtime.js'
import { createHelmHome, Helm } from '../../src/helm/helm.js'

let root: string
let helm: Helm
const saved = { ...process.env }

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'helm-env-'))
  // A known version: no helm process is started by this test.
  helm = await Helm.create('/opt/helm/bin/helm', path.join(root, 'action-home'), { major: 3, version: 'v3.17.2' })
})
afterAll(async () => {
  process.env = saved
  await rm(root, { recursive: true, force: true })
})

describe('Helm.env', () => {
  it('withholds the action inputs, the runner tokens and the user helm settings; keeps the rest', () => {
    Object.assign(process.env, {
      INPUT_REGISTRY_PASSWORD: 's3cret',
      'INPUT_DEPENDENCY-PASSWORD': 's3cret',
      ACTIONS_RUNTIME_TOKEN: 'runtime',
      ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
      GITHUB_TOKEN: 'ghs_x',
      HELM_REGISTRY_CONFIG: '/home/user/.config/helm/registry/config.json',
      HELM_DEBUG: 'true',
      GITHUB_WORKSPACE: '/work/repo',
      MY_SETTING: 'kept'
    })
    const env = helm.env()
    for (const key of [
      'INPUT_REGISTRY_PASSWORD',
      'INPUT_DEPENDENCY-PASSWORD',
      'ACTIONS_RUNTIME_TOKEN',
      'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
      'GITHUB_TOKEN',
      'HELM_DEBUG'
    ]) {
      expect(env[key]).toBeUndefined()
    }
    expect(env.HELM_REGISTRY_CONFIG).toBe(path.join(root, 'action-home', 'config', 'registry', 'config.json'))
    expect(env.GITHUB_WORKSPACE).toBe('/work/repo')
    expect(env.MY_SETTING).toBe('kept')
    expect(env.PATH?.split(path.delimiter)[0]).toBe('/opt/helm/bin')
  })

  it('points every HELM_* home at another home when given one (a chart test script)', async () => {
    const scriptHome = createHelmHome(path.join(root, 'script-home'))
    const env = helm.env(scriptHome)
    for (const key of [
      'HELM_CONFIG_HOME',
      'HELM_CACHE_HOME',
      'HELM_DATA_HOME',
      'HELM_REGISTRY_CONFIG',
      'HELM_REPOSITORY_CONFIG',
      'HELM_REPOSITORY_CACHE',
      'KUBECONFIG'
    ]) {
      expect(env[key]?.startsWith(path.join(root, 'script-home'))).toBe(true)
    }
  })

  it("runs the action's own helm without garbage collection up to 512 MiB, and leaves a script's Go settings alone", async () => {
    delete process.env.GOGC
    delete process.env.GOMEMLIMIT
    const own = await Helm.create('/opt/helm/bin/helm', path.join(root, 'gc-home'), { major: 4, version: 'v4.1.4' })
    expect(own.env()).toMatchObject({ GOGC: 'off', GOMEMLIMIT: '512MiB' })
    const script = own.env(createHelmHome(path.join(root, 'gc-script-home')))
    expect(script.GOGC).toBeUndefined()
    expect(script.GOMEMLIMIT).toBeUndefined()
  })

  it("keeps the runner's own Go settings: either variable set means neither is added", async () => {
    expect(goRuntimeEnv({ GOGC: '200' })).toEqual({})
    expect(goRuntimeEnv({ GOMEMLIMIT: '2GiB' })).toEqual({})
    expect(goRuntimeEnv({ GOGC: '' })).toEqual({ GOGC: 'off', GOMEMLIMIT: '512MiB' })
    process.env.GOGC = '150'
    const tuned = await Helm.create('/opt/helm/bin/helm', path.join(root, 'tuned-home'), {
      major: 4,
      version: 'v4.1.4'
    })
    expect(tuned.env().GOGC).toBe('150')
    expect(tuned.env().GOMEMLIMIT).toBeUndefined()
    expect(tuned.env(createHelmHome(path.join(root, 'tuned-script-home'))).GOGC).toBe('150')
  })
})
