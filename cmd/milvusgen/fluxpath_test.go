package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateRenderedWarnsNestedTree: a tree below another is reported,
// since pointing Flux at the outer tree's folder is then pointing it at a
// parent of a tree. (The agreement checks read the nested tree's files as
// the outer tree's too, so they also disagree; the warning says why.)
func TestValidateRenderedWarnsNestedTree(t *testing.T) {
	outer := t.TempDir()
	if err := os.CopyFS(outer, os.DirFS("../../out/runbook")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(outer, "staging"), os.DirFS("../../out/minimal")); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := milvusgen(t, "validate", "--rendered", outer)
	if code == exitUsage || !strings.Contains(stderr, "is a parent of another milvusgen tree, "+filepath.ToSlash(filepath.Join(outer, "staging"))) {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	code, _, stderr = milvusgen(t, "validate", "--rendered", "../../out/runbook")
	if code != exitOK || strings.Contains(stderr, "warning") {
		t.Errorf("a lone tree: exit %d, stderr:\n%s", code, stderr)
	}
}
