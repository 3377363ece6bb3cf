#!/usr/bin/env bash
# A pure wrapper's chart test with one render: the default has no monitoring.coreos.com
# resource (the lightest real shape: some blueprints test this alone).
#   observability-toggle.sh CHART_DIR
set -euo pipefail
CHART_DIR=${1:?usage: $0 CHART_DIR}
HELM=${HELM:-helm}
n=$("$HELM" template obs "$CHART_DIR" --namespace wrapper | grep -cE '^kind: (ServiceMonitor|PodMonitor|PrometheusRule)[[:space:]]*$' || true)
[[ $n -eq 0 ]] || { echo "FAIL: default render has $n monitoring resources" >&2; exit 1; }
echo "ok:   default render: no monitoring resource"
