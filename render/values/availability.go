package values

import (
	"slices"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/internal/versions"
)

// chartComponents maps the spec's component names to the values block and
// the pod label `component` chart 5.x gives each Deployment
// (templates/*-deployment.yaml).
var chartComponents = []struct{ name, label string }{
	{sizing.MixCoordinator, "mixcoord"},
	{sizing.Proxy, "proxy"},
	{sizing.QueryNode, "querynode"},
	{sizing.DataNode, "datanode"},
	{sizing.StreamingNode, "streamingnode"},
	{sizing.IndexNode, "indexnode"},
	{"rootCoordinator", "rootcoord"},
	{"queryCoordinator", "querycoord"},
	{"dataCoordinator", "datacoord"},
	{"indexCoordinator", "indexcoord"},
}

// Topology keys of the well-known node labels the spread constraints use.
const (
	HostnameKey = "kubernetes.io/hostname"
	ZoneKey     = "topology.kubernetes.io/zone"
)

// availability is what highAvailability adds to the Milvus values, or nil
// without it:
//
//   - every component at least sizing.HAReplicas replicas where the spec
//     leaves the count unset (mixCoordinator's comes from mixCoordinator);
//   - each component's pods spread over nodes, DoNotSchedule when the node
//     groups always keep a node per replica and the fit check placed the
//     replicas one per node (sizing.Component.Spread), else ScheduleAnyway,
//     and over zones, ScheduleAnyway (the nodes may sit in fewer zones than
//     there are replicas);
//   - the etcd PodDisruptionBudget (the subchart's minAvailable 51%), which
//     the Milvus chart turns off, so a node drain cannot take etcd below
//     quorum.
//
// The replica counts and spreads are the fit check's (sizing.Fit), so the
// scheduler is asked for what the check counted and placed. Each Deployment gets its
// own constraints: the chart's global topologySpreadConstraints has one
// labelSelector for every component, which would count a proxy and a
// query node as the same pod.
func availability(s *model.Spec) map[string]any {
	if !s.Milvus.HighAvailability {
		return nil
	}
	w := sizing.Fit(s).Workload
	if w == nil {
		return nil // a dataset the schema let through but the plan refuses; validation reports it
	}
	v := map[string]any{}
	comps := sizing.Components(s)
	for _, c := range chartComponents {
		if !slices.Contains(comps, c.name) {
			continue
		}
		d := w.Component(c.name)
		block := map[string]any{"topologySpreadConstraints": spread(s, c.label, d.Spread)}
		if !sizing.IsCoordinator(c.name) {
			block["replicas"] = d.Replicas
		}
		v[c.name] = block
	}
	// etcd 6.3.3 (charts 4.2.x) writes its PDB as policy/v1beta1, which
	// Kubernetes 1.25 and later refuse: the chart would not install.
	if sizing.EtcdReplicas(s) > 1 && versions.Of(s).Etcd.PDBAPI == "policy/v1" {
		v["etcd"] = map[string]any{"pdb": map[string]any{"create": true}}
	}
	return v
}

// spread is a component's topology spread constraints: maxSkew 1 over
// hosts (DoNotSchedule when hard) and over zones (ScheduleAnyway). The
// selector is the release and the component label, which every pod of
// that Deployment carries whatever nameOverride says.
func spread(s *model.Spec, label string, hard bool) []any {
	selector := map[string]any{"matchLabels": map[string]any{
		"app.kubernetes.io/instance": s.Name,
		"component":                  label,
	}}
	host := "ScheduleAnyway"
	if hard {
		host = "DoNotSchedule"
	}
	constraint := func(key, when string) map[string]any {
		return map[string]any{
			"maxSkew":           1,
			"topologyKey":       key,
			"whenUnsatisfiable": when,
			"labelSelector":     clone(selector),
		}
	}
	return []any{constraint(HostnameKey, host), constraint(ZoneKey, "ScheduleAnyway")}
}
