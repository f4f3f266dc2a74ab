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
	type file = manifest.Planned
	lbRepo, lbRelease, err := buildLBController(s, interval)
	if err != nil {
		return nil, err
	}
	milvusRepo, milvusRelease, err := buildMilvus(s, interval)
	if err != nil {
		return nil, err
	}
	plan := []file{
		{Path: kustomize.Path(kustomize.InfrastructureDir, kustomize.LBControllerFile), Objs: []any{lbRepo, lbRelease}},
		{Path: kustomize.Path(kustomize.AppsDir, kustomize.MilvusFile), Objs: []any{milvusRepo, milvusRelease}},
	}
	if s.HasGitRepository() {
		plan = append(plan,
			file{Path: kustomize.Path(kustomize.FluxDir, kustomize.GitRepositoryFile), Objs: []any{buildGitRepository(s)}},
			file{Path: kustomize.Path(kustomize.FluxDir, kustomize.KustomizationsFile), Objs: []any{
				buildInfrastructureKustomization(s, interval),
				buildAppsKustomization(s, interval),
			}},
		)
	}
	return manifest.YAMLFiles(plan)
}
