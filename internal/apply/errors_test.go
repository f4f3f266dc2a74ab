package apply_test

import (
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/milvusgen/milvusgen/internal/apply"
)

func decode(t *testing.T, file, data string) []apply.Object {
	t.Helper()
	objs, err := apply.Decode(file, []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestObjectErrors applies a set where some objects are refused: each
// failure is reported with its file, and the valid objects are applied.
func TestObjectErrors(t *testing.T) {
	env := cluster(t)
	m := manager(t, env, "test-errors")
	var objs []apply.Object
	objs = append(objs, decode(t, "good.yaml", `
apiVersion: v1
kind: Namespace
metadata: {name: errors}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: good, namespace: errors}
data: {a: b}
`)...)
	objs = append(objs, decode(t, "invalid.yaml", `
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata: {name: bad-interval, namespace: errors}
spec:
  interval: banana
  chart: {spec: {chart: milvus, sourceRef: {kind: HelmRepository, name: milvus}}}
`)...)
	objs = append(objs, decode(t, "unknown-field.yaml", `
apiVersion: source.toolkit.fluxcd.io/v1
kind: HelmRepository
metadata: {name: typo, namespace: errors}
spec: {url: "https://example.com", intervall: 1m}
`)...)
	objs = append(objs, decode(t, "widget.yaml", `
apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: errors}
`)...)
	objs = append(objs, decode(t, "elsewhere.yaml", `
apiVersion: v1
kind: ConfigMap
metadata: {name: lost, namespace: no-such-namespace}
`)...)

	// Apply, then a dry run of the same set, which must see the same
	// failures (and the applied objects unchanged).
	for _, dryRun := range []bool{false, true} {
		res, err := m.Apply(ctx(t), objs, apply.ApplyOptions{DryRun: dryRun})
		if err != nil {
			t.Fatal(err)
		}
		got := actions(res)
		ok := apply.Created
		if dryRun {
			ok = apply.Unchanged
		}
		for s, want := range map[string]apply.Action{
			"Namespace/errors":                 ok,
			"ConfigMap/errors/good":            ok,
			"HelmRelease/errors/bad-interval":  apply.Failed,
			"HelmRepository/errors/typo":       apply.Failed,
			"Widget/errors/w":                  apply.Failed,
			"ConfigMap/no-such-namespace/lost": apply.Failed,
		} {
			if got[s] != want {
				t.Errorf("dry run %v: %s %s, want %s", dryRun, s, got[s], want)
			}
		}
		joined := res.Err()
		if joined == nil {
			t.Fatal("Result.Err is nil")
		}
		errs := joined.(interface{ Unwrap() []error }).Unwrap()
		if len(errs) != 4 {
			t.Errorf("%d errors, want 4: %v", len(errs), joined)
		}
		msg := joined.Error()
		for _, want := range []string{
			"HelmRelease/errors/bad-interval (invalid.yaml): invalid: ",
			"spec.interval",
			"HelmRepository/errors/typo (unknown-field.yaml): ",
			".spec.intervall: field not declared in schema",
			`Widget/errors/w (widget.yaml): no matches for kind "Widget" in version "example.com/v1": the cluster does not serve this kind; install its CustomResourceDefinition first`,
			`ConfigMap/no-such-namespace/lost (elsewhere.yaml): namespaces "no-such-namespace" not found: create the namespace first`,
		} {
			if !strings.Contains(msg, want) {
				t.Errorf("dry run %v: errors lack %q:\n%s", dryRun, want, msg)
			}
		}
		var oe *apply.ObjectError
		if !errors.As(errs[0], &oe) || oe.File == "" {
			t.Errorf("errors are not *ObjectError with a file: %#v", errs[0])
		}
	}
	if _, err := get(t, m.Client(), "v1", "ConfigMap", "errors", "good"); err != nil {
		t.Errorf("the valid ConfigMap was not applied: %v", err)
	}
	inv, err := get(t, m.Client(), "v1", "ConfigMap", "kube-system", "test-errors")
	if err != nil {
		t.Fatal(err)
	}
	if entries, _, _ := unstructured.NestedString(inv.Object, "data", "objects"); entries != "_errors__Namespace v1\nerrors_good__ConfigMap v1\n" {
		t.Errorf("inventory %q, want the two applied objects", entries)
	}
}

// TestConflict: a field another manager owns is a conflict, reported with
// the file, until the user forces it.
func TestConflict(t *testing.T) {
	env := cluster(t)
	m := manager(t, env, "test-conflict")
	objs := decode(t, "conflict.yaml", `
apiVersion: v1
kind: Namespace
metadata: {name: conflict}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: conflict}
data: {replicas: "2", owner: milvusgen}
`)
	mustApply(t, m, objs, apply.DefaultApplyOptions())

	// Someone else takes the replicas key over with their own apply.
	theirs := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "settings", "namespace": "conflict"},
		"data":     map[string]any{"replicas": "5"},
	}}
	if err := m.Client().Patch(ctx(t), theirs, client.Apply, client.FieldOwner("someone-else"), client.ForceOwnership); err != nil {
		t.Fatal(err)
	}

	for _, dryRun := range []bool{true, false} {
		res, err := m.Apply(ctx(t), objs, apply.ApplyOptions{DryRun: dryRun})
		if err != nil {
			t.Fatal(err)
		}
		err = res.Err()
		if got := actions(res)["ConfigMap/conflict/settings"]; got != apply.Failed || err == nil ||
			!strings.Contains(err.Error(), `ConfigMap/conflict/settings (conflict.yaml): Apply failed with 1 conflict: conflict with "someone-else"`) ||
			!strings.Contains(err.Error(), "--force-conflicts") {
			t.Errorf("dry run %v: %s, err %v; want a conflict with someone-else", dryRun, got, err)
		}
		var se *apierrors.StatusError
		if !errors.As(err, &se) || !apierrors.IsConflict(se) {
			t.Errorf("the API server's conflict error is not reachable with errors.As: %#v", err)
		}
	}
	cm, _ := get(t, m.Client(), "v1", "ConfigMap", "conflict", "settings")
	if v, _, _ := unstructured.NestedString(cm.Object, "data", "replicas"); v != "5" {
		t.Fatalf("a refused apply changed replicas to %s", v)
	}

	res := mustApply(t, m, objs, apply.ApplyOptions{ForceConflicts: true})
	if got := actions(res)["ConfigMap/conflict/settings"]; got != apply.Configured {
		t.Errorf("forced apply: %s, want configured", got)
	}
	cm, _ = get(t, m.Client(), "v1", "ConfigMap", "conflict", "settings")
	if v, _, _ := unstructured.NestedString(cm.Object, "data", "replicas"); v != "2" {
		t.Errorf("forced apply left replicas at %s", v)
	}
}

