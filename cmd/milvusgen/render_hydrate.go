package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/writer"
	"github.com/milvusgen/milvusgen/render"
	"github.com/milvusgen/milvusgen/render/argocd"
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
	if e.dog != nil && len(f.specArgs) > 0 && f.specArgs[0] != "--fleet" {
		// A fleet's environments hydrate within the fleet's stage.
		e.dog.Stage("hydrating the charts of "+strings.Join(f.specArgs, " "), stageHydrate)
	}
	var hub map[string]bool
	if s.UsesArgoCDHub() {
		// The tree holds no Application: hydrate the ones the hub
		// generates for this cluster, then leave them out again.
		apps, err := argocd.SpokeApplications(s, files)
		if err != nil {
			return nil, err
		}
		hub = map[string]bool{}
		for _, a := range apps {
			a.Path = ".hub/" + a.Path
			hub[a.Path] = true
			files = append(files, a)
		}
	}
	files, err = hydrate.Hydrate(files, c, f.options(s))
	if hub != nil && err == nil {
		files = slices.DeleteFunc(files, func(f render.File) bool { return hub[f.Path] })
	}
	var nc *chart.NotCachedError
	if errors.As(err, &nc) && len(f.specArgs) > 0 {
		// The chart package knows no spec path; name the user's own.
		return nil, fmt.Errorf("chart %s is not in %s; run milvusgen chart pull %s --chart-dir %s (with network access) first",
			nc.Ref, nc.Dir, strings.Join(f.specArgs, " "), nc.Dir)
	}
	return files, err
}

func (f *hydrateFlags) options(s *model.Spec) hydrate.Options {
	opts := hydrate.DefaultOptions()
	opts.Cache = hydrate.DefaultCache()
	opts.KubeVersion = s.Cluster.KubernetesVersion
	opts.KeepChartLabels = f.keepChartLabels
	return opts
}

// record is what the tree's manifest keeps of these flags: the chart
// directory as given (RecordedFrom makes it relative to the tree), and the
// digest of its lock when hydrating.
func (f *hydrateFlags) record() writer.RenderOptions {
	r := writer.RenderOptions{Hydrate: f.on, KeepChartLabels: f.on && f.keepChartLabels, ChartDir: f.charts.dir}
	if f.on {
		if dir, err := f.charts.path(); err == nil {
			if data, err := input.ReadFile(filepath.Join(dir, chart.LockName), input.Lock); err == nil {
				r.ChartLockDigest = chart.Digest(data)
			}
		}
	}
	return r
}

// recall takes the render options recorded in the manifests of the trees
// at outs for every option the command line leaves unset, so a plain
// render of a hydrated tree keeps it hydrated (and --check compares what
// the tree holds). It returns the flags it took, for the exact command a
// message suggests. Trees that disagree (a fleet) keep the command line's
// defaults, with a warning; a tree without a manifest records nothing.
func (f *hydrateFlags) recall(e *env, outs ...string) []string {
	var recorded []writer.RenderOptions
	var from []string
	for _, out := range outs {
		m, err := writer.ReadManifest(out)
		if err != nil {
			continue
		}
		r := m.Render
		r.ChartDir = r.ChartDirAt(out) // recorded relative to the tree
		recorded = append(recorded, r)
		from = append(from, out)
	}
	if len(recorded) == 0 || f.fs == nil {
		return nil
	}
	for _, r := range recorded[1:] {
		if r.Hydrate != recorded[0].Hydrate || r.KeepChartLabels != recorded[0].KeepChartLabels || r.ChartDir != recorded[0].ChartDir {
			fmt.Fprintf(e.stderr, "warning: the trees in %s were rendered with different options (--hydrate, --keep-chart-labels, --chart-dir); only the command line's are used\n", strings.Join(from, ", "))
			return nil
		}
	}
	r := recorded[0]
	var args []string
	if !f.fs.Changed("hydrate") && r.Hydrate {
		f.on = true
		args = append(args, "--hydrate")
	}
	if !f.fs.Changed("keep-chart-labels") && r.KeepChartLabels && f.on {
		f.keepChartLabels = true
		args = append(args, "--keep-chart-labels")
	}
	if !f.fs.Changed("chart-dir") && r.ChartDir != "" && f.on {
		f.charts.dir = r.ChartDir
		args = append(args, "--chart-dir", r.ChartDir)
	}
	return args
}
