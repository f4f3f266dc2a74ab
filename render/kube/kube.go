package kube

import (
	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/milvusgen/milvusgen/internal/model"
	"github.com/milvusgen/milvusgen/render/kustomize"
	"github.com/milvusgen/milvusgen/render/manifest"
)

const (
	// EBSProvisioner is the EBS CSI driver installed as the EKS add-on
	// aws-ebs-csi-driver. EKS Auto Mode uses ebs.csi.eks.amazonaws.com
	// instead, which milvusgen does not target.
	EBSProvisioner = "ebs.csi.aws.com"
	// DefaultClassAnnotation marks a StorageClass as the cluster default.
	DefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class"
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

// buildStorageClass is the runbook's gp3 class, plus volume expansion and
// encryption. Provisioner, parameters and reclaim policy are immutable in
// the API server, so changing them in the spec needs the class deleted
// first.
func buildStorageClass(s *model.Spec) *storagev1.StorageClass {
	c := s.Storage.StorageClass
	var annotations map[string]string
	if c.Default {
		annotations = map[string]string{DefaultClassAnnotation: "true"}
	}
	params := map[string]string{"type": c.Type}
	if c.Encrypted {
		params["encrypted"] = "true"
	}
	if c.KMSKeyID != "" {
		params["kmsKeyId"] = c.KMSKeyID
	}
	return &storagev1.StorageClass{
		TypeMeta:             metav1.TypeMeta{APIVersion: storagev1.SchemeGroupVersion.String(), Kind: "StorageClass"},
		ObjectMeta:           metav1.ObjectMeta{Name: c.Name, Annotations: annotations},
		Provisioner:          EBSProvisioner,
		Parameters:           params,
		ReclaimPolicy:        ptr(corev1.PersistentVolumeReclaimDelete),
		AllowVolumeExpansion: ptr(true),
		VolumeBindingMode:    ptr(storagev1.VolumeBindingWaitForFirstConsumer),
	}
}

// buildNamespace is the Milvus namespace. eksctl may already have created
// it for the IRSA service account; applying it here makes Flux own it.
func buildNamespace(s *model.Spec) *corev1.Namespace {
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: corev1.SchemeGroupVersion.String(), Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: s.Milvus.Namespace},
	}
}

func ptr[T any](v T) *T { return &v }
