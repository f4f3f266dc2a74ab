package model

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
)

// Fixed names used across artifacts.
const (
	// LBControllerNamespace is where eksctl creates the controller's IRSA
	// service account and where its HelmRelease installs.
	LBControllerNamespace = "kube-system"
	// LBControllerRelease is the controller's Helm release name.
	LBControllerRelease = "aws-load-balancer-controller"
	// FluxNamespace holds the Flux sync objects.
	FluxNamespace = "flux-system"
	// SyncName names the GitRepository and prefixes the Flux Kustomizations.
	SyncName = "milvusgen"
	// InfrastructureSyncName is the Flux Kustomization that applies
	// kubernetes/infrastructure (StorageClass, LB controller).
	InfrastructureSyncName = SyncName + "-infrastructure"
	// AppsSyncName is the Flux Kustomization that applies
	// kubernetes/apps/milvus; it depends on InfrastructureSyncName.
	AppsSyncName = SyncName + "-apps"

	MilvusChartRepo       = "https://zilliztech.github.io/milvus-helm/"
	LBControllerChartRepo = "https://aws.github.io/eks-charts"
)

// Partition is the AWS partition of the spec's region ("aws", "aws-cn", …).
func (s *Spec) Partition() string {
	r := s.AWS.Region
	switch {
	case strings.HasPrefix(r, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(r, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(r, "us-isob-"):
		return "aws-iso-b"
	case strings.HasPrefix(r, "us-isof-"):
		return "aws-iso-f"
	case strings.HasPrefix(r, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(r, "eu-isoe-"):
		return "aws-iso-e"
	case strings.HasPrefix(r, "eusc-"):
		return "aws-eusc"
	}
	return "aws"
}

// dnsSuffix is the partition's public DNS suffix.
func (s *Spec) dnsSuffix() string {
	switch s.Partition() {
	case "aws-cn":
		return "amazonaws.com.cn"
	case "aws-iso":
		return "c2s.ic.gov"
	case "aws-iso-b":
		return "sc2s.sgov.gov"
	case "aws-eusc":
		return "amazonaws.eu"
	}
	return "amazonaws.com"
}

// S3Host is the regional S3 endpoint Milvus talks to.
func (s *Spec) S3Host() string { return "s3." + s.AWS.Region + "." + s.dnsSuffix() }

// BucketARN is the ARN of the Milvus bucket.
func (s *Spec) BucketARN() string { return "arn:" + s.Partition() + ":s3:::" + s.Storage.Bucket }

// ObjectARN is the ARN pattern of the objects Milvus may read and write:
// the whole bucket, or only keys under rootPath.
func (s *Spec) ObjectARN() string {
	if s.Storage.RootPath != "" {
		return s.BucketARN() + "/" + s.Storage.RootPath + "/*"
	}
	return s.BucketARN() + "/*"
}

// PolicyARN is the ARN of the customer-managed Milvus S3 policy.
func (s *Spec) PolicyARN() string {
	return "arn:" + s.Partition() + ":iam::" + s.AWS.AccountID + ":policy/" + s.Storage.PolicyName
}

// KMSPolicyName is the customer-managed policy that lets the EBS CSI driver
// use the spec's KMS key; it exists only when storageClass.kmsKeyID is set.
// It is derived from the cluster name alone, so two clusters of one name
// in two regions of one account collide; the fleet checks say so.
func (s *Spec) KMSPolicyName() string { return "milvusgen-" + s.Cluster.Name + "-ebs-kms" }

// KMSPolicyARN is the ARN of KMSPolicyName.
func (s *Spec) KMSPolicyARN() string {
	return "arn:" + s.Partition() + ":iam::" + s.AWS.AccountID + ":policy/" + s.KMSPolicyName()
}

// UsesKMSKey reports whether volumes are encrypted with a customer key.
func (s *Spec) UsesKMSKey() bool {
	return s.Storage.StorageClass.Encrypted && s.Storage.StorageClass.KMSKeyID != ""
}

// ManagedPolicyARN is the ARN of an AWS-managed policy in the spec's partition.
func (s *Spec) ManagedPolicyARN(name string) string {
	return "arn:" + s.Partition() + ":iam::aws:policy/" + name
}

// MixCoordinatorReplicas is the mixcoord replica count after HA defaults.
func (s *Spec) MixCoordinatorReplicas() int {
	if r := s.Milvus.MixCoordinator.Replicas; r != nil {
		return *r
	}
	if s.Milvus.HighAvailability {
		return 2
	}
	return 1
}

// ActiveStandby reports whether the coordinators run in active standby.
// More than one mixcoord replica is only safe in active standby.
func (s *Spec) ActiveStandby() bool {
	return s.Milvus.HighAvailability || s.MixCoordinatorReplicas() > 1
}

// KubernetesMinor is the minor number of cluster.kubernetesVersion
// ("1.34" → 34), or -1 when it is malformed.
func (s *Spec) KubernetesMinor() int {
	major, minor, ok := strings.Cut(s.Cluster.KubernetesVersion, ".")
	if !ok || major != "1" {
		return -1
	}
	n := 0
	for _, c := range minor {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	if minor == "" {
		return -1
	}
	return n
}

// DemoteGP2 reports whether the built-in gp2 StorageClass is still marked
// default on a new cluster of this version and must be demoted so the
// spec's class is the only default. EKS stopped marking gp2 default for
// clusters created at 1.30 or later (EKS Kubernetes versions, 1.30 notes).
func (s *Spec) DemoteGP2() bool {
	m := s.KubernetesMinor()
	return s.Storage.StorageClass.Default && m >= 0 && m < 30
}

// GitOpsPath is the repository path of a rendered subtree, as Flux wants it
// ("./clusters/x/kubernetes/apps").
func (s *Spec) GitOpsPath(sub string) string {
	p := strings.Trim(s.GitOps.Repository.Path, "/")
	if p == "" || p == "." {
		return "./" + sub
	}
	return "./" + p + "/" + sub
}

// HasGitRepository reports whether Flux sync objects are rendered.
func (s *Spec) HasGitRepository() bool { return s.GitOps.Repository.URL != "" }

// GitSecretName is the Secret holding the Git credentials, if any.
func (s *Spec) GitSecretName() string {
	if n := s.GitOps.Repository.SecretName; n != "" {
		return n
	}
	if strings.HasPrefix(s.GitOps.Repository.URL, "ssh://") {
		return SyncName + "-git"
	}
	return ""
}

// NodeGroupMinSize is the node group's minimum size after eksctl's default
// (minSize = desiredCapacity).
func (ng NodeGroup) NodeGroupMinSize() int {
	if ng.MinSize != nil {
		return *ng.MinSize
	}
	return ng.DesiredCapacity
}

// NodeGroupMaxSize is the node group's maximum size after eksctl's default
// (maxSize = desiredCapacity).
func (ng NodeGroup) NodeGroupMaxSize() int {
	if ng.MaxSize != nil {
		return *ng.MaxSize
	}
	if ng.DesiredCapacity > ng.NodeGroupMinSize() {
		return ng.DesiredCapacity
	}
	return max(ng.NodeGroupMinSize(), 1)
}

// RootPasswordEnv is the environment variable that carries the root
// password from its Secret into Milvus. Milvus reads every environment
// variable as a config override (pkg/config/env_source.go: keys are
// lower-cased with '_' and '.' removed, so this names
// common.security.defaultRootPassword), and environment beats the YAML files.
const RootPasswordEnv = "COMMON_SECURITY_DEFAULTROOTPASSWORD"

// TLSMountPath is where the proxies' TLS Secret is mounted.
const TLSMountPath = "/milvus/tls"

// LBAnnotations are the Service annotations that hand the Milvus Service to
// the AWS Load Balancer Controller as an NLB with IP targets.
func (s *Spec) LBAnnotations() map[string]string {
	a := map[string]string{
		"service.beta.kubernetes.io/aws-load-balancer-type":            "external",
		"service.beta.kubernetes.io/aws-load-balancer-name":            s.Milvus.Service.LoadBalancerName,
		"service.beta.kubernetes.io/aws-load-balancer-scheme":          s.Milvus.Service.Scheme,
		"service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
	}
	if t := s.TagPairs(); t != "" {
		a[LBTagsAnnotation] = t
	}
	return a
}

// AWS name limits (IAM quotas; ELBv2 CreateLoadBalancer).
const (
	MaxIAMPolicyName    = 128
	MaxIAMRoleName      = 64
	MaxLoadBalancerName = 32
)

// The names every spec got before names were derived from the cluster.
// validate and diff recognise them so deployed clusters can keep them.
const (
	LegacyPolicyName       = "MilvusS3ReadWrite"
	LegacyLoadBalancerName = "milvus-service"
)

// DefaultPolicyName is the Milvus S3 policy's name when the spec leaves
// storage.policyName unset. IAM policy names are unique per account, and
// a cluster is unique per account and region, so both go into the name.
func (s *Spec) DefaultPolicyName() string {
	return FitName("milvusgen-"+s.Cluster.Name+"-"+s.AWS.Region+"-s3", MaxIAMPolicyName)
}

// DefaultLoadBalancerName is the NLB's name when the spec leaves
// milvus.service.loadBalancerName unset. NLB names are unique per account
// and region, as cluster names are, so the cluster name suffices. The
// "milvus-" prefix keeps it from starting with AWS's reserved "internal-".
func (s *Spec) DefaultLoadBalancerName() string {
	return FitName("milvus-"+s.Cluster.Name, MaxLoadBalancerName)
}

// DeriveNames fills the account- and region-wide AWS names the spec left
// unset with names derived from the cluster; explicit names win.
func (s *Spec) DeriveNames() {
	if s.Backup != nil && s.Backup.PolicyName == "" {
		s.Backup.PolicyName = s.DefaultBackupPolicyName()
	}
	if s.Storage.PolicyName == "" {
		s.Storage.PolicyName = s.DefaultPolicyName()
	}
	if s.Milvus.Service.LoadBalancerName == "" {
		s.Milvus.Service.LoadBalancerName = s.DefaultLoadBalancerName()
	}
}

// FitName cuts name to at most max characters, deterministically: a name
// that fits is kept; a longer one keeps as much of its start as leaves room
// for "-" and 8 hex digits of its SHA-256, so two long names that share a
// prefix still differ. The result never ends in "-".
func FitName(name string, max int) string {
	if len(name) <= max {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := "-" + hex.EncodeToString(sum[:])[:8]
	return strings.TrimRight(name[:max-len(suffix)], "-") + suffix
}
