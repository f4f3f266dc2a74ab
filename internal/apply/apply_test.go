package apply_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

func load(t *testing.T, files []manifest.File) []apply.Object {
	t.Helper()
	objs, err := apply.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestRunbook applies the runbook example's tree, re-applies it, changes
// the spec and prunes, against a real API server.
func TestRunbook(t *testing.T) {
	env := cluster(t)
	m := manager(t, env, "test-runbook")
	c := m.Client()
	objs := load(t, renderSpec(t, "spec.cue", runbookSpec(t)))

	// A dry run on an empty cluster: everything would be created, and the
	// objects in the new milvus namespace cannot be validated yet.
	dry, err := m.Apply(ctx(t), objs, apply.ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := dry.Err(); err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if n := dry.Count(apply.Created); n != len(objs) {
		t.Fatalf("dry run: %d created, want %d:\n%s", n, len(objs), changes(dry))
	}
	for _, ch := range dry.Changes {
		if strings.HasPrefix(ch.Subject, "Helm") && strings.Contains(ch.Subject, "/milvus/") && !strings.Contains(ch.Note, "namespace milvus is created by this apply") {
			t.Errorf("dry run: %s: note %q, want the pending namespace explained", ch.Subject, ch.Note)
		}
	}
	if _, err := get(t, c, "v1", "Namespace", "", "milvus"); !apierrors.IsNotFound(err) {
		t.Fatalf("the dry run created namespace milvus (err %v)", err)
	}
	if _, err := get(t, c, "v1", "ConfigMap", "kube-system", "test-runbook"); !apierrors.IsNotFound(err) {
		t.Fatalf("the dry run wrote the inventory (err %v)", err)
	}

	// Apply: dependency order, everything created.
	res := mustApply(t, m, objs, apply.DefaultApplyOptions())
	var order []string
	for _, ch := range res.Changes {
		if ch.Action != apply.Created {
			t.Errorf("first apply: %s", ch)
		}
		order = append(order, ch.Subject)
	}
	wantOrder := []string{
		"Namespace/milvus",
		"StorageClass/ebs-gp3-sc",
		"HelmRelease/kube-system/aws-load-balancer-controller",
		"HelmRelease/milvus/milvus-demo",
		"Kustomization/flux-system/milvusgen-apps",
		"Kustomization/flux-system/milvusgen-infrastructure",
		"GitRepository/flux-system/milvusgen",
		"HelmRepository/kube-system/eks",
		"HelmRepository/milvus/milvus",
	}
	if d := cmp.Diff(wantOrder, order); d != "" {
		t.Errorf("apply order (-want +got):\n%s", d)
	}

	// What the server stored.
	hr, err := get(t, c, "helm.toolkit.fluxcd.io/v2", "HelmRelease", "milvus", "milvus-demo")
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]any{
		"spec.chart.spec.version":                "5.0.19",
		"spec.values.externalS3.bucketName":      "milvus-bucket-039dd013c0712f085d60e21f",
		"spec.values.externalS3.region":          "us-east-2",
		"spec.values.mixCoordinator.replicas":    int64(2),
		"spec.values.pulsarv3.enabled":           false,
		"spec.values.serviceAccount.name":        "milvus-s3-access-sa",
		"spec.values.proxy.resources.limits.cpu": "1",
	} {
		got, ok, _ := unstructured.NestedFieldNoCopy(hr.Object, strings.Split(path, ".")...)
		if !ok || got != want {
			t.Errorf("HelmRelease milvus/milvus-demo %s = %v, want %v", path, got, want)
		}
	}
	if !managedBy(hr, "milvusgen") {
		t.Errorf("HelmRelease not applied with field manager milvusgen: %v", hr.GetManagedFields())
	}
	sc, err := get(t, c, "storage.k8s.io/v1", "StorageClass", "", "ebs-gp3-sc")
	if err != nil {
		t.Fatal(err)
	}
	if sc.Object["provisioner"] != "ebs.csi.aws.com" || sc.Object["volumeBindingMode"] != "WaitForFirstConsumer" ||
		sc.GetAnnotations()["storageclass.kubernetes.io/is-default-class"] != "true" {
		t.Errorf("StorageClass stored as %v", sc.Object)
	}
	if p, _, _ := unstructured.NestedStringMap(sc.Object, "parameters"); p["type"] != "gp3" || p["encrypted"] != "true" {
		t.Errorf("StorageClass parameters %v", p)
	}
	if _, err := get(t, c, "v1", "Namespace", "", "milvus"); err != nil {
		t.Errorf("namespace milvus: %v", err)
	}
	inv, err := get(t, c, "v1", "ConfigMap", "kube-system", "test-runbook")
	if err != nil {
		t.Fatal(err)
	}
	entries, _, _ := unstructured.NestedString(inv.Object, "data", "objects")
	if n := strings.Count(entries, "\n"); n != len(objs) {
		t.Errorf("inventory holds %d entries, want %d:\n%s", n, len(objs), entries)
	}

	// The same tree again: zero changes.
	res = mustApply(t, m, objs, apply.DefaultApplyOptions())
	if res.Changed() || res.Count(apply.Unchanged) != len(objs) {
		t.Errorf("second apply is not a no-op:\n%s", changes(res))
	}
	hr2, _ := get(t, c, "helm.toolkit.fluxcd.io/v2", "HelmRelease", "milvus", "milvus-demo")
	if hr2.GetResourceVersion() != hr.GetResourceVersion() {
		t.Error("second apply bumped the HelmRelease's resourceVersion")
	}

	// A changed spec, dry run: only the HelmRelease, with the field.
	changed := renderSpec(t, "spec.cue", strings.Replace(runbookSpec(t), "proxy: {replicas: 2", "proxy: {replicas: 3", 1))
	dry, err = m.Apply(ctx(t), load(t, changed), apply.ApplyOptions{DryRun: true})
	if err != nil || dry.Err() != nil {
		t.Fatal(err, dry.Err())
	}
	for _, ch := range dry.Changes {
		want := apply.Unchanged
		if ch.Subject == "HelmRelease/milvus/milvus-demo" {
			want = apply.Configured
			if !slices.Equal(ch.Fields, []string{"spec.values.proxy.replicas"}) {
				t.Errorf("dry run: changed fields %v, want [spec.values.proxy.replicas]", ch.Fields)
			}
		}
		if ch.Action != want {
			t.Errorf("dry run of proxy.replicas 3: %s, want %s", ch, want)
		}
	}

	// Someone else's objects in the milvus namespace.
	foreign := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "HelmRepository",
		"metadata": map[string]any{"name": "someone-elses", "namespace": "milvus"},
		"spec":     map[string]any{"url": "https://example.com/charts", "interval": "1h"},
	}}
	if err := c.Create(ctx(t), foreign); err != nil {
		t.Fatal(err)
	}
	cm := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "someone-elses", "namespace": "milvus"},
	}}
	if err := c.Create(ctx(t), cm); err != nil {
		t.Fatal(err)
	}

	// No Git URL (flux/ goes away) and Milvus moves to another namespace.
	moved := load(t, renderSpec(t, "spec.yaml", minimal+"milvus: {namespace: vectors}\n"))
	gone := []string{
		"GitRepository/flux-system/milvusgen",
		"Kustomization/flux-system/milvusgen-apps",
		"Kustomization/flux-system/milvusgen-infrastructure",
		"HelmRelease/milvus/milvus-demo",
		"HelmRepository/milvus/milvus",
	}
	// Without --prune the old objects stay and are reported stale.
	res = mustApply(t, m, moved, apply.DefaultApplyOptions())
	slices.Sort(res.Stale)
	wantStale := append(slices.Clone(gone), "Namespace/milvus")
	slices.Sort(wantStale)
	if d := cmp.Diff(wantStale, res.Stale); d != "" {
		t.Errorf("stale objects (-want +got):\n%s", d)
	}
	if _, err := get(t, c, "helm.toolkit.fluxcd.io/v2", "HelmRelease", "milvus", "milvus-demo"); err != nil {
		t.Errorf("apply without prune deleted HelmRelease milvus/milvus-demo: %v", err)
	}
	got := actions(res)
	for _, s := range []string{"Namespace/vectors", "HelmRelease/vectors/milvus-demo", "HelmRepository/vectors/milvus"} {
		if got[s] != apply.Created {
			t.Errorf("%s: %s, want created", s, got[s])
		}
	}

	// A prune dry run says what would go and deletes nothing.
	dry, err = m.Apply(ctx(t), moved, apply.ApplyOptions{DryRun: true, Prune: true})
	if err != nil || dry.Err() != nil {
		t.Fatal(err, dry.Err())
	}
	if n := dry.Count(apply.Deleted); n != len(gone) {
		t.Errorf("prune dry run: %d deleted, want %d:\n%s", n, len(gone), changes(dry))
	}
	if _, err := get(t, c, "helm.toolkit.fluxcd.io/v2", "HelmRelease", "milvus", "milvus-demo"); err != nil {
		t.Errorf("prune dry run deleted HelmRelease milvus/milvus-demo: %v", err)
	}

	// Prune: only what milvusgen applied and no longer renders goes away.
	res = mustApply(t, m, moved, apply.ApplyOptions{Prune: true})
	got = actions(res)
	for _, s := range gone {
		if got[s] != apply.Deleted {
			t.Errorf("prune: %s: %s, want deleted", s, got[s])
		}
	}
	if got["Namespace/milvus"] != apply.Skipped {
		t.Errorf("prune: Namespace/milvus: %s, want skipped (namespaces are never pruned)", got["Namespace/milvus"])
	}
	if res.Count(apply.Deleted) != len(gone) {
		t.Errorf("prune deleted more than it should:\n%s", changes(res))
	}
	for _, s := range gone {
		parts := strings.Split(s, "/")
		apiVersion := map[string]string{
			"GitRepository": "source.toolkit.fluxcd.io/v1", "HelmRepository": "source.toolkit.fluxcd.io/v1",
			"Kustomization": "kustomize.toolkit.fluxcd.io/v1", "HelmRelease": "helm.toolkit.fluxcd.io/v2",
		}[parts[0]]
		if _, err := get(t, c, apiVersion, parts[0], parts[1], parts[2]); !apierrors.IsNotFound(err) {
			t.Errorf("%s still there after prune (err %v)", s, err)
		}
	}
	for _, o := range []*unstructured.Unstructured{foreign, cm} {
		if _, err := get(t, c, o.GetAPIVersion(), o.GetKind(), "milvus", o.GetName()); err != nil {
			t.Errorf("prune deleted someone else's %s/milvus/%s: %v", o.GetKind(), o.GetName(), err)
		}
	}
	if _, err := get(t, c, "v1", "Namespace", "", "milvus"); err != nil {
		t.Errorf("prune deleted namespace milvus: %v", err)
	}

	// After the prune the inventory is the new tree: nothing stale, no change.
	res = mustApply(t, m, moved, apply.ApplyOptions{Prune: true})
	if res.Changed() || len(res.Stale) > 0 {
		t.Errorf("apply after prune:\n%s stale %v", changes(res), res.Stale)
	}
}

