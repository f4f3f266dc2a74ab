package runbook

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// newArgoCDStubbed is newStubbed for the Argo CD scripts: the stand-ins
// answer the Argo CD calls from testdata/argocd-stub.bash first, then as
// testdata/stub.bash does; aws and eksctl are internal/awsstub's.
func newArgoCDStubbed(t *testing.T, s *model.Spec) *stubbed {
	t.Helper()
	h := newStubbed(t, s, "aws", "eksctl", "kubectl")
	argo, err := os.ReadFile(filepath.Join("testdata", "argocd-stub.bash"))
	if err != nil {
		t.Fatal(err)
	}
	shared, err := os.ReadFile(filepath.Join("testdata", "stub.bash"))
	if err != nil {
		t.Fatal(err)
	}
	stub := append([]byte("#!"+h.bash+"\n"), append(argo, shared...)...)
	for _, name := range []string{"kubectl", "mktemp", "sleep"} {
		p := filepath.Join(h.bin, name)
		_ = os.Remove(p)
		if err := os.WriteFile(p, stub, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return h
}

const argoKeyEnv = "ARGOCD_GIT_PRIVATE_KEY_FILE=/keys/deploy"

func argoSpec(edit func(*model.Spec)) *model.Spec {
	s := modeltest.ArgoCDVariants()["argocd"]
	if edit != nil {
		edit(s)
	}
	return s
}

// TestArgoCDBootstrap: the AWS steps as for Flux, then the pinned Argo CD,
// the health check, the repository Secret from the environment, the
// AppProject and root Application, and the waits in wave order. A second
// run creates nothing again.
func TestArgoCDBootstrap(t *testing.T) {
	h := newArgoCDStubbed(t, argoSpec(nil))
	calls, stderr, code := h.run(BootstrapFile, []string{argoKeyEnv})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"aws s3api create-bucket",
		"aws iam create-policy ",
		"eksctl create cluster -f eksctl-cluster.yaml",
		"kubectl -n milvus create secret generic milvus-root",
		"kubectl create namespace argocd",
		"kubectl apply --server-side --force-conflicts -k ",
		"kubectl -n argocd patch configmap argocd-cm --type merge -p {\"data\":{\""+argocd.HealthCheckKey+"\"",
		"kubectl -n argocd rollout status statefulset/argocd-application-controller",
		"kubectl -n argocd get secret milvusgen-git",
		"kubectl -n argocd create secret generic milvusgen-git --from-literal=type=git --from-literal=url=ssh://git@github.com/acme/fleet.git --from-file=sshPrivateKey=/keys/deploy",
		"kubectl -n argocd label secret milvusgen-git --overwrite argocd.argoproj.io/secret-type=repository",
		"kubectl apply --server-side -k ../argocd",
		"kubectl -n argocd get application milvusgen-infrastructure",
		"kubectl -n argocd get application milvusgen-apps",
	)
	none(t, calls, "flux ")
	// The install kustomization names the pinned manifest.
	if !strings.Contains(h.readState(t, "install-kustomization"), "- "+ArgoCDInstall+"\n") {
		t.Errorf("install kustomization:\n%s", h.readState(t, "install-kustomization"))
	}

	calls, stderr, code = h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("second run exit %d:\n%s", code, stderr)
	}
	none(t, calls, "create secret generic milvusgen-git", "eksctl create cluster", "kubectl create namespace argocd")
}

