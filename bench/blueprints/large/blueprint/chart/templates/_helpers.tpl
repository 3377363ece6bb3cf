{{/* Helpers of the bp-temporal-large overlay. Template names are global across a chart
     and its subcharts, so everything here is prefixed `bp-temporal-large.`. */}}

{{- define "bp-temporal-large.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Mirrors the upstream chart's fullname (release name, plus "-temporal" unless the
     release name already contains it) so overlay objects sit next to upstream ones. */}}
{{- define "bp-temporal-large.fullname" -}}
{{- $up := .Values.temporal | default dict -}}
{{- if $up.fullnameOverride -}}
{{- $up.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := $up.nameOverride | default "temporal" -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "bp-temporal-large.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "bp-temporal-large.labels" -}}
app.kubernetes.io/name: {{ include "bp-temporal-large.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: temporal
helm.sh/chart: {{ include "bp-temporal-large.chart" . }}
catalyst.openova.io/blueprint: {{ .Chart.Name }}
{{- end -}}

{{/* Labels that select the upstream chart's pods and services (its
     app.kubernetes.io/name is the subchart name unless nameOverride is set). */}}
{{- define "bp-temporal-large.upstreamSelector" -}}
app.kubernetes.io/name: {{ .Values.temporal.nameOverride | default "temporal" }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* A port of the upstream chart, read from the coalesced values with a fallback.
     Call with (list $ "frontend" "port" 7233). */}}
{{- define "bp-temporal-large.serverPort" -}}
{{- $root := index . 0 -}}
{{- dig "server" (index . 1) "service" (index . 2) (index . 3) ($root.Values.temporal | default dict) -}}
{{- end -}}
