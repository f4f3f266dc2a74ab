package eksctl

import (
	"bytes"
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

// cases are the golden cases: the runbook fixture, and a China-region
// cluster with two node groups that set every optional size.
func cases() map[string]*model.Spec {
	china := modeltest.Runbook()
	china.AWS.Region = "cn-north-1"
	china.Cluster.Name = "milvus-prod"
	china.Cluster.KubernetesVersion = "1.30"
	china.Cluster.VPCCIDR = "10.42.0.0/16"
	china.Milvus.Namespace = "vectors"
	china.Storage.PolicyName = "milvus-prod-s3"
	china.Cluster.NodeGroups = []model.NodeGroup{
		{
			Name: "milvus-core", InstanceType: "m6i.4xlarge",
			DesiredCapacity: 3, MinSize: ptr(3), MaxSize: ptr(6), VolumeSize: 200,
			PrivateNetworking: true,
			Labels:            map[string]string{"role": "milvus"},
		},
		{
			Name: "milvus-query", InstanceType: "r6i.2xlarge",
			DesiredCapacity: 2, VolumeSize: 80,
			Labels: map[string]string{"role": "query", "example.com/tier": "memory"},
		},
	}
	noHA := modeltest.Runbook()
	noHA.Milvus.HighAvailability = false
	return map[string]*model.Spec{
		"runbook":                   modeltest.Runbook(),
		"cn-north-1-two-nodegroups": china,
		"no-ha":                     noHA,
	}
}

func ptr[T any](v T) *T { return &v }

func TestRenderGolden(t *testing.T) {
	for name, s := range cases() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) != 1 || files[0].Path != File || files[0].Mode != 0o644 {
				t.Fatalf("Render returned %d files, first %q; want only %s, mode 0644", len(files), files[0].Path, File)
			}
			golden.Assert(t, filepath.Join("testdata", name, filepath.FromSlash(File)), files[0].Data)
		})
	}
}

// TestEksctlAcceptsRendered is the real consumer: every rendered
// ClusterConfig passes eksctl's strict decode, defaults, validation and JSON
// schema, and eksctl reads back what the spec says.
func TestEksctlAcceptsRendered(t *testing.T) {
	for name, s := range cases() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := consumer.Eksctl(files[0].Data)
			if err != nil {
				t.Fatalf("eksctl rejects %s:\n%v\n%s", File, err, files[0].Data)
			}
			checkReadBack(t, s, cfg)
		})
	}
}

// TestConsumeRejects proves consumer.Eksctl catches what eksctl would
// reject.
func TestConsumeRejects(t *testing.T) {
	files, err := Render(modeltest.Runbook())
	if err != nil {
		t.Fatal(err)
	}
	good := string(files[0].Data)
	tests := map[string]struct {
		old, new string // one replacement in the rendered YAML
		want     string // part of the error
	}{
		"typo'd key (strict decode)": {
			old: "  instanceType:", new: "  instanceTyp:",
			want: `strict decode: error unmarshaling JSON: while decoding JSON: json: unknown field "instanceTyp"`,
		},
		// sigs.k8s.io/yaml decodes 1.30 into the string "1.3"; only the
		// schema sees the number.
		"unquoted version (schema)": {
			old: `version: "1.35"`, new: `version: 1.30`,
			want: "at '/metadata/version': got number, want string",
		},
		"desired above max (nodegroup validation)": {
			old: "- desiredCapacity: 3\n", new: "- desiredCapacity: 3\n  maxSize: 2\n",
			want: "nodegroup validation: cannot use --nodes-max=2 and --nodes=3",
		},
		"reserved label prefix (nodegroup validation)": {
			old: "    role: milvus", new: "    kubernetes.io/role: milvus",
			want: "nodegroup validation: the following nodegroup labels are disallowed",
		},
		"OIDC off with service accounts (cluster validation)": {
			old: "withOIDC: true", new: "withOIDC: false",
			want: "cluster validation: iam.withOIDC must be enabled explicitly",
		},
		"service account without a policy (cluster validation)": {
			old: "    wellKnownPolicies:\n      awsLoadBalancerController: true\n", new: "",
			want: "cluster validation: iam.serviceAccounts[0].wellKnownPolicies",
		},
		"NAT mode misspelt (schema)": {
			old: "gateway: HighlyAvailable", new: "gateway: HighlyAvailible",
			want: "/vpc/nat/gateway",
		},
		"region missing (schema)": {
			old: "  region: us-east-2\n", new: "",
			want: "missing property 'region'",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(good, tc.old) {
				t.Fatalf("rendered YAML has no %q:\n%s", tc.old, good)
			}
			bad := strings.Replace(good, tc.old, tc.new, 1)
			_, err := consumer.Eksctl([]byte(bad))
			if err == nil {
				t.Fatalf("eksctl harness accepted:\n%s", bad)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not mention %q", err, tc.want)
			}
			if testing.Verbose() {
				t.Log(err)
			}
		})
	}
}

