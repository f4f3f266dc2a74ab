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

// milvusFlags are the flags verify and rotate-password share: where the
// tree is, how to reach the cluster and Milvus, and its TLS material.
type milvusFlags struct {
	sf                            specFlags
	rendered, address             string
	kubeconfig, kubeContext       string
	portForward                   bool
	timeout                       time.Duration
	tlsCA, tlsCert, tlsKey, tlsSN string
}

func (f *milvusFlags) bind(c *cobra.Command, timeoutDoc string) {
	fl := c.Flags()
	f.sf.bind(fl)
	fl.StringVar(&f.rendered, renderedFlag, "", "read the names from the rendered tree in DIR instead of a spec (no -f)")
	fl.StringVar(&f.address, "address", "", "Milvus endpoint HOST:PORT (default: the Milvus Service's load balancer)")
	fl.BoolVar(&f.portForward, "port-forward", false, "reach Milvus through a port-forward to a ready proxy pod (an internal load balancer from outside the VPC)")
	fl.StringVar(&f.kubeconfig, "kubeconfig", "", "kubeconfig file (default $KUBECONFIG, else ~/.kube/config)")
	fl.StringVar(&f.kubeContext, "context", "", "kubeconfig context (default: the current one)")
	fl.DurationVar(&f.timeout, "timeout", verify.DefaultTimeout, timeoutDoc)
	fl.StringVar(&f.tlsCA, "tls-ca", "", "PEM CA to check the proxies' certificate against (default: ca.crt of the spec's TLS Secret, else the system roots)")
	fl.StringVar(&f.tlsCert, "tls-cert", "", "PEM client certificate, for TLS mode 2")
	fl.StringVar(&f.tlsKey, "tls-key", "", "PEM client key, for TLS mode 2")
	fl.StringVar(&f.tlsSN, "tls-server-name", "", "name the proxies' certificate must carry (default: the address's host; through --port-forward, <service>.<namespace>.svc)")
	for _, n := range []string{"tls-ca", "tls-cert", "tls-key"} {
		_ = c.MarkFlagFilename(n)
	}
}

// usage checks the flags both commands share.
func (f *milvusFlags) usage(cmd string) error {
	switch {
	case f.rendered != "" && len(f.sf.files) > 0:
		return usageError{cmd + ": give -f SPEC or --rendered DIR, not both"}
	case f.rendered == "" && len(f.sf.files) == 0:
		return usageError{cmd + ": no spec given; pass -f SPEC or --rendered DIR (see --help)"}
	case f.address != "" && f.portForward:
		return usageError{cmd + ": --address and --port-forward are two ways to reach Milvus; give one"}
	case f.timeout <= 0:
		return usageError{fmt.Sprintf("%s: --timeout %s: want a positive duration", cmd, f.timeout)}
	}
	if f.rendered != "" {
		if fi, err := os.Stat(f.rendered); err != nil || !fi.IsDir() {
			return usageError{fmt.Sprintf("%s: --rendered %s: not a directory", cmd, f.rendered)}
		}
	}
	return nil
}

// options reads the target from the tree and the TLS files, and loads the
// kubeconfig.
func (f *milvusFlags) options(e *env, cmd string) (verify.Options, error) {
	var fsys fs.FS
	if f.rendered != "" {
		fsys = os.DirFS(f.rendered)
	} else {
		res, err := f.sf.load(e)
		if err != nil {
			return verify.Options{}, err
		}
		if fsys, err = verify.RenderedFS(res.Spec); err != nil {
			return verify.Options{}, err
		}
	}
	target, err := verify.ReadTarget(fsys)
	if err != nil {
		return verify.Options{}, err
	}
	o := verify.Options{Target: target, Address: f.address, PortForward: f.portForward, Timeout: f.timeout, TLSServerName: f.tlsSN}
	if err := readTLSFiles(cmd, &o, f.tlsCA, f.tlsCert, f.tlsKey); err != nil {
		return verify.Options{}, err
	}
	o.Kube, o.KubeErr = verify.LoadKube(f.kubeconfig, f.kubeContext)
	if o.KubeErr != nil && (f.kubeconfig != "" || f.kubeContext != "") {
		// The cluster was named: not reaching it is no reason to skip.
		return verify.Options{}, fmt.Errorf("%s: %w", cmd, o.KubeErr)
	}
	return o, nil
}

