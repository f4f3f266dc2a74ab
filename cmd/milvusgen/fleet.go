package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	cueerrors "cuelang.org/go/cue/errors"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/milvusgen/milvusgen/internal/cost"
	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/fleet"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/writer"
	"github.com/milvusgen/milvusgen/render"
)

// fleetFlags are the flags of the commands that run over a fleet file:
// render, validate and diff.
type fleetFlags struct {
	file string
	envs []string
	jobs int

	implied []string // the render options recalled from the trees (hydrateFlags.recall)
}

func (f *fleetFlags) bind(fs *pflag.FlagSet) {
	fs.StringVar(&f.file, "fleet", "", "fleet file (.yaml, .json or .cue) naming environments, each {files: [...], output: DIR}; runs over every environment instead of -f")
	fs.StringArrayVar(&f.envs, "env", nil, "with --fleet, only this environment; repeatable")
	fs.IntVar(&f.jobs, "jobs", 0, "with --fleet, environments rendered at once (default GOMAXPROCS); never changes the output")
}

func init() {
	// --env completes to the environments of the fleet file --fleet names.
	envNames = func(cmd *cobra.Command) ([]string, error) {
		file, _ := cmd.Flags().GetString("fleet")
		if file == "" {
			return nil, nil
		}
		fl, err := fleet.Load(file)
		if err != nil {
			return nil, err
		}
		var names []string
		for _, e := range fl.Environments {
			names = append(names, e.Name)
		}
		return names, nil
	}
}

// check rejects the flags a fleet run does not take.
func (f *fleetFlags) check(cmd string, sf *specFlags, fs *pflag.FlagSet, single ...string) error {
	if f.file == "" {
		for _, n := range []string{"env", "jobs"} {
			if fs.Changed(n) {
				return usageError{fmt.Sprintf("%s: --%s needs --fleet (see --help)", cmd, n)}
			}
		}
		return nil
	}
	if len(sf.files) > 0 {
		return usageError{fmt.Sprintf("%s: --fleet and -f exclude each other: the fleet file names each environment's spec files", cmd)}
	}
	for _, n := range single {
		if fs.Changed(n) {
			return usageError{fmt.Sprintf("%s: --%s names one tree; with --fleet each environment's output comes from the fleet file", cmd, n)}
		}
	}
	if f.jobs < 0 {
		return usageError{fmt.Sprintf("%s: --jobs must be at least 1", cmd)}
	}
	return nil
}

// fleetPlan loads the fleet, renders the chosen environments and checks
// them against each other. Warnings are printed; problems are printed and
// returned as errReported, so nothing is written.
func (e *env) fleetPlan(f *fleetFlags, hf *hydrateFlags, opts fleet.Options) (*fleet.Plan, error) {
	if err := e.watch("reading fleet file "+f.file, stageLoad); err != nil {
		return nil, err
	}
	fl, err := fleet.Load(f.file)
	if err != nil {
		if _, ok := err.(cueerrors.Error); ok {
			wd, _ := os.Getwd()
			fmt.Fprintf(e.stderr, "fleet file %s is invalid:\n", f.file)
			cueerrors.Print(e.stderr, err, &cueerrors.Config{Cwd: wd})
			return nil, errReported
		}
		return nil, err
	}
	envs, err := fl.Select(f.envs)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	// The environments evaluate, render and hydrate within one stage.
	scale := fleetScale(len(envs)) * stageLoad
	what := fmt.Sprintf("evaluating the %d environments of %s", len(envs), f.file)
	if hf != nil && hf.on {
		scale += stageHydrate * float64(len(envs))
		what = fmt.Sprintf("evaluating and hydrating the %d environments of %s", len(envs), f.file)
	}
	if err := e.watch(what, scale); err != nil {
		return nil, err
	}
	opts.Today = e.date()
	opts.Jobs = f.jobs
	opts.Hub, opts.Whole = fl.Hub, len(envs) == len(fl.Environments)
	if hf != nil {
		outs := make([]string, len(envs))
		for i, env := range envs {
			outs[i] = env.Output
		}
		f.implied = hf.recall(e, outs...)
	}
	if hf != nil && hf.on {
		hf.specArgs = []string{"--fleet", f.file}
		// Hydrating shares the chart cache and the Helm SDK's state;
		// one environment at a time keeps that safe (the output does not
		// depend on the order).
		var mu sync.Mutex
		opts.Render = func(s *model.Spec) ([]render.File, error) {
			files, err := render.Render(s)
			if err != nil {
				return nil, err
			}
			mu.Lock()
			defer mu.Unlock()
			return hf.apply(e, s, files)
		}
	}
	p := fleet.Build(envs, opts)
	p.Writer = e.writerOptions(false)
	if hf != nil {
		p.Record = hf.record()
	}
	wd, _ := os.Getwd()
	for _, env := range p.Envs {
		if env.Result == nil {
			continue
		}
		for _, w := range env.Result.Warnings {
			var b strings.Builder
			cueerrors.Print(&b, w, &cueerrors.Config{Cwd: wd})
			fmt.Fprintf(e.stderr, "warning: environment %s: %s", env.Name, b.String())
		}
	}
	if !p.OK() {
		n := p.Print(e.stderr, wd)
		fmt.Fprintf(e.stderr, "fleet %s: %s; nothing was written\n", f.file, plural(n, "problem", "problems"))
		return p, errReported
	}
	return p, nil
}

