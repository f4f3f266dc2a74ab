package adopt_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/adopt"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render/values"
)

// chartDefaults loads the real chart's values.yaml.
func chartDefaults(t *testing.T, version string) map[string]any {
	t.Helper()
	dir := "../../../shared/charts"
	if strings.HasPrefix(version, "4.") {
		dir = "../../../shared/charts-previous"
	}
	ch, err := loader.Load(filepath.Join(dir, "milvus-"+version+".tgz"))
	if err != nil {
		t.Fatal(err)
	}
	return ch.Values
}

func load(t *testing.T, data []byte) *model.Spec {
	t.Helper()
	r, err := spec.Load([]spec.Source{{Name: "imported.yaml", Data: data}}, spec.Options{})
	if err != nil {
		t.Fatalf("spec does not load: %v\n%s", err, data)
	}
	return r.Spec
}

// TestRoundTrip renders a spec's Milvus values, imports them as a release
// would hold them, and checks that the imported spec renders the same
// values: nothing milvusgen writes is lost or refused.
func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct{ chart, extra string }{
		{"5.0.19", `messageQueue: woodpecker, version: "2.6.15"`},
		{"5.0.19", `messageQueue: pulsar, highAvailability: false, proxy: {replicas: 3, resources: {requests: {cpu: "2", memory: 4Gi}, limits: {cpu: "2", memory: 4Gi}}}`},
		{"5.0.19", `messageQueue: kafka, tls: {mode: 1, secretName: milvus-tls}, service: {scheme: internal, sourceRanges: ["10.0.0.0/8"]}, values: {log: {level: warn}, nodeSelector: {role: milvus}}`},
		{"4.2.58", `messageQueue: pulsar`},
		{"5.0.19", `messageQueue: externalKafka, externalKafka: {brokers: ["b-1.m.abc.c2.kafka.us-east-2.amazonaws.com:9096", "b-2.m.abc.c2.kafka.us-east-2.amazonaws.com:9096"], sasl: {secretName: msk-milvus, usernameKey: user}}`},
		{"4.2.58", `messageQueue: externalKafka, coordinators: separate, externalKafka: {brokers: ["kafka.example.internal:9092"], securityProtocol: PLAINTEXT}`},
		{"4.2.58", `messageQueue: kafka, coordinators: separate, auth: {enabled: false}, config: {queryNode: {segcore: {chunkRows: 2048}}}`},
	} {
		t.Run(tc.chart+" "+tc.extra, func(t *testing.T) {
			src := fmt.Sprintf("name: m\naws: {region: us-east-2, accountID: \"123456789012\"}\ncluster: {name: c}\nstorage: {bucket: bkt, rootPath: data}\nmilvus: {namespace: mv, chartVersion: %q, %s}\n", tc.chart, tc.extra)
			want := load(t, []byte(src))
			v := values.Milvus(want)
			// Through YAML, as Helm stores a release's values.
			data, err := yaml.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			var stored map[string]any
			if err := yaml.Unmarshal(data, &stored); err != nil {
				t.Fatal(err)
			}
			res := adopt.Map(adopt.Input{
				Release: "m", Namespace: "mv", ChartVersion: tc.chart,
				Values: stored, Defaults: chartDefaults(t, tc.chart),
				AccountID: "123456789012", ClusterName: "c",
			})
			for _, n := range res.Notes {
				if n.Kind == adopt.NotMapped {
					t.Errorf("milvusgen's own value reported: %s", n)
				}
			}
			out, err := yaml.Marshal(res.Spec)
			if err != nil {
				t.Fatal(err)
			}
			got := load(t, out)
			if gv := values.Milvus(got); !reflect.DeepEqual(gv, v) {
				a, _ := yaml.Marshal(v)
				b, _ := yaml.Marshal(gv)
				t.Errorf("imported spec renders other values\n--- release\n%s\n--- imported\n%s\n--- spec\n%s", a, b, out)
			}
		})
	}
}

