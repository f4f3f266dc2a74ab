package values

import (
	"fmt"
	"maps"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/reproducible"
)

func ptr[T any](v T) *T { return &v }

// variant is the runbook fixture changed by f, as spec.Load would return
// it for the changed spec.
func variant(f func(s *model.Spec)) *model.Spec {
	s := modeltest.Runbook()
	f(s)
	return s
}

// fixtures are the specs both the unit tests and the chart tests use.
var fixtures = map[string]func() *model.Spec{
	"runbook": modeltest.Runbook,
	"noHA": func() *model.Spec {
		return variant(func(s *model.Spec) {
			s.Milvus.HighAvailability = false
			s.Milvus.MixCoordinator.Replicas = ptr(1) // the schema's default without HA
			s.Milvus.InMemoryReplicas = 1             // likewise
		})
	},
	"kafka": func() *model.Spec {
		return variant(func(s *model.Spec) { s.Milvus.MessageQueue = model.Kafka })
	},
	"pulsar": func() *model.Spec {
		return variant(func(s *model.Spec) { s.Milvus.MessageQueue = model.Pulsar })
	},
	"rootPath": func() *model.Spec {
		return variant(func(s *model.Spec) { s.Storage.RootPath = "milvus/prod" })
	},
	"rawValues": func() *model.Spec {
		return variant(func(s *model.Spec) {
			// As CUE decodes them: integers are int64.
			// Keys of the raw values allowlist (internal/rawvalues).
			s.Milvus.Values = map[string]any{
				"queryNode": map[string]any{
					"nodeSelector": map[string]any{"role": "milvus"},
					"tolerations":  []any{map[string]any{"key": "dedicated", "operator": "Equal", "value": "milvus", "effect": "NoSchedule"}},
					"annotations":  map[string]any{"example.com/owner": "search"},
				},
				"service": map[string]any{
					"annotations": map[string]any{"example.com/team": "search"},
				},
				"labels": map[string]any{"team": "search"},
				"log":    map[string]any{"level": "debug", "format": "json"},
				"image": map[string]any{"all": map[string]any{
					"repository":  "registry.example.com/milvusdb/milvus",
					"pullSecrets": []any{"mirror-login"},
				}},
				"etcd": map[string]any{
					"image":             map[string]any{"registry": "registry.example.com"},
					"priorityClassName": "milvus-critical",
				},
				"mixCoordinator": map[string]any{"extraEnv": []any{map[string]any{"name": "GOGC", "value": "50"}}},
			}
		})
	},
}

func TestGolden(t *testing.T) {
	s := modeltest.Runbook()
	for name, v := range map[string]map[string]any{
		"milvus":                       Milvus(s),
		"aws-load-balancer-controller": LBController(s),
	} {
		b, err := yaml.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		golden.Assert(t, "testdata/runbook/"+name+".yaml", b)
	}
}

// The coordinator blocks of Milvus 2.5 are inert in chart 5.x (their
// Deployments default to disabled) yet still flip enableActiveStandby in
// milvus.yaml, so milvusgen must never write them.
func TestMilvusNoInertCoordinators(t *testing.T) {
	inert := []string{"rootCoordinator", "queryCoordinator", "indexCoordinator", "dataCoordinator", "indexNode"}
	for name, f := range fixtures {
		v := Milvus(f())
		for _, k := range inert {
			if _, ok := v[k]; ok {
				t.Errorf("%s: values set %s, which chart 5.x ignores; use mixCoordinator", name, k)
			}
		}
	}
}

