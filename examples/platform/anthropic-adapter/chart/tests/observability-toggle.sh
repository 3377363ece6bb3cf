#!/usr/bin/env bash
# Observability toggle ships false (blueprint rule 4), and the adapter's image tag
# has no default (never :latest), checked with `helm template` only.
#
# Usage: observability-toggle.sh CHART_DIR     (run `helm dependency build CHART_DIR` first)
# Uses `helm` from PATH, or $HELM when set. Needs no cluster and no network.
set -euo pipefail

[[ $# -eq 1 ]] || { echo "usage: $0 CHART_DIR" >&2; exit 2; }
CHART_DIR=$1
HELM=${HELM:-helm}
API=monitoring.coreos.com/v1
TOGGLE=adapter.serviceMonitor.enabled
# CI sets the real commit SHA; any tag will do for these renders.
TAG=(--set adapter.image.tag=0123456789abcdef0123456789abcdef01234567)

FAILURES=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok:   $*"; }
render() { "$HELM" template obs "$CHART_DIR" --namespace adapter "${TAG[@]}" "$@"; }
monitors() { grep -cE '^kind: ServiceMonitor[[:space:]]*$' <<<"$1" || true; }

out=$(render) || { echo "ERROR: default render failed" >&2; exit 1; }
[[ $(monitors "$out") -eq 0 ]] && ! grep -q monitoring.coreos.com <<<"$out" \
  && pass "case 1 (default): no ServiceMonitor" || fail "case 1 (default): monitoring.coreos.com rendered"
out=$(render --set "$TOGGLE=true" --api-versions "$API")
[[ $(monitors "$out") -eq 1 ]] && pass "case 2 (opt-in, API present): one ServiceMonitor" || fail "case 2: expected one ServiceMonitor"
out=$(render --set "$TOGGLE=true")
[[ $(monitors "$out") -eq 0 ]] && pass "case 2b (opt-in, no API): none" || fail "case 2b: rendered a ServiceMonitor without the API"
out=$(render --set "$TOGGLE=false" --api-versions "$API")
[[ $(monitors "$out") -eq 0 ]] && pass "case 3 (explicit off): none" || fail "case 3: rendered a ServiceMonitor"
if err=$("$HELM" template obs "$CHART_DIR" --set adapter.image.tag= 2>&1 >/dev/null); then
  fail "never :latest: an empty adapter.image.tag renders"
elif grep -q 'adapter.image.tag' <<<"$err"; then
  pass "never :latest: an empty adapter.image.tag fails the render, naming it"
else
  fail "never :latest: the render failed without naming adapter.image.tag: $err"
fi

[[ $FAILURES -eq 0 ]] || { echo "observability-toggle: $FAILURES check(s) failed" >&2; exit 1; }
echo "observability-toggle: all checks passed"
