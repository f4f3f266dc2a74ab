package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/shared"
)

// TestFlagNamesMatchPackages: the lite build spells out these names.
func TestFlagNamesMatchPackages(t *testing.T) {
	if chartLockName != chart.LockName || chartEnvDir != chart.EnvDir || hydratedDir != hydrate.Dir {
		t.Errorf("flags.go names %q %q %q, packages %q %q %q", chartLockName, chartEnvDir, hydratedDir, chart.LockName, chart.EnvDir, hydrate.Dir)
	}
}

// TestLiteBuildDelegates builds the two binaries `make build` installs and
// checks that the lite milvusgen renders itself, hands apply, chart, diff
// and render --hydrate to milvusgen-full with the exit code intact, and
// says what is missing without it.
func TestLiteBuildDelegates(t *testing.T) {
	if testing.Short() {
		t.Skip("builds two binaries")
	}
	bin := t.TempDir()
	for _, b := range []struct{ name, tags string }{{"milvusgen", "lite"}, {fullName, ""}} {
		cmd := exec.Command("go", "build", "-tags="+b.tags, "-o", filepath.Join(bin, b.name), ".")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b.name, err, out)
		}
	}
	lite := filepath.Join(bin, "milvusgen")
	run := func(args ...string) (string, int) {
		cmd := exec.Command(lite, args...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return string(out), ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), 0
	}
	if out, code := run("version"); code != 0 || !strings.Contains(out, "lite") {
		t.Errorf("version: %d %q", code, out)
	}
	out := filepath.Join(t.TempDir(), "out")
	spec := "../../examples/runbook/spec.cue"
	if o, code := run("render", today, "-q", "-f", spec, "-o", out); code != 0 {
		t.Fatalf("lite render: %d %s", code, o)
	}
	if o, code := run("chart", "--help"); code != 0 || !strings.Contains(o, "Usage: milvusgen chart pull") {
		t.Errorf("delegated chart --help: %d %q", code, o)
	}
	if o, code := run("diff", "--format", "yaml", "-f", spec); code != exitUsage {
		t.Errorf("delegated diff with a bad flag: exit %d, want %d: %s", code, exitUsage, o)
	}
	charts := shared.MustPath(t, "charts")
	if o, code := run("render", today, "-q", "--hydrate", "--chart-dir", charts, "-f", spec, "-o", out); code != 0 {
		t.Errorf("delegated render --hydrate: %d %s", code, o)
	} else if _, err := os.Stat(filepath.Join(out, hydratedDir, "milvus", "milvus-demo.yaml")); err != nil {
		t.Errorf("render --hydrate through milvusgen-full wrote no hydrated Milvus: %v", err)
	}
	if err := os.Remove(filepath.Join(bin, fullName)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	if o, code := run("apply", "-f", spec); code != exitFailure || !strings.Contains(o, fullName) {
		t.Errorf("apply without milvusgen-full: exit %d, %q", code, o)
	}
}

// BenchmarkProcessRender measures `milvusgen render` of the runbook example
// as a whole process, lite build, into a tree that is already current (the
// CI case: render --check's work plus the write check).
func BenchmarkProcessRender(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "milvusgen")
	if out, err := exec.Command("go", "build", "-tags=lite", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	out := filepath.Join(b.TempDir(), "out")
	args := []string{"render", today, "-q", "-f", "../../examples/runbook/spec.cue", "-o", out}
	for b.Loop() {
		if o, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
			b.Fatalf("%v: %s", err, o)
		}
	}
}
