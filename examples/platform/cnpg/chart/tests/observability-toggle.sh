#!/usr/bin/env bash
# The operator's PodMonitor ships off (blueprint rule 4), and the CRDs ship on, checked
# with `helm template` only.
#
#   case 1  default render: no monitoring.coreos.com resource (the operator's ClusterRole
#           grants that API group so it can manage the PodMonitors of Clusters that ask
#           for one: a rule of a ClusterRole, not a resource of the API)
#   case 2  opt-in with --api-versions monitoring.coreos.com/v1: one PodMonitor
#   case 3  explicit off with the API present: none
#   crds    the default render has the Cluster CRD (templates/crds/ behind crds.create)
#
# Usage: observability-toggle.sh CHART_DIR     (run `helm dependency build CHART_DIR` first)
# Uses `helm` from PATH, or $HELM when set. Needs no cluster and no network.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 CHART_DIR" >&2; exit 2; }
CHART_DIR=$1
HELM=${HELM:-helm}
API=monitoring.coreos.com/v1
TOGGLE=cloudnative-pg.monitoring.podMonitorEnabled

FAILURES=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok:   $*"; }
render() { "$HELM" template obs "$CHART_DIR" --namespace cnpg-system "$@"; }
# Documents whose apiVersion is of the monitoring API (resources, not mentions).
monitoring() { grep -cE '^apiVersion: monitoring\.coreos\.com/' <<<"$1" || true; }
podmonitors() { grep -cE '^kind: PodMonitor[[:space:]]*$' <<<"$1" || true; }

out=$(render) || { echo "ERROR: default render failed" >&2; exit 1; }
[[ $(monitoring "$out") -eq 0 ]] && pass "case 1 (default): no monitoring.coreos.com resource" \
  || fail "case 1 (default): a monitoring.coreos.com resource rendered"
grep -qE '^  name: clusters\.postgresql\.cnpg\.io[[:space:]]*$' <<<"$out" \
  && pass "crds: the Cluster CRD renders by default" || fail "crds: no clusters.postgresql.cnpg.io CRD in the default render"
out=$(render --set "$TOGGLE=true" --api-versions "$API")
[[ $(podmonitors "$out") -eq 1 ]] && pass "case 2 (opt-in, API present): one PodMonitor" || fail "case 2: expected one PodMonitor"
out=$(render --set "$TOGGLE=false" --api-versions "$API")
[[ $(monitoring "$out") -eq 0 ]] && pass "case 3 (explicit off): none" || fail "case 3: rendered a monitoring resource"

[[ $FAILURES -eq 0 ]] || { echo "observability-toggle: $FAILURES check(s) failed" >&2; exit 1; }
echo "observability-toggle: all checks passed"
