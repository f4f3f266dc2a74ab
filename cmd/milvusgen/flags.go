package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/hydrate"
)

// bindOutput adds -o/--output, the directory the rendered tree is (or is
// written) in: one meaning in every command.
func bindOutput(fs *pflag.FlagSet, out *string, usage string) {
	fs.StringVarP(out, "output", "o", "", usage)
}

// chartDirFlag is the --chart-dir flag of the commands that read charts.
type chartDirFlag struct{ dir string }

func (f *chartDirFlag) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.dir, "chart-dir", "", "chart cache: archives and "+chart.LockName+" (default $"+chart.EnvDir+", else milvusgen/charts in the user cache dir)")
}

// path is the chart directory: --chart-dir, else the default.
func (f *chartDirFlag) path() (string, error) {
	if f.dir != "" {
		return f.dir, nil
	}
	return chart.DefaultDir()
}

// cache opens the chart directory; loading from one without a lock prints
// a warning on e's stderr.
func (f *chartDirFlag) cache(e *env) (*chart.Cache, error) {
	d, err := f.path()
	if err != nil {
		return nil, err
	}
	c := chart.NewCache(d)
	c.Warn = func(s string) { fmt.Fprintf(e.stderr, "warning: %s\n", s) }
	return c, nil
}

// hydrateFlags are the flags of render and diff that add the hydrated
// charts to the rendered tree.
type hydrateFlags struct {
	on              bool
	keepChartLabels bool
	charts          chartDirFlag

	fs       *pflag.FlagSet // to tell flags given from defaults (recall)
	specArgs []string       // the spec arguments, for the chart pull a missing chart needs
}

func (f *hydrateFlags) bind(fs *pflag.FlagSet) {
	f.fs = fs
	fs.BoolVar(&f.on, "hydrate", false, "also render, for review, the manifests each HelmRelease's chart produces, into "+hydrate.Dir+"/<namespace>/<release>.yaml (charts from the cache; see chart pull)")
	fs.BoolVar(&f.keepChartLabels, "keep-chart-labels", false, "with --hydrate, keep the helm.sh/chart labels (removed by default: they change with every chart version)")
	f.charts.bind(fs)
}

// Shell completion of flag values. Flags named here complete the same way
// in every command that has them.
var (
	dirFlags  = []string{"output", "chart-dir", "repo", "against-dir", "rendered"}
	fileFlags = map[string][]string{"file": {"cue", "yaml", "yml", "json"}, "kubeconfig": nil}
)

// choices completes flag name of c to one of values.
func choices(c *cobra.Command, name string, values ...string) {
	_ = c.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// envNames, when set, lists the environment names --env completes to for
// cmd (e.g. from the fleet file its --fleet flag names). The fleet
// commands set it; registerCompletions wires it to every --env flag.
var envNames func(cmd *cobra.Command) ([]string, error)

// registerCompletions adds value completion to the flags of every command
// below root, by flag name.
func registerCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		fs := c.Flags()
		for _, n := range dirFlags {
			if fs.Lookup(n) != nil {
				_ = c.MarkFlagDirname(n)
			}
		}
		for n, exts := range fileFlags {
			if fs.Lookup(n) != nil {
				_ = c.MarkFlagFilename(n, exts...)
			}
		}
		if fs.Lookup("env") != nil || c.PersistentFlags().Lookup("env") != nil {
			_ = c.RegisterFlagCompletionFunc("env", completeEnv)
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

func completeEnv(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
	if envNames == nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	names, err := envNames(cmd)
	if err != nil {
		cobra.CompErrorln(err.Error())
		return nil, cobra.ShellCompDirectiveError
	}
	return names, cobra.ShellCompDirectiveNoFileComp
}
