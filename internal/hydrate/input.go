package hydrate

import (
	"fmt"

	helmv2 "github.com/fluxcd/helm-controller/api/v2"

	"github.com/milvusgen/milvusgen/internal/chart"
)

// Input is one release to hydrate, whatever declared it: a Flux
// HelmRelease (Release.Input), or another tool's Helm source.
type Input struct {
	// Origin names the declaration in messages and in the file's header,
	// e.g. "HelmRelease flux-system/lbc".
	Origin string
	// Chart is the pinned chart.
	Chart chart.Ref
	// ReleaseName and Namespace are the Helm release's.
	ReleaseName, Namespace string
	// Values are coalesced with the chart's defaults by Helm.
	Values map[string]any
	// SkipCRDs leaves out the charts' crds/ directories.
	SkipCRDs bool
	// DisableHooks leaves out every hook; test hooks are always left out.
	DisableHooks bool
	// Labels and Annotations are put on every object except CRDs and hooks,
	// as helm-controller's post-renderers put its origin labels and
	// spec.commonMetadata.
	Labels, Annotations map[string]string
}

// Input describes the HelmRelease for hydration as helm-controller
// installs it: spec.releaseName, else [targetNamespace-]name;
// spec.targetNamespace, else metadata.namespace; install.crds and
// install.disableHooks; commonMetadata and the origin labels. It refuses
// what cannot be hydrated offline.
func (r Release) Input() (Input, error) {
	if r.Application != nil {
		return r.applicationInput(), nil
	}
	hr := r.HelmRelease
	if hr.Spec.PostRenderers != nil {
		return Input{}, fmt.Errorf("spec.postRenderers are not supported by hydrate")
	}
	if len(hr.Spec.ValuesFrom) > 0 {
		// The referenced ConfigMaps and Secrets live in the cluster; a
		// file rendered without them would differ from what Flux installs.
		return Input{}, fmt.Errorf("spec.valuesFrom reads values from the cluster and cannot be hydrated")
	}
	inst := hr.GetInstall()
	in := Input{
		Origin:       fmt.Sprintf("%s %s/%s", helmv2.HelmReleaseKind, hr.Namespace, hr.Name),
		Chart:        r.Chart,
		ReleaseName:  hr.GetReleaseName(),
		Namespace:    hr.GetReleaseNamespace(),
		Values:       hr.GetValues(),
		SkipCRDs:     inst.CRDs == helmv2.Skip,
		DisableHooks: inst.DisableHooks,
		Labels:       map[string]string{},
	}
	if in.Values == nil {
		in.Values = map[string]any{}
	}
	if cm := hr.Spec.CommonMetadata; cm != nil {
		for k, v := range cm.Labels {
			in.Labels[k] = v
		}
		if len(cm.Annotations) > 0 {
			in.Annotations = map[string]string{}
			for k, v := range cm.Annotations {
				in.Annotations[k] = v
			}
		}
	}
	in.Labels[originName] = hr.Name
	in.Labels[originNamespace] = hr.Namespace
	return in, nil
}
