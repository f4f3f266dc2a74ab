package apply_test

import (
	"os"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/shared"
)

// hydrate renders a chart of ../shared/charts client-side, as Flux's
// helm-controller would, with the values of a rendered HelmRelease, and
// returns the manifests as objects in namespace.
func hydrate(t *testing.T, m *apply.Manager, archive string, hr apply.Object, namespace string) []apply.Object {
	t.Helper()
	chrt, err := loader.Load(shared.MustPath(t, "charts", archive))
	if err != nil {
		t.Fatal(err)
	}
	values, _, _ := unstructured.NestedMap(hr.Object.Object, "spec", "values")
	release, _, _ := unstructured.NestedString(hr.Object.Object, "spec", "releaseName")
	kv, err := chartutil.ParseKubeVersion("v1.34.0")
	if err != nil {
		t.Fatal(err)
	}
	install := action.NewInstall(&action.Configuration{Log: t.Logf})
	install.DryRun, install.ClientOnly, install.Replace = true, true, true
	install.ReleaseName, install.Namespace, install.KubeVersion = release, namespace, kv
	install.SkipCRDs = true // installed by the test setup, like helm-controller's CreateReplace
	rel, err := install.Run(chrt, values)
	if err != nil {
		t.Fatalf("rendering %s failed: %v", archive, err)
	}
	objs, err := apply.Decode(archive, []byte(rel.Manifest))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SetDefaultNamespace(objs, namespace); err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestHydratedDryRun asks the API server to dry-run what the two charts
// render with the runbook's values: every object must be accepted.
func TestHydratedDryRun(t *testing.T) {
	env := cluster(t)
	m := manager(t, env, "test-hydrated")
	data, err := os.ReadFile("../../examples/runbook/spec.cue")
	if err != nil {
		t.Fatal(err)
	}
	tree := load(t, renderSpec(t, "spec.cue", string(data)))
	releases := map[string]apply.Object{}
	for _, o := range tree {
		if o.Object.GetKind() == "HelmRelease" {
			releases[o.Object.GetName()] = o
		}
	}

	ns := decode(t, "namespace.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: hydrated}\n")
	mustApply(t, m, ns, apply.DefaultApplyOptions())

	for _, tc := range []struct {
		archive, release, namespace string
		kinds                       []string
	}{
		{"milvus-5.0.19.tgz", "milvus-demo", "hydrated", []string{"Deployment", "StatefulSet", "Service", "ConfigMap"}},
		{"aws-load-balancer-controller-3.5.0.tgz", "aws-load-balancer-controller", "kube-system", []string{"Deployment", "MutatingWebhookConfiguration", "IngressClassParams", "ClusterRole"}},
	} {
		t.Run(tc.release, func(t *testing.T) {
			objs := hydrate(t, m, tc.archive, releases[tc.release], tc.namespace)
			res, err := m.Apply(ctx(t), objs, apply.ApplyOptions{DryRun: true})
			if err != nil {
				t.Fatal(err)
			}
			if err := res.Err(); err != nil {
				t.Fatalf("server-side dry run of %s's manifests: %v", tc.archive, err)
			}
			if n := res.Count(apply.Created); n != len(objs) {
				t.Errorf("%d of %d objects would be created:\n%s", n, len(objs), changes(res))
			}
			seen := map[string]bool{}
			for _, o := range objs {
				seen[o.Object.GetKind()] = true
			}
			for _, k := range tc.kinds {
				if !seen[k] {
					t.Errorf("no %s among the rendered objects (%s)", k, strings.Join(keys(seen), ", "))
				}
			}
			t.Logf("%s: %s (server dry run)", tc.archive, res.Summary())
		})
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
