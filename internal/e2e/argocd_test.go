package e2e

import (
	"testing"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/consumer"
	"github.com/milvusgen/milvusgen/render/argocd"
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
	if !ok || argocd.HelmRelease(app) == nil {
		return release{}, false
	}
	hr := argocd.HelmRelease(app)
	return release{file, hr}, true
}
