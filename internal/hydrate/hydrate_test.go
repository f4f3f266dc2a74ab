package hydrate

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/render"
)

var today = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)

// load reads an example spec the way the CLI does.
func load(t testing.TB, paths ...string) *model.Spec {
	t.Helper()
	srcs, err := spec.ReadFiles(paths, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := spec.Load(srcs, spec.Options{Today: today})
	if err != nil {
		t.Fatalf("%v: %v", paths, err)
	}
	return res.Spec
}

func renderSpec(t testing.TB, s *model.Spec) []manifest.File {
	t.Helper()
	files, err := render.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// charts is the plain directory of the shared chart archives.
func charts(t testing.TB) *chart.Cache { return chart.NewCache(shared.MustPath(t, "charts")) }

// lockedCharts is a chart cache holding every shared archive, those of
// earlier Milvus lines (charts-previous: 4.2.x) too, locked with
// chart add as a user would.
func lockedCharts(t testing.TB) *chart.Cache {
	t.Helper()
	c := chart.NewCache(t.TempDir())
	var all []string
	for _, dir := range []string{"charts", "charts-previous"} {
		m, err := filepath.Glob(filepath.Join(shared.MustPath(t, dir), "*.tgz"))
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, m...)
	}
	if _, err := c.Add(all); err != nil {
		t.Fatal(err)
	}
	return c
}

// hydrated returns the hydrated files of files by path.
func hydrated(t testing.TB, files []manifest.File, opts Options) map[string][]byte {
	t.Helper()
	out, err := Hydrate(files, charts(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	m := map[string][]byte{}
	for _, f := range out {
		if IsHydrated(f.Path) {
			m[f.Path] = f.Data
		}
	}
	return m
}

// doc is one object of a hydrated file.
type doc struct {
	Source string
	Kind   string `json:"kind"`
	Meta   struct {
		Name   string            `json:"name"`
		Labels map[string]string `json:"labels"`
	} `json:"metadata"`
	raw []byte
}

func docs(t testing.TB, data []byte) []doc {
	t.Helper()
	var out []doc
	for _, d := range bytes.Split(data, []byte("\n---\n"))[1:] {
		var o doc
		if err := yaml.Unmarshal(d, &o); err != nil {
			t.Fatalf("hydrated object does not parse: %v\n%s", err, d)
		}
		if m := sourceRE.FindSubmatch(d); m != nil {
			o.Source = string(m[1])
		}
		o.raw = d
		out = append(out, o)
	}
	return out
}

func TestHydrateRunbook(t *testing.T) {
	files := renderSpec(t, load(t, "../../examples/runbook/spec.cue"))
	a := hydrated(t, files, DefaultOptions())
	b := hydrated(t, files, DefaultOptions())
	want := []string{"hydrated/kube-system/aws-load-balancer-controller.yaml", "hydrated/milvus/milvus-demo.yaml"}
	if diff := cmp.Diff(want, slices.Sorted(mapsKeys(a))); diff != "" {
		t.Fatalf("hydrated files (-want +got):\n%s", diff)
	}
	for p := range a {
		if !bytes.Equal(a[p], b[p]) {
			t.Errorf("%s differs between two hydrations:\n%s", p, cmp.Diff(string(a[p]), string(b[p])))
		}
	}

	milvus := docs(t, a["hydrated/milvus/milvus-demo.yaml"])
	var mixcoord *appsv1.Deployment
	for _, o := range milvus {
		if strings.Contains(o.Source, "pulsar") || strings.Contains(o.Meta.Name, "pulsar") {
			t.Errorf("pulsar object hydrated with messageQueue woodpecker: %s/%s (%s)", o.Kind, o.Meta.Name, o.Source)
		}
		if o.Kind == "Deployment" && o.Meta.Labels["component"] == "mixcoord" {
			mixcoord = new(appsv1.Deployment)
			if err := yaml.UnmarshalStrict(o.raw, mixcoord); err != nil {
				t.Fatalf("mixcoord Deployment does not decode: %v", err)
			}
		}
		if o.Meta.Labels[chartLabel] != "" {
			t.Errorf("%s/%s keeps its %s label", o.Kind, o.Meta.Name, chartLabel)
		}
		if o.Meta.Labels[originName] != "milvus-demo" || o.Meta.Labels[originNamespace] != "milvus" {
			t.Errorf("%s/%s lacks helm-controller's origin labels: %v", o.Kind, o.Meta.Name, o.Meta.Labels)
		}
	}
	if mixcoord == nil {
		t.Fatal("no mixcoord Deployment in the hydrated Milvus release")
	}
	if r := mixcoord.Spec.Replicas; r == nil || *r != 2 {
		t.Errorf("mixcoord replicas = %v, want 2", r)
	}

	lbc := docs(t, a["hydrated/kube-system/aws-load-balancer-controller.yaml"])
	kinds := map[string]int{}
	for _, o := range lbc {
		kinds[o.Kind]++
	}
	if kinds["CustomResourceDefinition"] == 0 || kinds["Secret"] != 1 || kinds["MutatingWebhookConfiguration"] != 1 {
		t.Errorf("LB controller kinds = %v, want its CRDs (install.crds CreateReplace), the webhook Secret and configurations", kinds)
	}
	for p, data := range a {
		assertNoCertMaterial(t, p, data)
	}
}

// assertNoCertMaterial checks that no Secret value or caBundle in a
// hydrated file is anything but the placeholder, and that no PEM block is
// anywhere in it, plain or base64-encoded.
func assertNoCertMaterial(t *testing.T, path string, data []byte) {
	t.Helper()
	for _, enc := range []string{"-----BEGIN", base64.StdEncoding.EncodeToString([]byte("-----BEGIN"))[:12]} {
		if bytes.Contains(data, []byte(enc)) {
			t.Errorf("%s holds certificate material (%q)", path, enc)
		}
	}
	for _, o := range docs(t, data) {
		if o.Kind != "Secret" {
			continue
		}
		var s corev1.Secret
		if err := yaml.UnmarshalStrict(o.raw, &s); err != nil {
			t.Fatalf("%s: Secret %s does not decode: %v", path, o.Meta.Name, err)
		}
		for k, v := range s.Data {
			if base64.StdEncoding.EncodeToString(v) != Placeholder {
				t.Errorf("%s: Secret %s key %s holds %q, want the placeholder", path, s.Name, k, v)
			}
		}
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "caBundle: "); ok && k == "" && v != Placeholder {
			t.Errorf("%s: caBundle %.20s… is not the placeholder", path, v)
		}
	}
}

func mapsKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// TestHydrateExamples hydrates every example twice: byte-identical, no
// secret material, nothing any kustomization.yaml refers to.
func TestHydrateExamples(t *testing.T) {
	cache := lockedCharts(t)
	data, err := os.ReadFile("../../examples/render.list")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out, specs, _ := strings.Cut(line, ":")
		var paths []string
		for _, s := range strings.Fields(specs) {
			paths = append(paths, "../../"+s)
		}
		t.Run(strings.TrimPrefix(out, "out/"), func(t *testing.T) {
			files := renderSpec(t, load(t, paths...))
			all, err := Hydrate(files, cache, DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			again, err := Hydrate(all, cache, DefaultOptions()) // hydrating a hydrated set
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(all, again); diff != "" {
				t.Errorf("second hydration differs (-first +second):\n%s", diff)
			}
			n := 0
			for _, f := range all {
				if IsHydrated(f.Path) {
					n++
					assertNoCertMaterial(t, f.Path, f.Data)
				}
				if strings.HasSuffix(f.Path, "kustomization.yaml") && bytes.Contains(f.Data, []byte(Dir)) {
					t.Errorf("%s refers to hydrated output:\n%s", f.Path, f.Data)
				}
			}
			if n != 2 {
				t.Errorf("%d hydrated files, want one per HelmRelease (2)", n)
			}
		})
	}
}

func TestKeepChartLabels(t *testing.T) {
	files := renderSpec(t, load(t, "../../examples/runbook/spec.cue"))
	h := hydrated(t, files, Options{KeepChartLabels: true})
	data := h["hydrated/milvus/milvus-demo.yaml"]
	if !bytes.Contains(data, []byte("helm.sh/chart: milvus-5.0.19")) {
		t.Errorf("KeepChartLabels: no helm.sh/chart label in the Milvus release")
	}
}

func TestChartRefsMatchReleases(t *testing.T) {
	// chart pull fetches chart.Refs(spec); hydrate loads what the rendered
	// HelmReleases pin. They must be the same charts.
	s := load(t, "../../examples/runbook/spec.cue")
	rels, err := Releases(renderSpec(t, s))
	if err != nil {
		t.Fatal(err)
	}
	var got []chart.Ref
	for _, r := range rels {
		got = append(got, r.Chart)
	}
	want := chart.Refs(s)
	less := func(a, b chart.Ref) int { return strings.Compare(a.Name, b.Name) }
	slices.SortFunc(got, less)
	slices.SortFunc(want, less)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("charts (-chart.Refs +HelmReleases):\n%s", diff)
	}
}

// tree is a small rendered tree holding one LB controller HelmRelease,
// changed by modify.
func tree(t *testing.T, modify func(hr map[string]any)) []manifest.File {
	t.Helper()
	repo := map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
		"metadata": map[string]any{"name": "eks", "namespace": "flux-system"},
		"spec":     map[string]any{"url": model.LBControllerChartRepo, "interval": "10m"},
	}
	hr := map[string]any{
		"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease",
		"metadata": map[string]any{"name": "lbc", "namespace": "flux-system"},
		"spec": map[string]any{
			"interval": "10m",
			"chart": map[string]any{"spec": map[string]any{
				"chart": "aws-load-balancer-controller", "version": "3.5.0",
				"sourceRef": map[string]any{"kind": "HelmRepository", "name": "eks"},
			}},
			"values": map[string]any{"clusterName": "c1", "replicaCount": 3},
		},
	}
	if modify != nil {
		modify(hr)
	}
	f, err := manifest.YAML("infra/lbc.yaml", repo, hr)
	if err != nil {
		t.Fatal(err)
	}
	cc := manifest.File{Path: "aws/eksctl-cluster.yaml", Data: []byte("apiVersion: eksctl.io/v1alpha5\nkind: ClusterConfig\nmetadata:\n  name: c1\n  region: us-east-2\n  version: \"1.33\"\n")}
	return []manifest.File{cc, f}
}