// TestCRDWithItsObjects applies a CRD and an object of its kind in one
// set: the CRD goes first and is waited for, so the object applies too.
func TestCRDWithItsObjects(t *testing.T) {
	env := cluster(t)
	m := manager(t, env, "test-crd")
	objs := decode(t, "gadgets.yaml", `
apiVersion: example.com/v1
kind: Gadget
metadata: {name: g, namespace: gadgets}
spec: {size: 3}
---
apiVersion: v1
kind: Namespace
metadata: {name: gadgets}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgets, singular: gadget, listKind: GadgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties: {size: {type: integer}}
`)
	dry, err := m.Apply(ctx(t), objs, apply.ApplyOptions{DryRun: true})
	if err != nil || dry.Err() != nil {
		t.Fatal(err, dry.Err())
	}
	if dry.Count(apply.Created) != 3 || !strings.Contains(dry.Changes[2].Note, "the CRD of Gadget is created by this apply") {
		t.Errorf("dry run:\n%s", changes(dry))
	}
	res := mustApply(t, m, objs, apply.DefaultApplyOptions())
	var got []string
	for _, c := range res.Changes {
		got = append(got, c.String())
	}
	want := "CustomResourceDefinition/gadgets.example.com created, Namespace/gadgets created, Gadget/gadgets/g created"
	if strings.Join(got, ", ") != want {
		t.Errorf("apply: %s\nwant %s", strings.Join(got, ", "), want)
	}
	res = mustApply(t, m, objs, apply.DefaultApplyOptions())
	if res.Changed() {
		t.Errorf("second apply:\n%s", changes(res))
	}
}
