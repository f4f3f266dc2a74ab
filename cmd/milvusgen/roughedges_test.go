package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/shared"
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
