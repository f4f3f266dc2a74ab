package livediff

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/fluxcd/cli-utils/pkg/object"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Annotations by which an engine keeps an object it would otherwise prune.
const (
	fluxPrune      = "kustomize.toolkit.fluxcd.io/prune"
	argoSyncOption = "argocd.argoproj.io/sync-options"
	helmPolicy     = "helm.sh/resource-policy"
)

// prunable lists the objects the engines applied before that the tree no
// longer has: the inventories of the tree's Flux Kustomizations
// (status.inventory) and the resources of its Argo CD Applications
// (status.resources). Objects an engine keeps (prune disabled, Prune=false,
// helm.sh/resource-policy: keep) are left out, as the engine leaves them.
func prunable(ctx context.Context, c client.Client, objs []Object, inTree map[string]bool) ([]Entry, error) {
	var out []Entry
	seen := map[string]bool{}
	for _, o := range objs {
		gvk := o.Object.GroupVersionKind()
		var ids []item
		var err error
		switch {
		case gvk.Group == "kustomize.toolkit.fluxcd.io" && gvk.Kind == "Kustomization":
			ids, err = fluxInventory(ctx, c, o.Object)
		case gvk.Group == "argoproj.io" && gvk.Kind == "Application":
			ids, err = argoResources(ctx, c, o.Object)
		default:
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, it := range ids {
			key := it.gk.Group + "/" + it.gk.Kind + "/" + it.namespace + "/" + it.name
			if inTree[key] || seen[key] {
				continue
			}
			seen[key] = true
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(it.gk.WithVersion(it.version))
			err := c.Get(ctx, client.ObjectKey{Namespace: it.namespace, Name: it.name}, u)
			switch {
			case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
				continue // already gone
			case err != nil:
				return nil, fmt.Errorf("%s %s: reading %s/%s: %w", gvk.Kind, o.Object.GetName(), it.gk.Kind, it.name, err)
			}
			if kept(u) {
				continue
			}
			out = append(out, Entry{Op: Prune, Subject: subject(u), Manager: engineOf(u),
				Note: fmt.Sprintf("in the inventory of %s %s/%s, no longer in the tree", gvk.Kind, o.Object.GetNamespace(), o.Object.GetName())})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Subject < out[j].Subject })
	return out, nil
}

// kept reports whether an engine leaves the object when pruning.
func kept(u *unstructured.Unstructured) bool {
	a := u.GetAnnotations()
	return a[fluxPrune] == "disabled" || a[helmPolicy] == "keep" ||
		strings.Contains(a[argoSyncOption], "Prune=false")
}

type item struct {
	gk                       schema.GroupKind
	version, namespace, name string
}

// fluxInventory reads a Kustomization's status.inventory.entries: ids in
// cli-utils' ObjMetadata format and each object's version.
func fluxInventory(ctx context.Context, c client.Client, ks *unstructured.Unstructured) ([]item, error) {
	live, ok, err := getLive(ctx, c, ks)
	if err != nil || !ok {
		return nil, err
	}
	entries, _, _ := unstructured.NestedSlice(live.Object, "status", "inventory", "entries")
	var out []item
	for _, e := range entries {
		m, _ := e.(map[string]any)
		idStr, _ := m["id"].(string)
		v, _ := m["v"].(string)
		om, err := object.ParseObjMetadata(idStr)
		if err != nil {
			return nil, fmt.Errorf("Kustomization %s/%s: inventory entry %q: %w", ks.GetNamespace(), ks.GetName(), idStr, err)
		}
		out = append(out, item{gk: om.GroupKind, version: v, namespace: om.Namespace, name: om.Name})
	}
	return out, nil
}

// argoResources reads an Application's status.resources.
func argoResources(ctx context.Context, c client.Client, app *unstructured.Unstructured) ([]item, error) {
	live, ok, err := getLive(ctx, c, app)
	if err != nil || !ok {
		return nil, err
	}
	res, _, _ := unstructured.NestedSlice(live.Object, "status", "resources")
	var out []item
	for _, r := range res {
		m, _ := r.(map[string]any)
		s := func(k string) string { v, _ := m[k].(string); return v }
		out = append(out, item{gk: schema.GroupKind{Group: s("group"), Kind: s("kind")}, version: s("version"), namespace: s("namespace"), name: s("name")})
	}
	return out, nil
}

// getLive reads the live counterpart of an object; ok is false when the
// cluster lacks it or its kind.
func getLive(ctx context.Context, c client.Client, u *unstructured.Unstructured) (*unstructured.Unstructured, bool, error) {
	live := &unstructured.Unstructured{}
	live.SetGroupVersionKind(u.GroupVersionKind())
	err := c.Get(ctx, client.ObjectKeyFromObject(u), live)
	switch {
	case apierrors.IsNotFound(err), meta.IsNoMatchError(err):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return live, true, nil
}
