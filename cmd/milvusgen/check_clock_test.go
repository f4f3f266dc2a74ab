package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRenderCheckInTwoYears: the committed runbook tree, checked with the
// clock two years ahead (2028-12-01, past every known Kubernetes version's
// EKS support), is still up to date: --check decides by bytes, and the
// support finding is printed as a warning. validate on the same date
// refuses the version.
func TestRenderCheckInTwoYears(t *testing.T) {
	const later = "--today=2028-12-01"
	out := filepath.Join("..", "..", "out", "runbook")
	code, stdout, stderr := milvusgen(t, "render", later, "--check", "-f", runbookSpec, "-o", out)
	if code != exitOK || !strings.Contains(stdout, "up to date") {
		t.Fatalf("render --check on 2028-12-01: exit %d, stdout %q, stderr:\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr, "warning: cluster.kubernetesVersion: Kubernetes 1.35 left EKS extended support on 2028-03-27") {
		t.Errorf("render --check on 2028-12-01: no support warning in\n%s", stderr)
	}
	code, _, stderr = milvusgen(t, "validate", later, "-f", runbookSpec)
	if code != exitFailure || !strings.Contains(stderr, "Kubernetes 1.35 left EKS extended support on 2028-03-27") {
		t.Errorf("validate on 2028-12-01: exit %d, want %d with the version refused:\n%s", code, exitFailure, stderr)
	}
}
