package verify

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"strings"
	"time"
)

// PasswordEnv holds the root password when the Secret is not to be read.
const PasswordEnv = "MILVUS_PASSWORD"

// DefaultTimeout bounds a whole run: on a fresh cluster, building the index
// and loading the collection take most of it.
const DefaultTimeout = 5 * time.Minute

// dropTimeout bounds dropping the collection after a failure, when the
// run's own deadline may have passed.
const dropTimeout = 30 * time.Second

// Options say what to verify and how to reach it.
type Options struct {
	Target *Target
	// Address is the Milvus endpoint, host:port; empty: the Service's load
	// balancer, or a port-forward with PortForward.
	Address     string
	PortForward bool
	// Kube is the cluster; nil with KubeErr set when no kubeconfig could
	// be loaded. The cluster is needed for the endpoint unless Address is
	// set, for the password unless Password is, and for a TLS CA unless
	// TLSCA is; the deployment checks are skipped without it.
	Kube    *Kube
	KubeErr error
	// Password is the root password; empty: read from the Secret.
	Password string
	// TLS material (PEM) overriding the Secret, the client key pair of
	// mode 2, and the name the proxies' certificate must carry (empty:
	// the host verify connects to, or the Service's cluster DNS name
	// through a port-forward).
	TLSCA, TLSCert, TLSKey []byte
	TLSServerName          string
	// SystemRoots replace the host's CA pool when no CA is given or found
	// (nil: the host's). Tests set it.
	SystemRoots *x509.CertPool
	// ExpectVersion is the Milvus version the server must report
	// (--expect-version); empty: the tree's image tag, if it pins one.
	ExpectVersion string
	// Timeout bounds the run (DefaultTimeout when zero).
	Timeout time.Duration
	// PollInterval spaces the progress checks (DefaultPollInterval when
	// zero).
	PollInterval time.Duration
	// AWSConfig loads AWS credentials for the pod identity check; nil
	// uses DefaultAWSConfig.
	AWSConfig AWSConfig
	// Rand makes the collection name and vectors; nil seeds from the
	// clock. Tests fix it.
	Rand *rand.Rand
}

