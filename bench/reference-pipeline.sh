#!/usr/bin/env bash
# The reference a blueprint publish is timed against (bench B): the Helm steps of a
# shell-based publish job, one helm process after another, on one chart.
# A copy of /work/shared/bench/reference-pipeline.sh so the bench is self-contained;
# bench/bench.mjs runs it on a fresh copy of the chart each round (repository
# rewritten to the loopback chart repository, `helm repo add` done beforehand in
# isolated HELM_* homes, a fresh version so pushes never collide).
#   reference-pipeline.sh CHART_DIR OCI_BASE [PUSH_FLAG...]
#   e.g. reference-pipeline.sh examples/platform/temporal/chart oci://127.0.0.1:5000/blueprints --plain-http
# helm must be on PATH. CHART_DIR must not hold a Chart.lock for an http
# repository that was never `helm repo add`ed (a clean checkout has none).
# It leaves CHART_DIR/charts behind, as `helm dependency build` does.
set -euo pipefail
chart="$1"; oci="$2"; shift 2; flags=("$@")
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
name=$(awk '/^name:/{print $2; exit}' "$chart/Chart.yaml" | tr -d '"')
version=$(awk '/^version:/{print $2; exit}' "$chart/Chart.yaml" | tr -d '"')
helm dependency build "$chart" >/dev/null
helm lint "$chart" --strict >/dev/null
helm package "$chart" --destination "$work" >/dev/null
tar -tzf "$work/$name-$version.tgz" > "$work/listing"
helm template "smoke-$name" "$work/$name-$version.tgz" --namespace "smoke-$name" > "$work/render.yaml"
for s in "$chart"/tests/*.sh; do [ -f "$s" ] && bash "$s" "$chart" >/dev/null; done
# The shell job has no image gate; a grep stands in for one.
grep -oE 'image(Name)?: *"?[^" ]+' "$work/render.yaml" | grep -v '@sha256:' | sort -u > "$work/unpinned" || true
helm push "$work/$name-$version.tgz" "$oci" "${flags[@]}" > "$work/push.log" 2>&1
mkdir -p "$work/pulled"
helm pull "$oci/$name" --version "$version" "${flags[@]}" --destination "$work/pulled" >/dev/null 2>&1
tar -tzf "$work/pulled/$name-$version.tgz" > /dev/null
echo "reference pipeline: $name $version $(grep -o 'sha256:[0-9a-f]*' "$work/push.log" | head -1)"
