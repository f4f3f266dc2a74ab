package apply_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/testenv"
)

var argoCDOnce sync.Once

// argoCDCluster is cluster() plus the Argo CD v3.5.1 CRDs and the argocd
// namespace Argo CD's installer would have made.
func argoCDCluster(t *testing.T) *testenv.Env {
	t.Helper()
	env := cluster(t)
	argoCDOnce.Do(func() {
		var objs []apply.Object
		for _, d := range testenv.ArgoCDCRDs(t) {
			o, err := apply.Decode(d.File, d.Data)
			if err != nil {
				t.Fatal(err)
			}
			objs = append(objs, o...)
		}
		objs = append(objs, decode(t, "argocd-install", "apiVersion: v1\nkind: Namespace\nmetadata: {name: argocd}\n")...)
		mustApply(t, manager(t, env, "test-argocd-crds"), objs, apply.DefaultApplyOptions())
	})
	return env
}

// argoSpec is the Argo CD example with its own names, so it does not meet
// the objects of other tests on the shared server.
func argoSpec(t *testing.T, name, namespace string) string {
	t.Helper()
	src := readFile(t, "../../examples/argocd/spec.cue")
	out := strings.Replace(src, `name: "milvus-demo"`, `name: "`+name+`"`, 1)
	out = strings.Replace(out, `milvus: service:`, `milvus: namespace: "`+namespace+`"`+"\nmilvus: service:", 1)
	if out == src || !strings.Contains(out, namespace) {
		t.Fatal("examples/argocd/spec.cue changed shape; update this test")
	}
	return out
}

// TestArgoCDDryRun: the server accepts every object of the rendered Argo
// CD tree in a server-side dry run, against the real v3.5.1 CRDs.
func TestArgoCDDryRun(t *testing.T) {
	env := argoCDCluster(t)
	m := manager(t, env, "test-argocd-dry-run")
	objs := load(t, renderSpec(t, "spec.cue", argoSpec(t, "argo-dry", "argo-dry")))
	res, err := m.Apply(ctx(t), objs, apply.ApplyOptions{DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatalf("server-side dry run: %v", err)
	}
	kinds := map[string]int{}
	for _, c := range res.Changes {
		kinds[strings.Split(c.Subject, "/")[0]]++
	}
	if kinds["Application"] != 5 || kinds["AppProject"] != 1 {
		t.Errorf("dry run covered %v, want 5 Applications and 1 AppProject", kinds)
	}
	t.Logf("%s (server dry run)", res.Summary())
}

// TestArgoCDWait applies the Helm Applications server-side and waits on
// them, playing Argo CD by setting their status: ready only once Healthy
// and Synced at the current revision.
func TestArgoCDWait(t *testing.T) {
	env := argoCDCluster(t)
	m := manager(t, env, "test-argocd-wait")
	var mine []apply.Object
	for _, o := range load(t, renderSpec(t, "spec.cue", argoSpec(t, "argo-wait", "argo-wait"))) {
		if o.Object.GetKind() == "Application" && o.Object.GetName() == "argo-wait" {
			mine = append(mine, o)
		}
	}
	if len(mine) != 1 {
		t.Fatalf("want the Milvus Application, got %d objects", len(mine))
	}
	res := mustApply(t, m, mine, apply.DefaultApplyOptions())
	if a := actions(res)["Application/argocd/argo-wait"]; a != apply.Created {
		t.Fatalf("Application %s, want created:\n%s", a, changes(res))
	}
	err := m.Wait(ctx(t), mine, apply.WaitOptions{Interval: 100 * time.Millisecond, Timeout: 3 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "Application/argocd/argo-wait InProgress: waiting for Argo CD to compare the Application") {
		t.Fatalf("wait on an Application Argo CD never saw: %v", err)
	}

	setStatus := func(health, revision string) {
		t.Helper()
		live, err := get(t, m.Client(), "argoproj.io/v1alpha1", "Application", "argocd", "argo-wait")
		if err != nil {
			t.Fatal(err)
		}
		src, _, _ := unstructured.NestedMap(live.Object, "spec", "source")
		dest, _, _ := unstructured.NestedMap(live.Object, "spec", "destination")
		live.Object["status"] = map[string]any{
			"health": map[string]any{"status": health},
			"sync":   map[string]any{"status": "Synced", "revision": revision, "comparedTo": map[string]any{"source": src, "destination": dest}},
		}
		// The Application CRD has no status subresource: status is
		// written with the object.
		if err := m.Client().Update(ctx(t), live); err != nil {
			t.Fatal(err)
		}
	}
	setStatus("Progressing", "5.0.19")
	err = m.Wait(ctx(t), mine, apply.WaitOptions{Interval: 100 * time.Millisecond, Timeout: 3 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "InProgress: Progressing and Synced") {
		t.Fatalf("wait on a Progressing Application: %v", err)
	}
	setStatus("Healthy", "5.0.19")
	if err := m.Wait(ctx(t), mine, apply.WaitOptions{Interval: 100 * time.Millisecond, Timeout: 10 * time.Second}); err != nil {
		t.Fatalf("wait on a Healthy, Synced Application: %v", err)
	}
}
