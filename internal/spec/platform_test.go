package spec

import (
	"fmt"
	"strings"
	"testing"
)

// withVPC is the base spec in an existing VPC; vpc is the YAML of
// cluster.vpc and extra is appended at the top level.
func withVPC(cidr, vpc, extra string) string {
	c := ""
	if cidr != "" {
		c = "  vpcCIDR: " + cidr + "\n"
	}
	return strings.Replace(base, "  name: milvus-eks-cluster\n", "  name: milvus-eks-cluster\n"+c+"  vpc: "+vpc+"\n", 1) + extra
}

const (
	// threePrivate: three zones, as highAvailability (the default) needs.
	threePrivate = `{us-east-2a: subnet-0aaaaaaaaaaaaaaa1, us-east-2b: subnet-0bbbbbbbbbbbbbbb2, us-east-2c: subnet-0eeeeeeeeeeeeeee5}`
	twoPublic    = `{us-east-2a: subnet-0ccccccccccccccc3, us-east-2b: subnet-0ddddddddddddddd4}`
)

func TestExistingVPC(t *testing.T) {
	good := withVPC("10.20.0.0/16", `{id: vpc-0a1b2c3d4e5f60718, subnets: {private: `+threePrivate+`, public: `+twoPublic+`}}`, "")
	res, err := load(t, "spec.yaml", good)
	if err != nil {
		t.Fatalf("valid existing VPC refused: %s", details(err))
	}
	v := res.Spec.Cluster.VPC
	if v == nil || v.ID != "vpc-0a1b2c3d4e5f60718" || v.Subnets.Private["us-east-2b"] != "subnet-0bbbbbbbbbbbbbbb2" || len(v.Subnets.Public) != 2 {
		t.Fatalf("decoded %+v", v)
	}
	if got := res.Spec.Milvus.Service.SourceRanges; len(got) != 1 || got[0] != "10.20.0.0/16" {
		t.Errorf("internal load balancer's source ranges = %v, want the VPC's CIDR", got)
	}

	for _, tc := range []struct{ name, text, want string }{
		{"no CIDR", withVPC("", `{id: vpc-0a1b2c3d4e5f60718, subnets: {private: `+threePrivate+`}}`, ""),
			"cluster.vpc: an existing VPC needs its CIDR in cluster.vpcCIDR"},
		{"one zone", withVPC("10.20.0.0/16", `{id: vpc-0a1b2c3d4e5f60718, subnets: {private: {us-east-2a: subnet-0aaaaaaaaaaaaaaa1}}}`, ""),
			"cluster.vpc.subnets.private: EKS needs private subnets in at least 2 availability zones; got 1 (us-east-2a)"},
		{"zone of another region", withVPC("10.20.0.0/16", `{id: vpc-0a1b2c3d4e5f60718, subnets: {private: {us-east-2a: subnet-0aaaaaaaaaaaaaaa1, us-west-2b: subnet-0bbbbbbbbbbbbbbb2}}}`, ""),
			"cluster.vpc.subnets.private.us-west-2b: zone us-west-2b is not in the cluster's region us-east-2"},
		{"subnet twice", withVPC("10.20.0.0/16", `{id: vpc-0a1b2c3d4e5f60718, subnets: {private: `+threePrivate+`, public: {us-east-2a: subnet-0aaaaaaaaaaaaaaa1, us-east-2b: subnet-0ddddddddddddddd4}}}`, ""),
			"subnet subnet-0aaaaaaaaaaaaaaa1 is also given as private.us-east-2a"},
		{"no subnets", withVPC("10.20.0.0/16", `{id: vpc-0a1b2c3d4e5f60718, subnets: {}}`, ""),
			"cluster.vpc.subnets: name the VPC's subnets per zone"},
		{"private nodes without private subnets", withVPC("10.20.0.0/16", `{id: vpc-0a1b2c3d4e5f60718, subnets: {public: `+twoPublic+`}}`, ""),
			"cluster.nodeGroups.0.privateNetworking: node group milvus-node-group runs on private subnets"},
		{"internet-facing without public subnets", withVPC("10.20.0.0/16", `{id: vpc-0a1b2c3d4e5f60718, subnets: {private: `+threePrivate+`}}`,
			"milvus: {service: {scheme: internet-facing, sourceRanges: [10.0.0.0/8]}}\n"),
			"milvus.service.scheme: an internet-facing load balancer needs public subnets"},
		{"bad VPC ID", withVPC("10.20.0.0/16", `{id: vpc-1, subnets: {private: `+threePrivate+`}}`, ""), "cluster.vpc.id"},
		{"bad subnet ID", withVPC("10.20.0.0/16", `{id: vpc-0a1b2c3d4e5f60718, subnets: {private: {us-east-2a: sub-1, us-east-2b: subnet-0bbbbbbbbbbbbbbb2}}}`, ""), "cluster.vpc.subnets.private.us-east-2a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, "spec.yaml", tc.text)
			if err == nil || !strings.Contains(details(err), tc.want) {
				t.Errorf("got %v, want an error containing %q", details(err), tc.want)
			}
		})
	}
}

