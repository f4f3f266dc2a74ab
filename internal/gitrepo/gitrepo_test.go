package gitrepo_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/milvusgen/milvusgen/internal/gitrepo"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/writer"
	"github.com/milvusgen/milvusgen/render"
)

const base = `name: milvus-demo
aws: {region: us-east-2, accountID: "123456789012"}
cluster: {name: milvus-eks-cluster}
storage: {bucket: milvus-bucket-039dd013c0712f085d60e21f}
`

const withGit = base + `gitops: {repository: {url: "ssh://git@github.com/acme/fleet.git"}}
`

var author = &object.Signature{Name: "Test", Email: "test@example.com", When: time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)}

func renderSpec(t *testing.T, data string) ([]manifest.File, gitrepo.Subject) {
	t.Helper()
	srcs := []spec.Source{{Name: "spec.yaml", Data: []byte(data)}}
	res, err := spec.Load(srcs, spec.Options{Today: time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(res.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return files, gitrepo.Subject{Cluster: res.Spec.Cluster.Name, Release: res.Spec.Name, SpecFiles: []string{"spec.yaml"}, SpecHash: gitrepo.SpecHash(srcs)}
}

// newRepos makes a work repository on branch main whose origin is a bare
// repository, both in temp dirs.
func newRepos(t *testing.T) (work, bare string) {
	t.Helper()
	dir := t.TempDir()
	work, bare = filepath.Join(dir, "work"), filepath.Join(dir, "fleet.git")
	main := git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}
	if _, err := git.PlainInitWithOptions(bare, &git.PlainInitOptions{Bare: true, InitOptions: main}); err != nil {
		t.Fatal(err)
	}
	r, err := git.PlainInitWithOptions(work, &git.PlainInitOptions{InitOptions: main})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{bare}}); err != nil {
		t.Fatal(err)
	}
	// Something of the user's beside the rendered tree, which must stay
	// out of milvusgen's commits.
	if err := os.WriteFile(filepath.Join(work, "README.md"), []byte("fleet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return work, bare
}

func commitFiles(t *testing.T, repo, ref string) map[string]string {
	t.Helper()
	r, err := git.PlainOpen(repo)
	if err != nil {
		t.Fatal(err)
	}
	h, err := r.ResolveRevision(plumbing.Revision(ref))
	if err != nil {
		t.Fatalf("%s in %s: %v", ref, repo, err)
	}
	c, err := r.CommitObject(*h)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	iter, err := c.Files()
	if err != nil {
		t.Fatal(err)
	}
	_ = iter.ForEach(func(f *object.File) error {
		s, _ := f.Contents()
		files[f.Name] = s
		return nil
	})
	return files
}

func TestCommitAndPush(t *testing.T) {
	work, bare := newRepos(t)
	files, subj := renderSpec(t, withGit)
	opts := gitrepo.Options{Repo: work, Path: "clusters/milvus-eks-cluster", Push: true, Author: author}

	res, err := gitrepo.Commit(files, subj, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit == "" || !res.Pushed || res.Branch != "main" {
		t.Fatalf("first commit: %+v, want a commit pushed on main", res)
	}
	if len(res.Changes) != len(files) {
		t.Errorf("first commit changed %d files, want %d", len(res.Changes), len(files))
	}
	if _, ok := commitFiles(t, work, "HEAD")["clusters/milvus-eks-cluster/"+writer.ManifestName]; !ok {
		t.Error("the manifest was not committed")
	}
	pushed := commitFiles(t, bare, "refs/heads/main")
	for _, f := range files {
		got, ok := pushed["clusters/milvus-eks-cluster/"+f.Path]
		if !ok || got != string(f.Data) {
			t.Errorf("pushed commit: %s missing or different", f.Path)
		}
	}
	if _, ok := pushed["README.md"]; ok {
		t.Error("the commit took README.md, which is outside the tree's path")
	}
	r, _ := git.PlainOpen(bare)
	head, _ := r.ResolveRevision("refs/heads/main")
	c, _ := r.CommitObject(*head)
	for _, want := range []string{"milvusgen: render milvus-eks-cluster/milvus-demo (spec " + subj.SpecHash[:12] + ")", "Spec-SHA256: " + subj.SpecHash, "spec.yaml", "clusters/milvus-eks-cluster"} {
		if !strings.Contains(c.Message, want) {
			t.Errorf("commit message lacks %q:\n%s", want, c.Message)
		}
	}
	if c.Author.Name != "Test" {
		t.Errorf("author %q", c.Author.Name)
	}

	// The same tree again: no commit, nothing to push.
	res, err = gitrepo.Commit(files, subj, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit != "" || res.Pushed || len(res.Changes) != 0 {
		t.Fatalf("second commit of the same tree: %+v, want no commit and no push", res)
	}

	// Dropping the Git URL removes flux/: a commit that deletes its files.
	files2, subj2 := renderSpec(t, base)
	dry, err := gitrepo.Commit(files2, subj2, gitrepo.Options{Repo: work, Path: opts.Path, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if dry.Commit != "" || !hasChange(dry.Changes, "flux/gitrepository.yaml", writer.Deleted) {
		t.Fatalf("dry run: %+v, want flux/gitrepository.yaml deleted and no commit", dry)
	}
	if _, err := os.Stat(filepath.Join(work, opts.Path, "flux")); err != nil {
		t.Fatal("dry run touched the tree")
	}
	res, err = gitrepo.Commit(files2, subj2, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit == "" || !res.Pushed {
		t.Fatalf("third commit: %+v", res)
	}
	pushed = commitFiles(t, bare, "refs/heads/main")
	for p := range pushed {
		if strings.HasPrefix(p, "clusters/milvus-eks-cluster/flux/") {
			t.Errorf("%s still in the pushed tree", p)
		}
	}
	if _, ok := pushed["clusters/milvus-eks-cluster/kubernetes/apps/milvus/milvus.yaml"]; !ok {
		t.Error("milvus.yaml missing from the pushed tree")
	}
	// The user's file is still untracked, not committed, not deleted.
	if _, err := os.Stat(filepath.Join(work, "README.md")); err != nil {
		t.Error(err)
	}
}

func hasChange(cs []writer.Change, p string, a writer.Action) bool {
	for _, c := range cs {
		if c.Path == p && c.Action == a {
			return true
		}
	}
	return false
}

func TestRefusals(t *testing.T) {
	work, _ := newRepos(t)
	files, subj := renderSpec(t, base)

	r, _ := git.PlainOpen(work)
	wt, _ := r.Worktree()
	if _, err := wt.Add("README.md"); err != nil {
		t.Fatal(err)
	}
	_, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "clusters/c", Author: author})
	if err == nil || !strings.Contains(err.Error(), "staged changes outside clusters/c (README.md)") {
		t.Errorf("staged README.md: err %v", err)
	}

	for _, p := range []string{"", ".", "../x", "/abs", ".git", "a//b"} {
		if _, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: p}); err == nil || !strings.Contains(err.Error(), "clean relative subdirectory") {
			t.Errorf("path %q: err %v", p, err)
		}
	}
	// The spec's rule for a repository path applies before anything is
	// written: a newline once left a repository every later apply failed on.
	for _, p := range []string{"clusters/a\nb", "clusters/a b", "c/\u2028"} {
		_, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: p})
		if err == nil || !strings.Contains(err.Error(), "must be a path relative to the repository root") {
			t.Errorf("path %q: err %v", p, err)
		}
		if _, err := os.Stat(filepath.Join(work, "clusters")); !os.IsNotExist(err) {
			t.Errorf("path %q: something was written: %v", p, err)
		}
	}
	if _, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: t.TempDir(), Path: "x"}); err == nil || !strings.Contains(err.Error(), "opening Git repository") {
		t.Errorf("not a repository: err %v", err)
	}
}

