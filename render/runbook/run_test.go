package runbook

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/awsstub"
	"github.com/milvusgen/milvusgen/internal/awsstub/eksctlcli"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/eksctl"
	"github.com/milvusgen/milvusgen/render/iam"
)

// stubbed runs the rendered scripts against stand-ins for aws, eksctl,
// kubectl and flux (testdata/stub.bash) that log their calls and keep the
// state of the world in files, so a test can run bootstrap.sh twice and
// teardown.sh after it and read what each run did.
type stubbed struct {
	t     *testing.T
	bash  string
	dir   string // the output root; scripts live in dir/aws
	bin   string // PATH: the stubs and the few tools the scripts use
	state string
	log   string
}

func newStubbed(t *testing.T, s *model.Spec, tools ...string) *stubbed {
	t.Helper()
	bash := needBash(t)
	root := t.TempDir()
	h := &stubbed{t: t, bash: bash, dir: filepath.Join(root, "out"), bin: filepath.Join(root, "bin"),
		state: filepath.Join(root, "state"), log: filepath.Join(root, "calls.log")}
	for _, d := range []string{filepath.Join(h.dir, Dir), h.bin, h.state} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	h.write(s)
	stub, err := os.ReadFile(filepath.Join("testdata", "stub.bash"))
	if err != nil {
		t.Fatal(err)
	}
	stub = append([]byte("#!"+bash+"\n"), stub...)
	if len(tools) == 0 {
		tools = []string{"aws", "eksctl", "kubectl", "flux"}
	}
	awsStub := awsstub.Build(t)
	for _, name := range tools {
		data := stub
		if name == "aws" || name == "eksctl" {
			// The stateful stand-in (internal/awsstub).
			data = []byte("#!" + bash + "\nMILVUSGEN_STUB_TOOL=" + name + " exec " + quote(awsStub) + " \"$@\"\n")
		}
		if err := os.WriteFile(filepath.Join(h.bin, name), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tool := range []string{"dirname", "rm"} {
		p, err := exec.LookPath(tool)
		if err != nil {
			t.Skipf("%s not installed", tool)
		}
		if err := os.Symlink(p, filepath.Join(h.bin, tool)); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

// write renders s's AWS files (the scripts, the ClusterConfig and the IAM
// documents) into the output root: a merged change, rendered again.
func (h *stubbed) write(s *model.Spec) {
	h.t.Helper()
	for _, r := range []func(*model.Spec) ([]manifest.File, error){Render, eksctl.Render, iam.Render} {
		files, err := r(s)
		if err != nil {
			h.t.Fatal(err)
		}
		for _, f := range files {
			p := filepath.Join(h.dir, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				h.t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, f.Mode); err != nil {
				h.t.Fatal(err)
			}
		}
	}
}

// run runs script (BootstrapFile or TeardownFile) from another directory
// with env added, and returns the calls it made, its stderr and exit code.
func (h *stubbed) run(script string, env []string, args ...string) (calls []string, stderr string, code int) {
	h.t.Helper()
	if err := os.WriteFile(h.log, nil, 0o644); err != nil {
		h.t.Fatal(err)
	}
	cmd := exec.Command(h.bash, append([]string{filepath.Join(h.dir, filepath.FromSlash(script))}, args...)...)
	cmd.Dir = h.t.TempDir()
	cmd.Env = append([]string{
		"PATH=" + h.bin, "HOME=" + cmd.Dir,
		"STUB_LOG=" + h.log, "STUB_STATE=" + h.state, "STUB_ACCOUNT=123456789012",
		rootEnv,
	}, env...)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		h.t.Fatal(err)
	}
	data, err := os.ReadFile(h.log)
	if err != nil {
		h.t.Fatal(err)
	}
	if s := strings.TrimSpace(string(data)); s != "" {
		calls = strings.Split(s, "\n")
	}
	checkEksctlCalls(h.t, calls)
	return calls, errb.String(), code
}

// runText runs a piece of script with the stand-ins on PATH and returns
// its stdout, stderr and exit code.
func (h *stubbed) runText(text string) (stdout, stderr string, code int) {
	h.t.Helper()
	cmd := exec.Command(h.bash, "-c", text)
	cmd.Dir = filepath.Join(h.dir, Dir)
	cmd.Env = []string{"PATH=" + h.bin, "HOME=" + h.t.TempDir(), "STUB_LOG=" + h.log, "STUB_STATE=" + h.state, "STUB_ACCOUNT=123456789012"}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		h.t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// checkEksctlCalls parses every eksctl call a run made with eksctl's own
// commands: a misspelt subcommand or flag fails the test.
func checkEksctlCalls(t *testing.T, calls []string) {
	t.Helper()
	for _, c := range calls {
		if rest, ok := strings.CutPrefix(c, "eksctl "); ok {
			if err := eksctlcli.Parse(strings.Fields(rest)); err != nil {
				t.Errorf("eksctl v0.230.0 rejects a call: %v", err)
			}
		}
	}
}

// mutating are the parts of a call that change AWS.
var mutating = []string{" create", " put-", " tag-", " update", " scale ", " upgrade ", " delete", " associate-", " replace-"}

// noChanges fails for a call to aws or eksctl that changes something.
func noChanges(t *testing.T, calls []string) {
	t.Helper()
	for _, c := range calls {
		if !strings.HasPrefix(c, "aws ") && !strings.HasPrefix(c, "eksctl ") || strings.HasPrefix(c, "aws eks update-kubeconfig") {
			continue
		}
		for _, m := range mutating {
			if strings.Contains(c, m) {
				t.Errorf("a rerun changed something: %s", c)
				break
			}
		}
	}
}

// policy sets IAM policy name to versions v1..vN, vN the default, tagged
// with tag.
func (h *stubbed) policy(name string, versions int, tag string) {
	h.t.Helper()
	var vs []string
	for i := 1; i <= versions; i++ {
		vs = append(vs, fmt.Sprintf(`{"id":"v%d","default":%v,"created":%d}`, i, i == versions, i))
	}
	h.setState("policy-"+name, fmt.Sprintf(`{"versions":[%s],"next":%d,"tags":{%q:%q}}`, strings.Join(vs, ","), versions+1, documentTag, tag))
}

func (h *stubbed) setState(name, content string) {
	h.t.Helper()
	if err := os.WriteFile(filepath.Join(h.state, name), []byte(content), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

func (h *stubbed) stateLeft() []string {
	h.t.Helper()
	entries, err := os.ReadDir(h.state)
	if err != nil {
		h.t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// find returns the index of the first call containing each part in order,
// failing the test for a part that is missing or out of order.
func inOrder(t *testing.T, calls []string, parts ...string) {
	t.Helper()
	i := 0
	for _, p := range parts {
		for i < len(calls) && !strings.Contains(calls[i], p) {
			i++
		}
		if i == len(calls) {
			t.Errorf("no call %q (in this order) among:\n%s", p, strings.Join(calls, "\n"))
			return
		}
		i++
	}
}

func none(t *testing.T, calls []string, parts ...string) {
	t.Helper()
	for _, c := range calls {
		for _, p := range parts {
			if strings.Contains(c, p) {
				t.Errorf("unexpected call %q", c)
			}
		}
	}
}

const keyEnv = "FLUX_GIT_PRIVATE_KEY_FILE=/keys/deploy"

// rootEnv is in every stubbed run; TestBootstrapRootPassword unsets it.
const rootEnv = "MILVUS_ROOT_PASSWORD=r00t-pw"

// TestBootstrapRootPassword: the Secret is created once, from the
// environment through stdin, never on a command line; without the variable
// bootstrap stops before applying anything.
func TestBootstrapRootPassword(t *testing.T) {
	h := newStubbed(t, modeltest.Runbook())
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv, "MILVUS_ROOT_PASSWORD="})
	if code == 0 || !strings.Contains(stderr, "set MILVUS_ROOT_PASSWORD") {
		t.Fatalf("without a password: exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "apply -k")
	calls, stderr, code = h.run(BootstrapFile, []string{keyEnv})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"kubectl -n milvus get secret milvus-root",
		"kubectl -n milvus create secret generic milvus-root --from-file=password=/dev/stdin",
		"stdin root password=r00t-pw",
		"kubectl apply -k ../flux")
	for _, c := range calls {
		if strings.Contains(c, "r00t-pw") && !strings.HasPrefix(c, "stdin ") {
			t.Errorf("the password is on a command line: %q", c)
		}
	}
	calls, _, _ = h.run(BootstrapFile, []string{"MILVUS_ROOT_PASSWORD="})
	none(t, calls, "create secret generic milvus-root")
}

func TestBootstrapCreatesOnceThenOnlyUpdates(t *testing.T) {
	h := newStubbed(t, modeltest.Runbook())

	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv})
	if code != 0 {
		t.Fatalf("first run exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"aws sts get-caller-identity",
		"aws s3api head-bucket --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-2",
		"aws s3api create-bucket --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-2 --object-ownership BucketOwnerEnforced --create-bucket-configuration LocationConstraint=us-east-2",
		"aws s3api put-bucket-ownership-controls --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-2 --ownership-controls Rules=[{ObjectOwnership=BucketOwnerEnforced}]",
		"aws s3api put-public-access-block --bucket milvus-bucket-039dd013c0712f085d60e21f",
		"aws s3api get-bucket-lifecycle-configuration --bucket milvus-bucket-039dd013c0712f085d60e21f",
		"aws s3api put-bucket-lifecycle-configuration --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-2 --lifecycle-configuration {\"Rules\":[{\"ID\":\"milvusgen-abort-incomplete-multipart-uploads\",\"Status\":\"Enabled\",\"Filter\":{\"Prefix\":\"\"},\"AbortIncompleteMultipartUpload\":{\"DaysAfterInitiation\":7}}]}",
		"aws iam get-policy --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite",
		"aws iam create-policy --policy-name MilvusS3ReadWrite --policy-document file://iam/milvus-s3-readwrite.json --tags Key=milvusgen.io/document,Value=",
		"eksctl get cluster --name milvus-eks-cluster --region us-east-2",
		"eksctl create cluster -f eksctl-cluster.yaml",
		"aws eks tag-resource --resource-arn arn:aws:eks:stub:123456789012:cluster/milvus-eks-cluster --tags milvusgen.io/addons=",
		"aws eks update-kubeconfig --region us-east-2 --name milvus-eks-cluster",
		"flux version --client",
		"flux install --version=v2.9.5",
		"kubectl -n flux-system get secret milvusgen-git",
		"flux create secret git milvusgen-git --namespace flux-system --url ssh://git@github.com/acme/fleet.git --private-key-file /keys/deploy",
		"kubectl apply -k ../flux",
		"kubectl -n flux-system wait kustomization/milvusgen-infrastructure --for=condition=Ready",
		"kubectl -n flux-system wait kustomization/milvusgen-apps --for=condition=Ready",
		"kubectl -n milvus wait helmrelease/milvus-demo --for=condition=Ready --timeout=30m",
	)
	none(t, calls, "create-policy-version", "storageclass gp2")

	// The second run needs no deploy key: the Secret exists. The policy
	// already holds the rendered document, so no version is made (IAM
	// keeps five); AWS matches the tree, so converge.sh only reads.
	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("second run exit %d:\n%s", code, stderr)
	}
	none(t, calls, "create secret")
	noChanges(t, calls)
	inOrder(t, calls,
		"aws eks describe-cluster --name milvus-eks-cluster --region us-east-2 --query cluster.version --output text",
		"aws iam list-policy-tags --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite",
		"kubectl apply -k ../flux")

	// Another document (a rootPath change, or a version made by hand)
	// becomes the new default version, and the tag follows it.
	h.policy("MilvusS3ReadWrite", 1, "0000@v1")
	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("third run exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"aws iam create-policy-version --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --policy-document file://iam/milvus-s3-readwrite.json --set-as-default",
		"aws iam tag-policy --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --tags Key=milvusgen.io/document,Value=",
		"kubectl apply -k ../flux")
	none(t, calls, "delete-policy-version")
	calls, _, _ = h.run(BootstrapFile, nil)
	none(t, calls, "create-policy-version")

	// With IAM's five versions in use, the oldest non-default one goes first.
	h.policy("MilvusS3ReadWrite", 5, "0000@v5")
	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("fifth run exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls, "aws iam delete-policy-version --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --version-id v1",
		"aws iam create-policy-version")
}

// TestBootstrapLifecycleRule: a bucket with lifecycle rules of its own is
// left alone (S3 keeps one configuration per bucket) with a note; one with
// milvusgen's rule is not written again.
func TestBootstrapLifecycleRule(t *testing.T) {
	h := newStubbed(t, modeltest.Runbook())
	h.setState("bucket", "")
	h.setState("lifecycle-other", "")
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	none(t, calls, "put-bucket-lifecycle-configuration")
	if !strings.Contains(stderr, "has lifecycle rules of its own") {
		t.Errorf("no note about the bucket's own rules:\n%s", stderr)
	}
}

// TestBootstrapRootPasswordTooLong: bcrypt takes at most 72 bytes; a longer
// password (counted in bytes, not characters) stops bootstrap before it
// calls anything.
func TestBootstrapRootPasswordTooLong(t *testing.T) {
	for _, tc := range []struct {
		password string
		ok       bool
	}{
		{strings.Repeat("a", 72), true},
		{strings.Repeat("a", 73), false},
		{strings.Repeat("ä", 36), true},  // 72 bytes
		{strings.Repeat("ä", 37), false}, // 37 characters, 74 bytes
	} {
		h := newStubbed(t, modeltest.Runbook())
		calls, stderr, code := h.run(BootstrapFile, []string{keyEnv, "LANG=C.UTF-8", "MILVUS_ROOT_PASSWORD=" + tc.password})
		if tc.ok {
			if code != 0 {
				t.Errorf("%d bytes: exit %d:\n%s", len(tc.password), code, stderr)
			}
			continue
		}
		if code != 1 || !strings.Contains(stderr, "at most 72 (bcrypt)") {
			t.Errorf("%d bytes: exit %d, stderr:\n%s", len(tc.password), code, stderr)
		}
		if len(calls) != 0 {
			t.Errorf("%d bytes: calls before the check:\n%s", len(tc.password), strings.Join(calls, "\n"))
		}
	}
}

// TestBootstrapRepairsHalfCreatedPodIdentityCluster: a cluster whose
// eksctl create stopped after the control plane gets its node group and
// addons, and each Pod Identity association it needs, checked by namespace
// and service account: the addons' own associations (kube-system's aws-node
// and ebs-csi-controller-sa) do not count. Then a rerun runs nothing.
func TestBootstrapRepairsHalfCreatedPodIdentityCluster(t *testing.T) {
	s := modeltest.Variant(func(s *model.Spec) { s.Cluster.Identity = model.PodIdentity })
	h := newStubbed(t, s)
	// Created from this ClusterConfig: a NAT gateway per zone.
	h.setState("cluster", `{"version":"`+s.Cluster.KubernetesVersion+`","natZones":["a","b","c"],"associations":[
		{"namespace":"kube-system","serviceAccount":"aws-node"},{"namespace":"kube-system","serviceAccount":"ebs-csi-controller-sa"}]}`)
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"eksctl create addon -f eksctl-cluster.yaml",
		"eksctl update addon -f eksctl-cluster.yaml",
		"eksctl create nodegroup -f eksctl-cluster.yaml",
		"aws eks list-pod-identity-associations --cluster-name milvus-eks-cluster --region us-east-2 --namespace kube-system --service-account aws-load-balancer-controller",
		"eksctl create podidentityassociation --cluster milvus-eks-cluster --region us-east-2 --namespace kube-system --service-account-name aws-load-balancer-controller --create-service-account --well-known-policies awsLoadBalancerController",
		"eksctl create podidentityassociation --cluster milvus-eks-cluster --region us-east-2 --namespace milvus --service-account-name milvus-s3-access-sa --create-service-account --permission-policy-arns arn:aws:iam::123456789012:policy/MilvusS3ReadWrite",
		"eksctl update podidentityassociation -f eksctl-cluster.yaml")
	none(t, calls, "iamserviceaccount", "create cluster", "associate-iam-oidc-provider")
	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("rerun exit %d:\n%s", code, stderr)
	}
	noChanges(t, calls)
}

// TestBootstrapRepairsAddonsWithoutRole: addons created before the OIDC
// provider (a half-created IRSA cluster) have no IAM role, and eksctl's
// creates skip them because they exist. The provider is associated before
// the addons are looked at, and eksctl update addon gives them their
// roles; a rerun runs nothing.
func TestBootstrapRepairsAddonsWithoutRole(t *testing.T) {
	s := modeltest.Runbook()
	h := newStubbed(t, s)
	v := s.Cluster.KubernetesVersion
	h.setState("cluster", `{"version":"`+v+`","natZones":["a","b","c"],"addons":{
		"vpc-cni":{"version":"v1.`+strings.TrimPrefix(v, "1.")+`.0-eksbuild.1"},
		"coredns":{"version":"v1.`+strings.TrimPrefix(v, "1.")+`.0-eksbuild.1"},
		"kube-proxy":{"version":"v1.`+strings.TrimPrefix(v, "1.")+`.0-eksbuild.1"},
		"aws-ebs-csi-driver":{"version":"v1.`+strings.TrimPrefix(v, "1.")+`.0-eksbuild.1"}}}`)
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"eksctl utils associate-iam-oidc-provider -f eksctl-cluster.yaml --approve",
		"aws eks describe-addon --cluster-name milvus-eks-cluster --region us-east-2 --addon-name aws-ebs-csi-driver --query addon.serviceAccountRoleArn",
		"eksctl update addon -f eksctl-cluster.yaml",
		"eksctl create nodegroup -f eksctl-cluster.yaml",
		"eksctl create iamserviceaccount -f eksctl-cluster.yaml --approve")
	none(t, calls, "eksctl create addon")
	if !strings.Contains(h.readState(t, "cluster"), "eksctl-addon-aws-ebs-csi-driver") {
		t.Errorf("the EBS CSI driver has no role:\n%s", h.readState(t, "cluster"))
	}
	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("rerun exit %d:\n%s", code, stderr)
	}
	noChanges(t, calls)
}

// TestBootstrapFluxVersion: Flux is installed at the pinned version, and
// only by a CLI new enough for the rendered APIs.
func TestBootstrapFluxVersion(t *testing.T) {
	for version, ok := range map[string]bool{"v2.9.5": true, "v2.3.0": true, "v2.2.3": false, "v1.9.0": false, "dev": false} {
		h := newStubbed(t, modeltest.Runbook())
		calls, stderr, code := h.run(BootstrapFile, []string{keyEnv, "STUB_FLUX_VERSION=" + version})
		if ok {
			if code != 0 {
				t.Errorf("flux %s: exit %d:\n%s", version, code, stderr)
			}
			inOrder(t, calls, "flux install --version="+FluxVersion)
			continue
		}
		if code != 1 || !strings.Contains(stderr, "flux") {
			t.Errorf("flux %s: exit %d, stderr:\n%s", version, code, stderr)
		}
		none(t, calls, "flux install")
	}
}

func TestBootstrapNeedsTheDeployKeyOnce(t *testing.T) {
	h := newStubbed(t, modeltest.Runbook())
	calls, stderr, code := h.run(BootstrapFile, nil)
	if code == 0 || !strings.Contains(stderr, "set FLUX_GIT_PRIVATE_KEY_FILE to the deploy key") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "create secret git", "apply -k")
}

