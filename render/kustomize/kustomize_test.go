package kustomize_test

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	kustypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/flux"
	"github.com/milvusgen/milvusgen/render/kube"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

func TestRenderGolden(t *testing.T) {
	for name, s := range modeltest.TreeVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := kustomize.Render(s)
			if err != nil {
				t.Fatal(err)
			}
			golden.AssertTree(t, filepath.Join("testdata", name), files)
		})
	}
}

// renderTree runs the three renderers that share the kubernetes/ and flux/
// trees, fails on a path two of them claim, and returns the files by path.
func renderTree(t *testing.T, s *model.Spec) map[string]manifest.File {
	t.Helper()
	tree := map[string]manifest.File{}
	for _, r := range []struct {
		name   string
		render func(*model.Spec) ([]manifest.File, error)
	}{{"kube", kube.Render}, {"flux", flux.Render}, {"kustomize", kustomize.Render}} {
		files, err := r.render(s)
		if err != nil {
			t.Fatalf("%s.Render: %v", r.name, err)
		}
		for _, f := range files {
			if _, dup := tree[f.Path]; dup {
				t.Errorf("%s.Render: %s is rendered twice", r.name, f.Path)
			}
			tree[f.Path] = f
		}
	}
	return tree
}

// id is how the tests name an object: Kind/namespace/name.
func id(kind, namespace, name string) string { return kind + "/" + namespace + "/" + name }

// TestKrusty builds every kustomization root of the combined tree with
// krusty (consumer.Kustomize), in memory, the way kustomize-controller and `kubectl apply -k`
// would, and checks which objects each root yields.
func TestKrusty(t *testing.T) {
	for name, s := range modeltest.TreeVariants() {
		t.Run(name, func(t *testing.T) {
			tree := renderTree(t, s)
			var files []manifest.File
			for _, f := range tree {
				files = append(files, f)
			}

			want := map[string][]string{
				kustomize.InfrastructureDir: {
					id("StorageClass", "", s.Storage.StorageClass.Name),
					id("HelmRepository", model.LBControllerNamespace, flux.LBControllerRepository),
					id("HelmRelease", model.LBControllerNamespace, model.LBControllerRelease),
				},
				kustomize.AppsDir: {
					id("Namespace", "", s.Milvus.Namespace),
					id("HelmRepository", s.Milvus.Namespace, flux.MilvusRepository),
					id("HelmRelease", s.Milvus.Namespace, s.Name),
				},
			}
			if s.HasGitRepository() {
				want[kustomize.FluxDir] = []string{
					id("GitRepository", model.FluxNamespace, model.SyncName),
					id("Kustomization", model.FluxNamespace, model.InfrastructureSyncName),
					id("Kustomization", model.FluxNamespace, model.AppsSyncName),
				}
			}

			got := map[string][]string{}
			listed := map[string]bool{}
			var fluxPaths []string
			for _, root := range kustomize.Roots(s) {
				kf, ok := tree[kustomize.Path(root.Dir, kustomize.KustomizationFile)]
				if !ok {
					t.Fatalf("%s has no %s", root.Dir, kustomize.KustomizationFile)
				}
				listed[kf.Path] = true
				var k kustypes.Kustomization
				if err := yaml.UnmarshalStrict(kf.Data, &k); err != nil {
					t.Fatalf("%s: %v", kf.Path, err)
				}
				for _, r := range k.Resources {
					listed[path.Join(root.Dir, r)] = true
				}

				m, err := consumer.Kustomize(files, root.Dir)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range m.Resources() {
					got[root.Dir] = append(got[root.Dir], id(r.GetKind(), r.GetNamespace(), r.GetName()))
					if r.GetKind() == "Secret" {
						t.Errorf("%s renders Secret %s: credentials must never be rendered", root.Dir, r.GetName())
					}
					if r.GetKind() == "Kustomization" {
						p, err := r.GetString("spec.path")
						if err != nil {
							t.Fatal(err)
						}
						fluxPaths = append(fluxPaths, p)
					}
				}
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("objects per kustomization root (-want +got):\n%s", d)
			}

			// The tree root's entry files list roots, not files.
			listed[kustomize.KustomizationFile] = true
			listed[kustomize.SourceIgnoreFile] = true
			for p := range tree {
				if !listed[p] {
					t.Errorf("%s is rendered but no kustomization.yaml lists it", p)
				}
			}

			// The Flux Kustomizations must point at roots that build.
			var roots []string
			for _, r := range kustomize.Roots(s) {
				if r.Dir != kustomize.FluxDir {
					roots = append(roots, s.GitOpsPath(r.Dir))
				}
			}
			if !s.HasGitRepository() {
				roots = nil
			}
			if d := cmp.Diff(roots, fluxPaths); d != "" {
				t.Errorf("Flux Kustomization paths (-kustomization roots +spec.path):\n%s", d)
			}
		})
	}
}

// TestRootsListExistingFiles guards the layout constants against a
// renderer that stops producing a file kustomization.yaml still lists.
func TestRootsListExistingFiles(t *testing.T) {
	for name, s := range modeltest.TreeVariants() {
		tree := renderTree(t, s)
		for _, r := range kustomize.Roots(s) {
			for _, f := range append([]string{kustomize.KustomizationFile}, r.Resources...) {
				if _, ok := tree[kustomize.Path(r.Dir, f)]; !ok {
					t.Errorf("%s: %s lists %s, which no renderer produces", name, r.Dir, f)
				}
			}
		}
	}
}

func ExampleRender() {
	files, _ := kustomize.Render(modeltest.Runbook())
	for _, f := range files {
		fmt.Println(f.Path)
		fmt.Print(strings.SplitN(string(f.Data), "\n", 2)[1])
	}
	// Output:
	// kubernetes/infrastructure/kustomization.yaml
	// apiVersion: kustomize.config.k8s.io/v1beta1
	// kind: Kustomization
	// resources:
	// - storageclass.yaml
	// - aws-load-balancer-controller.yaml
	// kubernetes/apps/milvus/kustomization.yaml
	// apiVersion: kustomize.config.k8s.io/v1beta1
	// kind: Kustomization
	// resources:
	// - namespace.yaml
	// - milvus.yaml
	// flux/kustomization.yaml
	// apiVersion: kustomize.config.k8s.io/v1beta1
	// kind: Kustomization
	// resources:
	// - gitrepository.yaml
	// - kustomizations.yaml
	// kustomization.yaml
	// apiVersion: kustomize.config.k8s.io/v1beta1
	// kind: Kustomization
	// resources:
	// - flux
	// .sourceignore
	// # Not for the cluster: eksctl, IAM and scripts; charts rendered for review.
	// /aws/
	// /hydrated/
}
