package apply

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	kubeinput "github.com/milvusgen/milvusgen/internal/input/kubeconfig"
)

// Cluster says where a client configuration came from, for messages.
type Cluster struct {
	// Kubeconfig is the file (or the $KUBECONFIG list) the configuration
	// was read from; "in-cluster" inside a pod.
	Kubeconfig string
	// Context is the kubeconfig context used.
	Context string
	// Server is the API server's URL.
	Server string
}

func (c Cluster) String() string {
	switch {
	case c.Kubeconfig == "":
		return c.Server
	case c.Context == "":
		return fmt.Sprintf("%s (from %s)", c.Server, c.Kubeconfig)
	}
	return fmt.Sprintf("%s (context %q in %s)", c.Server, c.Context, c.Kubeconfig)
}

// LoadConfig loads a client configuration the way kubectl does: from
// kubeconfig when set, else $KUBECONFIG or ~/.kube/config, using context
// when set, else the current context. Its errors say, in milvusgen's words,
// which files were read and what to do; never client-go's
// KUBERNETES_MASTER hint.
func LoadConfig(kubeconfig, context string) (*rest.Config, Cluster, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = kubeconfig
	files := kubeconfigFiles(rules)
	cl := Cluster{Kubeconfig: strings.Join(files, string(filepath.ListSeparator))}
	if kubeconfig != "" {
		if _, err := os.Stat(kubeconfig); err != nil {
			return nil, cl, fmt.Errorf("kubeconfig %s cannot be read: %w", kubeconfig, errors.Unwrap(err))
		}
	}
	if err := kubeinput.Check(rules); err != nil {
		return nil, cl, err
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context})
	raw, err := cc.RawConfig()
	if err != nil {
		return nil, cl, fmt.Errorf("kubeconfig %s does not load: %w", cl.Kubeconfig, err)
	}
	cl.Context = context
	if cl.Context == "" {
		cl.Context = raw.CurrentContext
	}
	cfg, err := cc.ClientConfig()
	switch {
	case err == nil:
	case clientcmd.IsEmptyConfig(err) && len(raw.Contexts) == 0:
		where := "~/.kube/config does not exist and $KUBECONFIG is not set"
		if len(files) > 0 {
			where = "no cluster is configured in " + cl.Kubeconfig
		}
		return nil, cl, fmt.Errorf("no kubeconfig: %s; pass --kubeconfig FILE or set KUBECONFIG (for EKS: aws eks update-kubeconfig --name CLUSTER --region REGION writes one)", where)
	case context != "" && raw.Contexts[context] == nil:
		return nil, cl, fmt.Errorf("kubeconfig %s has no context %q; its contexts: %s", cl.Kubeconfig, context, contextNames(raw.Contexts))
	case raw.CurrentContext == "" && context == "":
		return nil, cl, fmt.Errorf("kubeconfig %s names no current context; pass --context (its contexts: %s)", cl.Kubeconfig, contextNames(raw.Contexts))
	default:
		return nil, cl, fmt.Errorf("kubeconfig %s, context %q: %w", cl.Kubeconfig, cl.Context, err)
	}
	if len(files) == 0 {
		cl.Kubeconfig, cl.Context = "in-cluster", ""
	}
	if err := kubeinput.Inline(cfg); err != nil {
		return nil, cl, err
	}
	cl.Server = cfg.Host
	return cfg, cl, nil
}

// kubeconfigFiles are the kubeconfig files that exist among those the
// loading rules read.
func kubeconfigFiles(rules *clientcmd.ClientConfigLoadingRules) []string {
	if rules.ExplicitPath != "" {
		return []string{rules.ExplicitPath}
	}
	var out []string
	for _, f := range rules.GetLoadingPrecedence() {
		if _, err := os.Stat(f); err == nil {
			out = append(out, f)
		}
	}
	return out
}

func contextNames[V any](m map[string]V) string {
	if len(m) == 0 {
		return "none"
	}
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// UnreachableError reports an API server that did not answer.
type UnreachableError struct {
	Cluster Cluster
	Err     error // the transport's error: connection refused, a timeout, TLS
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("the API server at %s cannot be reached: %v", e.Cluster, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// reachable asks the API server for its version, the cheapest request
// there is, so that an unreachable cluster is reported as that and first,
// not as the failure of whatever was asked next. An answer of any kind,
// even a refusal, means the server is there.
func (m *Manager) reachable(ctx context.Context) error {
	m.reach.Do(func() {
		cfg := rest.CopyConfig(m.cfg)
		if cfg.Timeout == 0 {
			cfg.Timeout = 30 * time.Second
		}
		dc, err := discovery.NewDiscoveryClientForConfig(cfg)
		if err != nil {
			m.reachErr = fmt.Errorf("kubernetes client setup for %s failed: %w", m.cluster, err)
			return
		}
		_, err = dc.RESTClient().Get().AbsPath("/version").Do(ctx).Raw()
		var status apierrors.APIStatus
		if err == nil || errors.As(err, &status) {
			return
		}
		if ue := (*url.Error)(nil); errors.As(err, &ue) {
			err = ue.Err
		}
		m.reachErr = &UnreachableError{Cluster: m.cluster, Err: err}
	})
	return m.reachErr
}
