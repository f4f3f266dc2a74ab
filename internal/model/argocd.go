package model

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
