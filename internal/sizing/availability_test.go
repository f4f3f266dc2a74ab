package sizing

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestHighAvailabilityWorkload: under highAvailability every Milvus
// component counts at least two replicas.
func TestHighAvailabilityWorkload(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(s *model.Spec)
		want map[string]int
	}{{
		name: "runbook",
		edit: func(*model.Spec) {},
		want: map[string]int{MixCoordinator: 2, Proxy: 2, QueryNode: 2, DataNode: 2, StreamingNode: 2},
	}, {
		// A count the spec sets stays the spec's.
		name: "handCounted",
		edit: func(s *model.Spec) { n := 5; s.Milvus.QueryNode.Replicas = &n },
		want: map[string]int{QueryNode: 5},
	}, {
		name: "noHA",
		edit: func(s *model.Spec) {
			one := 1
			s.Milvus.HighAvailability, s.Milvus.MixCoordinator.Replicas, s.Milvus.InMemoryReplicas = false, &one, 1
		},
		want: map[string]int{MixCoordinator: 1, Proxy: 2, QueryNode: 1, DataNode: 1, StreamingNode: 1},
	}, {
		// Each in-memory replica needs query nodes of its own.
		name: "threeInMemory",
		edit: func(s *model.Spec) { s.Milvus.InMemoryReplicas = 3 },
		want: map[string]int{QueryNode: 3},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := modeltest.Runbook()
			tc.edit(s)
			fit := Fit(s)
			if !fit.Fits {
				t.Fatalf("runbook does not fit: %v", fit.Problems)
			}
			for name, want := range tc.want {
				if c := fit.Workload.Component(name); c.Replicas != want {
					t.Errorf("%s replicas = %d, want %d", name, c.Replicas, want)
				}
			}
		})
	}
}

// TestPlacementFollowsChoicesOnly: a component's placement (what its pod
// template says) is the same whatever the node groups' sizes and the
// replica counts; only highAvailability, milvus.spread and the queue
// change it.
func TestPlacementFollowsChoicesOnly(t *testing.T) {
	components := append(append([]string(nil), MilvusComponents...), "etcd", "kafka", "kafka-zookeeper", "pulsar-zookeeper", "pulsar-bookie", "pulsar-broker", "pulsar-proxy", "pulsar-recovery")
	base := modeltest.Runbook()
	for name, edit := range map[string]func(*model.Spec){
		"one node":        func(s *model.Spec) { s.Cluster.NodeGroups[0].DesiredCapacity = 1 },
		"nine nodes":      func(s *model.Spec) { s.Cluster.NodeGroups[0].DesiredCapacity = 9 },
		"minSize 1":       func(s *model.Spec) { one := 1; s.Cluster.NodeGroups[0].MinSize = &one },
		"four query":      func(s *model.Spec) { n := 4; s.Milvus.QueryNode.Replicas = &n },
		"a second group":  func(s *model.Spec) { s.Cluster.NodeGroups = append(s.Cluster.NodeGroups, s.Cluster.NodeGroups[0]) },
		"raw etcd count":  func(s *model.Spec) { s.Milvus.Values = map[string]any{"etcd": map[string]any{"replicaCount": 5}} },
		"five proxies":    func(s *model.Spec) { n := 5; s.Milvus.Proxy.Replicas = &n },
		"a larger region": func(s *model.Spec) { s.AWS.Region = "us-east-1" },
	} {
		s := modeltest.Runbook()
		edit(s)
		for _, c := range components {
			if got, want := PlacementOf(s, c), PlacementOf(base, c); got != want {
				t.Errorf("%s: %s placement %+v, want the runbook's %+v", name, c, got, want)
			}
		}
	}
	for _, c := range MilvusComponents {
		if p := PlacementOf(base, c); p != (Placement{EvenHosts: true, EvenZones: true}) {
			t.Errorf("%s placement %+v under highAvailability, want even over hosts and zones", c, p)
		}
	}
	preferred := modeltest.Runbook()
	preferred.Milvus.Spread = model.SpreadPreferred
	noHA := modeltest.Runbook()
	noHA.Milvus.HighAvailability = false
	for _, c := range components {
		if p := PlacementOf(noHA, c); p.Any() {
			t.Errorf("%s placement %+v without highAvailability, want none", c, p)
		}
		// "preferred" relaxes the Milvus components, never a quorum or
		// Pulsar's anti-affinity.
		_, apart := apartComponents[c]
		if p := PlacementOf(preferred, c); p.Any() != apart {
			t.Errorf("%s placement %+v with spread preferred", c, p)
		}
	}
	if p := PlacementOf(base, "etcd"); !p.Apart || !p.EvenZones {
		t.Errorf("etcd placement %+v, want apart and even over zones", p)
	}
}

