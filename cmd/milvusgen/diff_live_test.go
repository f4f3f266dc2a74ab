package main

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/internal/testenv"
)

// TestDiffLive compares the minimal example with a fresh API server:
// every object is to be created, Flux's kinds await their CRDs, nothing
// drifted; the exit code is diff's.
func TestDiffLive(t *testing.T) {
	env := testenv.Start(t)
	charts := shared.MustPath(t, "charts")
	args := []string{"diff", today, "-f", "../../examples/minimal/spec.yaml", "--live", "--kubeconfig", env.Kubeconfig, "--chart-dir", charts}
	code, stdout, stderr := milvusgen(t, args...)
	if code != exitFailure {
		t.Fatalf("exit %d, want 1 (different)\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{
		"milvusgen diff --live at " + env.Config.Host + ": 0 drifted, ",
		"+ HelmRelease/milvus/milvus-demo  kubernetes/apps/milvus/milvus.yaml (created by the release)",
		"+ StorageClass/ebs-gp3-sc  kubernetes/infrastructure/storageclass.yaml (create, as milvusgen)",
		"namespace milvus is created by this change",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	code, stdout, _ = milvusgen(t, append(args, "--format", "markdown")...)
	if code != exitFailure || !strings.HasPrefix(stdout, "### milvusgen diff --live\n") || !strings.Contains(stdout, "| create | Namespace/milvus |") {
		t.Errorf("markdown: exit %d\n%s", code, stdout)
	}
	if code, _, stderr = milvusgen(t, append(args, "--against", "HEAD")...); code != exitUsage || !strings.Contains(stderr, "--live compares with the cluster") {
		t.Errorf("--live --against: exit %d: %s", code, stderr)
	}
}
