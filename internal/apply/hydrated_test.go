package apply_test

import (
	"strings"
	"testing"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/shared"
)

// TestHydratedDryRun asks the API server to dry-run what the two charts
// render with the runbook's values (milvusgen render --hydrate, from the
// charts in ../shared/charts): every object must be accepted.
func TestHydratedDryRun(t *testing.T) {
	env := cluster(t)
	m := manager(t, env, "test-hydrated")
	// The runbook, with Milvus in a namespace of this test's own.
	src := strings.Replace(runbookSpec(t), `namespace:        "milvus"`, `namespace:        "hydrated"`, 1)
	if src == runbookSpec(t) {
		t.Fatal("the runbook example no longer sets milvus.namespace; update this test")
	}
	files, err := hydrate.Hydrate(renderSpec(t, "spec.cue", src), chart.NewCache(shared.MustPath(t, "charts")), hydrate.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	mustApply(t, m, decode(t, "namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: hydrated}\n"), apply.DefaultApplyOptions())

	want := map[string][]string{
		hydrate.Path("hydrated", "milvus-demo"):                     {"Deployment", "StatefulSet", "Service", "ConfigMap"},
		hydrate.Path("kube-system", "aws-load-balancer-controller"): {"Deployment", "MutatingWebhookConfiguration", "IngressClassParams", "ClusterRole"},
	}
	for _, f := range files {
		kinds, ok := want[f.Path]
		if !ok {
			if hydrate.IsHydrated(f.Path) {
				t.Errorf("unexpected hydrated file %s", f.Path)
			}
			continue
		}
		delete(want, f.Path)
		t.Run(f.Path, func(t *testing.T) {
			objs, err := apply.Decode(f.Path, f.Data)
			if err != nil {
				t.Fatal(err)
			}
			ns := strings.Split(f.Path, "/")[1]
			if err := m.SetDefaultNamespace(objs, ns); err != nil {
				t.Fatal(err)
			}
			res, err := m.Apply(ctx(t), objs, apply.ApplyOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Err(); err != nil {
				t.Fatalf("server-side dry run of %s: %v", f.Path, err)
			}
			// Everything is new but the chart's CRDs, which the test setup
			// installed from the same chart.
			for _, c := range res.Changes {
				want := apply.Created
				if strings.HasPrefix(c.Subject, "CustomResourceDefinition/") {
					want = apply.Unchanged
				}
				if c.Action != want {
					t.Errorf("%s, want %s", c, want)
				}
			}
			seen := map[string]bool{}
			for _, o := range objs {
				seen[o.Object.GetKind()] = true
			}
			for _, k := range kinds {
				if !seen[k] {
					t.Errorf("no %s among the hydrated objects", k)
				}
			}
			t.Logf("%s: %s (server dry run)", f.Path, res.Summary())
		})
	}
	for p := range want {
		t.Errorf("%s was not hydrated", p)
	}
}
