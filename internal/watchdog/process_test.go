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

// doubling is the spec: raw values that double at every step, which
// CUE v0.17.1 evaluates for minutes and gigabytes, and cannot cancel.
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
// process under a 2 s and 256 MiB budget: the child must end with status 1 and the
// watchdog's message, not hang or be killed.
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
	if !strings.Contains(string(out), "milvusgen: validating spec.cue used more than 256 MiB of memory") &&
		!strings.Contains(string(out), "milvusgen: validating spec.cue took longer than 2s") {
		t.Errorf("output lacks the watchdog's message:\n%s", out)
	}
}