func TestPushFailure(t *testing.T) {
	work, _ := newRepos(t)
	files, subj := renderSpec(t, base)
	res, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "c", Push: true, Remote: "nowhere", Author: author})
	if err == nil || !strings.Contains(err.Error(), "git push nowhere main failed") {
		t.Fatalf("push to a missing remote: err %v", err)
	}
	if res == nil || res.Commit == "" {
		t.Fatalf("the commit must be made and reported even when the push fails: %+v", res)
	}
}

func TestSpecHash(t *testing.T) {
	a := gitrepo.SpecHash([]spec.Source{{Name: "a", Data: []byte("bc")}})
	b := gitrepo.SpecHash([]spec.Source{{Name: "ab", Data: []byte("c")}})
	if a == b || len(a) != 64 {
		t.Errorf("SpecHash must separate names from data: %s %s", a, b)
	}
}

// TestPathSymlinks: `--path link/sub` with link pointing out of the
// repository used to write there and report "nothing to commit".
func TestPathSymlinks(t *testing.T) {
	work, _ := newRepos(t)
	files, subj := renderSpec(t, base)
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(work, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(work, ".git"), filepath.Join(work, "gitlink")); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"link/sub", "link", "gitlink/x"} {
		_, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: p, Author: author})
		if err == nil || !(strings.Contains(err.Error(), "outside the repository") || strings.Contains(err.Error(), ".git")) {
			t.Errorf("path %s: err %v, want a refusal", p, err)
		}
	}
	if es, _ := os.ReadDir(outside); len(es) != 0 {
		t.Errorf("files written outside the repository: %v", es)
	}

	// A symlink inside the work tree is followed: the tree and the
	// commit are where it leads.
	if err := os.MkdirAll(filepath.Join(work, "clusters"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("clusters", filepath.Join(work, "c")); err != nil {
		t.Fatal(err)
	}
	res, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "c/x", Author: author})
	if err != nil {
		t.Fatal(err)
	}
	if res.Path != "clusters/x" || res.Commit == "" {
		t.Fatalf("result %+v, want a commit of clusters/x", res)
	}
	if _, ok := commitFiles(t, work, "HEAD")["clusters/x/aws/eksctl-cluster.yaml"]; !ok {
		t.Error("clusters/x was not committed")
	}
}

// TestTransientFilesNotCommitted: the writer's journal and staged files
// are never committed.
func TestTransientFilesNotCommitted(t *testing.T) {
	work, _ := newRepos(t)
	files, subj := renderSpec(t, base)
	dir := filepath.Join(work, "c")
	for _, p := range []string{"aws/.milvusgen-tmp-0123456789abcdef", ".milvusgen-journal.json.tmp"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := gitrepo.Commit(files, subj, gitrepo.Options{Repo: work, Path: "c", Author: author, Write: writer.Options{Adopt: true}})
	if err != nil {
		t.Fatal(err)
	}
	for p := range commitFiles(t, work, res.Commit) {
		if writer.Transient(strings.TrimPrefix(p, "c/")) {
			t.Errorf("committed %s", p)
		}
	}
}