// Run verifies the deployment and runs the hello_milvus sequence. The
// report lists every step; Report.Err says whether verify failed.
func Run(ctx context.Context, o Options) *Report {
	t := o.Target
	r := &Report{Release: t.Release, Namespace: t.Namespace}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	rng := o.Rand
	if rng == nil {
		now := uint64(time.Now().UnixNano())
		rng = rand.New(rand.NewPCG(now, now>>17))
	}

	run := r.runner(ctx, o.Timeout)
	skip := r.skip

	k := o.Kube
	noKube := func() string {
		return fmt.Sprintf("no cluster access: %v", o.KubeErr)
	}

	// The deployment around Milvus.
	if k == nil {
		for _, n := range []string{"pods ready", "load balancer", "service account role"} {
			skip(n, noKube())
		}
	} else {
		_ = run("pods ready", func() (string, error) { return k.pods(ctx, t) })
		_ = run("load balancer", func() (string, error) {
			svc, err := k.service(ctx, t)
			if err != nil {
				return "", err
			}
			got, ps := checkScheme(svc, t)
			if len(ps) > 0 {
				return "", problemsError{problemStrings(ps)}
			}
			return "scheme " + got, nil
		})
		if t.Identity == IdentityIRSA {
			_ = run("service account role", func() (string, error) {
				role, ps, err := k.checkRole(ctx, t)
				if err == nil && len(ps) > 0 {
					err = problemsError{problemStrings(ps)}
				}
				return role, err
			})
		} else {
			skip("service account role", "pod identity: no role annotation")
		}
	}
	if t.Identity == IdentityPodIdentity {
		load := o.AWSConfig
		if load == nil {
			load = DefaultAWSConfig
		}
		actx, acancel := context.WithTimeout(ctx, 10*time.Second)
		cfg, err := load(actx, t.Region)
		acancel()
		if err != nil {
			skip("pod identity", "no AWS credentials: "+firstLine(err.Error()))
		} else {
			_ = run("pod identity", func() (string, error) {
				role, ps, err := checkPodIdentity(ctx, cfg, t)
				if err == nil && len(ps) > 0 {
					err = problemsError{problemStrings(ps)}
				}
				return role, err
			})
		}
	} else {
		skip("pod identity", "IRSA: no pod identity association")
	}

	// The endpoint and the credentials.
	conn, stop, ok := reach(ctx, o, r, run)
	defer stop()
	if !ok {
		return r
	}

	if run("credentials", func() (string, error) {
		var what []string
		switch {
		case !t.Auth:
			what = append(what, "authentication off")
		case o.Password != "":
			conn.Password = o.Password
			what = append(what, "root password from "+PasswordEnv)
		case k == nil:
			return "", fmt.Errorf("authentication is on and %s is not set; %s", PasswordEnv, noKube())
		default:
			pw, err := k.password(ctx, t)
			if err != nil {
				return "", err
			}
			conn.Password = pw
			what = append(what, fmt.Sprintf("root password from Secret %s/%s", t.Namespace, t.PasswordSecret))
		}
		tlsDetail, err := transport(ctx, o, &conn)
		if err != nil {
			return "", err
		}
		return strings.Join(append(what, tlsDetail), ", "), nil
	}) != nil {
		return r
	}

	// The hello_milvus sequence.
	c, ok := login(ctx, conn, run)
	if !ok {
		return r
	}
	defer c.Close()
	_ = run("server version", func() (string, error) {
		v, err := serverVersion(ctx, c)
		if err != nil {
			return "", err
		}
		r.ServerVersion = v
		want, from := o.ExpectVersion, "--expect-version"
		if want == "" && t.MilvusVersion.Val != "" {
			want, from = t.MilvusVersion.Val, t.MilvusVersion.At.String()
		}
		detail := "Milvus " + v
		if v == "" {
			detail = "Milvus reports no version"
		}
		if want == "" {
			return detail, nil
		}
		if err := checkVersion(v, want, from); err != nil {
			return "", err
		}
		return detail + ", as " + from + " expects", nil
	})
	r.Collection = collectionName(rng)
	replicas := t.LoadReplicas
	if replicas < 1 {
		replicas = 1
	}
	every := o.PollInterval
	if every <= 0 {
		every = DefaultPollInterval
	}
	hello(ctx, c, helloParams{name: r.Collection, rng: rng, replicas: replicas, every: every, dropTimeout: dropTimeout}, run)
	return r
}

// reach finds the Milvus endpoint (the "endpoint" step): --address, a
// port-forward to a ready proxy pod, or the Service's load balancer. The
// returned stop ends a port-forward; ok is false when the step failed.
func reach(ctx context.Context, o Options, r *Report, run func(string, func() (string, error)) error) (conn Conn, stop func(), ok bool) {
	t, k := o.Target, o.Kube
	stop = func() {}
	serverName := o.TLSServerName
	if run("endpoint", func() (string, error) {
		switch {
		case o.Address != "":
			conn.Address = o.Address
			return "--address", nil
		case k == nil:
			return "", fmt.Errorf("no cluster access: %v; pass --address HOST:PORT", o.KubeErr)
		case o.PortForward:
			pod, port, err := k.proxyPod(ctx, t)
			if err != nil {
				return "", err
			}
			addr, stopForward, err := k.forward(ctx, pod, port)
			if err != nil {
				return "", err
			}
			stop = stopForward
			conn.Address = addr
			if serverName == "" {
				serverName = t.Service + "." + t.Namespace + ".svc"
			}
			return fmt.Sprintf("port-forward to pod %s port %d", pod.Name, port), nil
		default:
			svc, err := k.service(ctx, t)
			if err != nil {
				return "", err
			}
			addr, err := loadBalancerAddress(svc, t.Port)
			if err != nil {
				return "", err
			}
			conn.Address = addr
			detail := "Service " + t.Namespace + "/" + t.Service + " load balancer"
			if svc.Annotations[schemeAnnotation] == "internal" {
				detail += " (internal: reachable from inside the VPC only; use --port-forward from outside)"
			}
			return detail, nil
		}
	}) != nil {
		return conn, stop, false
	}
	r.Address = conn.Address
	if serverName == "" {
		serverName, _, _ = net.SplitHostPort(conn.Address)
	}
	conn.serverName = serverName
	return conn, stop, true
}

