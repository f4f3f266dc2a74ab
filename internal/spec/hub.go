package spec

import "github.com/milvusgen/milvusgen/internal/model"

// checkArgoCDHub checks gitops.argocd.mode "hub": a hub Argo CD syncs the
// cluster from Git through ApplicationSets, so it needs Argo CD, a
// repository, and the hub's name and role.
func checkArgoCDHub(r *report, s *model.Spec) {
	a := s.GitOps.ArgoCD
	if a.Mode != model.ArgoCDModeHub {
		if a.Hub != nil {
			r.errorf("gitops.argocd.hub", "hub is used only with mode: \"hub\"; set gitops.argocd.mode: \"hub\" or drop hub")
		}
		return
	}
	switch {
	case s.GitOps.Engine != model.EngineArgoCD:
		r.errorf("gitops.argocd.mode", "mode \"hub\" is Argo CD's; set gitops.engine: \"argocd\"")
	case a.Hub == nil:
		r.errorf("gitops.argocd.mode", "mode \"hub\" needs the hub: gitops.argocd.hub: {context: \"<the hub's kubeconfig context>\", roleARN: \"arn:aws:iam::<account>:role/<role Argo CD assumes>\"}")
	case !s.HasGitRepository():
		r.errorf("gitops.argocd.mode", "the hub's ApplicationSets sync from Git; set gitops.repository.url")
	case s.GitOps.Install != nil && *s.GitOps.Install:
		r.errorf("gitops.install", "with mode \"hub\" bootstrap.sh installs no Argo CD on this cluster; drop gitops.install")
	}
}
