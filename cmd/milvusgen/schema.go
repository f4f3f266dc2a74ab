package main

import (
	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/schema"
)

func init() { commands = append(commands, (*env).schemaCommand) }

func (e *env) schemaCommand() *cobra.Command {
	return newCommand("schema", "print the CUE schema specs are validated against",
		`Prints the CUE schema (#Spec) that specs are validated against. It is the
same file as schema/spec.cue, usable with cue vet.`,
		func(cmd *cobra.Command, args []string) error {
			_, err := e.stdout.Write(schema.Source)
			return err
		})
}
