package flux

import (
	"fmt"
	"time"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// Render returns the Flux object files in a fixed order: the LB controller
// release, the Milvus release and, when s has a Git repository, the
// GitRepository and the Kustomizations. An invalid gitops.interval is an
// error.
func Render(s *model.Spec) ([]manifest.File, error) {
	interval, err := time.ParseDuration(s.GitOps.Interval)
	if err != nil || interval <= 0 {
		return nil, fmt.Errorf("gitops.interval: %q is not a positive duration such as 10m", s.GitOps.Interval)
	}
	type file struct {
		path string
		objs []any
	}
	lbRepo, lbRelease, err := buildLBController(s, interval)
	if err != nil {
		return nil, err
	}
	milvusRepo, milvusRelease, err := buildMilvus(s, interval)
	if err != nil {
		return nil, err
	}
	plan := []file{
		{kustomize.Path(kustomize.InfrastructureDir, kustomize.LBControllerFile), []any{lbRepo, lbRelease}},
		{kustomize.Path(kustomize.AppsDir, kustomize.MilvusFile), []any{milvusRepo, milvusRelease}},
	}
	if s.HasGitRepository() {
		plan = append(plan,
			file{kustomize.Path(kustomize.FluxDir, kustomize.GitRepositoryFile), []any{buildGitRepository(s)}},
			file{kustomize.Path(kustomize.FluxDir, kustomize.KustomizationsFile), []any{
				buildInfrastructureKustomization(s, interval),
				buildAppsKustomization(s, interval),
			}},
		)
	}
	files := make([]manifest.File, 0, len(plan))
	for _, p := range plan {
		f, err := manifest.YAML(p.path, p.objs...)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}
