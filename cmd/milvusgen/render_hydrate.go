package main

import (
	"os"
	"path/filepath"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/writer"
	"github.com/milvusgen/milvusgen/render"
)

// apply returns files with the hydrated releases added when --hydrate is
// set, and files unchanged otherwise.
func (f *hydrateFlags) apply(e *env, s *model.Spec, files []render.File) ([]render.File, error) {
	if !f.on {
		return files, nil
	}
	c, err := f.charts.cache(e)
	if err != nil {
		return nil, err
	}
	return hydrate.Hydrate(files, c, f.options(s))
}

func (f *hydrateFlags) options(s *model.Spec) hydrate.Options {
	opts := hydrate.DefaultOptions()
	opts.Cache = hydrate.DefaultCache()
	opts.KubeVersion = s.Cluster.KubernetesVersion
	opts.KeepChartLabels = f.keepChartLabels
	return opts
}

// record is what the tree's manifest keeps of these flags: the chart
// directory as given, and the digest of its lock when hydrating.
func (f *hydrateFlags) record() writer.RenderOptions {
	r := writer.RenderOptions{Hydrate: f.on, KeepChartLabels: f.on && f.keepChartLabels, ChartDir: f.charts.dir}
	if f.on {
		if dir, err := f.charts.path(); err == nil {
			if data, err := os.ReadFile(filepath.Join(dir, chart.LockName)); err == nil {
				r.ChartLockDigest = chart.Digest(data)
			}
		}
	}
	return r
}
