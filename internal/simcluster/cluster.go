package simcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/milvusgen/milvusgen/internal/testenv"
)

// Timings of the simulated cluster. Real clusters use 300 s tolerations
// and a 40-50 s grace period; these are cut so drills take seconds, and
// kept long enough that a busy 2-core machine does not flap nodes.
const (
	// TolerationSeconds is the API server's default toleration of the
	// not-ready and unreachable taints (DefaultTolerationSeconds
	// admission): pods are evicted this long after their node is tainted.
	TolerationSeconds = 2
	// NodeGracePeriod is how long the controller manager waits for a
	// node's lease before it marks the node NotReady (Ready=Unknown).
	NodeGracePeriod = 8 * time.Second
	// leaseSeconds is kwok's node lease duration; it renews every quarter.
	leaseSeconds = 4
)

// Binaries are the extra binaries of a simulated cluster, beside the
// API server's.
var Binaries = []string{"kube-controller-manager", "kube-scheduler", "kwok"}

// Options change the simulated cluster.
type Options struct {
	// HoldReadiness keeps every pod unready until the test releases it
	// (Cluster.Release), so a test can order readiness itself.
	HoldReadiness bool
	// ReadyDelay is how long kwok waits before it marks a new pod ready
	// (default 1 s): long enough that a rollout shows its steps.
	ReadyDelay time.Duration
}

// Cluster is a running simulated cluster.
type Cluster struct {
	Env    *testenv.Env
	Config *rest.Config
	Client kubernetes.Interface

	t    testing.TB
	opts Options
	// nodes are the nodes added, by name; next the next index of each
	// group's node names; zones each group's zones (ReplaceNodes).
	nodes map[string]Node
	next  map[string]int
	zones map[string][]string
	// volumes stops startCloud's loop; volDone is closed when it stopped.
	volumes context.CancelFunc
	volDone chan struct{}
}

// Start starts a simulated cluster for t and stops it when t ends. Like
// testenv.Start, it fails t when a binary is missing, unless
// MILVUSGEN_SKIP_APISERVER=1 skips it.
func Start(t testing.TB, opts Options) *Cluster {
	t.Helper()
	if opts.ReadyDelay == 0 {
		opts.ReadyDelay = time.Second
	}
	bins, err := binaries()
	if err != nil {
		if os.Getenv(testenv.SkipEnv) == "1" {
			t.Skipf("simcluster: %v", err)
		}
		t.Fatalf("simcluster: %v", err)
	}
	tol := strconv.Itoa(TolerationSeconds)
	env := testenv.StartWith(t, testenv.Options{APIServerArgs: []string{
		"--default-not-ready-toleration-seconds", tol,
		"--default-unreachable-toleration-seconds", tol,
	}})
	c := &Cluster{Env: env, t: t, opts: opts}
	cfg := rest.CopyConfig(env.Config)
	cfg.QPS, cfg.Burst = 200, 400
	c.Config = cfg
	if c.Client, err = kubernetes.NewForConfig(cfg); err != nil {
		t.Fatal(err)
	}
	if err := c.start(bins); err != nil {
		t.Fatalf("simcluster: %v", err)
	}
	c.startCloud()
	t.Cleanup(c.stop)
	return c
}

func binaries() (map[string]string, error) {
	dir, err := testenv.BinDir()
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, b := range Binaries {
		p := filepath.Join(dir, b)
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("%s not found: run make testenv (hack/testenv/build.sh) to build kube-controller-manager, kube-scheduler and kwok, or set %s=1 to skip the tests that need them", p, testenv.SkipEnv)
		}
		out[b] = p
	}
	return out, nil
}

func (c *Cluster) start(bins map[string]string) error {
	env := c.Env
	grace := NodeGracePeriod.String()
	if err := env.StartProcess("kube-controller-manager", bins["kube-controller-manager"],
		"--kubeconfig", env.Kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--service-account-private-key-file", env.ServiceAccountKey(),
		"--use-service-account-credentials=false",
		"--node-monitor-period=1s",
		"--node-monitor-grace-period", grace,
		// One node every 10 s by default; a zone's nodes go at once here.
		"--node-eviction-rate=100",
		"--kube-api-qps=200", "--kube-api-burst=400",
		"--concurrent-deployment-syncs=10", "--concurrent-replicaset-syncs=10",
		"--concurrent-statefulset-syncs=10",
		"--v=1",
	); err != nil {
		return err
	}
	if err := env.StartProcess("kube-scheduler", bins["kube-scheduler"],
		"--kubeconfig", env.Kubeconfig,
		"--leader-elect=false",
		"--secure-port=0",
		"--v=1",
	); err != nil {
		return err
	}
	stages := filepath.Join(env.Dir(), "kwok-stages.yaml")
	data, err := kwokStages(c.opts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(stages, data, 0o600); err != nil {
		return err
	}
	return env.StartProcess("kwok", bins["kwok"],
		"--kubeconfig", env.Kubeconfig,
		"--config", stages,
		"--manage-nodes-with-label-selector", ManagedLabel+"=true",
		"--node-lease-duration-seconds", strconv.Itoa(leaseSeconds),
		"--cidr", "10.128.0.0/12",
		"--node-ip", "10.96.0.1",
	)
}

func (c *Cluster) stop() {
	if c.volumes != nil {
		c.volumes()
		<-c.volDone
	}
}

// Logs returns the end of every component's log, for failure messages.
func (c *Cluster) Logs() string {
	s := ""
	for _, n := range append([]string{"kube-apiserver"}, Binaries...) {
		s += "--- " + n + " ---\n" + c.Env.Log(n) + "\n"
	}
	return s
}

func (c *Cluster) ctx() context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	c.t.Cleanup(cancel)
	return ctx
}
