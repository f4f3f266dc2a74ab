package verify

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/model"
)

// TestReadTargetArgoCD: the Argo CD tree of a spec gives the same target
// as its Flux tree; only the places the names are read from differ.
func TestReadTargetArgoCD(t *testing.T) {
	flux := runbookTarget(t, nil)
	argo := runbookTarget(t, func(s *model.Spec) { s.GitOps.Engine = model.EngineArgoCD })
	if argo.Scheme.Val != flux.Scheme.Val || argo.Scheme.At.Object != "HelmRelease/milvus/milvus-demo" {
		t.Errorf("Scheme = %+v, want %q from the Milvus Application's release", argo.Scheme, flux.Scheme.Val)
	}
	a, f := *argo, *flux
	a.Scheme, f.Scheme = Value{}, Value{}
	if a != f {
		t.Errorf("ReadTarget of the Argo CD tree =\n%+v\nwant the Flux tree's\n%+v", a, f)
	}
}
