package argocd_test

import (
	"bytes"
	"encoding/json"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/render"
	"github.com/milvusgen/milvusgen/render/argocd"
	"github.com/milvusgen/milvusgen/render/flux"
	"github.com/milvusgen/milvusgen/render/kustomize"
	"github.com/milvusgen/milvusgen/render/values"
)

func TestRenderGolden(t *testing.T) {
	for name, s := range modeltest.ArgoCDVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := argocd.Render(s)
			if err != nil {
				t.Fatal(err)
			}
			golden.AssertTree(t, filepath.Join("testdata", name), files)
		})
	}
}

// docs splits a rendered multi-document YAML file.
func docs(f manifest.File) [][]byte {
	var out [][]byte
	for _, d := range strings.Split(string(f.Data), "\n---\n") {
		out = append(out, []byte(d))
	}
	return out
}

// rendered holds the decoded objects of one tree, by Kind/namespace/name.
type rendered struct {
	apps     map[string]*v1alpha1.Application
	projects []*v1alpha1.AppProject
	byPath   map[string][]string
}

// decodeStrict hands every Argo CD document of files to
// consumer.CRDs.ArgoCD: strict decoding into the v1alpha1 types and
// validation against the v3.5.1 CRDs.
func decodeStrict(t *testing.T, files []manifest.File) rendered {
	t.Helper()
	crds, err := consumer.ArgoCDCRDs()
	if err != nil {
		t.Fatal(err)
	}
	r := rendered{apps: map[string]*v1alpha1.Application{}, byPath: map[string][]string{}}
	for _, f := range files {
		if !bytes.HasPrefix(f.Data, []byte("# "+manifest.Header+"\n")) {
			t.Errorf("%s: missing the generated-by header", f.Path)
		}
		for i, d := range docs(f) {
			o, err := crds.ArgoCD(d)
			if o == nil {
				t.Fatalf("%s #%d: %v", f.Path, i, err)
			}
			if err != nil {
				t.Errorf("%s #%d: %v", f.Path, i, err)
			}
			switch o := o.(type) {
			case *v1alpha1.Application:
				r.apps[o.Name] = o
				r.byPath[f.Path] = append(r.byPath[f.Path], "Application/"+o.Name)
			case *v1alpha1.AppProject:
				r.projects = append(r.projects, o)
				r.byPath[f.Path] = append(r.byPath[f.Path], "AppProject/"+o.Name)
			default:
				t.Fatalf("%s #%d: unexpected %T", f.Path, i, o)
			}
		}
	}
	return r
}

func TestRenderIsValidArgoCD(t *testing.T) {
	for name, s := range modeltest.ArgoCDVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := argocd.Render(s)
			if err != nil {
				t.Fatal(err)
			}
			r := decodeStrict(t, files)
			want := map[string][]string{
				"kubernetes/infrastructure/aws-load-balancer-controller.yaml": {"Application/" + model.LBControllerRelease},
				"kubernetes/apps/milvus/milvus.yaml":                          {"Application/" + s.Name},
				"argocd/project.yaml":                                         {"AppProject/" + model.ArgoCDProject},
			}
			if s.HasGitRepository() {
				want["argocd/root.yaml"] = []string{"Application/" + model.ArgoCDRootName}
				want["argocd/apps/applications.yaml"] = []string{"Application/" + model.InfrastructureSyncName, "Application/" + model.AppsSyncName}
			}
			if d := cmp.Diff(want, r.byPath); d != "" {
				t.Errorf("files and objects (-want +got):\n%s", d)
			}
			checkHelmApplications(t, s, r)
			checkProject(t, s, r)
			if s.HasGitRepository() {
				checkAppOfApps(t, s, r)
			}
			for _, a := range r.apps {
				checkSyncPolicy(t, s, a)
			}
		})
	}
}

