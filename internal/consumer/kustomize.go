package consumer

import (
	"fmt"
	"path"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/milvusgen/milvusgen/internal/manifest"
)

// Kustomize builds the kustomization root dir of a rendered tree with
// krusty on an in-memory file system, the way kustomize-controller and
// `kubectl apply -k` do, and returns the objects it yields. Paths are the
// files' slash-separated paths relative to the tree's root; nothing is read
// from disk.
func Kustomize(files []manifest.File, dir string) (resmap.ResMap, error) {
	fSys := filesys.MakeFsInMemory()
	for _, f := range files {
		if err := fSys.WriteFile("/"+f.Path, f.Data); err != nil {
			return nil, fmt.Errorf("%s: writing to the in-memory file system failed: %w", f.Path, err)
		}
	}
	// path.Join cleans the tree's own root ("." ) to "/".
	m, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fSys, path.Join("/", dir))
	if err != nil {
		return nil, fmt.Errorf("kustomize build %s failed: %w", dir, err)
	}
	return m, nil
}
