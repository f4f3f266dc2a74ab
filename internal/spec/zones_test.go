package spec

import (
	"slices"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/zones"
)

// inRegion is the base spec moved to region, with cluster lines added.
func inRegion(region, cluster, extra string) string {
	s := strings.Replace(base, "us-east-2", region, 1)
	return strings.Replace(s, "  name: milvus-eks-cluster\n", "  name: milvus-eks-cluster\n"+cluster, 1) + extra
}

func TestZones(t *testing.T) {
	const noHA = "milvus: {highAvailability: false}\n"
	three := "  zones: [us-east-1a, us-east-1b, us-east-1d]\n"
	vpc := func(private string) string {
		return "  vpcCIDR: 10.20.0.0/16\n  vpc: {id: vpc-0a1b2c3d4e5f60718, subnets: {private: " + private + "}}\n"
	}
	const (
		private2 = `{us-east-1a: subnet-0aaaaaaaaaaaaaaa1, us-east-1b: subnet-0bbbbbbbbbbbbbbb2}`
		private3 = `{us-east-1a: subnet-0aaaaaaaaaaaaaaa1, us-east-1b: subnet-0bbbbbbbbbbbbbbb2, us-east-1c: subnet-0ccccccccccccccc3}`
	)
	for _, tc := range []struct {
		name, text string
		want       []string // zones.OfSpec of the loaded spec
	}{
		{"us-east-2 without zones", base, []string{"us-east-2a", "us-east-2b", "us-east-2c"}},
		{"us-east-1 without zones, no HA", inRegion("us-east-1", "", noHA), []string{"us-east-1a", "us-east-1b"}},
		{"three named", inRegion("us-east-1", three, ""), []string{"us-east-1a", "us-east-1b", "us-east-1d"}},
		{"two named, no HA", inRegion("us-east-1", "  zones: [us-east-1c, us-east-1a]\n", noHA), []string{"us-east-1c", "us-east-1a"}},
		{"existing VPC, three subnets", inRegion("us-east-1", vpc(private3), ""), []string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"existing VPC, zones agree", inRegion("us-east-1", vpc(private3)+"  zones: [us-east-1c, us-east-1b, us-east-1a]\n", ""), []string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"existing VPC, two subnets, no HA", inRegion("us-east-1", vpc(private2), noHA), []string{"us-east-1a", "us-east-1b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := load(t, "spec.yaml", tc.text)
			if err != nil {
				t.Fatalf("refused: %s", details(err))
			}
			got, err := zones.OfSpec(res.Spec)
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("zones %v (%v), want %v", got, err, tc.want)
			}
		})
	}

	for _, tc := range []struct{ name, text, want, pos string }{
		{"HA in us-east-1 without zones", inRegion("us-east-1", "", ""),
			"cluster.zones: highAvailability needs the node groups in at least 3 availability zones: etcd's three members (and Kafka's or ZooKeeper's) over 2 zones keep two in one zone, and that zone's loss takes the quorum with it; eksctl picks 2 zones in us-east-1 when the ClusterConfig names none: name three zones in cluster.zones, e.g. [us-east-1a, us-east-1b, us-east-1c]",
			"spec.yaml:6:3"}, // cluster.zones is not written: its parent's position
		{"HA on two named zones", inRegion("us-east-2", "  zones: [us-east-2a, us-east-2b]\n", ""),
			"cluster.zones: highAvailability needs the node groups in at least 3 availability zones: etcd's three members (and Kafka's or ZooKeeper's) over 2 zones keep two in one zone, and that zone's loss takes the quorum with it; name three zones in cluster.zones, e.g. [us-east-2a, us-east-2b, us-east-2c], or set milvus.highAvailability: false",
			"spec.yaml:7:10"},
		{"HA on an existing VPC of two private subnets", inRegion("us-east-1", vpc(private2), ""),
			"cluster.vpc.subnets.private: highAvailability needs the node groups in at least 3 availability zones: etcd's three members (and Kafka's or ZooKeeper's) over 2 zones keep two in one zone, and that zone's loss takes the quorum with it; the node groups' subnets are in us-east-1a, us-east-1b: add a subnet in a third zone to cluster.vpc.subnets.private, or set milvus.highAvailability: false",
			"spec.yaml:8:55"},
		{"HA on public node groups in two public subnets", inRegion("us-east-1", "  vpcCIDR: 10.20.0.0/16\n  vpc: {id: vpc-0a1b2c3d4e5f60718, subnets: {private: "+private3+", public: {us-east-1a: subnet-0ddddddddddddddd4, us-east-1b: subnet-0eeeeeeeeeeeeeee5}}}\n  nodeGroups: [{privateNetworking: false}]\n", ""),
			"cluster.vpc.subnets.public: highAvailability needs the node groups in at least 3 availability zones", "spec.yaml:8:"},
		{"one zone", inRegion("us-east-2", "  zones: [us-east-2a]\n", noHA),
			"cluster.zones: name at least 2 zones (eksctl's minimum), and 3 for highAvailability; got 1", "spec.yaml:7:10"},
		{"no zone", inRegion("us-east-2", "  zones: []\n", noHA),
			"cluster.zones: name at least 2 zones (eksctl's minimum), and 3 for highAvailability; got 0", "spec.yaml:7:10"},
		{"not a list", inRegion("us-east-2", "  zones: us-east-2a\n", noHA), "cluster.zones: must be a list", "spec.yaml:7:10"},
		{"zone of another region", inRegion("us-east-2", "  zones: [us-east-2a, us-west-2b, us-east-2c]\n", ""),
			"cluster.zones.1: zone us-west-2b is not in the cluster's region us-east-2; name the region's zones (us-east-2a, us-east-2b, …)", "spec.yaml:7:23"},
		{"a Local Zone", inRegion("us-east-1", "  zones: [us-east-1a, us-east-1-bos-1a, us-east-1c]\n", ""),
			`cluster.zones.1: must be an availability zone such as "us-east-1a" (the region and a letter; managed node groups cannot run in Local or Wavelength Zones); got "us-east-1-bos-1a"`, "spec.yaml:7:23"},
		{"zone named twice", inRegion("us-east-2", "  zones: [us-east-2a, us-east-2b, us-east-2a]\n", ""),
			"cluster.zones: zone us-east-2a is named twice (items 0 and 2); name each zone once", "spec.yaml:7:10"},
		{"existing VPC, zones disagree", inRegion("us-east-1", vpc(private3)+"  zones: [us-east-1a, us-east-1b, us-east-1d]\n", ""),
			"cluster.zones: in an existing VPC the cluster's zones are those of its subnets the node groups join (us-east-1a, us-east-1b, us-east-1c), and cluster.zones names us-east-1a, us-east-1b, us-east-1d; name the same zones, or leave cluster.zones out",
			"spec.yaml:9:10"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, "spec.yaml", tc.text)
			if err == nil {
				t.Fatalf("accepted, want %q", tc.want)
			}
			d := details(err)
			if !strings.Contains(d, tc.want) || !strings.Contains(d, tc.pos) {
				t.Errorf("got\n%s\nwant %q at %s", d, tc.want, tc.pos)
			}
		})
	}
}
