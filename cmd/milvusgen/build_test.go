package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/shared"
)

// buildMilvusgen builds the binary as `go install ./cmd/milvusgen` and
// `make build` do.
func buildMilvusgen(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "milvusgen")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		tb.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestOneBinary builds milvusgen and runs, as a process, what the former
// lite/full split got wrong: render --hydrate of a spec read from stdin,
// with the warnings printed once, and every command from the one binary.
func TestOneBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildMilvusgen(t)
	t.Setenv("PATH", filepath.Dir(bin))        // nothing else to hand commands to
	t.Setenv(hydrate.EnvCacheDir, t.TempDir()) // not the user's cache
	run := func(stdin string, args ...string) (string, string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Stdin = strings.NewReader(stdin)
		var out, errb strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return out.String(), errb.String(), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String(), 0
	}
	if out, _, code := run("", "version"); code != 0 || !strings.Contains(out, "helm sdk") {
		t.Errorf("version: %d %q", code, out)
	}
	// A version in extended support warns.
	old := strings.Replace(minimal, "{name: milvus-eks-cluster}", `{name: milvus-eks-cluster, kubernetesVersion: "1.33"}`, 1)
	out := filepath.Join(t.TempDir(), "out")
	charts := shared.MustPath(t, "charts")
	stdout, stderr, code := run(old, "render", today, "-q", "--hydrate", "--chart-dir", charts, "-f", "-", "-o", out)
	if code != 0 {
		t.Fatalf("cat spec | render --hydrate -f -: exit %d\n%s%s", code, stdout, stderr)
	}
	// The spec's warning, and the chart directory's (it has no lock), once each.
	if n, m := strings.Count(stderr, "warning: cluster.kubernetesVersion"), strings.Count(stderr, "has no charts.lock.json"); n != 1 || m != 1 {
		t.Errorf("render --hydrate printed the spec warning %d times and the lock warning %d times, want 1 each:\n%s", n, m, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, hydrate.Dir, "milvus", "milvus-demo.yaml")); err != nil {
		t.Errorf("render --hydrate wrote no hydrated Milvus: %v", err)
	}
	if o, _, code := run("", "chart", "--help"); code != 0 || !strings.Contains(o, "pull") {
		t.Errorf("chart --help: %d %q", code, o)
	}
	if _, e, code := run("", "diff", "--format", "yaml", "-f", "x.cue"); code != exitUsage {
		t.Errorf("diff with a bad flag: exit %d, want %d: %s", code, exitUsage, e)
	}
}

// BenchmarkProcessRender measures `milvusgen render` of the runbook example
// as a whole process, fork+exec included, into a tree that is already
// current (the CI case: render --check's work plus the write check).
func BenchmarkProcessRender(b *testing.B) {
	bin := buildMilvusgen(b)
	out := filepath.Join(b.TempDir(), "out")
	args := []string{"render", today, "-q", "-f", "../../examples/runbook/spec.cue", "-o", out}
	for b.Loop() {
		if o, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, o)
		}
	}
}

// BenchmarkProcessVersion measures the start-up of the binary: package
// initialisation, the command tree, and `version`.
func BenchmarkProcessVersion(b *testing.B) {
	bin := buildMilvusgen(b)
	for b.Loop() {
		if o, err := exec.Command(bin, "version").CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, o)
		}
	}
}