func TestBootstrapRefusesOtherAccount(t *testing.T) {
	h := newStubbed(t, modeltest.Runbook())
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv, "STUB_ACCOUNT=210987654321"})
	if code != 1 || !strings.Contains(stderr, "uses account 210987654321 but the spec names 123456789012") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if len(calls) != 1 {
		t.Errorf("calls after the account check:\n%s", strings.Join(calls, "\n"))
	}
}

// The last step hands the tree to milvusgen verify when it is on PATH
// (else it prints the command), through a port-forward for an internal
// load balancer.
func TestBootstrapVerifies(t *testing.T) {
	h := newStubbed(t, modeltest.Runbook(), "aws", "eksctl", "kubectl", "flux", "milvusgen")
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"kubectl -n milvus wait helmrelease/milvus-demo --for=condition=Ready --timeout=30m",
		"milvusgen verify --rendered "+h.dir+" --port-forward")
}

func TestBootstrapNeedsTools(t *testing.T) {
	h := newStubbed(t, modeltest.Runbook(), "aws", "kubectl")
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv})
	if code != 1 || !strings.Contains(stderr, "eksctl is required") || !strings.Contains(stderr, "flux is required") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if len(calls) != 0 {
		t.Errorf("calls without the tools:\n%s", strings.Join(calls, "\n"))
	}
}

