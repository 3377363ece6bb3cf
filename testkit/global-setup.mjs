// Jest globalSetup: prepare the real tools the integration suites use.
// Environment variables set here are inherited by the Jest workers.

import { helmBinaries } from './helm-binaries.mjs'
import { ensureCmarkGfmInstalled } from './gfm.mjs'
import { ensureRegistryInstalled } from './registry.mjs'

export default async function globalSetup() {
  const { v3, v4 } = await helmBinaries()
  process.env.BP_TEST_HELM3 = v3
  process.env.BP_TEST_HELM4 = v4
  process.env.BP_TEST_REGISTRY_BIN = ensureRegistryInstalled()
  // The report tests render markdown with GitHub's engine.
  ensureCmarkGfmInstalled()
}
