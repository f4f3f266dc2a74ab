package consumer

import (
	"bytes"
	"fmt"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"
	"sigs.k8s.io/yaml"
)

// Eksctl does to a rendered ClusterConfig what `eksctl create cluster -f`
// does before it calls AWS (pkg/eks/api.go ParseConfig,
// pkg/ctl/cmdutils/cmd.go InitializeClusterConfig,
// pkg/ctl/cmdutils/configfile.go), plus eksctl's JSON schema: strict
// decode into the v1alpha5 types, SetClusterConfigDefaults,
// ValidateClusterConfig, SetManagedNodeGroupDefaults and
// ValidateManagedNodeGroup for every managed node group, and Validate for
// every addon. It returns the defaulted config, or the first error,
// prefixed with the step that failed ("strict decode: ", "schema: ",
// "cluster validation: ", "nodegroup validation: ", …).
func Eksctl(data []byte) (*api.ClusterConfig, error) {
	cfg := &api.ClusterConfig{}
	if err := yaml.UnmarshalStrict(data, cfg); err != nil {
		return nil, fmt.Errorf("strict decode: %w", err)
	}
	if err := eksctlSchemaValidate(data); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if cfg.APIVersion != api.SchemeGroupVersion.String() || cfg.Kind != api.ClusterConfigKind {
		return nil, fmt.Errorf("type: got %s %s, want %s %s", cfg.APIVersion, cfg.Kind, api.SchemeGroupVersion, api.ClusterConfigKind)
	}
	api.SetClusterConfigDefaults(cfg)
	if err := api.ValidateClusterConfig(cfg); err != nil {
		return nil, fmt.Errorf("cluster validation: %w", err)
	}
	for i, ng := range cfg.ManagedNodeGroups {
		if err := api.SetManagedNodeGroupDefaults(ng, cfg.Metadata, false); err != nil {
			return nil, fmt.Errorf("nodegroup defaults: managedNodeGroups[%d] %s: %w", i, ng.Name, err)
		}
		if err := api.ValidateManagedNodeGroup(i, ng); err != nil {
			return nil, fmt.Errorf("nodegroup validation: %w", err)
		}
	}
	for _, a := range cfg.Addons {
		if err := a.Validate(); err != nil {
			return nil, fmt.Errorf("addon validation: %s: %w", a.Name, err)
		}
	}
	return cfg, nil
}

// eksctlSchema compiles eksctl's embedded draft-07 schema once per process.
var eksctlSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(api.SchemaJSON))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	const url = "https://eksctl.io/schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// eksctlSchemaValidate checks the YAML, as JSON, against eksctl's schema,
// in which every object forbids additional properties. Only the schema
// sees YAML types: sigs.k8s.io/yaml decodes an unquoted 1.30 into the
// string "1.3".
func eksctlSchemaValidate(data []byte) error {
	sch, err := eksctlSchema()
	if err != nil {
		return fmt.Errorf("compiling eksctl's schema failed: %w", err)
	}
	j, err := yaml.YAMLToJSON(data)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(j))
	if err != nil {
		return err
	}
	return sch.Validate(inst)
}
