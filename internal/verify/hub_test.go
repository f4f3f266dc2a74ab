package verify

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render"
)

func hubMode(s *model.Spec) {
	s.GitOps.Engine = model.EngineArgoCD
	s.GitOps.ArgoCD.Mode = model.ArgoCDModeHub
	s.GitOps.ArgoCD.Hub = &model.ArgoCDHub{Name: modeltest.HubName, Context: modeltest.HubContext, RoleARN: modeltest.HubRoleARN}
}

// TestReadTargetHub: verify -f of a cluster a hub Argo CD serves reads the
// release the hub generates for it (values from its values file) and gets
// the per-cluster mode's target.
func TestReadTargetHub(t *testing.T) {
	argo := runbookTarget(t, func(s *model.Spec) { s.GitOps.Engine = model.EngineArgoCD })
	hub := runbookTarget(t, hubMode)
	if hub.Scheme.Val != argo.Scheme.Val {
		t.Errorf("Scheme = %+v, want %q", hub.Scheme, argo.Scheme.Val)
	}
	a, h := *argo, *hub
	a.Scheme, h.Scheme = Value{}, Value{}
	if a != h {
		t.Errorf("ReadTarget of the hub mode =\n%+v\nwant the per-cluster mode's\n%+v", h, a)
	}
}

// TestReadTargetHubTree: a hub-mode tree on disk (verify --rendered)
// names no release; the message says to verify with the spec.
func TestReadTargetHubTree(t *testing.T) {
	s := modeltest.Runbook()
	hubMode(s)
	files, err := render.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	for _, f := range files {
		m[f.Path] = &fstest.MapFile{Data: f.Data}
	}
	if _, err := ReadTarget(m); err == nil || !strings.Contains(err.Error(), "verify with -f and the spec files") {
		t.Errorf("err = %v", err)
	}
}
