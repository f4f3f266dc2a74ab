// Package eksctlcli parses eksctl command lines with eksctl v0.230.0's own
// cobra commands (pkg/ctl), so a test fails on a misspelt subcommand or
// flag in a rendered script.
package eksctlcli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/weaveworks/eksctl/pkg/ctl/cmdutils"
	"github.com/weaveworks/eksctl/pkg/ctl/create"
	ekdelete "github.com/weaveworks/eksctl/pkg/ctl/delete"
	"github.com/weaveworks/eksctl/pkg/ctl/get"
	"github.com/weaveworks/eksctl/pkg/ctl/scale"
	"github.com/weaveworks/eksctl/pkg/ctl/update"
	"github.com/weaveworks/eksctl/pkg/ctl/upgrade"
	"github.com/weaveworks/eksctl/pkg/ctl/utils"
)

// root is eksctl's command tree as cmd/eksctl builds it, for the verbs
// the scripts use.
func root() *cobra.Command {
	r := &cobra.Command{Use: "eksctl", SilenceErrors: true, SilenceUsage: true}
	fg := cmdutils.NewGrouping()
	r.AddCommand(create.Command(fg), get.Command(fg), update.Command(fg), upgrade.Command(fg),
		ekdelete.Command(fg), scale.Command(fg), utils.Command(fg))
	return r
}

// Parse parses args (without "eksctl"): the resource command must exist
// under its verb, take every flag given with a value of its type, and
// accept the positional arguments left. It runs nothing.
func Parse(args []string) error {
	cmd, rest, err := root().Find(args)
	if err != nil {
		return err
	}
	// Verb commands take unknown flags and print help: only a resource
	// command (eksctl VERB RESOURCE) is a command line that does anything.
	if !cmd.HasParent() || !cmd.Parent().HasParent() {
		return fmt.Errorf("eksctl %s: not a command", strings.Join(args, " "))
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return fmt.Errorf("eksctl %s: %v", strings.Join(args, " "), err)
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return fmt.Errorf("eksctl %s: %v", strings.Join(args, " "), err)
	}
	return nil
}
