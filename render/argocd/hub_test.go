package argocd_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/appset"
	"github.com/milvusgen/milvusgen/internal/appsetexpand"
	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/golden"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/testenv"
	"github.com/milvusgen/milvusgen/render/argocd"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// hub is the fleet of modeltest.HubVariants served by one hub.
func hub() (*argocd.Hub, map[string]*model.Spec) {
	envs := modeltest.HubVariants()
	h := &argocd.Hub{Name: modeltest.HubName, Path: "clusters/hub"}
	for _, n := range slices.Sorted(func(yield func(string) bool) {
		for k := range envs {
			if !yield(k) {
				return
			}
		}
	}) {
		h.Clusters = append(h.Clusters, envs[n])
	}
	return h, envs
}

func TestHubGolden(t *testing.T) {
	h, envs := hub()
	files, err := argocd.RenderHub(h)
	if err != nil {
		t.Fatal(err)
	}
	golden.AssertTree(t, filepath.Join("testdata", "hub", "hub"), files)
	for name, s := range envs {
		files, err := argocd.Render(s)
		if err != nil {
			t.Fatal(err)
		}
		golden.AssertTree(t, filepath.Join("testdata", "hub", name), files)
	}
}

// hubObjects decodes the hub tree strictly and validates it against the
// v3.5.1 CRDs.
func hubObjects(t *testing.T, files []manifest.File) (sets []*v1alpha1.ApplicationSet, project *v1alpha1.AppProject, root *v1alpha1.Application) {
	t.Helper()
	crds, err := consumer.ArgoCDCRDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f.Path, kustomize.KustomizationFile) {
			continue
		}
		for i, d := range docs(f) {
			o, err := crds.ArgoCD(d)
			if err != nil {
				t.Fatalf("%s #%d: %v", f.Path, i, err)
			}
			switch o := o.(type) {
			case *v1alpha1.ApplicationSet:
				sets = append(sets, o)
			case *v1alpha1.AppProject:
				project = o
			case *v1alpha1.Application:
				root = o
			}
		}
	}
	return sets, project, root
}

// TestHubIsValidArgoCD: the hub tree decodes strictly into the Argo CD
// types and passes the v3.5.1 CRDs: one AppProject, one root Application
// syncing the ApplicationSets, one ApplicationSet per Application of the
// per-cluster mode, each with Go templates that fail on a missing key and
// one cluster generator per environment.
func TestHubIsValidArgoCD(t *testing.T) {
	h, _ := hub()
	files, err := argocd.RenderHub(h)
	if err != nil {
		t.Fatal(err)
	}
	sets, project, root := hubObjects(t, files)
	if project == nil || root == nil || len(sets) != 4 {
		t.Fatalf("project %v, root %v, %d ApplicationSets; want one each and 4", project != nil, root != nil, len(sets))
	}
	if root.Spec.Source.Path != "clusters/hub/"+argocd.ApplicationSetsDir || root.Spec.Project != h.Name {
		t.Errorf("root Application = %+v", root.Spec)
	}
	var dests []string
	for _, d := range project.Spec.Destinations {
		dests = append(dests, d.Name+"/"+d.Server+"/"+d.Namespace)
	}
	want := []string{"/" + v1alpha1.InClusterServer + "/argocd",
		"Milvus-Prod//kube-system", "Milvus-Prod//vectors", "milvus-dev//kube-system", "milvus-dev//milvus"}
	sort.Strings(dests)
	if d := cmp.Diff(want, dests); d != "" {
		t.Errorf("AppProject destinations (-want +got):\n%s", d)
	}
	for _, s := range sets {
		if !s.Spec.GoTemplate || !slices.Equal(s.Spec.GoTemplateOptions, []string{"missingkey=error"}) {
			t.Errorf("ApplicationSet %s: goTemplate %v options %v", s.Name, s.Spec.GoTemplate, s.Spec.GoTemplateOptions)
		}
		if len(s.Spec.Generators) != 2 {
			t.Errorf("ApplicationSet %s has %d generators, want one per environment", s.Name, len(s.Spec.Generators))
		}
		if p := s.Spec.SyncPolicy; p == nil || p.ApplicationsSync != "create-update" || !p.PreserveResourcesOnDeletion {
			t.Errorf("ApplicationSet %s may delete what it generated: %+v", s.Name, p)
		}
	}
}

