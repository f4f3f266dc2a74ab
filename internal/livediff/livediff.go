// Package livediff compares a rendered, hydrated tree with a running
// cluster: what the merge of a pull request would really change there, and
// what drifted since the engine last applied.
//
// For every object of the tree it asks the API server for a server-side
// apply dry run, as the engine that owns the object would send it: the
// field manager is the engine's (kustomize-controller, helm-controller,
// Argo CD's argocd-controller, or milvusgen's own applier) as the live
// object's managedFields record it, so ownership never shows as a
// difference. The dry-run result and the live object are compared only on
// the fields that manager sets (its managedFields entry in the result, and
// in the live object for fields the apply would drop), minus the fields
// another manager took over (an HPA's replicas, the LB controller's
// webhook caBundle), as Argo CD's server-side diff does. API-server and
// webhook defaulting therefore never shows: it is in both objects, and it
// is not the manager's. Secret values are masked.
//
// It reports four cases: drift (the live object differs from what the
// tree applies), objects the tree creates, objects the engine would prune
// (in its inventory but no longer in the tree), and custom resources whose
// CRD is not installed yet (created by the release that installs it).
package livediff

import (
	"bytes"
	"context"
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/structured-merge-diff/v6/fieldpath"

	"github.com/milvusgen/milvusgen/internal/apply"
	"github.com/milvusgen/milvusgen/internal/hydrate"
	"github.com/milvusgen/milvusgen/internal/manifest"
)

// The engines' field managers, as their controllers set them.
const (
	KustomizeController = "kustomize-controller"
	HelmController      = "helm-controller"
	ArgoCD              = "argocd-controller"
	Milvusgen           = apply.FieldManager
)

// controllers are the managers whose fields a live diff leaves alone: they
// change them on purpose, after every apply. A field a person changed
// (kubectl edit, scale or patch, any other manager) is drift. The table is
// an allowlist, as Argo CD's managedFieldsManagers is: a controller not in
// it shows as drift until someone adds it with a reason.
var controllers = map[string]string{
	"kube-controller-manager": "the HorizontalPodAutoscaler sets replicas through the scale subresource",
	"vpa-updater":             "the VerticalPodAutoscaler sets resources",
	"cluster-autoscaler":      "the cluster autoscaler annotates what it manages",
}

// engines are the managers whose Apply entries say who owns an object.
var engines = []string{KustomizeController, HelmController, ArgoCD, Milvusgen}

// Op is what the merge would do to an object.
type Op string

const (
	// Drift: the live object differs from what the tree applies.
	Drift Op = "drift"
	// Create: the tree has the object and the cluster does not yet.
	Create Op = "create"
	// Prune: the engine applied the object before and the tree no longer
	// has it, so the engine would delete it.
	Prune Op = "prune"
	// CreatedByRelease: a custom resource whose CRD the cluster does not
	// serve yet; the release that installs the CRD creates it.
	CreatedByRelease Op = "created by the release"
	// Failed: the API server refused the dry run.
	Failed Op = "failed"
)

// Object is one object of the tree and the engine that applies it when
// the cluster does not say otherwise.
type Object struct {
	Object *unstructured.Unstructured
	// File is the rendered file it came from.
	File string
	// Engine is the default field manager.
	Engine string
}

// Subject names the object as Kind/namespace/name.
func (o Object) Subject() string { return subject(o.Object) }

func subject(u *unstructured.Unstructured) string {
	if u.GetNamespace() == "" {
		return u.GetKind() + "/" + u.GetName()
	}
	return u.GetKind() + "/" + u.GetNamespace() + "/" + u.GetName()
}

// Entry is one object the merge would change.
type Entry struct {
	Op      Op     `json:"op"`
	Subject string `json:"object"`
	File    string `json:"file,omitempty"`
	// Manager is the field manager the dry run used.
	Manager string  `json:"manager,omitempty"`
	Fields  []Field `json:"fields,omitempty"`
	Note    string  `json:"note,omitempty"`
	// Risk is a reason the change needs attention, as diff's flags give:
	// "data: …", "availability: …" or "network: …".
	Risk string `json:"risk,omitempty"`
}

