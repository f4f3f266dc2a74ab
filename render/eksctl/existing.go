package eksctl

import (
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
)

// withExisting marks the ClusterConfig of an existing cluster, so that a
// diff of the tree alone knows the control plane is not milvusgen's to
// create or upgrade.
func withExisting(s *model.Spec, c *clusterConfig) *clusterConfig {
	if s.Cluster.Existing {
		c.Metadata.Annotations = map[string]string{manifest.ExistingClusterAnnotation: "true"}
	}
	return c
}
