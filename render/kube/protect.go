package kube

import (
	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/model"
)

// Flux's per-object annotations (kustomize-controller): an object labelled
// or annotated prune: disabled is never deleted by garbage collection, not
// when it leaves the tree and not when its Kustomization is deleted; one
// annotated force: enabled is deleted and recreated when an apply fails on
// an immutable field.
const (
	FluxPruneAnnotation = "kustomize.toolkit.fluxcd.io/prune"
	FluxPruneDisabled   = "disabled"
	FluxForceAnnotation = "kustomize.toolkit.fluxcd.io/force"
	FluxForceEnabled    = "enabled"
)

// Object names one object of the rendered tree.
type Object struct {
	APIVersion, Kind, Namespace, Name string
}

// Protected are the objects no GitOps engine may ever delete: the Milvus
// Namespace, because deleting it deletes etcd's volume claims, and S3 data
// without etcd's metadata cannot be attached to a new cluster. Every
// engine maps this one list to its own mechanism: Flux's prune: disabled
// (written here), Argo CD's Prune=false sync option.
//
// etcd's PersistentVolumeClaims are not listed: the StatefulSet controller
// creates them from volumeClaimTemplates, so no engine's inventory holds
// them, and annotating the templates would change an immutable
// StatefulSet field and fail the Helm upgrade of every existing release.
// They live as long as the Namespace (the chart keeps the StatefulSet's
// claims on delete), and the StorageClass's reclaim policy decides whether
// the EBS volume outlives its claim.
func Protected(s *model.Spec) []Object {
	return []Object{{APIVersion: "v1", Kind: "Namespace", Name: s.Milvus.Namespace}}
}

// Replaced are the objects whose immutable fields follow the spec, so an
// engine deletes and recreates them when those change instead of failing
// the apply: the StorageClass (parameters, reclaim policy). Flux's
// force: enabled is written here; Argo CD's equivalent is the
// Replace=true sync option. Recreating a StorageClass leaves the volumes
// it provisioned as they are (internal/diff says so when it happens).
func Replaced(s *model.Spec) []Object {
	return []Object{{APIVersion: "storage.k8s.io/v1", Kind: "StorageClass", Name: s.Storage.StorageClass.Name}}
}

// Argo CD's per-object sync options (argocd.argoproj.io/sync-options):
// Prune=false keeps an object that leaves the tree, Delete=false keeps it
// when its Application is deleted; Force=true,Replace=true deletes and
// recreates an object whose change the API server refuses (Replace=true
// alone is a PUT, which immutable fields refuse too).
const (
	ArgoCDKeep    = "Prune=false,Delete=false"
	ArgoCDReplace = "Force=true,Replace=true"
)

// engineAnnotations are the annotations of the spec's GitOps engine for
// the object from the lists above, or nil.
func engineAnnotations(s *model.Spec, o Object) map[string]string {
	var out map[string]string
	set := func(k, v string) {
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	argo := s.UsesArgoCD()
	for _, p := range Protected(s) {
		switch {
		case p != o:
		case argo:
			set(v1alpha1.SyncOptionsAnnotation, ArgoCDKeep)
		default:
			set(FluxPruneAnnotation, FluxPruneDisabled)
		}
	}
	for _, r := range Replaced(s) {
		switch {
		case r != o:
		case argo:
			set(v1alpha1.SyncOptionsAnnotation, ArgoCDReplace)
		default:
			set(FluxForceAnnotation, FluxForceEnabled)
		}
	}
	return out
}
