package values

import "github.com/milvusgen/milvusgen/internal/model"

// LBController returns the values of the AWS Load Balancer Controller
// release. eksctl creates the controller's IRSA service account, so the
// chart only names it. region is set so the controller never depends on
// reaching IMDS from its pods.
func LBController(s *model.Spec) map[string]any {
	return map[string]any{
		"clusterName":  s.Cluster.Name,
		"region":       s.AWS.Region,
		"replicaCount": s.LoadBalancerController.Replicas,
		"serviceAccount": map[string]any{
			"create": false,
			"name":   s.LoadBalancerController.ServiceAccount,
		},
	}
}
