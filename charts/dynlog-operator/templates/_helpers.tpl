{{- define "dynlog-operator.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "dynlog-operator.labels" -}}
app.kubernetes.io/name: dynlog-operator
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
helm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}
{{- end -}}

{{- define "dynlog-operator.selectorLabels" -}}
app.kubernetes.io/name: dynlog-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "dynlog-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "dynlog-operator.name" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}
