package main

import "github.com/spf13/pflag"

// The names below are those of internal/chart and internal/hydrate, spelled
// out so the lite build (which does not link those packages) parses the same
// flags; TestFlagNamesMatchPackages keeps them in step.
const (
	chartLockName = "charts.lock.json"    // chart.LockName
	chartEnvDir   = "MILVUSGEN_CHART_DIR" // chart.EnvDir
	hydratedDir   = "hydrated"            // hydrate.Dir
)

// chartDirFlag is the --chart-dir flag of the commands that read charts.
type chartDirFlag struct{ dir string }

func (f *chartDirFlag) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.dir, "chart-dir", "", "chart cache: archives and "+chartLockName+" (default $"+chartEnvDir+", else milvusgen/charts in the user cache dir)")
}

// hydrateFlags are the flags of render and diff that add the hydrated
// charts to the rendered tree.
type hydrateFlags struct {
	on              bool
	keepChartLabels bool
	charts          chartDirFlag
}

func (f *hydrateFlags) bind(fs *pflag.FlagSet) {
	fs.BoolVar(&f.on, "hydrate", false, "also render, for review, the manifests each HelmRelease's chart produces, into "+hydratedDir+"/<namespace>/<release>.yaml (charts from the cache; see chart pull)")
	fs.BoolVar(&f.keepChartLabels, "keep-chart-labels", false, "with --hydrate, keep the helm.sh/chart labels (removed by default: they change with every chart version)")
	f.charts.bind(fs)
}
