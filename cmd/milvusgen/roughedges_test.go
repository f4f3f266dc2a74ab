package main

import (
	"strings"
	"testing"
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
