package cost

import (
	"fmt"
	"strconv"
	"strings"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"
	"k8s.io/apimachinery/pkg/api/resource"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/zones"
)

// Inputs are the priced resources a rendered tree creates.
type Inputs struct {
	Cluster, Region   string
	KubernetesVersion string
	NodeGroups        []NodeGroup
	// NAT is eksctl's NAT mode (Single, HighlyAvailable, Disable) and
	// NATGateways how many gateways it creates: one, one per zone, or none
	// (also none in an existing VPC, where eksctl creates no network).
	NAT         string
	NATGateways int
	// Zones is how many availability zones the node groups span
	// (internal/zones).
	Zones int
	// LoadBalancers counts the NLBs the tree's Services ask for.
	LoadBalancers int
	// Volumes are the EBS volumes of stateful components (root volumes of
	// nodes are in NodeGroups).
	Volumes []Volume
	// S3Bytes is the estimated data in S3; 0 when the spec gives no dataset.
	S3Bytes int64
}

// NodeGroup is one node group as priced: desiredCapacity nodes.
type NodeGroup struct {
	Name, InstanceType string
	Nodes              int
	VolumeGiB          int
}

// Volume is a stateful component's claims: Count volumes of GiB each.
type Volume struct {
	Component string
	Count     int
	GiB       float64
}

// FromTree reads the priced resources of a rendered tree: the eksctl
// ClusterConfig and the Milvus release's values. Hydrated files are ignored;
// volume sizes follow the chart defaults in volumes.go, which a test checks
// against the real chart.
func FromTree(files []manifest.File) (Inputs, error) {
	var in Inputs
	var cfgData []byte
	for _, f := range files {
		if f.Path == manifest.EksctlFile {
			cfgData = f.Data
		}
	}
	if cfgData == nil {
		return in, fmt.Errorf("the tree has no %s", manifest.EksctlFile)
	}
	var cfg api.ClusterConfig
	if err := yaml.Unmarshal(cfgData, &cfg); err != nil {
		return in, fmt.Errorf("%s: %w", manifest.EksctlFile, err)
	}
	if cfg.Metadata == nil {
		return in, fmt.Errorf("%s: no metadata", manifest.EksctlFile)
	}
	in.Cluster, in.Region, in.KubernetesVersion = cfg.Metadata.Name, cfg.Metadata.Region, cfg.Metadata.Version
	for _, ng := range cfg.AllNodeGroups() {
		g := NodeGroup{Name: ng.Name, InstanceType: ng.InstanceType, Nodes: api.DefaultNodeCount, VolumeGiB: api.DefaultNodeVolumeSize}
		if ng.ScalingConfig != nil && ng.DesiredCapacity != nil {
			g.Nodes = *ng.DesiredCapacity
		}
		if ng.VolumeSize != nil {
			g.VolumeGiB = *ng.VolumeSize
		}
		in.NodeGroups = append(in.NodeGroups, g)
	}
	in.Zones = len(zones.Of(&cfg))
	in.NAT = api.ClusterNATDefault
	if cfg.VPC != nil && cfg.VPC.NAT != nil && cfg.VPC.NAT.Gateway != nil {
		in.NAT = *cfg.VPC.NAT.Gateway
	}
	switch {
	case cfg.VPC != nil && cfg.VPC.ID != "":
		in.NATGateways = 0 // an existing VPC: eksctl creates no gateways
	case in.NAT == api.ClusterHighlyAvailableNAT:
		in.NATGateways = in.Zones
	case in.NAT == api.ClusterDisableNAT:
		in.NATGateways = 0
	default:
		in.NATGateways = 1
	}

	rels, err := hydrate.Releases(files)
	if err != nil {
		return in, err
	}
	for _, r := range rels {
		input, err := r.Input()
		if err != nil || input.Chart.Name != manifest.MilvusChart {
			continue
		}
		if s, _ := lookup(input.Values, "service.type").(string); s == "LoadBalancer" {
			in.LoadBalancers++
		}
		vols, err := volumes(input.Chart.Version, input.Values)
		if err != nil {
			return in, fmt.Errorf("%s: %w", input.Origin, err)
		}
		in.Volumes = append(in.Volumes, vols...)
		if s := annotations(r)[manifest.S3EstimateAnnotation]; s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n < 0 {
				return in, fmt.Errorf("%s: annotation %s is %q, want a number of bytes", input.Origin, manifest.S3EstimateAnnotation, s)
			}
			in.S3Bytes += n
		}
	}
	return in, nil
}

// lookup returns the value at a dotted path of nested maps, or nil.
func lookup(m map[string]any, path string) any {
	var v any = m
	for _, k := range strings.Split(path, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// gib parses a Kubernetes quantity as GiB.
func gib(q string) (float64, error) {
	v, err := resource.ParseQuantity(q)
	if err != nil {
		return 0, fmt.Errorf("volume size %q: %w", q, err)
	}
	return float64(v.Value()) / (1 << 30), nil
}

// annotations are the release object's own: the Application's for Argo CD,
// else the HelmRelease's.
func annotations(r hydrate.Release) map[string]string {
	if r.Application != nil {
		return r.Application.Annotations
	}
	return r.HelmRelease.Annotations
}
