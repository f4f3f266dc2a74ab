package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/internal/spec/spectest"
	"github.com/milvusgen/milvusgen/internal/writer"
)

// TestDiffFleetUnrenderableExits2: issue 19 item 5. An environment that
// cannot be rendered is an error (exit 2), not "the trees differ" (1), and
// the message names it; the shipped workflow reads 1 as "different".
func TestDiffFleetUnrenderableExits2(t *testing.T) {
	dir := t.TempDir()
	specs := map[string]string{"a": fleetSpec("milvus-a", ""), "b": fleetSpec("milvus-b", "milvus: {messageQueue: nats}\n")}
	f := writeFleetDir(t, dir, specs)
	code, stdout, stderr := milvusgen(t, "diff", today, "--fleet", f, "--against-outputs")
	if code != exitUsage {
		t.Fatalf("exit %d, want 2:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "environment b cannot be rendered") || !strings.Contains(stderr, "milvus.messageQueue") {
		t.Errorf("stderr does not name environment b and its problem:\n%s", stderr)
	}
	if strings.Contains(stderr, "environment a cannot") {
		t.Errorf("names the sound environment a:\n%s", stderr)
	}
	if stdout != "" {
		t.Errorf("stdout holds a report: %s", stdout)
	}
}

// TestCompletionUnknownShellExits2: issue 19 item 5. cobra printed help
// and exited 0 for `completion tcsh`.
func TestCompletionUnknownShellExits2(t *testing.T) {
	for _, args := range [][]string{{"completion", "tcsh"}, {"completion"}} {
		code, stdout, stderr := milvusgen(t, args...)
		if code != exitUsage || !strings.Contains(stderr, "bash, fish, powershell, zsh") {
			t.Errorf("%v: exit %d, want 2 naming the shells:\n%s", args, code, stderr)
		}
		if stdout != "" {
			t.Errorf("%v: stdout: %s", args, stdout)
		}
	}
	if code, stdout, _ := milvusgen(t, "completion", "bash"); code != exitOK || !strings.Contains(stdout, "bash completion") {
		t.Errorf("completion bash: exit %d", code)
	}
}

// TestChartPullOfflineNamesChartAdd: issue 19 item 5. A pull that cannot
// reach the repository says how to work offline. The "repository" is a
// closed port on this machine, so the test needs no network.
func TestChartPullOfflineNamesChartAdd(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	code, _, stderr := milvusgen(t, "chart", "pull", today, "-f", runbookSpec, "--chart-dir", t.TempDir(), "--mirror", "http://"+addr+"/charts")
	if code != exitFailure {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"milvusgen chart add milvus-5.0.19.tgz", "helm pull milvus --repo https://zilliztech.github.io/milvus-helm/ --version 5.0.19"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
}

// TestRecordedChartDirAndDiffRecall: issue 19 item 5. The tree records
// its chart directory relative to itself, so --check from another
// directory finds it; single-spec diff honours the recorded --hydrate as
// render and diff --fleet do.
func TestRecordedChartDirAndDiffRecall(t *testing.T) {
	specPath, err := filepath.Abs(runbookSpec)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(shared.MustPath(t, "charts"), filepath.Join(dir, "charts")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", specPath, "-o", "clusters/a", "--hydrate", "--chart-dir", "charts"); code != exitOK {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	m, err := writer.ReadManifest("clusters/a")
	if err != nil {
		t.Fatal(err)
	}
	if m.Render.ChartDir != "../../charts" {
		t.Errorf("recorded chartDir %q, want ../../charts (relative to the tree)", m.Render.ChartDir)
	}
	t.Chdir(filepath.Join(dir, "clusters"))
	if code, _, stderr := milvusgen(t, "render", today, "-f", specPath, "-o", "a", "--check"); code != exitOK {
		t.Errorf("render --check from another directory: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := milvusgen(t, "diff", today, "-f", specPath, "-o", "a", "--against-dir", "a")
	if code != exitOK || strings.Contains(stderr, "pass --hydrate") {
		t.Errorf("diff did not recall --hydrate: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestApplyOutputKeepsTreeAndCommitsWhatItReports: issue 19 item 5.
// apply -o keeps the hydrated releases and the manifest's options that
// render wrote, reports the files its commit holds, commits the changed
// spec files under the repository, and takes --branch (created from HEAD;
// an existing branch that is not checked out is refused).
func TestApplyOutputKeepsTreeAndCommitsWhatItReports(t *testing.T) {
	work := filepath.Join(t.TempDir(), "fleet")
	r, err := git.PlainInitWithOptions(work, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		t.Fatal(err)
	}
	specFile := filepath.Join(work, "specs", "spec.yaml")
	writeFile(t, specFile, spectest.Base)
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wt.Add("specs/spec.yaml"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)}
	if _, err := wt.Commit("spec", &git.CommitOptions{Author: sig}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(work, "clusters", "a")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", specFile, "-o", out, "--hydrate", "--chart-dir", shared.MustPath(t, "charts")); code != exitOK {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	before, err := writer.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}

	// committed checks HEAD's commit: on branch, holding exactly the
	// files the report counts, hydrated/ and the manifest among them.
	committed := func(stdout, branch string, wantSpec bool) {
		t.Helper()
		head, err := r.Head()
		if err != nil {
			t.Fatal(err)
		}
		if head.Name().Short() != branch {
			t.Errorf("HEAD is on %s, want %s", head.Name().Short(), branch)
		}
		c, err := r.CommitObject(head.Hash())
		if err != nil {
			t.Fatal(err)
		}
		stats, err := c.Stats()
		if err != nil {
			t.Fatal(err)
		}
		var tree, specs int
		names := map[string]bool{}
		for _, s := range stats {
			names[s.Name] = true
			if strings.HasPrefix(s.Name, "clusters/a/") {
				tree++
			} else if s.Name == "specs/spec.yaml" {
				specs++
			}
		}
		if want := fmt.Sprintf("git: committed %s on %s (%s changed under clusters/a", c.Hash.String()[:12], branch, plural(tree, "file", "files")); !strings.Contains(stdout, want) {
			t.Errorf("report does not match the commit's %d tree files (want %q):\n%s", tree, want, stdout)
		}
		if wantSpec != (specs == 1) || wantSpec != strings.Contains(stdout, "; spec specs/spec.yaml)") {
			t.Errorf("spec committed %v, reported %q; want %v", specs == 1, stdout, wantSpec)
		}
		if len(stats) != tree+specs {
			t.Errorf("commit holds files outside the tree and the spec: %v", names)
		}
	}

	code, stdout, stderr := milvusgen(t, "apply", today, "-f", specFile, "-o", out, "--branch", "milvusgen/first")
	if code != exitOK {
		t.Fatalf("apply: exit %d\n%s%s", code, stdout, stderr)
	}
	committed(stdout, "milvusgen/first", false)
	head, _ := r.Head()
	c, _ := r.CommitObject(head.Hash())
	for _, p := range []string{"clusters/a/hydrated/milvus/milvus-demo.yaml", "clusters/a/.milvusgen-manifest.json"} {
		if _, err := c.File(p); err != nil {
			t.Errorf("commit lacks %s: %v", p, err)
		}
	}
	after, err := writer.ReadManifest(out)
	if err != nil {
		t.Fatal(err)
	}
	if after.Render != before.Render {
		t.Errorf("apply changed the recorded options: %+v, render wrote %+v", after.Render, before.Render)
	}
	if _, err := os.Stat(filepath.Join(out, "hydrated", "milvus", "milvus-demo.yaml")); err != nil {
		t.Errorf("apply removed the hydrated release: %v", err)
	}

	// An edited spec is committed with the tree it produced.
	writeFile(t, specFile, spectest.Base+"milvus: {proxy: {replicas: 3}}\n")
	code, stdout, stderr = milvusgen(t, "apply", today, "-f", specFile, "-o", out)
	if code != exitOK {
		t.Fatalf("apply after an edit: exit %d\n%s%s", code, stdout, stderr)
	}
	committed(stdout, "milvusgen/first", true)

	// main exists and is not checked out: refused, nothing moved.
	code, _, stderr = milvusgen(t, "apply", today, "-f", specFile, "-o", out, "--branch", "main")
	if code != exitFailure || !strings.Contains(stderr, "never moves an existing one") {
		t.Errorf("apply --branch main: exit %d: %s", code, stderr)
	}
}
