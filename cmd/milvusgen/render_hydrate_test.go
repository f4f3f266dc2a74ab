package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/shared"
)

func TestRenderHydrate(t *testing.T) {
	charts := shared.MustPath(t, "charts")
	out := filepath.Join(t.TempDir(), "tree")
	args := []string{"render", today, "-q", "-f", "../../examples/runbook/spec.cue", "-o", out, "--hydrate", "--chart-dir", charts}
	if code, _, stderr := milvusgen(t, args...); code != 0 {
		t.Fatalf("render --hydrate: exit %d: %s", code, stderr)
	}
	first := tree(t, out)
	for _, p := range []string{"hydrated/milvus/milvus-demo.yaml", "hydrated/kube-system/aws-load-balancer-controller.yaml"} {
		data, err := os.ReadFile(filepath.Join(out, p))
		if err != nil || !strings.Contains(string(data), "Hydrated for review only") {
			t.Errorf("%s: %v", p, err)
		}
	}
	// Rendering again is byte-identical and --check agrees.
	if code, _, stderr := milvusgen(t, append(args, "--check")...); code != 0 {
		t.Errorf("render --hydrate --check right after render: exit %d: %s", code, stderr)
	}
	if code, _, stderr := milvusgen(t, args...); code != 0 || tree(t, out) != first {
		t.Errorf("second render --hydrate changed the tree (exit %d: %s)", code, stderr)
	}
	// The tree remembers its options: --check and a plain render keep it
	// hydrated, from the recorded chart directory.
	if code, _, stderr := milvusgen(t, "render", today, "-f", "../../examples/runbook/spec.cue", "-o", out, "--check"); code != 0 {
		t.Errorf("render --check without --hydrate on a hydrated tree: exit %d: %s", code, stderr)
	}
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", "../../examples/runbook/spec.cue", "-o", out); code != 0 || tree(t, out) != first {
		t.Errorf("a plain render changed the hydrated tree (exit %d: %s)", code, stderr)
	}
	// The command --check suggests is the whole one, recalled options
	// spelled out.
	if err := os.WriteFile(filepath.Join(out, "aws", "bootstrap.sh"), []byte("edited\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := milvusgen(t, "render", today, "-f", "../../examples/runbook/spec.cue", "-o", out, "--check")
	if want := "--hydrate --chart-dir " + charts; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("render --check of a stale hydrated tree: exit %d, want 1 and a command with %q: %s", code, want, stderr)
	}
	// Told otherwise, the hydrated files are stale.
	if code, _, stderr := milvusgen(t, "render", today, "-f", "../../examples/runbook/spec.cue", "-o", out, "--check", "--hydrate=false"); code != 1 || !strings.Contains(stderr, "hydrated/milvus/milvus-demo.yaml") {
		t.Errorf("render --check --hydrate=false: exit %d: %s", code, stderr)
	}
}

func TestRenderHydrateNeedsCharts(t *testing.T) {
	empty := t.TempDir()
	code, _, stderr := milvusgen(t, "render", today, "-f", "../../examples/runbook/spec.cue", "-o", filepath.Join(t.TempDir(), "x"), "--hydrate", "--chart-dir", empty)
	if code != 1 || !strings.Contains(stderr, "milvusgen chart pull -f ../../examples/runbook/spec.cue --chart-dir") {
		t.Errorf("render --hydrate with an empty cache: exit %d, want 1 and the fix: %s", code, stderr)
	}
}

// TestRenderHydrateHub: a hub-mode tree holds no Application, yet
// --hydrate renders both charts with the environment's values, as the hub
// installs them, and the tree stays without the generated Applications.
func TestRenderHydrateHub(t *testing.T) {
	charts := shared.MustPath(t, "charts")
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"render", today, "-q", "-f", "../../examples/hub/base.cue", "-f", "../../examples/hub/staging.cue",
		"-o", out, "--hydrate", "--chart-dir", charts}
	if code, _, stderr := milvusgen(t, args...); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if code, _, stderr := milvusgen(t, append(args, "--check")...); code != 0 {
		t.Errorf("render --hydrate --check right after render: exit %d: %s", code, stderr)
	}
	for _, p := range []string{"hydrated/milvus/milvus.yaml", "hydrated/kube-system/aws-load-balancer-controller.yaml"} {
		data, err := os.ReadFile(filepath.Join(out, p))
		if err != nil || !strings.Contains(string(data), "kind: Deployment") {
			t.Errorf("%s: %v, want the chart's Deployments", p, err)
		}
	}
	if _, err := os.Stat(filepath.Join(out, ".hub")); err == nil {
		t.Error("the generated Applications were left in the tree")
	}
}
