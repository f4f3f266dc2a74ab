package spec

import (
	"fmt"
	"maps"
	"slices"

	"cuelang.org/go/cue"
)

// Bounds on the numbers of a spec. They keep every later step (sizing,
// rendering, diff) in small, overflow-free arithmetic: a replica count
// near the int64 limit once made validate grow by 300 MB/s. schema/spec.cue
// states the same bounds for `cue vet`.
const (
	// MaxReplicas bounds the replicas of one Milvus component: far above
	// any real cluster (EKS allows 450 nodes in a node group), far below
	// anything that can overflow.
	MaxReplicas = 1000
	// MaxControllerReplicas bounds the load balancer controller, which
	// runs one leader at a time.
	MaxControllerReplicas = 10
	// MaxVectors and MaxScalarBytesPerRow keep the sizing arithmetic
	// (vectors × bytes per row × replicas) far below 2⁶³.
	MaxVectors           = 100_000_000_000
	MaxScalarBytesPerRow = 65536
	MaxDatasetReplicas   = 100
)

// intRule is an inclusive range and what the field is, for the message.
type intRule struct {
	min, max int64
	why      string
}

var intRules = map[string]intRule{
	"milvus.mixCoordinator.replicas":       {1, MaxReplicas, "mixcoord runs the root, query, data and index coordinators"},
	"milvus.proxy.replicas":                {1, MaxReplicas, "the proxies serve every client request"},
	"milvus.queryNode.replicas":            {0, MaxReplicas, ""},
	"milvus.dataNode.replicas":             {0, MaxReplicas, ""},
	"milvus.streamingNode.replicas":        {0, MaxReplicas, ""},
	"milvus.service.port":                  {1, 65535, "a TCP port"},
	"loadBalancerController.replicas":      {1, MaxControllerReplicas, "one leader runs at a time; the others stand by"},
	"milvus.dataset.vectors":               {1, MaxVectors, ""},
	"milvus.dataset.dimension":             {2, 32768, "Milvus's limit"},
	"milvus.dataset.replicas":              {1, MaxDatasetReplicas, "in-memory replicas of each collection"},
	"milvus.inMemoryReplicas":              {1, MaxDatasetReplicas, "in-memory replicas of each collection"},
	"milvus.dataset.scalarBytesPerRow":     {0, MaxScalarBytesPerRow, ""},
	"cluster.nodeGroups.*.desiredCapacity": {0, maxNodesPerNodeGroup, "EKS allows at most 450 nodes in a managed node group"},
	"cluster.nodeGroups.*.minSize":         {0, maxNodesPerNodeGroup, "EKS allows at most 450 nodes in a managed node group"},
	"cluster.nodeGroups.*.maxSize":         {1, maxNodesPerNodeGroup, "EKS allows at most 450 nodes in a managed node group"},
	"cluster.nodeGroups.*.volumeSize":      {20, 16384, "GiB; EBS gp3 volumes hold 1 GiB to 16 TiB, eksctl's default is 80"},
}

// checkInts applies intRules to the numbers the user wrote, before the
// schema's bounds: one message per field, saying the range, and never a
// wrapped or truncated number.
func checkInts(r *report, user cue.Value) {
	for _, pattern := range slices.Sorted(maps.Keys(intRules)) {
		for _, path := range listPaths(user, pattern) {
			checkInt(r, user, path, intRules[pattern])
		}
	}
}

func checkInt(r *report, user cue.Value, path string, rule intRule) {
	if r.paths[path] {
		return
	}
	x := user.LookupPath(cue.MakePath(selectors(splitPath(path))...))
	if !x.Exists() {
		return
	}
	k := x.IncompleteKind()
	if k&cue.NumberKind == 0 || k&^cue.NumberKind != 0 {
		return // not a number: the schema's type error says so
	}
	why := ""
	if rule.why != "" {
		why = " (" + rule.why + ")"
	}
	if k != cue.IntKind {
		if _, err := x.Float64(); err == nil || k == cue.FloatKind {
			r.errorf(path, "must be a whole number from %d to %d%s; got %s", rule.min, rule.max, why, numberText(x))
		}
		return
	}
	n, err := x.Int64()
	if err != nil {
		if _, cerr := x.Int(nil); cerr != nil {
			return // not concrete: the schema reports it
		}
	}
	switch {
	case err == nil && n < rule.min:
		r.errorf(path, "must be at least %d%s; got %s", rule.min, because(rule.why), numberText(x))
	case err != nil || n > rule.max:
		r.errorf(path, "must be at most %d%s; got %s", rule.max, because(rule.why), numberText(x))
	}
}

func because(why string) string {
	if why == "" {
		return ""
	}
	return ": " + why
}

// numberText is a number as the user wrote it, shortened when huge.
func numberText(x cue.Value) string {
	return clip(fmt.Sprint(x), 40)
}
