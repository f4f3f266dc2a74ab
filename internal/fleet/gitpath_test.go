package fleet

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/agreement"
)

// gitWorkTree makes dir look like the root of a Git work tree.
func gitWorkTree(t *testing.T, dir string) {
	t.Helper()
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
}

func TestWorkTreePath(t *testing.T) {
	root := t.TempDir()
	gitWorkTree(t, root)
	for _, c := range []struct{ dir, want string }{
		{root, "."},
		{filepath.Join(root, "envs", "prod"), "envs/prod"}, // need not exist
	} {
		rel, _, ok, err := WorkTreePath(c.dir)
		if err != nil || !ok || rel != c.want {
			t.Errorf("WorkTreePath(%s) = %q, %v, %v; want %q", c.dir, rel, ok, err, c.want)
		}
	}
	if _, _, ok, _ := WorkTreePath(t.TempDir()); ok {
		t.Error("a directory outside any work tree was found in one")
	}
}

const withRepo = "gitops: {repository: {url: \"ssh://git@github.com/acme/fleet.git\"}}\n"

// TestGitPathDerived: render -o envs/prod inside a work tree syncs
// ./envs/prod, not the default ./clusters/<cluster>.
func TestGitPathDerived(t *testing.T) {
	dir := t.TempDir()
	gitWorkTree(t, dir)
	p := build(t, writeFleet(t, dir, withExtra(env("prod", "milvus-prod"), withRepo)), 0)
	if !p.OK() {
		t.Fatal(report(p))
	}
	if got := p.Envs[0].Result.Spec.GitOps.Repository.Path; got != "out/prod" {
		t.Errorf("path %q, want out/prod", got)
	}
	if _, err := p.Write(); err != nil {
		t.Fatal(err)
	}
	// validate --rendered's rule agrees with the tree where it lies...
	out := filepath.Join(dir, "out", "prod")
	if ps := agreement.GitPath(os.DirFS(out), "out/prod"); len(ps) != 0 {
		t.Errorf("rendered tree disagrees with its place: %v", ps)
	}
	// ...and catches it moved elsewhere in the repository.
	moved := filepath.Join(dir, "clusters", "prod")
	if err := os.MkdirAll(filepath.Dir(moved), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(out, moved); err != nil {
		t.Fatal(err)
	}
	rel, _, _, _ := WorkTreePath(moved)
	ps := agreement.GitPath(os.DirFS(moved), rel)
	if len(ps) == 0 || !strings.Contains(ps[0].String(), `rendered for the repository path "./out/prod" but lies at "clusters/prod"`) {
		t.Errorf("moved tree: %v", ps)
	}
}

// TestGitPathRefused: a spec that sets another path than the output's
// place is refused with both values, and nothing is written.
func TestGitPathRefused(t *testing.T) {
	dir := t.TempDir()
	gitWorkTree(t, dir)
	e := withExtra(env("prod", "milvus-prod"), "gitops: {repository: {url: \"ssh://git@github.com/acme/fleet.git\", path: clusters/milvus-prod}}\n")
	p := build(t, writeFleet(t, dir, e), 0)
	got := report(p)
	for _, w := range []string{"environment prod: ", "specs/prod.yaml:9:73", `gitops.repository.path is "clusters/milvus-prod"`, `is "out/prod" in the Git work tree`} {
		if !strings.Contains(got, w) {
			t.Errorf("report lacks %q:\n%s", w, got)
		}
	}
	if _, err := p.Write(); err == nil {
		t.Error("Write succeeded")
	}
	// The same path as the output's place is accepted.
	e.extra = "gitops: {repository: {url: \"ssh://git@github.com/acme/fleet.git\", path: ./out/prod/}}\n"
	dir2 := t.TempDir()
	gitWorkTree(t, dir2)
	if p := build(t, writeFleet(t, dir2, e), 0); !p.OK() {
		t.Error(report(p))
	}
}

// TestGitPathRule: a repository path derived from -o or given to apply
// passes the spec's rule for gitops.repository.path (no newline, no
// space, no ".."), before anything is written.
func TestGitPathRule(t *testing.T) {
	dir := t.TempDir()
	gitWorkTree(t, dir)
	out := filepath.Join(dir, "envs", "prod\nflux-system")
	if err := ResolveGitPath(nil, out); err == nil || !strings.Contains(err.Error(), "cannot be Flux's path") {
		t.Errorf("ResolveGitPath(%q) = %v", out, err)
	}
	for _, p := range []string{"a\nb", "a b", "a/../../b"} {
		if err := AgreeGitPath(nil, p); err == nil || !strings.Contains(err.Error(), "cannot be Flux's path") {
			t.Errorf("AgreeGitPath(%q) = %v", p, err)
		}
	}
}
