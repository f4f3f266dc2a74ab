package owned

import (
	"reflect"
	"testing"

	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestConfigKeySpellings: every spelling of an owned key that Milvus reads
// as that key (pkg/config formatKey, env_source.go) is found, and each
// contradicting value is refused.
func TestConfigKeySpellings(t *testing.T) {
	s := modeltest.Runbook()
	cases := []struct {
		key   string
		value any
		want  string // the owned key; "" when the key is not owned
		bad   bool
	}{
		{"common.security.defaultRootPassword", "x", "common.security.defaultRootPassword", true},
		{"common.security.default_root_password", "x", "common.security.defaultRootPassword", true},
		{"Common.Security.DEFAULTROOTPASSWORD", "x", "common.security.defaultRootPassword", true},
		{"common/security/defaultRootPassword", "x", "common.security.defaultRootPassword", true},
		{"COMMON_SECURITY_DEFAULTROOTPASSWORD", "x", "common.security.defaultRootPassword", true},
		{"MILVUS_CONF_COMMON_SECURITY_DEFAULTROOTPASSWORD", "x", "common.security.defaultRootPassword", true},
		{"MinIO.secret_access_key", "x", "minio.secretAccessKey", true},
		{"MinIO.access_key_id", "x", "minio.accessKeyID", true},
		{"MINIO_SECRETACCESSKEY", "x", "minio.secretAccessKey", true},
		{"MINIO_ACCESSKEYID", "x", "minio.accessKeyID", true},
		{"common.security.AuthorizationEnabled", false, "common.security.authorizationEnabled", true},
		{"common.security.authorization_enabled", "False", "common.security.authorizationEnabled", true},
		{"COMMON_SECURITY_AUTHORIZATIONENABLED", "false", "common.security.authorizationEnabled", true},
		{"common.security.AuthorizationEnabled", true, "common.security.authorizationEnabled", false},
		{"COMMON_SECURITY_AUTHORIZATIONENABLED", "TRUE", "common.security.authorizationEnabled", false},
		{"common.security.tls_mode", 0, "common.security.tlsMode", false},
		{"COMMON_SECURITY_TLSMODE", "1", "common.security.tlsMode", true},
		{"tls.serverPemPath", "/x", "tls", true},
		{"TLS_CAPEMPATH", "/x", "tls", true},
		{"minio.useSSL", false, "minio.useSSL", true},
		{"MINIO_USESSL", "false", "minio.useSSL", true},
		{"minio.use_ssl", "true", "minio.useSSL", false},
		{"minio.bucket_name", "other", "minio.bucketName", true},
		{"MINIO_ADDRESS", "minio.example.com", "minio.address", true},
		{"etcd.endpoints", "x:2379", "etcd", true},
		{"ETCD_AUTH_PASSWORD", "x", "etcd", true},
		{"mq.type", "pulsar", "mq.type", true},
		{"MQ_TYPE", "woodpecker", "mq.type", false},
		{"proxy.port", 19531, "proxy.port", true},
		{"queryNode.segcore.knowhereThreadPoolNumRatio", 4, "", false},
		{"MILVUS_LOG_LEVEL", "debug", "", false},
	}
	for _, tc := range cases {
		k, ok := ConfigKey(tc.key)
		if got := map[bool]string{true: k.Path}[ok]; got != tc.want {
			t.Errorf("ConfigKey(%q) = %q, want %q", tc.key, got, tc.want)
			continue
		}
		if !ok {
			continue
		}
		if bad, msg := k.Contradicts(s, tc.value); bad != tc.bad {
			t.Errorf("%s: %v contradicts = %v (%s), want %v", tc.key, tc.value, bad, msg, tc.bad)
		}
	}
}

// TestValuesKeys: Helm reads values keys exactly; each owned one refuses a
// contradicting value and accepts milvusgen's own.
func TestValuesKeys(t *testing.T) {
	s := modeltest.Runbook()
	cases := []struct {
		path  string
		value any
		bad   bool
	}{
		{"externalS3.useSSL", false, true},
		{"externalS3.useSSL", true, false},
		{"externalS3.secretKey", "abc", true},
		{"externalS3.accessKey", "AKIA", true},
		{"externalS3.bucketName", "other", true},
		{"externalS3.bucketName", s.Storage.Bucket, false},
		{"externalS3.host", "minio.example.com", true},
		{"externalS3.useIAM", false, true},
		{"service.port", 8080, true},
		{"service.port", s.Milvus.Service.Port, false},
		{"service.type", "NodePort", true},
		{"service.loadBalancerSourceRanges", []any{"0.0.0.0/0"}, true},
		{"service.annotations", map[string]any{"example.com/team": "search"}, false},
		{"service.annotations", map[string]any{"service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing"}, true},
		{"serviceAccount.create", true, true},
		{"mixCoordinator.replicas", 1, true},
		{"mixCoordinator.activeStandby.enabled", false, true},
		{"pulsarv3.enabled", true, true},
		{"pulsarv3.enabled", false, false},
		{"minio.enabled", true, true},
		{"extraConfigFiles.user.yaml", "x: 1", true},
	}
	for _, tc := range cases {
		k, ok := ValuesKey(tc.path)
		if !ok {
			t.Errorf("ValuesKey(%q) not owned", tc.path)
			continue
		}
		if bad, msg := k.Contradicts(s, tc.value); bad != tc.bad {
			t.Errorf("%s: %v contradicts = %v (%s), want %v", tc.path, tc.value, bad, msg, tc.bad)
		}
	}
	for _, p := range []string{"queryNode.replicas", "externalS3", "service", "metrics"} {
		if k, ok := ValuesKey(p); ok {
			t.Errorf("ValuesKey(%q) = %s, want not owned", p, k.Path)
		}
	}
}

func TestMergeLists(t *testing.T) {
	ours := map[string]any{
		"mixCoordinator": map[string]any{"replicas": 2, "extraEnv": []any{"ours"}},
		"proxy":          map[string]any{"extraEnv": []any{"ours"}},
	}
	user := map[string]any{
		"mixCoordinator": map[string]any{"extraEnv": []any{"user"}, "podAnnotations": map[string]any{"a": "b"}},
		"queryNode":      map[string]any{"extraEnv": []any{"user"}},
	}
	got := MergeLists(ours, user)
	want := map[string]any{
		"mixCoordinator": map[string]any{"extraEnv": []any{"ours", "user"}, "podAnnotations": map[string]any{"a": "b"}},
		"queryNode":      map[string]any{"extraEnv": []any{"user"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("MergeLists = %v, want %v", got, want)
	}
	if l := user["mixCoordinator"].(map[string]any)["extraEnv"].([]any); len(l) != 1 {
		t.Errorf("MergeLists modified the user's values: %v", l)
	}
}
