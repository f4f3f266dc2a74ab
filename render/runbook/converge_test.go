package runbook

import (
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"

	"github.com/milvusgen/milvusgen/internal/awsstub/eksctlcli"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// day2 bootstraps spec before, then renders after over it (a merged pull
// request) and returns the harness, ready to run converge.sh.
func day2(t *testing.T, before, after *model.Spec) *stubbed {
	t.Helper()
	h := newStubbed(t, before)
	if _, stderr, code := h.run(BootstrapFile, []string{keyEnv}); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	h.write(after)
	return h
}

// converge runs converge.sh with args and fails the test unless it exits
// with want.
func (h *stubbed) converge(want int, args ...string) []string {
	h.t.Helper()
	calls, stderr, code := h.run(ConvergeFile, nil, args...)
	if code != want {
		h.t.Fatalf("converge.sh %v: exit %d, want %d:\n%s", args, code, want, stderr)
	}
	return calls
}

// changes are the calls of a run that change AWS, in order.
func changes(calls []string) []string {
	var out []string
	for _, c := range calls {
		if !strings.HasPrefix(c, "aws ") && !strings.HasPrefix(c, "eksctl ") || strings.HasPrefix(c, "aws eks update-kubeconfig") {
			continue
		}
		for _, m := range mutating {
			if strings.Contains(c, m) {
				out = append(out, c)
				break
			}
		}
	}
	return out
}

func sameCalls(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The scaling PR: desiredCapacity 4 → 6, minSize 3 → 6. After the
// merge converge.sh scales the group, with the table's command, and a
// second run changes nothing.
func TestConvergeScalesANodeGroup(t *testing.T) {
	before := modeltest.Runbook()
	before.Cluster.NodeGroups[0].DesiredCapacity = 4
	before.Cluster.NodeGroups[0].MinSize = ptr(3)
	before.Cluster.NodeGroups[0].MaxSize = ptr(8)
	after := modeltest.Runbook()
	after.Cluster.NodeGroups[0].DesiredCapacity = 6
	after.Cluster.NodeGroups[0].MinSize = ptr(6)
	after.Cluster.NodeGroups[0].MaxSize = ptr(8)
	h := day2(t, before, after)

	plan := h.converge(0, "--plan")
	sameCalls(t, changes(plan))
	sameCalls(t, changes(h.converge(0)),
		"eksctl scale nodegroup -f eksctl-cluster.yaml --name milvus-node-group")
	if !strings.Contains(h.readState(t, "cluster"), `"desired": 6`) || !strings.Contains(h.readState(t, "cluster"), `"min": 6`) {
		t.Errorf("the group was not scaled:\n%s", h.readState(t, "cluster"))
	}
	sameCalls(t, changes(h.converge(0)))
}

// A Kubernetes bump: the control plane one minor at a time (two here, as
// from an older tree), then the addons to AWS's default for the new
// version, then the node group; a second run changes nothing.
func TestConvergeUpgradesInEKSOrder(t *testing.T) {
	before := modeltest.Runbook()
	before.Cluster.KubernetesVersion = "1.33"
	after := modeltest.Runbook()
	after.Cluster.KubernetesVersion = "1.35"
	h := day2(t, before, after)
	sameCalls(t, changes(h.converge(0)),
		"eksctl upgrade cluster --name milvus-eks-cluster --region us-east-2 --version 1.34 --approve",
		"eksctl upgrade cluster --name milvus-eks-cluster --region us-east-2 --version 1.35 --approve",
		"aws eks update-addon --cluster-name milvus-eks-cluster --region us-east-2 --addon-name vpc-cni --addon-version v1.35.0-eksbuild.1",
		"aws eks update-addon --cluster-name milvus-eks-cluster --region us-east-2 --addon-name coredns --addon-version v1.35.0-eksbuild.1",
		"aws eks update-addon --cluster-name milvus-eks-cluster --region us-east-2 --addon-name kube-proxy --addon-version v1.35.0-eksbuild.1",
		"aws eks update-addon --cluster-name milvus-eks-cluster --region us-east-2 --addon-name aws-ebs-csi-driver --addon-version v1.35.0-eksbuild.1",
		"eksctl upgrade nodegroup --cluster milvus-eks-cluster --region us-east-2 --name milvus-node-group --kubernetes-version 1.35",
	)
	sameCalls(t, changes(h.converge(0)))
}

func mustCluster(t *testing.T, s *model.Spec) cluster {
	t.Helper()
	c, err := readCluster(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A pinned addon version: eksctl update addon -f sets it; no AWS default
// is looked up for it.
func TestConvergePinsAddons(t *testing.T) {
	after := modeltest.Runbook()
	after.Cluster.AddonVersions = map[string]string{"coredns": "v1.11.4-eksbuild.2"}
	h := day2(t, modeltest.Runbook(), after)
	calls := h.converge(0)
	sameCalls(t, changes(calls),
		"eksctl update addon -f eksctl-cluster.yaml",
		"aws eks tag-resource --resource-arn arn:aws:eks:stub:123456789012:cluster/milvus-eks-cluster --tags milvusgen.io/addons="+mustCluster(t, after).addonsSHA256)
	none(t, calls, "--addon-name coredns --kubernetes-version")
	if !strings.Contains(h.readState(t, "cluster"), "v1.11.4-eksbuild.2") {
		t.Errorf("coredns is not at its pin:\n%s", h.readState(t, "cluster"))
	}
	sameCalls(t, changes(h.converge(0)))
}

// A new group and a removed one (the way to a new instance type): the new
// group first, then the old one drained and deleted, and only after
// asking: without --yes and without a terminal, converge.sh stops there.
func TestConvergeReplacesANodeGroup(t *testing.T) {
	after := modeltest.Runbook()
	after.Cluster.NodeGroups[0].Name = "milvus-r6i"
	after.Cluster.NodeGroups[0].InstanceType = "r6i.4xlarge"
	h := day2(t, modeltest.Runbook(), after)

	calls, stderr, code := h.run(ConvergeFile, nil)
	if code != 1 || !strings.Contains(stderr, "drain and delete node groups milvus-node-group") || !strings.Contains(stderr, "--yes") {
		t.Fatalf("without --yes: exit %d:\n%s", code, stderr)
	}
	sameCalls(t, changes(calls), "eksctl create nodegroup -f eksctl-cluster.yaml")
	sameCalls(t, changes(h.converge(0, "--yes")),
		"eksctl delete nodegroup -f eksctl-cluster.yaml --only-missing --approve")
	if strings.Contains(h.readState(t, "cluster"), `"milvus-node-group"`) {
		t.Errorf("the old group is still there:\n%s", h.readState(t, "cluster"))
	}
	sameCalls(t, changes(h.converge(0)))
}

// An instance type changed under the same group name: eksctl cannot, so
// converge.sh stops before touching any group and says how.
func TestConvergeRefusesInPlaceInstanceType(t *testing.T) {
	after := modeltest.Runbook()
	after.Cluster.NodeGroups[0].InstanceType = "r6i.4xlarge"
	h := day2(t, modeltest.Runbook(), after)
	calls, stderr, code := h.run(ConvergeFile, nil, "--yes")
	if code != 1 || !strings.Contains(stderr, "Give the group a new name") {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	sameCalls(t, changes(calls))
}

// A changed IAM policy document becomes the default version, and the tag
// follows; the next run makes none.
func TestConvergeUpdatesThePolicy(t *testing.T) {
	after := modeltest.Runbook()
	after.Storage.RootPath = "milvus"
	h := day2(t, modeltest.Runbook(), after)
	sameCalls(t, changes(h.converge(0)),
		"aws iam create-policy-version --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --policy-document file://iam/milvus-s3-readwrite.json --set-as-default",
		"aws iam tag-policy --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --tags Key=milvusgen.io/document,Value="+mustDigest(t, after)+"@v2")
	sameCalls(t, changes(h.converge(0)))
}

func mustDigest(t *testing.T, s *model.Spec) string {
	t.Helper()
	docs, err := policyDigests(s)
	if err != nil {
		t.Fatal(err)
	}
	for p, d := range docs {
		if strings.HasSuffix(p, "milvus-s3-readwrite.json") {
			return d
		}
	}
	t.Fatal("no policy digest")
	return ""
}

// High availability on an existing cluster: the S3 gateway endpoint is
// created on every route table; with the file asking for a NAT gateway per
// zone on a cluster eksctl made with one, converge.sh prints the AWS CLI
// steps for each zone without one (with the real subnet and route table
// IDs), runs none of them, and exits 3 until they are done. Teardown
// deletes the endpoint before the cluster.
func TestConvergeNetwork(t *testing.T) {
	s := modeltest.Runbook()
	if !S3GatewayEndpoint(s) {
		t.Fatal("the runbook fixture is not highly available")
	}
	h := newStubbed(t, s)
	if _, stderr, code := h.run(BootstrapFile, []string{keyEnv}); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(h.readState(t, "cluster"), `"com.amazonaws.us-east-2.s3"`) {
		t.Fatalf("no S3 endpoint:\n%s", h.readState(t, "cluster"))
	}
	sameCalls(t, changes(h.converge(0)))

	if c := mustCluster(t, s); c.nat == highlyAvailableNAT {
		t.Log("the ClusterConfig asks for HighlyAvailable NAT")
	}
	calls, stderr, code := h.run(TeardownFile, nil, "--yes")
	if code != 0 {
		t.Fatalf("teardown exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls, "aws ec2 delete-vpc-endpoints --region us-east-2 --vpc-endpoint-ids vpce-0001", "eksctl delete cluster")
}

// TestConvergeNATSteps: convergeNAT's output for a cluster with a single
// NAT gateway, when the ClusterConfig asks for one per zone.
func TestConvergeNATSteps(t *testing.T) {
	s := modeltest.Runbook()
	h := newStubbed(t, s)
	var w script
	convergeNAT(&w, s, cluster{nat: highlyAvailableNAT})
	if !strings.Contains(w.String(), "describe-nat-gateways") {
		t.Fatal("no NAT section")
	}
	// The section, run alone against a cluster with one NAT gateway.
	h.setState("cluster", `{"version":"1.35","natZones":["a"]}`)
	text := "set -euo pipefail\nREGION=us-east-2\nCLUSTER=milvus-eks-cluster\nstep() { :; }\n" + convergeHelpers + w.String() + "\necho \"manual=$manual\"\n"
	out, stderr, code := h.runText(text)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{
		"zone stub-a has a NAT gateway",
		"zone stub-b has no NAT gateway of its own",
		"aws ec2 create-nat-gateway --region us-east-2 --subnet-id subnet-public-b --allocation-id",
		"aws ec2 replace-route --region us-east-2 --route-table-id rtb-private-b --destination-cidr-block 0.0.0.0/0",
		"aws ec2 replace-route --region us-east-2 --route-table-id rtb-private-c --destination-cidr-block 0.0.0.0/0",
		"manual=2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "rtb-private-a") || strings.Contains(out, "rtb-public") {
		t.Errorf("a route table of a zone with a gateway, or the public one, is touched:\n%s", out)
	}
}

// TestEksctlCommandLines: every eksctl command line in every rendered
// script, run or not by the stubbed tests, parses with eksctl v0.230.0's
// own commands. Words the script fills in at run time become a
// placeholder value.
func TestEksctlCommandLines(t *testing.T) {
	all := cases()
	for name, s := range argoCDCases() {
		all["argocd/"+name] = s
	}
	seen := 0
	for name, s := range all {
		for file, text := range scripts(t, s) {
			syntax.Walk(parseScript(t, file, text), func(n syntax.Node) bool {
				call, ok := n.(*syntax.CallExpr)
				if !ok || len(call.Args) == 0 {
					return true
				}
				words := make([]string, len(call.Args))
				for i, w := range call.Args {
					words[i] = "VALUE"
					if lit := w.Lit(); lit != "" {
						words[i] = lit
					} else if len(w.Parts) == 1 {
						if q, ok := w.Parts[0].(*syntax.SglQuoted); ok {
							words[i] = q.Value
						}
					}
				}
				if words[0] == "run" {
					words = words[1:]
				}
				if len(words) == 0 || words[0] != "eksctl" {
					return true
				}
				seen++
				if err := eksctlcli.Parse(words[1:]); err != nil {
					t.Errorf("%s/%s: %v", name, file, err)
				}
				return true
			})
		}
	}
	if seen < 20 {
		t.Errorf("found only %d eksctl command lines", seen)
	}
}

// TestEksctlCommandLinesCatchTypos: the check fails on a misspelt
// subcommand or flag.
func TestEksctlCommandLinesCatchTypos(t *testing.T) {
	for _, bad := range []string{"scale nodegroups -f x.yaml --name a", "scale nodegroup -f x.yaml --nmae a", "upgrade cluster --versoin 1.35", "delete nodegroup -f x.yaml --only-missng"} {
		if eksctlcli.Parse(strings.Fields(bad)) == nil {
			t.Errorf("eksctl %s parses", bad)
		}
	}
	if err := eksctlcli.Parse(strings.Fields("scale nodegroup -f x.yaml --name a")); err != nil {
		t.Error(err)
	}
}
