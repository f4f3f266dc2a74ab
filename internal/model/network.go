package model

import "net"

// LBSourceRanges are the CIDRs the Milvus load balancer admits: the
// spec's sourceRanges, plus the VPC CIDR for an internal load balancer
// when none of them overlaps it. The AWS Load Balancer Controller (v3.5.0,
// buildCIDRsFromSourceRanges) puts only these ranges on the NLB's
// security group, so without the VPC CIDR the clients an internal load
// balancer exists for, those inside its VPC (pods going through it
// included), would be refused. A range that overlaps the VPC is a choice
// about which of them may connect, and is kept as written.
func (s *Spec) LBSourceRanges() []string {
	ranges := append([]string(nil), s.Milvus.Service.SourceRanges...)
	if s.Milvus.Service.Scheme != "internal" || s.Cluster.VPCCIDR == "" {
		return ranges
	}
	_, vpc, err := net.ParseCIDR(s.Cluster.VPCCIDR)
	if err != nil {
		return ranges
	}
	for _, r := range ranges {
		if _, n, err := net.ParseCIDR(r); err == nil && (n.Contains(vpc.IP) || vpc.Contains(n.IP)) {
			return ranges
		}
	}
	return append(ranges, s.Cluster.VPCCIDR)
}
