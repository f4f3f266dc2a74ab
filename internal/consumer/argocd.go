package consumer

import (
	"fmt"
	"sync"

	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/shared"
)

// ArgoCDCRDs returns the validator for the Argo CD v3.5.1 CRDs in
// ../shared/crds/argocd (Application, AppProject, ApplicationSet), built
// once per process.
var ArgoCDCRDs = sync.OnceValues(func() (*CRDs, error) {
	dir, err := shared.Path("crds", "argocd")
	if err != nil {
		return nil, err
	}
	return LoadCRDs(dir)
})

// newArgoCD returns an empty object of an Argo CD kind milvusgen renders,
// or nil.
func newArgoCD(kind string) any {
	switch kind {
	case v1alpha1.ApplicationKind:
		return &v1alpha1.Application{}
	case v1alpha1.AppProjectKind:
		return &v1alpha1.AppProject{}
	case v1alpha1.ApplicationSetKind:
		return &v1alpha1.ApplicationSet{}
	}
	return nil
}

// ArgoCD decodes one YAML document strictly into milvusgen's Argo CD type
// (internal/api/argocd/v1alpha1: a field the type lacks fails) and validates it
// against the Argo CD CRDs (a field the CRD lacks, which the API server
// would prune, fails too). It returns the typed object, with every
// problem in one error naming the object; the object is returned with the
// error when it decoded at all.
func (c *CRDs) ArgoCD(doc []byte) (any, error) {
	return c.decode(doc, "an Argo CD kind", func(apiVersion, kind string) any {
		if apiVersion != v1alpha1.APIVersion {
			return nil
		}
		return newArgoCD(kind)
	})
}

// Application renders the Helm source of app the way Argo CD's repo
// server would for a cluster of kubeVersion: chart spec.source.chart at
// spec.source.targetRevision from ../shared/charts, release name
// spec.source.helm.releaseName (or the Application's name), namespace
// spec.destination.namespace, values spec.source.helm.valuesObject.
func Application(app *v1alpha1.Application, kubeVersion string) (Manifest, error) {
	id := ID(v1alpha1.ApplicationKind, app.Namespace, app.Name)
	src := app.Spec.Source
	if src == nil || src.Chart == "" {
		return nil, fmt.Errorf("%s: spec.source is not a Helm chart", id)
	}
	a, err := Chart(src.Chart, src.TargetRevision)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	release := app.Name
	vals := map[string]any{}
	if h := src.Helm; h != nil {
		if h.ReleaseName != "" {
			release = h.ReleaseName
		}
		if h.ValuesObject != nil {
			if err := utiljson.Unmarshal(h.ValuesObject.Raw, &vals); err != nil {
				return nil, fmt.Errorf("%s: spec.source.helm.valuesObject decoding failed: %w", id, err)
			}
		}
	}
	m, err := a.Render(Release{Name: release, Namespace: app.Spec.Destination.Namespace, KubeVersion: kubeVersion, Values: vals})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", id, err)
	}
	return m, nil
}
