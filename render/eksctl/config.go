package eksctl

import (
	"fmt"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/model"
)

// Config is the ClusterConfig of s as eksctl's own type, decoded strictly
// from the bytes Render writes (before eksctl's defaulting). Code that
// reasons about what eksctl will do with the file (internal/zones) reads
// this, not the spec, so it cannot drift from the file.
func Config(s *model.Spec) (*api.ClusterConfig, error) {
	files, err := Render(s)
	if err != nil {
		return nil, err
	}
	cfg := &api.ClusterConfig{}
	if err := yaml.UnmarshalStrict(files[0].Data, cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", File, err)
	}
	return cfg, nil
}
