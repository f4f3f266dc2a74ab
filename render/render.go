// Package render turns a model.Spec into the whole rendered tree: the
// eksctl ClusterConfig, the IAM policies, the day-0 scripts, the Kubernetes
// manifests as a kustomize tree and the GitOps engine's objects (Flux or
// Argo CD). Each artifact family has its own package with a pure Render
// function; this package runs them in a fixed order and returns the files
// sorted by path, so the same spec always gives the same bytes.
package render

import (
	"fmt"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/argocd"
	"github.com/milvusgen/milvusgen/render/backup"
	"github.com/milvusgen/milvusgen/render/eksctl"
	"github.com/milvusgen/milvusgen/render/flux"
	"github.com/milvusgen/milvusgen/render/iam"
	"github.com/milvusgen/milvusgen/render/kube"
	"github.com/milvusgen/milvusgen/render/kustomize"
	"github.com/milvusgen/milvusgen/render/runbook"
)

// File is one rendered file.
type File = manifest.File

// renderers run in this order; the order only matters for error messages,
// the result is sorted.
var renderers = []struct {
	name string
	fn   func(*model.Spec) ([]manifest.File, error)
}{
	{"eksctl", eksctl.Render},
	{"iam", iam.Render},
	{"runbook", runbook.Render},
	{"kube", kube.Render},
	{"backup", backup.Render},
	{"gitops", gitops},
	{"kustomize", kustomize.Render},
}

// gitops renders the objects of the spec's GitOps engine: Flux's
// HelmReleases and Kustomizations, or Argo CD's Applications. Both install
// the same charts with the same values (render/values).
func gitops(s *model.Spec) ([]manifest.File, error) {
	if s.UsesArgoCD() {
		return argocd.Render(s)
	}
	return flux.Render(s)
}

// Render renders every artifact of s, sorted by path. Two renderers writing
// the same path is a bug and an error.
func Render(s *model.Spec) ([]File, error) {
	var files []File
	owner := map[string]string{}
	for _, r := range renderers {
		fs, err := r.fn(s)
		if err != nil {
			return nil, fmt.Errorf("rendering %s artifacts failed: %w", r.name, err)
		}
		for _, f := range fs {
			if o, dup := owner[f.Path]; dup {
				return nil, fmt.Errorf("%s: rendered by both %s and %s", f.Path, o, r.name)
			}
			owner[f.Path] = r.name
		}
		files = append(files, fs...)
	}
	manifest.Sort(files)
	return files, nil
}
