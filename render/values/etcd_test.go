package values

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/model"
)

// TestMilvusChartEtcdRequests: the chart's etcd StatefulSet requests what
// the sizing fit check counts for it, 8Gi once the dataset is large.
func TestMilvusChartEtcdRequests(t *testing.T) {
	for name, tc := range map[string]struct {
		edit func(*model.Spec)
		mem  string
	}{
		"default": {func(*model.Spec) {}, "4Gi"},
		"100M x 768": {func(s *model.Spec) {
			s.Milvus.Dataset = &model.Dataset{Vectors: 100_000_000, Dimension: 768, Index: model.Index{Type: "HNSW", M: 30}, SegmentSizeMB: 1024, Replicas: 1}
		}, "8Gi"},
	} {
		t.Run(name, func(t *testing.T) {
			m := renderMilvus(t, variant(tc.edit))
			sts := m.Filter("StatefulSet", "milvus/charts/etcd/")
			if len(sts) != 1 {
				t.Fatalf("want one etcd StatefulSet, got %v", sts)
			}
			ss, err := consumer.As[appsv1.StatefulSet](sts[0])
			if err != nil {
				t.Fatal(err)
			}
			req := ss.Spec.Template.Spec.Containers[0].Resources.Requests
			if req.Cpu().String() != "1" || req.Memory().String() != tc.mem {
				t.Errorf("etcd requests cpu %s memory %s, want 1 and %s", req.Cpu(), req.Memory(), tc.mem)
			}
		})
	}
}
