#!/usr/bin/env bash
# The controller's ServiceMonitor ships off (blueprint rule 4), the CRDs on, and every
# image is pinned by digest, checked with `helm template` only.
#
#   case 1  default render: no monitoring.coreos.com resource
#   case 2  opt-in with --api-versions monitoring.coreos.com/v1: one ServiceMonitor
#   case 3  explicit off with the API present: none
#   crds    the default render has the Certificate CRD (upstream ships them off)
#   images  every image of the default render is pinned by digest
#
# Usage: observability-toggle.sh CHART_DIR     (run `helm dependency build CHART_DIR` first)
# Uses `helm` from PATH, or $HELM when set. Needs no cluster and no network.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 CHART_DIR" >&2; exit 2; }
CHART_DIR=$1
HELM=${HELM:-helm}
API=monitoring.coreos.com/v1
TOGGLE=cert-manager.prometheus.servicemonitor.enabled

FAILURES=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok:   $*"; }
render() { "$HELM" template obs "$CHART_DIR" --namespace cert-manager "$@"; }
monitoring() { grep -cE '^apiVersion: monitoring\.coreos\.com/' <<<"$1" || true; }
servicemonitors() { grep -cE '^kind: ServiceMonitor[[:space:]]*$' <<<"$1" || true; }

out=$(render) || { echo "ERROR: default render failed" >&2; exit 1; }
[[ $(monitoring "$out") -eq 0 ]] && pass "case 1 (default): no monitoring.coreos.com resource" \
  || fail "case 1 (default): a monitoring.coreos.com resource rendered"
grep -qE '^  name: certificates\.cert-manager\.io[[:space:]]*$' <<<"$out" \
  && pass "crds: the Certificate CRD renders by default" || fail "crds: no certificates.cert-manager.io CRD in the default render"
unpinned=$(grep -E '^[[:space:]]+image: ' <<<"$out" | grep -vc '@sha256:' || true)
[[ $unpinned -eq 0 ]] && pass "images: every image pinned by digest" || fail "images: $unpinned image(s) not pinned by digest"
out=$(render --set "$TOGGLE=true" --api-versions "$API")
[[ $(servicemonitors "$out") -eq 1 ]] && pass "case 2 (opt-in, API present): one ServiceMonitor" || fail "case 2: expected one ServiceMonitor"
out=$(render --set "$TOGGLE=false" --api-versions "$API")
[[ $(monitoring "$out") -eq 0 ]] && pass "case 3 (explicit off): none" || fail "case 3: rendered a monitoring resource"

[[ $FAILURES -eq 0 ]] || { echo "observability-toggle: $FAILURES check(s) failed" >&2; exit 1; }
echo "observability-toggle: all checks passed"
