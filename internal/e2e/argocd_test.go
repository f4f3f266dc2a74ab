package e2e

import (
	"testing"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/render/argocd/v1alpha1"
)

// argoCDRelease checks one Argo CD object against the v3.5.1 CRDs and,
// for an Application with a Helm source, returns the release it installs
// stated as the HelmRelease the Flux engine would render, so the Helm SDK
// checks run the same on both engines' trees.
func argoCDRelease(t *testing.T, file string, i int, doc []byte) (release, bool) {
	t.Helper()
	crds, err := consumer.ArgoCDCRDs()
	if err != nil {
		t.Fatal(err)
	}
	o, err := crds.ArgoCD(doc)
	if err != nil {
		t.Errorf("%s #%d: %v", file, i, err)
	}
	app, ok := o.(*v1alpha1.Application)
	if !ok || app.Spec.Source == nil || app.Spec.Source.Chart == "" {
		return release{}, false
	}
	src := app.Spec.Source
	hr := &helmv2.HelmRelease{
		ObjectMeta: metav1.ObjectMeta{Name: app.Name, Namespace: app.Spec.Destination.Namespace},
		Spec: helmv2.HelmReleaseSpec{
			Chart: &helmv2.HelmChartTemplate{Spec: helmv2.HelmChartTemplateSpec{Chart: src.Chart, Version: src.TargetRevision}},
		},
	}
	if src.Helm != nil {
		hr.Spec.ReleaseName = src.Helm.ReleaseName
		hr.Spec.Values = src.Helm.ValuesObject
	}
	return release{file, hr}, true
}
