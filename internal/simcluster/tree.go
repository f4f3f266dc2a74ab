package simcluster

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"testing"
	"time"

	api "github.com/weaveworks/eksctl/pkg/apis/eksctl.io/v1alpha5"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/internal/shared"
	"github.com/milvusgen/milvusgen/internal/sizing"
	"github.com/milvusgen/milvusgen/render"
)

// Tree is a rendered tree with its charts hydrated, and what a simulated
// cluster needs from it.
type Tree struct {
	Spec  *model.Spec
	Files []manifest.File
	// ClusterConfig is the tree's eksctl ClusterConfig, defaulted as
	// eksctl create cluster defaults it.
	ClusterConfig *api.ClusterConfig
}

// Render renders s and hydrates its HelmReleases (or Applications) with
// the Helm SDK from the charts in ../shared/charts and
// ../shared/charts-previous (the 2.5 charts), as milvusgen render --hydrate
// does.
func Render(t testing.TB, s *model.Spec) *Tree {
	t.Helper()
	files, err := render.Render(s)
	if err != nil {
		t.Fatal(err)
	}
	files, err = hydrate.Hydrate(files, chart.Caches{chart.NewCache(shared.MustPath(t, "charts")), chart.NewCache(shared.MustPath(t, "charts-previous"))}, hydrate.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	tr := &Tree{Spec: s, Files: files}
	for _, f := range files {
		if f.Path == manifest.EksctlFile {
			if tr.ClusterConfig, err = consumer.Eksctl(f.Data); err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
		}
	}
	if tr.ClusterConfig == nil {
		t.Fatalf("no %s in the tree", manifest.EksctlFile)
	}
	return tr
}

// Boot brings up what the tree's cluster has before milvusgen's manifests
// are applied: the nodes of its node groups, the add-on stand-ins the fit
// check counts, and the service accounts eksctl creates (IRSA service
// accounts and Pod Identity associations). It returns the nodes.
func (c *Cluster) Boot(tr *Tree) []Node {
	c.t.Helper()
	nodes, err := NodesFor(tr.ClusterConfig)
	if err != nil {
		c.t.Fatal(err)
	}
	c.AddNodes(nodes)
	w, err := sizing.NewWorkload(tr.Spec)
	if err != nil {
		c.t.Fatal(err)
	}
	c.AddOns(w)
	ctx := c.ctx()
	type sa struct{ ns, name string }
	var sas []sa
	if tr.ClusterConfig.IAM != nil {
		for _, s := range tr.ClusterConfig.IAM.ServiceAccounts {
			sas = append(sas, sa{s.Namespace, s.Name})
		}
		for _, p := range tr.ClusterConfig.IAM.PodIdentityAssociations {
			sas = append(sas, sa{p.Namespace, p.ServiceAccountName})
		}
	}
	for _, s := range sas {
		c.namespace(ctx, s.ns)
		_, err := c.Client.CoreV1().ServiceAccounts(s.ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: s.name, Namespace: s.ns}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			c.t.Fatalf("creating service account %s/%s: %v", s.ns, s.name, err)
		}
	}
	c.WaitNodesReady()
	// The add-ons run before anything else is applied, as on a real
	// cluster; the DaemonSets' priority would otherwise preempt pods.
	addOn := func(p Pod) bool { return p.AddOn }
	if c.opts.HoldReadiness {
		c.Release("", func(p *corev1.Pod) bool { return p.Labels[addOnLabel] == "true" })
	}
	deadline := time.Now().Add(time.Minute)
	for {
		s, _ := c.Settled(addOn, 5*time.Second)
		if len(s.Pods) > 0 && len(s.Pending(addOn)) == 0 && allReady(s, addOn) {
			break
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("the add-ons did not come up:\n%s", s.Describe(addOn))
		}
		if c.opts.HoldReadiness {
			c.Release("", func(p *corev1.Pod) bool { return p.Labels[addOnLabel] == "true" })
		}
	}
	return nodes
}

func allReady(s Snapshot, keep func(Pod) bool) bool {
	for _, p := range s.Pods {
		if keep(p) && !p.Ready {
			return false
		}
	}
	return true
}

