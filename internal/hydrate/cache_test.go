package hydrate

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"
	helmchart "helm.sh/helm/v3/pkg/chart"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// countingLoader counts the charts it loads: a cache hit loads none.
type countingLoader struct {
	*chart.Cache
	loads atomic.Int32
}

func (l *countingLoader) Load(r chart.Ref) (*helmchart.Chart, error) {
	l.loads.Add(1)
	return l.Cache.Load(r)
}

func hydrateWith(t *testing.T, files []manifest.File, l Loader, opts Options) []manifest.File {
	t.Helper()
	out, err := Hydrate(files, l, opts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestCacheAcrossRuns(t *testing.T) {
	files := renderSpec(t, load(t, "../../examples/runbook/spec.cue"))
	want := hydrateWith(t, files, charts(t), Options{})
	dir := t.TempDir()

	l := &countingLoader{Cache: charts(t)}
	first := hydrateWith(t, files, l, Options{Cache: NewCache(dir, "test")})
	if diff := cmp.Diff(want, first); diff != "" {
		t.Fatalf("cached hydrate differs from an uncached one (-want +got):\n%s", diff)
	}
	if n := l.loads.Load(); n != 2 {
		t.Errorf("first run loaded %d charts, want 2", n)
	}

	// A new process: a new Cache on the same directory.
	l = &countingLoader{Cache: charts(t)}
	second := hydrateWith(t, files, l, Options{Cache: NewCache(dir, "test")})
	if n := l.loads.Load(); n != 0 {
		t.Errorf("second run loaded %d charts, want 0 (both releases cached)", n)
	}
	if diff := cmp.Diff(want, second); diff != "" {
		t.Errorf("second run (-want +got):\n%s", diff)
	}

	// Another milvusgen version reads none of it.
	l = &countingLoader{Cache: charts(t)}
	hydrateWith(t, files, l, Options{Cache: NewCache(dir, "other")})
	if n := l.loads.Load(); n != 2 {
		t.Errorf("another version loaded %d charts, want 2", n)
	}
}

func TestCacheDamagedEntry(t *testing.T) {
	files := tree(t, nil)
	want := hydrateWith(t, files, charts(t), Options{})
	dir := t.TempDir()
	hydrateWith(t, files, charts(t), Options{Cache: NewCache(dir, "test")})
	entries, _ := filepath.Glob(filepath.Join(dir, "*", "*.yaml"))
	if len(entries) != 1 {
		t.Fatalf("entries %v, want one", entries)
	}
	good, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	for name, damaged := range map[string][]byte{
		"truncated": good[:len(good)/2],
		"edited":    bytes.Replace(good, []byte("replicas: 3"), []byte("replicas: 4"), 1),
		"empty":     nil,
		"no header": good[bytes.IndexByte(good, '\n')+1:],
	} {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(entries[0], damaged, 0o644); err != nil {
				t.Fatal(err)
			}
			l := &countingLoader{Cache: charts(t)}
			got := hydrateWith(t, files, l, Options{Cache: NewCache(dir, "test")})
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("hydrate over a damaged entry (-want +got):\n%s", diff)
			}
			if n := l.loads.Load(); n != 1 {
				t.Errorf("loaded %d charts, want 1 (the damaged entry ignored)", n)
			}
			if data, _ := os.ReadFile(entries[0]); !bytes.Equal(data, good) {
				t.Errorf("damaged entry not rewritten")
			}
		})
	}
}

// TestCacheShared: concurrent hydrations of equal inputs (fleet
// environments) template each release once.
func TestCacheShared(t *testing.T) {
	files := renderSpec(t, load(t, "../../examples/runbook/spec.cue"))
	c := NewCache("", "test")
	l := &countingLoader{Cache: charts(t)}
	var wg sync.WaitGroup
	outs := make([][]manifest.File, 4)
	for i := range outs {
		wg.Go(func() {
			out, err := Hydrate(files, l, Options{Cache: c})
			if err != nil {
				t.Error(err)
			}
			outs[i] = out
		})
	}
	wg.Wait()
	if n := l.loads.Load(); n != 2 {
		t.Errorf("4 concurrent hydrations loaded %d charts, want 2", n)
	}
	for _, o := range outs[1:] {
		if diff := cmp.Diff(outs[0], o); diff != "" {
			t.Errorf("hydrations differ:\n%s", diff)
		}
	}
}