// TestArgoCDBootstrapToken: an https repository's token goes through
// stdin, never a command line, and is checked before anything is created.
func TestArgoCDBootstrapToken(t *testing.T) {
	h := newArgoCDStubbed(t, argoSpec(func(s *model.Spec) {
		s.GitOps.Repository.URL = "https://github.com/acme/fleet.git"
		s.GitOps.Repository.SecretName = "fleet-token"
	}))
	calls, stderr, code := h.run(BootstrapFile, []string{"ARGOCD_GIT_USERNAME=bot"})
	if code == 0 || !strings.Contains(stderr, "set ARGOCD_GIT_PASSWORD") {
		t.Fatalf("without a token: exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "create secret generic fleet-token", "apply --server-side -k ../argocd")
	calls, stderr, code = h.run(BootstrapFile, []string{"ARGOCD_GIT_USERNAME=bot", "ARGOCD_GIT_PASSWORD=s3cr3t"})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls, "create secret generic fleet-token", "stdin password=s3cr3t", "label secret fleet-token")
	for _, c := range calls {
		if strings.Contains(c, "s3cr3t") && !strings.HasPrefix(c, "stdin ") {
			t.Errorf("the token is on a command line: %q", c)
		}
	}
}

// TestArgoCDBootstrapNeverHangs: an Application that never becomes
// Healthy ends the wait with a message naming it.
func TestArgoCDBootstrapNeverHangs(t *testing.T) {
	h := newArgoCDStubbed(t, argoSpec(nil))
	h.setState("unhealthy", "")
	_, stderr, code := h.run(BootstrapFile, []string{argoKeyEnv})
	if code == 0 || !strings.Contains(stderr, "Application milvusgen-infrastructure is not Healthy and Synced after 900s (status: Progressing Synced)") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
}

// TestArgoCDBootstrapDirect: without a repository the trees are applied
// in order, the LB controller Healthy before Milvus.
func TestArgoCDBootstrapDirect(t *testing.T) {
	h := newArgoCDStubbed(t, modeltest.ArgoCDVariants()["argocd-no-git"])
	calls, stderr, code := h.run(BootstrapFile, nil)
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"kubectl apply --server-side -k ../argocd",
		"kubectl apply --server-side -k ../kubernetes/infrastructure",
		"get application aws-load-balancer-controller",
		"kubectl apply --server-side -k ../kubernetes/apps/milvus",
		"get application milvus-demo")
	none(t, calls, "secret-type=repository")
}