// Objects returns what the cluster ends up with once the GitOps engine
// reconciled the tree: the objects of its kustomization roots, built as
// Flux builds them, without the GitOps engine's own objects, plus the
// hydrated charts, which stand in for what helm-controller (or Argo CD)
// installs. Webhook configurations are left out: no webhook server runs
// in a simulated cluster, and the API server would call the missing
// server on every pod.
func Objects(tr *Tree) ([]apply.Object, error) {
	objs, err := apply.Load(tr.Files)
	if err != nil {
		return nil, err
	}
	var out []apply.Object
	for _, o := range objs {
		if keep(o) {
			out = append(out, o)
		}
	}
	for _, f := range tr.Files {
		if !hydrate.IsHydrated(f.Path) {
			continue
		}
		hobjs, err := apply.Decode(f.Path, f.Data)
		if err != nil {
			return nil, err
		}
		// hydrated/<namespace>/<release>.yaml
		ns := path.Base(path.Dir(f.Path))
		for i := range hobjs {
			if hobjs[i].Object.GetNamespace() == "" && namespaced(hobjs[i].Object.GetKind()) {
				hobjs[i].Object.SetNamespace(ns)
			}
			if keep(hobjs[i]) {
				out = append(out, hobjs[i])
			}
		}
	}
	// Helm installs a release's objects one by one; a second object of the
	// same kind and name fails the install with "already exists".
	seen := map[string]string{}
	for _, o := range out {
		if prev, dup := seen[o.Subject()]; dup {
			return nil, fmt.Errorf("%s is rendered twice (%s and %s): a Helm install of it fails with \"already exists\"; two charts' names collide (the release name contains a subchart's name, so both use it as their full name)", o.Subject(), prev, o.File)
		}
		seen[o.Subject()] = o.File
	}
	return out, nil
}

// engineGroups are the API groups of the GitOps engines' objects, which
// need the engines' controllers.
var engineGroups = []string{"toolkit.fluxcd.io", "argoproj.io"}

func keep(o apply.Object) bool {
	group := strings.Split(o.Object.GetAPIVersion(), "/")[0]
	for _, g := range engineGroups {
		if strings.HasSuffix(group, g) {
			return false
		}
	}
	switch o.Object.GetKind() {
	case "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration":
		return false
	}
	return true
}

// clusterScoped are the cluster-scoped kinds the charts render.
var clusterScoped = map[string]bool{
	"Namespace": true, "CustomResourceDefinition": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"StorageClass": true, "IngressClass": true, "IngressClassParams": true, "PriorityClass": true,
	"MutatingWebhookConfiguration": true, "ValidatingWebhookConfiguration": true, "PersistentVolume": true,
}

func namespaced(kind string) bool { return !clusterScoped[kind] }

// Apply applies the tree's objects (Objects) with milvusgen's apply
// (server-side apply, CRDs and Namespaces first) under the inventory
// name, and fails the test on any refused object. It returns the manager
// and the objects, for Wait.
func (c *Cluster) Apply(tr *Tree, inventory string) (*apply.Manager, []apply.Object) {
	c.t.Helper()
	objs, err := Objects(tr)
	if err != nil {
		c.t.Fatal(err)
	}
	opts := apply.DefaultOptions()
	opts.InventoryName = inventory
	m, err := apply.New(c.Config, opts)
	if err != nil {
		c.t.Fatal(err)
	}
	res, err := m.Apply(c.ctx(), objs, apply.DefaultApplyOptions())
	if err != nil {
		c.t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		c.t.Fatalf("apply: %v", err)
	}
	return m, objs
}

// loadBalancers stands in for the AWS Load Balancer Controller's NLBs: a
// Service of type LoadBalancer gets an address once it exists, as it does
// when the controller provisioned its load balancer.
func (c *Cluster) loadBalancers(ctx context.Context) error {
	svcs, err := c.Client.CoreV1().Services("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	for _, s := range svcs.Items {
		if s.Spec.Type != corev1.ServiceTypeLoadBalancer || len(s.Status.LoadBalancer.Ingress) > 0 {
			continue
		}
		host := fmt.Sprintf("k8s-%s-%s-sim.elb.amazonaws.com", s.Namespace, s.Name)
		patch, _ := json.Marshal(map[string]any{"status": map[string]any{"loadBalancer": map[string]any{"ingress": []any{map[string]any{"hostname": host}}}}})
		if _, err := c.Client.CoreV1().Services(s.Namespace).Patch(ctx, s.Name, types.MergePatchType, patch, metav1.PatchOptions{}, "status"); err != nil {
			return err
		}
	}
	return nil
}

// WaitNodesReady waits until every node is Ready.
func (c *Cluster) WaitNodesReady() {
	c.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		list, err := c.Client.CoreV1().Nodes().List(c.ctx(), metav1.ListOptions{})
		if err != nil {
			c.t.Fatal(err)
		}
		ready := 0
		for _, n := range list.Items {
			if NodeReady(&n) {
				ready++
			}
		}
		if ready == len(list.Items) {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%d of %d nodes ready after a minute\n%s", ready, len(list.Items), c.Logs())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// NodeReady reports whether the node's Ready condition is True.
func NodeReady(n *corev1.Node) bool {
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
