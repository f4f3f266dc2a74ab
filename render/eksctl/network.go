package eksctl

import "github.com/milvusgen/milvusgen/internal/model"

// subnet is eksctl's AZSubnetSpec as milvusgen sets it: an existing
// subnet by ID (eksctl reads its CIDR and zone from EC2).
type subnet struct {
	ID string `json:"id"`
}

// clusterSubnets is eksctl's vpc.subnets, keyed by availability zone.
type clusterSubnets struct {
	Private map[string]subnet `json:"private,omitempty"`
	Public  map[string]subnet `json:"public,omitempty"`
}

// withExistingVPC points v at the spec's existing VPC, if any. eksctl then
// creates nothing in the network: no subnets, route tables or NAT gateway
// (it disables its NAT for an imported VPC). The CIDR stays, so eksctl
// checks it is one of the VPC's blocks before it creates anything.
func withExistingVPC(s *model.Spec, v vpc) vpc {
	e := s.Cluster.VPC
	if e == nil {
		return v
	}
	v.ID = e.ID
	v.SecurityGroup = e.SecurityGroup
	// eksctl creates no NAT gateway in a VPC it does not own.
	v.NAT = nil
	v.Subnets = &clusterSubnets{Private: subnetsByZone(e.Subnets.Private), Public: subnetsByZone(e.Subnets.Public)}
	return v
}

func subnetsByZone(m map[string]string) map[string]subnet {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]subnet, len(m))
	for zone, id := range m {
		out[zone] = subnet{ID: id}
	}
	return out
}

// availabilityZones is the ClusterConfig's availabilityZones: the spec's
// cluster.zones, for the VPC eksctl creates. eksctl makes a public and a
// private subnet in each, and the managed node groups (which name no zones
// of their own) span them all. In an existing VPC the zones are its
// subnets': eksctl refuses availabilityZones beside vpc.subnets
// (pkg/ctl/cmdutils/configfile.go), and the spec check has made sure the
// two agree.
func availabilityZones(s *model.Spec) []string {
	if s.Cluster.VPC != nil {
		return nil
	}
	return s.Cluster.Zones
}
