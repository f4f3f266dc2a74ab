package runbook

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
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
	files, err := Render(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(h.dir, filepath.FromSlash(f.Path)), f.Data, f.Mode); err != nil {
			t.Fatal(err)
		}
	}
	stub, err := os.ReadFile(filepath.Join("testdata", "stub.bash"))
	if err != nil {
		t.Fatal(err)
	}
	stub = append([]byte("#!"+bash+"\n"), stub...)
	if len(tools) == 0 {
		tools = []string{"aws", "eksctl", "kubectl", "flux"}
	}
	for _, name := range tools {
		if err := os.WriteFile(filepath.Join(h.bin, name), stub, 0o755); err != nil {
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
	return calls, errb.String(), code
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
		"aws s3api create-bucket --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-2 --acl private --object-ownership ObjectWriter --create-bucket-configuration LocationConstraint=us-east-2",
		"aws s3api put-public-access-block --bucket milvus-bucket-039dd013c0712f085d60e21f",
		"aws iam get-policy --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite",
		"aws iam create-policy --policy-name MilvusS3ReadWrite --policy-document file://iam/milvus-s3-readwrite.json",
		"eksctl get cluster --name milvus-eks-cluster --region us-east-2",
		"eksctl create cluster -f eksctl-cluster.yaml",
		"aws eks update-kubeconfig --region us-east-2 --name milvus-eks-cluster",
		"flux install",
		"kubectl -n flux-system get secret milvusgen-git",
		"flux create secret git milvusgen-git --namespace flux-system --url ssh://git@github.com/acme/fleet.git --private-key-file /keys/deploy",
		"kubectl apply -k ../flux",
		"kubectl -n flux-system wait kustomization/milvusgen-infrastructure --for=condition=Ready",
		"kubectl -n flux-system wait kustomization/milvusgen-apps --for=condition=Ready",
		"kubectl get svc -n milvus",
	)
	none(t, calls, "create-policy-version", "storageclass gp2")

	// The second run needs no deploy key: the Secret exists. The policy
	// gets the rendered document as a new default version.
	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("second run exit %d:\n%s", code, stderr)
	}
	none(t, calls, "create-bucket", "create-policy ", "create cluster", "create secret")
	inOrder(t, calls,
		"aws iam create-policy-version --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --policy-document file://iam/milvus-s3-readwrite.json --set-as-default",
		"kubectl apply -k ../flux")
	none(t, calls, "delete-policy-version")

	// With IAM's five versions in use, the oldest non-default one goes first.
	h.setState("versions", "5\n")
	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("third run exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls, "aws iam delete-policy-version --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --version-id v1",
		"aws iam create-policy-version")
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
		"aws s3api create-bucket --bucket milvus-bucket-039dd013c0712f085d60e21f --region us-east-1 --acl private --object-ownership ObjectWriter",
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
		h.setState("versions", "3\n")
		calls, stderr, code := h.run(TeardownFile, confirm.env, confirm.args...)
		if code != 0 {
			t.Fatalf("teardown exit %d:\n%s", code, stderr)
		}
		inOrder(t, calls,
			"aws sts get-caller-identity",
			"aws eks update-kubeconfig --region us-east-2 --name milvus-eks-cluster",
			"kubectl -n flux-system delete kustomizations.kustomize.toolkit.fluxcd.io milvusgen-apps --ignore-not-found --wait",
			"kubectl wait namespace/milvus --for=delete",
			"kubectl get pv",
			"kubectl -n flux-system delete kustomizations.kustomize.toolkit.fluxcd.io milvusgen-infrastructure",
			"kubectl -n kube-system wait helmreleases.helm.toolkit.fluxcd.io/aws-load-balancer-controller --for=delete",
			"eksctl delete cluster -f eksctl-cluster.yaml --wait",
			"aws iam delete-policy-version --policy-arn arn:aws:iam::123456789012:policy/MilvusS3ReadWrite --version-id v3",
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
		"kubectl wait namespace/milvus --for=delete",
		"kubectl delete -k ../kubernetes/infrastructure --ignore-not-found --wait",
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
