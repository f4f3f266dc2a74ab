package sizing

import "github.com/milvusgen/milvusgen/internal/model"

// HAReplicas is the fewest replicas highAvailability gives every Milvus
// component whose replica count the spec leaves unset: one pod of each may
// be lost (a node drained, a zone down) while the other serves. The
// streaming nodes are the WAL writers and the query and data nodes hold
// the loaded and growing segments, so one replica of any of them is a
// single point of failure.
const HAReplicas = 2

// MinNodes is how many nodes the node groups always keep: the sum of
// their minSize (eksctl's default: desiredCapacity). Spreading is planned
// against these, since an autoscaler may shrink a group to its minimum.
func MinNodes(s *model.Spec) int {
	n := 0
	for _, ng := range s.Cluster.NodeGroups {
		n += max(ng.NodeGroupMinSize(), 0)
	}
	return n
}

// HardHostSpread reports whether a Milvus component of that many replicas
// may have each replica on its own node (topology spread over
// kubernetes.io/hostname with whenUnsatisfiable: DoNotSchedule): under
// highAvailability, when the node groups always keep at least as many
// nodes as there are replicas. Fit then keeps it only where the nodes hold
// the replicas apart. Otherwise the spread is ScheduleAnyway, as even as
// the nodes allow, so pods never stay Pending only because two replicas
// would have to share a node.
func HardHostSpread(s *model.Spec, replicas int) bool {
	return s.Milvus.HighAvailability && replicas > 1 && MinNodes(s) >= replicas
}
