// Package eksctl renders aws/eksctl-cluster.yaml, the eksctl ClusterConfig
// (eksctl.io/v1alpha5) that creates the EKS cluster: its VPC, the OIDC
// provider and the two IRSA service accounts (the AWS Load Balancer
// Controller's and Milvus's, bound to the spec's S3 policy), the managed node
// groups with encrypted root volumes, and the vpc-cni, coredns, kube-proxy
// and aws-ebs-csi-driver addons.
//
// The file is built from small local types rather than eksctl's own, which
// marshal noise (addonsConfig: {}, all-false wellKnownPolicies,
// releaseVersion: ""). The tests hold it to eksctl's contract instead: they
// decode it strictly into eksctl's ClusterConfig, run eksctl's defaulting and
// validation the way `eksctl create cluster -f` does, and validate it
// against eksctl's JSON schema.
//
// Render is pure: it reads nothing but the spec.
package eksctl