// transport sets conn.TLS for the tree's TLS mode and says where the CA
// came from: --tls-ca, ca.crt of the proxies' TLS Secret, or, when neither
// holds one (a publicly issued certificate), the system roots.
func transport(ctx context.Context, o Options, conn *Conn) (string, error) {
	t, k := o.Target, o.Kube
	if t.TLSMode == 0 {
		return "no TLS", nil
	}
	ca, caFrom := o.TLSCA, "--tls-ca"
	if len(ca) == 0 {
		caFrom = "the system roots (no --tls-ca and no cluster access)"
		if k != nil {
			data, err := k.tlsSecret(ctx, t)
			if err != nil {
				return "", err
			}
			ca, caFrom = data["ca.crt"], "Secret "+t.Namespace+"/"+t.TLSSecret
			if len(ca) == 0 {
				caFrom = fmt.Sprintf("the system roots (Secret %s/%s has no ca.crt)", t.Namespace, t.TLSSecret)
			}
		}
	}
	cfg, err := TLSConfig(t.TLSMode, ca, o.TLSCert, o.TLSKey, conn.serverName)
	if err != nil {
		return "", err
	}
	if len(ca) == 0 && o.SystemRoots != nil {
		cfg.RootCAs = o.SystemRoots
	}
	conn.TLS, conn.caFrom = cfg, caFrom
	return fmt.Sprintf("TLS mode %d, CA from %s, server name %s", t.TLSMode, caFrom, conn.serverName), nil
}

// login connects and logs in (the "connect" step).
func login(ctx context.Context, conn Conn, run func(string, func() (string, error)) error) (c *client, ok bool) {
	err := run("connect", func() (string, error) {
		// The SDK retries an unreachable address until the deadline and
		// then reports only that; a plain TCP dial says why.
		tcp, err := (&net.Dialer{}).DialContext(ctx, "tcp", conn.Address)
		if err != nil {
			return "", fmt.Errorf("cannot reach Milvus: %w", err)
		}
		tcp.Close()
		if c, err = dial(ctx, conn); err != nil {
			return "", explainTLS(err, conn)
		}
		if conn.Password == "" {
			return "without credentials", nil
		}
		return "as " + RootUser, nil
	})
	return c, err == nil
}

// explainTLS adds to a certificate the client could not verify where the
// CA came from and how to give another.
func explainTLS(err error, conn Conn) error {
	if conn.TLS == nil || !strings.Contains(err.Error(), "certificate") {
		return err
	}
	return fmt.Errorf("%w (the proxies' certificate was checked against %s; pass --tls-ca FILE with the CA that signed it)", err, conn.caFrom)
}

// problemsError carries mismatches to the step's Problems.
type problemsError struct{ problems []string }

func (e problemsError) Error() string { return strings.Join(e.problems, "; ") }

// describe says what a failed call's error means when the run's deadline
// cut it short.
func describe(ctx context.Context, err error, timeout time.Duration) string {
	msg := err.Error()
	// gRPC's own deadline timer can fire a moment before the context's, so
	// the deadline having passed counts, not only ctx.Err.
	dl, ok := ctx.Deadline()
	over := ctx.Err() != nil || (ok && !time.Now().Before(dl))
	if over && (errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "DeadlineExceeded") || strings.Contains(msg, "deadline exceeded")) {
		return fmt.Sprintf("no answer within --timeout %s: %s", timeout, msg)
	}
	return msg
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}
