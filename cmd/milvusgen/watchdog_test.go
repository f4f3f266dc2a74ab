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

// TestBombsEndQuickly: the bombs after loading, each a spec under
// the size bound: a 1 MB string doubled 8 times (a 256 MB milvus.yaml
// before) and a 1 MB YAML anchor aliased 300 times (4 GB before). Each
// ends `render` with exit 1 and a budget's message naming the stage, and
// nothing is written. The budgets are lowered so the test stays short.
func TestBombsEndQuickly(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildMilvusgen(t)
	// Quoted: the same text is YAML and CUE.
	const base = `name: "milvus-demo"
aws: {region: "us-east-2", accountID: "123456789012"}
cluster: {name: "milvus-minimal"}
storage: {bucket: "acme-milvus-minimal-us-east-2"}
`
	var doubled strings.Builder
	doubled.WriteString(base)
	fmt.Fprintf(&doubled, "s0: %q\n", strings.Repeat("x", 1_000_000))
	for i := 1; i <= 8; i++ {
		fmt.Fprintf(&doubled, "s%d: s%d + s%d\n", i, i-1, i-1)
	}
	doubled.WriteString("milvus: config: common: x: s8\n")
	var aliased strings.Builder
	aliased.WriteString(base)
	fmt.Fprintf(&aliased, "milvus:\n  config:\n    common:\n      a: &a %q\n      l: [", strings.Repeat("y", 1_000_000))
	for i := range 300 {
		if i > 0 {
			aliased.WriteString(", ")
		}
		aliased.WriteString("*a")
	}
	aliased.WriteString("]\n")
	// The fleet file is read under the watchdog too: a CUE fleet whose
	// comprehension runs without bound (past 300 s before).
	const fleetBomb = "import \"list\"\nenvironments: {dev: {files: [\"spec.yaml\"], output: \"out/dev\"}}\nx: [for i in list.Range(0, 3e6, 1) {i}]\n"
	for name, tc := range map[string]struct {
		file, text string
		fleet      bool
	}{
		"doubled string":      {file: "spec.cue", text: doubled.String()},
		"anchor aliased 300×": {file: "spec.yaml", text: aliased.String()},
		"fleet comprehension": {file: "fleet.cue", text: fleetBomb, fleet: true},
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			spec := filepath.Join(dir, tc.file)
			if err := os.WriteFile(spec, []byte(tc.text), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			args := []string{"render", "-f", spec, "-o", out, "--today=2026-11-26"}
			if tc.fleet {
				args = []string{"render", "--fleet", spec, "--today=2026-11-26"}
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "MILVUSGEN_TIME_BUDGET=2s", "MILVUSGEN_MEMORY_BUDGET=512")
			got, err := cmd.CombinedOutput()
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Fatalf("render ended with %v, want exit status 1:\n%.2000s", err, got)
			}
			if !strings.Contains(string(got), "milvusgen's time budget") && !strings.Contains(string(got), "MiB of memory, milvusgen's budget") &&
				!strings.Contains(string(got), "more than the 16.0 MiB a rendered file may hold") {
				t.Errorf("output lacks a bound's message:\n%.2000s", got)
			}
			if tc.fleet && !strings.Contains(string(got), "reading fleet file "+spec) {
				t.Errorf("the message does not name the fleet file's stage:\n%.2000s", got)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("the output exists: %v", err)
			}
		})
	}
}