func TestMilvusMessageQueue(t *testing.T) {
	sc := map[string]any{"storageClass": "ebs-gp3-sc"}
	vol := map[string]any{"storageClassName": "ebs-gp3-sc"}
	for _, tc := range []struct {
		mq   string
		want map[string]any
	}{{
		mq: model.Woodpecker,
		want: map[string]any{
			"woodpecker": map[string]any{"enabled": true},
			"streaming":  map[string]any{"enabled": true, "woodpecker": map[string]any{"embedded": true}},
			"pulsarv3":   map[string]any{"enabled": false},
			"kafka":      map[string]any{"enabled": false},
		},
	}, {
		mq: model.Kafka,
		want: map[string]any{
			"woodpecker": map[string]any{"enabled": false},
			"streaming":  map[string]any{"enabled": true},
			"pulsarv3":   map[string]any{"enabled": false},
			"kafka": map[string]any{
				"enabled":     true,
				"persistence": sc,
				"resources":   map[string]any{"requests": map[string]any{"cpu": "2", "memory": "8Gi"}},
				"zookeeper": map[string]any{
					"persistence": sc,
					"resources":   map[string]any{"requests": map[string]any{"cpu": "500m", "memory": "2Gi"}},
				},
			},
		},
	}, {
		mq: model.Pulsar,
		want: map[string]any{
			"woodpecker": map[string]any{"enabled": false},
			"streaming":  map[string]any{"enabled": true},
			"pulsarv3": map[string]any{
				"enabled":    true,
				"zookeeper":  map[string]any{"volumes": map[string]any{"data": vol}},
				"bookkeeper": map[string]any{"volumes": map[string]any{"journal": vol, "ledgers": vol}},
			},
			"kafka": map[string]any{"enabled": false},
		},
	}} {
		t.Run(tc.mq, func(t *testing.T) {
			// Without highAvailability: the quorum keys it adds are
			// checked on the rendered chart (TestMilvusChartQuorumApart).
			v := Milvus(variant(func(s *model.Spec) {
				s.Milvus.MessageQueue, s.Milvus.HighAvailability, s.Milvus.MixCoordinator.Replicas = tc.mq, false, ptr(1)
			}))
			got := map[string]any{}
			for k := range tc.want {
				got[k] = v[k]
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("message queue values (-want +got):\n%s", d)
			}
		})
	}
}

