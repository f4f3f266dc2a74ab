package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/backup"
	"github.com/milvusgen/milvusgen/internal/model"
)

func init() { commands = append(commands, (*env).backupCommand) }

func (e *env) backupCommand() *cobra.Command {
	c := newCommand("backup SUBCOMMAND", "run the spec's milvus-backup CronJob now (backup now), or check its last run (backup status)",
		`Runs and checks the milvus-backup CronJob a spec's backup section renders.`,
		func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{"backup: want a subcommand: backup now -f SPEC, or backup status -f SPEC (see backup --help)"}
			}
			return usageError{fmt.Sprintf("backup: unknown subcommand %q (see backup --help)", args[0])}
		})
	c.Args = cobra.ArbitraryArgs
	c.ValidArgsFunction = nil
	c.AddCommand(e.backupNowCommand(), e.backupStatusCommand())
	return c
}

// backupFlags are what both subcommands read: the spec and the cluster.
type backupFlags struct {
	sf                      specFlags
	kubeconfig, kubeContext string
	format                  string
}

func (f *backupFlags) bind(c *cobra.Command) {
	f.sf.bind(c.Flags())
	c.Flags().StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default $KUBECONFIG, else ~/.kube/config)")
	c.Flags().StringVar(&f.kubeContext, "context", "", "kubeconfig context (default: the current one)")
	c.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
	choices(c, "format", "text", "json")
}

// connect loads the spec and a client of the cluster; the spec must have
// a backup section.
func (f *backupFlags) connect(e *env, cmd string) (*model.Spec, kubernetes.Interface, error) {
	if f.format != "text" && f.format != "json" {
		return nil, nil, usageError{fmt.Sprintf("backup %s: --format %q: want text or json", cmd, f.format)}
	}
	res, err := f.sf.load(e)
	if err != nil {
		return nil, nil, err
	}
	if res.Spec.Backup == nil {
		return nil, nil, fmt.Errorf("backup %s: the spec has no backup section; add backup: {schedule: \"0 3 * * *\"}, render and apply it", cmd)
	}
	cfg, err := apply.RESTConfig(f.kubeconfig, f.kubeContext)
	if err != nil {
		return nil, nil, err
	}
	c, err := kubernetes.NewForConfig(cfg)
	return res.Spec, c, err
}

func (e *env) printBackup(format string, r backup.Result, ok bool) error {
	if format == "json" {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		if !ok {
			return enc.Encode(nil)
		}
		return enc.Encode(r)
	}
	if !ok {
		_, err := fmt.Fprintln(e.stdout, "no backup Job has finished")
		return err
	}
	_, err := fmt.Fprintf(e.stdout, "Job %s %s at %s\n", r.Job, r.Outcome, r.Finished.UTC().Format(time.RFC3339))
	return err
}

func (e *env) backupNowCommand() *cobra.Command {
	var (
		f       backupFlags
		timeout time.Duration
	)
	c := newCommand("now -f SPEC [-f OVERLAY]... [--kubeconfig F] [--context C] [--timeout D]",
		"start a backup Job from the CronJob and wait for it",
		`Creates a Job from the spec's milvus-backup CronJob, as kubectl create job
--from=cronjob does, and waits until it succeeds or fails. Exit 0 when it
succeeded, 1 when it failed or the wait ran out.`,
		func(cmd *cobra.Command, args []string) error {
			s, c, err := f.connect(e, "now")
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			r, err := backup.Now(ctx, c, s.Milvus.Namespace, s.BackupName(), time.Now(), 2*time.Second)
			if err != nil {
				return err
			}
			if err := e.printBackup(f.format, r, true); err != nil {
				return err
			}
			if r.Outcome != backup.Succeeded {
				return fmt.Errorf("backup Job %s failed: %s", r.Job, r.Reason)
			}
			return nil
		})
	c.Args = specArgs
	f.bind(c)
	c.Flags().DurationVar(&timeout, "timeout", 6*time.Hour, "how long to wait for the Job")
	return c
}

func (e *env) backupStatusCommand() *cobra.Command {
	var (
		f      backupFlags
		maxAge time.Duration
	)
	c := newCommand("status -f SPEC [-f OVERLAY]... [--max-age D] [--kubeconfig F] [--context C]",
		"check that the newest backup Job succeeded within --max-age",
		`Reads the newest finished Job of the spec's milvus-backup CronJob (scheduled
or started by backup now). Exit 0 when it succeeded less than --max-age ago,
1 otherwise: the check the upgrade plan runs before each stage.`,
		func(cmd *cobra.Command, args []string) error {
			s, c, err := f.connect(e, "status")
			if err != nil {
				return err
			}
			r, ok, err := backup.Last(context.Background(), c, s.Milvus.Namespace, s.BackupName())
			if err != nil {
				return err
			}
			if err := e.printBackup(f.format, r, ok); err != nil {
				return err
			}
			return backup.Fresh(r, ok, time.Now(), maxAge)
		})
	c.Args = specArgs
	f.bind(c)
	c.Flags().DurationVar(&maxAge, "max-age", 26*time.Hour, "how recent the newest successful backup must be")
	return c
}