// Field is one field whose live value differs from the tree's. A value
// that is absent is "(none)"; Secret values are masked.
type Field struct {
	Path string `json:"path"`
	Live string `json:"live"`
	Tree string `json:"tree"`
}

// Report is the live difference of a tree.
type Report struct {
	Entries []Entry `json:"entries"`
	// Unchanged counts the objects that match the cluster.
	Unchanged int `json:"unchanged"`
	// Server is the API server compared with.
	Server string `json:"server,omitempty"`
}

// Equal reports whether the merge would change nothing in the cluster.
func (r *Report) Equal() bool { return len(r.Entries) == 0 }

// Count counts the entries of one kind.
func (r *Report) Count(op Op) int {
	n := 0
	for _, e := range r.Entries {
		if e.Op == op {
			n++
		}
	}
	return n
}

// Objects reads the objects a GitOps engine applies from a rendered tree:
// the kustomization roots, built as the engine builds them, and the
// hydrated releases. Flux trees (flux/) are applied by kustomize-controller
// and their charts by helm-controller; Argo CD trees (argocd/) by
// argocd-controller, charts included; trees with neither by milvusgen's
// own applier. Hydrated objects without a namespace get their release's.
func Objects(files []manifest.File) ([]Object, error) {
	treeEngine, chartEngine := Milvusgen, Milvusgen
	for _, f := range files {
		switch {
		case strings.HasPrefix(f.Path, "flux/"):
			treeEngine, chartEngine = KustomizeController, HelmController
		case strings.HasPrefix(f.Path, "argocd/"):
			treeEngine, chartEngine = ArgoCD, ArgoCD
		}
	}
	if treeEngine == Milvusgen {
		// Trees without a GitOps root are applied by milvusgen apply;
		// their HelmReleases still go through helm-controller.
		chartEngine = HelmController
	}
	loaded, err := apply.Load(hydrate.Strip(files))
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, o := range loaded {
		out = append(out, Object{Object: o.Object, File: o.File, Engine: treeEngine})
	}
	for _, f := range files {
		if !hydrate.IsHydrated(f.Path) {
			continue
		}
		objs, err := apply.Decode(f.Path, f.Data)
		if err != nil {
			return nil, err
		}
		// hydrated/<namespace>/<release>.yaml
		ns := path.Base(path.Dir(f.Path))
		for _, o := range objs {
			if o.Object.GetNamespace() == "" {
				o.Object.SetNamespace(ns)
			}
			out = append(out, Object{Object: o.Object, File: f.Path, Engine: chartEngine})
		}
	}
	return out, nil
}

// Diff compares objs with the cluster c serves. Cluster-scoped objects
// keep no namespace even when the tree's file set one.
func Diff(ctx context.Context, c client.Client, objs []Object) (*Report, error) {
	r := &Report{}
	inTree := map[string]bool{}
	for _, o := range objs {
		inTree[id(o.Object)] = true
	}
	pendingNS := map[string]bool{}
	for _, o := range objs {
		if o.Object.GetKind() == "Namespace" && o.Object.GroupVersionKind().Group == "" {
			pendingNS[o.Object.GetName()] = true
		}
	}
	for _, o := range objs {
		e, ok, err := diffOne(ctx, c, o, pendingNS)
		if err != nil {
			return nil, err
		}
		if ok {
			r.Entries = append(r.Entries, e)
		} else {
			r.Unchanged++
		}
	}
	prunes, err := prunable(ctx, c, objs, inTree)
	if err != nil {
		return nil, err
	}
	r.Entries = append(r.Entries, prunes...)
	for i := range r.Entries {
		r.Entries[i].Risk = risk(r.Entries[i])
	}
	return r, nil
}

// id is an object's identity across API versions: group, kind, namespace
// and name.
func id(u *unstructured.Unstructured) string {
	gvk := u.GroupVersionKind()
	return gvk.Group + "/" + gvk.Kind + "/" + u.GetNamespace() + "/" + u.GetName()
}

