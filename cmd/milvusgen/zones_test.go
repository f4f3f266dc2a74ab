package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestDiffZonesOfAnExistingCluster: naming zones for a cluster that exists
// changes the ClusterConfig's availabilityZones, which eksctl applies only
// when it creates a cluster; diff says so instead of promising a step.
func TestDiffZonesOfAnExistingCluster(t *testing.T) {
	old := filepath.Join(t.TempDir(), "old")
	if code, _, stderr := milvusgen(t, "render", today, "-q", "-f", prodBase, "-f", prodOverlay, "-o", old); code != 0 {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	changed := editedOverlay(t, [2]string{`aws: region: "us-west-2"`, `aws: region: "us-west-2"` + "\ncluster: zones: [\"us-west-2a\", \"us-west-2b\", \"us-west-2c\"]"})
	code, out, stderr := milvusgen(t, "diff", today, "-f", prodBase, "-f", changed, "--against-dir", old)
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s\n%s", code, stderr, out)
	}
	want := `/availabilityZones null → ["us-west-2a","us-west-2b","us-west-2c"]: eksctl cannot move an existing cluster to other zones`
	if !strings.Contains(out, want) || strings.Contains(out, "has no step for this field") {
		t.Errorf("no note %q (or the generic one as well) in:\n%s", want, out)
	}
}
