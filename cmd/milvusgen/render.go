package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

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
		hf    hydrateFlags
	)
	c := newCommand("render -f SPEC [-f OVERLAY]... -o DIR [--check]",
		"render the eksctl, IAM, Kubernetes and Flux artifacts into a directory",
		`Renders the eksctl ClusterConfig, IAM policies, day-0 scripts, Kubernetes
manifests (a kustomize tree with Flux HelmReleases) and Flux sync objects
into DIR. The write is atomic, files are byte-identical across runs, and a
DIR holding files milvusgen did not write is refused. With --check nothing is
written: the command lists the files that differ and exits 1 if any do.`,
		func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return usageError{"render: -o DIR is required (see --help)"}
			}
			_, files, err := e.renderSpec(&sf, &hf)
			if err != nil {
				return err
			}
			if check {
				return e.renderCheck(out, files)
			}
			cs, err := writer.Write(out, files)
			if err != nil {
				return err
			}
			changed := writer.Changed(cs)
			for _, c := range changed {
				e.printf("%-9s %s\n", c.Action, c.Path)
			}
			e.printf("rendered %d files into %s (%d changed)\n", len(files), out, len(changed))
			return nil
		})
	c.Args = specArgs
	fs := c.Flags()
	sf.bind(fs)
	bindOutput(fs, &out, "output directory (required)")
	fs.BoolVar(&check, "check", false, "only report whether DIR is up to date; exit 1 and list the files if not")
	hf.bind(fs)
	return c
}

// renderCheck reports whether the tree in out is files, listing the files
// that differ and the command that brings it up to date.
func (e *env) renderCheck(out string, files []render.File) error {
	cs, err := writer.Check(out, files)
	if err != nil {
		return err
	}
	changed := writer.Changed(cs)
	if len(changed) == 0 {
		e.printf("%s is up to date (%d files)\n", out, len(files))
		return nil
	}
	fmt.Fprintf(e.stderr, "%s is out of date; run: milvusgen %s\n", out, strings.Join(withoutCheck(e.args), " "))
	for _, c := range changed {
		fmt.Fprintf(e.stderr, "  %-9s %s\n", c.Action, c.Path)
	}
	return errReported
}

// renderSpec loads the spec and renders its tree, hydrated when asked: what
// render writes and what diff compares.
func (e *env) renderSpec(sf *specFlags, hf *hydrateFlags) (*spec.Result, []render.File, error) {
	res, err := sf.load(e)
	if err != nil {
		return nil, nil, err
	}
	files, err := render.Render(res.Spec)
	if err != nil {
		return nil, nil, err
	}
	files, err = hf.apply(res.Spec, files)
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
