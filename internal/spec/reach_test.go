package spec

import (
	"strings"
	"testing"
)

// TestPublicReach: a range reaching outside private, shared and link-local
// space and the VPC makes an internet-facing Milvus public: it needs
// allowPublic, and with authentication off it is refused outright, however
// the ranges are split (issue 17 item 3).
func TestPublicReach(t *testing.T) {
	svc := func(ranges string, extra string) string {
		return base + "milvus: {" + extra + "service: {scheme: internet-facing, " + strings.TrimPrefix(ranges, ", ") + "}}\n"
	}
	cases := []struct {
		name, text, want string
	}{
		{"halves of the internet", svc("sourceRanges: [0.0.0.0/1, 128.0.0.0/1]", ""), "milvus.service.sourceRanges.0: 0.0.0.0/1 reaches addresses outside private"},
		{"halves reach everywhere", svc("sourceRanges: [0.0.0.0/1, 128.0.0.0/1]", ""), "the ranges together reach the whole internet"},
		{"halves with auth off", svc("sourceRanges: [0.0.0.0/1, 128.0.0.0/1]", "auth: {enabled: false}, "), "milvus.auth.enabled: Milvus would be reachable from the whole internet"},
		{"halves with auth off and allowPublic", svc("allowPublic: true, sourceRanges: [0.0.0.0/1, 128.0.0.0/1]", "auth: {enabled: false}, "), "milvus.auth.enabled: Milvus would be reachable from the whole internet"},
		{"one client range", svc("sourceRanges: [10.0.0.0/8, 203.0.113.7/32]", ""), "milvus.service.sourceRanges.1: 203.0.113.7/32 reaches addresses outside private"},
		{"one client range auth off allowPublic", svc("allowPublic: true, sourceRanges: [203.0.113.7/32]", "auth: {enabled: false}, "), "Milvus would be reachable from public addresses"},
		{"wider than 10/8", svc("sourceRanges: [10.0.0.0/7]", ""), "10.0.0.0/7 reaches addresses outside private"},
		{"wider than the VPC", svc("sourceRanges: [192.0.0.0/8]", ""), "192.0.0.0/8 reaches addresses outside private"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, "spec.yaml", tc.text)
			if err == nil || !strings.Contains(details(err), tc.want) {
				t.Errorf("got %v, want an error containing %q", details(err), tc.want)
			}
		})
	}
	for _, ranges := range []string{
		"[10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16]",
		"[100.64.0.0/10]",
		"[169.254.0.0/16]",
		"[10.1.2.3/32]",
	} {
		if _, err := load(t, "spec.yaml", svc("sourceRanges: "+ranges, "auth: {enabled: false}, ")); err != nil {
			t.Errorf("%s: private ranges refused: %s", ranges, details(err))
		}
	}
	// The VPC CIDR counts as private, whatever space it is in.
	text := strings.Replace(base, "  name: milvus-eks-cluster\n", "  name: milvus-eks-cluster\n  vpcCIDR: 198.18.0.0/16\n", 1) +
		"milvus: {service: {scheme: internet-facing, sourceRanges: [198.18.4.0/24]}}\n"
	if _, err := load(t, "spec.yaml", text); err != nil {
		t.Errorf("a range inside the VPC CIDR refused: %s", details(err))
	}
}

func TestSourceReachUnion(t *testing.T) {
	for _, tc := range []struct {
		ranges     []string
		everywhere bool
		public     int
	}{
		{[]string{"0.0.0.0/0"}, true, 1},
		{[]string{"128.0.0.0/1", "0.0.0.0/1"}, true, 2},
		{[]string{"0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"}, true, 4},
		{[]string{"0.0.0.0/2", "128.0.0.0/2", "192.0.0.0/2"}, false, 3},
		{[]string{"10.0.0.0/8"}, false, 0},
	} {
		r := sourceReach(tc.ranges, "192.168.0.0/16")
		if r.everywhere != tc.everywhere || len(r.public) != tc.public {
			t.Errorf("%v: everywhere %v, %d public; want %v, %d", tc.ranges, r.everywhere, len(r.public), tc.everywhere, tc.public)
		}
	}
}
