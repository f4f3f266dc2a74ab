package diff

import (
	"strings"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
)

// This file makes the rules that read HelmReleases read Argo CD
// Applications with a Helm source too: such an Application is shown to
// them as the HelmRelease it stands for (spec.source.helm.valuesObject as
// spec.values, spec.source.chart as spec.chart.spec.chart), and the flags
// they raise are turned back into the Application's field paths and Argo
// CD's words. It also flags a change of GitOps engine.

const (
	appValues     = "/spec/source/helm/valuesObject"
	releaseValues = "/spec/values"
)

func isApplication(c *Change) bool { return is(c, v1alpha1.Group, v1alpha1.ApplicationKind) }

// isHelmApplication reports whether an Application document installs a
// chart.
func isHelmApplication(obj map[string]any) bool { return str(obj, "spec", "source", "chart") != "" }

// asHelmRelease is the HelmRelease-shaped view of an Application with a
// Helm source, or nil.
func asHelmRelease(obj map[string]any) map[string]any {
	if obj == nil || !isHelmApplication(obj) {
		return nil
	}
	values, _ := get(obj, "spec", "source", "helm", "valuesObject")
	spec := map[string]any{"chart": map[string]any{"spec": map[string]any{
		"chart": str(obj, "spec", "source", "chart"), "version": str(obj, "spec", "source", "targetRevision"),
	}}}
	if values != nil {
		spec["values"] = values
	}
	return map[string]any{"metadata": obj["metadata"], "spec": spec}
}

// flagAll runs the rules on one change; an Application with a Helm source
// is flagged as its HelmRelease would be.
func flagAll(c *Change, old, new map[string]any) []Flag {
	if !isApplication(c) || !(isHelmApplication(old) || isHelmApplication(new)) {
		return flag(c, old, new)
	}
	hc := *c
	hc.ID.Group, hc.ID.Kind = "helm.toolkit.fluxcd.io", "HelmRelease"
	hc.Fields = nil
	for _, f := range c.Fields {
		if rest, ok := strings.CutPrefix(f.Path, appValues); ok {
			f.Path = releaseValues + rest
		}
		hc.Fields = append(hc.Fields, f)
	}
	out := flag(&hc, asHelmRelease(old), asHelmRelease(new))
	for i := range out {
		if rest, ok := strings.CutPrefix(out[i].Field, releaseValues); ok {
			out[i].Field = appValues + rest
		}
		out[i].Reason = strings.ReplaceAll(out[i].Reason, "Flux uninstalls Helm release", "Argo CD deletes Application")
	}
	return out
}

// engine is the GitOps engine a tree's objects belong to: "Flux", "Argo
// CD", or "" when it has neither.
func engine(r *Report, old bool) string {
	for _, c := range r.Changes {
		if (old && c.Op == Added) || (!old && c.Op == Removed) {
			continue
		}
		switch {
		case strings.HasSuffix(c.ID.Group, ".toolkit.fluxcd.io"):
			return "Flux"
		case c.ID.Group == v1alpha1.Group:
			return "Argo CD"
		}
	}
	return ""
}

// flagEngineChange flags a tree whose GitOps engine changed, once: the
// old engine's objects are removed and the new one's added, so both
// engines act on the same releases during the switch.
func flagEngineChange(r *Report) {
	a, b := engine(r, true), engine(r, false)
	if a == "" || b == "" || a == b {
		return
	}
	for i, c := range r.Changes {
		if c.Op != Removed || (!strings.HasSuffix(c.ID.Group, ".toolkit.fluxcd.io") && c.ID.Group != v1alpha1.Group) {
			continue
		}
		// Once, on the first of the old engine's objects to go.
		r.Changes[i].Flags = append(r.Changes[i].Flags, Flag{Availability, "", "GitOps engine " + a + " → " + b +
			": removing the " + a + " objects makes " + a + " uninstall the releases " + b + " is to install; hand the releases over first " +
			"(suspend " + a + ", delete its objects without their workloads, then bootstrap " + b + ")"})
		return
	}
}

// argoCDWords rewrites the flags written for Flux where the new tree is
// Argo CD's: Argo CD never prunes the Milvus namespace (it is annotated
// Prune=false), but Milvus then starts in another namespace without its
// etcd data; and it is Argo CD's sync that fails on an immutable field.
func argoCDWords(r *Report) {
	if engine(r, false) != "Argo CD" {
		return
	}
	for i := range r.Changes {
		c := &r.Changes[i]
		for j := range c.Flags {
			f := &c.Flags[j]
			switch {
			case strings.HasPrefix(f.Reason, "Flux prunes Namespace "):
				f.Reason = "Namespace " + c.ID.Name + " leaves the tree: Argo CD keeps it (Prune=false) with etcd's volume claims, " +
					"but a Milvus installed anywhere else starts without that metadata; delete it deliberately once its data is moved"
			case strings.Contains(f.Reason, "Flux's apply fails"):
				f.Reason = strings.ReplaceAll(f.Reason, "Flux's apply fails", "Argo CD's sync fails")
			}
		}
	}
}
