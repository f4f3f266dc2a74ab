package eksctl

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// existingVPC is the runbook in a VPC the platform team made: three zones
// of private subnets for the nodes and the internal NLB, two public ones.
func existingVPC() *model.Spec {
	return modeltest.Variant(func(s *model.Spec) {
		s.Cluster.VPCCIDR = "10.20.0.0/16"
		s.Cluster.VPC = &model.ExistingVPC{
			ID: "vpc-0a1b2c3d4e5f60718", SecurityGroup: "sg-0123456789abcdef0",
			Subnets: model.ExistingSubnets{
				Private: map[string]string{
					"us-east-2a": "subnet-0aaaaaaaaaaaaaaa1",
					"us-east-2b": "subnet-0bbbbbbbbbbbbbbb2",
					"us-east-2c": "subnet-0ccccccccccccccc3",
				},
				Public: map[string]string{
					"us-east-2a": "subnet-0ddddddddddddddd4",
					"us-east-2b": "subnet-0eeeeeeeeeeeeeee5",
				},
			},
		}
	})
}

// TestExistingVPC renders vpc.id and vpc.subnets and runs eksctl's own
// decode, defaults and validation on them, plus the subnet count check
// eksctl makes before it uses given subnets (HasSufficientSubnets).
func TestExistingVPC(t *testing.T) {
	s := existingVPC()
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	golden.Assert(t, filepath.Join("testdata", "existing-vpc", filepath.FromSlash(File)), files[0].Data)
	cfg, err := consumer.Eksctl(files[0].Data)
	if err != nil {
		t.Fatalf("eksctl rejects %s:\n%v\n%s", File, err, files[0].Data)
	}
	if err := cfg.HasSufficientSubnets(); err != nil {
		t.Fatalf("eksctl: %v", err)
	}
	if cfg.VPC.SecurityGroup != s.Cluster.VPC.SecurityGroup {
		t.Errorf("eksctl reads vpc.securityGroup %q, want %q (needed for node groups on an existing cluster)", cfg.VPC.SecurityGroup, s.Cluster.VPC.SecurityGroup)
	}
	if cfg.VPC.ID != s.Cluster.VPC.ID || cfg.VPC.CIDR.String() != s.Cluster.VPCCIDR {
		t.Errorf("eksctl reads vpc %s %s, want %s %s", cfg.VPC.ID, cfg.VPC.CIDR, s.Cluster.VPC.ID, s.Cluster.VPCCIDR)
	}
	got := map[string]map[string]string{"private": {}, "public": {}}
	for kind, m := range map[string]api.AZSubnetMapping{"private": cfg.VPC.Subnets.Private, "public": cfg.VPC.Subnets.Public} {
		for zone, sn := range m {
			got[kind][zone] = sn.ID
		}
	}
	want := map[string]map[string]string{"private": s.Cluster.VPC.Subnets.Private, "public": s.Cluster.VPC.Subnets.Public}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("eksctl's subnets (-spec +eksctl):\n%s", d)
	}
	if cfg.VPC.NAT != nil && cfg.VPC.NAT.Gateway != nil && *cfg.VPC.NAT.Gateway != api.ClusterDisableNAT {
		t.Errorf("a NAT gateway (%s) is asked for in an existing VPC", *cfg.VPC.NAT.Gateway)
	}
	checkReadBack(t, s, cfg)
}

// TestExistingVPCOneZone is the control: eksctl refuses one zone of
// subnets, which the spec rules refuse first.
func TestExistingVPCOneZone(t *testing.T) {
	s := existingVPC()
	s.Cluster.VPC.Subnets.Private = map[string]string{"us-east-2a": "subnet-0aaaaaaaaaaaaaaa1"}
	s.Cluster.VPC.Subnets.Public = nil
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := consumer.Eksctl(files[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	err = cfg.HasSufficientSubnets()
	if err == nil || !strings.Contains(err.Error(), "insufficient number of subnets") {
		t.Fatalf("eksctl accepts one zone of subnets: %v", err)
	}
}

// TestTags: aws.tags reach the cluster's stacks, node groups and roles as
// eksctl reads them, with IRSA and with Pod Identity.
func TestTags(t *testing.T) {
	tags := map[string]string{"team": "vectors", "cost-center": "4711"}
	for _, identity := range []string{model.IRSA, model.PodIdentity} {
		s := modeltest.Variant(func(s *model.Spec) {
			s.AWS.Tags = tags
			s.Cluster.Identity = identity
		})
		files, err := Render(s)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := consumer.Eksctl(files[0].Data)
		if err != nil {
			t.Fatalf("eksctl rejects %s:\n%v\n%s", File, err, files[0].Data)
		}
		if d := cmp.Diff(tags, cfg.Metadata.Tags); d != "" {
			t.Errorf("%s: metadata.tags (-want +got):\n%s", identity, d)
		}
		// eksctl's defaults add alpha.eksctl.io/nodegroup-* tags of its
		// own: the room the spec rules leave (at most 40 user tags of 50).
		for _, ng := range cfg.ManagedNodeGroups {
			for k, v := range tags {
				if ng.Tags[k] != v {
					t.Errorf("%s: node group %s tag %s = %q, want %q", identity, ng.Name, k, ng.Tags[k], v)
				}
			}
			if len(ng.Tags) != len(tags)+2 {
				t.Errorf("%s: node group %s has tags %v; want the spec's and eksctl's two", identity, ng.Name, ng.Tags)
			}
		}
		for _, sa := range cfg.IAM.ServiceAccounts {
			if d := cmp.Diff(tags, sa.Tags); d != "" {
				t.Errorf("%s: service account %s tags (-want +got):\n%s", identity, sa.Name, d)
			}
		}
		for _, pia := range cfg.IAM.PodIdentityAssociations {
			if d := cmp.Diff(tags, pia.Tags); d != "" {
				t.Errorf("%s: association %s tags (-want +got):\n%s", identity, pia.ServiceAccountName, d)
			}
		}
		if identity == model.IRSA && len(cfg.IAM.ServiceAccounts) == 0 || identity == model.PodIdentity && len(cfg.IAM.PodIdentityAssociations) == 0 {
			t.Errorf("%s: no roles rendered to check", identity)
		}
	}
}