// diffOne dry-runs one object; ok is false when it matches the cluster.
func diffOne(ctx context.Context, c client.Client, o Object, pendingNS map[string]bool) (Entry, bool, error) {
	want := o.Object.DeepCopy()
	gvk := want.GroupVersionKind()
	namespaced, err := c.IsObjectNamespaced(want)
	if err != nil {
		if meta.IsNoMatchError(err) {
			return Entry{Op: CreatedByRelease, Subject: o.Subject(), File: o.File,
				Note: fmt.Sprintf("the cluster does not serve %s yet; the release that installs its CRD creates it", gvk.GroupVersion().WithKind(gvk.Kind))}, true, nil
		}
		return Entry{}, false, err
	}
	if !namespaced {
		want.SetNamespace("")
	}
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(gvk)
	exists := true
	if err := c.Get(ctx, client.ObjectKeyFromObject(want), live); apierrors.IsNotFound(err) {
		exists = false
	} else if err != nil {
		return Entry{}, false, fmt.Errorf("%s: reading the live object: %w", subject(want), err)
	}
	mgr := o.Engine
	if exists {
		if m := engineOf(live); m != "" {
			mgr = m
		}
	}
	e := Entry{Subject: subject(want), File: o.File, Manager: mgr}
	if !exists {
		e.Op = Create
		if ns := want.GetNamespace(); ns != "" && pendingNS[ns] {
			var nsObj unstructured.Unstructured
			nsObj.SetAPIVersion("v1")
			nsObj.SetKind("Namespace")
			if err := c.Get(ctx, client.ObjectKey{Name: ns}, &nsObj); apierrors.IsNotFound(err) {
				e.Note = "namespace " + ns + " is created by this change"
				return e, true, nil
			}
		}
	}
	dry := want.DeepCopy()
	err = c.Patch(ctx, dry, client.Apply, client.DryRunAll, client.ForceOwnership, client.FieldOwner(mgr))
	if err != nil {
		e.Op, e.Note = Failed, "the API server refused the dry run: "+err.Error()
		return e, true, nil
	}
	if !exists {
		return e, true, nil
	}
	fields, err := compare(live, dry, mgr, gvk.Kind == "Secret" && gvk.Group == "")
	if err != nil {
		return Entry{}, false, fmt.Errorf("%s: %w", e.Subject, err)
	}
	if len(fields) == 0 {
		return Entry{}, false, nil
	}
	e.Op, e.Fields = Drift, fields
	return e, true, nil
}

// engineOf is the engine whose Apply entry the live object records, the
// first of engines; "" when none applied it.
func engineOf(u *unstructured.Unstructured) string {
	for _, want := range engines {
		for _, mf := range u.GetManagedFields() {
			if mf.Manager == want && mf.Operation == metav1.ManagedFieldsOperationApply {
				return want
			}
		}
	}
	return ""
}

// fieldsOf is the union of the managedFields sets that match.
func fieldsOf(u *unstructured.Unstructured, match func(metav1.ManagedFieldsEntry) bool) (*fieldpath.Set, error) {
	set := &fieldpath.Set{}
	for _, mf := range u.GetManagedFields() {
		if !match(mf) || mf.FieldsV1 == nil || mf.Subresource != "" {
			continue
		}
		s := &fieldpath.Set{}
		if err := s.FromJSON(bytes.NewReader(mf.FieldsV1.Raw)); err != nil {
			return nil, fmt.Errorf("managedFields of %s: %w", mf.Manager, err)
		}
		set = set.Union(s)
	}
	return set, nil
}

