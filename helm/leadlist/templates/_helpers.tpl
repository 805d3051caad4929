{{/* Names and labels shared by every template of the chart. */}}

{{/* The chart name, or nameOverride. */}}
{{- define "leadlist.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* release-chart, shortened to 63 characters (a DNS label); the release name alone when it already contains the chart name. */}}
{{- define "leadlist.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* chart-version, for the helm.sh/chart label. */}}
{{- define "leadlist.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels every object carries. */}}
{{- define "leadlist.labels" -}}
helm.sh/chart: {{ include "leadlist.chart" . }}
{{ include "leadlist.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: api
app.kubernetes.io/part-of: leadlist
{{- end }}

{{/* The labels that select this release's pods; never change them in an upgrade (selectors are immutable). */}}
{{- define "leadlist.selectorLabels" -}}
app.kubernetes.io/name: {{ include "leadlist.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* The ServiceAccount the pods run as. */}}
{{- define "leadlist.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "leadlist.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* repository:tag, or repository@digest when a digest pins the image. */}}
{{- define "leadlist.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* "true" when API keys are configured (a Secret of ours or an existing one), else empty. */}}
{{- define "leadlist.apiKeysEnabled" -}}
{{- if or .Values.apiKeys.existingSecret .Values.apiKeys.keys }}true{{ end }}
{{- end }}

{{/* The Secret holding the API keys. */}}
{{- define "leadlist.apiKeysSecretName" -}}
{{- .Values.apiKeys.existingSecret | default (printf "%s-api-keys" (include "leadlist.fullname" .)) }}
{{- end }}

{{/* "true" when the model volume comes from the init-container image rather than a PVC. */}}
{{- define "leadlist.modelFromImage" -}}
{{- if and .Values.modelVolume.enabled (not .Values.modelVolume.existingClaim) .Values.modelVolume.initImage.repository }}true{{ end }}
{{- end }}
