// Package kustomize owns the layout of the rendered Kubernetes tree and
// renders its kustomization.yaml files.
//
// The tree has these kustomization roots (see [Roots]):
//
//	kubernetes/infrastructure/  StorageClass, AWS Load Balancer Controller
//	kubernetes/apps/milvus/     Namespace, Milvus HelmRepository + HelmRelease
//	flux/                       GitRepository + Flux Kustomizations (only with a Git URL)
//
// or, for gitops.engine "argocd", Applications in place of the Helm
// objects, and
//
//	argocd/                     AppProject, root Application (only with a Git URL)
//	argocd/apps/                the Applications of the two roots above (only with a Git URL)
//
// Renderers of resource files (render/kube, render/flux) take their paths
// from the constants in layout.go, and [Render] lists the same names in each
// root's kustomization.yaml, so a file name is written down exactly once.
// Render produces only kustomization.yaml files; it never emits resources.
package kustomize
