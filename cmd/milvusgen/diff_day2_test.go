package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const (
	prodBase    = "../../examples/fleet/base.cue"
	prodOverlay = "../../overlays/prod.cue"
)

// editedOverlay writes prod's overlay with each replacement made.
func editedOverlay(t *testing.T, repl ...[2]string) string {
	t.Helper()
	data, err := os.ReadFile(prodOverlay)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, r := range repl {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("overlays/prod.cue no longer holds %q; update this test", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	p := filepath.Join(t.TempDir(), "prod.cue")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestDiffScalingPR is the scaling pull request on prod: the node
// group's desiredCapacity and minSize to 6, and the query nodes to 6. The
// ClusterConfig change is flagged, at the top of the report, with the
// command aws/converge.sh runs on merge.
func TestDiffScalingPR(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", prodBase, "-f", prodOverlay, "-o", old); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	changed := editedOverlay(t,
		[2]string{"desiredCapacity: 4, minSize: 3", "desiredCapacity: 6, minSize: 6"},
		[2]string{"queryNode: {replicas: 3", "queryNode: {replicas: 6"})
	cmd := "eksctl scale nodegroup -f aws/eksctl-cluster.yaml --name milvus-r6i"
	for format, want := range map[string]string{
		"text":     "AWS steps, in the order aws/converge.sh runs them on merge:\n  1. node group milvus-r6i desiredCapacity 4 → 6, minSize 3 → 6 [nodegroup-scale]\n     $ " + cmd + "\n",
		"markdown": "**AWS steps**, in the order `aws/converge.sh` runs them on merge:\n\n1. node group milvus-r6i desiredCapacity 4 → 6, minSize 3 → 6: `" + cmd + "`\n",
	} {
		code, out, stderr := milvusgen(t, "diff", today, "-f", prodBase, "-f", changed, "--against-dir", old, "--format", format)
		if code != 1 {
			t.Fatalf("%s: exit %d, want 1: %s", format, code, stderr)
		}
		if !strings.Contains(out, want) {
			t.Errorf("%s: no AWS step %q in:\n%s", format, want, out)
		}
		if i, j := strings.Index(out, cmd), strings.Index(out, "ClusterConfig"); format == "markdown" && (i < 0 || j >= 0 && j < i) {
			t.Errorf("markdown: the step is not at the top:\n%s", out)
		}
	}
}

// TestDiffVersionBump: one minor version gives the control plane, then the
// addons that follow AWS's default, then the node group, in that order; a
// jump of two is refused with the path.
func TestDiffVersionBump(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	older := editedOverlay(t, [2]string{`name: "milvus-prod"`, `name: "milvus-prod", kubernetesVersion: "1.34"`})
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", prodBase, "-f", older, "-o", old); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	code, out, stderr := milvusgen(t, "diff", today, "-f", prodBase, "-f", prodOverlay, "--against-dir", old)
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, stderr)
	}
	steps := []string{
		"$ eksctl upgrade cluster --name milvus-prod --region us-west-2 --version 1.35 --approve",
		"addon eks-pod-identity-agent follows Kubernetes 1.35",
		"addon aws-ebs-csi-driver follows Kubernetes 1.35",
		"$ eksctl upgrade nodegroup --cluster milvus-prod --region us-west-2 --name milvus-r6i --kubernetes-version 1.35",
	}
	last := -1
	for _, s := range steps {
		i := strings.Index(out, s)
		if i <= last {
			t.Errorf("%q missing or out of order in:\n%s", s, out)
		}
		last = i
	}

	oldest := filepath.Join(t.TempDir(), "oldest")
	older = editedOverlay(t, [2]string{`name: "milvus-prod"`, `name: "milvus-prod", kubernetesVersion: "1.33"`})
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", prodBase, "-f", older, "-o", oldest); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	code, out, stderr = milvusgen(t, "diff", today, "-f", prodBase, "-f", prodOverlay, "--against-dir", oldest)
	if code != 2 || !strings.Contains(stderr, "diff: refused: Kubernetes 1.33 → 1.35 skips 1 minor versions") ||
		!strings.Contains(out, "set cluster.kubernetesVersion 1.33 → 1.34, merge") {
		t.Errorf("a two-minor jump: exit %d:\n%s\n%s", code, out, stderr)
	}
}

// TestDiffRenameIsANewEnvironment: a cluster renamed at the same GitOps
// path is refused, with the steps, the old teardown.sh named at its base.
func TestDiffRenameIsANewEnvironment(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", prodBase, "-f", prodOverlay, "-o", old); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	renamed := editedOverlay(t, [2]string{`name: "milvus-prod"`, `name: "milvus-prod-2"`})
	code, out, stderr := milvusgen(t, "diff", today, "-f", prodBase, "-f", renamed, "--against-dir", old)
	if code != 2 || !strings.Contains(stderr, `diff: refused: cluster renamed "milvus-prod" → "milvus-prod-2" at the same GitOps path`) {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, want := range []string{
		"1. keep this tree as it is on the base branch, and render the new cluster as a new environment at a new path",
		"2. merge it and run the new tree's aws/bootstrap.sh",
		"3. move the clients to the new load balancer's address",
		"4. tear the old cluster down with the old tree's script, fetched from the base branch: git show " + old + ":./aws/teardown.sh",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
}

// TestValidateRefusesKubernetesJump: validate -o DIR knows the running
// version from DIR's ClusterConfig, and refuses a jump of two minors with
// the path; one minor passes.
func TestValidateRefusesKubernetesJump(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	older := editedOverlay(t, [2]string{`name: "milvus-prod"`, `name: "milvus-prod", kubernetesVersion: "1.33"`})
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", prodBase, "-f", older, "-o", old); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	code, _, stderr := milvusgen(t, "validate", today, "-f", prodBase, "-f", prodOverlay, "-o", old)
	if code != 1 || !strings.Contains(stderr, "the tree in "+old+" runs 1.33: Kubernetes 1.33 → 1.35 skips 1 minor versions") ||
		!strings.Contains(stderr, "set cluster.kubernetesVersion to 1.34") {
		t.Errorf("exit %d:\n%s", code, stderr)
	}
	next := editedOverlay(t, [2]string{`name: "milvus-prod"`, `name: "milvus-prod", kubernetesVersion: "1.34"`})
	if code, _, stderr := milvusgen(t, "validate", today, "-f", prodBase, "-f", next, "-o", old); code != 0 {
		t.Errorf("one minor: exit %d:\n%s", code, stderr)
	}
}
