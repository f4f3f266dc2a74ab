package spec

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/milvusgen/milvusgen/internal/model"
)

// minSubnetZones is eksctl's MinRequiredSubnets: EKS needs subnets in at
// least two availability zones, for each kind of subnet given.
const minSubnetZones = 2

// checkNetwork checks an existing VPC (cluster.vpc) against the rest of the
// spec: its CIDR given, its zones in the region, enough of them, and the
// kinds of subnet the node groups and the load balancer need.
func checkNetwork(r *report, s *model.Spec) {
	v := s.Cluster.VPC
	if s.Cluster.Existing && (v == nil || v.SecurityGroup == "") {
		// eksctl's loadVPCFromConfig (pkg/actions/nodegroup/create.go).
		r.errorf("cluster.existing", "eksctl adds node groups to a cluster it did not create only with the cluster's network: set cluster.vpc {id, securityGroup, subnets} to the cluster's VPC, its security group and subnets")
	}
	if v == nil {
		return
	}
	if !r.set("cluster.vpcCIDR") {
		r.errorf("cluster.vpc", "an existing VPC needs its CIDR in cluster.vpcCIDR (the default, %s, is the VPC eksctl would create); eksctl checks it is one of the VPC's blocks, and an internal load balancer's default source range is this CIDR", s.Cluster.VPCCIDR)
	}
	seen := map[string]string{}
	for _, kind := range []string{"private", "public"} {
		m := v.Subnets.Private
		if kind == "public" {
			m = v.Subnets.Public
		}
		zones := make([]string, 0, len(m))
		for z := range m {
			zones = append(zones, z)
		}
		slices.Sort(zones)
		for _, z := range zones {
			at := "cluster.vpc.subnets." + kind + "." + z
			if rest, ok := strings.CutPrefix(z, s.AWS.Region); !ok || len(rest) != 1 {
				r.errorf(at, "zone %s is not in the cluster's region %s; name the region's zones (%sa, %sb, …)", z, s.AWS.Region, s.AWS.Region, s.AWS.Region)
			}
			if prev, dup := seen[m[z]]; dup {
				r.errorf(at, "subnet %s is also given as %s; each zone and kind takes its own subnet", m[z], prev)
			}
			seen[m[z]] = kind + "." + z
		}
		if n := len(zones); n > 0 && n < minSubnetZones {
			r.errorf("cluster.vpc.subnets."+kind, "EKS needs %s subnets in at least %d availability zones; got %d (%s)", kind, minSubnetZones, n, strings.Join(zones, ", "))
		}
	}
	if len(v.Subnets.Private) == 0 && len(v.Subnets.Public) == 0 {
		r.errorf("cluster.vpc.subnets", "name the VPC's subnets per zone: subnets: {private: {%sa: \"subnet-…\", %sb: \"subnet-…\"}}", s.AWS.Region, s.AWS.Region)
		return
	}
	for i, ng := range s.Cluster.NodeGroups {
		switch {
		case ng.PrivateNetworking && len(v.Subnets.Private) == 0:
			r.errorf(fmt.Sprintf("cluster.nodeGroups.%d.privateNetworking", i), "node group %s runs on private subnets, but cluster.vpc.subnets.private is empty; add the VPC's private subnets or set privateNetworking: false", ng.Name)
		case !ng.PrivateNetworking && len(v.Subnets.Public) == 0:
			r.errorf(fmt.Sprintf("cluster.nodeGroups.%d.privateNetworking", i), "node group %s runs on public subnets, but cluster.vpc.subnets.public is empty; add the VPC's public subnets or set privateNetworking: true", ng.Name)
		}
	}
	// The load balancer controller places an internal NLB in private
	// subnets and an internet-facing one in public subnets.
	switch scheme := s.Milvus.Service.Scheme; {
	case scheme == "internet-facing" && len(v.Subnets.Public) == 0:
		r.errorf("milvus.service.scheme", "an internet-facing load balancer needs public subnets; add cluster.vpc.subnets.public or use scheme: internal")
	case scheme != "internet-facing" && len(v.Subnets.Private) == 0:
		r.errorf("milvus.service.scheme", "an internal load balancer needs private subnets; add cluster.vpc.subnets.private")
	}
}

