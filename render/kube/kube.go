package kube

import (
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/kustomize"
)

const (
	// EBSProvisioner is the EBS CSI driver installed as the EKS add-on
	// aws-ebs-csi-driver. EKS Auto Mode uses ebs.csi.eks.amazonaws.com
	// instead, which milvusgen does not target.
	EBSProvisioner = "ebs.csi.aws.com"
	// DefaultClassAnnotation marks a StorageClass as the cluster default.
	DefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"
	// ReadinessGateLabel on a namespace makes the AWS Load Balancer
	// Controller's pod webhook inject the target-health readiness gate
	// into that namespace's load-balanced pods (the chart's default
	// webhookNamespaceSelectors).
	ReadinessGateLabel = "elbv2.k8s.aws/pod-readiness-gate-inject"
)

// Render returns kubernetes/infrastructure/storageclass.yaml and
// kubernetes/apps/milvus/namespace.yaml.
func Render(s *model.Spec) ([]manifest.File, error) {
	sc, err := manifest.YAML(kustomize.Path(kustomize.InfrastructureDir, kustomize.StorageClassFile), buildStorageClass(s))
	if err != nil {
		return nil, err
	}
	ns, err := manifest.YAML(kustomize.Path(kustomize.AppsDir, kustomize.NamespaceFile), buildNamespace(s))
	if err != nil {
		return nil, err
	}
	return []manifest.File{sc, ns}, nil
}

// buildStorageClass is the runbook's gp3 class, plus volume expansion,
// encryption and the spec's reclaim policy. Provisioner, parameters and
// reclaim policy are immutable in the API server, so the class is marked
// for replacement (Replaced) under its one name, rather than named after
// its parameters: etcd's and the queues' volumeClaimTemplates name the
// class, and those are immutable too, so a new name would fail every Helm
// upgrade of the chart; the spec's name also stays the one users see.
func buildStorageClass(s *model.Spec) *storagev1.StorageClass {
	c := s.Storage.StorageClass
	annotations := engineAnnotations(s, Object{APIVersion: "storage.k8s.io/v1", Kind: "StorageClass", Name: c.Name})
	if c.Default {
		if annotations == nil {
			annotations = map[string]string{}
		}
		annotations[DefaultClassAnnotation] = "true"
	}
	reclaim := corev1.PersistentVolumeReclaimPolicy(c.ReclaimPolicy)
	if reclaim == "" {
		reclaim = corev1.PersistentVolumeReclaimRetain
	}
	params := map[string]string{"type": c.Type}
	if c.Encrypted {
		params["encrypted"] = "true"
	}
	if c.KMSKeyID != "" {
		params["kmsKeyId"] = c.KMSKeyID
	}
	addTagSpecifications(s, params)
	return &storagev1.StorageClass{
		TypeMeta:             metav1.TypeMeta{APIVersion: storagev1.SchemeGroupVersion.String(), Kind: "StorageClass"},
		ObjectMeta:           metav1.ObjectMeta{Name: c.Name, Annotations: annotations},
		Provisioner:          EBSProvisioner,
		Parameters:           params,
		ReclaimPolicy:        ptr(reclaim),
		AllowVolumeExpansion: ptr(true),
		VolumeBindingMode:    ptr(storagev1.VolumeBindingWaitForFirstConsumer),
	}
}

// buildNamespace is the Milvus namespace. eksctl may already have created
// it for the IRSA service account; applying it here makes Flux own it,
// and Protected keeps Flux from ever deleting it.
//
// ReadinessGateLabel makes a new proxy Ready only once the NLB reports it
// healthy. Without the gate a rolling update counts a proxy Ready when
// its container is, and removes the old proxies while the NLB still
// registers the new targets: port 19530 refuses connections for that
// time (the controller's docs/deploy/pod_readiness_gate.md).
func buildNamespace(s *model.Spec) *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta: metav1.TypeMeta{APIVersion: corev1.SchemeGroupVersion.String(), Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{
			Name:        s.Milvus.Namespace,
			Labels:      map[string]string{ReadinessGateLabel: "enabled"},
			Annotations: engineAnnotations(s, Object{APIVersion: "v1", Kind: "Namespace", Name: s.Milvus.Namespace}),
		},
	}
}

func ptr[T any](v T) *T { return &v }
