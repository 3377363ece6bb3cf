#!/usr/bin/env bash
# The chart test of the real bp-temporal, as the monorepo writes it: three `helm template`
# calls (default, opt-in with the monitoring API, explicit off), and a
# `helm dependency build` first when charts/ is empty. The bench's "temporal" blueprint
# is bench/blueprints/large/blueprint with this script in place of its nine-render one.
#   observability-toggle.sh CHART_DIR
set -euo pipefail
CHART_DIR=${1:?usage: $0 CHART_DIR}
HELM=${HELM:-helm}
API=monitoring.coreos.com/v1
TOGGLES=(--set catalystOverlay.serviceMonitor.enabled=true --set temporal.server.metrics.serviceMonitor.enabled=true)
OFF=(--set catalystOverlay.serviceMonitor.enabled=false --set temporal.server.metrics.serviceMonitor.enabled=false)

if ! compgen -G "$CHART_DIR/charts/*.tgz" >/dev/null; then
  "$HELM" dependency build "$CHART_DIR" >/dev/null
fi

monitors() { grep -cE '^kind: (ServiceMonitor|PodMonitor|PrometheusRule)[[:space:]]*$' || true; }

# 1: the default render has no monitoring.coreos.com resource.
n=$("$HELM" template obs "$CHART_DIR" --namespace temporal | monitors)
[[ $n -eq 0 ]] || { echo "FAIL: default render has $n monitoring resources" >&2; exit 1; }
echo "ok:   default render: no monitoring resource"

# 2: opting in with the API present renders the monitors.
n=$("$HELM" template obs "$CHART_DIR" --namespace temporal --api-versions "$API" "${TOGGLES[@]}" | monitors)
[[ $n -gt 0 ]] || { echo "FAIL: opt-in rendered no monitoring resource" >&2; exit 1; }
echo "ok:   opt-in: $n monitoring resources"

# 3: explicit off with the API present renders none.
n=$("$HELM" template obs "$CHART_DIR" --namespace temporal --api-versions "$API" "${OFF[@]}" | monitors)
[[ $n -eq 0 ]] || { echo "FAIL: explicit off rendered $n monitoring resources" >&2; exit 1; }
echo "ok:   explicit off: no monitoring resource"
