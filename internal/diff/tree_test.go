package diff

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// commit writes files under dir in the work tree of r and commits them all.
func commit(t *testing.T, r *git.Repository, root, dir string, files map[string]string, msg string) {
	t.Helper()
	for p, data := range files {
		full := filepath.Join(root, dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		mode := os.FileMode(0o644)
		if filepath.Ext(p) == ".sh" {
			mode = 0o755
		}
		if err := os.WriteFile(full, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
	}
	wt, err := r.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(0, 0)}
	if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
}

func TestReadTree(t *testing.T) {
	root := t.TempDir()
	r, err := git.PlainInit(root, false)
	if err != nil {
		t.Fatal(err)
	}
	commit(t, r, root, "clusters/c1", map[string]string{"a.yaml": "a: 1\n", "aws/run.sh": "echo 1\n"}, "one")
	commit(t, r, root, "clusters/c1", map[string]string{"a.yaml": "a: 2\n"}, "two")
	if err := os.MkdirAll(filepath.Join(root, "clusters", "c1", "sub"), 0o755); err != nil {
		t.Fatal(err)
	}

	repo, err := OpenRepo(filepath.Join(root, "clusters", "c1", "sub")) // found from below
	if err != nil {
		t.Fatal(err)
	}
	rel, err := repo.Rel(filepath.Join(root, "clusters", "c1"))
	if err != nil || rel != "clusters/c1" {
		t.Fatalf("Rel = %q, %v", rel, err)
	}
	for _, tc := range []struct {
		rev  string
		want []manifest.File
	}{
		{"HEAD", []manifest.File{{Path: "a.yaml", Data: []byte("a: 2\n"), Mode: 0o644}, {Path: "aws/run.sh", Data: []byte("echo 1\n"), Mode: 0o755}}},
		{"HEAD~1", []manifest.File{{Path: "a.yaml", Data: []byte("a: 1\n"), Mode: 0o644}, {Path: "aws/run.sh", Data: []byte("echo 1\n"), Mode: 0o755}}},
		{"master", []manifest.File{{Path: "a.yaml", Data: []byte("a: 2\n"), Mode: 0o644}, {Path: "aws/run.sh", Data: []byte("echo 1\n"), Mode: 0o755}}},
	} {
		got, err := repo.ReadTree(tc.rev, rel)
		if err != nil {
			t.Fatalf("ReadTree(%s): %v", tc.rev, err)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("ReadTree(%s) (-want +got):\n%s", tc.rev, diff)
		}
	}
	if _, err := repo.ReadTree("HEAD", "clusters/c2"); !errors.Is(err, ErrNoTree) {
		t.Errorf("absent path: err = %v, want ErrNoTree", err)
	}
	if _, err := repo.ReadTree("nope", rel); err == nil {
		t.Error("unknown revision: no error")
	}
	if _, err := repo.Rel(t.TempDir()); err == nil {
		t.Error("Rel of a directory outside the repository: no error")
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "x"), 0o755)
	os.WriteFile(filepath.Join(dir, "x", "b.yaml"), []byte("b"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.sh"), []byte("a"), 0o755)
	got, err := ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []manifest.File{{Path: "a.sh", Data: []byte("a"), Mode: 0o755}, {Path: "x/b.yaml", Data: []byte("b"), Mode: 0o644}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := ReadDir(filepath.Join(dir, "missing")); !errors.Is(err, ErrNoTree) {
		t.Errorf("missing dir: err = %v, want ErrNoTree", err)
	}
}
