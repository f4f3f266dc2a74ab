package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/internal/fleet"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/writer"
	"github.com/milvusgen/milvusgen/render"
)

func init() { commands = append(commands, (*env).renderCommand) }

func (e *env) renderCommand() *cobra.Command {
	var (
		sf    specFlags
		out   string
		check bool
		adopt bool
		list  bool
		hf    hydrateFlags
		ff    fleetFlags
	)
	c := newCommand(`render -f SPEC [-f OVERLAY]... -o DIR [--check]
       render --fleet FILE [--env NAME]... [--jobs N] [--check | --list]`,
		"render the eksctl, IAM, Kubernetes and Flux artifacts into a directory",
		`Renders the eksctl ClusterConfig, IAM policies, day-0 scripts, Kubernetes
manifests (a kustomize tree with Flux HelmReleases) and Flux sync objects
into DIR, in place: each file is replaced whole, a killed render is finished
by the next one, and files are byte-identical across runs. Files milvusgen
did not write are never touched; a DIR without its manifest is written only
when it is empty, a Git work tree's root, or adopted with --adopt. With
--check nothing is written: the command lists the files that differ and
exits 1 if any do, or if a render into DIR was interrupted.

When DIR lies in a Git work tree, the Flux sync objects and bootstrap.sh
point at DIR's place in it (gitops.repository.path left unset), and a spec
that sets another path is refused.

With --fleet, renders every environment of the fleet file (YAML, JSON or
CUE: environments: {NAME: {files: [...], output: DIR}}, paths relative to
it) and checks them against each other. Any invalid environment or
collision, or any output directory the writer refuses, and nothing is
written for any environment. --list prints each environment's account,
region, cluster, chart versions and output.`,
		func(cmd *cobra.Command, args []string) error {
			if err := ff.check("render", &sf, cmd.Flags(), "output"); err != nil {
				return err
			}
			if ff.file != "" {
				if list && check {
					return usageError{"render: --list and --check exclude each other"}
				}
				return e.renderFleet(&ff, &hf, check, list)
			}
			if list {
				return usageError{"render: --list needs --fleet (see --help)"}
			}
			if out == "" {
				return usageError{"render: -o DIR is required (see --help)"}
			}
			// --check decides by bytes alone: a Kubernetes version that
			// has left EKS support since the tree was rendered is a
			// warning, not a failure.
			sf.supportWarnings = check
			implied := hf.recall(e, out)
			res, files, err := e.renderSpecAt(&sf, &hf, out)
			if err != nil {
				return err
			}
			target := writer.Target{Root: out, Files: files, Render: hf.record().RecordedFrom(out)}
			opts := e.writerOptions(adopt)
			if !check {
				for _, w := range fleet.LegacyNames(out, res) {
					fmt.Fprintf(e.stderr, "warning: %s\n", w)
				}
			}
			if err := e.watch("writing "+out, stageWrite); err != nil {
				return err
			}
			if check {
				return e.renderCheck(target, opts, implied)
			}
			cs, err := writer.WriteTarget(target, opts)
			if err != nil {
				return err
			}
			changed := writer.Changed(cs)
			for _, c := range changed {
				e.printf("%-9s %s\n", c.Action, c.Path)
			}
			e.printf("rendered %s into %s (%d changed)\n", plural(len(files), "file", "files"), out, len(changed))
			return nil
		})
	c.Args = specArgs
	fs := c.Flags()
	sf.bind(fs)
	bindOutput(fs, &out, "output directory (required)")
	fs.BoolVar(&check, "check", false, "only report whether DIR is up to date; exit 1 and list the files if not")
	fs.BoolVar(&adopt, "adopt", false, "write into a DIR that holds other files and no milvusgen manifest (files milvusgen would overwrite are still refused)")
	hf.bind(fs)
	ff.bind(fs)
	fs.BoolVar(&list, "list", false, "with --fleet, list the environments (account, region, cluster, chart versions, output) and write nothing")
	return c
}

// renderCheck reports whether the tree in out is files, listing the files
// that differ and the exact command that brings it up to date: the one
// given, with the options recalled from the tree's manifest spelled out.
func (e *env) renderCheck(target writer.Target, opts writer.Options, implied []string) error {
	out, files := target.Root, target.Files
	cs, err := writer.CheckTarget(target, opts)
	if err != nil {
		return err
	}
	changed := writer.Changed(cs)
	if len(changed) == 0 {
		e.printf("%s is up to date (%s)\n", out, plural(len(files), "file", "files"))
		return nil
	}
	fmt.Fprintf(e.stderr, "%s is out of date; run: milvusgen %s\n", out, strings.Join(append(withoutCheck(e.args), implied...), " "))
	for _, c := range changed {
		fmt.Fprintf(e.stderr, "  %-9s %s\n", c.Action, c.Path)
	}
	if note := versionNote(out); note != "" {
		fmt.Fprintf(e.stderr, "note: %s\n", note)
	}
	return errReported
}

// writerOptions are the writer's options for this run: the release
// recorded in the manifest, lock waits as notes, cleanup problems as
// warnings (which -q does not hide).
func (e *env) writerOptions(adopt bool) writer.Options {
	return writer.Options{
		Adopt:   adopt,
		Version: thisVersion(),
		Logf:    func(format string, args ...any) { e.notef(format+"\n", args...) },
		Warnf:   func(format string, args ...any) { fmt.Fprintf(e.stderr, "warning: "+format+"\n", args...) },
	}
}

// renderSpec loads the spec and renders its tree, hydrated when asked: what
// render writes and what diff compares.
func (e *env) renderSpec(sf *specFlags, hf *hydrateFlags) (*spec.Result, []render.File, error) {
	return e.renderSpecAt(sf, hf, "")
}

// renderSpecAt is renderSpec for a tree that lies in out: its Git path
// must agree with out's place in its work tree (see fleet.ResolveGitPath).
func (e *env) renderSpecAt(sf *specFlags, hf *hydrateFlags, out string) (*spec.Result, []render.File, error) {
	res, err := sf.load(e)
	if err != nil {
		return nil, nil, err
	}
	if err := resolveGitPath(res, out); err != nil {
		return nil, nil, err
	}
	if err := e.watch("rendering "+strings.Join(sf.files, ", "), stageRender); err != nil {
		return nil, nil, err
	}
	files, err := render.Render(res.Spec)
	if err != nil {
		return nil, nil, err
	}
	hf.specArgs = nil
	for _, f := range sf.files {
		hf.specArgs = append(hf.specArgs, "-f", f)
	}
	files, err = hf.apply(e, res.Spec, files)
	return res, files, err
}

// withoutCheck is the render command line that brings DIR up to date.
func withoutCheck(args []string) []string {
	var out []string
	for _, a := range args {
		if a != "--check" && !strings.HasPrefix(a, "--check=") {
			out = append(out, a)
		}
	}
	return out
}
