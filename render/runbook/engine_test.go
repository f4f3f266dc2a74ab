package runbook

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

func installed(s *model.Spec) { f := false; s.GitOps.Install = &f }

// TestBootstrapExistingFlux: with gitops.install false, bootstrap.sh never
// runs flux install; it refuses a Flux older than the tree needs (or one
// whose version it cannot read) before registering anything, and with a
// newer one registers the repository and the Kustomizations.
func TestBootstrapExistingFlux(t *testing.T) {
	h := newStubbed(t, modeltest.Variant(installed))
	for _, tc := range []struct{ version, want string }{
		{"v2.2.3", "the installed Flux is 2.2.3, older than 2.3"},
		{"", "cannot read the installed Flux's version"},
	} {
		calls, stderr, code := h.run(BootstrapFile, []string{keyEnv, "STUB_FLUX_SERVER_VERSION=" + tc.version})
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("Flux %q: exit %d, stderr:\n%s", tc.version, code, stderr)
		}
		none(t, calls, "flux install", "apply -k", "flux create secret")
	}
	calls, stderr, code := h.run(BootstrapFile, []string{keyEnv, "STUB_FLUX_SERVER_VERSION=v2.10.1"})
	if code != 0 {
		t.Fatalf("newer Flux: exit %d:\n%s", code, stderr)
	}
	none(t, calls, "flux install")
	inOrder(t, calls,
		"kubectl get namespace flux-system -o jsonpath",
		"flux create secret git milvusgen-git",
		"kubectl apply -k ../flux",
		"kubectl -n flux-system wait kustomization/milvusgen-apps")

	// The default still installs the pinned Flux.
	calls, _, _ = newStubbed(t, modeltest.Runbook()).run(BootstrapFile, []string{keyEnv})
	inOrder(t, calls, "flux install --version=v2.9.5")
	none(t, calls, "kubectl get namespace flux-system -o jsonpath")
}

// TestBootstrapExistingArgoCD: the same for Argo CD, whose version is the
// argocd-server image's tag; nothing of the install manifest is applied
// and argocd-cm is not patched.
func TestBootstrapExistingArgoCD(t *testing.T) {
	h := newArgoCDStubbed(t, argoSpec(installed))
	for _, tc := range []struct{ image, want string }{
		{"quay.io/argoproj/argocd:v2.14.9", "the installed Argo CD is 2.14.9, older than 3.0"},
		{"", "cannot read the installed Argo CD's version"},
	} {
		calls, stderr, code := h.run(BootstrapFile, []string{argoKeyEnv, "STUB_ARGOCD_IMAGE=" + tc.image})
		if code == 0 || !strings.Contains(stderr, tc.want) {
			t.Errorf("Argo CD %q: exit %d, stderr:\n%s", tc.image, code, stderr)
		}
		none(t, calls, "--server-side --force-conflicts", "patch configmap argocd-cm", "apply --server-side -k")
	}
	calls, stderr, code := h.run(BootstrapFile, []string{argoKeyEnv, "STUB_ARGOCD_IMAGE=quay.io/argoproj/argocd:v3.6.0"})
	if code != 0 {
		t.Fatalf("newer Argo CD: exit %d:\n%s", code, stderr)
	}
	none(t, calls, "--server-side --force-conflicts", "patch configmap argocd-cm", "create namespace argocd")
	inOrder(t, calls,
		"kubectl -n argocd get deployment argocd-server",
		"kubectl -n argocd create secret generic",
		"kubectl apply --server-side -k")
	if !strings.Contains(stderr, "argocd-cm has no health check for Applications") {
		t.Errorf("a missing Application health check is not reported:\n%s", stderr)
	}
	_, stderr, _ = h.run(BootstrapFile, []string{argoKeyEnv, "STUB_ARGOCD_IMAGE=quay.io/argoproj/argocd:v3.6.0", "STUB_ARGOCD_HEALTH=hs = {}"})
	if strings.Contains(stderr, "no health check") {
		t.Errorf("health check present but reported:\n%s", stderr)
	}
}
