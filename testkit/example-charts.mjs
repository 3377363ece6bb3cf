// The stand-in upstream charts of the bundled examples' spec.depends blueprints (examples/platform/cnpg and
// examples/platform/cert-manager), for the loopback chart repository of `npm run local` and of the tests
// (chart-repo.mjs `extraCharts`): each with the real repository URL the example's Chart.yaml names, which a run
// reaches through repository-mirrors (npm run local) or by pointing the copied chart at the loopback repository.
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '__tests__', 'fixtures')

/**
 * @typedef {object} ExampleDepends
 * @property {string} dir The example blueprint's folder under examples/, e.g. `platform/cnpg`.
 * @property {string} upstream The upstream repository its Chart.yaml and values.yaml name.
 * @property {{ source: string, versions: { version: string, appVersion: string }[] }} chart Its stand-in upstream chart.
 */

/** @type {ExampleDepends[]} */
export const EXAMPLE_DEPENDS = [
  {
    dir: 'platform/cnpg',
    upstream: 'https://cloudnative-pg.github.io/charts',
    chart: {
      source: path.join(FIXTURES, 'upstream-cloudnative-pg'),
      versions: [{ version: '0.23.0', appVersion: '1.25.0' }]
    }
  },
  {
    dir: 'platform/cert-manager',
    upstream: 'https://charts.jetstack.io',
    chart: {
      source: path.join(FIXTURES, 'upstream-cert-manager'),
      versions: [{ version: 'v1.16.2', appVersion: 'v1.16.2' }]
    }
  }
]