// AWS tag rules (Tagging AWS resources, "Tag naming limits and
// requirements"): keys 1-128 and values 0-256 Unicode characters, the
// characters below, at most 50 user tags per resource, the "aws:" prefix
// reserved. milvusgen leaves room for the tags eksctl, CloudFormation's
// stack propagation, the Load Balancer Controller and the EBS CSI driver
// add themselves, and refuses the keys they set.
const (
	maxTagKey      = 128
	maxTagValue    = 256
	maxTagsPerRes  = 50
	tagsReservedBy = 10 // eksctl's alpha.eksctl.io/* and Name, the LB controller's 3, the EBS CSI driver's ~6
	maxUserTags    = maxTagsPerRes - tagsReservedBy
)

// reTagChars is AWS's tag character set, less '=' and ',': the LB
// controller's annotation and the EBS CSI driver's tagSpecification_N
// parameters separate key and value with '=' and pairs with ','.
var reTagChars = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/+\-@]*$`)

// toolTagPrefixes are the tag keys eksctl, the LB controller, the EBS CSI
// driver, Kubernetes and milvusgen (its policy document tag) set on the resources milvusgen creates; a user tag
// of the same key would be overwritten or clash.
var toolTagPrefixes = []string{"alpha.eksctl.io/", "eksctl.cluster.k8s.io/", "elbv2.k8s.aws/", "service.k8s.aws/", "ebs.csi.aws.com/", "kubernetes.io/", "k8s.io/", "milvusgen.io/"}

// toolTagKeys are exact keys those tools set.
var toolTagKeys = []string{"Name", "CSIVolumeName", "CSIVolumeSnapshotName", "KubernetesCluster"}

func checkTags(r *report, s *model.Spec) {
	if n := len(s.AWS.Tags); n > maxUserTags {
		r.errorf("aws.tags", "%d tags; AWS allows %d per resource and eksctl, the load balancer controller and the EBS CSI driver add up to %d of their own, so at most %d", n, maxTagsPerRes, tagsReservedBy, maxUserTags)
	}
	for _, t := range s.TagList() {
		at := "aws.tags." + t.Key
		if strings.ContainsAny(t.Key, ".[]\"") {
			at = "aws.tags" // a key the path syntax cannot hold
		}
		switch k := t.Key; {
		case utf8.RuneCountInString(k) == 0 || utf8.RuneCountInString(k) > maxTagKey:
			r.errorf(at, "a tag key is 1 to %d characters; got %d", maxTagKey, utf8.RuneCountInString(k))
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			r.errorf(at, "tag keys starting with aws: are reserved for AWS; choose another key")
		case !reTagChars.MatchString(k):
			r.errorf(at, "tag key %q has a character AWS or the tools' key=value,… format does not allow; use letters, digits, spaces and _ . : / + - @", k)
		case strings.TrimSpace(k) != k:
			r.errorf(at, "tag key %q starts or ends with a space, which the load balancer controller trims", k)
		case slices.Contains(toolTagKeys, k) || slices.ContainsFunc(toolTagPrefixes, func(p string) bool { return strings.HasPrefix(k, p) }):
			r.errorf(at, "tag key %q is set by eksctl, the load balancer controller, the EBS CSI driver or Kubernetes; choose another key", k)
		}
		switch v := t.Value; {
		case utf8.RuneCountInString(v) > maxTagValue:
			r.errorf(at, "a tag value is at most %d characters; got %d", maxTagValue, utf8.RuneCountInString(v))
		case !reTagChars.MatchString(v):
			r.errorf(at, "tag value %q has a character AWS or the tools' key=value,… format does not allow; use letters, digits, spaces and _ . : / + - @", v)
		case strings.TrimSpace(v) != v:
			r.errorf(at, "tag value %q starts or ends with a space, which the load balancer controller trims", v)
		}
	}
}
