package flux

import (
	"time"

	kustomizev1 "github.com/fluxcd/kustomize-controller/api/v1"
	"github.com/fluxcd/pkg/apis/meta"
	sourcev1 "github.com/fluxcd/source-controller/api/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// Settings of the sync objects.
const (
	// GitInterval is how often the GitRepository polls for new commits.
	GitInterval = time.Minute
	// InfrastructureTimeout bounds one apply of the infrastructure root,
	// including the wait for the LB controller release to become ready.
	InfrastructureTimeout = 10 * time.Minute
	// AppsTimeout bounds one apply of the apps root. It outlasts
	// MilvusTimeout so a slow but healthy install is not reported failed.
	AppsTimeout = MilvusTimeout + 5*time.Minute
	// RetryInterval is how soon a failed Kustomization is retried.
	RetryInterval = 2 * time.Minute
)

// buildGitRepository is the repository the rendered tree is pushed to. The
// credentials Secret is referenced, never rendered.
func buildGitRepository(s *model.Spec) *sourcev1.GitRepository {
	var secretRef *meta.LocalObjectReference
	if n := s.GitSecretName(); n != "" {
		secretRef = &meta.LocalObjectReference{Name: n}
	}
	return &sourcev1.GitRepository{
		TypeMeta:   metav1.TypeMeta{APIVersion: sourcev1.GroupVersion.String(), Kind: sourcev1.GitRepositoryKind},
		ObjectMeta: metav1.ObjectMeta{Name: model.SyncName, Namespace: model.FluxNamespace},
		Spec: sourcev1.GitRepositorySpec{
			URL:       s.GitOps.Repository.URL,
			Reference: &sourcev1.GitRepositoryRef{Branch: s.GitOps.Repository.Branch},
			Interval:  metav1.Duration{Duration: GitInterval},
			SecretRef: secretRef,
		},
	}
}

// buildInfrastructureKustomization applies kubernetes/infrastructure and
// waits until everything in it, the LB controller release included, is
// ready.
func buildInfrastructureKustomization(s *model.Spec, interval time.Duration) *kustomizev1.Kustomization {
	return buildKustomization(s, model.InfrastructureSyncName, kustomize.InfrastructureDir, interval, InfrastructureTimeout, nil)
}

// buildAppsKustomization applies kubernetes/apps/milvus once the
// infrastructure is ready, so the StorageClass exists before etcd claims
// volumes.
func buildAppsKustomization(s *model.Spec, interval time.Duration) *kustomizev1.Kustomization {
	return buildKustomization(s, model.AppsSyncName, kustomize.AppsDir, interval, AppsTimeout,
		[]kustomizev1.DependencyReference{{Name: model.InfrastructureSyncName}})
}

// buildKustomization syncs one root of the tree from the GitRepository,
// pruning what the tree no longer holds.
func buildKustomization(s *model.Spec, name, dir string, interval, timeout time.Duration, dependsOn []kustomizev1.DependencyReference) *kustomizev1.Kustomization {
	return &kustomizev1.Kustomization{
		TypeMeta:   metav1.TypeMeta{APIVersion: kustomizev1.GroupVersion.String(), Kind: kustomizev1.KustomizationKind},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: model.FluxNamespace},
		Spec: kustomizev1.KustomizationSpec{
			DependsOn:     dependsOn,
			Interval:      metav1.Duration{Duration: interval},
			RetryInterval: &metav1.Duration{Duration: RetryInterval},
			Path:          s.GitOpsPath(dir),
			Prune:         true,
			Wait:          true,
			Timeout:       &metav1.Duration{Duration: timeout},
			SourceRef: kustomizev1.CrossNamespaceSourceReference{
				Kind: sourcev1.GitRepositoryKind,
				Name: model.SyncName,
			},
		},
	}
}