// TestArgoCDTeardown: without --delete-data nothing is deleted while the
// Milvus namespace has volumes that go with it; with it, the app of apps
// is released first, Argo CD uninstalls Milvus while the LB controller
// runs, load balancers and volumes are waited for, then the cluster goes.
func TestArgoCDTeardown(t *testing.T) {
	h := newArgoCDStubbed(t, argoSpec(nil))
	if _, stderr, code := h.run(BootstrapFile, []string{argoKeyEnv}); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	h.setState("pvs", "pvc-etcd-0 milvus Delete vol-0123\n")

	calls, stderr, code := h.run(TeardownFile, nil, "--yes")
	if code != 1 || !strings.Contains(stderr, "would be deleted with it: pvc-etcd-0") || !strings.Contains(stderr, "--delete-data") {
		t.Fatalf("without --delete-data: exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "delete application", "delete namespace", "eksctl delete cluster")

	calls, stderr, code = h.run(TeardownFile, nil, "--yes", "--delete-data")
	if code != 0 {
		t.Fatalf("with --delete-data: exit %d, stderr:\n%s", code, stderr)
	}
	inOrder(t, calls,
		"kubectl -n argocd patch application milvusgen --type merge -p {\"metadata\":{\"finalizers\":null}}",
		"kubectl -n argocd delete application milvusgen --ignore-not-found",
		"kubectl -n argocd delete application milvusgen-apps",
		"kubectl -n argocd delete application milvusgen-infrastructure",
		"kubectl -n argocd delete application milvus-demo --ignore-not-found --wait=false",
		"kubectl -n argocd wait application/milvus-demo --for=delete --timeout=15m",
		"kubectl -n milvus get services",
		"kubectl delete namespace milvus",
		"kubectl wait pv/pvc-etcd-0 --for=delete",
		"kubectl -n argocd delete application aws-load-balancer-controller",
		"eksctl delete cluster -f eksctl-cluster.yaml --wait",
		"aws iam delete-policy ",
		"aws s3api delete-bucket")
	if left := h.stateLeft(); len(left) != 0 {
		t.Errorf("state left after teardown: %v", left)
	}
}

// TestArgoCDTeardownWaitsForLoadBalancers: Services Argo CD did not
// delete are deleted and waited for, bounded; one that stays is reported
// and the teardown goes on.
func TestArgoCDTeardownWaitsForLoadBalancers(t *testing.T) {
	h := newArgoCDStubbed(t, argoSpec(nil))
	if _, stderr, code := h.run(BootstrapFile, []string{argoKeyEnv}); code != 0 {
		t.Fatalf("bootstrap exit %d:\n%s", code, stderr)
	}
	h.setState("lb-stuck", "")
	calls, stderr, code := h.run(TeardownFile, []string{"MILVUSGEN_DELETE_DATA=milvus-eks-cluster", "MILVUSGEN_CONFIRM=milvus-eks-cluster"})
	if code != 0 || !strings.Contains(stderr, "did not finish, going on: kubectl -n milvus delete service milvus-demo --ignore-not-found --wait --timeout=15m") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	inOrder(t, calls, "kubectl -n milvus delete service milvus-demo", "eksctl delete cluster")
}

// TestArgoCDTeardownHalfBootstrapped: Argo CD never ran (bootstrap failed
// before it); teardown still deletes the cluster.
func TestArgoCDTeardownHalfBootstrapped(t *testing.T) {
	h := newArgoCDStubbed(t, argoSpec(nil))
	h.setState("cluster", "")
	calls, stderr, code := h.run(TeardownFile, nil, "--yes")
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	none(t, calls, "delete application")
	inOrder(t, calls, "eksctl delete cluster")
}

// TestArgoCDInstallKustomization builds the kustomization bootstrap.sh
// writes with krusty, over a stand-in for Argo CD's install.yaml: every
// namespaced object and every ServiceAccount subject of a
// ClusterRoleBinding moves to the spec's namespace; cluster-scoped
// objects get none.
func TestArgoCDInstallKustomization(t *testing.T) {
	fs := filesys.MakeFsInMemory()
	install := `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: applications.argoproj.io
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: argocd-server
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: argocd-server
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: argocd-server}
subjects:
- kind: ServiceAccount
  name: argocd-server
  namespace: argocd
`
	if err := fs.WriteFile("/install.yaml", []byte(install)); err != nil {
		t.Fatal(err)
	}
	k := fmt.Sprintf(installKustomization, "install.yaml", "gitops")
	if err := fs.WriteFile("/kustomization.yaml", []byte(k)); err != nil {
		t.Fatal(err)
	}
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, "/")
	if err != nil {
		t.Fatal(err)
	}
	out, _ := m.AsYaml()
	got := string(out)
	for _, want := range []string{"  name: argocd-server\n  namespace: gitops\n", "  namespace: gitops\n---\napiVersion: rbac"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "namespace: argocd") {
		t.Errorf("argocd namespace left:\n%s", got)
	}
	if crd := strings.Split(got, "---")[0]; strings.Contains(crd, "namespace:") {
		t.Errorf("cluster-scoped CRD got a namespace:\n%s", crd)
	}
	// The printf format in bootstrap.sh is the same text.
	if _, err := exec.LookPath("bash"); err == nil {
		bs := buildArgoCDBootstrap(argoSpec(nil))
		if !strings.Contains(bs, quote(strings.ReplaceAll(installKustomization, "\n", `\n`))) {
			t.Error("bootstrap.sh does not write installKustomization")
		}
	}
}

func (h *stubbed) readState(t *testing.T, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(h.state, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// argoCDCases are the Argo CD scripts' golden cases.
func argoCDCases() map[string]*model.Spec {
	out := modeltest.ArgoCDVariants()
	out["argocd-https-token-kms"] = argoSpec(func(s *model.Spec) {
		s.GitOps.Repository = model.Repository{URL: "https://git.example.com/acme/fleet.git", Branch: "prod", SecretName: "fleet-token"}
		s.Storage.StorageClass.KMSKeyID = modeltest.KMSKeyID
	})
	for name, s := range modeltest.HubVariants() {
		out["hub-"+name] = s
	}
	out["hub-manual"] = modeltest.HubVariants()["dev"]
	out["hub-manual"].GitOps.ArgoCD.Automated = false
	return out
}

// TestArgoCDScripts runs the Flux scripts' static checks on the Argo CD
// ones: golden files, bash syntax, every create behind a check, every
// variable set and used (read from the shell parser's syntax tree).
func TestArgoCDScripts(t *testing.T) {
	bash := needBash(t)
	inputs := map[string]bool{"ARGOCD_GIT_PRIVATE_KEY_FILE": true, "ARGOCD_GIT_USERNAME": true, "ARGOCD_GIT_PASSWORD": true,
		"MILVUS_ROOT_PASSWORD": true, confirmEnv: true, deleteDataEnv: true, "BASH": true}
	for name, s := range argoCDCases() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				golden.Assert(t, filepath.Join("testdata", name, filepath.FromSlash(f.Path)), f.Data)
				text := string(f.Data)
				checkBashSyntax(t, bash, f.Path, text)
				for _, p := range uncheckedCreates(text) {
					t.Errorf("%s: %s", f.Path, p)
				}
				if strings.Contains(text, "flux ") {
					t.Errorf("%s calls flux", f.Path)
				}
				checkVariables(t, f.Path, text, inputs)
			}
		})
	}
}
