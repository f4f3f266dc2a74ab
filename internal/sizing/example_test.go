package sizing_test

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/sizing"
)

func ExampleNewPlan() {
	p, err := sizing.NewPlan(model.Dataset{
		Vectors:   100_000_000,
		Dimension: 768,
		Index:     model.Index{Type: sizing.HNSW, M: 30},
		Replicas:  1,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("loading memory", sizing.FormatBytes(p.Footprint.Loading))
	for _, c := range p.Components {
		fmt.Printf("%s: %d × %s\n", c.Name, c.Replicas, c.Pod)
	}
	// Output:
	// loading memory 357Gi
	// mixCoordinator: 1 × 8 CPU/32Gi
	// proxy: 1 × 8 CPU/32Gi
	// queryNode: 12 × 8 CPU/32Gi
	// dataNode: 8 × 8 CPU/16Gi
	// streamingNode: 2 × 8 CPU/32Gi
}

func ExampleMeasure() {
	fp, err := sizing.Measure(model.Dataset{Vectors: 1_000_000, Dimension: 128, Index: model.Index{Type: sizing.IVFFlat, NList: 2000}})
	if err != nil {
		panic(err)
	}
	fmt.Printf("raw %.1f MB, index %.3f MB\n", float64(fp.Raw)/1e6, float64(fp.Index)/1e6)
	// Output: raw 512.0 MB, index 513.024 MB
}
