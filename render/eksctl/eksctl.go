package eksctl

import (
	"github.com/milvusgen/milvusgen/internal/manifest"
	"github.com/milvusgen/milvusgen/internal/model"
)

// File is the output path of the ClusterConfig, relative to the output
// root. bootstrap.sh and teardown.sh pass it to eksctl.
const File = manifest.EksctlFile

// Addon policies. Versions are the spec's pins (addonVersion); an addon
// without one has no version in the file: eksctl create addon then takes
// AWS's default for the cluster's version, update addon keeps the running
// one, and aws/converge.sh moves it to AWS's default. "latest" is never
// written: it resolves differently on every run and every cluster.
const (
	cniPolicy = "AmazonEKS_CNI_Policy"
	// ebsCSIPolicy is what eksctl's ebsCSIController well-known policy
	// attaches (pkg/cfn/builder/iam.go).
	ebsCSIPolicy         = "service-role/AmazonEBSCSIDriverPolicy"
	ebsCSIServiceAccount = "ebs-csi-controller-sa"
	milvusSALabel        = "aws-usage"
	milvusSAMarker       = "milvus"
)

// clusterConfig is the subset of eksctl's ClusterConfig milvusgen sets.
// Every optional field is omitempty, so the file holds only what the spec
// decides.
type clusterConfig struct {
	APIVersion        string      `json:"apiVersion"`
	Kind              string      `json:"kind"`
	Metadata          clusterMeta `json:"metadata"`
	AvailabilityZones []string    `json:"availabilityZones,omitempty"`
	VPC               vpc         `json:"vpc"`
	IAM               clusterIAM  `json:"iam"`
	ManagedNodeGroups []nodeGroup `json:"managedNodeGroups"`
	Addons            []addon     `json:"addons"`
}

type clusterMeta struct {
	Name   string `json:"name"`
	Region string `json:"region"`
	// Version is a string; the YAML encoder quotes it, so "1.30" does not
	// turn into the float 1.3.
	Version string `json:"version"`
	// Tags go on every CloudFormation stack eksctl makes, which passes
	// them on to the stack's resources (IAM roles included).
	Tags map[string]string `json:"tags,omitempty"`
	// Annotations are ignored by eksctl; milvusgen's diff reads them.
	Annotations map[string]string `json:"annotations,omitempty"`
}

type vpc struct {
	ID            string          `json:"id,omitempty"`
	CIDR          string          `json:"cidr"`
	SecurityGroup string          `json:"securityGroup,omitempty"`
	Subnets       *clusterSubnets `json:"subnets,omitempty"`
	NAT           *nat            `json:"nat,omitempty"`
}

// nat is eksctl's vpc.nat: Single (its default), HighlyAvailable (one
// gateway per zone) or Disable.
type nat struct {
	Gateway string `json:"gateway"`
}

// HighlyAvailableNAT is eksctl's api.ClusterHighlyAvailableNAT.
const HighlyAvailableNAT = "HighlyAvailable"

type clusterIAM struct {
	WithOIDC                bool                     `json:"withOIDC,omitempty"`
	ServiceAccounts         []serviceAccount         `json:"serviceAccounts,omitempty"`
	PodIdentityAssociations []podIdentityAssociation `json:"podIdentityAssociations,omitempty"`
}

// podIdentityAssociation binds a service account to a role EKS Pod
// Identity hands out; eksctl creates the role and, when asked, the account.
type podIdentityAssociation struct {
	Namespace            string             `json:"namespace"`
	ServiceAccountName   string             `json:"serviceAccountName"`
	CreateServiceAccount bool               `json:"createServiceAccount,omitempty"`
	WellKnownPolicies    *wellKnownPolicies `json:"wellKnownPolicies,omitempty"`
	PermissionPolicyARNs []string           `json:"permissionPolicyARNs,omitempty"`
	Tags                 map[string]string  `json:"tags,omitempty"`
}

type serviceAccount struct {
	Metadata          objectMeta         `json:"metadata"`
	WellKnownPolicies *wellKnownPolicies `json:"wellKnownPolicies,omitempty"`
	AttachPolicyARNs  []string           `json:"attachPolicyARNs,omitempty"`
	Tags              map[string]string  `json:"tags,omitempty"`
}

type objectMeta struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// wellKnownPolicies names only the policies that are switched on.
type wellKnownPolicies struct {
	AWSLoadBalancerController bool `json:"awsLoadBalancerController,omitempty"`
	EBSCSIController          bool `json:"ebsCSIController,omitempty"`
}

