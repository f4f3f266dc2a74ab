package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/render"
)

func init() { commands = append(commands, (*env).validateCommand) }

func (e *env) validateCommand() *cobra.Command {
	var sf specFlags
	var rendered string
	c := newCommand("validate -f SPEC [-f OVERLAY]... | --rendered DIR",
		"check a spec and print every problem with its position",
		`Validates the spec against the schema and milvusgen's rules and prints every
problem with its file:line:col. Exit 0 when valid, 1 when not.
With --rendered, checks instead that the files of a rendered tree agree on
the names they share and lists every field that does not.`,
		func(cmd *cobra.Command, args []string) error {
			if rendered != "" {
				return e.validateRendered(rendered, sf.files)
			}
			res, err := sf.load(e)
			if err != nil {
				return err
			}
			// Rendering proves the spec is renderable too (e.g. policy size limits).
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
	return c
}
