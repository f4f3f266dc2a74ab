package spec

import (
	"cmp"
	"net/netip"
	"slices"
)

// privateSpace is address space that is not the internet: private
// (RFC 1918), shared (RFC 6598, carrier-grade NAT and EKS's custom
// networking) and link-local (RFC 3927). The VPC CIDR is added per spec.
var privateSpace = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("169.254.0.0/16"),
}

// reach is what a load balancer's source ranges admit.
type reach struct {
	// public are the indexes of the ranges that reach outside private
	// space and the VPC.
	public []int
	// everywhere says the union of the ranges is all of IPv4, however it
	// is split (0.0.0.0/1 and 128.0.0.0/1 are 0.0.0.0/0).
	everywhere bool
}

// sourceReach computes what ranges (IPv4 CIDRs; others are skipped, the
// field rules report them) admit, given the VPC CIDR.
func sourceReach(ranges []string, vpcCIDR string) reach {
	private := slices.Clone(privateSpace)
	if vpc, err := netip.ParsePrefix(vpcCIDR); err == nil {
		private = append(private, vpc.Masked())
	}
	var r reach
	type span struct{ lo, hi uint64 }
	var spans []span
	for i, s := range ranges {
		p, err := netip.ParsePrefix(s)
		if err != nil || !p.Addr().Is4() {
			continue
		}
		p = p.Masked()
		if !slices.ContainsFunc(private, func(q netip.Prefix) bool { return within(p, q) }) {
			r.public = append(r.public, i)
		}
		a := p.Addr().As4()
		lo := uint64(a[0])<<24 | uint64(a[1])<<16 | uint64(a[2])<<8 | uint64(a[3])
		spans = append(spans, span{lo, lo + 1<<(32-p.Bits()) - 1})
	}
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.lo, b.lo) })
	next := uint64(0)
	for _, s := range spans {
		if s.lo > next {
			break
		}
		next = max(next, s.hi+1)
	}
	r.everywhere = len(spans) > 0 && next > 0xffffffff
	return r
}

// within reports whether p lies inside q.
func within(p, q netip.Prefix) bool {
	return q.Bits() <= p.Bits() && q.Contains(p.Addr())
}
