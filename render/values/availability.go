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
//   - each component's pods spread over nodes and zones, maxSkew 1:
//     DoNotSchedule with milvus.spread "required" (the default),
//     ScheduleAnyway with "preferred";
//   - the proxies roll one new pod at a time and remove an old one only
//     once the new one is Ready (maxSurge 1, maxUnavailable 0), which with
//     the namespace's readiness gate means healthy in the NLB;
//   - the quorum systems' members kept apart (quorum), and Pulsar's
//     proxies and autorecovery too (pulsarApart).
//
// Every pod template depends only on these choices, never on node or
// replica counts (sizing.PlacementOf), so resizing changes replica fields
// and restarts nothing. The fit check places the pods by the same rules.
// Each Deployment gets its own constraints: the chart's global
// topologySpreadConstraints has one labelSelector for every component,
// which would count a proxy and a query node as the same pod.
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
		p := sizing.PlacementOf(s, c.name)
		selector := map[string]any{
			"app.kubernetes.io/instance": s.Name,
			"component":                  c.label,
		}
		block := map[string]any{"topologySpreadConstraints": []any{
			spreadOver(HostnameKey, p.EvenHosts, selector),
			spreadOver(ZoneKey, p.EvenZones, selector),
		}}
		if !sizing.IsCoordinator(c.name) {
			block["replicas"] = w.Component(c.name).Replicas
		}
		v[c.name] = block
	}
	v["proxy"].(map[string]any)["strategy"] = map[string]any{
		"type":          "RollingUpdate",
		"rollingUpdate": map[string]any{"maxSurge": 1, "maxUnavailable": 0},
	}
	return merge(merge(v, quorum(s)), pulsarApart(s))
}

// spreadOver is one topology spread constraint of maxSkew 1 over key for
// the pods selector picks: DoNotSchedule when strict, else ScheduleAnyway.
// Nodes with a taint the pod does not tolerate are left out of the count
// (nodeTaintsPolicy: Honor): a node that died or is being drained is
// tainted, and counting it as a node with no pods would keep its pods'
// replacements Pending.
func spreadOver(key string, strict bool, selector map[string]any) map[string]any {
	when := "ScheduleAnyway"
	if strict {
		when = "DoNotSchedule"
	}
	return map[string]any{
		"maxSkew":           1,
		"topologyKey":       key,
		"whenUnsatisfiable": when,
		"nodeTaintsPolicy":  "Honor",
		"labelSelector":     map[string]any{"matchLabels": clone(selector)},
	}
}

// quorum keeps the members of etcd and of the chosen message queue apart
// under highAvailability (sizing.PlacementOf), with a PodDisruptionBudget
// each so a drain takes one member at a time:
//
//   - etcd (bitnami etcd 8.12.0): podAntiAffinityPreset hard (required
//     anti-affinity on the hostname), a zone spread DoNotSchedule, and the
//     chart's PDB (minAvailable 51%: 2 of 3), which the Milvus chart turns
//     off;
//   - Kafka brokers and their ZooKeeper (bitnami kafka 15.5.1 and
//     zookeeper): the same keys, PDB maxUnavailable 1;
//   - Pulsar's ZooKeeper, BookKeeper and brokers (pulsar 3.3.0): required
//     anti-affinity on the hostname and the chart's PDB (maxUnavailable
//     1). That chart has no topologySpreadConstraints key, so their zones
//     are left to the scheduler.
//
// The selectors are each chart's own pod labels (common.labels.matchLabels).
func quorum(s *model.Spec) map[string]any {
	bitnami := func(name, component string) map[string]any {
		selector := map[string]any{"app.kubernetes.io/name": name, "app.kubernetes.io/instance": s.Name}
		if component != "" {
			selector["app.kubernetes.io/component"] = component
		}
		return map[string]any{
			"podAntiAffinityPreset":     "hard",
			"topologySpreadConstraints": []any{spreadOver(ZoneKey, true, selector)},
			"pdb":                       map[string]any{"create": true},
		}
	}
	v := map[string]any{}
	if sizing.EtcdReplicas(s) > 1 {
		v["etcd"] = bitnami("etcd", "")
		// etcd 6.3.3 (charts 4.2.x) writes its PDB as policy/v1beta1,
		// which Kubernetes 1.25 and later refuse: the chart would not
		// install.
		if versions.Of(s).Etcd.PDBAPI != "policy/v1" {
			delete(v["etcd"].(map[string]any), "pdb")
		}
	}
	switch s.Milvus.MessageQueue {
	case model.Kafka:
		k := bitnami("kafka", "kafka")
		k["zookeeper"] = bitnami("zookeeper", "zookeeper")
		v["kafka"] = k
	case model.Pulsar:
		apart := func() map[string]any {
			return map[string]any{
				"affinity": map[string]any{"anti_affinity": true, "type": "requiredDuringSchedulingIgnoredDuringExecution"},
				"pdb":      map[string]any{"usePolicy": true},
			}
		}
		v["pulsarv3"] = map[string]any{"zookeeper": apart(), "bookkeeper": apart(), "broker": apart()}
	}
	return v
}

// pulsarApart keeps Pulsar's replicated components that are not quorum
// members on separate nodes too under highAvailability
// (sizing.PlacementOf), with the chart's required anti-affinity, which the
// Milvus chart's values turn off:
//
//   - the proxies, Milvus's way into Pulsar (the Milvus chart's config
//     points pulsar.address at <release>-pulsarv3-proxy), with the chart's
//     PDB (maxUnavailable 1);
//   - autorecovery, which copies the entries of a lost bookie back to a
//     second bookie: sizing.PulsarRecoveryReplicas (2) instead of the
//     Milvus chart's 1, so losing the node of one does not stop it when a
//     bookie went with that node. The instances elect one auditor through
//     ZooKeeper and all replicate. The chart has no PDB for it.
func pulsarApart(s *model.Spec) map[string]any {
	if s.Milvus.MessageQueue != model.Pulsar {
		return nil
	}
	apart := map[string]any{"anti_affinity": true, "type": "requiredDuringSchedulingIgnoredDuringExecution"}
	return map[string]any{"pulsarv3": map[string]any{
		"proxy": map[string]any{"affinity": apart, "pdb": map[string]any{"usePolicy": true}},
		"autorecovery": map[string]any{
			"affinity":     clone(apart),
			"replicaCount": sizing.PulsarRecoveryReplicas(s),
		},
	}}
}

// LoadReplicasKey is the milvus.yaml key of the in-memory replica count a
// collection is loaded with when the load names none. verify reads it
// back from the rendered user.yaml.
const LoadReplicasKey = "queryCoord.clusterLevelLoadReplicaNumber"

// loadReplicas is the user.yaml block setting LoadReplicasKey to the spec's
// in-memory replicas (model.Spec.LoadReplicas: dataset.replicas or
// milvus.inMemoryReplicas, 2 under highAvailability). Each replica is a
// full copy of the collection on query nodes of its own, so a query
// node's loss leaves another replica serving every segment while the lost
// ones reload elsewhere. The chart writes the key only with
// replicaResourceGroups, which milvusgen does not use; user.yaml is merged
// over its config.
func loadReplicas(s *model.Spec) map[string]any {
	return map[string]any{"queryCoord": map[string]any{"clusterLevelLoadReplicaNumber": s.LoadReplicas()}}
}