// runbookSpec is examples/runbook/spec.cue.
func runbookSpec(t *testing.T) string {
	t.Helper()
	return readFile(t, "../../examples/runbook/spec.cue")
}

func managedBy(u *unstructured.Unstructured, manager string) bool {
	return slices.ContainsFunc(u.GetManagedFields(), func(f metav1.ManagedFieldsEntry) bool { return f.Manager == manager })
}

// TestWait waits on Flux objects that no controller reconciles, then
// plays the controller by setting their status.
func TestWait(t *testing.T) {
	env := cluster(t)
	m := manager(t, env, "test-wait")
	objs := load(t, renderSpec(t, "spec.yaml", strings.Replace(minimal, "milvus-demo", "wait-demo", 1)+"milvus: {namespace: wait}\n"))
	var mine []apply.Object
	for _, o := range objs {
		if o.Object.GetNamespace() == "wait" || o.Subject() == "Namespace/wait" {
			mine = append(mine, o)
		}
	}
	mustApply(t, m, mine, apply.DefaultApplyOptions())

	var progress []apply.Progress
	err := m.Wait(ctx(t), mine, apply.WaitOptions{Interval: 200 * time.Millisecond, Timeout: 2 * time.Second, Progress: func(p apply.Progress) { progress = append(progress, p) }})
	if err == nil || !strings.Contains(err.Error(), "timed out after 2s waiting for 2 of 3 objects") ||
		!strings.Contains(err.Error(), "HelmRelease/wait/wait-demo InProgress: waiting for the Flux controller to reconcile generation 1") {
		t.Fatalf("wait on unreconciled Flux objects: %v", err)
	}
	if len(progress) == 0 || progress[0].Ready != 1 || progress[0].Total != 3 {
		t.Fatalf("progress %+v, want a first report of 1/3 ready", progress)
	}

	ready := func(o apply.Object, status, reason string) {
		t.Helper()
		live, err := get(t, m.Client(), o.Object.GetAPIVersion(), o.Object.GetKind(), o.Object.GetNamespace(), o.Object.GetName())
		if err != nil {
			t.Fatal(err)
		}
		cond := map[string]any{"type": "Ready", "status": status, "reason": reason, "message": reason, "lastTransitionTime": time.Now().UTC().Format(time.RFC3339)}
		live.Object["status"] = map[string]any{"observedGeneration": live.GetGeneration(), "conditions": []any{cond}}
		if err := m.Client().Status().Update(ctx(t), live); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range mine {
		if o.Object.GetKind() == "HelmRepository" {
			ready(o, "True", "Succeeded")
		}
		if o.Object.GetKind() == "HelmRelease" {
			ready(o, "False", "Progressing")
		}
	}
	progress = nil
	done := make(chan error)
	go func() {
		done <- m.Wait(ctx(t), mine, apply.WaitOptions{Interval: 100 * time.Millisecond, Timeout: 30 * time.Second, Progress: func(p apply.Progress) { progress = append(progress, p) }})
	}()
	time.Sleep(500 * time.Millisecond)
	for _, o := range mine {
		if o.Object.GetKind() == "HelmRelease" {
			ready(o, "True", "InstallSucceeded")
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("wait: %v", err)
	}
	if len(progress) < 2 || progress[len(progress)-1].Ready != 3 {
		t.Errorf("progress %+v, want it to end at 3/3", progress)
	}
	if p := progress[0]; p.Ready != 2 || len(p.NotReady) != 1 || p.NotReady[0].String() != "HelmRelease/wait/wait-demo InProgress: Progressing" {
		t.Errorf("first progress %+v", p)
	}
}