func TestBootstrapDirectApply(t *testing.T) {
	s := cases()["direct-us-east-1-k8s-1.29"]
	h := newStubbed(t, s)
	calls, stderr, code := h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"aws s3api create-bucket --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-1 --object-ownership BucketOwnerEnforced",
		"eksctl create cluster -f eksctl-cluster.yaml",
		"kubectl patch storageclass gp2",
		"flux install",
		"kubectl apply -k ../kubernetes/infrastructure",
		"kubectl -n kube-system wait helmrelease/aws-load-balancer-controller --for=condition=Ready --timeout=10m",
		"kubectl apply -k ../kubernetes/apps/milvus",
		"kubectl -n milvus wait helmrelease/milvus-demo --for=condition=Ready --timeout=30m",
	)
	none(t, calls, "LocationConstraint", "flux create", "../flux")
}

func TestBootstrapGitToken(t *testing.T) {
	h := newStubbed(t, cases()["https-token-cn-north-1"])
	calls, stderr, code := h.run(BootstrapFile, []string{"FLUX_GIT_USERNAME=bot", "FLUX_GIT_PASSWORD=s3cr3t"})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"aws iam get-policy --policy-arn arn:aws-cn:iam::123456789012:policy/MilvusS3ReadWrite",
		"kubectl -n flux-system create secret generic fleet-token --from-literal=username=bot --from-file=password=/dev/stdin",
		"stdin password=s3cr3t",
		"kubectl apply -k ../flux")
	for _, c := range calls {
		if strings.Contains(c, "s3cr3t") && !strings.HasPrefix(c, "stdin ") {
			t.Errorf("the token is on a command line: %q", c)
		}
	}
}

