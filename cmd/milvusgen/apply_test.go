package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/milvusgen/milvusgen/internal/testenv"
)

func TestApplyUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"apply"}, "no spec given"},
		{[]string{"apply", "-f", "x.cue", "--push"}, "--push needs --repo"},
		{[]string{"apply", "-f", "x.cue", "--path", "p"}, "--path needs --repo"},
		{[]string{"apply", "-f", "x.cue", "--repo", ".", "--push", "--dry-run"}, "--push and --dry-run exclude each other"},
		{[]string{"apply", "-f", "x.cue", "--inventory", "nope"}, `--inventory "nope": want NAMESPACE/NAME`},
		{[]string{"apply", "-f", "x.cue", "--timeout", "0s"}, "--timeout must be positive"},
		{[]string{"apply", "-f", "x.cue", "--bogus"}, "unknown flag: --bogus"},
	} {
		code, _, stderr := milvusgen(t, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	code, stdout, _ := milvusgen(t, "apply", "--help")
	if code != exitOK || !strings.Contains(stdout, "--prune") || !strings.Contains(stdout, "HelmRelease/milvus/milvus-demo configured") {
		t.Errorf("apply --help: exit %d\n%s", code, stdout)
	}
}

// TestApplyCluster runs milvusgen apply against a real API server: a dry
// run, the apply, a no-op re-apply, and --wait timing out because no Flux
// controller runs.
func TestApplyCluster(t *testing.T) {
	env := testenv.Start(t)
	kc := "--kubeconfig=" + env.Kubeconfig

	// Before Flux is installed, every Flux object is refused: the command
	// fails, names each with its file, and applies the rest.
	refused := strings.Replace(readFile(t, "../../examples/minimal/spec.yaml"), "name: milvus-demo", "name: refused\nmilvus: {namespace: refused}", 1)
	t0 := time.Now()
	var out, errb bytes.Buffer
	code := run([]string{"apply", today, "-f", "-", kc, "--inventory=kube-system/refused"}, strings.NewReader(refused), &out, &errb)
	stdout, stderr := out.String(), errb.String()
	t.Logf("refused apply took %s", time.Since(t0))
	if code != exitFailure {
		t.Fatalf("apply without Flux CRDs: exit %d, want 1\n%s%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "Namespace/refused created\n") || !strings.Contains(stdout, "StorageClass/ebs-gp3-sc created\n") ||
		!strings.Contains(stdout, "apply: 6 objects: 2 created, 4 failed\n") {
		t.Errorf("stdout:\n%s", stdout)
	}
	want := `error: HelmRelease/refused/refused (kubernetes/apps/milvus/milvus.yaml): no matches for kind "HelmRelease" in version "helm.toolkit.fluxcd.io/v2": the cluster does not serve this kind; install its CustomResourceDefinition first (Flux kinds: flux install)`
	if !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr)
	}

	env.InstallCRDs(t, append(testenv.FluxCRDs(t), testenv.ChartCRDs(t, testenv.LBControllerChart)...))
	cs, err := kubernetes.NewForConfig(env.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.CoreV1().Namespaces().Create(context.Background(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "flux-system"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	runbook := "../../examples/runbook/spec.cue"

	code, stdout, stderr = milvusgen(t, "apply", today, "-f", runbook, kc, "--dry-run")
	if code != exitOK {
		t.Fatalf("apply --dry-run: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"Namespace/milvus created (server dry run)\n",
		"StorageClass/ebs-gp3-sc unchanged (server dry run)\n", // applied by the refused run

		"HelmRelease/kube-system/aws-load-balancer-controller created (server dry run)\n",
		"HelmRelease/milvus/milvus-demo created (server dry run): namespace milvus is created by this apply; not validated by the dry run\n",
		"GitRepository/flux-system/milvusgen created (server dry run)\n",
		"apply: 9 objects: 8 created, 1 unchanged (server dry run)\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("apply --dry-run output lacks %q:\n%s", want, stdout)
		}
	}
	if _, err := cs.CoreV1().Namespaces().Get(context.Background(), "milvus", metav1.GetOptions{}); err == nil {
		t.Fatal("apply --dry-run created namespace milvus")
	}

	code, stdout, stderr = milvusgen(t, "apply", today, "-f", runbook, kc)
	if code != exitOK || !strings.Contains(stdout, "HelmRelease/milvus/milvus-demo created\n") || !strings.HasSuffix(stdout, "apply: 9 objects: 8 created, 1 unchanged\n") {
		t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = milvusgen(t, "apply", today, "-f", runbook, kc)
	if code != exitOK || !strings.HasSuffix(stdout, "apply: 9 objects: 9 unchanged\n") {
		t.Fatalf("second apply: exit %d\n%s%s", code, stdout, stderr)
	}

	code, stdout, stderr = milvusgen(t, "apply", today, "-f", runbook, kc, "--wait", "--timeout=1s")
	if code != exitFailure || !strings.Contains(stdout, "wait: 2/9 ready after 0s; waiting for HelmRelease/kube-system/aws-load-balancer-controller InProgress: waiting for the Flux controller") ||
		!strings.Contains(stderr, "milvusgen: wait failed: timed out after 1s waiting for 7 of 9 objects") {
		t.Errorf("apply --wait without Flux controllers: exit %d\n%s%s", code, stdout, stderr)
	}

	// Git and cluster in one run; the commit's path defaults to the spec's.
	work := filepath.Join(t.TempDir(), "fleet")
	if _, err := git.PlainInitWithOptions(work, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}}); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = milvusgen(t, "apply", today, "-f", runbook, "--repo", work, kc)
	if code != exitOK || !strings.Contains(stdout, "git: committed ") || !strings.Contains(stdout, " on main (") ||
		!strings.Contains(stdout, "under clusters/milvus-eks-cluster)") || !strings.HasSuffix(stdout, "apply: 9 objects: 9 unchanged\n") {
		t.Fatalf("apply --repo --kubeconfig: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = milvusgen(t, "apply", today, "-f", runbook, "--repo", work)
	if code != exitOK || stdout != "git: clusters/milvus-eks-cluster unchanged, nothing to commit\n" {
		t.Fatalf("apply --repo again: exit %d\n%s%s", code, stdout, stderr)
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestApplyHubRefusesCluster: a cluster a hub Argo CD serves is not
// applied to directly; the message says what to do instead.
func TestApplyHubRefusesCluster(t *testing.T) {
	code, _, stderr := milvusgen(t, "apply", "-f", "../../examples/hub/base.cue", "-f", "../../examples/hub/staging.cue",
		"--kubeconfig", filepath.Join(t.TempDir(), "none"), "--dry-run", today)
	if code == 0 || !strings.Contains(stderr, `the hub Argo CD (gitops.argocd.mode "hub") syncs cluster milvus-hub-staging from Git`) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}
