package apply

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/fluxcd/cli-utils/pkg/kstatus/polling"
	"github.com/fluxcd/pkg/ssa"
	"github.com/go-logr/logr"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// FieldManager is the server-side apply field manager of everything
// milvusgen applies.
const FieldManager = "milvusgen"

// Default inventory location. kube-system exists on every cluster.
const (
	DefaultInventoryNamespace = "kube-system"
	DefaultInventoryName      = "milvusgen-inventory"
)

// Options configure a Manager.
type Options struct {
	// InventoryNamespace and InventoryName locate the inventory ConfigMap.
	InventoryNamespace, InventoryName string
	// Warnings receives the API server's warnings (deprecations, unknown
	// fields); nil drops them.
	Warnings io.Writer
	// Cluster says where the configuration came from (LoadConfig), for
	// the message when the API server cannot be reached.
	Cluster Cluster
}

// DefaultOptions returns the default inventory location and no warnings.
func DefaultOptions() Options {
	return Options{InventoryNamespace: DefaultInventoryNamespace, InventoryName: DefaultInventoryName}
}

// Manager applies, prunes and waits for rendered objects on one cluster.
type Manager struct {
	client  client.Client
	rm      *ssa.ResourceManager
	inv     client.ObjectKey
	cfg     *rest.Config
	cluster Cluster

	reach    sync.Once
	reachErr error
}

var quietLogs sync.Once

// New connects to the cluster of cfg. It does not contact the server yet.
func New(cfg *rest.Config, opts Options) (*Manager, error) {
	// controller-runtime complains on stderr when no logger is set; its
	// logs are of no use to a CLI user, the errors are returned.
	quietLogs.Do(func() { ctrllog.SetLogger(logr.Discard()) })
	if opts.InventoryNamespace == "" || opts.InventoryName == "" {
		return nil, fmt.Errorf("inventory namespace and name must be set")
	}
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 {
		cfg.QPS, cfg.Burst = 50, 100
	}
	if opts.Warnings != nil {
		cfg.WarningHandler = rest.NewWarningWriter(opts.Warnings, rest.WarningWriterOptions{Deduplicate: true})
	} else {
		cfg.WarningHandler = rest.NoWarnings{}
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("kubernetes client setup failed: %w", err)
	}
	poller := polling.NewStatusPoller(c, c.RESTMapper(), polling.Options{})
	cl := opts.Cluster
	if cl.Server == "" {
		cl.Server = cfg.Host
	}
	return &Manager{
		client:  c,
		rm:      ssa.NewResourceManager(c, poller, ssa.Owner{Field: FieldManager, Group: "milvusgen.io"}),
		inv:     client.ObjectKey{Namespace: opts.InventoryNamespace, Name: opts.InventoryName},
		cfg:     cfg,
		cluster: cl,
	}, nil
}

// Client returns the controller-runtime client the manager uses.
func (m *Manager) Client() client.Client { return m.client }

// RESTConfig is LoadConfig without the description of where the
// configuration came from.
func RESTConfig(kubeconfig, context string) (*rest.Config, error) {
	cfg, _, err := LoadConfig(kubeconfig, context)
	return cfg, err
}

// describe turns an API server error into a sentence that says what to do,
// keeping the server's own message.
func describe(err error) string {
	var status apierrors.APIStatus
	switch {
	case meta.IsNoMatchError(err):
		return fmt.Sprintf("%v: the cluster does not serve this kind; install its CustomResourceDefinition first (Flux kinds: flux install)", err)
	case apierrors.IsConflict(err) && isFieldConflict(err):
		return fmt.Sprintf("%v; another field manager owns these fields: change them back, or re-run with --force-conflicts to take them over", err)
	case apierrors.IsNotFound(err) && strings.Contains(err.Error(), "namespaces "):
		return fmt.Sprintf("%v: create the namespace first", err)
	case errors.As(err, &status):
		reason := status.Status().Reason
		if reason == "" || reason == metav1.StatusReasonUnknown {
			return err.Error()
		}
		return fmt.Sprintf("%s: %v", strings.ToLower(splitCamel(string(reason))), err)
	}
	return err.Error()
}

func isFieldConflict(err error) bool {
	_, ok := apierrors.StatusCause(err, metav1.CauseTypeFieldManagerConflict)
	return ok
}

// splitCamel turns "AlreadyExists" into "Already Exists".
func splitCamel(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SetDefaultNamespace puts the namespaced objects among objs that name no
// namespace into ns, as helm install -n does for a chart's manifests. It
// asks the API server which kinds are namespaced; objects of kinds it does
// not serve are left alone (their apply fails and says so).
func (m *Manager) SetDefaultNamespace(objs []Object, ns string) error {
	if err := m.reachable(context.Background()); err != nil {
		return err
	}
	for _, o := range objs {
		if o.Object.GetNamespace() != "" {
			continue
		}
		gvk := o.Object.GroupVersionKind()
		mapping, err := m.client.RESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version)
		if meta.IsNoMatchError(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("%s (%s): %w", o.Subject(), o.File, err)
		}
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			o.Object.SetNamespace(ns)
		}
	}
	return nil
}
