package kustomize_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/sourceignore"
	"github.com/google/go-cmp/cmp"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render"
	"github.com/milvusgen/milvusgen/render/flux"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// The tests below run Flux's own code over a rendered tree in a Git work
// tree: github.com/fluxcd/pkg/sourceignore decides what source-controller
// puts in the artifact, github.com/fluxcd/pkg/kustomize generates (or
// keeps) the kustomization.yaml and builds it as kustomize-controller does.

// writeTree renders s into repo/dir, plus what a tree may hold besides the
// render: a hydrated chart (render --hydrate), which Flux must not apply.
func writeTree(t *testing.T, repo, dir string, s *model.Spec) {
	t.Helper()
	files, err := render.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	hydrated := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: " + s.Name + "-proxy\n  namespace: " + s.Milvus.Namespace + "\n"
	files = append(files, render.File{Path: "hydrated/" + s.Milvus.Namespace + "/" + s.Name + ".yaml", Data: []byte(hydrated)})
	for _, f := range files {
		p := filepath.Join(repo, dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// artifact copies repo the way source-controller archives a GitRepository:
// without what the .sourceignore files (and Flux's default patterns)
// exclude. It returns the artifact's root and the paths it left out.
func artifact(t *testing.T, repo string) (string, []string) {
	t.Helper()
	domain := strings.Split(repo, string(filepath.Separator))
	ps, err := sourceignore.LoadIgnorePatterns(repo, domain)
	if err != nil {
		t.Fatal(err)
	}
	m := sourceignore.NewDefaultMatcher(ps, domain)
	out := t.TempDir()
	var ignored []string
	err = filepath.Walk(repo, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == repo {
			return err
		}
		if m.Match(strings.Split(p, string(filepath.Separator)), fi.IsDir()) {
			rel, _ := filepath.Rel(repo, p)
			ignored = append(ignored, filepath.ToSlash(rel))
			if fi.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(repo, p)
		if fi.IsDir() {
			return os.MkdirAll(filepath.Join(out, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(out, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return out, ignored
}

// fluxBuild runs kustomize-controller's steps on root/path: generate a
// kustomization.yaml when the folder has none, then the secure build. It
// returns the objects as Kind/namespace/name, sorted.
func fluxBuild(t *testing.T, root, path string) []string {
	t.Helper()
	ks := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
		"kind":       "Kustomization",
		"metadata":   map[string]any{"name": "flux-system", "namespace": "flux-system"},
		"spec":       map[string]any{"path": "./" + path, "prune": true},
	}}
	dir := filepath.Join(root, path)
	gen := fluxkustomize.NewGenerator(root, ks)
	if _, err := gen.WriteFile(dir, fluxkustomize.WithSaveOriginalKustomization()); err != nil {
		t.Fatalf("generating the kustomization of %s: %v", path, err)
	}
	rm, err := fluxkustomize.SecureBuild(root, dir, false)
	if err != nil {
		t.Fatalf("building %s: %v", path, err)
	}
	var ids []string
	for _, r := range rm.Resources() {
		ids = append(ids, id(r.GetKind(), r.GetNamespace(), r.GetName()))
	}
	sort.Strings(ids)
	return ids
}

// entryObjects is what milvusgen means an engine at the tree's root to
// apply, per spec shape.
func entryObjects(s *model.Spec) []string {
	var ids []string
	switch {
	case s.UsesArgoCDHub():
		// What the hub's Git Applications sync; the values files are not
		// objects.
		ids = []string{id("StorageClass", "", s.Storage.StorageClass.Name), id("Namespace", "", s.Milvus.Namespace)}
	case s.UsesArgoCD():
		ids = []string{id("AppProject", s.GitOps.ArgoCD.Namespace, model.SyncName)}
		if s.HasGitRepository() {
			ids = append(ids, id("Application", s.GitOps.ArgoCD.Namespace, model.SyncName))
		}
	case s.HasGitRepository():
		ids = []string{
			id("GitRepository", model.FluxNamespace, model.SyncName),
			id("Kustomization", model.FluxNamespace, model.InfrastructureSyncName),
			id("Kustomization", model.FluxNamespace, model.AppsSyncName),
		}
	default:
		ids = []string{
			id("StorageClass", "", s.Storage.StorageClass.Name),
			id("HelmRepository", model.LBControllerNamespace, flux.LBControllerRepository),
			id("HelmRelease", model.LBControllerNamespace, model.LBControllerRelease),
			id("Namespace", "", s.Milvus.Namespace),
			id("HelmRepository", s.Milvus.Namespace, flux.MilvusRepository),
			id("HelmRelease", s.Milvus.Namespace, s.Name),
		}
	}
	sort.Strings(ids)
	return ids
}

// TestFluxDefaultPath points Flux at the tree's root, as `flux bootstrap
// --path clusters/<cluster>` does, and checks it applies exactly the entry
// objects: no ClusterConfig, no hydrated Deployment, no sub-root twice.
func TestFluxDefaultPath(t *testing.T) {
	specs := modeltest.TreeVariants()
	for name, s := range modeltest.ArgoCDVariants() {
		specs[name] = s
	}
	for name, s := range modeltest.HubVariants() {
		specs["hub-"+name] = s
	}
	for name, s := range specs {
		t.Run(name, func(t *testing.T) {
			repo := t.TempDir()
			dir := "clusters/" + s.Cluster.Name
			writeTree(t, repo, dir, s)

			art, ignored := artifact(t, repo)
			wantIgnored := []string{dir + "/aws", dir + "/hydrated"}
			if d := cmp.Diff(wantIgnored, ignored); d != "" {
				t.Errorf("left out of the artifact (-want +got):\n%s", d)
			}
			if d := cmp.Diff(entryObjects(s), fluxBuild(t, art, dir)); d != "" {
				t.Errorf("objects Flux applies at %s (-want +got):\n%s", dir, d)
			}
		})
	}
}

// TestFluxDefaultPathWithoutEntry is the control: the same tree without the
// root's kustomization.yaml and .sourceignore makes Flux apply the eksctl
// ClusterConfig and the hydrated chart, the failure the entry files fix.
func TestFluxDefaultPathWithoutEntry(t *testing.T) {
	s := modeltest.Runbook()
	repo := t.TempDir()
	dir := "clusters/" + s.Cluster.Name
	writeTree(t, repo, dir, s)
	for _, f := range []string{kustomize.KustomizationFile, kustomize.SourceIgnoreFile} {
		if err := os.Remove(filepath.Join(repo, dir, f)); err != nil {
			t.Fatal(err)
		}
	}
	art, _ := artifact(t, repo)
	got := strings.Join(fluxBuild(t, art, dir), "\n")
	for _, want := range []string{
		id("ClusterConfig", "", s.Cluster.Name),
		id("Deployment", s.Milvus.Namespace, s.Name+"-proxy"),
	} {
		if !strings.Contains(got, want) {
			t.Errorf("without the entry files Flux would not apply %s; the control no longer shows the failure:\n%s", want, got)
		}
	}
}

// TestFluxParentPath shows why a parent folder of trees cannot be made
// safe (and why validate warns): Flux's generator lists every subfolder
// holding a kustomization.yaml, so each environment's tree lands on the one
// cluster.
func TestFluxParentPath(t *testing.T) {
	repo := t.TempDir()
	a := modeltest.Runbook()
	b := modeltest.Variant(func(s *model.Spec) { s.Cluster.Name = "milvus-other" })
	writeTree(t, repo, "clusters/"+a.Cluster.Name, a)
	writeTree(t, repo, "clusters/"+b.Cluster.Name, b)
	art, _ := artifact(t, repo)

	ks := unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "flux-system", "namespace": "flux-system"},
		"spec":     map[string]any{"path": "./clusters"},
	}}
	data, _, _, err := fluxkustomize.NewGenerator(art, ks).GenerateManifest(filepath.Join(art, "clusters"))
	if err != nil {
		t.Fatal(err)
	}
	var k kustypes.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range k.Resources {
		got = append(got, filepath.Base(r))
	}
	sort.Strings(got)
	want := []string{a.Cluster.Name, b.Cluster.Name}
	sort.Strings(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("resources Flux generates for clusters/ (-want +got):\n%s", d)
	}
}