// readTLSFiles reads the PEM files the TLS flags name.
func readTLSFiles(cmd string, o *verify.Options, ca, cert, key string) error {
	for _, f := range []struct {
		flag, path string
		dst        *[]byte
	}{{"--tls-ca", ca, &o.TLSCA}, {"--tls-cert", cert, &o.TLSCert}, {"--tls-key", key, &o.TLSKey}} {
		if f.path == "" {
			continue
		}
		var err error
		if *f.dst, err = input.ReadFile(f.path, input.PEM); err != nil {
			return fmt.Errorf("%s: %s: %w", cmd, f.flag, err)
		}
	}
	return nil
}

// writeReport prints r and turns its failure into the exit code.
func (e *env) writeReport(r *verify.Report, format string) error {
	var err error
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
}

func (e *env) verifyCommand() *cobra.Command {
	var (
		mf             milvusFlags
		format, expect string
	)
	c := newCommand("verify (-f SPEC [-f OVERLAY]... | --rendered DIR) [--address HOST:PORT | --port-forward] [flags]",
		"run hello_milvus against the deployed Milvus and check the deployment around it",
		`Checks that the deployed Milvus works. It runs Milvus's hello_milvus
sequence through Milvus's gRPC API, logged in as root: creates a uniquely
named collection (milvusgen_verify_<random>: an Int64 primary key, 8-d float
vectors, a varchar), inserts 3,000 rows, flushes, builds an HNSW index,
loads it with the tree's in-memory replica number
(queryCoord.clusterLevelLoadReplicaNumber, 1 when unset) and checks the
replicas Milvus made, searches the top 3 with a filter, queries by
expression, deletes, and drops the collection, which is dropped whatever
step fails.

It reports the version Milvus's GetVersion gives, and fails when it is not
--expect-version, or, without the flag, the image tag the tree pins
(image.all.tag), if any.

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
(milvus.tls.mode 1 or 2) the proxies' certificate is checked against
--tls-ca, else ca.crt of the TLS Secret, else (a publicly issued
certificate) the system roots; mode 2 also needs --tls-cert and --tls-key.
Messages over 4 MiB either way are refused.

Every step prints its time and verdict; --format json prints the same as one
object, on failure too. Exit 0 when every step passes (skipped ones
included), 1 when one fails (the message names the step, the address and the
server's error), 2 on a wrong command line.`,
		func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError{fmt.Sprintf("verify: --format %q: want text or json", format)}
			}
			if err := mf.usage("verify"); err != nil {
				return err
			}
			if expect != "" {
				if _, err := verify.ParseVersion(expect); err != nil {
					return usageError{"verify: --expect-version: " + err.Error()}
				}
			}
			o, err := mf.options(e, "verify")
			if err != nil {
				return err
			}
			e.unwatch() // verify waits on the cluster, with its own timeout
			o.Password, o.ExpectVersion = os.Getenv(verify.PasswordEnv), expect
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return e.writeReport(verify.Run(ctx, o), format)
		})
	c.Args = specArgs
	mf.bind(c, "bound on the whole run; the collection is still dropped after it")
	fl := c.Flags()
	fl.StringVar(&format, "format", "text", "output format: text (a line a step) or json")
	fl.StringVar(&expect, "expect-version", "", "fail unless Milvus reports this version, MAJOR.MINOR.PATCH (default: the tree's image.all.tag, if it pins one)")
	choices(c, "format", "text", "json")
	return c
}
