package sizing

import "github.com/milvusgen/milvusgen/internal/model"

// HAReplicas is the fewest replicas highAvailability gives every Milvus
// component whose replica count the spec leaves unset: one pod of each may
// be lost (a node drained, a zone down) while the other serves. The
// streaming nodes are the WAL writers and the query and data nodes hold
// the loaded and growing segments, so one replica of any of them is a
// single point of failure.
const HAReplicas = 2

// Placement is how the scheduler must place a component's pods relative
// to each other. render/values writes it into the pod templates and Fit
// places the pods by it, so the check and the scheduler follow one rule.
// It depends only on choices the spec states (highAvailability,
// milvus.spread, the message queue), never on node or replica counts, so
// resizing never changes a pod template.
type Placement struct {
	// Apart: no two pods on one node (required pod anti-affinity on
	// kubernetes.io/hostname). Quorum members: two on one node lose
	// quorum with that node.
	Apart bool
	// EvenHosts: no node holds two more of the pods than another (topology
	// spread over kubernetes.io/hostname, maxSkew 1, DoNotSchedule).
	EvenHosts bool
	// EvenZones: the same over topology.kubernetes.io/zone. With three
	// zones, three members never share one.
	EvenZones bool
}

// Any reports whether the placement constrains anything.
func (p Placement) Any() bool { return p.Apart || p.EvenHosts || p.EvenZones }

// apartComponents are the dependencies kept on separate nodes under
// highAvailability. The quorum systems: each member holds a vote or a
// copy. Pulsar's proxies and autorecovery are not quorum members but
// replicas of one service each, and their chart offers no spread, only
// the same anti-affinity.
var apartComponents = map[string]Placement{
	"etcd":            {Apart: true, EvenZones: true},
	"kafka":           {Apart: true, EvenZones: true},
	"kafka-zookeeper": {Apart: true, EvenZones: true},
	// Pulsar chart 3.3.0 has required anti-affinity per component and no
	// topologySpreadConstraints, so zones are not constrained.
	"pulsar-zookeeper": {Apart: true},
	"pulsar-bookie":    {Apart: true},
	"pulsar-broker":    {Apart: true},
	"pulsar-proxy":     {Apart: true},
	"pulsar-recovery":  {Apart: true},
}

// PlacementOf is the placement of the component of that name (a Milvus
// component or a dependency of dependencies) under s. Without
// highAvailability nothing is constrained. Under it, the quorum members
// and Pulsar's proxies and autorecovery are always apart, and the Milvus components are spread evenly over
// nodes and zones unless milvus.spread is "preferred" (ScheduleAnyway,
// which constrains nothing the check needs to place).
func PlacementOf(s *model.Spec, name string) Placement {
	if !s.Milvus.HighAvailability {
		return Placement{}
	}
	if p, ok := apartComponents[name]; ok {
		return p
	}
	if name == LBController {
		// Its webhook admits the proxies (render/values.LBController).
		return Placement{EvenHosts: true, EvenZones: true}
	}
	for _, m := range Components(s) {
		if m == name && s.StrictSpread() {
			return Placement{EvenHosts: true, EvenZones: true}
		}
	}
	return Placement{}
}

// LBController is the dependency name of the AWS Load Balancer Controller.
const LBController = "aws-load-balancer-controller"
