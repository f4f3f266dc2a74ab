package zones_test

import (
	"slices"
	"testing"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/cost"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/simcluster"
	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/internal/zones"
	"github.com/milvusgen/milvusgen/render/eksctl"
)

func TestOf(t *testing.T) {
	meta := func(region string) *api.ClusterMeta { return &api.ClusterMeta{Name: "c", Region: region} }
	subnets := func(zs ...string) api.AZSubnetMapping {
		m := api.AZSubnetMapping{}
		for _, z := range zs {
			m[z] = api.AZSubnetSpec{ID: "subnet-" + z}
		}
		return m
	}
	existing := func(private, public api.AZSubnetMapping, groupsPrivate ...bool) *api.ClusterConfig {
		cfg := &api.ClusterConfig{Metadata: meta("us-east-1"), VPC: &api.ClusterVPC{Network: api.Network{ID: "vpc-1"}, Subnets: &api.ClusterSubnets{Private: private, Public: public}}}
		for _, p := range groupsPrivate {
			cfg.ManagedNodeGroups = append(cfg.ManagedNodeGroups, &api.ManagedNodeGroup{NodeGroupBase: &api.NodeGroupBase{PrivateNetworking: p}})
		}
		return cfg
	}
	for _, tc := range []struct {
		name string
		cfg  *api.ClusterConfig
		want []string
	}{
		{"eksctl picks three", &api.ClusterConfig{Metadata: meta("eu-west-1")}, []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}},
		{"eksctl picks two in us-east-1", &api.ClusterConfig{Metadata: meta("us-east-1")}, []string{"us-east-1a", "us-east-1b"}},
		{"named, in their order, each once", &api.ClusterConfig{Metadata: meta("us-east-1"), AvailabilityZones: []string{"us-east-1d", "us-east-1a", "us-east-1d", "us-east-1f"}},
			[]string{"us-east-1d", "us-east-1a", "us-east-1f"}},
		{"private node groups join the private subnets", existing(subnets("us-east-1b", "us-east-1a"), subnets("us-east-1a", "us-east-1b", "us-east-1c"), true),
			[]string{"us-east-1a", "us-east-1b"}},
		{"public node groups join the public subnets", existing(subnets("us-east-1a", "us-east-1b"), subnets("us-east-1a", "us-east-1b", "us-east-1c"), false),
			[]string{"us-east-1a", "us-east-1b", "us-east-1c"}},
		{"both kinds of group", existing(subnets("us-east-1a", "us-east-1b"), subnets("us-east-1c", "us-east-1d"), true, false),
			[]string{"us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"}},
		{"no node groups: the private subnets", existing(subnets("us-east-1a", "us-east-1b"), subnets("us-east-1c"), []bool{}...),
			[]string{"us-east-1a", "us-east-1b"}},
		{"a subnet's az wins over its key", existing(api.AZSubnetMapping{"nodes-1": {ID: "subnet-1", AZ: "us-east-1e"}, "us-east-1a": {ID: "subnet-2"}}, nil, true),
			[]string{"us-east-1a", "us-east-1e"}},
	} {
		if got := zones.Of(tc.cfg); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestCallersAgree: sizing (from the spec), the cost estimate and the
// simulated cluster (from the rendered ClusterConfig) count the same zones,
// each through zones.Of, for every way a spec sets them.
func TestCallersAgree(t *testing.T) {
	vpc := func(private, public map[string]string) func(*model.Spec) {
		return func(s *model.Spec) {
			s.Cluster.VPCCIDR = "10.20.0.0/16"
			s.Cluster.VPC = &model.ExistingVPC{ID: "vpc-0a1b2c3d4e5f60718", Subnets: model.ExistingSubnets{Private: private, Public: public}}
		}
	}
	two := map[string]string{"us-east-2a": "subnet-0aaaaaaaaaaaaaaa1", "us-east-2b": "subnet-0bbbbbbbbbbbbbbb2"}
	three := map[string]string{"us-east-2a": "subnet-0ccccccccccccccc3", "us-east-2b": "subnet-0ddddddddddddddd4", "us-east-2c": "subnet-0eeeeeeeeeeeeeee5"}
	for _, tc := range []struct {
		name string
		edit func(*model.Spec)
		want int
	}{
		{"eksctl's choice", func(*model.Spec) {}, 3},
		{"eksctl's choice in us-east-1", func(s *model.Spec) { s.AWS.Region = "us-east-1" }, 2},
		{"three named in us-east-1", func(s *model.Spec) {
			s.AWS.Region = "us-east-1"
			s.Cluster.Zones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}
		}, 3},
		{"four named", func(s *model.Spec) {
			s.Cluster.Zones = []string{"us-east-2a", "us-east-2b", "us-east-2c", "us-east-2d"}
		}, 4},
		{"existing VPC, two private subnets, three public", vpc(two, three), 2},
		{"existing VPC, three private subnets", vpc(three, nil), 3},
		{"existing VPC with the same zones named", func(s *model.Spec) {
			vpc(three, two)(s)
			s.Cluster.Zones = []string{"us-east-2c", "us-east-2b", "us-east-2a"}
		}, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := modeltest.Variant(tc.edit)
			w, err := sizing.NewWorkload(s)
			if err != nil {
				t.Fatal(err)
			}
			files, err := eksctl.Render(s)
			if err != nil {
				t.Fatal(err)
			}
			in, err := cost.FromTree(files)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := consumer.Eksctl(files[0].Data)
			if err != nil {
				t.Fatal(err)
			}
			nodes, err := simcluster.NodesFor(cfg)
			if err != nil || len(nodes) == 0 {
				t.Fatalf("nodes %v, %v", nodes, err)
			}
			if w.Zones != tc.want || in.Zones != tc.want || len(nodes[0].GroupZones) != tc.want {
				t.Errorf("sizing %d, cost %d, simulated cluster %d zones (%v); want %d", w.Zones, in.Zones, len(nodes[0].GroupZones), nodes[0].GroupZones, tc.want)
			}
			named, err := zones.OfSpec(s)
			if err != nil || !slices.Equal(named, nodes[0].GroupZones) {
				t.Errorf("OfSpec %v (%v), simulated cluster's zones %v", named, err, nodes[0].GroupZones)
			}
		})
	}
}
