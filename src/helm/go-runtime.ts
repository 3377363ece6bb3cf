// The Go runtime settings of the helm processes the action starts itself (never a chart test script's).
// No imports: path-helm.ts, in the small first chunk of dist/, uses it too.
/**
 * The Go runtime's settings for the action's own helm processes: no garbage collection until the heap nears
 * 512 MiB. Most of a helm process's CPU on a blueprint is its start-up (Kubernetes' API types registered), which
 * allocates enough for the collector to run several times in a process that lives ~60 ms: GOGC=off takes ~25 ms of
 * CPU off each (~30%: `helm version` 50 → 30 ms, a real-size render 88 → 60 ms, measured on 2 vCPUs, bench/README.md)
 * for ~5 MB more memory. GOMEMLIMIT keeps a large render bounded: near the limit the collector runs as usual (a 5 MB
 * render stays under 300 MB). Empty when the runner sets either variable: the user's tuning is kept as it is.
 * Never for a chart test script's environment (Helm.env with the script's home): what a script sees is the user's.
 */
export function goRuntimeEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  if (env.GOGC || env.GOMEMLIMIT) return {}
  return { GOGC: 'off', GOMEMLIMIT: '512MiB' }
}
