package spec

import (
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/sizing"
)

// checkAvailability checks what highAvailability and the in-memory
// replicas need beyond the fit:
//
//   - the load balancer controller runs at least two replicas: its pod
//     webhook gives the proxies their NLB readiness gate and, under
//     highAvailability, refuses proxies while no replica answers, so one
//     replica would stall every proxy rollout while it restarts;
//   - the query nodes are at least as many as the in-memory replicas:
//     Milvus places each replica on query nodes of its own, so a load
//     with more replicas than query nodes fails.
func checkAvailability(r *report, s *model.Spec, ok map[string]bool) {
	if ok["loadBalancerController"] && ok["milvus.highAvailability"] && s.Milvus.HighAvailability && s.LoadBalancerController.Replicas < 2 {
		r.errorf("loadBalancerController.replicas", "highAvailability needs at least 2 load balancer controller replicas: its webhook gives the Milvus proxies their load balancer readiness gate and refuses new proxies while no replica answers, so with one a restart of the controller stalls proxy rollouts; set replicas: 2 (or leave it unset), or highAvailability: false")
	}
	if !ok["milvus.queryNode"] || !ok["milvus.dataset"] || !ok["milvus.inMemoryReplicas"] || !ok["milvus.values"] || !ok["milvus.highAvailability"] {
		return
	}
	w, err := sizing.NewWorkload(s)
	if err != nil {
		return // the dataset's own check reports it
	}
	n, q := s.LoadReplicas(), w.Component(sizing.QueryNode).Replicas
	if q >= n {
		return
	}
	path := "milvus.inMemoryReplicas"
	if s.Milvus.Dataset != nil {
		path = "milvus.dataset.replicas"
	}
	r.errorf(path, "%d in-memory replicas need at least %d query nodes (Milvus keeps each replica on query nodes of its own), and the deployment runs %d; lower the replicas or set milvus.queryNode.replicas to at least %d", n, n, q, n)
}
