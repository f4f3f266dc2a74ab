package diff

import (
	"slices"
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render"
)

func renderTree(t *testing.T, s *model.Spec) []manifest.File {
	t.Helper()
	files, err := render.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestFluxToArgoCD diffs the Flux tree and the Argo CD tree of one spec:
// the Flux objects go, the Argo CD ones come, the objects both engines
// share change only in the engine's annotations (StorageClass, Namespace)
// or not at all (eksctl, IAM), and the
// switch is flagged once as an engine change.
func TestFluxToArgoCD(t *testing.T) {
	argo := modeltest.ArgoCDVariants()["argocd"]
	flux := *argo
	flux.GitOps.Engine = model.EngineFlux
	r := Compare(renderTree(t, &flux), renderTree(t, argo))

	var added, removed, changed []string
	engineFlags := 0
	for _, c := range r.Changes {
		switch c.Op {
		case Added:
			added = append(added, c.ID.Kind+" "+c.ID.Name)
		case Removed:
			removed = append(removed, c.ID.Kind+" "+c.ID.Name)
		case Changed:
			changed = append(changed, c.Title())
			// Shared objects differ only in the engine's annotations.
			if c.ID.Kind == "Namespace" || c.ID.Kind == "StorageClass" {
				for _, f := range c.Fields {
					if !strings.HasPrefix(f.Path, "/metadata/annotations") {
						t.Errorf("%s: %s changed; only the engine's annotations may", c.Title(), f.Path)
					}
				}
			}
		}
		for _, f := range c.Flags {
			if strings.HasPrefix(f.Reason, "GitOps engine Flux → Argo CD") {
				engineFlags++
			}
		}
	}
	slices.Sort(added)
	slices.Sort(removed)
	wantAdded := []string{"AppProject milvusgen", "Application aws-load-balancer-controller", "Application milvus-demo",
		"Application milvusgen", "Application milvusgen-apps", "Application milvusgen-infrastructure"}
	wantRemoved := []string{"GitRepository milvusgen", "HelmRelease aws-load-balancer-controller", "HelmRelease milvus-demo",
		"HelmRepository eks", "HelmRepository milvus", "Kustomization milvusgen-apps", "Kustomization milvusgen-infrastructure"}
	for _, k := range added {
		if !strings.HasPrefix(k, "Kustomization") && !slices.Contains(wantAdded, k) {
			t.Errorf("unexpected addition %s", k)
		}
	}
	for _, w := range wantAdded {
		if !slices.Contains(added, w) {
			t.Errorf("%s not added; added: %v", w, added)
		}
	}
	for _, w := range wantRemoved {
		if !slices.Contains(removed, w) {
			t.Errorf("%s not removed; removed: %v", w, removed)
		}
	}
	for _, c := range changed {
		if strings.Contains(c, "ClusterConfig") {
			t.Errorf("%s changed; both engines share it", c)
		}
	}
	if engineFlags != 1 {
		t.Errorf("%d engine-change flags, want one", engineFlags)
	}
}

// TestApplicationValuesFlags: the risk rules read an Application's
// valuesObject as a HelmRelease's values, and report its own paths.
func TestApplicationValuesFlags(t *testing.T) {
	s := modeltest.ArgoCDVariants()["argocd"]
	old := renderTree(t, s)
	for name, tt := range map[string]struct {
		edit  func(*model.Spec)
		field string
		cat   Category
	}{
		"bucket": {func(s *model.Spec) { s.Storage.Bucket = "another-bucket" },
			appValues + "/externalS3/bucketName", Data},
		"mixcoord to one replica": {func(s *model.Spec) {
			s.Milvus.HighAvailability = false
			s.Milvus.MixCoordinator.Replicas = nil
		}, appValues + "/mixCoordinator/replicas", Availability},
		"message queue": {func(s *model.Spec) { s.Milvus.MessageQueue = model.Kafka }, appValues, Data},
	} {
		t.Run(name, func(t *testing.T) {
			ns := modeltest.ArgoCDVariants()["argocd"]
			tt.edit(ns)
			r := Compare(old, renderTree(t, ns))
			var got []string
			for _, f := range r.Flags() {
				got = append(got, string(f.Flag.Category)+" "+f.Flag.Field)
				if f.Flag.Field == tt.field && f.Flag.Category == tt.cat {
					if f.Change.ID.Kind != "Application" {
						t.Errorf("flag on %s, want the Application", f.Change.ID)
					}
					return
				}
			}
			t.Errorf("no %s flag at %s; flags: %v", tt.cat, tt.field, got)
		})
	}
}

// TestApplicationRemoved: deleting the Milvus Application is flagged in
// Argo CD's words.
func TestApplicationRemoved(t *testing.T) {
	s := modeltest.ArgoCDVariants()["argocd"]
	old := renderTree(t, s)
	var new []manifest.File
	for _, f := range old {
		if f.Path != "kubernetes/apps/milvus/milvus.yaml" {
			new = append(new, f)
		}
	}
	for _, f := range Compare(old, new).Flags() {
		if f.Change.ID.Kind == "Application" && strings.Contains(f.Flag.Reason, "Argo CD deletes Application milvus-demo") {
			return
		}
	}
	t.Error("removing the Milvus Application is not flagged")
}

// TestArgoCDNamespaceWords: a Namespace leaving an Argo CD tree is flagged
// for what Argo CD does (keeps it), not what Flux would (prune it).
func TestArgoCDNamespaceWords(t *testing.T) {
	old := renderTree(t, modeltest.ArgoCDVariants()["argocd"])
	s := modeltest.ArgoCDVariants()["argocd"]
	s.Milvus.Namespace = "vectors"
	for _, f := range Compare(old, renderTree(t, s)).Flags() {
		if f.Change.ID.Kind == "Namespace" && f.Change.Op == Removed {
			if f.Category != Data || !strings.Contains(f.Reason, "Argo CD keeps it (Prune=false)") {
				t.Errorf("flag %+v", f.Flag)
			}
			return
		}
	}
	t.Error("the Namespace rename is not flagged")
}
