package fleet

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/milvusgen/milvusgen/internal/writer"
)

// FluxPathWarnings looks below the tree in dir for what breaks when Flux
// is pointed at it: another milvusgen tree (the tree's Flux path is then a
// parent of that tree), and flux bootstrap's own flux-system folder, which
// the tree's kustomization.yaml does not list. Flux uses a folder's
// kustomization.yaml as is and generates one only where there is none,
// listing every subfolder that holds a kustomization.yaml; so a parent of
// trees cannot be made safe, and a folder the tree's kustomization.yaml
// leaves out is pruned. A missing dir gives no warnings.
func FluxPathWarnings(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return filepath.SkipAll
			}
			return err
		}
		if !d.IsDir() || p == dir {
			return nil
		}
		if d.Name() == ".git" {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if rel == "flux-system" {
			out = append(out, fmt.Sprintf("%s holds flux bootstrap's flux-system/, which the tree's kustomization.yaml does not list: Flux pointed at %s would prune itself; render the tree into a subfolder (-o %s/milvus) and keep Flux's path at %s (see docs/platform.md)", dir, dir, dir, dir))
			return filepath.SkipDir
		}
		if _, err := os.Stat(filepath.Join(p, writer.ManifestName)); err == nil {
			out = append(out, fmt.Sprintf("%s is a parent of another milvusgen tree, %s: pointing Flux at a folder above a tree applies what that folder lists or, without a kustomization.yaml, every tree below it; render the trees side by side and point each cluster's Flux at its own tree (see docs/platform.md)", dir, filepath.ToSlash(filepath.Join(dir, rel))))
			return filepath.SkipDir
		}
		return nil
	})
	return out, err
}
