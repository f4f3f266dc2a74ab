package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	cueerrors "cuelang.org/go/cue/errors"
	"github.com/milvusgen/milvusgen/internal/diff"

	"github.com/milvusgen/milvusgen/internal/fleet"
	"github.com/milvusgen/milvusgen/internal/spec"
	"github.com/milvusgen/milvusgen/internal/upgrade"
	"github.com/milvusgen/milvusgen/internal/versions"
	"github.com/milvusgen/milvusgen/render"
)

func init() { commands = append(commands, (*env).validateCommand) }

func (e *env) validateCommand() *cobra.Command {
	var sf specFlags
	var rendered, out string
	var ff fleetFlags
	c := newCommand("validate -f SPEC [-f OVERLAY]... [-o DIR] | --rendered DIR | --fleet FILE [--env NAME]...",
		"check a spec and print every problem with its position",
		`Validates the spec against the schema and milvusgen's rules and prints every
problem with its file:line:col. Exit 0 when valid, 1 when not.
With -o, also checks the spec against the tree rendered in DIR: its Git path
must be DIR's place in its Git work tree, it warns when DIR holds the
old fixed IAM policy or load balancer name the spec no longer pins, and it
refuses a Kubernetes version more than one minor version past DIR's.
With -o, the upgrade rules also apply between the Milvus version DIR
installs and the spec's: a downgrade, a message queue change in the same
change as a version, 2.6 from below 2.5.16 or without mixCoordinator, and a
jump past a stepping stone are refused, each with the path to take.
With --rendered, checks instead that the files of a rendered tree agree on
the names they share, and that the tree lies at the Git path it was rendered
for, and lists every field that does not.
With --fleet, validates every environment of the fleet file and checks that
no two collide (IAM names per account, cluster and load balancer names per
account and region, buckets per partition, Git paths, output directories).`,
		func(cmd *cobra.Command, args []string) error {
			if err := ff.check("validate", &sf, cmd.Flags(), "output", renderedFlag); err != nil {
				return err
			}
			if ff.file != "" {
				return e.validateFleet(&ff)
			}
			if rendered != "" {
				return e.validateRendered(rendered, sf.files)
			}
			res, err := sf.load(e)
			if err != nil {
				return err
			}
			if err := resolveGitPath(res, out); err != nil {
				return err
			}
			if out != "" {
				for _, w := range fleet.LegacyNames(out, res) {
					fmt.Fprintf(e.stderr, "warning: %s\n", w)
				}
				// The old tree knows the running version: one minor at a time.
				if err := diff.CheckKubernetesJump(out, res.Spec.Cluster.KubernetesVersion); err != nil {
					fmt.Fprintf(e.stderr, "%s: %v\n", strings.Join(sf.files, " + "), err)
					return errReported
				}
				if err := checkUpgrade(res, out); err != nil {
					return err
				}
			}
			// Rendering proves the spec is renderable too (e.g. policy size limits).
			if err := e.watch("rendering "+strings.Join(sf.files, ", "), stageRender); err != nil {
				return err
			}
			if _, err := render.Render(res.Spec); err != nil {
				return err
			}
			e.printf("%s: valid (cluster %s, release %s)\n", strings.Join(sf.files, " + "), res.Spec.Cluster.Name, res.Spec.Name)
			return nil
		})
	c.Args = specArgs
	sf.bind(c.Flags())
	c.Flags().StringVar(&rendered, renderedFlag, "", "check the rendered tree in DIR instead of a spec: the cluster, region, account, bucket, service accounts and policy must agree across its files (no -f)")
	_ = c.MarkFlagDirname(renderedFlag)
	bindOutput(c.Flags(), &out, "the directory the spec is rendered into: check its Git path and warn about old names it holds")
	ff.bind(c.Flags())
	return c
}

// checkUpgrade applies the upgrade rules between the tree in dir and the
// spec; every refusal is an error at the spec field that makes it.
func checkUpgrade(res *spec.Result, dir string) error {
	from, ok, err := upgrade.StateOfTree(dir)
	if err != nil || !ok {
		return err
	}
	var errs cueerrors.Error
	for _, r := range versions.Check(from, versions.StateOf(res.Spec)) {
		if _, set := res.Pos(r.Path); !set && r.Path == "milvus.version" {
			r.Path = "milvus.chartVersion" // the version is the chart's own
		}
		errs = cueerrors.Append(errs, res.Errorf(r.Path, "%s (the tree in %s runs Milvus %s); %s", r.Reason, dir, from.Milvus, r.Fix))
	}
	if errs == nil {
		return nil
	}
	return errs
}
