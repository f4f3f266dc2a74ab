package hydrate

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
)

// withoutFluxOrigin returns the objects of a hydrated file without
// helm-controller's origin labels, which only the Flux engine puts on the
// chart's objects.
func withoutFluxOrigin(t *testing.T, data []byte) []string {
	t.Helper()
	var out []string
	for _, d := range bytes.Split(data, []byte("\n---\n"))[1:] {
		var o map[string]any
		if err := yaml.Unmarshal(d, &o); err != nil {
			t.Fatal(err)
		}
		if meta, ok := o["metadata"].(map[string]any); ok {
			if labels, ok := meta["labels"].(map[string]any); ok {
				delete(labels, "helm.toolkit.fluxcd.io/name")
				delete(labels, "helm.toolkit.fluxcd.io/namespace")
				if len(labels) == 0 {
					delete(meta, "labels")
				}
			}
		}
		b, err := yaml.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sourceRE.FindString(string(d))+"\n"+string(b))
	}
	return out
}

// TestHydrateApplications: an Argo CD tree hydrates into the same files,
// with the same objects, as the Flux tree of the same spec; only the
// header and helm-controller's origin labels differ.
func TestHydrateApplications(t *testing.T) {
	s := modeltest.ArgoCDVariants()["argocd"]
	argo := hydrated(t, renderSpec(t, s), DefaultOptions())
	fs := *s
	fs.GitOps.Engine = model.EngineFlux
	flux := hydrated(t, renderSpec(t, &fs), DefaultOptions())
	if len(argo) != 2 {
		t.Fatalf("%d hydrated files from the Argo CD tree, want 2", len(argo))
	}
	for p, f := range flux {
		a, ok := argo[p]
		if !ok {
			t.Errorf("%s: hydrated from the Flux tree only", p)
			continue
		}
		if d := cmp.Diff(withoutFluxOrigin(t, f), withoutFluxOrigin(t, a)); d != "" {
			t.Errorf("%s: objects differ (-flux +argocd):\n%s", p, d)
		}
		if !strings.Contains(string(a), "for Application argocd/") || strings.Contains(string(a), "fluxcd") {
			t.Errorf("%s: header or labels name Flux:\n%s", p, a[:min(len(a), 600)])
		}
	}
}

// TestApplicationReleaseErrors: an unpinned chart and an unknown API
// version are refused; a Git-path Application is skipped.
func TestApplicationReleaseErrors(t *testing.T) {
	app := func(apiVersion, source string) []byte {
		return []byte("apiVersion: " + apiVersion + "\nkind: Application\nmetadata: {name: m, namespace: argocd}\nspec:\n  project: p\n  destination: {namespace: milvus}\n  source: " + source + "\n")
	}
	for name, tt := range map[string]struct {
		doc  []byte
		want string // "" means skipped without error
	}{
		"git path": {app("argoproj.io/v1alpha1", "{repoURL: https://x, path: a, targetRevision: main}"), ""},
		"unpinned": {app("argoproj.io/v1alpha1", "{repoURL: https://x, chart: milvus, targetRevision: '5.*'}"), "is not pinned"},
		"v1beta1":  {app("argoproj.io/v1beta1", "{repoURL: https://x, chart: milvus, targetRevision: 5.0.19}"), "is not supported"},
	} {
		t.Run(name, func(t *testing.T) {
			_, ok, err := applicationRelease("a.yaml", tt.doc)
			switch {
			case tt.want == "" && (err != nil || ok):
				t.Errorf("ok = %v, err = %v; want skipped", ok, err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