// renderFleet is render --fleet: every environment, all or nothing.
func (e *env) renderFleet(f *fleetFlags, hf *hydrateFlags, check, list bool) error {
	if list {
		return e.listFleet(f)
	}
	p, err := e.fleetPlan(f, hf, fleet.Options{SupportWarnings: check})
	if err != nil {
		return err
	}
	if err := e.watch(fmt.Sprintf("writing the %d trees of %s", len(p.Envs), f.file), stageWrite*fleetScale(len(p.Envs))); err != nil {
		return err
	}
	if check {
		stale, err := p.Stale()
		if err != nil {
			return fmt.Errorf("nothing was checked: %w", err)
		}
		n := 0
		for i, cs := range stale {
			name, out, files := p.Tree(i)
			if len(cs) == 0 {
				e.printf("%s: %s is up to date (%s)\n", name, out, plural(files, "file", "files"))
				continue
			}
			n++
			fmt.Fprintf(e.stderr, "%s: %s is out of date\n", name, out)
			for _, c := range cs {
				fmt.Fprintf(e.stderr, "  %-9s %s\n", c.Action, c.Path)
			}
			if note := versionNote(out); note != "" {
				fmt.Fprintf(e.stderr, "  note: %s\n", note)
			}
		}
		if n > 0 {
			fmt.Fprintf(e.stderr, "%d of %d environments are out of date; run: milvusgen %s\n", n, len(p.Envs), strings.Join(append(withoutCheck(e.args), f.implied...), " "))
			return errReported
		}
		return nil
	}
	for _, env := range p.Envs {
		for _, w := range fleet.LegacyNames(env.Output, env.Result) {
			fmt.Fprintf(e.stderr, "warning: environment %s: %s\n", env.Name, w)
		}
	}
	changes, err := p.Write()
	if err != nil {
		return err
	}
	total := 0
	for i, cs := range changes {
		name, out, files := p.Tree(i)
		changed := writer.Changed(cs)
		total += len(changed)
		for _, c := range changed {
			e.printf("%-9s %s\n", c.Action, out+"/"+c.Path)
		}
		e.printf("%s: rendered %s into %s (%d changed)\n", name, plural(files, "file", "files"), out, len(changed))
	}
	e.printf("rendered %s (%s changed)\n", plural(len(p.Envs), "environment", "environments"), plural(total, "file", "files"))
	return nil
}

// listFleet is render --fleet --list: one line per environment. It loads
// every spec but checks nothing across them and writes nothing.
func (e *env) listFleet(f *fleetFlags) error {
	if err := e.watch("reading fleet file "+f.file, stageLoad); err != nil {
		return err
	}
	fl, err := fleet.Load(f.file)
	if err != nil {
		return err
	}
	envs, err := fl.Select(f.envs)
	if err != nil {
		return usageError{err.Error()}
	}
	if err := e.watch(fmt.Sprintf("evaluating the %d environments of %s", len(envs), f.file), fleetScale(len(envs))*stageLoad); err != nil {
		return err
	}
	rendered := fleet.Render(envs, fleet.Options{Today: e.date(), Jobs: f.jobs, NoGitPath: true,
		Render: func(*model.Spec) ([]render.File, error) { return nil, nil }})
	if err := fleet.List(e.stdout, rendered); err != nil {
		return err
	}
	if failed := fleet.Failed(rendered); len(failed) > 0 {
		wd, _ := os.Getwd()
		for _, env := range failed {
			fleet.PrintEnvError(e.stderr, env.Name, env.Err, wd)
		}
		return errReported
	}
	return nil
}

