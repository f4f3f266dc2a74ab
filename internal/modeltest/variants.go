package modeltest

import "github.com/milvusgen/milvusgen/internal/model"

// KMSKeyID is a customer-managed key in the runbook's region and account.
const KMSKeyID = "arn:aws:kms:us-east-2:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"

// Variant returns the runbook fixture changed by edit, as spec.Load would
// return it for the changed spec.
func Variant(edit func(s *model.Spec)) *model.Spec {
	s := Runbook()
	edit(s)
	return s
}

// TreeVariants are the golden cases shared by render/kube, render/flux and
// render/kustomize: the runbook and the spec shapes that change the
// kubernetes/ and flux/ trees. Each call returns fresh specs.
func TreeVariants() map[string]*model.Spec {
	return map[string]*model.Spec{
		"runbook": Runbook(),
		// No Git URL: no flux/ root, bootstrap.sh applies the trees itself.
		"no-git": Variant(func(s *model.Spec) { s.GitOps.Repository.URL = "" }),
		// An https URL needs no credentials Secret; the tree sits at the
		// repository root.
		"https-git": Variant(func(s *model.Spec) {
			s.GitOps.Repository.URL = "https://github.com/acme/fleet.git"
			s.GitOps.Repository.Path = ""
		}),
		// A non-default StorageClass encrypted with a customer key.
		"storageclass": Variant(func(s *model.Spec) {
			s.Storage.StorageClass.Default = false
			s.Storage.StorageClass.Encrypted = true
			s.Storage.StorageClass.KMSKeyID = KMSKeyID
		}),
	}
}

// ArgoCDVariants are the deployments the Argo CD renderer is tested with:
// TreeVariants' Git cases with gitops.engine "argocd".
func ArgoCDVariants() map[string]*model.Spec {
	argo := func(edit func(s *model.Spec)) *model.Spec {
		return Variant(func(s *model.Spec) {
			s.GitOps.Engine = model.EngineArgoCD
			edit(s)
		})
	}
	return map[string]*model.Spec{
		"argocd": argo(func(*model.Spec) {}),
		// No Git URL: no root Application, bootstrap.sh applies the trees.
		"argocd-no-git": argo(func(s *model.Spec) { s.GitOps.Repository.URL = "" }),
		// An https URL at the repository root, manual sync, Argo CD in its
		// own namespace.
		"argocd-https-manual": argo(func(s *model.Spec) {
			s.GitOps.Repository.URL = "https://github.com/acme/fleet.git"
			s.GitOps.Repository.Path = ""
			s.GitOps.ArgoCD = model.ArgoCD{Namespace: "gitops", Automated: false}
		}),
	}
}

// HubContext and HubRoleARN name the hub of HubVariants.
const (
	HubName    = "milvusgen"
	HubContext = "arn:aws:eks:us-east-2:123456789012:cluster/platform-hub"
	HubRoleARN = "arn:aws:iam::123456789012:role/argocd-hub"
)

// HubVariants are the clusters of one fleet served by a hub Argo CD
// (gitops.argocd.mode "hub"), by environment: dev with the defaults,
// prod with another release, namespace, chart and tree path.
func HubVariants() map[string]*model.Spec {
	hub := func(cluster, path string, edit func(s *model.Spec)) *model.Spec {
		return Variant(func(s *model.Spec) {
			s.GitOps.Engine = model.EngineArgoCD
			s.GitOps.ArgoCD.Mode = model.ArgoCDModeHub
			s.GitOps.ArgoCD.Hub = &model.ArgoCDHub{Name: HubName, Context: HubContext, RoleARN: HubRoleARN}
			s.Cluster.Name = cluster
			s.GitOps.Repository.Path = path
			edit(s)
			s.DeriveNames()
		})
	}
	return map[string]*model.Spec{
		"dev": hub("milvus-dev", "clusters/dev", func(*model.Spec) {}),
		"prod": hub("Milvus-Prod", "clusters/prod", func(s *model.Spec) {
			s.Name = "milvus-prod"
			s.Milvus.Namespace = "vectors"
			s.Milvus.ChartVersion = "4.2.58"
			s.AWS.Region = "us-west-2"
		}),
	}
}
