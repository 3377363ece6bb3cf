#!/usr/bin/env bash
# Observability toggles ship false (blueprint rule 4), checked with `helm template` only.
#
#   case 1  default render: no monitoring.coreos.com reference, no ServiceMonitor
#   case 2  opt-in with --api-versions monitoring.coreos.com/v1: ServiceMonitors render
#           (overlay toggle, upstream toggle, both); opt-in without the API renders none
#   case 3  explicit off with the API present: renders, no ServiceMonitor
#   case 4  the overlay's own image (CNPG imageName) has no fallback: empty fails the render
#
# Usage: observability-toggle.sh CHART_DIR     (run `helm dependency build CHART_DIR` first)
# Uses `helm` from PATH, or $HELM when set. Needs no cluster and no network.
set -euo pipefail

usage() { echo "usage: $0 CHART_DIR" >&2; exit 2; }
[[ $# -eq 1 ]] || usage
CHART_DIR=$1
HELM=${HELM:-helm}
RELEASE=obs
NAMESPACE=temporal
API=monitoring.coreos.com/v1
OVERLAY_TOGGLE=catalystOverlay.serviceMonitor.enabled
UPSTREAM_TOGGLE=temporal.server.metrics.serviceMonitor.enabled

FAILURES=0
fail() { echo "FAIL: $*" >&2; FAILURES=$((FAILURES + 1)); }
pass() { echo "ok:   $*"; }
die() { echo "ERROR: $*" >&2; exit 1; }

command -v "$HELM" >/dev/null 2>&1 || die "helm not found (PATH or \$HELM)"
[[ -f $CHART_DIR/Chart.yaml ]] || die "$CHART_DIR is not a chart directory (no Chart.yaml)"
if ! compgen -G "$CHART_DIR/charts/temporal-*.tgz" >/dev/null && [[ ! -f $CHART_DIR/charts/temporal/Chart.yaml ]]; then
  die "upstream chart 'temporal' is missing from $CHART_DIR/charts/: run 'helm dependency build $CHART_DIR' first"
fi

ERR=$(mktemp)
trap 'rm -f "$ERR"' EXIT

# render ARGS... -> manifests on stdout; returns helm's status, stderr kept in $ERR.
render() { "$HELM" template "$RELEASE" "$CHART_DIR" --namespace "$NAMESPACE" "$@" 2>"$ERR"; }
# count_kind MANIFESTS KIND -> number of documents of that kind
count_kind() { printf '%s\n' "$1" | grep -cE "^kind: $2[[:space:]]*\$" || true; }
# count_source MANIFESTS TEMPLATE_SUFFIX -> number of documents rendered from that template
count_source() { printf '%s\n' "$1" | grep -cE "^# Source: .*$2[[:space:]]*\$" || true; }
# must_render CASE ARGS... -> manifests in $OUT, or a failure
must_render() {
  local name=$1; shift
  if ! OUT=$(render "$@"); then
    fail "$name: helm template failed: $(cat "$ERR")"
    OUT=""
    return 1
  fi
}
# no_monitoring CASE [DETAIL] -> pass when $OUT has no monitoring.coreos.com at all
no_monitoring() {
  local name=$1 detail=${2:-} refs
  refs=$(printf '%s\n' "$OUT" | grep -c 'monitoring.coreos.com' || true)
  if [[ $refs -ne 0 ]]; then
    fail "$name: $refs line(s) reference monitoring.coreos.com:"
    printf '%s\n' "$OUT" | grep -n 'monitoring.coreos.com' >&2
    return
  fi
  local kind
  for kind in ServiceMonitor PodMonitor PrometheusRule; do
    [[ $(count_kind "$OUT" "$kind") -eq 0 ]] || { fail "$name: rendered a $kind"; return; }
  done
  pass "$name: ${detail:+$detail, }no monitoring.coreos.com, no ServiceMonitor"
}

echo "observability-toggle: $CHART_DIR with $("$HELM" version --short 2>/dev/null || echo "$HELM")"

# case 1: default values, no monitoring API.
if must_render "case 1 (default)"; then
  lines=$(printf '%s\n' "$OUT" | wc -l)
  if [[ $lines -lt 100 ]]; then
    fail "case 1 (default): only $lines lines rendered; expected the full upstream payload"
  else
    no_monitoring "case 1 (default)" "$lines lines"
  fi
fi

# case 1b: default values even when the API exists: toggles are off.
if must_render "case 1b (default, API present)" --api-versions "$API"; then
  no_monitoring "case 1b (default, API present)"
fi

# case 2: opt-in with the API present.
if must_render "case 2a (overlay opt-in)" --set "$OVERLAY_TOGGLE=true" --api-versions "$API"; then
  n=$(count_source "$OUT" "bp-temporal-large/templates/servicemonitor.yaml")
  if [[ $n -eq 1 && $(count_kind "$OUT" ServiceMonitor) -eq 1 ]]; then
    pass "case 2a (overlay opt-in): the overlay ServiceMonitor renders"
  else
    fail "case 2a (overlay opt-in): expected exactly 1 ServiceMonitor from the overlay, got $n of $(count_kind "$OUT" ServiceMonitor)"
  fi
fi
if must_render "case 2b (upstream opt-in)" --set "$UPSTREAM_TOGGLE=true" --api-versions "$API"; then
  n=$(count_source "$OUT" "charts/temporal/templates/server-servicemonitor.yaml")
  if [[ $n -ge 1 && $(count_kind "$OUT" ServiceMonitor) -eq $n ]]; then
    pass "case 2b (upstream opt-in): $n upstream ServiceMonitor(s) render"
  else
    fail "case 2b (upstream opt-in): expected upstream ServiceMonitors only, got $n upstream of $(count_kind "$OUT" ServiceMonitor)"
  fi
fi
if must_render "case 2c (both opt-in)" --set "$OVERLAY_TOGGLE=true" --set "$UPSTREAM_TOGGLE=true" --api-versions "$API"; then
  n=$(count_kind "$OUT" ServiceMonitor)
  if [[ $n -ge 2 ]] && grep -q '^apiVersion: monitoring.coreos.com/v1' <<<"$OUT"; then
    pass "case 2c (both opt-in): $n ServiceMonitors render"
  else
    fail "case 2c (both opt-in): expected the overlay and upstream ServiceMonitors, got $n"
  fi
fi
# case 2d: opt-in on a cluster without the CRDs must still render, and render none.
if must_render "case 2d (opt-in, no API)" --set "$OVERLAY_TOGGLE=true" --set "$UPSTREAM_TOGGLE=true"; then
  no_monitoring "case 2d (opt-in, no API)" "renders"
fi

# case 3: explicit off with the API present.
if must_render "case 3 (explicit off, API present)" \
  --set "$OVERLAY_TOGGLE=false" --set "$UPSTREAM_TOGGLE=false" --api-versions "$API"; then
  no_monitoring "case 3 (explicit off, API present)"
fi

# case 4: an empty overlay image must fail the render and name the value.
if render --set catalystOverlay.cnpg.imageName= >/dev/null; then
  fail "case 4 (empty image): render succeeded with an empty catalystOverlay.cnpg.imageName"
elif grep -q 'catalystOverlay.cnpg.imageName' "$ERR"; then
  pass "case 4 (empty image): render fails naming catalystOverlay.cnpg.imageName"
else
  fail "case 4 (empty image): render failed without naming the value: $(cat "$ERR")"
fi

if [[ $FAILURES -ne 0 ]]; then
  echo "observability-toggle: $FAILURES check(s) failed" >&2
  exit 1
fi
echo "observability-toggle: all checks passed"
