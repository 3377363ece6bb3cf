// Secrets are registered once (and masked by the runner via core.setSecret);
// every text that leaves the action (summary, comment, JSON report, errors)
// goes through redact() as a second line of defence.
import * as core from '@actions/core'

const secrets = new Set<string>()

export function registerSecret(value: string | undefined): void {
  if (!value) return
  secrets.add(value)
  core.setSecret(value)
}

export function redact(text: string): string {
  let out = text
  for (const secret of secrets) {
    if (secret.length >= 3) out = out.split(secret).join('***')
  }
  return out
}
