package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/milvusgen/milvusgen/internal/input"
	"github.com/milvusgen/milvusgen/internal/verify"
)

func init() { commands = append(commands, (*env).verifyCommand) }

func (e *env) verifyCommand() *cobra.Command {
	var (
		sf                            specFlags
		rendered, address, format     string
		kubeconfig, kubeContext       string
		portForward                   bool
		timeout                       time.Duration
		tlsCA, tlsCert, tlsKey, tlsSN string
	)
	c := newCommand("verify (-f SPEC [-f OVERLAY]... | --rendered DIR) [--address HOST:PORT | --port-forward] [flags]",
		"run hello_milvus against the deployed Milvus and check the deployment around it",
		`Checks that the deployed Milvus works. It runs Milvus's hello_milvus
sequence through Milvus's gRPC API, logged in as root: creates a uniquely
named collection (milvusgen_verify_<random>: an Int64 primary key, 8-d float
vectors, a varchar), inserts 3,000 rows, flushes, builds an HNSW index,
loads, searches the top 3 with a filter, queries by expression, deletes,
and drops the collection, which is dropped whatever step fails.

Around it, it checks the deployment against the rendered tree: the release's
pods are ready per component, the Service's load balancer has the rendered
scheme, the Milvus service account carries the IAM role eksctl creates
(IRSA), or, with pod identity, the EKS association exists (only when AWS
credentials are available; skipped otherwise). Mismatches are printed as
validate --rendered prints them.

The names come from the spec, or from a rendered tree (--rendered DIR, as
bootstrap.sh calls it). The endpoint is the load balancer of the Milvus
Service, read through the kubeconfig; --address skips the lookup, and
--port-forward goes through the API server to a ready proxy pod, for an
internal load balancer reached from outside the VPC. The root password is
read from the Secret the spec names, unless $MILVUS_PASSWORD is set. With TLS
(milvus.tls.mode 1 or 2) the proxies' certificate is checked against ca.crt
of the TLS Secret; mode 2 also needs --tls-cert and --tls-key.

Every step prints its time and verdict; --format json prints the same as one
object, on failure too. Exit 0 when every step passes (skipped ones
included), 1 when one fails (the message names the step, the address and the
server's error), 2 on a wrong command line.`,
		func(cmd *cobra.Command, args []string) error {
			switch {
			case format != "text" && format != "json":
				return usageError{fmt.Sprintf("verify: --format %q: want text or json", format)}
			case rendered != "" && len(sf.files) > 0:
				return usageError{"verify: give -f SPEC or --rendered DIR, not both"}
			case rendered == "" && len(sf.files) == 0:
				return usageError{"verify: no spec given; pass -f SPEC or --rendered DIR (see --help)"}
			case address != "" && portForward:
				return usageError{"verify: --address and --port-forward are two ways to reach Milvus; give one"}
			case timeout <= 0:
				return usageError{fmt.Sprintf("verify: --timeout %s: want a positive duration", timeout)}
			}
			var fsys fs.FS
			if rendered != "" {
				if fi, err := os.Stat(rendered); err != nil || !fi.IsDir() {
					return usageError{fmt.Sprintf("verify: --rendered %s: not a directory", rendered)}
				}
				fsys = os.DirFS(rendered)
			} else {
				res, err := sf.load(e)
				if err != nil {
					return err
				}
				if fsys, err = verify.RenderedFS(res.Spec); err != nil {
					return err
				}
			}
			target, err := verify.ReadTarget(fsys)
			if err != nil {
				return err
			}
			e.unwatch() // verify waits on the cluster, with its own timeout
			o := verify.Options{Target: target, Address: address, PortForward: portForward, Timeout: timeout,
				Password: os.Getenv(verify.PasswordEnv), TLSServerName: tlsSN}
			for _, f := range []struct {
				flag, path string
				dst        *[]byte
			}{{"--tls-ca", tlsCA, &o.TLSCA}, {"--tls-cert", tlsCert, &o.TLSCert}, {"--tls-key", tlsKey, &o.TLSKey}} {
				if f.path == "" {
					continue
				}
				if *f.dst, err = input.ReadFile(f.path, input.PEM); err != nil {
					return fmt.Errorf("verify: %s: %w", f.flag, err)
				}
			}
			o.Kube, o.KubeErr = verify.LoadKube(kubeconfig, kubeContext)
			if o.KubeErr != nil && (kubeconfig != "" || kubeContext != "") {
				// The cluster was named: not reaching it is no reason to skip.
				return fmt.Errorf("verify: %w", o.KubeErr)
			}

			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			r := verify.Run(ctx, o)
			if format == "json" {
				err = r.WriteJSON(e.stdout)
			} else {
				err = r.WriteText(e.stdout)
			}
			if err != nil {
				return err
			}
			if err := r.Err(); err != nil {
				fmt.Fprintf(e.stderr, "milvusgen: %v\n", err)
				return errReported
			}
			return nil
		})
	c.Args = specArgs
	fl := c.Flags()
	sf.bind(fl)
	fl.StringVar(&rendered, renderedFlag, "", "read the names from the rendered tree in DIR instead of a spec (no -f)")
	fl.StringVar(&address, "address", "", "Milvus endpoint HOST:PORT (default: the Milvus Service's load balancer)")
	fl.BoolVar(&portForward, "port-forward", false, "reach Milvus through a port-forward to a ready proxy pod (an internal load balancer from outside the VPC)")
	fl.StringVar(&kubeconfig, "kubeconfig", "", "kubeconfig file (default $KUBECONFIG, else ~/.kube/config)")
	fl.StringVar(&kubeContext, "context", "", "kubeconfig context (default: the current one)")
	fl.DurationVar(&timeout, "timeout", verify.DefaultTimeout, "bound on the whole run; the collection is still dropped after it")
	fl.StringVar(&format, "format", "text", "output format: text (a line a step) or json")
	fl.StringVar(&tlsCA, "tls-ca", "", "PEM CA to check the proxies' certificate against (default: ca.crt of the spec's TLS Secret)")
	fl.StringVar(&tlsCert, "tls-cert", "", "PEM client certificate, for TLS mode 2")
	fl.StringVar(&tlsKey, "tls-key", "", "PEM client key, for TLS mode 2")
	fl.StringVar(&tlsSN, "tls-server-name", "", "name the proxies' certificate must carry (default: the address's host; through --port-forward, <service>.<namespace>.svc)")
	choices(c, "format", "text", "json")
	for _, n := range []string{"tls-ca", "tls-cert", "tls-key"} {
		_ = c.MarkFlagFilename(n)
	}
	return c
}
