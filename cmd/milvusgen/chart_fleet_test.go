package main

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/chart/charttest"
)

// TestChartPullFleet: chart pull --fleet pulls the charts of every
// environment, each chart once; --fleet and -f exclude each other.
func TestChartPullFleet(t *testing.T) {
	r := charttest.Serve(t)
	f := writeFleetDir(t, t.TempDir(), map[string]string{"a": fleetSpec("milvus-a", ""), "b": fleetSpec("milvus-b", "")})
	dir := t.TempDir()
	code, out, stderr := milvusgen(t, "chart", "pull", today, "--fleet", f, "--chart-dir", dir, "--mirror", r.URL)
	if code != exitOK || strings.Count(out, "downloaded") != 2 || !strings.Contains(out, "milvus@") || !strings.Contains(out, "aws-load-balancer-controller@") {
		t.Fatalf("chart pull --fleet: exit %d\n%s%s", code, out, stderr)
	}
	r.Close()
	if code, out, stderr := milvusgen(t, "chart", "pull", today, "--fleet", f, "--env", "b", "--chart-dir", dir); code != exitOK || strings.Count(out, "cached") != 2 {
		t.Errorf("chart pull --fleet --env b, offline: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := milvusgen(t, "chart", "pull", "--fleet", f, "-f", "x.cue"); code != exitUsage || !strings.Contains(stderr, "--fleet and -f exclude each other") {
		t.Errorf("--fleet with -f: exit %d: %s", code, stderr)
	}
	if code, _, stderr := milvusgen(t, "chart", "pull", "--fleet", f, "--env", "nosuch", "--chart-dir", dir); code != exitUsage {
		t.Errorf("--env nosuch: exit %d: %s", code, stderr)
	}
}