type nodeGroup struct {
	Name              string            `json:"name"`
	InstanceType      string            `json:"instanceType"`
	DesiredCapacity   int               `json:"desiredCapacity"`
	MinSize           *int              `json:"minSize,omitempty"`
	MaxSize           *int              `json:"maxSize,omitempty"`
	VolumeSize        int               `json:"volumeSize,omitempty"`
	VolumeEncrypted   bool              `json:"volumeEncrypted"`
	PrivateNetworking bool              `json:"privateNetworking"`
	Labels            map[string]string `json:"labels,omitempty"`
	Tags              map[string]string `json:"tags,omitempty"`
}

type addon struct {
	Name                              string                    `json:"name"`
	Version                           string                    `json:"version,omitempty"`
	AttachPolicyARNs                  []string                  `json:"attachPolicyARNs,omitempty"`
	WellKnownPolicies                 *wellKnownPolicies        `json:"wellKnownPolicies,omitempty"`
	UseDefaultPodIdentityAssociations bool                      `json:"useDefaultPodIdentityAssociations,omitempty"`
	PodIdentityAssociations           *[]podIdentityAssociation `json:"podIdentityAssociations,omitempty"`
}

// Render returns aws/eksctl-cluster.yaml for s.
func Render(s *model.Spec) ([]manifest.File, error) {
	f, err := manifest.YAML(File, object(s))
	if err != nil {
		return nil, err
	}
	return []manifest.File{f}, nil
}

// object is the ClusterConfig Render writes and Config reads back.
func object(s *model.Spec) *clusterConfig {
	return withExisting(s, withTags(s, buildClusterConfig(s)))
}

func buildClusterConfig(s *model.Spec) *clusterConfig {
	return &clusterConfig{
		APIVersion: "eksctl.io/v1alpha5",
		Kind:       "ClusterConfig",
		Metadata: clusterMeta{
			Name:    s.Cluster.Name,
			Region:  s.AWS.Region,
			Version: s.Cluster.KubernetesVersion,
		},
		AvailabilityZones: availabilityZones(s),
		VPC:               withExistingVPC(s, buildVPC(s)),
		IAM:               buildIAM(s),
		ManagedNodeGroups: buildNodeGroups(s),
		Addons:            buildAddons(s),
	}
}

// buildVPC is the VPC eksctl creates. Nodes are on private subnets and
// reach S3, STS and ECR through NAT; eksctl's default is one NAT gateway in
// one zone, so that zone's loss would cut every node off. Under
// highAvailability each zone gets its own gateway, and each zone's private
// subnet routes through it. eksctl applies this only when it creates the
// VPC (`upgrade cluster` does not change NAT).
func buildVPC(s *model.Spec) vpc {
	v := vpc{CIDR: s.Cluster.VPCCIDR}
	if s.Milvus.HighAvailability {
		v.NAT = &nat{Gateway: HighlyAvailableNAT}
	}
	return v
}

// buildIAM gives the load balancer controller and Milvus their AWS roles:
// with IRSA, eksctl creates the OIDC provider and one role per service
// account (validation demands withOIDC explicitly); with Pod Identity, one
// association per account and no OIDC provider.
func buildIAM(s *model.Spec) clusterIAM {
	if s.Cluster.Identity == model.PodIdentity {
		return clusterIAM{PodIdentityAssociations: buildPodIdentityAssociations(s)}
	}
	return clusterIAM{WithOIDC: true, ServiceAccounts: buildServiceAccounts(s)}
}

// buildPodIdentityAssociations mirrors buildServiceAccounts for Pod
// Identity. eksctl creates the accounts, so the Helm releases still must
// not.
func buildPodIdentityAssociations(s *model.Spec) []podIdentityAssociation {
	out := []podIdentityAssociation{
		{
			Namespace:            model.LBControllerNamespace,
			ServiceAccountName:   s.LoadBalancerController.ServiceAccount,
			CreateServiceAccount: true,
			WellKnownPolicies:    &wellKnownPolicies{AWSLoadBalancerController: true},
		},
		{
			Namespace:            s.Milvus.Namespace,
			ServiceAccountName:   s.Milvus.ServiceAccount,
			CreateServiceAccount: true,
			PermissionPolicyARNs: []string{s.PolicyARN()},
		},
	}
	if s.Backup != nil {
		out = append(out, podIdentityAssociation{
			Namespace:            s.Milvus.Namespace,
			ServiceAccountName:   s.Backup.ServiceAccount,
			CreateServiceAccount: true,
			PermissionPolicyARNs: []string{s.BackupPolicyARN()},
		})
	}
	return out
}

