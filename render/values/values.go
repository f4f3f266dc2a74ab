// Package values builds the Helm values of the two releases milvusgen
// renders, the Milvus chart and the AWS Load Balancer Controller chart, from
// the model. The Flux HelmReleases carry them, and tests render the real
// charts with them through the Helm SDK.
package values

import "github.com/milvusgen/milvusgen/internal/model"

// Milvus returns the values of the Milvus release (chart 5.x): cluster
// mode, external S3 over IRSA, mixCoordinator HA, the message queue, the
// NLB service; spec.milvus.values merged last.
func Milvus(s *model.Spec) map[string]any {
	// TODO: implemented by the values owner.
	return map[string]any{}
}

// LBController returns the values of the AWS Load Balancer Controller release.
func LBController(s *model.Spec) map[string]any {
	return map[string]any{}
}
