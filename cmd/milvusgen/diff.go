package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/internal/cost"
	"github.com/milvusgen/milvusgen/internal/diff"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/render"
)

func init() { commands = append(commands, (*env).diffCommand) }

func (e *env) diffCommand() *cobra.Command {
	var f diffFlags
	c := newCommand(`diff -f SPEC [-f OVERLAY]... [--against REF | --against-dir DIR]
                 [--repo DIR] [--path PATH | -o DIR] [--format text|markdown|json]
                 [--hydrate [--chart-dir DIR]] [--cost]
       diff -f SPEC... --live [--kubeconfig F] [--context C] [--chart-dir DIR]`,
		"compare the rendered tree with a Git ref or directory, per object, flagging risky changes",
		`Renders the spec and compares the result, object by object, with the tree
committed at a Git revision (default HEAD) or with a directory. It lists the
objects added, removed and changed, each changed field with its old and new
value, and flags the changes that matter with a reason: data (bucket, root
path, region, message queue, immutable volume fields), availability (rolling
restarts of Milvus nodes, replicas down to 1, active standby off), network
(load balancer replaced, opened to 0.0.0.0/0) and infrastructure (node group
replaced, Kubernetes upgrade).

The tree's place in the repository is --path, else the directory -o names,
else the spec's gitops.repository.path. With --hydrate both sides include
the charts' rendered manifests (an old tree without hydrated/ is hydrated
from the chart cache too), which shows the pods a change restarts.

With --fleet, compares every environment of the fleet file with its tree
(at its output's place in the repository, or on disk with --against-outputs)
and writes one report: the risky changes of the whole fleet first, then each
environment's changes.

With --live, compares with the running cluster instead: the tree is
rendered and hydrated, and every object is dry-run applied with server-side
apply under the field manager of the engine that owns it (kustomize-
controller, helm-controller, Argo CD, or milvusgen apply), as its
managedFields record it. The report lists drift (the live object differs
from what the tree applies, on the fields the engine sets; defaulting and
fields an autoscaler owns never show), objects the tree creates, objects the
engine would prune (its inventory holds them, the tree no longer does), and
custom resources whose CRD is not installed yet. Secret values are masked.
With --fleet, each environment is compared with the context named by its
cluster's ARN.

With --cost, the report starts with the monthly on-demand cost of both
trees and the change, per priced resource (see size --cost).


AWS changes (aws/) are listed first as the steps aws/converge.sh takes on
merge, in its order, each with its command. A change no merge should carry
(a Kubernetes jump of more than one minor version, a cluster renamed or
moved to another region or account at the same GitOps path) is refused,
with the way to make it instead.

Exit 0 when the trees are equal, 1 when they differ, 2 on error or when a
change is refused.`,
		func(cmd *cobra.Command, args []string) error {
			if err := f.fleet.check("diff", &f.sf, cmd.Flags(), "output", "path", "against-dir"); err != nil {
				return err
			}
			if f.live.on {
				if f.against != "" || f.againstDir != "" || f.againstOutputs || f.cost {
					return usageError{"diff: --live compares with the cluster; it excludes --against, --against-dir, --against-outputs and --cost"}
				}
				if f.fleet.file != "" {
					return e.diffFailed(e.diffLiveFleet(&f))
				}
				return e.diffFailed(e.diffLive(&f))
			}
			if f.fleet.file != "" {
				return e.diffFailed(e.diffFleet(&f))
			}
			if f.againstOutputs {
				return usageError{"diff: --against-outputs needs --fleet (see --help)"}
			}
			return e.diffFailed(e.runDiff(&f))
		})
	c.Args = specArgs
	fs := c.Flags()
	f.sf.bind(fs)
	fs.StringVar(&f.against, "against", "", "Git revision holding the old tree: a branch, tag, origin/main, a commit (default HEAD)")
	fs.StringVar(&f.againstDir, "against-dir", "", "compare with this directory instead of a Git revision")
	fs.StringVar(&f.repoDir, "repo", ".", "the Git repository (any directory inside it)")
	fs.StringVar(&f.repoPath, "path", "", "where the tree lives in the repository (default: -o, else the spec's gitops.repository.path)")
	bindOutput(fs, &f.outputDir, "the directory render -o writes the tree to, inside the repository")
	fs.StringVar(&f.format, "format", "text", "output: text, markdown (a pull-request comment) or json")
	fs.BoolVar(&f.color, "color", false, "colour the text output even when stdout is not a terminal")
	f.hf.bind(fs)
	f.fleet.bind(fs)
	fs.BoolVar(&f.live.on, "live", false, "compare with the running cluster instead of a tree: a server-side-apply dry run of every object, as its engine would apply it (implies --hydrate)")
	fs.StringVar(&f.live.kubeconfig, "kubeconfig", "", "with --live, the kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
	fs.StringVar(&f.live.context, "context", "", "with --live, the kubeconfig context (default: the current one; with --fleet, each cluster's ARN, as aws eks update-kubeconfig names it)")
	fs.BoolVar(&f.cost, "cost", false, "also price both trees: the monthly on-demand cost and its change, at the top of the report (see size --cost)")
	fs.BoolVar(&f.againstOutputs, "against-outputs", false, "with --fleet, compare each environment with its output directory on disk instead of Git")
	choices(c, "format", "text", "markdown", "json")
	return c
}

// diffFlags are diff's flags.
type diffFlags struct {
	sf                           specFlags
	hf                           hydrateFlags
	against, againstDir          string
	repoDir, repoPath, outputDir string
	format                       string
	color                        bool
	cost                         bool
	live                         liveFlags
	fleet                        fleetFlags
	againstOutputs               bool
}

// diffFailed makes every failure exit 2, as diff(1) does, since 1 means
// "the trees differ".
func (e *env) diffFailed(err error) error {
	switch {
	case err == nil, errors.Is(err, errReported):
		return err
	}
	return exitError{code: exitUsage, err: err}
}

func (e *env) runDiff(f *diffFlags) error {
	sf, hf := &f.sf, f.hf
	against, againstDir := f.against, f.againstDir
	repoDir, repoPath, outputDir := f.repoDir, f.repoPath, f.outputDir
	if f.format != "text" && f.format != "markdown" && f.format != "json" {
		return usageError{fmt.Sprintf("diff: --format %q: want text, markdown or json", f.format)}
	}
	if against != "" && againstDir != "" {
		return usageError{"diff: --against and --against-dir exclude each other"}
	}
	// The options the compared tree was rendered with (--hydrate and its
	// chart directory) apply unless the command line says otherwise, as
	// render and diff --fleet do (issue 19 item 5).
	if tree := diffTreeOnDisk(f); tree != "" {
		hf.recall(e, tree)
	}
	res, files, err := e.renderSpecAt(sf, &hf, outputDir)
	if err != nil {
		return err
	}

	if err := e.watch("reading the old tree", stageWrite); err != nil {
		return err
	}
	var old []render.File
	var where, base, basePath string
	if againstDir != "" {
		where, base, basePath = againstDir, againstDir, "."
		old, err = diff.ReadDir(againstDir)
	} else {
		if against == "" {
			against = "HEAD"
		}
		var repo *diff.Repo
		if repo, err = diff.OpenRepo(repoDir); err != nil {
			return err
		}
		p := repoPath
		switch {
		case p != "":
		case outputDir != "":
			if p, err = repo.Rel(outputDir); err != nil {
				return err
			}
		default:
			p = strings.TrimPrefix(strings.Trim(res.Spec.GitOps.Repository.Path, "/"), "./")
		}
		where, base, basePath = against+":"+p, against, p
		old, err = repo.ReadTree(against, p)
	}
	if errors.Is(err, diff.ErrNoTree) {
		e.notef("note: %v; every file is new\n", err)
		old, err = nil, nil
	}
	if err != nil {
		return err
	}
	old, files = e.matchHydration(hf, old, files)

	e.notef("comparing the render of %s with %s\n", strings.Join(sf.files, " + "), where)
	r := diff.Compare(old, files)
	r.Locate(base, basePath)
	if f.cost {
		if r.Cost, err = cost.PriceChange(old, files, e.date()); err != nil {
			return fmt.Errorf("diff --cost: %w", err)
		}
	}
	switch f.format {
	case "markdown":
		err = diff.WriteMarkdown(e.stdout, r)
	case "json":
		err = diff.WriteJSON(e.stdout, r)
	default:
		err = diff.WriteText(e.stdout, r, diff.TextOptions{Color: f.color || e.stdoutIsTerminal()})
	}
	if err != nil {
		return err
	}
	if r.Refused() {
		for _, x := range r.Refusals {
			fmt.Fprintf(e.stderr, "diff: refused: %s\n", x.Reason)
		}
		return exitError{code: exitUsage, err: errReported}
	}
	if !r.Equal() {
		return errReported
	}
	return nil
}

// matchHydration makes both sides comparable. With --hydrate, an old tree
// committed without hydrated/ is hydrated from the chart cache (its own
// chart versions and Kubernetes version); when that is impossible, the
// hydrated files are left out of both sides, with a note. Without
// --hydrate, hydrated files in the old tree are ignored, with a note.
func (e *env) matchHydration(hf hydrateFlags, old, files []render.File) ([]render.File, []render.File) {
	has := false
	for _, f := range old {
		if hydrate.IsHydrated(f.Path) {
			has = true
			break
		}
	}
	switch {
	case !hf.on && has:
		e.notef("note: the old tree holds %s/; pass --hydrate to compare it too\n", hydrate.Dir)
		return hydrate.Strip(old), files
	case hf.on && !has && len(old) > 0:
		c, err := hf.charts.cache(e)
		if err == nil {
			opts := hydrate.DefaultOptions()
			opts.Cache = hydrate.DefaultCache()
			opts.KeepChartLabels = hf.keepChartLabels
			var h []render.File
			if h, err = hydrate.Hydrate(old, c, opts); err == nil {
				return h, files
			}
		}
		e.notef("note: the old tree has no %s/ and cannot be hydrated (%v); comparing without hydrated output\n", hydrate.Dir, err)
		return old, hydrate.Strip(files)
	}
	return old, files
}

func (e *env) stdoutIsTerminal() bool {
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := e.stdout.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// diffTreeOnDisk is where the tree diff compares against lies on disk, to
// read its recorded render options: -o, else --against-dir, else --path
// in the repository's work tree; "" when only the spec names it.
func diffTreeOnDisk(f *diffFlags) string {
	switch {
	case f.outputDir != "":
		return f.outputDir
	case f.againstDir != "":
		return f.againstDir
	case f.repoPath != "":
		if repo, err := diff.OpenRepo(f.repoDir); err == nil {
			return filepath.Join(repo.Root, filepath.FromSlash(f.repoPath))
		}
	}
	return ""
}
