package main

import (
	"github.com/spf13/pflag"

	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render"
)

// hydrateFlags are the flags of render and diff that add the hydrated
// charts to the rendered tree.
type hydrateFlags struct {
	on              bool
	keepChartLabels bool
	charts          chartDirFlag
}

func (f *hydrateFlags) bind(fs *pflag.FlagSet) {
	fs.BoolVar(&f.on, "hydrate", false, "also render, for review, the manifests each HelmRelease's chart produces, into "+hydrate.Dir+"/<namespace>/<release>.yaml (charts from the cache; see chart pull)")
	fs.BoolVar(&f.keepChartLabels, "keep-chart-labels", false, "with --hydrate, keep the helm.sh/chart labels (removed by default: they change with every chart version)")
	f.charts.bind(fs)
}

// apply returns files with the hydrated releases added when --hydrate is
// set, and files unchanged otherwise.
func (f *hydrateFlags) apply(s *model.Spec, files []render.File) ([]render.File, error) {
	if !f.on {
		return files, nil
	}
	c, err := f.charts.cache()
	if err != nil {
		return nil, err
	}
	return hydrate.Hydrate(files, c, f.options(s))
}

func (f *hydrateFlags) options(s *model.Spec) hydrate.Options {
	opts := hydrate.DefaultOptions()
	opts.KubeVersion = s.Cluster.KubernetesVersion
	opts.KeepChartLabels = f.keepChartLabels
	return opts
}
