#!/usr/bin/env bash
# The floor the action is compared with (bench F): the least any publish of a chart
# with a dependency must do, one helm process per step —
# `helm dependency build` → one `helm template` → `helm package` → `helm push`.
# No lint, no tests, no pull back, no checks. bench/bench.mjs runs it like B
# (reference-pipeline.sh): a fresh copy of the chart, `helm repo add` done beforehand
# in isolated HELM_* homes, a fresh version.
#   floor-pipeline.sh CHART_DIR OCI_BASE [PUSH_FLAG...]
set -euo pipefail
chart="$1"; oci="$2"; shift 2; flags=("$@")
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
name=$(awk '/^name:/{print $2; exit}' "$chart/Chart.yaml" | tr -d '"')
version=$(awk '/^version:/{print $2; exit}' "$chart/Chart.yaml" | tr -d '"')
helm dependency build "$chart" >/dev/null
helm template "smoke-$name" "$chart" --namespace "smoke-$name" > "$work/render.yaml"
helm package "$chart" --destination "$work" >/dev/null
helm push "$work/$name-$version.tgz" "$oci" "${flags[@]}" > "$work/push.log" 2>&1
echo "floor pipeline: $name $version $(grep -o 'sha256:[0-9a-f]*' "$work/push.log" | head -1)"
