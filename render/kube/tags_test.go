package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestStorageClassTags: aws.tags become the EBS CSI driver's
// tagSpecification_<n> parameters, numbered in key order.
func TestStorageClassTags(t *testing.T) {
	s := modeltest.Variant(func(s *model.Spec) {
		s.AWS.Tags = map[string]string{"team": "vectors", "cost-center": "4711"}
	})
	got := buildStorageClass(s).Parameters
	want := map[string]string{
		"type": "gp3", "encrypted": "true",
		"tagSpecification_1": "cost-center=4711",
		"tagSpecification_2": "team=vectors",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("parameters (-want +got):\n%s", d)
	}
	if p := buildStorageClass(modeltest.Runbook()).Parameters; len(p) != 2 {
		t.Errorf("without tags the parameters are %v", p)
	}
}