// expanders are the ApplicationSet expanders the proof runs: Argo CD
// v3.5.1's own generator and template code (appset-expand, hack/appset,
// which make testenv builds; missing, it fails the test as the API server
// does, unless MILVUSGEN_SKIP_APISERVER=1), and the documented rules of
// internal/appset, which diff --fleet uses.
func expanders(t *testing.T) map[string]appset.Expander {
	t.Helper()
	out := map[string]appset.Expander{"rules": appset.Rules{}}
	if _, err := appsetexpand.Binary(); err != nil {
		if os.Getenv(testenv.SkipEnv) == "1" {
			t.Logf("%v; expanding by the documented rules only", err)
			return out
		}
		t.Fatal(err)
	}
	out["argocd"] = argoExpander{t: t}
	return out
}

// argoExpander expands with Argo CD's own ApplicationSet code, given the
// ApplicationSet and the clusters as cluster Secrets.
type argoExpander struct{ t *testing.T }

func (x argoExpander) Expand(set *v1alpha1.ApplicationSet, clusters []appset.Cluster) ([]*v1alpha1.Application, error) {
	setYAML, err := manifest.Marshal(set)
	if err != nil {
		return nil, err
	}
	var secrets [][]byte
	for i, c := range clusters {
		doc, err := manifest.Marshal(map[string]any{
			"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
			"metadata":   map[string]any{"name": fmt.Sprintf("cluster-%d", i), "namespace": set.Namespace, "labels": c.Labels, "annotations": c.Annotations},
			"stringData": map[string]string{"name": c.Name, "server": c.Server, "config": "{}"},
		})
		if err != nil {
			return nil, err
		}
		secrets = append(secrets, doc)
	}
	out, err := appsetexpand.RunYAML(x.t, setYAML, secrets...)
	if err != nil {
		return nil, err
	}
	objs, err := appsetexpand.Parse(out)
	if err != nil {
		return nil, err
	}
	var apps []*v1alpha1.Application
	for _, o := range objs {
		raw, err := json.Marshal(o.Object)
		if err != nil {
			return nil, err
		}
		a := &v1alpha1.Application{}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(a); err != nil {
			return nil, fmt.Errorf("appset-expand output: %w\n%s", err, raw)
		}
		apps = append(apps, a)
	}
	sort.Slice(apps, func(i, j int) bool { return apps[i].Name < apps[j].Name })
	return apps, nil
}

// registered is the cluster Secret bootstrap.sh writes for s, as the
// cluster generator sees it; infrastructureHealthy adds the stage label.
func registered(t *testing.T, s *model.Spec, infrastructureHealthy bool) appset.Cluster {
	t.Helper()
	sec, err := argocd.ClusterSecret(s, "https://"+strings.ToLower(s.Cluster.Name)+".eks.amazonaws.com", "Q0E=")
	if err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{}
	for k, v := range sec.Labels {
		labels[k] = v
	}
	if infrastructureHealthy {
		labels[model.HubStageLabel] = model.HubStageApps
	}
	return appset.Cluster{Name: sec.StringData["name"], Server: sec.StringData["server"], Labels: labels}
}

// readValues reads a values file of the environment's tree.
func readValues(t *testing.T, files []manifest.File, p string) map[string]any {
	t.Helper()
	for _, f := range files {
		if f.Path == p {
			out := map[string]any{}
			if err := yaml.Unmarshal(f.Data, &out); err != nil {
				t.Fatal(err)
			}
			return out
		}
	}
	t.Fatalf("no values file %s", p)
	return nil
}

// TestHubGeneratesPerClusterApplications is the proof of hub mode: the
// ApplicationSets, expanded for every environment's registered cluster,
// generate for each the Applications the per-cluster mode renders for it,
// with the differences hub mode is for: the Application's name is
// prefixed with the registered cluster's normalized name, its project is
// the fleet's, its destination is the registered cluster by name, the
// Helm values come from the environment's values file (which holds exactly
// the per-cluster valuesObject) and the Applications carry no resources
// finalizer. Source, chart, version, release, namespace, sync policy and
// ignoreDifferences are the same.
func TestHubGeneratesPerClusterApplications(t *testing.T) {
	h, envs := hub()
	files, err := argocd.RenderHub(h)
	if err != nil {
		t.Fatal(err)
	}
	sets, _, _ := hubObjects(t, files)
	for xname, x := range expanders(t) {
		t.Run(xname, func(t *testing.T) {
			var clusters []appset.Cluster
			for _, s := range envs {
				clusters = append(clusters, registered(t, s, true))
			}
			got := map[string]*v1alpha1.Application{}
			for _, set := range sets {
				apps, err := x.Expand(set, clusters)
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range apps {
					got[a.Name] = a
				}
			}
			n := 0
			for name, s := range envs {
				spoke, err := argocd.Render(s)
				if err != nil {
					t.Fatal(err)
				}
				single := *s
				single.GitOps.ArgoCD.Mode = model.ArgoCDModeCluster
				perCluster, err := argocd.Render(&single)
				if err != nil {
					t.Fatal(err)
				}
				for _, want := range decodeStrict(t, perCluster).apps {
					if want.Name == model.ArgoCDRootName {
						continue // the hub's ApplicationSets take the root's place
					}
					n++
					gname := argocd.HubApplicationName(appset.Normalize(s.ArgoCDClusterName()), want.Name)
					g := got[gname]
					if g == nil {
						t.Errorf("%s: no Application %s generated for %s", name, gname, want.Name)
						continue
					}
					compareHubApplication(t, s, spoke, want, g)
					delete(got, gname)
				}
			}
			if n != 8 || len(got) != 0 {
				t.Errorf("compared %d Applications, want 8; generated but not in the per-cluster mode: %v", n, slices.Collect(func(yield func(string) bool) {
					for k := range got {
						if !yield(k) {
							return
						}
					}
				}))
			}
		})
	}
}

