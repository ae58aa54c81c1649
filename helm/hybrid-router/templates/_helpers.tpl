{{/*
The chart name, cut to 63 characters (the DNS label limit of Kubernetes names).
*/}}
{{- define "hybrid-router.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name, cut to 63 characters. A release name that already contains the chart name is
used as is.
*/}}
{{- define "hybrid-router.fullname" -}}
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

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "hybrid-router.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels every resource of the release carries. Component-specific labels are added by the callers.
*/}}
{{- define "hybrid-router.commonLabels" -}}
helm.sh/chart: {{ include "hybrid-router.chart" . }}
app.kubernetes.io/name: {{ include "hybrid-router.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: hybrid-router
{{- end }}

{{/*
Router labels: common labels plus the router's selector labels.
*/}}
{{- define "hybrid-router.labels" -}}
{{ include "hybrid-router.commonLabels" . }}
app.kubernetes.io/component: router
{{- end }}

{{/*
Router selector labels. They include the component, so that the router's Service and Deployment never
select the SLM server pods of the same release. Selectors are immutable: never change these.
*/}}
{{- define "hybrid-router.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hybrid-router.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: router
{{- end }}

{{/*
The router's ServiceAccount name.
*/}}
{{- define "hybrid-router.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "hybrid-router.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The router image reference.
*/}}
{{- define "hybrid-router.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
Name of the ConfigMap holding the policies: the user's existing one, or the chart's.
*/}}
{{- define "hybrid-router.policiesConfigMapName" -}}
{{- if .Values.policies.existingConfigMap }}
{{- .Values.policies.existingConfigMap }}
{{- else }}
{{- printf "%s-policies" (include "hybrid-router.fullname" . | trunc 54 | trimSuffix "-") }}
{{- end }}
{{- end }}

{{/*
Path of the tenants file in the router container: the key of `tenants.existingSecret` in `tenants.mountPath`.
*/}}
{{- define "hybrid-router.tenantsFile" -}}
{{- printf "%s/%s" (.Values.tenants.mountPath | trimSuffix "/") .Values.tenants.key }}
{{- end }}

{{/*
The `data` entries of the policies ConfigMap: each inline policy rendered with `tpl` and checked to be
a YAML mapping. Also hashed into the router pods' checksum/config annotation.
*/}}
{{- define "hybrid-router.policiesData" -}}
{{- range $file, $content := .Values.policies.files }}
{{- $rendered := tpl $content $ }}
{{- $parsed := fromYaml $rendered }}
{{- if hasKey $parsed "Error" }}
{{- fail (printf "policies.files.%s is not a valid policy: it must be a YAML mapping (%s)" $file $parsed.Error) }}
{{- end }}
{{ $file }}: |
{{- $rendered | nindent 2 }}
{{- end }}
{{- end }}

{{/*
Checks on combinations of values that the JSON schema cannot express clearly.
*/}}
{{- define "hybrid-router.validateValues" -}}
{{- if and .Values.existingSecretKeys (not .Values.existingSecret) }}
{{- fail "existingSecretKeys is set but existingSecret is empty: name the Secret that holds these keys" }}
{{- end }}
{{- if and (not .Values.policies.existingConfigMap) (not .Values.policies.files) }}
{{- fail "no policies: set policies.files (inline policies) or policies.existingConfigMap" }}
{{- end }}
{{- $cacheDir := .Values.models.cacheDir | trimSuffix "/" }}
{{- if or (eq $cacheDir "/tmp") (eq $cacheDir (.Values.policies.mountPath | trimSuffix "/")) }}
{{- fail (printf "models.cacheDir %q is already mounted (for /tmp or the policies): give the model files a directory of their own" .Values.models.cacheDir) }}
{{- end }}
{{- if .Values.tenants.existingSecret }}
{{- $tenantsDir := .Values.tenants.mountPath | trimSuffix "/" }}
{{- $mounted := dict "the /tmp volume" "/tmp" "policies.mountPath" .Values.policies.mountPath "models.cacheDir" .Values.models.cacheDir }}
{{- range $name, $path := $mounted }}
{{- $dir := $path | trimSuffix "/" }}
{{- if or (eq $tenantsDir $dir) (hasPrefix (printf "%s/" $dir) $tenantsDir) (hasPrefix (printf "%s/" $tenantsDir) $dir) }}
{{- fail (printf "tenants.mountPath %q overlaps %q (%s): give the tenants file a directory of its own" $.Values.tenants.mountPath $path $name) }}
{{- end }}
{{- end }}
{{- end }}
{{- if eq (int .Values.management.port) 8080 }}
{{- fail "management.port 8080 is the API's port: give the management server a port of its own (default 8081)" }}
{{- end }}
{{- if and .Values.podDisruptionBudget.minAvailable .Values.podDisruptionBudget.maxUnavailable }}
{{- fail "podDisruptionBudget: set minAvailable or maxUnavailable, not both" }}
{{- end }}
{{- if and .Values.redis.url .Values.redis.deploy.enabled }}
{{- fail "redis.url and redis.deploy.enabled are both set: point the router at your Redis (redis.url) or let the chart run one (redis.deploy.enabled), not both" }}
{{- end }}
{{- $names := list }}
{{- range .Values.slmServers }}
{{- if has .name $names }}
{{- fail (printf "slmServers: the name %q is used twice" .name) }}
{{- end }}
{{- $names = append $names .name }}
{{- end }}
{{- end }}

{{/*
SLM servers. Each helper takes (dict "server" <slmServers entry> "context" $).
*/}}

{{/*
An SLM server's resource name: <fullname>-slm-<name>, cut to 63 characters.
*/}}
{{- define "hybrid-router.slmServer.fullname" -}}
{{- printf "%s-slm-%s" (include "hybrid-router.fullname" .context | trunc 38 | trimSuffix "-") .server.name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
An SLM server's port: Ollama listens on 11434, vLLM on 8000.
*/}}
{{- define "hybrid-router.slmServer.port" -}}
{{- if eq .server.engine "vllm" }}8000{{ else }}11434{{ end }}
{{- end }}

{{/*
An SLM server's selector labels.
*/}}
{{- define "hybrid-router.slmServer.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hybrid-router.name" .context }}
app.kubernetes.io/instance: {{ .context.Release.Name }}
app.kubernetes.io/component: slm-server
hybrid-router.dev/slm-server: {{ .server.name }}
{{- end }}

{{/*
An SLM server's labels.
*/}}
{{- define "hybrid-router.slmServer.labels" -}}
{{ include "hybrid-router.commonLabels" .context }}
app.kubernetes.io/component: slm-server
hybrid-router.dev/slm-server: {{ .server.name }}
hybrid-router.dev/slm-engine: {{ .server.engine }}
{{- end }}

{{/*
The base URL a policy uses to reach an SLM server of this release, by name:
  {{ include "hybrid-router.slmServerUrl" (dict "name" "general" "context" $) }}
Ollama: http://<service>:11434 (policy provider `ollama`).
vLLM:   http://<service>:8000/v1 (policy provider `openai-compatible`).
Fails the render when no slmServers entry has that name.
*/}}
{{- define "hybrid-router.slmServerUrl" -}}
{{- $found := dict }}
{{- $names := list }}
{{- range .context.Values.slmServers }}
{{- $names = append $names .name }}
{{- if eq .name $.name }}
{{- $_ := set $found "server" . }}
{{- end }}
{{- end }}
{{- if not $found.server }}
{{- fail (printf "hybrid-router.slmServerUrl: no slmServers entry is named %q (defined: %s)" .name (join ", " $names | default "none")) }}
{{- end }}
{{- $args := dict "server" $found.server "context" .context }}
{{- $url := printf "http://%s:%s" (include "hybrid-router.slmServer.fullname" $args) (include "hybrid-router.slmServer.port" $args) }}
{{- if eq $found.server.engine "vllm" }}
{{- printf "%s/v1" $url }}
{{- else }}
{{- $url }}
{{- end }}
{{- end }}

{{/*
The Redis run by the chart (redis.deploy). Its resource name: <fullname>-redis, cut to 63 characters.
*/}}
{{- define "hybrid-router.redis.fullname" -}}
{{- printf "%s-redis" (include "hybrid-router.fullname" . | trunc 57 | trimSuffix "-") }}
{{- end }}

{{/*
The Redis's selector labels. Selectors are immutable: never change these.
*/}}
{{- define "hybrid-router.redis.selectorLabels" -}}
app.kubernetes.io/name: {{ include "hybrid-router.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: redis
{{- end }}

{{/*
The Redis's labels.
*/}}
{{- define "hybrid-router.redis.labels" -}}
{{ include "hybrid-router.commonLabels" . }}
app.kubernetes.io/component: redis
{{- end }}

{{/*
The Secret holding the Redis password, and its key: the user's redis.deploy.existingSecret, or the chart's.
*/}}
{{- define "hybrid-router.redis.secretName" -}}
{{- .Values.redis.deploy.existingSecret | default (include "hybrid-router.redis.fullname" .) }}
{{- end }}

{{- define "hybrid-router.redis.secretKey" -}}
{{- if .Values.redis.deploy.existingSecret }}
{{- .Values.redis.deploy.existingSecretKey }}
{{- else -}}
redis-password
{{- end }}
{{- end }}

{{/*
The password, as an environment variable of the container that needs it (the Redis server, redis-cli in the
probes, the router's ROUTER_REDIS_URL), read from the Secret: it never appears in a pod spec.
*/}}
{{- define "hybrid-router.redis.passwordEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "hybrid-router.redis.secretName" .context }}
      key: {{ include "hybrid-router.redis.secretKey" .context }}
{{- end }}
