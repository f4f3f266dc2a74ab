package apply_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/testenv"
)

// The tests share one API server; each uses its own inventory and
// namespaces, and none runs in parallel.
func TestMain(m *testing.M) { os.Exit(testenv.Main(m)) }

var crdsOnce sync.Once

// cluster returns the shared server with the Flux and LB controller CRDs
// installed (through apply itself, which applies CRDs first and waits for
// them) and the flux-system namespace Flux's installer would have made.
func cluster(t *testing.T) *testenv.Env {
	t.Helper()
	env := testenv.Shared(t)
	crdsOnce.Do(func() {
		var objs []apply.Object
		docs := append(testenv.FluxCRDs(t), testenv.ChartCRDs(t, testenv.LBControllerChart)...)
		for _, d := range docs {
			o, err := apply.Decode(d.File, d.Data)
			if err != nil {
				t.Fatal(err)
			}
			objs = append(objs, o...)
		}
		ns := &unstructured.Unstructured{}
		ns.SetAPIVersion("v1")
		ns.SetKind("Namespace")
		ns.SetName("flux-system")
		objs = append(objs, apply.Object{Object: ns, File: "flux-install"})
		res := mustApply(t, manager(t, env, "test-crds"), objs, apply.DefaultApplyOptions())
		if n := res.Count(apply.Created); n != len(objs) {
			t.Fatalf("installing CRDs: %d created, want %d:\n%s", n, len(objs), changes(res))
		}
	})
	return env
}

func manager(t *testing.T, env *testenv.Env, inventory string) *apply.Manager {
	t.Helper()
	opts := apply.DefaultOptions()
	opts.InventoryName = inventory
	m, err := apply.New(env.Config, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// mustApply applies and fails the test on any error, object errors included.
func mustApply(t *testing.T, m *apply.Manager, objs []apply.Object, opts apply.ApplyOptions) *apply.Result {
	t.Helper()
	res, err := m.Apply(ctx(t), objs, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Err(); err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

func changes(res *apply.Result) string {
	s := ""
	for _, c := range res.Changes {
		s += "  " + c.String()
		if c.Note != "" {
			s += " (" + c.Note + ")"
		}
		s += "\n"
	}
	return s
}

// actions maps subjects to actions.
func actions(res *apply.Result) map[string]apply.Action {
	m := map[string]apply.Action{}
	for _, c := range res.Changes {
		m[c.Subject] = c.Action
	}
	return m
}

func get(t *testing.T, c client.Client, apiVersion, kind, namespace, name string) (*unstructured.Unstructured, error) {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(apiVersion)
	u.SetKind(kind)
	err := c.Get(ctx(t), client.ObjectKey{Namespace: namespace, Name: name}, u)
	return u, err
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
