package livediff_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/livediff"
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/modeltest"
	"github.com/milvusgen/milvusgen/internal/testenv"
	"github.com/milvusgen/milvusgen/render"
)

func TestMain(m *testing.M) {
	ctrllog.SetLogger(logr.Discard())
	os.Exit(testenv.Main(m))
}

// chart stands in for a hydrated Milvus release: what helm-controller
// applies for the HelmRelease, with a custom resource whose CRD the
// cluster lacks (the Prometheus operator's ServiceMonitor).
const chart = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: milvus-proxy
  labels: {app: milvus, component: proxy}
spec:
  replicas: 2
  selector: {matchLabels: {app: milvus, component: proxy}}
  template:
    metadata: {labels: {app: milvus, component: proxy}}
    spec:
      containers:
      - name: proxy
        image: milvusdb/milvus:v2.6.15
        args: [milvus, run, proxy]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: milvus}
data: {milvus.yaml: "proxy: {port: 19530}"}
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata: {name: milvus}
spec: {selector: {matchLabels: {app: milvus}}}
`

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// tree is the runbook's rendered tree with the stand-in release.
func tree(t *testing.T) []livediff.Object {
	t.Helper()
	files, err := render.Render(modeltest.Runbook())
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, manifest.File{Path: "hydrated/milvus/milvus.yaml", Data: []byte(chart)})
	objs, err := livediff.Objects(files)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// engineApply applies the objects as the engines would: each with its own
// field manager, forced, as kustomize-controller and helm-controller do.
func engineApply(t *testing.T, c client.Client, objs []livediff.Object) {
	t.Helper()
	for _, o := range objs {
		if o.Object.GetKind() == "ServiceMonitor" {
			continue
		}
		u := o.Object.DeepCopy()
		if err := c.Patch(ctx(t), u, client.Apply, client.ForceOwnership, client.FieldOwner(o.Engine)); err != nil {
			t.Fatalf("%s: %v", o.Subject(), err)
		}
	}
}

func find(r *livediff.Report, subject string) *livediff.Entry {
	for i := range r.Entries {
		if r.Entries[i].Subject == subject {
			return &r.Entries[i]
		}
	}
	return nil
}

func diff(t *testing.T, c client.Client, objs []livediff.Object) *livediff.Report {
	t.Helper()
	r, err := livediff.Diff(ctx(t), c, objs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func dump(r *livediff.Report) string {
	var b strings.Builder
	_ = livediff.WriteText(&b, r)
	return b.String()
}

// TestLive walks one tree through a fresh cluster, the engines' apply,
// drift made by hand, a controller's own change and a pending prune,
// against a real API server with Flux's CRDs.
func TestLive(t *testing.T) {
	env := testenv.Shared(t)
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var crds []apply.Object
	for _, d := range testenv.FluxCRDs(t) {
		o, err := apply.Decode(d.File, d.Data)
		if err != nil {
			t.Fatal(err)
		}
		crds = append(crds, o...)
	}
	for _, o := range crds {
		if err := c.Patch(ctx(t), o.Object, client.Apply, client.ForceOwnership, client.FieldOwner("flux")); err != nil {
			t.Fatal(err)
		}
	}
	fluxNS := &unstructured.Unstructured{}
	fluxNS.SetAPIVersion("v1")
	fluxNS.SetKind("Namespace")
	fluxNS.SetName("flux-system")
	if err := c.Patch(ctx(t), fluxNS, client.Apply, client.FieldOwner("flux")); err != nil {
		t.Fatal(err)
	}
	// Flux's CRDs are served once established.
	objs := tree(t)
	var r *livediff.Report
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		c, _ = client.New(env.Config, client.Options{})
		r = diff(t, c, objs)
		if e := find(r, "HelmRelease/milvus/milvus"); e != nil && e.Op != livediff.CreatedByRelease || time.Now().After(deadline) {
			break
		}
	}

	// A fresh cluster: everything is created; the namespace's objects are
	// explained; the ServiceMonitor waits for its CRD.
	if r.Count(livediff.Drift) != 0 || r.Count(livediff.Prune) != 0 || r.Count(livediff.Failed) != 0 || r.Unchanged != 0 {
		t.Fatalf("fresh cluster:\n%s", dump(r))
	}
	if e := find(r, "Deployment/milvus/milvus-proxy"); e == nil || e.Op != livediff.Create || e.Manager != livediff.HelmController || !strings.Contains(e.Note, "namespace milvus is created") {
		t.Errorf("the proxy on a fresh cluster: %+v", e)
	}
	if e := find(r, "ServiceMonitor/milvus/milvus"); e == nil || e.Op != livediff.CreatedByRelease {
		t.Errorf("a custom resource without its CRD: %+v\n%s", e, dump(r))
	}
	if e := find(r, "StorageClass/ebs-gp3-sc"); e == nil || e.Op != livediff.Create || e.Manager != livediff.KustomizeController {
		t.Errorf("the StorageClass: %+v", e)
	}

	// Applied by the engines: nothing differs, though the API server
	// defaulted many fields (the Deployment's strategy, the pod's
	// terminationGracePeriodSeconds, the HelmRelease's defaults).
	engineApply(t, c, objs)
	r = diff(t, c, objs)
	if r.Count(livediff.Drift) != 0 || r.Count(livediff.Create) != 0 {
		t.Fatalf("after the engines applied the tree:\n%s", dump(r))
	}
	dep := &unstructured.Unstructured{}
	dep.SetAPIVersion("apps/v1")
	dep.SetKind("Deployment")
	if err := c.Get(ctx(t), client.ObjectKey{Namespace: "milvus", Name: "milvus-proxy"}, dep); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := unstructured.NestedMap(dep.Object, "spec", "strategy"); !ok {
		t.Fatal("the API server did not default the strategy; the test proves nothing")
	}

	// Drift by hand: the proxies scaled and the ConfigMap edited.
	if err := unstructured.SetNestedField(dep.Object, int64(5), "spec", "replicas"); err != nil {
		t.Fatal(err)
	}
	if err := c.Update(ctx(t), dep, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	cm := &unstructured.Unstructured{}
	cm.SetAPIVersion("v1")
	cm.SetKind("ConfigMap")
	if err := c.Get(ctx(t), client.ObjectKey{Namespace: "milvus", Name: "milvus"}, cm); err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedField(cm.Object, "proxy: {port: 19531}", "data", "milvus.yaml")
	if err := c.Update(ctx(t), cm, client.FieldOwner("kubectl-edit")); err != nil {
		t.Fatal(err)
	}
	r = diff(t, c, objs)
	e := find(r, "Deployment/milvus/milvus-proxy")
	if e == nil || e.Op != livediff.Drift || len(e.Fields) != 1 || e.Fields[0].Path != ".spec.replicas" || e.Fields[0].Live != "5" || e.Fields[0].Tree != "2" || e.Risk != "" {
		t.Errorf("scaled by hand: %+v\n%s", e, dump(r))
	}
	e = find(r, "ConfigMap/milvus/milvus")
	if e == nil || e.Op != livediff.Drift || len(e.Fields) != 1 || e.Fields[0].Path != ".data.milvus.yaml" {
		t.Errorf("edited by hand: %+v\n%s", e, dump(r))
	}

	// The engine takes its fields back; then an autoscaler scales: a
	// controller's own field is not drift.
	engineApply(t, c, objs)
	if err := c.Get(ctx(t), client.ObjectKey{Namespace: "milvus", Name: "milvus-proxy"}, dep); err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedField(dep.Object, int64(4), "spec", "replicas")
	if err := c.Update(ctx(t), dep, client.FieldOwner("kube-controller-manager")); err != nil {
		t.Fatal(err)
	}
	if r = diff(t, c, objs); find(r, "Deployment/milvus/milvus-proxy") != nil {
		t.Errorf("an autoscaler's replicas show as drift:\n%s", dump(r))
	}

	// A pending prune: the apps Kustomization's inventory holds a
	// ConfigMap the tree no longer renders.
	old := &unstructured.Unstructured{}
	old.SetAPIVersion("v1")
	old.SetKind("ConfigMap")
	old.SetNamespace("milvus")
	old.SetName("milvus-legacy")
	if err := c.Patch(ctx(t), old, client.Apply, client.FieldOwner(livediff.KustomizeController)); err != nil {
		t.Fatal(err)
	}
	ks := &unstructured.Unstructured{}
	ks.SetAPIVersion("kustomize.toolkit.fluxcd.io/v1")
	ks.SetKind("Kustomization")
	if err := c.Get(ctx(t), client.ObjectKey{Namespace: "flux-system", Name: "milvusgen-apps"}, ks); err != nil {
		t.Fatal(err)
	}
	_ = unstructured.SetNestedSlice(ks.Object, []any{
		map[string]any{"id": "milvus_milvus-legacy__ConfigMap", "v": "v1"},
		map[string]any{"id": "_milvus__Namespace", "v": "v1"},
	}, "status", "inventory", "entries")
	if err := c.Status().Update(ctx(t), ks); err != nil {
		t.Fatal(err)
	}
	r = diff(t, c, objs)
	if e := find(r, "ConfigMap/milvus/milvus-legacy"); e == nil || e.Op != livediff.Prune || !strings.Contains(e.Note, "Kustomization flux-system/milvusgen-apps") || e.Risk != "" {
		t.Errorf("pending prune: %+v\n%s", e, dump(r))
	}
	if r.Count(livediff.Prune) != 1 {
		t.Errorf("only the legacy ConfigMap is pruned (the Namespace is in the tree):\n%s", dump(r))
	}
}