// validateFleet is validate --fleet.
func (e *env) validateFleet(f *fleetFlags) error {
	p, err := e.fleetPlan(f, nil, fleet.Options{})
	if err != nil {
		return err
	}
	for _, env := range p.Envs {
		e.warnFluxPath(env.Name, env.Output)
	}
	for _, env := range p.Envs {
		s := env.Result.Spec
		e.printf("%s: valid (cluster %s in %s/%s, output %s)\n", env.Name, s.Cluster.Name, s.AWS.AccountID, s.AWS.Region, env.Output)
	}
	e.printf("%s: %d environments valid, no names collide\n", f.file, len(p.Envs))
	return nil
}

// diffFleet is diff --fleet: every environment compared with its tree in
// Git (at the output's place in the repository) or on disk, in one report.
func (e *env) diffFleet(f *diffFlags) error {
	if f.format != "text" && f.format != "markdown" && f.format != "json" {
		return usageError{fmt.Sprintf("diff: --format %q: want text, markdown or json", f.format)}
	}
	if f.against != "" && f.againstOutputs {
		return usageError{"diff: --against and --against-outputs exclude each other"}
	}
	p, err := e.fleetPlan(&f.fleet, &f.hf, fleet.Options{})
	if errors.Is(err, errReported) && p != nil {
		// Exit 1 means "the trees differ"; an environment that cannot be
		// rendered is an error (2), and says which (issue 19 item 5).
		return exitError{code: exitUsage, err: fmt.Errorf("diff: %s; nothing was compared", unrenderable(p))}
	}
	if err != nil {
		return err
	}
	var repo *diff.Repo
	against := f.against
	if !f.againstOutputs {
		if against == "" {
			against = "HEAD"
		}
		if repo, err = diff.OpenRepo(f.repoDir); err != nil {
			return err
		}
	}
	var fr diff.FleetReport
	readOld := func(name, dir string) ([]render.File, error) {
		var old []render.File
		if f.againstOutputs {
			old, err = diff.ReadDir(dir)
		} else {
			var rel string
			if rel, err = repo.Rel(dir); err == nil {
				old, err = repo.ReadTree(against, rel)
			}
		}
		if errors.Is(err, diff.ErrNoTree) || errors.Is(err, os.ErrNotExist) {
			e.notef("note: %s: %v; every file is new\n", name, err)
			return nil, nil
		}
		return old, err
	}
	oldTrees := map[string][]render.File{}
	for _, env := range p.Envs {
		old, err := readOld("environment "+env.Name, env.Output)
		if err != nil {
			return fmt.Errorf("environment %s: %w", env.Name, err)
		}
		oldTrees[env.Name] = old
		old, files := e.matchHydration(f.hf, old, env.Files)
		r := diff.Compare(old, files)
		if f.cost {
			if r.Cost, err = cost.PriceChange(old, files, e.date()); err != nil {
				return fmt.Errorf("environment %s: diff --cost: %w", env.Name, err)
			}
		}
		fr = append(fr, diff.EnvReport{Env: env.Name, Report: r})
	}
	if p.Hub != nil {
		hub, err := e.diffHub(p, oldTrees, readOld)
		if err != nil {
			return err
		}
		fr = append(fr, hub...)
	}
	switch f.format {
	case "markdown":
		err = diff.WriteFleetMarkdown(e.stdout, fr)
	case "json":
		err = diff.WriteFleetJSON(e.stdout, fr)
	default:
		err = diff.WriteFleetText(e.stdout, fr, diff.TextOptions{Color: f.color || e.stdoutIsTerminal()})
	}
	if err != nil {
		return err
	}
	if !fr.Equal() {
		return errReported
	}
	return nil
}

// resolveGitPath applies the tree/Git-path rule of a single render to the
// spec: derived from out's place in its Git work tree when unset, refused
// when set to another path.
func resolveGitPath(res *spec.Result, out string) error {
	if out == "" {
		return nil
	}
	return fleet.ResolveGitPath(res, out)
}

// unrenderable names what kept a fleet from rendering: the environments
// that failed, and collisions between environments.
func unrenderable(p *fleet.Plan) string {
	var names []string
	for _, env := range fleet.Failed(p.Envs) {
		names = append(names, env.Name)
	}
	var parts []string
	if len(names) > 0 {
		noun := "environment"
		if len(names) > 1 {
			noun = "environments"
		}
		parts = append(parts, fmt.Sprintf("%s %s cannot be rendered", noun, strings.Join(names, ", ")))
	}
	if len(p.Problems) > 0 {
		parts = append(parts, fmt.Sprintf("%s between environments", plural(len(p.Problems), "collision", "collisions")))
	}
	return strings.Join(parts, "; ")
}
