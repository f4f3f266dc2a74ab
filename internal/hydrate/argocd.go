package hydrate

import (
	"fmt"
	"strings"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"
	"sigs.k8s.io/yaml"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/chart"
	"github.com/milvusgen/milvusgen/render/argocd"
)

// This file adapts Argo CD Applications with a Helm source to the Release
// the rest of the package hydrates: it extracts the chart, its pinned
// version and repository, the release name, the destination namespace and
// the values, and states them as the HelmRelease helm-controller would
// install the same way (CRDs included, as Argo CD applies them).

func isApplication(apiVersion, kind string) bool {
	return kind == v1alpha1.ApplicationKind && strings.HasPrefix(apiVersion, v1alpha1.Group+"/")
}

// applicationRelease reads one Application document. ok is false for an
// Application that installs no chart (one syncing a Git path).
func applicationRelease(path string, doc []byte) (rel Release, ok bool, err error) {
	var head struct {
		APIVersion string `json:"apiVersion"`
	}
	_ = yaml.Unmarshal(doc, &head)
	if head.APIVersion != v1alpha1.APIVersion {
		return Release{}, false, fmt.Errorf("%s: Application %s is not supported; want %s", path, head.APIVersion, v1alpha1.APIVersion)
	}
	app := &v1alpha1.Application{}
	if err := yaml.Unmarshal(doc, app); err != nil {
		return Release{}, false, fmt.Errorf("%s: Application does not decode: %w", path, err)
	}
	src := app.Spec.Source
	if src == nil || src.Chart == "" {
		return Release{}, false, nil
	}
	subject := fmt.Sprintf("%s: Application %s/%s", path, app.Namespace, app.Name)
	if strings.ContainsAny(src.TargetRevision, "^~<>=*|, ") || src.TargetRevision == "" {
		return Release{}, false, fmt.Errorf("%s: chart version %q is not pinned; hydrate needs an exact version", subject, src.TargetRevision)
	}
	hr := argocd.HelmRelease(app)
	// Argo CD applies the chart's CRDs with the release.
	hr.Spec.Install = &helmv2.Install{CRDs: helmv2.Create}
	return Release{
		Path:        path,
		HelmRelease: hr,
		Chart:       chart.Ref{Repository: src.RepoURL, Name: src.Chart, Version: src.TargetRevision},
		Application: app,
	}, true, nil
}

// applicationInput describes an Application's release as Argo CD
// installs it: the chart's CRDs included, hooks run, and no origin labels
// (Argo CD tracks its objects by an annotation it sets when it applies
// them).
func (r Release) applicationInput() Input {
	hr := r.HelmRelease
	in := Input{
		Origin:      "Application " + r.Application.Namespace + "/" + r.Application.Name,
		Chart:       r.Chart,
		ReleaseName: hr.Spec.ReleaseName,
		Namespace:   hr.Namespace,
		Values:      hr.GetValues(),
		Labels:      map[string]string{},
	}
	if in.Values == nil {
		in.Values = map[string]any{}
	}
	return in
}
