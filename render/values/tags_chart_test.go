package values

import (
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// TestNLBTags renders the real chart with aws.tags and checks the Milvus
// Service carries the LB controller's additional-resource-tags annotation,
// in key order.
func TestNLBTags(t *testing.T) {
	s := modeltest.Variant(func(s *model.Spec) {
		s.AWS.Tags = map[string]string{"team": "vectors", "cost-center": "4711"}
	})
	m := renderMilvus(t, s)
	svcs := m.Filter("Service", "milvus/templates/service.yaml")
	if len(svcs) != 1 {
		t.Fatalf("want one Milvus Service, got %v", svcs)
	}
	svc := decode[corev1.Service](t, svcs[0])
	if got, want := svc.Annotations[model.LBTagsAnnotation], "cost-center=4711,team=vectors"; got != want {
		t.Errorf("%s = %q, want %q", model.LBTagsAnnotation, got, want)
	}
	svc = decode[corev1.Service](t, renderMilvus(t, modeltest.Runbook()).Filter("Service", "milvus/templates/service.yaml")[0])
	if v, ok := svc.Annotations[model.LBTagsAnnotation]; ok {
		t.Errorf("without aws.tags the Service has %s: %q", model.LBTagsAnnotation, v)
	}
}
