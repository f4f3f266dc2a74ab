package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/fleet"
)

func init() { commands = append(commands, (*env).chartCommand) }

func (e *env) chartCommand() *cobra.Command {
	c := newCommand("chart SUBCOMMAND", "pull the pinned Helm charts into the local cache (chart pull), or lock local archives (chart add)",
		`Manages the chart cache that render --hydrate and diff --hydrate read.`,
		func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{"chart: want a subcommand: chart pull -f SPEC, or chart add FILE.tgz... (see chart --help)"}
			}
			msg := fmt.Sprintf("chart: unknown subcommand %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", s[0])
			}
			return usageError{msg + " (see chart --help)"}
		})
	c.Args = cobra.ArbitraryArgs
	c.ValidArgsFunction = nil
	c.AddCommand(e.chartPullCommand(), e.chartAddCommand())
	return c
}

func (e *env) chartAddCommand() *cobra.Command {
	var cd chartDirFlag
	c := newCommand("add FILE.tgz... [--chart-dir DIR]",
		"lock chart archives already on disk into the chart cache, offline",
		`Copies chart archives already on disk (fetched on a machine with network
access, e.g. with helm pull) into the chart cache and records each one's
sha256 digest in `+chart.LockName+`, without any network access. Each
archive must be a chart milvusgen installs (Milvus or the AWS Load Balancer
Controller); a chart version the lock already pins must have the locked
digest. An archive already cached with that digest is left alone. Run it on
the cache's own archives to lock a directory of archives copied by hand.`,
		func(cmd *cobra.Command, args []string) error {
			c, err := cd.cache(e)
			if err != nil {
				return err
			}
			added, err := c.Add(args)
			if !e.quiet || err != nil {
				for _, p := range added {
					fmt.Fprintf(e.stdout, "%-10s %-36s %s\n", p.Action, p.Ref, p.Digest)
				}
			}
			if err != nil {
				return err
			}
			e.printf("charts in %s (lock: %s)\n", c.Dir, chart.LockName)
			return nil
		})
	c.Args = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageError{"chart add: no archive given; pass one or more FILE.tgz (see chart add --help)"}
		}
		return nil
	}
	c.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"tgz"}, cobra.ShellCompDirectiveFilterFileExt
	}
	cd.bind(c.Flags())
	return c
}

func (e *env) chartPullCommand() *cobra.Command {
	var (
		sf     specFlags
		ff     fleetFlags
		cd     chartDirFlag
		mirror string
	)
	c := newCommand(`pull -f SPEC [-f OVERLAY]... [--chart-dir DIR] [--mirror URL]
       pull --fleet FILE [--env NAME]... [--chart-dir DIR] [--mirror URL]`,
		"fetch the chart versions the spec pins into the chart cache and lock their digests",
		`Fetches the chart versions the spec pins (Milvus and the AWS Load Balancer
Controller) from their Helm repositories into the chart cache and records
each archive's sha256 digest in `+chart.LockName+` there. Charts already
cached with their locked digest are not fetched again. Once pulled,
render --hydrate and diff --hydrate work offline, and refuse an archive whose
digest differs from the lock. With --fleet, the charts of every environment
of the fleet file (or those --env names).`,
		func(cmd *cobra.Command, args []string) error {
			if err := ff.check("chart pull", &sf, cmd.Flags()); err != nil {
				return err
			}
			if mirror != "" {
				if err := chart.ValidateMirror(mirror); err != nil {
					return usageError{"--" + err.Error()}
				}
			}
			refs, err := e.pullRefs(&sf, &ff)
			if err != nil {
				return err
			}
			c, err := cd.cache(e)
			if err != nil {
				return err
			}
			opts := chart.DefaultPullOptions()
			opts.Mirror = mirror
			pulled, err := c.Pull(refs, opts)
			if !e.quiet || err != nil {
				for _, p := range pulled {
					fmt.Fprintf(e.stdout, "%-10s %-36s %s\n", p.Action, p.Ref, p.Digest)
				}
			}
			if err != nil {
				return err
			}
			e.printf("charts in %s (lock: %s)\n", c.Dir, chart.LockName)
			return nil
		})
	c.Args = specArgs
	sf.bind(c.Flags())
	ff.bind(c.Flags())
	cd.bind(c.Flags())
	c.Flags().StringVar(&mirror, "mirror", "", "fetch every chart from this Helm repository instead of its own (it must serve identical archives)")
	return c
}

// pullRefs are the charts the spec pins, or with --fleet those of every
// chosen environment, each once, in the order first named.
func (e *env) pullRefs(sf *specFlags, ff *fleetFlags) ([]chart.Ref, error) {
	// Pulling waits on the network, with its own timeouts.
	defer e.unwatch()
	if ff.file == "" {
		res, err := sf.load(e)
		if err != nil {
			return nil, err
		}
		return chart.Refs(res.Spec), nil
	}
	p, err := e.fleetPlan(ff, nil, fleet.Options{})
	if err != nil {
		return nil, err
	}
	var refs []chart.Ref
	seen := map[chart.Ref]bool{}
	for _, env := range p.Envs {
		for _, r := range chart.Refs(env.Result.Spec) {
			if !seen[r] {
				seen[r] = true
				refs = append(refs, r)
			}
		}
	}
	return refs, nil
}
