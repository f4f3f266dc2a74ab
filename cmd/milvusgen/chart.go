//go:build !lite

package main

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/chart"
)

func (f *chartDirFlag) cache() (*chart.Cache, error) {
	if f.dir != "" {
		return chart.NewCache(f.dir), nil
	}
	d, err := chart.DefaultDir()
	if err != nil {
		return nil, err
	}
	return chart.NewCache(d), nil
}

const chartUsage = `Usage: milvusgen chart pull -f SPEC [-f OVERLAY]... [--chart-dir DIR] [--mirror URL]

Fetches the chart versions the spec pins (Milvus and the AWS Load Balancer
Controller) from their Helm repositories into the chart cache and records
each archive's sha256 digest in ` + chart.LockName + ` there. Charts already
cached with their locked digest are not fetched again. Once pulled,
render --hydrate and diff --hydrate work offline, and refuse an archive whose
digest differs from the lock.`

func (e env) chart(args []string) error {
	if len(args) == 0 || args[0] != "pull" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprintln(e.stdout, chartUsage)
			return nil
		}
		return usageError{"chart: want a subcommand: chart pull -f SPEC (see chart --help)"}
	}
	var (
		sf     specFlags
		cd     chartDirFlag
		mirror string
		quiet  bool
	)
	fs := newFlagSet("chart pull", chartUsage, e.stdout)
	sf.bind(fs)
	cd.bind(fs)
	fs.StringVar(&mirror, "mirror", "", "fetch every chart from this Helm repository instead of its own (it must serve identical archives)")
	fs.BoolVarP(&quiet, "quiet", "q", false, "print nothing on success")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	res, err := sf.load(e)
	if err != nil {
		return err
	}
	c, err := cd.cache()
	if err != nil {
		return err
	}
	opts := chart.DefaultPullOptions()
	opts.Mirror = mirror
	pulled, err := c.Pull(chart.Refs(res.Spec), opts)
	if !quiet || err != nil {
		for _, p := range pulled {
			fmt.Fprintf(e.stdout, "%-10s %-36s %s\n", p.Action, p.Ref, p.Digest)
		}
	}
	if err != nil {
		return err
	}
	if !quiet {
		fmt.Fprintf(e.stdout, "charts in %s (lock: %s)\n", c.Dir, chart.LockName)
	}
	return nil
}
