package values

import "github.com/milvusgen/milvusgen/internal/model"

// LBController returns the values of the AWS Load Balancer Controller
// release. eksctl creates the controller's IRSA service account, so the
// chart only names it. region is set so the controller never depends on
// reaching IMDS from its pods. Under highAvailability the controller
// gets the availability of lbControllerAvailability.
func LBController(s *model.Spec) map[string]any {
	return merge(map[string]any{
		"clusterName":  s.Cluster.Name,
		"region":       s.AWS.Region,
		"replicaCount": s.LoadBalancerController.Replicas,
		"serviceAccount": map[string]any{
			"create": false,
			"name":   s.LoadBalancerController.ServiceAccount,
		},
	}, lbControllerAvailability(s))
}

// lbControllerAvailability keeps the controller's pod webhook, which
// injects the NLB readiness gate into the Milvus proxies, serving through
// drains, and makes it fail closed for those proxies:
//
//   - its replicas spread over nodes and zones, DoNotSchedule;
//   - a PodDisruptionBudget of maxUnavailable 1 (chart 3.5.0 renders it
//     only with more than one replica; highAvailability refuses one);
//   - the pod webhook's failurePolicy Fail, narrowed by objectSelector to
//     this release's Milvus proxies. The chart's default, Ignore, admits a
//     proxy created while no controller answers without its readiness
//     gate, and a rolling update then removes old proxies before the NLB
//     has a healthy new one. With Fail such a proxy is refused and the
//     ReplicaSet retries until a controller answers: a rollout waits
//     instead of cutting port 19530. The selector keeps every other pod,
//     etcd's among them, out of the webhook (the chart's objectSelector
//     applies to its two pod webhooks, mpod and quicid; milvusgen uses no
//     QUIC listener).
func lbControllerAvailability(s *model.Spec) map[string]any {
	if !s.Milvus.HighAvailability {
		return nil
	}
	selector := map[string]any{
		"app.kubernetes.io/name":     "aws-load-balancer-controller",
		"app.kubernetes.io/instance": model.LBControllerRelease,
	}
	return map[string]any{
		// Its replicas on different nodes and zones, so one zone's loss
		// leaves a replica answering the webhook (sizing.PlacementOf).
		"topologySpreadConstraints": []any{
			spreadOver(HostnameKey, true, selector),
			spreadOver(ZoneKey, true, selector),
		},
		"podDisruptionBudget":     map[string]any{"maxUnavailable": 1},
		"podMutatorWebhookConfig": map[string]any{"failurePolicy": "Fail"},
		"objectSelector":          map[string]any{"matchLabels": ProxyPodLabels(s)},
	}
}

// ProxyPodLabels are labels every Milvus proxy pod of chart 5.x carries
// (milvus.matchLabels and component) and no other pod does.
func ProxyPodLabels(s *model.Spec) map[string]any {
	return map[string]any{
		"app.kubernetes.io/name":     "milvus",
		"app.kubernetes.io/instance": s.Name,
		"component":                  "proxy",
	}
}
