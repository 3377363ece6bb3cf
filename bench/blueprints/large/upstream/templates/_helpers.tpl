{{/* Stand-in for temporal's helpers. Names are prefixed `temporal.` so they never
     collide with the umbrella chart's own helpers (template names are global). */}}

{{- define "temporal.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "temporal.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "temporal.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels. Call with (dict "root" $ "component" "frontend"). */}}
{{- define "temporal.selectorLabels" -}}
app.kubernetes.io/name: {{ include "temporal.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Full labels. Call with (dict "root" $ "component" "frontend"). */}}
{{- define "temporal.labels" -}}
{{ include "temporal.selectorLabels" . }}
helm.sh/chart: {{ include "temporal.chart" .root }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: {{ include "temporal.name" .root }}
{{- end -}}

{{/* Image reference: repository:tag, plus @digest when image.digest is set.
     Call with (dict "image" .Values.server.image "path" "server.image"). */}}
{{- define "temporal.image" -}}
{{- $repo := required (printf "%s.repository is required" .path) .image.repository -}}
{{- $tag := required (printf "%s.tag is required" .path) .image.tag -}}
{{- if .image.digest -}}
{{- printf "%s:%s@%s" $repo (toString $tag) .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (toString $tag) -}}
{{- end -}}
{{- end -}}

{{/* Environment variable carrying a datastore's password. */}}
{{- define "temporal.storePasswordEnvName" -}}
{{- printf "TEMPORAL_%s_STORE_PASSWORD" (upper . | replace "-" "_") -}}
{{- end -}}

{{/* Name of the Secret rendered for datastores that give a plain password. */}}
{{- define "temporal.storeSecretName" -}}
{{- printf "%s-store-passwords" (include "temporal.fullname" .) -}}
{{- end -}}

{{/* env entries for every datastore's password. Call with the root context. */}}
{{- define "temporal.storePasswordEnv" -}}
{{- range $name, $store := .Values.server.config.persistence.datastores }}
{{- with $store.sql }}
- name: {{ include "temporal.storePasswordEnvName" $name }}
  valueFrom:
    secretKeyRef:
      {{- if .existingSecret }}
      name: {{ .existingSecret }}
      key: {{ default "password" .secretKey }}
      {{- else }}
      name: {{ include "temporal.storeSecretName" $ }}
      key: {{ $name }}
      {{- end }}
{{- end }}
{{- end }}
{{- end -}}

{{/* The server services this chart runs, in order. */}}
{{- define "temporal.serverComponents" -}}
frontend history matching worker
{{- end -}}

{{- define "temporal.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "temporal.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* Scheduling and security settings shared by every server pod. Call with the root context. */}}
{{- define "temporal.serverPodSettings" -}}
serviceAccountName: {{ include "temporal.serviceAccountName" . }}
terminationGracePeriodSeconds: {{ .Values.server.terminationGracePeriodSeconds }}
securityContext:
  {{- toYaml .Values.server.securityContext | nindent 2 }}
{{- with .Values.server.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.server.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.server.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .Values.server.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
