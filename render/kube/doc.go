// Package kube renders the plain Kubernetes objects of the tree: the EBS CSI
// StorageClass (kubernetes/infrastructure) and the Milvus Namespace
// (kubernetes/apps/milvus). Objects are built from k8s.io/api types; file
// paths come from render/kustomize, which lists them in the
// kustomization.yaml files.
//
// Render is pure: the same spec gives the same bytes.
package kube
