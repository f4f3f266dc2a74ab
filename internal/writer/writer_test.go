package writer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/render/manifest"
)

func files(kv ...string) []manifest.File {
	var fs []manifest.File
	for i := 0; i < len(kv); i += 2 {
		fs = append(fs, manifest.File{Path: kv[i], Data: []byte(kv[i+1]), Mode: 0o644})
	}
	return fs
}

func read(t *testing.T, root string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	delete(got, ManifestName)
	return got
}

func siblings(t *testing.T, root string) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Dir(root))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteCreatesUpdatesAndDeletes(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	cs, err := Write(root, files("a.yaml", "1", "dir/b.yaml", "2", "dir/c.yaml", "3"))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(Changed(cs)); n != 4 { // three files and the manifest
		t.Fatalf("first write changed %d files, want 4: %v", n, cs)
	}
	cs, err = Write(root, files("a.yaml", "1", "dir/b.yaml", "two"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{ManifestName, Updated}, {"a.yaml", Unchanged}, {"dir/b.yaml", Updated}, {"dir/c.yaml", Deleted}}
	if d := cmp.Diff(want, cs); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"a.yaml": "1", "dir/b.yaml": "two"}, read(t, root)); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	if s := siblings(t, root); len(s) != 1 {
		t.Errorf("temporary directories left beside the output: %v", s)
	}
}

func TestWriteUnchangedTouchesNothing(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	in := files("a.yaml", "1")
	if _, err := Write(root, in); err != nil {
		t.Fatal(err)
	}
	before, _ := os.Stat(filepath.Join(root, "a.yaml"))
	cs, err := Write(root, in)
	if err != nil {
		t.Fatal(err)
	}
	if c := Changed(cs); len(c) != 0 {
		t.Errorf("second identical write changed %v", c)
	}
	after, _ := os.Stat(filepath.Join(root, "a.yaml"))
	if !os.SameFile(before, after) {
		t.Error("an identical write replaced the file")
	}
}

func TestWriteRefusesForeignFiles(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "README.md"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Write(root, files("a.yaml", "1"))
	if err == nil || !strings.Contains(err.Error(), "README.md") {
		t.Fatalf("Write into a directory with a user file: err = %v, want a refusal naming README.md", err)
	}
	if d := cmp.Diff(map[string]string{"README.md": "mine"}, read(t, root)); d != "" {
		t.Errorf("the user's directory changed (-want +got):\n%s", d)
	}
}

func TestWriteFailureKeepsPreviousTree(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	if _, err := Write(root, files("a.yaml", "1")); err != nil {
		t.Fatal(err)
	}
	// "x" as a file and as a directory cannot both be staged.
	if _, err := Write(root, files("a.yaml", "changed", "x", "f", "x/y", "g")); err == nil {
		t.Fatal("want an error staging a file under a file")
	}
	if d := cmp.Diff(map[string]string{"a.yaml": "1"}, read(t, root)); d != "" {
		t.Errorf("a failed write changed the tree (-want +got):\n%s", d)
	}
	if s := siblings(t, root); len(s) != 1 {
		t.Errorf("temporary directories left beside the output: %v", s)
	}
}

func TestWriteRejectsEscapingPaths(t *testing.T) {
	for _, p := range []string{"../x", "/etc/passwd", "a/../../b", "", ".", "a//b", ManifestName} {
		root := filepath.Join(t.TempDir(), "out")
		if _, err := Write(root, files(p, "x")); err == nil {
			t.Errorf("Write(%q) succeeded, want an error", p)
		}
		if _, err := os.Stat(root); err == nil {
			t.Errorf("Write(%q) created the output directory", p)
		}
	}
}

func TestCheck(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	if _, err := Write(root, files("a.yaml", "1", "b.yaml", "2")); err != nil {
		t.Fatal(err)
	}
	cs, err := Check(root, files("a.yaml", "1", "b.yaml", "2"))
	if err != nil || len(Changed(cs)) != 0 {
		t.Fatalf("Check of a current tree = %v, %v; want no changes", Changed(cs), err)
	}
	cs, err = Check(root, files("a.yaml", "one", "c.yaml", "3"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Change{{ManifestName, Updated}, {"a.yaml", Updated}, {"b.yaml", Deleted}, {"c.yaml", Created}}
	if d := cmp.Diff(want, Changed(cs)); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"a.yaml": "1", "b.yaml": "2"}, read(t, root)); d != "" {
		t.Errorf("Check wrote to the tree (-want +got):\n%s", d)
	}
}

func TestWriteKeepsScriptMode(t *testing.T) {
	root := filepath.Join(t.TempDir(), "out")
	in := []manifest.File{{Path: "run.sh", Data: []byte("#!/bin/sh\n"), Mode: 0o755}}
	if _, err := Write(root, in); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(root, "run.sh"))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("mode = %v, %v; want 0755", st.Mode(), err)
	}
}

// TestWriteAfterInterruptedSwap: a write killed between moving the old tree
// aside and renaming the new one in leaves root missing; the next write
// names the moved tree instead of starting over beside it.
func TestWriteAfterInterruptedSwap(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "out")
	if _, err := Write(root, files("a.yaml", "1")); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(parent, ".out.old-123")
	if err := os.Rename(root, old); err != nil {
		t.Fatal(err)
	}
	_, err := Write(root, files("a.yaml", "2"))
	if err == nil || !strings.Contains(err.Error(), old) {
		t.Fatalf("err = %v, want one naming %s", err, old)
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Errorf("a new tree was written over the interrupted one (%v)", err)
	}
}
