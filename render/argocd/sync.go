package argocd

import (
	"path"
	"strconv"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/api/argocd/v1alpha1"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

// Sync waves of the root Application's children: the infrastructure
// (StorageClass, LB controller) is synced and Healthy before Milvus.
const (
	InfrastructureWave = 0
	AppsWave           = 1
)

// Retries of a failed sync: a Helm Application whose webhook or CRDs are
// not ready yet succeeds on a later try.
var retry = &v1alpha1.RetryStrategy{
	Limit:   5,
	Backoff: &v1alpha1.Backoff{Duration: "30s", Factor: ptr[int64](2), MaxDuration: "5m"},
}

// syncPolicy is the spec's automated sync settings plus options. Empty
// sources never prune everything (allowEmpty stays false): a wrong path
// or branch makes the sync fail instead of deleting Milvus.
func syncPolicy(s *model.Spec, options ...string) *v1alpha1.SyncPolicy {
	p := &v1alpha1.SyncPolicy{SyncOptions: options, Retry: retry}
	if a := s.GitOps.ArgoCD; a.Automated {
		p.Automated = &v1alpha1.SyncPolicyAutomated{Prune: a.Prune, SelfHeal: a.SelfHeal}
	}
	return p
}

// repoPath is the repository path of a rendered subtree, as Argo CD wants
// it: relative to the repository root, without "./" ("." for the root).
func repoPath(s *model.Spec, sub string) string {
	p := path.Clean(strings.TrimPrefix(s.GitOpsPath(sub), "./"))
	if p == "" {
		return "."
	}
	return p
}

// buildGitApplication syncs one kustomization root of the tree from the
// spec's repository and branch into the namespace Argo CD runs in (which
// holds Applications; the objects name their own namespaces).
func buildGitApplication(s *model.Spec, name, dir string, annotations map[string]string, options ...string) *v1alpha1.Application {
	return &v1alpha1.Application{
		TypeMeta: metav1.TypeMeta{APIVersion: v1alpha1.APIVersion, Kind: v1alpha1.ApplicationKind},
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Namespace:   s.GitOps.ArgoCD.Namespace,
			Annotations: annotations,
			Finalizers:  []string{v1alpha1.ResourcesFinalizer},
		},
		Spec: v1alpha1.ApplicationSpec{
			Project: model.ArgoCDProject,
			Source: &v1alpha1.ApplicationSource{
				RepoURL:        s.GitOps.Repository.URL,
				TargetRevision: s.GitOps.Repository.Branch,
				Path:           repoPath(s, dir),
			},
			Destination: v1alpha1.ApplicationDestination{Server: v1alpha1.InClusterServer, Namespace: s.GitOps.ArgoCD.Namespace},
			SyncPolicy:  syncPolicy(s, options...),
		},
	}
}

// buildRoot is the app of apps: it syncs argocd/apps, the Applications of
// the kubernetes/ roots. bootstrap.sh applies it once.
func buildRoot(s *model.Spec) *v1alpha1.Application {
	return buildGitApplication(s, model.ArgoCDRootName, kustomize.ArgoCDAppsDir, nil)
}

// buildInfrastructure syncs kubernetes/infrastructure: the StorageClass
// and the LB controller Application. Its wave comes first, and with the
// Application health check it is Healthy only once the controller is.
func buildInfrastructure(s *model.Spec) *v1alpha1.Application {
	return buildGitApplication(s, model.InfrastructureSyncName, kustomize.InfrastructureDir,
		wave(InfrastructureWave), serverSideApply)
}

// buildApps syncs kubernetes/apps/milvus (the Namespace and the Milvus
// Application) once the infrastructure wave is Healthy, so the
// StorageClass exists before etcd claims volumes and the LB controller's
// webhook serves before the Milvus Service is created.
func buildApps(s *model.Spec) *v1alpha1.Application {
	return buildGitApplication(s, model.AppsSyncName, kustomize.AppsDir, wave(AppsWave), serverSideApply)
}

func wave(n int) map[string]string {
	return map[string]string{v1alpha1.SyncWaveAnnotation: strconv.Itoa(n)}
}

// clusterKinds are the cluster-scoped kinds the project lets its
// Applications sync: the StorageClass and Namespace of the tree, and what
// the LB controller chart installs (its CRDs, RBAC, webhooks and
// IngressClass). The Milvus chart installs no cluster-scoped object.
var clusterKinds = []v1alpha1.GroupKind{
	{Group: "", Kind: "Namespace"},
	{Group: "storage.k8s.io", Kind: "StorageClass"},
	{Group: "apiextensions.k8s.io", Kind: "CustomResourceDefinition"},
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRole"},
	{Group: "rbac.authorization.k8s.io", Kind: "ClusterRoleBinding"},
	{Group: "admissionregistration.k8s.io", Kind: "MutatingWebhookConfiguration"},
	{Group: "admissionregistration.k8s.io", Kind: "ValidatingWebhookConfiguration"},
	{Group: "networking.k8s.io", Kind: "IngressClass"},
	{Group: "elbv2.k8s.aws", Kind: "IngressClassParams"},
}

// buildProject is the AppProject of every Application: sources are the
// Git repository (when there is one) and the two chart repositories;
// destinations are the in-cluster namespaces the deployment uses (the LB
// controller's, Milvus's, and Argo CD's own for the Applications).
func buildProject(s *model.Spec) *v1alpha1.AppProject {
	repos := []string{model.LBControllerChartRepo, model.MilvusChartRepo}
	if s.HasGitRepository() {
		repos = append([]string{s.GitOps.Repository.URL}, repos...)
	}
	var dests []v1alpha1.ApplicationDestination
	for _, ns := range []string{s.GitOps.ArgoCD.Namespace, model.LBControllerNamespace, s.Milvus.Namespace} {
		dests = append(dests, v1alpha1.ApplicationDestination{Server: v1alpha1.InClusterServer, Namespace: ns})
	}
	return &v1alpha1.AppProject{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.APIVersion, Kind: v1alpha1.AppProjectKind},
		ObjectMeta: metav1.ObjectMeta{Name: model.ArgoCDProject, Namespace: s.GitOps.ArgoCD.Namespace},
		Spec: v1alpha1.AppProjectSpec{
			Description:              "Milvus " + s.Name + " on EKS cluster " + s.Cluster.Name + ", rendered by milvusgen",
			SourceRepos:              repos,
			Destinations:             dests,
			ClusterResourceWhitelist: append([]v1alpha1.GroupKind(nil), clusterKinds...),
		},
	}
}

func ptr[T any](v T) *T { return &v }
