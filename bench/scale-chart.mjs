// The bench's scale chart, written by code: a blueprint chart (no upstream, no
// dependencies) whose default render is about `docs` documents (~5 KB each, so
// ~10 MB for 2,000) with images in every pod-bearing kind: Deployment,
// StatefulSet, DaemonSet, ReplicaSet, Job, CronJob and Pod, plus ConfigMaps.
// Every image is pinned by a sha256 digest, so the action's gates pass.
// With the default values every pod's sidecar renders `resources:` then `{}` on
// the next line, as charts made from `helm create` do; SCALE_BLOCK_RESOURCES
// are --set arguments that render a block mapping there instead.

export const SCALE_BLOCK_RESOURCES = [
  '--set',
  'sidecar.resources.requests.cpu=10m',
  '--set',
  'sidecar.resources.requests.memory=32Mi'
]
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'

export const POD_KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'CronJob', 'Pod']

/**
 * Writes the chart to `chartDir` (created). One group per workload index:
 * one document of each pod-bearing kind and one ConfigMap (8 documents).
 * @param {string} chartDir
 * @param {{ docs?: number, envCount?: number }} [options]
 * @returns {Promise<{ groups: number, expectedDocs: number }>}
 */
export async function writeScaleChart(chartDir, { docs = 2000, envCount = 24 } = {}) {
  const groups = Math.max(1, Math.round(docs / (POD_KINDS.length + 1)))
  await mkdir(path.join(chartDir, 'templates'), { recursive: true })
  await writeFile(
    path.join(chartDir, 'Chart.yaml'),
    [
      'apiVersion: v2',
      'name: bp-scale',
      'description: Bench chart whose default render is thousands of documents.',
      'type: application',
      'version: 0.1.0',
      'appVersion: "1.0.0"',
      'icon: https://example.com/icon.png',
      'annotations:',
      '  catalyst.openova.io/blueprint: bp-scale',
      '  catalyst.openova.io/no-upstream: "true"',
      ''
    ].join('\n')
  )
  await writeFile(
    path.join(chartDir, 'values.yaml'),
    [
      '# Bench values: how many workload groups (each: one document of every pod-bearing kind and a ConfigMap).',
      `groups: ${groups}`,
      `envCount: ${envCount}`,
      'registry: registry.example.com',
      '# Rendered with the `helm create` idiom (toYaml | nindent): the default {} lands on its own line.',
      'sidecar:',
      '  resources: {}',
      ''
    ].join('\n')
  )
  await writeFile(path.join(chartDir, 'templates', '_pod.tpl'), POD_TEMPLATE)
  await writeFile(path.join(chartDir, 'templates', 'workloads.yaml'), WORKLOADS_TEMPLATE)
  await writeFile(path.join(chartDir, 'templates', 'configmaps.yaml'), CONFIGMAPS_TEMPLATE)
  return { groups, expectedDocs: groups * (POD_KINDS.length + 1) }
}

