package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"

	"github.com/milvusgen/milvusgen/internal/buildinfo"
	"github.com/milvusgen/milvusgen/internal/writer"
)

// TestRenderAdopt: a directory holding the user's files and no manifest
// is refused, naming --adopt; with --adopt it is written and the user's
// file stays.
func TestRenderAdopt(t *testing.T) {
	spec := writeSpec(t, minimal)
	out := t.TempDir()
	mine := filepath.Join(out, "notes.md")
	if err := os.WriteFile(mine, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := milvusgen(t, "render", today, "-f", spec, "-o", out)
	if code != exitFailure || !strings.Contains(stderr, "--adopt") {
		t.Fatalf("exit %d, stderr %q; want a refusal naming --adopt", code, stderr)
	}
	code, stdout, stderr := milvusgen(t, "render", today, "--adopt", "-f", spec, "-o", out)
	if code != exitOK {
		t.Fatalf("--adopt: exit %d: %s", code, stderr)
	}
	if data, _ := os.ReadFile(mine); string(data) != "mine" {
		t.Error("the user's file was touched")
	}
	// The summary counts rendered files only, and agrees with the list.
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	last := lines[len(lines)-1]
	if n := len(lines) - 1; !strings.Contains(last, "files into") || !strings.HasSuffix(last, "("+strconv.Itoa(n)+" changed)") || strings.Contains(stdout, writer.ManifestName) {
		t.Errorf("summary disagrees with the %d listed changes:\n%s", n, stdout)
	}
	if m, err := writer.ReadManifest(out); err != nil || m.Version != buildinfo.Read().Version {
		t.Errorf("manifest version %q, %v; want %q", m.Version, err, buildinfo.Read().Version)
	}
}

// TestRenderCheckUnfinished: after a render was killed, --check writes
// nothing, reports the interrupted write and exits 1; the next render
// finishes it and says so.
func TestRenderCheckUnfinished(t *testing.T) {
	spec := writeSpec(t, minimal)
	out := filepath.Join(t.TempDir(), "out")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", spec, "-o", out); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// What a render killed after staging one file leaves behind.
	staged := filepath.Join(out, "aws", ".milvusgen-tmp-0123456789abcdef")
	if err := os.WriteFile(staged, []byte("half a render"), 0o644); err != nil {
		t.Fatal(err)
	}
	journal := `{"state":"staging","renames":[{"temp":"aws/.milvusgen-tmp-0123456789abcdef","path":"aws/eksctl-cluster.yaml"}]}`
	if err := os.WriteFile(filepath.Join(out, writer.JournalName), []byte(journal), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := milvusgen(t, "render", today, "--check", "-f", spec, "-o", out)
	if code != exitFailure || !strings.Contains(stderr, "interrupted") {
		t.Fatalf("--check: exit %d, stderr %q; want 1 and the interrupted write reported", code, stderr)
	}
	if _, err := os.Stat(staged); err != nil {
		t.Error("--check wrote to the tree")
	}
	code, _, stderr = milvusgen(t, "render", today, "-q", "-f", spec, "-o", out)
	if code != exitOK || !strings.Contains(stderr, "interrupted") {
		t.Fatalf("render: exit %d, stderr %q; want 0 and a note on the interrupted write", code, stderr)
	}
	for _, p := range []string{staged, filepath.Join(out, writer.JournalName)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s left behind", p)
		}
	}
	if code, _, stderr := milvusgen(t, "render", today, "--check", "-f", spec, "-o", out); code != exitOK {
		t.Errorf("--check after the render: exit %d: %s", code, stderr)
	}
}

// TestApplyRepoPathSymlink: `apply --repo . --path link/sub` with link
// leading out of the repository used to write there and report "nothing
// to commit".
func TestApplyRepoPathSymlink(t *testing.T) {
	work := filepath.Join(t.TempDir(), "fleet")
	if _, err := git.PlainInit(work, false); err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(work, "link")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(work)
	code, _, stderr := milvusgen(t, "apply", today, "-f", writeSpec(t, minimal), "--repo", ".", "--path", "link/sub")
	if code != exitFailure || !strings.Contains(stderr, "outside the repository") {
		t.Fatalf("exit %d, stderr %q; want a refusal", code, stderr)
	}
	if es, _ := os.ReadDir(outside); len(es) != 0 {
		t.Errorf("files written outside the repository: %v", es)
	}
}
