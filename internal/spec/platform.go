package spec

import (
	"fmt"
	"slices"
	"strings"

	"github.com/milvusgen/milvusgen/internal/model"
)

// minSubnetZones is eksctl's MinRequiredSubnets: EKS needs subnets in at
// least two availability zones, for each kind of subnet given.
const minSubnetZones = 2

// checkNetwork checks an existing VPC (cluster.vpc) against the rest of the
// spec: its CIDR given, its zones in the region, enough of them, and the
// kinds of subnet the node groups and the load balancer need.
func checkNetwork(r *report, s *model.Spec) {
	v := s.Cluster.VPC
	if v == nil {
		return
	}
	if !r.set("cluster.vpcCIDR") {
		r.errorf("cluster.vpc", "an existing VPC needs its CIDR in cluster.vpcCIDR (the default, %s, is the VPC eksctl would create); eksctl checks it is one of the VPC's blocks, and an internal load balancer's default source range is this CIDR", s.Cluster.VPCCIDR)
	}
	seen := map[string]string{}
	for _, kind := range []string{"private", "public"} {
		m := v.Subnets.Private
		if kind == "public" {
			m = v.Subnets.Public
		}
		zones := make([]string, 0, len(m))
		for z := range m {
			zones = append(zones, z)
		}
		slices.Sort(zones)
		for _, z := range zones {
			at := "cluster.vpc.subnets." + kind + "." + z
			if rest, ok := strings.CutPrefix(z, s.AWS.Region); !ok || len(rest) != 1 {
				r.errorf(at, "zone %s is not in the cluster's region %s; name the region's zones (%sa, %sb, …)", z, s.AWS.Region, s.AWS.Region, s.AWS.Region)
			}
			if prev, dup := seen[m[z]]; dup {
				r.errorf(at, "subnet %s is also given as %s; each zone and kind takes its own subnet", m[z], prev)
			}
			seen[m[z]] = kind + "." + z
		}
		if n := len(zones); n > 0 && n < minSubnetZones {
			r.errorf("cluster.vpc.subnets."+kind, "EKS needs %s subnets in at least %d availability zones; got %d (%s)", kind, minSubnetZones, n, strings.Join(zones, ", "))
		}
	}
	if len(v.Subnets.Private) == 0 && len(v.Subnets.Public) == 0 {
		r.errorf("cluster.vpc.subnets", "name the VPC's subnets per zone: subnets: {private: {%sa: \"subnet-…\", %sb: \"subnet-…\"}}", s.AWS.Region, s.AWS.Region)
		return
	}
	for i, ng := range s.Cluster.NodeGroups {
		switch {
		case ng.PrivateNetworking && len(v.Subnets.Private) == 0:
			r.errorf(fmt.Sprintf("cluster.nodeGroups.%d.privateNetworking", i), "node group %s runs on private subnets, but cluster.vpc.subnets.private is empty; add the VPC's private subnets or set privateNetworking: false", ng.Name)
		case !ng.PrivateNetworking && len(v.Subnets.Public) == 0:
			r.errorf(fmt.Sprintf("cluster.nodeGroups.%d.privateNetworking", i), "node group %s runs on public subnets, but cluster.vpc.subnets.public is empty; add the VPC's public subnets or set privateNetworking: true", ng.Name)
		}
	}
	// The load balancer controller places an internal NLB in private
	// subnets and an internet-facing one in public subnets.
	switch scheme := s.Milvus.Service.Scheme; {
	case scheme == "internet-facing" && len(v.Subnets.Public) == 0:
		r.errorf("milvus.service.scheme", "an internet-facing load balancer needs public subnets; add cluster.vpc.subnets.public or use scheme: internal")
	case scheme != "internet-facing" && len(v.Subnets.Private) == 0:
		r.errorf("milvus.service.scheme", "an internal load balancer needs private subnets; add cluster.vpc.subnets.private")
	}
}