func spec_(hr map[string]any) map[string]any { return hr["spec"].(map[string]any) }

func TestReleaseNameNamespaceAndValues(t *testing.T) {
	for _, tc := range []struct {
		name     string
		modify   func(map[string]any)
		opts     Options
		path     string
		replicas int32
		header   string
		crds     bool
	}{
		{"metadata name and namespace", nil, Options{}, "hydrated/flux-system/lbc.yaml", 3, "(release lbc in namespace flux-system, Kubernetes 1.33)", true},
		{"releaseName", func(hr map[string]any) { spec_(hr)["releaseName"] = "alb" }, Options{}, "hydrated/flux-system/alb.yaml", 3, "(release alb in namespace flux-system,", true},
		{"targetNamespace", func(hr map[string]any) { spec_(hr)["targetNamespace"] = "kube-system" }, Options{}, "hydrated/kube-system/kube-system-lbc.yaml", 3, "(release kube-system-lbc in namespace kube-system,", true},
		{"chart default replicas", func(hr map[string]any) { delete(spec_(hr)["values"].(map[string]any), "replicaCount") }, Options{}, "hydrated/flux-system/lbc.yaml", 2, "", true},
		{"kube version option", nil, Options{KubeVersion: "1.35"}, "hydrated/flux-system/lbc.yaml", 3, "Kubernetes 1.35)", true},
		{"crds skipped", func(hr map[string]any) { spec_(hr)["install"] = map[string]any{"crds": "Skip"} }, Options{}, "hydrated/flux-system/lbc.yaml", 3, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := hydrated(t, tree(t, tc.modify), tc.opts)
			data, ok := h[tc.path]
			if !ok || len(h) != 1 {
				t.Fatalf("hydrated %v, want only %s", slices.Sorted(mapsKeys(h)), tc.path)
			}
			if !bytes.Contains(data, []byte(tc.header)) {
				t.Errorf("header lacks %q:\n%s", tc.header, data[:min(len(data), 600)])
			}
			crds := false
			for _, o := range docs(t, data) {
				switch o.Kind {
				case "Deployment":
					var d appsv1.Deployment
					if err := yaml.UnmarshalStrict(o.raw, &d); err != nil {
						t.Fatal(err)
					}
					if *d.Spec.Replicas != tc.replicas {
						t.Errorf("replicas = %d, want %d", *d.Spec.Replicas, tc.replicas)
					}
				case "CustomResourceDefinition":
					crds = true
					if _, ok := o.Meta.Labels[originName]; ok {
						t.Errorf("CRD %s has origin labels; helm-controller installs CRDs without post-rendering", o.Meta.Name)
					}
				}
			}
			if crds != tc.crds {
				t.Errorf("CRDs hydrated = %v, want %v", crds, tc.crds)
			}
		})
	}
}

func TestHydrateErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		modify func(map[string]any)
		loader Loader
		want   string
	}{
		{"missing repository", func(hr map[string]any) {
			spec_(hr)["chart"].(map[string]any)["spec"].(map[string]any)["sourceRef"] = map[string]any{"kind": "HelmRepository", "name": "nope"}
		}, nil, "infra/lbc.yaml: HelmRelease flux-system/lbc: HelmRepository flux-system/nope is not among the rendered files"},
		{"range version", func(hr map[string]any) {
			spec_(hr)["chart"].(map[string]any)["spec"].(map[string]any)["version"] = ">=3.0.0"
		}, nil, `chart version ">=3.0.0" is not pinned`},
		{"valuesFrom", func(hr map[string]any) {
			spec_(hr)["valuesFrom"] = []any{map[string]any{"kind": "ConfigMap", "name": "v"}}
		}, nil, "HelmRelease flux-system/lbc hydrate failed: spec.valuesFrom reads values from the cluster"},
		{"not cached", nil, chart.NewCache("/nonexistent"), "chart aws-load-balancer-controller@3.5.0 is not in /nonexistent; run milvusgen chart pull"},
		{"bad values", func(hr map[string]any) { spec_(hr)["values"] = map[string]any{"unknownField": 1} }, nil, "chart aws-load-balancer-controller@3.5.0 render failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.loader
			if l == nil {
				l = charts(t)
			}
			_, err := Hydrate(tree(t, tc.modify), l, DefaultOptions())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
		})
	}
	var nc *chart.NotCachedError
	if _, err := Hydrate(tree(t, nil), chart.NewCache(t.TempDir()), DefaultOptions()); !errors.As(err, &nc) {
		t.Errorf("empty cache: err = %v, want a *chart.NotCachedError in the chain", err)
	}
}