func TestMilvusComponents(t *testing.T) {
	res := &model.Resources{
		Limits:   &model.ResourceList{CPU: "2", Memory: "8Gi"},
		Requests: &model.ResourceList{CPU: "500m"},
	}
	resWant := map[string]any{
		"limits":   map[string]any{"cpu": "2", "memory": "8Gi"},
		"requests": map[string]any{"cpu": "500m"},
	}
	for _, tc := range []struct {
		name string
		edit func(s *model.Spec)
		want map[string]any // the component keys; absent means not emitted
	}{{
		// highAvailability: two replicas of everything.
		name: "runbook",
		edit: func(*model.Spec) {},
		want: map[string]any{
			"mixCoordinator": map[string]any{"replicas": 2, "activeStandby": map[string]any{"enabled": true}},
			"proxy": map[string]any{"replicas": 2, "resources": map[string]any{
				"limits": map[string]any{"cpu": "1", "memory": "2Gi"},
			}},
			"queryNode":     map[string]any{"replicas": 2},
			"dataNode":      map[string]any{"replicas": 2},
			"streamingNode": map[string]any{"replicas": 2},
		},
	}, {
		name: "noHA",
		edit: func(s *model.Spec) { s.Milvus.HighAvailability, s.Milvus.MixCoordinator.Replicas = false, nil },
		want: map[string]any{
			"mixCoordinator": map[string]any{"replicas": 1, "activeStandby": map[string]any{"enabled": false}},
			"proxy":          map[string]any{"replicas": 2, "resources": map[string]any{"limits": map[string]any{"cpu": "1", "memory": "2Gi"}}},
		},
	}, {
		// More than one mixcoord replica forces active standby even
		// without highAvailability.
		name: "replicasWithoutHA",
		edit: func(s *model.Spec) { s.Milvus.HighAvailability, s.Milvus.MixCoordinator.Replicas = false, ptr(3) },
		want: map[string]any{
			"mixCoordinator": map[string]any{"replicas": 3, "activeStandby": map[string]any{"enabled": true}},
			"proxy":          map[string]any{"replicas": 2, "resources": map[string]any{"limits": map[string]any{"cpu": "1", "memory": "2Gi"}}},
		},
	}, {
		name: "allSized",
		edit: func(s *model.Spec) {
			s.Milvus.MixCoordinator.Resources = res
			s.Milvus.Proxy = model.Component{Replicas: ptr(4)}
			s.Milvus.QueryNode = model.Component{Replicas: ptr(3), Resources: res}
			s.Milvus.DataNode = model.Component{Resources: res}
			s.Milvus.StreamingNode = model.Component{Replicas: ptr(0)}
		},
		want: map[string]any{
			"mixCoordinator": map[string]any{"replicas": 2, "activeStandby": map[string]any{"enabled": true}, "resources": resWant},
			"proxy":          map[string]any{"replicas": 4},
			"queryNode":      map[string]any{"replicas": 3, "resources": resWant},
			"dataNode":       map[string]any{"replicas": 2, "resources": resWant},
			"streamingNode":  map[string]any{"replicas": 0},
		},
	}, {
		name: "emptyResources",
		edit: func(s *model.Spec) {
			s.Milvus.Proxy = model.Component{Resources: &model.Resources{Limits: &model.ResourceList{}}}
		},
		want: map[string]any{
			"mixCoordinator": map[string]any{"replicas": 2, "activeStandby": map[string]any{"enabled": true}},
			"proxy":          map[string]any{"replicas": 2},
			"queryNode":      map[string]any{"replicas": 2},
			"dataNode":       map[string]any{"replicas": 2},
			"streamingNode":  map[string]any{"replicas": 2},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			v := Milvus(variant(tc.edit))
			got := map[string]any{}
			for _, k := range []string{"mixCoordinator", "proxy", "queryNode", "dataNode", "streamingNode"} {
				c, ok := v[k].(map[string]any)
				if !ok {
					continue
				}
				// extraEnv carries the auth Secret; security_test.go covers
				// it. The spread constraints are checked on the real chart
				// (availability_chart_test.go), as is the proxies'
				// rolling update.
				c = maps.Clone(c)
				delete(c, "extraEnv")
				delete(c, "topologySpreadConstraints")
				delete(c, "strategy")
				if len(c) > 0 {
					got[k] = c
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("component values (-want +got):\n%s", d)
			}
		})
	}
}

func TestMilvusExternalS3(t *testing.T) {
	want := map[string]any{
		"enabled":       true,
		"host":          "s3.cn-north-1.amazonaws.com.cn",
		"port":          "443",
		"useSSL":        true,
		"bucketName":    "milvus-bucket-039dd013c0712f085d60e21f",
		"rootPath":      "milvus/prod",
		"useIAM":        true,
		"cloudProvider": "aws",
		"iamEndpoint":   "",
		"region":        "cn-north-1",
	}
	got := Milvus(variant(func(s *model.Spec) {
		s.AWS.Region = "cn-north-1"
		s.Storage.RootPath = "milvus/prod"
	}))["externalS3"]
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("externalS3 (-want +got):\n%s", d)
	}
	if _, ok := Milvus(modeltest.Runbook())["externalS3"].(map[string]any)["rootPath"]; ok {
		t.Error("externalS3.rootPath is set although the spec has no rootPath")
	}
}

func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		name     string
		dst, src map[string]any
		want     map[string]any
	}{{
		name: "nested maps merge",
		dst:  map[string]any{"a": map[string]any{"x": 1, "y": map[string]any{"p": true}}},
		src:  map[string]any{"a": map[string]any{"y": map[string]any{"q": "s"}, "z": 2}},
		want: map[string]any{"a": map[string]any{"x": 1, "y": map[string]any{"p": true, "q": "s"}, "z": 2}},
	}, {
		name: "lists replace",
		dst:  map[string]any{"l": []any{"a", "b"}},
		src:  map[string]any{"l": []any{"c"}},
		want: map[string]any{"l": []any{"c"}},
	}, {
		name: "scalar replaces map",
		dst:  map[string]any{"a": map[string]any{"x": 1}},
		src:  map[string]any{"a": "flat"},
		want: map[string]any{"a": "flat"},
	}, {
		name: "map replaces scalar",
		dst:  map[string]any{"a": "flat"},
		src:  map[string]any{"a": map[string]any{"x": int64(1)}},
		want: map[string]any{"a": map[string]any{"x": 1}},
	}, {
		name: "null is kept for helm to delete the default",
		dst:  map[string]any{"a": map[string]any{"x": 1}},
		src:  map[string]any{"a": map[string]any{"x": nil}},
		want: map[string]any{"a": map[string]any{"x": nil}},
	}, {
		name: "nil src",
		dst:  map[string]any{"a": 1},
		want: map[string]any{"a": 1},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, merge(tc.dst, tc.src)); d != "" {
				t.Errorf("merge (-want +got):\n%s", d)
			}
		})
	}
}