func compareHubApplication(t *testing.T, s *model.Spec, spoke []manifest.File, want, got *v1alpha1.Application) {
	t.Helper()
	id := got.Name
	if got.Namespace != s.GitOps.ArgoCD.Namespace || got.Spec.Project != s.GitOps.ArgoCD.Hub.Name {
		t.Errorf("%s: in %s, project %s; want %s, %s", id, got.Namespace, got.Spec.Project, s.GitOps.ArgoCD.Namespace, s.GitOps.ArgoCD.Hub.Name)
	}
	if len(got.Finalizers) != 0 {
		t.Errorf("%s: finalizers %v; a generated Application must not uninstall on deletion", id, got.Finalizers)
	}
	if got.Spec.Destination.Name != s.ArgoCDClusterName() || got.Spec.Destination.Server != "" {
		t.Errorf("%s: destination %+v, want the registered cluster %s by name", id, got.Spec.Destination, s.ArgoCDClusterName())
	}
	if d := cmp.Diff(want.Spec.SyncPolicy, got.Spec.SyncPolicy); d != "" {
		t.Errorf("%s: sync policy (-per-cluster +hub):\n%s", id, d)
	}
	if d := cmp.Diff(want.Spec.IgnoreDifferences, got.Spec.IgnoreDifferences); d != "" {
		t.Errorf("%s: ignoreDifferences (-per-cluster +hub):\n%s", id, d)
	}
	w := want.Spec.Source
	if w.Chart == "" {
		// A Git Application: the same path, repository and branch, its
		// objects now going to the spoke instead of to Argo CD's namespace.
		if d := cmp.Diff(w, got.Spec.Source); d != "" {
			t.Errorf("%s: Git source (-per-cluster +hub):\n%s", id, d)
		}
		return
	}
	if got.Spec.Destination.Namespace != want.Spec.Destination.Namespace {
		t.Errorf("%s: namespace %s, want %s", id, got.Spec.Destination.Namespace, want.Spec.Destination.Namespace)
	}
	if len(got.Spec.Sources) != 2 || got.Spec.Source != nil {
		t.Fatalf("%s: sources %+v, want the chart and the values repository", id, got.Spec.Sources)
	}
	chart, ref := got.Spec.Sources[0], got.Spec.Sources[1]
	if chart.RepoURL != w.RepoURL || chart.Chart != w.Chart || chart.TargetRevision != w.TargetRevision ||
		chart.Helm.ReleaseName != w.Helm.ReleaseName {
		t.Errorf("%s: chart %s %s %s as %s, want %s %s %s as %s", id, chart.RepoURL, chart.Chart, chart.TargetRevision,
			chart.Helm.ReleaseName, w.RepoURL, w.Chart, w.TargetRevision, w.Helm.ReleaseName)
	}
	if ref.RepoURL != s.GitOps.Repository.URL || ref.TargetRevision != s.GitOps.Repository.Branch || ref.Ref != "values" {
		t.Errorf("%s: values source %+v", id, ref)
	}
	if len(chart.Helm.ValueFiles) != 1 || !strings.HasPrefix(chart.Helm.ValueFiles[0], "$values/") {
		t.Fatalf("%s: valueFiles %v", id, chart.Helm.ValueFiles)
	}
	// The values file, at its path in the repository, holds the
	// per-cluster mode's valuesObject exactly.
	inRepo := strings.TrimPrefix(chart.Helm.ValueFiles[0], "$values/")
	treePath := strings.TrimPrefix(inRepo, s.GitOps.Repository.Path+"/")
	if treePath == inRepo {
		t.Fatalf("%s: values file %s is outside the environment's tree %s", id, inRepo, s.GitOps.Repository.Path)
	}
	wantVals := map[string]any{}
	if err := json.Unmarshal(w.Helm.ValuesObject.Raw, &wantVals); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(wantVals, readValues(t, spoke, treePath)); d != "" {
		t.Errorf("%s: values file %s differs from the per-cluster valuesObject (-per-cluster +hub):\n%s", id, treePath, d)
	}
}

