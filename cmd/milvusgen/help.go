package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// usageTemplate is cobra's, with two changes: a command with subcommands
// shows only "[command]" (its run only explains the missing subcommand),
// and boolean flags lose pflag's "[=true|false]" suffix.
const usageTemplate = `Usage:{{if and .Runnable (not .HasAvailableSubCommands)}}
  {{.UseLine}}{{end}}{{if .HasAvailableSubCommands}}
  {{.CommandPath}} [command]{{end}}{{if .HasExample}}

Examples:
{{.Example}}{{end}}{{if .HasAvailableSubCommands}}

Commands:{{range .Commands}}{{if (or .IsAvailableCommand (eq .Name "help"))}}
  {{rpad .Name .NamePadding }} {{.Short}}{{end}}{{end}}{{end}}{{if .HasAvailableLocalFlags}}

Flags:
{{flagUsages .LocalFlags}}{{end}}{{if .HasAvailableInheritedFlags}}

Global Flags:
{{flagUsages .InheritedFlags}}{{end}}{{if .HasAvailableSubCommands}}

Use "{{.CommandPath}} [command] --help" for more information about a command.{{end}}
`

func init() {
	cobra.AddTemplateFunc("flagUsages", flagUsages)
}

// flagUsages is fs.FlagUsages without the "[=true|false]" pflag v1.1.0
// appends to every boolean flag.
func flagUsages(fs *pflag.FlagSet) string {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		left := "      --" + f.Name
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			left = "  -" + f.Shorthand + ", --" + f.Name
		}
		varname, usage := pflag.UnquoteUsage(f)
		if varname != "" {
			left += " " + varname
		}
		switch f.DefValue {
		case "", "false", "0", "[]", "0s":
		default:
			if f.Value.Type() == "string" {
				usage += fmt.Sprintf(" (default %q)", f.DefValue)
			} else {
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		rows = append(rows, row{left, usage})
		width = max(width, len(left))
	})
	var b strings.Builder
	for i, r := range rows {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(&b, "%-*s   %s", width, r.left, r.usage)
	}
	return b.String()
}

// strictHelp makes `help TOPIC` a usage error (exit 2) when TOPIC names no
// command, as an unknown command is; cobra's help command prints the usage
// and exits 0, so a typo in a script would pass unnoticed.
func strictHelp(root *cobra.Command) {
	strictCompletion(root)
	root.InitDefaultHelpCmd()
	for _, help := range root.Commands() {
		if help.Name() != "help" {
			continue
		}
		show := help.Run
		help.Run = nil
		help.RunE = func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err == nil && len(rest) == 0 {
				show(cmd, args)
				return nil
			}
			// The first word that names no command, and its parent.
			parent, word := cmd.Root(), args[0]
			if err == nil {
				parent, word = target, rest[0]
			}
			msg := fmt.Sprintf("help: unknown command %q", strings.TrimSpace(parent.CommandPath()+" "+word))
			if s := parent.SuggestionsFor(word); len(s) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", s[0])
			}
			return usageError{fmt.Sprintf("%s (see %s help)", msg, root.Name())}
		}
	}
}

// strictCompletion makes `completion SHELL` with a shell cobra does not
// generate for (tcsh) a usage error, exit 2, instead of cobra's help and
// exit 0: the completion command has no run of its own.
func strictCompletion(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, sub := range c.Commands() {
			shells = append(shells, sub.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				cmd.SetOut(cmd.ErrOrStderr())
				_ = cmd.Help()
				return usageError{fmt.Sprintf("completion: name a shell: %s", strings.Join(shells, ", "))}
			}
			msg := fmt.Sprintf("completion: unknown shell %q; milvusgen completes %s", args[0], strings.Join(shells, ", "))
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf("; did you mean %q?", s[0])
			}
			return usageError{msg}
		}
	}
}
