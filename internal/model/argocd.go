package model

import "strings"

// Argo CD names (gitops.engine "argocd"). The infrastructure and apps
// Applications reuse InfrastructureSyncName and AppsSyncName.
const (
	// ArgoCDProject is the AppProject of every rendered Application.
	ArgoCDProject = SyncName
	// ArgoCDRootName is the root Application (app of apps).
	ArgoCDRootName = SyncName
)

// UsesArgoCD reports whether Argo CD, not Flux, installs the rendered tree.
func (s *Spec) UsesArgoCD() bool { return s.GitOps.Engine == EngineArgoCD }

// Hub mode (gitops.argocd.mode "hub"): one Argo CD serves a fleet.
const (
	// HubFleetLabel is the cluster Secret's label naming the hub tree
	// (the fleet's hub name) whose ApplicationSets may select it.
	HubFleetLabel = "milvusgen.io/fleet"
	// HubEnvironmentLabel is the cluster Secret's label naming the
	// environment (the spec's cluster) the Secret registers; each
	// environment's generator selects on it.
	HubEnvironmentLabel = "milvusgen.io/cluster"
	// HubStageLabel gates the apps ApplicationSets: bootstrap.sh sets it to
	// HubStageApps once the cluster's infrastructure Applications are
	// Healthy and Synced, the sync waves of the per-cluster mode.
	HubStageLabel = "milvusgen.io/stage"
	HubStageApps  = "apps"
	// ArgoCDClusterSecretLabel and ArgoCDClusterSecretType mark a Secret
	// as a cluster Argo CD may deploy to.
	ArgoCDClusterSecretLabel = "argocd.argoproj.io/secret-type"
	ArgoCDClusterSecretType  = "cluster"
	// HubAccessPolicy is the EKS access policy the hub's role gets on a
	// spoke: the LB controller chart installs CRDs, webhooks and cluster
	// RBAC, so Argo CD needs cluster admin, as its EKS docs grant.
	HubAccessPolicy = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"
)

// UsesArgoCDHub reports whether a hub Argo CD on another cluster, not
// one of its own, syncs this cluster.
func (s *Spec) UsesArgoCDHub() bool {
	return s.UsesArgoCD() && s.GitOps.ArgoCD.Mode == ArgoCDModeHub && s.GitOps.ArgoCD.Hub != nil
}

// ArgoCDClusterName is the name the cluster is registered under on the
// hub (the cluster Secret's name field): the EKS cluster's name.
func (s *Spec) ArgoCDClusterName() string { return s.Cluster.Name }

// ArgoCDClusterSecret is the Kubernetes name of the cluster's Secret on
// the hub. EKS names may hold capitals, Secret names may not.
func (s *Spec) ArgoCDClusterSecret() string {
	return "cluster-" + strings.ToLower(s.Cluster.Name)
}
