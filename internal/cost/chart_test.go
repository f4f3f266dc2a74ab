package cost

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/render/values"
)

// TestVolumesMatchChart renders the real Milvus charts with the Helm SDK
// and checks that the claims the cost table counts (volumes.go) are
// exactly the StatefulSets' volumeClaimTemplates times their replicas:
// milvusgen's own values for chart 5.0.19 under each message queue, and
// each queue switched on in charts 4.2.37 and 4.2.58 (MinIO off, as
// milvusgen always has it).
func TestVolumesMatchChart(t *testing.T) {
	type tc struct {
		chartDir, version string
		values            map[string]any
	}
	var cases = map[string]tc{}
	for _, mq := range []string{model.Woodpecker, model.Kafka, model.Pulsar} {
		s := modeltest.Variant(func(s *model.Spec) { s.Milvus.MessageQueue = mq })
		cases["5.0.19/"+mq] = tc{"charts", "5.0.19", values.Milvus(s)}
	}
	for _, v := range []string{"4.2.37", "4.2.58"} {
		off := map[string]any{"enabled": false, "tls": map[string]any{"enabled": false}}
		cases[v+"/pulsarv3"] = tc{"charts-previous", v, map[string]any{"minio": off}}
		cases[v+"/kafka"] = tc{"charts-previous", v, map[string]any{"minio": off, "pulsarv3": off, "kafka": map[string]any{"enabled": true}}}
		cases[v+"/etcd-5-20Gi"] = tc{"charts-previous", v, map[string]any{"minio": off, "pulsarv3": off,
			"etcd": map[string]any{"replicaCount": 5, "persistence": map[string]any{"size": "20Gi"}}}}
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			want, err := volumes(c.version, c.values)
			if err != nil {
				t.Fatal(err)
			}
			loader := chart.NewCache(shared.MustPath(t, c.chartDir))
			files, err := hydrate.Render([]hydrate.Input{{
				Origin: "test", Chart: chart.Ref{Name: "milvus", Version: c.version},
				ReleaseName: "milvus", Namespace: "milvus", Values: c.values,
			}}, loader, hydrate.DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			got := claimsOf(t, files[0].Data)
			if !slices.Equal(describe(want), got) {
				t.Errorf("cost counts\n  %s\nthe chart claims\n  %s", strings.Join(describe(want), "\n  "), strings.Join(got, "\n  "))
			}
		})
	}
}

// describe lists volumes as "count × GiB" strings, sorted, comparable with
// claimsOf.
func describe(vs []Volume) []string {
	var out []string
	for _, v := range vs {
		out = append(out, fmt.Sprintf("%d × %gGiB", v.Count, v.GiB))
	}
	slices.Sort(out)
	return out
}

// claimsOf reads the StatefulSets of a hydrated release and lists each
// claim template as "replicas × size".
func claimsOf(t *testing.T, data []byte) []string {
	var out []string
	for _, doc := range strings.Split(string(data), "\n---\n") {
		if !strings.Contains(doc, "kind: StatefulSet") {
			continue
		}
		var ss appsv1.StatefulSet
		if err := yaml.Unmarshal([]byte(doc), &ss); err != nil || ss.Kind != "StatefulSet" {
			continue
		}
		n := 1
		if ss.Spec.Replicas != nil {
			n = int(*ss.Spec.Replicas)
		}
		for _, pvc := range ss.Spec.VolumeClaimTemplates {
			q := pvc.Spec.Resources.Requests.Storage()
			out = append(out, fmt.Sprintf("%d × %gGiB", n, float64(q.Value())/(1<<30)))
		}
	}
	slices.Sort(out)
	return out
}
