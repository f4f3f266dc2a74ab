package spec

import (
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/sizing"
)

// checkSizing checks the deployment against its data and its nodes: Milvus
// components sized by hand against the dataset (sizing.Check), and every
// pod against the node groups' allocatable resources (sizing.Fit), with or
// without a dataset. When the spec is valid it writes the dataset's plan
// into the components the user did not size (sizing.Apply), so rendering
// sees the computed resources and replicas.
//
// It needs the cluster and milvus sections decoded (a cluster name and a
// namespace are always there when they are), and skips the fit when node
// groups or component resources already have errors: the fit would only
// repeat them less clearly.
func checkSizing(r *report, s *model.Spec) {
	if s.Cluster.Name == "" || s.Milvus.Namespace == "" || len(s.Cluster.NodeGroups) == 0 {
		return
	}
	for _, p := range sizing.Check(s) {
		report1(r, p)
	}
	if !hasErrorUnder(r, "cluster.nodeGroups", "milvus.mixCoordinator", "milvus.proxy", "milvus.queryNode", "milvus.dataNode", "milvus.streamingNode", "milvus.dataset") {
		for _, p := range sizing.Fit(s).Problems {
			report1(r, p)
		}
	}
	if r.errs == nil {
		if _, err := sizing.Apply(s); err != nil {
			r.errorf("milvus.dataset", "%v", err)
		}
	}
}

func report1(r *report, p sizing.Problem) {
	if p.Warning {
		r.warnf(p.Path, "%s", p.Message)
		return
	}
	r.errorf(p.Path, "%s", p.Message)
}

// hasErrorUnder reports whether an error was reported at or below one of
// the paths.
func hasErrorUnder(r *report, paths ...string) bool {
	for reported := range r.paths {
		for _, p := range paths {
			if reported == p || strings.HasPrefix(reported, p+".") {
				return true
			}
		}
	}
	return false
}
