package watchdog_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/watchdog"
)

// doubling is the spec: raw values that double at every step.
// CUE v0.17.1 shares the structure, so evaluating it takes time without
// bound but little memory (about 40 MB); it cannot be cancelled, and only
// the time budget ends it.
func doubling(steps int) string {
	var b strings.Builder
	b.WriteString("a00: 1\n")
	for i := 1; i <= steps; i++ {
		fmt.Fprintf(&b, "a%02d: [a%02d, a%02d]\n", i, i-1, i-1)
	}
	fmt.Fprintf(&b, "milvus: values: x: a%02d\n", steps)
	return b.String()
}

// TestEndsRunawayEvaluation runs the loader on the doubling spec in a child
// process under a 2 s and 256 MiB budget: the child must end with status 1
// and the time budget's message, not hang or be killed.
func TestEndsRunawayEvaluation(t *testing.T) {
	if os.Getenv("WATCHDOG_CHILD") == "1" {
		watchdog.Start(context.Background(), watchdog.Limits{What: "validating spec.cue", Time: 2 * time.Second, HeapBytes: 256 << 20})
		yaml, _ := os.ReadFile(os.Getenv("WATCHDOG_SPEC"))
		_, err := spec.Load([]spec.Source{{Name: "spec.cue", Data: yaml}}, spec.Options{})
		fmt.Println("evaluation finished:", err)
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("runs a child process that allocates 256 MiB")
	}
	path := t.TempDir() + "/spec.cue"
	if err := os.WriteFile(path, []byte(doubling(48)), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestEndsRunawayEvaluation$")
	cmd.Env = append(os.Environ(), "WATCHDOG_CHILD=1", "WATCHDOG_SPEC="+path, "GOMAXPROCS=1")
	out, err := cmd.CombinedOutput()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 {
		t.Fatalf("child ended with %v, want exit status 1; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "milvusgen: validating spec.cue took longer than 2s") {
		t.Errorf("output lacks the time budget's message:\n%s", out)
	}
}

// heapBomb is a spec whose evaluation allocates without bound: a 64 KiB
// string concatenated with itself at every step, 2 GiB at the end. Each
// step copies real bytes, so the heap grows in seconds.
func heapBomb() string {
	var b strings.Builder
	fmt.Fprintf(&b, "s00: %q\n", strings.Repeat("x", 64<<10))
	for i := 1; i <= 15; i++ {
		fmt.Fprintf(&b, "s%02d: s%02d + s%02d\n", i, i-1, i-1)
	}
	b.WriteString("milvus: config: common: x: s15\n")
	return b.String()
}

// TestHeapBudgetEndsEvaluation runs the loader on heapBomb in a child
// process with the time budget off and a 256 MiB heap budget: only the
// heap budget can end it, with status 1 and its message.
func TestHeapBudgetEndsEvaluation(t *testing.T) {
	if os.Getenv("WATCHDOG_CHILD") == "heap" {
		watchdog.Start(context.Background(), watchdog.Limits{What: "validating spec.cue", HeapBytes: 256 << 20})
		data, _ := os.ReadFile(os.Getenv("WATCHDOG_SPEC"))
		_, err := spec.Load([]spec.Source{{Name: "spec.cue", Data: data}}, spec.Options{})
		fmt.Println("evaluation finished:", err)
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("runs a child process that allocates 256 MiB")
	}
	path := t.TempDir() + "/spec.cue"
	if err := os.WriteFile(path, []byte(heapBomb()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHeapBudgetEndsEvaluation$")
	cmd.Env = append(os.Environ(), "WATCHDOG_CHILD=heap", "WATCHDOG_SPEC="+path, "GOMAXPROCS=1")
	out, err := cmd.CombinedOutput()
	exit, ok := err.(*exec.ExitError)
	if !ok || exit.ExitCode() != 1 {
		t.Fatalf("child ended with %v, want exit status 1; output:\n%s", err, out)
	}
	if !strings.Contains(string(out), "milvusgen: validating spec.cue used more than 256 MiB of memory") {
		t.Errorf("output lacks the heap budget's message:\n%s", out)
	}
}
