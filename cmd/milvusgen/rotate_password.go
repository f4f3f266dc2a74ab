package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/internal/verify"
)

func init() { commands = append(commands, (*env).rotatePasswordCommand) }

// maxPasswordInput bounds what --new-password-stdin reads: Milvus takes at
// most 72 bytes.
const maxPasswordInput = 4096

func (e *env) rotatePasswordCommand() *cobra.Command {
	var (
		mf         milvusFlags
		format     string
		fromStdin  bool
		noGenerate bool
		fromSecret string
	)
	c := newCommand("rotate-password (-f SPEC [-f OVERLAY]... | --rendered DIR) [--address HOST:PORT | --port-forward] [flags]",
		"change Milvus's root password and the Secret that holds it",
		`Changes the Milvus root password. Milvus reads the Secret's password only
when it first creates root, so changing the Secret alone does nothing; this
command changes both, in an order that survives an interruption:

  1. the new password is staged in the Secret, key <key>.pending;
  2. Milvus's UpdateCredential changes root's password (the current one is
     the Secret's key <key>);
  3. the Secret's key takes the new password and the staged key goes;
  4. the new password logs in.

The new password comes from $`+verify.NewPasswordEnv+`, or stdin with
--new-password-stdin (one line), or is generated (26 random base32
characters). It is never printed: read it from the Secret. A rerun first
finds out which password Milvus accepts (the Secret's, the staged one, or
the new one given) and finishes from there, so an interrupted rotation is
finished by running the command again.

The Secret, endpoint and TLS are found as verify finds them (see milvusgen
verify --help); rotate-password needs the cluster (--kubeconfig, --context):
it reads and writes the Secret the tree names.

Renaming milvus.auth.rootPasswordSecret: run it from the change's tree,
before the change reaches the cluster, with --from-secret OLD-NAME. The
current password is read from OLD-NAME, and the tree's Secret is created
with the new one, so Milvus's pods find it when they roll.

Exit 0 when the new password logs in, 1 when a step fails (the message names
it, and what a rerun will do), 2 on a wrong command line.`,
		func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Sprintf("rotate-password: --format %q: want text or json", format)}
			}
			if err := mf.usage("rotate-password"); err != nil {
				return err
			}
			env := os.Getenv(verify.NewPasswordEnv)
			if env != "" && fromStdin {
				return usageError{"rotate-password: $" + verify.NewPasswordEnv + " and --new-password-stdin are two sources of the new password; give one"}
			}
			if fromStdin && slices.Contains(mf.sf.files, "-") {
				return usageError{"rotate-password: -f - and --new-password-stdin both read stdin; give the spec as a file"}
			}
			ro := verify.RotateOptions{}
			switch {
			case env != "":
				ro.NewPassword, ro.NewFrom = env, "$"+verify.NewPasswordEnv
			case fromStdin:
				pw, err := readPasswordLine(e.stdin)
				if err != nil {
					return fmt.Errorf("rotate-password: --new-password-stdin: %w", err)
				}
				ro.NewPassword, ro.NewFrom = pw, "stdin"
			case noGenerate:
				return usageError{"rotate-password: --no-generate: give the new password in $" + verify.NewPasswordEnv + " or with --new-password-stdin"}
			}
			if ro.NewPassword != "" {
				if err := verify.CheckPassword(ro.NewPassword); err != nil {
					return fmt.Errorf("rotate-password: %s: %w", ro.NewFrom, err)
				}
			}
			o, err := mf.options(e, "rotate-password")
			if err != nil {
				return err
			}
			if o.Kube == nil {
				return fmt.Errorf("rotate-password: %w (it reads and updates the root password Secret)", o.KubeErr)
			}
			ro.Options, ro.FromSecret = o, fromSecret
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return e.writeReport(verify.Rotate(ctx, ro), format)
		})
	c.Args = specArgs
	mf.bind(c, "bound on the whole run")
	fl := c.Flags()
	fl.StringVar(&format, "format", "text", "output format: text (a line a step) or json")
	fl.BoolVar(&fromStdin, "new-password-stdin", false, "read the new password from the first line of stdin (default: $"+verify.NewPasswordEnv+", else generated)")
	fl.BoolVar(&noGenerate, "no-generate", false, "fail instead of generating a password when none is given")
	fl.StringVar(&fromSecret, "from-secret", "", "the Secret (same namespace and key) holding the current password, when the tree names a new one (milvus.auth.rootPasswordSecret renamed); the tree's Secret is created")
	choices(c, "format", "text", "json")
	return c
}

// readPasswordLine reads one line, without its line ending.
func readPasswordLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(io.LimitReader(r, maxPasswordInput)).ReadString('\n')
	if err != nil && err != io.EOF {
		return "", err
	}
	line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if line == "" {
		return "", fmt.Errorf("stdin holds no password")
	}
	return line, nil
}