// jsonValues decodes a values object the way Helm receives it.
func jsonValues(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// checkHelmApplications checks the two Helm Applications: repository,
// chart, pinned version, release, namespace, and values exactly those of
// render/values.
func checkHelmApplications(t *testing.T, s *model.Spec, r rendered) {
	t.Helper()
	for _, c := range []struct {
		name, repo, chart, version, namespace string
		values                                map[string]any
	}{
		{model.LBControllerRelease, model.LBControllerChartRepo, flux.LBControllerChart, s.LoadBalancerController.ChartVersion,
			model.LBControllerNamespace, values.LBController(s)},
		{s.Name, model.MilvusChartRepo, flux.MilvusChart, s.Milvus.ChartVersion, s.Milvus.Namespace, values.Milvus(s)},
	} {
		a := r.apps[c.name]
		if a == nil {
			t.Fatalf("no Application %s", c.name)
		}
		src := a.Spec.Source
		want := v1alpha1.ApplicationSource{RepoURL: c.repo, Chart: c.chart, TargetRevision: c.version,
			Helm: &v1alpha1.ApplicationSourceHelm{ReleaseName: c.name, ValuesObject: src.Helm.ValuesObject}}
		if d := cmp.Diff(want, *src); d != "" {
			t.Errorf("Application %s source (-want +got):\n%s", c.name, d)
		}
		if a.Spec.Destination.Namespace != c.namespace || a.Spec.Destination.Server != v1alpha1.InClusterServer {
			t.Errorf("Application %s destination = %+v, want %s in cluster", c.name, a.Spec.Destination, c.namespace)
		}
		got := map[string]any{}
		if err := json.Unmarshal(src.Helm.ValuesObject.Raw, &got); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(jsonValues(t, c.values), got); d != "" {
			t.Errorf("Application %s valuesObject differs from render/values (-want +got):\n%s", c.name, d)
		}
		if !slices.Contains(a.Spec.SyncPolicy.SyncOptions, "ServerSideApply=true") {
			t.Errorf("Application %s: want ServerSideApply=true, got %v", c.name, a.Spec.SyncPolicy.SyncOptions)
		}
	}
}

// checkProject checks that the AppProject allows exactly what the
// Applications use.
func checkProject(t *testing.T, s *model.Spec, r rendered) {
	t.Helper()
	if len(r.projects) != 1 {
		t.Fatalf("want one AppProject, got %d", len(r.projects))
	}
	p := r.projects[0]
	wantRepos := []string{model.LBControllerChartRepo, model.MilvusChartRepo}
	if s.HasGitRepository() {
		wantRepos = append(wantRepos, s.GitOps.Repository.URL)
	}
	slices.Sort(wantRepos)
	gotRepos := slices.Sorted(slices.Values(p.Spec.SourceRepos))
	if d := cmp.Diff(wantRepos, gotRepos); d != "" {
		t.Errorf("AppProject sourceRepos (-want +got):\n%s", d)
	}
	var gotNS []string
	for _, d := range p.Spec.Destinations {
		if d.Server != v1alpha1.InClusterServer || d.Namespace == "" || strings.Contains(d.Namespace, "*") {
			t.Errorf("AppProject destination %+v is not one in-cluster namespace", d)
		}
		gotNS = append(gotNS, d.Namespace)
	}
	slices.Sort(gotNS)
	wantNS := []string{s.GitOps.ArgoCD.Namespace, model.LBControllerNamespace, s.Milvus.Namespace}
	slices.Sort(wantNS)
	if d := cmp.Diff(wantNS, gotNS); d != "" {
		t.Errorf("AppProject destinations (-want +got):\n%s", d)
	}
	for _, a := range r.apps {
		if a.Spec.Project != p.Name || a.Namespace != s.GitOps.ArgoCD.Namespace || p.Namespace != s.GitOps.ArgoCD.Namespace {
			t.Errorf("Application %s/%s project %q; want project %s/%s", a.Namespace, a.Name, a.Spec.Project, p.Namespace, p.Name)
		}
		if !slices.Contains(p.Spec.SourceRepos, a.Spec.Source.RepoURL) || !slices.Contains(gotNS, a.Spec.Destination.Namespace) {
			t.Errorf("Application %s: source %s or destination %s is not allowed by the project", a.Name, a.Spec.Source.RepoURL, a.Spec.Destination.Namespace)
		}
	}
}

// checkAppOfApps checks the root and its children: the root syncs
// argocd/apps, whose Applications sync the kubernetes/ roots in waves,
// infrastructure before apps, all from the spec's repository and branch.
func checkAppOfApps(t *testing.T, s *model.Spec, r rendered) {
	t.Helper()
	type sync struct{ Path, Wave string }
	got := map[string]sync{}
	for _, n := range []string{model.ArgoCDRootName, model.InfrastructureSyncName, model.AppsSyncName} {
		a := r.apps[n]
		if a == nil {
			t.Fatalf("no Application %s", n)
		}
		src := a.Spec.Source
		if src.RepoURL != s.GitOps.Repository.URL || src.TargetRevision != s.GitOps.Repository.Branch || src.Chart != "" {
			t.Errorf("Application %s source = %+v, want %s at %s", n, src, s.GitOps.Repository.URL, s.GitOps.Repository.Branch)
		}
		if a.Spec.Destination.Namespace != s.GitOps.ArgoCD.Namespace {
			t.Errorf("Application %s destination %+v, want Argo CD's namespace", n, a.Spec.Destination)
		}
		got[n] = sync{src.Path, a.Annotations[v1alpha1.SyncWaveAnnotation]}
	}
	p := func(dir string) string { return path.Clean(strings.TrimPrefix(s.GitOpsPath(dir), "./")) }
	want := map[string]sync{
		model.ArgoCDRootName:         {Path: p(kustomize.ArgoCDAppsDir)},
		model.InfrastructureSyncName: {Path: p(kustomize.InfrastructureDir), Wave: "0"},
		model.AppsSyncName:           {Path: p(kustomize.AppsDir), Wave: "1"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("app of apps (-want +got):\n%s", d)
	}
}

// checkSyncPolicy checks the spec's automated settings on every
// Application, and that an empty source never prunes everything.
func checkSyncPolicy(t *testing.T, s *model.Spec, a *v1alpha1.Application) {
	t.Helper()
	sp := a.Spec.SyncPolicy
	switch {
	case sp == nil:
		t.Errorf("Application %s has no syncPolicy", a.Name)
	case !s.GitOps.ArgoCD.Automated && sp.Automated != nil:
		t.Errorf("Application %s syncs automatically; the spec says manual", a.Name)
	case s.GitOps.ArgoCD.Automated && (sp.Automated == nil || sp.Automated.Prune != s.GitOps.ArgoCD.Prune ||
		sp.Automated.SelfHeal != s.GitOps.ArgoCD.SelfHeal || sp.Automated.AllowEmpty):
		t.Errorf("Application %s automated = %+v, want prune %v selfHeal %v, never allowEmpty", a.Name, sp.Automated,
			s.GitOps.ArgoCD.Prune, s.GitOps.ArgoCD.SelfHeal)
	}
	if !slices.Contains(a.Finalizers, v1alpha1.ResourcesFinalizer) {
		t.Errorf("Application %s: deleting it would orphan its objects", a.Name)
	}
}

// TestValuesEqualFlux is the one-values-builder guarantee: each
// Application's valuesObject equals the values of the HelmRelease the
// Flux engine renders for the same spec, and so do chart, version and
// release.
func TestValuesEqualFlux(t *testing.T) {
	for name, s := range modeltest.ArgoCDVariants() {
		t.Run(name, func(t *testing.T) {
			argoFiles, err := argocd.Render(s)
			if err != nil {
				t.Fatal(err)
			}
			fs := *s
			fs.GitOps.Engine = model.EngineFlux
			fluxFiles, err := flux.Render(&fs)
			if err != nil {
				t.Fatal(err)
			}
			apps := decodeStrict(t, argoFiles).apps
			n := 0
			for _, f := range fluxFiles {
				for _, d := range docs(f) {
					var hr helmv2.HelmRelease
					if yaml.Unmarshal(d, &hr) != nil || hr.Kind != helmv2.HelmReleaseKind {
						continue
					}
					n++
					a := apps[hr.Spec.ReleaseName]
					if a == nil {
						t.Fatalf("no Application for HelmRelease %s", hr.Name)
					}
					src := a.Spec.Source
					if src.Chart != hr.Spec.Chart.Spec.Chart || src.TargetRevision != hr.Spec.Chart.Spec.Version ||
						src.Helm.ReleaseName != hr.Spec.ReleaseName || a.Spec.Destination.Namespace != hr.Namespace {
						t.Errorf("Application %s installs %s %s as %s in %s; HelmRelease %s %s as %s in %s", a.Name,
							src.Chart, src.TargetRevision, src.Helm.ReleaseName, a.Spec.Destination.Namespace,
							hr.Spec.Chart.Spec.Chart, hr.Spec.Chart.Spec.Version, hr.Spec.ReleaseName, hr.Namespace)
					}
					if got := argocd.HelmRelease(a); got.Name != hr.Spec.ReleaseName || got.Namespace != hr.Namespace ||
						got.Spec.ReleaseName != hr.Spec.ReleaseName || got.Spec.Chart.Spec.Chart != hr.Spec.Chart.Spec.Chart ||
						got.Spec.Chart.Spec.Version != hr.Spec.Chart.Spec.Version || string(got.Spec.Values.Raw) != string(hr.Spec.Values.Raw) {
						t.Errorf("argocd.HelmRelease(%s) = %+v, want the Flux engine's release", a.Name, got)
					}
					var fv, av map[string]any
					if err := json.Unmarshal(hr.Spec.Values.Raw, &fv); err != nil {
						t.Fatal(err)
					}
					if err := json.Unmarshal(src.Helm.ValuesObject.Raw, &av); err != nil {
						t.Fatal(err)
					}
					if d := cmp.Diff(fv, av); d != "" {
						t.Errorf("%s: Application values differ from the HelmRelease's (-flux +argocd):\n%s", a.Name, d)
					}
				}
			}
			if n != 2 {
				t.Errorf("Flux rendered %d HelmReleases, want 2", n)
			}
		})
	}
}

// TestKrusty builds every kustomization root of the whole Argo CD tree
// with krusty, as Argo CD's repo server does for a path with a
// kustomization.yaml, and checks what each root yields, with the sync
// options of the protected Namespace and the replaced StorageClass.
func TestKrusty(t *testing.T) {
	for name, s := range modeltest.ArgoCDVariants() {
		t.Run(name, func(t *testing.T) {
			files, err := render.Render(s)
			if err != nil {
				t.Fatal(err)
			}
			want := map[string][]string{
				kustomize.InfrastructureDir: {"StorageClass//" + s.Storage.StorageClass.Name, "Application/argocd/" + model.LBControllerRelease},
				kustomize.AppsDir:           {"Namespace//" + s.Milvus.Namespace, "Application/argocd/" + s.Name},
				kustomize.ArgoCDDir:         {"AppProject/argocd/" + model.ArgoCDProject},
			}
			if s.HasGitRepository() {
				want[kustomize.ArgoCDDir] = append(want[kustomize.ArgoCDDir], "Application/argocd/"+model.ArgoCDRootName)
				want[kustomize.ArgoCDAppsDir] = []string{"Application/argocd/" + model.InfrastructureSyncName, "Application/argocd/" + model.AppsSyncName}
			}
			got := map[string][]string{}
			for _, root := range kustomize.Roots(s) {
				m, err := consumer.Kustomize(files, root.Dir)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range m.Resources() {
					ns := r.GetNamespace()
					if ns == s.GitOps.ArgoCD.Namespace {
						ns = "argocd"
					}
					got[root.Dir] = append(got[root.Dir], r.GetKind()+"/"+ns+"/"+r.GetName())
					// kube.Protected and kube.Replaced, in Argo CD's terms.
					want := map[string]string{"Namespace": "Prune=false,Delete=false", "StorageClass": "Force=true,Replace=true"}[r.GetKind()]
					if v := r.GetAnnotations()[v1alpha1.SyncOptionsAnnotation]; v != want {
						t.Errorf("%s %s sync-options = %q, want %q", r.GetKind(), r.GetName(), v, want)
					}
				}
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("objects per kustomization root (-want +got):\n%s", d)
			}
			for _, f := range files {
				if strings.HasPrefix(f.Path, "flux/") || bytes.Contains(f.Data, []byte("toolkit.fluxcd.io")) {
					t.Errorf("%s: Flux object in an Argo CD tree", f.Path)
				}
			}
		})
	}
}

// helmReleases are the Flux HelmReleases of s by release name.
func helmReleases(t *testing.T, s *model.Spec) map[string]*helmv2.HelmRelease {
	t.Helper()
	files, err := flux.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*helmv2.HelmRelease{}
	for _, f := range files {
		for _, d := range docs(f) {
			hr := &helmv2.HelmRelease{}
			if yaml.Unmarshal(d, hr) == nil && hr.Kind == helmv2.HelmReleaseKind {
				out[hr.Spec.ReleaseName] = hr
			}
		}
	}
	return out
}
