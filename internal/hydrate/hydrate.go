package hydrate

import (
	"errors"
	"fmt"
	"path"
	"strings"

	helmchart "helm.sh/helm/v3/pkg/chart"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/render/manifest"
)

// Dir is the directory of the hydrated files in a rendered tree.
const Dir = "hydrated"

// Loader returns a chart by its pinned reference; *chart.Cache is one.
// Each call must return a chart of its own: Helm prunes disabled subcharts
// from the chart it renders.
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
	out := append([]manifest.File(nil), files...)
	var errs []error
	for _, r := range rels {
		f, err := hydrateRelease(r, l, kube, opts)
		if err != nil {
			errs = append(errs, fmt.Errorf("HelmRelease %s/%s hydrate failed: %w", r.HelmRelease.Namespace, r.HelmRelease.Name, err))
			continue
		}
		out = append(out, f)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	manifest.Sort(out)
	return out, nil
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