// TestHubWaitsForInfrastructure: until bootstrap.sh labels a cluster's
// Secret with the stage, only its infrastructure Applications are
// generated: the sync waves of the per-cluster mode.
func TestHubWaitsForInfrastructure(t *testing.T) {
	h, envs := hub()
	files, err := argocd.RenderHub(h)
	if err != nil {
		t.Fatal(err)
	}
	sets, _, _ := hubObjects(t, files)
	for xname, x := range expanders(t) {
		t.Run(xname, func(t *testing.T) {
			var names []string
			for _, set := range sets {
				apps, err := x.Expand(set, []appset.Cluster{registered(t, envs["dev"], false)})
				if err != nil {
					t.Fatal(err)
				}
				for _, a := range apps {
					names = append(names, a.Name)
				}
			}
			sort.Strings(names)
			want := []string{"milvus-dev-aws-load-balancer-controller", "milvus-dev-milvusgen-infrastructure"}
			if d := cmp.Diff(want, names); d != "" {
				t.Errorf("before the stage label (-want +got):\n%s", d)
			}
		})
	}
}

// TestHubForeignSecret: a cluster Secret of another fleet, or one without
// milvusgen's labels, generates nothing.
func TestHubForeignSecret(t *testing.T) {
	h, envs := hub()
	files, err := argocd.RenderHub(h)
	if err != nil {
		t.Fatal(err)
	}
	sets, _, _ := hubObjects(t, files)
	other := registered(t, envs["dev"], true)
	other.Labels[model.HubFleetLabel] = "another-fleet"
	bare := appset.Cluster{Name: "milvus-dev", Labels: map[string]string{model.ArgoCDClusterSecretLabel: model.ArgoCDClusterSecretType}}
	for xname, x := range expanders(t) {
		for _, set := range sets {
			apps, err := x.Expand(set, []appset.Cluster{other, bare})
			if err != nil || len(apps) != 0 {
				t.Errorf("%s: %s generated %d Applications (%v) for foreign Secrets", xname, set.Name, len(apps), err)
			}
		}
	}
}

// TestHubMissingKeyFails: missingkey=error makes a template that names a
// parameter the generator lacks fail instead of rendering "<no value>".
func TestHubMissingKeyFails(t *testing.T) {
	h, envs := hub()
	files, err := argocd.RenderHub(h)
	if err != nil {
		t.Fatal(err)
	}
	sets, _, _ := hubObjects(t, files)
	set := sets[0]
	set.Spec.Template.Spec.Destination.Namespace = "{{.values.nosuchkey}}"
	for xname, x := range expanders(t) {
		if _, err := x.Expand(set, []appset.Cluster{registered(t, envs["dev"], true)}); err == nil || !strings.Contains(err.Error(), "nosuchkey") {
			t.Errorf("%s: err = %v, want the missing key named", xname, err)
		}
	}
}

// TestRulesMatchArgoCD: internal/appset, which diff --fleet uses, generates
// exactly what Argo CD's own ApplicationSet code generates from the hub
// tree, for every environment, with and without the stage label.
func TestRulesMatchArgoCD(t *testing.T) {
	xs := expanders(t)
	argo, ok := xs["argocd"]
	if !ok {
		t.Skip("appset-expand not built (make testenv); MILVUSGEN_SKIP_APISERVER=1")
	}
	h, envs := hub()
	files, err := argocd.RenderHub(h)
	if err != nil {
		t.Fatal(err)
	}
	sets, _, _ := hubObjects(t, files)
	var clusters []appset.Cluster
	for _, s := range envs {
		clusters = append(clusters, registered(t, s, true))
	}
	clusters = append(clusters, registered(t, modeltest.HubVariants()["dev"], false))
	clusters[len(clusters)-1].Name = "milvus-dev-2" // same labels, not yet at the apps stage
	for _, set := range sets {
		want, err := argo.Expand(set, clusters)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appset.Rules{}.Expand(set, clusters)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-argocd +rules):\n%s", set.Name, d)
		}
	}
}