func TestTeardownNeedsConfirmation(t *testing.T) {
	for name, tc := range map[string]struct {
		env  []string
		args []string
	}{
		"nothing":       {},
		"wrong cluster": {env: []string{"MILVUSGEN_CONFIRM=other-cluster"}},
		"empty confirm": {env: []string{"MILVUSGEN_CONFIRM="}},
		"other flag":    {args: []string{"-y"}},
	} {
		t.Run(name, func(t *testing.T) {
			h := newStubbed(t, modeltest.Runbook())
			calls, stderr, code := h.run(TeardownFile, tc.env, tc.args...)
			if code != 2 || !strings.Contains(stderr, "--yes") {
				t.Errorf("exit %d, stderr:\n%s", code, stderr)
			}
			if len(calls) != 0 {
				t.Errorf("calls before confirmation:\n%s", strings.Join(calls, "\n"))
			}
		})
	}
}

func TestTeardownReversesBootstrap(t *testing.T) {
	for _, confirm := range []struct {
		env  []string
		args []string
	}{{args: []string{"--yes"}}, {env: []string{"MILVUSGEN_CONFIRM=milvus-eks-cluster"}}} {
		h := newStubbed(t, modeltest.Runbook())
		if _, stderr, code := h.run(BootstrapFile, []string{keyEnv}); code != 0 {
			t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
		}
		h.policy("MilvusS3ReadWrite", 3, "")
		calls, stderr, code := h.run(TeardownFile, confirm.env, confirm.args...)
		if code != 0 {
			t.Fatalf("teardown exit %d:\n%s", code, stderr)
		}
		inOrder(t, calls,
			"aws sts get-caller-identity",
			"aws eks update-kubeconfig --region us-east-2 --name milvus-eks-cluster",
			"kubectl get pv",
			"kubectl -n flux-system delete kustomizations.kustomize.toolkit.fluxcd.io milvusgen-apps --ignore-not-found --wait",
			"kubectl -n milvus delete helmreleases.helm.toolkit.fluxcd.io --all --ignore-not-found --wait",
			"kubectl delete namespace milvus --ignore-not-found --wait",
			"kubectl -n flux-system delete kustomizations.kustomize.toolkit.fluxcd.io milvusgen-infrastructure",
			"kubectl -n kube-system delete helmreleases.helm.toolkit.fluxcd.io/aws-load-balancer-controller --ignore-not-found --wait",
			"eksctl delete cluster -f eksctl-cluster.yaml --wait",
			"aws iam delete-policy-version --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --version-id v1",
			"aws iam delete-policy-version --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --version-id v2",
			"aws iam delete-policy --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite",
			"aws s3api delete-bucket --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-2",
		)
		if left := h.stateLeft(); len(left) != 0 {
			t.Errorf("left behind: %v", left)
		}

		// Again: everything is gone, nothing is deleted.
		calls, stderr, code = h.run(TeardownFile, confirm.env, confirm.args...)
		if code != 0 {
			t.Fatalf("second teardown exit %d:\n%s", code, stderr)
		}
		none(t, calls, "delete")
	}
}

