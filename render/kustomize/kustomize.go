package kustomize

import (
	kustypes "sigs.k8s.io/kustomize/api/types"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
)

// Render returns the kustomization.yaml of every root in [Roots], in that
// order, then the tree root's kustomization.yaml and .sourceignore. It reads
// nothing but s.
func Render(s *model.Spec) ([]manifest.File, error) {
	var files []manifest.File
	for _, r := range Roots(s) {
		f, err := manifest.YAML(Path(r.Dir, KustomizationFile), buildKustomization(r))
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	root, err := renderTreeRoot(s)
	if err != nil {
		return nil, err
	}
	return append(files, root...), nil
}

// buildKustomization lists a root's resource files. Objects carry their own
// namespaces, so the kustomization sets none.
func buildKustomization(r Root) *kustypes.Kustomization {
	return &kustypes.Kustomization{
		TypeMeta: kustypes.TypeMeta{
			APIVersion: kustypes.KustomizationVersion,
			Kind:       kustypes.KustomizationKind,
		},
		Resources: append([]string(nil), r.Resources...),
	}
}