// TestCacheKey: every input that changes the output changes the key, and
// nothing else does.
func TestCacheKey(t *testing.T) {
	c := NewCache("", "test")
	key := func(modify func(map[string]any), opts Options) string {
		t.Helper()
		rels, err := Releases(tree(t, modify))
		if err != nil {
			t.Fatal(err)
		}
		in, err := rels[0].Input()
		if err != nil {
			t.Fatal(err)
		}
		kube := "1.33"
		if opts.KubeVersion != "" {
			kube = opts.KubeVersion
		}
		k, err := c.key(in, charts(t), kube, newClusterAPIs(kube, opts.APIVersions, []Input{in}, charts(t)), opts)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	base := key(nil, Options{})
	if base == "" {
		t.Fatal("no key for a chart from the chart cache")
	}
	values := func(hr map[string]any) map[string]any { return spec_(hr)["values"].(map[string]any) }
	for name, tc := range map[string]struct {
		modify func(map[string]any)
		opts   Options
		same   bool
	}{
		"values":         {modify: func(hr map[string]any) { values(hr)["replicaCount"] = 4 }},
		"big int values": {modify: func(hr map[string]any) { values(hr)["replicaCount"] = 9007199254740993 }},
		"release name":   {modify: func(hr map[string]any) { spec_(hr)["releaseName"] = "alb" }},
		"namespace":      {modify: func(hr map[string]any) { spec_(hr)["targetNamespace"] = "kube-system" }},
		"object name": {modify: func(hr map[string]any) {
			hr["metadata"].(map[string]any)["name"] = "lbc2"
			spec_(hr)["releaseName"] = "lbc"
		}},
		"crds":          {modify: func(hr map[string]any) { spec_(hr)["install"] = map[string]any{"crds": "Skip"} }},
		"disable hooks": {modify: func(hr map[string]any) { spec_(hr)["install"] = map[string]any{"disableHooks": true} }},
		"common metadata": {modify: func(hr map[string]any) {
			spec_(hr)["commonMetadata"] = map[string]any{"labels": map[string]any{"a": "b"}}
		}},
		"kube version": {opts: Options{KubeVersion: "1.34"}},
		"tree CRDs":    {opts: Options{APIVersions: []string{"monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor"}}},
		"chart labels": {opts: Options{KeepChartLabels: true}},
		"interval":     {modify: func(hr map[string]any) { spec_(hr)["interval"] = "1h" }, same: true},
	} {
		if got := key(tc.modify, tc.opts); (got == base) != tc.same {
			t.Errorf("%s: key equal to the base key = %v, want %v", name, got == base, tc.same)
		}
	}
	if k := func() string {
		rels, _ := Releases(tree(t, nil))
		in, _ := rels[0].Input()
		k, _ := NewCache("", "other").key(in, charts(t), "1.33", newClusterAPIs("1.33", nil, []Input{in}, charts(t)), Options{})
		return k
	}(); k == base {
		t.Error("another milvusgen version has the same key")
	}
	// A loader that cannot name a chart's digest is not cached.
	rels, _ := Releases(tree(t, nil))
	in, _ := rels[0].Input()
	if k, err := c.key(in, plainLoader{charts(t)}, "1.33", newClusterAPIs("1.33", nil, []Input{in}, plainLoader{charts(t)}), Options{}); k != "" || err != nil {
		t.Errorf("key through a plain Loader = %q, %v; want none", k, err)
	}
	// The chart's digest, not its name and version, says which chart is
	// rendered: another archive under the same name and version (a
	// re-pushed tag, a mirror) has another key.
	other := digestLoader{charts(t), "sha256:0000000000000000000000000000000000000000000000000000000000000000"}
	if k, err := c.key(in, other, "1.33", newClusterAPIs("1.33", nil, []Input{in}, other), Options{}); err != nil || k == base {
		t.Errorf("key with another chart digest = %q, %v; want a key other than the base key", k, err)
	}
	// The CRDs another release's chart installs decide this release's
	// capabilities: another chart beside it changes the key.
	peer := Input{Chart: chart.Ref{Repository: "https://zilliztech.github.io/milvus-helm", Name: "milvus", Version: "5.0.19"}, Values: map[string]any{}}
	if k, err := c.key(in, charts(t), "1.33", newClusterAPIs("1.33", nil, []Input{in, peer}, charts(t)), Options{}); err != nil || k == base {
		t.Errorf("key with another release beside it = %q, %v; want a key other than the base key", k, err)
	}
}

// digestLoader loads from the chart cache but names another digest.
type digestLoader struct {
	c      *chart.Cache
	digest string
}

func (l digestLoader) Load(r chart.Ref) (*helmchart.Chart, error) { return l.c.Load(r) }
func (l digestLoader) Digest(chart.Ref) (string, error)           { return l.digest, nil }

type plainLoader struct{ c *chart.Cache }

func (l plainLoader) Load(r chart.Ref) (*helmchart.Chart, error) { return l.c.Load(r) }

func TestDefaultCacheDir(t *testing.T) {
	t.Setenv(EnvCacheDir, "")
	t.Setenv("XDG_CACHE_HOME", "/xdg")
	if d, _ := DefaultCacheDir(); d != "/xdg/milvusgen/hydrated" {
		t.Errorf("default dir %q", d)
	}
	t.Setenv(EnvCacheDir, "/elsewhere")
	if d, _ := DefaultCacheDir(); d != "/elsewhere" {
		t.Errorf("%s=/elsewhere: dir %q", EnvCacheDir, d)
	}
	t.Setenv(EnvCacheDir, "off")
	if d, _ := DefaultCacheDir(); d != "" {
		t.Errorf("%s=off: dir %q", EnvCacheDir, d)
	}
}

// TestRenderInput hydrates a release no HelmRelease declares, as an Argo CD
// Application's Helm source would be: its own origin and labels, no Flux
// labels.
func TestRenderInput(t *testing.T) {
	in := Input{
		Origin:      "Application argocd/lbc",
		Chart:       chart.Ref{Repository: "https://aws.github.io/eks-charts", Name: "aws-load-balancer-controller", Version: "3.5.0"},
		ReleaseName: "lbc", Namespace: "kube-system",
		Values:   map[string]any{"clusterName": "c1"},
		SkipCRDs: true,
		Labels:   map[string]string{"app.kubernetes.io/instance": "lbc"},
	}
	files, err := Render([]Input{in}, charts(t), Options{KubeVersion: "1.33", Cache: NewCache("", "test")})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 1 || files[0].Path != "hydrated/kube-system/lbc.yaml" {
		t.Fatalf("files %v", files)
	}
	data := files[0].Data
	if !bytes.Contains(data, []byte("renders for Application argocd/lbc\n")) || bytes.Contains(data, []byte(originName)) {
		t.Errorf("header or labels wrong:\n%s", data[:min(len(data), 800)])
	}
	for _, o := range docs(t, data) {
		if o.Kind == "CustomResourceDefinition" {
			t.Errorf("CRD %s hydrated with SkipCRDs", o.Meta.Name)
		}
		if o.Kind == "Deployment" && o.Meta.Labels["app.kubernetes.io/instance"] != "lbc" {
			t.Errorf("Deployment labels %v", o.Meta.Labels)
		}
	}
	if v := in.Values; len(v) != 1 {
		t.Errorf("Render changed the input's values: %v", v)
	}
}