func TestTags(t *testing.T) {
	withTags := func(tags string) string {
		return strings.Replace(base, "  accountID: \"123456789012\"\n", "  accountID: \"123456789012\"\n  tags: "+tags+"\n", 1)
	}
	res, err := load(t, "spec.yaml", withTags(`{team: vectors, cost-center: "4711", "owner@acme": "a b/c:d+e-f_g.h"}`))
	if err != nil {
		t.Fatalf("valid tags refused: %s", details(err))
	}
	if got := res.Spec.TagPairs(); got != "cost-center=4711,owner@acme=a b/c:d+e-f_g.h,team=vectors" {
		t.Errorf("TagPairs = %q", got)
	}
	var many []string
	for i := range 41 {
		many = append(many, fmt.Sprintf("k%d: v", i))
	}
	for _, tc := range []struct{ name, tags, want string }{
		{"aws prefix", `{"aws:owner": x}`, "tag keys starting with aws: are reserved"},
		{"AWS prefix any case", `{"AWS:owner": x}`, "tag keys starting with aws: are reserved"},
		{"long key", `{` + strings.Repeat("k", 129) + `: x}`, "a tag key is 1 to 128 characters; got 129"},
		{"long value", `{team: ` + strings.Repeat("v", 257) + `}`, "aws.tags.team: a tag value is at most 256 characters; got 257"},
		{"equals in value", `{team: "a=b"}`, `tag value "a=b" has a character`},
		{"comma in key", `{"a,b": x}`, `tag key "a,b" has a character`},
		{"eksctl's key", `{"alpha.eksctl.io/cluster-name": x}`, "is set by eksctl"},
		{"Name", `{Name: x}`, "is set by eksctl"},
		{"space at end", `{team: "x "}`, "starts or ends with a space"},
		{"too many", `{` + strings.Join(many, ", ") + `}`, "aws.tags: 41 tags; AWS allows 50 per resource"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, "spec.yaml", withTags(tc.tags))
			if err == nil || !strings.Contains(details(err), tc.want) {
				t.Errorf("got %v, want an error containing %q", details(err), tc.want)
			}
		})
	}
	// 128 and 256 characters are allowed: the limits are inclusive.
	if _, err := load(t, "spec.yaml", withTags(`{`+strings.Repeat("k", 128)+`: `+strings.Repeat("v", 256)+`}`)); err != nil {
		t.Errorf("tags at the limits refused: %s", details(err))
	}
}

func TestExistingCluster(t *testing.T) {
	vpc := `{id: vpc-0a1b2c3d4e5f60718, securityGroup: sg-0123456789abcdef0, subnets: {private: ` + threePrivate + `}}`
	text := strings.Replace(withVPC("10.20.0.0/16", vpc, ""), "  vpc: ", "  existing: true\n  vpc: ", 1)
	res, err := load(t, "spec.yaml", text)
	if err != nil {
		t.Fatalf("existing cluster refused: %s", details(err))
	}
	if !res.Spec.Cluster.Existing || res.Spec.Cluster.VPC.SecurityGroup != "sg-0123456789abcdef0" {
		t.Errorf("decoded %+v", res.Spec.Cluster)
	}
	for name, text := range map[string]string{
		"no vpc":            strings.Replace(base, "  name: milvus-eks-cluster\n", "  name: milvus-eks-cluster\n  existing: true\n", 1),
		"no security group": strings.Replace(withVPC("10.20.0.0/16", `{id: vpc-0a1b2c3d4e5f60718, subnets: {private: `+threePrivate+`}}`, ""), "  vpc: ", "  existing: true\n  vpc: ", 1),
	} {
		_, err := load(t, "spec.yaml", text)
		if want := "cluster.existing: eksctl adds node groups to a cluster it did not create only with the cluster's network"; err == nil || !strings.Contains(details(err), want) {
			t.Errorf("%s: got %v, want %q", name, details(err), want)
		}
	}
}
