package flux

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render/kustomize"
	"github.com/milvusgen/milvusgen/render/values"
)

func TestRenderGolden(t *testing.T) {
	for name, s := range modeltest.TreeVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			golden.AssertTree(t, filepath.Join("testdata", name), files)
		})
	}
}

// docs splits a rendered multi-document YAML file.
func docs(t *testing.T, f manifest.File) [][]byte {
	t.Helper()
	if !bytes.HasPrefix(f.Data, []byte("# "+manifest.Header+"\n")) {
		t.Errorf("%s: missing the generated-by header", f.Path)
	}
	var out [][]byte
	for _, d := range strings.Split(string(f.Data), "\n---\n") {
		out = append(out, []byte(d))
	}
	return out
}

// rendered holds the decoded objects of one Render call.
type rendered struct {
	helmRepositories []*sourcev1.HelmRepository
	helmReleases     []*helmv2.HelmRelease
	gitRepositories  []*sourcev1.GitRepository
	kustomizations   []*kustomizev1.Kustomization
	byPath           map[string][]string // file path → kinds, in order
}

// decodeStrict hands every document of files to consumer.CRDs.Flux: strict
// decoding into its Flux Go type, rejecting unknown fields, and validation
// against the Flux CRDs.
func decodeStrict(t *testing.T, crds *consumer.CRDs, files []manifest.File) rendered {
	t.Helper()
	r := rendered{byPath: map[string][]string{}}
	for _, f := range files {
		for i, d := range docs(t, f) {
			o, err := crds.Flux(d)
			if o == nil {
				t.Fatalf("%s #%d: %v (no Secrets or other kinds belong here)", f.Path, i, err)
			}
			if err != nil {
				t.Errorf("%s #%d: %v", f.Path, i, err)
			}
			var kind string
			switch o := o.(type) {
			case *sourcev1.HelmRepository:
				r.helmRepositories, kind = append(r.helmRepositories, o), sourcev1.HelmRepositoryKind
			case *helmv2.HelmRelease:
				r.helmReleases, kind = append(r.helmReleases, o), helmv2.HelmReleaseKind
			case *sourcev1.GitRepository:
				r.gitRepositories, kind = append(r.gitRepositories, o), sourcev1.GitRepositoryKind
			case *kustomizev1.Kustomization:
				r.kustomizations, kind = append(r.kustomizations, o), kustomizev1.KustomizationKind
			default:
				t.Fatalf("%s #%d: unexpected %T (no Secrets or other kinds belong here)", f.Path, i, o)
			}
			r.byPath[f.Path] = append(r.byPath[f.Path], kind)
		}
	}
	return r
}

func TestRenderIsValidFlux(t *testing.T) {
	crds, err := consumer.FluxCRDs()
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range modeltest.TreeVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := Render(s)
			if err != nil {
				t.Fatal(err)
			}
			r := decodeStrict(t, crds, files)

			wantPaths := map[string][]string{
				kustomize.Path(kustomize.InfrastructureDir, kustomize.LBControllerFile): {sourcev1.HelmRepositoryKind, helmv2.HelmReleaseKind},
				kustomize.Path(kustomize.AppsDir, kustomize.MilvusFile):                 {sourcev1.HelmRepositoryKind, helmv2.HelmReleaseKind},
			}
			if s.HasGitRepository() {
				wantPaths[kustomize.Path(kustomize.FluxDir, kustomize.GitRepositoryFile)] = []string{sourcev1.GitRepositoryKind}
				wantPaths[kustomize.Path(kustomize.FluxDir, kustomize.KustomizationsFile)] = []string{kustomizev1.KustomizationKind, kustomizev1.KustomizationKind}
			}
			if d := cmp.Diff(wantPaths, r.byPath); d != "" {
				t.Errorf("files and kinds (-want +got):\n%s", d)
			}

			checkReleases(t, s, r)
			if s.HasGitRepository() {
				checkSync(t, s, r)
			}
		})
	}
}

