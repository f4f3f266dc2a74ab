package sizing

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/model"
)

// TestClusterTable walks the sizing tool's cluster table
// (clusterNodesConfigCalculator) across its bands and their edges: each
// band holds [lo, hi) GiB of loading memory.
func TestClusterTable(t *testing.T) {
	small := func(q tier, p, m int64, dn tier, sn tier) row {
		return row{mix: tier{p, 4 * p, 1}, proxy: tier{m, 4 * m, 1}, query: q, data: dn, streaming: sn}
	}
	large := func(q tier, sn tier) row {
		return row{mix: tier{8, 32, 1}, proxy: tier{8, 32, 1}, query: q, data: tier{8, 16, 8}, streaming: sn}
	}
	sn2 := tier{2, 8, 1}
	cases := []struct {
		gib  float64
		want row
	}{
		{0, small(tier{2, 8, 1}, 1, 1, tier{2, 8, 1}, sn2)},
		{7.99, small(tier{2, 8, 1}, 1, 1, tier{2, 8, 1}, sn2)},
		{8, small(tier{4, 16, 1}, 2, 2, tier{4, 16, 1}, sn2)},
		{16, small(tier{4, 16, 2}, 2, 2, tier{4, 16, 2}, sn2)},
		{31.9, small(tier{4, 16, 2}, 2, 2, tier{4, 16, 2}, sn2)},
		{32, small(tier{4, 16, 3}, 2, 2, tier{4, 16, 2}, sn2)},
		{48, small(tier{4, 16, 4}, 2, 2, tier{4, 16, 2}, sn2)},
		{64, small(tier{4, 16, 5}, 2, 2, tier{4, 16, 4}, tier{4, 16, 1})},
		{95.9, small(tier{4, 16, 6}, 2, 2, tier{4, 16, 4}, tier{4, 16, 1})},
		// 96 GiB: 8c/32G × ceil(96/32) = 3, 24 QN cores → 2 units.
		{96, large(tier{8, 32, 3}, tier{4, 16, 1})},
		// 357 GiB (the 100M × 768-d HNSW example): 12 × 8c = 96 cores → 6 units.
		{357, large(tier{8, 32, 12}, tier{8, 32, 2})},
		{511.9, large(tier{8, 32, 16}, tier{8, 32, 2})},
		{512, large(tier{16, 64, 8}, tier{8, 32, 2})},
		{2047, large(tier{16, 64, 32}, tier{8, 32, 8})},
		// 2048 GiB: 16 × 32c = 512 cores → 32 units → ceil(64/8) = 8 nodes.
		{2048, large(tier{32, 128, 16}, tier{8, 32, 8})},
		{10000, large(tier{32, 128, 79}, tier{8, 32, 40})},
	}
	for _, tc := range cases {
		if d := cmp.Diff(tc.want, clusterTable(tc.gib), cmp.AllowUnexported(row{}, tier{})); d != "" {
			t.Errorf("clusterTable(%v GiB) (-want +got):\n%s", tc.gib, d)
		}
	}
}

// TestStreamingNode is streamNodeConfigCalculator: 2-core units, one per 16
// query node cores.
func TestStreamingNode(t *testing.T) {
	cases := map[int64]tier{
		0: {2, 8, 1}, 2: {2, 8, 1}, 16: {2, 8, 1},
		17: {4, 16, 1}, 32: {4, 16, 1},
		33: {4, 16, 2}, 64: {4, 16, 2},
		65: {8, 32, 2}, 128: {8, 32, 2},
		129: {8, 32, 3}, // 9 units → 18 cores → ceil(18/8)
		512: {8, 32, 8},
	}
	for cores, want := range cases {
		if got := streamingNode(cores); got != want {
			t.Errorf("streamingNode(%d) = %+v, want %+v", cores, got, want)
		}
	}
}

func TestNewPlan(t *testing.T) {
	p, err := NewPlan(model.Dataset{Vectors: 100e6, Dimension: 768, Index: model.Index{Type: HNSW, M: 30}, Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range p.Components {
		got[c.Name] = count(c.Replicas, c.Pod)
		if c.Pod != c.Limit || c.Source != SourceDataset {
			t.Errorf("%s: requests %v, limits %v, source %s; want equal requests and limits from the dataset", c.Name, c.Pod, c.Limit, c.Source)
		}
	}
	want := map[string]string{
		MixCoordinator: "1 × 8 CPU/32Gi",
		Proxy:          "1 × 8 CPU/32Gi",
		QueryNode:      "12 × 8 CPU/32Gi",
		DataNode:       "8 × 8 CPU/16Gi",
		StreamingNode:  "2 × 8 CPU/32Gi",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("plan (-want +got):\n%s", d)
	}
	// Replicas multiply the loading memory: 714 GiB is in the 512-2048
	// band, 16c/64G × ceil(714/64).
	p2, err := NewPlan(model.Dataset{Vectors: 100e6, Dimension: 768, Replicas: 2})
	if err != nil {
		t.Fatal(err)
	}
	if q := p2.Component(QueryNode); count(q.Replicas, q.Pod) != "12 × 16 CPU/64Gi" {
		t.Errorf("2 replicas: %s query nodes, want 12 × 16 CPU/64Gi", count(q.Replicas, q.Pod))
	}
}