// TestReport maps a hand-written release's values and checks every
// report line and the raw values kept.
func TestReport(t *testing.T) {
	user := map[string]any{
		"cluster":          map[string]any{"enabled": true},
		"image":            map[string]any{"all": map[string]any{"tag": "v2.6.15", "repository": "mirror.example.com/milvusdb/milvus"}},
		"minio":            map[string]any{"enabled": false},
		"externalS3":       map[string]any{"enabled": true, "host": "s3.amazonaws.com", "bucketName": "b-1", "region": "eu-west-1", "accessKey": "AKIAEXAMPLE", "secretKey": "s3cr3t", "useIAM": false},
		"queryNode":        map[string]any{"replicas": 4, "resources": map[string]any{"limits": map[string]any{"cpu": 4, "memory": "16Gi"}}},
		"log":              map[string]any{"level": "debug"},
		"etcd":             map[string]any{"replicaCount": 1},
		"metrics":          map[string]any{"enabled": true},
		"extraConfigFiles": map[string]any{"user.yaml": "common:\n  security:\n    authorizationEnabled: true\n    defaultRootPassword: hunter2\nqueryNode:\n  segcore:\n    chunkRows: 1024\nminio:\n  address: elsewhere\n"},
	}
	res := adopt.Map(adopt.Input{Release: "old", Namespace: "ml", ChartVersion: "5.0.19", Values: user, Defaults: chartDefaults(t, "5.0.19")})
	var lines []string
	for _, n := range res.Notes {
		lines = append(lines, n.Kind+": "+n.Path)
	}
	want := []string{
		"changed: externalS3.host",
		"changed: externalS3.useIAM",
		"changed: metrics.enabled",
		"not mapped: etcd.replicaCount",
		"not mapped: externalS3.accessKey",
		"not mapped: externalS3.secretKey",
		"not mapped: extraConfigFiles.user.yaml: common.security.defaultRootPassword",
		"not mapped: extraConfigFiles.user.yaml: minio",
		"todo: aws.accountID",
		"todo: cluster.name",
		"todo: gitops",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("report:\n%s\nwant:\n%s\nfull:\n%v", strings.Join(lines, "\n"), strings.Join(want, "\n"), res.Notes)
	}
	out, _ := yaml.Marshal(res.Spec)
	for _, s := range []string{"AKIAEXAMPLE", "s3cr3t", "hunter2"} {
		if strings.Contains(string(out), s) || strings.Contains(fmt.Sprint(res.Notes), s) {
			t.Errorf("credential %q written", s)
		}
	}
	for _, s := range []string{"version: 2.6.15", "bucket: b-1", "region: eu-west-1", "messageQueue: pulsar", "repository: mirror.example.com/milvusdb/milvus", "level: debug", "chunkRows: 1024", "replicas: 4", "cpu: \"4\""} {
		if !strings.Contains(string(out), s) {
			t.Errorf("spec lacks %q:\n%s", s, out)
		}
	}
	// The placeholders keep the spec from validating.
	if _, err := spec.Load([]spec.Source{{Name: "imported.yaml", Data: out}}, spec.Options{}); err == nil {
		t.Error("a spec with TODO placeholders validates")
	}
}

// TestExternalKafkaCredentials: an external Kafka whose credentials sit in
// the release's values maps to milvus.externalKafka with a Secret to
// create; the credentials are reported, never written or shown.
func TestExternalKafkaCredentials(t *testing.T) {
	user := map[string]any{
		"pulsarv3": map[string]any{"enabled": false},
		"externalKafka": map[string]any{"enabled": true, "brokerList": "b-1.m.abc.c2.kafka.us-east-2.amazonaws.com:9096, b-2.m.abc.c2.kafka.us-east-2.amazonaws.com:9096",
			"securityProtocol": "SASL_SSL", "sasl": map[string]any{"mechanisms": "SCRAM-SHA-512", "username": "milvus-user", "password": "kafka-s3cr3t"}},
	}
	res := adopt.Map(adopt.Input{Release: "old", Namespace: "ml", ChartVersion: "5.0.19", Values: user, Defaults: chartDefaults(t, "5.0.19"), AccountID: "123456789012", ClusterName: "c"})
	var lines []string
	for _, n := range res.Notes {
		lines = append(lines, n.Kind+": "+n.Path)
	}
	for _, want := range []string{"not mapped: externalKafka.sasl.password", "not mapped: externalKafka.sasl.username", "todo: milvus.externalKafka.sasl.secretName"} {
		if !strings.Contains(strings.Join(lines, "\n"), want) {
			t.Errorf("report lacks %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	out, _ := yaml.Marshal(res.Spec)
	for _, s := range []string{"milvus-user", "kafka-s3cr3t"} {
		if strings.Contains(string(out), s) || strings.Contains(fmt.Sprint(res.Notes), s) {
			t.Errorf("credential %q written", s)
		}
	}
	for _, s := range []string{"messageQueue: externalKafka", "- b-2.m.abc.c2.kafka.us-east-2.amazonaws.com:9096", "securityProtocol: SASL_SSL", "mechanism: SCRAM-SHA-512"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("spec lacks %q:\n%s", s, out)
		}
	}
	if _, err := spec.Load([]spec.Source{{Name: "imported.yaml", Data: out}}, spec.Options{}); err == nil {
		t.Error("a spec with the Secret's TODO placeholder validates")
	}
}
