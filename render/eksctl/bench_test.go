package eksctl

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// BenchmarkConfig is the price of reading the ClusterConfig back as
// eksctl's type, which internal/zones pays for every sizing workload.
func BenchmarkConfig(b *testing.B) {
	s := modeltest.Runbook()
	for b.Loop() {
		if _, err := Config(s); err != nil {
			b.Fatal(err)
		}
	}
}
