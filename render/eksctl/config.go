package eksctl

import (
	"bytes"
	"encoding/json"
	"fmt"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"

	"github.com/milvusgen/milvusgen/internal/model"
)

// Config is the ClusterConfig of s as eksctl's own type (before eksctl's
// defaulting): the object Render writes, decoded strictly. Code that
// reasons about what eksctl will do with the file (internal/zones) reads
// this, not the spec, so it cannot drift from the file. It goes through
// JSON rather than the file's YAML, which holds the same object, because
// sizing reads it for every workload.
func Config(s *model.Spec) (*api.ClusterConfig, error) {
	data, err := json.Marshal(object(s))
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	cfg := &api.ClusterConfig{}
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", File, err)
	}
	return cfg, nil
}