// A pod template (metadata + spec) in the shapes charts usually render:
// compact sequences, quoted strings, a block scalar, flow sequences, probes.
const POD_TEMPLATE = `{{- define "scale.labels" -}}
app.kubernetes.io/name: scale
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: "w{{ .i }}"
app.kubernetes.io/part-of: bench
{{- end }}

{{- define "scale.pod" -}}
{{- $i := .i -}}
{{- $r := .root.Values.registry -}}
metadata:
  labels:
    {{- include "scale.labels" . | nindent 4 }}
    kind: {{ .kind | lower }}
  annotations:
    checksum/config: "{{ sha256sum (printf "config-%d" $i) }}"
    prometheus.io/scrape: "false"
    bench.example.com/note: 'group {{ $i }} of {{ .root.Values.groups }}: it''s generated'
spec:
  serviceAccountName: scale-w{{ $i }}
  automountServiceAccountToken: false
  {{- if eq .kind "Job" "CronJob" "Pod" }}
  restartPolicy: {{ if eq .kind "Pod" }}Always{{ else }}OnFailure{{ end }}
  {{- end }}
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    fsGroup: 10001
    seccompProfile:
      type: RuntimeDefault
  initContainers:
    - name: init-config
      image: "{{ $r }}/team-{{ mod $i 20 }}/init:1.0.{{ mod $i 7 }}@sha256:{{ sha256sum (printf "init-%d" (mod $i 50)) }}"
      command: ["/bin/sh", "-c"]
      args:
        - |
          set -eu
          echo "preparing group {{ $i }}"
          cp -r /defaults/. /work/
          test -f /work/app.conf
      volumeMounts:
        - name: work
          mountPath: /work
  containers:
    - name: app
      image: "{{ $r }}/team-{{ mod $i 20 }}/app-{{ mod $i 100 }}:2.{{ mod $i 9 }}.0@sha256:{{ sha256sum (printf "app-%d" (mod $i 100)) }}"
      imagePullPolicy: IfNotPresent
      args: ["--port=8080", "--log-level=info", "--group={{ $i }}"]
      ports:
        - name: http
          containerPort: 8080
          protocol: TCP
        - name: metrics
          containerPort: 9090
          protocol: TCP
      env:
        {{- range $e := until (int .root.Values.envCount) }}
        - name: SETTING_{{ $e }}
          value: "value-{{ $i }}-{{ $e }}"
        {{- end }}
        - name: DATABASE_PASSWORD
          valueFrom:
            secretKeyRef:
              name: scale-w{{ $i }}-db
              key: password
        - name: POD_NAME
          valueFrom:
            fieldRef:
              fieldPath: metadata.name
      resources:
        requests:
          cpu: 100m
          memory: 128Mi
        limits:
          cpu: "1"
          memory: 512Mi
      livenessProbe:
        httpGet:
          path: /healthz
          port: http
        initialDelaySeconds: 10
        periodSeconds: 20
      readinessProbe:
        httpGet:
          path: /ready
          port: http
        periodSeconds: 5
        failureThreshold: 3
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: ["ALL"]
      volumeMounts:
        - name: work
          mountPath: /work
        - name: config
          mountPath: /etc/app
          readOnly: true
    - name: sidecar
      image: "{{ $r }}/platform/proxy:3.{{ mod $i 4 }}.1@sha256:{{ sha256sum (printf "proxy-%d" (mod $i 10)) }}"
      args:
        - --upstream=http://127.0.0.1:8080
        - --listen=:8443
      ports:
        - name: https
          containerPort: 8443
      # The \`helm create\` scaffold idiom: with the default \`resources: {}\` this renders
      # \`resources:\` and \`{}\` on the next line.
      resources:
        {{- toYaml .root.Values.sidecar.resources | nindent 8 }}
  volumes:
    - name: work
      emptyDir: {}
    - name: config
      configMap:
        name: scale-w{{ $i }}
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
        - weight: 100
          podAffinityTerm:
            topologyKey: kubernetes.io/hostname
            labelSelector:
              matchExpressions:
                - key: app.kubernetes.io/component
                  operator: In
                  values:
                    - "w{{ $i }}"
  tolerations:
    - key: dedicated
      operator: Equal
      value: bench
      effect: NoSchedule
{{- end }}
`

const WORKLOADS_TEMPLATE = `{{- range $i := until (int .Values.groups) }}
{{- range $kind := list "Deployment" "StatefulSet" "DaemonSet" "ReplicaSet" }}
---
apiVersion: apps/v1
kind: {{ $kind }}
metadata:
  name: scale-{{ $kind | lower }}-{{ $i }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "scale.labels" (dict "root" $ "i" $i) | nindent 4 }}
spec:
  {{- if ne $kind "DaemonSet" }}
  replicas: {{ add 1 (mod $i 3) }}
  {{- end }}
  {{- if eq $kind "StatefulSet" }}
  serviceName: scale-{{ $i }}
  {{- end }}
  selector:
    matchLabels:
      app.kubernetes.io/component: "w{{ $i }}"
      kind: {{ $kind | lower }}
  template:
    {{- include "scale.pod" (dict "root" $ "i" $i "kind" $kind) | nindent 4 }}
{{- end }}
---
apiVersion: batch/v1
kind: Job
metadata:
  name: scale-job-{{ $i }}
  namespace: {{ $.Release.Namespace }}
spec:
  backoffLimit: 2
  template:
    {{- include "scale.pod" (dict "root" $ "i" $i "kind" "Job") | nindent 4 }}
---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: scale-cronjob-{{ $i }}
  namespace: {{ $.Release.Namespace }}
spec:
  schedule: "{{ mod $i 60 }} * * * *"
  concurrencyPolicy: Forbid
  jobTemplate:
    spec:
      template:
        {{- include "scale.pod" (dict "root" $ "i" $i "kind" "CronJob") | nindent 8 }}
---
apiVersion: v1
kind: Pod
metadata:
  name: scale-pod-{{ $i }}
  namespace: {{ $.Release.Namespace }}
  labels:
    {{- include "scale.labels" (dict "root" $ "i" $i) | nindent 4 }}
{{- $pod := include "scale.pod" (dict "root" $ "i" $i "kind" "Pod") | fromYaml }}
spec:
  {{- toYaml $pod.spec | nindent 2 }}
{{- end }}
`

const CONFIGMAPS_TEMPLATE = `{{- range $i := until (int .Values.groups) }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: scale-w{{ $i }}
  namespace: {{ $.Release.Namespace }}
data:
  app.conf: |
    # group {{ $i }}
    listen = ":8080"
    metrics = ":9090"
    [database]
    host = "scale-w{{ $i }}-db"
    pool = {{ add 5 (mod $i 10) }}
  feature-flags.json: '{"group": {{ $i }}, "beta": {{ eq (mod $i 2) 0 }}}'
  LOG_LEVEL: info
{{- end }}
`