// TestFitKeepsQuorumApart: three etcd members on two nodes are refused at
// desiredCapacity, with the count that keeps them apart; three nodes hold
// them.
func TestFitKeepsQuorumApart(t *testing.T) {
	s := modeltest.Runbook()
	s.Cluster.NodeGroups[0].DesiredCapacity = 2
	fit := Fit(s)
	errs := fit.Errors()
	if len(errs) != 1 || errs[0].Path != "cluster.nodeGroups.0.desiredCapacity" {
		t.Fatalf("problems %v, want one error at cluster.nodeGroups.0.desiredCapacity", fit.Problems)
	}
	for _, want := range []string{"etcd needs 3 × 1 CPU/4Gi and 1 of them", "etcd keep each member on a node of its own", "set desiredCapacity (and maxSize) of milvus-node-group to at least 3"} {
		if !strings.Contains(errs[0].Message, want) {
			t.Errorf("message does not say %q:\n%s", want, errs[0].Message)
		}
	}
	s.Cluster.NodeGroups[0].DesiredCapacity = 3
	if fit := Fit(s); !fit.Fits {
		t.Errorf("3 nodes do not hold the runbook: %v", fit.Problems)
	}
	// Without highAvailability members may share nodes, as the chart's
	// soft anti-affinity lets them.
	s.Cluster.NodeGroups[0].DesiredCapacity = 2
	s.Milvus.HighAvailability = false
	one := 1
	s.Milvus.MixCoordinator.Replicas = &one
	if fit := Fit(s); !fit.Fits {
		t.Errorf("without highAvailability 2 nodes do not hold the runbook: %v", fit.Problems)
	}
}

// TestPackPlacement places pods as the scheduler must: apart members on
// distinct nodes and evenly over zones even where one node has room for
// all, and evenly spread pods never more than one ahead on a node or
// zone, full or not.
func TestPackPlacement(t *testing.T) {
	big := Resources{MilliCPU: 16000, Memory: 64 * GiB}
	small := Resources{MilliCPU: 1000, Memory: GiB}
	pods := func(n int, rule Placement) []pod {
		var out []pod
		for range n {
			out = append(out, pod{component: "x", placement: rule, Resources: small})
		}
		return out
	}
	// Six nodes over three zones (0,1,2,0,1,2).
	nodes := func() []node {
		var out []node
		for i := range 6 {
			out = append(out, node{zone: i % 3, free: big, slots: 100})
		}
		return out
	}
	pl := pack(nodes(), pods(3, Placement{Apart: true, EvenZones: true}))
	if len(pl.unplaced) != 0 {
		t.Fatalf("unplaced %v", pl.unplaced)
	}
	zones := map[int]int{}
	for _, n := range pl.nodes {
		if n.free != big {
			zones[n.zone]++
		}
	}
	if len(zones) != 3 {
		t.Errorf("three members in zones %v, want one in each of three", zones)
	}
	// Two nodes cannot hold three apart members.
	if pl := pack(nodes()[:2], pods(3, Placement{Apart: true})); len(pl.unplaced) != 1 {
		t.Errorf("3 apart members on 2 nodes: %d unplaced, want 1", len(pl.unplaced))
	}
	// Even spread: four pods on three nodes go 2,1,1, never 3,1,0, even
	// when the first node has room for all.
	pl = pack([]node{{free: big, slots: 100}, {zone: 1, free: big, slots: 100}, {zone: 2, free: big, slots: 100}}, pods(4, Placement{EvenHosts: true}))
	for i, n := range pl.nodes {
		if used := big.MilliCPU - n.free.MilliCPU; used > 2*small.MilliCPU || used == 0 {
			t.Errorf("node %d holds %d pods of 4 spread evenly over 3", i, used/small.MilliCPU)
		}
	}
	// A full node still counts: the second pod may not go beside the
	// first while the full node holds none.
	full := node{zone: 1, free: Resources{}, slots: 100}
	if pl := pack([]node{{free: big, slots: 100}, full}, pods(2, Placement{EvenHosts: true})); len(pl.unplaced) != 1 {
		t.Errorf("even spread with a full node: %d unplaced, want 1 (DoNotSchedule)", len(pl.unplaced))
	}
	// Unconstrained pods share freely.
	if pl := pack([]node{{free: big, slots: 100}, full}, pods(2, Placement{})); len(pl.unplaced) != 0 {
		t.Errorf("unconstrained pods unplaced: %v", pl.unplaced)
	}
}

// TestRawReplicasCounted: a replica count in milvus.values is what the
// chart deploys (raw values merge last), so the fit check counts it.
func TestRawReplicasCounted(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.Values = map[string]any{"queryNode": map[string]any{"replicas": int64(3)}}
	if got := Fit(s).Workload.Component(QueryNode).Replicas; got != 3 {
		t.Errorf("queryNode replicas = %d, want the raw values' 3", got)
	}
}
