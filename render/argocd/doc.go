// Package argocd renders the Argo CD objects of the tree, for
// gitops.engine "argocd", in place of render/flux:
//
//   - kubernetes/infrastructure/aws-load-balancer-controller.yaml: the AWS
//     Load Balancer Controller as an Application with a Helm source;
//   - kubernetes/apps/milvus/milvus.yaml: Milvus as an Application with a
//     Helm source;
//   - argocd/project.yaml: the AppProject both belong to, which allows only
//     the deployment's namespaces, the Git repository and the two chart
//     repositories;
//   - argocd/root.yaml and argocd/apps/applications.yaml, only when the
//     spec names a Git repository: the root Application (app of apps) and
//     the two Applications it syncs, one per kustomization root under
//     kubernetes/, in sync waves: infrastructure (StorageClass, LB
//     controller) before Milvus.
//
// Each Helm source carries exactly the values render/flux puts in its
// HelmRelease: both come from render/values. Sync waves only wait for a
// child Application when Argo CD assesses its health, which it stopped
// doing in 1.8; bootstrap.sh adds [HealthCheckLua] to argocd-cm.
//
// The objects are typed (internal/api/argocd/v1alpha1) and built by small pure
// buildX functions; Render is pure.
package argocd
