package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/milvusgen/milvusgen/internal/shared"
)

const runbookSpec = "../../examples/runbook/spec.cue"

// changedRunbook writes the runbook example with the changes a reviewer
// must not miss: another bucket, a public load balancer open to the
// world, another instance type, and HA off.
func changedRunbook(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(runbookSpec)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, r := range [][2]string{
		{"milvus-bucket-039dd013c0712f085d60e21f", "milvus-bucket-moved-0001"},
		{`scheme: "internal"`, `scheme: "internet-facing", allowPublic: true`},
		{`sourceRanges: ["10.0.0.0/8"]`, `sourceRanges: ["0.0.0.0/0"]`},
		{`"m6i.4xlarge"`, `"r6i.4xlarge"`},
		{"highAvailability: true", "highAvailability: false"},
	} {
		if !strings.Contains(s, r[0]) {
			t.Fatalf("the runbook example no longer holds %q; update this test", r[0])
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	p := filepath.Join(t.TempDir(), "spec.cue")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

type jsonDiff struct {
	Equal bool `json:"equal"`
	Flags []struct {
		Category string `json:"category"`
		Field    string `json:"field"`
		Reason   string `json:"reason"`
		Object   string `json:"object"`
	} `json:"flags"`
	Changes []struct {
		ID   struct{ Kind string } `json:"id"`
		Path string                `json:"path"`
		Op   string                `json:"op"`
	} `json:"changes"`
}

func decodeDiff(t *testing.T, out string) jsonDiff {
	t.Helper()
	var d jsonDiff
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("diff --format json output does not parse: %v\n%s", err, out)
	}
	return d
}

// wantFlags checks that every expected flag (category, object, a reason
// substring) is in the report.
func wantFlags(t *testing.T, d jsonDiff, want [][3]string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, f := range d.Flags {
			if f.Category == w[0] && f.Object == w[1] && strings.Contains(f.Reason, w[2]) {
				found = true
			}
		}
		if !found {
			var got []string
			for _, f := range d.Flags {
				got = append(got, f.Category+" | "+f.Object+" | "+f.Reason)
			}
			t.Errorf("no %s flag on %s with %q; flags:\n%s", w[0], w[1], w[2], strings.Join(got, "\n"))
		}
	}
}

func TestDiffFlagsRiskyChanges(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", runbookSpec, "-o", old); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	charts := shared.MustPath(t, "charts")
	changed := changedRunbook(t)

	// The old tree has no hydrated/: diff hydrates it from the same charts.
	code, out, stderr := milvusgen(t, "diff", today, "-f", changed, "--against-dir", old, "--hydrate", "--chart-dir", charts, "--format", "json")
	if code != 1 {
		t.Fatalf("diff of a changed spec: exit %d, want 1: %s", code, stderr)
	}
	d := decodeDiff(t, out)
	wantFlags(t, d, [][3]string{
		{"data", "HelmRelease milvus/milvus-demo", "Milvus would start on empty storage"},
		{"network", "HelmRelease milvus/milvus-demo", `load balancer replaced (scheme "internal" → "internet-facing")`},
		{"network", "Service milvus/milvus-demo", "load balancer replaced"},
		{"network", "HelmRelease milvus/milvus-demo", "source ranges opened to 0.0.0.0/0"},
		{"infrastructure", "ClusterConfig milvus-eks-cluster", "node group milvus-node-group replaced"},
		{"availability", "HelmRelease milvus/milvus-demo", "mixCoordinator active standby turned off"},
		{"availability", "Deployment milvus/milvus-demo-mixcoord", "replicas 2 → 1"},
		{"availability", "Deployment milvus/milvus-demo-querynode", "rolling restart of the query nodes"},
		{"availability", "PodDisruptionBudget milvus/milvus-demo-etcd", "PodDisruptionBudget milvus-demo-etcd removed"},
	})
	for _, c := range d.Changes {
		// Without HA the etcd PodDisruptionBudget goes; everything else
		// only changes.
		if c.Op != "changed" && !(c.Op == "removed" && c.ID.Kind == "PodDisruptionBudget") {
			t.Errorf("%s %s: the change should only change objects", c.Op, c.Path)
		}
	}

	// Markdown for the pull request, and text.
	code, out, _ = milvusgen(t, "diff", today, "-f", changed, "--against-dir", old, "--format", "markdown")
	if code != 1 || !strings.Contains(out, "| **data** | HelmRelease milvus/milvus-demo | `/spec/values/externalS3/bucketName` |") {
		t.Errorf("markdown: exit %d:\n%s", code, out)
	}
	code, out, _ = milvusgen(t, "diff", today, "-f", changed, "--against-dir", old)
	if code != 1 || !strings.Contains(out, "! infrastructure ClusterConfig milvus-eks-cluster") || strings.Contains(out, "\x1b[") {
		t.Errorf("text (not a terminal: no colour): exit %d:\n%s", code, out)
	}
	if _, out, _ = milvusgen(t, "diff", today, "-f", changed, "--against-dir", old, "--color"); !strings.Contains(out, "\x1b[31m") {
		t.Errorf("--color: no ANSI colour in:\n%s", out)
	}

	// The same spec: equal, exit 0.
	code, out, stderr = milvusgen(t, "diff", today, "-f", runbookSpec, "--against-dir", old)
	if code != 0 || !strings.Contains(out, "no changes") {
		t.Errorf("diff of an unchanged spec: exit %d: %s%s", code, out, stderr)
	}
}

func TestDiffAgainstGitRef(t *testing.T) {
	root := t.TempDir()
	repo, err := git.PlainInit(root, false)
	if err != nil {
		t.Fatal(err)
	}
	// The tree where the spec's gitops.repository.path says it lives.
	tree := filepath.Join(root, "clusters", "milvus-eks-cluster")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", runbookSpec, "-o", tree); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(0, 0)}
	if _, err := wt.Commit("render", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	changed := changedRunbook(t)

	for _, args := range [][]string{
		{"--repo", root},                        // path from the spec, HEAD by default
		{"--repo", root, "--against", "master"}, // a branch
		{"--repo", tree, "--path", "clusters/milvus-eks-cluster", "--against", "HEAD"}, // found from inside
		{"--repo", root, "-o", tree, "--against", "HEAD"},                              // the render -o directory
	} {
		code, out, stderr := milvusgen(t, append([]string{"diff", today, "-f", changed, "--format", "json"}, args...)...)
		if code != 1 {
			t.Fatalf("diff %v: exit %d, want 1: %s", args, code, stderr)
		}
		wantFlags(t, decodeDiff(t, out), [][3]string{
			{"data", "HelmRelease milvus/milvus-demo", "empty storage"},
			{"infrastructure", "ClusterConfig milvus-eks-cluster", "instanceType"},
		})
	}
	if code, _, stderr := milvusgen(t, "diff", today, "-f", runbookSpec, "--repo", root); code != 0 {
		t.Errorf("diff of the committed spec: exit %d: %s", code, stderr)
	}
	// A path absent at the revision: everything is new.
	code, out, stderr := milvusgen(t, "diff", today, "-f", runbookSpec, "--repo", root, "--path", "clusters/other", "--format", "json")
	if d := decodeDiff(t, out); code != 1 || !strings.Contains(stderr, "every file is new") || len(d.Changes) == 0 || d.Changes[0].Op != "added" {
		t.Errorf("diff against an absent path: exit %d: %s", code, stderr)
	}
}

func TestDiffErrorsExit2(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"bad format", []string{"-f", runbookSpec, "--against-dir", ".", "--format", "yaml"}, "--format"},
		{"both against flags", []string{"-f", runbookSpec, "--against", "HEAD", "--against-dir", "."}, "exclude each other"},
		{"no spec", nil, "no spec given"},
		{"unknown revision", []string{"-f", runbookSpec, "--against", "no-such-branch"}, `git revision "no-such-branch"`},
		{"not a repository", []string{"-f", runbookSpec, "--repo", "/"}, "git repository at / open failed"},
		{"invalid spec", []string{"-f", "-", "--against-dir", "."}, "spec is invalid"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := milvusgen(t, append([]string{"diff", today}, tc.args...)...)
			if code != 2 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want 2 with %q: %s", code, tc.want, stderr)
			}
		})
	}
}

func TestDiffIgnoresCommittedHydrationWithoutHydrate(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	charts := shared.MustPath(t, "charts")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", runbookSpec, "-o", old, "--hydrate", "--chart-dir", charts); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	// Told not to hydrate, diff ignores the committed hydrated files.
	code, _, stderr := milvusgen(t, "diff", today, "-f", runbookSpec, "--against-dir", old, "--hydrate=false")
	if code != 0 || !strings.Contains(stderr, "pass --hydrate") {
		t.Errorf("diff --hydrate=false against a hydrated tree: exit %d: %s", code, stderr)
	}
	// Told nothing, it takes the tree's recorded options (issue 19 item
	// 5) and compares the hydrated files too.
	code, _, stderr = milvusgen(t, "diff", today, "-f", runbookSpec, "--against-dir", old)
	if code != 0 || strings.Contains(stderr, "pass --hydrate") {
		t.Errorf("diff against a hydrated tree, options recalled: exit %d: %s", code, stderr)
	}
	if code, _, stderr := milvusgen(t, "diff", today, "-f", runbookSpec, "--against-dir", old, "--hydrate", "--chart-dir", charts); code != 0 {
		t.Errorf("diff --hydrate against the same hydrated tree: exit %d: %s", code, stderr)
	}
}
