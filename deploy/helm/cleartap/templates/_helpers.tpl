{{/* The chart's names and labels. */}}
{{- define "cleartap.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "cleartap.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "cleartap.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cleartap.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "cleartap.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "cleartap.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
cleartap.dev/mode: {{ .Values.mode }}
{{- end -}}

{{- define "cleartap.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "cleartap.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "cleartap.image" -}}
{{- $repository := .Values.image.repository -}}
{{- if and (eq .Values.mode "passive") (not (hasSuffix "-passive" $repository)) -}}
{{- $repository = printf "%s-passive" $repository -}}
{{- end -}}
{{- printf "%s:%s" $repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "cleartap.configMapName" -}}
{{- default (printf "%s-config" (include "cleartap.fullname" .)) .Values.existingConfigMap -}}
{{- end -}}

{{- define "cleartap.secretName" -}}
{{- printf "%s-credentials" (include "cleartap.fullname" .) -}}
{{- end -}}
