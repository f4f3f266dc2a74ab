package sizing

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestHighAvailabilityWorkload: under highAvailability every Milvus
// component counts at least two replicas, each on its own node when the
// nodes allow it.
func TestHighAvailabilityWorkload(t *testing.T) {
	for _, tc := range []struct {
		name   string
		edit   func(s *model.Spec)
		want   map[string]int
		spread bool
	}{{
		name:   "runbook",
		edit:   func(*model.Spec) {},
		want:   map[string]int{MixCoordinator: 2, Proxy: 2, QueryNode: 2, DataNode: 2, StreamingNode: 2},
		spread: true,
	}, {
		// One node: the replicas must share it.
		name:   "oneNode",
		edit:   func(s *model.Spec) { s.Cluster.NodeGroups[0].DesiredCapacity = 1 },
		want:   map[string]int{MixCoordinator: 2, Proxy: 2, QueryNode: 2, DataNode: 2, StreamingNode: 2},
		spread: false,
	}, {
		// A count the spec sets stays the spec's.
		name: "handCounted",
		edit: func(s *model.Spec) { n := 5; s.Milvus.QueryNode.Replicas = &n },
		want: map[string]int{QueryNode: 5},
	}, {
		name: "noHA",
		edit: func(s *model.Spec) {
			one := 1
			s.Milvus.HighAvailability, s.Milvus.MixCoordinator.Replicas = false, &one
		},
		want: map[string]int{MixCoordinator: 1, Proxy: 2, QueryNode: 1, DataNode: 1, StreamingNode: 1},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := modeltest.Runbook()
			tc.edit(s)
			fit := Fit(s)
			if !fit.Fits {
				t.Fatalf("runbook does not fit: %v", fit.Problems)
			}
			for name, want := range tc.want {
				c := fit.Workload.Component(name)
				if c.Replicas != want {
					t.Errorf("%s replicas = %d, want %d", name, c.Replicas, want)
				}
				if name != Proxy && c.Spread != tc.spread && tc.name != "handCounted" {
					t.Errorf("%s spread = %v, want %v", name, c.Spread, tc.spread)
				}
			}
		})
	}
}

// TestFitKeepsSpreadReplicasApart: replicas that must each have a node are
// never packed onto one, and a component the nodes cannot keep apart falls
// back to sharing (ScheduleAnyway) instead of failing the check.
func TestFitKeepsSpreadReplicasApart(t *testing.T) {
	s := modeltest.Runbook()
	s.Cluster.NodeGroups = []model.NodeGroup{
		{Name: "big", InstanceType: "m6i.4xlarge", DesiredCapacity: 1, VolumeSize: 80},
		{Name: "small", InstanceType: "m6i.large", DesiredCapacity: 1, VolumeSize: 80},
	}
	// 2 × 4 CPU query nodes: only the big node holds one.
	n := 2
	s.Milvus.QueryNode = model.Component{Replicas: &n, Resources: &model.Resources{Limits: &model.ResourceList{CPU: "4", Memory: "8Gi"}}}
	fit := Fit(s)
	if !fit.Fits {
		t.Fatalf("want a fit with the query nodes sharing the big node: %v", fit.Problems)
	}
	if fit.Workload.Component(QueryNode).Spread {
		t.Error("queryNode spread one per node, but only one node holds a query node")
	}
	if !fit.Workload.Component(MixCoordinator).Spread {
		t.Error("mixCoordinator not spread, but both nodes hold one")
	}

	// Placement honours the spread: two nodes with room for both pods on
	// the first still get one each.
	pl := pack([]node{{free: Resources{MilliCPU: 4000, Memory: 8 * GiB}, slots: 10}, {free: Resources{MilliCPU: 1000, Memory: GiB}, slots: 10}},
		[]pod{{component: "x", spread: true, Resources: Resources{MilliCPU: 500, Memory: 256 * MiB}}, {component: "x", spread: true, Resources: Resources{MilliCPU: 500, Memory: 256 * MiB}}})
	if len(pl.unplaced) != 0 || pl.nodes[1].free.MilliCPU != 500 {
		t.Errorf("spread pods packed onto one node: %+v", pl)
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
