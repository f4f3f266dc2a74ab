package hydrate

import (
	"errors"
	"fmt"
	"path"
	"runtime"
	"strings"
	"sync"

	helmchart "helm.sh/helm/v3/pkg/chart"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Dir is the directory of the hydrated files in a rendered tree.
const Dir = "hydrated"

// Loader returns a chart by its pinned reference; *chart.Cache is one.
// Each call must return a chart of its own: Helm prunes disabled subcharts
// from the chart it renders. Hydrate calls it from several goroutines.
type Loader interface {
	Load(chart.Ref) (*helmchart.Chart, error)
}

// Options tune Hydrate.
type Options struct {
	// KubeVersion is the Kubernetes version charts render for
	// (.Capabilities.KubeVersion), e.g. "1.34". Empty means the version of
	// the eksctl ClusterConfig among the files, else Helm's default.
	KubeVersion string
	// KeepChartLabels keeps the helm.sh/chart labels. They name the chart
	// version, so by default they are removed to keep a chart bump's diff
	// to what actually changes.
	KeepChartLabels bool
	// APIVersions are API versions the cluster serves besides Kubernetes'
	// own, as .Capabilities.APIVersions lists them ("monitoring.coreos.com/v1",
	// "monitoring.coreos.com/v1/ServiceMonitor"). Hydrate adds those of the
	// CRDs among the tree's files; the CRDs of the charts rendered are
	// always added.
	APIVersions []string
	// Cache, when set, keeps every hydrated release by its inputs, so an
	// unchanged release is not templated again (DefaultCache is the
	// process's, on disk in the user's cache directory). Only charts from
	// a DigestLoader are cached.
	Cache *Cache
}

// DefaultOptions take the Kubernetes version from the files and remove
// chart-version labels.
func DefaultOptions() Options { return Options{} }

// Hydrate returns files plus one hydrated/<namespace>/<release>.yaml per
// HelmRelease among them, sorted by path. Hydrated files already in files
// are dropped first, so hydrating twice gives the same set. Each release
// is handled on its own; the error joins every release's failure.
func Hydrate(files []manifest.File, l Loader, opts Options) ([]manifest.File, error) {
	files = Strip(files)
	rels, err := Releases(files)
	if err != nil {
		return nil, err
	}
	kube := opts.KubeVersion
	if kube == "" {
		kube = clusterVersion(files)
	}
	inputs := make([]Input, 0, len(rels))
	var errs []error
	for _, r := range rels {
		in, err := r.Input()
		if err != nil {
			hr := r.HelmRelease
			errs = append(errs, fmt.Errorf("%s %s/%s hydrate failed: %w", hr.Kind, hr.Namespace, hr.Name, err))
			continue
		}
		inputs = append(inputs, in)
	}
	opts.KubeVersion = kube
	opts.APIVersions = union(opts.APIVersions, CRDAPIVersions(treeCRDs(files)))
	hydrated, err := Render(inputs, l, opts)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	out := append(append([]manifest.File(nil), files...), hydrated...)
	manifest.Sort(out)
	return out, nil
}

// Render hydrates each input into hydrated/<namespace>/<release>.yaml, in
// input order, for Kubernetes opts.KubeVersion (Helm's default when
// empty): .Capabilities.APIVersions holds what that version serves
// (KubeAPIVersions), opts.APIVersions, and the CRDs of every input's
// chart. Inputs render concurrently; the error joins every input's
// failure.
func Render(inputs []Input, l Loader, opts Options) ([]manifest.File, error) {
	apis := newClusterAPIs(opts.KubeVersion, opts.APIVersions, inputs, l)
	if opts.Cache != nil {
		apis = opts.Cache.shared(apis)
	}
	// Most of a chart's time is its templates, which share nothing.
	type result struct {
		f   manifest.File
		err error
	}
	res := make([]result, len(inputs))
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for i, in := range inputs {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			res[i].f, res[i].err = cachedRelease(in, i, l, opts.KubeVersion, apis, opts)
		})
	}
	wg.Wait()
	out := make([]manifest.File, 0, len(inputs))
	var errs []error
	for i, in := range inputs {
		if err := res[i].err; err != nil {
			errs = append(errs, fmt.Errorf("%s hydrate failed: %w", in.Origin, err))
			continue
		}
		out = append(out, res[i].f)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return out, nil
}

// cachedRelease is hydrateRelease through opts.Cache.
func cachedRelease(in Input, i int, l Loader, kube string, apis *clusterAPIs, opts Options) (manifest.File, error) {
	if opts.Cache == nil {
		return hydrateRelease(in, i, l, kube, apis, opts)
	}
	key, err := opts.Cache.key(in, l, kube, apis, opts)
	if err != nil {
		return manifest.File{}, err
	}
	if key == "" {
		return hydrateRelease(in, i, l, kube, apis, opts)
	}
	data, err := opts.Cache.get(key, func() ([]byte, error) {
		f, err := hydrateRelease(in, i, l, kube, apis, opts)
		return f.Data, err
	})
	if err != nil {
		return manifest.File{}, err
	}
	return manifest.File{Path: Path(in.Namespace, in.ReleaseName), Data: data, Mode: 0o644}, nil
}

// IsHydrated reports whether a tree path is a hydrated file.
func IsHydrated(p string) bool { return strings.HasPrefix(p, Dir+"/") }

// Strip returns files without the hydrated ones.
func Strip(files []manifest.File) []manifest.File {
	var out []manifest.File
	for _, f := range files {
		if !IsHydrated(f.Path) {
			out = append(out, f)
		}
	}
	return out
}

// Path is the hydrated file of a release.
func Path(namespace, release string) string {
	return path.Join(Dir, namespace, release+".yaml")
}
