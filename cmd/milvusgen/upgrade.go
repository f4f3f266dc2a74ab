package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/internal/upgrade"
)

func init() { commands = append(commands, (*env).upgradeCommand) }

func (e *env) upgradeCommand() *cobra.Command {
	c := newCommand("upgrade SUBCOMMAND", "plan a staged Milvus upgrade (upgrade plan)",
		`Plans Milvus upgrades along the version table's stepping stones.`,
		func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{"upgrade: want a subcommand: upgrade plan -f SPEC --to VERSION (see upgrade --help)"}
			}
			return usageError{fmt.Sprintf("upgrade: unknown subcommand %q (see upgrade --help)", args[0])}
		})
	c.Args = cobra.ArbitraryArgs
	c.ValidArgsFunction = nil
	c.AddCommand(e.upgradePlanCommand())
	return c
}

func (e *env) upgradePlanCommand() *cobra.Command {
	var (
		sf             specFlags
		to, format, ba string
	)
	c := newCommand("plan -f SPEC [-f OVERLAY]... --to VERSION [--backup-max-age D] [--format text|json]",
		"print every stage from the spec's Milvus version to VERSION",
		`Maps VERSION (a Milvus version, e.g. 2.6.15) to its chart by the version
table and prints every stage on the way: the exact spec change (one commit
each), what it restarts and in which order, whether that order can be held,
and the checks that must pass before the next stage (rollout, verify
reporting the new server version, the message queue unchanged, a successful
backup newer than --backup-max-age). Stepping stones are never skipped:
2.5.x below 2.5.16 moves to 2.5.16 first, separate coordinators become
mixCoordinator first. Exit 0 with a plan, 1 when there is none.`,
		func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Sprintf("upgrade plan: --format %q: want text or json", format)}
			}
			if to == "" {
				return usageError{"upgrade plan: --to VERSION is required (a Milvus version, e.g. 2.6.15)"}
			}
			res, err := sf.load(e)
			if err != nil {
				return err
			}
			p, err := upgrade.NewPlan(res.Spec, strings.TrimPrefix(to, "v"), upgrade.Options{Spec: "-f " + strings.Join(sf.files, " -f "), BackupMaxAge: ba})
			if err != nil {
				return err
			}
			if format == "json" {
				enc := json.NewEncoder(e.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(p)
			}
			return upgrade.WriteText(e.stdout, p)
		})
	c.Args = specArgs
	sf.bind(c.Flags())
	c.Flags().StringVar(&to, "to", "", "the Milvus version to reach, e.g. 2.6.15")
	c.Flags().StringVar(&ba, "backup-max-age", upgrade.DefaultBackupMaxAge, "how recent the last successful backup must be before each stage")
	c.Flags().StringVar(&format, "format", "text", "output format: text or json")
	choices(c, "format", "text", "json")
	return c
}
