package kustomize

import (
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
)

// The tree's own root is where `flux bootstrap --path` (and the README's
// `-o clusters/<cluster>`) points Flux. A folder without a kustomization.yaml
// makes Flux's kustomize-controller generate one over every YAML file below
// it: the eksctl ClusterConfig, the hydrated charts, the scripts' folder. So
// the root holds a kustomization.yaml of its own, which Flux then uses as
// is, and a .sourceignore that keeps aws/ and hydrated/ out of the artifact
// source-controller builds.
const (
	// TreeRoot is the tree's root directory.
	TreeRoot = "."
	// SourceIgnoreFile is source-controller's ignore file (gitignore rules,
	// relative to the folder holding it).
	SourceIgnoreFile = ".sourceignore"
	// AWSDir and HydratedDir hold what no engine applies: the eksctl config,
	// IAM documents and scripts, and the charts' rendered output for review.
	AWSDir      = "aws"
	HydratedDir = "hydrated"
)

// EntryResources is what an engine pointed at the tree's root must apply:
// the sync objects when there is a Git repository to sync from (they apply
// kubernetes/ themselves, in order), the AppProject and root Application
// for Argo CD, and otherwise the kubernetes/ roots directly.
func EntryResources(s *model.Spec) []string {
	switch {
	case s.UsesArgoCDHub():
		return []string{InfrastructureDir, AppsDir}
	case s.UsesArgoCD():
		return []string{ArgoCDDir}
	case s.HasGitRepository():
		return []string{FluxDir}
	default:
		return []string{InfrastructureDir, AppsDir}
	}
}

// renderTreeRoot returns the root's kustomization.yaml and .sourceignore.
func renderTreeRoot(s *model.Spec) ([]manifest.File, error) {
	k, err := manifest.YAML(KustomizationFile, buildKustomization(Root{Dir: TreeRoot, Resources: EntryResources(s)}))
	if err != nil {
		return nil, err
	}
	// Anchored with a leading slash: only the tree's own folders, not a
	// folder of that name deeper down.
	ignore := manifest.File{
		Path: SourceIgnoreFile,
		Data: []byte("# " + manifest.Header + "\n" +
			"# Not for the cluster: eksctl, IAM and scripts; charts rendered for review.\n" +
			"/" + AWSDir + "/\n/" + HydratedDir + "/\n"),
		Mode: 0o644,
	}
	return []manifest.File{k, ignore}, nil
}
