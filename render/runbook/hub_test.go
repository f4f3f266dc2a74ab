package runbook

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// newHubStubbed is newArgoCDStubbed with the hub's calls answered by
// testdata/hub-stub.bash first.
func newHubStubbed(t *testing.T, s *model.Spec) *stubbed {
	t.Helper()
	h := newArgoCDStubbed(t, s)
	var stub []byte
	for _, f := range []string{"hub-stub.bash", "argocd-stub.bash", "stub.bash"} {
		data, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		stub = append(stub, data...)
	}
	stub = append([]byte("#!"+h.bash+"\n"), stub...)
	if err := os.WriteFile(filepath.Join(h.bin, "kubectl"), stub, 0o755); err != nil {
		t.Fatal(err)
	}
	return h
}

// TestHubBootstrap: a spoke's bootstrap.sh installs no Argo CD; it gives
// the hub's role an access entry with the cluster admin policy, writes the
// cluster Secret on the hub through a pipe (awsAuthConfig, the public CA,
// no credential), waits for the infrastructure, then sets the stage label
// and waits for Milvus. A rerun registers nothing again.
func TestHubBootstrap(t *testing.T) {
	s := modeltest.HubVariants()["dev"]
	h := newHubStubbed(t, s)
	calls, stderr, code := h.run(BootstrapFile, []string{argoKeyEnv})
	if code == 0 || !strings.Contains(stderr, "has no AppProject milvusgen") {
		t.Fatalf("without the hub tree applied: exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "eksctl create cluster", "create-access-entry", "apply --server-side --field-manager")
	h.setState("hub-project", "")
	calls, stderr, code = h.run(BootstrapFile, []string{argoKeyEnv})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	ctx := "kubectl --context " + modeltest.HubContext
	inOrder(t, calls,
		ctx+" -n argocd get appproject milvusgen",
		"eksctl create cluster",
		"aws eks create-access-entry --cluster-name milvus-dev --region us-east-2 --principal-arn "+modeltest.HubRoleARN+" --type STANDARD",
		"aws eks associate-access-policy --cluster-name milvus-dev --region us-east-2 --principal-arn "+modeltest.HubRoleARN+" --policy-arn "+model.HubAccessPolicy+" --access-scope type=cluster",
		ctx+" apply --server-side --field-manager=milvusgen -f -",
		ctx+" -n argocd get application milvus-dev-milvusgen-infrastructure",
		ctx+" -n argocd get application milvus-dev-aws-load-balancer-controller",
		ctx+" -n argocd label secret cluster-milvus-dev --overwrite milvusgen.io/stage=apps",
		ctx+" -n argocd get application milvus-dev-milvusgen-apps",
		ctx+" -n argocd get application milvus-dev-milvus-demo",
	)
	none(t, calls, "kubectl create namespace argocd", "--force-conflicts", "secret-type=repository", "argocd-cm")

	// The Secret on the hub is the one render/argocd builds, with what EKS
	// reported: the Secret the hub tree's generators select.
	var got corev1.Secret
	if err := json.Unmarshal([]byte(h.readState(t, "hub-secret")), &got); err != nil {
		t.Fatalf("the applied cluster Secret: %v\n%s", err, h.readState(t, "hub-secret"))
	}
	want, err := argocd.ClusterSecret(s, "https://STUB0123.gr7.stub.eks.amazonaws.com", "U1RVQiBDQQ==")
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(*want, got); d != "" {
		t.Errorf("cluster Secret (-want +got):\n%s", d)
	}
	for _, forbidden := range []string{"bearerToken", "password", "awsSecretAccessKey", "keyData", "execProviderConfig"} {
		if strings.Contains(h.readState(t, "hub-secret"), forbidden) {
			t.Errorf("the cluster Secret holds %s", forbidden)
		}
	}

	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("second run exit %d:\n%s", code, stderr)
	}
	noChanges(t, calls)
}

// TestHubBootstrapRefusesEndpoint: an endpoint that is not an https host
// name never reaches the Secret.
func TestHubBootstrapRefusesEndpoint(t *testing.T) {
	h := newHubStubbed(t, modeltest.HubVariants()["dev"])
	h.setState("hub-project", "")
	script := filepath.Join(h.dir, filepath.FromSlash(BootstrapFile))
	data, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	// What a hostile describe-cluster would answer.
	bad := strings.Replace(string(data), `--query cluster.endpoint --output text)"`, `--query cluster.endpoint --output text)\"'\"x"`, 1)
	if bad == string(data) {
		t.Fatal("bootstrap.sh changed shape; update this test")
	}
	if err := os.WriteFile(script, []byte(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	calls, stderr, code := h.run(BootstrapFile, []string{argoKeyEnv})
	if code == 0 || !strings.Contains(stderr, "is not an https host name") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "apply --server-side --field-manager")
}

// TestHubTeardown: the Secret loses its generator labels first, Milvus is
// uninstalled by the hub before the LB controller, then the cluster is
// deregistered before eksctl deletes it.
func TestHubTeardown(t *testing.T) {
	h := newHubStubbed(t, modeltest.HubVariants()["dev"])
	h.setState("hub-project", "")
	if _, stderr, code := h.run(BootstrapFile, []string{argoKeyEnv}); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	calls, stderr, code := h.run(TeardownFile, nil, "--yes", "--delete-data")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	ctx := "kubectl --context " + modeltest.HubContext + " -n argocd"
	inOrder(t, calls,
		ctx+" label secret cluster-milvus-dev milvusgen.io/fleet- milvusgen.io/cluster- milvusgen.io/stage-",
		ctx+" delete application milvus-dev-milvusgen-apps",
		ctx+" patch application milvus-dev-milvus-demo --type merge -p {\"metadata\":{\"finalizers\":[\"resources-finalizer.argocd.argoproj.io\"]}}",
		ctx+" delete application milvus-dev-milvus-demo",
		ctx+" delete application milvus-dev-aws-load-balancer-controller",
		ctx+" delete secret cluster-milvus-dev",
		"aws eks delete-access-entry --cluster-name milvus-dev",
		"eksctl delete cluster",
	)
}