// checkReleases checks that every chart resolves to a rendered
// HelmRepository, that Milvus waits for the LB controller and that the
// values are exactly what render/values returns.
func checkReleases(t *testing.T, s *model.Spec, r rendered) {
	t.Helper()
	repos := map[string]*sourcev1.HelmRepository{}
	for _, h := range r.helmRepositories {
		if h.Spec.Interval.Duration <= 0 {
			t.Errorf("HelmRepository/%s/%s: interval unset", h.Namespace, h.Name)
		}
		repos[h.Namespace+"/"+h.Name] = h
	}
	releases := map[string]*helmv2.HelmRelease{}
	for _, hr := range r.helmReleases {
		releases[hr.Namespace+"/"+hr.Name] = hr
		ref := hr.Spec.Chart.Spec.SourceRef
		ns := ref.Namespace
		if ns == "" {
			ns = hr.Namespace
		}
		if _, ok := repos[ns+"/"+ref.Name]; ref.Kind != sourcev1.HelmRepositoryKind || !ok {
			t.Errorf("HelmRelease/%s/%s: chart source %s %s/%s is not rendered", hr.Namespace, hr.Name, ref.Kind, ns, ref.Name)
		}
	}

	lb := releases[model.LBControllerNamespace+"/"+model.LBControllerRelease]
	milvus := releases[s.Milvus.Namespace+"/"+s.Name]
	if lb == nil || milvus == nil {
		t.Fatalf("missing releases: have %v", keys(releases))
	}
	if got := repos[lb.Namespace+"/"+lb.Spec.Chart.Spec.SourceRef.Name].Spec.URL; got != model.LBControllerChartRepo {
		t.Errorf("LB controller repository URL = %q, want %q", got, model.LBControllerChartRepo)
	}
	if got := repos[milvus.Namespace+"/"+milvus.Spec.Chart.Spec.SourceRef.Name].Spec.URL; got != model.MilvusChartRepo {
		t.Errorf("Milvus repository URL = %q, want %q", got, model.MilvusChartRepo)
	}
	if lb.Spec.Chart.Spec.Version != s.LoadBalancerController.ChartVersion || milvus.Spec.Chart.Spec.Version != s.Milvus.ChartVersion {
		t.Errorf("chart versions = %q, %q; want %q, %q", lb.Spec.Chart.Spec.Version, milvus.Spec.Chart.Spec.Version,
			s.LoadBalancerController.ChartVersion, s.Milvus.ChartVersion)
	}
	if lb.Spec.Install.CRDs != helmv2.CreateReplace || lb.Spec.Upgrade.CRDs != helmv2.CreateReplace {
		t.Errorf("LB controller CRD policy = %q/%q, want CreateReplace on install and upgrade", lb.Spec.Install.CRDs, lb.Spec.Upgrade.CRDs)
	}

	wantDeps := []helmv2.DependencyReference{{Name: lb.Name, Namespace: lb.Namespace}}
	if d := cmp.Diff(wantDeps, milvus.Spec.DependsOn); d != "" {
		t.Errorf("Milvus HelmRelease dependsOn (-want +got):\n%s", d)
	}
	if milvus.Spec.ReleaseName != s.Name {
		t.Errorf("Milvus releaseName = %q, want %q", milvus.Spec.ReleaseName, s.Name)
	}

	for _, c := range []struct {
		hr   *helmv2.HelmRelease
		want map[string]any
	}{{lb, values.LBController(s)}, {milvus, values.Milvus(s)}} {
		got := map[string]any{}
		if c.hr.Spec.Values != nil {
			if err := json.Unmarshal(c.hr.Spec.Values.Raw, &got); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]any{}
		raw, _ := json.Marshal(c.want)
		_ = json.Unmarshal(raw, &want)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("HelmRelease/%s/%s values differ from render/values (-want +got):\n%s", c.hr.Namespace, c.hr.Name, d)
		}
	}
}