func TestTeardownDirect(t *testing.T) {
	h := newStubbed(t, cases()["direct-us-east-1-k8s-1.29"])
	if _, stderr, code := h.run(BootstrapFile, nil); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	calls, stderr, code := h.run(TeardownFile, nil, "--yes")
	if code != 0 {
		t.Fatalf("teardown exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"kubectl delete -k ../kubernetes/apps/milvus --ignore-not-found --wait",
		"kubectl -n milvus delete helmreleases.helm.toolkit.fluxcd.io --all",
		"kubectl delete namespace milvus --ignore-not-found --wait",
		"kubectl delete -k ../kubernetes/infrastructure --ignore-not-found --wait",
		"kubectl -n kube-system delete helmreleases.helm.toolkit.fluxcd.io/aws-load-balancer-controller",
		"eksctl delete cluster -f eksctl-cluster.yaml --wait",
		"aws iam delete-policy ",
		"aws s3api delete-bucket --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-1",
	)
	none(t, calls, "delete kustomizations")
}

func TestTeardownKeepsBucketWithData(t *testing.T) {
	h := newStubbed(t, modeltest.Runbook())
	if _, stderr, code := h.run(BootstrapFile, []string{keyEnv}); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	h.setState("objects", "")
	calls, stderr, code := h.run(TeardownFile, nil, "--yes")
	if code != 1 || !strings.Contains(stderr, "holds Milvus") || !strings.Contains(stderr, "empty it deliberately") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	inOrder(t, calls, "eksctl delete cluster", "aws iam delete-policy ", "aws s3api delete-bucket")
	if left := h.stateLeft(); strings.Join(left, ",") != "bucket,objects" {
		t.Errorf("state left: %v, want the bucket and its objects", left)
	}
}

// TestHostileValues: values the schema should have rejected still cannot
// break out of a quoted assignment or a comment into a command. Each tries
// to run pwn, which leaves a mark if it ever runs.
func TestHostileValues(t *testing.T) {
	s := modeltest.Runbook()
	s.Cluster.Name = "x'; pwn; '"
	s.Storage.Bucket = "b$(pwn)`pwn`"
	s.GitOps.Repository.URL = "ssh://git@example.com/a.git\npwn"
	s.GitOps.Repository.Path = "p\npwn"
	s.Storage.StorageClass.Name = "gp3\npwn"
	s.Cluster.KubernetesVersion = "1.29"
	h := newStubbed(t, s)
	pwn := "#!" + h.bash + "\n: >\"$STUB_STATE/PWNED\"\n"
	if err := os.WriteFile(filepath.Join(h.bin, "pwn"), []byte(pwn), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := h.run(BootstrapFile, []string{keyEnv}); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	if _, stderr, code := h.run(TeardownFile, []string{"MILVUSGEN_CONFIRM=" + s.Cluster.Name}); code != 0 {
		t.Fatalf("teardown exit %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(h.state, "PWNED")); err == nil {
		t.Error("a spec value ran a command")
	}
}

// TestBootstrapGitTokenMissing: without the token nothing is created; a
// failed expansion inside the pipe would otherwise leave an empty Secret.
func TestBootstrapGitTokenMissing(t *testing.T) {
	h := newStubbed(t, cases()["https-token-cn-north-1"])
	calls, stderr, code := h.run(BootstrapFile, []string{"FLUX_GIT_USERNAME=bot"})
	if code == 0 || !strings.Contains(stderr, "set FLUX_GIT_PASSWORD") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "create secret generic fleet-token", "apply -k")
}

// TestTeardownKeepsVolumes: etcd's volumes (reclaim policy Delete) would go
// with the namespace, so teardown stops before deleting anything and says
// how to back them up; --delete-data (or MILVUSGEN_DELETE_DATA=<cluster>)
// deletes them and waits for them. Retained volumes never stop it.
func TestTeardownKeepsVolumes(t *testing.T) {
	h := newStubbed(t, modeltest.Runbook())
	if _, stderr, code := h.run(BootstrapFile, []string{keyEnv}); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	h.setState("pvs", "pvc-etcd-0 milvus Delete vol-0123\npvc-other kube-system Delete vol-9\n")
	calls, stderr, code := h.run(TeardownFile, nil, "--yes")
	if code != 1 || !strings.Contains(stderr, "pvc-etcd-0") || !strings.Contains(stderr, "milvus-backup") || !strings.Contains(stderr, "--delete-data") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if strings.Contains(stderr, "pvc-other") {
		t.Errorf("names a volume of another namespace:\n%s", stderr)
	}
	none(t, calls, "delete", "wait")

	for _, run := range []struct {
		env  []string
		args []string
	}{{args: []string{"--yes", "--delete-data"}}, {env: []string{"MILVUSGEN_DELETE_DATA=milvus-eks-cluster"}, args: []string{"--yes"}}} {
		calls, stderr, code = h.run(TeardownFile, run.env, run.args...)
		if code != 0 {
			t.Fatalf("%v %v: exit %d:\n%s", run.env, run.args, code, stderr)
		}
		inOrder(t, calls, "kubectl delete namespace milvus", "kubectl wait pv/pvc-etcd-0 --for=delete", "eksctl delete cluster")
		none(t, calls, "pv/pvc-other")
		if _, stderr, code := h.run(BootstrapFile, []string{keyEnv}); code != 0 {
			t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
		}
	}

	// Retained volumes (the default) never stop teardown; they are named,
	// and deleted, once detached, only with --delete-data.
	h.setState("pvs", "pvc-etcd-0 milvus Retain vol-0123\n")
	calls, stderr, code = h.run(TeardownFile, nil, "--yes")
	if code != 0 || !strings.Contains(stderr, "kept the EBS volumes") || !strings.Contains(stderr, "vol-0123") {
		t.Fatalf("retained: exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "wait pv/", "delete pv/", "delete-volume")
	if _, stderr, code := h.run(BootstrapFile, []string{keyEnv}); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	calls, stderr, code = h.run(TeardownFile, nil, "--yes", "--delete-data")
	if code != 0 || strings.Contains(stderr, "kept the EBS volumes") {
		t.Fatalf("retained, --delete-data: exit %d, stderr:\n%s", code, stderr)
	}
	inOrder(t, calls, "kubectl delete namespace milvus", "kubectl delete pv/pvc-etcd-0",
		"aws ec2 wait volume-available --region us-east-2 --volume-ids vol-0123",
		"aws ec2 delete-volume --region us-east-2 --volume-id vol-0123", "eksctl delete cluster")
}

// TestTeardownNeverHangs: when Flux never took over (bootstrap failed after
// flux install), deleting the Kustomization or the namespace times out;
// teardown reports each and still deletes the cluster, the policy and the
// bucket.
func TestTeardownNeverHangs(t *testing.T) {
	for _, hang := range []string{"delete kustomizations.kustomize.toolkit.fluxcd.io milvusgen-apps", "delete namespace milvus", "delete helmreleases"} {
		h := newStubbed(t, modeltest.Runbook())
		if _, stderr, code := h.run(BootstrapFile, []string{keyEnv}); code != 0 {
			t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
		}
		calls, stderr, code := h.run(TeardownFile, []string{"STUB_HANG=" + hang}, "--yes")
		if code != 0 {
			t.Fatalf("%s: exit %d:\n%s", hang, code, stderr)
		}
		if !strings.Contains(stderr, "did not finish, going on") {
			t.Errorf("%s: no report:\n%s", hang, stderr)
		}
		inOrder(t, calls, "eksctl delete cluster", "aws iam delete-policy ", "aws s3api delete-bucket")
	}
}

// TestBootstrapKafkaSecrets: with an external Kafka, bootstrap.sh stops
// before the GitOps engine starts Milvus until the user has made the
// Kafka Secrets, says how to make them, and never makes them itself.
func TestBootstrapKafkaSecrets(t *testing.T) {
	s := modeltest.Runbook()
	s.Milvus.MessageQueue = model.ExternalKafka
	s.Milvus.ExternalKafka = &model.KafkaCluster{
		Brokers:          []string{"b-1.milvus.abc123.c2.kafka.us-east-2.amazonaws.com:9096"},
		SecurityProtocol: model.KafkaSASLSSL,
		SASL:             &model.KafkaSASL{Mechanism: "SCRAM-SHA-512", SecretName: "msk-milvus", UsernameKey: "username", PasswordKey: "password"},
		TLS:              &model.KafkaTLS{CASecret: model.SecretKey{Name: "kafka-ca", Key: "ca.crt"}},
	}
	h := newStubbed(t, s)
	h.setState("k8s-secret-msk-milvus-username", "")
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv})
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, stderr)
	}
	for _, want := range []string{
		"kubectl -n milvus create secret generic msk-milvus --from-file=username=./username --from-file=password=./password",
		"kubectl -n milvus create secret generic kafka-ca --from-file=ca.crt=./ca.crt",
		"create the Secrets above, then run bootstrap.sh again",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	none(t, calls, "create secret generic msk-milvus", "create secret generic kafka-ca", "apply -k", "flux install")
	h.setState("k8s-secret-msk-milvus-password", "")
	h.setState("k8s-secret-kafka-ca-ca.crt", "")
	calls, stderr, code = h.run(BootstrapFile, []string{keyEnv})
	if code != 0 {
		t.Fatalf("with the Secrets: exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		`kubectl -n milvus get secret msk-milvus -o go-template={{if index .data "password"}}yes{{end}}`,
		`kubectl -n milvus get secret kafka-ca -o go-template={{if index .data "ca.crt"}}yes{{end}}`,
		"kubectl apply -k ../flux")
	none(t, calls, "create secret generic msk-milvus", "create secret generic kafka-ca")
}