// checkReadBack compares what eksctl decoded and defaulted with the spec,
// including that eksctl's size defaults agree with the model's.
func checkReadBack(t *testing.T, s *model.Spec, cfg *api.ClusterConfig) {
	t.Helper()
	type meta struct{ Name, Region, Version string }
	if d := cmp.Diff(meta{s.Cluster.Name, s.AWS.Region, s.Cluster.KubernetesVersion},
		meta{cfg.Metadata.Name, cfg.Metadata.Region, cfg.Metadata.Version}); d != "" {
		t.Errorf("metadata (-spec +eksctl):\n%s", d)
	}
	if cfg.VPC == nil || cfg.VPC.CIDR == nil || cfg.VPC.CIDR.String() != s.Cluster.VPCCIDR {
		t.Errorf("vpc.cidr: got %v, want %s", cfg.VPC, s.Cluster.VPCCIDR)
	}
	// highAvailability asks for one gateway per zone (none in an existing
	// VPC, where eksctl creates no network); without it the
	// file says nothing and `create cluster` takes its flag's default,
	// api.ClusterSingleNAT.
	switch {
	case s.Milvus.HighAvailability && s.Cluster.VPC == nil && (cfg.VPC.NAT == nil || cfg.VPC.NAT.Gateway == nil || *cfg.VPC.NAT.Gateway != api.ClusterHighlyAvailableNAT):
		t.Errorf("vpc.nat: got %+v, want gateway %s", cfg.VPC.NAT, api.ClusterHighlyAvailableNAT)
	case !s.Milvus.HighAvailability && cfg.VPC.NAT != nil:
		t.Errorf("vpc.nat: got %+v without highAvailability, want eksctl's default", cfg.VPC.NAT)
	}
	if !api.IsEnabled(cfg.IAM.WithOIDC) {
		t.Error("iam.withOIDC is not enabled")
	}

	type sa struct {
		Namespace, Name string
		Labels          map[string]string
		Policies        []string
		LBC, EBS        bool
	}
	var gotSAs []sa
	for _, a := range cfg.IAM.ServiceAccounts {
		gotSAs = append(gotSAs, sa{a.Namespace, a.Name, a.Labels, a.AttachPolicyARNs,
			a.WellKnownPolicies.AWSLoadBalancerController, a.WellKnownPolicies.EBSCSIController})
	}
	wantSAs := []sa{
		{Namespace: "kube-system", Name: s.LoadBalancerController.ServiceAccount, LBC: true},
		{Namespace: s.Milvus.Namespace, Name: s.Milvus.ServiceAccount,
			Labels: map[string]string{"aws-usage": "milvus"}, Policies: []string{s.PolicyARN()}},
	}
	if d := cmp.Diff(wantSAs, gotSAs); d != "" {
		t.Errorf("iam.serviceAccounts (-want +got):\n%s", d)
	}

	type ng struct {
		Name, InstanceType        string
		Desired, Min, Max, Volume int
		Encrypted, Private        bool
		Labels                    map[string]string
	}
	var gotNGs, wantNGs []ng
	for _, g := range s.Cluster.NodeGroups {
		labels := map[string]string{
			"alpha.eksctl.io/cluster-name":   s.Cluster.Name,
			"alpha.eksctl.io/nodegroup-name": g.Name,
		}
		for k, v := range g.Labels {
			labels[k] = v
		}
		vol := g.VolumeSize
		wantNGs = append(wantNGs, ng{g.Name, g.InstanceType, g.DesiredCapacity,
			g.NodeGroupMinSize(), g.NodeGroupMaxSize(), vol, true, g.PrivateNetworking, labels})
	}
	for _, g := range cfg.ManagedNodeGroups {
		gotNGs = append(gotNGs, ng{g.Name, g.InstanceType, deref(g.DesiredCapacity),
			deref(g.MinSize), deref(g.MaxSize), deref(g.VolumeSize),
			api.IsEnabled(g.VolumeEncrypted), g.PrivateNetworking, g.Labels})
	}
	if d := cmp.Diff(wantNGs, gotNGs); d != "" {
		t.Errorf("managedNodeGroups after eksctl's defaults (-want +got):\n%s", d)
	}

	type addon struct {
		Name, Version string
		Policies      []string
		EBS           bool
	}
	var gotAddons []addon
	for _, a := range cfg.Addons {
		gotAddons = append(gotAddons, addon{a.Name, a.Version, a.AttachPolicyARNs, a.WellKnownPolicies.EBSCSIController})
	}
	wantAddons := []addon{
		{Name: api.VPCCNIAddon, Policies: []string{"arn:" + s.Partition() + ":iam::aws:policy/AmazonEKS_CNI_Policy"}},
		{Name: api.CoreDNSAddon},
		{Name: api.KubeProxyAddon},
		{Name: api.AWSEBSCSIDriverAddon, EBS: true},
	}
	if d := cmp.Diff(wantAddons, gotAddons); d != "" {
		t.Errorf("addons (-want +got):\n%s", d)
	}
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}

// TestRenderHasNoNoise guards the reason for the local types: none of the
// empty or all-false fields eksctl's own types marshal.
func TestRenderHasNoNoise(t *testing.T) {
	files, err := Render(modeltest.Runbook())
	if err != nil {
		t.Fatal(err)
	}
	for _, noise := range []string{": {}", ": \"\"", ": false", ": null", "releaseVersion", "addonsConfig"} {
		if bytes.Contains(files[0].Data, []byte(noise)) {
			t.Errorf("rendered ClusterConfig contains %q:\n%s", noise, files[0].Data)
		}
	}
}

// TestAddonVersionsPinned: a pinned version reaches its addon, and an addon
// without one has no version in the file (eksctl then takes AWS's default);
// "latest" is never written.
func TestAddonVersionsPinned(t *testing.T) {
	s := modeltest.Runbook()
	s.Cluster.AddonVersions = map[string]string{"vpc-cni": "v1.19.2-eksbuild.1"}
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := consumer.Eksctl(files[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range cfg.Addons {
		want := ""
		if a.Name == api.VPCCNIAddon {
			want = "v1.19.2-eksbuild.1"
		}
		if a.Version != want {
			t.Errorf("addon %s version %q, want %q", a.Name, a.Version, want)
		}
	}
	if strings.Contains(string(files[0].Data), "latest") {
		t.Errorf("the file names latest:\n%s", files[0].Data)
	}
}
