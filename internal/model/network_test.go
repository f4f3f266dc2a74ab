package model

import (
	"slices"
	"testing"
)

func TestLBSourceRanges(t *testing.T) {
	for _, tc := range []struct {
		name, scheme string
		ranges       []string
		want         []string
	}{
		// The example's corporate range and eksctl's default VPC: clients
		// inside the VPC must still reach an internal load balancer.
		{"internal, outside the VPC", "internal", []string{"10.0.0.0/8"}, []string{"10.0.0.0/8", "192.168.0.0/16"}},
		{"internal, the VPC", "internal", []string{"192.168.0.0/16"}, []string{"192.168.0.0/16"}},
		{"internal, a subnet of the VPC", "internal", []string{"192.168.8.0/24"}, []string{"192.168.8.0/24"}},
		{"internal, a supernet of the VPC", "internal", []string{"192.168.0.0/15"}, []string{"192.168.0.0/15"}},
		{"internet-facing", "internet-facing", []string{"203.0.113.0/24"}, []string{"203.0.113.0/24"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Spec{}
			s.Cluster.VPCCIDR = "192.168.0.0/16"
			s.Milvus.Service.Scheme = tc.scheme
			s.Milvus.Service.SourceRanges = tc.ranges
			if got := s.LBSourceRanges(); !slices.Equal(got, tc.want) {
				t.Errorf("LBSourceRanges = %v, want %v", got, tc.want)
			}
		})
	}
}
