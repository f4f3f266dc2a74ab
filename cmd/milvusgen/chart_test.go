package main

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/chart/charttest"
)

func TestChartPull(t *testing.T) {
	r := charttest.Serve(t)
	dir := t.TempDir()
	args := []string{"chart", "pull", today, "-f", "../../examples/runbook/spec.cue", "--chart-dir", dir, "--mirror", r.URL}
	code, out, stderr := milvusgen(t, args...)
	if code != 0 || strings.Count(out, "downloaded") != 2 {
		t.Fatalf("first pull: exit %d\n%s%s", code, out, stderr)
	}
	r.Requests.Store(0)
	code, out, stderr = milvusgen(t, args...)
	if code != 0 || strings.Count(out, "cached") != 2 || r.Requests.Load() != 0 {
		t.Fatalf("second pull: exit %d, %d requests\n%s%s", code, r.Requests.Load(), out, stderr)
	}
	// The environment variable names the cache when --chart-dir is absent.
	t.Setenv("MILVUSGEN_CHART_DIR", dir)
	r.Close()
	if code, out, stderr := milvusgen(t, "chart", "pull", today, "-q", "-f", "../../examples/runbook/spec.cue"); code != 0 || out != "" {
		t.Fatalf("pull from $MILVUSGEN_CHART_DIR offline: exit %d\n%s%s", code, out, stderr)
	}
}

func TestChartUsage(t *testing.T) {
	if code, _, stderr := milvusgen(t, "chart"); code != 2 || !strings.Contains(stderr, "chart pull") {
		t.Errorf("chart without subcommand: exit %d: %s", code, stderr)
	}
	if code, _, _ := milvusgen(t, "chart", "pull"); code != 2 {
		t.Errorf("chart pull without -f: exit %d, want 2", code)
	}
}