func TestMilvusRawValues(t *testing.T) {
	s := fixtures["rawValues"]()
	v := Milvus(s)
	if got := v["queryNode"].(map[string]any)["nodeSelector"]; !reflect.DeepEqual(got, map[string]any{"role": "milvus"}) {
		t.Errorf("queryNode.nodeSelector = %v, want role: milvus", got)
	}
	ann := v["service"].(map[string]any)["annotations"].(map[string]any)
	if len(ann) != 5 || ann["example.com/team"] != "search" || ann["service.beta.kubernetes.io/aws-load-balancer-type"] != "external" {
		t.Errorf("service.annotations = %v, want the four NLB annotations plus example.com/team", ann)
	}
	// The result must not alias the spec: editing it leaves the spec alone.
	v["queryNode"].(map[string]any)["nodeSelector"].(map[string]any)["role"] = "other"
	ann["x"] = "y"
	if got := s.Milvus.Values["queryNode"].(map[string]any)["nodeSelector"].(map[string]any)["role"]; got != "milvus" {
		t.Errorf("spec values changed through the result: queryNode.nodeSelector.role = %v", got)
	}
	if _, ok := s.Milvus.Values["service"].(map[string]any)["annotations"].(map[string]any)["x"]; ok {
		t.Error("spec values changed through the result: service.annotations.x")
	}
}

// Values must marshal the same way every time and go into a HelmRelease as
// JSON: only JSON types, ints for numbers.
func TestValuesTypes(t *testing.T) {
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(path+"."+k, e)
			}
		case []any:
			for i, e := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case string, bool, int:
		default:
			t.Errorf("%s: %T is not a JSON-friendly value type", path, v)
		}
	}
	for name, f := range fixtures {
		walk(name+":milvus", Milvus(f()))
		walk(name+":lbc", LBController(f()))
	}
}

// TestReproducible: the values depend on the spec alone, not on map order,
// GOMAXPROCS, concurrent renders or an earlier render of the same spec.
func TestReproducible(t *testing.T) {
	for name, f := range fixtures {
		t.Run(name, func(t *testing.T) {
			reproducible.Check(t, 20, f, func(s *model.Spec) ([]byte, error) {
				return yaml.Marshal(Milvus(s))
			})
		})
	}
}

func TestLBController(t *testing.T) {
	want := map[string]any{
		"clusterName":  "milvus-eks-cluster",
		"region":       "us-east-2",
		"replicaCount": 2,
		"serviceAccount": map[string]any{
			"create": false,
			"name":   "aws-load-balancer-controller",
		},
		// highAvailability: TestLBControllerChartAvailability checks what
		// the chart makes of these.
		"podDisruptionBudget":     map[string]any{"maxUnavailable": 1},
		"podMutatorWebhookConfig": map[string]any{"failurePolicy": "Fail"},
		"objectSelector": map[string]any{"matchLabels": map[string]any{
			"app.kubernetes.io/name": "milvus", "app.kubernetes.io/instance": "milvus-demo", "component": "proxy",
		}},
	}
	got := LBController(modeltest.Runbook())
	delete(got, "topologySpreadConstraints") // checked on the chart
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("LBController (-want +got):\n%s", d)
	}
}

func BenchmarkMilvusValues(b *testing.B) {
	s := fixtures["rawValues"]()
	b.ReportAllocs()
	for b.Loop() {
		Milvus(s)
	}
}
