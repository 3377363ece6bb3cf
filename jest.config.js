// Jest with ts-jest in ESM mode. Integration suites start real helm, a real
// registry and loopback HTTP servers; they are slow, so timeouts are generous.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: ['TS151001'] } }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  globalSetup: './testkit/global-setup.mjs',
  // Longest suites first (integration before unit) so 2 workers finish together.
  testSequencer: './testkit/sequencer.mjs',
  testTimeout: 120000,
  // The CI machine has 2 cores; each integration suite runs helm, a registry and node processes.
  maxWorkers: 2,
  reporters: ['default', './testkit/summary-reporter.mjs'],
  verbose: false
}
