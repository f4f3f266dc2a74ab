package main

import (
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render"
)

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