// checkSync checks the GitRepository and the Kustomizations: paths under
// the spec's repository path, apps after infrastructure, the credentials
// Secret referenced only when the spec needs one.
func checkSync(t *testing.T, s *model.Spec, r rendered) {
	t.Helper()
	if len(r.gitRepositories) != 1 {
		t.Fatalf("want one GitRepository, got %d", len(r.gitRepositories))
	}
	g := r.gitRepositories[0]
	if g.Name != model.SyncName || g.Namespace != model.FluxNamespace || g.Spec.URL != s.GitOps.Repository.URL ||
		g.Spec.Reference == nil || g.Spec.Reference.Branch != s.GitOps.Repository.Branch {
		t.Errorf("GitRepository = %s/%s %s ref %+v", g.Namespace, g.Name, g.Spec.URL, g.Spec.Reference)
	}
	switch n := s.GitSecretName(); {
	case n == "" && g.Spec.SecretRef != nil:
		t.Errorf("GitRepository references Secret %q, but %s needs none", g.Spec.SecretRef.Name, s.GitOps.Repository.URL)
	case n != "" && (g.Spec.SecretRef == nil || g.Spec.SecretRef.Name != n):
		t.Errorf("GitRepository secretRef = %+v, want %q", g.Spec.SecretRef, n)
	}

	type ks struct {
		Path      string
		DependsOn []string
	}
	got := map[string]ks{}
	for _, k := range r.kustomizations {
		if k.Namespace != model.FluxNamespace || k.Spec.SourceRef.Kind != sourcev1.GitRepositoryKind || k.Spec.SourceRef.Name != g.Name {
			t.Errorf("Kustomization/%s/%s: source %+v is not the rendered GitRepository", k.Namespace, k.Name, k.Spec.SourceRef)
		}
		if !k.Spec.Prune || !k.Spec.Wait {
			t.Errorf("Kustomization/%s: prune=%v wait=%v, want both", k.Name, k.Spec.Prune, k.Spec.Wait)
		}
		var deps []string
		for _, d := range k.Spec.DependsOn {
			deps = append(deps, d.Name)
		}
		got[k.Name] = ks{k.Spec.Path, deps}
	}
	want := map[string]ks{
		model.InfrastructureSyncName: {Path: s.GitOpsPath(kustomize.InfrastructureDir)},
		model.AppsSyncName:           {Path: s.GitOpsPath(kustomize.AppsDir), DependsOn: []string{model.InfrastructureSyncName}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Kustomizations (-want +got):\n%s", d)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestRenderBadInterval(t *testing.T) {
	for name, iv := range map[string]string{"empty": "", "no unit": "10", "zero": "0s", "negative": "-1m"} {
		t.Run(name, func(t *testing.T) {
			s := modeltest.Runbook()
			s.GitOps.Interval = iv
			_, err := Render(s)
			if err == nil || !strings.HasPrefix(err.Error(), "gitops.interval: ") {
				t.Errorf("Render with interval %q: err = %v, want a gitops.interval error", iv, err)
			}
		})
	}
}

// TestBuildKustomization compares whole objects, the way helm-controller
// tests buildHelmChartFromTemplate: a base and a modify function per case.
func TestBuildKustomization(t *testing.T) {
	base := func() *kustomizev1.Kustomization {
		return &kustomizev1.Kustomization{
			TypeMeta:   metav1.TypeMeta{APIVersion: "kustomize.toolkit.fluxcd.io/v1", Kind: "Kustomization"},
			ObjectMeta: metav1.ObjectMeta{Name: "milvusgen-infrastructure", Namespace: "flux-system"},
			Spec: kustomizev1.KustomizationSpec{
				Interval:      metav1.Duration{Duration: 10 * time.Minute},
				RetryInterval: &metav1.Duration{Duration: 2 * time.Minute},
				Path:          "./clusters/milvus-eks-cluster/kubernetes/infrastructure",
				Prune:         true,
				Wait:          true,
				Timeout:       &metav1.Duration{Duration: 10 * time.Minute},
				SourceRef:     kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: "milvusgen"},
			},
		}
	}
	tests := map[string]struct {
		spec   func(*model.Spec)
		build  func(*model.Spec) *kustomizev1.Kustomization
		modify func(*kustomizev1.Kustomization)
	}{
		"infrastructure": {
			build: func(s *model.Spec) *kustomizev1.Kustomization {
				return buildInfrastructureKustomization(s, 10*time.Minute)
			},
			modify: func(*kustomizev1.Kustomization) {},
		},
		"apps depends on infrastructure": {
			build: func(s *model.Spec) *kustomizev1.Kustomization { return buildAppsKustomization(s, 10*time.Minute) },
			modify: func(k *kustomizev1.Kustomization) {
				k.Name = "milvusgen-apps"
				k.Spec.Path = "./clusters/milvus-eks-cluster/kubernetes/apps/milvus"
				k.Spec.DependsOn = []kustomizev1.DependencyReference{{Name: "milvusgen-infrastructure"}}
				k.Spec.Timeout.Duration = 20 * time.Minute
			},
		},
		"repository root path": {
			spec: func(s *model.Spec) { s.GitOps.Repository.Path = "/" },
			build: func(s *model.Spec) *kustomizev1.Kustomization {
				return buildInfrastructureKustomization(s, 10*time.Minute)
			},
			modify: func(k *kustomizev1.Kustomization) { k.Spec.Path = "./kubernetes/infrastructure" },
		},
		"interval": {
			build: func(s *model.Spec) *kustomizev1.Kustomization {
				return buildInfrastructureKustomization(s, time.Minute)
			},
			modify: func(k *kustomizev1.Kustomization) { k.Spec.Interval.Duration = time.Minute },
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			s := modeltest.Runbook()
			if tt.spec != nil {
				tt.spec(s)
			}
			want := base()
			tt.modify(want)
			if d := cmp.Diff(want, tt.build(s)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