// compare lists the fields mgr sets whose live and dry-run values differ,
// leaving out those another manager took over.
func compare(live, dry *unstructured.Unstructured, mgr string, secret bool) ([]Field, error) {
	isMgr := func(mf metav1.ManagedFieldsEntry) bool {
		return mf.Manager == mgr && mf.Operation == metav1.ManagedFieldsOperationApply
	}
	want, err := fieldsOf(dry, isMgr)
	if err != nil {
		return nil, err
	}
	had, err := fieldsOf(live, isMgr)
	if err != nil {
		return nil, err
	}
	others, err := fieldsOf(live, func(mf metav1.ManagedFieldsEntry) bool { return controllers[mf.Manager] != "" })
	if err != nil {
		return nil, err
	}
	taken := others.Difference(had)
	check := want.Union(had).Leaves().Difference(taken)

	var out []Field
	check.Iterate(func(p fieldpath.Path) {
		if len(p) > 0 && p[0].FieldName != nil && (*p[0].FieldName == "status" || (*p[0].FieldName == "metadata" && len(p) > 1 && p[1].FieldName != nil && *p[1].FieldName == "managedFields")) {
			return
		}
		lv, lok := valueAt(live.Object, p)
		dv, dok := valueAt(dry.Object, p)
		if s, ok := dv.(string); ok && s == hydrate.Placeholder {
			// Hydrate replaced a generated value (a webhook caBundle, Secret
			// data); the cluster keeps its own.
			return
		}
		if lok == dok && equal(lv, dv) {
			return
		}
		f := Field{Path: p.String(), Live: show(lv, lok), Tree: show(dv, dok)}
		if secret {
			f.Live, f.Tree = mask(lok), mask(dok)
		}
		out = append(out, f)
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func mask(present bool) string {
	if present {
		return "(masked)"
	}
	return "(none)"
}

func show(v any, ok bool) string {
	if !ok {
		return "(none)"
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			return "{}"
		}
		return "{…}"
	case []any:
		return fmt.Sprintf("[%d items]", len(x))
	case string:
		return fmt.Sprintf("%q", x)
	}
	return fmt.Sprint(v)
}

// equal compares decoded JSON values, treating int64 and float64 alike.
func equal(a, b any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	return fmt.Sprint(a) == fmt.Sprint(b) && reflect.TypeOf(a) != reflect.TypeOf(b) && isNumber(a) && isNumber(b)
}

func isNumber(v any) bool {
	switch v.(type) {
	case int64, float64, int, int32:
		return true
	}
	return false
}

// valueAt follows a managedFields path through an unstructured object:
// field names into maps, keys and values into lists.
func valueAt(obj map[string]any, p fieldpath.Path) (any, bool) {
	var cur any = obj
	for _, pe := range p {
		switch {
		case pe.FieldName != nil:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[*pe.FieldName]; !ok {
				return nil, false
			}
		case pe.Key != nil:
			l, ok := cur.([]any)
			if !ok {
				return nil, false
			}
			found := false
			for _, el := range l {
				m, ok := el.(map[string]any)
				if !ok {
					continue
				}
				match := true
				for _, f := range *pe.Key {
					if !equal(m[f.Name], f.Value.Unstructured()) {
						match = false
						break
					}
				}
				if match {
					cur, found = el, true
					break
				}
			}
			if !found {
				return nil, false
			}
		case pe.Value != nil:
			l, ok := cur.([]any)
			if !ok {
				return nil, false
			}
			want := (*pe.Value).Unstructured()
			found := false
			for _, el := range l {
				if equal(el, want) {
					cur, found = el, true
					break
				}
			}
			if !found {
				return nil, false
			}
		case pe.Index != nil:
			l, ok := cur.([]any)
			if !ok || *pe.Index >= len(l) {
				return nil, false
			}
			cur = l[*pe.Index]
		}
	}
	return cur, true
}

// risk flags the live changes that need attention, in diff's categories.
func risk(e Entry) string {
	kind, _, _ := strings.Cut(e.Subject, "/")
	switch e.Op {
	case Prune:
		switch kind {
		case "PersistentVolumeClaim", "StatefulSet", "Namespace", "StorageClass", "PersistentVolume":
			return "data: pruning it deletes or orphans volumes"
		case "Service":
			return "network: pruning it deletes its load balancer"
		}
	case Drift:
		for _, f := range e.Fields {
			switch {
			case (kind == "Deployment" || kind == "StatefulSet" || kind == "DaemonSet") && strings.HasPrefix(f.Path, ".spec.template"):
				return "availability: applying it rolls the pods"
			case kind == "Service" && (strings.HasPrefix(f.Path, ".spec.loadBalancerSourceRanges") || strings.Contains(f.Path, "aws-load-balancer-scheme")):
				return "network: applying it changes who reaches the load balancer"
			case (kind == "Deployment" || kind == "StatefulSet") && f.Path == ".spec.replicas" && f.Tree == "1":
				return "availability: applying it leaves one replica"
			}
		}
	}
	return ""
}
