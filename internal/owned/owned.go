// Package owned is the one table of what milvusgen owns in Milvus's Helm
// values and milvus.yaml: the keys security and agreement between the
// artifacts depend on. The spec loader refuses raw milvus.values,
// milvus.config and extraEnv entries that remove or contradict them; the
// values renderer merges the lists milvusgen owns instead of letting raw
// values replace them.
//
// A raw value may add, never remove or contradict: a key milvusgen writes
// may be repeated with the same value, and any other key may be added.
package owned

import (
	"fmt"
	"sort"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// Key is one owned key.
type Key struct {
	// Path is the key, dotted: a Helm values path (exact, as Helm reads
	// it) or a milvus.yaml key in its usual spelling (compared after
	// Normalize, as Milvus reads it).
	Path string
	// Field is the spec field milvusgen sets it from.
	Field string
	// Subtree owns every key under Path too.
	Subtree bool
	// Secret keys are refused whatever their value: a credential must not
	// reach the rendered tree.
	Secret bool
	// Want is the value milvusgen writes; a raw value equal to it is
	// harmless. Nil refuses any value.
	Want func(s *model.Spec) any
}

func fixed(v any) func(*model.Spec) any { return func(*model.Spec) any { return v } }

// Values are the Helm values of the Milvus chart that milvusgen writes
// (render/values). Helm reads keys exactly, so they are compared exactly.
var Values = []Key{
	{Path: "externalS3.enabled", Field: "storage.bucket (Milvus stores in S3)", Want: fixed(true)},
	{Path: "externalS3.host", Field: "aws.region", Want: func(s *model.Spec) any { return s.S3Host() }},
	{Path: "externalS3.port", Field: "aws.region (HTTPS to the regional endpoint)", Want: fixed("443")},
	{Path: "externalS3.useSSL", Field: "storage (TLS to S3 is always on)", Want: fixed(true)},
	{Path: "externalS3.bucketName", Field: "storage.bucket", Want: func(s *model.Spec) any { return s.Storage.Bucket }},
	{Path: "externalS3.rootPath", Field: "storage.rootPath", Want: func(s *model.Spec) any { return s.Storage.RootPath }},
	{Path: "externalS3.region", Field: "aws.region", Want: func(s *model.Spec) any { return s.AWS.Region }},
	{Path: "externalS3.useIAM", Field: "cluster.identity (IRSA or Pod Identity is always on)", Want: fixed(true)},
	{Path: "externalS3.cloudProvider", Field: "aws", Want: fixed("aws")},
	{Path: "externalS3.iamEndpoint", Field: "cluster.identity", Want: fixed("")},
	{Path: "externalS3.accessKey", Field: "cluster.identity (IRSA or EKS Pod Identity, never static keys)", Secret: true},
	{Path: "externalS3.secretKey", Field: "cluster.identity (IRSA or EKS Pod Identity, never static keys)", Secret: true},
	{Path: "minio.enabled", Field: "storage.bucket (Milvus uses S3)", Want: fixed(false)},
	{Path: "minio.accessKey", Field: "cluster.identity (IRSA or EKS Pod Identity, never static keys)", Secret: true},
	{Path: "minio.secretKey", Field: "cluster.identity (IRSA or EKS Pod Identity, never static keys)", Secret: true},
	{Path: "serviceAccount.create", Field: "milvus.serviceAccount (eksctl creates it with the IAM role)", Want: fixed(false)},
	{Path: "serviceAccount.name", Field: "milvus.serviceAccount", Want: func(s *model.Spec) any { return s.Milvus.ServiceAccount }},
	{Path: "image.all.tag", Field: "milvus.version (upgrade rules apply to it)", Want: func(s *model.Spec) any { return versions.ImageTag(s) }},
	{Path: "mixCoordinator.replicas", Field: "milvus.mixCoordinator.replicas", Want: func(s *model.Spec) any { return s.MixCoordinatorReplicas() }},
	{Path: "mixCoordinator.activeStandby.enabled", Field: "milvus.highAvailability", Want: func(s *model.Spec) any { return s.ActiveStandby() }},
	{Path: "service.type", Field: "milvus.service", Want: fixed("LoadBalancer")},
	{Path: "service.port", Field: "milvus.service.port", Want: func(s *model.Spec) any { return s.Milvus.Service.Port }},
	{Path: "service.loadBalancerSourceRanges", Field: "milvus.service.sourceRanges"},
	{Path: "service.annotations", Field: "milvus.service", Want: func(s *model.Spec) any { return s.LBAnnotations() }},
	// The chart adds port 9091 (metrics and, since Milvus 2.5, the WebUI
	// without login) to the Service, and so to the load balancer, whenever
	// metrics are on.
	{Path: "metrics.enabled", Field: "milvus.service (only 19530 is on the load balancer)", Want: fixed(false)},
	{Path: "pulsarv3.enabled", Field: "milvus.messageQueue", Want: func(s *model.Spec) any { return s.Milvus.MessageQueue == model.Pulsar }},
	{Path: "kafka.enabled", Field: "milvus.messageQueue", Want: func(s *model.Spec) any { return s.Milvus.MessageQueue == model.Kafka }},
	{Path: "woodpecker.enabled", Field: "milvus.messageQueue", Want: func(s *model.Spec) any { return s.Milvus.MessageQueue == model.Woodpecker }},
	{Path: "extraConfigFiles", Field: "milvus.config, milvus.auth and milvus.tls", Subtree: true},
}

// Config are the milvus.yaml keys milvusgen writes or relies on; Milvus
// also reads each from an environment variable of the same normalised
// name (COMMON_SECURITY_AUTHORIZATIONENABLED).
var Config = []Key{
	{Path: "common.security.authorizationEnabled", Field: "milvus.auth.enabled", Want: func(s *model.Spec) any { return s.Milvus.Auth.Enabled }},
	{Path: "common.security.defaultRootPassword", Field: "milvus.auth.rootPasswordSecret", Secret: true},
	{Path: "common.security.tlsMode", Field: "milvus.tls.mode", Want: func(s *model.Spec) any { return s.Milvus.TLS.Mode }},
	{Path: "tls", Field: "milvus.tls", Subtree: true},
	{Path: "proxy.port", Field: "milvus.service.port (the Service targets the proxies' 19530)", Want: fixed(19530)},
	{Path: "mq.type", Field: "milvus.messageQueue", Want: func(s *model.Spec) any { return s.Milvus.MessageQueue }},
	{Path: "minio.address", Field: "aws.region", Want: func(s *model.Spec) any { return s.S3Host() }},
	{Path: "minio.port", Field: "aws.region", Want: fixed(443)},
	{Path: "minio.useSSL", Field: "storage (TLS to S3 is always on)", Want: fixed(true)},
	{Path: "minio.bucketName", Field: "storage.bucket", Want: func(s *model.Spec) any { return s.Storage.Bucket }},
	{Path: "minio.rootPath", Field: "storage.rootPath", Want: func(s *model.Spec) any { return s.Storage.RootPath }},
	{Path: "minio.useIAM", Field: "cluster.identity", Want: fixed(true)},
	{Path: "minio.cloudProvider", Field: "aws", Want: fixed("aws")},
	{Path: "minio.iamEndpoint", Field: "cluster.identity", Want: fixed("")},
	{Path: "minio.region", Field: "aws.region", Want: func(s *model.Spec) any { return s.AWS.Region }},
	{Path: "minio.accessKeyID", Field: "cluster.identity (IRSA or EKS Pod Identity, never static keys)", Secret: true},
	{Path: "minio.secretAccessKey", Field: "cluster.identity (IRSA or EKS Pod Identity, never static keys)", Secret: true},
	{Path: "etcd", Field: "the chart's etcd", Subtree: true},
}

// Lists are the Helm values lists milvusgen writes entries into; raw
// values append to them instead of replacing them (MergeLists).
var Lists = []string{"mixCoordinator.extraEnv", "proxy.extraEnv", "volumes", "volumeMounts"}

// EnvPrefix is the prefix Milvus strips from an environment variable
// before reading it as a config key (pkg/config/env_source.go).
const EnvPrefix = "MILVUS_CONF_"

// Normalize is Milvus's config key normalisation (pkg/config formatKey):
// lower case, '/', '_' and '.' removed, so default_root_password,
// DefaultRootPassword and DEFAULTROOTPASSWORD are one key. Keys under
// "knowhere." are left alone, as Milvus does.
func Normalize(key string) string {
	if strings.HasPrefix(key, "knowhere.") {
		return key
	}
	return strings.NewReplacer("/", "", "_", "", ".", "").Replace(strings.ToLower(key))
}

// ConfigKey finds the owned milvus.yaml key a config key (dotted, any
// spelling) or environment variable name is, or sits under.
func ConfigKey(key string) (Key, bool) {
	n := Normalize(strings.TrimPrefix(key, EnvPrefix))
	for _, k := range Config {
		p := Normalize(k.Path)
		if n == p || k.Subtree && strings.HasPrefix(n, p) {
			return k, true
		}
	}
	return Key{}, false
}

// ValuesKey finds the owned Helm values key at path, or above it.
func ValuesKey(path string) (Key, bool) {
	for _, k := range Values {
		if path == k.Path || k.Subtree && strings.HasPrefix(path, k.Path+".") {
			return k, true
		}
	}
	return Key{}, false
}

// Contradicts reports whether a raw value contradicts what milvusgen
// writes for k, and says how. A map value (annotations) contradicts only
// through the keys both hold: adding keys is allowed.
func (k Key) Contradicts(s *model.Spec, got any) (bool, string) {
	if k.Secret {
		return true, fmt.Sprintf("static credentials must not be written to the rendered tree; milvusgen sets %s from %s", k.Path, k.Field)
	}
	if k.Want == nil || k.Subtree {
		return true, fmt.Sprintf("milvusgen sets %s from %s; change that field instead", k.Path, k.Field)
	}
	want := k.Want(s)
	if wm, ok := want.(map[string]string); ok {
		gm, ok := got.(map[string]any)
		if !ok {
			return true, fmt.Sprintf("milvusgen sets %s from %s; add entries to it, do not replace it", k.Path, k.Field)
		}
		for _, key := range sortedKeys(gm) {
			if w, ours := wm[key]; ours && !Same(w, gm[key]) {
				return true, fmt.Sprintf("milvusgen sets %s.%s to %q from %s; change that field instead", k.Path, key, w, k.Field)
			}
		}
		return false, ""
	}
	if Same(want, got) {
		return false, ""
	}
	return true, fmt.Sprintf("milvusgen sets %s from %s (to %v); change that field instead", k.Path, k.Field, want)
}

// Same compares a raw value with milvusgen's the way Milvus reads config
// values (as strings: "true", True and true are one value).
func Same(want, got any) bool {
	return strings.EqualFold(fmt.Sprint(want), fmt.Sprint(got))
}

// MergeLists returns user with each owned list that ours also holds
// replaced by ours followed by the user's entries, so the raw values can
// add environment variables or volumes but not drop milvusgen's. Neither
// argument is modified; maps on the way to a merged list are copied.
func MergeLists(ours, user map[string]any) map[string]any {
	out := user
	for _, path := range Lists {
		elems := strings.Split(path, ".")
		ol, ok := lookup(ours, elems).([]any)
		if !ok {
			continue
		}
		ul, ok := lookup(out, elems).([]any)
		if !ok {
			continue
		}
		merged := append(append(make([]any, 0, len(ol)+len(ul)), ol...), ul...)
		out = set(out, elems, merged)
	}
	return out
}

func lookup(m map[string]any, path []string) any {
	var cur any = m
	for _, p := range path {
		cm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = cm[p]
	}
	return cur
}

// set returns a copy of m along path with the leaf set to v.
func set(m map[string]any, path []string, v any) map[string]any {
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = e
	}
	if len(path) == 1 {
		out[path[0]] = v
		return out
	}
	next, _ := m[path[0]].(map[string]any)
	out[path[0]] = set(next, path[1:], v)
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
