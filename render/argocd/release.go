package argocd

import (
	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
)

// HelmRelease states the release an Application with a Helm source
// installs as the Flux HelmRelease that would install the same: the chart
// at its pinned version, the release name, the destination namespace and
// the values. It is nil for an Application of a Git path. Readers of
// rendered trees (hydrate, verify, the end-to-end tests) use it to handle
// both engines' releases the same way.
func HelmRelease(app *v1alpha1.Application) *helmv2.HelmRelease {
	src := app.Spec.Source
	if src == nil || src.Chart == "" {
		return nil
	}
	hr := &helmv2.HelmRelease{
		TypeMeta:   metav1.TypeMeta{APIVersion: helmv2.GroupVersion.String(), Kind: helmv2.HelmReleaseKind},
		ObjectMeta: metav1.ObjectMeta{Name: app.Name, Namespace: app.Spec.Destination.Namespace},
		Spec: helmv2.HelmReleaseSpec{
			ReleaseName: app.Name,
			Chart:       &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{Chart: src.Chart, Version: src.TargetRevision}},
		},
	}
	if h := src.Helm; h != nil {
		if h.ReleaseName != "" {
			hr.Spec.ReleaseName = h.ReleaseName
		}
		hr.Spec.Values = h.ValuesObject
	}
	return hr
}
