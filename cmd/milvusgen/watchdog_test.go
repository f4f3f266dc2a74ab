package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestWatchdogEndsRunawaySpec: the spec, whose raw values double at
// every step, ends `milvusgen validate` with exit 1 and the budget's
// message instead of running for minutes (the budget is lowered through
// MILVUSGEN_TIME_BUDGET so the test stays short).
func TestWatchdogEndsRunawaySpec(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildMilvusgen(t)
	var b strings.Builder
	b.WriteString("a00: 1\n")
	for i := 1; i <= 48; i++ {
		fmt.Fprintf(&b, "a%02d: [a%02d, a%02d]\n", i, i-1, i-1)
	}
	b.WriteString("milvus: values: x: a48\n")
	spec := filepath.Join(t.TempDir(), "spec.cue")
	if err := os.WriteFile(spec, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "validate", "-f", spec)
	cmd.Env = append(os.Environ(), "MILVUSGEN_TIME_BUDGET=1s")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("validate ended with %v, want exit status 1:\n%s", err, out)
	}
	if !strings.Contains(string(out), "took longer than 1s, milvusgen's time budget") {
		t.Errorf("output lacks the watchdog's message:\n%s", out)
	}
}

// TestWatchdogEndsRunawayFleet: the same spec as one environment of a
// fleet ends `render --fleet` the same way, and nothing is written.
func TestWatchdogEndsRunawayFleet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildMilvusgen(t)
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("a00: 1\n")
	for i := 1; i <= 48; i++ {
		fmt.Fprintf(&b, "a%02d: [a%02d, a%02d]\n", i, i-1, i-1)
	}
	b.WriteString("milvus: values: x: a48\n")
	if err := os.WriteFile(filepath.Join(dir, "spec.cue"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	fleetFile := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(fleetFile, []byte("environments:\n  dev: {files: [spec.cue], output: out/dev}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "render", "--fleet", fleetFile)
	cmd.Env = append(os.Environ(), "MILVUSGEN_TIME_BUDGET=1s")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("render --fleet ended with %v, want exit status 1:\n%s", err, out)
	}
	if !strings.Contains(string(out), "milvusgen's time budget") {
		t.Errorf("output lacks the watchdog's message:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "out")); !os.IsNotExist(err) {
		t.Errorf("the fleet's output exists after the budget ran out: %v", err)
	}
}
