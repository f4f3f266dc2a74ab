package sizing

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

func BenchmarkPlan(b *testing.B) {
	d := *hundredM()
	for b.Loop() {
		if _, err := NewPlan(d); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFit places a large deployment (1B × 768-d HNSW: 28 query nodes
// of 32 CPU/128Gi) on too few nodes, so it also searches for the node
// count that would do.
func BenchmarkFit(b *testing.B) {
	s := modeltest.Runbook()
	s.Milvus.Dataset = &model.Dataset{Vectors: 1e9, Dimension: 768, Index: model.Index{Type: HNSW, M: 30}, Replicas: 1}
	withGroups(s, model.NodeGroup{InstanceType: "m7i.48xlarge", DesiredCapacity: 3, MaxSize: ptr(40)})
	for b.Loop() {
		if r := Fit(s); r.Fits {
			b.Fatal("fits")
		}
	}
}
