// Package zones holds the one rule for which availability zones a cluster
// spans, as eksctl v0.230.0 decides it from a ClusterConfig. sizing places
// pods over them, the simulated cluster lays its nodes out in them and the
// cost estimate counts NAT gateways by them, so the three cannot disagree.
//
// The rule is over eksctl's ClusterConfig, not over the spec: the cost
// estimate and the simulated cluster read a rendered tree, which has no
// spec behind it. OfSpec applies the rule to the ClusterConfig render/eksctl
// makes of a spec, so the spec side reads the same file eksctl does.
package zones

import (
	"slices"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/eksctl"
)

// Of is the zones eksctl puts the managed node groups of cfg in:
//
//   - availabilityZones, when the ClusterConfig names them (each once, in
//     their order). eksctl makes a public and a private subnet in each, and
//     a managed node group with no availabilityZones or subnets of its own
//     gets every one of them (pkg/cfn/builder AssignSubnets);
//   - with vpc.subnets (an existing VPC; eksctl refuses availabilityZones
//     beside them), the zones of the subnets the node groups join: private
//     ones for privateNetworking groups, public ones for the others
//     (sorted);
//   - else the zones eksctl picks at random when it creates the cluster
//     (pkg/az): RecommendedAvailabilityZones (3), but
//     MinRequiredAvailabilityZones (2) in us-east-1. Their names are only
//     known then; Of calls them <region>a, <region>b, … .
func Of(cfg *api.ClusterConfig) []string {
	var out []string
	for _, z := range cfg.AvailabilityZones {
		if !slices.Contains(out, z) {
			out = append(out, z)
		}
	}
	if len(out) > 0 {
		return out
	}
	if cfg.VPC != nil && cfg.HasAnySubnets() {
		return subnetZones(cfg)
	}
	n := api.RecommendedAvailabilityZones
	region := ""
	if cfg.Metadata != nil {
		region = cfg.Metadata.Region
	}
	if region == api.RegionUSEast1 {
		n = api.MinRequiredAvailabilityZones
	}
	for i := range n {
		out = append(out, region+string(rune('a'+i)))
	}
	return out
}

// subnetZones is the zones of the existing subnets the managed node groups
// join; with no node groups, of the private subnets, else the public ones.
func subnetZones(cfg *api.ClusterConfig) []string {
	var private, public bool
	for _, ng := range cfg.ManagedNodeGroups {
		if ng.PrivateNetworking {
			private = true
		} else {
			public = true
		}
	}
	if !private && !public {
		private = len(cfg.VPC.Subnets.Private) > 0
		public = !private
	}
	var out []string
	add := func(m api.AZSubnetMapping) {
		for key, s := range m {
			z := s.AZ
			if z == "" {
				z = key // eksctl's alias is the zone when no az is given
			}
			if !slices.Contains(out, z) {
				out = append(out, z)
			}
		}
	}
	if private {
		add(cfg.VPC.Subnets.Private)
	}
	if public {
		add(cfg.VPC.Subnets.Public)
	}
	slices.Sort(out)
	return out
}

// OfSpec is Of over the ClusterConfig render/eksctl makes of s.
func OfSpec(s *model.Spec) ([]string, error) {
	cfg, err := eksctl.Config(s)
	if err != nil {
		return nil, err
	}
	return Of(cfg), nil
}
