package kustomize

import (
	"path"
	"slices"

	"github.com/milvusgen/milvusgen/internal/model"
)

// Kustomization roots of the rendered tree, relative to the output root.
const (
	// InfrastructureDir holds cluster-wide prerequisites of Milvus.
	InfrastructureDir = "kubernetes/infrastructure"
	// AppsDir holds the Milvus application.
	AppsDir = "kubernetes/apps/milvus"
	// FluxDir holds the Flux sync objects that point the cluster at the two
	// roots above. It is applied once, by hand or by the bootstrap script.
	FluxDir = "flux"
	// ArgoCDDir holds the AppProject and, with a Git repository, the root
	// Application (engine "argocd"). It is applied once, by hand or by the
	// bootstrap script.
	ArgoCDDir = "argocd"
	// ArgoCDAppsDir holds the Applications the root Application syncs:
	// one per kustomization root under kubernetes/, in sync waves.
	ArgoCDAppsDir = "argocd/apps"
)

// File names inside the roots.
const (
	// KustomizationFile is the kustomize entry point of every root.
	KustomizationFile = "kustomization.yaml"

	// StorageClassFile (infrastructure) holds the EBS CSI StorageClass.
	StorageClassFile = "storageclass.yaml"
	// LBControllerFile (infrastructure) holds the AWS Load Balancer
	// Controller HelmRepository and HelmRelease.
	LBControllerFile = "aws-load-balancer-controller.yaml"

	// NamespaceFile (apps) holds the Milvus Namespace.
	NamespaceFile = "namespace.yaml"
	// MilvusFile (apps) holds the Milvus HelmRepository and HelmRelease.
	MilvusFile = "milvus.yaml"
	// BackupFile (apps) holds the milvus-backup ConfigMap and CronJob,
	// with a backup section only.
	BackupFile = "backup.yaml"

	// GitRepositoryFile (flux) holds the GitRepository.
	GitRepositoryFile = "gitrepository.yaml"
	// KustomizationsFile (flux) holds the Flux Kustomizations.
	KustomizationsFile = "kustomizations.yaml"

	// ProjectFile (argocd) holds the AppProject.
	ProjectFile = "project.yaml"
	// RootFile (argocd) holds the root Application.
	RootFile = "root.yaml"
	// ApplicationsFile (argocd/apps) holds the Applications of the
	// kubernetes/ roots.
	ApplicationsFile = "applications.yaml"
)

// Root is one kustomization root: a directory and the resource files its
// kustomization.yaml lists, in apply order.
type Root struct {
	Dir       string
	Resources []string
}

// Roots returns the kustomization roots rendered for s, in a fixed order.
// The sync root (flux/, or argocd/apps/ for Argo CD) exists only when s
// has a Git repository to sync from; argocd/ always exists for Argo CD,
// for the AppProject.
func Roots(s *model.Spec) []Root {
	roots := []Root{
		{Dir: InfrastructureDir, Resources: []string{StorageClassFile, LBControllerFile}},
		{Dir: AppsDir, Resources: []string{NamespaceFile, MilvusFile}},
	}
	if s.Backup != nil {
		roots[1].Resources = append(roots[1].Resources, BackupFile)
	}
	if s.UsesArgoCDHub() {
		// The hub's ApplicationSets generate the Applications; the tree
		// holds only what they sync from Git.
		roots[0].Resources = []string{StorageClassFile}
		roots[1].Resources = slices.DeleteFunc(roots[1].Resources, func(r string) bool { return r == MilvusFile })
		return roots
	}
	if s.UsesArgoCD() {
		argo := Root{Dir: ArgoCDDir, Resources: []string{ProjectFile}}
		if s.HasGitRepository() {
			argo.Resources = append(argo.Resources, RootFile)
		}
		roots = append(roots, argo)
		if s.HasGitRepository() {
			roots = append(roots, Root{Dir: ArgoCDAppsDir, Resources: []string{ApplicationsFile}})
		}
		return roots
	}
	if s.HasGitRepository() {
		roots = append(roots, Root{Dir: FluxDir, Resources: []string{GitRepositoryFile, KustomizationsFile}})
	}
	return roots
}

// Path joins a root directory and a file name into an output path.
func Path(dir, file string) string { return path.Join(dir, file) }
