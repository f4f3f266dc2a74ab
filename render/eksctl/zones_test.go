package eksctl

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"
	"github.com/weaveworks/eksctl/pkg/ctl/cmdutils"
	"github.com/weaveworks/eksctl/pkg/ctl/cmdutils/filter"
	"github.com/weaveworks/eksctl/pkg/eks"
	eksctlvpc "github.com/weaveworks/eksctl/pkg/vpc"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// createClusterLoad runs what `eksctl create cluster -f -` does with the
// file before it calls AWS: eksctl's own config loader for that command
// (pkg/ctl/cmdutils NewCreateClusterLoader: decode, defaults, validation,
// and the checks of the create command itself).
func createClusterLoad(t *testing.T, data []byte) (*api.ClusterConfig, error) {
	t.Helper()
	cmd := &cmdutils.Cmd{CobraCommand: &cobra.Command{}, ClusterConfigFile: "-", ClusterConfig: api.NewClusterConfig()}
	params := &cmdutils.CreateClusterCmdParams{ConfigReader: bytes.NewReader(data)}
	if err := cmdutils.NewCreateClusterLoader(cmd, filter.NewNodeGroupFilter(), api.NewNodeGroup(), params).Load(); err != nil {
		return nil, err
	}
	return cmd.ClusterConfig, nil
}

// TestNamedZones: cluster.zones becomes availabilityZones, which eksctl's
// decode, validation and create-cluster loader accept and keep. eksctl
// then takes them as given (eks.SetAvailabilityZones asks EC2 nothing when
// the file names zones) and makes a public and a private subnet in each
// (vpc.SetSubnets). The managed node groups name no zones of their own, so
// each gets the subnets of every zone (pkg/cfn/builder AssignSubnets).
func TestNamedZones(t *testing.T) {
	s := modeltest.Variant(func(s *model.Spec) {
		s.AWS.Region = "us-east-1"
		s.Cluster.Zones = []string{"us-east-1a", "us-east-1b", "us-east-1d"}
	})
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "named-zones", filepath.FromSlash(File)), files[0].Data)
	if _, err := consumer.Eksctl(files[0].Data); err != nil {
		t.Fatalf("eksctl rejects %s:\n%v\n%s", File, err, files[0].Data)
	}
	cfg, err := createClusterLoad(t, files[0].Data)
	if err != nil {
		t.Fatalf("eksctl create cluster refuses %s: %v", File, err)
	}
	if !slices.Equal(cfg.AvailabilityZones, s.Cluster.Zones) {
		t.Fatalf("eksctl reads availabilityZones %v, want %v", cfg.AvailabilityZones, s.Cluster.Zones)
	}
	userGiven, err := eks.SetAvailabilityZones(context.Background(), cfg, nil, nil, s.AWS.Region)
	if err != nil || !userGiven || !slices.Equal(cfg.AvailabilityZones, s.Cluster.Zones) {
		t.Fatalf("eksctl's zone choice: %v given=%v err=%v; want the named zones, as given", cfg.AvailabilityZones, userGiven, err)
	}
	if err := eksctlvpc.SetSubnets(cfg.VPC, cfg.AvailabilityZones, nil); err != nil {
		t.Fatal(err)
	}
	for kind, m := range map[string]api.AZSubnetMapping{"private": cfg.VPC.Subnets.Private, "public": cfg.VPC.Subnets.Public} {
		var got []string
		for _, sn := range m {
			got = append(got, sn.AZ)
		}
		slices.Sort(got)
		if !slices.Equal(got, s.Cluster.Zones) {
			t.Errorf("eksctl makes %s subnets in %v, want one in each of %v", kind, got, s.Cluster.Zones)
		}
	}
	for _, ng := range cfg.ManagedNodeGroups {
		if len(ng.AvailabilityZones) > 0 || len(ng.Subnets) > 0 {
			t.Errorf("node group %s names zones %v, subnets %v of its own; it should span the cluster's", ng.Name, ng.AvailabilityZones, ng.Subnets)
		}
	}
}

// TestZonesInExistingVPC: in an existing VPC the zones are the subnets'.
// eksctl's create-cluster loader refuses availabilityZones beside
// vpc.subnets (the control below), so cluster.zones, which the spec rules
// have checked against the subnets, is not written.
func TestZonesInExistingVPC(t *testing.T) {
	s := existingVPC()
	s.Cluster.Zones = []string{"us-east-2a", "us-east-2b", "us-east-2c"}
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := createClusterLoad(t, files[0].Data)
	if err != nil {
		t.Fatalf("eksctl create cluster refuses %s: %v", File, err)
	}
	if len(cfg.AvailabilityZones) > 0 {
		t.Errorf("availabilityZones %v written beside vpc.subnets", cfg.AvailabilityZones)
	}
	both := bytes.Replace(files[0].Data, []byte("vpc:\n"), []byte("availabilityZones:\n- us-east-2a\n- us-east-2b\n- us-east-2c\nvpc:\n"), 1)
	if bytes.Equal(both, files[0].Data) {
		t.Fatal("no vpc: line to put availabilityZones before")
	}
	if _, err := createClusterLoad(t, both); err == nil || !strings.Contains(err.Error(), "vpc.subnets and availabilityZones cannot be set at the same time") {
		t.Fatalf("eksctl accepts availabilityZones beside vpc.subnets: %v", err)
	}
}

// TestOneNamedZone is the control for the schema's minimum: eksctl's
// validation refuses fewer than MinRequiredAvailabilityZones.
func TestOneNamedZone(t *testing.T) {
	s := modeltest.Variant(func(s *model.Spec) { s.Cluster.Zones = []string{"us-east-2a"} })
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := consumer.Eksctl(files[0].Data); err == nil || !strings.Contains(err.Error(), "only 1 zone(s) specified") {
		t.Fatalf("eksctl accepts one zone: %v", err)
	}
}

// TestConfigIsTheFile: Config is what eksctl decodes from the file Render
// writes, for every golden case and the zone cases.
func TestConfigIsTheFile(t *testing.T) {
	specs := cases()
	specs["existing-vpc"] = existingVPC()
	specs["named-zones"] = modeltest.Variant(func(s *model.Spec) { s.Cluster.Zones = []string{"us-east-2a", "us-east-2b", "us-east-2c"} })
	specs["tags"] = modeltest.Variant(func(s *model.Spec) { s.AWS.Tags = map[string]string{"team": "vectors"} })
	specs["existing-cluster"] = existingVPC()
	specs["existing-cluster"].Cluster.Existing = true
	for name, s := range specs {
		files, err := Render(s)
		if err != nil {
			t.Fatal(err)
		}
		var fromFile api.ClusterConfig
		if err := yaml.UnmarshalStrict(files[0].Data, &fromFile); err != nil {
			t.Fatal(err)
		}
		cfg, err := Config(s)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(&fromFile, cfg); d != "" {
			t.Errorf("%s: Config differs from the file (-file +Config):\n%s", name, d)
		}
	}
}