// buildServiceAccounts returns the load balancer controller's account (the
// Helm release is told not to create it) and Milvus's, which reaches the
// bucket through the spec's policy instead of access keys.
func buildServiceAccounts(s *model.Spec) []serviceAccount {
	out := []serviceAccount{
		{
			Metadata: objectMeta{
				Name:      s.LoadBalancerController.ServiceAccount,
				Namespace: model.LBControllerNamespace,
			},
			WellKnownPolicies: &wellKnownPolicies{AWSLoadBalancerController: true},
		},
		{
			Metadata: objectMeta{
				Name:      s.Milvus.ServiceAccount,
				Namespace: s.Milvus.Namespace,
				Labels:    map[string]string{milvusSALabel: milvusSAMarker},
			},
			AttachPolicyARNs: []string{s.PolicyARN()},
		},
	}
	if s.Backup != nil {
		out = append(out, serviceAccount{
			Metadata:         objectMeta{Name: s.Backup.ServiceAccount, Namespace: s.Milvus.Namespace},
			AttachPolicyARNs: []string{s.BackupPolicyARN()},
		})
	}
	return out
}

// buildNodeGroups maps the spec's node groups one to one. Sizes the spec
// leaves out are left to eksctl's defaults. Root volumes are always
// encrypted, with the account's default EBS key.
func buildNodeGroups(s *model.Spec) []nodeGroup {
	out := make([]nodeGroup, 0, len(s.Cluster.NodeGroups))
	for _, ng := range s.Cluster.NodeGroups {
		out = append(out, nodeGroup{
			Name:              ng.Name,
			InstanceType:      ng.InstanceType,
			DesiredCapacity:   ng.DesiredCapacity,
			MinSize:           ng.MinSize,
			MaxSize:           ng.MaxSize,
			VolumeSize:        ng.VolumeSize,
			VolumeEncrypted:   true,
			PrivateNetworking: ng.PrivateNetworking,
			Labels:            ng.Labels,
		})
	}
	return out
}

// buildAddons returns the runbook's four addons. vpc-cni gets its own IRSA
// role with the CNI policy, so the node role does not need it; the EBS CSI
// driver gets eksctl's well-known policy.
//
// With a customer KMS key the driver also needs the spec's KMS policy;
// eksctl allows one kind of policy per addon, so both policies are given as
// ARNs (the managed EBS CSI policy is what the well-known policy attaches).
// With Pod Identity the agent addon comes first and the addons use EKS's
// default associations, or explicit ones for the KMS case.
func buildAddons(s *model.Spec) []addon {
	podIdentity := s.Cluster.Identity == model.PodIdentity
	cni := addon{Name: "vpc-cni", AttachPolicyARNs: []string{s.ManagedPolicyARN(cniPolicy)}}
	ebs := addon{Name: "aws-ebs-csi-driver", WellKnownPolicies: &wellKnownPolicies{EBSCSIController: true}}
	ebsPolicies := []string{s.ManagedPolicyARN(ebsCSIPolicy), s.KMSPolicyARN()}
	switch {
	case podIdentity && s.UsesKMSKey():
		cni = addon{Name: cni.Name, UseDefaultPodIdentityAssociations: true}
		ebs = addon{Name: ebs.Name, PodIdentityAssociations: &[]podIdentityAssociation{{
			Namespace:            model.LBControllerNamespace,
			ServiceAccountName:   ebsCSIServiceAccount,
			PermissionPolicyARNs: ebsPolicies,
		}}}
	case podIdentity:
		cni = addon{Name: cni.Name, UseDefaultPodIdentityAssociations: true}
		ebs = addon{Name: ebs.Name, UseDefaultPodIdentityAssociations: true}
	case s.UsesKMSKey():
		ebs = addon{Name: ebs.Name, AttachPolicyARNs: ebsPolicies}
	}
	var addons []addon
	if podIdentity {
		addons = append(addons, addon{Name: "eks-pod-identity-agent"})
	}
	addons = append(addons, cni,
		addon{Name: "coredns"},
		addon{Name: "kube-proxy"},
		ebs)
	for i := range addons {
		addons[i].Version = s.Cluster.AddonVersions[addons[i].Name]
	}
	return addons
}
