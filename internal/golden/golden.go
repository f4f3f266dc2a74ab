// Package golden compares test output with files under testdata and rewrites
// them when the test binary runs with -update:
//
//	go test ./render/... -update
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Update reports whether golden files are being rewritten.
func Update() bool { return *update }

// Assert compares got with the golden file at path (relative to the test's
// package directory), or writes it under -update.
func Assert(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("golden file %s: %v (run the test with -update to create it)", path, err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs from the golden file (-want +got), rerun with -update if intended:\n%s", path, d)
	}
}

// AssertTree compares files with the golden tree under dir, both ways: a
// golden file nothing renders any more fails too. Under -update the tree is
// rewritten from scratch.
func AssertTree(t testing.TB, dir string, files []manifest.File) {
	t.Helper()
	if *update {
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, f := range files {
		got = append(got, f.Path)
		Assert(t, filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data)
	}
	var want []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		want = append(want, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rendered files differ from %s (-golden +rendered), rerun with -update if intended:\n%s", dir, d)
	}
}
