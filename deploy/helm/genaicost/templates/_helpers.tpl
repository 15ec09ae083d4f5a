{{/* Chart name, truncated to the 63 characters a DNS label allows. */}}
{{- define "genaicost.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: <release>-<chart> unless the release name already contains the chart name. */}}
{{- define "genaicost.fullname" -}}
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

{{- define "genaicost.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "genaicost.selectorLabels" -}}
app.kubernetes.io/name: {{ include "genaicost.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "genaicost.labels" -}}
helm.sh/chart: {{ include "genaicost.chart" . }}
{{ include "genaicost.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "genaicost.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "genaicost.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "genaicost.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* The Secret that holds the API token, and its key. */}}
{{- define "genaicost.tokenSecretName" -}}
{{- default (printf "%s-token" (include "genaicost.fullname" .)) .Values.auth.existingSecret }}
{{- end }}

{{- define "genaicost.tokenSecretKey" -}}
{{- if .Values.auth.existingSecret }}{{ .Values.auth.existingSecretKey }}{{ else }}token{{ end }}
{{- end }}

{{/* The Secret that holds the PostgreSQL URL, and its key. */}}
{{- define "genaicost.storeSecretName" -}}
{{- default (printf "%s-store" (include "genaicost.fullname" .)) .Values.store.postgresql.existingSecret }}
{{- end }}

{{- define "genaicost.storeSecretKey" -}}
{{- if .Values.store.postgresql.existingSecret }}{{ .Values.store.postgresql.existingSecretKey }}{{ else }}url{{ end }}
{{- end }}

{{- define "genaicost.pvcName" -}}
{{- default (printf "%s-data" (include "genaicost.fullname" .)) .Values.store.sqlite.persistence.existingClaim }}
{{- end }}

{{/* The SQLite file lives on a PVC: only then the chart needs one. */}}
{{- define "genaicost.usesPVC" -}}
{{- if and (not .Values.store.postgresql.enabled) .Values.store.sqlite.persistence.enabled }}true{{ end }}
{{- end }}

{{/* Settings that cannot work together fail the render with what to change. */}}
{{- define "genaicost.validate" -}}
{{- if and .Values.store.postgresql.enabled (not .Values.store.postgresql.url) (not .Values.store.postgresql.existingSecret) }}
{{- fail "store.postgresql.enabled needs store.postgresql.url (postgresql+psycopg://USER:PASSWORD@HOST:5432/DB) or store.postgresql.existingSecret (a Secret that holds that URL)" }}
{{- end }}
{{- if and .Values.store.postgresql.url (not (hasPrefix "postgresql" .Values.store.postgresql.url)) }}
{{- fail "store.postgresql.url must be a PostgreSQL URL such as postgresql+psycopg://USER:PASSWORD@HOST:5432/DB" }}
{{- end }}
{{- end }}

{{/* The ConfigMap holding budgets.yaml: an existing one, the chart's own when collector.budgets is set, or "". */}}
{{- define "genaicost.budgetsConfigMap" -}}
{{- if .Values.collector.budgetsExistingConfigMap -}}
{{ .Values.collector.budgetsExistingConfigMap }}
{{- else if .Values.collector.budgets -}}
{{ include "genaicost.fullname" . }}-budgets
{{- end -}}
{{- end }}
